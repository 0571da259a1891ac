// buzon-cli's composing options, shared by send and draft: what the user
// composed on the command line (--to, --cc, --bcc, --subject, --attach,
// --html, --reply-to, --receipt, the text on stdin) made a BuzonDraft.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "account/account.h"
#include "mime/draft.h"

G_BEGIN_DECLS

/* Which of the composing options a command takes. */
typedef enum
{
  BUZON_CLI_COMPOSE_FIELDS = 0,       /* --to, --cc, --bcc, --subject, --attach. */
  BUZON_CLI_COMPOSE_EXTRAS = 1 << 0,  /* Also --html, --reply-to and --receipt. */
} BuzonCliComposeOptions;

/* How buzon_cli_compose_parse() found the command line. */
typedef enum
{
  BUZON_CLI_COMPOSE_PARSED,      /* All of it taken. */
  BUZON_CLI_COMPOSE_UNEXPECTED,  /* An option the command does not take, or a second NAME. */
  BUZON_CLI_COMPOSE_NO_VALUE,    /* An option that takes a value came last. */
  BUZON_CLI_COMPOSE_BAD_VALUE,   /* The command refused the value of one of its own options. */
} BuzonCliComposeParse;

/* What the user composed on the command line; the strings point into argv.
 * The arrays are empty, not NULL, once buzon_cli_compose_parse() ran. */
typedef struct
{
  const char *name;        /* NAME: the account, whose address is From. */
  GPtrArray *to;
  GPtrArray *cc;
  GPtrArray *bcc;
  GPtrArray *attachments;  /* Each --attach FILE, as given. */
  const char *subject;
  const char *html;        /* The file --html names. */
  const char *reply_to;
  gboolean receipt;
} BuzonCliCompose;

/* One of the command's own options that take a value (not a composing
 * one), met in its place on the command line; FALSE refuses @value. */
typedef gboolean (*BuzonCliOptionFunc) (const char *option,
                                        const char *value,
                                        gpointer    user_data);

void                 buzon_cli_compose_clear      (BuzonCliCompose        *compose);
BuzonCliComposeParse buzon_cli_compose_parse      (BuzonCliCompose        *compose,
                                                   BuzonCliComposeOptions  options,
                                                   const char *const      *own_options,
                                                   BuzonCliOptionFunc      own_option_cb,
                                                   gpointer                user_data,
                                                   int                     argc,
                                                   char                  **argv,
                                                   const char            **argument);
gboolean             buzon_cli_compose_is_empty   (const BuzonCliCompose  *compose);
BuzonDraft          *buzon_cli_compose_make_draft (const BuzonCliCompose  *compose,
                                                   BuzonAccount           *account,
                                                   GError                **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BuzonCliCompose, buzon_cli_compose_clear)

G_END_DECLS
