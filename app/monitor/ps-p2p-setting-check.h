/* ps-p2p-setting-check.h: does a camera keep its word when its own P2P
 * setting is turned off?
 *
 * The camera's switch says "off"; the network says whether it still talks
 * to P2P servers.  Whatever was in flight when the switch flipped is no
 * evidence: only a contact later than the grace period counts, either as
 * traffic (a peer seen after it) or as attempts the firewall blocked (a
 * counter that grew since a snapshot taken after it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* what was in flight when the switch flipped */
#define PS_P2P_SETTING_GRACE_MS 5000
/* how long a camera has to stay quiet before it counts as obeying */
#define PS_P2P_SETTING_WATCH_MS 30000

/* PsPeer → its blocked attempts now (a pointer to a guint64), for every
 * peer of PEERS: the snapshot to compare with. */
GHashTable *ps_p2p_setting_count_blocked  (GListModel  *peers);
/* The P2P servers (PsPeer) among PEERS that the device still reached after
 * it was told to stop at OFF_MS (Unix ms): seen later than OFF_MS plus the
 * grace period, or blocked more often than BLOCKED_BEFORE (from
 * ps_p2p_setting_count_blocked(), NULL to leave blocked attempts out) says.
 * In the model's order; empty when the camera obeys. */
GPtrArray  *ps_p2p_setting_find_offenders (GListModel  *peers,
                                           gint64       off_ms,
                                           GHashTable  *blocked_before);

G_END_DECLS
