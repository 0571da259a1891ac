#!/usr/bin/env python3
# Benchmark: the instructions a first sync costs each thread of buzon-cli,
# counted by callgrind, which a loaded machine does not change.
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   callgrind-first-sync.py [--messages N] [--runs R] [--keep DIR] BUZON_CLI...
#
# Fills the fixture Dovecot with bench_mailbox.py's seeded mailbox (10,000
# messages by default), then runs `valgrind --tool=callgrind
# --separate-threads=yes BUZON_CLI sync bench --quiet` on an empty cache for
# each BUZON_CLI given (R times each, so that two builds are compared on the
# same server), and prints per run the instructions of the store's worker
# thread ("buzon-store"), of the main thread and of all threads, in total
# and per message. The store thread is the one whose profile holds
# apply_job; the main thread is the process's first. --keep DIR leaves the
# callgrind.out files in DIR for callgrind_annotate.

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench_sync", os.path.join(here, "bench-sync.py"))
args = sys.argv[1:]
count = 10000
runs = 1
keep = None
while args and args[0].startswith("--"):
    option = args.pop(0)
    if option == "--messages":
        count = int(args.pop(0))
    elif option == "--runs":
        runs = int(args.pop(0))
    elif option == "--keep":
        keep = os.path.abspath(args.pop(0))
    else:
        sys.exit(f"unknown option {option}")
if not args:
    sys.exit(__doc__ if __doc__ else "usage: callgrind-first-sync.py [--messages N] BUZON_CLI...")
clis = [os.path.abspath(a) for a in args]
# bench-sync.py reads its command line when loaded: give it one it accepts.
saved_argv = sys.argv
sys.argv = [saved_argv[0], clis[0]]
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
sys.argv = saved_argv
script = os.path.join(here, "..", "support", "mail-servers")


def thread_totals(directory, pid):
    """{thread number: (instructions, is the store thread)} of one run."""
    totals = {}
    for name in os.listdir(directory):
        m = re.fullmatch(rf"callgrind\.out\.{pid}-(\d+)", name)
        if not m:
            continue
        text = open(os.path.join(directory, name), errors="replace").read()
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        totals[int(m.group(1))] = (int(total.group(1)) if total else 0,
                                   re.search(r"\bapply_job\b", text) is not None)
    return totals


def main():
    tmp = tempfile.mkdtemp(prefix="buzon-callgrind-")
    os.chmod(tmp, 0o755)
    d = os.path.join(tmp, "servers")
    try:
        print(f"# generating {count} messages…", file=sys.stderr)
        bench.generate(os.path.join(tmp, "maildir"), count)
        out = subprocess.run([sys.executable, script, "start", d, "--owner-pid", str(os.getpid()),
                              "--maildir-from", os.path.join(tmp, "maildir"),
                              "--maildir-user", "alice"],
                             check=True, capture_output=True, text=True).stdout
        shutil.rmtree(os.path.join(tmp, "maildir"))
        env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        bench.limit_reader(env)  # Dovecot's index and the page cache, warm.
        print(f"{'run':40} {'store thread':>14} {'per msg':>8} {'main thread':>14} "
              f"{'per msg':>8} {'all':>14}")
        for r in range(runs):
            for number, cli in enumerate(clis):
                home = os.path.join(tmp, f"home-{number}-{r}")
                run_env = dict(os.environ, LC_ALL="C.UTF-8",
                               XDG_CONFIG_HOME=os.path.join(home, "config"),
                               XDG_DATA_HOME=os.path.join(home, "data"))
                subprocess.run([cli, "account", "add", "bench", "--email", "alice@example.test",
                                "--imap", f"imaps://alice@127.0.0.1:{env['BUZON_TEST_IMAPS_PORT']}",
                                "--smtp", "submissions://alice@127.0.0.1:"
                                + env["BUZON_TEST_SUBMISSIONS_PORT"],
                                "--password-command", "echo alice-secret",
                                "--trust-cert", "SHA256:" + env["BUZON_TEST_CERT_SHA256"],
                                "--prefetch-days", "0"],
                               env=run_env, check=True, capture_output=True)
                out_dir = os.path.join(home, "callgrind")
                os.makedirs(out_dir)
                p = subprocess.run(["valgrind", "--tool=callgrind", "--separate-threads=yes",
                                    f"--callgrind-out-file={out_dir}/callgrind.out.%p",
                                    cli, "sync", "bench", "--quiet"],
                                   env=run_env, capture_output=True, text=True)
                if p.returncode != 0:
                    raise RuntimeError(f"sync failed: {p.stderr[-1000:]}")
                pid = re.search(r"==(\d+)==", p.stderr).group(1)
                totals = thread_totals(out_dir, pid)
                store = sum(t for t, is_store in totals.values() if is_store)
                main_thread = totals.get(1, (0, False))[0]
                everything = sum(t for t, _ in totals.values())
                print(f"{os.path.relpath(cli)[:40]:40} {store:14,} {store // count:8,} "
                      f"{main_thread:14,} {main_thread // count:8,} {everything:14,}",
                      flush=True)
                if keep:
                    os.makedirs(keep, exist_ok=True)
                    for name in os.listdir(out_dir):
                        shutil.copy(os.path.join(out_dir, name),
                                    os.path.join(keep, f"{number}-{r}-{name}"))
    finally:
        subprocess.run([sys.executable, script, "stop", d], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


main()
