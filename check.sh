#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs what is missing, builds, runs every test suite (unit, media, ui
# under a headless display, data) and ends with "N passed, M failed, K skipped".

set -eu
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-_build}

./.ci/install-deps

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  meson setup "$BUILD_DIR" --buildtype=debugoptimized -Dprofile=development
fi
meson compile -C "$BUILD_DIR"

rm -f "$BUILD_DIR/meson-logs/testlog.json"
set +e
xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- \
  meson test -C "$BUILD_DIR" --print-errorlogs --num-processes 2 "$@"
status=$?
set -e

python3 - "$BUILD_DIR/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
try:
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
except FileNotFoundError:
    failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY

if [ "$status" -ne 0 ]; then
  exit "$status"
fi
python3 - "$BUILD_DIR/meson-logs/testlog.json" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    n = sum(1 for line in f if line.strip())
sys.exit(0 if n > 0 else 1)
PY
