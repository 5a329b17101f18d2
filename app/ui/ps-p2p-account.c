/* ps-p2p-account.c
 *
 * The secrets are one keyring item, a small JSON object {"token": …,
 * "turn-servers": […]}, read once on first use.  Changes take effect in
 * memory at once; writes to the keyring go one at a time, the newest state
 * last, so a slow write never overwrites a newer one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-p2p-account"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <string.h>

#include "ps-p2p-account.h"
#include "ps-p2p-identity.h"
#include "ps-saved-cameras.h"

#define MAX_SECRET_SIZE   (64 * 1024)
#define MAX_TURN_SERVERS  16

struct _PsP2pAccount
{
  GObject     parent_instance;

  GSettings  *settings;
  gboolean    use_keyring;

  gboolean    loaded;
  gboolean    loading;
  char       *token;
  GStrv       turn_servers;
  char       *keyring_error;

  GPtrArray  *waiting;     /* GTask: loads and changes waiting for the secrets */
  GPtrArray  *unwritten;   /* GTask: changes made in memory, not yet being written */
  GPtrArray  *writing;     /* GTask: changes the write on its way carries */
  gboolean    storing;
  guint       changed_id;
};

G_DEFINE_FINAL_TYPE (PsP2pAccount, ps_p2p_account, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static PsP2pAccount *default_account;
static PsP2pAccount *override_account;

static const char * const account_keys[] = {
  "p2p-rendezvous-url", "p2p-ca-file", "p2p-stun-server", "p2p-ice-policy",
  "p2p-local-addresses", "p2p-camera-ice-policies",
};

typedef enum {
  CHANGE_TOKEN,
  CHANGE_TURN_SERVERS,
} ChangeKind;

typedef struct
{
  ChangeKind  kind;
  char       *token;
  GStrv       turn_servers;
} Change;

static void
change_free (Change *change)
{
  if (change->token != NULL)
    memset (change->token, 0, strlen (change->token));
  g_free (change->token);
  g_strfreev (change->turn_servers);
  g_free (change);
}

static const SecretSchema *
account_secret_schema (void)
{
  static const SecretSchema schema = {
    "io.github.peerscope.Peerscope.P2pAccount", SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static void
clear_token (PsP2pAccount *self)
{
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
}

static gboolean
emit_changed_cb (gpointer user_data)
{
  PsP2pAccount *self = user_data;

  self->changed_id = 0;
  g_signal_emit (self, signals[CHANGED], 0);

  return G_SOURCE_REMOVE;
}

/* several keys change together when the preferences save: one signal */
static void
queue_changed (PsP2pAccount *self)
{
  if (self->changed_id == 0)
    self->changed_id = g_idle_add (emit_changed_cb, self);
}

static void
on_settings_changed_cb (PsP2pAccount *self,
                        const char   *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (account_keys); i++)
    if (g_strcmp0 (key, account_keys[i]) == 0)
      {
        queue_changed (self);
        return;
      }
}

/* The keyring's item, read back: never trusted to be well formed. */
static void
parse_secret (PsP2pAccount *self,
              const char   *secret)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonObject *object;
  JsonNode *turn;
  const char *token;

  if (secret == NULL || strlen (secret) > MAX_SECRET_SIZE)
    return;

  root = json_from_string (secret, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("The keyring's P2P account item is not JSON: ignored");
      return;
    }
  object = json_node_get_object (root);

  token = json_object_get_string_member_with_default (object, "token", NULL);
  clear_token (self);
  if (token != NULL && *token != '\0')
    self->token = g_strdup (token);

  turn = json_object_get_member (object, "turn-servers");
  if (turn != NULL && JSON_NODE_HOLDS_ARRAY (turn))
    {
      JsonArray *array = json_node_get_array (turn);

      for (guint i = 0; i < json_array_get_length (array) && i < MAX_TURN_SERVERS; i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  g_strfreev (self->turn_servers);
  self->turn_servers = g_strv_builder_end (builder);
}

static char *
build_secret (PsP2pAccount *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (self->token != NULL)
    {
      json_builder_set_member_name (builder, "token");
      json_builder_add_string_value (builder, self->token);
    }
  json_builder_set_member_name (builder, "turn-servers");
  json_builder_begin_array (builder);
  for (guint i = 0; self->turn_servers != NULL && self->turn_servers[i] != NULL; i++)
    json_builder_add_string_value (builder, self->turn_servers[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

/* Writing --------------------------------------------------------------------- */

static void start_store (PsP2pAccount *self);

static void
finish_writing (PsP2pAccount *self,
                const GError *error)
{
  g_autoptr(GPtrArray) done = g_steal_pointer (&self->writing);

  self->writing = g_ptr_array_new_with_free_func (g_object_unref);
  self->storing = FALSE;

  for (guint i = 0; i < done->len; i++)
    {
      GTask *task = g_ptr_array_index (done, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }

  if (self->unwritten->len > 0)
    start_store (self);
}

static void
on_stored_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PsP2pAccount) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_debug ("The keyring did not take the P2P account: %s", error->message);
  finish_writing (self, error);
}

static void
on_cleared_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PsP2pAccount) self = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error: there was nothing to remove */
  secret_password_clear_finish (result, &error);
  finish_writing (self, error);
}

static void
start_store (PsP2pAccount *self)
{
  gboolean empty = self->token == NULL &&
                   (self->turn_servers == NULL || self->turn_servers[0] == NULL);
  g_autofree char *secret = NULL;

  g_assert (!self->storing);

  self->storing = TRUE;
  g_ptr_array_extend_and_steal (self->writing, g_steal_pointer (&self->unwritten));
  self->unwritten = g_ptr_array_new_with_free_func (g_object_unref);

  if (!self->use_keyring)
    {
      finish_writing (self, NULL);
      return;
    }

  if (empty)
    {
      secret_password_clear (account_secret_schema (), NULL, on_cleared_cb, g_object_ref (self),
                             "account", "default",
                             NULL);
      return;
    }

  secret = build_secret (self);
  secret_password_store (account_secret_schema (), SECRET_COLLECTION_DEFAULT,
                         /* Translators: the keyring item of the P2P account */
                         _("Peerscope P2P account"), secret, NULL, on_stored_cb,
                         g_object_ref (self),
                         "account", "default",
                         NULL);
  memset (secret, 0, strlen (secret));
}

static void
apply_change (PsP2pAccount *self,
              GTask        *task)
{
  Change *change = g_task_get_task_data (task);

  switch (change->kind)
    {
    case CHANGE_TOKEN:
      clear_token (self);
      self->token = g_steal_pointer (&change->token);
      break;
    case CHANGE_TURN_SERVERS:
      g_strfreev (self->turn_servers);
      self->turn_servers = g_steal_pointer (&change->turn_servers);
      break;
    default:
      g_assert_not_reached ();
    }

  queue_changed (self);
  g_ptr_array_add (self->unwritten, g_object_ref (task));
  if (!self->storing)
    start_store (self);
}

/* Loading --------------------------------------------------------------------- */

static PsP2pConfig *
build_config (PsP2pAccount *self)
{
  g_autofree char *url = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *stun = NULL;
  g_autofree char *policy = NULL;
  g_auto(GStrv) local = NULL;
  PsP2pConfig *config;

  url = g_strstrip (g_settings_get_string (self->settings, "p2p-rendezvous-url"));
  config = ps_p2p_config_new (url, self->token);

  ca_file = g_settings_get_string (self->settings, "p2p-ca-file");
  if (*ca_file != '\0')
    config->ca_file = g_steal_pointer (&ca_file);
  stun = g_strstrip (g_settings_get_string (self->settings, "p2p-stun-server"));
  if (*stun != '\0')
    config->stun_server = g_steal_pointer (&stun);
  if (self->turn_servers != NULL && self->turn_servers[0] != NULL)
    config->turn_servers = g_strdupv (self->turn_servers);
  policy = g_settings_get_string (self->settings, "p2p-ice-policy");
  if (!ps_ice_policy_from_string (policy, &config->ice_policy))
    config->ice_policy = PS_ICE_POLICY_ALL;
  local = g_settings_get_strv (self->settings, "p2p-local-addresses");
  if (local[0] != NULL)
    config->local_addresses = g_steal_pointer (&local);

  return config;
}

static void
return_config (PsP2pAccount *self,
               GTask        *task)
{
  if (!ps_p2p_account_is_set_up (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "%s",
                               _("No P2P account is set up: add your rendezvous server in "
                                 "Preferences"));
      return;
    }

  g_task_return_pointer (task, build_config (self), (GDestroyNotify) ps_p2p_config_free);
}

static void
finish_loading (PsP2pAccount *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);

  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->loading = FALSE;
  self->loaded = TRUE;
  queue_changed (self);

  for (guint i = 0; i < waiting->len; i++)
    {
      GTask *task = g_ptr_array_index (waiting, i);

      if (g_task_get_source_tag (task) == ps_p2p_account_load_async)
        return_config (self, task);
      else
        apply_change (self, task);
    }
}

static void
on_looked_up_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PsP2pAccount) self = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_debug ("No keyring for the P2P account: %s", error->message);
      g_free (self->keyring_error);
      self->keyring_error = g_strdup (error->message);
    }
  else
    parse_secret (self, secret);
  if (secret != NULL)
    secret_password_free (secret);

  finish_loading (self);
}

static void
wait_for_secrets (PsP2pAccount *self,
                  GTask        *task)
{
  g_ptr_array_add (self->waiting, g_object_ref (task));
  if (self->loading)
    return;

  self->loading = TRUE;
  secret_password_lookup (account_secret_schema (), NULL, on_looked_up_cb, g_object_ref (self),
                          "account", "default",
                          NULL);
}

/* GObject --------------------------------------------------------------------- */

static void
ps_p2p_account_dispose (GObject *object)
{
  PsP2pAccount *self = (PsP2pAccount *) object;

  g_clear_handle_id (&self->changed_id, g_source_remove);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ps_p2p_account_parent_class)->dispose (object);
}

static void
ps_p2p_account_finalize (GObject *object)
{
  PsP2pAccount *self = (PsP2pAccount *) object;

  clear_token (self);
  g_strfreev (self->turn_servers);
  g_free (self->keyring_error);
  g_ptr_array_unref (self->waiting);
  g_ptr_array_unref (self->unwritten);
  g_ptr_array_unref (self->writing);

  G_OBJECT_CLASS (ps_p2p_account_parent_class)->finalize (object);
}

static void
ps_p2p_account_class_init (PsP2pAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_p2p_account_dispose;
  object_class->finalize = ps_p2p_account_finalize;

  /**
   * PsP2pAccount::changed:
   *
   * A setting or a secret of the account changed (once per main loop
   * iteration, whatever changed in it).
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ps_p2p_account_init (PsP2pAccount *self)
{
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->unwritten = g_ptr_array_new_with_free_func (g_object_unref);
  self->writing = g_ptr_array_new_with_free_func (g_object_unref);
  self->turn_servers = g_new0 (char *, 1);
}

/* Public ---------------------------------------------------------------------- */

PsP2pAccount *
ps_p2p_account_new (GSettings *settings,
                    gboolean   use_keyring)
{
  PsP2pAccount *self;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (PS_TYPE_P2P_ACCOUNT, NULL);
  self->use_keyring = use_keyring;
  self->loaded = !use_keyring;
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_signal_connect_object (settings, "changed", G_CALLBACK (on_settings_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }

  return self;
}

PsP2pAccount *
ps_p2p_account_get_default (void)
{
  if (override_account != NULL)
    return override_account;

  if (default_account == NULL)
    {
      g_autoptr(GSettings) settings = ps_saved_cameras_settings ();

      default_account = ps_p2p_account_new (settings, TRUE);
    }

  return default_account;
}

void
ps_p2p_account_set_default (PsP2pAccount *account)
{
  g_return_if_fail (account == NULL || PS_IS_P2P_ACCOUNT (account));

  g_set_object (&override_account, account);
}

GSettings *
ps_p2p_account_get_settings (PsP2pAccount *self)
{
  g_return_val_if_fail (PS_IS_P2P_ACCOUNT (self), NULL);

  return self->settings;
}

gboolean
ps_p2p_account_is_set_up (PsP2pAccount *self)
{
  g_autofree char *url = NULL;

  g_return_val_if_fail (PS_IS_P2P_ACCOUNT (self), FALSE);

  if (self->settings == NULL)
    return FALSE;
  url = g_strstrip (g_settings_get_string (self->settings, "p2p-rendezvous-url"));

  return *url != '\0';
}

gboolean
ps_p2p_account_is_loaded (PsP2pAccount *self)
{
  g_return_val_if_fail (PS_IS_P2P_ACCOUNT (self), FALSE);

  return self->loaded;
}

const char * const *
ps_p2p_account_get_turn_servers (PsP2pAccount *self)
{
  g_return_val_if_fail (PS_IS_P2P_ACCOUNT (self), NULL);

  return (const char * const *) self->turn_servers;
}

const char *
ps_p2p_account_get_keyring_error (PsP2pAccount *self)
{
  g_return_val_if_fail (PS_IS_P2P_ACCOUNT (self), NULL);

  return self->keyring_error;
}

void
ps_p2p_account_load_async (PsP2pAccount        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_P2P_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_p2p_account_load_async);

  /* nothing to read the secrets for */
  if (self->loaded || !ps_p2p_account_is_set_up (self))
    return_config (self, task);
  else
    wait_for_secrets (self, task);
}

PsP2pConfig *
ps_p2p_account_load_finish (PsP2pAccount  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

PsP2pConfig *
ps_p2p_account_dup_config (PsP2pAccount *self)
{
  g_return_val_if_fail (PS_IS_P2P_ACCOUNT (self), NULL);

  if (!self->loaded || !ps_p2p_account_is_set_up (self))
    return NULL;

  return build_config (self);
}

/* The device id of a p2p: address, or NULL */
static char *
device_id_of (const char *uri)
{
  if (!ps_p2p_account_is_p2p_uri (uri))
    return NULL;

  return ps_p2p_device_id_normalize (uri + strlen ("p2p:"));
}

gboolean
ps_p2p_account_get_camera_ice_policy (PsP2pAccount *self,
                                      const char   *device_id,
                                      PsIcePolicy  *policy)
{
  g_autoptr(GVariant) policies = NULL;
  const char *text = NULL;

  g_return_val_if_fail (PS_IS_P2P_ACCOUNT (self), FALSE);
  g_return_val_if_fail (device_id != NULL, FALSE);

  if (self->settings == NULL)
    return FALSE;

  policies = g_settings_get_value (self->settings, "p2p-camera-ice-policies");
  if (!g_variant_lookup (policies, device_id, "&s", &text))
    return FALSE;

  /* a hand-edited value that names no policy is no override */
  return ps_ice_policy_from_string (text, policy);
}

void
ps_p2p_account_set_camera_ice_policy (PsP2pAccount      *self,
                                      const char        *device_id,
                                      const PsIcePolicy *policy)
{
  g_autoptr(GVariant) old = NULL;
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key, *value;

  g_return_if_fail (PS_IS_P2P_ACCOUNT (self));
  g_return_if_fail (device_id != NULL);

  if (self->settings == NULL)
    return;

  old = g_settings_get_value (self->settings, "p2p-camera-ice-policies");
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    if (!g_str_equal (key, device_id))
      g_variant_builder_add (&builder, "{ss}", key, value);
  if (policy != NULL)
    g_variant_builder_add (&builder, "{ss}", device_id, ps_ice_policy_to_string (*policy));

  g_settings_set_value (self->settings, "p2p-camera-ice-policies",
                        g_variant_builder_end (&builder));
}

PsP2pConfig *
ps_p2p_account_apply_camera_policy (PsP2pAccount *self,
                                    const char   *uri,
                                    PsP2pConfig  *config)
{
  g_autofree char *device_id = device_id_of (uri);
  PsIcePolicy policy;

  g_return_val_if_fail (PS_IS_P2P_ACCOUNT (self), config);

  if (config != NULL && device_id != NULL &&
      ps_p2p_account_get_camera_ice_policy (self, device_id, &policy))
    config->ice_policy = policy;

  return config;
}

PsP2pConfig *
ps_p2p_account_dup_config_for (PsP2pAccount *self,
                               const char   *uri)
{
  g_return_val_if_fail (PS_IS_P2P_ACCOUNT (self), NULL);

  return ps_p2p_account_apply_camera_policy (self, uri, ps_p2p_account_dup_config (self));
}

static void
start_change (PsP2pAccount *self,
              Change       *change,
              gpointer      source_tag,
              GCancellable *cancellable,
              GAsyncReadyCallback callback,
              gpointer      user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, change, (GDestroyNotify) change_free);

  if (self->loaded)
    apply_change (self, task);
  else
    wait_for_secrets (self, task);
}

void
ps_p2p_account_set_token_async (PsP2pAccount        *self,
                                const char          *token,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  Change *change;

  g_return_if_fail (PS_IS_P2P_ACCOUNT (self));

  change = g_new0 (Change, 1);
  change->kind = CHANGE_TOKEN;
  change->token = token != NULL && *token != '\0' ? g_strdup (token) : NULL;
  start_change (self, change, ps_p2p_account_set_token_async, cancellable, callback, user_data);
}

gboolean
ps_p2p_account_set_token_finish (PsP2pAccount  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ps_p2p_account_set_turn_servers_async (PsP2pAccount        *self,
                                       const char * const  *servers,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  Change *change;

  g_return_if_fail (PS_IS_P2P_ACCOUNT (self));

  change = g_new0 (Change, 1);
  change->kind = CHANGE_TURN_SERVERS;
  change->turn_servers = servers != NULL ? g_strdupv ((char **) servers) : g_new0 (char *, 1);
  start_change (self, change, ps_p2p_account_set_turn_servers_async, cancellable, callback,
                user_data);
}

gboolean
ps_p2p_account_set_turn_servers_finish (PsP2pAccount  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ps_p2p_account_is_p2p_uri (const char *uri)
{
  return uri != NULL && g_str_has_prefix (uri, "p2p:");
}

static gboolean
strv_equal (char **a,
            char **b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_strv_equal ((const char * const *) a, (const char * const *) b);
}

gboolean
ps_p2p_account_config_equal (const PsP2pConfig *a,
                             const PsP2pConfig *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_strcmp0 (a->rendezvous_url, b->rendezvous_url) == 0 &&
         g_strcmp0 (a->token, b->token) == 0 &&
         g_strcmp0 (a->ca_file, b->ca_file) == 0 &&
         g_strcmp0 (a->stun_server, b->stun_server) == 0 &&
         strv_equal (a->turn_servers, b->turn_servers) &&
         a->ice_policy == b->ice_policy &&
         strv_equal (a->local_addresses, b->local_addresses);
}
