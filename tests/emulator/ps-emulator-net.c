/* ps-emulator-net.c: addresses and URLs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ps-emulator-net.h"

GInetAddress *
ps_emulator_net_parse_address (const char  *text,
                               GError     **error)
{
  GInetAddress *address;

  g_return_val_if_fail (text != NULL, NULL);

  address = g_inet_address_new_from_string (text);
  if (address == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "'%s' is not a numeric IPv4 or IPv6 address", text);

  return address;
}

char *
ps_emulator_net_url (const char   *scheme,
                     GInetAddress *address,
                     guint         port,
                     const char   *path)
{
  g_autoptr(GInetAddress) loopback = NULL;
  g_autofree char *host = NULL;
  GSocketFamily family;

  g_return_val_if_fail (scheme != NULL, NULL);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);
  g_return_val_if_fail (path != NULL && path[0] == '/', NULL);

  family = g_inet_address_get_family (address);
  if (g_inet_address_get_is_any (address))
    address = loopback = g_inet_address_new_loopback (family);

  host = g_inet_address_to_string (address);
  if (family == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s://[%s]:%u%s", scheme, host, port, path);

  return g_strdup_printf ("%s://%s:%u%s", scheme, host, port, path);
}

guint16
ps_emulator_net_port (GSocketAddress *address)
{
  if (G_IS_INET_SOCKET_ADDRESS (address))
    return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));

  return 0;
}

GSocket *
ps_emulator_net_join_group (GInetAddress  *bind_address,
                            const char    *group_text,
                            guint16        port,
                            const char    *interface,
                            GSocket       *sender,
                            guint          ttl,
                            GError       **error)
{
  g_autoptr(GInetAddress) group = g_inet_address_new_from_string (group_text);
  g_autoptr(GSocketAddress) group_address = NULL;
  g_autoptr(GSocket) socket = NULL;
  struct ip_mreqn mreq;

  if (g_inet_address_get_family (bind_address) != G_SOCKET_FAMILY_IPV4)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "multicast needs an IPv4 --bind address");
      return NULL;
    }

  memset (&mreq, 0, sizeof mreq);
  mreq.imr_ifindex = (int) if_nametoindex (interface);
  if (mreq.imr_ifindex == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No interface named '%s'",
                   interface);
      return NULL;
    }

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         error);
  if (socket == NULL)
    return NULL;
  g_socket_set_blocking (socket, FALSE);

  group_address = g_inet_socket_address_new (group, port);
  if (!g_socket_bind (socket, group_address, TRUE, error) ||
      !g_socket_join_multicast_group (socket, group, FALSE, interface, error))
    return NULL;

  g_socket_set_multicast_ttl (sender, ttl);
  if (setsockopt (g_socket_get_fd (sender), IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Could not send multicast on '%s': %s", interface, g_strerror (errno));
      return NULL;
    }

  return g_steal_pointer (&socket);
}
