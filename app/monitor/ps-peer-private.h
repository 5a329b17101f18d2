/* ps-peer-private.h: what the peer table and the enricher change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-peer.h"

G_BEGIN_DECLS

PsPeer *_ps_peer_new                 (const char        *device,
                                      const PsIpAddress *device_address,
                                      const PsIpAddress *address,
                                      guint16            port,
                                      guint8             ip_protocol,
                                      guint16            other_port,
                                      gboolean           inbound);
/* The ports of the first flow: for an inbound peer, the key port is the
 * device's service and the peer's port varies. */
guint16 _ps_peer_get_device_port     (PsPeer            *self);
guint16 _ps_peer_get_peer_port       (PsPeer            *self);
/* counters change silently; _ps_peer_notify_traffic() tells bindings */
void    _ps_peer_add_traffic         (PsPeer            *self,
                                      guint64            packets_out,
                                      guint64            bytes_out,
                                      guint64            packets_in,
                                      guint64            bytes_in,
                                      guint              new_flows,
                                      gint64             first_ms,
                                      gint64             last_ms);
void    _ps_peer_add_blocked         (PsPeer            *self,
                                      guint64            attempts);
void    _ps_peer_set_blocked         (PsPeer            *self,
                                      guint64            attempts);
void    _ps_peer_notify_traffic      (PsPeer            *self);
void    _ps_peer_set_hostname        (PsPeer            *self,
                                      const char        *hostname);
void    _ps_peer_set_dns             (PsPeer            *self,
                                      const char        *dns_name,
                                      PsPeerDnsLookup    lookup);
void    _ps_peer_set_geo             (PsPeer            *self,
                                      const char        *country,
                                      const char        *country_name,
                                      guint32            asn,
                                      const char        *org,
                                      gboolean           has_location,
                                      double             latitude,
                                      double             longitude);
void    _ps_peer_set_class           (PsPeer            *self,
                                      PsPeerKind        kind,
                                      const char        *reason);

G_END_DECLS
