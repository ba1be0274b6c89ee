# Shared by scripts/*: make sure what DistroFlow needs is on this machine.

# Chromium: DISTROFLOW_CHROME, or Debian's /usr/bin/chromium (installed with apt when absent).
ensure_chromium() {
  if [ -n "${DISTROFLOW_CHROME:-}" ] && [ -x "${DISTROFLOW_CHROME}" ]; then return 0; fi
  for c in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    if [ -x "$c" ]; then return 0; fi
  done
  echo "Chromium is missing; installing Debian's chromium package with apt-get." >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "error: not root and no sudo: install Chromium (apt-get install chromium) or set DISTROFLOW_CHROME" >&2
      return 1
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

ensure_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo not found: install Rust from https://rustup.rs first" >&2
    return 1
  fi
}
