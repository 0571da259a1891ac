// BuzonImapFetch: FETCH responses of real servers, fed through the parser and
// decoded, with every field checked; broken body structures become warnings.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "imap/imap-error.h"
#include "imap/imap-fetch.h"
#include "imap/imap-parser.h"

static BuzonImapResponse *
parse_with (const BuzonImapParserLimits *limits,
            const char                  *input,
            gsize                        length)
{
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (limits);
  g_autoptr (GError) error = NULL;
  BuzonImapResponse *response;

  buzon_imap_parser_feed (parser, input, length);
  response = buzon_imap_parser_next (parser, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpuint (buzon_imap_parser_get_buffered (parser), ==, 0);
  return response;
}

static BuzonImapResponse *
parse (const char *input)
{
  return parse_with (NULL, input, strlen (input));
}

/* Decodes and frees the response first, so that ASan sees any pointer the
 * fetch kept into the response's arena. */
static BuzonImapFetch *
decode (const char *input)
{
  BuzonImapResponse *response = parse (input);
  g_autoptr (GError) error = NULL;
  BuzonImapFetch *fetch = buzon_imap_fetch_decode (response, &error);

  buzon_imap_response_free (response);
  g_assert_no_error (error);
  g_assert_nonnull (fetch);
  for (guint i = 0; i < fetch->warnings->len; i++)
    g_test_message ("warning: %s", (char *) fetch->warnings->pdata[i]);
  return fetch;
}

static void
assert_decode_fails (const char *input)
{
  g_autoptr (BuzonImapResponse) response = parse (input);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapFetch) fetch = buzon_imap_fetch_decode (response, &error);

  g_assert_null (fetch);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
}

static void
assert_warning (BuzonImapFetch *fetch,
                guint           index,
                const char     *contains)
{
  g_assert_cmpuint (index, <, fetch->warnings->len);
  if (strstr (fetch->warnings->pdata[index], contains) == NULL)
    g_error ("warning “%s” does not mention “%s”", (char *) fetch->warnings->pdata[index],
             contains);
}

/* Canonical text of the decoded structures, so that a whole tree can be
 * compared at once: NULL prints as NIL. */

static void
append_nullable (GString    *out,
                 const char *text)
{
  if (text == NULL)
    g_string_append (out, "NIL");
  else
    g_string_append_printf (out, "\"%s\"", text);
}

static void
append_addresses (GString   *out,
                  GPtrArray *addresses)
{
  if (addresses == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  g_string_append_c (out, '[');
  for (guint i = 0; i < addresses->len; i++)
    {
      BuzonImapAddress *a = addresses->pdata[i];
      if (i > 0)
        g_string_append (out, ", ");
      append_nullable (out, a->name);
      g_string_append_c (out, ' ');
      append_nullable (out, a->adl);
      g_string_append_c (out, ' ');
      append_nullable (out, a->mailbox);
      g_string_append_c (out, ' ');
      append_nullable (out, a->host);
    }
  g_string_append_c (out, ']');
}

static void
append_envelope (GString           *out,
                 BuzonImapEnvelope *e)
{
  GPtrArray *lists[] = { e->from, e->sender, e->reply_to, e->to, e->cc, e->bcc };

  g_string_append (out, "ENV(");
  append_nullable (out, e->date);
  g_string_append_c (out, ' ');
  append_nullable (out, e->subject);
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_string_append_c (out, ' ');
      append_addresses (out, lists[i]);
    }
  g_string_append_c (out, ' ');
  append_nullable (out, e->in_reply_to);
  g_string_append_c (out, ' ');
  append_nullable (out, e->message_id);
  g_string_append_c (out, ')');
}

static void
append_params (GString    *out,
               GHashTable *params)
{
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  if (params == NULL)
    {
      g_string_append (out, "NIL");
      return;
    }
  keys = g_hash_table_get_keys_as_array (params, &n);
  g_string_append_c (out, '{');
  for (guint i = 0; i < n; i++)
    {
      /* Insertion sort keeps the output stable whatever the hash order. */
      for (guint j = i; j > 0 && strcmp (keys[j - 1], keys[j]) > 0; j--)
        {
          gpointer tmp = keys[j];
          keys[j] = keys[j - 1];
          keys[j - 1] = tmp;
        }
    }
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s=%s", i > 0 ? " " : "", (char *) keys[i],
                            (char *) g_hash_table_lookup (params, keys[i]));
  g_string_append_c (out, '}');
}

static void
append_part (GString           *out,
             BuzonImapBodyPart *part)
{
  g_autofree char *section = buzon_imap_body_part_get_section (part);

  g_string_append_printf (out, "(%s %s/%s ", section[0] != '\0' ? section : "-", part->type,
                          part->subtype);
  append_params (out, part->params);
  if (part->children != NULL)
    {
      for (guint i = 0; i < part->children->len; i++)
        {
          g_string_append_c (out, ' ');
          append_part (out, part->children->pdata[i]);
        }
      g_assert_null (part->encoding);
      g_assert_cmpuint (part->size, ==, 0);
      g_assert_cmpint (part->lines, ==, -1);
    }
  else
    {
      g_string_append_c (out, ' ');
      append_nullable (out, part->id);
      g_string_append_c (out, ' ');
      append_nullable (out, part->description);
      g_string_append_printf (out, " %s %" G_GUINT64_FORMAT,
                              part->encoding != NULL ? part->encoding : "NIL", part->size);
      if (part->lines >= 0)
        g_string_append_printf (out, " lines=%" G_GINT64_FORMAT, part->lines);
    }
  if (part->envelope != NULL)
    {
      g_string_append_c (out, ' ');
      append_envelope (out, part->envelope);
    }
  if (part->body != NULL)
    {
      g_assert_true (part->body->parent == part);
      g_string_append_c (out, ' ');
      append_part (out, part->body);
    }
  if (part->md5 != NULL)
    g_string_append_printf (out, " md5=%s", part->md5);
  if (part->disposition != NULL)
    {
      g_string_append_printf (out, " dsp=%s", part->disposition);
      append_params (out, part->disposition_params);
    }
  else
    g_assert_null (part->disposition_params);
  if (part->language != NULL)
    {
      g_autofree char *joined = g_strjoinv (",", part->language);
      g_string_append_printf (out, " lang=%s", joined);
    }
  if (part->location != NULL)
    g_string_append_printf (out, " loc=%s", part->location);
  g_string_append_c (out, ')');
}

static void
assert_body (BuzonImapBodyPart *part,
             const char        *expected)
{
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_nonnull (part);
  append_part (out, part);
  g_assert_cmpstr (out->str, ==, expected);
}

static void
assert_envelope (BuzonImapEnvelope *envelope,
                 const char        *expected)
{
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_nonnull (envelope);
  append_envelope (out, envelope);
  g_assert_cmpstr (out->str, ==, expected);
}

static void
assert_flags (GStrv       flags,
              const char *expected)
{
  g_autofree char *joined = NULL;

  g_assert_nonnull (flags);
  joined = g_strjoinv (" ", flags);
  g_assert_cmpstr (joined, ==, expected);
}

static void
assert_date (GDateTime  *date,
             const char *expected_utc,
             gint64      offset_seconds)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autofree char *text = NULL;

  g_assert_nonnull (date);
  utc = g_date_time_to_utc (date);
  text = g_date_time_format (utc, "%Y-%m-%d %H:%M:%S");
  g_assert_cmpstr (text, ==, expected_utc);
  g_assert_cmpint (g_date_time_get_utc_offset (date) / G_TIME_SPAN_SECOND, ==, offset_seconds);
}

static void
assert_section (BuzonImapFetch *fetch,
                guint           index,
                gboolean        binary,
                const char     *section,
                gint64          origin,
                const char     *data,
                gsize           length)
{
  BuzonImapFetchSection *s;

  g_assert_cmpuint (index, <, fetch->sections->len);
  s = fetch->sections->pdata[index];
  g_assert_cmpint (s->binary, ==, binary);
  g_assert_cmpstr (s->section, ==, section);
  g_assert_cmpint (s->origin, ==, origin);
  if (data == NULL)
    g_assert_null (s->data);
  else
    {
      g_assert_nonnull (s->data);
      g_assert_cmpmem (g_bytes_get_data (s->data, NULL), g_bytes_get_size (s->data), data, length);
    }
}

/* Dovecot 2.3: the common header-sync FETCH. */
static void
test_dovecot_flags_modseq (void)
{
  g_autoptr (BuzonImapFetch) f = decode ("* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered $Forwarded) "
                                         "MODSEQ (90060115194045001))\r\n");

  g_assert_cmpuint (f->seq, ==, 49);
  g_assert_cmpuint (f->present, ==,
                    BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_FLAGS | BUZON_IMAP_FETCH_MODSEQ);
  g_assert_cmpuint (f->uid, ==, 117);
  assert_flags (f->flags, "\\Seen \\Answered $Forwarded");
  g_assert_cmpuint (f->modseq, ==, G_GUINT64_CONSTANT (90060115194045001));
  g_assert_null (f->envelope);
  g_assert_null (f->body);
  g_assert_null (f->internaldate);
  g_assert_cmpuint (f->sections->len, ==, 0);
  g_assert_cmpuint (f->warnings->len, ==, 0);
}

/* Dovecot 2.3: a message a client opens, with a forwarded message attached:
 * multipart/mixed holding multipart/alternative, message/rfc822 (whose body
 * is multipart/related) and a PDF; groups in To; partial and header
 * sections. */
#define DOVECOT_FULL                                                                               \
  "* 12 FETCH (UID 3001 INTERNALDATE \" 7-Jul-2026 09:05:03 +0200\" RFC822.SIZE 48213 "            \
  "FLAGS (\\Seen) ENVELOPE (\"Tue, 07 Jul 2026 09:05:00 +0200\" "                                 \
  "\"=?UTF-8?Q?Informe_t=C3=A9cnico?=\" "                                                          \
  "((\"Ana =?UTF-8?Q?Garc=C3=ADa?=\" NIL \"ana\" \"example.test\")) "                             \
  "((\"Ana =?UTF-8?Q?Garc=C3=ADa?=\" NIL \"ana\" \"example.test\")) NIL "                          \
  "((NIL NIL \"equipo\" NIL)(\"Bob\" NIL \"bob\" \"example.test\")"                                \
  "(NIL NIL \"carol\" \"example.test\")(NIL NIL NIL NIL)"                                      \
  "(NIL \"@relay.test\" \"dan\" \"d.test\")) "                                                    \
  "NIL NIL \"<prev@example.test>\" \"<msg1@example.test>\") "                                      \
  "BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"utf-8\" \"format\" \"flowed\") NIL NIL "    \
  "\"quoted-printable\" 1021 31 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL "   \
  "NIL \"quoted-printable\" 4210 88 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"alt-b\") "    \
  "NIL NIL NIL)(\"message\" \"rfc822\" (\"name\" \"fwd.eml\") NIL \"Forwarded\" \"7bit\" 2210 "    \
  "(\"Mon, 6 Jul 2026 18:00:00 +0000\" \"Hola\" ((\"Bob\" NIL \"bob\" \"example.test\")) "         \
  "((\"Bob\" NIL \"bob\" \"example.test\")) ((\"Bob\" NIL \"bob\" \"example.test\")) "             \
  "((NIL NIL \"ana\" \"example.test\")) NIL NIL NIL \"<inner@example.test>\") "                    \
  "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 1 NIL NIL NIL NIL)"         \
  "(\"image\" \"png\" (\"name\" \"a.png\") \"<img1@example.test>\" NIL \"base64\" 1380 NIL "       \
  "(\"inline\" (\"filename\" \"a.png\")) NIL NIL) \"related\" (\"boundary\" \"rel-b\") NIL NIL "   \
  "NIL) 40 NIL (\"attachment\" (\"filename\" \"fwd.eml\")) NIL NIL)(\"application\" \"pdf\" "      \
  "(\"name\" \"informe.pdf\") NIL NIL \"base64\" 38000 \"Q2hlY2s=\" (\"attachment\" "              \
  "(\"filename\" \"informe.pdf\" \"size\" \"27700\")) (\"es\" \"en\") "                            \
  "\"https://example.test/informe.pdf\") \"mixed\" (\"boundary\" \"mix-b\") NIL \"es\" NIL) "      \
  "BODY[HEADER.FIELDS (REFERENCES IN-REPLY-TO)] {36}\r\n"                                          \
  "In-Reply-To: <prev@example.test>\r\n\r\n"                                                       \
  " BODY[1.1]<0> {5}\r\nHola,)\r\n"

static void
test_dovecot_full (void)
{
  g_autoptr (BuzonImapFetch) f = decode (DOVECOT_FULL);
  const BuzonImapBodyPart *png;
  const BuzonImapFetchSection *header;

  g_assert_cmpuint (f->seq, ==, 12);
  g_assert_cmpuint (f->present, ==,
                    BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_INTERNALDATE
                      | BUZON_IMAP_FETCH_RFC822_SIZE | BUZON_IMAP_FETCH_FLAGS
                      | BUZON_IMAP_FETCH_ENVELOPE | BUZON_IMAP_FETCH_BODYSTRUCTURE
                      | BUZON_IMAP_FETCH_SECTIONS);
  g_assert_cmpuint (f->warnings->len, ==, 0);
  g_assert_cmpuint (f->uid, ==, 3001);
  assert_date (f->internaldate, "2026-07-07 07:05:03", 2 * 3600);
  g_assert_cmpuint (f->rfc822_size, ==, 48213);
  assert_flags (f->flags, "\\Seen");
  assert_envelope (f->envelope,
                   "ENV(\"Tue, 07 Jul 2026 09:05:00 +0200\" \"=?UTF-8?Q?Informe_t=C3=A9cnico?=\" "
                   "[\"Ana =?UTF-8?Q?Garc=C3=ADa?=\" NIL \"ana\" \"example.test\"] "
                   "[\"Ana =?UTF-8?Q?Garc=C3=ADa?=\" NIL \"ana\" \"example.test\"] NIL "
                   "[NIL NIL \"equipo\" NIL, \"Bob\" NIL \"bob\" \"example.test\", "
                   "NIL NIL \"carol\" \"example.test\", NIL NIL NIL NIL, "
                   "NIL \"@relay.test\" \"dan\" \"d.test\"] NIL NIL "
                   "\"<prev@example.test>\" \"<msg1@example.test>\")");
  g_assert_true (buzon_imap_address_is_group_start (f->envelope->to->pdata[0]));
  g_assert_false (buzon_imap_address_is_group_end (f->envelope->to->pdata[0]));
  g_assert_false (buzon_imap_address_is_group_start (f->envelope->to->pdata[1]));
  g_assert_false (buzon_imap_address_is_group_end (f->envelope->to->pdata[2]));
  g_assert_true (buzon_imap_address_is_group_end (f->envelope->to->pdata[3]));
  g_assert_false (buzon_imap_address_is_group_start (f->envelope->to->pdata[3]));

  assert_body (f->body,
               "(- multipart/mixed {boundary=mix-b} "
               "(1 multipart/alternative {boundary=alt-b} "
               "(1.1 text/plain {charset=utf-8 format=flowed} NIL NIL quoted-printable 1021 "
               "lines=31) "
               "(1.2 text/html {charset=utf-8} NIL NIL quoted-printable 4210 lines=88)) "
               "(2 message/rfc822 {name=fwd.eml} NIL \"Forwarded\" 7bit 2210 lines=40 "
               "ENV(\"Mon, 6 Jul 2026 18:00:00 +0000\" \"Hola\" "
               "[\"Bob\" NIL \"bob\" \"example.test\"] [\"Bob\" NIL \"bob\" \"example.test\"] "
               "[\"Bob\" NIL \"bob\" \"example.test\"] [NIL NIL \"ana\" \"example.test\"] "
               "NIL NIL NIL \"<inner@example.test>\") "
               "(2 multipart/related {boundary=rel-b} "
               "(2.1 text/plain {charset=us-ascii} NIL NIL 7bit 12 lines=1) "
               "(2.2 image/png {name=a.png} \"<img1@example.test>\" NIL base64 1380 "
               "dsp=inline{filename=a.png})) "
               "dsp=attachment{filename=fwd.eml}) "
               "(3 application/pdf {name=informe.pdf} NIL NIL base64 38000 md5=Q2hlY2s= "
               "dsp=attachment{filename=informe.pdf size=27700} lang=es,en "
               "loc=https://example.test/informe.pdf) "
               "lang=es)");
  g_assert_null (f->body->parent);
  g_assert_cmpstr (buzon_imap_body_part_get_param (f->body, "BOUNDARY"), ==, "mix-b");
  g_assert_null (buzon_imap_body_part_get_param (f->body, "charset"));
  png = buzon_imap_body_part_find (f->body, "2.2");
  g_assert_nonnull (png);
  g_assert_cmpstr (png->subtype, ==, "png");
  g_assert_cmpstr (buzon_imap_body_part_get_disposition_param (png, "Filename"), ==, "a.png");
  /* "2" is the message part, not the multipart inside it. */
  g_assert_cmpstr (buzon_imap_body_part_find (f->body, "2")->type, ==, "message");
  g_assert_null (buzon_imap_body_part_find (f->body, "4"));
  g_assert_null (buzon_imap_body_part_find (f->body, "2.3"));

  g_assert_cmpuint (f->sections->len, ==, 2);
  assert_section (f, 0, FALSE, "HEADER.FIELDS (REFERENCES IN-REPLY-TO)", -1,
                  "In-Reply-To: <prev@example.test>\r\n\r\n", 36);
  assert_section (f, 1, FALSE, "1.1", 0, "Hola,", 5);
  header = buzon_imap_fetch_get_section (f, FALSE, "header.fields (references in-reply-to)");
  g_assert_true (header == f->sections->pdata[0]);
  g_assert_null (buzon_imap_fetch_get_section (f, TRUE, "1.1"));
}

/* Each decoded structure shares one allocation with its strings, and still
 * stands on its own: taken out of the fetch, it outlives it and goes with its
 * own free function (AddressSanitizer checks both). */
static void
test_structures_outlive_fetch (void)
{
  BuzonImapFetch *f = decode (DOVECOT_FULL);
  g_autoptr (BuzonImapEnvelope) envelope = g_steal_pointer (&f->envelope);
  g_autoptr (BuzonImapBodyPart) body = g_steal_pointer (&f->body);
  g_autoptr (BuzonImapFetchSection) section = g_ptr_array_steal_index (f->sections, 0);
  g_autoptr (BuzonImapAddress) bob = g_ptr_array_steal_index (envelope->to, 1);
  const BuzonImapBodyPart *pdf;

  buzon_imap_fetch_free (f);
  g_assert_cmpstr (envelope->subject, ==, "=?UTF-8?Q?Informe_t=C3=A9cnico?=");
  g_assert_cmpstr (envelope->message_id, ==, "<msg1@example.test>");
  g_assert_cmpstr (bob->name, ==, "Bob");
  g_assert_cmpstr (bob->host, ==, "example.test");
  g_assert_cmpstr (section->section, ==, "HEADER.FIELDS (REFERENCES IN-REPLY-TO)");
  g_assert_cmpstr (body->subtype, ==, "mixed");
  pdf = buzon_imap_body_part_find (body, "3");
  g_assert_cmpstr (pdf->md5, ==, "Q2hlY2s=");
  g_assert_cmpstr (pdf->disposition, ==, "attachment");
  g_assert_cmpstr (pdf->location, ==, "https://example.test/informe.pdf");
  g_assert_cmpstr (buzon_imap_body_part_find (body, "2")->envelope->subject, ==, "Hola");
}

/* Gmail: X-GM-* items, quoted labels, upper-case body structure without
 * body-fld-loc (Gmail stops after language). */
static void
test_gmail (void)
{
  g_autoptr (BuzonImapFetch) f = decode (
    "* 56697 FETCH (X-GM-THRID 1563190496481790748 X-GM-MSGID 1563491715126921418 "
    "X-GM-LABELS (\"\\\\Sent\" \\Inbox Important \"Muy importante\" \"&AMk-t&AOk-\") UID 227195 "
    "RFC822.SIZE 87705 MODSEQ (10677203) INTERNALDATE \"01-Apr-2017 15:51:32 +0000\" "
    "FLAGS (\\Seen) BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\" \"DELSP\" \"yes\" "
    "\"FORMAT\" \"flowed\") NIL NIL \"BASE64\" 10418 133 NIL NIL NIL)(\"TEXT\" \"HTML\" "
    "(\"CHARSET\" \"UTF-8\") NIL NIL \"BASE64\" 34544 442 NIL NIL NIL) \"ALTERNATIVE\" "
    "(\"BOUNDARY\" \"94eb2c1cd0507723d5054c1ce6cb\") NIL NIL))\r\n");

  g_assert_cmpuint (f->warnings->len, ==, 0);
  g_assert_cmpuint (f->present, ==,
                    BUZON_IMAP_FETCH_X_GM_THRID | BUZON_IMAP_FETCH_X_GM_MSGID
                      | BUZON_IMAP_FETCH_X_GM_LABELS | BUZON_IMAP_FETCH_UID
                      | BUZON_IMAP_FETCH_RFC822_SIZE | BUZON_IMAP_FETCH_MODSEQ
                      | BUZON_IMAP_FETCH_INTERNALDATE | BUZON_IMAP_FETCH_FLAGS
                      | BUZON_IMAP_FETCH_BODYSTRUCTURE);
  g_assert_cmpuint (f->seq, ==, 56697);
  g_assert_cmpuint (f->x_gm_thrid, ==, G_GUINT64_CONSTANT (1563190496481790748));
  g_assert_cmpuint (f->x_gm_msgid, ==, G_GUINT64_CONSTANT (1563491715126921418));
  assert_flags (f->x_gm_labels, "\\Sent \\Inbox Important Muy importante &AMk-t&AOk-");
  g_assert_cmpuint (f->uid, ==, 227195);
  g_assert_cmpuint (f->rfc822_size, ==, 87705);
  g_assert_cmpuint (f->modseq, ==, 10677203);
  assert_date (f->internaldate, "2017-04-01 15:51:32", 0);
  assert_body (f->body, "(- multipart/alternative {boundary=94eb2c1cd0507723d5054c1ce6cb} "
                        "(1 text/plain {charset=UTF-8 delsp=yes format=flowed} NIL NIL base64 "
                        "10418 lines=133) "
                        "(2 text/html {charset=UTF-8} NIL NIL base64 34544 lines=442))");
  g_assert_null (f->envelope);
}

/* Exchange 2016 puts Content-Description where the multipart's disposition
 * belongs (javaee/javamail#278): the tree is kept, the disposition dropped. */
static void
test_exchange_disposition_string (void)
{
  g_autoptr (BuzonImapFetch) f = decode (
    "* 1 FETCH (UID 5 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
    "\"7bit\" 21 0 NIL (\"inline\" NIL) NIL NIL)(\"application\" \"octet-stream\" "
    "(\"name\" \"private.txt\") NIL NIL \"base64\" 690 NIL (\"attachment\" "
    "(\"filename\" \"private.txt\")) NIL NIL) \"mixed\" (\"boundary\" \"----=_Part_0\") "
    "\"S/MIME Encrypted Message\" NIL))\r\n");

  g_assert_cmpuint (f->present, ==, BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_BODYSTRUCTURE);
  assert_body (f->body, "(- multipart/mixed {boundary=----=_Part_0} "
                        "(1 text/plain {charset=us-ascii} NIL NIL 7bit 21 lines=0 dsp=inline"
                        "NIL) "
                        "(2 application/octet-stream {name=private.txt} NIL NIL base64 690 "
                        "dsp=attachment{filename=private.txt}))");
  g_assert_cmpuint (f->warnings->len, ==, 1);
  assert_warning (f, 0, "malformed disposition");
}

/* Office 365 sends parts with NIL type and subtype (jstedfast/MailKit#1446),
 * and the "undisclosed-recipients" group with \Recent (MailKit#919). The
 * structure is left out; everything else survives. */
static void
test_office365_nil_types (void)
{
  g_autoptr (BuzonImapFetch) f = decode (
    "* 37 FETCH (UID 67 FLAGS (\\Seen \\Recent) RFC822.SIZE 14801 ENVELOPE (\"Tue, 9 Jul 2019 "
    "13:53:17 +0200\" \"Verify\" ((\"Apple\" NIL \"appleid\" \"id.apple.com\")) NIL NIL "
    "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL "
    "\"<786519723@email.apple.com>\") BODYSTRUCTURE (((NIL NIL NIL NIL NIL \"7BIT\" 0 NIL NIL "
    "NIL NIL)(NIL NIL NIL NIL NIL \"7BIT\" 0 NIL NIL NIL NIL) \"related\" (\"boundary\" \"_007_\" "
    "\"type\" \"multipart/alternative\") NIL NIL)(\"application\" \"pdf\" (\"name\" \"s.pdf\") NIL "
    "\"s.pdf\" \"base64\" 215638 NIL (\"attachment\" (\"filename\" \"s.pdf\")) NIL NIL) \"mixed\" "
    "(\"boundary\" \"_008_\") NIL \"en-US\"))\r\n");

  g_assert_cmpuint (f->present, ==,
                    BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_FLAGS | BUZON_IMAP_FETCH_RFC822_SIZE
                      | BUZON_IMAP_FETCH_ENVELOPE);
  g_assert_null (f->body);
  g_assert_cmpuint (f->warnings->len, ==, 1);
  assert_warning (f, 0, "BODYSTRUCTURE left out: part 1.1 has no media type");
  assert_flags (f->flags, "\\Seen \\Recent");
  assert_envelope (f->envelope, "ENV(\"Tue, 9 Jul 2019 13:53:17 +0200\" \"Verify\" "
                                "[\"Apple\" NIL \"appleid\" \"id.apple.com\"] NIL NIL "
                                "[NIL NIL \"undisclosed-recipients\" NIL, NIL NIL NIL NIL] "
                                "NIL NIL NIL \"<786519723@email.apple.com>\")");
}

typedef struct
{
  const char *name;
  const char *input;
  const char *warning;
} Broken;

/* Broken body structures from the field; each must leave the structure out
 * with a warning and keep the UID. */
static const Broken broken[] = {
  /* GMX (MailKit#878): "multipart" as a single part with a size. */
  { "gmx_multipart_single_part",
    "* 58056 FETCH (UID 168531 BODYSTRUCTURE ((\"multipart\" \"related\" (\"boundary\" \"b\") NIL "
    "NIL \"7BIT\" 400 (\"boundary\" \"b\") NIL NIL NIL)(\"TEXT\" \"html\" (\"charset\" \"UTF8\") "
    "NIL NIL \"7BIT\" 1115 70 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"m\") NIL NIL NIL) "
    "FLAGS ())\r\n",
    "part 1 is a multipart without parts" },
  /* Apple Mail's appledouble through an unnamed server (MailKit#823): -1. */
  { "negative_size",
    "* 5 FETCH (UID 581 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"US-ASCII\") NIL NIL "
    "\"7bit\" 6 3 NIL NIL NIL NIL)(\"application\" \"applefile\" NIL NIL NIL \"7BIT\" -1 NIL NIL "
    "NIL NIL) \"mixed\" (\"boundary\" \"B_7193419875_891207\") NIL NIL))\r\n",
    "part 2 has a size that is not a number" },
  /* mail.ru (MailKit#1838): a size in floating point. */
  { "mailru_float_size",
    "* 9 FETCH (UID 90 BODYSTRUCTURE (\"application\" \"zip\" NIL NIL NIL \"base64\" 1.86931e+06 "
    "NIL NIL NIL NIL))\r\n",
    "part 1 has a size that is not a number" },
  /* Gmail (MailKit#1841): an empty multipart sent as ("ALTERNATIVE"). */
  { "gmail_type_only",
    "* 51 FETCH (UID 51 MODSEQ (18812) BODY ((\"TEXT\" \"PLAIN\" "
    "(\"CHARSET\" \"windows-1252\") NIL "
    "NIL \"QUOTED-PRINTABLE\" 211 5)(\"ALTERNATIVE\") \"REPORT\"))\r\n",
    "part 2 (alternative) has no subtype" },
  /* An unnamed server (MailKit#1393): NIL where the parts of a multipart
   * belong. */
  { "nil_instead_of_parts",
    "* 3 FETCH (UID 3 BODYSTRUCTURE ((NIL \"alternative\" (\"boundary\" \"Apple-Mail\") NIL NIL "
    "NIL) \"report\" (\"report-type\" \"delivery-status\") NIL NIL NIL))\r\n",
    "part 1 has no media type" },
  /* Lotus Domino (MailKit#944): an embedded message with an empty body. */
  { "domino_empty_embedded_body",
    "* 9125 FETCH (UID 23064 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"UTF-8\") NIL NIL "
    "\"base64\" 232 4 NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7BIT\" 787 (NIL NIL NIL "
    "NIL NIL NIL NIL NIL NIL NIL) () 0 NIL NIL NIL) \"report\" (\"boundary\" \"==IF\") NIL NIL) "
    "FLAGS (\\Seen))\r\n",
    "part 2.1 is not a list" },
  /* A text part without its line count. */
  { "text_without_lines",
    "* 2 FETCH (UID 2 BODY (\"text\" \"plain\" NIL NIL NIL \"7bit\" 10))\r\n",
    "text part 1 lacks a line count" },
  /* Parameters with an odd count. */
  { "odd_parameters",
    "* 2 FETCH (UID 2 BODY (\"text\" \"plain\" (\"charset\") NIL NIL \"7bit\" 10 1))\r\n",
    "part 1 has malformed parameters" },
  /* Not a list at all. */
  { "nil_structure", "* 2 FETCH (UID 2 BODYSTRUCTURE NIL)\r\n", "part 1 is not a list" },
};

static void
test_broken (gconstpointer data)
{
  const Broken *b = data;
  g_autoptr (BuzonImapFetch) f = decode (b->input);

  g_assert_true (f->present & BUZON_IMAP_FETCH_UID);
  g_assert_false (f->present & (BUZON_IMAP_FETCH_BODY | BUZON_IMAP_FETCH_BODYSTRUCTURE));
  g_assert_null (f->body);
  g_assert_cmpuint (f->warnings->len, ==, 1);
  assert_warning (f, 0, b->warning);
}

/* mail.ru sends NIL for a parameter value (modern-email/defects#53): the pair
 * is dropped, the structure kept. Extra extension data is legal. */
static void
test_mailru_nil_param_and_extra_extension (void)
{
  g_autoptr (BuzonImapFetch) f = decode (
    "* 4 FETCH (UID 40 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" "
    "5 1 NIL NIL NIL NIL \"x-future\" (1 2 (3)))(\"text\" \"html\" NIL NIL NIL \"8bit\" 9 1) "
    "\"alternative\" (\"boundary\" NIL \"charset\" \"x\")))\r\n");

  assert_body (f->body, "(- multipart/alternative {charset=x} "
                        "(1 text/plain {charset=utf-8} NIL NIL 8bit 5 lines=1) "
                        "(2 text/html NIL NIL NIL 8bit 9 lines=1))");
  g_assert_cmpuint (f->warnings->len, ==, 1);
  assert_warning (f, 0, "NIL for its value");
}

/* Yahoo: BODY (no extension data) of a single-part message, empty flags. */
static void
test_yahoo_body (void)
{
  g_autoptr (BuzonImapFetch) f = decode (
    "* 1 FETCH (UID 1 RFC822.SIZE 2313 INTERNALDATE \"01-Jan-2026 10:20:30 +0000\" FLAGS () "
    "BODY (\"text\" \"plain\" (\"charset\" \"UTF-8\") NIL NIL \"7bit\" 1024 20))\r\n");

  g_assert_cmpuint (f->present, ==,
                    BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_RFC822_SIZE
                      | BUZON_IMAP_FETCH_INTERNALDATE | BUZON_IMAP_FETCH_FLAGS
                      | BUZON_IMAP_FETCH_BODY);
  g_assert_nonnull (f->flags);
  g_assert_cmpuint (g_strv_length (f->flags), ==, 0);
  assert_body (f->body, "(1 text/plain {charset=UTF-8} NIL NIL 7bit 1024 lines=20)");
  g_assert_false (buzon_imap_body_part_is_multipart (f->body));
  g_assert_true (buzon_imap_body_part_find (f->body, "1") == f->body);
  g_assert_cmpuint (f->warnings->len, ==, 0);
}

/* iCloud: RFC822.HEADER and RFC822.TEXT map to BODY[HEADER] and BODY[TEXT]. */
static void
test_icloud_rfc822_sections (void)
{
  g_autoptr (BuzonImapFetch) f = decode ("* 4 FETCH (UID 1204 MODSEQ (38211) "
                                         "FLAGS (\\Seen $NotJunk "
                                         "NotJunk) RFC822.HEADER {15}\r\nSubject: Hi\r\n\r\n "
                                         "RFC822.TEXT NIL RFC822 {4}\r\nab\r\n)\r\n");

  g_assert_cmpuint (f->present, ==,
                    BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_MODSEQ | BUZON_IMAP_FETCH_FLAGS
                      | BUZON_IMAP_FETCH_SECTIONS);
  assert_flags (f->flags, "\\Seen $NotJunk NotJunk");
  g_assert_cmpuint (f->sections->len, ==, 3);
  assert_section (f, 0, FALSE, "HEADER", -1, "Subject: Hi\r\n\r\n", 15);
  assert_section (f, 1, FALSE, "TEXT", -1, NULL, 0);
  assert_section (f, 2, FALSE, "", -1, "ab\r\n", 4);
  g_assert_true (buzon_imap_fetch_get_section (f, FALSE, "header") == f->sections->pdata[0]);
}

/* Cyrus 3: RFC 8474 object ids, RFC 8970 PREVIEW, an unknown SAVEDATE. */
static void
test_cyrus_objectid_preview (void)
{
  g_autoptr (BuzonImapFetch) f = decode (
    "* 1 FETCH (UID 8 EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9) "
    "SAVEDATE \"17-Jul-2026 02:44:25 -0700\" PREVIEW \"Hola, \xc2\xbfqu\xc3\xa9 tal?\" "
    "MODSEQ (12))\r\n");
  g_autoptr (BuzonImapFetch) nil = decode ("* 2 FETCH (UID 9 EMAILID (M1) THREADID NIL PREVIEW "
                                           "NIL)\r\n");

  g_assert_cmpuint (f->present, ==,
                    BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_EMAILID | BUZON_IMAP_FETCH_THREADID
                      | BUZON_IMAP_FETCH_PREVIEW | BUZON_IMAP_FETCH_MODSEQ);
  g_assert_cmpstr (f->emailid, ==, "M6d99ac3275bb4e");
  g_assert_cmpstr (f->threadid, ==, "T64b478a75b7ea9");
  g_assert_cmpstr (f->preview, ==, "Hola, \xc2\xbfqu\xc3\xa9 tal?");
  g_assert_cmpuint (f->modseq, ==, 12);
  g_assert_cmpuint (f->warnings->len, ==, 0);

  g_assert_cmpuint (nil->present, ==,
                    BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_EMAILID | BUZON_IMAP_FETCH_THREADID
                      | BUZON_IMAP_FETCH_PREVIEW);
  g_assert_cmpstr (nil->emailid, ==, "M1");
  g_assert_null (nil->threadid);
  g_assert_null (nil->preview);
  g_assert_cmpuint (nil->warnings->len, ==, 0);
}

/* Dovecot 2.3 with the SNIPPET draft: SNIPPET (FUZZY "text"). */
static void
test_dovecot_snippet_draft (void)
{
  g_autoptr (BuzonImapFetch) f = decode ("* 3 FETCH (UID 3 SNIPPET (FUZZY \"Short text\"))\r\n");

  g_assert_cmpuint (f->present, ==, BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_PREVIEW);
  g_assert_cmpstr (f->preview, ==, "Short text");
}

/* Courier: an envelope that is NIL throughout, a NIL section. */
static void
test_courier_nil_everywhere (void)
{
  g_autoptr (BuzonImapFetch) f = decode (
    "* 1 FETCH (UID 300 FLAGS (\\Seen) INTERNALDATE \"14-Oct-2003 15:39:52 -0400\" "
    "RFC822.SIZE 0 ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) BODY[HEADER] NIL "
    "BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL NIL 0 0 NIL NIL NIL NIL))\r\n");

  assert_date (f->internaldate, "2003-10-14 19:39:52", -4 * 3600);
  g_assert_cmpuint (f->rfc822_size, ==, 0);
  assert_envelope (f->envelope, "ENV(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  assert_section (f, 0, FALSE, "HEADER", -1, NULL, 0);
  assert_body (f->body, "(1 text/plain NIL NIL NIL NIL 0 lines=0)");
  g_assert_cmpuint (f->warnings->len, ==, 0);
}

/* BINARY[] data may hold NUL bytes. */
static void
test_binary_with_nul (void)
{
  static const char input[] =
    "* 2 FETCH (UID 7 BINARY[1]<10> ~{5}\r\nab\0cd BINARY[2] {0}\r\n)\r\n";
  BuzonImapResponse *response = parse_with (NULL, input, sizeof input - 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapFetch) f = buzon_imap_fetch_decode (response, &error);

  buzon_imap_response_free (response);
  g_assert_no_error (error);
  g_assert_cmpuint (f->sections->len, ==, 2);
  assert_section (f, 0, TRUE, "1", 10, "ab\0cd", 5);
  assert_section (f, 1, TRUE, "2", -1, "", 0);
  g_assert_true (buzon_imap_fetch_get_section (f, TRUE, "1") == f->sections->pdata[0]);
  g_assert_null (buzon_imap_fetch_get_section (f, FALSE, "1"));
}

/* Malformed simple items are left out one by one; unknown ones skipped. */
static void
test_malformed_items (void)
{
  g_autoptr (BuzonImapFetch) f = decode (
    "* 8 FETCH (X-UNKNOWN (1 (2) \"3\") INTERNALDATE \"31-Feb-2026 10:00:00 +0000\" "
    "RFC822.SIZE -5 FLAGS NIL MODSEQ (x) BINARY.SIZE[1] 12 UID 80 ENVELOPE (NIL NIL) "
    "X-GM-LABELS (\\Inbox (nested)) BODY[1]<x> \"a\" EMAILID () FLAGS (\\Draft) RFC822.SIZE)\r\n");

  g_assert_cmpuint (f->present, ==, BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_FLAGS);
  g_assert_cmpuint (f->uid, ==, 80);
  assert_flags (f->flags, "\\Draft");
  g_assert_cmpuint (f->warnings->len, ==, 9);
  assert_warning (f, 0, "INTERNALDATE");
  assert_warning (f, 1, "RFC822.SIZE");
  assert_warning (f, 2, "FLAGS");
  assert_warning (f, 3, "MODSEQ");
  assert_warning (f, 4, "ENVELOPE");
  assert_warning (f, 5, "X-GM-LABELS");
  assert_warning (f, 6, "BODY[1]<x>");
  assert_warning (f, 7, "EMAILID");
  assert_warning (f, 8, "RFC822.SIZE has no value");
  g_assert_null (f->internaldate);
  g_assert_null (f->envelope);
  g_assert_null (f->x_gm_labels);
  g_assert_cmpuint (f->sections->len, ==, 0);
}

static void
test_internaldate_forms (void)
{
  static const struct
  {
    const char *text;
    const char *utc; /* NULL: rejected. */
    gint64 offset;
  } dates[] = {
    { "17-Jul-1996 02:44:25 -0700", "1996-07-17 09:44:25", -7 * 3600 },
    { " 7-Jul-1996 02:44:25 -0700", "1996-07-07 09:44:25", -7 * 3600 },
    { "7-jul-1996 02:44:25 +0530", "1996-07-06 21:14:25", 5 * 3600 + 1800 },
    { "07-JUL-1996 23:59:59 +0000", "1996-07-07 23:59:59", 0 },
    { "29-Feb-2024 12:00:00 +0100", "2024-02-29 11:00:00", 3600 },
    { "29-Feb-2023 12:00:00 +0100", NULL, 0 },
    { "17-Jly-1996 02:44:25 -0700", NULL, 0 },
    { "17-Jul-1996 24:44:25 -0700", NULL, 0 },
    { "17-Jul-1996 02:44:25", NULL, 0 },
    { "17-Jul-1996 02:44:25 -0700 x", NULL, 0 },
    { "Wed, 17 Jul 1996 02:44:25 -0700", NULL, 0 },
    { "", NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autofree char *input = g_strdup_printf ("* 1 FETCH (UID 1 INTERNALDATE \"%s\")\r\n",
                                                dates[i].text);
      g_autoptr (BuzonImapFetch) f = decode (input);

      if (dates[i].utc == NULL)
        {
          g_assert_null (f->internaldate);
          g_assert_cmpuint (f->warnings->len, ==, 1);
        }
      else
        assert_date (f->internaldate, dates[i].utc, dates[i].offset);
    }
}

static void
test_no_uid_is_fine (void)
{
  g_autoptr (BuzonImapFetch) f = decode ("* 3 FETCH (FLAGS (\\Deleted))\r\n");

  g_assert_cmpuint (f->present, ==, BUZON_IMAP_FETCH_FLAGS);
  g_assert_cmpuint (f->uid, ==, 0);
  g_assert_cmpuint (f->seq, ==, 3);
}

static void
test_not_fetch (void)
{
  assert_decode_fails ("* 23 EXISTS\r\n");
  assert_decode_fails ("a1 OK done\r\n");
  assert_decode_fails ("* OK [ALERT] hi\r\n");
  assert_decode_fails ("* 0 FETCH (UID 1)\r\n");
  assert_decode_fails ("* 1 FETCH UID 1\r\n");
  assert_decode_fails ("* 1 FETCH (UID 1) (FLAGS ())\r\n");
  assert_decode_fails ("* 1 FETCH\r\n");
  assert_decode_fails ("* 1 FETCH (UID 0)\r\n");
  assert_decode_fails ("* 1 FETCH (UID NIL)\r\n");
  assert_decode_fails ("* 1 FETCH (UID abc FLAGS ())\r\n");
  assert_decode_fails ("* 1 FETCH (UID 4294967296)\r\n");
  assert_decode_fails ("* 1 FETCH (FLAGS () UID)\r\n");
  assert_decode_fails ("* 1 FETCH (UID (5))\r\n");
}

/* A name that is not an atom loses the pairing: the rest is ignored. */
static void
test_item_without_name (void)
{
  g_autoptr (BuzonImapFetch) f = decode ("* 1 FETCH (UID 5 \"FLAGS\" (\\Seen) RFC822.SIZE 3)\r\n");

  g_assert_cmpuint (f->present, ==, BUZON_IMAP_FETCH_UID);
  g_assert_cmpuint (f->warnings->len, ==, 1);
  assert_warning (f, 0, "no name");
}

/* Nesting past the decoder's bound, with a parser that allows it. */
static void
test_deep_nesting (void)
{
  static const BuzonImapParserLimits limits = { 1 << 20, 1 << 20, 200 };
  g_autoptr (GString) input = g_string_new ("* 1 FETCH (UID 1 BODYSTRUCTURE ");
  g_autoptr (GString) shallow = g_string_new ("* 1 FETCH (UID 1 BODYSTRUCTURE ");
  BuzonImapResponse *response;
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapFetch) f = NULL;
  g_autoptr (BuzonImapFetch) g = NULL;
  const BuzonImapBodyPart *leaf;

  for (guint i = 0; i < 60; i++)
    g_string_append_c (input, '(');
  g_string_append (input, "\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1");
  for (guint i = 0; i < 60; i++)
    g_string_append (input, i == 0 ? ")" : " \"mixed\")");
  g_string_append (input, ")\r\n");
  response = parse_with (&limits, input->str, input->len);
  f = buzon_imap_fetch_decode (response, &error);
  buzon_imap_response_free (response);
  g_assert_no_error (error);
  g_assert_null (f->body);
  g_assert_cmpuint (f->warnings->len, ==, 1);
  assert_warning (f, 0, "nested deeper");

  /* Ten levels are fine and numbered 1.1.1…. */
  for (guint i = 0; i < 10; i++)
    g_string_append_c (shallow, '(');
  g_string_append (shallow, "\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1");
  for (guint i = 0; i < 10; i++)
    g_string_append (shallow, i == 0 ? ")" : " \"mixed\")");
  g_string_append (shallow, ")\r\n");
  g = decode (shallow->str);
  g_assert_cmpuint (g->warnings->len, ==, 0);
  leaf = buzon_imap_body_part_find (g->body, "1.1.1.1.1.1.1.1.1");
  g_assert_nonnull (leaf);
  g_assert_cmpstr (leaf->type, ==, "text");
}

/* A message/rfc822 part whose body is a single part: that body is N.1. */
static void
test_message_single_part_body (void)
{
  g_autoptr (BuzonImapFetch) f = decode (
    "* 1 FETCH (UID 1 BODYSTRUCTURE (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 300 (NIL \"Re\" "
    "NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"7bit\" 20 2) 9))\r\n");

  assert_body (f->body, "(1 message/rfc822 NIL NIL NIL 7bit 300 lines=9 "
                        "ENV(NIL \"Re\" NIL NIL NIL NIL NIL NIL NIL NIL) "
                        "(1.1 text/plain NIL NIL NIL 7bit 20 lines=2))");
}

/* Decoding 10,000 generated responses through one parser: every one decodes,
 * with its own UID and an intact tree. */
static void
test_many (void)
{
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (NULL);
  g_autoptr (GString) input = g_string_new (NULL);
  BuzonImapResponse *response;
  guint count = 0;

  for (guint i = 1; i <= 10000; i++)
    g_string_append_printf (
      input,
      "* %u FETCH (UID %u FLAGS (\\Seen k%u) RFC822.SIZE %u ENVELOPE (\"d\" \"s%u\" "
      "((\"N\" NIL \"u%u\" \"h.test\")) NIL NIL NIL NIL NIL NIL \"<%u@h>\") BODYSTRUCTURE "
      "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" %u 1 NIL NIL NIL NIL)"
      "(\"image\" \"jpeg\" NIL NIL NIL \"base64\" %u NIL (\"attachment\" NIL) NIL NIL) \"mixed\" "
      "(\"boundary\" \"b%u\") NIL NIL NIL) BODY[TEXT]<0> {3}\r\n%03u)\r\n",
      i, i + 100, i % 7, i * 3, i, i, i, i, i * 2, i, i % 1000);
  buzon_imap_parser_feed (parser, input->str, input->len);

  while ((response = buzon_imap_parser_next (parser, NULL)) != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BuzonImapFetch) f = buzon_imap_fetch_decode (response, &error);
      g_autofree char *subject = NULL;
      BuzonImapBodyPart *jpeg;

      buzon_imap_response_free (response);
      g_assert_no_error (error);
      count++;
      g_assert_cmpuint (f->seq, ==, count);
      g_assert_cmpuint (f->uid, ==, count + 100);
      g_assert_cmpuint (f->warnings->len, ==, 0);
      subject = g_strdup_printf ("s%u", count);
      g_assert_cmpstr (f->envelope->subject, ==, subject);
      jpeg = f->body->children->pdata[1];
      g_assert_cmpuint (jpeg->size, ==, count * 2);
      g_assert_cmpuint (g_bytes_get_size (((BuzonImapFetchSection *) f->sections->pdata[0])->data),
                        ==, 3);
    }
  g_assert_cmpuint (count, ==, 10000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap-fetch/dovecot/flags-modseq", test_dovecot_flags_modseq);
  g_test_add_func ("/imap-fetch/dovecot/full", test_dovecot_full);
  g_test_add_func ("/imap-fetch/dovecot/snippet-draft", test_dovecot_snippet_draft);
  g_test_add_func ("/imap-fetch/dovecot/structures-outlive-fetch",
                   test_structures_outlive_fetch);
  g_test_add_func ("/imap-fetch/gmail", test_gmail);
  g_test_add_func ("/imap-fetch/exchange/disposition-string", test_exchange_disposition_string);
  g_test_add_func ("/imap-fetch/office365/nil-types", test_office365_nil_types);
  g_test_add_func ("/imap-fetch/mailru/nil-param", test_mailru_nil_param_and_extra_extension);
  g_test_add_func ("/imap-fetch/yahoo/body", test_yahoo_body);
  g_test_add_func ("/imap-fetch/icloud/rfc822-sections", test_icloud_rfc822_sections);
  g_test_add_func ("/imap-fetch/cyrus/objectid-preview", test_cyrus_objectid_preview);
  g_test_add_func ("/imap-fetch/courier/nil-everywhere", test_courier_nil_everywhere);
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autofree char *path = g_strdup_printf ("/imap-fetch/broken/%s", broken[i].name);
      g_test_add_data_func (path, &broken[i], test_broken);
    }
  g_test_add_func ("/imap-fetch/binary-with-nul", test_binary_with_nul);
  g_test_add_func ("/imap-fetch/malformed-items", test_malformed_items);
  g_test_add_func ("/imap-fetch/internaldate-forms", test_internaldate_forms);
  g_test_add_func ("/imap-fetch/no-uid-is-fine", test_no_uid_is_fine);
  g_test_add_func ("/imap-fetch/not-fetch", test_not_fetch);
  g_test_add_func ("/imap-fetch/item-without-name", test_item_without_name);
  g_test_add_func ("/imap-fetch/deep-nesting", test_deep_nesting);
  g_test_add_func ("/imap-fetch/message-single-part-body", test_message_single_part_body);
  g_test_add_func ("/imap-fetch/many", test_many);

  return g_test_run ();
}
