/* ps-emulator-ssdp.c: the camera's SSDP (UPnP discovery) responder
 *
 * Answers M-SEARCH for ssdp:all, upnp:rootdevice, its device type or its
 * UDN with one unicast 200 OK, like a Hikvision. It reads searches with its
 * own few lines, not with the viewer's SSDP parser, so that the two check
 * each other. Multicast (join, NOTIFY) happens only on the interface it is
 * given: to 239.255.255.250, or for an IPv6 --bind to [ff02::c].
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ps-emulator-net.h"
#include "ps-emulator-ssdp.h"

#define MAX_DATAGRAM     (8 * 1024)
#define MULTICAST_GROUP  "239.255.255.250"
#define MULTICAST_GROUP6 "ff02::c"
#define SSDP_PORT        1900
#define DEVICE_TYPE      "urn:schemas-upnp-org:device:Basic:1"
#define SERVER           "Linux/4.9, UPnP/1.0, Peerscope Emulator/1.0"

struct _PsEmulatorSsdp
{
  char           *udn;
  char           *location;
  gboolean        ipv6;
  PsEmulatorLog  *log;

  GSocket        *socket;          /* unicast, on --bind */
  GSource        *source;
  guint           port;
  GSocketAddress *local;
  GSocket        *multicast;       /* only with an interface */
  GSource        *multicast_source;
  GSocketAddress *group;
};

/* The same name-based UUID as ps-emulator-wsd.c's endpoint. */
char *
ps_emulator_ssdp_udn_from_mac (const char *mac)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 d[20];
  gsize len = sizeof d;

  g_checksum_update (checksum, (const guchar *) "peerscope-camera-emulator:", -1);
  g_checksum_update (checksum, (const guchar *) mac, -1);
  g_checksum_get_digest (checksum, d, &len);
  d[6] = (guint8) ((d[6] & 0x0f) | 0x50);
  d[8] = (guint8) ((d[8] & 0x3f) | 0x80);

  return g_strdup_printf ("uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9],
                          d[10], d[11], d[12], d[13], d[14], d[15]);
}

static void
append_element (GString    *out,
                const char *tag,
                const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;
  escaped = g_markup_escape_text (value, -1);
  g_string_append_printf (out, "<%s>%s</%s>\n", tag, escaped, tag);
}

GBytes *
ps_emulator_ssdp_build_description (const PsEmulatorSsdpDevice *device)
{
  g_autofree char *udn = ps_emulator_ssdp_udn_from_mac (device->mac);
  GString *out = g_string_new (NULL);

  g_string_append (out,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<root xmlns=\"urn:schemas-upnp-org:device-1-0\">\n"
                   "<specVersion><major>1</major><minor>0</minor></specVersion>\n"
                   "<device>\n"
                   "<deviceType>" DEVICE_TYPE "</deviceType>\n");
  append_element (out, "friendlyName", device->name);
  append_element (out, "manufacturer", device->manufacturer);
  append_element (out, "modelDescription", "IP Camera");
  append_element (out, "modelName", device->model);
  append_element (out, "modelNumber", device->model);
  append_element (out, "serialNumber", device->serial);
  append_element (out, "UDN", udn);
  append_element (out, "presentationURL", device->presentation);
  g_string_append (out, "<serviceList></serviceList>\n</device>\n</root>\n");

  return g_string_free_to_bytes (out);
}

static GBytes *
build_message (PsEmulatorSsdp *self,
               const char     *start_line,
               const char     *target,
               const char     *nts)
{
  g_autofree char *usn = NULL;
  GString *out = g_string_new (start_line);

  usn = g_str_has_prefix (target, "uuid:") ? g_strdup (self->udn)
                                           : g_strconcat (self->udn, "::", target, NULL);
  g_string_append (out, "\r\nCACHE-CONTROL: max-age=1800\r\n");
  if (nts == NULL)
    g_string_append (out, "EXT:\r\n");
  else if (self->ipv6)
    g_string_append (out, "HOST: [FF02::C]:1900\r\n");
  else
    g_string_append (out, "HOST: " MULTICAST_GROUP ":1900\r\n");
  if (nts == NULL || strcmp (nts, "ssdp:alive") == 0)
    g_string_append_printf (out, "LOCATION: %s\r\nSERVER: " SERVER "\r\n", self->location);
  g_string_append_printf (out, "%s: %s\r\n", nts == NULL ? "ST" : "NT", target);
  if (nts != NULL)
    g_string_append_printf (out, "NTS: %s\r\n", nts);
  g_string_append_printf (out, "USN: %s\r\n\r\n", usn);

  return g_string_free_to_bytes (out);
}

static void
send_to (PsEmulatorSsdp *self,
         GSocketAddress *to,
         GBytes         *message)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  if (g_socket_send_to (self->socket, to, data, len, NULL, &error) < 0)
    g_message ("SSDP: could not send: %s", error->message);
}

/* The value of header name in an M-SEARCH, or NULL. */
static char *
header_value (char       **lines,
              const char  *name)
{
  gsize name_len = strlen (name);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_ascii_strncasecmp (line, name, name_len) == 0 && line[name_len] == ':')
        return g_strstrip (g_strdup (line + name_len + 1));
    }

  return NULL;
}

static void
handle_datagram (PsEmulatorSsdp *self,
                 const char     *data,
                 gsize           len,
                 GSocketAddress *from)
{
  g_autofree char *text = g_strndup (data, len);
  g_auto(GStrv) lines = NULL;
  g_autofree char *man = NULL;
  g_autofree char *st = NULL;
  g_autoptr(GBytes) reply = NULL;

  if (!g_str_has_prefix (text, "M-SEARCH * HTTP/1.1\r\n"))
    return;

  lines = g_strsplit (text, "\r\n", 64);
  man = header_value (lines, "MAN");
  st = header_value (lines, "ST");
  if (g_strcmp0 (man, "\"ssdp:discover\"") != 0 || st == NULL)
    return;

  if (strcmp (st, "ssdp:all") == 0)
    {
      g_free (st);
      st = g_strdup ("upnp:rootdevice");
    }
  else if (strcmp (st, "upnp:rootdevice") != 0 && strcmp (st, DEVICE_TYPE) != 0 &&
           g_ascii_strcasecmp (st, self->udn) != 0)
    return;

  ps_emulator_log_accept (self->log, "ssdp", from, self->local);
  reply = build_message (self, "HTTP/1.1 200 OK", st, NULL);
  send_to (self, from, reply);
}

static void
on_datagram (gpointer        user_data,
             GSocket        *socket,
             const guint8   *data,
             gsize           len,
             GSocketAddress *from)
{
  handle_datagram (user_data, (const char *) data, len, from);
}

static GSource *
watch (PsEmulatorSsdp *self,
       GSocket        *socket)
{
  return ps_emulator_net_watch (socket, MAX_DATAGRAM, "SSDP", on_datagram, self);
}

static gboolean
join_multicast (PsEmulatorSsdp  *self,
                GInetAddress    *address,
                const char      *interface,
                GError         **error)
{
  /* answers and NOTIFY leave from the unicast socket, so that they come from --bind:port */
  self->multicast = ps_emulator_net_join_group (address, MULTICAST_GROUP, MULTICAST_GROUP6,
                                                SSDP_PORT, interface,
                                                self->socket, 1,
                                                &self->group, error);
  if (self->multicast == NULL)
    return FALSE;

  self->multicast_source = watch (self, self->multicast);

  return TRUE;
}

static void
notify (PsEmulatorSsdp *self,
        const char     *nts)
{
  const char *targets[] = { "upnp:rootdevice", self->udn, DEVICE_TYPE };

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(GBytes) message = build_message (self, "NOTIFY * HTTP/1.1", targets[i], nts);

      send_to (self, self->group, message);
    }
}

PsEmulatorSsdp *
ps_emulator_ssdp_new (const PsEmulatorSsdpDevice  *device,
                      GInetAddress                *address,
                      guint                        port,
                      const char                  *multicast_interface,
                      PsEmulatorLog               *log,
                      GError                     **error)
{
  PsEmulatorSsdp *self;
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  g_return_val_if_fail (device != NULL && device->location != NULL && device->mac != NULL,
                        NULL);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);

  self = g_new0 (PsEmulatorSsdp, 1);
  self->udn = ps_emulator_ssdp_udn_from_mac (device->mac);
  self->location = g_strdup (device->location);
  self->ipv6 = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;
  self->log = log;

  self->socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_DATAGRAM,
                               G_SOCKET_PROTOCOL_UDP, error);
  if (self->socket == NULL)
    goto failed;
  g_socket_set_blocking (self->socket, FALSE);
  bind_address = g_inet_socket_address_new (address, (guint16) port);
  if (!g_socket_bind (self->socket, bind_address, FALSE, error))
    goto failed;
  bound = g_socket_get_local_address (self->socket, error);
  if (bound == NULL)
    goto failed;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  self->local = g_object_ref (bound);
  self->source = watch (self, self->socket);

  if (multicast_interface != NULL)
    {
      if (!join_multicast (self, address, multicast_interface, error))
        goto failed;
      notify (self, "ssdp:alive");
    }

  return self;

failed:
  ps_emulator_ssdp_free (self);
  return NULL;
}

guint
ps_emulator_ssdp_get_port (PsEmulatorSsdp *self)
{
  return self->port;
}

void
ps_emulator_ssdp_free (PsEmulatorSsdp *self)
{
  if (self == NULL)
    return;

  if (self->group != NULL)
    notify (self, "ssdp:byebye");

  if (self->source != NULL)
    g_source_destroy (self->source);
  g_clear_pointer (&self->source, g_source_unref);
  if (self->multicast_source != NULL)
    g_source_destroy (self->multicast_source);
  g_clear_pointer (&self->multicast_source, g_source_unref);
  g_clear_object (&self->socket);
  g_clear_object (&self->multicast);
  g_clear_object (&self->group);
  g_clear_object (&self->local);
  g_free (self->location);
  g_free (self->udn);
  g_free (self);
}
