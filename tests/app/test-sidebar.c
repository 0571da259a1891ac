// BuzonSidebar: the empty state without accounts, a row per account, the
// problems shown under the list, and live updates from the model.
// SPDX-License-Identifier: GPL-3.0-or-later

#include <adwaita.h>

#include "account/account.h"
#include "sidebar.h"

static BuzonAccount *
new_account (const char *id,
             const char *name)
{
  g_autoptr (BuzonServerUrl) imap = buzon_server_url_parse ("imaps://mail.example.org", NULL);
  g_autoptr (BuzonServerUrl) smtp = buzon_server_url_parse ("submissions://mail.example.org",
                                                            NULL);

  return buzon_account_new (id, name, "someone@example.org", imap, smtp);
}

static const char *
visible_page (GtkWidget *sidebar)
{
  GtkWidget *stack = gtk_widget_get_first_child (gtk_widget_get_first_child (sidebar));

  g_assert_true (GTK_IS_STACK (stack));
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static guint
count_rows (GtkWidget *widget)
{
  guint rows = GTK_IS_LIST_BOX_ROW (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    rows += count_rows (child);
  return rows;
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget)
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

static void
test_sidebar (void)
{
  GtkWidget *sidebar = g_object_ref_sink (g_object_new (BUZON_TYPE_SIDEBAR, NULL));
  g_autoptr (GListStore) accounts = g_list_store_new (BUZON_TYPE_ACCOUNT);
  g_autoptr (BuzonAccount) ana = new_account ("ana", "Ana García");
  g_autoptr (BuzonAccount) bob = new_account ("bob", "Bob");
  const char *problems[] = { "The account “x” cannot be used: because", NULL };

  /* Without a model, and with an empty one, the sidebar says what to do. */
  g_assert_cmpstr (visible_page (sidebar), ==, "empty");
  buzon_sidebar_set_accounts (BUZON_SIDEBAR (sidebar), G_LIST_MODEL (accounts));
  g_assert_cmpstr (visible_page (sidebar), ==, "empty");

  /* Accounts added to the model appear at once, one row each. */
  g_list_store_append (accounts, ana);
  g_assert_cmpstr (visible_page (sidebar), ==, "accounts");
  g_list_store_append (accounts, bob);
  g_assert_cmpuint (count_rows (sidebar), ==, 2);
  g_assert_true (has_label (sidebar, "Ana García"));
  g_assert_true (has_label (sidebar, "someone@example.org"));

  g_list_store_remove_all (accounts);
  g_assert_cmpuint (count_rows (sidebar), ==, 0);
  g_assert_cmpstr (visible_page (sidebar), ==, "empty");

  /* Problems are shown; none hides them again. */
  g_assert_false (has_label (sidebar, problems[0]));
  buzon_sidebar_set_problems (BUZON_SIDEBAR (sidebar), problems);
  g_assert_true (has_label (sidebar, problems[0]));
  buzon_sidebar_set_problems (BUZON_SIDEBAR (sidebar), NULL);
  g_assert_false (has_label (sidebar, problems[0]));

  /* Replacing the model drops the old one. */
  buzon_sidebar_set_accounts (BUZON_SIDEBAR (sidebar), NULL);
  g_list_store_append (accounts, ana);
  g_assert_cmpstr (visible_page (sidebar), ==, "empty");

  g_assert_finalize_object (sidebar);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/sidebar/accounts-and-problems", test_sidebar);

  return g_test_run ();
}
