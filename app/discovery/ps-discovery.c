/* ps-discovery.c
 *
 * One UDP socket sends every probe and receives every answer:
 *  - ONVIF WS-Discovery Probe (dn:NetworkVideoTransmitter) to each target's
 *    port 3702, and on the LAN to 239.255.255.250:3702, repeated on the
 *    spec's schedule (SOAP-over-UDP: 3 sends, 50-250 ms apart, doubling);
 *  - CS2 "PPPP" LAN search to port 32108, in plaintext and under each known
 *    key. Cameras answer from another port than the one probed, so answers
 *    are accepted from any port of a probed (or, on the LAN, any) address.
 *    Nothing is ever sent to 32100, the vendor servers' port.
 *  - mDNS/DNS-SD PTR query for the camera service types to each target's
 *    port 5353, and on the LAN to 224.0.0.251:5353, from our ephemeral
 *    port: a legacy unicast query (RFC 6762 §6.7), answered by unicast from
 *    port 5353. We never bind 5353 nor join the group.
 *  - SSDP M-SEARCH to each target's port 1900, and on the LAN to
 *    239.255.255.250:1900; the UPnP description is fetched from LOCATION
 *    only when LOCATION is on the address that answered.
 *
 * IPv6 has a socket of its own. On the LAN, WS-Discovery and SSDP go to
 * [ff02::c] and mDNS to [ff02::fb], link-local groups that need an
 * interface: the chosen one, or else every interface that is up, can
 * multicast and has IPv6. CS2 PPPP and Kalay are IPv4 only.
 *
 * Between probes, a socket on port 3702 in the WS-Discovery groups (IPv4
 * and IPv6) hears cameras say Hello and Bye.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-discovery"

#include <glib.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <net/if.h>
#include <sys/socket.h>
#endif

#include "ps-discovery-net-private.h"
#include "ps-discovery.h"
#include "ps-mdns-message.h"
#include "ps-kalay.h"
#include "ps-pppp.h"
#include "ps-ssdp-description.h"
#include "ps-ssdp-message.h"
#include "ps-wsd-message.h"

#define MAX_DATAGRAM   (64 * 1024)
#define MAX_TARGETS    256
#define MAX_MESSAGE_IDS 16
#define BROADCAST_IPV4 "255.255.255.255"
#define MAX_SSDP_FETCHES 64
#define MAX_INTERFACES6 8

struct _PsDiscovery
{
  GObject           parent_instance;

  PsDeviceRegistry *registry;
  GPtrArray        *targets;       /* GInetAddress */
  gboolean          lan;
  char             *interface;

  GSocket          *socket;
  GSource          *source;
  GSocket          *announcements;   /* LAN only: WS-Discovery Hello and Bye */
  GSocket          *socket6;         /* for IPv6 targets and the IPv6 LAN */
  GSource          *source6;
  GArray           *interfaces6;     /* guint: interface indexes for IPv6 multicast */
  GSocket          *announcements6;
  GSource          *announcements6_source;
  /* where the datagram being handled came in */
  char              rx_interface[PS_DISCOVERY_NET_TEXT_LEN];
  char              rx_local[PS_DISCOVERY_NET_TEXT_LEN];
  GSource          *announcements_source;
  GPtrArray        *message_ids;   /* our probes' WS-Addressing MessageIDs */
  guint             repeat_id;
  guint             repeats;
  guint8           *buffer;
  SoupSession      *ssdp_session;
  GCancellable     *ssdp_cancellable;
  GHashTable       *ssdp_locations;  /* LOCATIONs fetched this run */
};

G_DEFINE_FINAL_TYPE (PsDiscovery, ps_discovery, G_TYPE_OBJECT)

enum {
  DEVICE_SEEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ps_discovery_dispose (GObject *object)
{
  PsDiscovery *self = (PsDiscovery *) object;

  ps_discovery_stop (self);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (ps_discovery_parent_class)->dispose (object);
}

static void
ps_discovery_finalize (GObject *object)
{
  PsDiscovery *self = (PsDiscovery *) object;

  g_ptr_array_unref (self->targets);
  g_ptr_array_unref (self->message_ids);
  g_array_unref (self->interfaces6);
  g_free (self->interface);
  g_free (self->buffer);
  g_clear_object (&self->ssdp_session);
  g_hash_table_unref (self->ssdp_locations);

  G_OBJECT_CLASS (ps_discovery_parent_class)->finalize (object);
}

static void
ps_discovery_class_init (PsDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_discovery_dispose;
  object_class->finalize = ps_discovery_finalize;

  /* (device): a device answered, new or already known */
  signals[DEVICE_SEEN] =
    g_signal_new ("device-seen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PS_TYPE_DEVICE);
}

static void
ps_discovery_init (PsDiscovery *self)
{
  self->targets = g_ptr_array_new_with_free_func (g_object_unref);
  self->message_ids = g_ptr_array_new_with_free_func (g_free);
  self->interfaces6 = g_array_new (FALSE, FALSE, sizeof (guint));
  self->lan = TRUE;
  self->ssdp_locations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

PsDiscovery *
ps_discovery_new (PsDeviceRegistry *registry)
{
  PsDiscovery *self;

  g_return_val_if_fail (PS_IS_DEVICE_REGISTRY (registry), NULL);

  self = g_object_new (PS_TYPE_DISCOVERY, NULL);
  self->registry = g_object_ref (registry);

  return self;
}

gboolean
ps_discovery_add_target (PsDiscovery  *self,
                         const char   *address,
                         GError      **error)
{
  GInetAddress *inet;

  g_return_val_if_fail (PS_IS_DISCOVERY (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an IP address", address);
      return FALSE;
    }
  if (self->targets->len >= MAX_TARGETS)
    {
      g_object_unref (inet);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "At most %d targets", MAX_TARGETS);
      return FALSE;
    }

  g_ptr_array_add (self->targets, inet);
  self->lan = FALSE;

  return TRUE;
}

void
ps_discovery_set_interface (PsDiscovery *self,
                            const char  *interface)
{
  g_return_if_fail (PS_IS_DISCOVERY (self));

  g_free (self->interface);
  self->interface = g_strdup (interface);
}

/* Receiving ---------------------------------------------------------------- */

static gboolean
is_probed (PsDiscovery  *self,
           GInetAddress *address)
{
  if (self->lan)
    return TRUE;

  for (guint i = 0; i < self->targets->len; i++)
    if (g_inet_address_equal (g_ptr_array_index (self->targets, i), address))
      return TRUE;

  return FALSE;
}

static gboolean
is_our_probe (PsDiscovery *self,
              const char  *relates_to)
{
  for (guint i = 0; relates_to != NULL && i < self->message_ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->message_ids, i), relates_to) == 0)
      return TRUE;

  return FALSE;
}

static void
take_sighting (PsDiscovery  *self,
               PsSighting   *sighting,
               GInetAddress *from,
               guint16       port)
{
  PsDevice *device;

  g_free (sighting->address);
  sighting->address = g_inet_address_to_string (from);
  sighting->port = port;
  g_free (sighting->interface);
  sighting->interface = g_strdup (self->rx_interface[0] != '\0' ? self->rx_interface
                                                                 : self->interface);
  g_free (sighting->local_address);
  sighting->local_address = self->rx_local[0] != '\0' ? g_strdup (self->rx_local) : NULL;

  device = ps_device_registry_add (self->registry, sighting, g_get_real_time ());
  if (device != NULL)
    g_signal_emit (self, signals[DEVICE_SEEN], 0, device);
}

/* SSDP: the headers say where the description is; the description says
 * what the device is. Only cameras (or devices another protocol already
 * found at that address) make it into the registry. */
typedef struct
{
  PsDiscovery   *self;      /* a reference */
  PsSsdpMessage *message;
  GInetAddress  *from;
  guint16        port;
} SsdpFetch;

static void
ssdp_fetch_free (SsdpFetch *fetch)
{
  g_object_unref (fetch->self);
  ps_ssdp_message_free (fetch->message);
  g_object_unref (fetch->from);
  g_free (fetch);
}

static void
on_ssdp_description_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  SsdpFetch *fetch = user_data;
  PsDiscovery *self = fetch->self;
  g_autoptr(PsSsdpDescription) description = NULL;
  g_autoptr(PsSighting) sighting = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_inet_address_to_string (fetch->from);
  PsDevice *known;

  description = ps_ssdp_description_fetch_finish (result, &error);
  if (description == NULL || self->socket == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("UPnP description from %s: %s", text, error->message);
      ssdp_fetch_free (fetch);
      return;
    }

  known = ps_device_registry_lookup (self->registry, text);
  if (known == NULL && !ps_ssdp_description_is_camera (description))
    {
      g_debug ("%s is not a camera (%s)", text,
               description->friendly_name != NULL ? description->friendly_name : "?");
      ssdp_fetch_free (fetch);
      return;
    }

  sighting = ps_ssdp_to_sighting (fetch->message, description);
  /* a UDN unlike the ONVIF endpoint of the device at that address must not
   * split it in two: let the address merge them */
  if (known != NULL && sighting->endpoint != NULL && ps_device_get_endpoint (known) != NULL &&
      g_strcmp0 (ps_device_get_endpoint (known), sighting->endpoint) != 0)
    g_clear_pointer (&sighting->endpoint, g_free);

  take_sighting (self, sighting, fetch->from, fetch->port);
  ssdp_fetch_free (fetch);
}

static void
handle_ssdp (PsDiscovery  *self,
             const guint8 *data,
             gsize         len,
             GInetAddress *from,
             guint16       port)
{
  g_autoptr(PsSsdpMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_inet_address_to_string (from);
  SsdpFetch *fetch;

  message = ps_ssdp_parse ((const char *) data, len, text, &error);
  if (message == NULL)
    {
      g_debug ("ignoring an SSDP datagram from %s: %s", text, error->message);
      return;
    }

  if (message->kind == PS_SSDP_KIND_BYEBYE)
    {
      if (ps_device_registry_lookup (self->registry, text) != NULL)
        {
          g_autoptr(PsSighting) sighting = ps_ssdp_to_sighting (message, NULL);

          take_sighting (self, sighting, from, port);
        }
      return;
    }

  if (message->location == NULL || self->ssdp_session == NULL ||
      g_hash_table_contains (self->ssdp_locations, message->location) ||
      g_hash_table_size (self->ssdp_locations) >= MAX_SSDP_FETCHES)
    return;

  g_hash_table_add (self->ssdp_locations, g_strdup (message->location));
  fetch = g_new0 (SsdpFetch, 1);
  fetch->self = g_object_ref (self);
  fetch->from = g_object_ref (from);
  fetch->port = port;
  fetch->message = g_steal_pointer (&message);
  ps_ssdp_description_fetch_async (self->ssdp_session, fetch->message->location, text,
                                   self->ssdp_cancellable, on_ssdp_description_cb, fetch);
}

static gboolean
is_ssdp (const guint8 *data,
         gsize         len)
{
  return (len > 12 && memcmp (data, "HTTP/1.1 200", 12) == 0) ||
         (len > 17 && memcmp (data, "NOTIFY * HTTP/1.1", 17) == 0);
}

/* mDNS: a response from port 5353 (RFC 6762 §6: all of them come from
 * there). XAddrs in it only ever name the address that answered. */
static void
handle_mdns (PsDiscovery  *self,
             const guint8 *data,
             gsize         len,
             GInetAddress *from,
             guint16       port)
{
  g_autoptr(GPtrArray) sightings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_inet_address_to_string (from);

  sightings = ps_mdns_parse_response (data, len, text, &error);
  if (sightings == NULL)
    {
      g_debug ("ignoring an mDNS response from %s: %s", text, error->message);
      return;
    }

  for (guint i = 0; i < sightings->len; i++)
    take_sighting (self, g_ptr_array_index (sightings, i), from, port);
}

/* Returns FALSE when data is not WS-Discovery at all. */
static gboolean
handle_wsd (PsDiscovery  *self,
            const guint8 *data,
            gsize         len,
            GInetAddress *from,
            guint16       port)
{
  g_autoptr(GPtrArray) sightings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *relates_to = NULL;
  PsWsdKind kind = PS_WSD_KIND_UNKNOWN;

  sightings = ps_wsd_parse ((const char *) data, len, &kind, &relates_to, &error);
  if (sightings == NULL)
    {
      g_autofree char *text = g_inet_address_to_string (from);

      g_debug ("not WS-Discovery from %s: %s", text, error->message);
      return FALSE;
    }

  /* ProbeMatches must answer one of our probes; Hello and Bye are news */
  if (kind == PS_WSD_KIND_PROBE_MATCHES && !is_our_probe (self, relates_to))
    return TRUE;

  for (guint i = 0; i < sightings->len; i++)
    take_sighting (self, g_ptr_array_index (sightings, i), from, port);

  return TRUE;
}

/* The text protocols first, then CS2 PPPP, whose obfuscated datagrams look
 * like noise (and may hold a '<' by chance: the XML parser says no first). */
static void
handle_datagram (PsDiscovery  *self,
                 const guint8 *data,
                 gsize         len,
                 GInetAddress *from,
                 guint16       port)
{
  g_autoptr(PsSighting) sighting = NULL;

  if (len == 0 || !is_probed (self, from))
    return;

  if (port == PS_MDNS_PORT && ps_mdns_is_response (data, len))
    {
      handle_mdns (self, data, len, from, port);
      return;
    }

  if (is_ssdp (data, len))
    {
      handle_ssdp (self, data, len, from, port);
      return;
    }

  if (memchr (data, '<', MIN (len, 64)) != NULL && handle_wsd (self, data, len, from, port))
    return;

  if (ps_kalay_parse (data, len, &sighting, NULL))
    take_sighting (self, sighting, from, port);
  else if (ps_pppp_try_all (data, len, &sighting, NULL))
    take_sighting (self, sighting, from, port);
}

static gboolean
on_socket_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  PsDiscovery *self = user_data;

  for (guint n = 0; n < 256; n++)
    {
      g_autoptr(GSocketAddress) from = NULL;
      g_autoptr(GError) error = NULL;
      gssize len;

      len = _ps_discovery_net_receive (socket, self->buffer, MAX_DATAGRAM, &from,
                                       self->rx_interface, self->rx_local, &error);
      if (len < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("receive: %s", error->message);
          break;
        }

      if (G_IS_INET_SOCKET_ADDRESS (from))
        handle_datagram (self, self->buffer, (gsize) len,
                         g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from)),
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from)));
    }

  return G_SOURCE_CONTINUE;
}

/* Sending ------------------------------------------------------------------ */

static void
send_to_socket_address (PsDiscovery    *self,
                        GSocketAddress *to,
                        const guint8   *data,
                        gsize           len)
{
  GInetAddress *address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (to));
  guint16 port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (to));
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  g_assert (port != 32100);   /* the vendor servers' port: never */

  socket = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? self->socket6
                                                                       : self->socket;
  if (socket == NULL)
    return;
  if (g_socket_send_to (socket, to, (const char *) data, len, NULL, &error) < 0)
    {
      g_autofree char *text = g_inet_address_to_string (address);

      g_debug ("send to %s:%u: %s", text, port, error->message);
    }
}

static void
send_to (PsDiscovery   *self,
         GInetAddress  *address,
         guint16        port,
         const guint8  *data,
         gsize          len)
{
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (address, port);

  send_to_socket_address (self, to, data, len);
}

/* To a link-local IPv6 group, out of one interface (its scope). */
static void
send_to_group6 (PsDiscovery  *self,
                const char   *group,
                guint16       port,
                guint         ifindex,
                const guint8 *data,
                gsize         len)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (group);
  g_autoptr(GSocketAddress) to = NULL;

  to = g_object_new (G_TYPE_INET_SOCKET_ADDRESS,
                     "address", address, "port", (guint) port, "scope-id", ifindex,
                     NULL);
  send_to_socket_address (self, to, data, len);
}

/* WS-Discovery, SSDP and mDNS to the IPv6 link-local groups, on each
 * IPv6 interface, with the same Probe (and MessageID) as over IPv4. */
static void
send_lan_round6 (PsDiscovery *self,
                 const char  *probe)
{
  const char * const targets[] = {
    PS_SSDP_ST_ALL, PS_SSDP_ST_ROOT_DEVICE, PS_SSDP_ST_BASIC,
  };
  g_autoptr(GBytes) query = NULL;

  if (self->socket6 == NULL)
    return;

  query = ps_mdns_build_query ((guint16) g_random_int_range (1, 0x10000), NULL, FALSE);
  for (guint i = 0; i < self->interfaces6->len; i++)
    {
      guint ifindex = g_array_index (self->interfaces6, guint, i);

      send_to_group6 (self, PS_WSD_MULTICAST_IPV6, PS_WSD_PORT, ifindex,
                      (const guint8 *) probe, strlen (probe));
      for (guint t = 0; t < G_N_ELEMENTS (targets); t++)
        {
          g_autofree char *search = ps_ssdp_build_search_ipv6 (targets[t], 1);

          send_to_group6 (self, PS_SSDP_MULTICAST_IPV6, PS_SSDP_PORT, ifindex,
                          (const guint8 *) search, strlen (search));
        }
      if (query != NULL)
        send_to_group6 (self, PS_MDNS_MULTICAST_IPV6, PS_MDNS_PORT, ifindex,
                        g_bytes_get_data (query, NULL), g_bytes_get_size (query));
    }
}

static void
send_ssdp_searches (PsDiscovery  *self,
                    GInetAddress *address)
{
  const char * const targets[] = {
    PS_SSDP_ST_ALL, PS_SSDP_ST_ROOT_DEVICE, PS_SSDP_ST_BASIC,
  };

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autofree char *search = ps_ssdp_build_search (targets[i], 1);

      send_to (self, address, PS_SSDP_PORT, (const guint8 *) search, strlen (search));
    }
}

/* address NULL: the mDNS group */
static void
send_mdns_query (PsDiscovery  *self,
                 GInetAddress *address)
{
  g_autoptr(GInetAddress) group = NULL;
  g_autoptr(GBytes) query = ps_mdns_build_query ((guint16) g_random_int_range (1, 0x10000),
                                                 NULL, FALSE);

  if (address == NULL)
    address = group = g_inet_address_new_from_string (PS_MDNS_MULTICAST_IPV4);
  if (query != NULL)
    send_to (self, address, PS_MDNS_PORT, g_bytes_get_data (query, NULL),
             g_bytes_get_size (query));
}

/* The latest few: answers to older probes are late anyway, and continuous
 * discovery must not grow the list without bound. */
static void
remember_message_id (PsDiscovery *self,
                     const char  *message_id)
{
  if (self->message_ids->len >= MAX_MESSAGE_IDS)
    g_ptr_array_remove_index (self->message_ids, 0);
  g_ptr_array_add (self->message_ids, g_strdup (message_id));
}

static void
send_probes (PsDiscovery  *self,
             GInetAddress *address,
             const char   *probe)
{
  send_to (self, address, PS_WSD_PORT, (const guint8 *) probe, strlen (probe));
  send_mdns_query (self, address);
  send_ssdp_searches (self, address);

  /* CS2 PPPP and Kalay are IPv4 protocols */
  if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV4)
    return;

  {
    g_autoptr(GBytes) kalay = ps_kalay_build_lan_search (NULL);

    if (kalay != NULL)
      send_to (self, address, PS_KALAY_LAN_PORT, g_bytes_get_data (kalay, NULL),
               g_bytes_get_size (kalay));
  }

  /* plaintext first, then under each vendor key; both message types */
  for (int k = -1; k < 0 || ps_pppp_known_keys[k] != NULL; k++)
    {
      const char *psk = k < 0 ? NULL : ps_pppp_known_keys[k];
      const guint8 types[] = { PS_PPPP_MSG_LAN_SEARCH, PS_PPPP_MSG_LAN_SEARCH_EXT };

      for (guint t = 0; t < G_N_ELEMENTS (types); t++)
        {
          g_autoptr(GBytes) search = ps_pppp_build_lan_search (types[t], psk);

          if (search != NULL)
            send_to (self, address, PS_PPPP_LAN_PORT, g_bytes_get_data (search, NULL),
                     g_bytes_get_size (search));
        }
    }
}

static void
send_round (PsDiscovery *self)
{
  g_autofree char *message_id = ps_wsd_new_message_id ();
  g_autofree char *probe = ps_wsd_build_probe (message_id, PS_WSD_TYPES_NVT);

  /* one Probe per round, to every target and group: one MessageID to
   * remember however many targets there are */
  remember_message_id (self, message_id);
  for (guint i = 0; i < self->targets->len; i++)
    send_probes (self, g_ptr_array_index (self->targets, i), probe);

  if (self->lan)
    {
      g_autoptr(GInetAddress) group = g_inet_address_new_from_string (PS_WSD_MULTICAST_IPV4);
      g_autoptr(GInetAddress) broadcast = g_inet_address_new_from_string (BROADCAST_IPV4);
      g_autoptr(GBytes) search = ps_pppp_build_lan_search (PS_PPPP_MSG_LAN_SEARCH, NULL);

      send_to (self, group, PS_WSD_PORT, (const guint8 *) probe, strlen (probe));
      send_ssdp_searches (self, group);
      send_mdns_query (self, NULL);
      g_autoptr(GBytes) kalay = ps_kalay_build_lan_search (NULL);

      if (kalay != NULL)
        send_to (self, broadcast, PS_KALAY_LAN_PORT, g_bytes_get_data (kalay, NULL),
                 g_bytes_get_size (kalay));
      if (search != NULL)
        send_to (self, broadcast, PS_PPPP_LAN_PORT, g_bytes_get_data (search, NULL),
                 g_bytes_get_size (search));
      send_lan_round6 (self, probe);
    }
}

/* SOAP-over-UDP: repeat twice more, after 50-250 ms, then twice that. */
static gboolean
repeat_cb (gpointer user_data)
{
  PsDiscovery *self = user_data;
  guint delay;

  self->repeat_id = 0;
  send_round (self);

  if (++self->repeats >= 2)
    return G_SOURCE_REMOVE;

  delay = (guint) g_random_int_range (50, 251) << self->repeats;
  self->repeat_id = g_timeout_add (MIN (delay, 500), repeat_cb, self);

  return G_SOURCE_REMOVE;
}

/* IPv6 gets its own socket, for IPv6 targets and the IPv6 LAN; without
 * IPv6 both are skipped. */
static void
open_ipv6 (PsDiscovery *self)
{
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (any, 0);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  gboolean wanted = FALSE;

  if (self->lan)
    {
      _ps_discovery_net_find_interfaces6 (self->interface, self->interfaces6, MAX_INTERFACES6);
      wanted = self->interfaces6->len > 0;
    }
  for (guint i = 0; i < self->targets->len; i++)
    if (g_inet_address_get_family (g_ptr_array_index (self->targets, i)) == G_SOCKET_FAMILY_IPV6)
      wanted = TRUE;
  if (!wanted)
    return;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  if (socket != NULL)
    _ps_discovery_net_set_v6only (socket);
  if (socket == NULL || !g_socket_bind (socket, local, FALSE, &error))
    {
      g_debug ("no IPv6: %s", error->message);
      return;
    }
  g_socket_set_blocking (socket, FALSE);
  _ps_discovery_net_enable_pktinfo (socket);
  if (!g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 2 * 1024 * 1024, NULL))
    g_debug ("could not enlarge the IPv6 receive buffer");
  if (self->lan)
    {
      /* link-local groups never leave the link anyway; one hop says so */
      g_socket_set_multicast_ttl (socket, 1);
      g_socket_set_multicast_loopback (socket, FALSE);
    }

  self->socket6 = g_steal_pointer (&socket);
  self->source6 = g_socket_create_source (self->socket6, G_IO_IN, NULL);
  g_source_set_callback (self->source6, G_SOURCE_FUNC (on_socket_readable), self, NULL);
  g_source_attach (self->source6, g_main_context_get_thread_default ());
}

/* Cameras announce themselves (Hello) when they join the LAN and say Bye
 * when they leave, to 239.255.255.250:3702: hear those between probes.
 * Best effort: another WS-Discovery listener may hold the port. */
static void
listen_for_announcements (PsDiscovery *self)
{
  g_autoptr(GInetAddress) group = g_inet_address_new_from_string (PS_WSD_MULTICAST_IPV4);
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (any, PS_WSD_PORT);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  if (socket == NULL ||
      !g_socket_bind (socket, local, TRUE, &error) ||
      !g_socket_join_multicast_group (socket, group, FALSE, self->interface, &error))
    {
      g_debug ("not listening for WS-Discovery announcements: %s", error->message);
      return;
    }
  g_socket_set_blocking (socket, FALSE);
  _ps_discovery_net_enable_pktinfo (socket);

  self->announcements = g_steal_pointer (&socket);
  self->announcements_source = g_socket_create_source (self->announcements, G_IO_IN, NULL);
  g_source_set_callback (self->announcements_source, G_SOURCE_FUNC (on_socket_readable), self,
                         NULL);
  g_source_attach (self->announcements_source, g_main_context_get_thread_default ());
}

/* The same on [ff02::c]:3702, joined on each IPv6 interface. */
static void
listen_for_announcements6 (PsDiscovery *self)
{
  g_autoptr(GInetAddress) group = g_inet_address_new_from_string (PS_WSD_MULTICAST_IPV6);
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (any, PS_WSD_PORT);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  guint joined = 0;

  if (self->interfaces6->len == 0)
    return;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  if (socket != NULL)
    _ps_discovery_net_set_v6only (socket);
  if (socket == NULL || !g_socket_bind (socket, local, TRUE, &error))
    {
      g_debug ("not listening for IPv6 WS-Discovery announcements: %s", error->message);
      return;
    }

  for (guint i = 0; i < self->interfaces6->len; i++)
    {
#ifdef G_OS_UNIX
      char name[IF_NAMESIZE];

      if (if_indextoname (g_array_index (self->interfaces6, guint, i), name) == NULL)
        continue;
      if (g_socket_join_multicast_group (socket, group, FALSE, name, &error))
        joined++;
      else
        {
          g_debug ("not listening for announcements on %s: %s", name, error->message);
          g_clear_error (&error);
        }
#endif
    }
  if (joined == 0)
    return;

  g_socket_set_blocking (socket, FALSE);
  _ps_discovery_net_enable_pktinfo (socket);

  self->announcements6 = g_steal_pointer (&socket);
  self->announcements6_source = g_socket_create_source (self->announcements6, G_IO_IN, NULL);
  g_source_set_callback (self->announcements6_source, G_SOURCE_FUNC (on_socket_readable), self,
                         NULL);
  g_source_attach (self->announcements6_source, g_main_context_get_thread_default ());
}

gboolean
ps_discovery_start (PsDiscovery  *self,
                    GError      **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (any, 0);

  g_return_val_if_fail (PS_IS_DISCOVERY (self), FALSE);
  g_return_val_if_fail (self->socket == NULL, FALSE);

  if (!self->lan && self->targets->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Nothing to probe: no target and no LAN");
      return FALSE;
    }

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL || !g_socket_bind (socket, local, FALSE, error))
    return FALSE;
  g_socket_set_blocking (socket, FALSE);
  _ps_discovery_net_enable_pktinfo (socket);
  /* answers come all at once (dozens of cameras, several protocols each):
   * room for them, rather than losing some to a full receive buffer */
  if (!g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 2 * 1024 * 1024, NULL))
    g_debug ("could not enlarge the receive buffer");
  if (self->lan)
    {
      g_socket_set_broadcast (socket, TRUE);
      g_socket_set_multicast_ttl (socket, 1);
      g_socket_set_multicast_loopback (socket, FALSE);
      if (self->interface != NULL &&
          !_ps_discovery_net_set_multicast_interface (socket, self->interface, error))
        return FALSE;
    }

  self->buffer = g_malloc (MAX_DATAGRAM);
  if (self->ssdp_session == NULL)
    self->ssdp_session = ps_ssdp_description_session_new ();
  self->ssdp_cancellable = g_cancellable_new ();
  g_hash_table_remove_all (self->ssdp_locations);
  self->socket = g_steal_pointer (&socket);
  self->source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->source, G_SOURCE_FUNC (on_socket_readable), self, NULL);
  g_source_attach (self->source, g_main_context_get_thread_default ());

  open_ipv6 (self);
  if (self->lan)
    {
      listen_for_announcements (self);
      listen_for_announcements6 (self);
    }

  self->repeats = 0;
  send_round (self);
  self->repeat_id = g_timeout_add (g_random_int_range (50, 251), repeat_cb, self);

  return TRUE;
}

void
ps_discovery_probe (PsDiscovery *self)
{
  g_return_if_fail (PS_IS_DISCOVERY (self));
  g_return_if_fail (self->socket != NULL);

  /* each round asks every device anew, SSDP descriptions included */
  g_hash_table_remove_all (self->ssdp_locations);
  g_clear_handle_id (&self->repeat_id, g_source_remove);
  self->repeats = 0;
  send_round (self);
  self->repeat_id = g_timeout_add (g_random_int_range (50, 251), repeat_cb, self);
}

void
ps_discovery_stop (PsDiscovery *self)
{
  g_return_if_fail (PS_IS_DISCOVERY (self));

  g_clear_handle_id (&self->repeat_id, g_source_remove);
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
  if (self->source6 != NULL)
    {
      g_source_destroy (self->source6);
      g_clear_pointer (&self->source6, g_source_unref);
    }
  if (self->socket6 != NULL)
    g_socket_close (self->socket6, NULL);
  g_clear_object (&self->socket6);
  if (self->announcements_source != NULL)
    {
      g_source_destroy (self->announcements_source);
      g_clear_pointer (&self->announcements_source, g_source_unref);
    }
  if (self->announcements != NULL)
    g_socket_close (self->announcements, NULL);
  g_clear_object (&self->announcements);
  if (self->announcements6_source != NULL)
    {
      g_source_destroy (self->announcements6_source);
      g_clear_pointer (&self->announcements6_source, g_source_unref);
    }
  if (self->announcements6 != NULL)
    g_socket_close (self->announcements6, NULL);
  g_clear_object (&self->announcements6);
  g_clear_pointer (&self->buffer, g_free);
  if (self->ssdp_cancellable != NULL)
    g_cancellable_cancel (self->ssdp_cancellable);
  g_clear_object (&self->ssdp_cancellable);
}
