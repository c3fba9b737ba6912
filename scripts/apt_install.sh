#!/usr/bin/env bash
# Installs the Debian packages named that are not installed yet (with sudo unless root), and says
# what for. Used by scripts/setup.sh and scripts/setup_speech.sh.
#   scripts/apt_install.sh "WHAT FOR" PACKAGE...
set -euo pipefail
purpose=$1
shift
missing=()
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
printf 'setup: installing Debian packages %s: %s\n' "$purpose" "${missing[*]}"
SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
