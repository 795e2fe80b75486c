#!/usr/bin/env bash
# Proves the bundle made by `make bundle` works on this machine, without the source tree:
# it runs the self-test, scans a folder (finding a known copy), and starts the desktop app
# under Xvfb (installing xvfb with apt-get if needed), checks it stays up, and closes it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUNDLE=dist/photodedup/photodedup
test -x "$BUNDLE" || { echo "no bundle at $BUNDLE: run make bundle first" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export XDG_DATA_HOME="$WORK/data" XDG_CACHE_HOME="$WORK/cache" XDG_CONFIG_HOME="$WORK/config"
cd "$WORK"   # nothing from the checkout on the path

echo "== selftest"
"$OLDPWD/$BUNDLE" selftest

echo "== scan"
mkdir -p photos/a photos/b
cp "$OLDPWD/resources/samples/chelsea.jpg" photos/a/cat.jpg
cp "$OLDPWD/resources/samples/chelsea.jpg" photos/b/cat-copy.jpg
cp "$OLDPWD/resources/samples/coffee.jpg" photos/a/coffee.jpg
"$OLDPWD/$BUNDLE" scan photos --json report.json --quiet
python3 - <<'PY'
import json
groups = json.load(open("report.json"))["groups"]
names = sorted(f["path"].rsplit("/", 1)[1] for f in groups[0]["files"])
assert len(groups) == 1 and names == ["cat-copy.jpg", "cat.jpg"], groups
print("scan found the copy:", names)
PY

echo "== desktop app under Xvfb"
if ! command -v xvfb-run >/dev/null || ! command -v xdotool >/dev/null; then
    apt-get install -y -q xvfb xdotool libxcb-cursor0 libxkbcommon-x11-0 >/dev/null
fi
cat > gui_check.sh <<SH
"$OLDPWD/$BUNDLE" gui photos > gui.log 2>&1 &
APP=\$!
# the main window must appear (its title is the app's name) and stay up
WINDOW=\$(timeout 30 xdotool search --sync --onlyvisible --name "^photodedup" | head -1)
sleep 3
kill -0 \$APP || { echo "the app exited"; exit 1; }
echo "window \$WINDOW: \$(xdotool getwindowname \$WINDOW), \$(xdotool getwindowgeometry \$WINDOW | tail -1)"
kill -TERM \$APP   # as a session ending does: the app closes its window cleanly, exit status 0
for _ in \$(seq 50); do kill -0 \$APP 2>/dev/null || break; sleep 0.2; done
if kill -0 \$APP 2>/dev/null; then echo "the app did not close"; kill -9 \$APP; exit 1; fi
wait \$APP && echo "closed cleanly (exit status 0)"
SH
xvfb-run -a -s "-screen 0 1280x800x24" bash gui_check.sh
if grep -q "Traceback" gui.log; then cat gui.log; exit 1; fi
echo "bundle smoke test passed"
