/* ps-emulator-whep.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <string.h>

#include "ps-emulator-onvif.h"
#include "ps-emulator-whep.h"
#include "ps-p2p-config.h"
#include "ps-webrtc-sender.h"

#define DEFAULT_MAX_SESSIONS 16

struct _PsEmulatorWhep
{
  SoupServer       *server;       /* unowned */
  PsEmulatorStream *stream;       /* unowned */
  PsP2pConfig      *config;
  char             *token;
  GHashTable       *sessions;     /* id -> PsWebrtcSender */
  guint             max_sessions;
  guint             next_id;
  GPtrArray        *gone;         /* ids whose viewer left without DELETE */
  GStrv             links;        /* Link values naming ICE servers */
  guint             reap_id;
};

typedef struct
{
  PsEmulatorWhep    *self;
  SoupServerMessage *msg;
  char              *id;
} Answering;

static void
reply (SoupServerMessage *msg,
       guint              status,
       const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  if (text != NULL)
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
}

static gboolean
reap_cb (gpointer user_data)
{
  PsEmulatorWhep *self = user_data;

  self->reap_id = 0;
  for (guint i = 0; i < self->gone->len; i++)
    g_hash_table_remove (self->sessions, g_ptr_array_index (self->gone, i));
  g_ptr_array_set_size (self->gone, 0);
  return G_SOURCE_REMOVE;
}

/* The viewer went (RTCP BYE, timeout, ICE failed) without a DELETE: the
 * session goes too, though not from inside the sender's own signal */
static void
on_session_failed (PsWebrtcSender *sender,
                   const GError   *error,
                   gpointer        user_data)
{
  PsEmulatorWhep *self = user_data;
  const char *id = g_object_get_data (G_OBJECT (sender), "id");

  g_message ("WHEP session %s ended: %s", id, error->message);
  g_ptr_array_add (self->gone, g_strdup (id));
  if (self->reap_id == 0)
    self->reap_id = g_idle_add (reap_cb, self);
}

static void
on_answered (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Answering *answering = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *location = NULL;
  SoupServerMessage *msg = answering->msg;

  answer = ps_webrtc_sender_answer_finish (PS_WEBRTC_SENDER (object), result, &error);
  if (answer == NULL)
    {
      g_message ("WHEP session %s: %s", answering->id, error->message);
      g_hash_table_remove (answering->self->sessions, answering->id);
      reply (msg, SOUP_STATUS_BAD_REQUEST, error->message);
    }
  else
    {
      location = g_strdup_printf ("%s/%s", PS_EMULATOR_WHEP_PATH, answering->id);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location",
                                    location);
      soup_server_message_set_status (msg, SOUP_STATUS_CREATED, NULL);
      g_signal_connect (object, "failed", G_CALLBACK (on_session_failed), answering->self);
      soup_server_message_set_response (msg, "application/sdp", SOUP_MEMORY_COPY, answer,
                                        strlen (answer));
    }

  soup_server_message_unpause (msg);
  g_object_unref (msg);
  g_free (answering->id);
  g_free (answering);
}

static gboolean
authorized (PsEmulatorWhep    *self,
            SoupServerMessage *msg)
{
  const char *header;
  g_autofree char *expected = NULL;

  if (self->token == NULL)
    return TRUE;

  header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                         "Authorization");
  expected = g_strconcat ("Bearer ", self->token, NULL);

  return g_strcmp0 (header, expected) == 0;
}

static void
on_post (PsEmulatorWhep    *self,
         SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = ps_emulator_onvif_dup_request_body (msg);
  const char *type;
  g_autofree char *offer = NULL;
  g_autoptr(GError) error = NULL;
  PsWebrtcSender *sender;
  GstElement *appsrc;
  Answering *answering;

  type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg),
                                                NULL);
  if (g_strcmp0 (type, "application/sdp") != 0)
    {
      reply (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "An SDP offer, please");
      return;
    }
  /* the server keeps at most 64 KiB: more is no offer */
  if (body == NULL)
    {
      reply (msg, SOUP_STATUS_BAD_REQUEST, "No offer, or too large");
      return;
    }
  if (g_hash_table_size (self->sessions) >= self->max_sessions)
    {
      reply (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "Too many sessions");
      return;
    }
  offer = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  answering = g_new0 (Answering, 1);
  answering->self = self;
  answering->msg = g_object_ref (msg);
  answering->id = g_strdup_printf ("%u", ++self->next_id);

  appsrc = gst_element_factory_make ("appsrc", NULL);
  sender = ps_webrtc_sender_new (appsrc, NULL, self->config, &error);
  if (sender == NULL)
    {
      reply (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      g_object_unref (answering->msg);
      g_free (answering->id);
      g_free (answering);
      return;
    }
  /* the encoder's bytes, like an RTSP viewer's, until the session goes */
  ps_emulator_stream_add_appsrc (self->stream, appsrc, sender);
  ps_emulator_stream_force_keyframe (self->stream, "WHEP session");
  g_object_set_data (G_OBJECT (sender), "stream", self->stream);
  g_object_set_data_full (G_OBJECT (sender), "id", g_strdup (answering->id), g_free);
  g_hash_table_insert (self->sessions, g_strdup (answering->id), sender);

  soup_server_message_pause (msg);
  ps_webrtc_sender_answer_async (sender, offer, NULL, on_answered, answering);
}

static void
on_whep_request_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  PsEmulatorWhep *self = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (!authorized (self, msg))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer");
      reply (msg, SOUP_STATUS_UNAUTHORIZED, "Token required");
      return;
    }

  if (g_str_equal (path, PS_EMULATOR_WHEP_PATH) && g_str_equal (method, "OPTIONS"))
    {
      /* the ICE servers a client should use, as RFC 9725 lets an endpoint say */
      for (guint i = 0; self->links != NULL && self->links[i] != NULL; i++)
        soup_message_headers_append (soup_server_message_get_response_headers (msg), "Link",
                                     self->links[i]);
      reply (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else if (g_str_equal (path, PS_EMULATOR_WHEP_PATH) && g_str_equal (method, "POST"))
    on_post (self, msg);
  else if (g_str_has_prefix (path, PS_EMULATOR_WHEP_PATH "/") && g_str_equal (method, "DELETE"))
    {
      const char *id = path + strlen (PS_EMULATOR_WHEP_PATH "/");

      if (g_hash_table_remove (self->sessions, id))
        {
          g_message ("WHEP session %s deleted", id);
          reply (msg, SOUP_STATUS_OK, NULL);
        }
      else
        reply (msg, SOUP_STATUS_NOT_FOUND, "No such session");
    }
  else
    reply (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
}

static void
sender_free (gpointer data)
{
  PsWebrtcSender *sender = data;

  ps_emulator_stream_remove_owner (g_object_get_data (G_OBJECT (sender), "stream"), sender);
  ps_webrtc_sender_stop (sender);
  g_object_unref (sender);
}

PsEmulatorWhep *
ps_emulator_whep_new (SoupServer       *server,
                      PsEmulatorStream *stream,
                      const char       *ice_address,
                      const char       *token,
                      guint             max_sessions)
{
  PsEmulatorWhep *self = g_new0 (PsEmulatorWhep, 1);
  const char *addresses[] = { ice_address, NULL };

  self->server = server;
  self->stream = stream;
  self->token = g_strdup (token);
  self->max_sessions = max_sessions > 0 ? max_sessions : DEFAULT_MAX_SESSIONS;
  self->gone = g_ptr_array_new_with_free_func (g_free);
  self->config = ps_p2p_config_new (NULL, NULL);
  if (ice_address != NULL)
    self->config->local_addresses = g_strdupv ((char **) addresses);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, sender_free);
  soup_server_add_handler (server, PS_EMULATOR_WHEP_PATH, on_whep_request_cb, self, NULL);

  return self;
}

void
ps_emulator_whep_free (PsEmulatorWhep *self)
{
  if (self == NULL)
    return;

  soup_server_remove_handler (self->server, PS_EMULATOR_WHEP_PATH);
  g_clear_handle_id (&self->reap_id, g_source_remove);
  g_ptr_array_unref (self->gone);
  g_strfreev (self->links);
  g_hash_table_unref (self->sessions);
  ps_p2p_config_free (self->config);
  g_free (self->token);
  g_free (self);
}

void
ps_emulator_whep_set_ice_servers (PsEmulatorWhep     *self,
                                  const char * const *uris,
                                  const char         *username,
                                  const char         *credential)
{
  g_autoptr(GStrvBuilder) links = g_strv_builder_new ();

  for (guint i = 0; uris != NULL && uris[i] != NULL; i++)
    {
      g_autofree char *link = NULL;

      if (username != NULL && credential != NULL && !g_str_has_prefix (uris[i], "stun:"))
        link = g_strdup_printf ("<%s>; rel=\"ice-server\"; username=\"%s\"; credential=\"%s\"; "
                                "credential-type=\"password\"", uris[i], username, credential);
      else
        link = g_strdup_printf ("<%s>; rel=\"ice-server\"", uris[i]);
      g_strv_builder_add (links, link);
    }
  g_strfreev (self->links);
  self->links = g_strv_builder_end (links);
}
