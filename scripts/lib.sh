# Shared by scripts/*: make sure what DistroFlow needs is on this machine.

# Chromium: DISTROFLOW_CHROME, or Debian's chromium (the visible browser for
# `login`) and chromium-headless-shell (what headless runs use: the same
# engine at about a quarter of the CPU), installed with apt when absent.
ensure_chromium() {
  if [ -n "${DISTROFLOW_CHROME:-}" ] && [ -x "${DISTROFLOW_CHROME}" ]; then return 0; fi
  local missing="" have_browser=""
  for c in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    if [ -x "$c" ]; then have_browser=1; fi
  done
  [ -n "$have_browser" ] || missing="chromium"
  [ -x /usr/bin/chromium-headless-shell ] || [ -x /usr/bin/chrome-headless-shell ] \
    || missing="$missing chromium-headless-shell"
  [ -n "$missing" ] || return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    if [ -n "$have_browser" ]; then
      echo "note: no chromium-headless-shell; headless runs use the full browser (slower)" >&2
      return 0
    fi
    echo "error: Chromium is missing and there is no apt-get: install Chromium or set DISTROFLOW_CHROME" >&2
    return 1
  fi
  echo "Installing${missing} with apt-get." >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "error: not root and no sudo: run apt-get install$missing (or set DISTROFLOW_CHROME)" >&2
      return 1
    fi
  fi
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null; then
    if [ -n "$have_browser" ]; then
      echo "note: could not install chromium-headless-shell; headless runs use the full browser (slower)" >&2
      return 0
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

# python3 (standard library only) serves the look-alike sites the e2e tests
# post to (tests/lookalikes).
ensure_python3() {
  if command -v python3 >/dev/null 2>&1; then return 0; fi
  echo "python3 is missing (the e2e tests' look-alike sites need it); installing it with apt-get." >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "error: not root and no sudo: install python3" >&2
      return 1
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-minimal >/dev/null
}

ensure_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo not found: install Rust from https://rustup.rs first" >&2
    return 1
  fi
}
