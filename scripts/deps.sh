#!/usr/bin/env bash
# deps.sh - installs the Debian packages clv builds with, when they are missing.
# Needs root (or sudo) only when something is missing. fonts-wqy-microhei (a
# CJK font, 5 MB) lets the report test's Chinese screenshots show the labels
# instead of empty boxes; the report itself uses the viewer's fonts.
set -euo pipefail
PKGS=(cmake make gcc pkg-config libgsl-dev libjansson-dev zlib1g-dev libcmocka-dev
  fonts-wqy-microhei)
# Tools that may come from elsewhere than Debian (Node.js from its own
# installer, say): the package is needed only when the command is missing.
# npm embeds Apache ECharts into the report at build time; Chromium runs the
# report's browser test.
TOOLS=(nodejs:node npm:npm chromium:chromium)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
for t in "${TOOLS[@]}"; do
  command -v "${t#*:}" >/dev/null 2>&1 || missing+=("${t%%:*}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "clv: installing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo)
else
  echo "clv: these Debian packages are missing: ${missing[*]}" >&2
  echo "clv: run this script as root (or install them with apt-get) and try again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
