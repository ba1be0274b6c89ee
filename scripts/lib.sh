# Shared by scripts/*: make sure what DistroFlow needs is on this machine.

# Installs Debian packages with apt-get (through sudo when not root).
apt_install() {
  local sudo=""
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: no apt-get: install $* yourself" >&2
    return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "error: not root and no sudo: run apt-get install $*" >&2
      return 1
    fi
  fi
  echo "Installing $* with apt-get." >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# Chromium: DISTROFLOW_CHROME, or Debian's chromium (the visible browser for
# `login`) and chromium-headless-shell (what headless runs use: the same
# engine at about a quarter of the CPU), installed with apt when absent.
ensure_chromium() {
  if [ -n "${DISTROFLOW_CHROME:-}" ] && [ -x "${DISTROFLOW_CHROME}" ]; then return 0; fi
  local have_browser="" have_shell=""
  for c in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    if [ -x "$c" ]; then have_browser=1; fi
  done
  for c in /usr/bin/chromium-headless-shell /usr/bin/chrome-headless-shell; do
    if [ -x "$c" ]; then have_shell=1; fi
  done
  if [ -n "$have_browser" ] && [ -n "$have_shell" ]; then return 0; fi
  if [ -z "$have_browser" ]; then
    # The shell is a nicety; Chromium is required.
    apt_install chromium chromium-headless-shell || apt_install chromium
  elif ! apt_install chromium-headless-shell; then
    echo "note: no chromium-headless-shell; headless runs use the full browser (slower)" >&2
  fi
}

# python3 (standard library only) serves the look-alike sites the e2e tests
# post to (tests/lookalikes).
ensure_python3() {
  command -v python3 >/dev/null 2>&1 || apt_install python3-minimal
}

ensure_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo not found: install Rust from https://rustup.rs first" >&2
    return 1
  fi
}
