// Rendering a widget to a PNG file in-process, once it has been drawn.
// SPDX-License-Identifier: GPL-3.0-or-later

#include "config.h"

#include "screenshot.h"

// How long to wait after the first frame, so that the first layouts, fonts
// and icons have settled.
#define SETTLE_DELAY_MS 500

static gboolean
render_to_png (GtkWidget  *widget,
               GFile      *file,
               GError    **error)
{
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  // The window may have been closed while waiting for it to settle.
  if (!gtk_widget_get_mapped (widget))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The widget is no longer shown");
      return FALSE;
    }

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "The widget drew nothing");
      return FALSE;
    }

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  path = g_file_get_path (file);
  if (path == NULL || !gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not write %s", g_file_peek_path (file));
      return FALSE;
    }

  return TRUE;
}

// How many times a widget that has not drawn yet is given another delay;
// on a loaded machine its first real frame can come later than the first
// tick.
#define SETTLE_TRIES 10

static gboolean
settled_cb (gpointer user_data)
{
  GTask *task = user_data;
  GtkWidget *widget = g_task_get_source_object (task);
  GError *error = NULL;
  guint tries = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "tries"));

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;

  if (render_to_png (widget, g_task_get_task_data (task), &error))
    g_task_return_boolean (task, TRUE);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED)
           && tries + 1 < SETTLE_TRIES)
    {
      g_clear_error (&error);
      g_object_set_data (G_OBJECT (task), "tries", GUINT_TO_POINTER (tries + 1));
      g_timeout_add_full (G_PRIORITY_DEFAULT, SETTLE_DELAY_MS, settled_cb, g_object_ref (task),
                          g_object_unref);
    }
  else
    g_task_return_error (task, error);

  return G_SOURCE_REMOVE;
}

static gboolean
first_frame_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  GTask *task = user_data;

  g_timeout_add_full (G_PRIORITY_DEFAULT, SETTLE_DELAY_MS, settled_cb,
                      g_object_ref (task), g_object_unref);

  return G_SOURCE_REMOVE;
}

// Saves a PNG of @widget to @file once the widget has been mapped and has
// drawn its first frame, plus a short delay. @widget must be in a realized
// or about to be realized GtkNative. The callback fires once, after the file
// is written or the rendering failed; cancelling takes effect at the
// rendering step, so the callback still waits for the first frame.
void
buzon_screenshot_save_async (GtkWidget           *widget,
                             GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (widget, cancellable, callback, user_data);
  g_task_set_source_tag (task, buzon_screenshot_save_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);

  // Tick callbacks run only while the widget is mapped, so this also waits
  // for the window to be shown.
  gtk_widget_add_tick_callback (widget, first_frame_cb,
                                g_object_ref (task), g_object_unref);
}

gboolean
buzon_screenshot_save_finish (GtkWidget     *widget,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, widget), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == buzon_screenshot_save_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
