#!/usr/bin/env python3
# The house style that a machine can check (STYLE.md): every C file starts
# with its purpose and an SPDX line; UTF-8, LF, no tabs in C, no trailing
# blanks, a final newline, lines within 100 columns. clang-format 14 cannot
# express GTK's one-parameter-per-line declarations, so `.clang-format` helps
# editors and this test is the gate.
#   check-style.py SOURCE_ROOT
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import subprocess
import sys

root = sys.argv[1]
SKIP_DIRS = {".git", "subprojects"}
CHECKED = (".c", ".h", ".py", ".sh", ".ui", ".xml", ".in", ".build", ".txt", ".md", ".po",
           ".supp", ".svg")


def tracked_files():
    try:
        out = subprocess.run(["git", "-C", root, "ls-files"], capture_output=True, text=True,
                             check=True).stdout
        return [f for f in out.splitlines() if os.path.exists(os.path.join(root, f))]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for base, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")]
            files += [os.path.relpath(os.path.join(base, n), root) for n in names]
        return files


problems = []
for path in sorted(tracked_files()):
    if path.startswith("data/demo/") and path.endswith(".eml"):
        continue  # Mail is data, with its own rules (data/demo/check.py).
    if path.startswith("tests/fuzz/corpus/") or path == "COPYING":
        continue
    is_c = path.endswith((".c", ".h"))
    if not (path.endswith(CHECKED) or path.startswith("scripts/") or path.startswith(".ci/")
            or "/support/" in path):
        continue
    with open(os.path.join(root, path), "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(f"{path}: not UTF-8 ({e})")
        continue
    if "\r" in text:
        problems.append(f"{path}: CR line ends")
    if text and not text.endswith("\n"):
        problems.append(f"{path}: no newline at the end")
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        if line != line.rstrip():
            problems.append(f"{path}:{number}: trailing blanks")
        if is_c and "\t" in line:
            problems.append(f"{path}:{number}: a tab")
        if is_c and len(line) > 100:
            problems.append(f"{path}:{number}: {len(line)} columns (at most 100)")
    if is_c:
        if not lines[0].startswith("// ") or len(lines[0]) < 12:
            problems.append(f"{path}:1: does not start with a comment saying its purpose")
        if not any("SPDX-License-Identifier: GPL-3.0-or-later" in l for l in lines[:6]):
            problems.append(f"{path}: no SPDX line near the top")

for p in problems:
    print(p)
print(f"{len(problems)} style problems")
sys.exit(1 if problems else 0)
