/* ps-flow-collector.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-flow-collector"

#include "config.h"

#include <gio/gnetworking.h>

#include "ps-flow-collector.h"

#define BATCH          64              /* datagrams per wakeup */
#define MAX_DATAGRAM   PS_NETFLOW_MAX_DATAGRAM
#define RECEIVE_BUFFER (8 * 1024 * 1024)

struct _PsFlowCollector
{
  GObject               parent_instance;

  char                 *address;       /* NULL: every address */
  guint16               port;
  guint16               bound_port;

  GSocket              *socket;
  GSource              *source;
  PsNetflowDecoder     *decoder;
  GArray               *records;       /* PsFlowRecord, one batch per wakeup */
  PsFlowCollectorStats  stats;

  guint8               *buffers;       /* BATCH x MAX_DATAGRAM */
  GInputVector          vectors[BATCH];
  GInputMessage         messages[BATCH];
  GSocketAddress       *senders[BATCH];
};

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_BOUND_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ps_flow_collector_flow_source_init (PsFlowSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PsFlowCollector, ps_flow_collector, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PS_TYPE_FLOW_SOURCE,
                                                      ps_flow_collector_flow_source_init))

static gboolean
on_socket_readable_cb (GSocket      *socket,
                       GIOCondition  condition,
                       gpointer      user_data)
{
  PsFlowCollector *self = PS_FLOW_COLLECTOR (user_data);
  g_autoptr(GError) error = NULL;
  gint64 now_ms;
  gint n;

  n = g_socket_receive_messages (socket, self->messages, BATCH, G_SOCKET_MSG_NONE,
                                 NULL, &error);
  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          self->stats.receive_errors++;
          g_debug ("receiving: %s", error->message);
        }
      return G_SOURCE_CONTINUE;
    }

  now_ms = g_get_monotonic_time () / 1000;
  g_array_set_size (self->records, 0);

  for (gint i = 0; i < n; i++)
    {
      g_autoptr(GError) decode_error = NULL;
      PsIpAddress exporter = { 0 };

      self->stats.datagrams++;
      if (G_IS_INET_SOCKET_ADDRESS (self->senders[i]))
        {
          GInetSocketAddress *sender = G_INET_SOCKET_ADDRESS (self->senders[i]);

          ps_ip_address_from_inet (&exporter, g_inet_socket_address_get_address (sender));
        }

      if (!ps_netflow_decoder_decode (self->decoder, &exporter, self->vectors[i].buffer,
                                      self->messages[i].bytes_received, now_ms,
                                      self->records, &decode_error))
        {
          char text[PS_IP_ADDRESS_STRLEN];

          self->stats.bad_datagrams++;
          g_debug ("datagram from %s: %s", ps_ip_address_format (&exporter, text),
                   decode_error->message);
        }
      g_clear_object (&self->senders[i]);
    }

  if (self->records->len > 0)
    {
      /* a handler may stop or drop the collector */
      g_object_ref (self);
      self->stats.batches++;
      ps_flow_source_emit_records (PS_FLOW_SOURCE (self),
                                   (const PsFlowRecord *) (gpointer) self->records->data,
                                   self->records->len);
      g_object_unref (self);
    }

  return G_SOURCE_CONTINUE;
}

static GSocket *
bind_udp (GInetAddress  *inet,
          guint16        port,
          GError       **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;

  /* an IPv6 GSocket is dual-stack (IPV6_V6ONLY off) where the system allows */
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL)
    return NULL;

  g_socket_set_blocking (socket, FALSE);

  /* exporters send in bursts; SO_RCVBUF is capped at net.core.rmem_max,
   * SO_RCVBUFFORCE (Linux, CAP_NET_ADMIN: a daemon run as root) is not */
#ifdef SO_RCVBUFFORCE
  if (!g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER, NULL))
#endif
    if (!g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, RECEIVE_BUFFER, &local_error))
      g_debug ("SO_RCVBUF: %s", local_error->message);

  address = g_inet_socket_address_new (inet, port);
  /* no SO_REUSEPORT: a second collector must not silently take half the flows */
  if (!g_socket_bind (socket, address, FALSE, error))
    return NULL;

  return g_steal_pointer (&socket);
}

static gboolean
ps_flow_collector_start (PsFlowSource  *source,
                         GError       **error)
{
  PsFlowCollector *self = PS_FLOW_COLLECTOR (source);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) local = NULL;

  if (self->socket != NULL)
    return TRUE;

  if (self->address != NULL)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (self->address);

      if (inet == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s” is not an IP address", self->address);
          return FALSE;
        }
      socket = bind_udp (inet, self->port, error);
    }
  else
    {
      g_autoptr(GInetAddress) any6 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
      g_autoptr(GError) v6_error = NULL;

      socket = bind_udp (any6, self->port, &v6_error);
      if (socket == NULL)
        {
          g_autoptr(GInetAddress) any4 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);

          g_debug ("no IPv6 socket (%s), IPv4 only", v6_error->message);
          socket = bind_udp (any4, self->port, error);
        }
    }
  if (socket == NULL)
    return FALSE;

  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return FALSE;

  if (self->buffers == NULL)
    {
      self->buffers = g_malloc ((gsize) BATCH * MAX_DATAGRAM);
      for (guint i = 0; i < BATCH; i++)
        {
          self->vectors[i].buffer = self->buffers + (gsize) i * MAX_DATAGRAM;
          self->vectors[i].size = MAX_DATAGRAM;
          self->messages[i] = (GInputMessage) {
            .address = &self->senders[i],
            .vectors = &self->vectors[i],
            .num_vectors = 1,
          };
        }
    }

  self->socket = g_steal_pointer (&socket);
  self->bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  self->source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->source, G_SOURCE_FUNC (on_socket_readable_cb), self, NULL);
  g_source_set_static_name (self->source, "[peerscope] flow collector");
  g_source_attach (self->source, g_main_context_get_thread_default ());

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOUND_PORT]);

  return TRUE;
}

static void
ps_flow_collector_stop (PsFlowSource *source)
{
  PsFlowCollector *self = PS_FLOW_COLLECTOR (source);

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  if (self->socket != NULL)
    {
      g_socket_close (self->socket, NULL);
      g_clear_object (&self->socket);
    }
  if (self->bound_port != 0)
    {
      self->bound_port = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOUND_PORT]);
    }
}

static void
ps_flow_collector_flow_source_init (PsFlowSourceInterface *iface)
{
  iface->start = ps_flow_collector_start;
  iface->stop = ps_flow_collector_stop;
  /* no flush: NetFlow has nothing to dump, exporters push */
}

static void
ps_flow_collector_dispose (GObject *object)
{
  ps_flow_collector_stop (PS_FLOW_SOURCE (object));

  G_OBJECT_CLASS (ps_flow_collector_parent_class)->dispose (object);
}

static void
ps_flow_collector_finalize (GObject *object)
{
  PsFlowCollector *self = PS_FLOW_COLLECTOR (object);

  g_clear_pointer (&self->decoder, ps_netflow_decoder_free);
  g_clear_pointer (&self->records, g_array_unref);
  g_clear_pointer (&self->buffers, g_free);
  g_clear_pointer (&self->address, g_free);

  G_OBJECT_CLASS (ps_flow_collector_parent_class)->finalize (object);
}

static void
ps_flow_collector_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PsFlowCollector *self = PS_FLOW_COLLECTOR (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_BOUND_PORT:
      g_value_set_uint (value, self->bound_port);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_flow_collector_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PsFlowCollector *self = PS_FLOW_COLLECTOR (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_free (self->address);
      self->address = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = (guint16) g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_flow_collector_class_init (PsFlowCollectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_flow_collector_dispose;
  object_class->finalize = ps_flow_collector_finalize;
  object_class->get_property = ps_flow_collector_get_property;
  object_class->set_property = ps_flow_collector_set_property;

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL,
                       0, G_MAXUINT16, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BOUND_PORT] =
    g_param_spec_uint ("bound-port", NULL, NULL,
                       0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ps_flow_collector_init (PsFlowCollector *self)
{
  g_networking_init ();

  self->decoder = ps_netflow_decoder_new ();
  self->records = g_array_sized_new (FALSE, FALSE, sizeof (PsFlowRecord), 256);
}

PsFlowCollector *
ps_flow_collector_new (const char *address,
                       guint16     port)
{
  return g_object_new (PS_TYPE_FLOW_COLLECTOR,
                       "address", address,
                       "port", (guint) port,
                       NULL);
}

const char *
ps_flow_collector_get_address (PsFlowCollector *self)
{
  g_return_val_if_fail (PS_IS_FLOW_COLLECTOR (self), NULL);

  return self->address;
}

guint16
ps_flow_collector_get_port (PsFlowCollector *self)
{
  g_return_val_if_fail (PS_IS_FLOW_COLLECTOR (self), 0);

  return self->port;
}

guint16
ps_flow_collector_get_bound_port (PsFlowCollector *self)
{
  g_return_val_if_fail (PS_IS_FLOW_COLLECTOR (self), 0);

  return self->bound_port;
}

void
ps_flow_collector_get_stats (PsFlowCollector      *self,
                             PsFlowCollectorStats *stats)
{
  g_return_if_fail (PS_IS_FLOW_COLLECTOR (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
  ps_netflow_decoder_get_stats (self->decoder, &stats->decoder);
}

PsNetflowDecoder *
ps_flow_collector_get_decoder (PsFlowCollector *self)
{
  g_return_val_if_fail (PS_IS_FLOW_COLLECTOR (self), NULL);

  return self->decoder;
}
