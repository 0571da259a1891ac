#!/usr/bin/env python3
# buzon-cli imap-probe against the fixture Dovecot: what it prints, and the
# distinct exit status for each kind of failure.
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import pty
import select
import socket
import termios
import time
import subprocess
import sys
import tempfile

cli = sys.argv[1]
script = os.path.join(os.environ["BUZON_TEST_SUPPORT"], "mail-servers")
tests = 0
failures = 0


def check(name, ok, detail=""):
    global tests, failures
    tests += 1
    failures += not ok
    print(f"{'ok' if ok else 'not ok'} {tests} - {name}")
    if not ok:
        print("# " + detail.replace("\n", "\n# "))


def probe(*args):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    return subprocess.run([cli, "imap-probe", *args], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)


with tempfile.TemporaryDirectory(prefix="buzon-probe-") as tmp:
    os.chmod(tmp, 0o755)
    d = os.path.join(tmp, "servers")
    out = subprocess.run([sys.executable, script, "start", d, "--owner-pid", str(os.getpid())],
                         check=True, capture_output=True, text=True).stdout
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    try:
        imaps = f"imaps://alice@127.0.0.1:{env['BUZON_TEST_IMAPS_PORT']}"
        starttls = f"imap://alice@127.0.0.1:{env['BUZON_TEST_IMAP_PORT']}"
        pin = ["--trust-cert", "SHA256:" + env["BUZON_TEST_CERT_SHA256"].upper()]
        password = ["--password-command", "printf '%s\\n' alice-secret"]

        r = probe(imaps, *pin, *password)
        report = r.stdout
        check("imaps with the pinned certificate: exit 0", r.returncode == 0, repr(r))
        check("prints the certificate fingerprint",
              env["BUZON_TEST_CERT_SHA256"] in report and "pinned" in report, report)
        before = [l for l in report.splitlines() if l.startswith("Capabilities before login")]
        after = [l for l in report.splitlines() if l.startswith("Capabilities after login")]
        check("capabilities before and after login",
              before and after and "QRESYNC" not in before[0] and "QRESYNC" in after[0], report)
        check("namespaces", 'personal     prefix "" separator "/"' in report, report)
        check("special-use folders",
              all(f"{use:<10} {name}" in report for use, name in
                  [("\\Sent", "Sent"), ("\\Drafts", "Drafts"), ("\\Trash", "Trash"),
                   ("\\Junk", "Junk"), ("\\Archive", "Archive")]), report)

        r = probe(starttls, *pin, *password)
        check("STARTTLS: exit 0", r.returncode == 0 and "Capabilities after login" in r.stdout,
              repr(r))

        r = probe(imaps, *password)
        check("an untrusted certificate: exit 4, the reason and how to pin it",
              r.returncode == 4 and "not trusted" in r.stderr
              and "--trust-cert SHA256:" + env["BUZON_TEST_CERT_SHA256"] in r.stderr, repr(r))

        r = probe(imaps, *pin, "--password-command", "echo wrong")
        check("a wrong password: exit 5 quoting the server",
              r.returncode == 5 and "Authentication failed" in r.stderr, repr(r))

        plain = f"imap+plain://alice@127.0.0.2:{env['BUZON_TEST_IMAP_PORT']}"
        r = probe(plain, *password)
        check("LOGINDISABLED without TLS: exit 5", r.returncode == 5, repr(r))

        r = probe(f"imap+plain://alice@mail.example.org:143", *password)
        check("plaintext off this machine: refused before connecting (exit 2)",
              r.returncode == 2 and "without TLS" in r.stderr, repr(r))

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
        s.close()
        r = probe(f"imaps://alice@127.0.0.1:{closed_port}", *password)
        check("nothing listening: exit 3", r.returncode == 3, repr(r))

        r = probe(imaps, *pin, "--password-command", "exit 1")
        check("a failing password command: exit 1", r.returncode == 1, repr(r))

        r = probe()
        check("no URL: exit 2 with usage", r.returncode == 2 and "Usage" in r.stderr, repr(r))

        # Asked on a terminal: no echo while typing, and Ctrl+C at the
        # prompt gives the terminal back with echo on.
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(cli, [cli, "imap-probe", imaps, *pin])
        seen = b""
        deadline = time.monotonic() + 20
        while b"Password for alice@127.0.0.1" not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                seen += os.read(fd, 1024)
        echo_while_asking = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
        os.write(fd, b"\x03")
        _, status = os.waitpid(pid, 0)
        echo_after = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
        os.close(fd)
        check("the prompt hides the password and Ctrl+C restores echo",
              b"Password for" in seen and not echo_while_asking and echo_after
              and os.WIFSIGNALED(status) and os.WTERMSIG(status) == 2,
              repr((seen, echo_while_asking, echo_after, status)))
    finally:
        subprocess.run([sys.executable, script, "stop", d, "--remove"], check=True)

print(f"1..{tests}")
sys.exit(1 if failures else 0)
