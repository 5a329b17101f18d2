/* ps-peer.h: one remote peer of one device, with its traffic and what we
 * know about it
 *
 * A peer is keyed by (device, peer address, peer port, IP protocol).  The
 * peer table creates and updates them; the enricher fills in the name,
 * country, network and class.  Properties notify, so rows can bind them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ps-flow-record.h"
#include "ps-peer-kind.h"

G_BEGIN_DECLS

/* Whether the device looked up a name for this peer before it first
 * contacted it: a camera that goes straight to an address has it built in,
 * which is how many P2P networks find their servers. */
typedef enum {
  PS_PEER_DNS_LOOKUP_UNKNOWN,   /* no DNS source, or the peer predates it */
  PS_PEER_DNS_LOOKUP_YES,
  PS_PEER_DNS_LOOKUP_NO,
} PsPeerDnsLookup;

#define PS_TYPE_PEER (ps_peer_get_type ())
G_DECLARE_FINAL_TYPE (PsPeer, ps_peer, PS, PEER, GObject)

const char        *ps_peer_get_device           (PsPeer *self);
const PsIpAddress *ps_peer_get_device_address   (PsPeer *self);
const PsIpAddress *ps_peer_get_address          (PsPeer *self);
/* the address as text, cached */
const char        *ps_peer_get_address_string   (PsPeer *self);
/* the peer's port, or for an inbound peer (one that connects to a service
 * of the device) the device's port */
guint16            ps_peer_get_port             (PsPeer *self);
gboolean           ps_peer_get_inbound          (PsPeer *self);
guint8             ps_peer_get_ip_protocol      (PsPeer *self);
/* "udp", "tcp", "icmp" or the protocol number */
const char        *ps_peer_get_protocol_name    (PsPeer *self);

guint64            ps_peer_get_packets_out      (PsPeer *self);
guint64            ps_peer_get_bytes_out        (PsPeer *self);
guint64            ps_peer_get_packets_in       (PsPeer *self);
guint64            ps_peer_get_bytes_in         (PsPeer *self);
guint64            ps_peer_get_flows            (PsPeer *self);
guint64            ps_peer_get_blocked_attempts (PsPeer *self);
gint64             ps_peer_get_first_seen       (PsPeer *self);   /* Unix ms */
gint64             ps_peer_get_last_seen        (PsPeer *self);

const char        *ps_peer_get_hostname         (PsPeer *self);
/* the name the device asked its DNS server for, when a DNS source saw it */
const char        *ps_peer_get_dns_name         (PsPeer *self);
PsPeerDnsLookup    ps_peer_get_dns_lookup       (PsPeer *self);
const char        *ps_peer_get_country          (PsPeer *self);   /* ISO 3166 alpha-2 */
const char        *ps_peer_get_country_name     (PsPeer *self);
guint32            ps_peer_get_asn              (PsPeer *self);
const char        *ps_peer_get_org              (PsPeer *self);
gboolean           ps_peer_get_location         (PsPeer *self,
                                                 double *latitude,
                                                 double *longitude);
PsPeerKind        ps_peer_get_kind             (PsPeer *self);
const char        *ps_peer_get_class_reason     (PsPeer *self);

/* Everything that outlives a run, for the history. */
typedef struct
{
  char        *device;
  PsIpAddress  device_address;
  PsIpAddress  address;
  guint16      port;
  guint16      other_port;
  guint8       ip_protocol;
  gboolean     inbound;
  guint64      packets_out;
  guint64      bytes_out;
  guint64      packets_in;
  guint64      bytes_in;
  guint64      flows;
  guint64      blocked_attempts;
  gint64       first_seen;
  gint64       last_seen;
  char        *hostname;
} PsPeerSnapshot;

void               ps_peer_snapshot             (PsPeer         *self,
                                                 PsPeerSnapshot *snapshot);
void               ps_peer_snapshot_clear       (PsPeerSnapshot *snapshot);

G_END_DECLS
