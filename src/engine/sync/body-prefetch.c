// BuzonBodyPrefetch: downloads the bodies the cache lacks for one folder,
// newest first, in pipelined batches, each kept in one transaction.
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The store lists the messages of the folder that have no body yet (those
// that arrived since "since", none over "max-size"), highest UID first.
// They are asked for with UID FETCH … (UID BODY.PEEK[]) — PEEK, so that
// \Seen stays as it was — a batch of UIDs per command, several commands in
// flight, as the first sync does with headers. Each batch, once its answer
// is complete, goes to the store in one transaction (the text indexed for
// search on the store's thread). A run stopped anywhere keeps every batch
// stored; the next run lists only what is still missing. A body is kept
// with whichever fetch the connection hands it to: Dovecot runs pipelined
// FETCHes in parallel, and the answers of later ones can come before the
// first one's tagged OK, to which the connection gives them. Memory stays
// bounded: a batch holds at most BATCH_OCTETS (by the sizes the cache
// knows) and fetching pauses while the store is behind.

#include "config.h"

#include <glib/gi18n-lib.h>

#include "body-prefetch.h"
#include "imap/imap-command.h"
#include "store/store-body.h"

#define DEFAULT_BATCH_SIZE 50
#define BATCH_OCTETS       (4 * 1024 * 1024)
#define MAX_FETCHES        3 /* Fetches in flight at once. */
#define MAX_SAVING         2 /* Batches waiting for the store before fetching pauses. */

struct _BuzonBodyPrefetch
{
  GObject parent_instance;

  BuzonImapSession *session;
  BuzonStore *store;
  BuzonStoreFolder *folder;
  gint64 since;
  guint64 max_size;
  guint batch_size;
  gboolean running;
};

G_DEFINE_FINAL_TYPE (BuzonBodyPrefetch, buzon_body_prefetch, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SINCE,
  PROP_MAX_SIZE,
  PROP_BATCH_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  BuzonBodyPrefetch *self; /* Not owned: the task holds it. */
  GArray *todo;            /* BuzonStoreMissingBody, newest first. */
  guint next;
  guint asked;             /* UIDs sent in FETCH commands that succeeded. */
  guint received;          /* Bodies that arrived. */
  guint fetches;           /* In flight. */
  guint saving;            /* Handed to the store, not kept yet. */
  gboolean waiting;        /* Fetching paused until a batch is kept. */
  GError *error;           /* The first failure. */
  BuzonBodyPrefetchResult result;
} Run;

static void
run_free (Run *run)
{
  g_clear_pointer (&run->todo, g_array_unref);
  g_clear_error (&run->error);
  g_free (run);
}

/* One fetch and the batch it fills. */
typedef struct
{
  Run *run;
  GTask *task;     /* Owned. */
  guint asked;
  GArray *uids;    /* guint32 */
  GPtrArray *raws; /* GBytes */
} Slot;

static void fetch_more (GTask *task);

/* Ends the run once nothing is in flight, with the first error if any. */
static void
maybe_return (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->fetches > 0 || run->saving > 0)
    return;
  if (run->error == NULL && run->next < run->todo->len)
    return;
  run->self->running = FALSE;
  if (run->error != NULL)
    g_task_return_error (task, g_steal_pointer (&run->error));
  else
    {
      run->result.gone = run->asked - MIN (run->asked, run->received);
      g_task_return_boolean (task, TRUE);
    }
}

static void
fail (GTask  *task,
      GError *error)
{
  Run *run = g_task_get_task_data (task);

  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
  maybe_return (task);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  guint saved = 0;

  run->saving--;
  if (!buzon_store_save_bodies_finish (BUZON_STORE (source), result, &saved, &error))
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  run->result.fetched += saved;
  g_signal_emit (run->self, signals[SIGNAL_PROGRESS], 0, MIN (run->result.fetched, run->todo->len),
                 run->todo->len);
  if (run->error != NULL)
    {
      maybe_return (task);
      return;
    }
  if (run->waiting)
    {
      run->waiting = FALSE;
      fetch_more (task);
      return;
    }
  maybe_return (task);
}

static void
on_fetch_cb (BuzonImapFetch *fetch,
             gpointer        user_data)
{
  Slot *slot = user_data;
  const BuzonImapFetchSection *section = buzon_imap_fetch_get_section (fetch, FALSE, "");

  /* A FETCH without the body is the server telling of a flag change. */
  if (fetch->uid != 0 && section != NULL && section->data != NULL)
    {
      g_array_append_val (slot->uids, fetch->uid);
      g_ptr_array_add (slot->raws, g_bytes_ref (section->data));
      slot->run->received++;
    }
  buzon_imap_fetch_free (fetch);
}

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Slot *slot = user_data;
  g_autoptr (GTask) task = slot->task;
  Run *run = slot->run;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  run->fetches--;
  ok = buzon_imap_session_fetch_finish (BUZON_IMAP_SESSION (source), result, NULL, &error);
  if (ok)
    run->asked += slot->asked;
  /* What arrived is kept, also after a failure: the next run goes on from
   * there. */
  if (slot->uids->len > 0)
    {
      run->saving++;
      buzon_store_save_bodies_async (run->self->store, run->self->folder->id,
                                     g_steal_pointer (&slot->uids), g_steal_pointer (&slot->raws),
                                     NULL, saved_cb, g_object_ref (task));
    }
  g_clear_pointer (&slot->uids, g_array_unref);
  g_clear_pointer (&slot->raws, g_ptr_array_unref);
  g_free (slot);
  if (!ok)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->error == NULL)
    fetch_more (task);
  else
    maybe_return (task);
}

static void
fetch_more (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  BuzonBodyPrefetch *self = run->self;

  while (run->fetches < MAX_FETCHES && run->next < run->todo->len)
    {
      g_autofree guint32 *uids = NULL;
      g_autofree char *set = NULL;
      guint64 octets = 0;
      guint count = 0;
      Slot *slot;

      if (run->saving >= MAX_SAVING)
        {
          /* The store is behind: wait, so that memory stays bounded. */
          run->waiting = TRUE;
          return;
        }
      uids = g_new (guint32, self->batch_size);
      while (count < self->batch_size && run->next < run->todo->len)
        {
          const BuzonStoreMissingBody *entry = &g_array_index (run->todo, BuzonStoreMissingBody,
                                                               run->next);

          if (count > 0 && octets + entry->size > BATCH_OCTETS)
            break;
          octets += entry->size;
          uids[count++] = entry->uid;
          run->next++;
        }
      set = buzon_imap_sequence_set_to_string (uids, count);
      slot = g_new0 (Slot, 1);
      slot->run = run;
      slot->task = g_object_ref (task);
      slot->asked = count;
      slot->uids = g_array_sized_new (FALSE, FALSE, sizeof (guint32), count);
      slot->raws = g_ptr_array_new_full (count, (GDestroyNotify) g_bytes_unref);
      run->fetches++;
      buzon_imap_session_fetch_async (self->session, set, "(UID BODY.PEEK[])", on_fetch_cb, slot,
                                      g_task_get_cancellable (task), fetched_cb, slot);
    }
  maybe_return (task);
}

static void
selected_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (BuzonImapSelected) selected = NULL;

  selected = buzon_imap_session_select_finish (BUZON_IMAP_SESSION (source), result, &error);
  if (selected == NULL)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->self->folder->uidvalidity != 0
      && selected->uidvalidity != run->self->folder->uidvalidity)
    {
      /* The UIDs the cache has name other messages now: the next sync
       * starts the folder again, and its bodies come after. */
      run->next = run->todo->len;
      maybe_return (task);
      return;
    }
  fetch_more (task);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  BuzonBodyPrefetch *self = run->self;
  /* Read before the task is stolen into the call below: C does not say in
   * which order a call's arguments are evaluated. */
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (GError) error = NULL;

  run->todo = buzon_store_list_missing_bodies_finish (BUZON_STORE (source), result,
                                                      &run->result.too_large, &error);
  if (run->todo == NULL)
    {
      run->todo = g_array_new (FALSE, FALSE, sizeof (BuzonStoreMissingBody));
      fail (task, g_steal_pointer (&error));
      return;
    }
  if (run->todo->len == 0)
    {
      maybe_return (task);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, 0, run->todo->len);
  if (g_strcmp0 (buzon_imap_session_get_selected_mailbox (self->session),
                 self->folder->raw_name) == 0)
    {
      fetch_more (task);
      return;
    }
  /* EXAMINE: downloading bodies must not change anything on the server. */
  buzon_imap_session_select_async (self->session, self->folder->raw_name,
                                   BUZON_IMAP_SELECT_READ_ONLY, NULL, NULL, NULL, NULL,
                                   cancellable, selected_cb, g_steal_pointer (&task));
}

/* The object. */

static void
buzon_body_prefetch_finalize (GObject *object)
{
  BuzonBodyPrefetch *self = BUZON_BODY_PREFETCH (object);

  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_pointer (&self->folder, buzon_store_folder_free);

  G_OBJECT_CLASS (buzon_body_prefetch_parent_class)->finalize (object);
}

static void
buzon_body_prefetch_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BuzonBodyPrefetch *self = BUZON_BODY_PREFETCH (object);

  switch (prop_id)
    {
    case PROP_SINCE:
      g_value_set_int64 (value, self->since);
      break;
    case PROP_MAX_SIZE:
      g_value_set_uint64 (value, self->max_size);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_uint (value, self->batch_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_body_prefetch_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BuzonBodyPrefetch *self = BUZON_BODY_PREFETCH (object);

  switch (prop_id)
    {
    case PROP_SINCE:
      self->since = g_value_get_int64 (value);
      break;
    case PROP_MAX_SIZE:
      self->max_size = g_value_get_uint64 (value);
      break;
    case PROP_BATCH_SIZE:
      self->batch_size = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_body_prefetch_class_init (BuzonBodyPrefetchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = buzon_body_prefetch_finalize;
  object_class->get_property = buzon_body_prefetch_get_property;
  object_class->set_property = buzon_body_prefetch_set_property;

  /**
   * BuzonBodyPrefetch:since:
   *
   * Only messages dated (the Date header, else INTERNALDATE) at this Unix
   * time or later; 0, the default, for all.
   */
  properties[PROP_SINCE] = g_param_spec_int64 ("since", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /**
   * BuzonBodyPrefetch:max-size:
   *
   * Messages larger than this many octets are left out (and counted in
   * the result's too_large); BUZON_BODY_PREFETCH_MAX_SIZE by default.
   */
  properties[PROP_MAX_SIZE] = g_param_spec_uint64 ("max-size", NULL, NULL, 0, G_MAXUINT64,
                                                   BUZON_BODY_PREFETCH_MAX_SIZE, flags);
  /**
   * BuzonBodyPrefetch:batch-size:
   *
   * UIDs per UID FETCH command, and so per transaction (fewer when their
   * sizes add up to more than 4 MiB).
   */
  properties[PROP_BATCH_SIZE] = g_param_spec_uint ("batch-size", NULL, NULL, 1, 10000,
                                                   DEFAULT_BATCH_SIZE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BuzonBodyPrefetch::progress:
   * @done: bodies kept so far
   * @total: messages this run downloads
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
buzon_body_prefetch_init (BuzonBodyPrefetch *self)
{
  self->max_size = BUZON_BODY_PREFETCH_MAX_SIZE;
  self->batch_size = DEFAULT_BATCH_SIZE;
}

/**
 * buzon_body_prefetch_new:
 * @session: logged in; when another folder (or none) is selected, @folder
 *   is opened read-only
 * @store: the account's store, open
 * @folder: the folder, as the store lists it (copied)
 */
BuzonBodyPrefetch *
buzon_body_prefetch_new (BuzonImapSession       *session,
                         BuzonStore             *store,
                         const BuzonStoreFolder *folder)
{
  BuzonBodyPrefetch *self;

  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (session), NULL);
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (folder != NULL, NULL);

  self = g_object_new (BUZON_TYPE_BODY_PREFETCH, NULL);
  self->session = g_object_ref (session);
  self->store = g_object_ref (store);
  self->folder = buzon_store_folder_copy (folder);
  return self;
}

/**
 * buzon_body_prefetch_run_async:
 * @cancellable: (nullable): cancelling stops the run; the batches stored
 *   stay, and the next run fetches only the rest
 * @callback: called once every fetch has been answered and every batch
 *   stored
 *
 * Downloads the bodies the cache lacks for the folder (see the properties
 * for which), newest first, and keeps them with their text indexed. The
 * flags on the server are left alone. Messages the server no longer has
 * are counted and skipped. Fails with the first error (the connection
 * lost, the store full); what was kept before stays.
 */
void
buzon_body_prefetch_run_async (BuzonBodyPrefetch   *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  Run *run;

  g_return_if_fail (BUZON_IS_BODY_PREFETCH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_body_prefetch_run_async);
  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s",
                               _("This folder's messages are being downloaded already"));
      return;
    }
  self->running = TRUE;
  run = g_new0 (Run, 1);
  run->self = self;
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  /* The result is returned once nothing is in flight, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);
  buzon_store_list_missing_bodies_async (self->store, self->folder->id, self->since,
                                         self->max_size, cancellable, listed_cb,
                                         g_steal_pointer (&task));
}

/**
 * buzon_body_prefetch_run_finish:
 * @summary: (out caller-allocates) (optional): what the run did, also when
 *   it failed
 */
gboolean
buzon_body_prefetch_run_finish (BuzonBodyPrefetch        *self,
                                GAsyncResult             *result,
                                BuzonBodyPrefetchResult  *summary,
                                GError                  **error)
{
  Run *run;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (summary != NULL)
    *summary = run->result;
  return g_task_propagate_boolean (G_TASK (result), error);
}
