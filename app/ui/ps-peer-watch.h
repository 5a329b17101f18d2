/* ps-peer-watch.h: tells, a little later and once per batch, that a list of
 * peers changed
 *
 * The peer table updates counters in batches and every PsPeer notifies on
 * its own; a watch folds a batch of notifications (and new or removed
 * peers) into one call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _PsPeerWatch PsPeerWatch;

typedef void (*PsPeerWatchFunc) (gpointer user_data);

/* Calls FUNC DELAY_MS after the first change of a batch.  PROPERTY is the
 * one property of the peers to follow, or NULL for any. */
PsPeerWatch *ps_peer_watch_new   (GListModel      *peers,
                                  const char      *property,
                                  guint            delay_ms,
                                  PsPeerWatchFunc  func,
                                  gpointer         user_data);
/* Runs the pending call now, if there is one. */
void         ps_peer_watch_flush (PsPeerWatch     *self);
void         ps_peer_watch_free  (PsPeerWatch     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsPeerWatch, ps_peer_watch_free)

G_END_DECLS
