/* ps-cli-camera-p2p.c: peerscope-cli camera-p2p
 *
 * Reads or sets a camera's own P2P switch through its Foscam-style CGI,
 * and with --verify watches the network afterwards: a camera that goes on
 * talking to P2P servers after being told to stop ignores its own setting,
 * and the report says so with the evidence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "peerscope-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ps-cli.h"
#include "ps-foscam-client.h"
#include "ps-peer-json.h"
#include "ps-peer-monitor.h"

/* what reaches the network in flight when the switch flips is not evidence */
#define GRACE_MS 2000

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  g_clear_object (&wait->result);
  g_main_loop_run (wait->loop);
  return wait->result;
}

static gboolean
on_timeout (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
sleep_ms (GMainLoop *loop,
          guint      ms)
{
  g_timeout_add (ms, on_timeout, loop);
  g_main_loop_run (loop);
}

/* packets sent to each P2P server so far, by peer */
static GHashTable *
count_p2p (GListModel *peers)
{
  GHashTable *counts = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);

  for (guint i = 0, n = g_list_model_get_n_items (peers); i < n; i++)
    {
      PsPeer *peer = g_list_model_get_item (peers, i);
      guint64 packets = ps_peer_get_packets_out (peer);

      if (ps_peer_get_kind (peer) == PS_PEER_KIND_P2P_SUPERNODE)
        g_hash_table_insert (counts, peer, g_memdup2 (&packets, sizeof packets));
      else
        g_object_unref (peer);
    }

  return counts;
}

int
ps_cli_camera_p2p (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsFoscamClient) client = NULL;
  g_autoptr(PsPeerMonitor) monitor = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GHashTable) before = NULL;
  g_autofree char *base = NULL;
  g_autofree char *password = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  g_auto(GStrv) source_specs = NULL;
  Wait wait = { loop, NULL };
  const char *address, *action;
  gboolean enabled_before = FALSE, enabled_after = FALSE;
  gboolean json = FALSE;
  double verify = 0;
  int http_port = 80;
  guint servers_after = 0;
  guint64 packets_after = 0;
  const char *verdict = NULL;
  const GOptionEntry entries[] = {
    { "http-port", 0, 0, G_OPTION_ARG_INT, &http_port, N_("The camera's HTTP port (default 80)"), N_("PORT") },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, N_("User name"), N_("USER") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the password from FILE"), N_("FILE") },
    { "verify", 0, 0, G_OPTION_ARG_DOUBLE, &verify,
      N_("After switching, watch the camera's traffic for S seconds and say whether it obeys"), "S" },
    { "source", 's', 0, G_OPTION_ARG_STRING_ARRAY, &source_specs,
      N_("Where to watch traffic with --verify (default conntrack)"), N_("SOURCE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("ADDRESS status|on|off — a camera's own P2P switch"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (argc != 3)
    return ps_cli_fail (_("Use: camera-p2p ADDRESS status|on|off"));
  address = argv[1];
  action = argv[2];
  if (!g_hostname_is_ip_address (address))
    return ps_cli_fail (_("“%s” is not an IP address"), address);
  if (g_strcmp0 (action, "status") != 0 && g_strcmp0 (action, "on") != 0 && g_strcmp0 (action, "off") != 0)
    return ps_cli_fail (_("“%s” is not status, on or off"), action);
  if (http_port < 1 || http_port > 65535)
    return ps_cli_fail (_("--http-port must be between 1 and 65535"));
  if (verify < 0 || verify > 3600)
    return ps_cli_fail (_("--verify must be between 0 and 3600 seconds"));
  if (password_file != NULL && !(password = ps_cli_read_secret (password_file, &error)))
    return ps_cli_fail ("%s", error->message);

  base = g_strdup_printf (strchr (address, ':') != NULL ? "http://[%s]:%d" : "http://%s:%d",
                          address, http_port);
  client = ps_foscam_client_new (base, user, password, &error);
  if (client == NULL)
    return ps_cli_fail ("%s", error->message);

  ps_foscam_client_get_async (client, PS_FOSCAM_SWITCH_P2P, NULL, done_cb, &wait);
  if (!ps_foscam_client_get_finish (client, wait_for (&wait), &enabled_before, &error))
    return ps_cli_fail ("%s", error->message);
  enabled_after = enabled_before;

  if (verify > 0 && g_strcmp0 (action, "status") != 0)
    {
      monitor = ps_peer_monitor_new ();
      ps_geoip_add_default_databases (ps_peer_enricher_get_geoip (ps_peer_monitor_get_enricher (monitor)));
      ps_peer_enricher_set_resolve_names (ps_peer_monitor_get_enricher (monitor), FALSE);
      if (!ps_peer_table_add_device (ps_peer_monitor_get_table (monitor), address, address, NULL, &error))
        return ps_cli_fail ("%s", error->message);
      for (guint i = 0; source_specs == NULL || source_specs[i] != NULL; i++)
        {
          if (ps_peer_monitor_add_source (monitor, source_specs != NULL ? source_specs[i] : "conntrack",
                                          &error) == NULL)
            return ps_cli_fail ("%s", error->message);
          if (source_specs == NULL)
            break;
        }
    }

  if (g_strcmp0 (action, "status") != 0)
    {
      ps_foscam_client_set_async (client, PS_FOSCAM_SWITCH_P2P, g_str_equal (action, "on"), NULL,
                                  done_cb, &wait);
      if (!ps_foscam_client_set_finish (client, wait_for (&wait), &error))
        return ps_cli_fail ("%s", error->message);
      ps_foscam_client_get_async (client, PS_FOSCAM_SWITCH_P2P, NULL, done_cb, &wait);
      if (!ps_foscam_client_get_finish (client, wait_for (&wait), &enabled_after, &error))
        return ps_cli_fail ("%s", error->message);
    }

  if (monitor != NULL)
    {
      GListModel *peers = ps_peer_table_get_device_peers (ps_peer_monitor_get_table (monitor), address);

      /* what the camera sends from a little after the switch on */
      sleep_ms (loop, GRACE_MS);
      ps_peer_monitor_refresh_async (monitor, NULL, done_cb, &wait);
      ps_peer_monitor_refresh_finish (monitor, wait_for (&wait), NULL);
      before = count_p2p (peers);
      sleep_ms (loop, (guint) (verify * 1000));
      ps_peer_monitor_refresh_async (monitor, NULL, done_cb, &wait);
      if (!ps_peer_monitor_refresh_finish (monitor, wait_for (&wait), &error))
        return ps_cli_fail ("%s", error->message);
      if (ps_peer_monitor_get_source_error (monitor) != NULL)
        return ps_cli_fail ("%s", ps_peer_monitor_get_source_error (monitor)->message);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "evidence");
      json_builder_begin_array (builder);
      for (guint i = 0, n = g_list_model_get_n_items (peers); i < n; i++)
        {
          g_autoptr(PsPeer) p = g_list_model_get_item (peers, i);
          guint64 *was = g_hash_table_lookup (before, p);
          guint64 now = ps_peer_get_packets_out (p);
          guint64 delta = now - (was != NULL ? *was : 0);

          if (ps_peer_get_kind (p) != PS_PEER_KIND_P2P_SUPERNODE || delta == 0)
            continue;
          servers_after++;
          packets_after += delta;
          json_builder_add_value (builder, ps_peer_to_json (p));
        }
      json_builder_end_array (builder);

      if (g_str_equal (action, "off"))
        verdict = servers_after > 0 ? "ignored" : "honoured";
      else
        verdict = "on";
    }
  else
    {
      json_builder_begin_object (builder);
    }

  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, address);
  json_builder_set_member_name (builder, "p2p_enabled_before");
  json_builder_add_boolean_value (builder, enabled_before);
  json_builder_set_member_name (builder, "p2p_enabled");
  json_builder_add_boolean_value (builder, enabled_after);
  if (verdict != NULL)
    {
      json_builder_set_member_name (builder, "verdict");
      json_builder_add_string_value (builder, verdict);
      json_builder_set_member_name (builder, "p2p_servers_after");
      json_builder_add_int_value (builder, servers_after);
      json_builder_set_member_name (builder, "p2p_packets_after");
      json_builder_add_int_value (builder, (gint64) packets_after);
    }
  json_builder_end_object (builder);

  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);

      ps_cli_print_json (root);
    }
  else
    {
      printf (enabled_after ? _("P2P is on in the camera’s settings.\n")
                            : _("P2P is off in the camera’s settings.\n"));
      if (g_strcmp0 (verdict, "ignored") == 0)
        {
          /* the count as text: a format macro inside a message hides it from xgettext */
          g_autofree char *packets = g_strdup_printf ("%" G_GUINT64_FORMAT, packets_after);

          printf (g_dngettext (GETTEXT_PACKAGE,
                               "This camera ignores its own P2P setting: it still sent %s "
                               "packets to %u P2P server.\n",
                               "This camera ignores its own P2P setting: it still sent %s "
                               "packets to %u P2P servers.\n", servers_after),
                  packets, servers_after);
        }
      else if (g_strcmp0 (verdict, "honoured") == 0)
        printf ("%s\n", _("No P2P traffic since: the camera obeys its setting."));
    }

  return 0;
}
