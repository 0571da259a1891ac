// BuzonSidebar: the accounts, or an empty state that says what to do.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include <glib/gi18n.h>

#include "account/account.h"
#include "sidebar.h"

struct _BuzonSidebar
{
  GtkWidget parent_instance;

  GListModel *accounts;

  GtkStack *stack;
  GtkListBox *account_list;
  GtkLabel *problems_label;
};

G_DEFINE_FINAL_TYPE (BuzonSidebar, buzon_sidebar, GTK_TYPE_WIDGET)

static GtkWidget *
create_account_row (gpointer item,
                    gpointer user_data)
{
  BuzonAccount *account = item;
  const char *name = buzon_account_get_display_name (account);
  g_autofree char *imap = buzon_server_url_to_string (buzon_account_get_imap_url (account));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *avatar = adw_avatar_new (32, name, TRUE);
  GtkWidget *title = gtk_label_new (name);
  GtkWidget *address = gtk_label_new (buzon_account_get_address (account));

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (address), 0);
  gtk_label_set_ellipsize (GTK_LABEL (address), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (address, "dim-label");
  gtk_widget_add_css_class (address, "caption");
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), address);
  gtk_box_append (GTK_BOX (box), avatar);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_widget_set_tooltip_text (box, imap);
  return box;
}

static void
update_page (BuzonSidebar *self)
{
  gboolean any = self->accounts != NULL && g_list_model_get_n_items (self->accounts) > 0;

  gtk_stack_set_visible_child_name (self->stack, any ? "accounts" : "empty");
}

static void
accounts_changed_cb (GListModel   *accounts,
                     guint         position,
                     guint         removed,
                     guint         added,
                     BuzonSidebar *self)
{
  update_page (self);
}

/* @accounts: (nullable): a GListModel of BuzonAccount. */
void
buzon_sidebar_set_accounts (BuzonSidebar *self,
                            GListModel   *accounts)
{
  g_return_if_fail (BUZON_IS_SIDEBAR (self));
  g_return_if_fail (accounts == NULL || G_IS_LIST_MODEL (accounts));

  if (self->accounts != NULL)
    g_signal_handlers_disconnect_by_func (self->accounts, accounts_changed_cb, self);
  g_set_object (&self->accounts, accounts);
  gtk_list_box_bind_model (self->account_list, accounts, create_account_row, NULL, NULL);
  if (accounts != NULL)
    g_signal_connect_object (accounts, "items-changed", G_CALLBACK (accounts_changed_cb), self,
                             G_CONNECT_DEFAULT);
  update_page (self);
}

/* Shows why configured accounts could not be used; %NULL or empty hides it. */
void
buzon_sidebar_set_problems (BuzonSidebar       *self,
                            const char * const *problems)
{
  g_autofree char *text = NULL;

  g_return_if_fail (BUZON_IS_SIDEBAR (self));

  if (problems != NULL && problems[0] != NULL)
    text = g_strjoinv ("\n", (char **) problems);
  gtk_label_set_text (self->problems_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problems_label), text != NULL);
}

static void
buzon_sidebar_dispose (GObject *object)
{
  BuzonSidebar *self = BUZON_SIDEBAR (object);
  GtkWidget *child;

  if (self->accounts != NULL)
    g_signal_handlers_disconnect_by_func (self->accounts, accounts_changed_cb, self);
  g_clear_object (&self->accounts);
  /* GTK 4.8 does not unparent a template's toplevel children for us. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  gtk_widget_dispose_template (GTK_WIDGET (self), BUZON_TYPE_SIDEBAR);

  G_OBJECT_CLASS (buzon_sidebar_parent_class)->dispose (object);
}

static void
buzon_sidebar_class_init (BuzonSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = buzon_sidebar_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/buzonmail/Buzon/ui/sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, BuzonSidebar, stack);
  gtk_widget_class_bind_template_child (widget_class, BuzonSidebar, account_list);
  gtk_widget_class_bind_template_child (widget_class, BuzonSidebar, problems_label);
}

static void
buzon_sidebar_init (BuzonSidebar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_page (self);
}
