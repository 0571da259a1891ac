// Helpers shared by the integration tests of the sync layer.
// SPDX-License-Identifier: GPL-3.0-or-later

#pragma once

#include "imap-session-helpers.h"
#include "store/store-folder.h"
#include "store/store.h"

typedef struct
{
  BuzonTestMailServers *servers;
  char *dir;
  char *db_path;
  BuzonStore *store;
  BuzonImapSession *session;
} Fixture;

void              sync_fixture_set_up    (Fixture    *f,
                                          guint       messages,
                                          const char *extra_options);
void              sync_fixture_tear_down (Fixture    *f);
void              remove_tree            (const char *path);
BuzonStoreFolder *store_folder           (Fixture    *f,
                                          const char *name);
char             *server_state           (Fixture    *f,
                                          const char *mailbox);
char             *cache_state            (Fixture    *f,
                                          const char *name);
void              assert_cache_matches   (Fixture    *f,
                                          const char *name,
                                          const char *raw_name);
