/* ps-cli-peers.c: peerscope-cli peers
 *
 * Watches one or more flow sources for a while and prints every peer of
 * every device: conntrack when this machine is the cameras' gateway, a
 * NetFlow/IPFIX collector when a router exports flows to it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "peerscope-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "ps-cli.h"
#include "ps-peer-json.h"
#include "ps-peer-monitor.h"
#include "ps-saved-cameras.h"

#define NAME_WAIT_MS 3000

typedef struct
{
  GMainLoop *loop;
  guint      pending;
} Wait;

static gboolean
on_done (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_refreshed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Wait *wait = user_data;
  g_autoptr(GError) error = NULL;

  if (!ps_peer_monitor_refresh_finish (PS_PEER_MONITOR (object), result, &error))
    g_printerr ("peerscope-cli: %s\n", error->message);

  wait->pending = 0;
  g_main_loop_quit (wait->loop);
}

static gboolean
looks_like_mac (const char *text)
{
  return strlen (text) == 17 && text[2] == ':' && text[5] == ':' && text[8] == ':'
         && text[11] == ':' && text[14] == ':';
}

static gboolean
add_device (PsPeerTable  *table,
            const char   *spec,
            GError      **error)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(PsStore) store = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  g_autofree char *host = NULL;
  PsDevice *device;

  if (g_hostname_is_ip_address (spec))
    return ps_peer_table_add_device (table, spec, spec, NULL, error);

  if (looks_like_mac (spec))
    {
      g_autofree char *mac = g_ascii_strdown (spec, -1);

      return ps_peer_table_add_device (table, mac, NULL, mac, error);
    }

  /* a camera saved in Peerscope, by its device id */
  settings = ps_saved_cameras_settings ();
  store = ps_store_open (NULL, NULL);
  saved = ps_saved_cameras_load_known (store, settings);
  device = ps_saved_cameras_find (saved, spec);
  if (device != NULL)
    host = ps_device_dup_host (device);
  if (host == NULL || !g_hostname_is_ip_address (host))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is neither an address, a MAC address nor a saved camera"), spec);
      return FALSE;
    }

  return ps_peer_table_add_device (table, ps_device_get_id (device), host,
                                   ps_device_get_mac (device), error);
}

static gint
compare_peers (gconstpointer a,
               gconstpointer b)
{
  PsPeer *pa = *(PsPeer **) a;
  PsPeer *pb = *(PsPeer **) b;
  guint64 ta = ps_peer_get_bytes_out (pa) + ps_peer_get_bytes_in (pa);
  guint64 tb = ps_peer_get_bytes_out (pb) + ps_peer_get_bytes_in (pb);
  int by_device = g_strcmp0 (ps_peer_get_device (pa), ps_peer_get_device (pb));

  if (by_device != 0)
    return by_device;
  return ta < tb ? 1 : ta > tb ? -1 : 0;
}

static GPtrArray *
sorted_peers (GListModel *model)
{
  GPtrArray *peers = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0, n = g_list_model_get_n_items (model); i < n; i++)
    g_ptr_array_add (peers, g_list_model_get_item (model, i));
  g_ptr_array_sort (peers, compare_peers);

  return peers;
}

static JsonNode *
build_report (GPtrArray *peers)
{
  g_autoptr(JsonArray) array = json_array_sized_new (peers->len);
  JsonNode *report;

  for (guint i = 0; i < peers->len; i++)
    json_array_add_element (array, ps_peer_to_json (g_ptr_array_index (peers, i)));

  report = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (report, array);
  return report;
}

static void
print_human (GPtrArray *peers)
{
  const char *device = NULL;

  for (guint i = 0; i < peers->len; i++)
    {
      PsPeer *peer = g_ptr_array_index (peers, i);
      g_autofree char *endpoint = NULL;
      g_autofree char *out = g_format_size (ps_peer_get_bytes_out (peer));
      g_autofree char *in = g_format_size (ps_peer_get_bytes_in (peer));
      char asn[16] = "";

      if (g_strcmp0 (device, ps_peer_get_device (peer)) != 0)
        {
          device = ps_peer_get_device (peer);
          printf ("%s%s\n", i > 0 ? "\n" : "", device);
        }

      if (ps_peer_get_asn (peer) != 0)
        g_snprintf (asn, sizeof asn, "AS%u", ps_peer_get_asn (peer));
      endpoint = g_strdup_printf (ps_peer_get_address (peer)->family == 6 ? "[%s]:%u/%s" : "%s:%u/%s",
                                  ps_peer_get_address_string (peer), ps_peer_get_port (peer),
                                  ps_peer_get_protocol_name (peer));
      printf ("  %-28s %-14s %-3s %-10s ↑%-10s ↓%-10s %s\n", endpoint,
              ps_peer_kind_to_string (ps_peer_get_kind (peer)),
              ps_peer_get_country (peer) != NULL ? ps_peer_get_country (peer) : "--",
              asn, out, in,
              ps_peer_get_hostname (peer) != NULL ? ps_peer_get_hostname (peer) : "");
    }

  if (peers->len == 0)
    printf ("%s\n", _("No traffic seen."));
}

int
ps_cli_peers (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(PsPeerMonitor) monitor = NULL;
  PsPeerEnricher *enricher;
  PsPeerTable *table;
  g_autoptr(GPtrArray) peers = NULL;
  g_auto(GStrv) source_specs = NULL;
  g_auto(GStrv) devices = NULL;
  g_auto(GStrv) databases = NULL;
  g_auto(GStrv) rules = NULL;
  g_auto(GStrv) dns_logs = NULL;
  double duration = 10;
  gboolean json = FALSE;
  gboolean no_names = FALSE;
  Wait wait = { NULL, 0 };
  guint sigint_id;
  const GOptionEntry entries[] = {
    { "source", 's', 0, G_OPTION_ARG_STRING_ARRAY, &source_specs,
      N_("Read flows from conntrack (default), the gateway helper (gateway) or a NetFlow/IPFIX collector on ipfix:[ADDR:]PORT (repeatable)"),
      N_("SOURCE") },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &duration, N_("Watch for S seconds (default 10)"), "S" },
    { "device", 0, 0, G_OPTION_ARG_STRING_ARRAY, &devices,
      N_("Only this device: an address, a MAC address or a saved camera (repeatable)"), N_("DEVICE") },
    { "geoip", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &databases,
      N_("Read countries and networks from this MMDB file too (repeatable)"), N_("FILE") },
    { "p2p-rule", 0, 0, G_OPTION_ARG_STRING_ARRAY, &rules,
      N_("Treat udp/PORT, tcp/PORT or p2p:DOMAIN as P2P servers, DOMAIN as a vendor cloud (repeatable)"),
      N_("RULE") },
    { "dns-log", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dns_logs,
      N_("Follow this DNS server log (dnsmasq with log-queries=extra) for the names devices ask for (repeatable)"),
      N_("FILE") },
    { "no-names", 'n', 0, G_OPTION_ARG_NONE, &no_names, N_("Do not look up host names"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("— list the hosts that devices talk to"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (argc > 1)
    return ps_cli_fail (_("peers takes no arguments; use --device DEVICE"));
  if (duration < 0 || duration > 86400)
    return ps_cli_fail (_("--duration must be between 0 and 86400 seconds"));

  monitor = ps_peer_monitor_new ();
  enricher = ps_peer_monitor_get_enricher (monitor);
  table = ps_peer_monitor_get_table (monitor);
  for (guint i = 0; databases != NULL && databases[i] != NULL; i++)
    if (!ps_geoip_add_database (ps_peer_enricher_get_geoip (enricher), databases[i], &error))
      return ps_cli_fail ("%s", error->message);
  ps_geoip_add_default_databases (ps_peer_enricher_get_geoip (enricher));

  for (guint i = 0; rules != NULL && rules[i] != NULL; i++)
    if (!ps_peer_classifier_add_rule (ps_peer_enricher_get_classifier (enricher), rules[i], &error))
      return ps_cli_fail ("%s", error->message);

  ps_peer_enricher_set_resolve_names (enricher, !no_names);
  for (guint i = 0; devices != NULL && devices[i] != NULL; i++)
    if (!add_device (table, devices[i], &error))
      return ps_cli_fail ("%s", error->message);

  for (guint i = 0; dns_logs != NULL && dns_logs[i] != NULL; i++)
    if (!ps_peer_monitor_add_dns_log (monitor, dns_logs[i], &error))
      return ps_cli_fail ("%s", error->message);

  if (source_specs == NULL || source_specs[0] == NULL)
    {
      g_strfreev (source_specs);
      source_specs = g_strsplit ("conntrack", ",", -1);
    }
  for (guint i = 0; source_specs[i] != NULL; i++)
    {
      if (ps_peer_monitor_add_source (monitor, source_specs[i], &error) == NULL)
        return ps_cli_fail ("%s", error->message);
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add ((guint) (duration * 1000), on_done, loop);
  sigint_id = g_unix_signal_add (SIGINT, on_done, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);

  /* a helper that said no is an error, not an empty list */
  if (ps_peer_monitor_get_source_error (monitor) != NULL)
    return ps_cli_fail ("%s", ps_peer_monitor_get_source_error (monitor)->message);

  /* the latest counters, then stop */
  wait.loop = loop;
  wait.pending = 1;
  ps_peer_monitor_refresh_async (monitor, NULL, on_refreshed_cb, &wait);
  if (wait.pending > 0)
    g_main_loop_run (loop);
  ps_peer_monitor_stop_sources (monitor);

  /* names that are on their way, for a little while */
  if (ps_peer_enricher_get_pending (enricher) > 0)
    {
      guint timeout_id = g_timeout_add (NAME_WAIT_MS, on_done, loop);
      gulong idle_id = g_signal_connect_swapped (enricher, "idle", G_CALLBACK (g_main_loop_quit), loop);

      g_main_loop_run (loop);
      g_signal_handler_disconnect (enricher, idle_id);
      if (g_main_context_find_source_by_id (NULL, timeout_id) != NULL)
        g_source_remove (timeout_id);
    }

  peers = sorted_peers (ps_peer_table_get_peers (table));
  if (json)
    {
      g_autoptr(JsonNode) report = build_report (peers);

      ps_cli_print_json (report);
    }
  else
    print_human (peers);

  return 0;
}
