#!/usr/bin/env python3
# The demo mailbox as scripts/run-demo serves it: every folder, message and
# flag of data/demo reaches the private Dovecot, in date order.
# SPDX-License-Identifier: GPL-3.0-or-later

import imaplib
import os
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage

source_root = os.environ["BUZON_SOURCE_ROOT"]
support = os.environ["BUZON_TEST_SUPPORT"]
demo = os.path.join(source_root, "data", "demo")
script = os.path.join(support, "mail-servers")


def expected():
    folders = {}
    with open(os.path.join(demo, "flags.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            path, *flags = line.split()
            folder, _ = path.split("/", 1)
            folders.setdefault(folder, []).append(set(x for x in flags if x != "-"))
    return folders


def main():
    want = expected()
    assert set(want) >= {"INBOX", "Sent", "Drafts", "Archive"}, want.keys()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="buzon-demo-test-") as tmp:
        os.chmod(tmp, 0o755)
        d = os.path.join(tmp, "servers")
        out = subprocess.run([sys.executable, script, "start", d, "--owner-pid", str(os.getpid()),
                              "--maildir-from", demo, "--maildir-user", "ana"],
                             check=True, stdout=subprocess.PIPE, text=True).stdout
        env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        try:
            ctx = ssl.create_default_context(cafile=env["BUZON_TEST_CA_FILE"])
            imap = imaplib.IMAP4_SSL("localhost", int(env["BUZON_TEST_IMAPS_PORT"]),
                                     ssl_context=ctx)
            imap.login("ana", "ana" + env["BUZON_TEST_PASSWORD_SUFFIX"])
            tests = 0
            for folder, messages in sorted(want.items()):
                tests += 1
                typ, data = imap.status(folder, "(MESSAGES UNSEEN)")
                status = data[0].decode()
                unseen = sum(1 for m in messages if "\\Seen" not in m)
                wanted = f"(MESSAGES {len(messages)} UNSEEN {unseen})"
                ok = typ == "OK" and status.endswith(wanted)
                print(f"{'ok' if ok else 'not ok'} {tests} - {folder}: {status} wants {wanted}")
                failures += not ok

                tests += 1
                imap.select(folder, readonly=True)
                typ, data = imap.uid("SEARCH", None, "FLAGGED")
                flagged = len(data[0].split())
                typ, dates = imap.uid("FETCH", "1:*", "(INTERNALDATE)")
                stamps = [imaplib.Internaldate2tuple(x) for x in dates if x]
                ordered = stamps == sorted(stamps)
                want_flagged = sum(1 for m in messages if "\\Flagged" in m)
                ok = flagged == want_flagged and ordered and len(stamps) == len(messages)
                print(f"{'ok' if ok else 'not ok'} {tests} - {folder}: {flagged} flagged "
                      f"(wants {want_flagged}), dates in UID order: {ordered}")
                failures += not ok
            # The demo round trip: Ana writes to herself through authenticated
            # submission and the message lands in the demo Inbox.
            tests += 1
            message = EmailMessage()
            message["From"] = "Ana García <ana@example.test>"
            message["To"] = "ana@example.test"
            message["Subject"] = "Prueba de ida y vuelta"
            message["Message-ID"] = "<round-trip@example.test>"
            message.set_content("¿Llega?\n")
            with smtplib.SMTP_SSL("localhost", int(env["BUZON_TEST_SUBMISSIONS_PORT"]),
                                  context=ctx) as smtp:
                smtp.login("ana", "ana" + env["BUZON_TEST_PASSWORD_SUFFIX"])
                smtp.send_message(message)
            found = False
            deadline = time.monotonic() + 20
            while not found and time.monotonic() < deadline:
                imap.select("INBOX", readonly=True)
                typ, data = imap.uid("SEARCH", None, "HEADER", "Message-ID",
                                     "<round-trip@example.test>")
                found = typ == "OK" and bool(data[0].split())
                if not found:
                    time.sleep(0.05)
            print(f"{'ok' if found else 'not ok'} {tests} - a message Ana submits reaches her "
                  f"demo Inbox")
            failures += not found
            imap.logout()
            print(f"1..{tests}")
        finally:
            subprocess.run([sys.executable, script, "stop", d, "--remove"], check=True)
    sys.exit(1 if failures else 0)


main()
