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
/* For a responder on an IPv4 lab LAN: a socket bound to group:port that
 * hears only the group, joined on interface, and sender (the responder's
 * unicast socket, bound to --bind) set to multicast on that interface with
 * the given TTL, so that what it sends comes from --bind:port. group_out
 * gets group:port, where to send multicast. */
GSocket      *ps_emulator_net_join_group    (GInetAddress    *bind_address,
                                             const char      *group,
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
