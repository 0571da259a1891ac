#!/bin/sh
# Every translatable string of the sources reaches po/es.po, translated:
# POTFILES.in lists every file that marks strings, and es.po has no
# untranslated or fuzzy message against a freshly extracted template.
#   test-po-complete.sh SOURCE_ROOT
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
src=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/buzon-po-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$src"

status=0
for f in $(grep -rlE '(^|[^A-Za-z0-9_])N?_ ?\("|translatable="yes"' src ui 2>/dev/null | sort); do
  grep -qx "$f" po/POTFILES.in || { echo "not ok: $f marks strings but is missing from po/POTFILES.in"; status=1; }
done

grep -v '^#' po/POTFILES.in | grep . >"$tmp/files"
xgettext --from-code=UTF-8 --add-comments=Translators --keyword=_ --keyword=N_ \
  --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --files-from="$tmp/files" --output="$tmp/buzon.pot" 2>"$tmp/xgettext.log" || {
  cat "$tmp/xgettext.log"; exit 1; }
msgmerge --quiet --no-fuzzy-matching po/es.po "$tmp/buzon.pot" -o "$tmp/es.po"
stats=$(msgfmt --check --statistics -o /dev/null "$tmp/es.po" 2>&1)
echo "es.po against the sources: $stats"
case "$stats" in
  *untranslated*|*fuzzy*) msgattrib --untranslated --only-fuzzy "$tmp/es.po" 2>/dev/null || true
                          msgattrib --untranslated "$tmp/es.po" | grep '^msgid' | sed 1d
                          status=1 ;;
esac
exit $status
