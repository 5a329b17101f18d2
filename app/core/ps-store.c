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

gboolean
ps_store_save_device (PsStore   *self,
                      PsDevice  *device,
                      GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (PS_IS_STORE (self), FALSE);
  g_return_val_if_fail (PS_IS_DEVICE (device), FALSE);

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

  bind_text (stmt, 1, ps_device_get_id (device));
  bind_text (stmt, 2, ps_device_get_name (device));
  bind_text (stmt, 3, ps_device_get_uri (device));
  bind_text (stmt, 4, ps_device_get_sub_uri (device));
  bind_text (stmt, 5, ps_device_get_username (device));
  bind_text (stmt, 6, ps_device_get_mac (device));
  bind_text (stmt, 7, ps_device_get_p2p_uid (device));
  sqlite3_bind_int64 (stmt, 8, ps_device_get_last_seen (device));

  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);

  return ok || fail (self, error, "Cannot save the camera");
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
