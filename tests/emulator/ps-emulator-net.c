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

char *
ps_emulator_net_format (GSocketAddress *address)
{
  g_autofree char *host = NULL;
  GInetAddress *inet;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("");

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  host = g_inet_address_to_string (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", host, ps_emulator_net_port (address));

  return g_strdup_printf ("%s:%u", host, ps_emulator_net_port (address));
}

gboolean
ps_emulator_net_is_dns_name (const char *name)
{
  gsize label = 0;
  gsize total;

  g_return_val_if_fail (name != NULL, FALSE);

  total = strlen (name);
  if (total == 0 || total > 253)
    return FALSE;

  for (const char *p = name; ; p++)
    {
      if (*p == '.' || *p == '\0')
        {
          if (label == 0 || label > 63)
            return FALSE;
          if (*p == '\0')
            break;
          label = 0;
          continue;
        }
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        return FALSE;
      label++;
    }

  /* all digits and dots is an address, or a typo of one */
  return strspn (name, "0123456789.") != total;
}

gboolean
ps_emulator_net_parse_host_port (const char  *text,
                                 guint16      default_port,
                                 char       **host_out,
                                 guint16     *port_out,
                                 GError     **error)
{
  g_autofree char *host = NULL;
  const char *port_text = NULL;
  guint64 port = default_port;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (host_out != NULL && port_out != NULL, FALSE);

  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');
      g_autoptr(GInetAddress) v6 = NULL;

      if (end == NULL || (end[1] != '\0' && end[1] != ':'))
        goto bad;
      host = g_strndup (text + 1, (gsize) (end - text - 1));
      v6 = g_inet_address_new_from_string (host);
      if (v6 == NULL || g_inet_address_get_family (v6) != G_SOCKET_FAMILY_IPV6)
        goto bad;
      if (end[1] == ':')
        port_text = end + 2;
    }
  else
    {
      const char *colon = strrchr (text, ':');
      g_autoptr(GInetAddress) numeric = NULL;

      host = colon != NULL ? g_strndup (text, (gsize) (colon - text)) : g_strdup (text);
      if (strchr (host, ':') != NULL)
        goto bad;   /* a bare IPv6 address: it needs brackets */
      numeric = g_inet_address_new_from_string (host);
      if (numeric == NULL && !ps_emulator_net_is_dns_name (host))
        goto bad;
      if (colon != NULL)
        port_text = colon + 1;
    }

  if (port_text != NULL &&
      !g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL))
    goto bad;
  if (port == 0)
    goto bad;

  *host_out = g_steal_pointer (&host);
  *port_out = (guint16) port;
  return TRUE;

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "'%s' is not %s", text,
               default_port != 0 ? "HOST[:PORT] or [IPV6][:PORT]" : "HOST:PORT or [IPV6]:PORT");
  return FALSE;
}

gboolean
ps_emulator_net_is_lab_address (GInetAddress *address)
{
  const guint8 *b;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);

  if (g_inet_address_get_is_loopback (address) || g_inet_address_get_is_link_local (address))
    return TRUE;

  b = g_inet_address_to_bytes (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    return b[0] == 10 ||
           (b[0] == 172 && (b[1] & 0xf0) == 16) ||
           (b[0] == 192 && b[1] == 168) ||
           (b[0] == 100 && (b[1] & 0xc0) == 64) ||
           (b[0] == 198 && (b[1] & 0xfe) == 18) ||
           (b[0] == 192 && b[1] == 0 && b[2] == 2) ||
           (b[0] == 198 && b[1] == 51 && b[2] == 100) ||
           (b[0] == 203 && b[1] == 0 && b[2] == 113);

  return (b[0] & 0xfe) == 0xfc ||
         (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);
}

static GSocket *
join_group6 (const char      *group_text,
             guint16          port,
             const char      *interface,
             guint            ifindex,
             GSocket         *sender,
             guint            ttl,
             GSocketAddress **group_out,
             GError         **error)
{
  g_autoptr(GInetAddress) group = g_inet_address_new_from_string (group_text);
  g_autoptr(GSocketAddress) group_address = NULL;
  g_autoptr(GSocket) socket = NULL;
  int index = (int) ifindex;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         error);
  if (socket == NULL || !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, error))
    return NULL;
  g_socket_set_blocking (socket, FALSE);

  /* a link-local group is an address on one link: bound with its scope */
  group_address = g_object_new (G_TYPE_INET_SOCKET_ADDRESS,
                                "address", group, "port", (guint) port, "scope-id", ifindex,
                                NULL);
  if (!g_socket_bind (socket, group_address, TRUE, error) ||
      !g_socket_join_multicast_group (socket, group, FALSE, interface, error))
    return NULL;

  g_socket_set_multicast_ttl (sender, ttl);
  if (setsockopt (g_socket_get_fd (sender), IPPROTO_IPV6, IPV6_MULTICAST_IF,
                  &index, sizeof index) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Could not send IPv6 multicast on '%s': %s", interface, g_strerror (errno));
      return NULL;
    }

  *group_out = g_steal_pointer (&group_address);
  return g_steal_pointer (&socket);
}

GSocket *
ps_emulator_net_join_group (GInetAddress    *bind_address,
                            const char      *group_ipv4,
                            const char      *group_ipv6,
                            guint16          port,
                            const char      *interface,
                            GSocket         *sender,
                            guint            ttl,
                            GSocketAddress **group_out,
                            GError         **error)
{
  g_autoptr(GInetAddress) group = NULL;
  g_autoptr(GSocketAddress) group_address = NULL;
  g_autoptr(GSocket) socket = NULL;
  struct ip_mreqn mreq;

  memset (&mreq, 0, sizeof mreq);
  mreq.imr_ifindex = (int) if_nametoindex (interface);
  if (mreq.imr_ifindex == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No interface named '%s'",
                   interface);
      return NULL;
    }

  if (g_inet_address_get_family (bind_address) == G_SOCKET_FAMILY_IPV6)
    return join_group6 (group_ipv6, port, interface, (guint) mreq.imr_ifindex, sender, ttl,
                        group_out, error);

  group = g_inet_address_new_from_string (group_ipv4);
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

  *group_out = g_steal_pointer (&group_address);
  return g_steal_pointer (&socket);
}

typedef struct
{
  PsEmulatorDatagramFunc  func;
  gpointer                user_data;
  const char             *what;
  gsize                   max_size;
  guint8                 *buffer;
} Watch;

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  g_free (watch->buffer);
  g_free (watch);
}

static gboolean
on_readable_cb (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  Watch *watch = user_data;

  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) from = NULL;
      gssize n;

      n = g_socket_receive_from (socket, &from, (char *) watch->buffer, watch->max_size, NULL,
                                 &error);
      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("%s: receive: %s", watch->what, error->message);
          break;
        }
      if (n > 0 && G_IS_INET_SOCKET_ADDRESS (from))
        watch->func (watch->user_data, socket, watch->buffer, (gsize) n, from);
    }

  return G_SOURCE_CONTINUE;
}

GSource *
ps_emulator_net_watch (GSocket                *socket,
                       gsize                   max_size,
                       const char             *what,
                       PsEmulatorDatagramFunc  func,
                       gpointer                user_data)
{
  GSource *source = g_socket_create_source (socket, G_IO_IN, NULL);
  Watch *watch = g_new0 (Watch, 1);

  watch->func = func;
  watch->user_data = user_data;
  watch->what = what;
  watch->max_size = max_size;
  watch->buffer = g_malloc (max_size);

  g_source_set_callback (source, G_SOURCE_FUNC (on_readable_cb), watch, watch_free);
  g_source_attach (source, NULL);

  return source;
}
