/* ps-discovery-net-private.h: socket details discovery needs and GSocket hides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Room for an interface name or an IPv6 address as text. */
#define PS_DISCOVERY_NET_TEXT_LEN 64

/* Like g_socket_receive_from (), non-blocking, and where the system tells
 * (IP_PKTINFO, IPV6_PKTINFO after _enable_pktinfo ()), notes the name of
 * the interface and our address the datagram arrived on; both are empty
 * strings when it does not. interface and local hold
 * PS_DISCOVERY_NET_TEXT_LEN bytes. */
gssize   _ps_discovery_net_receive                 (GSocket         *socket,
                                                    guint8          *buffer,
                                                    gsize            size,
                                                    GSocketAddress **from,
                                                    char            *interface,
                                                    char            *local,
                                                    GError         **error);
void     _ps_discovery_net_enable_pktinfo          (GSocket         *socket);
/* IPv6 sockets of ours carry IPv6 only (the IPv4 ones are apart): call
 * before binding. */
void     _ps_discovery_net_set_v6only              (GSocket         *socket);
/* IPv4 multicast leaves through interface. */
gboolean _ps_discovery_net_set_multicast_interface (GSocket         *socket,
                                                    const char      *interface,
                                                    GError         **error);
/* The interfaces link-local IPv6 multicast goes out on, as indexes (guint)
 * into indexes, at most max: interface, or else each one that is up, can
 * multicast, is not loopback and has an IPv6 address. */
void     _ps_discovery_net_find_interfaces6        (const char      *interface,
                                                    GArray          *indexes,
                                                    guint            max);

G_END_DECLS
