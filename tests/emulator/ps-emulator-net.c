/* ps-emulator-net.c: addresses and URLs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

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
