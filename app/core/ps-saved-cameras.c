/* ps-saved-cameras.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-saved-cameras"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "ps-saved-cameras.h"

#define MAX_CAMERAS 256

static const SecretSchema *
camera_secret_schema (void)
{
  static const SecretSchema schema = {
    "io.github.peerscope.Peerscope.Camera", SECRET_SCHEMA_NONE,
    {
      { "camera-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

char *
ps_saved_cameras_serialize (PsDevice *device)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (PS_IS_DEVICE (device), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, ps_device_get_name (device));
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, ps_device_get_uri (device));
  if (ps_device_get_sub_uri (device) != NULL)
    {
      json_builder_set_member_name (builder, "sub-uri");
      json_builder_add_string_value (builder, ps_device_get_sub_uri (device));
    }
  if (ps_device_get_username (device) != NULL)
    {
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, ps_device_get_username (device));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

PsDevice *
ps_saved_cameras_parse (const char *json)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  const char *uri;
  PsDevice *device;

  if (json == NULL)
    return NULL;

  node = json_from_string (json, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  uri = json_object_get_string_member_with_default (object, "uri", NULL);
  if (uri == NULL || *uri == '\0')
    return NULL;

  device = ps_device_new (json_object_get_string_member_with_default (object, "name", uri), uri);
  ps_device_set_sub_uri (device, json_object_get_string_member_with_default (object, "sub-uri",
                                                                              NULL));
  ps_device_set_username (device, json_object_get_string_member_with_default (object, "username",
                                                                               NULL));
  return device;
}

GSettings *
ps_saved_cameras_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, PS_SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL)
    return NULL;

  return g_settings_new (PS_SETTINGS_SCHEMA_ID);
}

PsDevice *
ps_saved_cameras_find (GPtrArray  *devices,
                       const char *key)
{
  g_return_val_if_fail (devices != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < devices->len; i++)
    {
      PsDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *host = ps_device_dup_host (device);

      if (g_strcmp0 (ps_device_get_id (device), key) == 0 ||
          (host != NULL && g_ascii_strcasecmp (host, key) == 0))
        return device;
    }

  return NULL;
}

GPtrArray *
ps_saved_cameras_load (GSettings *settings)
{
  g_auto(GStrv) entries = NULL;
  GPtrArray *devices;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  devices = g_ptr_array_new_with_free_func (g_object_unref);
  entries = g_settings_get_strv (settings, "cameras");

  for (guint i = 0; entries[i] != NULL && devices->len < MAX_CAMERAS; i++)
    {
      PsDevice *device = ps_saved_cameras_parse (entries[i]);

      if (device != NULL)
        g_ptr_array_add (devices, device);
      else
        g_warning ("Skipping an unreadable saved camera");
    }

  return devices;
}

void
ps_saved_cameras_save (GSettings *settings,
                       GPtrArray *devices)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) entries = NULL;

  g_return_if_fail (G_IS_SETTINGS (settings));

  for (guint i = 0; i < devices->len; i++)
    {
      g_autofree char *json = ps_saved_cameras_serialize (g_ptr_array_index (devices, i));
      g_strv_builder_add (builder, json);
    }

  entries = g_strv_builder_end (builder);
  g_settings_set_strv (settings, "cameras", (const char * const *) entries);
}

GPtrArray *
ps_saved_cameras_load_known (PsStore   *store,
                             GSettings *settings)
{
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;

  if (store != NULL)
    {
      devices = ps_store_load_devices (store, &error);
      if (devices == NULL)
        g_warning ("%s", error->message);
    }

  if ((devices == NULL || devices->len == 0) && settings != NULL)
    {
      g_clear_pointer (&devices, g_ptr_array_unref);
      devices = ps_saved_cameras_load (settings);
      for (guint i = 0; store != NULL && i < devices->len; i++)
        if (!ps_store_save_device (store, g_ptr_array_index (devices, i), &error))
          {
            g_warning ("Could not import a camera: %s", error->message);
            g_clear_error (&error);
          }
    }

  return devices != NULL ? g_steal_pointer (&devices)
                         : g_ptr_array_new_with_free_func (g_object_unref);
}

static void
on_saved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ps_store_save_device_finish (PS_STORE (object), result, &error))
    g_warning ("The camera could not be saved: %s", error->message);
}

static void
on_removed_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ps_store_remove_device_finish (PS_STORE (object), result, &error))
    g_warning ("The camera could not be removed: %s", error->message);
}

/* The store writes durably, so off the main loop. */
void
ps_saved_cameras_remember (PsStore   *store,
                           GSettings *settings,
                           GPtrArray *all,
                           PsDevice  *device)
{
  if (store != NULL)
    ps_store_save_device_async (store, device, NULL, on_saved_cb, NULL);
  if (settings != NULL)
    ps_saved_cameras_save (settings, all);
}

void
ps_saved_cameras_forget (PsStore   *store,
                         GSettings *settings,
                         GPtrArray *all,
                         PsDevice  *device)
{
  if (store != NULL)
    ps_store_remove_device_async (store, ps_device_get_id (device), NULL, on_removed_cb, NULL);
  if (settings != NULL)
    ps_saved_cameras_save (settings, all);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ps_saved_cameras_store_password_async (PsDevice            *device,
                                       const char          *password,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *label = NULL;
  GTask *task;

  g_return_if_fail (PS_IS_DEVICE (device));
  g_return_if_fail (password != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_saved_cameras_store_password_async);

  /* Translators: the keyring item of a camera password */
  label = g_strdup_printf (_("Camera password for %s"), ps_device_get_name (device));
  secret_password_store (camera_secret_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                         cancellable, store_cb, task,
                         "camera-id", ps_device_get_id (device),
                         NULL);
}

gboolean
ps_saved_cameras_store_password_finish (GAsyncResult  *result,
                                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *password;

  password = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    {
      g_task_return_pointer (task, g_strdup (password), g_free);
      secret_password_free (password);
    }
}

void
ps_saved_cameras_lookup_password_async (PsDevice            *device,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PS_IS_DEVICE (device));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_saved_cameras_lookup_password_async);
  secret_password_lookup (camera_secret_schema (), cancellable, lookup_cb, task,
                          "camera-id", ps_device_get_id (device),
                          NULL);
}

char *
ps_saved_cameras_lookup_password_finish (GAsyncResult  *result,
                                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
ps_saved_cameras_lookup_password_sync (PsDevice  *device,
                                       GError   **error)
{
  char *secret;
  char *password;

  g_return_val_if_fail (PS_IS_DEVICE (device), NULL);

  secret = secret_password_lookup_sync (camera_secret_schema (), NULL, error,
                                        "camera-id", ps_device_get_id (device),
                                        NULL);
  if (secret == NULL)
    return NULL;

  password = g_strdup (secret);
  secret_password_free (secret);

  return password;
}

static void
forget_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error: there was nothing to remove */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
ps_saved_cameras_forget_password_async (PsDevice            *device,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PS_IS_DEVICE (device));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_saved_cameras_forget_password_async);
  secret_password_clear (camera_secret_schema (), cancellable, forget_cb, task,
                         "camera-id", ps_device_get_id (device),
                         NULL);
}

gboolean
ps_saved_cameras_forget_password_finish (GAsyncResult  *result,
                                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
