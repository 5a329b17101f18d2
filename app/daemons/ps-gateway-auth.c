/* ps-gateway-auth.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-gateway-auth"

#include "config.h"

#include <polkit/polkit.h>

#include "ps-gateway-auth.h"
#include "ps-gateway-protocol.h"

typedef struct
{
  GDBusConnection       *connection;
  PsGatewayBus           bus;
  GDBusMethodInvocation *invocation;
  char                  *action_id;
  char                  *purpose;
  PolkitSubject         *subject;
} AuthData;

static void
auth_data_free (AuthData *data)
{
  g_clear_object (&data->connection);
  g_clear_object (&data->invocation);
  g_clear_object (&data->subject);
  g_free (data->action_id);
  g_free (data->purpose);
  g_free (data);
}

static gboolean
allows_interaction (GDBusMethodInvocation *invocation)
{
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);

  return (g_dbus_message_get_flags (message)
          & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;
}

static void
auth_refuse (GTask *task)
{
  AuthData *data = g_task_get_task_data (task);

  g_task_return_new_error (task, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_NOT_AUTHORIZED,
                           "Not authorised to %s", data->purpose);
}

static void
on_check_authorization_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AuthData *data = g_task_get_task_data (task);
  g_autoptr(PolkitAuthorizationResult) auth = NULL;
  g_autoptr(GError) error = NULL;

  auth = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (object), result, &error);
  if (auth == NULL)
    {
      /* fail closed */
      g_message ("Cannot check authorisation of %s: %s",
                 g_dbus_method_invocation_get_sender (data->invocation), error->message);
      g_task_return_new_error (task, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_NOT_AUTHORIZED,
                               "Cannot check authorisation: %s", error->message);
      return;
    }

  if (polkit_authorization_result_get_is_authorized (auth))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (polkit_authorization_result_get_is_challenge (auth) && !allows_interaction (data->invocation))
    {
      g_autofree char *message = g_strdup_printf ("Authentication is required to %s",
                                                  data->purpose);
      GError *refusal;

      /* the caller could authenticate, but did not allow us to ask */
      refusal = g_dbus_error_new_for_dbus_error (PS_GATEWAY_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                                 message);
      g_task_return_error (task, refusal);
      return;
    }

  auth_refuse (task);
}

static void
on_authority_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AuthData *data = g_task_get_task_data (task);
  g_autoptr(PolkitAuthority) authority = NULL;
  g_autoptr(GError) error = NULL;
  PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;

  authority = polkit_authority_get_finish (result, &error);
  if (authority == NULL)
    {
      g_message ("Cannot reach polkit: %s", error->message);
      g_task_return_new_error (task, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_NOT_AUTHORIZED,
                               "Cannot check authorisation: %s", error->message);
      return;
    }

  /* a password dialog only when the caller said it can wait for one */
  if (allows_interaction (data->invocation))
    flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

  polkit_authority_check_authorization (authority, data->subject, data->action_id, NULL, flags,
                                        NULL, on_check_authorization_cb, g_steal_pointer (&task));
}

static void
on_credentials_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AuthData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) credentials = NULL;
  const char *sender = g_dbus_method_invocation_get_sender (data->invocation);
  guint32 uid, pid;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
  if (reply == NULL)
    {
      /* the caller left, or the bus cannot tell who it is: refuse */
      auth_refuse (task);
      return;
    }

  credentials = g_variant_get_child_value (reply, 0);
  if (!g_variant_lookup (credentials, "UnixUserID", "u", &uid))
    {
      auth_refuse (task);
      return;
    }

  /* root needs no permission to do what it could do itself */
  if (uid == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (data->bus == PS_GATEWAY_BUS_SYSTEM)
    {
      /* polkit asks the system bus itself who the name belongs to */
      data->subject = polkit_system_bus_name_new (sender);
    }
  else
    {
      /* polkit cannot ask a private bus: name the process the bus daemon
       * vouches for, with its uid, so that polkit checks both */
      if (!g_variant_lookup (credentials, "ProcessID", "u", &pid) || pid == 0 || pid > G_MAXINT)
        {
          auth_refuse (task);
          return;
        }
      data->subject = polkit_unix_process_new_for_owner ((gint) pid, 0, (gint) uid);
    }

  polkit_authority_get_async (NULL, on_authority_cb, g_steal_pointer (&task));
}

void
ps_gateway_auth_check_async (GDBusConnection       *connection,
                             PsGatewayBus           bus,
                             GDBusMethodInvocation *invocation,
                             const char            *action_id,
                             const char            *purpose,
                             GAsyncReadyCallback    callback,
                             gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *sender;
  AuthData *data;

  g_return_if_fail (G_IS_DBUS_CONNECTION (connection));
  g_return_if_fail (G_IS_DBUS_METHOD_INVOCATION (invocation));
  g_return_if_fail (action_id != NULL);
  g_return_if_fail (purpose != NULL);

  data = g_new0 (AuthData, 1);
  data->connection = g_object_ref (connection);
  data->bus = bus;
  data->invocation = g_object_ref (invocation);
  data->action_id = g_strdup (action_id);
  data->purpose = g_strdup (purpose);

  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, ps_gateway_auth_check_async);
  g_task_set_task_data (task, data, (GDestroyNotify) auth_data_free);

  /* the caller is who the bus says it is, and nothing else */
  sender = g_dbus_method_invocation_get_sender (invocation);
  if (sender == NULL || sender[0] != ':')
    {
      g_task_return_new_error (task, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_NOT_AUTHORIZED,
                               "Callers must be on a message bus");
      return;
    }

  /* the session bus is the user's own: nothing to protect from its owner */
  if (bus == PS_GATEWAY_BUS_SESSION)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionCredentials",
                          g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_credentials_cb,
                          g_steal_pointer (&task));
}

gboolean
ps_gateway_auth_check_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ps_gateway_auth_check_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ps_gateway_auth_return_error (GDBusMethodInvocation *invocation,
                              const GError          *error)
{
  g_autofree char *name = NULL;
  g_autoptr(GError) copy = NULL;

  g_return_if_fail (G_IS_DBUS_METHOD_INVOCATION (invocation));
  g_return_if_fail (error != NULL);

  name = g_dbus_error_get_remote_error (error);
  if (name == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }

  copy = g_error_copy (error);
  g_dbus_error_strip_remote_error (copy);
  g_dbus_method_invocation_return_dbus_error (invocation, name, copy->message);
}
