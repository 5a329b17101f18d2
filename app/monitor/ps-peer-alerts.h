/* ps-peer-alerts.h: tell the user when a camera reaches somewhere new
 *
 * Watches a peer table and emits "alert" the first time a device talks to
 * a country, a network (autonomous system) or a P2P server it never talked
 * to before.  What counts as "before" is seeded from the history, so a
 * restart does not repeat old news.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-peer-table.h"

G_BEGIN_DECLS

typedef enum {
  PS_PEER_ALERT_NEW_COUNTRY,
  PS_PEER_ALERT_NEW_NETWORK,
  PS_PEER_ALERT_P2P_SERVER,
} PsPeerAlertKind;

#define PS_TYPE_PEER_ALERTS (ps_peer_alerts_get_type ())
G_DECLARE_FINAL_TYPE (PsPeerAlerts, ps_peer_alerts, PS, PEER_ALERTS, GObject)

PsPeerAlerts *ps_peer_alerts_new        (PsPeerTable     *table);
/* What DEVICE is already known to reach; no alert for these. */
void          ps_peer_alerts_add_known  (PsPeerAlerts    *self,
                                         const char      *device,
                                         const char      *country,
                                         guint32          asn,
                                         gboolean         p2p_server);

G_END_DECLS
