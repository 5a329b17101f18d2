/* ps-flow-record.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "ps-flow-record.h"

void
ps_ip_address_set_v4 (PsIpAddress  *address,
                      const guint8  bytes[4])
{
  memset (address, 0, sizeof *address);
  address->family = 4;
  memcpy (address->bytes, bytes, 4);
}

void
ps_ip_address_set_v6 (PsIpAddress  *address,
                      const guint8  bytes[16])
{
  static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  /* ::ffff:a.b.c.d is an IPv4 peer seen through a dual-stack socket */
  if (memcmp (bytes, v4_mapped, sizeof v4_mapped) == 0)
    {
      ps_ip_address_set_v4 (address, bytes + 12);
      return;
    }

  address->family = 6;
  memcpy (address->bytes, bytes, 16);
}

gboolean
ps_ip_address_parse (PsIpAddress *address,
                     const char  *text)
{
  g_autoptr(GInetAddress) inet = NULL;

  memset (address, 0, sizeof *address);
  if (text == NULL)
    return FALSE;

  inet = g_inet_address_new_from_string (text);
  if (inet == NULL)
    return FALSE;

  ps_ip_address_from_inet (address, inet);
  return TRUE;
}

void
ps_ip_address_from_inet (PsIpAddress  *address,
                         GInetAddress *inet)
{
  const guint8 *bytes = g_inet_address_to_bytes (inet);

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV4)
    ps_ip_address_set_v4 (address, bytes);
  else
    ps_ip_address_set_v6 (address, bytes);
}

GInetAddress *
ps_ip_address_to_inet (const PsIpAddress *address)
{
  switch (address->family)
    {
    case 4:
      return g_inet_address_new_from_bytes (address->bytes, G_SOCKET_FAMILY_IPV4);
    case 6:
      return g_inet_address_new_from_bytes (address->bytes, G_SOCKET_FAMILY_IPV6);
    default:
      return NULL;
    }
}

char *
ps_ip_address_format (const PsIpAddress *address,
                      char               buffer[PS_IP_ADDRESS_STRLEN])
{
  const guint8 *b = address->bytes;

  if (address->family == 4)
    {
      g_snprintf (buffer, PS_IP_ADDRESS_STRLEN, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    }
  else if (address->family == 6)
    {
      g_autoptr(GInetAddress) inet = ps_ip_address_to_inet (address);
      g_autofree char *text = g_inet_address_to_string (inet);

      g_strlcpy (buffer, text, PS_IP_ADDRESS_STRLEN);
    }
  else
    {
      buffer[0] = '\0';
    }

  return buffer;
}

char *
ps_ip_address_to_string (const PsIpAddress *address)
{
  char buffer[PS_IP_ADDRESS_STRLEN];

  return g_strdup (ps_ip_address_format (address, buffer));
}

static gsize
ps_ip_address_length (const PsIpAddress *address)
{
  return address->family == 4 ? 4 : address->family == 6 ? 16 : 0;
}

gboolean
ps_ip_address_equal (const PsIpAddress *a,
                     const PsIpAddress *b)
{
  return a->family == b->family
         && memcmp (a->bytes, b->bytes, ps_ip_address_length (a)) == 0;
}

guint
ps_ip_address_hash (const PsIpAddress *address)
{
  guint hash = address->family;
  gsize length = ps_ip_address_length (address);

  /* FNV-1a */
  hash ^= 2166136261u;
  for (gsize i = 0; i < length; i++)
    hash = (hash ^ address->bytes[i]) * 16777619u;

  return hash;
}

guint
ps_ip_address_hash_func (gconstpointer address)
{
  return ps_ip_address_hash (address);
}

gboolean
ps_ip_address_equal_func (gconstpointer a,
                          gconstpointer b)
{
  return ps_ip_address_equal (a, b);
}

gboolean
ps_ip_address_is_set (const PsIpAddress *address)
{
  return address->family == 4 || address->family == 6;
}

gboolean
ps_ip_address_in_network (const PsIpAddress *address,
                          const PsIpAddress *network,
                          guint              prefix_length)
{
  guint full_bytes = prefix_length / 8;
  guint rest_bits = prefix_length % 8;

  if (address->family != network->family
      || prefix_length > ps_ip_address_length (address) * 8)
    return FALSE;

  if (memcmp (address->bytes, network->bytes, full_bytes) != 0)
    return FALSE;

  if (rest_bits != 0)
    {
      guint8 mask = (guint8) (0xff << (8 - rest_bits));

      if ((address->bytes[full_bytes] & mask) != (network->bytes[full_bytes] & mask))
        return FALSE;
    }

  return TRUE;
}

gboolean
ps_ip_address_is_multicast (const PsIpAddress *address)
{
  if (address->family == 4)
    return (address->bytes[0] & 0xf0) == 0xe0;
  if (address->family == 6)
    return address->bytes[0] == 0xff;
  return FALSE;
}

gboolean
ps_ip_address_is_local (const PsIpAddress *address)
{
  const guint8 *b = address->bytes;

  if (ps_ip_address_is_multicast (address))
    return TRUE;

  if (address->family == 4)
    return b[0] == 10                                   /* 10/8 */
           || b[0] == 127                               /* loopback */
           || (b[0] == 172 && (b[1] & 0xf0) == 16)      /* 172.16/12 */
           || (b[0] == 192 && b[1] == 168)              /* 192.168/16 */
           || (b[0] == 169 && b[1] == 254)              /* link-local */
           || (b[0] == 100 && (b[1] & 0xc0) == 64)      /* 100.64/10, CGN */
           || (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
           || (b[0] == 0);

  if (address->family == 6)
    {
      static const guint8 loopback[16] = { [15] = 1 };
      static const guint8 unspecified[16] = { 0 };

      return (b[0] & 0xfe) == 0xfc                      /* fc00::/7, ULA */
             || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* fe80::/10 */
             || memcmp (b, loopback, 16) == 0
             || memcmp (b, unspecified, 16) == 0;
    }

  return FALSE;
}

const char *
ps_flow_origin_to_string (PsFlowOrigin origin)
{
  switch (origin)
    {
    case PS_FLOW_ORIGIN_CONNTRACK:
      return "conntrack";
    case PS_FLOW_ORIGIN_NETFLOW_V5:
      return "netflow-v5";
    case PS_FLOW_ORIGIN_NETFLOW_V9:
      return "netflow-v9";
    case PS_FLOW_ORIGIN_IPFIX:
      return "ipfix";
    case PS_FLOW_ORIGIN_SESSION:
      return "session";
    default:
      return "unknown";
    }
}

void
ps_flow_record_init (PsFlowRecord *record,
                     PsFlowOrigin  origin)
{
  memset (record, 0, sizeof *record);
  record->origin = origin;
}
