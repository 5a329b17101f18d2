/* ps-p2p-directory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-p2p-directory"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-p2p-directory.h"
#include "ps-p2p-identity.h"
#include "ps-signalling-client.h"

#define DEFAULT_RETRY_MS 2000
#define MAX_RETRY_MS     60000
#define MAX_CAMERAS      PS_SIGNALLING_MAX_PEERS

struct _PsP2pDirectory
{
  GObject              parent_instance;

  PsP2pConfig         *config;
  PsSignallingClient  *client;
  GCancellable        *cancellable;
  PsP2pDirectoryState  state;
  char                *error;
  gboolean             listed;
  GPtrArray           *cameras;    /* PsP2pDirectoryCamera, by name */
  guint                retry_id;
  guint                retry_ms;      /* doubles up to MAX_RETRY_MS */
};

G_DEFINE_FINAL_TYPE (PsP2pDirectory, ps_p2p_directory, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
camera_free (PsP2pDirectoryCamera *camera)
{
  g_free (camera->peer_id);
  g_free (camera->device_id);
  g_free (camera->name);
  g_free (camera);
}

static void
emit_changed (PsP2pDirectory *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

/* What a server says a camera is called, made fit to show: valid UTF-8,
 * no control characters, not too long; NULL if nothing is left. */
static char *
printable_name (const char *name)
{
  g_autofree char *valid = NULL;
  g_autofree char *cut = NULL;
  g_autoptr(GString) clean = NULL;

  if (name == NULL)
    return NULL;

  valid = g_utf8_make_valid (name, -1);
  cut = g_utf8_substring (valid, 0, MIN (g_utf8_strlen (valid, -1), PS_P2P_DIRECTORY_MAX_NAME));
  clean = g_string_new (NULL);
  for (const char *p = cut; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_FORMAT)
        g_string_append_c (clean, ' ');
      else
        g_string_append_unichar (clean, c);
    }
  g_strstrip (clean->str);
  if (*clean->str == '\0')
    return NULL;

  return g_strdup (clean->str);
}

static int
compare_cameras (gconstpointer a,
                 gconstpointer b)
{
  const PsP2pDirectoryCamera *ca = *(PsP2pDirectoryCamera **) a;
  const PsP2pDirectoryCamera *cb = *(PsP2pDirectoryCamera **) b;
  int order = g_utf8_collate (ca->name != NULL ? ca->name : "", cb->name != NULL ? cb->name : "");

  return order != 0 ? order : strcmp (ca->device_id, cb->device_id);
}

static gboolean
remove_peer (PsP2pDirectory *self,
             const char     *peer_id)
{
  for (guint i = 0; i < self->cameras->len; i++)
    {
      PsP2pDirectoryCamera *camera = g_ptr_array_index (self->cameras, i);

      if (g_strcmp0 (camera->peer_id, peer_id) == 0)
        {
          g_ptr_array_remove_index (self->cameras, i);
          return TRUE;
        }
    }

  return FALSE;
}

/* A producer whose metadata names a device id; others cannot be pinned. */
static gboolean
add_producer (PsP2pDirectory *self,
              const char     *peer_id,
              JsonNode       *meta)
{
  g_autofree char *device_id = NULL;
  PsP2pDirectoryCamera *camera;
  JsonObject *object;

  remove_peer (self, peer_id);
  if (meta == NULL || !JSON_NODE_HOLDS_OBJECT (meta) || self->cameras->len >= MAX_CAMERAS)
    return FALSE;

  object = json_node_get_object (meta);
  device_id = ps_p2p_device_id_normalize (json_object_get_string_member_with_default (object,
                                                                                      "device_id",
                                                                                      NULL));
  if (device_id == NULL)
    return FALSE;

  camera = g_new0 (PsP2pDirectoryCamera, 1);
  camera->peer_id = g_strdup (peer_id);
  camera->device_id = g_steal_pointer (&device_id);
  camera->name = printable_name (json_object_get_string_member_with_default (object, "name",
                                                                             NULL));
  g_ptr_array_add (self->cameras, camera);
  g_ptr_array_sort (self->cameras, compare_cameras);

  return TRUE;
}

static void start_connection (PsP2pDirectory *self);

static gboolean
retry_cb (gpointer user_data)
{
  PsP2pDirectory *self = user_data;

  self->retry_id = 0;
  start_connection (self);

  return G_SOURCE_REMOVE;
}

static void
drop_client (PsP2pDirectory *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      ps_signalling_client_close (self->client);
    }
  g_clear_object (&self->client);
}

static void
fail (PsP2pDirectory *self,
      const char     *message)
{
  drop_client (self);
  g_free (self->error);
  self->error = g_strdup (message);
  self->state = PS_P2P_DIRECTORY_FAILED;
  self->listed = FALSE;
  g_ptr_array_set_size (self->cameras, 0);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add (self->retry_ms, retry_cb, self);
  self->retry_ms = MIN (self->retry_ms * 2, MAX_RETRY_MS);

  emit_changed (self);
}

static void
on_message_cb (PsSignallingClient  *client,
               PsSignallingMessage *message,
               PsP2pDirectory      *self)
{
  switch (message->type)
    {
    case PS_SIGNALLING_MESSAGE_LIST:
      g_ptr_array_set_size (self->cameras, 0);
      for (guint i = 0; message->peers != NULL && i < message->peers->len; i++)
        {
          PsSignallingPeerInfo *peer = g_ptr_array_index (message->peers, i);

          add_producer (self, peer->id, peer->meta);
        }
      self->listed = TRUE;
      emit_changed (self);
      break;

    case PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED:
      if (message->roles & PS_SIGNALLING_ROLE_PRODUCER)
        add_producer (self, message->peer_id, message->meta);
      else
        remove_peer (self, message->peer_id);
      emit_changed (self);
      break;

    case PS_SIGNALLING_MESSAGE_ERROR:
      g_debug ("The rendezvous server said: %s", message->details);
      break;

    default:
      break;
    }
}

static void
on_closed_cb (PsSignallingClient *client,
              const GError       *error,
              PsP2pDirectory     *self)
{
  g_autofree char *message = NULL;

  /* Translators: the rendezvous server ended the connection; %s says why */
  message = g_strdup_printf (_("The server closed the connection: %s"),
                             error != NULL ? error->message : _("no reason given"));
  fail (self, message);
}

static void
on_connected_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PsP2pDirectory) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ps_signalling_client_connect_finish (PS_SIGNALLING_CLIENT (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          PS_SIGNALLING_CLIENT (object) == self->client)
        fail (self, error->message);
      return;
    }
  if (PS_SIGNALLING_CLIENT (object) != self->client)
    return;

  self->state = PS_P2P_DIRECTORY_CONNECTED;
  self->retry_ms = DEFAULT_RETRY_MS;
  g_clear_pointer (&self->error, g_free);
  g_signal_connect_object (self->client, "message", G_CALLBACK (on_message_cb), self, 0);
  g_signal_connect_object (self->client, "closed", G_CALLBACK (on_closed_cb), self, 0);
  /* a listener hears of cameras that come and go */
  ps_signalling_client_set_status (self->client, PS_SIGNALLING_ROLE_LISTENER, NULL);
  ps_signalling_client_list (self->client);
  emit_changed (self);
}

static void
start_connection (PsP2pDirectory *self)
{
  g_autoptr(GError) error = NULL;

  drop_client (self);
  self->state = PS_P2P_DIRECTORY_CONNECTING;
  self->listed = FALSE;
  g_ptr_array_set_size (self->cameras, 0);

  if (!ps_p2p_config_validate (self->config, &error))
    {
      /* nothing to retry before the settings change */
      drop_client (self);
      g_free (self->error);
      self->error = g_strdup (error->message);
      self->state = PS_P2P_DIRECTORY_FAILED;
      emit_changed (self);
      return;
    }

  self->client = ps_signalling_client_new (self->config->rendezvous_url, self->config->token);
  ps_signalling_client_set_ca_file (self->client, self->config->ca_file);

  self->cancellable = g_cancellable_new ();
  ps_signalling_client_connect_async (self->client, self->cancellable, on_connected_cb,
                                      g_object_ref (self));
  emit_changed (self);
}

static void
ps_p2p_directory_dispose (GObject *object)
{
  PsP2pDirectory *self = (PsP2pDirectory *) object;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  drop_client (self);

  G_OBJECT_CLASS (ps_p2p_directory_parent_class)->dispose (object);
}

static void
ps_p2p_directory_finalize (GObject *object)
{
  PsP2pDirectory *self = (PsP2pDirectory *) object;

  g_clear_pointer (&self->config, ps_p2p_config_free);
  g_free (self->error);
  g_ptr_array_unref (self->cameras);

  G_OBJECT_CLASS (ps_p2p_directory_parent_class)->finalize (object);
}

static void
ps_p2p_directory_class_init (PsP2pDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_p2p_directory_dispose;
  object_class->finalize = ps_p2p_directory_finalize;

  /**
   * PsP2pDirectory::changed:
   *
   * The state or the list of cameras changed.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ps_p2p_directory_init (PsP2pDirectory *self)
{
  self->cameras = g_ptr_array_new_with_free_func ((GDestroyNotify) camera_free);
  self->retry_ms = DEFAULT_RETRY_MS;
}

PsP2pDirectory *
ps_p2p_directory_new (void)
{
  return g_object_new (PS_TYPE_P2P_DIRECTORY, NULL);
}

void
ps_p2p_directory_start (PsP2pDirectory    *self,
                        const PsP2pConfig *config)
{
  g_return_if_fail (PS_IS_P2P_DIRECTORY (self));

  if (config == NULL)
    {
      ps_p2p_directory_stop (self);
      return;
    }

  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_pointer (&self->config, ps_p2p_config_free);
  self->config = ps_p2p_config_copy (config);
  self->retry_ms = DEFAULT_RETRY_MS;
  start_connection (self);
}

void
ps_p2p_directory_stop (PsP2pDirectory *self)
{
  g_return_if_fail (PS_IS_P2P_DIRECTORY (self));

  g_clear_handle_id (&self->retry_id, g_source_remove);
  drop_client (self);
  g_clear_pointer (&self->config, ps_p2p_config_free);
  g_clear_pointer (&self->error, g_free);
  self->listed = FALSE;
  g_ptr_array_set_size (self->cameras, 0);
  if (self->state != PS_P2P_DIRECTORY_IDLE)
    {
      self->state = PS_P2P_DIRECTORY_IDLE;
      emit_changed (self);
    }
}

PsP2pDirectoryState
ps_p2p_directory_get_state (PsP2pDirectory *self)
{
  g_return_val_if_fail (PS_IS_P2P_DIRECTORY (self), PS_P2P_DIRECTORY_IDLE);

  return self->state;
}

const char *
ps_p2p_directory_get_peer_id (PsP2pDirectory *self)
{
  g_return_val_if_fail (PS_IS_P2P_DIRECTORY (self), NULL);

  if (self->state != PS_P2P_DIRECTORY_CONNECTED || self->client == NULL)
    return NULL;

  return ps_signalling_client_get_peer_id (self->client);
}

const char *
ps_p2p_directory_get_error (PsP2pDirectory *self)
{
  g_return_val_if_fail (PS_IS_P2P_DIRECTORY (self), NULL);

  return self->error;
}

gboolean
ps_p2p_directory_is_listed (PsP2pDirectory *self)
{
  g_return_val_if_fail (PS_IS_P2P_DIRECTORY (self), FALSE);

  return self->listed;
}

GPtrArray *
ps_p2p_directory_get_cameras (PsP2pDirectory *self)
{
  g_return_val_if_fail (PS_IS_P2P_DIRECTORY (self), NULL);

  return self->cameras;
}

const PsP2pDirectoryCamera *
ps_p2p_directory_find (PsP2pDirectory *self,
                       const char     *device_id)
{
  g_return_val_if_fail (PS_IS_P2P_DIRECTORY (self), NULL);

  for (guint i = 0; device_id != NULL && i < self->cameras->len; i++)
    {
      PsP2pDirectoryCamera *camera = g_ptr_array_index (self->cameras, i);

      if (g_str_equal (camera->device_id, device_id))
        return camera;
    }

  return NULL;
}
