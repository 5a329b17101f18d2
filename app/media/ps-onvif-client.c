/* ps-onvif-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-onvif-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <libsoup/soup.h>
#include <string.h>

#include "ps-onvif-client.h"
#include "ps-wsse.h"
#include "ps-xml.h"

#define NS_MEDIA  "http://www.onvif.org/ver10/media/wsdl"
#define MAX_REPLY (256 * 1024)

struct _PsOnvifClient
{
  GObject      parent_instance;

  SoupSession *session;
  GUri        *device_uri;
  char        *username;
  char        *password;
};

G_DEFINE_FINAL_TYPE (PsOnvifClient, ps_onvif_client, G_TYPE_OBJECT)

void
ps_onvif_profile_free (PsOnvifProfile *profile)
{
  if (profile == NULL)
    return;

  g_free (profile->token);
  g_free (profile->name);
  g_free (profile->encoding);
  g_free (profile);
}

static void
ps_onvif_client_finalize (GObject *object)
{
  PsOnvifClient *self = (PsOnvifClient *) object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->device_uri, g_uri_unref);
  g_free (self->username);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);

  G_OBJECT_CLASS (ps_onvif_client_parent_class)->finalize (object);
}

static void
ps_onvif_client_class_init (PsOnvifClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_onvif_client_finalize;
}

static void
ps_onvif_client_init (PsOnvifClient *self)
{
  self->session = soup_session_new_with_options ("timeout", 10,
                                                 "idle-timeout", 30,
                                                 "user-agent", "Peerscope",
                                                 NULL);
}

PsOnvifClient *
ps_onvif_client_new (const char  *device_url,
                     const char  *username,
                     const char  *password,
                     GError     **error)
{
  g_autoptr(PsOnvifClient) self = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  g_return_val_if_fail (device_url != NULL, NULL);

  uri = g_uri_parse (device_url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if ((g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Not an ONVIF device address: %s"), device_url);
      return NULL;
    }

  self = g_object_new (PS_TYPE_ONVIF_CLIENT, NULL);
  self->device_uri = g_steal_pointer (&uri);
  if (username != NULL && *username != '\0')
    {
      self->username = g_strdup (username);
      self->password = g_strdup (password != NULL ? password : "");
    }

  return g_steal_pointer (&self);
}

const char *
ps_onvif_client_get_host (PsOnvifClient *self)
{
  g_return_val_if_fail (PS_IS_ONVIF_CLIENT (self), NULL);

  return g_uri_get_host (self->device_uri);
}

void
ps_onvif_client_set_timeout (PsOnvifClient *self,
                             guint          seconds)
{
  g_return_if_fail (PS_IS_ONVIF_CLIENT (self));

  g_object_set (self->session, "timeout", seconds, NULL);
}

char *
ps_onvif_pin_host (const char *uri,
                   const char *host)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GUri) pinned = NULL;

  g_return_val_if_fail (host != NULL, NULL);

  if (uri == NULL)
    return NULL;

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL || g_uri_get_host (parsed) == NULL)
    return NULL;

  if (g_ascii_strcasecmp (g_uri_get_host (parsed), host) == 0)
    return g_uri_to_string (parsed);

  pinned = g_uri_build_with_user (G_URI_FLAGS_ENCODED,
                                  g_uri_get_scheme (parsed),
                                  NULL, NULL, NULL,
                                  host,
                                  g_uri_get_port (parsed),
                                  g_uri_get_path (parsed),
                                  g_uri_get_query (parsed),
                                  g_uri_get_fragment (parsed));
  g_debug ("device pointed at %s; staying on %s", g_uri_get_host (parsed), host);

  return g_uri_to_string (pinned);
}

/* Request plumbing -------------------------------------------------------- */

static char *
build_envelope (PsOnvifClient *self,
                const char    *body)
{
  g_autofree char *security = NULL;

  if (self->username != NULL)
    security = ps_wsse_security_header (self->username, self->password);

  return g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
    "xmlns:trt=\"" NS_MEDIA "\" xmlns:tt=\"http://www.onvif.org/ver10/schema\">"
    "<s:Header>%s</s:Header><s:Body>%s</s:Body></s:Envelope>",
    security != NULL ? security : "", body);
}

static void
send_request (PsOnvifClient       *self,
              const char          *body,
              GCancellable        *cancellable,
              GTask               *task,
              GAsyncReadyCallback  callback)
{
  g_autofree char *envelope = build_envelope (self, body);
  g_autofree char *url = g_uri_to_string (self->device_uri);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;

  gsize len = strlen (envelope);

  msg = soup_message_new (SOUP_METHOD_POST, url);
  bytes = g_bytes_new_take (g_steal_pointer (&envelope), len);
  soup_message_set_request_body_from_bytes (msg, "application/soap+xml; charset=utf-8", bytes);
  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);

  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    callback, task);
}

/* Returns the parsed doc and the SOAP Body, or an error. */
static xmlDoc *
read_reply (GObject       *session,
            GAsyncResult  *result,
            GTask         *task,
            xmlNode      **body_out,
            GError       **error)
{
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  GError *local_error = NULL;
  const char *data;
  gsize len = 0;
  guint status;
  xmlNode *body;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (session), result, &local_error);
  if (bytes == NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  status = soup_message_get_status (msg);
  data = g_bytes_get_data (bytes, &len);

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_NOT_AUTHORIZED,
                   _("Authentication failed (HTTP %u)"), status);
      return NULL;
    }

  if (len > MAX_REPLY)
    {
      g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE,
                   _("The device sent a reply of %lu bytes, more than Peerscope accepts"),
                   (unsigned long) len);
      return NULL;
    }

  doc = ps_xml_parse (data, len, &local_error);
  if (doc == NULL)
    {
      if (status >= 300)
        {
          g_clear_error (&local_error);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("The device answered HTTP %u %s"), status,
                       soup_message_get_reason_phrase (msg));
        }
      else
        g_propagate_prefixed_error (error, local_error, _("Invalid ONVIF reply: "));
      return NULL;
    }

  body = ps_xml_soap_body (doc, error);
  if (body == NULL)
    return NULL;

  *body_out = body;
  return g_steal_pointer (&doc);
}

/* GetProfiles ------------------------------------------------------------- */

static guint
parse_dimension (xmlNode    *node,
                 const char *name)
{
  g_autofree char *text = ps_xml_find_text (node, name);
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, 16384, &value, NULL))
    return 0;

  return (guint) value;
}

static void
get_profiles_cb (GObject      *session,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  xmlNode *body = NULL;
  xmlNode *response;

  doc = read_reply (session, result, task, &body, &error);
  if (doc == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  response = ps_xml_find_child (body, "GetProfilesResponse");
  profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_onvif_profile_free);

  for (xmlNode *n = response ? response->children : NULL; n != NULL; n = n->next)
    {
      PsOnvifProfile *profile;
      xmlNode *encoder;
      g_autofree char *token = NULL;

      if (n->type != XML_ELEMENT_NODE || strcmp ((const char *) n->name, "Profiles") != 0)
        continue;

      token = ps_xml_attr (n, "token");
      if (token == NULL || *token == '\0' || strlen (token) > 64)
        continue;

      profile = g_new0 (PsOnvifProfile, 1);
      profile->token = g_steal_pointer (&token);
      profile->name = ps_xml_text (ps_xml_find_child (n, "Name"));
      encoder = ps_xml_find_child (n, "VideoEncoderConfiguration");
      if (encoder != NULL)
        {
          xmlNode *resolution = ps_xml_find_child (encoder, "Resolution");

          profile->encoding = ps_xml_text (ps_xml_find_child (encoder, "Encoding"));
          profile->width = parse_dimension (resolution, "Width");
          profile->height = parse_dimension (resolution, "Height");
        }
      g_ptr_array_add (profiles, profile);

      if (profiles->len >= 32)
        break;
    }

  if (profiles->len == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("The camera has no media profiles"));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&profiles), (GDestroyNotify) g_ptr_array_unref);
}

void
ps_onvif_client_get_profiles_async (PsOnvifClient       *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PS_IS_ONVIF_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_onvif_client_get_profiles_async);
  send_request (self, "<trt:GetProfiles/>", cancellable, task, get_profiles_cb);
}

GPtrArray *
ps_onvif_client_get_profiles_finish (PsOnvifClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GetStreamUri ------------------------------------------------------------ */

static void
get_stream_uri_cb (GObject      *session,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PsOnvifClient *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *pinned = NULL;
  xmlNode *body = NULL;

  doc = read_reply (session, result, task, &body, &error);
  if (doc == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  uri = ps_xml_find_text (ps_xml_find_child (body, "GetStreamUriResponse"), "Uri");
  if (uri == NULL || !(g_str_has_prefix (uri, "rtsp://") || g_str_has_prefix (uri, "rtsps://")))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The camera returned no RTSP address"));
      return;
    }

  /* Never follow a device's URL to another host than the one we asked. */
  pinned = ps_onvif_pin_host (uri, ps_onvif_client_get_host (self));
  if (pinned == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The camera returned an invalid RTSP address"));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&pinned), g_free);
}

void
ps_onvif_client_get_stream_uri_async (PsOnvifClient       *self,
                                      const char          *profile_token,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *body = NULL;
  GTask *task;

  g_return_if_fail (PS_IS_ONVIF_CLIENT (self));
  g_return_if_fail (profile_token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_onvif_client_get_stream_uri_async);

  escaped = g_markup_escape_text (profile_token, -1);
  body = g_strdup_printf ("<trt:GetStreamUri><trt:StreamSetup>"
                          "<tt:Stream>RTP-Unicast</tt:Stream>"
                          "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport>"
                          "</trt:StreamSetup><trt:ProfileToken>%s</trt:ProfileToken>"
                          "</trt:GetStreamUri>", escaped);
  send_request (self, body, cancellable, task, get_stream_uri_cb);
}

char *
ps_onvif_client_get_stream_uri_finish (PsOnvifClient  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* SetSynchronizationPoint ------------------------------------------------- */

static void
set_sync_point_cb (GObject      *session,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  xmlNode *body = NULL;

  doc = read_reply (session, result, task, &body, &error);
  if (doc == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
ps_onvif_client_set_sync_point_async (PsOnvifClient       *self,
                                      const char          *profile_token,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *body = NULL;
  GTask *task;

  g_return_if_fail (PS_IS_ONVIF_CLIENT (self));
  g_return_if_fail (profile_token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_onvif_client_set_sync_point_async);

  escaped = g_markup_escape_text (profile_token, -1);
  body = g_strdup_printf ("<trt:SetSynchronizationPoint><trt:ProfileToken>%s</trt:ProfileToken>"
                          "</trt:SetSynchronizationPoint>", escaped);
  send_request (self, body, cancellable, task, set_sync_point_cb);
}

gboolean
ps_onvif_client_set_sync_point_finish (PsOnvifClient  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
