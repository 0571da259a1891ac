#!/usr/bin/env python3
# buzon-cli flag, unflag, read, unread, move, copy, archive, delete and
# expunge against the fixture Dovecot: made online they reach the server at
# once; made while Dovecot is
# stopped (mail-servers stop-imap) they change the cache at once, are queued
# and exit 0; a sync while it is still down fails and keeps the queue; once
# Dovecot is back (start-imap, same ports) `buzon-cli sync` replays them and
# the server, read with imaplib over TLS, ends as expected, the queue empty.
# Also the errors: unknown account, folder or UID (1), bad usage (2), and a
# change the server refuses (6, the cache back to the server's state).
# Moved, copied and archived messages are listed in their destination at
# once, offline too (UID 0 until the server has them), and once the server
# has them, with its UIDs and never twice; an archive on an account with no
# \Archive folder is refused and changes nothing.
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

    def listed(folder):
        """(uid, Message-ID number) of the folder's cached messages, duplicates kept."""
        r = buzon("list", "demo", folder, "--limit", "1000", "--json")
        return sorted((m["uid"], int(m["message_id"].split("@")[0])) for m in json.loads(r.stdout)) \
            if r.returncode == 0 else [("error", r.stderr)]

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

        # Copy and archive, online: in the destination at once, with the
        # UIDs the server gave them (COPYUID), and not twice after a sync.
        r = buzon("copy", "demo", "INBOX", "9", "Sent")
        check("copy online: exit 0, nothing said", r.returncode == 0 and r.stderr == "", repr(r))
        sent = listed("Sent")
        check("copy online: on the server in both, the queue empty",
              9 in on_server("Sent") and 9 in on_server("INBOX") and queued() == 0,
              f"{on_server('Sent')} {queued()}")
        check("copy online: listed in Sent at once, with a real UID",
              [m for _, m in sent] == [9] and all(u > 0 for u, _ in sent), repr(sent))
        r = buzon("archive", "demo", "INBOX", "10")
        check("archive online: exit 0, in Archive on the server, out of INBOX",
              r.returncode == 0 and r.stderr == "" and sorted(on_server("Archive")) == [6, 10]
              and 10 not in on_server("INBOX") and 10 not in cached("INBOX"), repr(r))
        archive = listed("Archive")
        check("archive online: listed in Archive at once, with real UIDs",
              [m for _, m in archive] == [6, 10] and all(u > 0 for u, _ in archive),
              repr(archive))
        r = buzon("sync", "demo")
        check("after a sync, nothing twice in Sent or Archive", r.returncode == 0
              and listed("Sent") == sent and listed("Archive") == archive,
              f"{listed('Sent')} {listed('Archive')}")
        for args, says in [(["archive", "demo", "INBOX"], "Usage"),
                           (["copy", "demo", "INBOX", "9"], "Usage"),
                           (["expunge", "demo"], "Usage"),
                           (["expunge", "demo", "INBOX", "3"], "Usage"),
                           (["copy", "demo", "INBOX", "9", "Ninguna"], "Ninguna"),
                           (["archive", "demo", "Archive", str(archive[0][0])], "already")]:
            r = buzon(*args)
            status = 2 if says == "Usage" else 1
            check(f"{' '.join(args)}: exit {status}", r.returncode == status
                  and says in r.stderr, repr(r))
        r = buzon("expunge", "demo", "INBOX")
        check("expunge with nothing marked deleted: exit 0, says so", r.returncode == 0
              and "nothing to expunge" in r.stderr and queued() == 0, repr(r))
        r = buzon("expunge", "--help")
        check("expunge --help: usage on stdout", r.returncode == 0
              and "expunge NAME FOLDER" in r.stdout, repr(r))
        r = buzon("--help")
        check("--help lists copy, archive and expunge", r.returncode == 0
              and "\n  copy NAME FOLDER UID… DEST" in r.stdout
              and "\n  archive NAME FOLDER UID…" in r.stdout
              and "\n  expunge NAME FOLDER\n" in r.stdout, r.stdout)

        # No \Archive folder: Dovecot marks its Archive whatever the test
        # asks, so the cache is made to say the server marks none, as the
        # folder list of such a server leaves it. Refused, nothing changes.
        with sqlite3.connect(cache) as db:
            db.execute("UPDATE folder SET special_use = 0 WHERE name = 'Archive'")
        before = cached("INBOX")
        r = buzon("archive", "demo", "INBOX", "1")
        check("archive without an Archive folder: exit 1, says so, nothing changes",
              r.returncode == 1 and "no Archive folder" in r.stderr and queued() == 0
              and cached("INBOX") == before and 1 in on_server("INBOX"), repr(r))
        buzon("sync", "demo")

        # A message another client marked \Deleted, expunged online.
        imap = other_client(env)
        imap.select("INBOX")
        imap.uid("STORE", "4", "+FLAGS", "(\\Deleted)")
        imap.uid("STORE", "5", "+FLAGS", "(\\Deleted)")
        imap.logout()
        buzon("sync", "demo")
        r = buzon("expunge", "demo", "INBOX")
        check("expunge online: exit 0, the marked message gone from cache and server",
              r.returncode == 0 and 4 not in cached("INBOX") and 4 not in on_server("INBOX")
              and 5 not in on_server("INBOX") and queued() == 0, repr(r))

        # Offline: copy, archive, move and expunge are seen at once, the
        # copies in their destinations without UIDs yet; replayed once the
        # server is back, they end with the server's UIDs, once each.
        imap = other_client(env)
        imap.select("INBOX")
        imap.uid("STORE", "8", "+FLAGS", "(\\Deleted)")
        imap.logout()
        buzon("sync", "demo")
        servers("stop-imap", d)
        for args in [["copy", "demo", "INBOX", "1", "Sent"], ["archive", "demo", "INBOX", "2"],
                     ["move", "demo", "INBOX", "3", "Junk"], ["expunge", "demo", "INBOX"]]:
            r = buzon(*args)
            check(f"offline {' '.join(args)}: exit 0, queued", r.returncode == 0
                  and "buzon-cli sync" in r.stderr, repr(r))
        check("offline: four changes queued", queued() == 4, queued())
        check("offline: the copy is in Sent at once, without a UID yet",
              listed("Sent") == sent + [(0, 1)] or sorted(listed("Sent")) == sorted(sent + [(0, 1)]),
              repr(listed("Sent")))
        check("offline: the archived one is in Archive at once",
              sorted(m for _, m in listed("Archive")) == [2, 6, 10]
              and (0, 2) in listed("Archive"), repr(listed("Archive")))
        check("offline: the moved one is in Junk at once", listed("Junk") == [(0, 3)],
              repr(listed("Junk")))
        check("offline: INBOX shows the moves and the expunge",
              sorted(cached("INBOX")) == [1, 9], repr(cached("INBOX")))
        r = buzon("sync", "demo")
        check("offline: a sync keeps the provisional copies and the queue", r.returncode == 3
              and queued() == 4 and (0, 3) in listed("Junk"), repr(r))
        servers("start-imap", d)
        r = buzon("sync", "demo")
        check("back online: sync exit 0, the queue empty", r.returncode == 0 and queued() == 0,
              repr(r))
        for folder, ids in [("Sent", [1, 9]), ("Archive", [2, 6, 10]), ("Junk", [3]),
                            ("INBOX", [1, 9])]:
            server = sorted(on_server(folder))
            mine = listed(folder)
            check(f"back online: {folder} on the server and in the cache, once each, real UIDs",
                  server == ids and sorted(m for _, m in mine) == ids
                  and all(u > 0 for u, _ in mine), f"{server} {mine}")
        r = buzon("sync", "demo")
        check("another sync adds nothing twice", r.returncode == 0
              and sorted(m for _, m in listed("Archive")) == [2, 6, 10]
              and sorted(m for _, m in listed("Sent")) == [1, 9], repr(listed("Archive")))
    finally:
        servers("stop", d, "--remove")

tap.finish()
