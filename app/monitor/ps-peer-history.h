/* ps-peer-history.h: the peer table, kept across restarts
 *
 * Every peer with its counters per hour goes to an SQLite database
 * (peerscope/history.db in the user data dir).  Loading puts the peers of
 * the retention window back into the table; saving writes what changed
 * since the last save.  All database work runs in a worker thread, one
 * operation at a time; the table is only touched on the main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-peer-table.h"

G_BEGIN_DECLS

#define PS_TYPE_PEER_HISTORY (ps_peer_history_get_type ())
G_DECLARE_FINAL_TYPE (PsPeerHistory, ps_peer_history, PS, PEER_HISTORY, GObject)

#define PS_PEER_HISTORY_DEFAULT_RETENTION_DAYS 30

/* path NULL: the default database */
PsPeerHistory *ps_peer_history_new               (PsPeerTable         *table,
                                                  const char          *path);
void           ps_peer_history_set_retention_days (PsPeerHistory      *self,
                                                  guint                days);
/* Also saves every interval_s seconds from now on (0: only when asked). */
void           ps_peer_history_set_autosave      (PsPeerHistory       *self,
                                                  guint                interval_s);
/* Restores the peers seen within the retention window into the table. */
void           ps_peer_history_load_async        (PsPeerHistory       *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       ps_peer_history_load_finish       (PsPeerHistory       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* Writes what changed since the last save, and forgets what is too old. */
void           ps_peer_history_save_async        (PsPeerHistory       *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       ps_peer_history_save_finish       (PsPeerHistory       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
