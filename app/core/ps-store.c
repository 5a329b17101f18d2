/* ps-store.c
 *
 * Two tables: the cameras the user added ("devices"), and every device
 * discovery found ("discovered", one JSON document per device beside the
 * columns queries need). Every change is one transaction in WAL mode with
 * synchronous=FULL: after a crash the file holds the old or the new state,
 * never a mix. Passwords are never stored here (they live in the keyring).
 *
 * Writes run on worker threads, and one connection serves them all: the
 * lock keeps one thread's transaction from swallowing another's statement.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-store"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ps-device-private.h"
#include "ps-store.h"

#define SCHEMA_VERSION 2
#define MAX_DISCOVERED 1024

struct _PsStore
{
  GObject  parent_instance;

  sqlite3 *db;
  GMutex   lock;
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
  g_mutex_clear (&self->lock);

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
  g_mutex_init (&self->lock);
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
             "CREATE TABLE IF NOT EXISTS discovered ("
             "  id TEXT PRIMARY KEY,"
             "  name TEXT,"
             "  first_seen INTEGER NOT NULL,"
             "  last_seen INTEGER NOT NULL,"
             "  paired INTEGER NOT NULL DEFAULT 0,"
             "  data TEXT NOT NULL);"
             "CREATE INDEX IF NOT EXISTS discovered_last_seen ON discovered (last_seen);"
             "PRAGMA user_version=" G_STRINGIFY (SCHEMA_VERSION) ";", error))
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
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  locker = g_mutex_locker_new (&self->lock);
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
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (PS_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
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
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (PS_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
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

/* Discovered devices ------------------------------------------------------ */

typedef struct
{
  char     *id;
  char     *name;
  char     *data;
  gint64    first_seen;
  gint64    last_seen;
  gboolean  paired;
} Seen;

static void
seen_free (Seen *seen)
{
  g_free (seen->id);
  g_free (seen->name);
  g_free (seen->data);
  g_free (seen);
}

typedef struct
{
  GPtrArray *seen;            /* Seen */
  gint64     forget_before;
} Snapshot;

static void
snapshot_free (Snapshot *snapshot)
{
  g_ptr_array_unref (snapshot->seen);
  g_free (snapshot);
}

/* Taken on the caller's thread: devices belong to the main loop. */
static Snapshot *
snapshot_new (GPtrArray *devices,
              gint64     forget_before)
{
  Snapshot *snapshot = g_new0 (Snapshot, 1);

  snapshot->seen = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_free);
  snapshot->forget_before = forget_before;

  for (guint i = 0; i < devices->len && i < MAX_DISCOVERED; i++)
    {
      PsDevice *device = g_ptr_array_index (devices, i);
      Seen *seen;

      if (ps_device_get_id (device) == NULL)
        continue;

      seen = g_new0 (Seen, 1);
      seen->id = g_strdup (ps_device_get_id (device));
      seen->name = g_strdup (ps_device_get_name (device));
      seen->data = ps_device_discovery_to_json (device);
      seen->first_seen = ps_device_get_first_seen (device);
      seen->last_seen = ps_device_get_last_seen (device);
      seen->paired = ps_device_get_paired (device);
      g_ptr_array_add (snapshot->seen, seen);
    }

  return snapshot;
}

static gboolean
save_snapshot (PsStore         *self,
               const Snapshot  *snapshot,
               GError         **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;

  locker = g_mutex_locker_new (&self->lock);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO discovered (id, name, first_seen, last_seen, paired, data)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                          /* writes may land out of order: the newest sighting wins */
                          " ON CONFLICT (id) DO UPDATE SET"
                          "   name = CASE WHEN ?4 >= last_seen THEN ?2 ELSE name END,"
                          "   data = CASE WHEN ?4 >= last_seen THEN ?6 ELSE data END,"
                          "   first_seen = CASE WHEN ?3 > 0 AND (first_seen = 0 OR ?3 < first_seen)"
                          "                THEN ?3 ELSE first_seen END,"
                          "   last_seen = MAX (last_seen, ?4), paired = ?5",
                          -1, &stmt, NULL) != SQLITE_OK)
    goto failed;

  for (guint i = 0; i < snapshot->seen->len; i++)
    {
      const Seen *seen = g_ptr_array_index (snapshot->seen, i);

      bind_text (stmt, 1, seen->id);
      bind_text (stmt, 2, seen->name);
      sqlite3_bind_int64 (stmt, 3, seen->first_seen);
      sqlite3_bind_int64 (stmt, 4, seen->last_seen);
      sqlite3_bind_int (stmt, 5, seen->paired ? 1 : 0);
      bind_text (stmt, 6, seen->data);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        goto failed;
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (snapshot->forget_before > 0)
    {
      if (sqlite3_prepare_v2 (self->db,
                              "DELETE FROM discovered WHERE last_seen < ?1 AND paired = 0",
                              -1, &stmt, NULL) != SQLITE_OK)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, snapshot->forget_before);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        goto failed;
      sqlite3_finalize (stmt);
      stmt = NULL;
    }

  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    goto failed;

  return TRUE;

failed:
  fail (self, error, "Cannot remember the devices found");
  sqlite3_finalize (stmt);
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

gboolean
ps_store_save_discovered (PsStore    *self,
                          GPtrArray  *devices,
                          gint64      forget_before_us,
                          GError    **error)
{
  Snapshot *snapshot;
  gboolean ok;

  g_return_val_if_fail (PS_IS_STORE (self), FALSE);
  g_return_val_if_fail (devices != NULL, FALSE);

  snapshot = snapshot_new (devices, forget_before_us);
  ok = save_snapshot (self, snapshot, error);
  snapshot_free (snapshot);

  return ok;
}

static void
save_discovered_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GError *error = NULL;

  if (save_snapshot (source_object, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ps_store_save_discovered_async (PsStore             *self,
                                GPtrArray           *devices,
                                gint64               forget_before_us,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_STORE (self));
  g_return_if_fail (devices != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_store_save_discovered_async);
  g_task_set_task_data (task, snapshot_new (devices, forget_before_us),
                        (GDestroyNotify) snapshot_free);
  /* once begun, a write ends: cancelling only drops the answer */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, save_discovered_thread);
}

gboolean
ps_store_save_discovered_finish (PsStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

GPtrArray *
ps_store_load_discovered (PsStore  *self,
                          gint64    not_before_us,
                          GError  **error)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (PS_IS_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT id, first_seen, last_seen, paired, data FROM discovered"
                          " WHERE last_seen >= ?1 OR paired != 0"
                          " ORDER BY last_seen DESC LIMIT " G_STRINGIFY (MAX_DISCOVERED),
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      fail (self, error, "Cannot read the devices found before");
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, not_before_us);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      const char *data = (const char *) sqlite3_column_text (stmt, 4);
      g_autoptr(GError) local_error = NULL;
      PsDevice *device;

      device = data != NULL ? ps_device_new_from_discovery_json (id, data, &local_error) : NULL;
      if (device == NULL)
        {
          g_debug ("skipping a remembered device: %s",
                   local_error != NULL ? local_error->message : "no data");
          continue;
        }

      _ps_device_set_seen (device, sqlite3_column_int64 (stmt, 1), sqlite3_column_int64 (stmt, 2));
      ps_device_set_paired (device, sqlite3_column_int (stmt, 3) != 0);
      g_ptr_array_add (devices, device);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      fail (self, error, "Cannot read the devices found before");
      return NULL;
    }

  return g_steal_pointer (&devices);
}

static void
load_discovered_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *devices;

  devices = ps_store_load_discovered (source_object, *(gint64 *) task_data, &error);
  if (devices != NULL)
    g_task_return_pointer (task, devices, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
ps_store_load_discovered_async (PsStore             *self,
                                gint64               not_before_us,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_store_load_discovered_async);
  g_task_set_task_data (task, g_memdup2 (&not_before_us, sizeof not_before_us), g_free);
  g_task_run_in_thread (task, load_discovered_thread);
}

GPtrArray *
ps_store_load_discovered_finish (PsStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
