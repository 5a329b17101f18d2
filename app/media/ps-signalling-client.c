/* ps-signalling-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-signalling-client"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ps-signalling-client.h"
#include "ps-stream-error.h"

#define WELCOME_TIMEOUT_S   10
#define KEEPALIVE_S         15

struct _PsSignallingClient
{
  GObject                  parent_instance;

  char                    *url;
  char                    *token;
  char                    *ca_file;        /* read when connecting */

  SoupSession             *session;
  SoupWebsocketConnection *connection;
  GTask                   *connect_task;   /* until welcomed */
  guint                    welcome_timeout_id;
  char                    *peer_id;
  gboolean                 closed_emitted;
};

G_DEFINE_FINAL_TYPE (PsSignallingClient, ps_signalling_client, G_TYPE_OBJECT)

enum {
  MESSAGE,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
finish_connect (PsSignallingClient *self,
                GError             *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  g_clear_handle_id (&self->welcome_timeout_id, g_source_remove);
  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
emit_closed (PsSignallingClient *self,
             const GError       *error)
{
  if (self->closed_emitted)
    return;
  self->closed_emitted = TRUE;
  g_signal_emit (self, signals[CLOSED], 0, error);
}

/* Closes for REASON: the connect call fails with it, or "closed" says it. */
static void
fail (PsSignallingClient *self,
      GError             *reason)
{
  g_autoptr(GError) error = reason;

  g_debug ("%s: %s", self->url, error->message);
  if (self->connection != NULL &&
      soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                     NULL);

  if (self->connect_task != NULL)
    finish_connect (self, g_steal_pointer (&error));
  else
    emit_closed (self, error);
}

static void
on_message (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *data,
            gpointer                 user_data)
{
  PsSignallingClient *self = user_data;
  g_autoptr(PsSignallingMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const char *bytes = g_bytes_get_data (data, &length);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      fail (self, g_error_new (PS_SIGNALLING_ERROR, PS_SIGNALLING_ERROR_MALFORMED,
                               _("The rendezvous server sent binary data")));
      return;
    }

  message = ps_signalling_message_parse (bytes, length, PS_SIGNALLING_TO_CLIENT, &error);
  if (message == NULL)
    {
      g_prefix_error (&error, _("The rendezvous server sent a bad message: "));
      fail (self, g_steal_pointer (&error));
      return;
    }

  if (message->type == PS_SIGNALLING_MESSAGE_WELCOME)
    {
      g_free (self->peer_id);
      self->peer_id = g_strdup (message->peer_id);
      finish_connect (self, NULL);
      return;
    }

  g_object_ref (self);
  g_signal_emit (self, signals[MESSAGE], 0, message);
  g_object_unref (self);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  PsSignallingClient *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *data = soup_websocket_connection_get_close_data (connection);

  error = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       _("The rendezvous server closed the connection (%u%s%s)"),
                       soup_websocket_connection_get_close_code (connection),
                       data != NULL && *data != '\0' ? ": " : "",
                       data != NULL ? data : "");
  if (self->connect_task != NULL)
    finish_connect (self, g_steal_pointer (&error));
  else
    emit_closed (self, error);
}

static gboolean
welcome_timeout_cb (gpointer user_data)
{
  PsSignallingClient *self = user_data;

  self->welcome_timeout_id = 0;
  fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _("The rendezvous server did not welcome us within %d s"),
                           WELCOME_TIMEOUT_S));
  return G_SOURCE_REMOVE;
}

/* The upgrade failed: say why in the words of the stream errors */
static GError *
upgrade_error (SoupMessage *msg,
               GError      *error)
{
  guint status = soup_message_get_status (msg);

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      g_error_free (error);
      return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_AUTH,
                          _("The rendezvous server refused the account token"));
    }

  return error;
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PsSignallingClient) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  GError *error = NULL;

  self->connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result,
                                                            &error);
  if (self->connection == NULL)
    {
      finish_connect (self, msg != NULL ? upgrade_error (msg, error) : error);
      return;
    }

  soup_websocket_connection_set_max_incoming_payload_size (self->connection,
                                                           PS_SIGNALLING_MAX_MESSAGE_SIZE);
  soup_websocket_connection_set_keepalive_interval (self->connection, KEEPALIVE_S);
  g_signal_connect_object (self->connection, "message", G_CALLBACK (on_message), self, 0);
  g_signal_connect_object (self->connection, "closed", G_CALLBACK (on_closed), self, 0);

  if (self->connect_task != NULL)
    self->welcome_timeout_id = g_timeout_add_seconds (WELCOME_TIMEOUT_S, welcome_timeout_cb,
                                                      self);
}

/* libsoup takes http(s) URLs for the upgrade */
static char *
http_url (const char  *url,
          GError     **error)
{
  if (g_str_has_prefix (url, "ws://"))
    return g_strconcat ("http://", url + strlen ("ws://"), NULL);
  if (g_str_has_prefix (url, "wss://"))
    return g_strconcat ("https://", url + strlen ("wss://"), NULL);

  g_set_error (error, PS_STREAM_ERROR, PS_STREAM_ERROR_INVALID_URI,
               _("A rendezvous server URL starts with ws:// or wss://"));
  return NULL;
}

static void
websocket_connect (PsSignallingClient *self,
                   GTask              *task)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *location = NULL;
  GError *error = NULL;

  location = http_url (self->url, &error);
  if (location == NULL || (msg = soup_message_new ("GET", location)) == NULL)
    {
      if (error == NULL)
        error = g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_INVALID_URI,
                             _("“%s” is not a valid URL"), self->url);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (self->token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    value);
    }

  self->connect_task = task;
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        g_task_get_cancellable (task), on_connected,
                                        g_object_ref (self));
}

/* A worker thread: the CA file is a file */
static void
read_ca_file_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  GTlsDatabase *database = g_tls_file_database_new (task_data, &error);

  if (database == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, database, g_object_unref);
}

static void
on_ca_file_read (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PsSignallingClient *self = PS_SIGNALLING_CLIENT (object);
  GTask *task = user_data;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  database = g_task_propagate_pointer (G_TASK (result), &error);
  if (database == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, PS_STREAM_ERROR, PS_STREAM_ERROR_INVALID_URI,
                                 _("Cannot read the rendezvous server’s certificate: %s"),
                                 error->message);
      g_object_unref (task);
      return;
    }

  soup_session_set_tls_database (self->session, database);
  websocket_connect (self, task);
}

void
ps_signalling_client_connect_async (PsSignallingClient  *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PS_IS_SIGNALLING_CLIENT (self));
  g_return_if_fail (self->connect_task == NULL && self->connection == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_signalling_client_connect_async);

  if (self->ca_file != NULL)
    {
      g_autoptr(GTask) read = g_task_new (self, cancellable, on_ca_file_read, task);

      g_task_set_task_data (read, g_strdup (self->ca_file), g_free);
      g_task_run_in_thread (read, read_ca_file_thread);
      return;
    }

  websocket_connect (self, task);
}

gboolean
ps_signalling_client_connect_finish (PsSignallingClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
ps_signalling_client_get_peer_id (PsSignallingClient *self)
{
  g_return_val_if_fail (PS_IS_SIGNALLING_CLIENT (self), NULL);

  return self->peer_id;
}

gboolean
ps_signalling_client_is_connected (PsSignallingClient *self)
{
  g_return_val_if_fail (PS_IS_SIGNALLING_CLIENT (self), FALSE);

  return self->connection != NULL && self->peer_id != NULL &&
         soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN;
}

gboolean
ps_signalling_client_send (PsSignallingClient        *self,
                           const PsSignallingMessage *message)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (PS_IS_SIGNALLING_CLIENT (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (!ps_signalling_client_is_connected (self))
    return FALSE;

  text = ps_signalling_message_to_json (message, PS_SIGNALLING_TO_SERVER);
  if (text == NULL)
    return FALSE;
  soup_websocket_connection_send_text (self->connection, text);

  return TRUE;
}

gboolean
ps_signalling_client_set_status (PsSignallingClient *self,
                                 PsSignallingRoles   roles,
                                 JsonNode           *meta)
{
  g_autoptr(PsSignallingMessage) message = NULL;

  message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_SET_PEER_STATUS);
  message->roles = roles;
  message->meta = meta != NULL ? json_node_copy (meta) : NULL;
  message->peer_id = g_strdup (self->peer_id);

  return ps_signalling_client_send (self, message);
}

gboolean
ps_signalling_client_list (PsSignallingClient *self)
{
  g_autoptr(PsSignallingMessage) message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_LIST);

  return ps_signalling_client_send (self, message);
}

gboolean
ps_signalling_client_start_session (PsSignallingClient *self,
                                    const char         *peer_id)
{
  g_autoptr(PsSignallingMessage) message = NULL;

  message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_START_SESSION);
  message->peer_id = g_strdup (peer_id);

  return ps_signalling_client_send (self, message);
}

gboolean
ps_signalling_client_send_sdp (PsSignallingClient  *self,
                               const char          *session_id,
                               PsSignallingSdpType  type,
                               const char          *sdp)
{
  g_autoptr(PsSignallingMessage) message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_PEER);

  message->session_id = g_strdup (session_id);
  message->sdp_type = type;
  message->sdp = g_strdup (sdp);

  return ps_signalling_client_send (self, message);
}

gboolean
ps_signalling_client_send_candidate (PsSignallingClient *self,
                                     const char         *session_id,
                                     guint               m_line_index,
                                     const char         *candidate)
{
  g_autoptr(PsSignallingMessage) message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_PEER);

  message->session_id = g_strdup (session_id);
  message->sdp_type = PS_SIGNALLING_SDP_NONE;
  message->candidate = g_strdup (candidate);
  message->sdp_m_line_index = m_line_index;

  return ps_signalling_client_send (self, message);
}

gboolean
ps_signalling_client_end_session (PsSignallingClient *self,
                                  const char         *session_id)
{
  g_autoptr(PsSignallingMessage) message = NULL;

  message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_END_SESSION);
  message->session_id = g_strdup (session_id);

  return ps_signalling_client_send (self, message);
}

void
ps_signalling_client_close (PsSignallingClient *self)
{
  g_return_if_fail (PS_IS_SIGNALLING_CLIENT (self));

  self->closed_emitted = TRUE;
  if (self->connection != NULL &&
      soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

void
ps_signalling_client_set_ca_file (PsSignallingClient *self,
                                  const char         *path)
{
  g_return_if_fail (PS_IS_SIGNALLING_CLIENT (self));

  g_free (self->ca_file);
  self->ca_file = g_strdup (path);
}

static void
ps_signalling_client_dispose (GObject *object)
{
  PsSignallingClient *self = (PsSignallingClient *) object;

  g_clear_handle_id (&self->welcome_timeout_id, g_source_remove);
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                         NULL);
    }
  g_clear_object (&self->connection);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ps_signalling_client_parent_class)->dispose (object);
}

static void
ps_signalling_client_finalize (GObject *object)
{
  PsSignallingClient *self = (PsSignallingClient *) object;

  g_free (self->url);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->ca_file);
  g_free (self->peer_id);

  G_OBJECT_CLASS (ps_signalling_client_parent_class)->finalize (object);
}

static void
ps_signalling_client_class_init (PsSignallingClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_signalling_client_dispose;
  object_class->finalize = ps_signalling_client_finalize;

  /* A valid message from the server (not the welcome); the pointer is only
   * good during the emission. */
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* The connection ended after the welcome: a GError says why */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
ps_signalling_client_init (PsSignallingClient *self)
{
  self->session = soup_session_new_with_options ("user-agent", "Peerscope/" PACKAGE_VERSION,
                                                 "timeout", 15, NULL);
}

PsSignallingClient *
ps_signalling_client_new (const char *url,
                          const char *token)
{
  PsSignallingClient *self;

  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (PS_TYPE_SIGNALLING_CLIENT, NULL);
  self->url = g_strdup (url);
  self->token = g_strdup (token);

  return self;
}
