/* ps-peer-monitor.h: everything that watches who the cameras talk to
 *
 * One object that the GUI and the CLI share: the GeoIP databases, the
 * classifier, the enricher, the peer table, the alerts, the history and
 * the flow sources feeding the table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-flow-source.h"
#include "ps-peer-alerts.h"
#include "ps-peer-history.h"
#include "ps-peer-table.h"
#include "ps-session-source.h"

G_BEGIN_DECLS

#define PS_TYPE_PEER_MONITOR (ps_peer_monitor_get_type ())
G_DECLARE_FINAL_TYPE (PsPeerMonitor, ps_peer_monitor, PS, PEER_MONITOR, GObject)

PsPeerMonitor    *ps_peer_monitor_new             (void);
PsPeerTable      *ps_peer_monitor_get_table       (PsPeerMonitor  *self);
PsPeerAlerts     *ps_peer_monitor_get_alerts      (PsPeerMonitor  *self);
PsPeerEnricher   *ps_peer_monitor_get_enricher    (PsPeerMonitor  *self);
/* The app's own streams, always on. */
PsSessionSource  *ps_peer_monitor_get_sessions    (PsPeerMonitor  *self);
/* NULL until ps_peer_monitor_enable_history() */
PsPeerHistory    *ps_peer_monitor_get_history     (PsPeerMonitor  *self);
/* Loads the history (path NULL: the default one) and saves every minute. */
void              ps_peer_monitor_enable_history  (PsPeerMonitor  *self,
                                                   const char     *path,
                                                   guint           retention_days);
/* Creates, connects and starts a source (see ps-flow-source-spec.h). */
PsFlowSource     *ps_peer_monitor_add_source      (PsPeerMonitor  *self,
                                                   const char     *spec,
                                                   GError        **error);
/* Follows a DNS server's query log (dnsmasq, log-queries=extra) for the
 * names devices ask for; see ps-dns-log.h. */
gboolean          ps_peer_monitor_add_dns_log     (PsPeerMonitor  *self,
                                                   const char     *path,
                                                   GError        **error);
/* Asks every source that can (conntrack, the gateway helper) for its
 * latest counters and completes once they are in the table. */
void              ps_peer_monitor_refresh_async   (PsPeerMonitor       *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean          ps_peer_monitor_refresh_finish  (PsPeerMonitor       *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* The first error of a source that could not start watching (a gateway
 * helper that said no), or NULL. */
const GError     *ps_peer_monitor_get_source_error (PsPeerMonitor *self);
/* The sources, in the order they were added. */
GListModel       *ps_peer_monitor_get_sources     (PsPeerMonitor  *self);
void              ps_peer_monitor_stop_sources    (PsPeerMonitor  *self);

G_END_DECLS
