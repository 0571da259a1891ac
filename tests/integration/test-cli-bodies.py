#!/usr/bin/env python3
# buzon-cli and message bodies against the fixture Dovecot: sync --bodies of
# hundreds of messages (every body cached, \Seen untouched on the server,
# words only bodies hold found offline, an oversized message skipped), a
# run killed with SIGKILL halfway and resumed; the prefetch of the last
# PrefetchDays days at every sync; and search --online across every folder,
# which says each hit's folder and survives a folder that fails.
# SPDX-License-Identifier: GPL-3.0-or-later

import email.utils
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # Nothing written into the source tree.
from cli_test_support import Tap, other_client, servers, start_servers

cli = sys.argv[1]
tap = Tap()
check = tap.check
MESSAGES = 600  # In INBOX, besides the big one.
RECENT = 20     # Of them, delivered in the last few days.
FILLER = "Texto de relleno para que el cuerpo pese algo en la caché. " * 120


def message(i, date, subject, body):
    return (f"From: Remitente {i % 7} <r{i % 7}@example.org>\nTo: alice@example.test\n"
            f"Subject: {subject}\nDate: {email.utils.format_datetime(date)}\n"
            f"Message-ID: <{subject.replace(' ', '.')}@bodies.example.org>\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n\n{body}\n")


def generate(root):
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc)
    inbox = os.path.join(root, "INBOX")
    archive = os.path.join(root, "Archivo")
    os.makedirs(inbox)
    os.makedirs(archive)
    for i in range(1, MESSAGES + 1):
        recent = i > MESSAGES - RECENT
        date = now - datetime.timedelta(hours=MESSAGES - i + 1) if recent else \
            now - datetime.timedelta(days=400 + MESSAGES - i)
        words = f"cuerpo palabra{i}" + (" berenjena" if i % 50 == 0 else "") + \
            (" alcachofa" if i == 7 else "")
        with open(os.path.join(inbox, f"{i:05}.eml"), "w") as f:
            f.write(message(i, date, f"Asunto {i}", f"{words}\n{FILLER}"))
    with open(os.path.join(inbox, "99999.eml"), "w") as f:
        f.write(message(0, now - datetime.timedelta(days=500), "Enorme",
                        "cuerpo gigantesco\n" + ("x" * 76 + "\n") * 80000))
    for i in range(1, 11):
        with open(os.path.join(archive, f"{i:05}.eml"), "w") as f:
            f.write(message(i, now - datetime.timedelta(days=900 + i), f"Archivado {i}",
                            "guardado" + (" alcachofa" if i == 3 else "")))


with tempfile.TemporaryDirectory(prefix="buzon-cli-bodies-") as tmp:
    os.chmod(tmp, 0o755)
    maildir = os.path.join(tmp, "maildir")
    generate(maildir)
    d = os.path.join(tmp, "servers")
    env = start_servers(d, "--maildir-from", maildir, "--maildir-user", "alice")
    run_env = dict(os.environ, LC_ALL="C.UTF-8", XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                   XDG_DATA_HOME=os.path.join(tmp, "data"))

    def buzon(*args, timeout=300):
        return subprocess.run([cli, *args], env=run_env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    def found(account, query, *options):
        r = buzon("search", account, query, "--limit", "100000", "--json", *options)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def seen_on_server():
        imap = other_client(env)
        imap.select("INBOX", readonly=True)
        status, data = imap.uid("SEARCH", None, "SEEN")
        imap.logout()
        return sorted(int(u) for u in data[0].split())

    try:
        imap_url = f"imaps://alice@127.0.0.1:{env['BUZON_TEST_IMAPS_PORT']}"
        smtp_url = f"submissions://alice@127.0.0.1:{env['BUZON_TEST_SUBMISSIONS_PORT']}"
        common = ["--email", "alice@example.test", "--imap", imap_url, "--smtp", smtp_url,
                  "--password-command", "printf '%s\\n' alice-secret",
                  "--trust-cert", "SHA256:" + env["BUZON_TEST_CERT_SHA256"]]
        r = buzon("account", "add", "todo", *common, "--prefetch-days", "0")
        check("account add --prefetch-days 0", r.returncode == 0, repr(r))

        imap = other_client(env)
        imap.select("INBOX")
        imap.uid("STORE", "3:5", "+FLAGS", "(\\Seen)")
        imap.logout()
        seen_before = seen_on_server()

        r = buzon("sync", "todo")
        check("sync with the prefetch off: headers only, 0 bodies",
              r.returncode == 0 and ", 0 bodies" in r.stdout, repr(r))
        check("no body cached: words only bodies hold are not found",
              found("todo", "berenjena") == [], repr(r))

        # sync --bodies killed by SIGKILL once some bodies are in the cache.
        p = subprocess.Popen([cli, "sync", "todo", "--bodies"], env=run_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        os.set_blocking(p.stderr.fileno(), False)
        seen = b""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and p.poll() is None:
            seen += p.stderr.read() or b""
            done = [int(part.split(b" of ")[0].split(b": ")[-1])
                    for part in seen.split(b"\r") if part.endswith(b" bodies")]
            if done and done[-1] > 0:
                break
            time.sleep(0.005)
        p.send_signal(signal.SIGKILL)
        p.wait()
        partial = len(found("todo", "cuerpo") or [])
        check("killed halfway: part of the bodies are cached",
              0 < partial < MESSAGES, f"{partial} cached; stderr {seen[-300:]!r}")

        r = buzon("sync", "todo", "--bodies")
        bodies = [int(w) for w in r.stdout.replace(",", "").split()
                  if w.isdigit()][-1:] if r.returncode == 0 else []
        check("sync --bodies again: exit 0, only the rest fetched",
              r.returncode == 0 and bodies == [MESSAGES + 10 - partial], repr((r, partial)))
        check("progress on stderr, the oversized message reported",
              " bodies" in r.stderr and "left to download when opened: 1" in r.stderr, repr(r))
        check("every body cached but the oversized one",
              len(found("todo", "cuerpo") or []) == MESSAGES and found("todo", "gigantesco") == [],
              repr(r))
        hits = found("todo", "berenjena")
        check("search offline finds words only in bodies",
              sorted(m["subject"] for m in hits or []) == sorted(
                  f"Asunto {i}" for i in range(50, MESSAGES + 1, 50)), repr(hits))
        check("\\Seen untouched on the server", seen_on_server() == seen_before,
              repr((seen_before, seen_on_server())))
        r = buzon("sync", "todo", "--bodies")
        check("a third run has nothing to fetch", r.returncode == 0 and ", 0 bodies" in r.stdout,
              repr(r))
        r = buzon("sync", "todo", "--bodies", "--watch")
        check("--bodies with --watch: exit 2", r.returncode == 2, repr(r))

        # The prefetch: the default 14 days, at every sync.
        r = buzon("account", "add", "reciente", *common)
        r = buzon("sync", "reciente")
        check("sync with the default prefetch: the recent mail's bodies",
              r.returncode == 0 and f", {RECENT} bodies" in r.stdout, repr(r))
        recent = found("reciente", "cuerpo")
        check("only the last days' mail is searchable by its body",
              sorted(m["subject"] for m in recent or []) == sorted(
                  f"Asunto {i}" for i in range(MESSAGES - RECENT + 1, MESSAGES + 1)),
              repr(recent))

        # search --online across every folder.
        check("a body-only word of old mail is not in the cache",
              found("reciente", "alcachofa") == [], "")
        hits = found("reciente", "alcachofa", "--online")
        check("search --online without --folder: both folders' hits, each with its folder",
              sorted((m["folder"], m["subject"]) for m in hits or [])
              == [("Archivo", "Archivado 3"), ("INBOX", "Asunto 7")], repr(hits))
        r = buzon("search", "reciente", "alcachofa", "--online")
        check("human output names the folder",
              r.returncode == 0 and "Archivo" in r.stdout and "INBOX" in r.stdout, repr(r))
        hits = found("reciente", "cuerpo palabra600", "--online")
        check("local and server hits merged without duplicates",
              [m["subject"] for m in hits or []] == ["Asunto 600"], repr(hits))
        # A folder the server lost since the last sync: said, and the others searched.
        imap = other_client(env)
        imap.create("Temporal")
        imap.logout()
        buzon("sync", "reciente", "--quiet")
        imap = other_client(env)
        imap.delete("Temporal")
        imap.logout()
        r = buzon("search", "reciente", "alcachofa", "--online", "--json")
        hits = json.loads(r.stdout) if r.stdout.startswith("[") else []
        check("a folder that fails is reported, not fatal",
              r.returncode == 0 and "Temporal" in r.stderr and len(hits) == 2, repr(r))
        # sync --watch: new Inbox mail's body arrives through IDLE, before any
        # full pass (an hour away here).
        w = subprocess.Popen([cli, "sync", "reciente", "--watch", "--quiet"],
                             env=dict(run_env, BUZON_POLL_INTERVAL="3600"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        time.sleep(1.5)
        imap = other_client(env)
        imap.append("INBOX", "", None, b"From: n@example.org\r\nSubject: Por IDLE\r\n"
                    b"Message-ID: <idle@bodies.example.org>\r\n\r\nLleva remolacha.\r\n")
        imap.logout()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not found("reciente", "remolacha"):
            time.sleep(0.2)
        hits = found("reciente", "remolacha")
        check("--watch: a new message's body is cached (searchable offline) within seconds",
              [m["subject"] for m in hits or []] == ["Por IDLE"], repr(hits))
        w.send_signal(signal.SIGTERM)
        try:
            out, err = w.communicate(timeout=30)
            check("--watch: SIGTERM ends it, exit 0", w.returncode == 0, err.decode()[-800:])
        except subprocess.TimeoutExpired:
            w.kill()
            check("--watch: SIGTERM ends it, exit 0", False, "still running 30 s later")

        r = buzon("--help")
        check("--help documents --bodies, --prefetch-days and the folder field",
              "--bodies" in r.stdout and "--prefetch-days" in r.stdout
              and "uid, folder, folder_id" in r.stdout,
              "")
    finally:
        servers("stop", d, "--remove")

tap.finish()
