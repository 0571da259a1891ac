#!/usr/bin/env python3
"""Generate the fictitious demo mailbox shipped in data/demo/.

Everything here is invented: people, companies and addresses (only the
reserved example.test / example.org / example.com domains are used).

Usage:
    python3 data/demo/generate.py           # (re)write the .eml files and flags.txt
    python3 data/demo/generate.py --check   # build in memory, compare with files on disk

The output is deterministic: fixed dates, Message-IDs and MIME boundaries,
and the PNG/PDF payloads are built by hand (PNG with *stored* deflate blocks
so the bytes do not depend on the zlib implementation).  Header folding is
done by Python's ``email`` package, so regenerate with the same Python
minor version as the committed files (see README.md) to get identical bytes.

Only the Python 3 standard library is used.
"""

import datetime as dt
import email.policy
import struct
import sys
import textwrap
import zlib
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).resolve().parent
POLICY = email.policy.default.clone(linesep="\n", max_line_length=78)
FOLDERS = ("INBOX", "Sent", "Archive", "Drafts", "Proyectos")

# --------------------------------------------------------------------------
# People (all fictitious)
# --------------------------------------------------------------------------

ANA = Address("Ana García", "ana", "example.test")
JAVIER = Address("Javier Ruiz", "javier.ruiz", "example.test")
LUCIA = Address("Lucía Fernández", "lucia.fernandez", "example.test")
TOMAS = Address("Tomás Beltrán", "tomas.beltran", "example.test")
SOFIA = Address("Sofía Navarro", "sofia.navarro", "example.test")
INFORMES = Address("Informes Faro", "informes", "example.test")
KENJI = Address("渡辺 健二", "kenji.watanabe", "example.org")
ELENI = Address("Ελένη Παπαδοπούλου", "eleni.papadopoulou", "example.org")
ODD_PC = Address("OpenDesk Days Programme Committee", "programme", "opendesk.example.org")
MARTA = Address("Marta Soler", "marta.soler", "example.org")
INIGO = Address("Íñigo Etxeberria", "inigo", "example.com")
RUBEN = Address("Rubén Castro", "ruben.castro", "example.com")
LIST = Address("", "sl-valdeluz", "lists.example.org")
PABLO = Address("Pablo García", "pablo.garcia", "example.com")
MAMA = Address("Carmen López", "carmen.lopez", "example.com")
DIEGO = Address("Diego Martín", "diego.martin", "example.org")
ELENA = Address("Elena Ibáñez", "elena.ibanez", "example.org")
RAUL = Address("Raúl Peña", "raul.pena", "example.com")
PRIYA = Address("Priya Raman", "priya.raman", "example.com")
COLMENA = Address("Coworking La Colmena", "facturacion", "lacolmena.example.com")
COLMENA_ADM = Address("Administración La Colmena", "administracion", "lacolmena.example.com")
FINCAS = Address("Fincas Olmo", "avisos", "fincasolmo.example.com")
COMUNIDAD = Address("Comunidad Calle del Olmo 14", "presidencia.olmo14", "example.com")
HUERTO = Address("Huerto en Casa", "boletin", "news.example.com")
LIBRERIA = Address("Librería Alameda", "pedidos", "libreria-alameda.example.com")
BANCO = Address("Banco Ejemplo", "avisos", "bancoejemplo.example.com")
TRENES = Address("Reservas Ferroviarias", "billetes", "trenes.example.com")
FORJA = Address("Forja", "notificaciones", "forja.example.org")


def tz(hours, minutes=0):
    return dt.timezone(dt.timedelta(hours=hours, minutes=minutes))


CET = tz(1)


def when(day, hour, minute, second=0, zone=CET):
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=zone)


# --------------------------------------------------------------------------
# Binary payloads built by hand
# --------------------------------------------------------------------------

def _png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _zlib_stored(raw):
    """A zlib stream made of stored (uncompressed) deflate blocks."""
    out = bytearray(b"\x78\x01")
    for i in range(0, max(len(raw), 1), 65535):
        block = raw[i:i + 65535]
        final = 1 if i + 65535 >= len(raw) else 0
        out += bytes([final]) + struct.pack("<HH", len(block), len(block) ^ 0xFFFF) + block
    out += struct.pack(">I", zlib.adler32(raw) & 0xFFFFFFFF)
    return bytes(out)


def make_png(width, height, palette, pixel):
    """8-bit indexed PNG; pixel(x, y) returns an index into palette."""
    rows = b"".join(
        b"\x00" + bytes(pixel(x, y) for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
            + _png_chunk(b"PLTE", b"".join(bytes(c) for c in palette))
            + _png_chunk(b"IDAT", _zlib_stored(rows))
            + _png_chunk(b"IEND", b""))


def png_leaf_logo():
    """24x24 green leaf on a cream disc (newsletter logo, inline cid: image)."""
    pal = [(255, 255, 255), (246, 240, 220), (70, 140, 60), (40, 90, 40)]

    def px(x, y):
        cx, cy = x - 11.5, y - 11.5
        if cx * cx + cy * cy > 11.5 * 11.5:
            return 0
        u, v = (cx + cy) / 1.414, (cy - cx) / 1.414   # rotate 45 degrees
        if abs(v) < 0.8 and abs(u) < 8:
            return 3
        if (u / 8.0) ** 2 + (v / 4.0) ** 2 <= 1:
            return 2
        return 1
    return make_png(24, 24, pal, px)


def png_sierra_photo():
    """64x40 'photo' of mountains at sunset."""
    pal = [(250, 200, 120), (240, 150, 90), (120, 110, 150), (70, 80, 110),
           (60, 110, 60), (40, 80, 40), (255, 240, 200)]

    def px(x, y):
        ridge1 = 22 - abs((x % 32) - 16) * 0.9
        ridge2 = 30 - abs(((x + 12) % 40) - 20) * 0.5
        if (x - 46) ** 2 + (y - 9) ** 2 <= 16:
            return 6
        if y > 34:
            return 5 if (x + y) % 7 else 4
        if y > ridge2:
            return 3
        if y > ridge1:
            return 2
        return 0 if y < 12 else 1
    return make_png(64, 40, pal, px)


def png_mockup():
    """80x56 wireframe of a start screen (header, sidebar, list, button)."""
    pal = [(250, 250, 250), (53, 132, 228), (220, 220, 225), (160, 160, 170),
           (46, 194, 126)]

    def px(x, y):
        if y < 8:
            return 1
        if x < 20:
            return 2 if y % 8 else 3
        if 12 <= y < 48 and 24 <= x < 76 and (y - 12) % 9 < 6:
            return 3 if x < 40 else 2
        if 49 <= y < 54 and 58 <= x < 76:
            return 4
        return 0
    return make_png(80, 56, pal, px)


def _pdf_text(s):
    out = []
    for ch in s.encode("cp1252"):
        c = chr(ch)
        if c in "()\\":
            out.append("\\" + c)
        elif ch < 32 or ch > 126:
            out.append("\\%03o" % ch)
        else:
            out.append(c)
    return "".join(out)


def make_pdf(lines):
    """A one-page PDF 1.4 with Helvetica text; xref offsets computed."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 770 Td"]
    for i, (size, text) in enumerate(lines):
        ops.append("/F1 %d Tf (%s) Tj T*" % (size, _pdf_text(text)))
    ops.append("ET")
    stream = ("\n".join(ops) + "\n").encode("ascii")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>",
        b"<< /Title (Factura F-2026-0113) /Producer (Buzon demo generator) "
        b"/CreationDate (D:20261124070000+01'00') >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objs) + 1, xref))
    return bytes(out)


# --------------------------------------------------------------------------
# Helpers for message construction
# --------------------------------------------------------------------------

def quote(text):
    lines = text.rstrip("\n").split("\n")
    return "\n".join(">" + l if l.startswith(">") else ("> " + l if l else ">")
                     for l in lines) + "\n"


def attrib_es(date, who):
    dias = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"]
    return "El %s, %d nov 2026 a las %d:%02d, %s <%s> escribió:" % (
        dias[date.weekday()], date.day, date.hour, date.minute,
        who.display_name, who.addr_spec)


def attrib_en(date, who):
    return "On %s, Nov %d, 2026 at %d:%02d %s %s <%s> wrote:" % (
        date.strftime("%a"), date.day, (date.hour - 1) % 12 + 1, date.minute,
        "AM" if date.hour < 12 else "PM", who.display_name, who.addr_spec)


def flowed(text, width=66):
    """Encode paragraphs as RFC 3676 format=flowed (soft breaks end in SP)."""
    out = []
    for para in text.split("\n"):
        if para == "" or para.startswith("-- "):
            out.append(para)
            continue
        wrapped = textwrap.wrap(para, width, break_long_words=False,
                                break_on_hyphens=False)
        for i, line in enumerate(wrapped):
            if line.startswith((" ", ">", "From ")):
                line = " " + line          # space-stuffing
            out.append(line + (" " if i < len(wrapped) - 1 else ""))
    return "\n".join(out) + "\n"


SIG_ANA = "\n-- \nAna García\nResponsable de producto · Faro\n"

LIST_FOOTER = """\
_______________________________________________
sl-valdeluz -- Grupo de Software Libre de Valdeluz
Para darte de baja, escribe a sl-valdeluz-leave@lists.example.org
"""


def set_b64_text(m, text, subtype="plain"):
    """base64 text body in canonical form (CRLF line breaks, RFC 2045 §6.8)."""
    m.set_content(text.replace("\n", "\r\n").encode("utf-8"), "text", subtype,
                  cte="base64", params={"charset": "utf-8"})


class Mail:
    def __init__(self, folder, slug, flags, msg):
        self.folder, self.slug, self.flags, self.msg = folder, slug, flags, msg


MAILS = []
IDS = {}
DATES = {}
BODIES = {}
REFS = {}


def new(key, folder, slug, flags, *, frm, to, subject, date, msgid, cc=None,
        reply_to=None, parent=None, extra=()):
    """Create the header block; threading headers are derived from parent."""
    m = EmailMessage(policy=POLICY)
    m["From"] = frm
    m["To"] = to
    if cc:
        m["Cc"] = cc
    if reply_to:
        m["Reply-To"] = reply_to
    m["Subject"] = subject
    m["Date"] = date
    m["Message-ID"] = msgid
    refs = []
    if parent:
        refs = REFS[parent] + [IDS[parent]]
        m["In-Reply-To"] = IDS[parent]
        m["References"] = " ".join(refs)
    for k, v in extra:
        m[k] = v
    IDS[key] = msgid
    REFS[key] = refs
    DATES[key] = date
    MAILS.append(Mail(folder, slug, flags, m))
    return m


LIST_EXTRA = (
    ("List-Id", "Grupo de Software Libre de Valdeluz <sl-valdeluz.lists.example.org>"),
    ("List-Unsubscribe", "<mailto:sl-valdeluz-leave@lists.example.org>,"
                         " <https://lists.example.org/unsubscribe/sl-valdeluz>"),
    ("List-Post", "<mailto:sl-valdeluz@lists.example.org>"),
    ("List-Archive", "<https://lists.example.org/archives/sl-valdeluz/>"),
    ("List-Help", "<mailto:sl-valdeluz-request@lists.example.org?subject=help>"),
    ("Precedence", "list"),
)


# --------------------------------------------------------------------------
# Thread 1: Q1 planning (Cc to several people; Ana's reply lives in Sent)
# --------------------------------------------------------------------------

def thread_planning():
    b = BODIES
    b["p1"] = """\
Hola, Ana:

Como comentamos ayer, me gustaría que cerráramos antes del 4 de diciembre
las prioridades de Faro para el primer trimestre de 2027. Mi propuesta
inicial, sin ningún orden especial:

  1. Sincronización sin conexión (la piden casi todos los clientes).
  2. Búsqueda insensible a acentos (ver incidencia #142).
  3. Auditoría de accesibilidad completa, con Priya.
  4. Rediseño de la pantalla de inicio (Lucía y Tomás ya tienen maquetas).

¿Puedes preparar una propuesta de calendario con estimaciones? Copio a
Lucía, Tomás y Sofía para que cada uno aporte lo suyo; Sofía, necesitaremos
saber con qué presupuesto contamos para contratar apoyo externo.

Gracias,
Javier
"""
    m = new("p1", "INBOX", "planificacion-t1", r"\Seen \Answered",
            frm=JAVIER, to=ANA, cc=[LUCIA, TOMAS, SOFIA],
            subject="Planificación del primer trimestre de 2027",
            date=when(17, 9, 14, 12),
            msgid="<20261117091412.4f2a9c@mail.example.test>")
    m.set_content(b["p1"], cte="quoted-printable")

    b["p2"] = """\
Hola a todos:

Me pongo con ello. Para ir avanzando, mi primera estimación:

  - Sincronización sin conexión: 6 semanas, es lo más arriesgado.
  - Búsqueda con acentos: 1 semana; Tomás ya tiene una idea de cómo
    normalizar los índices.
  - Accesibilidad: Priya nos enviará los primeros hallazgos a finales de
    noviembre; propongo reservar 2 semanas en febrero para corregir.
  - Pantalla de inicio: 3 semanas, en paralelo con lo anterior.

Lucía, ¿te parece realista para diseño? Sofía, en cuanto tengas el cierre
del presupuesto de este año sabremos si podemos contratar a alguien para
la sincronización.

Un abrazo,
"""
    m = new("p2", "Sent", "re-planificacion-t1", r"\Seen",
            frm=ANA, to=JAVIER, cc=[LUCIA, TOMAS, SOFIA],
            subject="Re: Planificación del primer trimestre de 2027",
            date=when(17, 11, 2, 33),
            msgid="<20261117110233.8d41c2@ana.example.test>", parent="p1")
    m.set_content(b["p2"] + SIG_ANA + "\n" + attrib_es(DATES["p1"], JAVIER) + "\n"
                  + quote(b["p1"]), cte="quoted-printable")

    b["p3"] = """\
Me parece bien, Ana. Tres semanas para la pantalla de inicio es justo pero
factible si cerramos las maquetas antes de Navidad. Convoco una revisión
de diseño para la semana que viene y lo vemos con calma.

Lucía
"""
    m = new("p3", "INBOX", "re-planificacion-t1", r"\Seen",
            frm=LUCIA, to=[ANA, JAVIER], cc=[TOMAS, SOFIA],
            subject="Re: Planificación del primer trimestre de 2027",
            date=when(17, 12, 40, 11),
            msgid="<20261117124011.77aa03@mail.example.test>", parent="p2")
    m.set_content(b["p3"] + "\n" + attrib_es(DATES["p2"], ANA) + "\n"
                  + quote(b["p2"]), cte="quoted-printable")

    b["p4"] = """\
Perfecto, gracias a las dos. Resumen para que quede por escrito:

  * Ana prepara el calendario definitivo antes del 1 de diciembre.
  * Lucía convoca la revisión de diseño.
  * Sofía nos confirma el presupuesto disponible.

Marco este hilo para no perderlo de vista.

Javier
"""
    m = new("p4", "INBOX", "re-planificacion-t1-resumen", r"\Seen \Flagged",
            frm=JAVIER, to=[LUCIA, ANA], cc=[TOMAS, SOFIA],
            subject="Re: Planificación del primer trimestre de 2027",
            date=when(18, 8, 55, 47),
            msgid="<20261118085547.1c9e5b@mail.example.test>", parent="p3")
    m.set_content(b["p4"] + "\n" + attrib_es(DATES["p3"], LUCIA) + "\n"
                  + quote(b["p3"] + "\n" + attrib_es(DATES["p2"], ANA) + "\n"
                          + quote(b["p2"])), cte="quoted-printable")


# --------------------------------------------------------------------------
# Calendar invitation (text/calendar; method=REQUEST)
# --------------------------------------------------------------------------

def ics_fold(line):
    """Fold an iCalendar content line at 75 octets (RFC 5545 §3.1)."""
    out, cur = [], ""
    for ch in line:
        if len((cur + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(cur)
            cur = ""
        cur += ch
    out.append(cur)
    return "\r\n ".join(out)


def invite():
    ics_lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Example Calendar//Demo 1.0//ES",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:faro-revision-diseno-20261202@example.test",
        "DTSTAMP:20261126T081500Z",
        "DTSTART:20261202T093000Z",
        "DTEND:20261202T103000Z",
        "SEQUENCE:0",
        "STATUS:CONFIRMED",
        "SUMMARY:Revisión de diseño de Faro",
        "LOCATION:Sala Pinar (2.ª planta)",
        "DESCRIPTION:Repasamos las maquetas de la nueva pantalla de inicio y "
        "cerramos el alcance de diseño para el T1.\\nTraed vuestras notas.",
        "ORGANIZER;CN=Lucía Fernández:mailto:lucia.fernandez@example.test",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
        "RSVP=TRUE;CN=Ana García:mailto:ana@example.test",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
        "RSVP=TRUE;CN=Tomás Beltrán:mailto:tomas.beltran@example.test",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
        "RSVP=TRUE;CN=Javier Ruiz:mailto:javier.ruiz@example.test",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=CHAIR;PARTSTAT=ACCEPTED;"
        "CN=Lucía Fernández:mailto:lucia.fernandez@example.test",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "DESCRIPTION:Revisión de diseño de Faro",
        "TRIGGER:-PT15M",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    ics = "\r\n".join(ics_fold(l) for l in ics_lines) + "\r\n"
    text = """\
Lucía Fernández te ha invitado a un evento.

Revisión de diseño de Faro
Cuándo: miércoles, 2 de diciembre de 2026, 10:30 – 11:30 (hora de Madrid)
Dónde: Sala Pinar (2.ª planta)
Organizadora: Lucía Fernández <lucia.fernandez@example.test>
Invitados: Ana García, Tomás Beltrán, Javier Ruiz (opcional)

Repasamos las maquetas de la nueva pantalla de inicio y cerramos el
alcance de diseño para el T1. Traed vuestras notas.

¿Asistirás? Responde desde tu aplicación de calendario.
"""
    html = """\
<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8"><title>Invitación</title></head>
<body style="font-family:sans-serif">
<p><strong>Lucía Fernández</strong> te ha invitado a un evento.</p>
<h2 style="margin:0">Revisión de diseño de Faro</h2>
<table cellpadding="4">
<tr><td>Cuándo</td><td>miércoles, 2 de diciembre de 2026, 10:30 – 11:30 (hora de Madrid)</td></tr>
<tr><td>Dónde</td><td>Sala Pinar (2.ª planta)</td></tr>
<tr><td>Invitados</td><td>Ana García, Tomás Beltrán, Javier Ruiz (opcional)</td></tr>
</table>
<p>Repasamos las maquetas de la nueva pantalla de inicio y cerramos el
alcance de diseño para el T1. Traed vuestras notas.</p>
</body></html>
"""
    m = new("inv", "INBOX", "invitacion-revision-diseno", "-",
            frm=LUCIA, to=[ANA, TOMAS], cc=JAVIER,
            subject="Invitación: Revisión de diseño de Faro "
                    "– mié 2 dic 2026 10:30 – 11:30 (CET)",
            date=when(26, 9, 15, 2),
            msgid="<20261126091502.e5d0f1@mail.example.test>")
    m.set_content(text, cte="quoted-printable")
    m.add_alternative(html, subtype="html", cte="quoted-printable")
    m.add_alternative(ics.encode("utf-8"), "text", "calendar", cte="base64",
                      params={"charset": "utf-8", "method": "REQUEST"})
    m.add_attachment(ics.encode("utf-8"), "application", "ics",
                     filename="invite.ics", params={"name": "invite.ics"})


# --------------------------------------------------------------------------
# Thread 2: mailing list (List-Id, List-Unsubscribe); Ana's post in Sent
# --------------------------------------------------------------------------

def thread_list():
    b = BODIES
    subj = "[sl-valdeluz] Quedada de diciembre: propuestas de charlas"
    b["l1"] = """\
¡Hola a todas y todos!

Ya tenemos sala para la quedada de diciembre: el sábado 19 a las 11:00 en
la biblioteca municipal (sala 3, la de siempre). Tenemos hueco para tres
charlas cortas de 20 minutos. Propuestas hasta el viernes 27, por favor.

Ideas que han salido en otras quedadas:
  - Accesibilidad en el escritorio libre.
  - Cómo empezar a traducir aplicaciones.
  - Copias de seguridad cifradas para gente normal.

Un saludo,
Marta
"""
    m = new("l1", "INBOX", "lista-quedada-diciembre", r"\Seen",
            frm=MARTA, to=LIST, subject=subj, date=when(20, 18, 22, 9),
            msgid="<8c1f3a7e-52d4-4b1a-9d0e-3f6b2a91c4d7@example.org>",
            extra=LIST_EXTRA + (("Sender", "sl-valdeluz-bounces@lists.example.org"),))
    m.set_content(b["l1"] + "\n" + LIST_FOOTER, cte="quoted-printable")

    b["l2"] = """\
Yo me ofrezco para la de copias de seguridad cifradas. Tengo unas
transparencias de una charla que di en el trabajo; las adapto para
que no den miedo. ;-)

Íñigo
"""
    m = new("l2", "INBOX", "lista-re-quedada-inigo", r"\Seen \Answered",
            frm=INIGO, to=LIST, subject="Re: " + subj, date=when(20, 21, 47, 30),
            msgid="<20261120214730.GA4471@valle.example.com>", parent="l1",
            extra=LIST_EXTRA + (("Sender", "sl-valdeluz-bounces@lists.example.org"),))
    m.set_content(b["l2"] + "\n" + attrib_es(DATES["l1"], MARTA) + "\n"
                  + quote(b["l1"]) + "\n" + LIST_FOOTER, cte="quoted-printable")

    b["l3"] = """\
¡Genial, Íñigo!

Yo puedo hablar de accesibilidad: llevamos meses auditando nuestra
aplicación con una consultora y tengo ejemplos prácticos de lo que
funciona y lo que no con lectores de pantalla. ¿20 minutos incluyen
preguntas?

Ana
"""
    m = new("l3", "Sent", "lista-re-quedada-ana", r"\Seen",
            frm=ANA, to=LIST, subject="Re: " + subj, date=when(21, 8, 30, 5),
            msgid="<20261121083005.3b7e19@ana.example.test>", parent="l2")
    m.set_content(b["l3"] + "\n" + attrib_es(DATES["l2"], INIGO) + "\n"
                  + quote(b["l2"] + "\n" + attrib_es(DATES["l1"], MARTA) + "\n"
                          + quote(b["l1"])), cte="quoted-printable")

    b["l4"] = """\
¡Qué bien, Ana! Sí, 20 minutos con preguntas incluidas (15 + 5, más o
menos). Te apunto. Nos falta una tercera charla: ¿alguien se anima con
lo de traducir aplicaciones?

Marta
"""
    m = new("l4", "INBOX", "lista-re-quedada-marta", r"\Seen",
            frm=MARTA, to=LIST, cc=ANA, subject="Re: " + subj,
            date=when(21, 10, 5, 44),
            msgid="<b7d2e019-6a3c-4f85-8e21-0c9d4b7a1e55@example.org>", parent="l3",
            extra=LIST_EXTRA + (("Sender", "sl-valdeluz-bounces@lists.example.org"),))
    m.set_content(b["l4"] + "\n" + attrib_es(DATES["l3"], ANA) + "\n"
                  + quote(b["l3"]) + "\n" + LIST_FOOTER, cte="quoted-printable")

    b["l5"] = """\
Me animo yo con la de traducciones. Puedo enseñar el flujo completo:
extraer cadenas, traducir con un editor de catálogos y enviar el
parche. Si da tiempo, hago una demo en directo traduciendo alguna
aplicación pequeña al asturiano con quien quiera ayudar.

Rubén
"""
    m = new("l5", "INBOX", "lista-re-quedada-ruben", "-",
            frm=RUBEN, to=LIST, subject="Re: " + subj, date=when(26, 22, 10, 18),
            msgid="<20261126221018.51f0@portatil.example.com>", parent="l4",
            extra=LIST_EXTRA + (("Sender", "sl-valdeluz-bounces@lists.example.org"),))
    m.set_content(b["l5"] + "\n" + attrib_es(DATES["l4"], MARTA) + "\n"
                  + quote(b["l4"]) + "\n" + LIST_FOOTER, cte="quoted-printable")


# --------------------------------------------------------------------------
# Thread 3: English, CJK sender name, base64 body, CSV attachment
# --------------------------------------------------------------------------

def thread_kenji():
    b = BODIES
    b["k1"] = """\
Hi Ana,

Attached is the glossary we use for the Japanese strings of the Faro
onboarding. I kept the English source, our proposed translation and a
short note where the choice was not obvious.

Two questions before we translate the remaining screens:

1. Should "inbox" stay as 受信トレイ, like most desktop apps, or do you
   prefer the shorter 受信箱?
2. The button "Get started" is very short in English. Is it OK if the
   Japanese label (始めましょう) is a bit longer?

Best regards,
Kenji

--
渡辺 健二 (Kenji Watanabe)
Localization, Tokyo office
"""
    glossary = (
        "source,ja,note\r\n"
        "inbox,受信トレイ,common desktop term\r\n"
        "archive,アーカイブ,\r\n"
        "draft,下書き,\r\n"
        "Get started,始めましょう,longer than English label\r\n"
        "search,検索,\r\n"
        "offline mode,オフラインモード,\r\n"
        "\"settings, advanced\",詳細設定,quoted because of the comma\r\n"
    )
    m = new("k1", "INBOX", "japanese-strings-onboarding", r"\Seen \Answered",
            frm=KENJI, to=ANA, subject="Japanese strings for the Faro onboarding",
            date=when(12, 10, 5, 0, tz(9)),
            msgid="<CAK7tq=u4Rk2zV9pYh0sLwq3N8mXjc5F@mail.example.org>")
    set_b64_text(m, b["k1"])
    m.add_attachment(glossary.encode("utf-8"), "text", "csv",
                     filename="glossary-ja.csv",
                     params={"charset": "utf-8", "name": "glossary-ja.csv"})

    b["k2"] = """\
Hi Kenji,

Thank you, the glossary is very clear.

1. Please keep 受信トレイ: consistency with other desktop apps matters
   more than saving two characters.
2. A longer "Get started" label is fine, the button grows with its text.

I will share the remaining screens tomorrow.

Best,
Ana
"""
    m = new("k2", "Sent", "re-japanese-strings", r"\Seen",
            frm=ANA, to=KENJI, subject="Re: Japanese strings for the Faro onboarding",
            date=when(12, 9, 40, 58),
            msgid="<20261112094058.a0b3d4@ana.example.test>", parent="k1")
    m.set_content(b["k2"] + "\n" + attrib_en(DATES["k1"], KENJI) + "\n"
                  + quote(b["k1"]), cte="quoted-printable")

    b["k3"] = """\
Thanks Ana, that settles it. We will start on Monday.

Kenji
"""
    m = new("k3", "INBOX", "re-japanese-strings", r"\Seen",
            frm=KENJI, to=ANA, subject="Re: Japanese strings for the Faro onboarding",
            date=when(13, 9, 12, 0, tz(9)),
            msgid="<CAK7tq=wB3nL8cQe2Tz5pVxR1yHs0Dm6@mail.example.org>", parent="k2")
    set_b64_text(m, b["k3"] + "\n" + attrib_en(DATES["k2"], ANA) + "\n"
                 + quote(b["k2"]))


# --------------------------------------------------------------------------
# Greek sender, Reply-To differs from From, plus Ana's unsent draft reply
# --------------------------------------------------------------------------

def eleni():
    b = BODIES
    b["e1"] = """\
Dear Ana,

On behalf of the programme committee, I would like to invite you to give
a talk at OpenDesk Days 2027, which will take place in Thessaloniki on
15-16 April 2027.

We saw your lightning talk about accessible onboarding flows and we think
a longer version (30 minutes) would be a great fit for our "Design for
everyone" track. We cover travel and two nights of accommodation.

Could you let us know by 4 December whether you are interested? Please
reply to the committee address (this message's Reply-To) so that everyone
on the committee sees your answer.

Kind regards,
Eleni Papadopoulou
OpenDesk Days 2027 - programme committee
"""
    m = new("e1", "INBOX", "invitation-opendesk-days", r"\Seen \Flagged",
            frm=ELENI, to=ANA, reply_to=ODD_PC,
            subject="Invitation to speak at OpenDesk Days 2027 (Thessaloniki)",
            date=when(23, 16, 40, 26, tz(2)),
            msgid="<20261123144026.5be1@opendesk.example.org>")
    m.set_content(b["e1"], cte="7bit")

    m = new("d1", "Drafts", "re-invitation-opendesk-days", r"\Seen \Draft",
            frm=ANA, to=ODD_PC, cc=ELENI,
            subject="Re: Invitation to speak at OpenDesk Days 2027 (Thessaloniki)",
            date=when(24, 19, 5, 40),
            msgid="<20261124190540.c7e2aa@ana.example.test>", parent="e1")
    m.set_content("""\
Dear Eleni, dear committee,

Thank you very much for the invitation, I would be delighted to

[TODO: confirm dates with Javier before answering; check flights]
""" + "\n" + attrib_en(DATES["e1"], ELENI) + "\n" + quote(b["e1"]),
        cte="quoted-printable")


def draft_retro():
    m = new("d2", "Drafts", "notas-retrospectiva", r"\Seen \Draft",
            frm=ANA, to=LUCIA, cc=TOMAS,
            subject="Notas para la retrospectiva de noviembre",
            date=when(26, 18, 31, 12),
            msgid="<20261126183112.f19a07@ana.example.test>")
    m.set_content("""\
Hola, Lucía y Tomás:

Os dejo mis notas para la retrospectiva del viernes:

Qué ha ido bien
  - Las maquetas de inicio llegaron a tiempo.
  - La traducción al japonés avanza sin bloqueos.

Qué mejorar
  - La incidencia #142 tardó una semana en tener responsable.
  -
""", cte="quoted-printable")


# --------------------------------------------------------------------------
# Thread 4: annual budget; RFC 2231 filename; very deep quoting
# --------------------------------------------------------------------------

def thread_budget():
    b = BODIES
    budget_txt = """\
PRESUPUESTO AÑO 2026 — ESTUDIO FARO (cierre provisional a 9 de noviembre)
==========================================================================

Partida                          Previsto (€)   Ejecutado (€)   Diferencia
--------------------------------------------------------------------------
Personal                           412.000,00      398.450,00    13.550,00
Oficina y coworking                 21.600,00       19.800,00     1.800,00
Equipos y licencias                 18.000,00       22.340,00    -4.340,00
Viajes y congresos                   9.500,00        6.120,00     3.380,00
Traducción y localización           12.000,00        8.900,00     3.100,00
Consultoría de accesibilidad        15.000,00        7.500,00     7.500,00
Formación                            4.000,00        1.150,00     2.850,00
--------------------------------------------------------------------------
TOTAL                              492.100,00      464.260,00    27.840,00

Notas:
* «Equipos y licencias» supera lo previsto por la renovación de portátiles.
* La consultoría de accesibilidad factura el 50 % restante en diciembre.
"""
    b["b1"] = """\
Hola, Ana:

Te adjunto el cierre provisional del presupuesto del año 2026. Quedan
unos 27.800 € sin ejecutar, pero ojo: 7.500 € ya están comprometidos con
la consultoría de accesibilidad para diciembre.

Antes de pasarlo a dirección necesito que me confirmes dos cosas:

- Si el viaje a Valencia del 12 de diciembre sigue en pie.
- Si la partida de traducción va a crecer por el japonés.

Gracias,
Sofía
"""
    m = new("b1", "Archive", "cierre-presupuesto-2026", r"\Seen \Answered",
            frm=SOFIA, to=ANA, subject="Cierre del presupuesto del año 2026",
            date=when(9, 10, 15, 36),
            msgid="<20261109101536.9e2c41@mail.example.test>")
    m.set_content(b["b1"], cte="quoted-printable")
    m.add_attachment(budget_txt, filename="presupuesto_año_2026.txt",
                     cte="quoted-printable",
                     params={"name": "presupuesto_año_2026.txt"})

    b["b2"] = """\
Hola, Sofía:

Gracias por el resumen. Respondo:

- El viaje a Valencia sigue en pie: 12 de diciembre, ya tengo los
  billetes (unos 85 €).
- Traducción: sí, calcula unos 2.400 € más por el japonés en diciembre.

Una pregunta: ¿lo que no se ejecute se puede pasar a 2027 o se pierde?

Ana
"""
    m = new("b2", "Sent", "re-cierre-presupuesto-2026", r"\Seen",
            frm=ANA, to=SOFIA, subject="Re: Cierre del presupuesto del año 2026",
            date=when(9, 12, 30, 4),
            msgid="<20261109123004.52d8e6@ana.example.test>", parent="b1")
    body2 = b["b2"] + "\n" + attrib_es(DATES["b1"], SOFIA) + "\n" + quote(b["b1"])
    m.set_content(body2, cte="quoted-printable")

    b["b3"] = """\
Se pierde, salvo que dirección apruebe una ampliación antes del 15 de
diciembre. Lo habitual es que aprueben como mucho un 30 % del remanente.
Si quieres, preparo una propuesta y la presentamos juntas.
"""
    body3 = b["b3"] + "\nSofía\n\n" + attrib_es(DATES["b2"], ANA) + "\n" + quote(body2)
    m = new("b3", "Archive", "re-cierre-presupuesto-2026", r"\Seen \Answered",
            frm=SOFIA, to=ANA, subject="Re: Cierre del presupuesto del año 2026",
            date=when(10, 9, 50, 21),
            msgid="<20261110095021.0f7b3d@mail.example.test>", parent="b2")
    m.set_content(body3, cte="quoted-printable")

    b["b4"] = """\
Sí, por favor. Propongo pedir que pase a 2027 todo lo de formación y la
mitad de viajes; con eso cubrimos el curso de accesibilidad para el
equipo en febrero. ¿Te parece bien presentarlo el jueves?
"""
    body4 = b["b4"] + "\nAna\n\n" + attrib_es(DATES["b3"], SOFIA) + "\n" + quote(body3)
    m = new("b4", "Sent", "re-cierre-presupuesto-2026-propuesta", r"\Seen",
            frm=ANA, to=SOFIA, subject="Re: Cierre del presupuesto del año 2026",
            date=when(10, 17, 20, 50),
            msgid="<20261110172050.6a1c90@ana.example.test>", parent="b3")
    m.set_content(body4, cte="quoted-printable")

    b["b5"] = """\
Perdona el retraso, Ana, han sido dos semanas de locura con el cierre.

Buenas noticias: dirección aprueba pasar a 2027 los 2.850 € de formación
y 1.690 € de viajes (la mitad). Lo de traducción lo cubrimos con el
remanente de este año, así que no hace falta pedir más.

Te lo dejo aquí abajo con todo el hilo para que lo tengas a mano cuando
prepares el calendario del T1.
"""
    body5 = b["b5"] + "\nSofía\n\n" + attrib_es(DATES["b4"], ANA) + "\n" + quote(body4)
    m = new("b5", "INBOX", "re-cierre-presupuesto-2026-aprobado", r"\Seen \Flagged",
            frm=SOFIA, to=ANA, cc=JAVIER,
            subject="Re: Cierre del presupuesto del año 2026",
            date=when(24, 13, 20, 9),
            msgid="<20261124132009.3d5fa2@mail.example.test>", parent="b4")
    m.set_content(body5, cte="quoted-printable")


# --------------------------------------------------------------------------
# Thread 5: mockups (Proyectos folder, PNG attachment)
# --------------------------------------------------------------------------

def thread_mockups():
    b = BODIES
    b["f1"] = """\
Hola, Ana:

Te paso la maqueta de la nueva pantalla de inicio (versión 2). Cambios
respecto a la primera:

  - La barra lateral ocupa menos y se puede plegar.
  - La lista de conversaciones recientes muestra el remitente en negrita.
  - El botón principal («Nuevo mensaje») pasa abajo a la derecha.

Lucía está de acuerdo con todo salvo con el botón, que prefiere arriba.
¿Tú qué opinas?

Tomás
"""
    m = new("f1", "Proyectos", "maquetas-pantalla-inicio", r"\Seen \Answered",
            frm=TOMAS, to=ANA, cc=LUCIA,
            subject="Maquetas de la nueva pantalla de inicio (v2)",
            date=when(11, 16, 5, 27),
            msgid="<20261111160527.84b1e0@mail.example.test>")
    m.set_content(b["f1"], cte="quoted-printable")
    m.add_attachment(png_mockup(), "image", "png", filename="inicio-v2.png",
                     params={"name": "inicio-v2.png"})

    b["f2"] = """\
Me gusta mucho, Tomás. Sobre el botón, estoy con Lucía: arriba se
descubre antes y no tapa el último mensaje de la lista. Lo demás, adelante.

Ana
"""
    m = new("f2", "Sent", "re-maquetas-pantalla-inicio", r"\Seen",
            frm=ANA, to=TOMAS, cc=LUCIA,
            subject="Re: Maquetas de la nueva pantalla de inicio (v2)",
            date=when(11, 17, 30, 0),
            msgid="<20261111173000.19dc5e@ana.example.test>", parent="f1")
    m.set_content(b["f2"] + "\n" + attrib_es(DATES["f1"], TOMAS) + "\n"
                  + quote(b["f1"]), cte="quoted-printable")

    b["f3"] = """\
Vale, dos contra uno. ;-) Muevo el botón arriba y preparo la v3 para la
revisión de diseño.

Tomás
"""
    m = new("f3", "Proyectos", "re-maquetas-pantalla-inicio", r"\Seen",
            frm=TOMAS, to=ANA, cc=LUCIA,
            subject="Re: Maquetas de la nueva pantalla de inicio (v2)",
            date=when(12, 9, 10, 41),
            msgid="<20261112091041.2e7a6c@mail.example.test>", parent="f2")
    m.set_content(b["f3"] + "\n" + attrib_es(DATES["f2"], ANA) + "\n"
                  + quote(b["f2"]), cte="quoted-printable")


# --------------------------------------------------------------------------
# Thread 6: issue tracker notifications (automated, threaded)
# --------------------------------------------------------------------------

def thread_forge():
    forge_extra = (
        ("List-Id", "faro <faro.forja.example.org>"),
        ("List-Unsubscribe", "<https://forja.example.org/faro/-/unsubscribe>"),
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("X-Forja-Project", "estudio/faro"),
        ("X-Forja-Issue", "142"),
    )
    m = new("n1", "Proyectos", "incidencia-142", r"\Seen",
            frm=Address("Tomás Beltrán (Forja)", "notificaciones", "forja.example.org"),
            to=ANA,
            subject="[faro] Incidencia #142: la búsqueda no encuentra «camión» "
                    "si escribo «camion»",
            date=when(19, 10, 47, 3, tz(0)),
            msgid="<faro.issue.142@forja.example.org>",
            extra=forge_extra)
    m.set_content("""\
Tomás Beltrán abrió una incidencia:

  La búsqueda distingue entre letras acentuadas y sin acentuar. Buscar
  «camion» no encuentra los mensajes que contienen «camión», ni «nino»
  encuentra «niño».

  Pasos para reproducirlo:
  1. Recibir un mensaje con el asunto «El camión llega el lunes».
  2. Buscar «camion».
  3. No aparece ningún resultado.

  Esperado: que la búsqueda ignore diacríticos por defecto.

Asignada a: Ana García · Etiquetas: búsqueda, i18n

--
Responde a este correo o consulta la incidencia en
https://forja.example.org/estudio/faro/-/issues/142
Recibes este aviso porque estás asignada a la incidencia.
""", cte="quoted-printable")

    m = new("n2", "Proyectos", "incidencia-142-comentario", "-",
            frm=Address("Lucía Fernández (Forja)", "notificaciones", "forja.example.org"),
            to=ANA,
            subject="Re: [faro] Incidencia #142: la búsqueda no encuentra «camión» "
                    "si escribo «camion»",
            date=when(26, 14, 2, 55, tz(0)),
            msgid="<faro.issue.142.note.5531@forja.example.org>", parent="n1",
            extra=forge_extra)
    m.set_content("""\
Lucía Fernández comentó:

  Confirmo que pasa también con la «ñ» al revés: buscar «año» encuentra
  «ano». Creo que la ñ NO debería normalizarse a n en español; ¿lo
  tratamos como una letra distinta?

--
Responde a este correo o consulta la incidencia en
https://forja.example.org/estudio/faro/-/issues/142#note_5531
Recibes este aviso porque estás asignada a la incidencia.
""", cte="quoted-printable")


def metrics():
    csv = (
        "fecha,usuarios_activos,mensajes_enviados,busquedas,errores\r\n"
        "2026-11-16,1284,9312,4410,3\r\n"
        "2026-11-17,1302,9655,4587,1\r\n"
        "2026-11-18,1297,9540,4502,0\r\n"
        "2026-11-19,1321,9871,4733,7\r\n"
        "2026-11-20,1276,8904,4198,2\r\n"
        "2026-11-21,611,2310,1022,0\r\n"
        "2026-11-22,587,2105,987,0\r\n"
    )
    m = new("m1", "Proyectos", "metricas-semana-47", r"\Seen",
            frm=INFORMES, to=ANA, subject="Métricas semanales de Faro: semana 47",
            date=when(23, 6, 0, 0, tz(0)),
            msgid="<informe-semanal.2026-W47@informes.example.test>",
            extra=(("Auto-Submitted", "auto-generated"),))
    m.set_content("""\
Resumen de la semana 47 (16-22 nov 2026)

  Usuarios activos (media diaria): 1.097  (+2,1 % respecto a la semana 46)
  Mensajes enviados:               51.697
  Búsquedas:                       24.439
  Errores notificados:             13  (7 el jueves: despliegue 2.3.1)

Detalle diario en el CSV adjunto.

Este informe se genera automáticamente. No respondas a este mensaje.
""", cte="quoted-printable")
    m.add_attachment(csv.encode("ascii"), "text", "csv",
                     filename="metricas-semana-47.csv",
                     params={"charset": "us-ascii", "name": "metricas-semana-47.csv"})


# --------------------------------------------------------------------------
# Thread 7: old dinner thread (Archive + Sent)
# --------------------------------------------------------------------------

def thread_dinner():
    b = BODIES
    b["c1"] = """\
¡Hola, promoción del 2012!

Se cumplen 14 años desde que acabamos y ya tocaba. Propongo cena el
viernes 4 de diciembre en la Taberna del Puerto, a las 21:30. Menú
cerrado de 35 € con bebida.

Contestad antes del domingo para que pueda reservar. Si conocéis el
correo de alguien que falte en la lista, reenviádselo.

Diego
"""
    m = new("c1", "Archive", "cena-antiguos-alumnos", r"\Seen \Answered",
            frm=DIEGO, to=[ANA, ELENA, RAUL],
            subject="Cena de antiguos alumnos — promoción 2012",
            date=when(7, 19, 12, 44),
            msgid="<3f9e1c20-7b44-4d2a-a1c3-6e58d0b2f917@example.org>")
    m.set_content(b["c1"], cte="quoted-printable")

    b["c2"] = """\
¡Qué ilusión, Diego! Cuenta conmigo. ¿Se puede pedir menú vegetariano?

Ana
"""
    m = new("c2", "Sent", "re-cena-antiguos-alumnos", r"\Seen",
            frm=ANA, to=DIEGO, cc=[ELENA, RAUL],
            subject="Re: Cena de antiguos alumnos — promoción 2012",
            date=when(7, 21, 3, 19),
            msgid="<20261107210319.7fa2b8@ana.example.test>", parent="c1")
    m.set_content(b["c2"] + "\n" + attrib_es(DATES["c1"], DIEGO) + "\n"
                  + quote(b["c1"]), cte="quoted-printable")

    m = new("c3", "Archive", "re-cena-antiguos-alumnos", r"\Seen",
            frm=DIEGO, to=ANA, cc=[ELENA, RAUL],
            subject="Re: Cena de antiguos alumnos — promoción 2012",
            date=when(8, 10, 26, 7),
            msgid="<a62d0e84-19f3-4c7b-8b5e-d4c71f0a3b28@example.org>", parent="c2")
    m.set_content("Sí, hay menú vegetariano. Reservado para 11 personas. "
                  "¡Nos vemos el 4!\n\nDiego\n\n" + attrib_es(DATES["c2"], ANA)
                  + "\n" + quote(b["c2"]), cte="quoted-printable")


# --------------------------------------------------------------------------
# Family
# --------------------------------------------------------------------------

def family():
    b = BODIES
    b["pablo"] = """\
¡Hola, Ana!

Te mando la foto que te prometí de la excursión del sábado. La de la
cumbre salió movida, pero esta del atardecer desde el collado es
preciosa. Mamá dice que la quiere enmarcar.

¿Repetimos en primavera? Esta vez con más agua y menos prisas.

Pablo
"""
    m = new("pa1", "INBOX", "fotos-excursion-sierra", r"\Seen \Answered",
            frm=PABLO, to=ANA, cc=MAMA,
            subject="Fotos de la excursión a la sierra",
            date=when(22, 20, 15, 33),
            msgid="<20261122201533.GB1182@casa.example.com>")
    m.set_content(b["pablo"], cte="quoted-printable")
    m.add_attachment(png_sierra_photo(), "image", "png",
                     filename="atardecer-collado.png",
                     params={"name": "atardecer-collado.png"})

    m = new("pa2", "Sent", "re-fotos-excursion-sierra", r"\Seen",
            frm=ANA, to=PABLO, cc=MAMA,
            subject="Re: Fotos de la excursión a la sierra",
            date=when(22, 21, 40, 2),
            msgid="<20261122214002.b81e44@ana.example.test>", parent="pa1")
    m.set_content("¡Qué bonita! Me la pongo de fondo de pantalla. En primavera "
                  "repetimos, pero salimos más temprano.\n\nAna\n\n"
                  + attrib_es(DATES["pa1"], PABLO) + "\n" + quote(b["pablo"]),
                  cte="quoted-printable")

    m = new("mama", "INBOX", "comida-domingo", "-",
            frm=MAMA, to=[ANA, PABLO], subject="Comida del domingo 🥘",
            date=when(26, 19, 48, 10),
            msgid="<20261126194810.4421@movil.example.com>")
    set_b64_text(m, """\
Hola, hijos:

El domingo hago paella, que viene la tía Maribel. A las dos en casa.
Ana, ¿puedes traer el postre? Pablo, tú el pan y la bebida.

Y no lleguéis tarde, que luego se pasa el arroz.

Besos,
Mamá

Enviado desde mi móvil
""")


# --------------------------------------------------------------------------
# Automated / commercial mail
# --------------------------------------------------------------------------

def newsletter():
    text = """\
HUERTO EN CASA · Boletín de noviembre de 2026
=============================================

El huerto en otoño

Noviembre es buen momento para sembrar ajos, habas y guisantes. Con las
primeras heladas, protege las lechugas con una malla térmica y riega
por la mañana, nunca al atardecer.

Tres tareas para este mes:
  * Siembra ajos a 15 cm de distancia, con la punta hacia arriba.
  * Recoge las hojas caídas y úsalas como acolchado.
  * Limpia y guarda las herramientas de verano.

Taller práctico: «Compost en un balcón», sábado 5 de diciembre, 11:00.
Inscripciones: https://news.example.com/talleres/compost-balcon

--
Recibes este boletín porque te suscribiste en news.example.com.
Darte de baja: https://news.example.com/baja?u=ana-7c21
"""
    html = """\
<!DOCTYPE html>
<html lang="es">
<head><meta charset="utf-8"><title>Huerto en Casa · noviembre 2026</title></head>
<body style="margin:0;background:#f4f1e8;font-family:Georgia,serif;color:#2f3b2a">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
<tr><td align="center">
<table role="presentation" width="600" cellpadding="16" cellspacing="0" style="background:#ffffff">
<tr><td style="background:#3c6e3a;color:#ffffff">
  <img src="cid:logo-huerto@news.example.com" width="24" height="24" alt="" style="vertical-align:middle">
  <span style="font-size:20px;vertical-align:middle">&nbsp;Huerto en Casa</span>
</td></tr>
<tr><td style="padding:0">
  <img src="https://images.example.com/boletin/2026-11/cabecera-otono.jpg" width="600" height="200"
       alt="Bancal de habas recién sembradas en otoño" style="display:block;border:0">
</td></tr>
<tr><td>
<h1 style="font-size:24px;margin:0 0 12px">El huerto en otoño</h1>
<p>Noviembre es buen momento para sembrar <strong>ajos, habas y guisantes</strong>.
Con las primeras heladas, protege las lechugas con una malla térmica y riega
por la mañana, nunca al atardecer.</p>
<h2 style="font-size:18px">Tres tareas para este mes</h2>
<ul>
<li>Siembra ajos a 15&nbsp;cm de distancia, con la punta hacia arriba.</li>
<li>Recoge las hojas caídas y úsalas como acolchado.</li>
<li>Limpia y guarda las herramientas de verano.</li>
</ul>
<p style="text-align:center">
<a href="https://news.example.com/talleres/compost-balcon"
   style="background:#3c6e3a;color:#ffffff;padding:10px 18px;text-decoration:none;border-radius:4px">
Taller «Compost en un balcón» · sáb 5 dic</a></p>
</td></tr>
<tr><td style="font-size:12px;color:#6b705c;background:#f4f1e8">
Recibes este boletín porque te suscribiste en news.example.com.
<a href="https://news.example.com/baja?u=ana-7c21">Darte de baja</a>.
<img src="https://images.example.com/px/open.gif?u=ana-7c21&amp;c=2026-11" width="1" height="1" alt="">
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""
    m = new("news", "INBOX", "boletin-huerto-noviembre", "-",
            frm=HUERTO, to=ANA,
            subject="🍂 Boletín de noviembre: el huerto en otoño",
            date=when(25, 7, 30, 0),
            msgid="<boletin.2026-11.ana-7c21@news.example.com>",
            extra=(("List-Id", "Boletín Huerto en Casa <boletin.news.example.com>"),
                   ("List-Unsubscribe", "<https://news.example.com/baja?u=ana-7c21>,"
                                        " <mailto:baja@news.example.com?subject=ana-7c21>"),
                   ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                   ("Precedence", "bulk")))
    m.set_content(text, cte="quoted-printable")
    m.add_alternative(html, subtype="html", cte="quoted-printable")
    html_part = m.get_payload()[1]
    html_part.add_related(png_leaf_logo(), "image", "png",
                          cid="<logo-huerto@news.example.com>",
                          disposition="inline", filename="logo-huerto.png")


def invoice():
    pdf = make_pdf([
        (18, "Coworking La Colmena"),
        (11, "Calle de la Miel 8, 28000 Madrid  -  CIF B00000000 (ficticio)"),
        (11, ""),
        (14, "Factura F-2026-0113"),
        (11, "Fecha: 24/11/2026      Cliente: Estudio Faro (Ana García)"),
        (11, ""),
        (11, "Concepto                                    Importe"),
        (11, "Puesto fijo, diciembre 2026                  180,00 EUR"),
        (11, "Sala de reuniones (4 h)                       40,00 EUR"),
        (11, "Base imponible                               220,00 EUR"),
        (11, "IVA 21 %                                      46,20 EUR"),
        (12, "Total                                        266,20 EUR"),
        (11, ""),
        (11, "Documento de demostración: empresa y datos ficticios."),
    ])
    m = new("fac", "INBOX", "factura-colmena-f-2026-0113", r"\Seen",
            frm=COLMENA, to=ANA, reply_to=COLMENA_ADM,
            subject="Factura F-2026-0113 — Coworking La Colmena",
            date=when(24, 7, 0, 12),
            msgid="<factura.F-2026-0113@lacolmena.example.com>",
            extra=(("Auto-Submitted", "auto-generated"),))
    m.set_content("""\
Hola, Ana:

Adjuntamos la factura F-2026-0113 correspondiente a diciembre de 2026
por un importe de 266,20 € (IVA incluido). Se cargará en tu cuenta el
día 1.

Este buzón no se revisa: si tienes cualquier duda, responde a este
correo y llegará a administración.

Un saludo,
Coworking La Colmena
""", cte="quoted-printable")
    m.add_attachment(pdf, "application", "pdf", filename="F-2026-0113.pdf",
                     params={"name": "F-2026-0113.pdf"})


def neighbours():
    m = new("agua", "INBOX", "corte-agua-martes", "-",
            frm=FINCAS, to=ANA, reply_to=COMUNIDAD,
            subject="Aviso: corte de agua el martes 1 de diciembre (Calle del Olmo 14)",
            date=when(25, 9, 0, 0),
            msgid="<aviso-1187.olmo14@fincasolmo.example.com>")
    m.set_content("""\
Estimados vecinos:

Les informamos de que el martes 1 de diciembre, entre las 9:00 y las
14:00, se cortará el suministro de agua del edificio para sustituir la
válvula general.

Para cualquier consulta, respondan a este mensaje: su respuesta llegará
directamente a la presidencia de la comunidad.

Atentamente,
Fincas Olmo — Administración de comunidades
""", cte="quoted-printable")


def bookshop():
    text = """\
¡Hola, Ana!

Tu pedido n.º 48213 ya está en camino.

  1 × «Diseño accesible para todos» (tapa blanda) ........ 24,90 €
  1 × «Cuaderno de campo del huerto urbano» ................ 12,50 €
  Envío .................................................... 0,00 €
  Total .................................................... 37,40 €

Entrega prevista: martes, 24 de noviembre.
Seguimiento: https://libreria-alameda.example.com/pedidos/48213

Gracias por comprar en una librería de barrio.
Librería Alameda
"""
    html = """\
<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8"><title>Pedido 48213</title></head>
<body style="font-family:sans-serif;color:#222">
<p>¡Hola, Ana!</p>
<p>Tu pedido <strong>n.º 48213</strong> ya está en camino.</p>
<table cellpadding="4" style="border-collapse:collapse">
<tr><td>1 × «Diseño accesible para todos» (tapa blanda)</td><td align="right">24,90&nbsp;€</td></tr>
<tr><td>1 × «Cuaderno de campo del huerto urbano»</td><td align="right">12,50&nbsp;€</td></tr>
<tr><td>Envío</td><td align="right">0,00&nbsp;€</td></tr>
<tr style="font-weight:bold"><td>Total</td><td align="right">37,40&nbsp;€</td></tr>
</table>
<p>Entrega prevista: <strong>martes, 24 de noviembre</strong>.</p>
<p><a href="https://libreria-alameda.example.com/pedidos/48213">Seguir mi pedido</a></p>
<p style="color:#777">Gracias por comprar en una librería de barrio.<br>Librería Alameda</p>
</body></html>
"""
    m = new("libro", "INBOX", "pedido-48213-enviado", r"\Seen",
            frm=LIBRERIA, to=ANA, subject="Tu pedido n.º 48213 está en camino 📦",
            date=when(20, 11, 2, 40),
            msgid="<pedido-48213-envio@libreria-alameda.example.com>")
    m.set_content(text, cte="quoted-printable")
    m.add_alternative(html, subtype="html", cte="quoted-printable")


def bank():
    html = """\
<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8"><title>Extracto disponible</title></head>
<body style="font-family:Arial,sans-serif;color:#1a2b4c">
<h2>Tu extracto de octubre ya está disponible</h2>
<p>Hola, ANA GARCÍA:</p>
<p>Ya puedes consultar el extracto de octubre de 2026 de tu cuenta terminada en
<strong>···· 4821</strong> en la banca en línea.</p>
<p>Por tu seguridad, nunca te pediremos claves ni códigos por correo electrónico.</p>
<p><a href="https://bancoejemplo.example.com/extractos">Ver mis extractos</a></p>
<p style="font-size:11px;color:#777">Banco Ejemplo (entidad ficticia). Mensaje automático.</p>
</body></html>
"""
    m = new("banco", "Archive", "extracto-octubre", r"\Seen",
            frm=BANCO, to=ANA, subject="Tu extracto de octubre ya está disponible",
            date=when(6, 8, 12, 0),
            msgid="<extracto.2026-10.4821@bancoejemplo.example.com>",
            extra=(("Auto-Submitted", "auto-generated"),))
    set_b64_text(m, html, "html")


def train():
    m = new("tren", "Archive", "billete-madrid-valencia", r"\Seen \Flagged",
            frm=TRENES, to=ANA,
            subject="Confirmación de tu viaje Madrid – Valencia, 12 dic 2026",
            date=when(7, 13, 44, 51),
            msgid="<localizador.QX7R2M@trenes.example.com>")
    m.set_content("""\
RESERVAS FERROVIARIAS — CONFIRMACIÓN DE COMPRA

Localizador:  QX7R2M
Viajera:      ANA GARCÍA

IDA     sáb 12/12/2026  07:30 Madrid  ->  09:12 Valencia   Coche 4, plaza 7A
VUELTA  sáb 12/12/2026  20:05 Valencia -> 21:47 Madrid     Coche 2, plaza 11C

Importe total: 84,60 €

Presenta este localizador o el código QR de la aplicación en el acceso.
Cambios y anulaciones: https://trenes.example.com/mis-viajes
""", cte="quoted-printable")


def priya():
    text = (
        "Hi Ana,\n"
        "\n"
        "Here is a short summary of the first round of the accessibility "
        "audit, ahead of the full report next week.\n"
        "\n"
        "The good news: keyboard navigation works almost everywhere, and the "
        "message list announces sender, subject and unread state correctly "
        "with a screen reader.\n"
        "\n"
        "Needs work:\n"
        "\n"
        "1. The search field has no accessible name; screen readers only say "
        "\"edit text\".\n"
        "2. Focus is lost after deleting a message and jumps to the top of "
        "the window.\n"
        "3. Two icon-only buttons in the toolbar (archive and flag) have no "
        "tooltip and no label.\n"
        "4. Contrast of the secondary text in the dark theme is 3.1:1, below "
        "the 4.5:1 we agreed on.\n"
        "\n"
        "None of these is hard to fix. I would suggest tackling 1 and 2 "
        "first because they block real tasks.\n"
        "\n"
        "Talk soon,\n"
        "Priya\n"
        "\n"
        "-- \n"
        "Priya Raman\n"
        "Accessibility consultant\n"
    )
    m = new("priya", "INBOX", "accessibility-audit-findings", r"\Flagged",
            frm=PRIYA, to=ANA, cc=JAVIER,
            subject="Accessibility audit: first findings",
            date=when(26, 15, 30, 0, tz(5, 30)),
            msgid="<20261126100000.a11y.round1@example.com>")
    m.set_content(flowed(text), params={"format": "flowed"}, cte="7bit")


# --------------------------------------------------------------------------
# Build / write / check
# --------------------------------------------------------------------------

MIME_ORDER = ("MIME-Version", "Content-Type", "Content-Transfer-Encoding",
              "Content-Disposition", "Content-ID")


def build():
    MAILS.clear()
    IDS.clear()
    REFS.clear()
    DATES.clear()
    BODIES.clear()
    thread_dinner()
    bank()
    train()
    thread_budget()
    thread_mockups()
    thread_kenji()
    thread_planning()
    thread_forge()
    thread_list()
    bookshop()
    family()
    eleni()
    metrics()
    invoice()
    newsletter()
    neighbours()
    priya()
    invite()
    draft_retro()

    files = {}
    flags = []
    for folder in FOLDERS:
        mails = sorted((x for x in MAILS if x.folder == folder),
                       key=lambda x: (x.msg["Date"].datetime, x.slug))
        for n, mail in enumerate(mails, 1):
            name = "%s/%03d-%s.eml" % (folder, n, mail.slug)
            msg = mail.msg
            # Deterministic boundaries; sub-parts must not carry MIME-Version;
            # MIME headers in the usual order.
            i = 0
            for part in msg.walk():
                if part is not msg and "MIME-Version" in part:
                    del part["MIME-Version"]
                saved = [(h, part[h]) for h in MIME_ORDER if h in part]
                for h, _ in saved:
                    del part[h]
                for h, v in saved:
                    part[h] = v
                if part.get_content_type() == "multipart/related":
                    part.set_param("type", part.get_payload(0).get_content_type())
                if part.is_multipart():
                    part.set_boundary("=_buzon-demo_%s_%03d_%d" % (folder.lower(), n, i))
                    i += 1
            data = msg.as_bytes(policy=POLICY)
            files[name] = data
            flags.append("%s %s" % (name, mail.flags))
    manifest = (
        "# Buzón demo mailbox: IMAP flags for each message file.\n"
        "# Format: <Folder>/<NNN-slug>.eml followed by space-separated IMAP system\n"
        "# flags (\\Seen \\Flagged \\Answered \\Draft), or '-' for no flags.\n"
        + "\n".join(flags) + "\n")
    files["flags.txt"] = manifest.encode("utf-8")
    return files


def main(argv):
    files = build()
    if "--check" in argv:
        bad = 0
        for name, data in files.items():
            path = HERE / name
            if not path.exists() or path.read_bytes() != data:
                print("differs:", name)
                bad += 1
        for folder in FOLDERS:
            for p in sorted((HERE / folder).glob("*.eml")):
                if "%s/%s" % (folder, p.name) not in files:
                    print("stale:", "%s/%s" % (folder, p.name))
                    bad += 1
        print("generate --check: %d file(s) differ" % bad if bad
              else "generate --check: all %d files up to date" % len(files))
        return 1 if bad else 0
    for folder in FOLDERS:
        (HERE / folder).mkdir(exist_ok=True)
        for p in (HERE / folder).glob("*.eml"):
            if "%s/%s" % (folder, p.name) not in files:
                p.unlink()
    for name, data in files.items():
        (HERE / name).write_bytes(data)
    print("wrote %d messages + flags.txt to %s" % (len(files) - 1, HERE))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
