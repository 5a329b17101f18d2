/* test-connections-view.c: the Connections view of one camera, fed by a real peer table
 *
 * With PS_CONNECTIONS_VIEW_SCREENSHOT_DIR set, /connections-view/render saves the view in a
 * 1000×700 window, in the light and the dark style, as connections-view.png and
 * connections-view-dark.png there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ps-connections-columns.h"
#include "ps-connections-view-private.h"
#include "ps-peer-private.h"
#include "ps-peer-table.h"
#include "ps-world-map-private.h"

#define DEVICE         "cam1"
#define DEVICE_ADDRESS "10.99.1.11"

typedef struct
{
  const char *address;
  guint16     port;
  guint8      protocol;
  guint64     bytes_out;        /* device → peer */
  guint64     bytes_in;
  const char *hostname;
  const char *country;
  const char *country_name;
  guint32     asn;
  const char *org;
  gboolean    has_location;
  double      latitude;
  double      longitude;
  guint       first_min;        /* minutes ago */
  guint       last_min;
  guint       blocked;
} Host;

/* A cheap camera: ten P2P servers, its vendor's cloud, the usual services, a viewer. */
static const Host hosts[] = {
  { "198.51.100.11", 32100, 17, 184000, 96000, "p2p-cn1.cs2-network.example", "CN", "China", 64500, "Example Cloud Shenzhen", TRUE, 22.54, 114.06, 180, 0, 3 },
  { "198.51.100.12", 32100, 17, 52000, 31000, NULL, "CN", "China", 64500, "Example Cloud Shenzhen", FALSE, 0, 0, 178, 1, 0 },
  { "198.51.100.20", 32100, 17, 47000, 29000, "ec2-198-51-100-20.compute.example", "US", "United States", 64501, "Example Transit Ashburn", TRUE, 39.04, -77.49, 176, 2, 0 },
  { "198.51.100.33", 32100, 17, 39000, 21000, NULL, "DE", "Germany", 64502, "Example Hosting Frankfurt", TRUE, 50.11, 8.68, 170, 2, 14 },
  { "198.51.100.50", 32100, 17, 35500, 20000, NULL, "JP", "Japan", 64503, "Example Telecom Tokyo", TRUE, 35.68, 139.69, 168, 3, 0 },
  { "198.51.100.66", 32100, 17, 30000, 18000, NULL, "SG", "Singapore", 64504, "Example Cloud Singapore", TRUE, 1.35, 103.82, 160, 4, 0 },
  { "198.51.100.81", 32100, 17, 26000, 15000, NULL, "KR", "South Korea", 64505, "Example Broadband Seoul", TRUE, 37.56, 126.97, 150, 5, 0 },
  { "198.51.100.97", 10001, 17, 61000, 40000, "tutk-master.kalay.example", "NL", "Netherlands", 64506, "Example Exchange Amsterdam", TRUE, 52.37, 4.90, 140, 1, 0 },
  { "198.51.100.161", 32100, 17, 12000, 8000, NULL, "IN", "India", 64510, "Example Mobile Mumbai", FALSE, 0, 0, 120, 8, 0 },
  { "198.51.100.180", 32100, 17, 9000, 6000, NULL, "AU", "Australia", 64511, "Example Cloud Sydney", TRUE, -33.86, 151.21, 100, 9, 0 },
  { "192.0.2.10", 443, 6, 2400000, 12600000, "api.vendor.example", "US", "United States", 64513, "Example Vendor Cloud", TRUE, 37.75, -97.82, 175, 0, 0 },
  { "198.51.100.113", 3478, 17, 8200, 7900, "stun.example.net", "FR", "France", 64507, "Example Telecom Paris", TRUE, 48.85, 2.35, 90, 30, 0 },
  { "198.51.100.130", 123, 17, 760, 760, "ntp1.example.org", "GB", "United Kingdom", 64508, "Example Networks London", TRUE, 51.51, -0.13, 179, 60, 0 },
  { "198.51.100.150", 80, 6, 48000, 1900000, "firmware.cdn.exemplo.example", "BR", "Brazil", 64509, "Exemplo Internet São Paulo", TRUE, -23.55, -46.63, 2880, 2000, 0 },
  { "198.51.100.200", 8443, 6, 3100, 2800, NULL, NULL, NULL, 0, NULL, FALSE, 0, 0, 45, 44, 0 },
  { "10.99.1.1", 53, 17, 4200, 9800, "router.lan", NULL, NULL, 0, NULL, FALSE, 0, 0, 180, 0, 0 },
  { "239.255.255.250", 1900, 17, 25000, 0, NULL, NULL, NULL, 0, NULL, FALSE, 0, 0, 180, 1, 0 },
};

#define N_HOSTS   (G_N_ELEMENTS (hosts) + 1)   /* and the viewer */
#define N_P2P     10
#define N_PLACED  14                           /* hosts with a country */

static PsFlowRecord
make_record (guint8      protocol,
             const char *src,
             guint16     src_port,
             const char *dst,
             guint16     dst_port,
             guint64     bytes,
             guint64     reply_bytes,
             guint       first_min,
             guint       last_min)
{
  gint64 now_ms = g_get_real_time () / 1000;
  PsFlowRecord record;

  ps_flow_record_init (&record, PS_FLOW_ORIGIN_CONNTRACK);
  record.ip_protocol = protocol;
  g_assert_true (ps_ip_address_parse (&record.src, src));
  g_assert_true (ps_ip_address_parse (&record.dst, dst));
  record.src_port = src_port;
  record.dst_port = dst_port;
  record.packets = bytes / 500 + 1;
  record.bytes = bytes;
  record.reply_packets = reply_bytes / 500 + (reply_bytes > 0);
  record.reply_bytes = reply_bytes;
  record.new_flow = TRUE;
  record.first_ms = now_ms - (gint64) first_min * 60000 - 20000;
  record.last_ms = now_ms - (gint64) last_min * 60000 - 5000;
  return record;
}

static void
add_host (PsPeerTable *table,
          const Host  *host)
{
  PsFlowRecord record = make_record (host->protocol, DEVICE_ADDRESS, 40000 + host->port % 1000,
                                     host->address, host->port, host->bytes_out,
                                     host->bytes_in, host->first_min, host->last_min);
  PsPeer *peer;

  if (host->hostname != NULL)
    {
      PsIpAddress address;

      g_assert_true (ps_ip_address_parse (&address, host->address));
      ps_peer_enricher_add_name (ps_peer_table_get_enricher (table), &address, host->hostname);
    }

  ps_peer_table_add_records (table, &record, 1);
  peer = ps_peer_table_lookup (table, DEVICE, host->address, host->port, host->protocol);
  g_assert_nonnull (peer);

  /* what a GeoIP database would have said */
  if (host->country != NULL)
    _ps_peer_set_geo (peer, host->country, host->country_name, host->asn, host->org,
                      host->has_location, host->latitude, host->longitude);
  if (host->blocked > 0)
    _ps_peer_add_blocked (peer, host->blocked);
}

static void
add_viewer (PsPeerTable *table)
{
  PsFlowRecord record = make_record (6, "10.99.1.100", 50123, DEVICE_ADDRESS, 554,
                                     1200000, 980000000, 25, 0);

  ps_peer_table_add_records (table, &record, 1);
}

static PsPeerTable *
new_table (void)
{
  g_autoptr(PsPeerEnricher) enricher = ps_peer_enricher_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  PsPeerTable *table;

  /* no resolver traffic from a test */
  ps_peer_enricher_set_resolve_names (enricher, FALSE);
  table = ps_peer_table_new (enricher);
  g_assert_true (ps_peer_table_add_device (table, DEVICE, DEVICE_ADDRESS, NULL, &error));
  g_assert_no_error (error);
  return table;
}

static void
fill_table (PsPeerTable *table)
{
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    add_host (table, &hosts[i]);
  add_viewer (table);
}

/* ---- helpers --------------------------------------------------------------------------- */

static gboolean
on_wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  guint wake = g_timeout_add (10, on_wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static gboolean
wait_for_rows (PsConnectionsView *view,
               guint              n_rows)
{
  GListModel *rows = G_LIST_MODEL (_ps_connections_view_get_rows (view));
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (10, on_wake_cb, NULL);

  while (g_list_model_get_n_items (rows) != n_rows && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  return g_list_model_get_n_items (rows) == n_rows;
}

/* the table tells about counters a little later, and the view re-sorts a little later */
static gboolean
wait_for_first_row (PsConnectionsView *view,
                    const char        *address)
{
  GListModel *rows = G_LIST_MODEL (_ps_connections_view_get_rows (view));
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (10, on_wake_cb, NULL);
  gboolean found = FALSE;

  while (!found && g_get_monotonic_time () < end)
    {
      g_autoptr(PsPeer) first = NULL;

      g_main_context_iteration (NULL, TRUE);
      first = g_list_model_get_item (rows, 0);
      found = first != NULL && g_strcmp0 (ps_peer_get_address_string (first), address) == 0;
    }
  g_source_remove (wake);

  return found;
}

static gboolean
on_tick_cb (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

/* lets the styles and the layout settle */
static void
wait_frames (GtkWidget *widget,
             guint      n)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, on_tick_cb, &frames, NULL);

  while (frames < n)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_remove_tick_callback (widget, id);
}

static PsPeer *
row_peer (PsConnectionsView *view,
          guint              position)
{
  GListModel *rows = G_LIST_MODEL (_ps_connections_view_get_rows (view));
  PsPeer *peer = g_list_model_get_item (rows, position);

  g_assert_nonnull (peer);
  g_object_unref (peer);          /* the table keeps it */
  return peer;
}

static guint64
traffic (PsPeer *peer)
{
  return ps_peer_get_bytes_out (peer) + ps_peer_get_bytes_in (peer);
}

static GtkWidget *
find_first (GtkWidget *widget,
            GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_first (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static guint
count_lines (GBytes *bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  guint n = 0;

  for (gsize i = 0; i + 1 < size; i++)
    n += data[i] == '\r' && data[i + 1] == '\n';
  return n;
}

static void
load_style (void)
{
  static GtkCssProvider *provider;

  /* what AdwApplication loads for the app */
  if (provider != NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/peerscope/Peerscope/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* ---- tests ----------------------------------------------------------------------------- */

static void
test_format (void)
{
  gint64 now = 1700000000000;
  g_autofree char *cn = ps_connections_columns_flag ("CN");
  g_autofree char *se = ps_connections_columns_flag ("se");
  g_autofree char *date = NULL;
  struct {
    gint64      ago_s;
    const char *text;
  } times[] = {
    { 0, "Just now" }, { 59, "Just now" }, { -30, "Just now" }, { 60, "1 min ago" },
    { 125, "2 min ago" }, { 3599, "59 min ago" }, { 3600, "1 hour ago" },
    { 3 * 3600 + 5, "3 hours ago" }, { 86400, "1 day ago" }, { 2 * 86400 + 7, "2 days ago" },
  };

  g_assert_cmpstr (cn, ==, "\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3");     /* U+1F1E8 U+1F1F3 */
  g_assert_cmpstr (se, ==, "\xF0\x9F\x87\xB8\xF0\x9F\x87\xAA");
  g_assert_null (ps_connections_columns_flag (NULL));
  g_assert_null (ps_connections_columns_flag ("C"));
  g_assert_null (ps_connections_columns_flag ("CHN"));
  g_assert_null (ps_connections_columns_flag ("1A"));

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *text = ps_connections_columns_relative_time (now - times[i].ago_s * 1000,
                                                                    now);

      g_assert_cmpstr (text, ==, times[i].text);
    }

  /* a month or more: a date */
  date = ps_connections_columns_relative_time (now - (gint64) 40 * 86400 * 1000, now);
  g_assert_nonnull (strstr (date, "2023"));
  g_assert_cmpstr (ps_connections_columns_relative_time (0, now), ==, "—");
}

static void
test_empty (void)
{
  g_autoptr(PsPeerTable) table = new_table ();
  PsConnectionsView *view = g_object_ref_sink (ps_connections_view_new ());

  /* no model and an empty model: where traffic comes from, not "no match" */
  g_assert_cmpstr (_ps_connections_view_get_state (view), ==, "empty");
  ps_connections_view_set_peers (view, ps_peer_table_get_device_peers (table, DEVICE));
  g_assert_cmpstr (_ps_connections_view_get_state (view), ==, "empty");
  g_assert_true (ps_connections_view_get_peers (view) ==
                 ps_peer_table_get_device_peers (table, DEVICE));

  /* the first record turns it into a list, live */
  add_host (table, &hosts[0]);
  g_assert_cmpstr (_ps_connections_view_get_state (view), ==, "list");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (_ps_connections_view_get_rows (view))),
                    ==, 1);
  _ps_connections_view_flush (view);
  g_assert_cmpstr (_ps_connections_view_get_summary (view), ==,
                   "Talks to 1 host in 1 country, 1 P2P server");

  ps_connections_view_set_peers (view, NULL);
  g_assert_cmpstr (_ps_connections_view_get_state (view), ==, "empty");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (_ps_connections_view_get_rows (view))),
                    ==, 0);

  g_object_unref (view);
}

static void
test_peers (void)
{
  g_autoptr(PsPeerTable) table = new_table ();
  GtkWidget *window = gtk_window_new ();
  PsConnectionsView *view = ps_connections_view_new ();
  GListModel *rows = G_LIST_MODEL (_ps_connections_view_get_rows (view));
  GtkColumnView *column_view;
  GtkSearchEntry *search;
  GtkDropDown *classes;
  GtkWidget *map;
  PsPeer *peer;
  PsFlowRecord record;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *text;
  double x, y;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));

  fill_table (table);
  ps_connections_view_set_peers (view, ps_peer_table_get_device_peers (table, DEVICE));
  wait_frames (GTK_WIDGET (view), 2);

  column_view = GTK_COLUMN_VIEW (find_first (GTK_WIDGET (view), GTK_TYPE_COLUMN_VIEW));
  search = GTK_SEARCH_ENTRY (find_first (GTK_WIDGET (view), GTK_TYPE_SEARCH_ENTRY));
  classes = GTK_DROP_DOWN (find_first (GTK_WIDGET (view), GTK_TYPE_DROP_DOWN));
  map = find_first (GTK_WIDGET (view), PS_TYPE_WORLD_MAP);
  g_assert_nonnull (column_view);
  g_assert_nonnull (search);
  g_assert_nonnull (classes);
  g_assert_nonnull (map);

  /* rows and summary */
  g_assert_cmpstr (_ps_connections_view_get_state (view), ==, "list");
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, N_HOSTS);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_column_view_get_columns (column_view)), ==, 9);
  g_assert_cmpstr (_ps_connections_view_get_summary (view), ==,
                   "Talks to 15 hosts in 12 countries, 10 P2P servers");
  gtk_test_accessible_assert_property (column_view, GTK_ACCESSIBLE_PROPERTY_LABEL, "Connections");

  /* the classes the classifier gave */
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    g_test_message ("%s:%u %s", ps_peer_get_address_string (row_peer (view, i)),
                    ps_peer_get_port (row_peer (view, i)),
                    ps_peer_kind_to_string (ps_peer_get_kind (row_peer (view, i))));

  /* the map: a point per peer with a place, from GeoIP or the country's centre */
  g_assert_cmpuint (_ps_connections_view_get_n_map_points (view), ==, N_PLACED);

  /* by default the most traffic first: the viewer, then the vendor cloud */
  g_assert_cmpstr (ps_peer_get_address_string (row_peer (view, 0)), ==, "10.99.1.100");
  g_assert_true (ps_peer_get_inbound (row_peer (view, 0)));
  g_assert_cmpstr (ps_peer_get_address_string (row_peer (view, 1)), ==, "192.0.2.10");
  for (guint i = 1; i < g_list_model_get_n_items (rows); i++)
    g_assert_cmpuint (traffic (row_peer (view, i - 1)), >=, traffic (row_peer (view, i)));

  /* by a column, either way */
  gtk_column_view_sort_by_column (column_view, _ps_connections_view_get_column (view, "received"),
                                  GTK_SORT_ASCENDING);
  for (guint i = 1; i < g_list_model_get_n_items (rows); i++)
    g_assert_cmpuint (ps_peer_get_bytes_in (row_peer (view, i - 1)), <=,
                      ps_peer_get_bytes_in (row_peer (view, i)));
  g_assert_cmpuint (ps_peer_get_bytes_in (row_peer (view, 0)), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (view), "connections.sort-by", "s", "sent");
  for (guint i = 1; i < g_list_model_get_n_items (rows); i++)
    g_assert_cmpuint (ps_peer_get_bytes_out (row_peer (view, i - 1)), >=,
                      ps_peer_get_bytes_out (row_peer (view, i)));
  gtk_widget_activate_action (GTK_WIDGET (view), "connections.sort-by", "s", "class");
  g_assert_cmpint (ps_peer_get_kind (row_peer (view, 0)), ==, PS_PEER_KIND_P2P_SUPERNODE);
  g_assert_cmpint (ps_peer_get_kind (row_peer (view, N_P2P)), ==, PS_PEER_KIND_VENDOR_CLOUD);
  gtk_widget_activate_action (GTK_WIDGET (view), "connections.sort-by", "s", "country");
  g_assert_cmpstr (ps_peer_get_country_name (row_peer (view, N_HOSTS - 1)), ==, "United States");
  gtk_widget_activate_action (GTK_WIDGET (view), "connections.sort-by", "s", "blocked");
  g_assert_cmpuint (ps_peer_get_blocked_attempts (row_peer (view, 0)), ==, 14);
  gtk_widget_activate_action (GTK_WIDGET (view), "connections.sort-by", "s", "traffic");
  g_assert_cmpstr (ps_peer_get_address_string (row_peer (view, 0)), ==, "10.99.1.100");

  /* the search: country, network, host name, class; every word must match */
  gtk_editable_set_text (GTK_EDITABLE (search), "china");
  g_assert_true (wait_for_rows (view, 2));
  gtk_editable_set_text (GTK_EDITABLE (search), "AS64513");
  g_assert_true (wait_for_rows (view, 1));
  g_assert_cmpstr (ps_peer_get_address_string (row_peer (view, 0)), ==, "192.0.2.10");
  gtk_editable_set_text (GTK_EDITABLE (search), "KALAY");
  g_assert_true (wait_for_rows (view, 1));
  gtk_editable_set_text (GTK_EDITABLE (search), "p2p server");
  g_assert_true (wait_for_rows (view, N_P2P));
  gtk_editable_set_text (GTK_EDITABLE (search), "198.51.100.1");
  g_assert_true (wait_for_rows (view, 7));
  gtk_editable_set_text (GTK_EDITABLE (search), "no such host");
  g_assert_true (wait_for_rows (view, 0));
  _ps_connections_view_flush (view);
  g_assert_cmpstr (_ps_connections_view_get_state (view), ==, "no-match");
  g_assert_cmpuint (_ps_connections_view_get_n_map_points (view), ==, 0);
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  g_assert_true (wait_for_rows (view, N_HOSTS));
  _ps_connections_view_flush (view);
  g_assert_cmpstr (_ps_connections_view_get_state (view), ==, "list");

  /* the class filter: P2P servers, then whatever phones home */
  gtk_drop_down_set_selected (classes, 2);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, N_P2P);
  for (guint i = 0; i < N_P2P; i++)
    g_assert_cmpint (ps_peer_get_kind (row_peer (view, i)), ==, PS_PEER_KIND_P2P_SUPERNODE);
  _ps_connections_view_flush (view);
  g_assert_cmpuint (_ps_connections_view_get_n_map_points (view), ==, N_P2P);

  /* what the export writes is what is shown */
  csv = _ps_connections_view_build_export (view, PS_CONNECTIONS_EXPORT_CSV);
  g_assert_cmpuint (count_lines (csv), ==, N_P2P + 1);
  g_clear_pointer (&csv, g_bytes_unref);

  gtk_drop_down_set_selected (classes, 1);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, N_P2P + 4);
  gtk_drop_down_set_selected (classes, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, N_HOSTS);

  /* a click on China's point selects its heaviest peer and scrolls to it */
  _ps_connections_view_flush (view);
  wait_frames (map, 2);
  g_assert_true (_ps_world_map_project (PS_WORLD_MAP (map), 22.54, 114.06, &x, &y));
  text = _ps_world_map_get_id_at (PS_WORLD_MAP (map), x, y);
  g_assert_nonnull (text);
  id = g_strdup (text);
  g_signal_emit_by_name (map, "point-activated", id);
  peer = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (rows));
  g_assert_nonnull (peer);
  g_assert_cmpstr (ps_peer_get_country (peer), ==, "CN");
  g_clear_pointer (&id, g_free);
  id = _ps_connections_view_dup_point_id (ps_peer_table_lookup (table, DEVICE, "198.51.100.97",
                                                                10001, 17));
  g_signal_emit_by_name (map, "point-activated", id);
  peer = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (rows));
  g_assert_cmpstr (ps_peer_get_address_string (peer), ==, "198.51.100.97");

  /* live: a new peer is a new row at once, the summary follows */
  record = make_record (17, DEVICE_ADDRESS, 40100, "198.51.100.82", 32100, 900, 600, 1, 0);
  ps_peer_table_add_records (table, &record, 1);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, N_HOSTS + 1);
  _ps_peer_set_geo (ps_peer_table_lookup (table, DEVICE, "198.51.100.82", 32100, 17),
                    "KR", "South Korea", 64505, "Example Broadband Seoul", FALSE, 0, 0);
  _ps_connections_view_flush (view);
  g_assert_cmpstr (_ps_connections_view_get_summary (view), ==,
                   "Talks to 16 hosts in 12 countries, 11 P2P servers");
  g_assert_cmpuint (_ps_connections_view_get_n_map_points (view), ==, N_PLACED + 1);

  /* and more traffic moves a row up */
  record = make_record (6, DEVICE_ADDRESS, 40200, "198.51.100.200", 8443, 2000000000, 0, 1, 0);
  record.new_flow = FALSE;
  ps_peer_table_add_records (table, &record, 1);
  g_assert_true (wait_for_first_row (view, "198.51.100.200"));
  /* the selection stays with its peer when rows move */
  peer = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (rows));
  g_assert_nonnull (peer);
  g_assert_cmpstr (ps_peer_get_address_string (peer), ==, "198.51.100.97");

  /* the export, in the order shown */
  csv = _ps_connections_view_build_export (view, PS_CONNECTIONS_EXPORT_CSV);
  g_assert_cmpuint (count_lines (csv), ==, N_HOSTS + 2);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (csv, NULL), "device,device_address,address,"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv),
                                  "\r\ncam1,10.99.1.11,198.51.100.200,8443,tcp,,,,,,,,unknown,"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv),
                                  ",Exemplo Internet São Paulo,"));
  json = _ps_connections_view_build_export (view, PS_CONNECTIONS_EXPORT_JSON);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (json, NULL),
                                             g_bytes_get_size (json), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))),
                    ==, N_HOSTS + 1);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (
                       json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0),
                       "peer"),
                     "address"), ==, "198.51.100.200");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_keyboard (void)
{
  g_autoptr(PsPeerTable) table = new_table ();
  GtkWidget *window = gtk_window_new ();
  PsConnectionsView *view = ps_connections_view_new ();
  GtkWidget *wanted[5];
  gboolean reached[5] = { FALSE };
  GtkWidget *focus;
  gboolean has_ctrl_f = FALSE;
  g_autoptr(GListModel) controllers = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  fill_table (table);
  ps_connections_view_set_peers (view, ps_peer_table_get_device_peers (table, DEVICE));
  wait_frames (GTK_WIDGET (view), 2);

  wanted[0] = find_first (GTK_WIDGET (view), GTK_TYPE_SEARCH_ENTRY);
  wanted[1] = find_first (GTK_WIDGET (view), GTK_TYPE_DROP_DOWN);
  wanted[2] = find_first (GTK_WIDGET (view), GTK_TYPE_MENU_BUTTON);
  wanted[3] = find_first (GTK_WIDGET (view), PS_TYPE_WORLD_MAP);
  wanted[4] = find_first (GTK_WIDGET (view), GTK_TYPE_COLUMN_VIEW);

  /* Tab reaches each of them */
  for (guint i = 0; i < 40; i++)
    {
      if (!gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD))
        continue;
      focus = gtk_root_get_focus (GTK_ROOT (window));
      for (guint j = 0; j < G_N_ELEMENTS (wanted); j++)
        reached[j] |= focus != NULL && (focus == wanted[j] || gtk_widget_is_ancestor (focus, wanted[j]));
    }
  for (guint j = 0; j < G_N_ELEMENTS (wanted); j++)
    {
      g_test_message ("%s reached: %d", G_OBJECT_TYPE_NAME (wanted[j]), reached[j]);
      g_assert_true (reached[j]);
    }

  /* Ctrl+F is a shortcut of the view, and focuses the search */
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          has_ctrl_f |= g_str_equal (trigger, "<Control>f");
        }
    }
  g_assert_true (has_ctrl_f);

  gtk_widget_grab_focus (wanted[4]);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "connections.focus-search", NULL));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_true (focus == wanted[0] || gtk_widget_is_ancestor (focus, wanted[0]));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* "Export as CSV…" to a file, through the file chooser and the asynchronous write */
static void
test_export (void)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  g_test_skip ("the export goes through GtkFileDialog, which a test cannot answer");
#else
  g_autoptr(PsPeerTable) table = new_table ();
  GtkWidget *window = gtk_window_new ();
  PsConnectionsView *view = ps_connections_view_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-connections-view-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFile) chosen = NULL;
  g_autofree char *basename = NULL;
  g_autoptr(GBytes) expected = NULL;
  GObject *dialog;
  gint64 end;
  guint wake;

  g_assert_no_error (error);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));

  /* nothing to export, no export */
  ps_connections_view_set_peers (view, ps_peer_table_get_device_peers (table, DEVICE));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (view), "connections.export", "s", "csv")
                  && _ps_connections_view_get_export_dialog (view) != NULL);

  fill_table (table);
  g_assert_true (wait_for_first_row (view, "10.99.1.100"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "connections.export", "s", "csv"));
  dialog = _ps_connections_view_get_export_dialog (view);
  g_assert_true (GTK_IS_FILE_CHOOSER_NATIVE (dialog));
  g_assert_true (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)) == GTK_FILE_CHOOSER_ACTION_SAVE);

  /* the user goes to a folder, keeps the suggested name and presses Export (the chooser
   * loads the folder before it takes a file) */
  spin (300);
  folder = g_file_new_for_path (dir);
  chosen = g_file_get_child (folder, "connections.csv");
  g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), chosen, &error));
  g_assert_no_error (error);
  spin (300);
  g_clear_object (&chosen);
  chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_assert_nonnull (chosen);
  g_assert_true (g_file_has_parent (chosen, folder));
  basename = g_file_get_basename (chosen);
  g_assert_true (g_str_has_prefix (basename, "connections-"));
  g_assert_true (g_str_has_suffix (basename, ".csv"));
  path = g_file_get_path (chosen);
  g_signal_emit_by_name (dialog, "response", GTK_RESPONSE_ACCEPT);
  g_assert_null (_ps_connections_view_get_export_dialog (view));

  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  wake = g_timeout_add (10, on_wake_cb, NULL);
  while (!g_file_test (path, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  /* and the toast that says so */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  expected = _ps_connections_view_build_export (view, PS_CONNECTIONS_EXPORT_CSV);
  g_assert_cmpstr (contents, ==, g_bytes_get_data (expected, NULL));
  g_assert_true (g_str_has_prefix (contents, "device,"));
  g_assert_cmpuint (count_lines (expected), ==, N_HOSTS + 1);

  /* cancelling writes nothing */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "connections.export", "s", "json"));
  dialog = _ps_connections_view_get_export_dialog (view);
  g_assert_nonnull (dialog);
  spin (300);
  g_signal_emit_by_name (dialog, "response", GTK_RESPONSE_CANCEL);
  g_assert_null (_ps_connections_view_get_export_dialog (view));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
#endif
}

static GdkTexture *
render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static void
save_render (GtkWidget  *window,
             const char *name)
{
  const char *dir = g_getenv ("PS_CONNECTIONS_VIEW_SCREENSHOT_DIR");
  g_autoptr(GdkTexture) texture = NULL;

  /* the page transition is over */
  wait_frames (window, 30);
  texture = render (window);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 1000);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 700);

  if (dir != NULL)
    {
      g_autofree char *basename = g_strdup_printf ("%s.png", name);
      g_autofree char *path = g_build_filename (dir, basename, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("saved %s", path);
    }
}

static void
test_render (void)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autoptr(PsPeerTable) table = new_table ();
  GtkWidget *window = gtk_window_new ();
  PsConnectionsView *view = ps_connections_view_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_set_resizable (GTK_WINDOW (window), FALSE);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));

  /* the empty state first */
  ps_connections_view_set_peers (view, ps_peer_table_get_device_peers (table, DEVICE));
  save_render (window, "connections-view-empty");

  fill_table (table);
  /* the table's counters, then the view's re-sort */
  g_assert_true (wait_for_first_row (view, "10.99.1.100"));

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  save_render (window, "connections-view");
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  save_render (window, "connections-view-dark");

  /* a search that finds nothing says so, and keeps the search in reach */
  gtk_editable_set_text (GTK_EDITABLE (find_first (GTK_WIDGET (view), GTK_TYPE_SEARCH_ENTRY)),
                         "no such host");
  g_assert_true (wait_for_rows (view, 0));
  _ps_connections_view_flush (view);
  save_render (window, "connections-view-no-match");
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  load_style ();

  g_test_add_func ("/connections-view/format", test_format);
  g_test_add_func ("/connections-view/empty", test_empty);
  g_test_add_func ("/connections-view/peers", test_peers);
  g_test_add_func ("/connections-view/keyboard", test_keyboard);
  g_test_add_func ("/connections-view/export", test_export);
  g_test_add_func ("/connections-view/render", test_render);

  return g_test_run ();
}
