/* ps-cli-discover.c: peerscope-cli discover
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "peerscope-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>

#include "ps-cli.h"
#include "ps-device-registry.h"
#include "ps-discovery.h"
#include "ps-onvif-enricher.h"
#include "ps-p2p-directory.h"

#define N_PROTOCOLS (PS_PROTOCOL_PEERSCOPE_P2P + 1)

/* When each device first answered each protocol (g_get_real_time () µs, as
 * its first_seen; 0 for not yet): the device keeps only its first answer of
 * all. A sighting's time is the device's last_seen right after it merged. */
static void
on_discovery_device_seen_cb (PsDiscovery *discovery,
                             PsDevice    *device,
                             gpointer     user_data)
{
  GHashTable *seen = user_data;
  gint64 *times = g_hash_table_lookup (seen, device);

  if (times == NULL)
    {
      times = g_new0 (gint64, N_PROTOCOLS);
      g_hash_table_insert (seen, device, times);
    }
  for (PsProtocol p = PS_PROTOCOL_ONVIF; p < N_PROTOCOLS; p++)
    if (times[p] == 0 && ps_device_has_protocol (device, p))
      times[p] = ps_device_get_last_seen (device);
}

/* The account's cameras on the rendezvous server: sightings of the
 * peerscope-p2p protocol, by device id */
typedef struct
{
  PsDeviceRegistry *registry;
  PsDiscovery      *discovery;
  GHashTable       *seen;
} Listing;

static void
on_directory_changed_cb (PsP2pDirectory *directory,
                         Listing        *listing)
{
  GPtrArray *cameras = ps_p2p_directory_get_cameras (directory);

  for (guint i = 0; cameras != NULL && i < cameras->len; i++)
    {
      const PsP2pDirectoryCamera *camera = g_ptr_array_index (cameras, i);
      PsSighting *sighting = ps_sighting_new (PS_PROTOCOL_PEERSCOPE_P2P);
      PsDevice *device;

      sighting->p2p_uid = g_strdup (camera->device_id);
      sighting->name = g_strdup (camera->name);
      device = ps_device_registry_add (listing->registry, sighting, g_get_real_time ());
      if (device != NULL)
        on_discovery_device_seen_cb (listing->discovery, device, listing->seen);
      ps_sighting_free (sighting);
    }
}

static gboolean
on_done (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  GMainLoop *loop;
  guint      pending;
} Enrichment;

static void
on_enriched_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Enrichment *enrichment = user_data;
  g_autoptr(GError) error = NULL;

  if (!ps_onvif_enrich_finish (result, &error))
    g_debug ("ONVIF enrichment: %s", error->message);

  if (--enrichment->pending == 0)
    g_main_loop_quit (enrichment->loop);
}

/* Identity and streams from every ONVIF device, all at once, bounded. */
static void
enrich_all (GListModel *devices,
            GMainLoop  *loop)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Enrichment enrichment = { loop, 0 };
  guint timeout_id;

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PsDevice) device = g_list_model_get_item (devices, i);

      if (ps_device_get_xaddrs (device)[0] == NULL)
        continue;
      enrichment.pending++;
      ps_onvif_enrich_async (device, NULL, NULL, cancellable, on_enriched_cb, &enrichment);
    }
  if (enrichment.pending == 0)
    return;

  timeout_id = g_timeout_add_seconds (5, on_done, loop);
  g_main_loop_run (loop);
  g_cancellable_cancel (cancellable);
  while (enrichment.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  if (g_main_context_find_source_by_id (NULL, timeout_id) != NULL)
    g_source_remove (timeout_id);
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static JsonNode *
build_report (GListModel *devices,
              GHashTable *seen,
              gint64      start_us)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PsDevice) device = g_list_model_get_item (devices, i);
      const gint64 *times = g_hash_table_lookup (seen, device);

      json_builder_begin_object (builder);
      add_string (builder, "id", ps_device_get_id (device));
      add_string (builder, "name", ps_device_get_name (device));
      add_string (builder, "manufacturer", ps_device_get_manufacturer (device));
      add_string (builder, "model", ps_device_get_model (device));
      add_strv (builder, "addresses", ps_device_get_addresses (device));
      add_string (builder, "mac", ps_device_get_mac (device));

      json_builder_set_member_name (builder, "protocols");
      json_builder_begin_array (builder);
      for (PsProtocol p = PS_PROTOCOL_ONVIF; p <= PS_PROTOCOL_PEERSCOPE_P2P; p++)
        if (ps_device_has_protocol (device, p))
          json_builder_add_string_value (builder, ps_protocol_to_string (p));
      json_builder_end_array (builder);

      json_builder_set_member_name (builder, "onvif");
      json_builder_begin_object (builder);
      add_string (builder, "endpoint", ps_device_get_endpoint (device));
      add_strv (builder, "xaddrs", ps_device_get_xaddrs (device));
      json_builder_end_object (builder);

      json_builder_set_member_name (builder, "p2p");
      if (ps_device_get_p2p_uid (device) != NULL)
        {
          json_builder_begin_object (builder);
          add_string (builder, "network", ps_device_get_p2p_network (device));
          add_string (builder, "uid", ps_device_get_p2p_uid (device));
          json_builder_end_object (builder);
        }
      else if (ps_device_get_peerscope_id (device) != NULL)
        {
          /* the user's own P2P network: the uid is the device id to pin */
          json_builder_begin_object (builder);
          add_string (builder, "network", "peerscope");
          add_string (builder, "uid", ps_device_get_peerscope_id (device));
          json_builder_end_object (builder);
        }
      else
        json_builder_add_null_value (builder);

      add_string (builder, "firmware", ps_device_get_firmware (device));
      add_string (builder, "interface", ps_device_get_interface (device));
      add_string (builder, "local_address", ps_device_get_local_address (device));
      json_builder_set_member_name (builder, "online");
      json_builder_add_boolean_value (builder, ps_device_get_online (device));
      /* how long after the first probe it first answered */
      json_builder_set_member_name (builder, "first_seen_ms");
      json_builder_add_double_value (builder,
                                     (ps_device_get_first_seen (device) - start_us) / 1000.0);
      /* the same per protocol, for tests/bench/discovery (beyond the contract) */
      json_builder_set_member_name (builder, "first_seen_ms_by_protocol");
      json_builder_begin_object (builder);
      for (PsProtocol p = PS_PROTOCOL_ONVIF; times != NULL && p < N_PROTOCOLS; p++)
        if (times[p] > 0)
          {
            json_builder_set_member_name (builder, ps_protocol_to_string (p));
            json_builder_add_double_value (builder, (times[p] - start_us) / 1000.0);
          }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "streams");
      json_builder_begin_array (builder);
      for (guint s = 0; s < ps_device_get_streams (device)->len; s++)
        {
          PsDeviceStream *stream = g_ptr_array_index (ps_device_get_streams (device), s);

          json_builder_begin_object (builder);
          add_string (builder, "uri", stream->uri);
          add_string (builder, "profile", stream->profile);
          json_builder_set_member_name (builder, "width");
          json_builder_add_int_value (builder, stream->width);
          json_builder_set_member_name (builder, "height");
          json_builder_add_int_value (builder, stream->height);
          json_builder_end_object (builder);
        }
      if (ps_device_get_peerscope_id (device) != NULL)
        {
          g_autofree char *uri = g_strconcat ("p2p:", ps_device_get_peerscope_id (device), NULL);

          json_builder_begin_object (builder);
          add_string (builder, "uri", uri);
          add_string (builder, "profile", "p2p");
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

static void
print_human (GListModel *devices)
{
  guint n = g_list_model_get_n_items (devices);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PsDevice) device = g_list_model_get_item (devices, i);
      const char * const *addresses = ps_device_get_addresses (device);

      printf ("%-12s %-24s %-16s %s%s%s\n", ps_device_get_id (device),
              ps_device_get_name (device),
              addresses[0] != NULL ? addresses[0] : "",
              ps_device_get_model (device) != NULL ? ps_device_get_model (device) : "",
              ps_device_get_p2p_uid (device) != NULL ? _("  vendor P2P: ")
              : ps_device_get_peerscope_id (device) != NULL ? _("  P2P device: ") : "",
              ps_device_get_p2p_uid (device) != NULL ? ps_device_get_p2p_uid (device)
              : ps_device_get_peerscope_id (device) != NULL ? ps_device_get_peerscope_id (device)
              : "");
    }
  if (n == 0)
    printf ("%s\n", _("No cameras answered."));
}

int
ps_cli_discover (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(PsDeviceRegistry) registry = NULL;
  g_autoptr(PsDiscovery) discovery = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *interface = NULL;
  g_auto(GStrv) targets = NULL;
  g_autofree char *rendezvous = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *ca_file = NULL;
  g_autoptr(PsP2pDirectory) directory = NULL;
  Listing listing = { NULL };
  double timeout = 3;
  gint64 start_us;
  gboolean json = FALSE;
  guint sigint_id;
  const GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &timeout, N_("Listen for S seconds (default 3)"),
      "S" },
    { "interface", 'i', 0, G_OPTION_ARG_STRING, &interface,
      N_("Probe the LAN on interface IF"), "IF" },
    { "target", 0, 0, G_OPTION_ARG_STRING_ARRAY, &targets,
      N_("Probe HOST directly (repeatable); then the LAN is not probed"), "HOST" },
    { "rendezvous", 0, 0, G_OPTION_ARG_STRING, &rendezvous,
      N_("Also list the cameras of a P2P account on this rendezvous server"), N_("URL") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("The P2P account token, read from file F"), "F" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
      N_("Trust the rendezvous server certificates in file F"), "F" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("— find cameras"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ps_cli_fail ("%s", error->message);
  if (argc > 1)
    return ps_cli_fail (_("discover takes no arguments; use --target HOST"));
  if (timeout <= 0 || timeout > 600)
    return ps_cli_fail (_("--timeout must be between 0 and 600 seconds"));

  registry = ps_device_registry_new ();
  discovery = ps_discovery_new (registry);
  seen = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  g_signal_connect (discovery, "device-seen", G_CALLBACK (on_discovery_device_seen_cb), seen);
  ps_discovery_set_interface (discovery, interface);
  for (guint i = 0; targets != NULL && targets[i] != NULL; i++)
    if (!ps_discovery_add_target (discovery, targets[i], &error))
      return ps_cli_fail ("%s", error->message);

  start_us = g_get_real_time ();
  if (!ps_discovery_start (discovery, &error))
    return ps_cli_fail ("%s", error->message);

  if (rendezvous != NULL)
    {
      g_autoptr(PsP2pConfig) config = NULL;
      g_autofree char *token = NULL;

      if (token_file == NULL)
        return ps_cli_fail (_("--rendezvous needs --token-file F"));
      if ((token = ps_cli_read_secret (token_file, &error)) == NULL)
        return ps_cli_fail ("%s", error->message);
      config = ps_p2p_config_new (rendezvous, token);
      config->ca_file = g_strdup (ca_file);
      if (!ps_p2p_config_validate (config, &error))
        return ps_cli_fail ("%s", error->message);

      listing.registry = registry;
      listing.discovery = discovery;
      listing.seen = seen;
      directory = ps_p2p_directory_new ();
      g_signal_connect (directory, "changed", G_CALLBACK (on_directory_changed_cb), &listing);
      ps_p2p_directory_start (directory, config);
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add ((guint) (timeout * 1000), on_done, loop);
  sigint_id = g_unix_signal_add (SIGINT, on_done, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  ps_discovery_stop (discovery);
  if (directory != NULL)
    {
      g_signal_handlers_disconnect_by_data (directory, &listing);
      ps_p2p_directory_stop (directory);
    }
  enrich_all (G_LIST_MODEL (registry), loop);

  if (json)
    {
      report = build_report (G_LIST_MODEL (registry), seen, start_us);
      ps_cli_print_json (report);
    }
  else
    print_human (G_LIST_MODEL (registry));

  return 0;
}
