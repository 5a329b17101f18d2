/* ps-emulator-wsd.c: the camera's WS-Discovery target service
 *
 * Answers Probes for dn:NetworkVideoTransmitter (or for anything) with a
 * unicast ProbeMatches after a random delay up to APP_MAX_DELAY, once per
 * MessageID, like the cameras in the field. It parses probes with ps-xml
 * only, not with the viewer's WS-Discovery parser, so that the two check
 * each other. Multicast (join, Hello, Bye) happens only on the interface
 * it is given: to 239.255.255.250, or for an IPv6 --bind to [ff02::c].
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
#include "ps-emulator-wsd.h"
#include "ps-xml.h"

#define MAX_DATAGRAM     (64 * 1024)
#define MAX_REMEMBERED   256
#define MAX_ID_LEN       256
#define MULTICAST_GROUP  "239.255.255.250"
#define MULTICAST_GROUP6 "ff02::c"
#define WSD_PORT         3702
#define NS_DISCOVERY     "http://schemas.xmlsoap.org/ws/2005/04/discovery"
#define NS_ADDRESSING    "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define TO_ANONYMOUS     NS_ADDRESSING "/role/anonymous"
#define TO_DISCOVERY     "urn:schemas-xmlsoap-org:ws:2005:04:discovery"

struct _PsEmulatorWsd
{
  char           *endpoint;
  char           *xaddr;
  char          **scopes;
  guint           max_delay_ms;
  PsEmulatorLog  *log;

  GSocket        *socket;          /* unicast, on --bind */
  GSource        *source;
  guint           port;
  GSocket        *multicast;       /* only with an interface */
  GSource        *multicast_source;
  GSocketAddress *group;

  guint           instance_id;
  guint           message_number;
  GHashTable     *seen;            /* MessageIDs answered */
  GQueue          seen_order;
  GPtrArray      *pending;         /* Reply */
};

typedef struct
{
  PsEmulatorWsd  *self;
  GSocketAddress *to;
  GBytes         *message;
  guint           timeout_id;
} Reply;

static void
reply_free (Reply *reply)
{
  g_clear_handle_id (&reply->timeout_id, g_source_remove);
  g_clear_object (&reply->to);
  g_clear_pointer (&reply->message, g_bytes_unref);
  g_free (reply);
}

/* A name-based (version 5 style) UUID, stable for a MAC. */
static char *
endpoint_from_mac (const char *mac)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 d[20];
  gsize len = sizeof d;

  g_checksum_update (checksum, (const guchar *) "peerscope-camera-emulator:", -1);
  g_checksum_update (checksum, (const guchar *) mac, -1);
  g_checksum_get_digest (checksum, d, &len);
  d[6] = (guint8) ((d[6] & 0x0f) | 0x50);
  d[8] = (guint8) ((d[8] & 0x3f) | 0x80);

  return g_strdup_printf ("urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9],
                          d[10], d[11], d[12], d[13], d[14], d[15]);
}

static char *
scope (const char *key,
       const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  return g_strconcat ("onvif://www.onvif.org/", key, "/", escaped, NULL);
}

static char **
build_scopes (const PsEmulatorWsdDevice *device)
{
  GPtrArray *scopes = g_ptr_array_new ();

  g_ptr_array_add (scopes, g_strdup ("onvif://www.onvif.org/type/video_encoder"));
  g_ptr_array_add (scopes, g_strdup ("onvif://www.onvif.org/Profile/Streaming"));
  g_ptr_array_add (scopes, scope ("name", device->name));
  g_ptr_array_add (scopes, scope ("hardware", device->model));
  g_ptr_array_add (scopes, scope ("location",
                                  device->location != NULL ? device->location : "lab"));
  g_ptr_array_add (scopes, scope ("mac", device->mac));
  g_ptr_array_add (scopes, NULL);

  return (char **) g_ptr_array_free (scopes, FALSE);
}

/* ProbeMatches (relates_to set), Hello or Bye, with the prefixes a
 * Hikvision uses, not the ones the viewer writes. */
static GBytes *
build_message (PsEmulatorWsd *self,
               const char    *action,
               const char    *relates_to)
{
  g_autofree char *message_id = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *scopes = g_strjoinv (" ", self->scopes);
  g_autofree char *scopes_xml = g_markup_escape_text (scopes, -1);
  g_autofree char *xaddr_xml = g_markup_escape_text (self->xaddr, -1);
  gboolean bye = strcmp (action, "Bye") == 0;
  gboolean match = relates_to != NULL;
  GString *out = g_string_new (NULL);

  message_id = g_strconcat ("urn:uuid:", uuid, NULL);
  g_string_append_printf (out,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<SOAP-ENV:Envelope"
                          " xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\""
                          " xmlns:wsa=\"" NS_ADDRESSING "\""
                          " xmlns:wsdd=\"" NS_DISCOVERY "\""
                          " xmlns:tdn=\"http://www.onvif.org/ver10/network/wsdl\""
                          " xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">"
                          "<SOAP-ENV:Header><wsa:MessageID>%s</wsa:MessageID>", message_id);
  if (match)
    {
      g_autofree char *escaped = g_markup_escape_text (relates_to, -1);

      g_string_append_printf (out, "<wsa:RelatesTo>%s</wsa:RelatesTo>", escaped);
    }
  g_string_append_printf (out,
                          "<wsa:To SOAP-ENV:mustUnderstand=\"true\">%s</wsa:To>"
                          "<wsa:Action SOAP-ENV:mustUnderstand=\"true\">"
                          NS_DISCOVERY "/%s</wsa:Action>"
                          "<wsdd:AppSequence SOAP-ENV:mustUnderstand=\"true\""
                          " InstanceId=\"%u\" MessageNumber=\"%u\"/>"
                          "</SOAP-ENV:Header><SOAP-ENV:Body>",
                          match ? TO_ANONYMOUS : TO_DISCOVERY, action,
                          self->instance_id, ++self->message_number);
  g_string_append_printf (out, match ? "<wsdd:ProbeMatches><wsdd:ProbeMatch>" : "<wsdd:%s>",
                          action);
  g_string_append_printf (out,
                          "<wsa:EndpointReference><wsa:Address>%s</wsa:Address>"
                          "</wsa:EndpointReference>", self->endpoint);
  if (!bye)
    g_string_append_printf (out,
                            "<wsdd:Types>tdn:NetworkVideoTransmitter tds:Device</wsdd:Types>"
                            "<wsdd:Scopes>%s</wsdd:Scopes>"
                            "<wsdd:XAddrs>%s</wsdd:XAddrs>"
                            "<wsdd:MetadataVersion>1</wsdd:MetadataVersion>",
                            scopes_xml, xaddr_xml);
  g_string_append_printf (out, match ? "</wsdd:ProbeMatch></wsdd:ProbeMatches>" : "</wsdd:%s>",
                          action);
  g_string_append (out, "</SOAP-ENV:Body></SOAP-ENV:Envelope>\n");

  return g_string_free_to_bytes (out);
}

static gboolean
wants_video_transmitter (const char *types)
{
  g_auto(GStrv) tokens = NULL;

  if (types == NULL || *types == '\0')
    return TRUE;

  tokens = g_strsplit_set (types, " \t\r\n", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      const char *colon = strrchr (tokens[i], ':');
      const char *local = colon != NULL ? colon + 1 : tokens[i];

      if (strcmp (local, "NetworkVideoTransmitter") == 0)
        return TRUE;
    }

  return FALSE;
}

/* WS-Discovery's default rule (RFC 3986 prefix, by path segment): every
 * scope of the probe must match one of ours. */
static gboolean
scopes_match (PsEmulatorWsd *self,
              const char    *wanted)
{
  g_auto(GStrv) tokens = NULL;

  if (wanted == NULL)
    return TRUE;

  tokens = g_strsplit_set (wanted, " \t\r\n", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      gsize len = strlen (tokens[i]);
      gboolean found = FALSE;

      if (len == 0)
        continue;
      for (guint j = 0; self->scopes[j] != NULL && !found; j++)
        found = g_ascii_strncasecmp (self->scopes[j], tokens[i], len) == 0 &&
                (self->scopes[j][len] == '\0' || self->scopes[j][len] == '/' ||
                 tokens[i][len - 1] == '/');
      if (!found)
        return FALSE;
    }

  return TRUE;
}

static void
send_to (PsEmulatorWsd  *self,
         GSocket        *socket,
         GSocketAddress *to,
         GBytes         *message)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  if (g_socket_send_to (socket, to, data, len, NULL, &error) < 0)
    g_message ("WS-Discovery: could not send: %s", error->message);
}

static gboolean
on_reply_timeout_cb (gpointer user_data)
{
  Reply *reply = user_data;
  PsEmulatorWsd *self = reply->self;

  reply->timeout_id = 0;
  send_to (self, self->socket, reply->to, reply->message);
  g_ptr_array_remove_fast (self->pending, reply);

  return G_SOURCE_REMOVE;
}

/* TRUE the first time a MessageID is seen. */
static gboolean
remember (PsEmulatorWsd *self,
          const char    *message_id)
{
  char *copy;

  if (g_hash_table_contains (self->seen, message_id))
    return FALSE;

  if (self->seen_order.length >= MAX_REMEMBERED)
    g_hash_table_remove (self->seen, g_queue_pop_head (&self->seen_order));
  copy = g_strdup (message_id);
  g_hash_table_add (self->seen, copy);
  g_queue_push_tail (&self->seen_order, copy);

  return TRUE;
}

static void
handle_datagram (PsEmulatorWsd  *self,
                 GSocket        *socket,
                 const char     *data,
                 gsize           len,
                 GSocketAddress *from)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *types = NULL;
  g_autofree char *wanted_scopes = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  xmlNode *body, *probe = NULL;
  Reply *reply;

  doc = ps_xml_parse (data, len, &error);
  if (doc == NULL || (body = ps_xml_soap_body (doc, &error)) == NULL)
    {
      g_debug ("WS-Discovery: ignoring a datagram: %s", error->message);
      return;
    }

  for (xmlNode *n = body->children; n != NULL && probe == NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE)
      probe = n;
  if (probe == NULL || strcmp ((const char *) probe->name, "Probe") != 0)
    {
      g_debug ("WS-Discovery: ignoring a %s message",
               probe != NULL ? (const char *) probe->name : "empty");
      return;
    }

  message_id = ps_xml_text (ps_xml_find_child (ps_xml_find_child (xmlDocGetRootElement (doc),
                                                                  "Header"),
                                               "MessageID"));
  if (message_id == NULL || *message_id == '\0' || strlen (message_id) > MAX_ID_LEN ||
      !g_utf8_validate (message_id, -1, NULL))
    {
      g_debug ("WS-Discovery: ignoring a probe without a usable MessageID");
      return;
    }

  types = ps_xml_text (ps_xml_find_child (probe, "Types"));
  wanted_scopes = ps_xml_text (ps_xml_find_child (probe, "Scopes"));
  if (!wants_video_transmitter (types) || !scopes_match (self, wanted_scopes))
    {
      g_debug ("WS-Discovery: probe %s is not for us", message_id);
      return;
    }

  if (!remember (self, message_id))
    {
      g_debug ("WS-Discovery: probe %s already answered", message_id);
      return;
    }

  local = g_socket_get_local_address (socket, NULL);
  ps_emulator_log_accept (self->log, "ws-discovery", from, local);

  reply = g_new0 (Reply, 1);
  reply->self = self;
  reply->to = g_object_ref (from);
  reply->message = build_message (self, "ProbeMatches", message_id);
  reply->timeout_id = g_timeout_add (self->max_delay_ms > 0
                                     ? (guint) g_random_int_range (0, self->max_delay_ms + 1)
                                     : 0,
                                     on_reply_timeout_cb, reply);
  g_ptr_array_add (self->pending, reply);
}

static void
on_datagram (gpointer        user_data,
             GSocket        *socket,
             const guint8   *data,
             gsize           len,
             GSocketAddress *from)
{
  handle_datagram (user_data, socket, (const char *) data, len, from);
}

static GSource *
watch (PsEmulatorWsd *self,
       GSocket       *socket)
{
  return ps_emulator_net_watch (socket, MAX_DATAGRAM, "WS-Discovery", on_datagram, self);
}

static gboolean
join_multicast (PsEmulatorWsd  *self,
                GInetAddress   *address,
                const char     *interface,
                GError        **error)
{
  /* Hello and Bye leave from the unicast socket, so that they come from --bind:port */
  self->multicast = ps_emulator_net_join_group (address, MULTICAST_GROUP, MULTICAST_GROUP6,
                                                WSD_PORT, interface,
                                                self->socket, 1,
                                                &self->group, error);
  if (self->multicast == NULL)
    return FALSE;

  self->multicast_source = watch (self, self->multicast);

  return TRUE;
}

PsEmulatorWsd *
ps_emulator_wsd_new (const PsEmulatorWsdDevice  *device,
                     GInetAddress               *address,
                     guint                       port,
                     guint                       max_delay_ms,
                     const char                 *multicast_interface,
                     PsEmulatorLog              *log,
                     GError                    **error)
{
  PsEmulatorWsd *self;
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  g_return_val_if_fail (device != NULL && device->xaddr != NULL, NULL);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);

  self = g_new0 (PsEmulatorWsd, 1);
  self->endpoint = endpoint_from_mac (device->mac);
  self->xaddr = g_strdup (device->xaddr);
  self->scopes = build_scopes (device);
  self->max_delay_ms = max_delay_ms;
  self->log = log;
  self->instance_id = (guint) (g_get_real_time () / G_USEC_PER_SEC);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->seen_order);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) reply_free);

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
  self->source = watch (self, self->socket);

  if (multicast_interface != NULL)
    {
      g_autoptr(GBytes) hello = NULL;

      if (!join_multicast (self, address, multicast_interface, error))
        goto failed;
      hello = build_message (self, "Hello", NULL);
      send_to (self, self->socket, self->group, hello);
    }

  return self;

failed:
  ps_emulator_wsd_free (self);
  return NULL;
}

guint
ps_emulator_wsd_get_port (PsEmulatorWsd *self)
{
  return self->port;
}

const char *
ps_emulator_wsd_get_endpoint (PsEmulatorWsd *self)
{
  return self->endpoint;
}

void
ps_emulator_wsd_free (PsEmulatorWsd *self)
{
  if (self == NULL)
    return;

  if (self->group != NULL)
    {
      g_autoptr(GBytes) bye = build_message (self, "Bye", NULL);

      send_to (self, self->socket, self->group, bye);
    }

  g_clear_pointer (&self->pending, g_ptr_array_unref);
  if (self->source != NULL)
    g_source_destroy (self->source);
  g_clear_pointer (&self->source, g_source_unref);
  if (self->multicast_source != NULL)
    g_source_destroy (self->multicast_source);
  g_clear_pointer (&self->multicast_source, g_source_unref);
  g_clear_object (&self->socket);
  g_clear_object (&self->multicast);
  g_clear_object (&self->group);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_queue_clear (&self->seen_order);
  g_strfreev (self->scopes);
  g_free (self->xaddr);
  g_free (self->endpoint);
  g_free (self);
}
