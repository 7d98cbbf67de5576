#!/usr/bin/env bash
# qoltanba.version and a 1 MB CMS through the browser extension vs the page's own socket, in one
# headless Chromium run (bench/extension_roundtrip.mjs). Debug build, as the tests use.
set -euo pipefail
cd "$(dirname "$0")/../extension"
npm ci --no-audit --no-fund --silent
node ../bench/extension_roundtrip.mjs
