#!/usr/bin/env bash
# The PDF exports (WeasyPrint) need Debian's Pango libraries and, for Chinese, fonts-noto-cjk. Install them when
# missing (the Python packages are pinned in requirements.lock; this is only what pip cannot install).
set -euo pipefail
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "PDF exports need: apt-get install ${missing[*]} (run as root)" >&2
  exit 1
fi
echo "installing ${missing[*]} from Debian ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
