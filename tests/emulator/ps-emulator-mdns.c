/* ps-emulator-mdns.c: the camera's mDNS / DNS-SD responder
 *
 * Answers PTR (or ANY) questions for _rtsp._tcp.local and _onvif._tcp.local
 * with the PTR in the answer section and SRV, TXT and A (AAAA for an IPv6
 * --bind) in the additional section, the way Avahi and Bonjour do, with
 * compression pointers. It reads questions with the viewer's codec but
 * writes its answers with its own writer, so that the two check each other.
 *
 * A query from a port other than 5353 is a legacy unicast query (RFC 6762
 * §6.7): the answer goes back to the sender by unicast, echoes the ID and
 * the questions, has TTL 10 and no cache-flush bits. A query from 5353 on
 * the multicast socket (only with an interface) is answered by multicast
 * from --bind:5353, with TTL 120. The group is 224.0.0.251, or [ff02::fb]
 * for an IPv6 --bind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ps-emulator-mdns.h"
#include "ps-emulator-net.h"
#include "ps-mdns-message.h"

#define MAX_DATAGRAM     9000     /* RFC 6762 §17 */
#define MDNS_PORT        5353
#define MULTICAST_GROUP  "224.0.0.251"
#define MULTICAST_GROUP6 "ff02::fb"
#define LEGACY_TTL       10
#define MULTICAST_TTL    120
#define CACHE_FLUSH      0x8000

typedef enum {
  SERVICE_RTSP  = 1 << 0,
  SERVICE_ONVIF = 1 << 1,
} Services;

static const struct {
  Services    flag;
  const char *type;
  const char *path;
} services[] = {
  { SERVICE_RTSP, "_rtsp._tcp.local", "/main" },
  { SERVICE_ONVIF, "_onvif._tcp.local", "/onvif/device_service" },
};

struct _PsEmulatorMdns
{
  char           *instance;        /* one label, at most 63 bytes */
  char           *host;            /* one label, LDH */
  char           *manufacturer;
  char           *model;
  char           *mac;
  guint           ports[G_N_ELEMENTS (services)];
  GInetAddress   *address;         /* for the A/AAAA record */
  PsEmulatorLog  *log;

  GSocket        *socket;          /* unicast, on --bind */
  GSource        *source;
  guint           port;
  GSocket        *multicast;       /* only with an interface */
  GSource        *multicast_source;
  GSocketAddress *group;
};

/* The writer -------------------------------------------------------------- */

static void
put_u16 (GByteArray *m,
         guint16     v)
{
  guint8 b[2] = { (guint8) (v >> 8), (guint8) v };

  g_byte_array_append (m, b, 2);
}

static void
put_u32 (GByteArray *m,
         guint32     v)
{
  put_u16 (m, (guint16) (v >> 16));
  put_u16 (m, (guint16) v);
}

static void
put_label (GByteArray *m,
           const char *label)
{
  guint8 len = (guint8) MIN (strlen (label), 63);

  g_byte_array_append (m, &len, 1);
  g_byte_array_append (m, (const guint8 *) label, len);
}

static void
put_pointer (GByteArray *m,
             guint       offset)
{
  put_u16 (m, (guint16) (0xc000 | offset));
}

/* Dotted, no escapes; returns its offset */
static guint
put_name (GByteArray *m,
          const char *dotted)
{
  g_auto(GStrv) labels = g_strsplit (dotted, ".", -1);
  guint at = m->len;

  for (guint i = 0; labels[i] != NULL; i++)
    put_label (m, labels[i]);
  g_byte_array_append (m, (const guint8 *) "", 1);

  return at;
}

/* owner already written; returns where rdlength goes */
static guint
put_record_head (GByteArray *m,
                 guint16     type,
                 guint16     klass,
                 guint32     ttl)
{
  guint at;

  put_u16 (m, type);
  put_u16 (m, klass);
  put_u32 (m, ttl);
  at = m->len;
  put_u16 (m, 0);

  return at;
}

static void
end_record (GByteArray *m,
            guint       at)
{
  guint len = m->len - at - 2;

  m->data[at] = (guint8) (len >> 8);
  m->data[at + 1] = (guint8) len;
}

static void
put_txt_string (GByteArray *m,
                const char *key,
                const char *value)
{
  g_autofree char *s = g_strconcat (key, "=", value, NULL);
  guint8 len = (guint8) MIN (strlen (s), 255);

  g_byte_array_append (m, &len, 1);
  g_byte_array_append (m, (const guint8 *) s, len);
}

static GBytes *
build_response (PsEmulatorMdns *self,
                guint16         id,
                GPtrArray      *echo,
                Services        wanted,
                gboolean        legacy)
{
  g_autoptr(GByteArray) m = g_byte_array_new ();
  guint32 ttl = legacy ? LEGACY_TTL : MULTICAST_TTL;
  guint16 flush = legacy ? 0 : CACHE_FLUSH;
  guint instance_at[G_N_ELEMENTS (services)] = { 0 };
  guint host_at = 0, n = 0, at;
  gboolean v4 = g_inet_address_get_family (self->address) == G_SOCKET_FAMILY_IPV4;

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    if (wanted & services[i].flag)
      n++;

  put_u16 (m, legacy ? id : 0);
  put_u16 (m, 0x8400);                  /* QR, AA */
  put_u16 (m, (guint16) (echo != NULL ? echo->len : 0));
  put_u16 (m, (guint16) n);
  put_u16 (m, 0);
  put_u16 (m, (guint16) (2 * n + 1));

  for (guint i = 0; echo != NULL && i < echo->len; i++)
    {
      PsMdnsQuestion *q = g_ptr_array_index (echo, i);

      put_name (m, q->name);
      put_u16 (m, q->type);
      put_u16 (m, (guint16) (q->klass & ~PS_MDNS_CLASS_FLAG));
    }

  /* answers: PTR <type> -> <instance>.<type> (shared: never cache-flush) */
  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      guint type_at;

      if (!(wanted & services[i].flag))
        continue;
      type_at = put_name (m, services[i].type);
      at = put_record_head (m, PS_MDNS_TYPE_PTR, PS_MDNS_CLASS_IN, ttl);
      instance_at[i] = m->len;
      put_label (m, self->instance);
      put_pointer (m, type_at);
      end_record (m, at);
    }

  /* additional: SRV and TXT of each instance, then the host's address */
  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      if (!(wanted & services[i].flag))
        continue;

      put_pointer (m, instance_at[i]);
      at = put_record_head (m, PS_MDNS_TYPE_SRV, PS_MDNS_CLASS_IN | flush, ttl);
      put_u16 (m, 0);
      put_u16 (m, 0);
      put_u16 (m, (guint16) self->ports[i]);
      if (host_at == 0)
        {
          host_at = m->len;
          put_label (m, self->host);
          put_label (m, "local");
          g_byte_array_append (m, (const guint8 *) "", 1);
        }
      else
        put_pointer (m, host_at);
      end_record (m, at);

      put_pointer (m, instance_at[i]);
      at = put_record_head (m, PS_MDNS_TYPE_TXT, PS_MDNS_CLASS_IN | flush, ttl);
      put_txt_string (m, "txtvers", "1");
      put_txt_string (m, "path", services[i].path);
      put_txt_string (m, "mac", self->mac);
      put_txt_string (m, "model", self->model);
      put_txt_string (m, "manufacturer", self->manufacturer);
      end_record (m, at);
    }

  put_pointer (m, host_at);
  at = put_record_head (m, v4 ? PS_MDNS_TYPE_A : PS_MDNS_TYPE_AAAA, PS_MDNS_CLASS_IN | flush,
                        ttl);
  g_byte_array_append (m, g_inet_address_to_bytes (self->address),
                       (guint) g_inet_address_get_native_size (self->address));
  end_record (m, at);

  return g_byte_array_free_to_bytes (g_steal_pointer (&m));
}

/* Queries ----------------------------------------------------------------- */

static Services
wanted_services (GPtrArray *questions)
{
  Services wanted = 0;

  for (guint i = 0; i < questions->len; i++)
    {
      PsMdnsQuestion *q = g_ptr_array_index (questions, i);

      if (q->type != PS_MDNS_TYPE_PTR && q->type != PS_MDNS_TYPE_ANY)
        continue;
      for (guint s = 0; s < G_N_ELEMENTS (services); s++)
        if (g_ascii_strcasecmp (q->name, services[s].type) == 0)
          wanted |= services[s].flag;
    }

  return wanted;
}

static void
handle_datagram (PsEmulatorMdns *self,
                 GSocket        *socket,
                 const guint8   *data,
                 gsize           len,
                 GSocketAddress *from)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) questions = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GBytes) response = NULL;
  gboolean legacy = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from)) != MDNS_PORT;
  GSocketAddress *to;
  Services wanted;
  guint16 id = 0;

  questions = ps_mdns_parse_query (data, len, &id, &error);
  if (questions == NULL)
    {
      g_debug ("mDNS: ignoring a datagram: %s", error->message);
      return;
    }
  wanted = wanted_services (questions);
  if (wanted == 0)
    return;

  /* a multicast answer only where we were asked to multicast */
  if (!legacy && (socket != self->multicast || self->group == NULL))
    return;

  local = g_socket_get_local_address (socket, NULL);
  ps_emulator_log_accept (self->log, "mdns", from, local);

  response = build_response (self, id, legacy ? questions : NULL, wanted, legacy);
  to = legacy ? from : self->group;
  if (g_socket_send_to (self->socket, to, g_bytes_get_data (response, NULL),
                        g_bytes_get_size (response), NULL, &error) < 0)
    g_message ("mDNS: could not send: %s", error->message);
}

static void
on_datagram (gpointer        user_data,
             GSocket        *socket,
             const guint8   *data,
             gsize           len,
             GSocketAddress *from)
{
  handle_datagram (user_data, socket, data, len, from);
}

static GSource *
watch (PsEmulatorMdns *self,
       GSocket        *socket)
{
  return ps_emulator_net_watch (socket, MAX_DATAGRAM, "mDNS", on_datagram, self);
}

/* Setup ------------------------------------------------------------------- */

static gboolean
join_multicast (PsEmulatorMdns  *self,
                const char      *interface,
                GError         **error)
{
  /* answers leave from the unicast socket, so that they come from --bind:5353;
   * TTL 255 per RFC 6762 §11 */
  self->multicast = ps_emulator_net_join_group (self->address, MULTICAST_GROUP,
                                                MULTICAST_GROUP6, MDNS_PORT,
                                                interface, self->socket, 255,
                                                &self->group, error);
  if (self->multicast == NULL)
    return FALSE;

  self->multicast_source = watch (self, self->multicast);

  return TRUE;
}

/* "Porch 1/2" -> "porch-1-2": a host label of letters, digits and '-'. */
static char *
host_label (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name; *p != '\0' && out->len < 40; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (out, g_ascii_tolower (*p));
      else if (out->len > 0 && out->str[out->len - 1] != '-')
        g_string_append_c (out, '-');
    }
  while (out->len > 0 && out->str[out->len - 1] == '-')
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    g_string_append (out, "camera");

  return g_string_free (out, FALSE);
}

/* At most 63 bytes, cut between characters. */
static char *
instance_label (const char *name)
{
  const char *end = name;

  while (*end != '\0')
    {
      const char *next = g_utf8_next_char (end);

      if (next - name > 63)
        break;
      end = next;
    }

  return g_strndup (name, (gsize) (end - name));
}

PsEmulatorMdns *
ps_emulator_mdns_new (const PsEmulatorMdnsDevice  *device,
                      GInetAddress                *address,
                      guint                        port,
                      const char                  *multicast_interface,
                      PsEmulatorLog               *log,
                      GError                     **error)
{
  PsEmulatorMdns *self;
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  GSocketFamily family;
  int on = 1;

  g_return_val_if_fail (device != NULL && device->name != NULL, NULL);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);

  family = g_inet_address_get_family (address);
  self = g_new0 (PsEmulatorMdns, 1);
  self->instance = instance_label (device->name);
  self->host = host_label (device->name);
  self->manufacturer = g_strdup (device->manufacturer);
  self->model = g_strdup (device->model);
  self->mac = g_strdup (device->mac);
  self->ports[0] = device->rtsp_port;
  self->ports[1] = device->onvif_port;
  self->address = g_inet_address_get_is_any (address) ? g_inet_address_new_loopback (family)
                                                      : g_object_ref (address);
  self->log = log;

  self->socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  if (self->socket == NULL)
    goto failed;
  g_socket_set_blocking (self->socket, FALSE);
  /* SO_REUSEADDR (RFC 6762 §15.1), which Avahi sets too: a system
   * responder on *:5353 does not keep us off our own address. Two
   * emulators on one --bind would share the port: give each its own. */
  if (setsockopt (g_socket_get_fd (self->socket), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0)
    g_debug ("mDNS: SO_REUSEADDR: %s", g_strerror (errno));
  bind_address = g_inet_socket_address_new (address, (guint16) port);
  if (!g_socket_bind (self->socket, bind_address, FALSE, error))
    goto failed;
  bound = g_socket_get_local_address (self->socket, error);
  if (bound == NULL)
    goto failed;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  self->source = watch (self, self->socket);

  if (multicast_interface != NULL && !join_multicast (self, multicast_interface, error))
    goto failed;

  return self;

failed:
  ps_emulator_mdns_free (self);
  return NULL;
}

guint
ps_emulator_mdns_get_port (PsEmulatorMdns *self)
{
  return self->port;
}

void
ps_emulator_mdns_free (PsEmulatorMdns *self)
{
  if (self == NULL)
    return;

  if (self->source != NULL)
    g_source_destroy (self->source);
  g_clear_pointer (&self->source, g_source_unref);
  if (self->multicast_source != NULL)
    g_source_destroy (self->multicast_source);
  g_clear_pointer (&self->multicast_source, g_source_unref);
  g_clear_object (&self->socket);
  g_clear_object (&self->multicast);
  g_clear_object (&self->group);
  g_clear_object (&self->address);
  g_free (self->instance);
  g_free (self->host);
  g_free (self->manufacturer);
  g_free (self->model);
  g_free (self->mac);
  g_free (self);
}
