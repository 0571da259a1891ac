// BuzonWindow: the main window with its folder sidebar, message list and reader.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "application.h"
#include "sidebar.h"
#include "window.h"

struct _BuzonWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;

  // Template children.
  GtkPaned *outer_paned;
  GtkPaned *inner_paned;
  BuzonSidebar *sidebar;
};

G_DEFINE_FINAL_TYPE (BuzonWindow, buzon_window, ADW_TYPE_APPLICATION_WINDOW)

static void
restore_state (BuzonWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  gtk_paned_set_position (self->outer_paned,
                          g_settings_get_int (self->settings, "sidebar-width"));
  gtk_paned_set_position (self->inner_paned,
                          g_settings_get_int (self->settings, "message-list-width"));
}

static void
save_state (BuzonWindow *self)
{
  int width;
  int height;

  // The default size is the size of the unmaximized window, which is the
  // one to restore.
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_set_int (self->settings, "sidebar-width",
                      gtk_paned_get_position (self->outer_paned));
  g_settings_set_int (self->settings, "message-list-width",
                      gtk_paned_get_position (self->inner_paned));
  g_settings_apply (self->settings);
}

static gboolean
buzon_window_close_request (GtkWindow *window)
{
  save_state (BUZON_WINDOW (window));

  return GTK_WINDOW_CLASS (buzon_window_parent_class)->close_request (window);
}

static void
buzon_window_dispose (GObject *object)
{
  BuzonWindow *self = BUZON_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BUZON_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (buzon_window_parent_class)->dispose (object);
}

static void
buzon_window_class_init (BuzonWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = buzon_window_dispose;
  window_class->close_request = buzon_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/buzonmail/Buzon/ui/window.ui");
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, outer_paned);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, inner_paned);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, sidebar);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
buzon_window_init (BuzonWindow *self)
{
  g_type_ensure (BUZON_TYPE_SIDEBAR);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  restore_state (self);
}

BuzonWindow *
buzon_window_new (AdwApplication *application)
{
  BuzonWindow *self;
  BuzonAccountStore *accounts;

  g_return_val_if_fail (BUZON_IS_APPLICATION (application), NULL);

  self = g_object_new (BUZON_TYPE_WINDOW,
                       "application", application,
                       NULL);
  accounts = buzon_application_get_accounts (BUZON_APPLICATION (application));
  buzon_sidebar_set_accounts (self->sidebar, G_LIST_MODEL (accounts));
  buzon_sidebar_set_problems (
    self->sidebar, buzon_application_get_account_problems (BUZON_APPLICATION (application)));
  return self;
}
