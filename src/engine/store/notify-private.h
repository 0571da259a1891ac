// Property setters that notify only when the value changes, shared by the
// objects the models hand out (BuzonFolder, BuzonMessage).
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

static inline void
_buzon_set_string (GObject     *object,
                   char       **field,
                   const char  *value,
                   GParamSpec  *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (object, pspec);
}

#define _BUZON_SET_VALUE(object, field, value, pspec)                                              \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if ((field) != (value))                                                                        \
      {                                                                                            \
        (field) = (value);                                                                         \
        g_object_notify_by_pspec (G_OBJECT (object), (pspec));                                     \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END

G_END_DECLS
