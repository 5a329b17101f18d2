/* ps-session-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-session-source"

#include "config.h"

#include "ps-session-source.h"

typedef struct
{
  PsIpAddress local;
  PsIpAddress remote;
  guint16     port;
  guint8      ip_protocol;
  guint64     bytes;
  guint64     packets;
  gboolean    reported;
} Session;

struct _PsSessionSource
{
  GObject     parent_instance;

  GHashTable *sessions;    /* id -> Session */
  gboolean    started;
};

static void ps_session_source_flow_source_init (PsFlowSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PsSessionSource, ps_session_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PS_TYPE_FLOW_SOURCE,
                                                      ps_session_source_flow_source_init))

static gboolean
ps_session_source_start (PsFlowSource  *source,
                         GError       **error)
{
  PS_SESSION_SOURCE (source)->started = TRUE;
  return TRUE;
}

static void
ps_session_source_stop (PsFlowSource *source)
{
  PS_SESSION_SOURCE (source)->started = FALSE;
}

static void
ps_session_source_flow_source_init (PsFlowSourceInterface *iface)
{
  iface->start = ps_session_source_start;
  iface->stop = ps_session_source_stop;
}

static void
ps_session_source_finalize (GObject *object)
{
  g_hash_table_unref (PS_SESSION_SOURCE (object)->sessions);

  G_OBJECT_CLASS (ps_session_source_parent_class)->finalize (object);
}

static void
ps_session_source_class_init (PsSessionSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_session_source_finalize;
}

static void
ps_session_source_init (PsSessionSource *self)
{
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

PsSessionSource *
ps_session_source_new (void)
{
  return g_object_new (PS_TYPE_SESSION_SOURCE, NULL);
}

/* Our own address towards REMOTE, as the routing table picks it: a UDP
 * socket's connect() sends nothing. */
static gboolean
local_address_for (const PsIpAddress *remote,
                   PsIpAddress       *local)
{
  g_autoptr(GInetAddress) inet = ps_ip_address_to_inet (remote);
  g_autoptr(GSocketAddress) to = NULL;
  g_autoptr(GSocketAddress) from = NULL;
  g_autoptr(GSocket) socket = NULL;

  if (inet == NULL)
    return FALSE;

  to = g_inet_socket_address_new (inet, 9);
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, NULL);
  if (socket == NULL || !g_socket_connect (socket, to, NULL, NULL))
    return FALSE;

  from = g_socket_get_local_address (socket, NULL);
  if (from == NULL)
    return FALSE;

  ps_ip_address_from_inet (local, g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from)));
  return TRUE;
}

void
ps_session_source_update (PsSessionSource *self,
                          const char      *session,
                          const char      *remote,
                          guint16          port,
                          guint8           ip_protocol,
                          guint64          bytes_in,
                          guint64          packets_in)
{
  PsFlowRecord record;
  Session *state;
  gint64 now_ms;

  g_return_if_fail (PS_IS_SESSION_SOURCE (self));
  g_return_if_fail (session != NULL);

  if (!self->started || remote == NULL)
    return;

  state = g_hash_table_lookup (self->sessions, session);
  if (state == NULL)
    {
      Session fresh = { 0 };

      if (!ps_ip_address_parse (&fresh.remote, remote) || !local_address_for (&fresh.remote, &fresh.local))
        return;
      fresh.port = port;
      fresh.ip_protocol = ip_protocol;
      state = g_memdup2 (&fresh, sizeof fresh);
      g_hash_table_insert (self->sessions, g_strdup (session), state);
    }

  /* a stream that restarted counts from zero again */
  if (bytes_in < state->bytes || packets_in < state->packets)
    state->bytes = state->packets = 0;
  if (state->reported && bytes_in == state->bytes)
    return;

  now_ms = g_get_real_time () / 1000;
  ps_flow_record_init (&record, PS_FLOW_ORIGIN_SESSION);
  record.ip_protocol = state->ip_protocol;
  record.src = state->local;
  record.dst = state->remote;
  record.dst_port = state->port;
  record.reply_bytes = bytes_in - state->bytes;
  record.reply_packets = packets_in - state->packets;
  record.new_flow = !state->reported;
  record.first_ms = now_ms;
  record.last_ms = now_ms;

  state->bytes = bytes_in;
  state->packets = packets_in;
  state->reported = TRUE;

  ps_flow_source_emit_records (PS_FLOW_SOURCE (self), &record, 1);
}

void
ps_session_source_end (PsSessionSource *self,
                       const char      *session)
{
  g_return_if_fail (PS_IS_SESSION_SOURCE (self));

  g_hash_table_remove (self->sessions, session);
}
