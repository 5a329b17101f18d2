/* ps-policy-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-policy-store"

#include "config.h"

#include "ps-policy-database.h"
#include "ps-policy-file.h"
#include "ps-policy-store.h"

#define LEGACY_NAME "policy.json"

void
ps_policy_change_free (PsPolicyChange *change)
{
  if (change == NULL)
    return;

  g_free (change->device);
  g_free (change);
}

char *
ps_policy_store_default_path (gboolean system)
{
  if (system)
    return g_build_filename ("/var/lib", "peerscope", "policy.db", NULL);

  return g_build_filename (g_get_user_config_dir (), "peerscope", "policy.db", NULL);
}

static gboolean
is_file_store (const char *path)
{
  return g_str_has_suffix (path, ".json");
}

/* The policy.json an older Peerscope kept beside the database */
static char *
legacy_path_for (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);

  return g_build_filename (folder, LEGACY_NAME, NULL);
}

/* The database does not exist yet: an older Peerscope's file becomes its
 * first content.  The file stays, untouched, as it was. */
static PsPolicy *
take_over_legacy (const char  *path,
                  GError     **error)
{
  g_autofree char *legacy = legacy_path_for (path);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PsPolicy) policy = NULL;

  policy = ps_policy_file_load (legacy, error);
  if (policy == NULL)
    return NULL;

  if (!ps_policy_database_save (policy, path, g_get_real_time (), &local_error))
    g_warning ("Cannot move the policy in %s to %s: %s", legacy, path, local_error->message);
  else
    g_message ("The policy in %s is now kept in %s", legacy, path);

  return g_steal_pointer (&policy);
}

PsPolicy *
ps_policy_store_load (const char  *path,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  PsPolicy *policy;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (is_file_store (path))
    return ps_policy_file_load (path, error);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return ps_policy_database_load (path, error);

  policy = take_over_legacy (path, &local_error);
  if (policy == NULL)
    {
      /* what is missing is the database, not the old file */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return ps_policy_database_load (path, error);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }

  return policy;
}

gboolean
ps_policy_store_save (PsPolicy    *policy,
                      const char  *path,
                      GError     **error)
{
  g_return_val_if_fail (PS_IS_POLICY (policy), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (is_file_store (path))
    return ps_policy_file_save (policy, path, error);

  return ps_policy_database_save (policy, path, g_get_real_time (), error);
}

gboolean
ps_policy_store_delete (const char  *path,
                        GError     **error)
{
  g_autofree char *legacy = NULL;
  g_autoptr(PsPolicy) empty = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (is_file_store (path))
    return ps_policy_file_delete (path, error);

  /* or the old file would come back as the policy on the next load */
  legacy = legacy_path_for (path);
  if (!g_file_test (path, G_FILE_TEST_EXISTS) && g_file_test (legacy, G_FILE_TEST_EXISTS) &&
      !ps_policy_database_save ((empty = ps_policy_new ()), path, g_get_real_time (), error))
    return FALSE;

  return ps_policy_database_delete (path, g_get_real_time (), error);
}

GPtrArray *
ps_policy_store_dup_changes (const char  *path,
                             gint64       since_us,
                             GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (is_file_store (path))
    return g_ptr_array_new_with_free_func ((GDestroyNotify) ps_policy_change_free);

  return ps_policy_database_dup_changes (path, since_us, error);
}

typedef struct
{
  char     *path;
  PsPolicy *policy;
} SaveData;

static void
save_data_free (SaveData *save)
{
  g_free (save->path);
  g_clear_object (&save->policy);
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

  /* the copy is this thread's alone */
  if (ps_policy_store_save (save->policy, save->path, &error))
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
  save->policy = ps_policy_copy (policy);

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
