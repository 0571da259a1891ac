#!/usr/bin/env python3
# buzon-cli draft against the fixture's Dovecot: a draft saved lands in
# Drafts with \Draft and \Seen and its Bcc line, and the UID printed is its
# UID there; saved again with --replace, Drafts holds exactly one copy, the
# new one, whose To, Subject, text and attachment bytes read back as
# written (by another client, and by buzon-cli show after a sync); a copy
# another device deleted is no error to replace or discard; --discard
# leaves none; and with the Drafts folder deleted on the server, saving
# fails with a clear error and makes no folder.
# SPDX-License-Identifier: GPL-3.0-or-later

import contextlib
import email
import email.policy
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # Nothing written into the source tree.
from cli_test_support import Tap, other_client, servers, running_servers

cli = sys.argv[1]
tap = Tap()
check = tap.check

SUBJECT = "Borrador: ¿reunión el jueves? Καλημέρα 你好 ✈️"


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


with tempfile.TemporaryDirectory(prefix="buzon-cli-draft-") as tmp, \
        contextlib.ExitStack() as stack:
    os.chmod(tmp, 0o755)
    d = os.path.join(tmp, "servers")
    env = stack.enter_context(running_servers(d))
    run_env = dict(os.environ, LC_ALL="C.UTF-8", XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                   XDG_DATA_HOME=os.path.join(tmp, "data"))
    pin = "SHA256:" + env["BUZON_TEST_CERT_SHA256"]

    def buzon(*args, stdin_text="", timeout=120):
        return subprocess.run([cli, *args], env=run_env, capture_output=True, text=True,
                              input=stdin_text, timeout=timeout)

    def drafts():
        """Every message in alice's Drafts: uid -> (flags, parsed message)."""
        imap = other_client(env)
        found = {}
        typ, count = imap.select("Drafts", readonly=True)
        if typ == "OK" and int(count[0]) > 0:
            typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                flags = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode()
                found[uid] = (flags, email.message_from_bytes(item[1],
                                                              policy=email.policy.default))
        imap.logout()
        return found

    r = buzon("account", "add", "demo", "--email", "alice@example.test", "--display-name",
              "Alicia Pérez", "--imap", f"imaps://alice@127.0.0.1:{env['BUZON_TEST_IMAPS_PORT']}",
              "--smtp", f"submissions://alice@127.0.0.1:{env['BUZON_TEST_SUBMISSIONS_PORT']}",
              "--password-command", "printf '%s\\n' alice-secret", "--trust-cert", pin)
    check("account add", r.returncode == 0, repr(r))

    # Never synced: the folder is asked of the server.
    r = buzon("draft", "demo", "--to", "bob@example.test", "--subject", "Sin sincronizar",
              stdin_text="Antes de la primera sincronización.\n")
    first = int(r.stdout) if r.returncode == 0 and r.stdout.strip().isdigit() else None
    check("an account never synced saves its draft, and prints its UID", first is not None,
          repr(r))
    check("the draft is in Drafts under that UID", first in drafts(), drafts().keys())
    r = buzon("draft", "demo", "--discard", str(first))
    check("discard: exit 0", r.returncode == 0, repr(r))
    check("discard leaves Drafts empty", drafts() == {}, drafts().keys())

    r = buzon("sync", "demo")
    check("sync: the cache knows Drafts", r.returncode == 0, repr(r))

    attachment = os.path.join(tmp, "Presupuesto año ñ.bin")
    data = bytes((i * 7919 + (i >> 11)) & 0xff for i in range(300 * 1024))
    with open(attachment, "wb") as f:
        f.write(data)
    body = ("Hola Bob:\n\n" + " ".join(["¿Qué te parece el jueves a las diez?"] * 8)
            + "\n\n-- \nAlicia\n")
    r = buzon("draft", "demo", "--to", "Bob Núñez <bob@example.test>", "--cc",
              "carol@example.test", "--bcc", "jefa@example.test", "--subject", SUBJECT,
              "--attach", attachment, stdin_text=body)
    uid = int(r.stdout) if r.returncode == 0 and r.stdout.strip().isdigit() else None
    check("draft: exit 0, the UID alone on stdout", uid is not None, repr(r))
    saved = drafts()
    check("Drafts holds it, under the UID printed", list(saved) == [uid], saved.keys())
    if uid in saved:
        flags, message = saved[uid]
        check("with \\Draft and \\Seen", "\\Draft" in flags and "\\Seen" in flags, flags)
        check("the Bcc kept in the Drafts copy", "jefa@example.test" in str(message["bcc"]),
              message["bcc"])
        first_message_id = message["message-id"]

    # Saved again, as a composer does after an edit.
    body2 = body.replace("jueves", "viernes")
    r = buzon("draft", "demo", "--to", "Bob Núñez <bob@example.test>", "--cc",
              "carol@example.test", "--bcc", "jefa@example.test", "--subject", SUBJECT + " (2)",
              "--attach", attachment, "--replace", str(uid), stdin_text=body2)
    uid2 = int(r.stdout) if r.returncode == 0 and r.stdout.strip().isdigit() else None
    check("draft --replace: exit 0, a new UID", uid2 is not None and uid2 != uid, repr(r))
    saved = drafts()
    check("Drafts holds exactly one copy, the new one", list(saved) == [uid2], saved.keys())
    if uid2 in saved:
        flags, message = saved[uid2]
        text = message.get_body(preferencelist=("plain",))
        parts = {p.get_filename(): p.get_content() for p in message.iter_attachments()}
        check("its To and Subject read back as written",
              message["subject"] == SUBJECT + " (2)" and "Bob Núñez" in str(message["to"])
              and "bob@example.test" in str(message["to"])
              and "carol@example.test" in str(message["cc"]),
              (message["subject"], message["to"], message["cc"]))
        check("its text reads back as written",
              unflow(text.get_content()).rstrip("\n") == body2.rstrip("\n"),
              repr(text.get_content()[:300]))
        check("its attachment decodes to the same bytes under its name",
              parts.get("Presupuesto año ñ.bin") == data, {k: len(v) for k, v in parts.items()})

    # Buzón reads its own draft back.
    r = buzon("sync", "demo")
    check("sync after the saves", r.returncode == 0, repr(r))
    r = buzon("show", "demo", "Drafts", str(uid2))
    check("buzon-cli show reads the draft back: subject, text, attachment",
          r.returncode == 0 and SUBJECT + " (2)" in r.stdout and "viernes" in r.stdout
          and "Presupuesto año ñ.bin" in r.stdout, repr(r)[:1500])
    r = buzon("list", "demo", "Drafts")
    check("the cache lists one draft", r.returncode == 0 and len(r.stdout.splitlines()) == 1,
          repr(r))

    # Another device deletes the copy; replacing it is no error.
    imap = other_client(env)
    imap.select("Drafts")
    imap.uid("STORE", str(uid2), "+FLAGS", "(\\Deleted)")
    imap.expunge()
    imap.logout()
    r = buzon("draft", "demo", "--to", "bob@example.test", "--subject", "Tercera versión",
              "--replace", str(uid2), stdin_text="Otra vez.\n")
    uid3 = int(r.stdout) if r.returncode == 0 and r.stdout.strip().isdigit() else None
    check("replacing a copy another device deleted: exit 0", uid3 is not None, repr(r))
    saved = drafts()
    check("and Drafts holds the new copy alone", list(saved) == [uid3], saved.keys())

    r = buzon("draft", "demo", "--discard", str(uid3))
    check("discard: exit 0, says so", r.returncode == 0 and str(uid3) in r.stdout, repr(r))
    check("discard leaves no copy", drafts() == {}, drafts().keys())
    r = buzon("draft", "demo", "--discard", str(uid3))
    check("discarding a copy already gone: exit 0", r.returncode == 0, repr(r))

    for args in (["draft", "demo", "--discard", "abc"], ["draft", "demo", "--replace", "0"],
                 ["draft", "demo", "--discard", "3", "--subject", "x"], ["draft"]):
        r = buzon(*args)
        check(f"{' '.join(args)}: usage, exit 2", r.returncode == 2, repr(r))

    # The Drafts folder deleted on the server. The fixture's Dovecot makes
    # it again when asked for it (auto = subscribe): the test's own copy of
    # the configuration stops that, and Dovecot restarts with it.
    conf = os.path.join(d, "dovecot.conf")
    with open(conf) as f:
        text = f.read()
    block = "mailbox Drafts {\n    special_use = \\Drafts\n    auto = subscribe\n"
    check("the fixture's Drafts block is as expected", block in text, text[-1500:])
    with open(conf, "w") as f:
        f.write(text.replace(block, block.replace("auto = subscribe", "auto = no")))
    servers("stop-imap", d)
    servers("start-imap", d)
    imap = other_client(env)
    typ, _ = imap.delete("Drafts")
    typ, listed = imap.list()
    imap.logout()
    check("Drafts is gone from the server", typ == "OK"
          and not any(b"Drafts" in line for line in listed), listed)
    r = buzon("draft", "demo", "--to", "bob@example.test", "--subject", "Sin carpeta",
              stdin_text="No hay dónde.\n")
    check("saving without a Drafts folder: exit 1, a clear error",
          r.returncode == 1 and r.stdout == "" and "no Drafts folder" in r.stderr, repr(r))
    imap = other_client(env)
    typ, listed = imap.list()
    imap.logout()
    check("and no folder was made", not any(b"Drafts" in line for line in listed), listed)

tap.finish()
