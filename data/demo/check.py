#!/usr/bin/env python3
"""Validate the Buzón demo mailbox in data/demo/ (standard library only).

Usage:
    python3 data/demo/check.py          # validate the files on disk
    python3 data/demo/check.py -v       # also print one line per message

Checks: file layout and names; raw format (LF line endings, 7-bit clean,
lines <= 998 octets); every message parses with email.policy.default without
defects; required headers; unique, well-formed Message-IDs; In-Reply-To and
References point to messages in the set; dates within the demo window; only
reserved example.* domains (headers and bodies); every MIME leaf decodes
(strict base64, text charsets, PNG CRCs, PDF xref, iCalendar structure);
cid: references resolve; flags.txt and the .eml files match one to one.
Exit status 0 when everything passes.
"""

import base64
import binascii
import datetime as dt
import email
import email.policy
import re
import struct
import sys
import zlib
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
FOLDERS = ("INBOX", "Sent", "Archive", "Drafts", "Proyectos")
REQUIRED = ("From", "To", "Date", "Message-ID", "Subject")
ALLOWED_FLAGS = {"\\Seen", "\\Flagged", "\\Answered", "\\Draft"}
NAME_RE = re.compile(r"^\d{3}-[a-z0-9]+(?:-[a-z0-9]+)*\.eml$")
MSGID_RE = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
DOMAIN_OK = re.compile(r"^(?:[a-z0-9-]+\.)*example\.(?:test|org|com)$")
WINDOW = (dt.datetime(2026, 11, 5, tzinfo=dt.timezone.utc),
          dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc))
ADDR_IN_TEXT = re.compile(r"[\w.+-]+@([A-Za-z0-9.-]+[A-Za-z0-9])")
URL_IN_TEXT = re.compile(r"\b(?:https?|ftp)://([A-Za-z0-9.-]+)", re.I)
ADDRESS_HEADERS = ("From", "To", "Cc", "Bcc", "Reply-To", "Sender")

errors = []


def err(where, text):
    errors.append("%s: %s" % (where, text))


def check_png(where, data):
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return err(where, "not a PNG")
    pos, kinds, idat = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            err(where, "PNG chunk %r bad CRC" % kind)
        if kind == b"IDAT":
            idat += body
        kinds.append(kind)
        pos += 12 + length
    if kinds[0] != b"IHDR" or kinds[-1] != b"IEND":
        err(where, "PNG chunk order")
    w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
    raw = zlib.decompress(idat)
    bpp = {3: 1, 2: 3, 6: 4, 0: 1}[ctype]
    if len(raw) != h * (1 + w * bpp) or depth != 8:
        err(where, "PNG image data size mismatch")


def check_pdf(where, data):
    if not data.startswith(b"%PDF-1.") or not data.rstrip().endswith(b"%%EOF"):
        return err(where, "PDF header/trailer missing")
    m = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    if not m or data[int(m.group(1)):int(m.group(1)) + 4] != b"xref":
        return err(where, "PDF startxref does not point at xref")
    xref = int(m.group(1))
    entries = re.findall(rb"(\d{10}) (\d{5}) n \n", data[xref:])
    for n, (off, _gen) in enumerate(entries, 1):
        if not data[int(off):].startswith(b"%d 0 obj" % n):
            err(where, "PDF xref entry %d is wrong" % n)


def check_ics(where, text):
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    lines = [l for l in unfolded.replace("\r\n", "\n").split("\n") if l]
    if lines[0] != "BEGIN:VCALENDAR" or lines[-1] != "END:VCALENDAR":
        err(where, "iCalendar not wrapped in VCALENDAR")
    names = [l.split(":", 1)[0].split(";", 1)[0] for l in lines]
    for need in ("VERSION", "PRODID", "METHOD", "UID", "DTSTAMP", "DTSTART",
                 "ORGANIZER", "ATTENDEE", "SUMMARY"):
        if need not in names:
            err(where, "iCalendar lacks %s" % need)
    if "BEGIN:VEVENT" not in lines or "END:VEVENT" not in lines:
        err(where, "iCalendar lacks VEVENT")
    for l in text.replace("\r\n", "\n").split("\n"):
        if len(l.encode("utf-8")) > 75:
            err(where, "iCalendar line longer than 75 octets")


def scan_domains(where, text):
    for dom in ADDR_IN_TEXT.findall(text) + URL_IN_TEXT.findall(text):
        dom = dom.lower().rstrip(".")
        if not DOMAIN_OK.match(dom):
            err(where, "non-example domain in text: %s" % dom)


def check_leaf(where, part, raw_payload):
    ctype = part.get_content_type()
    cte = part.get("Content-Transfer-Encoding", "7bit").lower()
    if cte == "base64":
        try:
            base64.b64decode("".join(raw_payload.split()), validate=True)
        except binascii.Error as e:
            err(where, "%s: invalid base64 (%s)" % (ctype, e))
    elif cte not in ("7bit", "quoted-printable", "8bit"):
        err(where, "%s: unexpected CTE %s" % (ctype, cte))
    try:
        content = part.get_content()
    except Exception as e:  # noqa: BLE001 - report any decode failure
        return err(where, "%s: get_content failed: %s" % (ctype, e))
    for d in part.defects:
        err(where, "%s: defect %s" % (ctype, type(d).__name__))
    if part.get_content_maintype() == "text":
        if not isinstance(content, str) or "\ufffd" in content:
            err(where, "%s: text did not decode cleanly" % ctype)
        scan_domains(where, content)
        if ctype == "text/calendar":
            if part.get_param("method") != "REQUEST":
                err(where, "text/calendar without method=REQUEST")
            check_ics(where, content)
        if part.get_param("format") == "flowed":
            if not any(l.endswith(" ") and not l.startswith("-- ")
                       for l in content.split("\n")):
                err(where, "format=flowed part has no soft line breaks")
    else:
        if ctype == "image/png":
            check_png(where, content)
        elif ctype == "application/pdf":
            check_pdf(where, content)
        elif ctype == "application/ics":
            check_ics(where, content.decode("utf-8"))
    if part.get_content_disposition() == "attachment" and not part.get_filename():
        err(where, "%s attachment without filename" % ctype)


def check_message(where, data):
    if b"\r" in data:
        err(where, "contains CR; files must use LF line endings")
    if any(b > 127 for b in data):
        err(where, "not 7-bit clean")
    if any(len(l) > 998 for l in data.split(b"\n")):
        err(where, "line longer than 998 octets")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    for d in msg.defects:
        err(where, "defect %s" % type(d).__name__)
    for h in REQUIRED:
        if len(msg.get_all(h) or []) != 1:
            err(where, "needs exactly one %s header" % h)
    if msg.get("MIME-Version") != "1.0":
        err(where, "MIME-Version missing")
    for name, value in msg.items():
        for d in getattr(value, "defects", ()):
            err(where, "header %s: %s" % (name, type(d).__name__))
        if "=?" in str(value):
            err(where, "header %s: undecoded encoded-word left" % name)
    date = msg["Date"].datetime
    if date is None or date.tzinfo is None or not WINDOW[0] <= date < WINDOW[1]:
        err(where, "Date %r outside the demo window" % msg["Date"])
    if parsedate_to_datetime(msg["Date"]) != date:
        err(where, "Date does not round-trip")
    for h in ADDRESS_HEADERS:
        for v in msg.get_all(h) or []:
            for addr in v.addresses:
                dom = addr.domain.lower()
                if not DOMAIN_OK.match(dom):
                    err(where, "%s: non-example domain %s" % (h, dom))
    for h in ("List-Id", "List-Unsubscribe", "List-Post", "List-Archive"):
        if h in msg:
            scan_domains(where, str(msg[h]).replace("<", " ").replace(">", " "))
    cids = set()
    html_cids = []
    leaves = 0
    for part in msg.walk():
        if part is not msg and "MIME-Version" in part:
            err(where, "MIME-Version in a sub-part")
        for d in part.defects:
            err(where, "part defect %s" % type(d).__name__)
        if part.is_multipart():
            if not part.get_boundary():
                err(where, "multipart without boundary")
            if part.get_content_type() == "multipart/related" and \
                    part.get_param("type") != part.get_payload(0).get_content_type():
                err(where, "multipart/related needs type= of its root part")
            continue
        leaves += 1
        raw = part.get_payload()
        check_leaf(where, part, raw if isinstance(raw, str) else "")
        if part["Content-ID"]:
            cids.add(part["Content-ID"].strip().strip("<>"))
        if part.get_content_type() == "text/html":
            html_cids += re.findall(r'src="cid:([^"]+)"', part.get_content())
    for c in html_cids:
        if c not in cids:
            err(where, "cid:%s has no matching Content-ID" % c)
    if leaves == 0:
        err(where, "no body parts")
    return msg


def raw_ids(value):
    """msg-ids from a raw (possibly folded) header value."""
    return re.findall(r"<[^<>\s]+>", str(value)), re.sub(r"<[^<>\s]+>", "", str(value))


def main(argv):
    verbose = "-v" in argv
    files = {}
    for folder in FOLDERS:
        d = HERE / folder
        if not d.is_dir():
            err(folder, "folder missing")
            continue
        for p in sorted(d.iterdir()):
            rel = "%s/%s" % (folder, p.name)
            if not NAME_RE.match(p.name):
                err(rel, "file name does not match NNN-slug.eml")
                continue
            files[rel] = p.read_bytes()
    for extra in sorted(HERE.iterdir()):
        if extra.is_dir() and extra.name not in FOLDERS and not extra.name.startswith((".", "__")):
            err(extra.name, "unexpected directory (add it to FOLDERS?)")

    msgs = {}
    for rel, data in files.items():
        msgs[rel] = check_message(rel, data)

    by_id = {}
    for rel, msg in msgs.items():
        mid = str(msg["Message-ID"]).strip()
        if not MSGID_RE.match(mid):
            err(rel, "malformed Message-ID %s" % mid)
        if mid in by_id:
            err(rel, "duplicate Message-ID (also %s)" % by_id[mid])
        by_id[mid] = rel
    for rel, msg in msgs.items():
        irt = msg.get("In-Reply-To")
        refs = msg.get("References")
        if irt is None and refs is None:
            continue
        irt_ids, rest = raw_ids(irt or "")
        ref_ids, rest2 = raw_ids(refs or "")
        if len(irt_ids) != 1 or rest.strip() or rest2.strip():
            err(rel, "malformed In-Reply-To/References")
            continue
        for i in irt_ids + ref_ids:
            if i not in by_id:
                err(rel, "refers to unknown Message-ID %s" % i)
        if not ref_ids or ref_ids[-1] != irt_ids[0]:
            err(rel, "References must end with the In-Reply-To id")
        parent = msgs.get(by_id.get(irt_ids[0]))
        if parent is not None:
            pref, _ = raw_ids(parent.get("References") or "")
            if pref + [str(parent["Message-ID"]).strip()] != ref_ids:
                err(rel, "References is not parent's References + parent id")
            if parent["Date"].datetime >= msg["Date"].datetime:
                err(rel, "reply is not later than its parent")

    # flags.txt
    manifest = HERE / "flags.txt"
    seen_lines = {}
    if not manifest.exists():
        err("flags.txt", "missing")
    else:
        lines = manifest.read_text("utf-8").split("\n")
        if lines[-1] != "":
            err("flags.txt", "must end with a newline")
        if len([l for l in lines[:3] if l.startswith("#")]) != 3:
            err("flags.txt", "must start with a 3-line # comment")
        for n, line in enumerate(lines, 1):
            if not line or line.startswith("#"):
                continue
            parts = line.split(" ")
            rel, flags = parts[0], parts[1:]
            if rel in seen_lines:
                err("flags.txt:%d" % n, "duplicate entry for %s" % rel)
            seen_lines[rel] = flags
            if rel not in files:
                err("flags.txt:%d" % n, "no such message file %s" % rel)
            if flags != ["-"] and (not flags or not set(flags) <= ALLOWED_FLAGS
                                   or len(set(flags)) != len(flags)):
                err("flags.txt:%d" % n, "bad flags %r" % " ".join(flags))
            is_draft_folder = rel.startswith("Drafts/")
            if ("\\Draft" in flags) != is_draft_folder:
                err("flags.txt:%d" % n, "\\Draft must be set exactly on Drafts/")
        for rel in files:
            if rel not in seen_lines:
                err(rel, "no line in flags.txt")

    # \Answered should match the presence of a reply from Ana somewhere
    replied = set()
    for rel, msg in msgs.items():
        if msg["From"].addresses[0].addr_spec == "ana@example.test" \
                and not rel.startswith("Drafts/") and msg.get("In-Reply-To"):
            replied.add(str(msg["In-Reply-To"]).strip())
    for rel, msg in msgs.items():
        answered = "\\Answered" in seen_lines.get(rel, [])
        if answered != (str(msg["Message-ID"]).strip() in replied):
            err(rel, "\\Answered flag does not match Ana's replies in Sent")

    total = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
    if total >= 1024 * 1024:
        err("data/demo", "total size %d bytes is not under 1 MB" % total)

    if verbose:
        for rel, msg in sorted(msgs.items()):
            print("%-55s %-22s %s" % (rel, " ".join(seen_lines.get(rel, [])),
                                      msg["Subject"]))
    for e in errors:
        print("FAIL", e)
    print("%d messages in %d folders, %d bytes total: %s"
          % (len(msgs), len(FOLDERS), total,
             "OK" if not errors else "%d problem(s)" % len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
