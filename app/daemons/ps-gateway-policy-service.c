/* ps-gateway-policy-service.c
 *
 * A call goes through three stages: checks that cost nothing (the size of
 * the document, the number of calls in progress), polkit, then the queue
 * of operations, which a worker thread takes one at a time.  Only the
 * worker touches the kernel and the store; the main thread only answers.
 *
 * The store is the point of no return.  Apply changes the kernel first and
 * stores after; Remove deletes the table first and the file after.  When
 * the second step fails, the stored policy is put back into the kernel (or
 * the table removed when none is stored), so that the kernel and the store
 * agree again and the caller hears of an error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-gateway-policy"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ps-enforcer.h"
#include "ps-gateway-dbus.h"
#include "ps-gateway-policy-client.h"
#include "ps-gateway-policy-service.h"
#include "ps-gateway-protocol.h"
#include "ps-policy-compiler.h"
#include "ps-policy-store.h"

/* polkit prompts and queued operations cost little, but must not pile up */
#define MAX_PENDING_CALLS 64

typedef enum {
  OP_APPLY,
  OP_REMOVE,
  OP_GET_STATE,
  OP_GET_BLOCKED,
} OpKind;

/* One method call, from its arrival to its answer. */
typedef struct
{
  PsGatewayPolicyService *self;
  GDBusMethodInvocation  *invocation;
  OpKind                  kind;
  char                   *json;         /* OP_APPLY */
  char                   *store_path;   /* the worker's own copy */
} Op;

struct _PsGatewayPolicyService
{
  GObject           parent_instance;

  GDBusConnection  *connection;
  PsGatewayBus      bus;
  char             *store_path;
  PsGateway1Policy *skeleton;
  GQueue            queue;           /* Op, authorised, waiting for the worker */
  Op               *running;         /* on the worker */
  guint             pending_calls;   /* authorising, queued or running */
  gboolean          idle;
  gboolean          closing;
};

enum {
  PROP_0,
  PROP_IDLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PsGatewayPolicyService, ps_gateway_policy_service, G_TYPE_OBJECT)

static void
op_free (Op *op)
{
  g_clear_object (&op->invocation);
  g_clear_object (&op->self);
  g_free (op->json);
  g_free (op->store_path);
  g_free (op);
}

static void
ps_gateway_policy_service_update_idle (PsGatewayPolicyService *self)
{
  gboolean idle = self->pending_calls == 0;

  if (idle == self->idle)
    return;

  self->idle = idle;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE]);
}

/* Answers op's call and forgets it. */
static void
op_finish (Op           *op,
           GVariant     *reply,
           const GError *error)
{
  PsGatewayPolicyService *self = g_object_ref (op->self);

  if (error != NULL)
    ps_gateway_auth_return_error (op->invocation, error);
  else
    g_dbus_method_invocation_return_value (op->invocation, reply);

  op_free (op);
  g_assert (self->pending_calls > 0);
  self->pending_calls--;
  ps_gateway_policy_service_update_idle (self);
  g_object_unref (self);
}

/* The worker: everything here may block */

/* A PS_GATEWAY_ERROR for an error of the enforcer or the store. */
static GError *
gateway_error (const GError *error,
               const char   *what)
{
  int code = PS_GATEWAY_ERROR_FAILED;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    code = PS_GATEWAY_ERROR_NOT_SUPPORTED;

  return g_error_new (PS_GATEWAY_ERROR, code, "%s: %s", what, error->message);
}

/* Makes the kernel enforce the stored policy again, or nothing when none
 * is stored; *what says which, for the caller's error message. */
static gboolean
put_back_stored (const char  *path,
                 const char **what,
                 GError     **error)
{
  g_autoptr(PsPolicy) stored = NULL;
  g_autoptr(GError) local_error = NULL;

  stored = ps_policy_store_load (path, &local_error);
  if (stored != NULL)
    {
      *what = "the stored policy is back in force";
      return ps_enforcer_apply (stored, NULL, error);
    }

  /* no file, or no folder for one */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
      || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
    {
      *what = "no policy is stored, so none is enforced";
      return ps_enforcer_remove (error);
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static GVariant *
do_apply (const char  *json,
          const char  *path,
          GError     **error)
{
  g_autoptr(PsPolicy) policy = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) put_back_error = NULL;
  g_autofree char *digest = NULL;
  const char *what = NULL;
  gboolean changed = FALSE;

  /* every field validated, every list capped, or nothing happens */
  policy = ps_policy_new_from_json (json, -1, &local_error);
  if (policy == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Invalid policy: %s",
                   local_error->message);
      return NULL;
    }

  if (!ps_enforcer_apply (policy, &changed, &local_error))
    {
      g_propagate_error (error, gateway_error (local_error, "Cannot apply the policy"));
      return NULL;
    }

  /* stored before the answer: what the caller hears of is durable */
  digest = ps_policy_digest (policy);
  if (!ps_policy_store_save (policy, path, &local_error))
    {
      if (!changed)
        {
          g_propagate_error (error, gateway_error (local_error,
                                                   "The policy is enforced but cannot be stored"));
          return NULL;
        }

      if (put_back_stored (path, &what, &put_back_error))
        g_set_error (error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_FAILED,
                     "The policy cannot be stored (%s); %s", local_error->message, what);
      else
        g_set_error (error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_FAILED,
                     "The policy is enforced but cannot be stored (%s), and putting the "
                     "stored one back failed too: %s",
                     local_error->message, put_back_error->message);
      return NULL;
    }

  return g_variant_new ("(bs)", changed, digest);
}

static GVariant *
do_remove (const char  *path,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) put_back_error = NULL;
  const char *what = NULL;

  /* only Peerscope's table: the enforcer refuses anything else */
  if (!ps_enforcer_remove (&local_error))
    {
      g_propagate_error (error, gateway_error (local_error, "Cannot remove the rules"));
      return NULL;
    }

  if (!ps_policy_store_delete (path, &local_error))
    {
      if (put_back_stored (path, &what, &put_back_error))
        g_set_error (error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_FAILED,
                     "The stored policy cannot be deleted (%s); %s", local_error->message,
                     what);
      else
        g_set_error (error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_FAILED,
                     "The rules are removed but the stored policy cannot be deleted (%s), "
                     "and putting it back failed too: %s",
                     local_error->message, put_back_error->message);
      return NULL;
    }

  return g_variant_new ("()");
}

static GVariant *
do_get_state (const char  *path,
              GError     **error)
{
  g_autoptr(PsPolicy) stored = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *live = NULL;
  g_autofree char *stored_digest = NULL;
  gboolean enforcing;

  live = ps_enforcer_dup_live_digest (&local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, gateway_error (local_error, "Cannot read the rules"));
      return NULL;
    }
  if (live != NULL)
    {
      char *lower = g_ascii_strdown (live, -1);

      g_free (live);
      live = lower;
    }

  /* a store that cannot be read counts as none: the next Apply replaces it */
  stored = ps_policy_store_load (path, &local_error);
  if (stored != NULL)
    stored_digest = ps_policy_digest (stored);
  else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_message ("Ignoring the stored policy: %s", local_error->message);

  enforcing = live != NULL && stored_digest != NULL && g_str_equal (live, stored_digest);

  return g_variant_new ("(ssb)", live != NULL ? live : "",
                        stored_digest != NULL ? stored_digest : "", enforcing);
}

static GVariant *
do_get_blocked (GError **error)
{
  g_autoptr(GPtrArray) attempts = NULL;
  g_autoptr(GError) local_error = NULL;
  GVariantBuilder builder;
  guint skipped = 0;

  attempts = ps_enforcer_read_blocked (&local_error);
  if (attempts == NULL)
    {
      g_propagate_error (error, gateway_error (local_error, "Cannot read the blocked attempts"));
      return NULL;
    }

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("(a(sssqtt))"));
  g_variant_builder_open (&builder, G_VARIANT_TYPE ("a(sssqtt)"));
  for (guint i = 0; i < attempts->len; i++)
    {
      PsBlockedAttempt *attempt = g_ptr_array_index (attempts, i);

      /* the kernel's sets hold at most this many; a GVariant string must
       * be UTF-8, whatever nft says */
      if (i - skipped >= PS_GATEWAY_POLICY_MAX_BLOCKED
          || !g_utf8_validate (attempt->device_address, -1, NULL)
          || !g_utf8_validate (attempt->peer_address, -1, NULL)
          || !g_utf8_validate (attempt->protocol, -1, NULL))
        {
          skipped++;
          continue;
        }

      g_variant_builder_add (&builder, "(sssqtt)", attempt->device_address,
                             attempt->peer_address, attempt->protocol, attempt->port,
                             attempt->packets, attempt->bytes);
    }
  g_variant_builder_close (&builder);

  if (skipped > 0)
    g_message ("Left %u blocked attempts out of the answer", skipped);

  return g_variant_builder_end (&builder);
}

static void
op_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  Op *op = task_data;
  GError *error = NULL;
  GVariant *reply = NULL;

  switch (op->kind)
    {
    case OP_APPLY:
      reply = do_apply (op->json, op->store_path, &error);
      break;
    case OP_REMOVE:
      reply = do_remove (op->store_path, &error);
      break;
    case OP_GET_STATE:
      reply = do_get_state (op->store_path, &error);
      break;
    case OP_GET_BLOCKED:
      reply = do_get_blocked (&error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_variant_ref_sink (reply), (GDestroyNotify) g_variant_unref);
}

/* The queue, on the main thread */

static void ps_gateway_policy_service_run_next (PsGatewayPolicyService *self);

static void
log_change (Op       *op,
            GVariant *reply)
{
  const char *sender = g_dbus_method_invocation_get_sender (op->invocation);
  const char *digest;
  gboolean changed;

  /* who changed the firewall belongs in the journal */
  if (op->kind == OP_APPLY)
    {
      g_variant_get (reply, "(b&s)", &changed, &digest);
      g_message ("Policy %.12s applied for %s%s", digest, sender,
                 changed ? "" : " (already enforced)");
    }
  else if (op->kind == OP_REMOVE)
    {
      g_message ("Policy removed for %s", sender);
    }
}

static void
on_op_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PsGatewayPolicyService *self = PS_GATEWAY_POLICY_SERVICE (object);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  Op *op = self->running;

  g_assert (op != NULL);
  self->running = NULL;

  reply = g_task_propagate_pointer (G_TASK (result), &error);
  if (reply != NULL)
    log_change (op, reply);
  else if (op->kind == OP_APPLY || op->kind == OP_REMOVE)
    g_message ("%s for %s failed: %s", op->kind == OP_APPLY ? "Apply" : "Remove",
               g_dbus_method_invocation_get_sender (op->invocation), error->message);

  op_finish (op, reply, error);
  ps_gateway_policy_service_run_next (self);
}

static void
ps_gateway_policy_service_run_next (PsGatewayPolicyService *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->running != NULL || g_queue_is_empty (&self->queue))
    return;

  self->running = g_queue_pop_head (&self->queue);

  task = g_task_new (self, NULL, on_op_done_cb, NULL);
  g_task_set_source_tag (task, ps_gateway_policy_service_run_next);
  /* self->running owns the op; the worker only reads it */
  g_task_set_task_data (task, self->running, NULL);
  g_task_run_in_thread (task, op_thread);
}

static void
on_authorized_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Op *op = user_data;
  PsGatewayPolicyService *self = op->self;
  g_autoptr(GError) error = NULL;

  if (!ps_gateway_auth_check_finish (result, &error))
    {
      op_finish (op, NULL, error);
      return;
    }

  if (self->closing)
    {
      g_set_error_literal (&error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_FAILED,
                           "The helper is stopping");
      op_finish (op, NULL, error);
      return;
    }

  g_queue_push_tail (&self->queue, op);
  ps_gateway_policy_service_run_next (self);
}

/* Authorises the caller for action, then queues the operation; takes json. */
static void
ps_gateway_policy_service_submit (PsGatewayPolicyService *self,
                                  GDBusMethodInvocation  *invocation,
                                  OpKind                  kind,
                                  char                   *json)
{
  gboolean changes = kind == OP_APPLY || kind == OP_REMOVE;
  Op *op;

  if (self->closing)
    {
      g_free (json);
      g_dbus_method_invocation_return_error_literal (invocation, PS_GATEWAY_ERROR,
                                                     PS_GATEWAY_ERROR_FAILED,
                                                     "The helper is stopping");
      return;
    }
  if (self->pending_calls >= MAX_PENDING_CALLS)
    {
      g_free (json);
      g_dbus_method_invocation_return_error_literal (invocation, PS_GATEWAY_ERROR,
                                                     PS_GATEWAY_ERROR_LIMITS_EXCEEDED,
                                                     "Too many calls in progress");
      return;
    }

  op = g_new0 (Op, 1);
  op->self = g_object_ref (self);
  op->invocation = g_object_ref (invocation);
  op->kind = kind;
  op->json = json;
  op->store_path = g_strdup (self->store_path);

  self->pending_calls++;
  ps_gateway_policy_service_update_idle (self);

  /* reading shows what the flows show (who talks to whom); changing the
   * firewall is an action of its own */
  ps_gateway_auth_check_async (self->connection, self->bus, invocation,
                               changes ? PS_GATEWAY_APPLY_POLICY_ACTION
                                       : PS_GATEWAY_WATCH_FLOWS_ACTION,
                               changes ? "change the firewall rules for cameras"
                                       : "see the firewall rules for cameras",
                               on_authorized_cb, op);
}

/* Method handlers */

static gboolean
on_handle_apply_cb (PsGatewayPolicyService *self,
                    GDBusMethodInvocation  *invocation,
                    const char             *policy_json,
                    PsGateway1Policy       *skeleton)
{
  /* a D-Bus message may be far larger than a policy: refuse before
   * polkit, so that no big message waits for a password */
  if (strnlen (policy_json, PS_POLICY_MAX_JSON_BYTES + 1) > PS_POLICY_MAX_JSON_BYTES)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                             G_DBUS_ERROR_INVALID_ARGS,
                                             "Invalid policy: larger than %u bytes",
                                             PS_POLICY_MAX_JSON_BYTES);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  /* parsed on the worker, after polkit: only authorised callers reach
   * the parser */
  ps_gateway_policy_service_submit (self, invocation, OP_APPLY, g_strdup (policy_json));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_remove_cb (PsGatewayPolicyService *self,
                     GDBusMethodInvocation  *invocation,
                     PsGateway1Policy       *skeleton)
{
  ps_gateway_policy_service_submit (self, invocation, OP_REMOVE, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_get_state_cb (PsGatewayPolicyService *self,
                        GDBusMethodInvocation  *invocation,
                        PsGateway1Policy       *skeleton)
{
  ps_gateway_policy_service_submit (self, invocation, OP_GET_STATE, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_get_blocked_cb (PsGatewayPolicyService *self,
                          GDBusMethodInvocation  *invocation,
                          PsGateway1Policy       *skeleton)
{
  ps_gateway_policy_service_submit (self, invocation, OP_GET_BLOCKED, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* GObject */

static void
ps_gateway_policy_service_dispose (GObject *object)
{
  PsGatewayPolicyService *self = PS_GATEWAY_POLICY_SERVICE (object);

  /* a running op holds a reference through its task: none runs now */
  g_assert (self->running == NULL);

  ps_gateway_policy_service_unregister (self);
  g_queue_clear_full (&self->queue, (GDestroyNotify) op_free);
  g_clear_object (&self->skeleton);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (ps_gateway_policy_service_parent_class)->dispose (object);
}

static void
ps_gateway_policy_service_finalize (GObject *object)
{
  PsGatewayPolicyService *self = PS_GATEWAY_POLICY_SERVICE (object);

  g_free (self->store_path);

  G_OBJECT_CLASS (ps_gateway_policy_service_parent_class)->finalize (object);
}

static void
ps_gateway_policy_service_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  PsGatewayPolicyService *self = PS_GATEWAY_POLICY_SERVICE (object);

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
ps_gateway_policy_service_class_init (PsGatewayPolicyServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_gateway_policy_service_dispose;
  object_class->finalize = ps_gateway_policy_service_finalize;
  object_class->get_property = ps_gateway_policy_service_get_property;

  properties[PROP_IDLE] =
    g_param_spec_boolean ("idle", NULL, NULL,
                          TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* our errors travel by name */
  ps_gateway_error_quark ();
}

static void
ps_gateway_policy_service_init (PsGatewayPolicyService *self)
{
  self->idle = TRUE;
  g_queue_init (&self->queue);

  self->skeleton = ps_gateway1_policy_skeleton_new ();
  g_signal_connect_object (self->skeleton, "handle-apply",
                           G_CALLBACK (on_handle_apply_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->skeleton, "handle-remove",
                           G_CALLBACK (on_handle_remove_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->skeleton, "handle-get-state",
                           G_CALLBACK (on_handle_get_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->skeleton, "handle-get-blocked",
                           G_CALLBACK (on_handle_get_blocked_cb), self, G_CONNECT_SWAPPED);
}

PsGatewayPolicyService *
ps_gateway_policy_service_new (GDBusConnection *connection,
                               PsGatewayBus     bus,
                               const char      *store_path)
{
  PsGatewayPolicyService *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (store_path != NULL, NULL);

  self = g_object_new (PS_TYPE_GATEWAY_POLICY_SERVICE, NULL);
  self->connection = g_object_ref (connection);
  self->bus = bus;
  self->store_path = g_strdup (store_path);

  return self;
}

gboolean
ps_gateway_policy_service_register (PsGatewayPolicyService  *self,
                                    GError                 **error)
{
  g_return_val_if_fail (PS_IS_GATEWAY_POLICY_SERVICE (self), FALSE);

  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                           self->connection, PS_GATEWAY_OBJECT_PATH, error);
}

void
ps_gateway_policy_service_unregister (PsGatewayPolicyService *self)
{
  GDBusInterfaceSkeleton *skeleton;

  g_return_if_fail (PS_IS_GATEWAY_POLICY_SERVICE (self));

  skeleton = G_DBUS_INTERFACE_SKELETON (self->skeleton);
  if (skeleton != NULL && g_dbus_interface_skeleton_has_connection (skeleton, self->connection))
    g_dbus_interface_skeleton_unexport (skeleton);
}

gboolean
ps_gateway_policy_service_get_idle (PsGatewayPolicyService *self)
{
  g_return_val_if_fail (PS_IS_GATEWAY_POLICY_SERVICE (self), FALSE);

  return self->idle;
}

gboolean
ps_gateway_policy_service_restore (PsGatewayPolicyService  *self,
                                   gboolean                *changed,
                                   char                   **digest,
                                   GError                 **error)
{
  g_autoptr(PsPolicy) stored = NULL;

  g_return_val_if_fail (PS_IS_GATEWAY_POLICY_SERVICE (self), FALSE);
  g_return_val_if_fail (self->running == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* the file may have been edited by hand: it is read as strictly as a call */
  stored = ps_policy_store_load (self->store_path, error);
  if (stored == NULL || !ps_enforcer_apply (stored, changed, error))
    return FALSE;

  if (digest != NULL)
    *digest = ps_policy_digest (stored);

  return TRUE;
}

void
ps_gateway_policy_service_shutdown (PsGatewayPolicyService *self)
{
  g_autoptr(GError) error = NULL;
  Op *op;

  g_return_if_fail (PS_IS_GATEWAY_POLICY_SERVICE (self));

  self->closing = TRUE;
  ps_gateway_policy_service_unregister (self);

  g_set_error_literal (&error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_FAILED,
                       "The helper is stopping");
  while ((op = g_queue_pop_head (&self->queue)) != NULL)
    op_finish (op, NULL, error);

  /* a change half done is finished and answered, not cut off */
  while (self->running != NULL)
    g_main_context_iteration (NULL, TRUE);
}
