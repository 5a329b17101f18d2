/* ps-peer-table.h: every remote peer of every device, from flow records
 *
 * The table decides which side of a flow is the device: a device added with
 * ps_peer_table_add_device() (matched by MAC where the source knows it, else
 * by address), or, when auto-devices is on, any local address talking to a
 * host.  It aggregates per (device, peer address, peer port, protocol) and
 * hands each new peer to the enricher.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-flow-source.h"
#include "ps-peer.h"
#include "ps-peer-enricher.h"

G_BEGIN_DECLS

#define PS_TYPE_PEER_TABLE (ps_peer_table_get_type ())
G_DECLARE_FINAL_TYPE (PsPeerTable, ps_peer_table, PS, PEER_TABLE, GObject)

PsPeerTable *ps_peer_table_new              (PsPeerEnricher     *enricher);
PsPeerEnricher *ps_peer_table_get_enricher  (PsPeerTable        *self);
/* Every peer of every device, in order of first sighting. */
GListModel  *ps_peer_table_get_peers        (PsPeerTable        *self);
/* The peers of one device (its id), created on demand and kept live. */
GListModel  *ps_peer_table_get_device_peers (PsPeerTable        *self,
                                             const char         *device);
gboolean     ps_peer_table_add_device       (PsPeerTable        *self,
                                             const char         *device,
                                             const char         *address,
                                             const char         *mac,
                                             GError            **error);
/* On by default: local addresses count as devices unless devices were added. */
void         ps_peer_table_set_auto_devices (PsPeerTable        *self,
                                             gboolean            auto_devices);
void         ps_peer_table_add_records      (PsPeerTable        *self,
                                             const PsFlowRecord *records,
                                             guint               n_records);
/* Feeds the table from a source until the source or the table goes. */
void         ps_peer_table_watch_source     (PsPeerTable        *self,
                                             PsFlowSource       *source);
PsPeer      *ps_peer_table_lookup           (PsPeerTable        *self,
                                             const char         *device,
                                             const char         *address,
                                             guint16             port,
                                             guint8              ip_protocol);
guint64      ps_peer_table_get_n_records    (PsPeerTable        *self);
/* What the enforcer counted for (device, peer, protocol, port): ATTEMPTS
 * is its running total, so the peer shows it whatever came before.  A peer
 * that only ever got blocked appears with no traffic. */
void         ps_peer_table_set_blocked      (PsPeerTable        *self,
                                             const char         *device_address,
                                             const char         *peer_address,
                                             guint8              ip_protocol,
                                             guint16             port,
                                             guint64             attempts);
/* Puts back a peer from the history; its counters add to a live one. */
PsPeer      *ps_peer_table_restore          (PsPeerTable          *self,
                                             const PsPeerSnapshot *snapshot);

G_END_DECLS
