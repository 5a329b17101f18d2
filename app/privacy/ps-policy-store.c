/* ps-policy-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-policy-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <unistd.h>
#endif

#include "ps-policy-store.h"

#define READ_CHUNK (64 * 1024)

char *
ps_policy_store_default_path (gboolean system)
{
  if (system)
    return g_build_filename ("/var/lib", "peerscope", "policy.json", NULL);

  return g_build_filename (g_get_user_config_dir (), "peerscope", "policy.json", NULL);
}

PsPolicy *
ps_policy_store_load (const char  *path,
                      GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GByteArray) data = NULL;
  PsPolicy *policy;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return NULL;

  /* never more than the cap, whatever the file's size */
  data = g_byte_array_new ();
  for (;;)
    {
      gsize before = data->len;
      gsize n_read = 0;

      g_byte_array_set_size (data, (guint) (before + READ_CHUNK));
      if (!g_input_stream_read_all (G_INPUT_STREAM (stream), data->data + before, READ_CHUNK,
                                    &n_read, NULL, error))
        return NULL;
      g_byte_array_set_size (data, (guint) (before + n_read));
      if (n_read < READ_CHUNK)
        break;
      if (data->len > PS_POLICY_MAX_JSON_BYTES)
        {
          g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                       _("The policy in %s is larger than %u bytes"), path,
                       PS_POLICY_MAX_JSON_BYTES);
          return NULL;
        }
    }

  policy = ps_policy_new_from_json ((const char *) data->data, data->len, error);
  if (policy == NULL)
    g_prefix_error (error, _("Cannot read the policy in %s: "), path);

  return policy;
}

/* The folder of PATH, flushed so that a rename in it survives a crash */
static gboolean
sync_folder (const char  *folder,
             GError     **error)
{
#ifdef G_OS_UNIX
  int fd = g_open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  int saved_errno;

  if (fd < 0 || fsync (fd) != 0)
    {
      saved_errno = errno;
      if (fd >= 0)
        g_close (fd, NULL);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot save the policy in %s: %s"), folder, g_strerror (saved_errno));
      return FALSE;
    }

  return g_close (fd, error);
#else
  return TRUE;
#endif
}

static gboolean
write_durably (const char  *path,
               const char  *data,
               gsize        length,
               GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int saved_errno;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create the folder %s: %s"), folder, g_strerror (saved_errno));
      return FALSE;
    }

  /* a new file, flushed, then renamed over the old one */
  if (!g_file_set_contents_full (path, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return FALSE;

  return sync_folder (folder, error);
}

static char *
serialize (PsPolicy *policy)
{
  g_autofree char *json = ps_policy_to_json (policy);

  return g_strconcat (json, "\n", NULL);
}

gboolean
ps_policy_store_save (PsPolicy    *policy,
                      const char  *path,
                      GError     **error)
{
  g_autofree char *data = NULL;

  g_return_val_if_fail (PS_IS_POLICY (policy), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = serialize (policy);
  return write_durably (path, data, strlen (data), error);
}

typedef struct
{
  char *path;
  char *data;
} SaveData;

static void
save_data_free (SaveData *save)
{
  g_free (save->path);
  g_free (save->data);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *save = task_data;
  GError *error = NULL;

  if (write_durably (save->path, save->data, strlen (save->data), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ps_policy_store_save_async (PsPolicy            *policy,
                            const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *save;

  g_return_if_fail (PS_IS_POLICY (policy));
  g_return_if_fail (path != NULL);

  /* taken now, on the caller's thread: the policy is not thread-safe */
  save = g_new0 (SaveData, 1);
  save->path = g_strdup (path);
  save->data = serialize (policy);

  task = g_task_new (policy, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_policy_store_save_async);
  g_task_set_task_data (task, save, (GDestroyNotify) save_data_free);
  /* once started, a write is not cancelled halfway */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, save_thread);
}

gboolean
ps_policy_store_save_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ps_policy_store_save_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
