#!/usr/bin/env bash
# Renders an HTML report in headless Chromium (from Debian's packages) and saves a screenshot.
#   Tests/Benchmarks/screenshot.sh REPORT.html OUT.png
set -euo pipefail
report=$(realpath "$1")
out=$2
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=${WINDOW:-1400,1800} \
    --screenshot="$out" "file://$report" 2>/dev/null
echo "screenshot: $out" >&2
