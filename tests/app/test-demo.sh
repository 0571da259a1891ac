#!/bin/sh
# scripts/run-demo, headless: the demo servers start with the demo mailbox,
# the window opens on the demo profile, and everything is gone afterwards.
#   test-demo.sh BUILD_DIR SCREENSHOT.png
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
build=$1 png=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/buzon-demo-test-XXXXXX")
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
rm -f "$png"

BUZON_DEMO_NO_INSTALL=1 BUZON_DEMO_NO_BUILD=1 BUZON_BUILD_DIR=$build BUZON_DEMO_TMPDIR=$work \
  "$BUZON_SOURCE_ROOT/scripts/run-demo" --screenshot "$png" >"$work/out.log" 2>&1 || {
  cat "$work/out.log"; echo "not ok: run-demo failed" >&2; exit 1; }
cat "$work/out.log"

[ -s "$png" ] || { echo "not ok: no screenshot at $png" >&2; exit 1; }
grep -q 'Demo account: Ana García <ana@example.test>' "$work/out.log" || {
  echo "not ok: run-demo did not announce the demo account" >&2; exit 1; }
grep -q 'Demo passwords are in the demo keyring.' "$work/out.log" || {
  echo "not ok: the demo keyring did not keep the passwords" >&2; exit 1; }
leftover=$(find "$work" -mindepth 1 -maxdepth 1 -name 'buzon-demo-*')
[ -z "$leftover" ] || { echo "not ok: run-demo left $leftover behind" >&2; exit 1; }
still=$(ps -eo pid=,args= | grep -F "$work/" | grep -v -e grep -e "$0" || true)
[ -z "$still" ] || { echo "not ok: demo processes still running: $still" >&2; exit 1; }
echo "ok: demo window rendered to $png and cleaned up"
