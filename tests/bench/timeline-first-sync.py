#!/usr/bin/env python3
# Benchmark aid: where a first sync's wall time goes, thread by thread, and
# against the limit reader's in the same run.
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   timeline-first-sync.py [--messages N] [--step MS] BUZON_CLI [OPTION...]
#
# Fills the fixture Dovecot with bench_mailbox.py's mailbox (100,000
# messages by default), adds an account (the OPTIONs go to `account add`),
# warms the server with one limit fetch and one first sync, then measures
# the limit reader's fetch (bench-sync.py's) and a first sync of an empty
# cache, reading every thread's /proc/…/schedstat each --step ms (default
# 20). Prints, per thread (buzon-cli's by name, Dovecot's imap and
# imap-login processes), the seconds it ran, waited ready for a CPU, and
# slept (blocked: on the socket, a queue, a lock), then a timeline: per
# 250 ms, how much of it each ran (R) and waited for a CPU (W).
# A thread that sleeps while others wait for a CPU is not the bottleneck;
# the sum of R over a bucket, next to 2 CPUs, says whether the machine was.

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import bench_mailbox

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench_sync_module",
                                              os.path.join(HERE, "bench-sync.py"))


def tasks_of(pid):
    """{tid: name} of pid's threads."""
    found = {}
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/comm") as f:
                    found[int(tid)] = f.read().strip()
            except OSError:
                pass
    except OSError:
        pass
    return found


def schedstat(pid, tid):
    """(ns run, ns waited for a CPU) of one thread, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
            run, wait, _ = f.read().split()
            return int(run), int(wait)
    except (OSError, ValueError):
        return None


def dovecot_pids():
    """Dovecot's imap and imap-login processes, as {pid: name}."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    name = f.read().strip()
            except OSError:
                continue
            if name in ("imap", "imap-login"):
                found[int(entry)] = name
    return found


class Sampler(threading.Thread):
    """Reads the schedstat of client_pid's threads (if any) and of Dovecot's
    processes every step seconds until stopped; keeps, per (pid, tid), the
    series of (seconds since start, run ns, wait ns)."""

    def __init__(self, client_pid, step):
        super().__init__(daemon=True)
        self.client_pid, self.step = client_pid, step
        self.names, self.series, self.autogroups = {}, {}, {}
        self.done = threading.Event()
        self.start_time = time.monotonic()

    def sample(self):
        now = time.monotonic() - self.start_time
        for (pid, tid) in list(self.names):
            stat = schedstat(pid, tid)
            if stat:
                self.series[(pid, tid)].append((now, *stat))

    def discover(self):
        tracked = {self.client_pid: None} if self.client_pid else {}
        tracked.update(dovecot_pids())
        for pid, name in tracked.items():
            if pid not in self.autogroups:
                try:
                    with open(f"/proc/{pid}/autogroup") as f:
                        self.autogroups[pid] = f.read().split()[0]
                except OSError:
                    pass
            for tid, comm in tasks_of(pid).items():
                if (pid, tid) not in self.names:
                    self.names[(pid, tid)] = name or comm
                    self.series[(pid, tid)] = []

    def run(self):
        n = 0
        while not self.done.is_set():
            if n % 5 == 0:
                self.discover()
            self.sample()
            n += 1
            time.sleep(self.step)
        self.sample()

    def stop(self):
        self.done.set()
        self.join()


def report(title, sampler, wall, bucket=0.25):
    print(f"\n{title}: {wall:.3f} s")
    groups = {}
    for key, name in sampler.names.items():
        points = sampler.series[key]
        if len(points) >= 2 and points[-1][1] > points[0][1]:
            groups.setdefault(name, []).append(points)
    autogroups = sorted({f"{name} {sampler.autogroups[pid]}" for (pid, _), name
                         in sampler.names.items() if pid in sampler.autogroups})
    if autogroups:
        # The kernel shares the CPUs between autogroups (sessions) first,
        # then between the threads of each.
        print("  scheduler groups: " + ", ".join(autogroups))
    print(f"  {'thread':16} {'ran s':>7} {'waited s':>9} {'slept s':>8}")
    for name, series in sorted(groups.items()):
        ran = sum(p[-1][1] - p[0][1] for p in series) / 1e9
        waited = sum(p[-1][2] - p[0][2] for p in series) / 1e9
        span = sum(p[-1][0] - p[0][0] for p in series)
        print(f"  {name + (f' ×{len(series)}' if len(series) > 1 else ''):16} {ran:7.3f} "
              f"{waited:9.3f} {max(span - ran - waited, 0):8.3f}")
    end = max(p[-1][0] for s in groups.values() for p in s)
    names = sorted(groups)
    print("  timeline, per %d ms: R ran, W waited for a CPU (%% of the bucket)" % (bucket * 1000))
    print("  " + f"{'t s':>5} " + " ".join(f"{n[:11]:>11}" for n in names) + "   sum R")
    t = 0.0
    while t < end:
        cells, total = [], 0.0
        for name in names:
            ran = waited = 0.0
            for points in groups[name]:
                a = [p for p in points if t <= p[0] < t + bucket]
                before = [p for p in points if p[0] < t]
                if not a:
                    continue
                first = before[-1] if before else a[0]
                ran += (a[-1][1] - first[1]) / 1e9
                waited += (a[-1][2] - first[2]) / 1e9
            total += ran
            cells.append(f"R{ran / bucket * 100:3.0f} W{waited / bucket * 100:3.0f}")
        print("  " + f"{t:5.2f} " + " ".join(f"{c:>11}" for c in cells) + f"   {total / bucket:4.2f}")
        t += bucket


def main():
    args = sys.argv[1:]
    count, step = 100000, 0.02
    while args and args[0].startswith("--"):
        option = args.pop(0)
        if option == "--messages":
            count = int(args.pop(0))
        elif option == "--step":
            step = float(args.pop(0)) / 1000
        else:
            sys.exit(f"unknown option {option}")
    if not args:
        sys.exit("usage: timeline-first-sync.py [--messages N] [--step MS] BUZON_CLI [OPTION...]")
    cli, options = os.path.abspath(args[0]), args[1:]

    tmp = tempfile.mkdtemp(prefix="buzon-timeline-")
    os.chmod(tmp, 0o755)
    d = os.path.join(tmp, "servers")
    try:
        env = bench_mailbox.serve(tmp, count)
        # bench-sync.py reads its command line when loaded.
        sys.argv = [sys.argv[0], cli]
        bench_sync = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench_sync)
        run_env = dict(os.environ, LC_ALL="C.UTF-8", BUZON_BENCH="1",
                       XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                       XDG_DATA_HOME=os.path.join(tmp, "data"))
        bench_mailbox.add_account(cli, run_env, env, "t", env["BUZON_TEST_IMAPS_PORT"], *options)

        def first_sync(sampled):
            shutil.rmtree(os.path.join(tmp, "data", "buzon", "t"), ignore_errors=True)
            start = time.monotonic()
            p = subprocess.Popen([cli, "sync", "t", "--quiet"], env=run_env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            sampler = Sampler(p.pid, step) if sampled else None
            if sampler:
                sampler.start()
            err = p.stderr.read().decode()
            if p.wait() != 0:
                sys.exit(f"sync failed: {err[-400:]}")
            wall = time.monotonic() - start
            if sampler:
                sampler.stop()
            return wall, sampler, err

        bench_sync.limit_reader(env)
        first_sync(False)

        sampler = Sampler(None, step)
        sampler.start()
        limit = bench_sync.limit_reader(env)
        sampler.stop()
        report("limit reader (its FETCH; Dovecot's threads over the whole connection)",
               sampler, limit)

        wall, sampler, err = first_sync(True)
        report("first sync, " + " ".join(options or ["default settings"]), sampler, wall)
        for line in err.splitlines():
            if "stall" in line:
                print("  " + line.strip())
    finally:
        subprocess.run([sys.executable, bench_mailbox.SCRIPT, "stop", d], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
