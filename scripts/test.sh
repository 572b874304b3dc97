#!/usr/bin/env bash
# Installs what the tests need (only what is missing), then runs formatting, lints, the
# test suite (inside a throwaway D-Bus session with an unlocked keyring and a virtual X
# display) and the window smoke test. Works as root on a fresh Debian 12 and in CI.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

section() { printf '\n==== %s ====\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else fail "installing system packages needs root: run this script as root or install sudo"
  fi
}

section "System packages"
# package:command pairs; a package is wanted when its command is missing.
wanted=()
for pair in \
  gnome-keyring:gnome-keyring-daemon dbus:dbus-daemon dbus-user-session:dbus-run-session \
  libsecret-tools:secret-tool xvfb:Xvfb xdotool:xdotool imagemagick:import \
  nodejs:node npm:npm build-essential:cc ca-certificates:update-ca-certificates; do
  command -v "${pair#*:}" >/dev/null || wanted+=("${pair%%:*}")
done
# Libraries the window opens at run time (no command to look for).
for lib in libgl1 libegl1 libgl1-mesa-dri libx11-6 libxcursor1 libxi6 libxkbcommon-x11-0; do
  dpkg-query -W -f='${Status}' "$lib" 2>/dev/null | grep -q "install ok installed" || wanted+=("$lib")
done
if [ "${#wanted[@]}" -gt 0 ]; then
  echo "installing: ${wanted[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" </dev/null
else
  echo "all present"
fi
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' \
  || fail "Node.js $(node --version) is too old for jsforce 3: install Node.js 18 or later"

section "jsforce test dependencies"
lock=tests/jsforce/package-lock.json
installed=tests/jsforce/node_modules/.package-lock.json
if [ -f "$installed" ] && [ "$installed" -nt "$lock" ]; then
  echo "up to date ($(node -p 'require("./tests/jsforce/node_modules/jsforce/package.json").version'))"
else
  (cd tests/jsforce && npm ci --no-audit --no-fund </dev/null)
fi

section "Python test dependencies"
# simple-salesforce in a venv under target/, installed from the hashed pins only when the
# venv is missing or older than them.
venv=target/python-venv
pins=tests/python/requirements.txt
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv </dev/null
fi
if [ -f "$venv/.installed" ] && [ "$venv/.installed" -nt "$pins" ]; then
  echo "up to date ($("$venv/bin/python" -c 'from importlib.metadata import version; print("simple-salesforce", version("simple-salesforce"))'))"
else
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$pins" </dev/null
  touch "$venv/.installed"
fi

section "Rust toolchain components"
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    command -v rustup >/dev/null || fail "cargo $component is missing and rustup is not installed: install the $component component"
    rustup component add "$component"
  fi
done
cargo --version

section "Formatting (cargo fmt --check)"
cargo fmt --all -- --check

section "Lints (cargo clippy)"
cargo clippy --all-targets -- -D warnings

section "Virtual display"
display_file="$(mktemp)"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$display_file" >/dev/null 2>&1 &
xvfb_pid=$!
cleanup() { kill "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; rm -f "$display_file"; }
trap cleanup EXIT
for _ in $(seq 100); do
  [ -s "$display_file" ] && break
  kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb exited at start"
  sleep 0.1
done
[ -s "$display_file" ] || fail "Xvfb did not report a display within 10 s"
export DISPLAY=":$(tr -d '[:space:]' <"$display_file")"
echo "Xvfb on $DISPLAY"

section "Tests (cargo test, throwaway D-Bus session and keyring)"
dbus-run-session -- bash -euo pipefail -c '
  export XDG_DATA_HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)"
  chmod 700 "$XDG_RUNTIME_DIR"
  while IFS= read -r line; do
    case "$line" in *=*) export "$line" ;; esac
  done < <(printf throwaway | gnome-keyring-daemon --unlock --components=secrets --daemonize)
  exec cargo test
'

section "Build without the window (cargo build --no-default-features)"
cargo build --quiet --no-default-features
headless_err="$(mktemp)"
set +e
target/debug/tether demo 2>"$headless_err"
headless_code=$?
set -e
grep -q "built without the window" "$headless_err" && [ "$headless_code" -eq 2 ] \
  || fail "the headless tether demo should exit 2 saying it was built without the window; it exited $headless_code: $(cat "$headless_err")"
target/debug/tether runs --help >/dev/null || fail "the headless tether has no CLI"
rm -f "$headless_err"
echo "the CLI builds and runs without the window"

section "Window smoke test"
cargo build --quiet
scripts/window_smoke.sh

section "Done"
echo "Formatting, lints, tests, the build without the window and the window smoke test passed."
