// The store's outbox: a message kept with its bytes, state changes made only from the states a
// step allows, an undo racing a claim (in one store and across two), recovery after a crash,
// and durability across closing and reopening.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <string.h>

#include "store-test-helpers.h"
#include "store/store-outbox.h"

#define MASK(s) BUZON_STORE_OUTBOX_STATE_MASK (BUZON_STORE_OUTBOX_##s)

/* Bytes with a NUL, a CRLF and a non-ASCII letter, so that they cannot pass as text. */
static const char RAW[] = "Subject: Hola\r\nFrom: ana@example.org\r\n\r\nOl\xc3\xa1\r\n\0end\r\n";

static gint64
add_message (BuzonStore *store,
             gint64      send_at)
{
  static const char *const recipients[] = { "bob@example.org", "carol@example.org",
                                            "dan@example.org", NULL };
  g_autoptr (BuzonStoreOutboxItem) item = buzon_store_outbox_item_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gint64 id;

  item->raw = g_bytes_new (RAW, sizeof RAW - 1);
  item->sender = g_strdup ("ana@example.org");
  item->recipients = g_strdupv ((char **) recipients);
  item->sent_headers = g_strdup ("Bcc: dan@example.org\r\n");
  item->subject = g_strdup ("Hola");
  item->message_id = g_strdup ("1@example.org");
  item->flags = BUZON_STORE_OUTBOX_FLAG_DSN;
  item->send_at = send_at;
  buzon_store_add_outbox_async (store, item, NULL, store_result_cb, &result);
  id = buzon_store_add_outbox_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static BuzonStoreOutboxItem *
get_message (BuzonStore *store,
             gint64      id,
             GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_store_get_outbox_async (store, id, NULL, store_result_cb, &result);
  return buzon_store_get_outbox_finish (store, wait_for (&result), error);
}

static BuzonStoreOutboxState
state_of (BuzonStore *store,
          gint64      id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreOutboxItem) item = get_message (store, id, &error);

  g_assert_no_error (error);
  return item->state;
}

static gboolean
change (BuzonStore            *store,
        gint64                 id,
        guint                  from_states,
        BuzonStoreOutboxState  state,
        GError               **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  BuzonStoreOutboxChange step = { 0 };

  step.from_states = from_states;
  step.state = state;
  buzon_store_change_outbox_async (store, id, &step, NULL, store_result_cb, &result);
  return buzon_store_change_outbox_finish (store, wait_for (&result), error);
}

static gboolean
remove_message (BuzonStore *store,
                gint64      id,
                guint       from_states,
                GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  buzon_store_remove_outbox_async (store, id, from_states, NULL, store_result_cb, &result);
  return buzon_store_remove_outbox_finish (store, wait_for (&result), error);
}

static guint
recover (BuzonStore *store)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  guint changed;

  buzon_store_recover_outbox_async (store, NULL, store_result_cb, &result);
  changed = buzon_store_recover_outbox_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  return changed;
}

static GPtrArray *
list_messages (BuzonStore *store)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *items;

  buzon_store_list_outbox_async (store, NULL, store_result_cb, &result);
  items = buzon_store_list_outbox_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  return items;
}

/* What was added is read back whole: the bytes (a NUL among them), the envelope, the Bcc line
 * for Sent, the flags; a listing has everything but the bytes. */
static void
test_add_and_read (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreOutboxItem) item = NULL;
  g_autoptr (GPtrArray) items = NULL;
  const BuzonStoreOutboxItem *listed;
  gint64 id = add_message (f->store, 1000);
  gsize size;
  const char *bytes;

  item = get_message (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->id, ==, id);
  g_assert_cmpint (item->state, ==, BUZON_STORE_OUTBOX_QUEUED);
  bytes = g_bytes_get_data (item->raw, &size);
  g_assert_cmpmem (bytes, size, RAW, sizeof RAW - 1);
  g_assert_cmpuint (item->size, ==, sizeof RAW - 1);
  g_assert_cmpstr (item->sender, ==, "ana@example.org");
  g_assert_cmpuint (g_strv_length (item->recipients), ==, 3);
  g_assert_cmpstr (item->recipients[2], ==, "dan@example.org");
  g_assert_cmpstr (item->sent_headers, ==, "Bcc: dan@example.org\r\n");
  g_assert_cmpstr (item->message_id, ==, "1@example.org");
  g_assert_cmpint (item->flags, ==, BUZON_STORE_OUTBOX_FLAG_DSN);
  g_assert_cmpint (item->send_at, ==, 1000);
  g_assert_cmpuint (item->attempts, ==, 0);
  g_assert_null (item->last_error);
  g_assert_cmpint (item->created_at, >, 0);

  items = list_messages (f->store);
  g_assert_cmpuint (items->len, ==, 1);
  listed = items->pdata[0];
  g_assert_null (listed->raw);
  g_assert_cmpuint (listed->size, ==, sizeof RAW - 1);
  g_assert_cmpstr (listed->subject, ==, "Hola");
}

/* Each step moves a message on only from the states it names; a refused step changes nothing,
 * and says whether the message moved on (STATE) or left (NOT_FOUND). */
static void
test_transitions (Fixture      *f,
                  gconstpointer data)
{
  static const char *const none[] = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreOutboxItem) item = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  BuzonStoreOutboxChange step = { 0 };
  gint64 id = add_message (f->store, 1000);

  /* A claim, then a second claim and an undo, both too late. */
  g_assert_true (change (f->store, id, MASK (QUEUED), BUZON_STORE_OUTBOX_SENDING, &error));
  g_assert_no_error (error);
  g_assert_false (change (f->store, id, MASK (QUEUED), BUZON_STORE_OUTBOX_SENDING, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (remove_message (f->store, id, MASK (QUEUED), &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (state_of (f->store, id), ==, BUZON_STORE_OUTBOX_SENDING);

  /* ACCEPTED cannot come straight from QUEUED. */
  g_assert_false (change (f->store, id, MASK (QUEUED), BUZON_STORE_OUTBOX_ACCEPTED, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_STATE);
  g_clear_error (&error);

  g_assert_true (change (f->store, id, MASK (SENDING), BUZON_STORE_OUTBOX_COMMITTING, &error));
  g_assert_no_error (error);

  /* Accepted for two of three: the one left stays, with the server's words and a try. */
  step.from_states = MASK (SENDING) | MASK (COMMITTING);
  step.state = BUZON_STORE_OUTBOX_ACCEPTED;
  step.last_error = "Not delivered to: dan@example.org (450 busy)";
  step.recipients = (const char *const[]) { "dan@example.org", NULL };
  step.count_attempt = TRUE;
  step.add_flags = BUZON_STORE_OUTBOX_FLAG_SENT_SAVED;
  buzon_store_change_outbox_async (f->store, id, &step, NULL, store_result_cb, &result);
  g_assert_true (buzon_store_change_outbox_finish (f->store, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  item = get_message (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, BUZON_STORE_OUTBOX_ACCEPTED);
  g_assert_cmpuint (g_strv_length (item->recipients), ==, 1);
  g_assert_cmpstr (item->recipients[0], ==, "dan@example.org");
  g_assert_cmpstr (item->last_error, ==, "Not delivered to: dan@example.org (450 busy)");
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_cmpint (item->send_at, ==, 1000); /* 0 left it as it was. */
  g_assert_cmpint (item->flags, ==,
                   BUZON_STORE_OUTBOX_FLAG_DSN | BUZON_STORE_OUTBOX_FLAG_SENT_SAVED);
  g_clear_pointer (&item, buzon_store_outbox_item_free);

  /* An empty list of recipients is kept as one, not as a list of one empty address. */
  step.from_states = MASK (ACCEPTED);
  step.state = BUZON_STORE_OUTBOX_SAVING_SENT;
  step.last_error = NULL;
  step.recipients = none;
  step.count_attempt = FALSE;
  step.add_flags = 0;
  buzon_store_change_outbox_async (f->store, id, &step, NULL, store_result_cb, &result);
  g_assert_true (buzon_store_change_outbox_finish (f->store, wait_for (&result), &error));
  g_assert_no_error (error);
  item = get_message (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, BUZON_STORE_OUTBOX_SAVING_SENT);
  g_assert_null (item->recipients[0]);
  g_assert_null (item->last_error); /* NULL cleared it. */

  /* Taken out only from the states named; then gone for every step. */
  g_assert_false (remove_message (f->store, id, MASK (QUEUED) | MASK (FAILED), &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_true (remove_message (f->store, id, MASK (ACCEPTED) | MASK (SAVING_SENT), &error));
  g_assert_no_error (error);
  g_assert_null (get_message (f->store, id, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (change (f->store, id, BUZON_STORE_OUTBOX_ANY_STATE, BUZON_STORE_OUTBOX_QUEUED,
                          &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (remove_message (f->store, id, BUZON_STORE_OUTBOX_ANY_STATE, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
}

/* A claim and an undo asked for together (in either order, on one store or on two stores over
 * the same file, as two processes would): exactly one wins, and the message is where the
 * winner put it. */
static void
race (BuzonStore *claimer,
      BuzonStore *undoer,
      gboolean    undo_first)
{
  g_autoptr (GAsyncResult) claimed = NULL;
  g_autoptr (GAsyncResult) undone = NULL;
  g_autoptr (GError) claim_error = NULL;
  g_autoptr (GError) undo_error = NULL;
  g_autoptr (BuzonStoreOutboxItem) item = NULL;
  g_autoptr (GError) error = NULL;
  BuzonStoreOutboxChange step = { 0 };
  gint64 id = add_message (claimer, 0);
  gboolean claim_won;
  gboolean undo_won;

  step.from_states = MASK (QUEUED);
  step.state = BUZON_STORE_OUTBOX_SENDING;
  if (undo_first)
    buzon_store_remove_outbox_async (undoer, id, MASK (QUEUED), NULL, store_result_cb, &undone);
  buzon_store_change_outbox_async (claimer, id, &step, NULL, store_result_cb, &claimed);
  if (!undo_first)
    buzon_store_remove_outbox_async (undoer, id, MASK (QUEUED), NULL, store_result_cb, &undone);
  claim_won = buzon_store_change_outbox_finish (claimer, wait_for (&claimed), &claim_error);
  undo_won = buzon_store_remove_outbox_finish (undoer, wait_for (&undone), &undo_error);

  g_assert_true (claim_won != undo_won);
  item = get_message (claimer, id, &error);
  if (claim_won)
    {
      g_assert_error (undo_error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_STATE);
      g_assert_no_error (error);
      g_assert_cmpint (item->state, ==, BUZON_STORE_OUTBOX_SENDING);
    }
  else
    {
      g_assert_error (claim_error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
      g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
    }
}

static void
test_undo_races_claim (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BuzonStore *other;

  race (f->store, f->store, FALSE);
  race (f->store, f->store, TRUE);

  other = buzon_store_new (f->path);
  g_assert_true (open_store (other, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 20; i++)
    {
      race (f->store, other, i % 2 == 0);
      race (other, f->store, i % 2 == 1);
    }
  buzon_store_close (other);
  g_object_unref (other);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* After a crash: a message SENDING goes back to QUEUED (the server cannot have it), one
 * COMMITTING becomes UNCERTAIN with a reason (it may have it); the others stay as they were. */
static void
test_recovery (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreOutboxItem) uncertain = NULL;
  BuzonStoreOutboxState path[][4] = {
    { BUZON_STORE_OUTBOX_QUEUED },
    { BUZON_STORE_OUTBOX_SENDING },
    { BUZON_STORE_OUTBOX_SENDING, BUZON_STORE_OUTBOX_COMMITTING },
    { BUZON_STORE_OUTBOX_SENDING, BUZON_STORE_OUTBOX_COMMITTING, BUZON_STORE_OUTBOX_ACCEPTED },
    { BUZON_STORE_OUTBOX_SENDING, BUZON_STORE_OUTBOX_COMMITTING, BUZON_STORE_OUTBOX_ACCEPTED,
      BUZON_STORE_OUTBOX_SAVING_SENT },
    { BUZON_STORE_OUTBOX_SENDING, BUZON_STORE_OUTBOX_FAILED },
    { BUZON_STORE_OUTBOX_SENDING, BUZON_STORE_OUTBOX_COMMITTING, BUZON_STORE_OUTBOX_UNCERTAIN },
  };
  BuzonStoreOutboxState after[] = {
    BUZON_STORE_OUTBOX_QUEUED,    BUZON_STORE_OUTBOX_QUEUED,      BUZON_STORE_OUTBOX_UNCERTAIN,
    BUZON_STORE_OUTBOX_ACCEPTED,  BUZON_STORE_OUTBOX_SAVING_SENT, BUZON_STORE_OUTBOX_FAILED,
    BUZON_STORE_OUTBOX_UNCERTAIN,
  };
  gint64 ids[G_N_ELEMENTS (path)];

  for (guint i = 0; i < G_N_ELEMENTS (path); i++)
    {
      BuzonStoreOutboxState from = BUZON_STORE_OUTBOX_QUEUED;

      ids[i] = add_message (f->store, 1000);
      for (guint j = 0; j < 4 && path[i][j] != BUZON_STORE_OUTBOX_QUEUED; j++)
        {
          g_assert_true (change (f->store, ids[i], BUZON_STORE_OUTBOX_STATE_MASK (from),
                                 path[i][j], &error));
          g_assert_no_error (error);
          from = path[i][j];
        }
    }
  g_assert_cmpuint (recover (f->store), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (path); i++)
    g_assert_cmpint (state_of (f->store, ids[i]), ==, after[i]);
  uncertain = get_message (f->store, ids[2], &error);
  g_assert_no_error (error);
  g_assert_nonnull (uncertain->last_error);
  g_assert_nonnull (strstr (uncertain->last_error, "may have been delivered"));
  g_assert_cmpuint (recover (f->store), ==, 0);
}

/* What the outbox holds survives closing the store (as a crash would leave it) and is read
 * back by a new one; recovery then works on what was written. */
static void
test_durable (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonStoreOutboxItem) item = NULL;
  g_autoptr (GPtrArray) items = NULL;
  gint64 queued = add_message (f->store, 2000);
  gint64 committing = add_message (f->store, 1000);
  gsize size;
  const char *bytes;

  g_assert_true (change (f->store, committing, MASK (QUEUED), BUZON_STORE_OUTBOX_SENDING,
                         &error));
  g_assert_true (change (f->store, committing, MASK (SENDING), BUZON_STORE_OUTBOX_COMMITTING,
                         &error));
  g_assert_no_error (error);
  buzon_store_close (f->store);
  g_clear_object (&f->store);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  f->store = buzon_store_new (f->path);
  g_assert_true (open_store (f->store, &error));
  g_assert_no_error (error);
  items = list_messages (f->store);
  g_assert_cmpuint (items->len, ==, 2);
  /* The first to go first. */
  g_assert_cmpint (((BuzonStoreOutboxItem *) items->pdata[0])->id, ==, committing);
  g_assert_cmpint (((BuzonStoreOutboxItem *) items->pdata[1])->id, ==, queued);
  g_assert_cmpint (state_of (f->store, committing), ==, BUZON_STORE_OUTBOX_COMMITTING);
  item = get_message (f->store, queued, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, BUZON_STORE_OUTBOX_QUEUED);
  bytes = g_bytes_get_data (item->raw, &size);
  g_assert_cmpmem (bytes, size, RAW, sizeof RAW - 1);
  g_assert_cmpuint (recover (f->store), ==, 1);
  g_assert_cmpint (state_of (f->store, committing), ==, BUZON_STORE_OUTBOX_UNCERTAIN);
}

/* A closed store refuses every outbox call with CLOSED, and each callback still runs once. */
static void
test_closed (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = add_message (f->store, 1000);

  buzon_store_close (f->store);
  g_assert_false (change (f->store, id, MASK (QUEUED), BUZON_STORE_OUTBOX_SENDING, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (remove_message (f->store, id, MASK (QUEUED), &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_null (get_message (f->store, id, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CLOSED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/outbox/add-and-read", Fixture, NULL, fixture_set_up, test_add_and_read,
              fixture_tear_down);
  g_test_add ("/store/outbox/transitions", Fixture, NULL, fixture_set_up, test_transitions,
              fixture_tear_down);
  g_test_add ("/store/outbox/undo-races-claim", Fixture, NULL, fixture_set_up,
              test_undo_races_claim, fixture_tear_down);
  g_test_add ("/store/outbox/recovery", Fixture, NULL, fixture_set_up, test_recovery,
              fixture_tear_down);
  g_test_add ("/store/outbox/durable", Fixture, NULL, fixture_set_up, test_durable,
              fixture_tear_down);
  g_test_add ("/store/outbox/closed", Fixture, NULL, fixture_set_up, test_closed,
              fixture_tear_down);
  return g_test_run ();
}
