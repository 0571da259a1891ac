#!/bin/sh
# Smoke test of the buzon GUI on a private Xvfb: --help works, the main window
# comes up with its saved size, renders a non-blank screenshot, Ctrl+W closes
# it and saves its size, and every run exits 0 without warnings.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-window-smoke.sh BUZON SCHEMA_DIR SCREENSHOT_PNG
set -eu

buzon=$1
schema_dir=$2
screenshot=$3

workdir=$(mktemp -d "${TMPDIR:-/tmp}/buzon-ui-test.XXXXXX")
xvfb_pid=
app_pid=

cleanup ()
{
  if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; fi
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}

for tool in Xvfb dbus-run-session; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed" >&2; exit 77; }
done

# A private home, so the test neither reads nor writes the user's settings.
mkdir -p "$workdir/home" "$workdir/config" "$workdir/data" "$workdir/cache" "$workdir/runtime"
chmod 700 "$workdir/runtime"
export HOME="$workdir/home"
export XDG_CONFIG_HOME="$workdir/config"
export XDG_DATA_HOME="$workdir/data"
export XDG_CACHE_HOME="$workdir/cache"
export XDG_RUNTIME_DIR="$workdir/runtime"
export GSETTINGS_SCHEMA_DIR="$schema_dir"
# The keyfile backend keeps settings in $XDG_CONFIG_HOME, so the test can
# seed them and read back what the window saved.
export GSETTINGS_BACKEND=keyfile
export GTK_A11Y=none
export NO_AT_BRIDGE=1
export GDK_BACKEND=x11
unset WAYLAND_DISPLAY

# --help answers without a display.
(unset DISPLAY; "$buzon" --help) >"$workdir/help.out" 2>&1 || fail "buzon --help exited with $?"
grep -q -- '--version' "$workdir/help.out" || fail "buzon --help did not list the options"

# Xvfb picks a free display and writes its number when it is ready.
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$workdir/display" 2>"$workdir/xvfb.log" &
xvfb_pid=$!
i=0
while [ ! -s "$workdir/display" ]; do
  kill -0 "$xvfb_pid" 2>/dev/null || { cat "$workdir/xvfb.log" >&2; fail "Xvfb did not start"; }
  i=$((i + 1)); [ $i -lt 200 ] || fail "Xvfb did not report a display"
  sleep 0.05
done
export DISPLAY=":$(head -n1 "$workdir/display")"

check_log ()
{
  if grep -E 'CRITICAL|WARNING|Gtk-Message|Adwaita-' "$1" >&2; then
    fail "$2 printed warnings (above)"
  fi
}

# Run 1: seed a window size, take the in-process screenshot; buzon quits
# by itself once the PNG is written.
keyfile="$XDG_CONFIG_HOME/glib-2.0/settings/keyfile"
mkdir -p "$(dirname "$keyfile")"
printf '[io/github/buzonmail/Buzon]\nwindow-width=1024\nwindow-height=640\n' >"$keyfile"
rm -f "$screenshot"
status=0
BUZON_SCREENSHOT="$screenshot" timeout 60 dbus-run-session -- "$buzon" >"$workdir/run1.log" 2>&1 || status=$?
cat "$workdir/run1.log"
[ "$status" -eq 0 ] || fail "buzon (screenshot run) exited with $status"
check_log "$workdir/run1.log" "buzon (screenshot run)"

[ -s "$screenshot" ] || fail "no screenshot at $screenshot"
size=$(wc -c <"$screenshot")
[ "$size" -gt 10000 ] || fail "screenshot is only $size bytes"
if [ -x /usr/bin/identify ]; then
  # The saved size is the window's default size, which includes the
  # client-side decoration's invisible border; the picture does not.
  geometry=$(/usr/bin/identify -format '%w %h' "$screenshot")
  width=${geometry% *}
  height=${geometry#* }
  [ "$width" -le 1024 ] && [ "$width" -gt 960 ] && [ "$height" -le 640 ] && [ "$height" -gt 576 ] \
    || fail "window is ${width}x${height}, not the saved 1024x640"
  colours=$(/usr/bin/convert "$screenshot" -format '%k' info:)
  [ "$colours" -gt 16 ] || fail "screenshot has only $colours colours: blank window?"
fi
echo "screenshot: $screenshot ($size bytes)"

# Run 2: Ctrl+W closes the window and buzon exits 0, saving the window size.
if command -v xdotool >/dev/null 2>&1; then
  printf '[io/github/buzonmail/Buzon]\nwindow-width=900\nwindow-height=600\n' >"$keyfile"
  timeout 60 dbus-run-session -- "$buzon" >"$workdir/run2.log" 2>&1 &
  app_pid=$!
  window=$(timeout 30 xdotool search --sync --onlyvisible --name '^Buzón$' | head -n1) \
    || fail "the Buzón window did not appear"
  xdotool windowfocus --sync "$window"
  # The user resizes the window; closing must save the new size, not the
  # seeded one.
  xdotool windowsize --sync "$window" 1100 700
  sleep 0.5
  xdotool key --clearmodifiers ctrl+w
  status=0
  wait "$app_pid" || status=$?
  app_pid=
  cat "$workdir/run2.log"
  [ "$status" -eq 0 ] || fail "buzon (Ctrl+W run) exited with $status"
  check_log "$workdir/run2.log" "buzon (Ctrl+W run)"
  saved_width=$(sed -n 's/^window-width=//p' "$keyfile")
  # The X window includes the invisible border of the client-side decoration.
  [ "${saved_width:-0}" -gt 1020 ] && [ "${saved_width:-0}" -le 1100 ] \
    || { cat "$keyfile" >&2; fail "the resized width (1100) was not saved"; }
  grep -q '^sidebar-width=' "$keyfile" || { cat "$keyfile" >&2; fail "sidebar width was not saved"; }

  # Run 3: SIGTERM (and Ctrl+C in a terminal, SIGINT) closes the window the
  # same way: exit 0, state saved.
  printf '[io/github/buzonmail/Buzon]\nwindow-width=880\nwindow-height=600\n' >"$keyfile"
  timeout 60 dbus-run-session -- "$buzon" >"$workdir/run3.log" 2>&1 &
  app_pid=$!
  window=$(timeout 30 xdotool search --sync --onlyvisible --name '^Buzón$' | head -n1) \
    || fail "the Buzón window did not appear"
  buzon_pid=$(xdotool getwindowpid "$window") || fail "no process for the Buzón window"
  xdotool windowsize --sync "$window" 1000 650
  sleep 0.5
  sed -i 's/^sidebar-width=.*//' "$keyfile"
  kill -TERM "$buzon_pid"
  status=0
  wait "$app_pid" || status=$?
  app_pid=
  cat "$workdir/run3.log"
  [ "$status" -eq 0 ] || fail "buzon (SIGTERM run) exited with $status"
  check_log "$workdir/run3.log" "buzon (SIGTERM run)"
  saved_width=$(sed -n 's/^window-width=//p' "$keyfile")
  [ "${saved_width:-0}" -gt 920 ] && [ "${saved_width:-0}" -le 1000 ] \
    || { cat "$keyfile" >&2; fail "the resized width (1000) was not saved on SIGTERM"; }
  grep -q '^sidebar-width=' "$keyfile" || { cat "$keyfile" >&2; fail "state was not saved on SIGTERM"; }
else
  echo "xdotool is not installed: not testing Ctrl+W and SIGTERM" >&2
fi

echo "PASS"
