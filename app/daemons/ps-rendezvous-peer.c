/* ps-rendezvous-peer.c: one WebSocket connection to peerscope-rendezvous
 *
 * A peer is what the signalling protocol calls it: one connection, with a
 * random id (a UUID, as gst-webrtc-signalling-server gives), an account,
 * the roles and meta it declared and the sessions it is in.  It reads its
 * messages strictly (ps-signalling-message.c) and hands the good ones to
 * the server through "message"; a bad one gets an "error" answer.  It
 * keeps the connection's limits:
 *
 *  - a message too large or frames too fast (PsRendezvousStream): an
 *    "error", then a close frame (1009 or 1008);
 *  - nothing received, not even a pong to the pings sent every third of
 *    the idle timeout, for idle_timeout seconds: a close frame (1000);
 *  - more than max_backlog bytes written and not yet taken by the peer:
 *    the connection is cut, since a close frame would not get through;
 *  - a close that does not complete within a second: cut as well.
 *
 * "closed" is emitted once, when libsoup has closed the connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-rendezvous"

#include "config.h"

#include "ps-rendezvous-peer.h"

/* a live peer answers a close frame at once; one that was stopped at a
 * limit cannot be heard answering (its bytes are no longer read) */
#define CLOSE_GRACE_MS 1000

struct _PsRendezvousPeer
{
  GObject                  parent_instance;

  SoupWebsocketConnection *connection;
  PsRendezvousStream      *stream;
  char                    *id;
  char                    *account;
  char                    *remote;
  guint                    idle_timeout;    /* seconds */
  gsize                    max_backlog;     /* bytes */
  guint64                  queued;          /* bytes of the frames sent, headers included */
  guint64                  received;        /* messages */

  PsSignallingRoles        roles;
  JsonNode                *meta;
  PsSignallingVersion      version;
  gboolean                 spoken;
  GHashTable              *sessions;        /* session id -> itself */

  guint                    idle_id;
  guint                    close_id;
  gboolean                 closing;
  gboolean                 closed;
};

G_DEFINE_FINAL_TYPE (PsRendezvousPeer, ps_rendezvous_peer, G_TYPE_OBJECT)

enum {
  MESSAGE,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
send_error (PsRendezvousPeer *self,
            const char       *details)
{
  g_autoptr(PsSignallingMessage) message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_ERROR);

  message->details = g_strdup (details);
  ps_rendezvous_peer_send (self, message);
}

static gboolean
on_close_timeout_cb (gpointer user_data)
{
  PsRendezvousPeer *self = user_data;

  self->close_id = 0;
  g_debug ("Peer %s (%s): the close did not complete, cutting the connection", self->id,
           self->remote);
  ps_rendezvous_stream_abort (self->stream);

  return G_SOURCE_REMOVE;
}

static void schedule_idle_check (PsRendezvousPeer *self);

static gboolean
on_idle_check_cb (gpointer user_data)
{
  PsRendezvousPeer *self = user_data;
  gint64 idle_for;

  self->idle_id = 0;
  idle_for = g_get_monotonic_time () - ps_rendezvous_stream_get_last_frame_time (self->stream);
  if (idle_for >= (gint64) self->idle_timeout * G_USEC_PER_SEC)
    {
      g_message ("Peer %s (%s): nothing received for %u s, closing", self->id, self->remote,
                 self->idle_timeout);
      ps_rendezvous_peer_close (self, SOUP_WEBSOCKET_CLOSE_NORMAL, "idle");
    }
  else
    schedule_idle_check (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_idle_check (PsRendezvousPeer *self)
{
  gint64 due = ps_rendezvous_stream_get_last_frame_time (self->stream)
               + (gint64) self->idle_timeout * G_USEC_PER_SEC;
  gint64 wait_ms = MAX (0, (due - g_get_monotonic_time ()) / 1000) + 1;

  g_clear_handle_id (&self->idle_id, g_source_remove);
  self->idle_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) MIN (wait_ms, G_MAXUINT),
                                      on_idle_check_cb, self, NULL);
}

static void
on_limit_exceeded_cb (PsRendezvousPeer *self)
{
  g_autofree char *details = NULL;

  switch (ps_rendezvous_stream_get_limit (self->stream))
    {
    case PS_RENDEZVOUS_LIMIT_MESSAGE_SIZE:
      g_message ("Peer %s (%s): message too large, closing", self->id, self->remote);
      send_error (self, "Message too large");
      ps_rendezvous_peer_close (self, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "message too large");
      break;

    case PS_RENDEZVOUS_LIMIT_RATE:
      g_message ("Peer %s (%s): messages too fast, closing", self->id, self->remote);
      send_error (self, "Too many messages");
      ps_rendezvous_peer_close (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "rate limit");
      break;

    case PS_RENDEZVOUS_LIMIT_NONE:
    default:
      break;
    }
}

static void
on_message_cb (PsRendezvousPeer *self,
               gint              type,
               GBytes           *bytes)
{
  g_autoptr(PsSignallingMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  gconstpointer data;
  gsize size;

  /* libsoup still hands over what it had read when a limit stopped the
   * reading: those that came before the limit are served, not the others */
  self->received++;
  if (self->closing
      || (ps_rendezvous_stream_get_limit (self->stream) != PS_RENDEZVOUS_LIMIT_NONE
          && self->received > ps_rendezvous_stream_get_messages_allowed (self->stream)))
    return;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      send_error (self, "Binary messages are not part of the protocol");
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  message = ps_signalling_message_parse (data, size, PS_SIGNALLING_TO_SERVER, &error);
  if (message == NULL)
    {
      g_debug ("Peer %s: %s", self->id, error->message);
      send_error (self, error->message);
      return;
    }

  g_debug ("Peer %s: %s", self->id, ps_signalling_message_type_to_string (message->type));
  g_signal_emit (self, signals[MESSAGE], 0, message);
}

static void
on_error_cb (PsRendezvousPeer *self,
             GError           *error)
{
  g_debug ("Peer %s: %s", self->id, error->message);
}

static void
on_closed_cb (PsRendezvousPeer *self)
{
  g_autoptr(PsRendezvousPeer) hold = g_object_ref (self);

  if (self->closed)
    return;

  self->closed = TRUE;
  self->closing = TRUE;
  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_handle_id (&self->close_id, g_source_remove);

  g_message ("Peer %s (%s, account %s) gone (%u%s%s)", self->id, self->remote, self->account,
             soup_websocket_connection_get_close_code (self->connection),
             soup_websocket_connection_get_close_data (self->connection) != NULL ? " " : "",
             soup_websocket_connection_get_close_data (self->connection) != NULL
               ? soup_websocket_connection_get_close_data (self->connection) : "");
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
ps_rendezvous_peer_dispose (GObject *object)
{
  PsRendezvousPeer *self = PS_RENDEZVOUS_PEER (object);

  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_handle_id (&self->close_id, g_source_remove);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  if (self->stream != NULL)
    g_signal_handlers_disconnect_by_data (self->stream, self);
  /* libsoup closes a connection dropped while open */
  g_clear_object (&self->connection);
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (ps_rendezvous_peer_parent_class)->dispose (object);
}

static void
ps_rendezvous_peer_finalize (GObject *object)
{
  PsRendezvousPeer *self = PS_RENDEZVOUS_PEER (object);

  g_free (self->id);
  g_free (self->account);
  g_free (self->remote);
  g_clear_pointer (&self->meta, json_node_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);

  G_OBJECT_CLASS (ps_rendezvous_peer_parent_class)->finalize (object);
}

static void
ps_rendezvous_peer_class_init (PsRendezvousPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_rendezvous_peer_dispose;
  object_class->finalize = ps_rendezvous_peer_finalize;

  /**
   * PsRendezvousPeer::message:
   * @message: (type PsSignallingMessage): a valid message from the peer
   */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ps_rendezvous_peer_init (PsRendezvousPeer *self)
{
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* connection: over stream, open.  idle_timeout: seconds, at least 1.
 * max_backlog: bytes sent and not yet written before the peer is cut off. */
PsRendezvousPeer *
ps_rendezvous_peer_new (SoupWebsocketConnection *connection,
                        PsRendezvousStream      *stream,
                        const char              *account,
                        const char              *remote,
                        guint                    idle_timeout,
                        gsize                    max_backlog)
{
  PsRendezvousPeer *self;

  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (connection), NULL);
  g_return_val_if_fail (PS_IS_RENDEZVOUS_STREAM (stream), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (idle_timeout > 0, NULL);

  self = g_object_new (PS_TYPE_RENDEZVOUS_PEER, NULL);
  self->connection = g_object_ref (connection);
  self->stream = g_object_ref (stream);
  self->id = g_uuid_string_random ();
  self->account = g_strdup (account);
  self->remote = g_strdup (remote != NULL ? remote : "?");
  self->idle_timeout = idle_timeout;
  self->max_backlog = max_backlog;

  g_signal_connect_swapped (connection, "message", G_CALLBACK (on_message_cb), self);
  g_signal_connect_swapped (connection, "error", G_CALLBACK (on_error_cb), self);
  g_signal_connect_swapped (connection, "closed", G_CALLBACK (on_closed_cb), self);
  g_signal_connect_swapped (stream, "limit-exceeded", G_CALLBACK (on_limit_exceeded_cb), self);

  /* a ping every third of the timeout: a live peer's pong keeps it open */
  soup_websocket_connection_set_keepalive_interval (connection, MAX (1, idle_timeout / 3));
  schedule_idle_check (self);

  return self;
}

const char *
ps_rendezvous_peer_get_id (PsRendezvousPeer *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), NULL);

  return self->id;
}

const char *
ps_rendezvous_peer_get_account (PsRendezvousPeer *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), NULL);

  return self->account;
}

const char *
ps_rendezvous_peer_get_remote (PsRendezvousPeer *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), NULL);

  return self->remote;
}

/* not closing nor closed */
gboolean
ps_rendezvous_peer_is_open (PsRendezvousPeer *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), FALSE);

  return !self->closing;
}

PsSignallingRoles
ps_rendezvous_peer_get_roles (PsRendezvousPeer *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), 0);

  return self->roles;
}

JsonNode *
ps_rendezvous_peer_get_meta (PsRendezvousPeer *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), NULL);

  return self->meta;
}

/* meta: an object or NULL, copied */
void
ps_rendezvous_peer_set_status (PsRendezvousPeer  *self,
                               PsSignallingRoles  roles,
                               JsonNode          *meta)
{
  g_return_if_fail (PS_IS_RENDEZVOUS_PEER (self));

  self->roles = roles;
  g_clear_pointer (&self->meta, json_node_unref);
  self->meta = meta != NULL ? json_node_copy (meta) : NULL;
}

PsSignallingVersion
ps_rendezvous_peer_get_version (PsRendezvousPeer *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), PS_SIGNALLING_VERSION_1_0);

  return self->version;
}

void
ps_rendezvous_peer_set_version (PsRendezvousPeer    *self,
                                PsSignallingVersion  version)
{
  g_return_if_fail (PS_IS_RENDEZVOUS_PEER (self));

  self->version = version;
}

/* whether it sent a message yet (a protocol version comes first or not at all) */
gboolean
ps_rendezvous_peer_has_spoken (PsRendezvousPeer *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), FALSE);

  return self->spoken;
}

void
ps_rendezvous_peer_set_spoken (PsRendezvousPeer *self)
{
  g_return_if_fail (PS_IS_RENDEZVOUS_PEER (self));

  self->spoken = TRUE;
}

void
ps_rendezvous_peer_add_session (PsRendezvousPeer *self,
                                const char       *session_id)
{
  g_return_if_fail (PS_IS_RENDEZVOUS_PEER (self));

  g_hash_table_add (self->sessions, g_strdup (session_id));
}

void
ps_rendezvous_peer_remove_session (PsRendezvousPeer *self,
                                   const char       *session_id)
{
  g_return_if_fail (PS_IS_RENDEZVOUS_PEER (self));

  g_hash_table_remove (self->sessions, session_id);
}

guint
ps_rendezvous_peer_get_n_sessions (PsRendezvousPeer *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), 0);

  return g_hash_table_size (self->sessions);
}

GStrv
ps_rendezvous_peer_dup_sessions (PsRendezvousPeer *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), NULL);

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_strv_builder_add (builder, key);

  return g_strv_builder_end (builder);
}

/* Queues one message; FALSE when the peer is closing or was cut off for
 * not reading. */
gboolean
ps_rendezvous_peer_send (PsRendezvousPeer          *self,
                         const PsSignallingMessage *message)
{
  g_autofree char *json = NULL;
  gint64 backlog;
  gsize length;

  g_return_val_if_fail (PS_IS_RENDEZVOUS_PEER (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (self->closing
      || soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return FALSE;

  json = ps_signalling_message_to_json (message, PS_SIGNALLING_TO_CLIENT);
  g_return_val_if_fail (json != NULL, FALSE);

  /* a server's frame: 2 bytes, 2 or 8 more for a longer payload, no mask */
  length = strlen (json);
  self->queued += length + 2 + (length > 65535 ? 8 : length > 125 ? 2 : 0);
  backlog = (gint64) self->queued - (gint64) ps_rendezvous_stream_get_bytes_written (self->stream);
  if (backlog > (gint64) self->max_backlog)
    {
      g_message ("Peer %s (%s): %" G_GINT64_FORMAT " bytes not taken, cutting the connection",
                 self->id, self->remote, backlog);
      self->closing = TRUE;
      ps_rendezvous_stream_abort (self->stream);
      return FALSE;
    }

  soup_websocket_connection_send_text (self->connection, json);
  return TRUE;
}

/* A close frame, then the end of the connection; "closed" follows. */
void
ps_rendezvous_peer_close (PsRendezvousPeer *self,
                          gushort           code,
                          const char       *reason)
{
  g_return_if_fail (PS_IS_RENDEZVOUS_PEER (self));

  if (self->closing)
    return;

  self->closing = TRUE;
  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, code, reason);
  self->close_id = g_timeout_add (CLOSE_GRACE_MS, on_close_timeout_cb, self);
}
