#!/usr/bin/env python3
# buzon-cli send and outbox against the fixture's Dovecot (submission,
# relaying through exim, delivering over LMTP): a message arrives as meant
# (non-ASCII subject, names and text; format=flowed; attachments that decode
# to the same bytes under their names; Bcc recipients get it and nobody sees
# them) and a copy with \Seen and the Bcc line is in the sender's Sent; 50
# recipients; an 8 MiB attachment; --html, --reply-to and --receipt. The
# failures a user meets, each with its status and the message kept: SIZE
# exceeded, a refused recipient among accepted ones, a wrong password, the
# server down, the connection cut in the middle of DATA. The undo window
# (Ctrl+C, and outbox --cancel from elsewhere) sends nothing; a message for
# later waits and goes with the first run after its time. And buzon-cli
# killed (SIGKILL) at each step of the way (waiting, connecting, ending
# DATA, accepted, saving in Sent): on restart the message goes once, or is
# in Sent once, and is never delivered twice.
# SPDX-License-Identifier: GPL-3.0-or-later

import contextlib
import email
import email.policy
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # Nothing written into the source tree.
from cli_test_support import FaultProxy, Tap, other_client, running_servers

cli = sys.argv[1]
tap = Tap()
check = tap.check

SPANISH = "¿Qué tal, señor Núñez? Mañana llegaré pronto."
GREEK = "Καλημέρα κόσμε, τι κάνεις;"
CJK = "你好，世界。こんにちは。"
EMOJI = "Buen viaje ✈️😀🎉"


def unflow(text):
    """RFC 3676 undone: a line that ends in a space goes on in the next."""
    out, line = [], ""
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw.startswith(" "):
            raw = raw[1:]
        if raw.endswith(" ") and raw != "-- ":
            line += raw
        else:
            out.append(line + raw)
            line = ""
    return "\n".join(out)


with tempfile.TemporaryDirectory(prefix="buzon-cli-send-") as tmp, \
        contextlib.ExitStack() as stack:
    os.chmod(tmp, 0o755)
    d = os.path.join(tmp, "servers")
    env = stack.enter_context(running_servers(d))
    run_env = dict(os.environ, LC_ALL="C.UTF-8", XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                   XDG_DATA_HOME=os.path.join(tmp, "data"))
    pin = "SHA256:" + env["BUZON_TEST_CERT_SHA256"]
    imaps = int(env["BUZON_TEST_IMAPS_PORT"])
    submissions = int(env["BUZON_TEST_SUBMISSIONS_PORT"])

    def buzon(*args, stdin_text="", timeout=120):
        return subprocess.run([cli, *args], env=run_env, capture_output=True, text=True,
                              input=stdin_text, timeout=timeout)

    def add_account(name, imap_port=imaps, smtp_port=submissions, password="alice-secret",
                    undo="0"):
        r = buzon("account", "add", name, "--email", "alice@example.test",
                  "--display-name", "Alicia Pérez Ñúñez", "--imap",
                  f"imaps://alice@127.0.0.1:{imap_port}", "--smtp",
                  f"submissions://alice@127.0.0.1:{smtp_port}", "--password-command",
                  f"printf '%s\\n' {password}", "--trust-cert", pin, "--undo-seconds", undo)
        check(f"account add {name}", r.returncode == 0, repr(r))

    def cache(name):
        return os.path.join(tmp, "data", "buzon", name, "cache.db")

    def outbox_states(name):
        """id -> state number, read from the cache as the CLI writes it."""
        try:
            with sqlite3.connect(cache(name), timeout=5) as db:
                return dict(db.execute("SELECT id, state FROM outbox"))
        except sqlite3.OperationalError:
            return {}

    def outbox(name):
        r = buzon("outbox", name, "--json")
        return json.loads(r.stdout) if r.returncode == 0 else [{"error": r.stderr}]

    def delivered(user, subject, folder="INBOX", expect=1):
        """The messages with @subject in @user's @folder, (flags, parsed message)
        each, once @expect of them are there (exim delivers a moment after it
        accepts) or 15 s went by; a little later, so that a copy too many
        would be seen too. expect=0 waits two seconds for copies that must
        not come."""
        deadline = time.monotonic() + (15 if expect else 2)
        while True:
            found = look_up(user, subject, folder)
            if (expect and len(found) >= expect) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if expect:
            time.sleep(0.3)
            found = look_up(user, subject, folder)
        return found

    def look_up(user, subject, folder):
        imap = other_client(env, user)
        typ, count = imap.select(f'"{folder}"', readonly=True)
        found = []
        if int(count[0]) > 0:
            typ, data = imap.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                header = email.message_from_bytes(item[1], policy=email.policy.default)
                if header["subject"] != subject:
                    continue
                number = item[0].split()[0]
                typ, full = imap.fetch(number, "(FLAGS BODY.PEEK[])")
                found.append((full[0][0].decode(),
                              email.message_from_bytes(full[0][1], policy=email.policy.default)))
        imap.logout()
        return found

    def popen_send(name, subject, *more):
        """buzon-cli send running, its text from a file."""
        text = os.path.join(tmp, "text.txt")
        with open(text, "w") as f:
            f.write("Una vez.\n")
        with open(text) as stdin:
            return subprocess.Popen([cli, "send", name, "--to", "bob@example.test", "--subject",
                                     subject, *more], env=run_env, stdin=stdin,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_for(predicate, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.005)
        return predicate()

    add_account("demo")
    r = buzon("sync", "demo")
    check("sync: the folders are known, Sent among them", r.returncode == 0, repr(r))

    # A message as a user writes it, with two attachments.
    attachment = os.path.join(tmp, "Informe año 2026 ñ.bin")
    big = bytes((i * 7919 + (i >> 13)) & 0xff for i in range(8 * 1024 * 1024))
    with open(attachment, "wb") as f:
        f.write(big)
    note = os.path.join(tmp, "nota.txt")
    with open(note, "w") as f:
        f.write("Una nota.\n")
    long_paragraph = " ".join([SPANISH, GREEK, CJK, EMOJI] * 6)
    body = f"Hola Bob:\n\n{long_paragraph}\n\n> Una cita\n\n-- \nAlicia\n"
    subject = f"Informe {GREEK} {CJK} {EMOJI}"
    r = buzon("send", "demo", "--to", "Bob Núñez <bob@example.test>", "--bcc",
              "carol@example.test", "--subject", subject, "--attach", attachment, "--attach",
              note, stdin_text=body)
    check("send: exit 0, says it was sent", r.returncode == 0 and "Sent message" in r.stdout,
          repr(r))
    got = delivered("bob", subject)
    check("bob got it once", len(got) == 1, got)
    if got:
        message = got[0][1]
        text = message.get_body(preferencelist=("plain",))
        parts = {p.get_filename(): p.get_content() for p in message.iter_attachments()}
        check("the subject and the sender's name arrive as written",
              message["subject"] == subject and "Alicia Pérez Ñúñez" in str(message["from"]),
              (message["subject"], message["from"]))
        check("the text is format=flowed and reads back as written",
              text.get_param("format") == "flowed"
              and unflow(text.get_content()) == body.rstrip("\n").replace("\r\n", "\n")
              or unflow(text.get_content()).rstrip("\n") == body.rstrip("\n"),
              repr(text.get_content()[:400]))
        check("the attachments decode to the same bytes under their names",
              parts.get("Informe año 2026 ñ.bin") == big
              and parts.get("nota.txt") in ("Una nota.\n", b"Una nota.\n"),
              {k: len(v) for k, v in parts.items()})
        check("nobody sees the Bcc", message["bcc"] is None
              and b"carol" not in message.as_bytes(), message.keys())
    check("the Bcc recipient got it", len(delivered("carol", subject)) == 1)
    sent = delivered("alice", subject, "Sent")
    check("a copy is in Sent, read, with the Bcc line", len(sent) == 1
          and "\\Seen" in sent[0][0] and "carol@example.test" in str(sent[0][1]["bcc"]),
          [(f, m["bcc"]) for f, m in sent])
    check("the outbox is empty after", outbox("demo") == [], outbox("demo"))

    # 50 recipients: every one gets it.
    recipients = [f"bob+{i}@example.test" for i in range(49)] + ["carol@example.test"]
    args = []
    for address in recipients:
        args += ["--to", address]
    r = buzon("send", "demo", *args, "--subject", "Cincuenta", stdin_text="A todos.\n")
    check("50 recipients: exit 0", r.returncode == 0, repr(r))
    counts = (len(delivered("bob", "Cincuenta", expect=49)), len(delivered("carol", "Cincuenta")))
    check("50 recipients: bob's 49 addresses and carol each got it", counts == (49, 1), counts)

    # A refused recipient among accepted ones.
    r = buzon("send", "demo", "--to", "bob@example.test", "--to", "nadie@elsewhere.invalid",
              "--subject", "En parte", stdin_text="Hola.\n")
    items = outbox("demo")
    check("a refused recipient: status 6, sent to the others, the refusal quoted",
          r.returncode == 6 and "not to everybody" in r.stdout and "nadie@elsewhere.invalid"
          in r.stderr, repr(r))
    check("a refused recipient: bob got it, Sent has it once",
          len(delivered("bob", "En parte")) == 1
          and len(delivered("alice", "En parte", "Sent")) == 1)
    check("a refused recipient: the outbox keeps it for that address only, refused",
          len(items) == 1 and items[0]["state"] == "failed"
          and items[0]["recipients"] == ["nadie@elsewhere.invalid"] and items[0]["sent_saved"]
          and "5" in (items[0]["last_error"] or ""), items)
    if items and "id" in items[0]:
        r = buzon("outbox", "demo", "--cancel", str(items[0]["id"]))
        check("outbox --cancel removes it", r.returncode == 0 and outbox("demo") == [],
              repr(r))

    # Too big for the server (SIZE 40M): refused before anything goes.
    huge = os.path.join(tmp, "huge.bin")
    with open(huge, "wb") as f:
        f.write(os.urandom(31 * 1024 * 1024))
    r = buzon("send", "demo", "--to", "bob@example.test", "--subject", "Enorme", "--attach",
              huge, stdin_text="Pesa.\n")
    items = outbox("demo")
    check("too big: status 6, says so, kept in the outbox as refused",
          r.returncode == 6 and "too big" in r.stderr and len(items) == 1
          and items[0]["state"] == "failed", (repr(r), items))
    check("too big: nothing delivered", delivered("bob", "Enorme", expect=0) == [])
    for item in items:
        buzon("outbox", "demo", "--cancel", str(item["id"]))
    os.unlink(huge)

    # A wrong password: status 5, kept for a retry.
    add_account("wrong", password="not-the-password")
    r = buzon("send", "wrong", "--to", "bob@example.test", "--subject", "Clave mala",
              stdin_text="x\n")
    items = outbox("wrong")
    check("wrong password: status 5, kept, queued for a retry",
          r.returncode == 5 and len(items) == 1 and items[0]["state"] == "queued"
          and items[0]["attempts"] == 1 and items[0]["last_error"], (repr(r), items))
    check("wrong password: nothing delivered", delivered("bob", "Clave mala", expect=0) == [])

    # The server down when sending, then back: retried, sent once.
    proxy = FaultProxy(submissions)
    port = proxy.port
    add_account("down", smtp_port=port)
    proxy.stop()
    r = buzon("send", "down", "--to", "bob@example.test", "--subject", "Caído",
              stdin_text="x\n")
    items = outbox("down")
    check("server down: status 3, queued with the reason", r.returncode == 3 and len(items) == 1
          and items[0]["state"] == "queued" and items[0]["last_error"], (repr(r), items))
    proxy = FaultProxy(submissions, port=port)
    r = buzon("outbox", "down", "--retry", str(items[0]["id"])) if items else None
    check("server back: outbox --retry sends it", r is not None and r.returncode == 0
          and outbox("down") == [] and len(delivered("bob", "Caído")) == 1, repr(r))
    proxy.stop()

    # The connection cut in the middle of DATA (2 MB in): not delivered,
    # kept, then sent once.
    proxy = FaultProxy(submissions, "--drop-after-bytes", "2000000-2100000",
                       "--faulty-connections", "1")
    add_account("cut", smtp_port=proxy.port)
    r = buzon("send", "cut", "--to", "bob@example.test", "--subject", "Cortado", "--attach",
              attachment, stdin_text="x\n")
    items = outbox("cut")
    check("cut during DATA: status 3, queued, nothing delivered",
          r.returncode == 3 and len(items) == 1 and items[0]["state"] == "queued"
          and delivered("bob", "Cortado", expect=0) == [], (repr(r), items))
    r = buzon("outbox", "cut", "--retry", str(items[0]["id"])) if items else None
    check("cut during DATA: a retry delivers it once", r is not None and r.returncode == 0
          and len(delivered("bob", "Cortado")) == 1, repr(r))
    proxy.stop()

    # Undo: Ctrl+C within the window, and outbox --cancel from elsewhere.
    add_account("undo", undo="3")
    p = popen_send("undo", "Deshecho")
    wait_for(lambda: outbox_states("undo"))
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    check("Ctrl+C in the undo window: status 1, taken back", p.returncode == 1
          and "Taken back" in err, (p.returncode, out, err))
    p = popen_send("undo", "Deshecho")
    ids = wait_for(lambda: list(outbox_states("undo")))
    r = buzon("outbox", "undo", "--cancel", str(ids[0])) if ids else None
    out, err = p.communicate(timeout=30)
    check("outbox --cancel in the window: the sender says taken back",
          r is not None and r.returncode == 0 and p.returncode == 1 and "Taken back" in err,
          (repr(r), p.returncode, out, err))
    time.sleep(1)
    check("undone: nothing delivered, the outbox empty",
          delivered("bob", "Deshecho", expect=0) == [] and outbox("undo") == [])

    # Send later, across a restart: queued, not sent before its time, sent
    # by the first run after it. Ten seconds: the commands before its time
    # take three or more under ASan on a loaded machine (CI, 2026-12-03).
    later = time.monotonic() + 10
    r = buzon("send", "demo", "--to", "bob@example.test", "--subject", "Más tarde", "--at",
              "+10s", stdin_text="Luego.\n")
    items = outbox("demo")
    check("send --at: exit 0 at once, queued for later", r.returncode == 0
          and "will be sent at" in r.stdout and len(items) == 1 and items[0]["send_later"],
          (repr(r), items))
    r = buzon("outbox", "demo", "--send")
    check("send --at: not sent before its time", r.returncode == 0
          and delivered("bob", "Más tarde", expect=0) == [] and len(outbox("demo")) == 1
          and time.monotonic() < later, repr(r))
    time.sleep(max(0.0, later + 0.5 - time.monotonic()))
    r = buzon("sync", "demo")
    check("send --at: sent by the first sync after its time, once", r.returncode == 0
          and len(delivered("bob", "Más tarde")) == 1 and outbox("demo") == []
          and len(delivered("alice", "Más tarde", "Sent")) == 1, repr(r))
    for args in (["outbox", "demo", "--retry"], ["outbox"], ["send", "demo", "--to", "x"],
                 ["send", "demo", "--raw", "x.eml", "--to", "bob@example.test"],
                 # The file goes as it is: these would be dropped, not applied.
                 ["send", "demo", "--raw", "x.eml", "--reply-to", "bob@example.test"],
                 ["send", "demo", "--raw", "x.eml", "--receipt"],
                 ["send", "demo", "--to", "bob@example.test", "--subject", "s", "--at",
                  "mañana"]):
        r = buzon(*args)
        check(f"{' '.join(args)}: usage, status 2", r.returncode == 2 and "Usage" in r.stderr,
              repr(r))

    # --raw: the message as it is; Bcc kept out of what is sent.
    raw = os.path.join(tmp, "raw.eml")
    with open(raw, "w") as f:
        f.write("From: Alicia <alice@example.test>\nTo: bob@example.test\n"
                "Bcc: carol@example.test\nSubject: Crudo\nMessage-ID: <crudo@example.test>\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nTal cual.\n")
    r = buzon("send", "demo", "--raw", raw)
    got = delivered("bob", "Crudo")
    check("--raw: sent as it is, Bcc to carol but not in the bytes", r.returncode == 0
          and len(got) == 1 and got[0][1]["bcc"] is None
          and got[0][1]["message-id"] == "<crudo@example.test>"
          and len(delivered("carol", "Crudo")) == 1, (repr(r), got))

    # --html and --reply-to: the page read from its file as the HTML
    # alternative of the text, and the Reply-To answers go to.
    page = os.path.join(tmp, "página.html")
    with open(page, "w") as f:
        f.write("<p>Hola <b>Bob</b>, ¿qué tal?</p>\n")
    r = buzon("send", "demo", "--to", "bob@example.test", "--subject", "Con HTML", "--html", page,
              "--reply-to", "Equipo Núñez <equipo@example.test>", stdin_text="Hola Bob.\n")
    got = delivered("bob", "Con HTML")
    html = got[0][1].get_body(preferencelist=("html",)) if got else None
    plain = got[0][1].get_body(preferencelist=("plain",)) if got else None
    check("--html, --reply-to: the page and the text arrive, answers go to Reply-To",
          r.returncode == 0 and len(got) == 1 and html is not None and plain is not None
          and "<b>Bob</b>, ¿qué tal?" in html.get_content()
          and "Hola Bob." in plain.get_content()
          and "equipo@example.test" in str(got[0][1]["reply-to"])
          and "Equipo Núñez" in str(got[0][1]["reply-to"]), (repr(r), got))
    # --receipt: the outbox keeps the request (a delivery notification
    # asked of the server); sent later, so that it can be seen, then taken back.
    r = buzon("send", "demo", "--to", "bob@example.test", "--subject", "Con acuse", "--receipt",
              "--at", "+1d", stdin_text="Acúseme recibo.\n")
    items = outbox("demo")
    check("--receipt: kept in the outbox with the receipt asked for", r.returncode == 0
          and len(items) == 1 and items[0].get("receipt") is True
          and items[0].get("subject") == "Con acuse", (repr(r), items))
    if items and "id" in items[0]:
        buzon("outbox", "demo", "--cancel", str(items[0]["id"]))
    check("--receipt: taken back, the outbox empty again", outbox("demo") == [], outbox("demo"))

    # Killed (SIGKILL) at each step, then run again.
    def killed_at(name, state, subject, restart=None, attach=None):
        """Sends @subject from account @name, kills buzon-cli once the
        outbox says @state, runs restart() and then outbox --send; returns
        the outbox after."""
        p = popen_send(name, subject, *(["--attach", attach] if attach else []))
        seen = wait_for(lambda: state in outbox_states(name).values(), 30)
        p.kill()
        p.communicate()
        check(f"killed at {subject}: the outbox reached that state first", seen,
              outbox_states(name))
        if restart:
            restart()
        r = buzon("outbox", name, "--send")
        return r, outbox(name)

    # Waiting in the undo window.
    r, items = killed_at("undo", 0, "Muerto esperando")
    time.sleep(3)
    r = buzon("outbox", "undo", "--send")
    check("killed while waiting: sent once by the next run", r.returncode == 0
          and len(delivered("bob", "Muerto esperando")) == 1 and outbox("undo") == []
          and len(delivered("alice", "Muerto esperando", "Sent")) == 1, repr(r))

    # Connecting: the server answers nothing.
    stall = FaultProxy(submissions, "--stall", "1/600")
    stall_port = stall.port
    add_account("stall", smtp_port=stall_port)

    def unstall():
        global stall
        stall.stop()
        stall = FaultProxy(submissions, port=stall_port)

    r, items = killed_at("stall", 1, "Muerto conectando", unstall)
    check("killed while connecting: sent once on restart", r.returncode == 0 and items == []
          and len(delivered("bob", "Muerto conectando")) == 1
          and len(delivered("alice", "Muerto conectando", "Sent")) == 1, (repr(r), items))
    stall.stop()

    # Ending DATA: the server may have it, so it is not sent again.
    slow = FaultProxy(submissions, "--latency-ms", "600")
    add_account("slow", smtp_port=slow.port)
    r, items = killed_at("slow", 2, "Muerto al final")
    time.sleep(2)
    copies = len(delivered("bob", "Muerto al final"))
    check("killed ending DATA: uncertain, never sent twice",
          len(items) == 1 and items[0]["state"] == "uncertain" and copies <= 1
          and "may have been" in (items[0]["last_error"] or ""), (items, copies))
    slow.stop()

    # Accepted, the Sent copy not made yet: the IMAP server answers nothing.
    imap_stall = FaultProxy(imaps, "--stall", "1/600")
    imap_port = imap_stall.port
    add_account("copy", imap_port=imap_port)

    def imap_unstall():
        global imap_stall
        imap_stall.stop()
        imap_stall = FaultProxy(imaps, port=imap_port)

    r, items = killed_at("copy", 3, "Muerto aceptado", imap_unstall)
    check("killed once accepted: delivered once, saved in Sent once on restart",
          r.returncode == 0 and items == [] and len(delivered("bob", "Muerto aceptado")) == 1
          and len(delivered("alice", "Muerto aceptado", "Sent")) == 1, (repr(r), items))
    imap_stall.stop()

    # Saving in Sent: the APPEND may or may not have reached the server.
    imap_slow = FaultProxy(imaps, "--latency-ms", "600")
    imap_slow_port = imap_slow.port
    add_account("saving", imap_port=imap_slow_port)
    r, items = killed_at("saving", 4, "Muerto guardando")
    check("killed saving in Sent: delivered once, in Sent once after the restart",
          r.returncode == 0 and items == [] and len(delivered("bob", "Muerto guardando")) == 1
          and len(delivered("alice", "Muerto guardando", "Sent")) == 1, (repr(r), items))
    imap_slow.stop()

tap.finish()
