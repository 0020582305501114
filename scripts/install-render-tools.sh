#!/usr/bin/env bash
# Installs what renders schemactl's ER diagrams, when it is missing:
# Graphviz (dot) and Chromium from Debian's packages, DejaVu Sans (the font
# fontconfig gives dot for Helvetica, so that example/erd.svg is
# reproduced byte for byte), and the Mermaid CLI pinned by
# scripts/render-tools/package-lock.json, installed with npm ci into a
# cache directory named after the lock file's hash (no browser download:
# puppeteer drives Debian's chromium).
#
# Prints the path of mmdc on its last line. The rendering tests of
# internal/erd find it there (or through SCHEMACTL_MMDC, or on PATH).
# Needs root for apt-get when something of Debian's is missing.
set -euo pipefail
cd "$(dirname "$0")/render-tools"

say() { printf '== %s\n' "$*" >&2; }

apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { apt-get update -qq >&2; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi

hash=$(sha256sum package-lock.json | cut -c1-12)
dir="${SCHEMACTL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/schemactl}/mermaid-cli-$hash"
mmdc="$dir/node_modules/.bin/mmdc"
if [ ! -x "$mmdc" ]; then
  say "installing the Mermaid CLI into $dir"
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  cp package.json package-lock.json "$dir.tmp/"
  (cd "$dir.tmp" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
echo "$mmdc"
