/* ps-policy-database.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-policy-database"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ps-policy-compiler.h"
#include "ps-policy-database.h"

#define SCHEMA_VERSION 1
/* The change log keeps a year, and never more than this many rows */
#define MAX_CHANGES     10000
#define KEEP_CHANGES_US (G_GINT64_CONSTANT (366) * 24 * 3600 * G_USEC_PER_SEC)
#define MAX_LIST_ROWS   (PS_POLICY_MAX_P2P_SERVERS + 1)

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS policy ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  default_intent TEXT NOT NULL,"
  "  digest TEXT NOT NULL,"
  "  saved_at INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS policy_list ("
  "  list TEXT NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (list, position));"
  "CREATE TABLE IF NOT EXISTS policy_device ("
  "  id TEXT PRIMARY KEY,"
  "  mac TEXT,"
  "  intent TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS policy_device_value ("
  "  device TEXT NOT NULL,"
  "  kind TEXT NOT NULL CHECK (kind IN ('address', 'allow')),"
  "  position INTEGER NOT NULL,"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (device, kind, position));"
  "CREATE TABLE IF NOT EXISTS policy_change ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  changed_at INTEGER NOT NULL,"
  "  device TEXT,"
  "  old_intent TEXT,"
  "  new_intent TEXT);"
  "CREATE INDEX IF NOT EXISTS policy_change_time ON policy_change (changed_at);";

typedef gboolean (*ListSetter) (PsPolicy *, const char * const *, GError **);

static const struct {
  const char         *name;
  ListSetter          set;
  const char * const *(*get) (PsPolicy *);
} lists[] = {
  { "lan_networks", ps_policy_set_lan_networks, ps_policy_get_lan_networks },
  { "p2p_servers", ps_policy_set_p2p_servers, ps_policy_get_p2p_servers },
  { "p2p_ports", ps_policy_set_p2p_ports, ps_policy_get_p2p_ports },
  { "viewers", ps_policy_set_viewers, ps_policy_get_viewers },
};

static gboolean
fail (sqlite3     *db,
      const char  *path,
      GError     **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The policy database %s: %s"), path,
               db != NULL ? sqlite3_errmsg (db) : g_strerror (ENOMEM));
  return FALSE;
}

static gboolean
exec (sqlite3     *db,
      const char  *path,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return fail (db, path, error);

  return TRUE;
}

static void
close_db (sqlite3 *db)
{
  if (db != NULL)
    sqlite3_close (db);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, close_db)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Opens PATH; with CREATE, makes the folder and a 0600 file first (SQLite
 * gives its journal files the database's mode). */
static sqlite3 *
open_db (const char  *path,
         gboolean     create,
         GError     **error)
{
  g_autoptr(sqlite3) db = NULL;
  int saved_errno;

  if (create)
    {
      g_autofree char *folder = g_path_get_dirname (path);
      int fd;

      if (g_mkdir_with_parents (folder, 0700) != 0)
        {
          saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot create the folder %s: %s"), folder, g_strerror (saved_errno));
          return NULL;
        }
      fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot open %s: %s"), path, g_strerror (saved_errno));
          return NULL;
        }
      g_close (fd, NULL);
    }
  else if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No policy is stored in %s"), path);
      return NULL;
    }

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      fail (db, path, error);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);

  if (!exec (db, path, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", error) ||
      !exec (db, path, schema, error) ||
      !exec (db, path, "PRAGMA user_version = " G_STRINGIFY (SCHEMA_VERSION) ";", error))
    return NULL;

  return g_steal_pointer (&db);
}

static sqlite3_stmt *
prepare (sqlite3     *db,
         const char  *path,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *statement = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) != SQLITE_OK)
    {
      fail (db, path, error);
      return NULL;
    }

  return statement;
}

static const char *
column_text (sqlite3_stmt *statement,
             int           column)
{
  return (const char *) sqlite3_column_text (statement, column);
}

/* The values of one list, or of one device's addresses or allow list, in
 * order; at most MAX_LIST_ROWS, so that the setters' caps refuse more. */
static GStrv
read_values (sqlite3     *db,
             const char  *path,
             const char  *sql,
             const char  *key1,
             const char  *key2,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) statement = prepare (db, path, sql, error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;
  int status;

  if (statement == NULL)
    return NULL;
  sqlite3_bind_text (statement, 1, key1, -1, SQLITE_STATIC);
  if (key2 != NULL)
    sqlite3_bind_text (statement, 2, key2, -1, SQLITE_STATIC);
  sqlite3_bind_int (statement, key2 != NULL ? 3 : 2, MAX_LIST_ROWS);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      const char *value = column_text (statement, 0);

      if (value != NULL && n++ < MAX_LIST_ROWS)
        g_strv_builder_add (builder, value);
    }
  if (status != SQLITE_DONE)
    {
      fail (db, path, error);
      return NULL;
    }

  return g_strv_builder_end (builder);
}

static gboolean
read_devices (sqlite3     *db,
              const char  *path,
              PsPolicy    *policy,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) statement = NULL;
  guint n = 0;
  int status;

  statement = prepare (db, path, "SELECT id, mac, intent FROM policy_device ORDER BY id LIMIT ?",
                       error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int (statement, 1, PS_POLICY_MAX_DEVICES + 1);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      const char *id = column_text (statement, 0);
      const char *mac = column_text (statement, 1);
      const char *intent_text = column_text (statement, 2);
      g_auto(GStrv) addresses = NULL;
      g_auto(GStrv) allow = NULL;
      PsIntent intent;

      if (++n > PS_POLICY_MAX_DEVICES)
        {
          g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                       _("More than %u devices"), PS_POLICY_MAX_DEVICES);
          return FALSE;
        }
      if (id == NULL || intent_text == NULL || !ps_intent_from_string (intent_text, &intent))
        {
          g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                       _("A device rule without a valid intent"));
          return FALSE;
        }

      addresses = read_values (db, path,
                               "SELECT value FROM policy_device_value WHERE device = ? AND kind = ?"
                               " ORDER BY position LIMIT ?", id, "address", error);
      if (addresses == NULL)
        return FALSE;
      allow = read_values (db, path,
                           "SELECT value FROM policy_device_value WHERE device = ? AND kind = ?"
                           " ORDER BY position LIMIT ?", id, "allow", error);
      if (allow == NULL)
        return FALSE;

      if (!ps_policy_set_device (policy, id, mac, (const char * const *) addresses, intent,
                                 (const char * const *) allow, error))
        return FALSE;
    }
  if (status != SQLITE_DONE)
    return fail (db, path, error);

  return TRUE;
}

static PsPolicy *
read_policy (sqlite3     *db,
             const char  *path,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) statement = NULL;
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  PsIntent intent;
  int status;

  statement = prepare (db, path, "SELECT default_intent FROM policy WHERE id = 1", error);
  if (statement == NULL)
    return NULL;
  status = sqlite3_step (statement);
  if (status == SQLITE_DONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No policy is stored in %s"), path);
      return NULL;
    }
  if (status != SQLITE_ROW)
    {
      fail (db, path, error);
      return NULL;
    }
  if (column_text (statement, 0) == NULL ||
      !ps_intent_from_string (column_text (statement, 0), &intent))
    {
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("The default intent is not valid"));
      return NULL;
    }
  ps_policy_set_default_intent (policy, intent);

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_auto(GStrv) values = NULL;

      values = read_values (db, path,
                            "SELECT value FROM policy_list WHERE list = ? ORDER BY position LIMIT ?",
                            lists[i].name, NULL, error);
      if (values == NULL || !lists[i].set (policy, (const char * const *) values, error))
        return NULL;
    }

  if (!read_devices (db, path, policy, error))
    return NULL;

  return g_steal_pointer (&policy);
}

PsPolicy *
ps_policy_database_load (const char  *path,
                         GError     **error)
{
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(GError) local_error = NULL;
  PsPolicy *policy;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = open_db (path, FALSE, error);
  if (db == NULL)
    return NULL;

  /* one snapshot: a save on another connection is seen whole or not at all */
  if (!exec (db, path, "BEGIN", error))
    return NULL;
  policy = read_policy (db, path, &local_error);
  exec (db, path, "COMMIT", NULL);

  if (policy == NULL)
    {
      if (local_error->domain == PS_POLICY_ERROR)
        g_prefix_error (&local_error, _("Cannot read the policy in %s: "), path);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }

  return policy;
}

/* The intents stored now, by device ("" for the default) */
static GHashTable *
read_intents (sqlite3     *db,
              const char  *path,
              GError     **error)
{
  g_autoptr(GHashTable) intents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(sqlite3_stmt) statement = NULL;
  int status;

  statement = prepare (db, path,
                       "SELECT '', default_intent FROM policy"
                       " UNION ALL SELECT id, intent FROM policy_device", error);
  if (statement == NULL)
    return NULL;

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    if (column_text (statement, 0) != NULL && column_text (statement, 1) != NULL)
      g_hash_table_insert (intents, g_strdup (column_text (statement, 0)),
                           g_strdup (column_text (statement, 1)));
  if (status != SQLITE_DONE)
    {
      fail (db, path, error);
      return NULL;
    }

  return g_steal_pointer (&intents);
}

static gboolean
log_change (sqlite3     *db,
            const char  *path,
            gint64       now_us,
            const char  *device,
            const char  *old_intent,
            const char  *new_intent,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) statement = NULL;

  if (g_strcmp0 (old_intent, new_intent) == 0)
    return TRUE;

  statement = prepare (db, path,
                       "INSERT INTO policy_change (changed_at, device, old_intent, new_intent)"
                       " VALUES (?, ?, ?, ?)", error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, now_us);
  if (*device != '\0')
    sqlite3_bind_text (statement, 2, device, -1, SQLITE_STATIC);
  if (old_intent != NULL)
    sqlite3_bind_text (statement, 3, old_intent, -1, SQLITE_STATIC);
  if (new_intent != NULL)
    sqlite3_bind_text (statement, 4, new_intent, -1, SQLITE_STATIC);

  if (sqlite3_step (statement) != SQLITE_DONE)
    return fail (db, path, error);

  return TRUE;
}

/* Every device whose intent differs between BEFORE and AFTER (either may be
 * empty), and the default's */
static gboolean
log_changes (sqlite3     *db,
             const char  *path,
             gint64       now_us,
             GHashTable  *before,
             GHashTable  *after,
             GError     **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!log_change (db, path, now_us, key, g_hash_table_lookup (before, key), value, error))
      return FALSE;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (after, key) &&
        !log_change (db, path, now_us, key, value, NULL, error))
      return FALSE;

  return TRUE;
}

static gboolean
insert_value (sqlite3_stmt *statement,
              const char   *key,
              const char   *kind,
              guint         position,
              const char   *value)
{
  int column = 1;

  sqlite3_reset (statement);
  sqlite3_bind_text (statement, column++, key, -1, SQLITE_TRANSIENT);
  if (kind != NULL)
    sqlite3_bind_text (statement, column++, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int (statement, column++, (int) position);
  sqlite3_bind_text (statement, column, value, -1, SQLITE_TRANSIENT);

  return sqlite3_step (statement) == SQLITE_DONE;
}

static gboolean
insert_values (sqlite3_stmt       *statement,
               const char         *key,
               const char         *kind,
               const char * const *values)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (!insert_value (statement, key, kind, i, values[i]))
      return FALSE;

  return TRUE;
}

static gboolean
write_policy (sqlite3     *db,
              const char  *path,
              PsPolicy    *policy,
              gint64       now_us,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) head = NULL;
  g_autoptr(sqlite3_stmt) list = NULL;
  g_autoptr(sqlite3_stmt) device = NULL;
  g_autoptr(sqlite3_stmt) device_value = NULL;
  g_autofree char *digest = ps_policy_digest (policy);
  g_auto(GStrv) ids = ps_policy_dup_devices (policy);

  if ((head = prepare (db, path, "INSERT INTO policy (id, default_intent, digest, saved_at)"
                       " VALUES (1, ?, ?, ?)", error)) == NULL ||
      (list = prepare (db, path, "INSERT INTO policy_list (list, position, value)"
                       " VALUES (?, ?, ?)", error)) == NULL ||
      (device = prepare (db, path, "INSERT INTO policy_device (id, mac, intent)"
                         " VALUES (?, ?, ?)", error)) == NULL ||
      (device_value = prepare (db, path, "INSERT INTO policy_device_value"
                               " (device, kind, position, value) VALUES (?, ?, ?, ?)",
                               error)) == NULL)
    return FALSE;

  sqlite3_bind_text (head, 1, ps_intent_to_string (ps_policy_get_default_intent (policy)), -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (head, 2, digest, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (head, 3, now_us);
  if (sqlite3_step (head) != SQLITE_DONE)
    return fail (db, path, error);

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    if (!insert_values (list, lists[i].name, NULL, lists[i].get (policy)))
      return fail (db, path, error);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      const char *mac = NULL;
      const char * const *addresses = NULL;
      const char * const *allow = NULL;
      PsIntent intent = PS_INTENT_OPEN;

      ps_policy_get_device (policy, ids[i], &mac, &addresses, &intent, &allow);
      sqlite3_reset (device);
      sqlite3_bind_text (device, 1, ids[i], -1, SQLITE_STATIC);
      if (mac != NULL)
        sqlite3_bind_text (device, 2, mac, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (device, 2);
      sqlite3_bind_text (device, 3, ps_intent_to_string (intent), -1, SQLITE_STATIC);
      if (sqlite3_step (device) != SQLITE_DONE ||
          !insert_values (device_value, ids[i], "address", addresses) ||
          !insert_values (device_value, ids[i], "allow", allow))
        return fail (db, path, error);
    }

  return TRUE;
}

static gboolean
clear_policy (sqlite3     *db,
              const char  *path,
              GError     **error)
{
  return exec (db, path,
               "DELETE FROM policy; DELETE FROM policy_list; DELETE FROM policy_device;"
               " DELETE FROM policy_device_value;", error);
}

static gboolean
prune_changes (sqlite3     *db,
               const char  *path,
               gint64       now_us,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) statement = NULL;

  statement = prepare (db, path,
                       "DELETE FROM policy_change WHERE changed_at < ? OR id <="
                       " (SELECT MAX(id) FROM policy_change) - ?", error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, now_us - KEEP_CHANGES_US);
  sqlite3_bind_int (statement, 2, MAX_CHANGES);

  if (sqlite3_step (statement) != SQLITE_DONE)
    return fail (db, path, error);

  return TRUE;
}

/* Replaces the stored policy with POLICY (NULL: none) in one transaction */
static gboolean
replace (const char  *path,
         PsPolicy    *policy,
         gint64       now_us,
         GError     **error)
{
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GError) local_error = NULL;

  db = open_db (path, TRUE, error);
  if (db == NULL)
    return FALSE;

  /* the write lock at once: no other writer between reading and writing */
  if (!exec (db, path, "BEGIN IMMEDIATE", error))
    return FALSE;

  if ((before = read_intents (db, path, &local_error)) == NULL ||
      !clear_policy (db, path, &local_error) ||
      (policy != NULL && !write_policy (db, path, policy, now_us, &local_error)) ||
      (after = read_intents (db, path, &local_error)) == NULL ||
      !log_changes (db, path, now_us, before, after, &local_error) ||
      !prune_changes (db, path, now_us, &local_error) ||
      !exec (db, path, "COMMIT", &local_error))
    {
      exec (db, path, "ROLLBACK", NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

gboolean
ps_policy_database_save (PsPolicy    *policy,
                         const char  *path,
                         gint64       now_us,
                         GError     **error)
{
  g_return_val_if_fail (PS_IS_POLICY (policy), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return replace (path, policy, now_us, error);
}

gboolean
ps_policy_database_delete (const char  *path,
                           gint64       now_us,
                           GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;

  return replace (path, NULL, now_us, error);
}

static gboolean
intent_column (sqlite3_stmt *statement,
               int           column,
               PsIntent     *intent)
{
  const char *text = column_text (statement, column);

  return text != NULL && ps_intent_from_string (text, intent);
}

GPtrArray *
ps_policy_database_dup_changes (const char  *path,
                                gint64       since_us,
                                GError     **error)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_policy_change_free);
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(sqlite3_stmt) statement = NULL;
  g_autoptr(GError) local_error = NULL;
  int status;

  g_return_val_if_fail (path != NULL, NULL);

  db = open_db (path, FALSE, &local_error);
  if (db == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return g_steal_pointer (&changes);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  statement = prepare (db, path,
                       "SELECT changed_at, device, old_intent, new_intent FROM policy_change"
                       " WHERE changed_at >= ? ORDER BY id LIMIT ?", error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, since_us);
  sqlite3_bind_int (statement, 2, MAX_CHANGES);

  while ((status = sqlite3_step (statement)) == SQLITE_ROW)
    {
      PsPolicyChange *change = g_new0 (PsPolicyChange, 1);
      const char *device = column_text (statement, 1);

      change->changed_at_us = sqlite3_column_int64 (statement, 0);
      /* a device id that is not valid is shown as it would be stored */
      change->device = device != NULL ? g_strndup (device, 64) : NULL;
      change->had_old = intent_column (statement, 2, &change->old_intent);
      change->has_new = intent_column (statement, 3, &change->new_intent);
      g_ptr_array_add (changes, change);
    }
  if (status != SQLITE_DONE)
    {
      fail (db, path, error);
      return NULL;
    }

  return g_steal_pointer (&changes);
}
