/* ps-onvif-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-onvif-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <libsoup/soup.h>
#include <string.h>

#include "ps-http-fetch.h"
#include "ps-onvif-client.h"
#include "ps-onvif-reply.h"
#include "ps-wsse.h"
#include "ps-xml.h"

#define NS_MEDIA  "http://www.onvif.org/ver10/media/wsdl"

struct _PsOnvifClient
{
  GObject      parent_instance;

  SoupSession *session;
  GUri        *device_uri;
  char        *username;
  char        *password;
};

G_DEFINE_FINAL_TYPE (PsOnvifClient, ps_onvif_client, G_TYPE_OBJECT)

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
    "xmlns:trt=\"" NS_MEDIA "\" xmlns:tt=\"http://www.onvif.org/ver10/schema\" "
    "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">"
    "<s:Header>%s</s:Header><s:Body>%s</s:Body></s:Envelope>",
    security != NULL ? security : "", body);
}

/* One request and its reply, read in chunks and capped: a device cannot
 * make us buffer more than PS_ONVIF_MAX_REPLY bytes (ps-http-fetch.c). */

typedef void (*ReplyHandler) (GTask  *task,
                              GBytes *reply);

typedef struct
{
  SoupMessage  *msg;
  ReplyHandler  handler;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_clear_object (&exchange->msg);
  g_free (exchange);
}

static void
on_fetched_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  g_autoptr(GBytes) reply = NULL;
  GError *error = NULL;
  guint status;

  reply = ps_http_fetch_finish (result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  status = soup_message_get_status (exchange->msg);
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      g_task_return_new_error (task, PS_XML_ERROR, PS_XML_ERROR_NOT_AUTHORIZED,
                               _("Authentication failed (HTTP %u)"), status);
      return;
    }

  /* SOAP faults come with 400 or 500; anything else is not ONVIF talking */
  if (status >= 300 && !ps_onvif_reply_is_soap (g_bytes_get_data (reply, NULL),
                                                g_bytes_get_size (reply)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The device answered HTTP %u %s"), status,
                               soup_message_get_reason_phrase (exchange->msg));
      return;
    }

  exchange->handler (task, reply);
}

static void
send_request (PsOnvifClient *self,
              const char    *body,
              GTask         *task,
              ReplyHandler   handler)
{
  g_autofree char *envelope = build_envelope (self, body);
  g_autofree char *url = g_uri_to_string (self->device_uri);
  g_autoptr(GBytes) bytes = NULL;
  Exchange *exchange;
  gsize len = strlen (envelope);

  exchange = g_new0 (Exchange, 1);
  exchange->msg = soup_message_new (SOUP_METHOD_POST, url);
  exchange->handler = handler;
  bytes = g_bytes_new_take (g_steal_pointer (&envelope), len);
  soup_message_set_request_body_from_bytes (exchange->msg,
                                            "application/soap+xml; charset=utf-8", bytes);
  g_task_set_task_data (task, exchange, (GDestroyNotify) exchange_free);

  ps_http_fetch_async (self->session, exchange->msg, PS_ONVIF_MAX_REPLY,
                       g_task_get_cancellable (task), on_fetched_cb, task);
}

/* A media service action on one profile: <trt:ACTION>SETUP<trt:ProfileToken>… */
static void
send_profile_request (PsOnvifClient *self,
                      const char    *action,
                      const char    *setup,
                      const char    *profile_token,
                      GTask         *task,
                      ReplyHandler   handler)
{
  g_autofree char *escaped = g_markup_escape_text (profile_token, -1);
  g_autofree char *body = NULL;

  body = g_strdup_printf ("<trt:%s>%s<trt:ProfileToken>%s</trt:ProfileToken></trt:%s>",
                          action, setup, escaped, action);
  send_request (self, body, task, handler);
}

/* GetDeviceInformation ---------------------------------------------------- */

static void
handle_device_info (GTask  *task,
                    GBytes *reply)
{
  g_autoptr(GError) error = NULL;
  PsOnvifDeviceInfo *info;

  info = ps_onvif_reply_parse_device_info (g_bytes_get_data (reply, NULL),
                                           g_bytes_get_size (reply), &error);
  if (info == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, info, (GDestroyNotify) ps_onvif_device_info_free);
}

void
ps_onvif_client_get_device_info_async (PsOnvifClient       *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PS_IS_ONVIF_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_onvif_client_get_device_info_async);
  send_request (self, "<tds:GetDeviceInformation/>", task, handle_device_info);
}

PsOnvifDeviceInfo *
ps_onvif_client_get_device_info_finish (PsOnvifClient  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GetProfiles ------------------------------------------------------------- */

static void
handle_profiles (GTask  *task,
                 GBytes *reply)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *profiles;

  profiles = ps_onvif_reply_parse_profiles (g_bytes_get_data (reply, NULL),
                                            g_bytes_get_size (reply), &error);
  if (profiles == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, profiles, (GDestroyNotify) g_ptr_array_unref);
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
  send_request (self, "<trt:GetProfiles/>", task, handle_profiles);
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
handle_stream_uri (GTask  *task,
                   GBytes *reply)
{
  PsOnvifClient *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *pinned = NULL;

  uri = ps_onvif_reply_parse_stream_uri (g_bytes_get_data (reply, NULL),
                                         g_bytes_get_size (reply), &error);
  if (uri == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
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
  GTask *task;

  g_return_if_fail (PS_IS_ONVIF_CLIENT (self));
  g_return_if_fail (profile_token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_onvif_client_get_stream_uri_async);
  send_profile_request (self, "GetStreamUri",
                        "<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
                        "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport>"
                        "</trt:StreamSetup>",
                        profile_token, task, handle_stream_uri);
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
handle_empty (GTask  *task,
              GBytes *reply)
{
  g_autoptr(GError) error = NULL;

  if (ps_onvif_reply_parse_empty (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                  &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
ps_onvif_client_set_sync_point_async (PsOnvifClient       *self,
                                      const char          *profile_token,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PS_IS_ONVIF_CLIENT (self));
  g_return_if_fail (profile_token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_onvif_client_set_sync_point_async);
  send_profile_request (self, "SetSynchronizationPoint", "", profile_token, task,
                        handle_empty);
}

gboolean
ps_onvif_client_set_sync_point_finish (PsOnvifClient  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
