# The benchmarks' generated mailbox: seeded, with threads, mailing lists,
# non-ASCII names and subjects, attachments and HTML; and the fixture
# servers that serve it.
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import random
import shutil
import subprocess
import sys
import unicodedata

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support",
                      "mail-servers")

FIRST = ("María", "José", "Ana", "Lucía", "Javier", "Carmen", "Pablo", "Elena", "Iñaki", "Sofía",
         "Luis", "Marta", "Jörg", "Chloé", "Nuno", "Aitana", "Ramón", "Inés", "Tomás", "Noé",
         "Ayşe", "Zoë", "Björn", "Łukasz", "François", "Øyvind", "Hélène", "Duc", "Mei", "Olu")
LAST = ("García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
        "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso",
        "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez",
        "Serrano", "Blanco", "Molina", "Morales", "Suárez", "Ortega", "Delgado", "Castro")
DOMAINS = ("example.org", "correo.example.es", "uni.example.edu", "empresa.example.com",
           "ayto.example.gob", "lists.example.net", "mail.example.de", "example.fr")
WORDS = ("reunión", "informe", "presupuesto", "viaje", "factura", "pedido", "revisión", "borrador",
         "contrato", "calendario", "entrega", "proyecto", "cliente", "proveedor", "urgente",
         "trimestre", "propuesta", "acta", "jornada", "formación", "incidencia", "servidor",
         "copia", "seguridad", "nómina", "vacaciones", "evento", "congreso", "ponencia", "plazo",
         "actualización", "versión", "pruebas", "despliegue", "cambio", "horario", "oficina",
         "mudanza", "encuesta", "resultados", "objetivos", "equipo", "gastos", "alquiler",
         "seguro", "garantía", "devolución", "envío", "pago", "recibo", "cita", "médico", "curso")
LISTS = ("equipo.lists.example.org", "anuncios.example.es", "dev.lists.example.net",
         "vecinos.example.org")


def ascii_fold(text):
    """text lower-case without its accents, for the local part of an address."""
    folded = unicodedata.normalize("NFKD", text.lower().replace("ł", "l").replace("ø", "o"))
    return folded.encode("ascii", "ignore").decode() or "x"


def mime_words(text):
    """text as an RFC 2047 Q-encoded word when it is not ASCII."""
    if text.isascii():
        return text
    q = "".join(c if c.isalnum() and c.isascii() else
                "_" if c == " " else "".join(f"={b:02X}" for b in c.encode()) for c in text)
    return f"=?UTF-8?Q?{q}?="


def generate(root, n):
    """A seeded mailbox: threads, lists, non-ASCII, attachments, HTML. Names,
    subjects, dates and IDs vary as in real mail: a mailbox of near-copies
    deflates 20:1, and COMPRESS=DEFLATE then measures the generator."""
    rand = random.Random(20261127)
    inbox = os.path.join(root, "INBOX")
    os.makedirs(inbox)
    people = [(rand.choice(FIRST), rand.choice(LAST), rand.choice(DOMAINS)) for _ in range(400)]
    subjects = {}
    for i in range(1, n + 1):
        thread = rand.randint(1, max(2, n // 4))
        kind = rand.randint(0, 9)
        first, last, domain = rand.choice(people)
        login = ascii_fold(f"{first[0]}{last}")
        to_first, to_last, to_domain = rand.choice(people)
        subject = subjects.setdefault(thread, " ".join(
            rand.choice(WORDS) for _ in range(rand.randint(2, 7))).capitalize()
            + (f" {rand.randint(1, 2026)}" if rand.random() < 0.3 else ""))
        parent = f"<{random.Random(thread).getrandbits(64):016x}.{thread}@bench.example.org>"
        reply = i > 1 and rand.random() < 0.6
        refs = f"References: {parent}\nIn-Reply-To: {parent}\n" if reply else ""
        listed = f"List-ID: <{rand.choice(LISTS)}>\n" if rand.random() < 0.4 else ""
        head = (f"From: {mime_words(first + ' ' + last)} <{login}@{domain}>\n"
                f"To: {mime_words(to_first + ' ' + to_last)} <{ascii_fold(to_first)[:3]}"
                f"{rand.randint(1, 99)}@{to_domain}>"
                + (f", {rand.choice(LISTS).split('.')[0]}@{rand.choice(DOMAINS)}"
                   if rand.random() < 0.3 else "") + "\n"
                f"Subject: {mime_words(('Re: ' if reply else '') + subject)}\n"
                f"Date: {rand.choice(('Mon', 'Tue', 'Wed', 'Thu', 'Fri'))}, "
                f"{rand.randint(1, 28):02} Nov 2026 {rand.randint(0, 23):02}:"
                f"{rand.randint(0, 59):02}:{rand.randint(0, 59):02} +0100\n"
                f"Message-ID: <{rand.getrandbits(64):016x}.{i}@{domain}>\n{refs}{listed}"
                f"MIME-Version: 1.0\n")
        if kind == 0:
            name = f"{rand.choice(WORDS)}-{rand.randint(1, 999)}.pdf"
            body = ("Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                    "Content-Type: text/plain; charset=utf-8\n\nAdjunto el informe.\n--b\n"
                    f"Content-Type: application/pdf; name={name}\n"
                    f"Content-Disposition: attachment; filename={name}\n"
                    "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n")
        elif kind == 1:
            body = ("Content-Type: multipart/alternative; boundary=a\n\n--a\n"
                    "Content-Type: text/plain; charset=utf-8\n\nHola, ¿qué tal?\n--a\n"
                    "Content-Type: text/html; charset=utf-8\n\n<p>Hola, <b>¿qué tal?</b></p>\n"
                    "--a--\n")
        else:
            body = "Content-Type: text/plain; charset=utf-8\n\nHola, nos vemos mañana.\n"
        with open(os.path.join(inbox, f"{i:07}.eml"), "w") as f:
            f.write(head + body)


def serve(tmp, count):
    """Generates count messages into the fixture servers in tmp/servers,
    stopped when this process ends; returns the variables of their env."""
    d = os.path.join(tmp, "servers")
    maildir = os.path.join(tmp, "maildir")
    print(f"# generating {count} messages…", file=sys.stderr)
    generate(maildir, count)
    out = subprocess.run([sys.executable, SCRIPT, "start", d, "--owner-pid", str(os.getpid()),
                          "--maildir-from", maildir, "--maildir-user", "alice"],
                         check=True, capture_output=True, text=True).stdout
    shutil.rmtree(maildir)
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def add_account(cli, run_env, env, name, imap_port, *options):
    """`account add name` for alice of the fixture, IMAP at imap_port, no
    bodies fetched ahead (the sync then fetches what a limit reader does)."""
    subprocess.run([cli, "account", "add", name, "--email", "alice@example.test",
                    "--imap", f"imaps://alice@127.0.0.1:{imap_port}",
                    "--smtp", f"submissions://alice@127.0.0.1:{env['BUZON_TEST_SUBMISSIONS_PORT']}",
                    "--password-command", "echo alice-secret",
                    "--trust-cert", "SHA256:" + env["BUZON_TEST_CERT_SHA256"],
                    "--prefetch-days", "0", *options],
                   env=run_env, check=True, capture_output=True)
