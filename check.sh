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

# Every parser of network data has a libFuzzer target (tests/fuzz). The test
# suite replays each corpus with mutations; where clang is present, each
# target also runs under libFuzzer with AddressSanitizer for a few seconds.
fuzz_passed=0
fuzz_failed=0
if command -v clang >/dev/null 2>&1 && [ -z "${SKIP_LIBFUZZER:-}" ]; then
  FUZZ_DIR=${FUZZ_DIR:-_build-fuzz}
  if [ ! -f "$FUZZ_DIR/build.ninja" ]; then
    CC=clang meson setup "$FUZZ_DIR" -Dfuzzing=true -Demulator=disabled >/dev/null || true
  fi
  for target in tests/fuzz/fuzz-*.c; do
    name=$(basename "$target" .c)
    [ "$name" = fuzz-main ] && continue
    if ! ninja -C "$FUZZ_DIR" "tests/fuzz/$name" >/dev/null; then
      echo "libFuzzer $name: does not build"
      fuzz_failed=$((fuzz_failed + 1))
      status=1
      continue
    fi
    work=$(mktemp -d)
    if "$FUZZ_DIR/tests/fuzz/$name" -max_total_time="${FUZZ_SECONDS:-5}" -print_final_stats=0 \
         "$work" "tests/fuzz/corpus/${name#fuzz-}" >"$work.log" 2>&1; then
      echo "libFuzzer $name: ok"
      fuzz_passed=$((fuzz_passed + 1))
    else
      echo "libFuzzer $name: FAILED"
      tail -n 30 "$work.log"
      fuzz_failed=$((fuzz_failed + 1))
      status=1
    fi
    rm -rf "$work" "$work.log"
  done
fi

python3 - "$BUILD_DIR/meson-logs/testlog.json" "$fuzz_passed" "$fuzz_failed" <<'PY'
import json, sys
passed = int(sys.argv[2])
failed = int(sys.argv[3])
skipped = 0
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
