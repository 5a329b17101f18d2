/* ps-gateway-service.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-gateway-service"

#include "config.h"

#include "ps-conntrack-source.h"
#include "ps-gateway-dbus.h"
#include "ps-gateway-protocol.h"
#include "ps-gateway-service.h"

/* Every subscriber costs a conntrack event socket and a dump every few
 * seconds; calls waiting for polkit cost little but must not pile up. */
#define MAX_SUBSCRIBERS            16
#define MAX_SUBSCRIPTIONS_PER_NAME 64
#define MAX_PENDING_CALLS          64

typedef struct
{
  PsGatewayService  *service;        /* unowned: it owns us */
  char              *name;           /* unique bus name */
  guint              watch_id;
  guint              count;          /* Subscribe calls not undone yet */
  PsConntrackSource *source;
  guint64            records_sent;
  guint64            signals_sent;
} Subscriber;

struct _PsGatewayService
{
  GObject           parent_instance;

  GDBusConnection  *connection;
  PsGatewayBus      bus;
  PsGateway1Flows  *skeleton;
  GHashTable       *subscribers;     /* unique name -> Subscriber */
  guint             pending_calls;   /* authorising or dumping */
  gboolean          idle;
  guint64           records_sent;    /* by subscribers that left */
  guint64           signals_sent;
};

typedef void (*AuthorizedFunc) (PsGatewayService      *self,
                                GDBusMethodInvocation *invocation);

/* One method call on its way through authorisation. */
typedef struct
{
  PsGatewayService      *self;
  GDBusMethodInvocation *invocation;
  AuthorizedFunc         func;
} AuthCall;

enum {
  PROP_0,
  PROP_IDLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PsGatewayService, ps_gateway_service, G_TYPE_OBJECT)

static void
ps_gateway_service_update_idle (PsGatewayService *self)
{
  gboolean idle = g_hash_table_size (self->subscribers) == 0 && self->pending_calls == 0;

  if (idle == self->idle)
    return;

  self->idle = idle;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE]);
}

static void
ps_gateway_service_call_begin (PsGatewayService *self)
{
  self->pending_calls++;
  ps_gateway_service_update_idle (self);
}

static void
ps_gateway_service_call_end (PsGatewayService *self)
{
  g_assert (self->pending_calls > 0);

  self->pending_calls--;
  ps_gateway_service_update_idle (self);
}

/* Subscribers */

static void
subscriber_free (gpointer data)
{
  Subscriber *sub = data;

  g_debug ("%s unsubscribed", sub->name);
  sub->service->records_sent += sub->records_sent;
  sub->service->signals_sent += sub->signals_sent;
  g_clear_handle_id (&sub->watch_id, g_bus_unwatch_name);
  if (sub->source != NULL)
    {
      g_signal_handlers_disconnect_by_data (sub->source, sub);
      ps_flow_source_stop (PS_FLOW_SOURCE (sub->source));
      g_clear_object (&sub->source);
    }
  g_free (sub->name);
  g_free (sub);
}

static void
on_subscriber_vanished_cb (GDBusConnection *connection,
                           const char      *name,
                           gpointer         user_data)
{
  Subscriber *sub = user_data;
  PsGatewayService *self = sub->service;

  /* frees sub */
  g_hash_table_remove (self->subscribers, name);
  ps_gateway_service_update_idle (self);
}

static void
on_source_records_cb (PsFlowSource       *source,
                      const PsFlowRecord *records,
                      guint               n_records,
                      gpointer            user_data)
{
  Subscriber *sub = user_data;
  PsGatewayService *self = sub->service;

  /* unicast: the records are the subscriber's business alone */
  for (guint offset = 0; offset < n_records; offset += PS_GATEWAY_RECORDS_PER_SIGNAL)
    {
      guint count = MIN (n_records - offset, PS_GATEWAY_RECORDS_PER_SIGNAL);
      GVariant *array = ps_gateway_records_to_variant (records + offset, count);
      g_autoptr(GError) error = NULL;

      if (!g_dbus_connection_emit_signal (self->connection, sub->name, PS_GATEWAY_OBJECT_PATH,
                                          PS_GATEWAY_FLOWS_INTERFACE, "Records",
                                          g_variant_new_tuple (&array, 1), &error))
        {
          g_debug ("Cannot send records to %s: %s", sub->name, error->message);
          return;
        }

      sub->records_sent += count;
      sub->signals_sent++;
    }
}

static void
ps_gateway_service_subscribe (PsGatewayService      *self,
                              GDBusMethodInvocation *invocation)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  g_autoptr(PsConntrackSource) source = NULL;
  g_autoptr(GError) error = NULL;
  Subscriber *sub;

  sub = g_hash_table_lookup (self->subscribers, sender);
  if (sub != NULL)
    {
      if (sub->count >= MAX_SUBSCRIPTIONS_PER_NAME)
        {
          g_dbus_method_invocation_return_error (invocation, PS_GATEWAY_ERROR,
                                                 PS_GATEWAY_ERROR_LIMITS_EXCEEDED,
                                                 "Too many subscriptions from %s", sender);
          return;
        }

      sub->count++;
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }

  if (g_hash_table_size (self->subscribers) >= MAX_SUBSCRIBERS)
    {
      g_dbus_method_invocation_return_error (invocation, PS_GATEWAY_ERROR,
                                             PS_GATEWAY_ERROR_LIMITS_EXCEEDED,
                                             "Too many subscribers (at most %u)", MAX_SUBSCRIBERS);
      return;
    }

  sub = g_new0 (Subscriber, 1);
  sub->service = self;
  sub->name = g_strdup (sender);
  sub->count = 1;

  source = ps_conntrack_source_new ();
  g_signal_connect (source, "records", G_CALLBACK (on_source_records_cb), sub);
  if (!ps_flow_source_start (PS_FLOW_SOURCE (source), &error))
    {
      g_signal_handlers_disconnect_by_data (source, sub);
      g_free (sub->name);
      g_free (sub);

      g_message ("Cannot watch connection tracking: %s", error->message);
      ps_gateway1_flows_set_conntrack_available (self->skeleton, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED)
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        g_dbus_method_invocation_return_error_literal (invocation, PS_GATEWAY_ERROR,
                                                       PS_GATEWAY_ERROR_NOT_SUPPORTED,
                                                       error->message);
      else
        g_dbus_method_invocation_return_error_literal (invocation, PS_GATEWAY_ERROR,
                                                       PS_GATEWAY_ERROR_FAILED, error->message);
      return;
    }

  ps_gateway1_flows_set_conntrack_available (self->skeleton, TRUE);
  sub->source = g_steal_pointer (&source);
  g_hash_table_insert (self->subscribers, sub->name, sub);

  /* a subscriber that leaves the bus unsubscribes; one that has already
   * left is reported at once */
  sub->watch_id = g_bus_watch_name_on_connection (self->connection, sender,
                                                  G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                  NULL, on_subscriber_vanished_cb, sub, NULL);
  g_debug ("%s subscribed", sender);
  ps_gateway_service_update_idle (self);

  /* the source's records come from later main loop iterations, so this
   * reply reaches the subscriber before any of them */
  g_dbus_method_invocation_return_value (invocation, NULL);
}

typedef struct
{
  PsGatewayService      *self;
  GDBusMethodInvocation *invocation;
} DumpCall;

static void
on_dump_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  DumpCall *call = user_data;
  g_autoptr(GError) error = NULL;

  /* the dump's records went out from the source's signal already, so
   * they reach the caller before this reply */
  if (ps_conntrack_source_dump_finish (PS_CONNTRACK_SOURCE (object), result, &error))
    g_dbus_method_invocation_return_value (call->invocation, NULL);
  else
    g_dbus_method_invocation_return_error (call->invocation, PS_GATEWAY_ERROR,
                                           PS_GATEWAY_ERROR_FAILED,
                                           "Reading connection tracking failed: %s",
                                           error->message);

  ps_gateway_service_call_end (call->self);
  g_object_unref (call->invocation);
  g_object_unref (call->self);
  g_free (call);
}

static void
ps_gateway_service_dump (PsGatewayService      *self,
                         GDBusMethodInvocation *invocation)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  Subscriber *sub = g_hash_table_lookup (self->subscribers, sender);
  DumpCall *call;

  if (sub == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, PS_GATEWAY_ERROR,
                                                     PS_GATEWAY_ERROR_NOT_SUBSCRIBED,
                                                     "Subscribe before asking for a dump");
      return;
    }

  call = g_new0 (DumpCall, 1);
  call->self = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  ps_gateway_service_call_begin (self);
  ps_conntrack_source_dump_async (sub->source, NULL, on_dump_done_cb, call);
}

static void
ps_gateway_service_get_stats (PsGatewayService      *self,
                              GDBusMethodInvocation *invocation)
{
  GVariantDict dict;
  GHashTableIter iter;
  Subscriber *sub;
  PsConntrackStats total = { 0 };
  guint64 records_sent = self->records_sent;
  guint64 signals_sent = self->signals_sent;
  guint running = 0;

  g_hash_table_iter_init (&iter, self->subscribers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &sub))
    {
      PsConntrackStats stats;

      ps_conntrack_source_get_stats (sub->source, &stats);
      total.events += stats.events;
      total.dumps += stats.dumps;
      total.resyncs += stats.resyncs;
      total.flows_tracked += stats.flows_tracked;
      records_sent += sub->records_sent;
      signals_sent += sub->signals_sent;
      running++;
    }

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "subscribers", "u", g_hash_table_size (self->subscribers));
  g_variant_dict_insert (&dict, "sources_running", "u", running);
  g_variant_dict_insert (&dict, "records_sent", "t", records_sent);
  g_variant_dict_insert (&dict, "signals_sent", "t", signals_sent);
  g_variant_dict_insert (&dict, "events", "t", total.events);
  g_variant_dict_insert (&dict, "dumps", "t", total.dumps);
  g_variant_dict_insert (&dict, "resyncs", "t", total.resyncs);
  g_variant_dict_insert (&dict, "flows_tracked", "t", total.flows_tracked);

  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(@a{sv})", g_variant_dict_end (&dict)));
}

/* Authorisation */

static void
on_authorized_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AuthCall *call = user_data;
  PsGatewayService *self = call->self;
  g_autoptr(GError) error = NULL;

  if (ps_gateway_auth_check_finish (result, &error))
    call->func (self, call->invocation);
  else
    ps_gateway_auth_return_error (call->invocation, error);

  ps_gateway_service_call_end (self);
  g_object_unref (call->invocation);
  g_object_unref (call->self);
  g_free (call);
}

/* Runs func once the caller of invocation is allowed to watch flows, or
 * answers the call with an error. */
static void
ps_gateway_service_authorize (PsGatewayService      *self,
                              GDBusMethodInvocation *invocation,
                              AuthorizedFunc         func)
{
  AuthCall *call;

  if (self->pending_calls >= MAX_PENDING_CALLS)
    {
      g_dbus_method_invocation_return_error_literal (invocation, PS_GATEWAY_ERROR,
                                                     PS_GATEWAY_ERROR_LIMITS_EXCEEDED,
                                                     "Too many calls in progress");
      return;
    }

  call = g_new0 (AuthCall, 1);
  call->self = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  call->func = func;
  ps_gateway_service_call_begin (self);

  /* the interface has no arguments: the caller is the only input */
  ps_gateway_auth_check_async (self->connection, self->bus, invocation,
                               PS_GATEWAY_WATCH_FLOWS_ACTION, "watch network flows",
                               on_authorized_cb, call);
}

/* Method handlers */

static gboolean
on_handle_subscribe_cb (PsGatewayService      *self,
                        GDBusMethodInvocation *invocation,
                        PsGateway1Flows       *skeleton)
{
  ps_gateway_service_authorize (self, invocation, ps_gateway_service_subscribe);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_unsubscribe_cb (PsGatewayService      *self,
                          GDBusMethodInvocation *invocation,
                          PsGateway1Flows       *skeleton)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  Subscriber *sub = sender != NULL ? g_hash_table_lookup (self->subscribers, sender) : NULL;

  /* no authorisation: this only ends the caller's own subscription */
  if (sub != NULL && --sub->count == 0)
    {
      g_hash_table_remove (self->subscribers, sender);
      ps_gateway_service_update_idle (self);
    }

  ps_gateway1_flows_complete_unsubscribe (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_dump_cb (PsGatewayService      *self,
                   GDBusMethodInvocation *invocation,
                   PsGateway1Flows       *skeleton)
{
  ps_gateway_service_authorize (self, invocation, ps_gateway_service_dump);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_get_stats_cb (PsGatewayService      *self,
                        GDBusMethodInvocation *invocation,
                        PsGateway1Flows       *skeleton)
{
  ps_gateway_service_authorize (self, invocation, ps_gateway_service_get_stats);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* GObject */

static void
ps_gateway_service_dispose (GObject *object)
{
  PsGatewayService *self = PS_GATEWAY_SERVICE (object);

  ps_gateway_service_unregister (self);
  g_hash_table_remove_all (self->subscribers);
  g_clear_object (&self->skeleton);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (ps_gateway_service_parent_class)->dispose (object);
}

static void
ps_gateway_service_finalize (GObject *object)
{
  PsGatewayService *self = PS_GATEWAY_SERVICE (object);

  g_hash_table_unref (self->subscribers);

  G_OBJECT_CLASS (ps_gateway_service_parent_class)->finalize (object);
}

static void
ps_gateway_service_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PsGatewayService *self = PS_GATEWAY_SERVICE (object);

  switch (prop_id)
    {
    case PROP_IDLE:
      g_value_set_boolean (value, self->idle);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_gateway_service_class_init (PsGatewayServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_gateway_service_dispose;
  object_class->finalize = ps_gateway_service_finalize;
  object_class->get_property = ps_gateway_service_get_property;

  properties[PROP_IDLE] =
    g_param_spec_boolean ("idle", NULL, NULL,
                          TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* our errors travel by name */
  ps_gateway_error_quark ();
}

static void
ps_gateway_service_init (PsGatewayService *self)
{
  self->idle = TRUE;
  self->subscribers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, subscriber_free);

  self->skeleton = ps_gateway1_flows_skeleton_new ();
  ps_gateway1_flows_set_version (self->skeleton, PS_GATEWAY_VERSION);
  ps_gateway1_flows_set_conntrack_available (self->skeleton, ps_conntrack_source_is_supported ());

  g_signal_connect_object (self->skeleton, "handle-subscribe",
                           G_CALLBACK (on_handle_subscribe_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->skeleton, "handle-unsubscribe",
                           G_CALLBACK (on_handle_unsubscribe_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->skeleton, "handle-dump",
                           G_CALLBACK (on_handle_dump_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->skeleton, "handle-get-stats",
                           G_CALLBACK (on_handle_get_stats_cb), self, G_CONNECT_SWAPPED);
}

PsGatewayService *
ps_gateway_service_new (GDBusConnection *connection,
                        PsGatewayBus     bus)
{
  PsGatewayService *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  self = g_object_new (PS_TYPE_GATEWAY_SERVICE, NULL);
  self->connection = g_object_ref (connection);
  self->bus = bus;

  return self;
}

gboolean
ps_gateway_service_register (PsGatewayService  *self,
                             GError           **error)
{
  g_return_val_if_fail (PS_IS_GATEWAY_SERVICE (self), FALSE);

  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                           self->connection, PS_GATEWAY_OBJECT_PATH, error);
}

void
ps_gateway_service_unregister (PsGatewayService *self)
{
  GDBusInterfaceSkeleton *skeleton;

  g_return_if_fail (PS_IS_GATEWAY_SERVICE (self));

  skeleton = G_DBUS_INTERFACE_SKELETON (self->skeleton);
  if (skeleton != NULL && g_dbus_interface_skeleton_has_connection (skeleton, self->connection))
    g_dbus_interface_skeleton_unexport (skeleton);
}

gboolean
ps_gateway_service_get_idle (PsGatewayService *self)
{
  g_return_val_if_fail (PS_IS_GATEWAY_SERVICE (self), FALSE);

  return self->idle;
}
