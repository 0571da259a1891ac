// BuzonImapSession and its quirks object against scripted servers.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The servers behave as real providers do, where the fixture Dovecot cannot:
// Gmail's and Office 365's capabilities and Office 365's throttling answer,
// iCloud's CAPABILITY line with a trailing space, Yahoo without IDLE, a server
// that advertises IDLE and refuses it, Courier's APPENDUID without UIDPLUS,
// UW's UIDPLUS without APPENDUID, and Dovecot ending a LIST before the
// long SEARCH sent ahead of it, which it does only with a big mailbox (and
// a FETCH ending before the LIST ahead of it, which a server may do). And
// LOGOUT, which hangs up once written when nothing else is on the wire, and
// waits for the answers when something is.
// Capability lines are those of ../shared/PROVIDERS.md.

#include <string.h>

#include "fake-session-helpers.h"
#include "imap/imap-error.h"
#include "imap/imap-session.h"

#define WAIT_SECONDS 10

#define GMAIL_AFTER_LOGIN                                                                          \
  "IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS "                  \
  "COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS "          \
  "LITERAL- SPECIAL-USE APPENDLIMIT=35651584"
#define OFFICE365_BEFORE_LOGIN                                                                     \
  "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE "   \
  "LITERAL+"

typedef struct
{
  BuzonTestFakeImapServer *server;
  BuzonImapSession *session;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  f->server = buzon_test_fake_imap_server_new ();
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  if (f->session != NULL)
    {
      gpointer weak = f->session;
      gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

      g_object_add_weak_pointer (G_OBJECT (f->session), &weak);
      g_object_unref (f->session);
      while (weak != NULL && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);
      g_assert_null (weak);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  buzon_test_fake_imap_server_free (f->server);
}

/* Scripts the greeting and a password login answered with @capabilities
 * (NULL: the OK carries none, so the client asks with CAPABILITY and gets
 * @capability_line as sent). */
static void
script_login (Fixture    *f,
              const char *greeting,
              const char *capabilities,
              const char *capability_line)
{
  g_autofree char *ok = NULL;

  buzon_test_fake_imap_server_send_line (f->server, greeting);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% AUTHENTICATE PLAIN %ANY%");
  if (capabilities != NULL)
    {
      ok = g_strdup_printf ("%%TAG%% OK [CAPABILITY %s] Logged in", capabilities);
      buzon_test_fake_imap_server_send_line (f->server, ok);
    }
  else
    {
      buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Logged in");
      buzon_test_fake_imap_server_expect_line (f->server, "%TAG% CAPABILITY");
      buzon_test_fake_imap_server_send (f->server, capability_line, strlen (capability_line));
      buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK CAPABILITY completed");
    }
}

static void
script_id (Fixture *f)
{
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% ID %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "* ID NIL");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK ID completed");
}

static void
log_in (Fixture *f)
{
  f->session = fake_server_log_in (f->server);
}

static void
assert_script_played (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  gboolean played = buzon_test_fake_imap_server_finish (f->server, WAIT_SECONDS * 1000, &error);

  g_assert_no_error (error);
  g_assert_true (played);
}

static gboolean
idle_once (Fixture *f,
           GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_idle_async (f->session, NULL, fake_server_result_cb, &result);
  return buzon_imap_session_idle_finish (f->session, fake_server_wait (f->server, &result), error);
}

static gboolean
append (Fixture  *f,
        guint32  *uidvalidity,
        guint32  *uid,
        GError  **error)
{
  static const char message[] = "Subject: hola\r\n\r\nHola.\r\n";
  g_autoptr (GBytes) bytes = g_bytes_new_static (message, sizeof message - 1);
  g_autoptr (GAsyncResult) result = NULL;

  buzon_imap_session_append_async (f->session, "INBOX", bytes, NULL, NULL, NULL,
                                   fake_server_result_cb, &result);
  return buzon_imap_session_append_finish (f->session, fake_server_wait (f->server, &result),
                                           uidvalidity, uid, error);
}

/* The APPEND of append(), with a synchronising literal. */
static void
script_append (Fixture    *f,
               const char *answer)
{
  static const char message[] = "Subject: hola\r\n\r\nHola.\r\n";

  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% APPEND INBOX {24}");
  buzon_test_fake_imap_server_send_line (f->server, "+ Ready for literal data");
  buzon_test_fake_imap_server_expect_bytes (f->server, message, sizeof message - 1);
  buzon_test_fake_imap_server_expect_line (f->server, "");
  buzon_test_fake_imap_server_send_line (f->server, answer);
}

static void
test_gmail (Fixture      *f,
            gconstpointer data)
{
  BuzonImapQuirks *quirks;

  script_login (f,
                "* OK [CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN "
                "X-GM-EXT-1 XYZZY SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN "
                "AUTH=OAUTHBEARER] Gimap ready for requests from 127.0.0.1",
                GMAIL_AFTER_LOGIN, NULL);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% ENABLE CONDSTORE UTF8=ACCEPT");
  buzon_test_fake_imap_server_send_line (f->server, "* ENABLED CONDSTORE UTF8=ACCEPT");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% OK Success");
  script_id (f);
  log_in (f);

  quirks = buzon_imap_session_get_quirks (f->session);
  g_assert_cmpint (buzon_imap_quirks_get_server_kind (quirks), ==, BUZON_IMAP_SERVER_GMAIL);
  g_assert_true (buzon_imap_quirks_get_saves_sent (quirks));
  g_assert_true (buzon_imap_quirks_get_has_labels (quirks));
  g_assert_true (buzon_imap_quirks_get_can_idle (quirks));
  g_assert_cmpuint (buzon_imap_quirks_get_max_connections (quirks), <, 15);
  g_assert_true (buzon_imap_session_get_utf8 (f->session));
  g_assert_true (buzon_imap_session_get_condstore (f->session));
  g_assert_false (buzon_imap_session_get_qresync (f->session));
  g_assert_cmpuint (buzon_imap_session_get_append_limit (f->session), ==, 35651584);
  assert_script_played (f);
}

/* What follows the login goes in one round trip: ENABLE, ID and COMPRESS
 * all reach the server before it answers any (the script waits for the
 * three lines first). A refused COMPRESS leaves the session uncompressed,
 * with what ENABLE turned on. */
static void
test_setup_pipelined (Fixture      *f,
                      gconstpointer data)
{
  g_autofree char *url_text = NULL;
  g_autoptr (BuzonServerUrl) url = NULL;
  g_autoptr (BuzonImapConnection) connection = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  script_login (f, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready",
                "IMAP4rev1 ENABLE ID CONDSTORE UTF8=ACCEPT COMPRESS=DEFLATE", NULL);
  /* Tags go b1 (the login), b2, … */
  buzon_test_fake_imap_server_expect_line (f->server, "b2 ENABLE CONDSTORE UTF8=ACCEPT");
  buzon_test_fake_imap_server_expect_line (f->server, "b3 ID %ANY%");
  buzon_test_fake_imap_server_expect_line (f->server, "b4 COMPRESS DEFLATE");
  buzon_test_fake_imap_server_send_line (f->server, "* ENABLED CONDSTORE UTF8=ACCEPT");
  buzon_test_fake_imap_server_send_line (f->server, "b2 OK Enabled");
  buzon_test_fake_imap_server_send_line (f->server, "* ID NIL");
  buzon_test_fake_imap_server_send_line (f->server, "b3 OK ID completed");
  buzon_test_fake_imap_server_send_line (f->server, "b4 NO Not now");
  buzon_test_fake_imap_server_expect_line (f->server, "b5 NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "b5 OK NOOP completed");
  buzon_test_fake_imap_server_start (f->server);

  url_text = buzon_test_fake_imap_server_get_url (f->server, "imap+plain");
  url = buzon_server_url_parse (url_text, NULL);
  connection = buzon_imap_connection_new (url, NULL);
  buzon_imap_connection_open_async (connection, NULL, fake_server_result_cb, &result);
  g_assert_true (buzon_imap_connection_open_finish (connection,
                                                    fake_server_wait (f->server, &result),
                                                    &error));
  g_clear_object (&result);
  f->session = g_object_new (BUZON_TYPE_IMAP_SESSION, "connection", connection, "compress", TRUE,
                             NULL);
  buzon_imap_session_login_async (f->session, "ana", "secreto", NULL, fake_server_result_cb,
                                  &result);
  g_assert_true (buzon_imap_session_login_finish (f->session,
                                                  fake_server_wait (f->server, &result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (buzon_imap_session_get_utf8 (f->session));
  g_assert_true (buzon_imap_session_get_condstore (f->session));
  g_assert_false (buzon_imap_connection_get_is_compressed (connection));
  /* Still plain: the next command reads as sent. */
  buzon_imap_session_noop_async (f->session, NULL, fake_server_result_cb, &result);
  g_assert_true (buzon_imap_session_noop_finish (f->session, fake_server_wait (f->server, &result),
                                                 &error));
  g_assert_no_error (error);
  assert_script_played (f);
}

/* Office 365: its capabilities only after login, and the BAD it answers
 * when it throttles, which is worth retrying later. It has nothing to
 * ENABLE and no COMPRESS, so its login is ready without ID's answer. */
static void
test_office365 (Fixture      *f,
                gconstpointer data)
{
  g_autofree char *greeting = g_strdup_printf ("* OK [CAPABILITY %s] The Microsoft Exchange "
                                               "IMAP4 service is ready.",
                                               OFFICE365_BEFORE_LOGIN);
  BuzonImapQuirks *quirks;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  script_login (f, greeting, NULL,
                "* CAPABILITY " OFFICE365_BEFORE_LOGIN " MOVE CLIENTACCESSRULES "
                "CLIENTNETWORKPRESENCELOCATION BACKENDAUTHENTICATE\r\n");
  /* Nothing waits for ID's answer: the next command goes out before it.
   * Tags go b1 (the login), b2 (CAPABILITY), … */
  buzon_test_fake_imap_server_expect_line (f->server, "b3 ID %ANY%");
  buzon_test_fake_imap_server_expect_line (f->server, "b4 NOOP");
  buzon_test_fake_imap_server_send_line (f->server, "* ID NIL");
  buzon_test_fake_imap_server_send_line (f->server, "b3 OK ID completed");
  buzon_test_fake_imap_server_send_line (f->server, "b4 BAD User is authenticated but not "
                                                    "connected.");
  log_in (f);

  quirks = buzon_imap_session_get_quirks (f->session);
  g_assert_cmpint (buzon_imap_quirks_get_server_kind (quirks), ==, BUZON_IMAP_SERVER_OFFICE365);
  g_assert_true (buzon_imap_quirks_get_saves_sent (quirks));
  g_assert_false (buzon_imap_quirks_get_has_labels (quirks));
  g_assert_false (buzon_imap_session_get_condstore (f->session));
  g_assert_true (buzon_imap_connection_has_capability (
    buzon_imap_session_get_connection (f->session), "MOVE"));

  buzon_imap_session_noop_async (f->session, NULL, fake_server_result_cb, &result);
  g_assert_false (buzon_imap_session_noop_finish (f->session, fake_server_wait (f->server, &result),
                                                  &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_BAD);
  g_assert_true (buzon_imap_quirks_is_transient_error (quirks, error));
  assert_script_played (f);
}

/* iCloud ends its CAPABILITY line with a space. */
static void
test_icloud_trailing_space (Fixture      *f,
                            gconstpointer data)
{
  BuzonImapQuirks *quirks;
  BuzonImapConnection *connection;

  script_login (f, "* OK [CAPABILITY XAPPLEPUSHSERVICE IMAP4 IMAP4rev1 SASL-IR AUTH=ATOKEN "
                   "AUTH=PLAIN] iSCREAM ready to rumble",
                NULL,
                "* CAPABILITY XAPPLEPUSHSERVICE IMAP4 IMAP4rev1 ACL QUOTA LITERAL+ NAMESPACE "
                "UIDPLUS CHILDREN UNSELECT SORT ID ESEARCH IDLE \r\n");
  script_id (f);
  log_in (f);

  connection = buzon_imap_session_get_connection (f->session);
  quirks = buzon_imap_session_get_quirks (f->session);
  g_assert_true (buzon_imap_connection_has_capability (connection, "IDLE"));
  g_assert_false (buzon_imap_connection_has_capability (connection, ""));
  g_assert_cmpint (buzon_imap_quirks_get_server_kind (quirks), ==, BUZON_IMAP_SERVER_ICLOUD);
  g_assert_true (buzon_imap_quirks_get_can_idle (quirks));
  g_assert_true (buzon_imap_session_get_uidplus (f->session));
  assert_script_played (f);
}

/* Yahoo has no IDLE: the session says so without asking. */
static void
test_yahoo_without_idle (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonImapQuirks *quirks;

  script_login (f, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2] IMAP4rev1 Hello",
                "IMAP4rev1 ID MOVE NAMESPACE XYMHIGHESTMODSEQ UIDPLUS LITERAL+ CHILDREN X-MSG-EXT "
                "UNSELECT OBJECTID", NULL);
  script_id (f);
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  log_in (f);

  quirks = buzon_imap_session_get_quirks (f->session);
  g_assert_cmpint (buzon_imap_quirks_get_server_kind (quirks), ==, BUZON_IMAP_SERVER_YAHOO);
  g_assert_false (buzon_imap_quirks_get_can_idle (quirks));
  g_assert_false (idle_once (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  assert_script_played (f);
}

/* IDLE advertised, then refused (Oracle's server did): the session
 * remembers and does not ask again. */
static void
test_idle_refused (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonImapQuirks *quirks;

  script_login (f, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready",
                "IMAP4rev1 IDLE UIDPLUS", NULL);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% IDLE");
  buzon_test_fake_imap_server_send_line (f->server, "%TAG% NO IDLE is not enabled for you");
  buzon_test_fake_imap_server_expect_silence (f->server, 300);
  log_in (f);

  quirks = buzon_imap_session_get_quirks (f->session);
  g_assert_true (buzon_imap_quirks_get_can_idle (quirks));
  g_assert_false (idle_once (f, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_NO);
  g_assert_nonnull (strstr (error->message, "IDLE is not enabled for you"));
  g_clear_error (&error);
  g_assert_false (buzon_imap_quirks_get_can_idle (quirks));
  g_assert_false (idle_once (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  assert_script_played (f);
}

/* Courier sends APPENDUID without advertising UIDPLUS: it is read all the
 * same. */
static void
test_appenduid_without_uidplus (Fixture      *f,
                                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint32 uidvalidity = 0;
  guint32 uid = 0;

  script_login (f, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Courier-IMAP ready.",
                "IMAP4rev1 CHILDREN NAMESPACE IDLE", NULL);
  script_append (f, "%TAG% OK [APPENDUID 1212 345] APPEND Ok.");
  log_in (f);

  g_assert_false (buzon_imap_session_get_uidplus (f->session));
  g_assert_true (append (f, &uidvalidity, &uid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (uidvalidity, ==, 1212);
  g_assert_cmpuint (uid, ==, 345);
  g_assert_cmpint (buzon_imap_quirks_get_server_kind (buzon_imap_session_get_quirks (f->session)),
                   ==, BUZON_IMAP_SERVER_COURIER);
  assert_script_played (f);
}

/* UW's server advertises UIDPLUS and leaves APPENDUID out: the quirks
 * object stops trusting it. */
static void
test_uidplus_without_appenduid (Fixture      *f,
                                gconstpointer data)
{
  BuzonImapQuirks *quirks;
  g_autoptr (GError) error = NULL;
  guint32 uid = 7;

  script_login (f, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] localhost IMAP4rev1 2007f.404",
                "IMAP4rev1 UIDPLUS IDLE", NULL);
  script_append (f, "%TAG% OK APPEND completed");
  log_in (f);

  quirks = buzon_imap_session_get_quirks (f->session);
  g_assert_true (buzon_imap_quirks_get_appenduid_reliable (quirks));
  g_assert_true (append (f, NULL, &uid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (uid, ==, 0);
  g_assert_false (buzon_imap_quirks_get_appenduid_reliable (quirks));
  assert_script_played (f);
}

/* Dovecot runs a LIST sent behind a long SEARCH beside it and ends it
 * first (seen with 100,000 messages in INBOX): each response reaches the
 * command that asked for it all the same. */
static void
test_list_ends_before_search (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr (GAsyncResult) selected = NULL;
  g_autoptr (GAsyncResult) searched = NULL;
  g_autoptr (GAsyncResult) listed = NULL;
  g_autoptr (BuzonImapSelected) state = NULL;
  g_autoptr (GArray) uids = NULL;
  g_autoptr (GPtrArray) mailboxes = NULL;
  g_autoptr (GError) error = NULL;
  const BuzonImapMailbox *sent;

  script_login (f, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Dovecot ready.",
                "IMAP4rev1 ESEARCH LIST-EXTENDED LIST-STATUS SPECIAL-USE", NULL);
  buzon_test_fake_imap_server_expect_line (f->server, "b2 SELECT INBOX");
  buzon_test_fake_imap_server_send_line (f->server, "* 3 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDVALIDITY 7] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDNEXT 4] Predicted next UID");
  buzon_test_fake_imap_server_send_line (f->server, "b2 OK [READ-WRITE] Select completed");
  buzon_test_fake_imap_server_expect_line (f->server, "b3 UID SEARCH RETURN (ALL) ALL");
  buzon_test_fake_imap_server_expect_line (f->server, "b4 LIST %ANY%");
  buzon_test_fake_imap_server_send_line (f->server, "* LIST (\\HasNoChildren) \"/\" INBOX");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* STATUS INBOX (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 7)");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* LIST (\\HasNoChildren \\Sent) \"/\" Sent");
  buzon_test_fake_imap_server_send_line (f->server,
                                         "* STATUS Sent (MESSAGES 2 UIDNEXT 5 UIDVALIDITY 9)");
  buzon_test_fake_imap_server_send_line (f->server, "b4 OK List completed");
  buzon_test_fake_imap_server_send_line (f->server, "* ESEARCH (TAG \"b3\") UID ALL 1:3");
  buzon_test_fake_imap_server_send_line (f->server, "b3 OK Search completed");
  log_in (f);

  buzon_imap_session_select_async (f->session, "INBOX", BUZON_IMAP_SELECT_NONE, NULL, NULL, NULL,
                                   NULL, NULL, fake_server_result_cb, &selected);
  state = buzon_imap_session_select_finish (f->session, fake_server_wait (f->server, &selected),
                                            &error);
  g_assert_no_error (error);
  buzon_imap_session_search_async (f->session, "ALL", NULL, BUZON_IMAP_SEARCH_NONE, NULL,
                                   fake_server_result_cb, &searched);
  buzon_imap_session_list_async (f->session, NULL, fake_server_result_cb, &listed);
  mailboxes = buzon_imap_session_list_finish (f->session, fake_server_wait (f->server, &listed),
                                              &error);
  g_assert_no_error (error);
  uids = buzon_imap_session_search_finish (f->session, fake_server_wait (f->server, &searched),
                                           &error);
  g_assert_no_error (error);

  g_assert_cmpuint (uids->len, ==, 1);
  g_assert_cmpuint (g_array_index (uids, BuzonImapUidRange, 0).first, ==, 1);
  g_assert_cmpuint (g_array_index (uids, BuzonImapUidRange, 0).last, ==, 3);
  g_assert_cmpuint (mailboxes->len, ==, 2);
  sent = g_ptr_array_index (mailboxes, 1);
  g_assert_cmpstr (sent->raw_name, ==, "Sent");
  g_assert_cmpint (sent->special_use, ==, BUZON_IMAP_SPECIAL_USE_SENT);
  g_assert_nonnull (sent->status);
  g_assert_cmpuint (sent->status->messages, ==, 2);
  g_assert_cmpuint (sent->status->uidvalidity, ==, 9);
  assert_script_played (f);
}

static void
count_fetch_cb (BuzonImapFetch *fetch,
                gpointer        user_data)
{
  guint *count = user_data;

  (*count)++;
  buzon_imap_fetch_free (fetch);
}

/* The other way round: a UID FETCH sent behind a LIST that the server
 * answers first, while the LIST still runs. Its FETCHes are the FETCH's,
 * not the LIST's, which would drop them. */
static void
test_fetch_ends_before_list (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (GAsyncResult) selected = NULL;
  g_autoptr (GAsyncResult) fetched = NULL;
  g_autoptr (GAsyncResult) listed = NULL;
  g_autoptr (BuzonImapSelected) state = NULL;
  g_autoptr (GPtrArray) mailboxes = NULL;
  g_autoptr (GError) error = NULL;
  guint count = 0;
  guint total = 0;

  script_login (f, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Dovecot ready.",
                "IMAP4rev1 LIST-EXTENDED LIST-STATUS SPECIAL-USE", NULL);
  buzon_test_fake_imap_server_expect_line (f->server, "b2 SELECT INBOX");
  buzon_test_fake_imap_server_send_line (f->server, "* 2 EXISTS");
  buzon_test_fake_imap_server_send_line (f->server, "* OK [UIDVALIDITY 7] UIDs valid");
  buzon_test_fake_imap_server_send_line (f->server, "b2 OK [READ-WRITE] Select completed");
  buzon_test_fake_imap_server_expect_line (f->server, "b3 LIST %ANY%");
  buzon_test_fake_imap_server_expect_line (f->server, "b4 UID FETCH 1:2 (UID FLAGS)");
  buzon_test_fake_imap_server_send_line (f->server, "* 1 FETCH (UID 1 FLAGS (\\Seen))");
  buzon_test_fake_imap_server_send_line (f->server, "* 2 FETCH (UID 2 FLAGS ())");
  buzon_test_fake_imap_server_send_line (f->server, "b4 OK Fetch completed");
  buzon_test_fake_imap_server_send_line (f->server, "* LIST (\\HasNoChildren) \"/\" INBOX");
  buzon_test_fake_imap_server_send_line (f->server, "b3 OK List completed");
  log_in (f);

  buzon_imap_session_select_async (f->session, "INBOX", BUZON_IMAP_SELECT_NONE, NULL, NULL, NULL,
                                   NULL, NULL, fake_server_result_cb, &selected);
  state = buzon_imap_session_select_finish (f->session, fake_server_wait (f->server, &selected),
                                            &error);
  g_assert_no_error (error);
  buzon_imap_session_list_async (f->session, NULL, fake_server_result_cb, &listed);
  buzon_imap_session_fetch_async (f->session, "1:2", "(UID FLAGS)", count_fetch_cb, &count, NULL,
                                  fake_server_result_cb, &fetched);
  g_assert_true (buzon_imap_session_fetch_finish (f->session,
                                                  fake_server_wait (f->server, &fetched), &total,
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpuint (total, ==, 2);
  mailboxes = buzon_imap_session_list_finish (f->session, fake_server_wait (f->server, &listed),
                                              &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mailboxes->len, ==, 1);
  assert_script_played (f);
}

/* LOGOUT alone on the wire: the session hangs up once it is written, a
 * round trip before the server's BYE and OK, which this server never sends;
 * "closed" comes from the close, not from a timeout. */
static void
closed_cb (BuzonImapConnection *connection,
           GError              *error,
           gpointer             user_data)
{
  GError **closed = user_data;

  g_clear_error (closed);
  *closed = g_error_copy (error);
}

static void
test_logout_without_answer (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) closed = NULL;

  script_login (f, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready", "IMAP4rev1", NULL);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% LOGOUT");
  buzon_test_fake_imap_server_expect_eof (f->server);
  log_in (f);
  g_signal_connect (buzon_imap_session_get_connection (f->session), "closed",
                    G_CALLBACK (closed_cb), &closed);

  buzon_imap_session_logout_async (f->session, NULL, fake_server_result_cb, &result);
  g_assert_true (buzon_imap_session_logout_finish (f->session,
                                                   fake_server_wait (f->server, &result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (buzon_imap_session_get_state (f->session), ==, BUZON_IMAP_SESSION_LOGOUT);
  g_assert_error (closed, G_IO_ERROR, G_IO_ERROR_CLOSED);
  assert_script_played (f);
}

/* LOGOUT behind a command still on the wire: the session waits for the
 * server's answers, so that the command gets its own rather than a closed
 * connection. */
static void
test_logout_behind_command (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GAsyncResult) noop_result = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  script_login (f, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready", "IMAP4rev1", NULL);
  buzon_test_fake_imap_server_expect_together (f->server, 2);
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% NOOP");
  buzon_test_fake_imap_server_expect_line (f->server, "%TAG% LOGOUT");
  buzon_test_fake_imap_server_sleep (f->server, 200);
  /* Tags go b1 (the login), b2, … */
  buzon_test_fake_imap_server_send_line (f->server, "b2 OK NOOP completed");
  buzon_test_fake_imap_server_send_line (f->server, "* BYE Adiós");
  buzon_test_fake_imap_server_send_line (f->server, "b3 OK Logout completed");
  buzon_test_fake_imap_server_expect_eof (f->server);
  log_in (f);

  buzon_imap_session_noop_async (f->session, NULL, fake_server_result_cb, &noop_result);
  buzon_imap_session_logout_async (f->session, NULL, fake_server_result_cb, &result);
  ok = buzon_imap_session_noop_finish (f->session, fake_server_wait (f->server, &noop_result),
                                       &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (buzon_imap_session_logout_finish (f->session,
                                                   fake_server_wait (f->server, &result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (buzon_imap_session_get_state (f->session), ==, BUZON_IMAP_SESSION_LOGOUT);
  assert_script_played (f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/imap-session-quirks/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("gmail", test_gmail);
  ADD ("office365", test_office365);
  ADD ("icloud-trailing-space", test_icloud_trailing_space);
  ADD ("yahoo-without-idle", test_yahoo_without_idle);
  ADD ("idle-refused", test_idle_refused);
  ADD ("appenduid-without-uidplus", test_appenduid_without_uidplus);
  ADD ("uidplus-without-appenduid", test_uidplus_without_appenduid);
  ADD ("setup-pipelined", test_setup_pipelined);
  ADD ("list-ends-before-search", test_list_ends_before_search);
  ADD ("fetch-ends-before-list", test_fetch_ends_before_list);
  ADD ("logout-without-answer", test_logout_without_answer);
  ADD ("logout-behind-command", test_logout_behind_command);
#undef ADD

  return g_test_run ();
}
