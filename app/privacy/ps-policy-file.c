/* ps-policy-file.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-policy-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <unistd.h>
#endif

#include "ps-policy-file.h"

#define READ_CHUNK (64 * 1024)

PsPolicy *
ps_policy_file_load (const char  *path,
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

gboolean
ps_policy_file_sync_folder_of (const char  *path,
                               GError     **error)
{
#ifdef G_OS_UNIX
  g_autofree char *folder = g_path_get_dirname (path);
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

  return ps_policy_file_sync_folder_of (path, error);
}

static char *
serialize (PsPolicy *policy)
{
  g_autofree char *json = ps_policy_to_json (policy);

  return g_strconcat (json, "\n", NULL);
}

gboolean
ps_policy_file_save (PsPolicy    *policy,
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

gboolean
ps_policy_file_delete (const char  *path,
                       GError     **error)
{
  int saved_errno;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_unlink (path) != 0)
    {
      saved_errno = errno;
      if (saved_errno == ENOENT)
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot delete %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  return ps_policy_file_sync_folder_of (path, error);
}
