/* ps-store.c
 *
 * One table of cameras. Every change is one transaction in WAL mode with
 * synchronous=FULL: after a crash the file holds the old or the new state,
 * never a mix. Passwords are never stored here (they live in the keyring).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-store"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ps-store.h"

#define SCHEMA_VERSION 1

struct _PsStore
{
  GObject  parent_instance;

  sqlite3 *db;
};

G_DEFINE_FINAL_TYPE (PsStore, ps_store, G_TYPE_OBJECT)

static gboolean
fail (PsStore     *self,
      GError     **error,
      const char  *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what,
               self->db != NULL ? sqlite3_errmsg (self->db) : "no database");
  return FALSE;
}

static gboolean
exec (PsStore     *self,
      const char  *sql,
      GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", message ? message : "SQL error");
      sqlite3_free (message);
      return FALSE;
    }

  return TRUE;
}

static void
ps_store_finalize (GObject *object)
{
  PsStore *self = (PsStore *) object;

  if (self->db != NULL)
    sqlite3_close (self->db);

  G_OBJECT_CLASS (ps_store_parent_class)->finalize (object);
}

static void
ps_store_class_init (PsStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_store_finalize;
}

static void
ps_store_init (PsStore *self)
{
}

PsStore *
ps_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(PsStore) self = g_object_new (PS_TYPE_STORE, NULL);
  g_autofree char *default_path = NULL;
  g_autofree char *dir = NULL;

  if (path == NULL)
    {
      default_path = g_build_filename (g_get_user_data_dir (), "peerscope", "peerscope.db", NULL);
      path = default_path;
    }

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot create %s: %s", dir, g_strerror (errno));
      return NULL;
    }

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      fail (self, error, path);
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 2000);

  if (!exec (self, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", error) ||
      !exec (self,
             "CREATE TABLE IF NOT EXISTS devices ("
             "  id TEXT PRIMARY KEY,"
             "  position INTEGER NOT NULL,"
             "  name TEXT, uri TEXT NOT NULL, sub_uri TEXT, username TEXT,"
             "  mac TEXT, p2p_uid TEXT, last_seen INTEGER NOT NULL DEFAULT 0);"
             "PRAGMA user_version=1;", error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

/* What is written of a device, taken on the caller's thread so that the
 * write itself can run on another. */
typedef struct
{
  char   *id;
  char   *name;
  char   *uri;
  char   *sub_uri;
  char   *username;
  char   *mac;
  char   *p2p_uid;
  gint64  last_seen;
} Row;

static void
row_free (Row *row)
{
  g_free (row->id);
  g_free (row->name);
  g_free (row->uri);
  g_free (row->sub_uri);
  g_free (row->username);
  g_free (row->mac);
  g_free (row->p2p_uid);
  g_free (row);
}

static Row *
row_new (PsDevice *device)
{
  Row *row = g_new0 (Row, 1);

  row->id = g_strdup (ps_device_get_id (device));
  row->name = g_strdup (ps_device_get_name (device));
  row->uri = g_strdup (ps_device_get_uri (device));
  row->sub_uri = g_strdup (ps_device_get_sub_uri (device));
  row->username = g_strdup (ps_device_get_username (device));
  row->mac = g_strdup (ps_device_get_mac (device));
  row->p2p_uid = g_strdup (ps_device_get_p2p_uid (device));
  row->last_seen = ps_device_get_last_seen (device);

  return row;
}

static gboolean
save_row (PsStore    *self,
          const Row  *row,
          GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO devices (id, position, name, uri, sub_uri, username, mac,"
                          "                     p2p_uid, last_seen)"
                          " VALUES (?1, COALESCE ((SELECT position FROM devices WHERE id = ?1),"
                          "                       (SELECT IFNULL (MAX (position), 0) + 1"
                          "                        FROM devices)),"
                          "         ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                          " ON CONFLICT (id) DO UPDATE SET name = ?2, uri = ?3, sub_uri = ?4,"
                          "   username = ?5, mac = ?6, p2p_uid = ?7,"
                          "   last_seen = MAX (last_seen, ?8)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return fail (self, error, "Cannot save the camera");

  bind_text (stmt, 1, row->id);
  bind_text (stmt, 2, row->name);
  bind_text (stmt, 3, row->uri);
  bind_text (stmt, 4, row->sub_uri);
  bind_text (stmt, 5, row->username);
  bind_text (stmt, 6, row->mac);
  bind_text (stmt, 7, row->p2p_uid);
  sqlite3_bind_int64 (stmt, 8, row->last_seen);

  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);

  return ok || fail (self, error, "Cannot save the camera");
}

gboolean
ps_store_save_device (PsStore   *self,
                      PsDevice  *device,
                      GError   **error)
{
  Row *row;
  gboolean ok;

  g_return_val_if_fail (PS_IS_STORE (self), FALSE);
  g_return_val_if_fail (PS_IS_DEVICE (device), FALSE);

  row = row_new (device);
  ok = save_row (self, row, error);
  row_free (row);

  return ok;
}

/* SQLite is built serialized: one connection may be used from the worker. */
static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (save_row (source_object, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ps_store_save_device_async (PsStore             *self,
                            PsDevice            *device,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_STORE (self));
  g_return_if_fail (PS_IS_DEVICE (device));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_store_save_device_async);
  g_task_set_task_data (task, row_new (device), (GDestroyNotify) row_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
ps_store_save_device_finish (PsStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
remove_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (ps_store_remove_device (source_object, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ps_store_remove_device_async (PsStore             *self,
                              const char          *id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_STORE (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_store_remove_device_async);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_task_run_in_thread (task, remove_thread);
}

gboolean
ps_store_remove_device_finish (PsStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ps_store_remove_device (PsStore     *self,
                        const char  *id,
                        GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (PS_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (sqlite3_prepare_v2 (self->db, "DELETE FROM devices WHERE id = ?1", -1, &stmt, NULL)
      != SQLITE_OK)
    return fail (self, error, "Cannot remove the camera");

  bind_text (stmt, 1, id);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);

  return ok || fail (self, error, "Cannot remove the camera");
}

GPtrArray *
ps_store_load_devices (PsStore  *self,
                       GError  **error)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (PS_IS_STORE (self), NULL);

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT id, name, uri, sub_uri, username FROM devices"
                          " ORDER BY position", -1, &stmt, NULL) != SQLITE_OK)
    {
      fail (self, error, "Cannot read the cameras");
      return NULL;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *uri = (const char *) sqlite3_column_text (stmt, 2);
      PsDevice *device;

      if (uri == NULL || *uri == '\0')
        continue;

      device = ps_device_new ((const char *) sqlite3_column_text (stmt, 1), uri);
      ps_device_set_sub_uri (device, (const char *) sqlite3_column_text (stmt, 3));
      ps_device_set_username (device, (const char *) sqlite3_column_text (stmt, 4));
      g_ptr_array_add (devices, device);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      fail (self, error, "Cannot read the cameras");
      return NULL;
    }

  return g_steal_pointer (&devices);
}
