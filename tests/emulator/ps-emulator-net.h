/* ps-emulator-net.h: addresses and URLs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A numeric IPv4 or IPv6 address (no host names: the emulator never
 * resolves anything). */
GInetAddress *ps_emulator_net_parse_address (const char     *text,
                                             GError        **error);
/* "scheme://HOST:PORT/path", IPv6 hosts in brackets. A wildcard address
 * (0.0.0.0, ::) is replaced by the loopback address of its family. */
char         *ps_emulator_net_url           (const char     *scheme,
                                             GInetAddress   *address,
                                             guint           port,
                                             const char     *path);
guint16       ps_emulator_net_port          (GSocketAddress *address);
/* "ADDR:PORT", IPv6 in brackets ("[::1]:80"), for logs. */
char         *ps_emulator_net_format        (GSocketAddress *address);
/* Splits "HOST:PORT", "[IPV6]:PORT" or, when default_port is not 0, a bare
 * "HOST" or "[IPV6]". host gets the name or address without brackets; a
 * name must be a DNS name (letters, digits, '-' and '_' in dot-separated
 * labels of 1 to 63 bytes, at most 253 bytes in all). */
gboolean      ps_emulator_net_parse_host_port (const char   *text,
                                               guint16       default_port,
                                               char        **host,
                                               guint16      *port,
                                               GError      **error);
/* Is name a valid DNS name as above (not an address)? */
gboolean      ps_emulator_net_is_dns_name   (const char     *name);
/* Loopback, private (RFC 1918, RFC 4193), shared (100.64/10), link-local,
 * benchmarking (198.18/15) and documentation addresses (192.0.2/24,
 * 198.51.100/24, 203.0.113/24, 2001:db8::/32): the addresses a lab uses.
 * The emulator sends nothing unsolicited anywhere else. */
gboolean      ps_emulator_net_is_lab_address (GInetAddress  *address);
/* For a responder on a lab LAN: a socket bound to group:port that hears
 * only the group, joined on interface, and sender (the responder's unicast
 * socket, bound to --bind) set to multicast on that interface with the
 * given TTL (hop limit), so that what it sends comes from --bind:port.
 * The group is group_ipv4 or, for an IPv6 --bind, group_ipv6 (link-local
 * scope, on interface). group_out gets group:port (with the interface as
 * its scope for IPv6), where to send multicast. */
GSocket      *ps_emulator_net_join_group    (GInetAddress    *bind_address,
                                             const char      *group_ipv4,
                                             const char      *group_ipv6,
                                             guint16          port,
                                             const char      *interface,
                                             GSocket         *sender,
                                             guint            ttl,
                                             GSocketAddress **group_out,
                                             GError         **error);

/* Called for each datagram a watched socket receives. */
typedef void (*PsEmulatorDatagramFunc) (gpointer        user_data,
                                        GSocket        *socket,
                                        const guint8   *data,
                                        gsize           len,
                                        GSocketAddress *from);

/* Reads every datagram (up to max_size bytes each) that arrives on socket,
 * on the main context, and hands it to func. what names the protocol in
 * debug messages. Destroy the returned source to stop. */
GSource      *ps_emulator_net_watch         (GSocket               *socket,
                                             gsize                  max_size,
                                             const char            *what,
                                             PsEmulatorDatagramFunc func,
                                             gpointer               user_data);

G_END_DECLS
