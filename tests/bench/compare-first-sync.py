#!/usr/bin/env python3
# Benchmark: two or more builds or settings of buzon-cli, each doing first
# syncs of the same mailbox in turn, so that a machine whose speed drifts
# (this one's does, by a third within the hour) weighs on all alike.
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   compare-first-sync.py [--messages N] [--runs R] NAME=BUZON_CLI[,OPTION...] ...
#
# e.g.  compare-first-sync.py old=/tmp/old/buzon-cli new=build/src/cli/buzon-cli
#       compare-first-sync.py off=build/src/cli/buzon-cli on=build/src/cli/buzon-cli,--compress,on
#
# Fills the fixture Dovecot with bench_mailbox.py's mailbox (100,000
# messages by default), adds one account per NAME (the OPTIONs go to
# `account add`), then R rounds (default 6), each a `sync --quiet` of an
# empty cache for every NAME, in an order that alternates from round to
# round. Prints each run, then per NAME the median and least wall time, the
# median CPU time of buzon-cli (all threads) and of the whole machine
# (/proc/stat: the servers' share too), and the median longest main-loop
# stall with how much of it was waiting for a CPU, and what buzon-cli wrote
# (its cache's log and checkpoints, /proc/self/io's wchar), all from
# BUZON_BENCH.

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import bench_mailbox



def machine_busy():
    """Seconds of CPU the whole machine spent so far, all CPUs."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def median(values):
    return sorted(values)[len(values) // 2]


def main():
    args = sys.argv[1:]
    count, rounds = 100000, 6
    while args and args[0].startswith("--"):
        option = args.pop(0)
        if option == "--messages":
            count = int(args.pop(0))
        elif option == "--runs":
            rounds = int(args.pop(0))
        else:
            sys.exit(f"unknown option {option}")
    variants = []
    for arg in args:
        name, _, spec = arg.partition("=")
        cli, *options = spec.split(",")
        if not name or not cli:
            sys.exit("usage: compare-first-sync.py [--messages N] [--runs R] "
                     "NAME=BUZON_CLI[,OPTION...] ...")
        variants.append((name, os.path.abspath(cli), options))
    if len(variants) < 2:
        sys.exit("compare-first-sync.py: name two variants at least")

    tmp = tempfile.mkdtemp(prefix="buzon-compare-")
    os.chmod(tmp, 0o755)
    d = os.path.join(tmp, "servers")
    try:
        env = bench_mailbox.serve(tmp, count)
        run_env = dict(os.environ, LC_ALL="C.UTF-8", BUZON_BENCH="1",
                       XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                       XDG_DATA_HOME=os.path.join(tmp, "data"))
        for name, cli, options in variants:
            bench_mailbox.add_account(cli, run_env, env, name, env["BUZON_TEST_IMAPS_PORT"],
                                      *options)

        results = {name: [] for name, _, _ in variants}
        for turn in range(rounds + 1):
            order = variants if turn % 2 == 0 else variants[::-1]
            for name, cli, _ in order:
                shutil.rmtree(os.path.join(tmp, "data", "buzon", name), ignore_errors=True)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                busy = machine_busy()
                start = time.monotonic()
                r = subprocess.run([cli, "sync", name, "--quiet"], env=run_env,
                                   capture_output=True, text=True)
                wall = time.monotonic() - start
                busy = machine_busy() - busy
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if r.returncode != 0:
                    sys.exit(f"{name}: sync failed: {r.stderr[-400:]}")
                cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                stall = re.search(r"longest main-loop stall (\d+) ms, (\d+) ms of it waiting",
                                  r.stderr)
                stall = (int(stall.group(1)), int(stall.group(2))) if stall else (0, 0)
                wrote = re.search(r"bench: wrote ([\d.]+) MiB", r.stderr)
                wrote = float(wrote.group(1)) if wrote else 0.0
                # The first round warms Dovecot's index and the page cache.
                label = "warm-up" if turn == 0 else f"round {turn}"
                print(f"{label:8}  {name:10} {wall:7.3f} s   CPU {cpu:5.2f} s   "
                      f"machine {busy:5.2f} s   stall/wait {stall[0]}/{stall[1]} ms   "
                      f"wrote {wrote:.0f} MiB", flush=True)
                if turn > 0:
                    results[name].append((wall, cpu, busy, stall, wrote))

        print(f"\n{count} messages, {rounds} rounds{'':8}wall median (least)   CPU s   "
              f"machine s   stall/wait ms   wrote MiB")
        for name, _, _ in variants:
            runs = results[name]
            print(f"{name:36} {median([r[0] for r in runs]):7.3f} "
                  f"({min(r[0] for r in runs):.3f})    {median([r[1] for r in runs]):5.2f}"
                  f"       {median([r[2] for r in runs]):5.2f}"
                  f"   {median([r[3][0] for r in runs])}/{median([r[3][1] for r in runs])}"
                  f"          {median([r[4] for r in runs]):.0f}")
    finally:
        subprocess.run([sys.executable, bench_mailbox.SCRIPT, "stop", d], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
