#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs what is missing, builds, starts two emulated cameras on loopback
# and opens Peerscope showing both live. Without a display it runs the same
# thing headless, saves a screenshot of the window and prints the cameras.
#
#   ./demo.sh                 open the window (or run headless when there is no display)
#   ./demo.sh --headless      always headless; the screenshot goes to demo-screenshot.png

set -eu
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-_build}
headless=
if [ "${1:-}" = "--headless" ] || [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  headless=1
fi

./.ci/install-deps

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  meson setup "$BUILD_DIR" --buildtype=debugoptimized -Dprofile=development
fi
meson compile -C "$BUILD_DIR"

export GSETTINGS_SCHEMA_DIR="$PWD/$BUILD_DIR/data"
export PEERSCOPE_EMULATOR="$PWD/$BUILD_DIR/tests/emulator/peerscope-camera-emulator"
PEERSCOPE="$PWD/$BUILD_DIR/app/ui/peerscope"

if [ -z "$headless" ]; then
  exec "$PEERSCOPE" --demo
fi

shot="$PWD/demo-screenshot.png"
report=$(mktemp)
trap 'rm -f "$report"' EXIT

echo "demo: no display; running headless (Xvfb) and saving the window to $shot" >&2
GTK_A11Y=none GSK_RENDERER=cairo \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- "$PEERSCOPE" --demo --screenshot "$shot" >"$report"

python3 - "$report" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
# services that dbus-run-session starts may write to the same stdout
report = json.loads(text[text.index("{"):])
for camera in report["cameras"]:
    latency = camera.get("latency_ms") or {}
    print("%-12s %-5s %4dx%-4d first frame %5.0f ms  latency p50 %5.1f ms  p95 %5.1f ms  %s" % (
        camera["name"], camera["state"], camera["width"], camera["height"],
        camera["first_frame_ms"], latency.get("p50", float("nan")),
        latency.get("p95", float("nan")), camera["uri"]))
for shot in report["screenshots"]:
    print("screenshot: %s" % shot["path"])
PY
