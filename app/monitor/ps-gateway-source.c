/* ps-gateway-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-gateway-source"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-gateway-dbus.h"
#include "ps-gateway-protocol.h"
#include "ps-gateway-source.h"

/* long enough for a dump of a few million flows */
#define DUMP_TIMEOUT_MS (2 * 60 * 1000)

struct _PsGatewaySource
{
  GObject               parent_instance;

  GDBusConnection      *connection;    /* given, or the system bus once known */
  GDBusProxy           *proxy;
  char                 *helper;        /* the unique name we are subscribed with */
  PsGatewaySourceState  state;
  GError               *error;
  guint64               rejected;
  guint                 retries;         /* Subscribe calls the helper left unanswered */

  guint                 started : 1;
  guint                 connecting : 1;  /* getting the bus or the proxy */
  guint                 subscribing : 1; /* a Subscribe call is in flight */
  guint                 subscribed : 1;  /* the helper has us as a subscriber */
};

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_STATE,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ps_gateway_source_flow_source_init (PsFlowSourceInterface *iface);

G_DEFINE_ENUM_TYPE (PsGatewaySourceState, ps_gateway_source_state,
                    G_DEFINE_ENUM_VALUE (PS_GATEWAY_SOURCE_STATE_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (PS_GATEWAY_SOURCE_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (PS_GATEWAY_SOURCE_STATE_WATCHING, "watching"),
                    G_DEFINE_ENUM_VALUE (PS_GATEWAY_SOURCE_STATE_NOT_AUTHORIZED, "not-authorized"),
                    G_DEFINE_ENUM_VALUE (PS_GATEWAY_SOURCE_STATE_UNAVAILABLE, "unavailable"),
                    G_DEFINE_ENUM_VALUE (PS_GATEWAY_SOURCE_STATE_FAILED, "failed"))

G_DEFINE_FINAL_TYPE_WITH_CODE (PsGatewaySource, ps_gateway_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PS_TYPE_FLOW_SOURCE,
                                                      ps_gateway_source_flow_source_init))

static void
ps_gateway_source_set_state (PsGatewaySource      *self,
                             PsGatewaySourceState  state,
                             const GError         *error)
{
  g_object_freeze_notify (G_OBJECT (self));

  if (self->error != NULL || error != NULL)
    {
      g_clear_error (&self->error);
      if (error != NULL)
        {
          self->error = g_error_copy (error);
          g_dbus_error_strip_remote_error (self->error);
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

static PsGatewaySourceState
state_for_error (const GError *error)
{
  g_autofree char *remote_name = g_dbus_error_get_remote_error (error);

  if (g_strcmp0 (remote_name, PS_GATEWAY_INTERACTIVE_AUTHORIZATION_REQUIRED) == 0
      || g_error_matches (error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_NOT_AUTHORIZED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
    return PS_GATEWAY_SOURCE_STATE_NOT_AUTHORIZED;

  /* not installed, not startable, or cannot watch conntrack here */
  if (g_error_matches (error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_NOT_SUPPORTED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FORK_FAILED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_SIGNALED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FAILED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_INVALID)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FILE_INVALID)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_NO_MEMORY))
    return PS_GATEWAY_SOURCE_STATE_UNAVAILABLE;

  return PS_GATEWAY_SOURCE_STATE_FAILED;
}

static void
ps_gateway_source_unsubscribe (PsGatewaySource *self)
{
  if (!self->subscribed)
    return;

  /* nobody waits for the answer: the helper also forgets us when we leave */
  self->subscribed = FALSE;
  g_clear_pointer (&self->helper, g_free);
  g_dbus_proxy_call (self->proxy, "Unsubscribe", NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                     -1, NULL, NULL, NULL);
}

static void ps_gateway_source_subscribe (PsGatewaySource *self);

static void
on_subscribe_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PsGatewaySource) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  self->subscribing = FALSE;
  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (object), result, &error);
  if (reply != NULL)
    {
      self->subscribed = TRUE;
      self->retries = 0;
      g_free (self->helper);
      self->helper = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (object));
    }

  if (!self->started)
    {
      /* stopped while polkit was asking */
      ps_gateway_source_unsubscribe (self);
      return;
    }

  /* the helper left without answering, as when its idle timeout struck
   * just then: the next call starts a new one */
  if (reply == NULL && g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY)
      && self->retries++ < 1)
    {
      g_debug ("%s left without answering; subscribing again", PS_GATEWAY_BUS_NAME);
      ps_gateway_source_subscribe (self);
      return;
    }

  if (reply == NULL)
    {
      g_debug ("Subscribing to %s failed: %s", PS_GATEWAY_BUS_NAME, error->message);
      ps_gateway_source_set_state (self, state_for_error (error), error);
      return;
    }

  ps_gateway_source_set_state (self, PS_GATEWAY_SOURCE_STATE_WATCHING, NULL);
}

static void
ps_gateway_source_subscribe (PsGatewaySource *self)
{
  g_assert (self->proxy != NULL);

  if (self->subscribing || self->subscribed)
    return;

  self->subscribing = TRUE;
  ps_gateway_source_set_state (self, PS_GATEWAY_SOURCE_STATE_CONNECTING, NULL);

  /* no timeout: polkit may be waiting for the user to type a password;
   * the call also starts the helper through D-Bus activation */
  g_dbus_proxy_call (self->proxy, "Subscribe", NULL,
                     G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT, NULL,
                     on_subscribe_cb, g_object_ref (self));
}

static void
on_proxy_g_signal_cb (PsGatewaySource *self,
                      const char      *sender_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      GDBusProxy      *proxy)
{
  g_autoptr(GArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  guint rejected = 0;

  if (g_strcmp0 (signal_name, "Records") != 0)
    return;

  /* only the helper's own signals, and only while we asked for them:
   * anyone on the bus can send us a signal */
  owner = g_dbus_proxy_get_name_owner (proxy);
  if (owner == NULL || g_strcmp0 (sender_name, owner) != 0 || !self->started
      || !(self->subscribing || (self->subscribed && g_strcmp0 (owner, self->helper) == 0)))
    return;

  records = ps_gateway_records_parse (parameters, &rejected, &error);
  if (records == NULL)
    {
      g_debug ("Dropping a Records signal: %s", error->message);
      self->rejected++;
      return;
    }

  if (rejected > 0)
    g_debug ("Dropping %u malformed records from %s", rejected, sender_name);
  self->rejected += rejected;

  ps_flow_source_emit_records (PS_FLOW_SOURCE (self), (const PsFlowRecord *) records->data,
                               records->len);
}

static void
on_proxy_name_owner_notify_cb (PsGatewaySource *self,
                               GParamSpec      *pspec,
                               GDBusProxy      *proxy)
{
  g_autofree char *owner = g_dbus_proxy_get_name_owner (proxy);

  /* the helper went away or another replaced it: our subscription is gone */
  if (self->subscribed && g_strcmp0 (owner, self->helper) != 0)
    {
      self->subscribed = FALSE;
      g_clear_pointer (&self->helper, g_free);

      if (owner == NULL && self->started)
        {
          g_autoptr(GError) error = NULL;

          g_set_error_literal (&error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER,
                               _("The gateway helper stopped"));
          ps_gateway_source_set_state (self, PS_GATEWAY_SOURCE_STATE_UNAVAILABLE, error);
        }
    }

  /* a helper (re)started: subscribe to it */
  if (owner != NULL && self->started && !self->subscribing && !self->subscribed)
    ps_gateway_source_subscribe (self);
}

static void
on_proxy_ready_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PsGatewaySource) self = user_data;
  g_autoptr(GDBusProxy) proxy = NULL;
  g_autoptr(GError) error = NULL;

  self->connecting = FALSE;
  proxy = g_dbus_proxy_new_finish (result, &error);
  if (proxy == NULL)
    {
      if (self->started)
        ps_gateway_source_set_state (self, PS_GATEWAY_SOURCE_STATE_FAILED, error);
      return;
    }

  self->proxy = g_steal_pointer (&proxy);
  g_signal_connect_object (self->proxy, "g-signal",
                           G_CALLBACK (on_proxy_g_signal_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->proxy, "notify::g-name-owner",
                           G_CALLBACK (on_proxy_name_owner_notify_cb), self, G_CONNECT_SWAPPED);

  if (self->started)
    ps_gateway_source_subscribe (self);
}

static void
ps_gateway_source_make_proxy (PsGatewaySource *self)
{
  /* a plain GDBusProxy: signal arguments are checked here, not trusted to
   * generated marshalling; the interface info still checks reply types.
   * Getting the bus and the proxy has no effect on the helper, so neither
   * is cancelled: a stop during either only keeps it from subscribing. */
  self->connecting = TRUE;
  g_dbus_proxy_new (self->connection,
                    G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
                    ps_gateway1_flows_interface_info (),
                    PS_GATEWAY_BUS_NAME, PS_GATEWAY_OBJECT_PATH, PS_GATEWAY_FLOWS_INTERFACE,
                    NULL, on_proxy_ready_cb, g_object_ref (self));
}

static void
on_bus_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PsGatewaySource) self = user_data;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  self->connecting = FALSE;
  connection = g_bus_get_finish (result, &error);
  if (connection == NULL)
    {
      /* no system bus: nothing privileged can help us here */
      if (self->started)
        ps_gateway_source_set_state (self, PS_GATEWAY_SOURCE_STATE_UNAVAILABLE, error);
      return;
    }

  self->connection = g_steal_pointer (&connection);
  if (self->started)
    ps_gateway_source_make_proxy (self);
}

static gboolean
ps_gateway_source_start (PsFlowSource  *source,
                         GError       **error)
{
  PsGatewaySource *self = PS_GATEWAY_SOURCE (source);

  if (self->started)
    return TRUE;

  self->started = TRUE;
  ps_gateway_source_set_state (self, PS_GATEWAY_SOURCE_STATE_CONNECTING, NULL);

  /* what is under way carries on now that we are started */
  if (self->subscribing || self->connecting)
    return TRUE;

  self->retries = 0;
  if (self->proxy != NULL)
    {
      ps_gateway_source_subscribe (self);
    }
  else if (self->connection != NULL)
    {
      ps_gateway_source_make_proxy (self);
    }
  else
    {
      self->connecting = TRUE;
      g_bus_get (G_BUS_TYPE_SYSTEM, NULL, on_bus_ready_cb, g_object_ref (self));
    }

  return TRUE;
}

static void
ps_gateway_source_stop (PsFlowSource *source)
{
  PsGatewaySource *self = PS_GATEWAY_SOURCE (source);

  if (!self->started)
    return;

  self->started = FALSE;
  /* a Subscribe in flight is not cancelled: its reply unsubscribes */
  ps_gateway_source_unsubscribe (self);
  ps_gateway_source_set_state (self, PS_GATEWAY_SOURCE_STATE_STOPPED, NULL);
}

static void
on_dump_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (object), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
ps_gateway_source_dump_async (PsGatewaySource     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_GATEWAY_SOURCE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_gateway_source_dump_async);

  if (!self->subscribed || !self->started)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("Not watching flows through the gateway helper"));
      return;
    }

  /* the helper sends the dump's Records before its reply, and both are
   * dispatched here in that order */
  g_dbus_proxy_call (self->proxy, "Dump", NULL,
                     G_DBUS_CALL_FLAGS_NO_AUTO_START
                     | G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                     DUMP_TIMEOUT_MS, cancellable, on_dump_cb, g_steal_pointer (&task));
}

gboolean
ps_gateway_source_dump_finish (PsGatewaySource  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (PS_IS_GATEWAY_SOURCE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_flush_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ps_gateway_source_dump_finish (PS_GATEWAY_SOURCE (object), result, &error))
    g_debug ("Dump through the gateway helper failed: %s", error->message);
}

static void
ps_gateway_source_flush (PsFlowSource *source)
{
  PsGatewaySource *self = PS_GATEWAY_SOURCE (source);

  if (self->subscribed && self->started)
    ps_gateway_source_dump_async (self, NULL, on_flush_cb, NULL);
}

static void
ps_gateway_source_flow_source_init (PsFlowSourceInterface *iface)
{
  iface->start = ps_gateway_source_start;
  iface->stop = ps_gateway_source_stop;
  iface->flush = ps_gateway_source_flush;
}

static void
ps_gateway_source_dispose (GObject *object)
{
  PsGatewaySource *self = PS_GATEWAY_SOURCE (object);

  ps_gateway_source_stop (PS_FLOW_SOURCE (self));
  g_clear_object (&self->proxy);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (ps_gateway_source_parent_class)->dispose (object);
}

static void
ps_gateway_source_finalize (GObject *object)
{
  PsGatewaySource *self = PS_GATEWAY_SOURCE (object);

  g_clear_error (&self->error);
  g_free (self->helper);

  G_OBJECT_CLASS (ps_gateway_source_parent_class)->finalize (object);
}

static void
ps_gateway_source_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PsGatewaySource *self = PS_GATEWAY_SOURCE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_gateway_source_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PsGatewaySource *self = PS_GATEWAY_SOURCE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_gateway_source_class_init (PsGatewaySourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_gateway_source_dispose;
  object_class->finalize = ps_gateway_source_finalize;
  object_class->get_property = ps_gateway_source_get_property;
  object_class->set_property = ps_gateway_source_set_property;

  /* the helper's errors come back as PS_GATEWAY_ERROR */
  ps_gateway_error_quark ();

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       PS_TYPE_GATEWAY_SOURCE_STATE, PS_GATEWAY_SOURCE_STATE_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL,
                        G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ps_gateway_source_init (PsGatewaySource *self)
{
  self->state = PS_GATEWAY_SOURCE_STATE_STOPPED;
}

PsGatewaySource *
ps_gateway_source_new (GDBusConnection *connection)
{
  g_return_val_if_fail (connection == NULL || G_IS_DBUS_CONNECTION (connection), NULL);

  return g_object_new (PS_TYPE_GATEWAY_SOURCE, "connection", connection, NULL);
}

PsGatewaySourceState
ps_gateway_source_get_state (PsGatewaySource *self)
{
  g_return_val_if_fail (PS_IS_GATEWAY_SOURCE (self), PS_GATEWAY_SOURCE_STATE_STOPPED);

  return self->state;
}

const GError *
ps_gateway_source_get_error (PsGatewaySource *self)
{
  g_return_val_if_fail (PS_IS_GATEWAY_SOURCE (self), NULL);

  return self->error;
}

guint64
ps_gateway_source_get_rejected_records (PsGatewaySource *self)
{
  g_return_val_if_fail (PS_IS_GATEWAY_SOURCE (self), 0);

  return self->rejected;
}
