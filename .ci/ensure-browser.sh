#!/usr/bin/env bash
# Browser tests drive Debian's chromium; Chinese needs fonts-noto-cjk. Install both when missing.
set -euo pipefail
if [ -x /usr/bin/chromium ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "browser tests need: apt-get install chromium fonts-noto-cjk (run as root)" >&2
  exit 1
fi
echo "installing chromium and fonts-noto-cjk from Debian ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
