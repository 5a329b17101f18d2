/* ps-emulator-onvif.c: ONVIF device and media services over HTTP, and the
 * JPEG snapshot
 *
 * Requests are untrusted: bodies are capped while they are read, parsed
 * with ps_xml_parse() (no DTD, no entities, no network) and every string
 * that goes back into XML is escaped. Anything unexpected gets a SOAP 1.2
 * fault, never a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <string.h>
#include <libsoup/soup.h>

#include "ps-emulator-net.h"
#include "ps-emulator-onvif.h"
#include "ps-wsse.h"
#include "ps-xml.h"

#define MAX_BODY_SIZE   (64 * 1024)
#define DEVICE_PATH     "/onvif/device_service"
#define MEDIA_PATH      "/onvif/media_service"
#define SNAPSHOT_PATH   "/snapshot.jpg"
#define DESCRIPTION_PATH "/description.xml"
#define SOAP_TYPE       "application/soap+xml; charset=utf-8"
#define BODY_KEY        "ps-emulator-body"
#define LOGGED_KEY      "ps-emulator-logged"
#define NS_DEVICE       "http://www.onvif.org/ver10/device/wsdl"
#define NS_MEDIA        "http://www.onvif.org/ver10/media/wsdl"
#define PASSWORD_TEXT   "#PasswordText"

#define ENVELOPE_HEAD \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"" \
  " xmlns:tds=\"" NS_DEVICE "\"" \
  " xmlns:trt=\"" NS_MEDIA "\"" \
  " xmlns:tt=\"http://www.onvif.org/ver10/schema\"" \
  " xmlns:ter=\"http://www.onvif.org/ver10/error\">" \
  "<s:Body>"
#define ENVELOPE_TAIL "</s:Body></s:Envelope>\n"

struct _PsEmulatorOnvif
{
  PsEmulatorDevice  device;
  GInetAddress     *address;
  guint             rtsp_port;
  guint             port;
  PsEmulatorStream *main_stream;
  PsEmulatorStream *sub_stream;
  PsEmulatorLog    *log;        /* unowned */
  SoupServer       *server;
  GBytes           *description;  /* UPnP, for SSDP; or NULL */
};

typedef struct
{
  guint       status;
  const char *code;
  const char *subcode;
  const char *subsubcode;
  const char *reason;
} Fault;

static const Fault fault_not_authorized =
  { SOUP_STATUS_BAD_REQUEST, "s:Sender", "ter:NotAuthorized", NULL, "Sender not authorized" };
static const Fault fault_well_formed =
  { SOUP_STATUS_BAD_REQUEST, "s:Sender", "ter:WellFormed", NULL, "Well-formed Error" };
static const Fault fault_too_large =
  { SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "s:Sender", "ter:WellFormed", NULL,
    "Request body too large" };
static const Fault fault_action_not_supported =
  { SOUP_STATUS_INTERNAL_SERVER_ERROR, "s:Receiver", "ter:ActionNotSupported", NULL,
    "Optional Action Not Implemented" };
static const Fault fault_no_profile =
  { SOUP_STATUS_BAD_REQUEST, "s:Sender", "ter:InvalidArgVal", "ter:NoProfile",
    "The requested profile token does not exist" };

typedef struct
{
  GByteArray *data;
  gsize       total;
} Body;

typedef struct
{
  PsEmulatorOnvif   *self;
  SoupServerMessage *msg;
  xmlNode           *action;
  GInetAddress      *local;     /* the address the client reached us on */
} Request;

typedef const Fault *(*ActionFunc) (Request *request,
                                    GString *out);

/* Helpers */

static void
body_free (gpointer data)
{
  Body *body = data;

  g_byte_array_unref (body->data);
  g_free (body);
}

static void
append_text_element (GString    *out,
                     const char *tag,
                     const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append_printf (out, "<%s>%s</%s>", tag, escaped, tag);
}

static char *
request_url (Request    *request,
             const char *scheme,
             guint       port,
             const char *path)
{
  return ps_emulator_net_url (scheme, request->local, port, path);
}

static void
send_envelope (SoupServerMessage *msg,
               guint              status,
               const char        *body)
{
  char *xml = g_strconcat (ENVELOPE_HEAD, body, ENVELOPE_TAIL, NULL);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, SOAP_TYPE, SOUP_MEMORY_TAKE, xml, strlen (xml));
}

static void
send_fault (SoupServerMessage *msg,
            const Fault       *fault)
{
  g_autoptr(GString) out = g_string_new ("<s:Fault><s:Code>");
  g_autofree char *reason = g_markup_escape_text (fault->reason, -1);

  g_string_append_printf (out, "<s:Value>%s</s:Value>", fault->code);
  if (fault->subcode != NULL)
    {
      g_string_append_printf (out, "<s:Subcode><s:Value>%s</s:Value>", fault->subcode);
      if (fault->subsubcode != NULL)
        g_string_append_printf (out, "<s:Subcode><s:Value>%s</s:Value></s:Subcode>",
                                fault->subsubcode);
      g_string_append (out, "</s:Subcode>");
    }
  g_string_append_printf (out,
                          "</s:Code><s:Reason><s:Text xml:lang=\"en\">%s</s:Text></s:Reason>"
                          "</s:Fault>",
                          reason);

  send_envelope (msg, fault->status, out->str);
}

static PsEmulatorStream *
lookup_profile (Request *request)
{
  PsEmulatorOnvif *self = request->self;
  g_autofree char *token = ps_xml_find_text (request->action, "ProfileToken");

  if (g_strcmp0 (token, ps_emulator_stream_get_id (self->main_stream)) == 0)
    return self->main_stream;
  if (g_strcmp0 (token, ps_emulator_stream_get_id (self->sub_stream)) == 0)
    return self->sub_stream;

  return NULL;
}

/* WS-UsernameToken in the SOAP Header: PasswordDigest, or PasswordText when
 * the Type says so. */
static gboolean
check_credentials (PsEmulatorOnvif *self,
                   xmlDoc          *doc)
{
  xmlNode *header = ps_xml_find_child (xmlDocGetRootElement (doc), "Header");
  xmlNode *token = ps_xml_find (header, "UsernameToken");
  xmlNode *password_node = ps_xml_find (token, "Password");
  g_autofree char *username = ps_xml_find_text (token, "Username");
  g_autofree char *password = ps_xml_text (password_node);
  g_autofree char *type = ps_xml_attr (password_node, "Type");
  g_autofree char *nonce = NULL;
  g_autofree char *created = NULL;

  if (token == NULL || username == NULL || password == NULL)
    return FALSE;

  if (type != NULL && g_str_has_suffix (type, PASSWORD_TEXT))
    return g_str_equal (username, self->device.user) &&
           g_str_equal (password, self->device.password);

  nonce = ps_xml_find_text (token, "Nonce");
  created = ps_xml_find_text (token, "Created");

  return ps_wsse_verify (self->device.user, self->device.password,
                         username, password, nonce, created);
}

/* Device service */

static const Fault *
get_system_date_and_time (Request *request,
                          GString *out)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_string_append_printf (out,
                          "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
                          "<tt:DateTimeType>NTP</tt:DateTimeType>"
                          "<tt:DaylightSavings>false</tt:DaylightSavings>"
                          "<tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone>"
                          "<tt:UTCDateTime>"
                          "<tt:Time><tt:Hour>%d</tt:Hour><tt:Minute>%d</tt:Minute>"
                          "<tt:Second>%d</tt:Second></tt:Time>"
                          "<tt:Date><tt:Year>%d</tt:Year><tt:Month>%d</tt:Month>"
                          "<tt:Day>%d</tt:Day></tt:Date>"
                          "</tt:UTCDateTime>"
                          "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>",
                          g_date_time_get_hour (now), g_date_time_get_minute (now),
                          g_date_time_get_second (now), g_date_time_get_year (now),
                          g_date_time_get_month (now), g_date_time_get_day_of_month (now));

  return NULL;
}

static const Fault *
get_capabilities (Request *request,
                  GString *out)
{
  g_autofree char *device = request_url (request, "http", request->self->port, DEVICE_PATH);
  g_autofree char *media = request_url (request, "http", request->self->port, MEDIA_PATH);

  g_string_append (out, "<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device>");
  append_text_element (out, "tt:XAddr", device);
  g_string_append (out,
                   "<tt:Network><tt:IPFilter>false</tt:IPFilter>"
                   "<tt:ZeroConfiguration>false</tt:ZeroConfiguration>"
                   "<tt:IPVersion6>true</tt:IPVersion6>"
                   "<tt:DynDNS>false</tt:DynDNS></tt:Network>"
                   "<tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve>"
                   "<tt:DiscoveryBye>false</tt:DiscoveryBye>"
                   "<tt:RemoteDiscovery>false</tt:RemoteDiscovery>"
                   "<tt:SystemBackup>false</tt:SystemBackup>"
                   "<tt:SystemLogging>false</tt:SystemLogging>"
                   "<tt:FirmwareUpgrade>false</tt:FirmwareUpgrade>"
                   "<tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>0</tt:Minor>"
                   "</tt:SupportedVersions></tt:System>"
                   "</tt:Device><tt:Media>");
  append_text_element (out, "tt:XAddr", media);
  g_string_append (out,
                   "<tt:StreamingCapabilities>"
                   "<tt:RTPMulticast>false</tt:RTPMulticast>"
                   "<tt:RTP_TCP>true</tt:RTP_TCP>"
                   "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP>"
                   "</tt:StreamingCapabilities>"
                   "</tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>");

  return NULL;
}

static void
append_service (GString    *out,
                const char *ns,
                const char *xaddr)
{
  g_string_append (out, "<tds:Service>");
  append_text_element (out, "tds:Namespace", ns);
  append_text_element (out, "tds:XAddr", xaddr);
  g_string_append (out,
                   "<tds:Version><tt:Major>2</tt:Major><tt:Minor>0</tt:Minor></tds:Version>"
                   "</tds:Service>");
}

static const Fault *
get_services (Request *request,
              GString *out)
{
  g_autofree char *device = request_url (request, "http", request->self->port, DEVICE_PATH);
  g_autofree char *media = request_url (request, "http", request->self->port, MEDIA_PATH);

  g_string_append (out, "<tds:GetServicesResponse>");
  append_service (out, NS_DEVICE, device);
  append_service (out, NS_MEDIA, media);
  g_string_append (out, "</tds:GetServicesResponse>");

  return NULL;
}

static const Fault *
get_device_information (Request *request,
                        GString *out)
{
  const PsEmulatorDevice *device = &request->self->device;

  g_string_append (out, "<tds:GetDeviceInformationResponse>");
  append_text_element (out, "tds:Manufacturer", device->manufacturer);
  append_text_element (out, "tds:Model", device->model);
  append_text_element (out, "tds:FirmwareVersion", device->firmware);
  append_text_element (out, "tds:SerialNumber", device->serial);
  append_text_element (out, "tds:HardwareId", device->hardware_id);
  g_string_append (out, "</tds:GetDeviceInformationResponse>");

  return NULL;
}

static const Fault *
get_scopes (Request *request,
            GString *out)
{
  const PsEmulatorDevice *device = &request->self->device;
  const char *fixed[] = {
    "onvif://www.onvif.org/type/video_encoder",
    "onvif://www.onvif.org/Profile/Streaming",
  };
  g_autofree char *name = g_uri_escape_string (device->name, NULL, FALSE);
  g_autofree char *hardware = g_uri_escape_string (device->model, NULL, FALSE);
  g_autofree char *name_scope = g_strconcat ("onvif://www.onvif.org/name/", name, NULL);
  g_autofree char *hardware_scope = g_strconcat ("onvif://www.onvif.org/hardware/", hardware,
                                                 NULL);
  const char *scopes[] = { fixed[0], fixed[1], name_scope, hardware_scope };

  g_string_append (out, "<tds:GetScopesResponse>");
  for (guint i = 0; i < G_N_ELEMENTS (scopes); i++)
    {
      g_string_append (out, "<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef>");
      append_text_element (out, "tt:ScopeItem", scopes[i]);
      g_string_append (out, "</tds:Scopes>");
    }
  g_string_append (out, "</tds:GetScopesResponse>");

  return NULL;
}

static const Fault *
get_network_interfaces (Request *request,
                        GString *out)
{
  g_autofree char *address = g_inet_address_to_string (request->local);
  gboolean ipv6 = g_inet_address_get_family (request->local) == G_SOCKET_FAMILY_IPV6;

  g_string_append (out,
                   "<tds:GetNetworkInterfacesResponse>"
                   "<tds:NetworkInterfaces token=\"eth0\"><tt:Enabled>true</tt:Enabled>"
                   "<tt:Info><tt:Name>eth0</tt:Name>");
  append_text_element (out, "tt:HwAddress", request->self->device.mac);
  g_string_append (out, "<tt:MTU>1500</tt:MTU></tt:Info>");
  g_string_append (out, ipv6 ? "<tt:IPv6><tt:Enabled>true</tt:Enabled><tt:Config>"
                               "<tt:Manual><tt:Address>"
                             : "<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config>"
                               "<tt:Manual><tt:Address>");
  g_string_append_printf (out,
                          "%s</tt:Address><tt:PrefixLength>%d</tt:PrefixLength></tt:Manual>"
                          "<tt:DHCP>false</tt:DHCP></tt:Config>%s",
                          address, ipv6 ? 64 : 24, ipv6 ? "</tt:IPv6>" : "</tt:IPv4>");
  g_string_append (out, "</tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>");

  return NULL;
}

/* Media service */

static void
append_profile (Request          *request,
                GString          *out,
                const char       *element,
                PsEmulatorStream *stream)
{
  const PsEmulatorStreamConfig *source = ps_emulator_stream_get_config (request->self->main_stream);
  const PsEmulatorStreamConfig *config = ps_emulator_stream_get_config (stream);
  const char *id = config->id;
  guint gov = MAX (1, (guint) (config->gop_seconds * config->fps + 0.5));

  g_string_append_printf (out, "<%s token=\"%s\" fixed=\"true\">", element, id);
  append_text_element (out, "tt:Name", g_str_equal (id, "main") ? "MainStream" : "SubStream");
  g_string_append_printf (out,
                          "<tt:VideoSourceConfiguration token=\"VideoSourceConfig\">"
                          "<tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>2</tt:UseCount>"
                          "<tt:SourceToken>VideoSource</tt:SourceToken>"
                          "<tt:Bounds x=\"0\" y=\"0\" width=\"%u\" height=\"%u\"/>"
                          "</tt:VideoSourceConfiguration>"
                          "<tt:VideoEncoderConfiguration token=\"VideoEncoder_%s\">"
                          "<tt:Name>VideoEncoder_%s</tt:Name><tt:UseCount>1</tt:UseCount>"
                          "<tt:Encoding>H264</tt:Encoding>"
                          "<tt:Resolution><tt:Width>%u</tt:Width><tt:Height>%u</tt:Height>"
                          "</tt:Resolution>"
                          "<tt:Quality>5</tt:Quality>"
                          "<tt:RateControl><tt:FrameRateLimit>%u</tt:FrameRateLimit>"
                          "<tt:EncodingInterval>1</tt:EncodingInterval>"
                          "<tt:BitrateLimit>%u</tt:BitrateLimit></tt:RateControl>"
                          "<tt:H264><tt:GovLength>%u</tt:GovLength>"
                          "<tt:H264Profile>%s</tt:H264Profile></tt:H264>"
                          "<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type>"
                          "<tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address>"
                          "<tt:Port>0</tt:Port><tt:TTL>0</tt:TTL>"
                          "<tt:AutoStart>false</tt:AutoStart></tt:Multicast>"
                          "<tt:SessionTimeout>PT60S</tt:SessionTimeout>"
                          "</tt:VideoEncoderConfiguration>",
                          source->width, source->height, id, id,
                          config->width, config->height, config->fps, config->bitrate_kbps,
                          gov, ps_emulator_stream_get_h264_profile (stream));
  g_string_append_printf (out, "</%s>", element);
}

static const Fault *
get_profiles (Request *request,
              GString *out)
{
  g_string_append (out, "<trt:GetProfilesResponse>");
  append_profile (request, out, "trt:Profiles", request->self->main_stream);
  append_profile (request, out, "trt:Profiles", request->self->sub_stream);
  g_string_append (out, "</trt:GetProfilesResponse>");

  return NULL;
}

static const Fault *
get_profile (Request *request,
             GString *out)
{
  PsEmulatorStream *stream = lookup_profile (request);

  if (stream == NULL)
    return &fault_no_profile;

  g_string_append (out, "<trt:GetProfileResponse>");
  append_profile (request, out, "trt:Profile", stream);
  g_string_append (out, "</trt:GetProfileResponse>");

  return NULL;
}

static void
append_media_uri (GString    *out,
                  const char *response,
                  const char *uri)
{
  g_string_append_printf (out, "<trt:%s><trt:MediaUri>", response);
  append_text_element (out, "tt:Uri", uri);
  g_string_append_printf (out,
                          "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
                          "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>"
                          "<tt:Timeout>PT0S</tt:Timeout>"
                          "</trt:MediaUri></trt:%s>",
                          response);
}

static const Fault *
get_stream_uri (Request *request,
                GString *out)
{
  PsEmulatorStream *stream = lookup_profile (request);
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;

  if (stream == NULL)
    return &fault_no_profile;

  path = g_strdup_printf ("/%s", ps_emulator_stream_get_id (stream));
  uri = request_url (request, "rtsp", request->self->rtsp_port, path);
  append_media_uri (out, "GetStreamUriResponse", uri);

  return NULL;
}

static const Fault *
get_snapshot_uri (Request *request,
                  GString *out)
{
  g_autofree char *uri = NULL;

  if (lookup_profile (request) == NULL)
    return &fault_no_profile;

  uri = request_url (request, "http", request->self->port, SNAPSHOT_PATH);
  append_media_uri (out, "GetSnapshotUriResponse", uri);

  return NULL;
}

static const Fault *
set_synchronization_point (Request *request,
                           GString *out)
{
  PsEmulatorStream *stream = lookup_profile (request);

  if (stream == NULL)
    return &fault_no_profile;

  ps_emulator_stream_force_keyframe (stream, "onvif");
  g_string_append (out, "<trt:SetSynchronizationPointResponse/>");

  return NULL;
}

static const struct
{
  const char *name;
  gboolean    needs_auth;
  ActionFunc  func;
} actions[] = {
  { "GetSystemDateAndTime", FALSE, get_system_date_and_time },
  { "GetCapabilities", FALSE, get_capabilities },
  { "GetServices", FALSE, get_services },
  { "GetDeviceInformation", TRUE, get_device_information },
  { "GetScopes", TRUE, get_scopes },
  { "GetNetworkInterfaces", TRUE, get_network_interfaces },
  { "GetProfiles", TRUE, get_profiles },
  { "GetProfile", TRUE, get_profile },
  { "GetStreamUri", TRUE, get_stream_uri },
  { "GetSnapshotUri", TRUE, get_snapshot_uri },
  { "SetSynchronizationPoint", TRUE, set_synchronization_point },
};

/* HTTP */

static xmlNode *
first_element_child (xmlNode *node)
{
  for (xmlNode *n = node->children; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE)
      return n;

  return NULL;
}

static void
handle_soap (PsEmulatorOnvif   *self,
             SoupServerMessage *msg,
             const Body        *body)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = NULL;
  g_autoptr(GInetAddress) fallback = NULL;
  GSocketAddress *local_address;
  xmlNode *soap_body = NULL;
  xmlNode *action = NULL;
  const char *name;
  const Fault *fault;
  Request request = { self, msg, NULL, NULL };
  gboolean authorized;

  doc = ps_xml_parse ((const char *) body->data->data, body->data->len, &error);
  if (doc != NULL)
    soap_body = ps_xml_soap_body (doc, &error);
  if (doc == NULL || soap_body == NULL || (action = first_element_child (soap_body)) == NULL)
    {
      g_debug ("onvif: bad request: %s", error != NULL ? error->message : "empty SOAP Body");
      send_fault (msg, &fault_well_formed);
      return;
    }

  name = (const char *) action->name;
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      if (!g_str_equal (name, actions[i].name))
        continue;

      authorized = !actions[i].needs_auth || self->device.user == NULL ||
                   check_credentials (self, doc);
      g_debug ("onvif: %s (%s)", name, authorized ? "authorized" : "not authorized");
      ps_emulator_log_onvif (self->log, name, authorized);
      if (!authorized)
        {
          send_fault (msg, &fault_not_authorized);
          return;
        }

      local_address = soup_server_message_get_local_address (msg);
      if (G_IS_INET_SOCKET_ADDRESS (local_address))
        request.local = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local_address));
      else
        request.local = fallback = g_object_ref (self->address);
      request.action = action;

      out = g_string_new (NULL);
      fault = actions[i].func (&request, out);
      if (fault != NULL)
        send_fault (msg, fault);
      else
        send_envelope (msg, SOUP_STATUS_OK, out->str);
      return;
    }

  g_debug ("onvif: unsupported action %.64s", name);
  ps_emulator_log_onvif (self->log, name,
                         self->device.user == NULL || check_credentials (self, doc));
  send_fault (msg, &fault_action_not_supported);
}

static void
on_onvif_request_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  PsEmulatorOnvif *self = user_data;
  Body *body = g_object_get_data (G_OBJECT (msg), BODY_KEY);

  if (!g_str_equal (path, DEVICE_PATH) && !g_str_equal (path, MEDIA_PATH))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "POST");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  if (body == NULL || body->total > MAX_BODY_SIZE)
    {
      g_debug ("onvif: request body of %" G_GSIZE_FORMAT " bytes refused",
               body != NULL ? body->total : 0);
      send_fault (msg, &fault_too_large);
      return;
    }

  handle_soap (self, msg, body);
}

static void
on_snapshot_request_cb (SoupServer        *server,
                        SoupServerMessage *msg,
                        const char        *path,
                        GHashTable        *query,
                        gpointer           user_data)
{
  PsEmulatorOnvif *self = user_data;
  g_autoptr(GBytes) jpeg = NULL;
  const char *method = soup_server_message_get_method (msg);

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  jpeg = ps_emulator_stream_dup_snapshot (self->sub_stream);
  if (jpeg == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    }

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "image/jpeg", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg));
}

/* The UPnP device description SSDP's LOCATION points to. */
static void
on_description_request_cb (SoupServer        *server,
                           SoupServerMessage *msg,
                           const char        *path,
                           GHashTable        *query,
                           gpointer           user_data)
{
  PsEmulatorOnvif *self = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (self->description == NULL || !g_str_equal (path, DESCRIPTION_PATH))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/xml; charset=\"utf-8\"", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (self->description, NULL),
                                    g_bytes_get_size (self->description));
}

/* Keeps at most MAX_BODY_SIZE bytes of a request body but reads (and
 * counts) all of it, so the client always gets to read our answer. */
static void
on_got_chunk_cb (SoupServerMessage *msg,
                 GBytes            *chunk,
                 gpointer           user_data)
{
  Body *body = user_data;
  gsize size = g_bytes_get_size (chunk);

  body->total += size;
  if (body->total > MAX_BODY_SIZE)
    {
      g_byte_array_set_size (body->data, 0);
      return;
    }

  g_byte_array_append (body->data, g_bytes_get_data (chunk, NULL), (guint) size);
}

static void
on_request_started_cb (SoupServer        *server,
                       SoupServerMessage *msg,
                       gpointer           user_data)
{
  PsEmulatorOnvif *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  Body *body;

  body = g_new0 (Body, 1);
  body->data = g_byte_array_new ();
  g_object_set_data_full (G_OBJECT (msg), BODY_KEY, body, body_free);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk_cb), body);

  /* One "accept" per connection, not per request. */
  if (socket != NULL && g_object_get_data (G_OBJECT (socket), LOGGED_KEY) != NULL)
    return;
  if (socket != NULL)
    g_object_set_data (G_OBJECT (socket), LOGGED_KEY, GINT_TO_POINTER (TRUE));

  ps_emulator_log_accept (self->log, "http",
                          soup_server_message_get_remote_address (msg),
                          soup_server_message_get_local_address (msg));
}

static gboolean
on_snapshot_auth_cb (SoupAuthDomain    *domain,
                     SoupServerMessage *msg,
                     const char        *username,
                     const char        *password,
                     gpointer           user_data)
{
  PsEmulatorOnvif *self = user_data;

  return g_strcmp0 (username, self->device.user) == 0 &&
         g_strcmp0 (password, self->device.password) == 0;
}

PsEmulatorOnvif *
ps_emulator_onvif_new (const PsEmulatorDevice  *device,
                       GInetAddress            *address,
                       guint                    port,
                       guint                    rtsp_port,
                       PsEmulatorStream        *main_stream,
                       PsEmulatorStream        *sub_stream,
                       PsEmulatorLog           *log,
                       GError                 **error)
{
  g_autoptr(GSocketAddress) socket_address = NULL;
  PsEmulatorOnvif *self;
  GSList *listeners;

  g_return_val_if_fail (device != NULL, NULL);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);
  g_return_val_if_fail (device->user == NULL || device->password != NULL, NULL);

  self = g_new0 (PsEmulatorOnvif, 1);
  self->device = *device;
  self->address = g_object_ref (address);
  self->rtsp_port = rtsp_port;
  self->main_stream = main_stream;
  self->sub_stream = sub_stream;
  self->log = log;
  self->server = soup_server_new ("server-header", "Peerscope-Emulator", NULL);

  g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started_cb), self);
  soup_server_add_handler (self->server, "/onvif", on_onvif_request_cb, self, NULL);
  soup_server_add_handler (self->server, SNAPSHOT_PATH, on_snapshot_request_cb, self, NULL);
  soup_server_add_handler (self->server, DESCRIPTION_PATH, on_description_request_cb, self,
                           NULL);

  if (device->user != NULL)
    {
      g_autoptr(SoupAuthDomain) domain = NULL;

      domain = soup_auth_domain_basic_new ("realm", "Peerscope Emulated Camera", NULL);
      soup_auth_domain_basic_set_auth_callback (domain, on_snapshot_auth_cb, self, NULL);
      soup_auth_domain_add_path (domain, SNAPSHOT_PATH);
      soup_server_add_auth_domain (self->server, domain);
    }

  socket_address = g_inet_socket_address_new (address, (guint16) port);
  if (!soup_server_listen (self->server, socket_address, 0, error))
    {
      g_autofree char *text = g_inet_address_to_string (address);

      g_prefix_error (error, "ONVIF server on %s port %u: ", text, port);
      ps_emulator_onvif_free (self);
      return NULL;
    }

  listeners = soup_server_get_listeners (self->server);
  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (listeners->data, NULL);

      self->port = ps_emulator_net_port (local);
    }
  g_slist_free (listeners);

  return self;
}

void
ps_emulator_onvif_set_description (PsEmulatorOnvif *self,
                                   GBytes          *description)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->description, g_bytes_unref);
  if (description != NULL)
    self->description = g_bytes_ref (description);
}

guint
ps_emulator_onvif_get_port (PsEmulatorOnvif *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

SoupServer *
ps_emulator_onvif_get_server (PsEmulatorOnvif *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->server;
}

void
ps_emulator_onvif_free (PsEmulatorOnvif *self)
{
  if (self == NULL)
    return;

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->address);
  g_clear_pointer (&self->description, g_bytes_unref);
  g_free (self);
}

GBytes *
ps_emulator_onvif_dup_request_body (SoupServerMessage *msg)
{
  Body *body = g_object_get_data (G_OBJECT (msg), BODY_KEY);

  if (body == NULL || body->total > MAX_BODY_SIZE || body->data->len == 0)
    return NULL;

  return g_bytes_new (body->data->data, body->data->len);
}
