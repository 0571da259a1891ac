// Tests of BuzonFolderModel and BuzonFolder: an account's folders in a
// sidebar's order, with counts that follow the cache.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "engine.h"
#include "imap/imap-mailbox.h"
#include "store-test-helpers.h"
#include "store/folder-model.h"

typedef struct
{
  Fixture store;
  BuzonFolderModel *model;
  guint changes;
} FolderFixture;

static void
items_changed_cb (GListModel    *list,
                  guint          position,
                  guint          removed,
                  guint          added,
                  FolderFixture *f)
{
  f->changes++;
}

static void
set_up (FolderFixture *f,
        gconstpointer  data)
{
  fixture_set_up (&f->store, data);
}

static void
tear_down (FolderFixture *f,
           gconstpointer  data)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (f->model != NULL)
    g_assert_finalize_object (f->model);
  fixture_tear_down (&f->store, data);
}

/* Lets the store's signals and the model's reads run their course. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + 400 * 1000;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Saves the folder list: LIST lines as Dovecot sends them. */
static void
save_list (FolderFixture      *f,
           const char * const *lines)
{
  g_autoptr (GPtrArray) mailboxes = g_ptr_array_new_with_free_func (
    (GDestroyNotify) buzon_imap_mailbox_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (BuzonImapResponse) response = parse (lines[i]);
      g_autoptr (GError) error = NULL;

      g_ptr_array_add (mailboxes, buzon_imap_mailbox_new_from_list (response, FALSE, &error));
      g_assert_no_error (error);
    }
  g_assert_true (save_folders (&f->store, mailboxes));
}

static const char * const dovecot_list[] = {
  "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n",
  "* LIST (\\HasChildren) \"/\" Proyectos\r\n",
  "* LIST (\\HasNoChildren) \"/\" Proyectos/2026\r\n",
  "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n",
  "* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
  "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n",
  "* LIST (\\Noselect \\HasChildren) \"/\" Archivo\r\n",
  "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n",
  NULL,
};

static char *
names (GListModel *list)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (BuzonFolder) folder = g_list_model_get_item (list, i);

      g_string_append_printf (out, "%s%s", i > 0 ? "," : "", buzon_folder_get_name (folder));
    }
  return g_string_free (out, FALSE);
}

static void
test_order_and_names (FolderFixture *f,
                      gconstpointer  data)
{
  g_autofree char *order = NULL;
  BuzonFolder *child;
  BuzonFolder *inbox;

  save_list (f, dovecot_list);
  f->model = buzon_folder_model_new (f->store.store);
  g_assert_true (buzon_folder_model_get_loading (f->model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->model)), ==, 0);
  settle ();
  g_assert_false (buzon_folder_model_get_loading (f->model));
  order = names (G_LIST_MODEL (f->model));
  /* Inbox, then the special folders in a fixed order, then the rest by
   * name with children under their parents. */
  g_assert_cmpstr (order, ==, "INBOX,Drafts,Sent,Junk,Trash,Archivo,Proyectos,Proyectos/2026");

  inbox = buzon_folder_model_find_special_use (f->model, BUZON_IMAP_SPECIAL_USE_NONE);
  g_assert_nonnull (inbox);
  g_assert_cmpstr (buzon_folder_get_display_name (inbox), ==, "Inbox");
  g_assert_cmpuint (buzon_folder_get_depth (inbox), ==, 0);
  g_assert_true (buzon_folder_get_selectable (inbox));
  g_assert_true (buzon_folder_model_find (f->model, buzon_folder_get_id (inbox)) == inbox);
  g_assert_cmpuint (buzon_folder_get_special_use (
                      buzon_folder_model_find_special_use (f->model,
                                                           BUZON_IMAP_SPECIAL_USE_SENT)),
                    ==, BUZON_IMAP_SPECIAL_USE_SENT);
  g_assert_null (buzon_folder_model_find_special_use (f->model, BUZON_IMAP_SPECIAL_USE_ARCHIVE));
  child = g_list_model_get_item (G_LIST_MODEL (f->model), 7);
  g_assert_cmpstr (buzon_folder_get_display_name (child), ==, "2026");
  g_assert_cmpuint (buzon_folder_get_depth (child), ==, 1);
  g_object_unref (child);
  child = g_list_model_get_item (G_LIST_MODEL (f->model), 5);
  g_assert_cmpstr (buzon_folder_get_name (child), ==, "Archivo");
  g_assert_false (buzon_folder_get_selectable (child));
  g_object_unref (child);
}

static void
test_counts_follow_the_cache (FolderFixture *f,
                              gconstpointer  data)
{
  static const char * const two[] = {
    "* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
    "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n",
    NULL,
  };
  g_autoptr (BuzonStoreBatch) batch = NULL;
  g_autoptr (BuzonFolder) inbox = NULL;
  g_autoptr (GError) error = NULL;
  guint unread_notified = 0;
  guint total_notified = 0;

  save_list (f, two);
  f->model = buzon_folder_model_new (f->store.store);
  g_signal_connect (f->model, "items-changed", G_CALLBACK (items_changed_cb), f);
  settle ();
  g_assert_cmpuint (f->changes, ==, 1);
  inbox = g_list_model_get_item (G_LIST_MODEL (f->model), 0);
  g_assert_cmpuint (buzon_folder_get_unread_count (inbox), ==, 0);
  g_assert_false (buzon_folder_get_synced (inbox));

  /* The first batch of a first sync: STATUS said 10, 4 unread; 3 cached. */
  batch = buzon_store_batch_new (buzon_folder_get_id (inbox));
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_EXISTS
                                                  | BUZON_STORE_STATE_UNSEEN,
                                        .exists_count = 10,
                                        .unseen_count = 4,
                                      });
  buzon_store_batch_add_fetch (batch, message (8, "", "a", "a@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (9, "\\Seen", "b", "b@x", "NIL", ""));
  buzon_store_batch_add_fetch (batch, message (10, "", "c", "c@x", "NIL", ""));
  g_signal_connect_swapped (inbox, "notify::unread-count", G_CALLBACK (g_atomic_int_inc),
                            &unread_notified);
  g_signal_connect_swapped (inbox, "notify::total-count", G_CALLBACK (g_atomic_int_inc),
                            &total_notified);
  g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
  g_assert_no_error (error);
  settle ();
  /* While the cache is partial, the server's counts. */
  g_assert_cmpuint (buzon_folder_get_total_count (inbox), ==, 10);
  g_assert_cmpuint (buzon_folder_get_unread_count (inbox), ==, 4);
  g_assert_cmpuint (unread_notified, ==, 1);

  /* Complete, then a message read: the cache's own counts, at once. */
  batch = buzon_store_batch_new (buzon_folder_get_id (inbox));
  buzon_store_batch_set_state (batch, &(BuzonStoreFolderState) {
                                        .fields = BUZON_STORE_STATE_FIRST_SYNC_DONE,
                                        .first_sync_done = TRUE,
                                      });
  buzon_store_batch_add_fetch (batch, fetch_from ("* 1 FETCH (UID 8 FLAGS (\\Seen) MODSEQ (99))"
                                                  "\r\n"));
  g_assert_true (apply (&f->store, g_steal_pointer (&batch), NULL, &error));
  g_assert_no_error (error);
  settle ();
  g_assert_true (buzon_folder_get_synced (inbox));
  g_assert_cmpuint (buzon_folder_get_total_count (inbox), ==, 3);
  g_assert_cmpuint (buzon_folder_get_unread_count (inbox), ==, 1);
  g_assert_cmpuint (total_notified, ==, 2);
  /* Counts change in place: no rows came or went. */
  g_assert_cmpuint (f->changes, ==, 1);
}

static void
test_folders_come_and_go (FolderFixture *f,
                          gconstpointer  data)
{
  static const char * const before[] = {
    "* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
    "* LIST (\\HasNoChildren) \"/\" Facturas\r\n",
    "* LIST (\\HasNoChildren) \"/\" Viajes\r\n",
    NULL,
  };
  static const char * const after[] = {
    "* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
    "* LIST (\\HasNoChildren) \"/\" Clientes\r\n",
    "* LIST (\\HasNoChildren) \"/\" Viajes\r\n",
    NULL,
  };
  g_autoptr (BuzonFolder) viajes = NULL;
  g_autoptr (BuzonFolder) facturas = NULL;
  g_autofree char *order = NULL;

  save_list (f, before);
  f->model = buzon_folder_model_new (f->store.store);
  g_signal_connect (f->model, "items-changed", G_CALLBACK (items_changed_cb), f);
  settle ();
  viajes = g_list_model_get_item (G_LIST_MODEL (f->model), 2);
  facturas = g_list_model_get_item (G_LIST_MODEL (f->model), 1);
  save_list (f, after);
  settle ();
  order = names (G_LIST_MODEL (f->model));
  g_assert_cmpstr (order, ==, "INBOX,Clientes,Viajes");
  g_assert_cmpuint (f->changes, ==, 2);
  /* The folder that stayed is the same object. */
  {
    g_autoptr (BuzonFolder) now = g_list_model_get_item (G_LIST_MODEL (f->model), 2);

    g_assert_true (now == viajes);
  }
  g_assert_null (buzon_folder_model_find (f->model, buzon_folder_get_id (facturas)));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  buzon_engine_init ();

  g_test_add ("/folder-model/order-and-names", FolderFixture, NULL, set_up,
              test_order_and_names, tear_down);
  g_test_add ("/folder-model/counts-follow-the-cache", FolderFixture, NULL, set_up,
              test_counts_follow_the_cache, tear_down);
  g_test_add ("/folder-model/folders-come-and-go", FolderFixture, NULL, set_up,
              test_folders_come_and_go, tear_down);

  {
    int status = g_test_run ();

    /* The engine's warm-up thread ends before the process does. */
    buzon_engine_shutdown ();
    return status;
  }
}
