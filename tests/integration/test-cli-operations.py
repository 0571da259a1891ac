#!/usr/bin/env python3
# buzon-cli flag, unflag, read, unread, move and delete against the fixture
# Dovecot: made online they reach the server at once; made while Dovecot is
# stopped (mail-servers stop-imap) they change the cache at once, are queued
# and exit 0; a sync while it is still down fails and keeps the queue; once
# Dovecot is back (start-imap, same ports) `buzon-cli sync` replays them and
# the server, read with imaplib over TLS, ends as expected, the queue empty.
# Also the errors: unknown account, folder or UID (1), bad usage (2), and a
# change the server refuses (6, the cache back to the server's state).
# SPDX-License-Identifier: GPL-3.0-or-later

import imaplib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # Nothing written into the source tree.
from cli_test_support import Tap, other_client, servers, start_servers

cli = sys.argv[1]
tap = Tap()
check = tap.check
MESSAGES = 10


def generate(root, count):
    inbox = os.path.join(root, "INBOX")
    os.makedirs(inbox)
    for i in range(1, count + 1):
        with open(os.path.join(inbox, f"{i:05}.eml"), "w") as f:
            f.write(f"From: Remitente <r@example.org>\nTo: alice@example.test\n"
                    f"Subject: Mensaje {i}\nDate: Fri, {i:02} Nov 2026 10:00:00 +0100\n"
                    f"Message-ID: <{i}@ops.example.org>\n\nHola.\n")


with tempfile.TemporaryDirectory(prefix="buzon-cli-ops-") as tmp:
    os.chmod(tmp, 0o755)
    maildir = os.path.join(tmp, "maildir")
    generate(maildir, MESSAGES)
    d = os.path.join(tmp, "servers")
    env = start_servers(d, "--maildir-from", maildir, "--maildir-user", "alice")
    data_home = os.path.join(tmp, "data")
    run_env = dict(os.environ, LC_ALL="C.UTF-8", XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                   XDG_DATA_HOME=data_home)
    cache = os.path.join(data_home, "buzon", "demo", "cache.db")

    def buzon(*args, timeout=120):
        return subprocess.run([cli, *args], env=run_env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    def queued():
        with sqlite3.connect(cache) as db:
            return db.execute("SELECT count(*) FROM pending_operation").fetchone()[0]

    def cached(folder):
        """uid -> flags of the folder's cached messages."""
        r = buzon("list", "demo", folder, "--limit", "1000", "--json")
        return {m["uid"]: sorted(m["flags"]) for m in json.loads(r.stdout)} \
            if r.returncode == 0 else {"error": r.stderr}

    def on_server(folder):
        """Message-ID -> flags of the folder's messages, as another client sees them."""
        imap = other_client(env)
        typ, count = imap.select(folder, readonly=True)
        found = {}
        typ, data = imap.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])") \
            if int(count[0]) > 0 else ("OK", [])
        for item in data:
            if isinstance(item, tuple):
                flags = imaplib.ParseFlags(item[0])
                mid = item[1].decode().split(":", 1)[1].strip().strip("<>").split("@")[0]
                found[int(mid)] = sorted(f.decode() for f in flags if f != b"\\Recent")
        imap.logout()
        return found

    try:
        imap_url = f"imaps://alice@127.0.0.1:{env['BUZON_TEST_IMAPS_PORT']}"
        smtp_url = f"submissions://alice@127.0.0.1:{env['BUZON_TEST_SUBMISSIONS_PORT']}"
        pin = "SHA256:" + env["BUZON_TEST_CERT_SHA256"]
        r = buzon("account", "add", "demo", "--email", "alice@example.test", "--imap", imap_url,
                  "--smtp", smtp_url, "--password-command", "printf '%s\\n' alice-secret",
                  "--trust-cert", pin)
        check("account add", r.returncode == 0, repr(r))
        r = buzon("sync", "demo")
        check("first sync", r.returncode == 0 and len(cached("INBOX")) == MESSAGES, repr(r))

        # Online: at the server at once, nothing left queued.
        r = buzon("flag", "demo", "INBOX", "1")
        check("flag online: exit 0, nothing said", r.returncode == 0 and r.stderr == "", repr(r))
        check("flag online: on the server at once, the queue empty",
              on_server("INBOX").get(1) == ["\\Flagged"] and queued() == 0,
              f"{on_server('INBOX')} {queued()}")

        # Usage and unknown names, before any change.
        for args, status, says in [
                (["flag", "demo", "INBOX", "tres"], 2, "Usage"),
                (["flag", "demo", "INBOX"], 2, "Usage"),
                (["move", "demo", "INBOX", "1"], 2, "Usage"),
                (["delete", "demo", "INBOX", "1:*"], 2, "Usage"),
                (["read", "demo", "INBOX", "1", "--bogus"], 2, "Usage"),
                (["read", "nadie", "INBOX", "1"], 1, "nadie"),
                (["read", "demo", "No existe", "1"], 1, "No existe"),
                (["read", "demo", "INBOX", "99"], 1, "99"),
                (["read", "demo", "INBOX", "2", "98:99"], 1, "98:99"),
                (["move", "demo", "INBOX", "2", "Ninguna"], 1, "Ninguna")]:
            r = buzon(*args)
            check(f"{' '.join(args)}: exit {status}", r.returncode == status
                  and says in r.stderr, repr(r))
        check("refused changes changed nothing", queued() == 0
              and cached("INBOX").get(2) == [], repr(cached("INBOX")))
        r = buzon("delete", "--help")
        check("delete --help: usage on stdout, exit 0", r.returncode == 0
              and "delete NAME FOLDER UID…" in r.stdout, repr(r))
        r = buzon("--help")
        check("--help lists the commands", r.returncode == 0 and all(
            f"\n  {c} NAME FOLDER UID…" in r.stdout
            for c in ("flag", "unflag", "read", "unread", "move", "delete")), r.stdout)

        # The server goes away; the changes are made all the same.
        servers("stop-imap", d)
        offline = [["read", "demo", "INBOX", "2:3"], ["unread", "demo", "INBOX", "3"],
                   ["unflag", "demo", "INBOX", "1"], ["flag", "demo", "INBOX", "4", "5"],
                   ["move", "demo", "INBOX", "6", "Archive"], ["delete", "demo", "INBOX", "7:7"]]
        for args in offline:
            r = buzon(*args)
            check(f"offline {' '.join(args)}: exit 0, says it is queued", r.returncode == 0
                  and "buzon-cli sync" in r.stderr, repr(r))
        expected = {1: [], 2: ["\\Seen"], 3: [], 4: ["\\Flagged"], 5: ["\\Flagged"], 8: [],
                    9: [], 10: []}
        check("offline: list --json shows every change", cached("INBOX") == expected,
              repr(cached("INBOX")))
        check("offline: six changes queued", queued() == 6, queued())
        r = buzon("sync", "demo")
        check("sync while the server is down: exit 3, the queue kept", r.returncode == 3
              and queued() == 6 and cached("INBOX") == expected, repr(r))

        # Back: the next sync sends them, in order, and the server agrees.
        servers("start-imap", d)
        r = buzon("sync", "demo")
        check("sync once the server is back: exit 0", r.returncode == 0, repr(r))
        check("the queue is empty", queued() == 0, queued())
        inbox = on_server("INBOX")
        check("the server's INBOX ends as expected", inbox == expected, repr(inbox))
        archive, trash = on_server("Archive"), on_server("Trash")
        check("the moved message is in Archive, the deleted one in Trash",
              list(archive) == [6] and list(trash) == [7], f"{archive} {trash}")
        check("the cache agrees with the server", cached("INBOX") == expected
              and len(cached("Archive")) == 1 and len(cached("Trash")) == 1,
              f"{cached('INBOX')} {cached('Archive')} {cached('Trash')}")

        # Deleted in the Trash: gone for good, at once.
        trash_uid = list(cached("Trash"))[0]
        r = buzon("delete", "demo", "Trash", str(trash_uid))
        check("delete in the Trash: exit 0, gone from the server", r.returncode == 0
              and on_server("Trash") == {} and queued() == 0, repr(r))

        # The server refuses (the destination went since the last sync): its
        # state wins, the message is back in the cache, status 6.
        other_client(env).create("Borrada")
        buzon("sync", "demo")
        other_client(env).delete("Borrada")
        r = buzon("move", "demo", "INBOX", "8", "Borrada")
        check("move to a folder deleted on the server: exit 6, the server's words",
              r.returncode == 6 and "Borrada" in r.stderr, repr(r))
        check("refused: the message is back in the cache, the queue empty",
              8 in cached("INBOX") and 8 in on_server("INBOX") and queued() == 0,
              f"{cached('INBOX')} {queued()}")
    finally:
        servers("stop", d, "--remove")

tap.finish()
