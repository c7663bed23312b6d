#!/usr/bin/env bash
# The Debian packages headless WebGPU needs: Mesa's EGL and its llvmpipe software driver, which
# Dawn (npm `webgpu`) reaches through OpenGL with EGL_PLATFORM=surfaceless on a machine without
# a GPU; with STRATA_SETUP_BROWSER=1 (setup.sh --with-browser) also Debian's Chromium, which the
# browser tests drive headless. Fast when they are installed (one dpkg query); as root, installs
# what is missing; not as root, prints the exact command and goes on (the WebGPU tests then skip,
# saying why; the browser tests fail in CI without a browser).
set -euo pipefail
say() { [ "${STRATA_SETUP_QUIET:-0}" = 1 ] || printf 'setup: %s\n' "$*"; }
packages=(libegl1 libegl-mesa0 libgl1-mesa-dri)
# With --with-browser (the test command): Chromium for the browser tests, and openssl, which
# the TLS tests use to make a self-signed certificate.
if [ "${STRATA_SETUP_BROWSER:-0}" = 1 ]; then packages+=(chromium openssl); fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  # Not Debian or Ubuntu: the platform's own GPU driver (Metal, D3D12, Vulkan) serves WebGPU.
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: headless WebGPU (and the browser tests) need Debian packages that are not installed; run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  echo "setup: going on without them (the WebGPU strategy reports itself unavailable; without chromium the browser tests skip, or fail in CI)." >&2
  exit 0
fi

say "installing Debian packages for headless WebGPU and the browser tests: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
  echo "setup: apt-get could not install ${missing[*]}; the WebGPU strategy will report itself unavailable (its tests skip, saying why)." >&2
fi
exit 0
