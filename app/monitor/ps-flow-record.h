/* ps-flow-record.h: one observation of traffic between two endpoints
 *
 * Every flow source (conntrack, the NetFlow/IPFIX collector, the app's own
 * sessions) turns what it sees into these records.  They are plain structs,
 * passed in batches, so that a collector can move a million of them a second.
 * The peer table decides which side is the device and which the peer.
 *
 * Counters are deltas: what this record adds since the source last reported
 * the same flow.  A flow is reported with new_flow set exactly once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* An IPv4 or IPv6 address in network byte order.  IPv4 uses bytes[0..3]. */
typedef struct
{
  guint8 family;                       /* 0 (none), 4 or 6 */
  guint8 bytes[16];
} PsIpAddress;

#define PS_IP_ADDRESS_STRLEN 46        /* INET6_ADDRSTRLEN */

void     ps_ip_address_set_v4          (PsIpAddress       *address,
                                        const guint8       bytes[4]);
void     ps_ip_address_set_v6          (PsIpAddress       *address,
                                        const guint8       bytes[16]);
gboolean ps_ip_address_parse           (PsIpAddress       *address,
                                        const char        *text);
void     ps_ip_address_from_inet       (PsIpAddress       *address,
                                        GInetAddress      *inet);
GInetAddress *ps_ip_address_to_inet    (const PsIpAddress *address);
char    *ps_ip_address_format          (const PsIpAddress *address,
                                        char               buffer[PS_IP_ADDRESS_STRLEN]);
char    *ps_ip_address_to_string       (const PsIpAddress *address);
gboolean ps_ip_address_equal           (const PsIpAddress *a,
                                        const PsIpAddress *b);
guint    ps_ip_address_hash            (const PsIpAddress *address);
gboolean ps_ip_address_is_set          (const PsIpAddress *address);
/* For GHashTable keys that are PsIpAddress pointers. */
guint    ps_ip_address_hash_func       (gconstpointer      address);
gboolean ps_ip_address_equal_func      (gconstpointer      a,
                                        gconstpointer      b);
/* RFC 1918, RFC 6598 (CGN), loopback, link-local, ULA, multicast and
 * broadcast: addresses that never leave the site. */
gboolean ps_ip_address_is_local        (const PsIpAddress *address);
gboolean ps_ip_address_is_multicast    (const PsIpAddress *address);
/* Whether address lies in network/prefix_length (same family only). */
gboolean ps_ip_address_in_network      (const PsIpAddress *address,
                                        const PsIpAddress *network,
                                        guint              prefix_length);

typedef enum {
  PS_FLOW_ORIGIN_CONNTRACK,
  PS_FLOW_ORIGIN_NETFLOW_V5,
  PS_FLOW_ORIGIN_NETFLOW_V9,
  PS_FLOW_ORIGIN_IPFIX,
  PS_FLOW_ORIGIN_SESSION,              /* one of the app's own sessions */
} PsFlowOrigin;

const char *ps_flow_origin_to_string   (PsFlowOrigin       origin);

typedef struct
{
  PsFlowOrigin origin;
  guint8       ip_protocol;            /* IANA: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 */

  /* The original direction: for conntrack and the app's sessions the side
   * that opened the flow; for NetFlow/IPFIX the record's source. */
  PsIpAddress  src;
  PsIpAddress  dst;
  guint16      src_port;               /* 0 when the protocol has no ports */
  guint16      dst_port;

  /* Where the source saw NAT: the translated source (conntrack reply
   * tuple, IPFIX IEs 225/227).  src above is always the inside address. */
  PsIpAddress  nat_src;
  guint16      nat_src_port;

  guint8       src_mac[6];             /* IPFIX IE 56, conntrack via ARP */
  guint8       dst_mac[6];             /* IPFIX IE 80 */
  guint        has_src_mac : 1;
  guint        has_dst_mac : 1;
  guint        new_flow : 1;           /* first report of this flow */
  guint        ended : 1;              /* the flow is over (DESTROY, FIN) */

  guint64      packets;                /* src -> dst, delta */
  guint64      bytes;
  guint64      reply_packets;          /* dst -> src, delta (bidirectional sources) */
  guint64      reply_bytes;

  gint64       first_ms;               /* Unix time in ms; 0 when unknown */
  gint64       last_ms;
} PsFlowRecord;

void ps_flow_record_init (PsFlowRecord *record,
                          PsFlowOrigin  origin);

G_END_DECLS
