// BuzonApplication: the GUI's GApplication, its app-wide actions and windows.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>

#include "application.h"
#include "screenshot.h"
#include "window.h"

struct _BuzonApplication
{
  AdwApplication parent_instance;

  // Where to save a PNG of the first window, from BUZON_SCREENSHOT; NULL
  // once that has been scheduled or when not asked for.
  char *screenshot_path;

  // Sources that turn SIGINT, SIGTERM and SIGHUP into app.quit.
  guint signal_sources[3];
  gboolean quit_requested;

  BuzonAccountStore *accounts;
  // Why the accounts, or some of them, could not be read: what the sidebar
  // shows under the list.
  GPtrArray *account_problems;

  int exit_status;
};

G_DEFINE_FINAL_TYPE (BuzonApplication, buzon_application, ADW_TYPE_APPLICATION)

static void
quit_activated_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  BuzonApplication *self = user_data;
  g_autoptr (GList) windows = NULL;

  // Close the windows rather than stopping the main loop, so that each one
  // saves its state; the application exits when the last one is gone.
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
}

static void
about_activated_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  BuzonApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-icon", APPLICATION_ID,
                        "application-name", _("Buzón"),
                        "developer-name", _("The Buzón developers"),
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/buzonmail/buzon",
                        "issue-url", "https://github.com/buzonmail/buzon/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

// Ctrl+C in a terminal, a session ending or `kill` close the windows as
// app.quit does, so that their state is saved, instead of killing the process.
// A second signal, or one that arrives before there is a window, quits at
// once: a window that refuses to close must not make the app unkillable.
static gboolean
quit_signalled_cb (gpointer user_data)
{
  BuzonApplication *self = user_data;

  if (self->quit_requested || gtk_application_get_windows (GTK_APPLICATION (self)) == NULL)
    g_application_quit (G_APPLICATION (self));
  else
    g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
  self->quit_requested = TRUE;
  return G_SOURCE_CONTINUE;
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_activated_cb },
  { .name = "about", .activate = about_activated_cb },
};

static void
screenshot_saved_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (BuzonApplication) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!buzon_screenshot_save_finish (GTK_WIDGET (source), result, &error))
    {
      g_printerr ("buzon: could not save the screenshot: %s\n", error->message);
      self->exit_status = 1;
    }

  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
}

static int
buzon_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("buzon %s\n", PACKAGE_VERSION);
      return 0;
    }

  return -1;
}

static void
load_accounts (BuzonApplication *self)
{
  g_autoptr (GError) error = NULL;
  const char * const *problems;

  self->accounts = buzon_account_store_new (NULL);
  self->account_problems = g_ptr_array_new_with_free_func (g_free);
  if (!buzon_account_store_load (self->accounts, &error))
    g_ptr_array_add (self->account_problems, g_strdup (error->message));
  problems = buzon_account_store_get_problems (self->accounts);
  for (guint i = 0; problems[i] != NULL; i++)
    g_ptr_array_add (self->account_problems, g_strdup (problems[i]));
  g_ptr_array_add (self->account_problems, NULL);
}

static void
buzon_application_startup (GApplication *app)
{
  BuzonApplication *self = BUZON_APPLICATION (app);
  const char *screenshot_path;

  G_APPLICATION_CLASS (buzon_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });

  {
    const int signals[] = { SIGINT, SIGTERM, SIGHUP };
    for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
      self->signal_sources[i] = g_unix_signal_add (signals[i], quit_signalled_cb, self);
  }

  load_accounts (self);

  screenshot_path = g_getenv ("BUZON_SCREENSHOT");
  if (screenshot_path != NULL && screenshot_path[0] != '\0')
    self->screenshot_path = g_strdup (screenshot_path);
}

static void
buzon_application_activate (GApplication *app)
{
  BuzonApplication *self = BUZON_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = GTK_WINDOW (buzon_window_new (ADW_APPLICATION (self)));

  gtk_window_present (window);

  // BUZON_SCREENSHOT=/path.png renders the window once it has been drawn
  // and quits; tests and scripts/run-demo use it to get a deterministic
  // picture without an X screenshot tool.
  if (self->screenshot_path != NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_path (self->screenshot_path);

      g_clear_pointer (&self->screenshot_path, g_free);
      buzon_screenshot_save_async (GTK_WIDGET (window), file, NULL,
                                   screenshot_saved_cb, g_object_ref (self));
    }
}

static void
buzon_application_shutdown (GApplication *app)
{
  BuzonApplication *self = BUZON_APPLICATION (app);

  for (guint i = 0; i < G_N_ELEMENTS (self->signal_sources); i++)
    g_clear_handle_id (&self->signal_sources[i], g_source_remove);

  G_APPLICATION_CLASS (buzon_application_parent_class)->shutdown (app);
}

static void
buzon_application_finalize (GObject *object)
{
  BuzonApplication *self = BUZON_APPLICATION (object);

  g_clear_pointer (&self->screenshot_path, g_free);
  g_clear_object (&self->accounts);
  g_clear_pointer (&self->account_problems, g_ptr_array_unref);

  G_OBJECT_CLASS (buzon_application_parent_class)->finalize (object);
}

static void
buzon_application_class_init (BuzonApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = buzon_application_finalize;

  app_class->handle_local_options = buzon_application_handle_local_options;
  app_class->startup = buzon_application_startup;
  app_class->activate = buzon_application_activate;
  app_class->shutdown = buzon_application_shutdown;
}

static void
buzon_application_init (BuzonApplication *self)
{
  const GOptionEntry options[] = {
    { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
      N_("Print the version and exit"), NULL },
    { NULL },
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

BuzonApplication *
buzon_application_new (void)
{
  return g_object_new (BUZON_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

// Returns the status the process should exit with when g_application_run()
// itself returned 0: non-zero when a requested screenshot failed.
int
buzon_application_get_exit_status (BuzonApplication *self)
{
  g_return_val_if_fail (BUZON_IS_APPLICATION (self), 1);

  return self->exit_status;
}

/* Returns: (transfer none): the configured accounts, read at start-up. */
BuzonAccountStore *
buzon_application_get_accounts (BuzonApplication *self)
{
  g_return_val_if_fail (BUZON_IS_APPLICATION (self), NULL);
  return self->accounts;
}

/* Returns: (transfer none): why accounts could not be read; empty if none. */
const char * const *
buzon_application_get_account_problems (BuzonApplication *self)
{
  g_return_val_if_fail (BUZON_IS_APPLICATION (self), NULL);
  return (const char * const *) self->account_problems->pdata;
}
