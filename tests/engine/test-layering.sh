#!/bin/sh
# The engine must stay free of UI and keyring libraries (DESIGN.md, "Layers").
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
engine=${1:?usage: test-layering.sh SRC/ENGINE}
[ -d "$engine" ] || { echo "no such folder: $engine" >&2; exit 1; }
pattern='#[[:space:]]*include[[:space:]]*[<"](gtk/|gdk/|gsk/|adwaita|webkit/|webkit2/|libsecret/)'
if grep -rnE "$pattern" "$engine"; then
  echo "src/engine includes GTK, libadwaita, WebKit or libsecret (above)" >&2
  exit 1
fi
# The engine's build must not pull those libraries in either.
if grep -nE 'gtk_dep|adw_dep|webkit_dep|secret_dep' "$engine/meson.build"; then
  echo "src/engine/meson.build depends on a UI or keyring library" >&2
  exit 1
fi
echo "src/engine is free of GTK, libadwaita, WebKit and libsecret"
