/* ps-peer-monitor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-peer-monitor"

#include "config.h"

#include "ps-conntrack-source.h"
#include "ps-dns-log-source.h"
#include "ps-gateway-source.h"
#include "ps-flow-source-spec.h"
#include "ps-geoip.h"
#include "ps-peer-monitor.h"

#define HISTORY_SAVE_INTERVAL_S 60

struct _PsPeerMonitor
{
  GObject         parent_instance;

  PsPeerEnricher *enricher;
  PsPeerTable    *table;
  PsPeerAlerts   *alerts;
  PsPeerHistory  *history;
  GListStore     *sources;
  PsSessionSource *sessions;
  GPtrArray      *dns_logs;     /* PsDnsLogSource */
};

G_DEFINE_FINAL_TYPE (PsPeerMonitor, ps_peer_monitor, G_TYPE_OBJECT)

static void
ps_peer_monitor_dispose (GObject *object)
{
  PsPeerMonitor *self = PS_PEER_MONITOR (object);

  if (self->sources != NULL)
    ps_peer_monitor_stop_sources (self);
  g_clear_object (&self->sources);
  if (self->dns_logs != NULL)
    for (guint i = 0; i < self->dns_logs->len; i++)
      ps_dns_log_source_stop (g_ptr_array_index (self->dns_logs, i));
  g_clear_pointer (&self->dns_logs, g_ptr_array_unref);
  if (self->sessions != NULL)
    ps_flow_source_stop (PS_FLOW_SOURCE (self->sessions));
  g_clear_object (&self->sessions);
  g_clear_object (&self->history);
  g_clear_object (&self->alerts);
  g_clear_object (&self->table);
  g_clear_object (&self->enricher);

  G_OBJECT_CLASS (ps_peer_monitor_parent_class)->dispose (object);
}

static void
ps_peer_monitor_class_init (PsPeerMonitorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ps_peer_monitor_dispose;
}

static void
ps_peer_monitor_init (PsPeerMonitor *self)
{
  g_autoptr(PsGeoip) geoip = ps_geoip_new ();

  /* the caller adds its own databases first, then the usual places */
  self->enricher = ps_peer_enricher_new (NULL, geoip);
  self->table = ps_peer_table_new (self->enricher);
  self->alerts = ps_peer_alerts_new (self->table);
  self->sources = g_list_store_new (PS_TYPE_FLOW_SOURCE);
  self->dns_logs = g_ptr_array_new_with_free_func (g_object_unref);
  self->sessions = ps_session_source_new ();
  ps_peer_table_watch_source (self->table, PS_FLOW_SOURCE (self->sessions));
  ps_flow_source_start (PS_FLOW_SOURCE (self->sessions), NULL);
}

PsPeerMonitor *
ps_peer_monitor_new (void)
{
  return g_object_new (PS_TYPE_PEER_MONITOR, NULL);
}

PsPeerTable *
ps_peer_monitor_get_table (PsPeerMonitor *self)
{
  g_return_val_if_fail (PS_IS_PEER_MONITOR (self), NULL);

  return self->table;
}

PsPeerAlerts *
ps_peer_monitor_get_alerts (PsPeerMonitor *self)
{
  g_return_val_if_fail (PS_IS_PEER_MONITOR (self), NULL);

  return self->alerts;
}

PsPeerEnricher *
ps_peer_monitor_get_enricher (PsPeerMonitor *self)
{
  g_return_val_if_fail (PS_IS_PEER_MONITOR (self), NULL);

  return self->enricher;
}

PsSessionSource *
ps_peer_monitor_get_sessions (PsPeerMonitor *self)
{
  g_return_val_if_fail (PS_IS_PEER_MONITOR (self), NULL);

  return self->sessions;
}

PsPeerHistory *
ps_peer_monitor_get_history (PsPeerMonitor *self)
{
  g_return_val_if_fail (PS_IS_PEER_MONITOR (self), NULL);

  return self->history;
}

static void
on_history_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ps_peer_history_load_finish (PS_PEER_HISTORY (object), result, &error))
    g_warning ("%s", error->message);

  /* the monitor was kept alive for the load */
  g_object_unref (user_data);
}

void
ps_peer_monitor_enable_history (PsPeerMonitor *self,
                                const char    *path,
                                guint          retention_days)
{
  g_return_if_fail (PS_IS_PEER_MONITOR (self));
  g_return_if_fail (self->history == NULL);

  self->history = ps_peer_history_new (self->table, path);
  if (retention_days > 0)
    ps_peer_history_set_retention_days (self->history, retention_days);
  ps_peer_history_load_async (self->history, NULL, on_history_loaded_cb, g_object_ref (self));
  ps_peer_history_set_autosave (self->history, HISTORY_SAVE_INTERVAL_S);
}

PsFlowSource *
ps_peer_monitor_add_source (PsPeerMonitor  *self,
                            const char     *spec,
                            GError        **error)
{
  g_autoptr(PsFlowSource) source = NULL;

  g_return_val_if_fail (PS_IS_PEER_MONITOR (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  source = ps_flow_source_new_for_spec (spec, error);
  if (source == NULL)
    return NULL;

  ps_peer_table_watch_source (self->table, source);
  if (!ps_flow_source_start (source, error))
    return NULL;

  g_list_store_append (self->sources, source);
  return source;
}

static void
on_dns_lookup_cb (PsPeerMonitor *self,
                  const char    *client,
                  const char    *name,
                  const char    *address,
                  gint64         time_ms)
{
  PsIpAddress client_address, answer;

  if (!ps_ip_address_parse (&answer, address))
    return;
  ps_peer_enricher_add_lookup (self->enricher,
                               client != NULL && ps_ip_address_parse (&client_address, client)
                               ? &client_address : NULL,
                               name, &answer, time_ms);
}

gboolean
ps_peer_monitor_add_dns_log (PsPeerMonitor  *self,
                             const char     *path,
                             GError        **error)
{
  g_autoptr(PsDnsLogSource) source = NULL;

  g_return_val_if_fail (PS_IS_PEER_MONITOR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  source = ps_dns_log_source_new (path);
  g_signal_connect_object (source, "lookup", G_CALLBACK (on_dns_lookup_cb), self, G_CONNECT_SWAPPED);
  /* only what is asked from now on: old lines carry no usable time */
  if (!ps_dns_log_source_start (source, FALSE, error))
    return FALSE;

  ps_peer_enricher_watch_dns (self->enricher);
  g_ptr_array_add (self->dns_logs, g_steal_pointer (&source));
  return TRUE;
}

GListModel *
ps_peer_monitor_get_sources (PsPeerMonitor *self)
{
  g_return_val_if_fail (PS_IS_PEER_MONITOR (self), NULL);

  return G_LIST_MODEL (self->sources);
}

void
ps_peer_monitor_stop_sources (PsPeerMonitor *self)
{
  g_return_if_fail (PS_IS_PEER_MONITOR (self));

  for (guint i = 0, n = g_list_model_get_n_items (G_LIST_MODEL (self->sources)); i < n; i++)
    {
      g_autoptr(PsFlowSource) source = g_list_model_get_item (G_LIST_MODEL (self->sources), i);

      ps_flow_source_stop (source);
    }
  g_list_store_remove_all (self->sources);
}

typedef struct
{
  guint   pending;
  GError *error;
} Refresh;

static void
refresh_free (Refresh *refresh)
{
  g_clear_error (&refresh->error);
  g_free (refresh);
}

static void
on_source_dumped_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Refresh *refresh = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (PS_IS_GATEWAY_SOURCE (object))
    ok = ps_gateway_source_dump_finish (PS_GATEWAY_SOURCE (object), result, &error);
  else
    ok = ps_conntrack_source_dump_finish (PS_CONNTRACK_SOURCE (object), result, &error);
  if (!ok && refresh->error == NULL)
    refresh->error = g_steal_pointer (&error);

  if (--refresh->pending > 0)
    return;

  if (refresh->error != NULL)
    g_task_return_error (task, g_steal_pointer (&refresh->error));
  else
    g_task_return_boolean (task, TRUE);
}

void
ps_peer_monitor_refresh_async (PsPeerMonitor       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Refresh *refresh;

  g_return_if_fail (PS_IS_PEER_MONITOR (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_peer_monitor_refresh_async);
  refresh = g_new0 (Refresh, 1);
  g_task_set_task_data (task, refresh, (GDestroyNotify) refresh_free);

  /* one more than there are dumps, so that none completes the task early */
  refresh->pending = 1;
  for (guint i = 0, n = g_list_model_get_n_items (G_LIST_MODEL (self->sources)); i < n; i++)
    {
      g_autoptr(PsFlowSource) source = g_list_model_get_item (G_LIST_MODEL (self->sources), i);

      if (PS_IS_CONNTRACK_SOURCE (source))
        ps_conntrack_source_dump_async (PS_CONNTRACK_SOURCE (source), cancellable,
                                        on_source_dumped_cb, g_object_ref (task));
      else if (PS_IS_GATEWAY_SOURCE (source)
               && ps_gateway_source_get_state (PS_GATEWAY_SOURCE (source)) == PS_GATEWAY_SOURCE_STATE_WATCHING)
        ps_gateway_source_dump_async (PS_GATEWAY_SOURCE (source), cancellable,
                                      on_source_dumped_cb, g_object_ref (task));
      else
        continue;
      refresh->pending++;
    }

  if (--refresh->pending == 0)
    g_task_return_boolean (task, TRUE);
}

gboolean
ps_peer_monitor_refresh_finish (PsPeerMonitor  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const GError *
ps_peer_monitor_get_source_error (PsPeerMonitor *self)
{
  g_return_val_if_fail (PS_IS_PEER_MONITOR (self), NULL);

  for (guint i = 0, n = g_list_model_get_n_items (G_LIST_MODEL (self->sources)); i < n; i++)
    {
      g_autoptr(PsFlowSource) source = g_list_model_get_item (G_LIST_MODEL (self->sources), i);

      if (PS_IS_GATEWAY_SOURCE (source) && ps_gateway_source_get_error (PS_GATEWAY_SOURCE (source)) != NULL
          && ps_gateway_source_get_state (PS_GATEWAY_SOURCE (source)) != PS_GATEWAY_SOURCE_STATE_WATCHING)
        return ps_gateway_source_get_error (PS_GATEWAY_SOURCE (source));
    }

  return NULL;
}
