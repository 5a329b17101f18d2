/* ps-policy-values.c: one value of a policy, checked and made canonical
 *
 * Nothing here trusts its input: any byte sequence gives FALSE or NULL,
 * never a crash, and what passes is in the one form the policy stores.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-policy"

#include "config.h"

#include <string.h>

#include "ps-policy-private.h"

#define MAX_DEVICE_ID       64
#define MAX_NAME            253
#define MAX_LABEL           63
#define MAX_SHOWN           64    /* bytes of a bad value quoted in an error */

char *
_ps_policy_printable (const char *value)
{
  g_autofree char *head = NULL;
  g_autofree char *escaped = NULL;
  gsize length;

  if (value == NULL)
    return g_strdup ("(null)");

  length = strnlen (value, MAX_SHOWN + 1);
  head = g_strndup (value, MIN (length, MAX_SHOWN));
  escaped = g_strescape (head, NULL);

  return length > MAX_SHOWN ? g_strconcat (escaped, "…", NULL) : g_steal_pointer (&escaped);
}

/* Networks and ports */

gboolean
_ps_network_parse (const char *text,
                   gboolean    allow_prefix,
                   PsNetwork  *network)
{
  g_autoptr(GInetAddress) inet = NULL;
  char address[48];
  const char *slash;
  gsize length;
  gsize address_length;
  guint bits;
  guint prefix;

  g_assert (network != NULL);

  memset (network, 0, sizeof *network);
  if (text == NULL)
    return FALSE;

  /* "ffff:…:255.255.255.255/128" is 49 bytes */
  length = strnlen (text, 64);
  if (length == 0 || length >= 64)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isxdigit (text[i]) && text[i] != ':' && text[i] != '.' && text[i] != '/')
      return FALSE;

  slash = strchr (text, '/');
  address_length = slash != NULL ? (gsize) (slash - text) : length;
  if (address_length == 0 || address_length >= sizeof address)
    return FALSE;
  memcpy (address, text, address_length);
  address[address_length] = '\0';

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    return FALSE;

  network->family = g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV4 ? 4 : 6;
  bits = PS_NETWORK_BITS (network);
  g_assert (g_inet_address_get_native_size (inet) == bits / 8);
  memcpy (network->bytes, g_inet_address_to_bytes (inet), bits / 8);

  if (slash != NULL)
    {
      const char *digits = slash + 1;
      gsize n_digits = strlen (digits);

      if (n_digits == 0 || n_digits > 3)
        return FALSE;
      prefix = 0;
      for (gsize i = 0; i < n_digits; i++)
        {
          if (!g_ascii_isdigit (digits[i]))
            return FALSE;
          prefix = prefix * 10 + (guint) (digits[i] - '0');
        }
      if (prefix > bits || (!allow_prefix && prefix != bits))
        return FALSE;
    }
  else
    prefix = bits;

  network->prefix = (guint8) prefix;
  for (guint i = prefix; i < bits; i++)
    network->bytes[i / 8] &= (guint8) ~(0x80u >> (i % 8));

  return TRUE;
}

char *
_ps_network_dup_address (const PsNetwork *network)
{
  g_autoptr(GInetAddress) inet = NULL;

  g_assert (network != NULL);
  g_assert (network->family == 4 || network->family == 6);

  inet = g_inet_address_new_from_bytes (network->bytes,
                                        network->family == 4 ? G_SOCKET_FAMILY_IPV4
                                                             : G_SOCKET_FAMILY_IPV6);
  return g_inet_address_to_string (inet);
}

char *
_ps_network_to_string (const PsNetwork *network)
{
  g_autofree char *address = _ps_network_dup_address (network);

  if (network->prefix == PS_NETWORK_BITS (network))
    return g_steal_pointer (&address);

  return g_strdup_printf ("%s/%u", address, network->prefix);
}

gboolean
_ps_network_contains (const PsNetwork *outer,
                      const PsNetwork *inner)
{
  guint full_bytes;
  guint rest;

  if (outer->family != inner->family || outer->prefix > inner->prefix)
    return FALSE;

  full_bytes = outer->prefix / 8;
  rest = outer->prefix % 8;
  if (memcmp (outer->bytes, inner->bytes, full_bytes) != 0)
    return FALSE;
  if (rest != 0)
    {
      guint8 mask = (guint8) (0xffu << (8 - rest));

      if ((outer->bytes[full_bytes] & mask) != (inner->bytes[full_bytes] & mask))
        return FALSE;
    }

  return TRUE;
}

gboolean
_ps_port_parse (const char     *text,
                PsPortProtocol *protocol,
                guint16        *port)
{
  const char *digits;
  gsize n_digits;
  guint value = 0;

  if (text == NULL)
    return FALSE;

  if (g_ascii_strncasecmp (text, "udp/", 4) == 0)
    *protocol = PS_PORT_UDP, digits = text + 4;
  else if (g_ascii_strncasecmp (text, "tcp/", 4) == 0)
    *protocol = PS_PORT_TCP, digits = text + 4;
  else
    *protocol = PS_PORT_ANY, digits = text;

  n_digits = strnlen (digits, 6);
  if (n_digits == 0 || n_digits > 5)
    return FALSE;
  for (gsize i = 0; i < n_digits; i++)
    {
      if (!g_ascii_isdigit (digits[i]))
        return FALSE;
      value = value * 10 + (guint) (digits[i] - '0');
    }
  if (value == 0 || value > G_MAXUINT16)
    return FALSE;

  *port = (guint16) value;
  return TRUE;
}

char *
_ps_port_to_string (PsPortProtocol protocol,
                guint16        port)
{
  switch (protocol)
    {
    case PS_PORT_UDP:
      return g_strdup_printf ("udp/%u", port);
    case PS_PORT_TCP:
      return g_strdup_printf ("tcp/%u", port);
    case PS_PORT_ANY:
    default:
      return g_strdup_printf ("%u", port);
    }
}

/* Names, MACs, device ids */

gboolean
_ps_name_is_valid (const char *text)
{
  gsize length;
  gsize label = 0;
  gboolean numeric = TRUE;   /* the current label is all digits */

  if (text == NULL)
    return FALSE;
  length = strnlen (text, MAX_NAME + 1);
  if (length == 0 || length > MAX_NAME)
    return FALSE;

  for (gsize i = 0; i <= length; i++)
    {
      char c = text[i];

      if (c == '.' || c == '\0')
        {
          /* no empty labels, no hyphen at either end */
          if (label == 0 || text[i - 1] == '-')
            return FALSE;
          if (c == '\0')
            break;
          label = 0;
          numeric = TRUE;
          continue;
        }
      if (!g_ascii_isalnum (c) && c != '-')
        return FALSE;
      if (c == '-' && label == 0)
        return FALSE;
      if (!g_ascii_isdigit (c))
        numeric = FALSE;
      if (++label > MAX_LABEL)
        return FALSE;
    }

  /* a top-level label is never all digits: "1.2.3.999" is no name */
  return !numeric;
}

char *
_ps_name_canonical (const char *text)
{
  g_autofree char *name = NULL;
  gsize length;

  if (text == NULL)
    return NULL;
  length = strnlen (text, MAX_NAME + 2);
  if (length > MAX_NAME + 1)
    return NULL;
  name = g_ascii_strdown (text, length);
  if (length > 1 && name[length - 1] == '.')
    name[length - 1] = '\0';

  return _ps_name_is_valid (name) ? g_steal_pointer (&name) : NULL;
}

gboolean
_ps_device_id_is_valid (const char *id)
{
  gsize length;

  if (id == NULL)
    return FALSE;
  length = strnlen (id, MAX_DEVICE_ID + 1);
  if (length == 0 || length > MAX_DEVICE_ID)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (id[i]) && strchr ("._:-", id[i]) == NULL)
      return FALSE;

  return TRUE;
}

char *
_ps_mac_canonical (const char *text)
{
  guint8 octets[6];

  if (text == NULL || strnlen (text, 18) != 17)
    return NULL;
  for (guint i = 0; i < 6; i++)
    {
      const char *pair = text + i * 3;

      if (!g_ascii_isxdigit (pair[0]) || !g_ascii_isxdigit (pair[1]) ||
          (i < 5 && pair[2] != ':'))
        return NULL;
      octets[i] = (guint8) (g_ascii_xdigit_value (pair[0]) << 4 | g_ascii_xdigit_value (pair[1]));
    }
  if (octets[0] & 1)
    return NULL;
  if ((octets[0] | octets[1] | octets[2] | octets[3] | octets[4] | octets[5]) == 0)
    return NULL;

  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x",
                          octets[0], octets[1], octets[2], octets[3], octets[4], octets[5]);
}

static int
compare_networks (gconstpointer a,
                  gconstpointer b)
{
  const PsNetwork *na = a;
  const PsNetwork *nb = b;
  int cmp = memcmp (na->bytes, nb->bytes, sizeof na->bytes);

  return cmp != 0 ? cmp : (int) na->prefix - (int) nb->prefix;
}

/* The networks of one family in LIST, without those another one covers:
 * sorted by address, a network precedes those it contains, so each only
 * needs comparing with the last one kept.  Entries that are no address
 * (allow-list names) go to NAMES. */
GPtrArray *
_ps_networks_of_family (const char * const *list,
                        guint8              family,
                        GPtrArray          *names)
{
  g_autoptr(GArray) networks = g_array_new (FALSE, FALSE, sizeof (PsNetwork));
  GPtrArray *kept = g_ptr_array_new_with_free_func (g_free);
  const PsNetwork *last = NULL;

  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    {
      PsNetwork network;

      if (!_ps_network_parse (list[i], TRUE, &network))
        {
          if (names != NULL)
            g_ptr_array_add (names, g_strdup (list[i]));
          continue;
        }
      if (network.family == family)
        g_array_append_val (networks, network);
    }

  g_array_sort (networks, compare_networks);
  for (guint i = 0; i < networks->len; i++)
    {
      const PsNetwork *network = &g_array_index (networks, PsNetwork, i);

      if (last != NULL && _ps_network_contains (last, network))
        continue;
      g_ptr_array_add (kept, _ps_network_to_string (network));
      last = network;
    }

  return kept;
}

static int
compare_ports (gconstpointer a,
               gconstpointer b)
{
  return (int) *(const guint16 *) a - (int) *(const guint16 *) b;
}

static GArray *
sorted_unique_ports (GArray *ports)
{
  guint kept = 0;

  g_array_sort (ports, compare_ports);
  for (guint i = 0; i < ports->len; i++)
    if (kept == 0 || g_array_index (ports, guint16, kept - 1) != g_array_index (ports, guint16, i))
      g_array_index (ports, guint16, kept++) = g_array_index (ports, guint16, i);
  g_array_set_size (ports, kept);

  return ports;
}

void
_ps_policy_dup_p2p_ports (PsPolicy  *policy,
                          GArray   **udp,
                          GArray   **tcp)
{
  const char * const *ports = ps_policy_get_p2p_ports (policy);

  *udp = g_array_new (FALSE, FALSE, sizeof (guint16));
  *tcp = g_array_new (FALSE, FALSE, sizeof (guint16));
  for (guint i = 0; ports[i] != NULL; i++)
    {
      PsPortProtocol protocol;
      guint16 port;

      if (!_ps_port_parse (ports[i], &protocol, &port))
        continue;
      if (protocol != PS_PORT_TCP)
        g_array_append_val (*udp, port);
      if (protocol != PS_PORT_UDP)
        g_array_append_val (*tcp, port);
    }
  sorted_unique_ports (*udp);
  sorted_unique_ports (*tcp);
}
