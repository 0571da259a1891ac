# What the Python tests of buzon-cli against the fixture servers share: TAP
# output, starting the servers, and another IMAP client over TLS.
# SPDX-License-Identifier: GPL-3.0-or-later

import contextlib
import imaplib
import os
import ssl
import subprocess
import sys

SCRIPT = os.path.join(os.environ["BUZON_TEST_SUPPORT"], "mail-servers")
FAULT_PROXY = os.path.join(os.environ["BUZON_TEST_SUPPORT"], "fault-proxy")


class Tap:
    """Numbers the checks, prints them as TAP, and ends with the plan."""

    def __init__(self):
        self.tests = 0
        self.failures = 0

    def check(self, name, ok, detail=""):
        self.tests += 1
        self.failures += not ok
        print(f"{'ok' if ok else 'not ok'} {self.tests} - {name}")
        if not ok:
            print("# " + str(detail).replace("\n", "\n# "))

    def finish(self):
        print(f"1..{self.tests}")
        sys.exit(1 if self.failures else 0)


def start_servers(d, *options):
    """Starts the servers in folder d, stopped when this process ends;
    returns the variables of d/env."""
    out = subprocess.run([sys.executable, SCRIPT, "start", d, "--owner-pid", str(os.getpid()),
                          *options], check=True, capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


@contextlib.contextmanager
def running_servers(d, *options):
    """start_servers() for a with statement: the servers stop as it ends,
    before the temporary folder that holds them is removed (else they run
    on until the owner-pid watchdog sees the test gone)."""
    env = start_servers(d, *options)
    try:
        yield env
    finally:
        subprocess.run([sys.executable, SCRIPT, "stop", d], capture_output=True)


def servers(command, d, *options):
    """Runs mail-servers COMMAND d (stop, stop-imap, start-imap)."""
    subprocess.run([sys.executable, SCRIPT, command, d, *options], check=True,
                   capture_output=True)


def other_client(env, user="alice"):
    """Another client, logged in over IMAPS, checking the test CA."""
    context = ssl.create_default_context(cafile=env["BUZON_TEST_CA_FILE"])
    context.check_hostname = False
    imap = imaplib.IMAP4_SSL("127.0.0.1", int(env["BUZON_TEST_IMAPS_PORT"]), ssl_context=context)
    imap.login(user, f"{user}-secret")
    return imap


class FaultProxy:
    """tests/support/fault-proxy in front of a loopback port (options as its
    own: --latency-ms, --seed, --drop-after-bytes, …); it stops with stop()
    or when this process ends. port=0 picks a free port, kept in .port."""

    def __init__(self, target_port, *options, port=0):
        self.process = subprocess.Popen(
            [sys.executable, FAULT_PROXY, "--target", f"127.0.0.1:{target_port}",
             "--listen-port", str(port), "--owner-pid", str(os.getpid()), "--quiet", *options],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("PORT="):
            self.process.kill()
            raise RuntimeError(f"fault-proxy did not start: {line!r}")
        self.port = int(line.split("=", 1)[1])

    def stop(self):
        self.process.terminate()
        self.process.wait()
