#!/usr/bin/env python3
# buzon-cli account list: the table, the documented --json form, exit codes,
# and unusable accounts reported on stderr.
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import subprocess
import sys
import tempfile

cli = sys.argv[1]
tests = 0
failures = 0


def check(name, ok, detail=""):
    global tests, failures
    tests += 1
    failures += not ok
    print(f"{'ok' if ok else 'not ok'} {tests} - {name}{'' if ok else ': ' + detail}")


def run(config_home, *args):
    env = dict(os.environ, XDG_CONFIG_HOME=config_home, LC_ALL="C.UTF-8")
    return subprocess.run([cli, *args], env=env, capture_output=True, text=True)


with tempfile.TemporaryDirectory() as home:
    r = run(home, "account", "list")
    check("no config: nothing listed, exit 0", r.returncode == 0 and r.stdout == "", repr(r))
    r = run(home, "account", "list", "--json")
    check("no config: --json is []", r.returncode == 0 and json.loads(r.stdout) == [], repr(r))

    os.makedirs(f"{home}/buzon")
    with open(f"{home}/buzon/accounts.conf", "w") as f:
        f.write("[Account demo]\nName=Ana \"García\"\nEmail=ana@example.test\n"
                "IMAP=imaps://ana@127.0.0.1:31993\nSMTP=submissions://ana@127.0.0.1:31465\n"
                "TrustedCertificates=sha256:00ff;\n"
                "[Account work]\nEmail=bob@example.org\nIMAP=imap://mail.example.org\n"
                "SMTP=submission://mail.example.org\n")
    r = run(home, "account", "list", "--json")
    want = [{"id": "demo", "name": "Ana \"García\"", "address": "ana@example.test",
             "imap": "imaps://ana@127.0.0.1:31993", "smtp": "submissions://ana@127.0.0.1:31465",
             "trusted_certificates": ["sha256:00ff"]},
            {"id": "work", "name": "bob@example.org", "address": "bob@example.org",
             "imap": "imap://mail.example.org:143", "smtp": "submission://mail.example.org:587",
             "trusted_certificates": []}]
    got = json.loads(r.stdout) if r.returncode == 0 else None
    check("--json lists both accounts in the documented form", got == want, repr((r, got)))
    r = run(home, "account", "list")
    check("table: one line per account",
          r.returncode == 0 and r.stdout.splitlines()[0].split("\t")[:2]
          == ["demo", "Ana \"García\" <ana@example.test>"] and len(r.stdout.splitlines()) == 2,
          repr(r))

    with open(f"{home}/buzon/accounts.conf", "a") as f:
        f.write("[Account open]\nEmail=x@example.org\nIMAP=imap+plain://mail.example.org\n"
                "SMTP=submission://mail.example.org\n")
    r = run(home, "account", "list", "--json")
    check("an unusable account: exit 1, named on stderr, the others still listed",
          r.returncode == 1 and "“open”" in r.stderr and len(json.loads(r.stdout)) == 2, repr(r))

    with open(f"{home}/buzon/accounts.conf", "wb") as f:
        f.write(b"garbage\x01\n")
    r = run(home, "account", "list")
    check("an unreadable file: exit 1 and the file named",
          r.returncode == 1 and "accounts.conf" in r.stderr, repr(r))

    r = run(home, "account", "frobnicate")
    check("an unknown subcommand: exit 2", r.returncode == 2, repr(r))
    r = run(home, "nonsense")
    check("an unknown command: exit 2 and a hint", r.returncode == 2 and "--help" in r.stderr,
          repr(r))

print(f"1..{tests}")
sys.exit(1 if failures else 0)
