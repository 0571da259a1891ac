// Readable text and attachments: text/plain chosen over HTML, HTML turned
// to text, format=flowed undone, RFC 2231 file names, inline images told
// apart, forwarded messages; on the demo mailbox's messages and on crafted
// ones.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "engine.h"
#include "mime/mime-text.h"

static GMimeMessage *
parse_text (const char *text)
{
  g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr (GError) error = NULL;
  GMimeMessage *message = buzon_mime_parse_message (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static GMimeMessage *
parse_demo (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("BUZON_SOURCE_ROOT"), "data", "demo", name,
                                            NULL);
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return parse_text (contents);
}

static void
test_html_to_text (void)
{
  struct
  {
    const char *html;
    const char *text;
  } cases[] = {
    { "<p>Hola <b>mundo</b></p><p>Adiós</p>", "Hola mundo\n\nAdiós" },
    { "uno<br>dos<br/>tres", "uno\ndos\ntres" },
    { "<html><head><title>T</title><style>p{}</style></head><body>x</body></html>", "x" },
    { "<script>alert(1)</script>visible", "visible" },
    { "a &amp; b &lt;c&gt; &quot;d&quot; &#241; &#xF1; &euro; &nbsp;e", "a & b <c> \"d\" ñ ñ € e" },
    { "<ul><li>uno</li><li>dos</li></ul>", "• uno\n• dos" },
    { "  mucho    espacio\n\n\t aquí  ", "mucho espacio aquí" },
    { "<!-- nada -->algo &desconocido; y", "algo &desconocido; y" },
    { "<table><tr><td>a</td><td>b</td></tr></table>", "a b" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = buzon_mime_html_to_text (cases[i].html);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_flowed (void)
{
  GMimeMessage *message = parse_text (
    "Subject: x\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no\r\n\r\n"
    "Una línea larga que sigue \r\nen la siguiente.\r\n"
    "> Cita que \r\n> sigue.\r\n"
    " >no es una cita\r\n"
    ">>  dos niveles\r\n"
    "-- \r\nFirma\r\n");
  g_autofree char *text = buzon_mime_get_readable_text (message);

  g_assert_cmpstr (text, ==, "Una línea larga que sigue en la siguiente.\n"
                             "> Cita que sigue.\n"
                             ">no es una cita\n"
                             ">>  dos niveles\n"
                             "-- \nFirma\n");
  g_object_unref (message);
}

static void
test_demo_messages (void)
{
  /* text/plain with a text attachment named in RFC 2231. */
  {
    GMimeMessage *message = parse_demo ("Archive/005-cierre-presupuesto-2026.eml");
    g_autoptr (GPtrArray) attachments = buzon_mime_list_attachments (message);
    g_autofree char *text = buzon_mime_get_readable_text (message);
    const BuzonMimeAttachment *file;

    g_assert_cmpuint (attachments->len, ==, 1);
    file = attachments->pdata[0];
    g_assert_cmpstr (file->filename, ==, "presupuesto_año_2026.txt");
    g_assert_cmpstr (file->mime_type, ==, "text/plain");
    g_assert_cmpstr (file->part, ==, "2");
    g_assert_cmpuint (file->size, >, 0);
    g_assert_false (file->inline_);
    /* The attachment's text is not the message's. */
    g_assert_null (strstr (text, "Partida"));
    g_assert_cmpuint (strlen (text), >, 20);
    g_object_unref (message);
  }
  /* HTML only: text without tags. */
  {
    GMimeMessage *message = parse_demo ("Archive/001-extracto-octubre.eml");
    g_autofree char *text = buzon_mime_get_readable_text (message);

    g_assert_null (strchr (text, '<'));
    g_assert_cmpuint (strlen (text), >, 50);
    g_object_unref (message);
  }
  /* An HTML newsletter with a plain alternative and an inline logo. */
  {
    GMimeMessage *message = parse_demo ("INBOX/014-boletin-huerto-noviembre.eml");
    g_autoptr (GPtrArray) attachments = buzon_mime_list_attachments (message);
    g_autofree char *text = buzon_mime_get_readable_text (message);
    const BuzonMimeAttachment *logo;

    g_assert_null (strchr (text, '<'));
    g_assert_cmpuint (attachments->len, ==, 1);
    logo = attachments->pdata[0];
    g_assert_cmpstr (logo->filename, ==, "logo-huerto.png");
    g_assert_cmpstr (logo->mime_type, ==, "image/png");
    g_assert_true (logo->inline_);
    g_object_unref (message);
  }
}

/* A forwarded message is one attachment; an attachment alone gives no text. */
static void
test_forwarded (void)
{
  GMimeMessage *message = parse_text (
    "Subject: Fwd: hola\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMira esto.\r\n"
    "--b\r\nContent-Type: message/rfc822\r\n\r\n"
    "Subject: =?UTF-8?Q?Reuni=C3=B3n?=\r\nFrom: a@example.org\r\n\r\nDentro.\r\n"
    "--b--\r\n");
  g_autoptr (GPtrArray) attachments = buzon_mime_list_attachments (message);
  g_autofree char *text = buzon_mime_get_readable_text (message);
  const BuzonMimeAttachment *inner;

  g_assert_cmpstr (text, ==, "Mira esto.");
  g_assert_cmpuint (attachments->len, ==, 1);
  inner = attachments->pdata[0];
  g_assert_cmpstr (inner->mime_type, ==, "message/rfc822");
  g_assert_cmpstr (inner->filename, ==, "Reunión.eml");
  g_object_unref (message);

  message = parse_text ("Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: application/pdf; "
                        "name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n");
  {
    g_autofree char *empty = buzon_mime_get_readable_text (message);
    g_autoptr (GPtrArray) only = buzon_mime_list_attachments (message);

    g_assert_cmpstr (empty, ==, "");
    g_assert_cmpuint (only->len, ==, 1);
    g_assert_cmpuint (((BuzonMimeAttachment *) only->pdata[0])->size, ==, 5);
  }
  g_object_unref (message);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

  g_test_add_func ("/mime-text/html-to-text", test_html_to_text);
  g_test_add_func ("/mime-text/flowed", test_flowed);
  g_test_add_func ("/mime-text/demo-messages", test_demo_messages);
  g_test_add_func ("/mime-text/forwarded", test_forwarded);

  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
