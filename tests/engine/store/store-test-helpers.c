// Helpers shared by the store's unit tests: a fresh store in a temporary
// folder, IMAP data as Dovecot sends it, decoded, and reads of the database
// behind the store's back.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "imap/imap-mailbox.h"
#include "imap/imap-parser.h"
#include "store-test-helpers.h"

GAsyncResult *
wait_for (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (500), TRUE);
  g_assert_nonnull (*slot);
  return *slot;
}

void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

gboolean
open_store (BuzonStore *store,
            GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_store_open_async (store, NULL, store_result_cb, &result);
  return buzon_store_open_finish (store, wait_for (&result), error);
}

void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("buzon-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "account", "cache.db", NULL);
  f->store = buzon_store_new (f->path);
  g_assert_true (open_store (f->store, &error));
  g_assert_no_error (error);
}

void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  if (f->store != NULL)
    {
      gpointer weak = f->store;

      g_object_add_weak_pointer (G_OBJECT (f->store), &weak);
      buzon_store_close (f->store);
      g_object_unref (f->store);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_null (weak);
    }
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Helpers: IMAP data as Dovecot sends it, decoded. */

BuzonImapResponse *
parse (const char *text)
{
  g_autoptr (BuzonImapParser) parser = buzon_imap_parser_new (NULL);
  g_autoptr (GError) error = NULL;
  BuzonImapResponse *response;

  buzon_imap_parser_feed (parser, text, strlen (text));
  response = buzon_imap_parser_next (parser, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  return response;
}

BuzonImapFetch *
fetch_from (const char *text)
{
  g_autoptr (BuzonImapResponse) response = parse (text);
  g_autoptr (GError) error = NULL;
  BuzonImapFetch *fetch = buzon_imap_fetch_decode (response, &error);

  g_assert_no_error (error);
  return fetch;
}

/* A header FETCH of a message: @refs is the References header's value
 * (may be empty), @in_reply_to an ID or NIL. */
BuzonImapFetch *
message (guint32     uid,
         const char *flags,
         const char *subject,
         const char *message_id,
         const char *in_reply_to,
         const char *refs)
{
  g_autofree char *headers = refs[0] != '\0'
                               ? g_strdup_printf ("References: %s\r\nList-ID: Equipo "
                                                  "<equipo.example.org>\r\n\r\n", refs)
                               : g_strdup ("\r\n");
  g_autofree char *text = g_strdup_printf (
    "* %u FETCH (UID %u FLAGS (%s) INTERNALDATE \"05-Mar-2026 10:00:00 +0100\" RFC822.SIZE 1234 "
    "MODSEQ (%u) ENVELOPE (\"Thu, 05 Mar 2026 10:%02u:00 +0100\" \"%s\" "
    "((\"=?UTF-8?Q?Mar=C3=ADa_N=C3=BA=C3=B1ez?=\" NIL \"maria\" \"example.org\")) NIL NIL "
    "((NIL NIL \"ana\" \"example.test\")(\"Bob\" NIL \"bob\" \"example.com\")) NIL NIL %s "
    "\"<%s>\") "
    "BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 10 1 NIL NIL NIL "
    "NIL)(\"application\" \"pdf\" (\"name\" \"factura.pdf\") NIL NIL \"base64\" 2000 NIL "
    "(\"attachment\" (\"filename\" \"factura.pdf\")) NIL NIL) \"mixed\" (\"boundary\" \"b\") "
    "NIL NIL "
    "NIL) BODY[HEADER.FIELDS (REFERENCES IN-REPLY-TO LIST-ID)] {%zu}\r\n%s)\r\n",
    uid, uid, flags, uid * 10, uid % 60, subject, in_reply_to, message_id, strlen (headers),
    headers);

  return fetch_from (text);
}

gint64
add_folder (Fixture    *f,
            GPtrArray  *mailboxes,
            const char *name)
{
  g_autofree char *line = g_strdup_printf ("* LIST (\\HasNoChildren) \"/\" \"%s\"\r\n", name);
  g_autoptr (BuzonImapResponse) response = parse (line);
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (mailboxes, buzon_imap_mailbox_new_from_list (response, FALSE, &error));
  g_assert_no_error (error);
  return 0;
}

gboolean
save_folders (Fixture   *f,
              GPtrArray *mailboxes)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  buzon_store_save_folders_async (f->store, mailboxes, NULL, store_result_cb, &result);
  ok = buzon_store_save_folders_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  return ok;
}

GPtrArray *
list_folders (Fixture *f)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *folders;

  buzon_store_list_folders_async (f->store, NULL, store_result_cb, &result);
  folders = buzon_store_list_folders_finish (f->store, wait_for (&result), &error);
  g_assert_no_error (error);
  return folders;
}

const BuzonStoreFolder *
folder_named (GPtrArray  *folders,
              const char *name)
{
  for (guint i = 0; i < folders->len; i++)
    if (g_str_equal (((BuzonStoreFolder *) folders->pdata[i])->name, name))
      return folders->pdata[i];
  return NULL;
}

/* Saves INBOX, Sent and Archivo; returns their ids in that order. */
void
three_folders (Fixture *f,
               gint64   ids[3])
{
  g_autoptr (GPtrArray) mailboxes = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_imap_mailbox_free);
  g_autoptr (GPtrArray) folders = NULL;

  add_folder (f, mailboxes, "INBOX");
  add_folder (f, mailboxes, "Sent");
  add_folder (f, mailboxes, "Archivo");
  g_assert_true (save_folders (f, mailboxes));
  folders = list_folders (f);
  ids[0] = folder_named (folders, "INBOX")->id;
  ids[1] = folder_named (folders, "Sent")->id;
  ids[2] = folder_named (folders, "Archivo")->id;
}

gboolean
apply (Fixture               *f,
       BuzonStoreBatch       *batch,
       BuzonStoreBatchResult *counts,
       GError               **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_store_apply_async (f->store, batch, NULL, store_result_cb, &result);
  return buzon_store_apply_finish (f->store, wait_for (&result), counts, error);
}

/* Runs @sql on the database directly (a second connection, as a reader)
 * and returns the first column of each row, joined with ",". */
char *
query (Fixture    *f,
       const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL), ==, SQLITE_OK);
  while (sqlite3_step (statement) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (statement, 0);

      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, text != NULL ? text : "NULL");
    }
  sqlite3_finalize (statement);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

