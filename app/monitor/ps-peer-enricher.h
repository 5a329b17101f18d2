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
/* A name the device looked up that resolved to this address. */
void              ps_peer_enricher_add_name       (PsPeerEnricher    *self,
                                                   const PsIpAddress *address,
                                                   const char        *name);
void              ps_peer_enricher_enrich         (PsPeerEnricher    *self,
                                                   PsPeer            *peer,
                                                   gboolean           peer_is_viewer);
/* Reverse lookups queued or running; "idle" is emitted when it drops to 0. */
guint             ps_peer_enricher_get_pending    (PsPeerEnricher    *self);

G_END_DECLS
