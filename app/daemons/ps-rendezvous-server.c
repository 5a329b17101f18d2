/* ps-rendezvous-server.c: peerscope-rendezvous, the P2P signalling server
 *
 * A WebSocket server that speaks GStreamer's WebRTC signalling protocol
 * (ps-signalling-message.c) the way gst-webrtc-signalling-server does, so
 * that webrtcsink, webrtcsrc, gstwebrtc-api and Peerscope's own clients
 * meet through it: a peer is welcomed with its id, declares its roles
 * (producer, listener, passive consumer) and meta, listeners hear of every
 * change, a consumer starts a session with a producer (or a producer with
 * a passive consumer) and the two exchange SDP and ICE candidates through
 * the server until one ends the session or goes away.
 *
 * What it adds is accounts: each connection presents an account token on
 * the upgrade request, as "Authorization: Bearer TOKEN", as "?token=TOKEN"
 * (for clients that cannot set headers, such as webrtcsink before 0.12),
 * or as the path "/token/TOKEN" (webrtcsink 0.11 drops queries).  Without
 * a valid one the answer is 401 and there is no WebSocket.  Peers see,
 * list, reach and end sessions with the peers of their own account only;
 * to any other, a peer id is simply not found.
 *
 * Nothing is kept beyond the live connections.  Every connection is held
 * to limits (PsRendezvousLimits): until the upgrade, a deadline and a cap
 * on connections in all; after it, a cap per account, and per connection
 * the message size, a frame rate, an idle timeout, a cap on sessions and on
 * the bytes waiting to be sent (ps-rendezvous-peer.c).
 *
 * The upgrade is done here rather than by soup_server_add_websocket_handler()
 * so that the connection goes through PsRendezvousStream, which caps the
 * size of fragmented messages that libsoup 3.2 would otherwise gather
 * without bound.  permessage-deflate is not offered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-rendezvous"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ps-rendezvous-peer.h"
#include "ps-rendezvous-server.h"
#include "ps-rendezvous-stream.h"
#include "ps-signalling-message.h"

#define ACCOUNT_KEY "ps-rendezvous-account"

typedef struct
{
  char *id;
  char *account;
  char *producer;
  char *consumer;
} Session;

typedef struct
{
  PsRendezvousServer *server;
  SoupServerMessage  *message;          /* weak */
  GSocket            *socket;
  char               *remote;           /* the peer's address, for the log */
  guint               timeout_id;
} Pending;

struct _PsRendezvousServer
{
  GObject             parent_instance;

  SoupServer         *soup;
  PsTokenFile        *tokens;
  PsRendezvousLimits  limits;
  gboolean            tls;

  GHashTable         *peers;            /* id -> PsRendezvousPeer */
  GHashTable         *sessions;         /* id -> Session */
  GHashTable         *pending;          /* SoupServerMessage -> Pending, until the upgrade */
};

G_DEFINE_FINAL_TYPE (PsRendezvousServer, ps_rendezvous_server, G_TYPE_OBJECT)

void
ps_rendezvous_limits_init (PsRendezvousLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_message_size = PS_SIGNALLING_MAX_MESSAGE_SIZE;
  limits->rate = 50;
  limits->burst = 100;
  limits->idle_timeout = 60;
  limits->handshake_timeout = 10;
  limits->max_connections = 1000;
  limits->max_connections_per_account = 64;
  /* a household behind one NAT: its cameras and viewers, with room */
  limits->max_connections_per_address = 32;
  limits->max_sessions_per_peer = 16;
  limits->max_backlog = 1024 * 1024;
}

gboolean
ps_rendezvous_limits_check (const PsRendezvousLimits  *limits,
                            GError                   **error)
{
  const char *problem = NULL;

  g_return_val_if_fail (limits != NULL, FALSE);

  if (limits->max_message_size < 1024 || limits->max_message_size > PS_SIGNALLING_MAX_MESSAGE_SIZE)
    problem = "the message size limit is not between 1024 and 65536 bytes";
  else if (!(limits->rate >= 0.1 && limits->rate <= 100000))
    problem = "the rate is not between 0.1 and 100000 messages a second";
  else if (!(limits->burst >= 1 && limits->burst <= 100000))
    problem = "the burst is not between 1 and 100000 messages";
  else if (limits->idle_timeout < 1 || limits->idle_timeout > 86400)
    problem = "the idle timeout is not between 1 s and a day";
  else if (limits->handshake_timeout < 1 || limits->handshake_timeout > 3600)
    problem = "the handshake timeout is not between 1 s and an hour";
  else if (limits->max_connections < 1 || limits->max_connections > 1000000)
    problem = "the connection limit is not between 1 and 1000000";
  else if (limits->max_connections_per_account < 1
           || limits->max_connections_per_account > PS_SIGNALLING_MAX_PEERS)
    problem = "the connection limit per account is not between 1 and 1024";
  else if (limits->max_connections_per_address < 1
           || limits->max_connections_per_address > 1000000)
    problem = "the connection limit per address is not between 1 and 1000000";
  else if (limits->max_sessions_per_peer < 1 || limits->max_sessions_per_peer > 1024)
    problem = "the session limit is not between 1 and 1024";
  else if (limits->max_backlog < 2 * (gsize) limits->max_message_size
           || limits->max_backlog > 1024 * 1024 * 1024)
    problem = "the backlog limit is not between twice the message size and 1 GiB";

  if (problem != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, problem);
      return FALSE;
    }

  return TRUE;
}

static void
session_free (gpointer data)
{
  Session *session = data;

  g_free (session->id);
  g_free (session->account);
  g_free (session->producer);
  g_free (session->consumer);
  g_free (session);
}

/* Before the upgrade */

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_clear_handle_id (&pending->timeout_id, g_source_remove);
  g_clear_object (&pending->socket);
  g_free (pending->remote);
  g_free (pending);
}

static void
on_pending_message_finalized (gpointer  user_data,
                              GObject  *where_the_object_was)
{
  Pending *pending = user_data;

  g_hash_table_remove (pending->server->pending, where_the_object_was);
}

/* Taken when the connection came: libsoup warns when asked once the peer
 * has gone. */
static char *
dup_remote (PsRendezvousServer *self,
            SoupServerMessage  *message)
{
  Pending *pending = g_hash_table_lookup (self->pending, message);

  return g_strdup (pending != NULL && pending->remote != NULL ? pending->remote : "?");
}

static char *
socket_remote (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = NULL;

  if (socket != NULL)
    address = g_socket_get_remote_address (socket, NULL);
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;

  return g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

static void
pending_remove (PsRendezvousServer *self,
                SoupServerMessage  *message)
{
  Pending *pending = g_hash_table_lookup (self->pending, message);

  if (pending == NULL)
    return;

  g_object_weak_unref (G_OBJECT (message), on_pending_message_finalized, pending);
  g_hash_table_remove (self->pending, message);
}

static gboolean
on_pending_timeout_cb (gpointer user_data)
{
  Pending *pending = user_data;
  PsRendezvousServer *self = pending->server;

  pending->timeout_id = 0;
  g_debug ("No WebSocket upgrade within %u s, dropping the connection",
           self->limits.handshake_timeout);
  if (pending->socket != NULL)
    g_socket_shutdown (pending->socket, TRUE, TRUE, NULL);
  pending_remove (self, pending->message);

  return G_SOURCE_REMOVE;
}

/* libsoup before 3.4 keeps the reference g_socket_accept() gave it to
 * every socket it accepts, so each connection leaks a GSocket (fixed
 * upstream by "soup-listener: Plug a leak", b545d5f0): a slow leak anyone
 * can drive.  At a connection's first request the socket then has two
 * references, that one and its SoupServerConnection's, where a fixed
 * libsoup has one: only then, and only on 3.2 or 3.3, is the extra one
 * given back. */
static void
give_back_leaked_socket_reference (GSocket *socket)
{
  static GQuark seen_quark;

  if (soup_get_major_version () != 3 || soup_get_minor_version () >= 4)
    return;

  if (seen_quark == 0)
    seen_quark = g_quark_from_static_string ("ps-rendezvous-socket-seen");
  if (g_object_get_qdata (G_OBJECT (socket), seen_quark) != NULL)
    return;
  g_object_set_qdata (G_OBJECT (socket), seen_quark, GINT_TO_POINTER (1));

  if (g_atomic_int_get (&G_OBJECT (socket)->ref_count) == 2)
    g_object_unref (socket);
}

static guint
count_connections (PsRendezvousServer *self)
{
  return g_hash_table_size (self->peers) + g_hash_table_size (self->pending);
}

/* Connections from REMOTE, upgraded or not: before any token is checked,
 * one address cannot take the server's whole connection budget */
static guint
count_from_address (PsRendezvousServer *self,
                    const char         *remote)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strcmp0 (((Pending *) value)->remote, remote) == 0)
      n++;
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strcmp0 (ps_rendezvous_peer_get_remote (value), remote) == 0)
      n++;

  return n;
}

/* Each request, from the moment its connection is accepted (before TLS)
 * until its WebSocket upgrade, has handshake_timeout seconds. */
static void
on_request_started_cb (PsRendezvousServer *self,
                       SoupServerMessage  *message)
{
  GSocket *socket = soup_server_message_get_socket (message);
  g_autofree char *remote = NULL;
  Pending *pending;

  if (socket != NULL)
    give_back_leaked_socket_reference (socket);

  if (count_connections (self) >= self->limits.max_connections)
    {
      g_message ("Refusing a connection: %u connections already", count_connections (self));
      if (socket != NULL)
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
      return;
    }

  remote = socket_remote (socket);
  if (remote != NULL &&
      count_from_address (self, remote) >= self->limits.max_connections_per_address)
    {
      g_message ("Refusing %s: %u connections from that address already", remote,
                 count_from_address (self, remote));
      g_socket_shutdown (socket, TRUE, TRUE, NULL);
      return;
    }

  pending = g_new0 (Pending, 1);
  pending->server = self;
  pending->message = message;
  pending->socket = socket != NULL ? g_object_ref (socket) : NULL;
  pending->remote = g_steal_pointer (&remote);
  pending->timeout_id = g_timeout_add_seconds (self->limits.handshake_timeout,
                                               on_pending_timeout_cb, pending);
  g_object_weak_ref (G_OBJECT (message), on_pending_message_finalized, pending);
  g_hash_table_replace (self->pending, message, pending);
}

/* Peers */

static guint
count_account_peers (PsRendezvousServer *self,
                     const char         *account)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (strcmp (ps_rendezvous_peer_get_account (value), account) == 0)
      n++;

  return n;
}

/* An open peer of that account, or NULL whether it does not exist or
 * belongs to another account. */
static PsRendezvousPeer *
find_peer (PsRendezvousServer *self,
           const char         *account,
           const char         *id)
{
  PsRendezvousPeer *peer = id != NULL ? g_hash_table_lookup (self->peers, id) : NULL;

  if (peer == NULL || !ps_rendezvous_peer_is_open (peer)
      || strcmp (ps_rendezvous_peer_get_account (peer), account) != 0)
    return NULL;

  return peer;
}

static void
send_error (PsRendezvousPeer *peer,
            const char       *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
send_error (PsRendezvousPeer *peer,
            const char       *format,
            ...)
{
  g_autoptr(PsSignallingMessage) message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_ERROR);
  va_list args;

  va_start (args, format);
  message->details = g_strdup_vprintf (format, args);
  va_end (args);

  g_debug ("Peer %s: error: %s", ps_rendezvous_peer_get_id (peer), message->details);
  ps_rendezvous_peer_send (peer, message);
}

/* to every listener of the account, itself included */
static void
broadcast_status (PsRendezvousServer *self,
                  const char         *account,
                  const char         *peer_id,
                  PsSignallingRoles   roles,
                  JsonNode           *meta)
{
  g_autoptr(PsSignallingMessage) message = NULL;
  g_autoptr(GPtrArray) listeners = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED);
  message->peer_id = g_strdup (peer_id);
  message->roles = roles;
  message->meta = meta != NULL ? json_node_copy (meta) : NULL;

  /* sending may cut a peer off: not while walking the table */
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if ((ps_rendezvous_peer_get_roles (value) & PS_SIGNALLING_ROLE_LISTENER)
        && strcmp (ps_rendezvous_peer_get_account (value), account) == 0)
      g_ptr_array_add (listeners, g_object_ref (value));

  for (guint i = 0; i < listeners->len; i++)
    ps_rendezvous_peer_send (g_ptr_array_index (listeners, i), message);
}

/* Removes the session and tells the peer at the other end; ender is the
 * peer that ended it (or went away). */
static void
end_session (PsRendezvousServer *self,
             const char         *id,
             PsRendezvousPeer   *ender,
             const char         *error_text)
{
  g_autoptr(PsSignallingMessage) message = NULL;
  g_autofree char *session_id = g_strdup (id);
  Session *session = g_hash_table_lookup (self->sessions, session_id);
  PsRendezvousPeer *other;

  if (session == NULL)
    return;

  /* the ender may have left the table already */
  other = g_hash_table_lookup (self->peers,
                               strcmp (ps_rendezvous_peer_get_id (ender), session->producer) == 0
                                 ? session->consumer : session->producer);
  ps_rendezvous_peer_remove_session (ender, session_id);
  if (other != NULL)
    ps_rendezvous_peer_remove_session (other, session_id);

  g_debug ("Session %s ended by %s", session_id, ps_rendezvous_peer_get_id (ender));

  if (other != NULL)
    {
      if (ps_rendezvous_peer_get_version (other) >= PS_SIGNALLING_VERSION_1_1)
        {
          message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_END_SESSION_V1_1);
          message->details = g_strdup (error_text);
        }
      else
        message = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_END_SESSION);
      message->session_id = g_strdup (session_id);
    }

  g_hash_table_remove (self->sessions, session_id);

  if (message != NULL)
    ps_rendezvous_peer_send (other, message);
}

/* as_producer: the sessions it produces, or else those it consumes */
static void
end_peer_sessions (PsRendezvousServer *self,
                   PsRendezvousPeer   *peer,
                   gboolean            as_producer)
{
  g_auto(GStrv) ids = ps_rendezvous_peer_dup_sessions (peer);
  const char *peer_id = ps_rendezvous_peer_get_id (peer);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      Session *session = g_hash_table_lookup (self->sessions, ids[i]);

      if (session != NULL
          && strcmp (as_producer ? session->producer : session->consumer, peer_id) == 0)
        end_session (self, ids[i], peer, NULL);
    }
}

static gboolean
meta_equal (JsonNode *a,
            JsonNode *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return json_node_equal (a, b);
}

static void
set_peer_status (PsRendezvousServer  *self,
                 PsRendezvousPeer    *peer,
                 PsSignallingMessage *message)
{
  PsSignallingRoles old_roles = ps_rendezvous_peer_get_roles (peer);
  PsSignallingRoles roles = message->roles;

  if (roles == old_roles && meta_equal (message->meta, ps_rendezvous_peer_get_meta (peer)))
    return;

  if ((roles & PS_SIGNALLING_ROLE_PRODUCER) && (roles & PS_SIGNALLING_ROLE_CONSUMER))
    {
      send_error (peer, "Cannot register peer %s as both producer and passive consumer",
                  ps_rendezvous_peer_get_id (peer));
      return;
    }

  if ((old_roles & PS_SIGNALLING_ROLE_PRODUCER) && !(roles & PS_SIGNALLING_ROLE_PRODUCER))
    end_peer_sessions (self, peer, TRUE);
  else if ((old_roles & PS_SIGNALLING_ROLE_CONSUMER) && !(roles & PS_SIGNALLING_ROLE_CONSUMER))
    end_peer_sessions (self, peer, FALSE);

  ps_rendezvous_peer_set_status (peer, roles, message->meta);
  g_message ("Peer %s (account %s) registered as%s%s%s%s", ps_rendezvous_peer_get_id (peer),
             ps_rendezvous_peer_get_account (peer),
             (roles & PS_SIGNALLING_ROLE_PRODUCER) ? " producer" : "",
             (roles & PS_SIGNALLING_ROLE_LISTENER) ? " listener" : "",
             (roles & PS_SIGNALLING_ROLE_CONSUMER) ? " consumer" : "",
             roles == 0 ? " nothing" : "");

  broadcast_status (self, ps_rendezvous_peer_get_account (peer), ps_rendezvous_peer_get_id (peer),
                    roles, message->meta);
}

static void
start_session (PsRendezvousServer  *self,
               PsRendezvousPeer    *peer,
               PsSignallingMessage *message)
{
  g_autoptr(PsSignallingMessage) started = NULL;
  g_autoptr(PsSignallingMessage) start = NULL;
  g_autoptr(PsRendezvousPeer) hold_producer = NULL;
  g_autoptr(PsRendezvousPeer) hold_consumer = NULL;
  const char *account = ps_rendezvous_peer_get_account (peer);
  PsRendezvousPeer *target = find_peer (self, account, message->peer_id);
  PsRendezvousPeer *producer;
  PsRendezvousPeer *consumer;
  Session *session;

  if (target == NULL || target == peer)
    {
      send_error (peer, "Peer with ID '%s' not found", message->peer_id);
      return;
    }

  if (ps_rendezvous_peer_get_roles (target) & PS_SIGNALLING_ROLE_PRODUCER)
    producer = target, consumer = peer;
  else if (ps_rendezvous_peer_get_roles (target) & PS_SIGNALLING_ROLE_CONSUMER)
    producer = peer, consumer = target;
  else
    {
      send_error (peer, "Peer %s is neither a producer nor a passive consumer", message->peer_id);
      return;
    }

  if (ps_rendezvous_peer_get_n_sessions (peer) >= self->limits.max_sessions_per_peer
      || ps_rendezvous_peer_get_n_sessions (target) >= self->limits.max_sessions_per_peer)
    {
      send_error (peer, "Too many sessions (at most %u per peer)",
                  self->limits.max_sessions_per_peer);
      return;
    }

  session = g_new0 (Session, 1);
  session->id = g_uuid_string_random ();
  session->account = g_strdup (account);
  session->producer = g_strdup (ps_rendezvous_peer_get_id (producer));
  session->consumer = g_strdup (ps_rendezvous_peer_get_id (consumer));
  g_hash_table_insert (self->sessions, session->id, session);
  ps_rendezvous_peer_add_session (producer, session->id);
  ps_rendezvous_peer_add_session (consumer, session->id);

  g_message ("Session %s (account %s): producer %s, consumer %s", session->id, account,
             session->producer, session->consumer);

  started = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_SESSION_STARTED);
  started->peer_id = g_strdup (session->producer);
  started->session_id = g_strdup (session->id);
  start = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_START_SESSION);
  start->peer_id = g_strdup (session->consumer);
  start->session_id = g_strdup (session->id);
  start->offer = g_strdup (message->offer);

  hold_producer = g_object_ref (producer);
  hold_consumer = g_object_ref (consumer);
  ps_rendezvous_peer_send (consumer, started);
  ps_rendezvous_peer_send (producer, start);
}

/* The session, when the peer is in it; a session of another account or
 * of other peers is as unknown as one that never was. */
static Session *
find_session (PsRendezvousServer *self,
              PsRendezvousPeer   *peer,
              const char         *session_id)
{
  Session *session = g_hash_table_lookup (self->sessions, session_id);
  const char *peer_id = ps_rendezvous_peer_get_id (peer);

  if (session == NULL
      || (strcmp (session->producer, peer_id) != 0 && strcmp (session->consumer, peer_id) != 0))
    {
      g_debug ("Peer %s: no session %s", peer_id, session_id);
      return NULL;
    }

  return session;
}

static void
relay_peer_message (PsRendezvousServer  *self,
                    PsRendezvousPeer    *peer,
                    PsSignallingMessage *message)
{
  Session *session = find_session (self, peer, message->session_id);
  gboolean from_producer;
  PsRendezvousPeer *other;

  if (session == NULL)
    return;

  from_producer = strcmp (session->producer, ps_rendezvous_peer_get_id (peer)) == 0;
  if (message->sdp_type == PS_SIGNALLING_SDP_OFFER && !from_producer)
    {
      send_error (peer, "Cannot forward an offer from %s: it is not the producer of session %s",
                  ps_rendezvous_peer_get_id (peer), session->id);
      return;
    }

  other = g_hash_table_lookup (self->peers, from_producer ? session->consumer : session->producer);
  if (other != NULL)
    ps_rendezvous_peer_send (other, message);
}

static void
end_session_message (PsRendezvousServer  *self,
                     PsRendezvousPeer    *peer,
                     PsSignallingMessage *message)
{
  if (message->type == PS_SIGNALLING_MESSAGE_END_SESSION_V1_1
      && message->details != NULL
      && ps_rendezvous_peer_get_version (peer) < PS_SIGNALLING_VERSION_1_1)
    {
      send_error (peer, "Ending a session with an error needs protocol version 1.1");
      return;
    }

  if (find_session (self, peer, message->session_id) != NULL)
    end_session (self, message->session_id, peer, message->details);
}

static void
list_peers (PsRendezvousServer      *self,
            PsRendezvousPeer        *peer,
            PsSignallingMessageType  type)
{
  g_autoptr(PsSignallingMessage) answer = ps_signalling_message_new (type);
  PsSignallingRoles role = type == PS_SIGNALLING_MESSAGE_LIST ? PS_SIGNALLING_ROLE_PRODUCER
                                                               : PS_SIGNALLING_ROLE_CONSUMER;
  const char *account = ps_rendezvous_peer_get_account (peer);
  gsize size = 64;
  guint left_out = 0;
  GHashTableIter iter;
  gpointer value;

  /* the answer stays within what a client reads (PS_SIGNALLING_MAX_MESSAGE_SIZE) */
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      JsonNode *meta = ps_rendezvous_peer_get_meta (value);
      g_autofree char *meta_text = NULL;
      gsize entry_size;

      if (!(ps_rendezvous_peer_get_roles (value) & role) || !ps_rendezvous_peer_is_open (value)
          || strcmp (ps_rendezvous_peer_get_account (value), account) != 0)
        continue;

      meta_text = meta != NULL ? json_to_string (meta, FALSE) : NULL;
      entry_size = 32 + strlen (ps_rendezvous_peer_get_id (value))
                   + (meta_text != NULL ? strlen (meta_text) : 4);
      if (size + entry_size > PS_SIGNALLING_MAX_MESSAGE_SIZE
          || answer->peers->len >= PS_SIGNALLING_MAX_PEERS)
        {
          left_out++;
          continue;
        }

      size += entry_size;
      ps_signalling_message_add_peer (answer, ps_rendezvous_peer_get_id (value), meta);
    }

  if (left_out > 0)
    g_message ("Peer %s: %u peers left out of a list too long for one message",
               ps_rendezvous_peer_get_id (peer), left_out);

  ps_rendezvous_peer_send (peer, answer);
}

static void
on_peer_message_cb (PsRendezvousServer *self,
                    gpointer            data,
                    PsRendezvousPeer   *peer)
{
  g_autoptr(PsRendezvousPeer) hold = g_object_ref (peer);
  PsSignallingMessage *message = data;

  switch (message->type)
    {
    case PS_SIGNALLING_MESSAGE_SET_PROTOCOL_VERSION:
      if (ps_rendezvous_peer_has_spoken (peer))
        send_error (peer, "The protocol version can only be chosen in the first message");
      else
        ps_rendezvous_peer_set_version (peer, message->version);
      break;

    case PS_SIGNALLING_MESSAGE_SET_PEER_STATUS:
      set_peer_status (self, peer, message);
      break;

    case PS_SIGNALLING_MESSAGE_START_SESSION:
      start_session (self, peer, message);
      break;

    case PS_SIGNALLING_MESSAGE_PEER:
      relay_peer_message (self, peer, message);
      break;

    case PS_SIGNALLING_MESSAGE_END_SESSION:
    case PS_SIGNALLING_MESSAGE_END_SESSION_V1_1:
      end_session_message (self, peer, message);
      break;

    case PS_SIGNALLING_MESSAGE_LIST:
    case PS_SIGNALLING_MESSAGE_LIST_CONSUMERS:
      list_peers (self, peer, message->type);
      break;

    case PS_SIGNALLING_MESSAGE_WELCOME:
    case PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED:
    case PS_SIGNALLING_MESSAGE_SESSION_STARTED:
    case PS_SIGNALLING_MESSAGE_ERROR:
    default:
      /* the parser gives only messages to the server */
      g_assert_not_reached ();
    }

  ps_rendezvous_peer_set_spoken (peer);
}

static void
on_peer_closed_cb (PsRendezvousServer *self,
                   PsRendezvousPeer   *peer)
{
  g_autoptr(PsRendezvousPeer) hold = g_object_ref (peer);
  g_auto(GStrv) sessions = NULL;
  g_autofree char *id = NULL;
  gpointer table_peer = NULL;

  /* the key and the table's reference are ours now */
  if (!g_hash_table_steal_extended (self->peers, ps_rendezvous_peer_get_id (peer), (gpointer *) &id,
                                    &table_peer))
    return;
  g_object_unref (table_peer);

  g_signal_handlers_disconnect_by_data (peer, self);

  sessions = ps_rendezvous_peer_dup_sessions (peer);
  for (guint i = 0; sessions[i] != NULL; i++)
    end_session (self, sessions[i], peer, NULL);

  broadcast_status (self, ps_rendezvous_peer_get_account (peer), id, 0,
                    ps_rendezvous_peer_get_meta (peer));
}

/* The upgrade */

/* The token on the request, by header, query or path; NULL if none. */
static char *
find_token (SoupServerMessage *message,
            const char        *path,
            GHashTable        *query)
{
  const char *authorization;

  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                                "Authorization");
  if (authorization != NULL)
    {
      if (g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
        return NULL;
      return g_strstrip (g_strdup (authorization + 7));
    }

  if (query != NULL && g_hash_table_lookup (query, "token") != NULL)
    return g_strdup (g_hash_table_lookup (query, "token"));

  if (path != NULL && g_str_has_prefix (path, "/token/") && strchr (path + 7, '/') == NULL)
    return g_strdup (path + 7);

  return NULL;
}

/* The answer ends the connection: it no longer counts */
static void
refuse (PsRendezvousServer *self,
        SoupServerMessage  *message,
        guint               status,
        const char         *text)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  pending_remove (self, message);

  soup_server_message_set_status (message, status, NULL);
  soup_message_headers_replace (headers, "Connection", "close");
  if (status == SOUP_STATUS_UNAUTHORIZED)
    soup_message_headers_replace (headers, "WWW-Authenticate",
                                  "Bearer realm=\"peerscope-rendezvous\"");
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
on_upgraded_cb (SoupServerMessage  *message,
                PsRendezvousServer *self)
{
  g_autoptr(GIOStream) base = NULL;
  g_autoptr(PsRendezvousStream) stream = NULL;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(PsSignallingMessage) welcome = NULL;
  g_autofree char *account = g_strdup (g_object_get_data (G_OBJECT (message), ACCOUNT_KEY));
  g_autofree char *remote = dup_remote (self, message);
  const char *origin;
  PsRendezvousPeer *peer;
  gboolean over;

  g_signal_handlers_disconnect_by_func (message, on_upgraded_cb, self);
  if (account == NULL
      || soup_server_message_get_status (message) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return;

  pending_remove (self, message);
  origin = soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                         "Origin");
  base = soup_server_message_steal_connection (message);
  if (base == NULL)
    return;

  stream = ps_rendezvous_stream_new (base, self->limits.max_message_size, self->limits.rate,
                                     self->limits.burst);
  connection = soup_websocket_connection_new (G_IO_STREAM (stream),
                                              soup_server_message_get_uri (message),
                                              SOUP_WEBSOCKET_CONNECTION_SERVER, origin, NULL, NULL);
  /* the stream stops larger messages first, with an error; this is libsoup's own backstop */
  soup_websocket_connection_set_max_incoming_payload_size (
    connection, 2 * (guint64) self->limits.max_message_size);

  /* both caps again: other upgrades may have completed meanwhile */
  over = g_hash_table_size (self->peers) >= self->limits.max_connections
         || count_account_peers (self, account) >= self->limits.max_connections_per_account;

  peer = ps_rendezvous_peer_new (connection, stream, account, remote, self->limits.idle_timeout,
                                 self->limits.max_backlog);
  g_hash_table_insert (self->peers, g_strdup (ps_rendezvous_peer_get_id (peer)), peer);
  g_signal_connect_object (peer, "message", G_CALLBACK (on_peer_message_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (peer, "closed", G_CALLBACK (on_peer_closed_cb), self,
                           G_CONNECT_SWAPPED);

  if (over)
    {
      send_error (peer, "Too many connections");
      ps_rendezvous_peer_close (peer, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                "too many connections");
      return;
    }

  g_message ("Peer %s (%s) joined account %s", ps_rendezvous_peer_get_id (peer),
             ps_rendezvous_peer_get_remote (peer), account);
  welcome = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_WELCOME);
  welcome->peer_id = g_strdup (ps_rendezvous_peer_get_id (peer));
  ps_rendezvous_peer_send (peer, welcome);
}

static void
on_request_cb (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  PsRendezvousServer *self = user_data;
  g_autofree char *token = find_token (message, path, query);
  g_autofree char *remote = dup_remote (self, message);
  const char *account = token != NULL ? ps_token_file_lookup (self->tokens, token) : NULL;

  if (account == NULL)
    {
      g_message ("Refusing %s: %s", remote, token != NULL ? "unknown token" : "no token");
      refuse (self, message, SOUP_STATUS_UNAUTHORIZED, "A valid account token is needed\n");
      return;
    }

  if (g_hash_table_size (self->peers) >= self->limits.max_connections
      || count_account_peers (self, account) >= self->limits.max_connections_per_account)
    {
      g_message ("Refusing %s: too many connections (account %s)", remote, account);
      refuse (self, message, SOUP_STATUS_SERVICE_UNAVAILABLE, "Too many connections\n");
      return;
    }

  /* no extensions: permessage-deflate would inflate past every limit */
  if (!soup_websocket_server_process_handshake (message, NULL, NULL, NULL, NULL))
    return;

  g_object_set_data_full (G_OBJECT (message), ACCOUNT_KEY, g_strdup (account), g_free);
  g_signal_connect_object (message, "wrote-informational", G_CALLBACK (on_upgraded_cb), self, 0);
}

/* The server */

static void
ps_rendezvous_server_dispose (GObject *object)
{
  PsRendezvousServer *self = PS_RENDEZVOUS_SERVER (object);
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  if (self->pending != NULL)
    {
      g_hash_table_iter_init (&iter, self->pending);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_object_weak_unref (key, on_pending_message_finalized, value);
      g_hash_table_remove_all (self->pending);
    }

  if (self->peers != NULL)
    {
      g_hash_table_iter_init (&iter, self->peers);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_signal_handlers_disconnect_by_data (value, self);
      g_hash_table_remove_all (self->peers);
    }

  if (self->soup != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->soup, self);
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }
  g_clear_object (&self->tokens);

  G_OBJECT_CLASS (ps_rendezvous_server_parent_class)->dispose (object);
}

static void
ps_rendezvous_server_finalize (GObject *object)
{
  PsRendezvousServer *self = PS_RENDEZVOUS_SERVER (object);

  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);

  G_OBJECT_CLASS (ps_rendezvous_server_parent_class)->finalize (object);
}

static void
ps_rendezvous_server_class_init (PsRendezvousServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_rendezvous_server_dispose;
  object_class->finalize = ps_rendezvous_server_finalize;
}

static void
ps_rendezvous_server_init (PsRendezvousServer *self)
{
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, session_free);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, pending_free);
}

/* certificate: for wss, or NULL */
PsRendezvousServer *
ps_rendezvous_server_new (PsTokenFile              *tokens,
                          const PsRendezvousLimits *limits,
                          GTlsCertificate          *certificate)
{
  PsRendezvousServer *self;

  g_return_val_if_fail (PS_IS_TOKEN_FILE (tokens), NULL);
  g_return_val_if_fail (limits != NULL && ps_rendezvous_limits_check (limits, NULL), NULL);
  g_return_val_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate), NULL);

  self = g_object_new (PS_TYPE_RENDEZVOUS_SERVER, NULL);
  self->tokens = g_object_ref (tokens);
  self->limits = *limits;
  self->tls = certificate != NULL;
  self->soup = soup_server_new ("server-header", "peerscope-rendezvous",
                                "tls-certificate", certificate,
                                NULL);

  g_signal_connect_object (self->soup, "request-started", G_CALLBACK (on_request_started_cb), self,
                           G_CONNECT_SWAPPED);
  soup_server_add_handler (self->soup, NULL, on_request_cb, self, NULL);

  return self;
}

gboolean
ps_rendezvous_server_listen (PsRendezvousServer  *self,
                             GSocketAddress      *address,
                             GError             **error)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), FALSE);

  return soup_server_listen (self->soup, address, self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error);
}

static char *
socket_uri (GSocket  *socket,
            gboolean  tls)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (socket, NULL);
  g_autofree char *host = NULL;
  GInetAddress *inet;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  host = g_inet_address_to_string (inet);

  return g_strdup_printf (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6
                            ? "%s://[%s]:%u" : "%s://%s:%u",
                          tls ? "wss" : "ws", host,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

/* ws://HOST:PORT (wss with TLS) of each listening socket, in the order they
 * were added, with the port the system chose when asked for 0 */
GStrv
ps_rendezvous_server_dup_uris (PsRendezvousServer *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GSList) listeners = NULL;

  g_return_val_if_fail (PS_IS_RENDEZVOUS_SERVER (self), NULL);

  listeners = soup_server_get_listeners (self->soup);
  for (GSList *l = listeners; l != NULL; l = l->next)
    {
      g_autofree char *uri = socket_uri (l->data, self->tls);

      if (uri != NULL)
        g_strv_builder_add (builder, uri);
    }

  return g_strv_builder_end (builder);
}

/* New tokens (the file was read again): the peers of accounts that are
 * gone are closed, the others stay. */
void
ps_rendezvous_server_set_tokens (PsRendezvousServer *self,
                                 PsTokenFile        *tokens)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (PS_IS_RENDEZVOUS_SERVER (self));
  g_return_if_fail (PS_IS_TOKEN_FILE (tokens));

  g_set_object (&self->tokens, tokens);

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!ps_token_file_has_account (tokens, ps_rendezvous_peer_get_account (value)))
      g_ptr_array_add (gone, g_object_ref (value));

  for (guint i = 0; i < gone->len; i++)
    ps_rendezvous_peer_close (g_ptr_array_index (gone, i), SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                              "account removed");
}

guint
ps_rendezvous_server_get_n_peers (PsRendezvousServer *self)
{
  g_return_val_if_fail (PS_IS_RENDEZVOUS_SERVER (self), 0);

  return g_hash_table_size (self->peers);
}

/* Stops listening and closes every peer (1001, going away); the peers
 * leave as their connections close. */
void
ps_rendezvous_server_close_all (PsRendezvousServer *self)
{
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (PS_IS_RENDEZVOUS_SERVER (self));

  soup_server_disconnect (self->soup);

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (peers, g_object_ref (value));

  for (guint i = 0; i < peers->len; i++)
    ps_rendezvous_peer_close (g_ptr_array_index (peers, i), SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                              "server shutting down");
}
