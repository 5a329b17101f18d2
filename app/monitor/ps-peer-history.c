/* ps-peer-history.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-peer-history"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ps-peer-history.h"

#define SCHEMA_VERSION 1
#define MS_PER_HOUR    (3600 * G_GINT64_CONSTANT (1000))
#define MS_PER_DAY     (24 * MS_PER_HOUR)

/* What the database already has of one peer. */
typedef struct
{
  guint64 packets_out;
  guint64 bytes_out;
  guint64 packets_in;
  guint64 bytes_in;
  guint64 flows;
  guint64 blocked_attempts;
  gint64  last_seen;
} Saved;

/* One row to write: the peer and what it did since the last save. */
typedef struct
{
  PsPeerSnapshot peer;     /* counters hold the deltas */
  gint64         hour;
} Row;

typedef enum {
  OP_LOAD,
  OP_SAVE,
} Op;

typedef struct
{
  Op      op;
  char   *path;
  gint64  cutoff_ms;
  GArray *rows;            /* Row, for OP_SAVE */
} Job;

struct _PsPeerHistory
{
  GObject      parent_instance;

  PsPeerTable *table;
  char        *path;
  guint        retention_days;
  guint        autosave_id;
  GHashTable  *saved;      /* PsPeer* (ref) -> Saved* */
  GQueue       waiting;    /* GTask*, run one at a time */
  gboolean     running;
};

G_DEFINE_FINAL_TYPE (PsPeerHistory, ps_peer_history, G_TYPE_OBJECT)

static void
row_clear (gpointer data)
{
  Row *row = data;

  ps_peer_snapshot_clear (&row->peer);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->path);
  g_clear_pointer (&job->rows, g_array_unref);
  g_free (job);
}

static void
snapshot_free (gpointer data)
{
  PsPeerSnapshot *snapshot = data;

  ps_peer_snapshot_clear (snapshot);
  g_free (snapshot);
}

static gboolean
set_db_error (GError  **error,
              sqlite3  *db,
              const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Peer history: %s: %s"), what,
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

static sqlite3 *
open_db (const char  *path,
         GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  sqlite3 *db = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create %s: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      set_db_error (error, db, path);
      sqlite3_close (db);
      return NULL;
    }

  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db,
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "CREATE TABLE IF NOT EXISTS peers ("
                    "  device TEXT NOT NULL, device_address TEXT NOT NULL,"
                    "  address TEXT NOT NULL, port INTEGER NOT NULL, protocol INTEGER NOT NULL,"
                    "  inbound INTEGER NOT NULL, other_port INTEGER NOT NULL DEFAULT 0,"
                    "  hostname TEXT, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
                    "  PRIMARY KEY (device, device_address, address, port, protocol, inbound));"
                    "CREATE TABLE IF NOT EXISTS traffic ("
                    "  device TEXT NOT NULL, device_address TEXT NOT NULL,"
                    "  address TEXT NOT NULL, port INTEGER NOT NULL, protocol INTEGER NOT NULL,"
                    "  inbound INTEGER NOT NULL, hour INTEGER NOT NULL,"
                    "  packets_out INTEGER NOT NULL, bytes_out INTEGER NOT NULL,"
                    "  packets_in INTEGER NOT NULL, bytes_in INTEGER NOT NULL,"
                    "  flows INTEGER NOT NULL, blocked INTEGER NOT NULL,"
                    "  PRIMARY KEY (device, device_address, address, port, protocol, inbound, hour));"
                    "CREATE INDEX IF NOT EXISTS traffic_hour ON traffic (hour);"
                    "PRAGMA user_version=1;",
                    NULL, NULL, NULL) != SQLITE_OK)
    {
      set_db_error (error, db, _("cannot set up the database"));
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

static gboolean
parse_address_column (sqlite3_stmt *stmt,
                      int           column,
                      PsIpAddress  *address)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return ps_ip_address_parse (address, text);
}

static GPtrArray *
load_rows (sqlite3  *db,
           gint64    cutoff_ms,
           GError  **error)
{
  g_autoptr(GPtrArray) snapshots = g_ptr_array_new_with_free_func (snapshot_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db,
                          "SELECT p.device, p.device_address, p.address, p.port, p.protocol,"
                          "  p.inbound, p.other_port, p.hostname, p.first_seen, p.last_seen,"
                          "  TOTAL (t.packets_out), TOTAL (t.bytes_out), TOTAL (t.packets_in),"
                          "  TOTAL (t.bytes_in), TOTAL (t.flows), TOTAL (t.blocked)"
                          " FROM peers p LEFT JOIN traffic t"
                          "  USING (device, device_address, address, port, protocol, inbound)"
                          " WHERE p.last_seen >= ?1"
                          " GROUP BY p.device, p.device_address, p.address, p.port, p.protocol, p.inbound"
                          " ORDER BY p.first_seen",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, db, _("cannot read"));
      return NULL;
    }

  sqlite3_bind_int64 (stmt, 1, cutoff_ms);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PsPeerSnapshot *snapshot = g_new0 (PsPeerSnapshot, 1);
      const char *hostname = (const char *) sqlite3_column_text (stmt, 7);
      gint64 port = sqlite3_column_int64 (stmt, 3);
      gint64 protocol = sqlite3_column_int64 (stmt, 4);
      gint64 other_port = sqlite3_column_int64 (stmt, 6);

      g_ptr_array_add (snapshots, snapshot);

      /* the database is ours, but a damaged row must not become a peer */
      if (!parse_address_column (stmt, 1, &snapshot->device_address)
          || !parse_address_column (stmt, 2, &snapshot->address)
          || sqlite3_column_text (stmt, 0) == NULL
          || port < 0 || port > G_MAXUINT16 || other_port < 0 || other_port > G_MAXUINT16
          || protocol < 0 || protocol > G_MAXUINT8)
        {
          g_ptr_array_remove_index_fast (snapshots, snapshots->len - 1);
          continue;
        }

      snapshot->device = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      snapshot->port = (guint16) port;
      snapshot->ip_protocol = (guint8) protocol;
      snapshot->inbound = sqlite3_column_int (stmt, 5) != 0;
      snapshot->other_port = (guint16) other_port;
      snapshot->hostname = hostname != NULL && g_utf8_validate (hostname, -1, NULL)
                           ? g_strdup (hostname) : NULL;
      snapshot->first_seen = sqlite3_column_int64 (stmt, 8);
      snapshot->last_seen = sqlite3_column_int64 (stmt, 9);
      snapshot->packets_out = (guint64) sqlite3_column_double (stmt, 10);
      snapshot->bytes_out = (guint64) sqlite3_column_double (stmt, 11);
      snapshot->packets_in = (guint64) sqlite3_column_double (stmt, 12);
      snapshot->bytes_in = (guint64) sqlite3_column_double (stmt, 13);
      snapshot->flows = (guint64) sqlite3_column_double (stmt, 14);
      snapshot->blocked_attempts = (guint64) sqlite3_column_double (stmt, 15);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      set_db_error (error, db, _("cannot read"));
      return NULL;
    }

  return g_steal_pointer (&snapshots);
}

static gboolean
save_rows (sqlite3  *db,
           GArray   *rows,
           gint64    cutoff_ms,
           GError  **error)
{
  sqlite3_stmt *peer_stmt = NULL;
  sqlite3_stmt *traffic_stmt = NULL;
  gboolean ok = FALSE;

  if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return set_db_error (error, db, _("cannot write"));

  if (sqlite3_prepare_v2 (db,
                          "INSERT INTO peers (device, device_address, address, port, protocol,"
                          "  inbound, other_port, hostname, first_seen, last_seen)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                          " ON CONFLICT DO UPDATE SET"
                          "  hostname = COALESCE (excluded.hostname, hostname),"
                          "  first_seen = MIN (first_seen, excluded.first_seen),"
                          "  last_seen = MAX (last_seen, excluded.last_seen)",
                          -1, &peer_stmt, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (db,
                             "INSERT INTO traffic (device, device_address, address, port, protocol,"
                             "  inbound, hour, packets_out, bytes_out, packets_in, bytes_in, flows, blocked)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                             " ON CONFLICT DO UPDATE SET"
                             "  packets_out = packets_out + excluded.packets_out,"
                             "  bytes_out = bytes_out + excluded.bytes_out,"
                             "  packets_in = packets_in + excluded.packets_in,"
                             "  bytes_in = bytes_in + excluded.bytes_in,"
                             "  flows = flows + excluded.flows,"
                             "  blocked = blocked + excluded.blocked",
                             -1, &traffic_stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, db, _("cannot write"));
      goto out;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      const PsPeerSnapshot *p = &row->peer;
      char device_address[PS_IP_ADDRESS_STRLEN];
      char address[PS_IP_ADDRESS_STRLEN];

      ps_ip_address_format (&p->device_address, device_address);
      ps_ip_address_format (&p->address, address);

      sqlite3_reset (peer_stmt);
      sqlite3_bind_text (peer_stmt, 1, p->device, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (peer_stmt, 2, device_address, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (peer_stmt, 3, address, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (peer_stmt, 4, p->port);
      sqlite3_bind_int (peer_stmt, 5, p->ip_protocol);
      sqlite3_bind_int (peer_stmt, 6, p->inbound);
      sqlite3_bind_int (peer_stmt, 7, p->other_port);
      if (p->hostname != NULL)
        sqlite3_bind_text (peer_stmt, 8, p->hostname, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (peer_stmt, 8);
      sqlite3_bind_int64 (peer_stmt, 9, p->first_seen);
      sqlite3_bind_int64 (peer_stmt, 10, p->last_seen);
      if (sqlite3_step (peer_stmt) != SQLITE_DONE)
        {
          set_db_error (error, db, _("cannot write"));
          goto out;
        }

      sqlite3_reset (traffic_stmt);
      sqlite3_bind_text (traffic_stmt, 1, p->device, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (traffic_stmt, 2, device_address, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (traffic_stmt, 3, address, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (traffic_stmt, 4, p->port);
      sqlite3_bind_int (traffic_stmt, 5, p->ip_protocol);
      sqlite3_bind_int (traffic_stmt, 6, p->inbound);
      sqlite3_bind_int64 (traffic_stmt, 7, row->hour);
      sqlite3_bind_int64 (traffic_stmt, 8, (sqlite3_int64) p->packets_out);
      sqlite3_bind_int64 (traffic_stmt, 9, (sqlite3_int64) p->bytes_out);
      sqlite3_bind_int64 (traffic_stmt, 10, (sqlite3_int64) p->packets_in);
      sqlite3_bind_int64 (traffic_stmt, 11, (sqlite3_int64) p->bytes_in);
      sqlite3_bind_int64 (traffic_stmt, 12, (sqlite3_int64) p->flows);
      sqlite3_bind_int64 (traffic_stmt, 13, (sqlite3_int64) p->blocked_attempts);
      if (sqlite3_step (traffic_stmt) != SQLITE_DONE)
        {
          set_db_error (error, db, _("cannot write"));
          goto out;
        }
    }

  /* the retention window */
  {
    sqlite3_stmt *forget = NULL;

    if (sqlite3_prepare_v2 (db, "DELETE FROM traffic WHERE hour < ?1", -1, &forget, NULL) == SQLITE_OK)
      {
        sqlite3_bind_int64 (forget, 1, cutoff_ms / MS_PER_HOUR);
        sqlite3_step (forget);
      }
    sqlite3_finalize (forget);
    forget = NULL;
    if (sqlite3_prepare_v2 (db, "DELETE FROM peers WHERE last_seen < ?1", -1, &forget, NULL) == SQLITE_OK)
      {
        sqlite3_bind_int64 (forget, 1, cutoff_ms);
        sqlite3_step (forget);
      }
    sqlite3_finalize (forget);
  }

  ok = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
  if (!ok)
    set_db_error (error, db, _("cannot write"));

out:
  sqlite3_finalize (peer_stmt);
  sqlite3_finalize (traffic_stmt);
  if (!ok)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return ok;
}

static void
ps_peer_history_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  sqlite3 *db;

  db = open_db (job->path, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (job->op == OP_LOAD)
    {
      GPtrArray *snapshots = load_rows (db, job->cutoff_ms, &error);

      if (snapshots != NULL)
        g_task_return_pointer (task, snapshots, (GDestroyNotify) g_ptr_array_unref);
      else
        g_task_return_error (task, error);
    }
  else
    {
      if (save_rows (db, job->rows, job->cutoff_ms, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
    }

  sqlite3_close (db);
}

static void ps_peer_history_run_next (PsPeerHistory *self);

static void
ps_peer_history_job_done_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  PsPeerHistory *self = PS_PEER_HISTORY (object);
  g_autoptr(GTask) caller = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->running = FALSE;

  if (job->op == OP_LOAD)
    {
      g_autoptr(GPtrArray) snapshots = g_task_propagate_pointer (G_TASK (result), &error);

      for (guint i = 0; snapshots != NULL && i < snapshots->len; i++)
        {
          const PsPeerSnapshot *snapshot = g_ptr_array_index (snapshots, i);
          PsPeer *peer = ps_peer_table_restore (self->table, snapshot);
          Saved *saved;

          if (peer == NULL)
            continue;

          /* what came from the database is not news for the database */
          saved = g_hash_table_lookup (self->saved, peer);
          if (saved == NULL)
            {
              saved = g_new0 (Saved, 1);
              g_hash_table_insert (self->saved, g_object_ref (peer), saved);
            }
          saved->packets_out += snapshot->packets_out;
          saved->bytes_out += snapshot->bytes_out;
          saved->packets_in += snapshot->packets_in;
          saved->bytes_in += snapshot->bytes_in;
          saved->flows += snapshot->flows;
          saved->blocked_attempts += snapshot->blocked_attempts;
          saved->last_seen = MAX (saved->last_seen, snapshot->last_seen);
        }
    }
  else
    {
      g_task_propagate_boolean (G_TASK (result), &error);
    }

  if (error != NULL)
    g_task_return_error (caller, g_steal_pointer (&error));
  else
    g_task_return_boolean (caller, TRUE);

  ps_peer_history_run_next (self);
}

static gint64
ps_peer_history_cutoff (PsPeerHistory *self)
{
  return g_get_real_time () / 1000 - (gint64) self->retention_days * MS_PER_DAY;
}

/* What changed since the last save, taken on the main context. */
static GArray *
ps_peer_history_collect (PsPeerHistory *self)
{
  GListModel *peers = ps_peer_table_get_peers (self->table);
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (Row));
  gint64 hour = g_get_real_time () / 1000 / MS_PER_HOUR;

  g_array_set_clear_func (rows, row_clear);

  for (guint i = 0, n = g_list_model_get_n_items (peers); i < n; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (peers, i);
      Saved *saved = g_hash_table_lookup (self->saved, peer);
      Row row = { 0 };

      if (saved == NULL)
        {
          saved = g_new0 (Saved, 1);
          g_hash_table_insert (self->saved, g_object_ref (peer), saved);
        }
      else if (saved->last_seen == ps_peer_get_last_seen (peer)
               && saved->blocked_attempts == ps_peer_get_blocked_attempts (peer))
        {
          continue;
        }

      ps_peer_snapshot (peer, &row.peer);
      row.hour = hour;
      /* counters only grow; the history keeps the deltas per hour */
#define DELTA(field) \
      G_STMT_START { \
        guint64 now_value = row.peer.field; \
        row.peer.field = now_value >= saved->field ? now_value - saved->field : 0; \
        saved->field = now_value; \
      } G_STMT_END
      DELTA (packets_out);
      DELTA (bytes_out);
      DELTA (packets_in);
      DELTA (bytes_in);
      DELTA (flows);
      DELTA (blocked_attempts);
#undef DELTA
      saved->last_seen = row.peer.last_seen;
      g_array_append_val (rows, row);
    }

  return rows;
}

static void
ps_peer_history_run_next (PsPeerHistory *self)
{
  g_autoptr(GTask) caller = NULL;
  g_autoptr(GTask) task = NULL;
  GCancellable *cancellable;
  Job *job;

  if (self->running || self->waiting.length == 0)
    return;

  caller = g_queue_pop_head (&self->waiting);
  job = g_new0 (Job, 1);
  job->op = GPOINTER_TO_INT (g_task_get_task_data (caller));
  job->path = g_strdup (self->path);
  job->cutoff_ms = ps_peer_history_cutoff (self);
  /* a save takes its rows when it starts, not when it was asked for */
  if (job->op == OP_SAVE)
    job->rows = ps_peer_history_collect (self);

  self->running = TRUE;
  cancellable = g_task_get_cancellable (caller);
  task = g_task_new (self, cancellable, ps_peer_history_job_done_cb, g_steal_pointer (&caller));
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, ps_peer_history_thread);
}

static void
ps_peer_history_enqueue (PsPeerHistory       *self,
                         Op                   op,
                         gpointer             source_tag,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, GINT_TO_POINTER (op), NULL);
  g_queue_push_tail (&self->waiting, task);
  ps_peer_history_run_next (self);
}

static gboolean
ps_peer_history_autosave_cb (gpointer user_data)
{
  PsPeerHistory *self = user_data;

  /* one save at a time is plenty */
  if (self->waiting.length == 0)
    ps_peer_history_enqueue (self, OP_SAVE, ps_peer_history_autosave_cb, NULL, NULL, NULL);

  return G_SOURCE_CONTINUE;
}

static void
ps_peer_history_dispose (GObject *object)
{
  PsPeerHistory *self = PS_PEER_HISTORY (object);

  g_clear_handle_id (&self->autosave_id, g_source_remove);
  g_hash_table_remove_all (self->saved);
  g_clear_object (&self->table);

  G_OBJECT_CLASS (ps_peer_history_parent_class)->dispose (object);
}

static void
ps_peer_history_finalize (GObject *object)
{
  PsPeerHistory *self = PS_PEER_HISTORY (object);

  g_hash_table_unref (self->saved);
  g_free (self->path);

  G_OBJECT_CLASS (ps_peer_history_parent_class)->finalize (object);
}

static void
ps_peer_history_class_init (PsPeerHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_peer_history_dispose;
  object_class->finalize = ps_peer_history_finalize;
}

static void
ps_peer_history_init (PsPeerHistory *self)
{
  self->retention_days = PS_PEER_HISTORY_DEFAULT_RETENTION_DAYS;
  self->saved = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  g_queue_init (&self->waiting);
}

PsPeerHistory *
ps_peer_history_new (PsPeerTable *table,
                     const char  *path)
{
  PsPeerHistory *self;

  g_return_val_if_fail (PS_IS_PEER_TABLE (table), NULL);

  self = g_object_new (PS_TYPE_PEER_HISTORY, NULL);
  self->table = g_object_ref (table);
  self->path = path != NULL ? g_strdup (path)
                            : g_build_filename (g_get_user_data_dir (), "peerscope", "history.db", NULL);

  return self;
}

void
ps_peer_history_set_retention_days (PsPeerHistory *self,
                                    guint          days)
{
  g_return_if_fail (PS_IS_PEER_HISTORY (self));
  g_return_if_fail (days > 0 && days <= 3660);

  self->retention_days = days;
}

void
ps_peer_history_set_autosave (PsPeerHistory *self,
                              guint          interval_s)
{
  g_return_if_fail (PS_IS_PEER_HISTORY (self));

  g_clear_handle_id (&self->autosave_id, g_source_remove);
  if (interval_s > 0)
    self->autosave_id = g_timeout_add_seconds (interval_s, ps_peer_history_autosave_cb, self);
}

void
ps_peer_history_load_async (PsPeerHistory       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PS_IS_PEER_HISTORY (self));

  ps_peer_history_enqueue (self, OP_LOAD, ps_peer_history_load_async, cancellable, callback, user_data);
}

gboolean
ps_peer_history_load_finish (PsPeerHistory  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ps_peer_history_save_async (PsPeerHistory       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PS_IS_PEER_HISTORY (self));

  ps_peer_history_enqueue (self, OP_SAVE, ps_peer_history_save_async, cancellable, callback, user_data);
}

gboolean
ps_peer_history_save_finish (PsPeerHistory  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
