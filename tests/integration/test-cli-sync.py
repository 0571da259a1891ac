#!/usr/bin/env python3
# buzon-cli sync, folders, list and search against the fixture Dovecot: a
# first sync, changes by another client found by the next sync, the cache
# read offline, wrong passwords and unknown names; and a first sync killed
# with SIGKILL halfway, then run again: every message once, none missing.
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # Nothing written into the source tree.
from cli_test_support import FaultProxy, Tap, other_client, servers, start_servers

cli = sys.argv[1]
tap = Tap()
check = tap.check
MESSAGES = 5000


def generate(root, count):
    inbox = os.path.join(root, "INBOX")
    os.makedirs(inbox)
    for i in range(1, count + 1):
        with open(os.path.join(inbox, f"{i:05}.eml"), "w") as f:
            f.write(f"From: Remitente {i % 13} <r{i % 13}@example.org>\nTo: alice@example.test\n"
                    f"Subject: Asunto {i} del {'café' if i % 10 == 0 else 'día'}\n"
                    f"Date: Fri, {1 + i % 27:02} Nov 2026 10:{i % 60:02}:00 +0100\n"
                    f"Message-ID: <{i}@cli.example.org>\nMIME-Version: 1.0\n"
                    "Content-Type: text/plain; charset=utf-8\n\nHola.\n")


with tempfile.TemporaryDirectory(prefix="buzon-cli-sync-") as tmp:
    os.chmod(tmp, 0o755)
    maildir = os.path.join(tmp, "maildir")
    generate(maildir, MESSAGES)
    d = os.path.join(tmp, "servers")
    env = start_servers(d, "--maildir-from", maildir, "--maildir-user", "alice")
    run_env = dict(os.environ, LC_ALL="C.UTF-8", XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                   XDG_DATA_HOME=os.path.join(tmp, "data"))

    def buzon(*args, timeout=300, extra_env=None):
        return subprocess.run([cli, *args], env=dict(run_env, **(extra_env or {})),
                              capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=timeout)

    def folders(account="demo"):
        r = buzon("folders", account, "--json")
        return {f["name"]: f for f in json.loads(r.stdout)} if r.returncode == 0 else {}

    try:
        imap_url = f"imaps://alice@127.0.0.1:{env['BUZON_TEST_IMAPS_PORT']}"
        smtp_url = f"submissions://alice@127.0.0.1:{env['BUZON_TEST_SUBMISSIONS_PORT']}"
        pin = "SHA256:" + env["BUZON_TEST_CERT_SHA256"]
        r = buzon("account", "add", "demo", "--email", "alice@example.test", "--imap", imap_url,
                  "--smtp", smtp_url, "--password-command", "printf '%s\\n' alice-secret",
                  "--trust-cert", pin, "--prefetch-days", "0")
        check("account add", r.returncode == 0, repr(r))

        r = buzon("folders", "demo", "--json")
        check("folders before any sync: an empty list", r.returncode == 0
              and json.loads(r.stdout) == [], repr(r))

        # A cache that is not a database: sync says so, exits 1 and leaves
        # the file as it was (it opens while the sync connects).
        r = buzon("account", "add", "broken", "--email", "alice@example.test", "--imap",
                  imap_url, "--smtp", smtp_url, "--password-command",
                  "printf '%s\\n' alice-secret", "--trust-cert", pin)
        broken = os.path.join(tmp, "data", "buzon", "broken", "cache.db")
        os.makedirs(os.path.dirname(broken), exist_ok=True)
        junk = bytes(range(256)) * 64
        with open(broken, "wb") as f:
            f.write(junk)
        r = buzon("sync", "broken")
        with open(broken, "rb") as f:
            kept = f.read()
        check("sync of a cache that is not a database: exit 1, why, the file kept",
              r.returncode == 1 and "not a database" in r.stderr and r.stdout == ""
              and kept == junk, repr(r))
        r = buzon("sync", "broken", "--watch", timeout=60)
        with open(broken, "rb") as f:
            kept = f.read()
        check("sync --watch of that cache: exit 1 at once, why, the file kept",
              r.returncode == 1 and "not a database" in r.stderr and kept == junk, repr(r))
        buzon("account", "remove", "broken")

        # A first sync killed halfway, by SIGKILL, once a first batch is in the cache:
        # through a proxy that stalls now and then, so that the rest is still to come
        # when the kill lands however loaded the machine and large the batches
        # (straight from Dovecot, those after the first can all be in before this
        # process is scheduled).
        slow = FaultProxy(env["BUZON_TEST_IMAPS_PORT"], "--seed", "halfway",
                          "--stall", "0.1/0.2")
        r = buzon("account", "add", "halfway", "--email", "alice@example.test", "--imap",
                  f"imaps://alice@127.0.0.1:{slow.port}", "--smtp", smtp_url,
                  "--password-command", "printf '%s\\n' alice-secret",
                  "--trust-cert", pin, "--prefetch-days", "0")
        check("account add halfway, through a slow proxy", r.returncode == 0, repr(r))
        p = subprocess.Popen([cli, "sync", "halfway"], env=run_env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        seen = b""
        os.set_blocking(p.stderr.fileno(), False)
        while time.monotonic() < deadline and p.poll() is None:
            chunk = p.stderr.read() or b""
            seen += chunk
            progress = [int(part.split(b" of ")[0].split(b": ")[-1])
                        for part in seen.split(b"\r") if b" of " in part and b": " in part]
            # As soon as a first batch is in: the rest is still to come.
            if progress and progress[-1] >= 100:
                break
            time.sleep(0.01)
        p.send_signal(signal.SIGKILL)
        p.wait()
        partial = folders("halfway").get("INBOX", {}).get("messages", 0)
        check("killed halfway: part of the mail is cached",
              0 < partial < MESSAGES, f"{partial} cached; stderr {seen[-300:]!r}")

        r = buzon("sync", "halfway")
        check("sync after SIGKILL: exit 0", r.returncode == 0, repr(r))
        inbox = folders("halfway").get("INBOX", {})
        check("every message once", inbox.get("messages") == MESSAGES
              and inbox.get("synced") is True, repr(inbox))
        slow.stop()
        r = buzon("list", "halfway", "INBOX", "--limit", "100000", "--json")
        listed = json.loads(r.stdout) if r.returncode == 0 else []
        uids = [m["uid"] for m in listed]
        check("no duplicates, no gaps", sorted(uids) == list(range(1, MESSAGES + 1)),
              f"{len(uids)} listed, {len(set(uids))} distinct")
        check("newest first", [m["date"] for m in listed] == sorted(
            [m["date"] for m in listed], reverse=True), "")
        r = buzon("account", "remove", "halfway")
        check("account remove halfway", r.returncode == 0, repr(r))

        r = buzon("sync", "demo", extra_env={"BUZON_DEBUG": "imap,sql"})
        inbox = folders().get("INBOX", {})
        check("a first sync straight from Dovecot: every message", r.returncode == 0
              and inbox.get("messages") == MESSAGES and inbox.get("synced") is True,
              repr((r, inbox)))
        # Its UID SEARCH goes right behind the SELECT, not a round trip later.
        outline = [line.split(None, 3)[3] for line in r.stderr.splitlines()
                   if line.startswith("imap ") and len(line.split(None, 3)) == 4]
        select = next((i for i, c in enumerate(outline) if c.endswith(" SELECT INBOX")), None)
        # The profile: at most 20 statements, the costliest first, each with
        # its runs; the message insert ran once per message.
        profile = [re.match(r"sql +([\d.]+) ms +(\d+) runs +[\d.]+ µs each  (.*)$", line)
                   for line in r.stderr.splitlines() if line.startswith("sql ")]
        times = [float(m.group(1)) for m in profile if m]
        inserts = [int(m.group(2)) for m in profile
                   if m and m.group(3).startswith("INSERT INTO message (")]
        check("BUZON_DEBUG=sql: the statements, with their runs and time",
              profile and all(profile) and len(profile) <= 20
              and times == sorted(times, reverse=True) and inserts == [MESSAGES],
              r.stderr[-2000:])
        check("first sync: SELECT and UID SEARCH sent together",
              select is not None and select + 1 < len(outline)
              and " UID SEARCH " in outline[select + 1],
              repr(outline[:12]))

        # Another client changes things; the next sync finds every change.
        imap = other_client(env)
        imap.select("INBOX")
        imap.uid("STORE", "1:10", "+FLAGS", "(\\Seen \\Flagged)")
        imap.uid("STORE", "20:29", "+FLAGS", "(\\Deleted)")
        imap.expunge()
        imap.append("INBOX", "", None,
                    b"From: Nuevo <n@example.org>\r\n"
                    b"Subject: =?UTF-8?Q?Reci=C3=A9n_llegado?=\r\n"
                    b"Message-ID: <nuevo@cli.example.org>\r\n\r\nHola.\r\n")
        imap.create("Listas")
        # Archive sorts first after INBOX, which this pass syncs before it
        # asks for the folder list: the others all follow all the same.
        imap.append("Archive", "", None,
                    b"From: Viejo <v@example.org>\r\nSubject: Archivado\r\n"
                    b"Message-ID: <archivado@cli.example.org>\r\n\r\nHola.\r\n")
        imap.logout()
        r = buzon("sync", "demo", extra_env={"BUZON_DEBUG": "imap,store"})
        check("resync: exit 0 and a summary line", r.returncode == 0
              and "2 new" in r.stdout and "10 gone" in r.stdout, repr(r))
        trace = [line.split(None, 3) for line in r.stderr.splitlines()
                 if line.startswith("imap ")]
        commands = [t[3][3:] for t in trace if len(t) == 4 and t[3].startswith("C: ")]
        select = next((i for i, c in enumerate(commands) if c.endswith(" SELECT INBOX")
                       or " SELECT INBOX " in c), None)
        listed = next((i for i, c in enumerate(commands) if " LIST " in c), None)
        check("resync: INBOX selected first, the folder list after its SELECT",
              select is not None and listed is not None and select < listed
              and not any(" SELECT " in c for c in commands[:select]), repr(commands[:8]))
        # With QRESYNC the SELECTs bring the changes: no CHANGEDSINCE, early
        # or not, though Archive's HIGHESTMODSEQ moved.
        check("resync with QRESYNC: no CHANGEDSINCE",
              not any("CHANGEDSINCE" in c for c in commands), repr(commands))
        sent = [t[3] for t in trace if len(t) == 4 and t[3].startswith("C: ")]
        check("BUZON_DEBUG=imap: the commands and the tagged replies, in order",
              any(" SELECT INBOX" in c for c in sent)
              and any(t[3].startswith("S: ") and " OK " in t[3] for t in trace)
              and float(trace[-1][2]) >= float(trace[0][2]), r.stderr[-2000:])
        check("BUZON_DEBUG=imap: no credentials, only the login's tag",
              not any("AUTHENTICATE" in c or "LOGIN" in c or "alice-secret" in c for c in sent)
              and any(len(c.split()) == 2 for c in sent), repr(sent[:3]))
        commits = [line for line in r.stderr.splitlines()
                   if line.startswith("store ") and " commit " in line]
        check("BUZON_DEBUG=store: the commits, with the pages in the log",
              commits and all(re.search(r" commit [\d.]+ ms, log \d+ pages", c) for c in commits)
              and re.search(r"store's thread used [\d.]+ s of CPU time", r.stderr),
              r.stderr[-2000:])
        cached = folders()
        check("resync: counts and the new folder", cached.get("INBOX", {}).get("messages")
              == MESSAGES - 10 + 1 and "Listas" in cached
              and cached.get("Archive", {}).get("messages") == 1, repr(cached))
        r = buzon("search", "demo", "is:flagged", "--limit", "100", "--json")
        found = sorted(m["uid"] for m in json.loads(r.stdout)) if r.returncode == 0 else []
        check("search is:flagged finds the ten flagged", found == list(range(1, 11)), repr(found))
        r = buzon("search", "demo", "subject:cafe from:r0", "--json")
        found = json.loads(r.stdout) if r.returncode == 0 else []
        check("search: accents and fields", found and all("café" in m["subject"] for m in found)
              and all(m["from"]["address"] == "r0@example.org" for m in found), repr(r))
        r = buzon("search", "demo", 'subject:"recién llegado"', "--folder", "INBOX")
        check("search in a folder, human output", r.returncode == 0
              and "Recién llegado" in r.stdout, repr(r))

        # A message's body on demand: shown, kept, and then found by search.
        imap = other_client(env)
        imap.append("INBOX", "", None,
                    b"From: =?UTF-8?Q?Mar=C3=ADa?= <maria@example.org>\r\n"
                    b"To: alice@example.test\r\nSubject: Receta\r\n"
                    b"Message-ID: <receta@cli.example.org>\r\nMIME-Version: 1.0\r\n"
                    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                    b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                    b"<p>Pon la <b>zanahoria</b> &amp; la cebolla.</p>\r\n"
                    b"--b\r\nContent-Type: application/pdf\r\n"
                    b"Content-Disposition: attachment; filename*=utf-8''receta%C3%B1.pdf\r\n"
                    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n")
        status, data = imap.select("INBOX")
        status, data = imap.uid("SEARCH", None, "HEADER", "Message-ID", "receta@cli.example.org")
        receta = data[0].decode().split()[-1]
        status, data = imap.uid("FETCH", receta, "(BODY.PEEK[])")
        server_bytes = data[0][1]
        imap.logout()
        buzon("sync", "demo", "--quiet")
        r = buzon("search", "demo", "zanahoria")
        check("a body not downloaded yet is not searched", r.returncode == 0 and r.stdout == "",
              repr(r))
        r = buzon("search", "demo", "zanahoria", "--folder", "INBOX", "--online", "--json")
        found = json.loads(r.stdout) if r.returncode == 0 else []
        check("search --online: the server reads the body the cache lacks",
              [m["subject"] for m in found] == ["Receta"], repr(r))
        r = buzon("search", "demo", "zanahoria", "--online", "--json")
        found = json.loads(r.stdout) if r.returncode == 0 else []
        check("search --online without --folder: every folder, each hit's folder said",
              [(m["folder"], m["subject"]) for m in found] == [("INBOX", "Receta")], repr(r))
        r = buzon("show", "demo", "INBOX", receta)
        check("show: headers, the HTML's text, the attachment",
              r.returncode == 0 and "From: María <maria@example.org>" in r.stdout
              and "Pon la zanahoria & la cebolla." in r.stdout and "recetañ.pdf" in r.stdout
              and "<p>" not in r.stdout, repr(r))
        r = buzon("search", "demo", "zanahoria")
        check("once shown, its text is searched", r.returncode == 0 and "Receta" in r.stdout,
              repr(r))
        raw = subprocess.run([cli, "show", "demo", "INBOX", receta, "--raw"], env=run_env,
                             capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
        check("show --raw: the server's bytes, from the cache", raw.returncode == 0
              and raw.stdout == server_bytes, f"{len(raw.stdout)} vs {len(server_bytes)}")
        r = buzon("show", "demo", "INBOX", "999999")
        check("show of an unknown UID: exit 1", r.returncode == 1 and "999999" in r.stderr,
              repr(r))
        r = buzon("show", "demo", "INBOX", "diez")
        check("show with a bad UID: exit 2", r.returncode == 2, repr(r))

        # sync --watch: new mail in the Inbox arrives through IDLE within seconds,
        # other folders at the next pass; SIGTERM ends it cleanly.
        watch_env = dict(run_env, BUZON_POLL_INTERVAL="4")
        w = subprocess.Popen([cli, "sync", "demo", "--watch"], env=watch_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)

        def wait_until(predicate, seconds):
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if predicate():
                    return True
                time.sleep(0.2)
            return False

        def cached_subjects(folder):
            r = buzon("list", "demo", folder, "--limit", "5", "--json")
            return [m["subject"] for m in json.loads(r.stdout)] if r.returncode == 0 else []

        time.sleep(1.5)
        imap = other_client(env)
        imap.append("INBOX", "", None, b"From: a@example.org\r\nSubject: Por IDLE\r\n"
                    b"Message-ID: <idle@cli.example.org>\r\n\r\nHola.\r\n")
        check("--watch: new Inbox mail cached within seconds",
              wait_until(lambda: "Por IDLE" in cached_subjects("INBOX"), 10),
              cached_subjects("INBOX"))
        imap.append("Listas", "", None, b"From: a@example.org\r\nSubject: En otra carpeta\r\n"
                    b"Message-ID: <listas@cli.example.org>\r\n\r\nHola.\r\n")
        imap.logout()
        check("--watch: other folders at the next pass",
              wait_until(lambda: "En otra carpeta" in cached_subjects("Listas"), 15),
              cached_subjects("Listas"))
        # Dovecot goes away and comes back on the same ports: the watch
        # reconnects by itself (backoff) and new mail arrives again.
        servers("stop-imap", d)
        time.sleep(3)
        servers("start-imap", d)
        imap = other_client(env)
        imap.append("INBOX", "", None, b"From: a@example.org\r\nSubject: Tras volver\r\n"
                    b"Message-ID: <vuelta@cli.example.org>\r\n\r\nHola.\r\n")
        imap.logout()
        check("--watch: reconnects after the server came back",
              wait_until(lambda: "Tras volver" in cached_subjects("INBOX"), 90),
              cached_subjects("INBOX"))
        w.send_signal(signal.SIGTERM)
        try:
            out, err = w.communicate(timeout=30)
            check("--watch: SIGTERM ends it, exit 0", w.returncode == 0,
                  f"exit {w.returncode}: {err.decode()[-1500:]}")
            # Each change of state is one line: up to date, the wait while
            # Dovecot was down (with why), the end.
            lines = err.decode().splitlines()
            check("--watch: states on stderr, one line each",
                  "demo: up to date, waiting for news" in lines
                  and any(l.startswith("demo: waiting to retry in ") and " s: " in l
                          for l in lines)
                  and lines[-1] == "demo: stopped", err.decode()[-1500:])
        except subprocess.TimeoutExpired:
            w.kill()
            check("--watch: SIGTERM ends it, exit 0", False, "still running 10 s later")

        # Errors: clear words, documented exit statuses.
        r = buzon("search", "demo", 'subject:"sin cerrar')
        check("a malformed query: exit 2", r.returncode == 2 and "sin cerrar" in r.stderr,
              repr(r))
        r = buzon("list", "demo", "No existe")
        check("an unknown folder: exit 1", r.returncode == 1 and "No existe" in r.stderr, repr(r))
        r = buzon("list", "nadie", "INBOX")
        check("an unknown account: exit 1", r.returncode == 1 and "nadie" in r.stderr, repr(r))
        r = buzon("sync", "demo", "--folder", "No existe")
        check("sync of an unknown folder: exit 1", r.returncode == 1, repr(r))
        r = buzon("account", "add", "malo", "--email", "alice@example.test", "--imap", imap_url,
                  "--smtp", smtp_url, "--password-command", "echo wrong", "--trust-cert", pin)
        r = buzon("sync", "malo")
        check("a wrong password: exit 5", r.returncode == 5, repr(r))
        r = buzon("sync", "demo", "--bogus")
        check("a bad option: exit 2 and the usage", r.returncode == 2 and "Usage" in r.stderr,
              repr(r))

        # A server with CONDSTORE and no QRESYNC, as Gmail is, and one with
        # neither, as Office 365. INBOX's resync asks for the flag changes
        # (by CHANGEDSINCE, or every message's flags) and the new mail's
        # headers together, not a round trip apart; Archive's, whose new mail
        # LIST-STATUS told, asks for that mail right behind its SELECT, a
        # round trip before the SELECT's answer; the cache ends as the server.
        for label, option in (("CONDSTORE", "--no-qresync"), ("no CONDSTORE", "--no-condstore")):
            small = os.path.join(tmp, f"maildir{option}")
            generate(small, 60)
            d2 = os.path.join(tmp, f"servers{option}")
            env2 = start_servers(d2, "--maildir-from", small, "--maildir-user", "alice", option)
            try:
                name = option.strip("-")
                r = buzon("account", "add", name, "--email", "alice@example.test", "--imap",
                          f"imaps://alice@127.0.0.1:{env2['BUZON_TEST_IMAPS_PORT']}",
                          "--smtp", smtp_url, "--password-command",
                          "printf '%s\\n' alice-secret", "--trust-cert",
                          "SHA256:" + env2["BUZON_TEST_CERT_SHA256"], "--prefetch-days", "0")
                r = buzon("sync", name) if r.returncode == 0 else r
                check(f"{label}: first sync", r.returncode == 0 and "60 new" in r.stdout,
                      repr(r))
                imap = other_client(env2)
                imap.select("INBOX")
                imap.uid("STORE", "1:5", "+FLAGS", "(\\Flagged)")
                imap.append("INBOX", "", None,
                            b"From: Nuevo <n@example.org>\r\nSubject: Llega ahora\r\n"
                            b"Message-ID: <ahora@cli.example.org>\r\n\r\nHola.\r\n")
                imap.append("Archive", "", None,
                            b"From: Viejo <v@example.org>\r\nSubject: Archivado ahora\r\n"
                            b"Message-ID: <archivado-ahora@cli.example.org>\r\n\r\nHola.\r\n")
                imap.logout()
                r = buzon("sync", name, extra_env={"BUZON_DEBUG": "imap"})
                trace = [line.split(None, 3)[3] for line in r.stderr.splitlines()
                         if line.startswith("imap ") and len(line.split(None, 3)) == 4]

                def command(text):
                    return next((i for i, t in enumerate(trace)
                                 if t.startswith("C: ") and text in t), None)

                def answer(i):
                    tag = trace[i].split()[1] if i is not None else None
                    return next((j for j, t in enumerate(trace)
                                 if tag and t.startswith(f"S: {tag} ")), None)

                changes = command("(UID FLAGS)")
                new = command(" UID FETCH 61:* ")
                check(f"{label}: resync: the changes and the new mail asked for together",
                      r.returncode == 0 and "2 new" in r.stdout
                      and None not in (changes, new, answer(changes))
                      and changes < new < answer(changes), repr((r.stdout, trace[-16:])))
                select = command(" SELECT Archive")
                early = command(" UID FETCH 1:500 ")
                check(f"{label}: resync: new mail that STATUS told asked for behind the SELECT",
                      None not in (select, early, answer(select))
                      and select < early < answer(select), repr(trace[-16:]))
                r = buzon("search", name, "is:flagged", "--limit", "100", "--json")
                found = sorted(m["uid"] for m in json.loads(r.stdout)) if r.returncode == 0 else []
                r = buzon("list", name, "INBOX", "--limit", "1", "--json")
                newest = json.loads(r.stdout)[0]["subject"] if r.returncode == 0 else None
                r = buzon("list", name, "Archive", "--json")
                archived = [m["subject"] for m in json.loads(r.stdout)] if r.returncode == 0 else None
                check(f"{label}: resync: the flags and the new messages cached",
                      found == [1, 2, 3, 4, 5] and newest == "Llega ahora"
                      and archived == ["Archivado ahora"], repr((found, newest, archived)))
                # Only a flag changed in Archive, which LIST-STATUS told by its
                # HIGHESTMODSEQ: with CONDSTORE its CHANGEDSINCE goes right
                # behind the SELECT too.
                imap = other_client(env2)
                imap.select("Archive")
                imap.uid("STORE", "1", "+FLAGS", "(\\Flagged)")
                imap.logout()
                r = buzon("sync", name, extra_env={"BUZON_DEBUG": "imap"})
                trace = [line.split(None, 3)[3] for line in r.stderr.splitlines()
                         if line.startswith("imap ") and len(line.split(None, 3)) == 4]
                # Without CONDSTORE, the flags diff goes there, whatever STATUS says.
                select = command(" SELECT Archive")
                changed = next((i for i, t in enumerate(trace) if select is not None
                                and i > select and t.startswith("C: ")
                                and ("CHANGEDSINCE" in t if option == "--no-qresync"
                                     else t.endswith(" UID FETCH 1:1 (UID FLAGS)"))), None)
                check(f"{label}: resync: Archive's flags asked for behind the SELECT",
                      r.returncode == 0 and None not in (select, changed, answer(select))
                      and select < changed < answer(select), repr(trace[-16:]))
                r = buzon("list", name, "Archive", "--json")
                flags = [m["flags"] for m in json.loads(r.stdout)] if r.returncode == 0 else None
                check(f"{label}: resync: Archive's flag change cached",
                      flags is not None and len(flags) == 1 and "\\Flagged" in flags[0],
                      repr(flags))
            finally:
                servers("stop", d2, "--remove")
    finally:
        servers("stop", d, "--remove")

tap.finish()
