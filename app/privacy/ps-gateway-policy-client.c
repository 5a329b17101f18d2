/* ps-gateway-policy-client.c
 *
 * Plain g_dbus_connection_call()s: no proxy to set up for one call, and
 * the flags a password prompt needs on each message.  The reply types come
 * from the generated interface description (ps-gateway-dbus.h, built from
 * the XML in app/core), so GDBus checks every answer's type before we look
 * at its values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-gateway-policy-client"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-gateway-dbus.h"
#include "ps-gateway-policy-client.h"

/* PS_GATEWAY_BUS_NAME and PS_GATEWAY_OBJECT_PATH of app/monitor, which
 * privacy does not depend on */
#define GATEWAY_BUS_NAME    "io.github.peerscope.Gateway1"
#define GATEWAY_OBJECT_PATH "/io/github/peerscope/Gateway1"
#define GATEWAY_ERROR       "io.github.peerscope.Gateway1.Error."
#define DBUS_ERROR          "org.freedesktop.DBus.Error."

#define DIGEST_LENGTH       64      /* SHA-256 in hex */
#define MAX_PROTOCOL_LENGTH 32

struct _PsGatewayPolicyClient
{
  GObject          parent_instance;

  GDBusConnection *connection;   /* given, or the system bus once known */
};

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PsGatewayPolicyClient, ps_gateway_policy_client, G_TYPE_OBJECT)

/* One method call; the task's data. */
typedef struct
{
  const char *method;        /* static */
  GVariant   *parameters;    /* sunk, or NULL */
  guint       retries;
} Call;

static void
call_free (Call *call)
{
  g_clear_pointer (&call->parameters, g_variant_unref);
  g_free (call);
}

/* "(…)" of the method's out arguments, as the XML says. */
static GVariantType *
reply_type_of (const char *method)
{
  GDBusMethodInfo *info;
  g_autoptr(GString) type = g_string_new ("(");

  info = g_dbus_interface_info_lookup_method (ps_gateway1_policy_interface_info (), method);
  g_assert (info != NULL);
  for (guint i = 0; info->out_args != NULL && info->out_args[i] != NULL; i++)
    g_string_append (type, info->out_args[i]->signature);
  g_string_append_c (type, ')');

  return g_variant_type_new (type->str);
}

static gboolean
is_remote_error (const char         *name,
                 const char * const *names)
{
  return name != NULL && g_strv_contains (names, name);
}

/* A G_IO_ERROR for what the bus or the helper answered (see the header). */
static GError *
client_error (const GError *error)
{
  static const char * const refused[] = {
    GATEWAY_ERROR "NotAuthorized", DBUS_ERROR "InteractiveAuthorizationRequired",
    DBUS_ERROR "AccessDenied", DBUS_ERROR "AuthFailed", NULL
  };
  static const char * const unavailable[] = {
    GATEWAY_ERROR "NotSupported", DBUS_ERROR "ServiceUnknown", DBUS_ERROR "NameHasNoOwner",
    DBUS_ERROR "UnknownObject", DBUS_ERROR "UnknownInterface", DBUS_ERROR "UnknownMethod", NULL
  };
  static const char * const invalid[] = { DBUS_ERROR "InvalidArgs", NULL };
  static const char * const busy[] = { GATEWAY_ERROR "LimitsExceeded", NULL };
  g_autofree char *name = g_dbus_error_get_remote_error (error);
  GError *copy;
  int code;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (is_remote_error (name, refused))
    code = G_IO_ERROR_PERMISSION_DENIED;
  else if (is_remote_error (name, unavailable)
           || (name != NULL && g_str_has_prefix (name, DBUS_ERROR "Spawn.")))
    code = G_IO_ERROR_NOT_SUPPORTED;
  else if (is_remote_error (name, invalid))
    code = G_IO_ERROR_INVALID_ARGUMENT;
  else if (is_remote_error (name, busy))
    code = G_IO_ERROR_BUSY;
  else if (name == NULL && error->domain == G_IO_ERROR)
    code = error->code;
  else
    code = G_IO_ERROR_FAILED;

  copy = g_error_copy (error);
  g_dbus_error_strip_remote_error (copy);
  copy->domain = G_IO_ERROR;
  copy->code = code;

  return copy;
}

static void call_start (GTask *task);

static void
on_call_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply != NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&reply), (GDestroyNotify) g_variant_unref);
      return;
    }

  /* the helper left without answering, as when its idle timeout struck
   * just then: the next call starts a new one.  Every method may run
   * twice: applying a policy that is live already changes nothing. */
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) && call->retries++ < 1)
    {
      g_debug ("%s left without answering %s; calling again", GATEWAY_BUS_NAME, call->method);
      call_start (g_steal_pointer (&task));
      return;
    }

  g_task_return_error (task, client_error (error));
}

static void
call_start (GTask *task)
{
  PsGatewayPolicyClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GVariantType) reply_type = reply_type_of (call->method);

  /* no timeout: polkit may be waiting for the user to type a password;
   * the call also starts the helper through D-Bus activation */
  g_dbus_connection_call (self->connection, GATEWAY_BUS_NAME, GATEWAY_OBJECT_PATH,
                          PS_GATEWAY_POLICY_INTERFACE, call->method, call->parameters,
                          reply_type, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                          G_MAXINT, g_task_get_cancellable (task), on_call_cb, task);
}

static void
on_bus_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PsGatewayPolicyClient *self = g_task_get_source_object (task);
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_bus_get_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (connection == NULL)
    {
      /* no system bus: nothing privileged can help us here */
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Cannot reach the system bus: %s"), error->message);
      return;
    }

  if (self->connection == NULL)
    self->connection = g_steal_pointer (&connection);
  call_start (g_steal_pointer (&task));
}

/* Calls method with parameters (floating or NULL) for task. */
static void
ps_gateway_policy_client_call (PsGatewayPolicyClient *self,
                               GTask                 *task,
                               const char            *method,
                               GVariant              *parameters)
{
  Call *call = g_new0 (Call, 1);

  call->method = method;
  call->parameters = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  if (self->connection != NULL)
    call_start (g_object_ref (task));
  else
    g_bus_get (G_BUS_TYPE_SYSTEM, g_task_get_cancellable (task), on_bus_ready_cb,
               g_object_ref (task));
}

/* The reply of a task of ours, or NULL and error. */
static GVariant *
ps_gateway_policy_client_propagate (PsGatewayPolicyClient  *self,
                                    GAsyncResult           *result,
                                    gpointer                source_tag,
                                    GError                **error)
{
  g_return_val_if_fail (PS_IS_GATEWAY_POLICY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
is_digest (const char *text,
           gboolean    may_be_empty)
{
  if (text[0] == '\0')
    return may_be_empty;
  if (strlen (text) != DIGEST_LENGTH)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;

  return TRUE;
}

static gboolean
bad_answer (GError    **error,
            const char *method)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("The gateway helper answered %s with malformed data"), method);
  return FALSE;
}

/* Apply */

void
ps_gateway_policy_client_apply_async (PsGatewayPolicyClient *self,
                                      PsPolicy              *policy,
                                      GCancellable          *cancellable,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *json = NULL;

  g_return_if_fail (PS_IS_GATEWAY_POLICY_CLIENT (self));
  g_return_if_fail (PS_IS_POLICY (policy));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_gateway_policy_client_apply_async);

  /* the helper refuses it anyway: say so without a password prompt */
  json = ps_policy_to_json (policy);
  if (strlen (json) > PS_POLICY_MAX_JSON_BYTES)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               _("The policy is larger than %u bytes"), PS_POLICY_MAX_JSON_BYTES);
      return;
    }

  ps_gateway_policy_client_call (self, task, "Apply", g_variant_new ("(s)", json));
}

gboolean
ps_gateway_policy_client_apply_finish (PsGatewayPolicyClient  *self,
                                       GAsyncResult           *result,
                                       gboolean               *changed,
                                       char                  **digest,
                                       GError                **error)
{
  g_autoptr(GVariant) reply = NULL;
  const char *reply_digest;
  gboolean reply_changed;

  reply = ps_gateway_policy_client_propagate (self, result, ps_gateway_policy_client_apply_async,
                                              error);
  if (reply == NULL)
    return FALSE;

  g_variant_get (reply, "(b&s)", &reply_changed, &reply_digest);
  if (!is_digest (reply_digest, FALSE))
    return bad_answer (error, "Apply");

  if (changed != NULL)
    *changed = reply_changed;
  if (digest != NULL)
    *digest = g_strdup (reply_digest);

  return TRUE;
}

/* Remove */

void
ps_gateway_policy_client_remove_async (PsGatewayPolicyClient *self,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_GATEWAY_POLICY_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_gateway_policy_client_remove_async);
  ps_gateway_policy_client_call (self, task, "Remove", NULL);
}

gboolean
ps_gateway_policy_client_remove_finish (PsGatewayPolicyClient  *self,
                                        GAsyncResult           *result,
                                        GError                **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = ps_gateway_policy_client_propagate (self, result, ps_gateway_policy_client_remove_async,
                                              error);
  return reply != NULL;
}

/* GetState */

void
ps_gateway_policy_client_get_state_async (PsGatewayPolicyClient *self,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_GATEWAY_POLICY_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_gateway_policy_client_get_state_async);
  ps_gateway_policy_client_call (self, task, "GetState", NULL);
}

gboolean
ps_gateway_policy_client_get_state_finish (PsGatewayPolicyClient  *self,
                                           GAsyncResult           *result,
                                           char                  **live_digest,
                                           char                  **stored_digest,
                                           gboolean               *enforcing,
                                           GError                **error)
{
  g_autoptr(GVariant) reply = NULL;
  const char *live;
  const char *stored;
  gboolean reply_enforcing;

  reply = ps_gateway_policy_client_propagate (self, result,
                                              ps_gateway_policy_client_get_state_async, error);
  if (reply == NULL)
    return FALSE;

  g_variant_get (reply, "(&s&sb)", &live, &stored, &reply_enforcing);
  if (!is_digest (live, TRUE) || !is_digest (stored, TRUE)
      || reply_enforcing != (live[0] != '\0' && g_str_equal (live, stored)))
    return bad_answer (error, "GetState");

  if (live_digest != NULL)
    *live_digest = live[0] != '\0' ? g_strdup (live) : NULL;
  if (stored_digest != NULL)
    *stored_digest = stored[0] != '\0' ? g_strdup (stored) : NULL;
  if (enforcing != NULL)
    *enforcing = reply_enforcing;

  return TRUE;
}

/* GetBlocked */

void
ps_gateway_policy_client_get_blocked_async (PsGatewayPolicyClient *self,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_GATEWAY_POLICY_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_gateway_policy_client_get_blocked_async);
  ps_gateway_policy_client_call (self, task, "GetBlocked", NULL);
}

static gboolean
is_protocol (const char *text)
{
  gsize length = strlen (text);

  if (length == 0 || length > MAX_PROTOCOL_LENGTH)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;

  return TRUE;
}

GPtrArray *
ps_gateway_policy_client_get_blocked_finish (PsGatewayPolicyClient  *self,
                                             GAsyncResult           *result,
                                             GError                **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) array = NULL;
  g_autoptr(GPtrArray) attempts = NULL;
  GVariantIter iter;
  const char *device, *peer, *protocol;
  guint16 port;
  guint64 packets, bytes;
  guint rejected = 0;

  reply = ps_gateway_policy_client_propagate (self, result,
                                              ps_gateway_policy_client_get_blocked_async, error);
  if (reply == NULL)
    return NULL;

  array = g_variant_get_child_value (reply, 0);
  if (g_variant_n_children (array) > PS_GATEWAY_POLICY_MAX_BLOCKED)
    {
      bad_answer (error, "GetBlocked");
      return NULL;
    }

  attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_blocked_attempt_free);
  g_variant_iter_init (&iter, array);
  while (g_variant_iter_next (&iter, "(&s&s&sqtt)", &device, &peer, &protocol, &port,
                              &packets, &bytes))
    {
      PsBlockedAttempt *attempt;

      if (!g_hostname_is_ip_address (device) || !g_hostname_is_ip_address (peer)
          || !is_protocol (protocol))
        {
          rejected++;
          continue;
        }

      attempt = g_new0 (PsBlockedAttempt, 1);
      attempt->device_address = g_strdup (device);
      attempt->peer_address = g_strdup (peer);
      attempt->protocol = g_strdup (protocol);
      attempt->port = port;
      attempt->packets = packets;
      attempt->bytes = bytes;
      g_ptr_array_add (attempts, attempt);
    }

  if (rejected > 0)
    g_debug ("Dropping %u malformed blocked attempts from %s", rejected, GATEWAY_BUS_NAME);

  return g_steal_pointer (&attempts);
}

/* GObject */

static void
ps_gateway_policy_client_dispose (GObject *object)
{
  PsGatewayPolicyClient *self = PS_GATEWAY_POLICY_CLIENT (object);

  g_clear_object (&self->connection);

  G_OBJECT_CLASS (ps_gateway_policy_client_parent_class)->dispose (object);
}

static void
ps_gateway_policy_client_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  PsGatewayPolicyClient *self = PS_GATEWAY_POLICY_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_gateway_policy_client_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  PsGatewayPolicyClient *self = PS_GATEWAY_POLICY_CLIENT (object);

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
ps_gateway_policy_client_class_init (PsGatewayPolicyClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_gateway_policy_client_dispose;
  object_class->get_property = ps_gateway_policy_client_get_property;
  object_class->set_property = ps_gateway_policy_client_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ps_gateway_policy_client_init (PsGatewayPolicyClient *self)
{
}

PsGatewayPolicyClient *
ps_gateway_policy_client_new (GDBusConnection *connection)
{
  g_return_val_if_fail (connection == NULL || G_IS_DBUS_CONNECTION (connection), NULL);

  return g_object_new (PS_TYPE_GATEWAY_POLICY_CLIENT, "connection", connection, NULL);
}
