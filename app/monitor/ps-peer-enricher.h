/* ps-peer-enricher.h: names, places, networks and classes for peers
 *
 * Reverse DNS goes through GResolver, asynchronously, a few lookups at a
 * time, cached per address.  Country and network come from the GeoIP
 * databases (libmaxminddb, memory-mapped: a lookup takes microseconds).
 * The class is decided again whenever a name arrives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-geoip.h"
#include "ps-peer.h"
#include "ps-peer-classifier.h"

G_BEGIN_DECLS

#define PS_TYPE_PEER_ENRICHER (ps_peer_enricher_get_type ())
G_DECLARE_FINAL_TYPE (PsPeerEnricher, ps_peer_enricher, PS, PEER_ENRICHER, GObject)

PsPeerEnricher   *ps_peer_enricher_new            (PsPeerClassifier  *classifier,
                                                   PsGeoip           *geoip);
PsPeerClassifier *ps_peer_enricher_get_classifier (PsPeerEnricher    *self);
PsGeoip          *ps_peer_enricher_get_geoip      (PsPeerEnricher    *self);
/* On by default. */
void              ps_peer_enricher_set_resolve_names (PsPeerEnricher *self,
                                                   gboolean           resolve);
/* A name known to resolve to this address (the history's, for instance). */
void              ps_peer_enricher_add_name       (PsPeerEnricher    *self,
                                                   const PsIpAddress *address,
                                                   const char        *name);
/* From now on a DNS source reports lookups: peers first seen from now get
 * a verdict on whether their device looked their name up first. */
void              ps_peer_enricher_watch_dns      (PsPeerEnricher    *self);
/* How long a peer's lookup may lag behind its first packet (default 5 s:
 * a DNS log is read every half second). */
void              ps_peer_enricher_set_dns_grace  (PsPeerEnricher    *self,
                                                   guint              grace_ms);
/* CLIENT (NULL when the source cannot tell) looked up NAME, which resolved
 * to ADDRESS, at TIME_MS. */
void              ps_peer_enricher_add_lookup     (PsPeerEnricher    *self,
                                                   const PsIpAddress *client,
                                                   const char        *name,
                                                   const PsIpAddress *address,
                                                   gint64             time_ms);
void              ps_peer_enricher_enrich         (PsPeerEnricher    *self,
                                                   PsPeer            *peer,
                                                   gboolean           peer_is_viewer);
/* Reverse lookups queued or running; "idle" is emitted when it drops to 0. */
guint             ps_peer_enricher_get_pending    (PsPeerEnricher    *self);

G_END_DECLS
