/* test-home-overview.c: the home at a glance, from a real peer table fed with flow records,
 * a real policy and its real change log, at an injected time
 *
 * Three cameras: "porch" reaches a CS2 P2P server (for days) and, since two hours, a cloud
 * host; "garden" reaches the same P2P server, a Kalay server and a new host; "garage" talks
 * only to the LAN and is reached from the internet (inbound).  The firewall is a stand-in.
 * With PS_HOME_OVERVIEW_SCREENSHOT_DIR set, /home-overview/widget saves the overview, in the
 * light and the dark style, as home-overview{,-dark}.png there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <glib/gstdio.h>

#include "ps-home-overview-private.h"
#include "ps-home-summary.h"
#include "ps-peer-private.h"
#include "ps-peer-table.h"
#include "ps-policy-compiler.h"
#include "ps-policy-database.h"
#include "ps-policy-store.h"

#define HOUR_MS (60 * 60 * (gint64) 1000)
#define DAY_MS  (24 * HOUR_MS)
/* 2024-05-01 12:00 UTC: the tests' "now" */
#define NOW_MS  ((gint64) 1714564800000)

static const char * const cameras[] = { "porch", "garden", "garage", NULL };

/* ---- the stand-in firewall ------------------------------------------------------------- */

static GMutex fake_lock;
static char *fake_live;

static void
fake_set_live (const char *digest)
{
  g_mutex_lock (&fake_lock);
  g_free (fake_live);
  fake_live = g_strdup (digest);
  g_mutex_unlock (&fake_lock);
}

/* runs on a worker thread */
static char *
fake_dup_live_digest (GError **error)
{
  char *live;

  g_mutex_lock (&fake_lock);
  live = g_strdup (fake_live);
  g_mutex_unlock (&fake_lock);

  return live;
}

static gboolean
fake_apply (PsPolicy  *policy,
            gboolean  *changed,
            GError   **error)
{
  g_assert_not_reached ();
}

static GStrv
fake_resolve (const char    *name,
              GCancellable  *cancellable,
              GError       **error)
{
  g_assert_not_reached ();
}

/* not root: the gateway helper answers, without a bus */
static void
fake_helper_get_state (GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_return_pointer (task, fake_dup_live_digest (NULL), g_free);
}

static gboolean
fake_helper_get_state_finish (GAsyncResult  *result,
                              char         **live_digest,
                              GError       **error)
{
  *live_digest = g_task_propagate_pointer (G_TASK (result), error);

  return TRUE;
}

/* ---- helpers --------------------------------------------------------------------------- */

static gboolean
on_wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
is_idle (PsHomeOverview *overview)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (10, on_wake_cb, NULL);

  /* a check starts once the overview is on screen */
  while ((!gtk_widget_get_mapped (GTK_WIDGET (overview)) || _ps_home_overview_is_busy (overview))
         && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  return !_ps_home_overview_is_busy (overview);
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
  g_assert_true (ps_peer_table_add_device (table, "porch", "10.99.1.11", NULL, &error));
  g_assert_true (ps_peer_table_add_device (table, "garden", "10.99.1.12", NULL, &error));
  g_assert_true (ps_peer_table_add_device (table, "garage", "10.99.1.13", NULL, &error));
  /* not a camera of the grid: never counted */
  g_assert_true (ps_peer_table_add_device (table, "printer", "10.99.1.40", NULL, &error));
  g_assert_no_error (error);

  return table;
}

/* one flow from SRC to DST:PORT (PROTOCOL), seen first at FIRST_MS; COUNTRY as GeoIP would
 * say it (NULL: unknown) */
static PsPeer *
add_flow (PsPeerTable *table,
          const char  *device,
          const char  *src,
          const char  *dst,
          guint16      port,
          guint8       protocol,
          gint64       first_ms,
          const char  *country)
{
  PsFlowRecord record;
  gboolean outbound = g_str_has_prefix (src, "10.99.1.");
  PsPeer *peer;

  ps_flow_record_init (&record, PS_FLOW_ORIGIN_CONNTRACK);
  record.ip_protocol = protocol;
  g_assert_true (ps_ip_address_parse (&record.src, src));
  g_assert_true (ps_ip_address_parse (&record.dst, dst));
  record.src_port = 40000;
  record.dst_port = port;
  record.packets = 3;
  record.bytes = 144;
  record.new_flow = TRUE;
  record.first_ms = first_ms;
  record.last_ms = first_ms + 60000;
  ps_peer_table_add_records (table, &record, 1);

  peer = ps_peer_table_lookup (table, device, outbound ? dst : src, port, protocol);
  g_assert_nonnull (peer);
  if (country != NULL)
    _ps_peer_set_geo (peer, country, country, 64500, "Example Net", FALSE, 0, 0);

  return peer;
}

/* The home as the file's comment tells it. */
static void
feed (PsPeerTable *table)
{
  PsPeer *peer;

  /* porch: a CS2 server for three days, classed by its port; a cloud host since 2 h */
  peer = add_flow (table, "porch", "10.99.1.11", "198.51.100.11", 32100, 17,
                   NOW_MS - 3 * DAY_MS, "CN");
  g_assert_cmpint (ps_peer_get_kind (peer), ==, PS_PEER_KIND_P2P_SUPERNODE);
  add_flow (table, "porch", "10.99.1.11", "203.0.113.7", 443, 6, NOW_MS - 2 * HOUR_MS, "US");

  /* garden: the same CS2 server (old news for the home), a Kalay server and a host of a new
   * country, and the LAN's DNS server */
  add_flow (table, "garden", "10.99.1.12", "198.51.100.11", 32100, 17, NOW_MS - HOUR_MS, "CN");
  peer = add_flow (table, "garden", "10.99.1.12", "198.51.100.20", 10001, 17,
                   NOW_MS - 30 * 60000, "DE");
  g_assert_cmpint (ps_peer_get_kind (peer), ==, PS_PEER_KIND_P2P_SUPERNODE);
  add_flow (table, "garden", "10.99.1.12", "192.0.2.50", 8000, 6, NOW_MS - 10 * 60000, "DE");
  add_flow (table, "garden", "10.99.1.12", "10.99.1.1", 53, 17, NOW_MS - 5 * DAY_MS, NULL);

  /* garage: the LAN only, and a host of the internet that connects to it */
  add_flow (table, "garage", "10.99.1.13", "10.99.1.1", 123, 17, NOW_MS - 5 * DAY_MS, NULL);
  peer = add_flow (table, "garage", "203.0.113.99", "10.99.1.13", 554, 6, NOW_MS - HOUR_MS,
                   "US");
  g_assert_true (ps_peer_get_inbound (peer));

  /* the printer phones home too, but it is no camera */
  add_flow (table, "printer", "10.99.1.40", "203.0.113.200", 443, 6, NOW_MS - HOUR_MS, "FR");
}

static PsPolicy *
new_policy (void)
{
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  g_autoptr(GError) error = NULL;
  const char *porch[] = { "10.99.1.11", NULL };
  const char *garage[] = { "10.99.1.13", NULL };

  g_assert_true (ps_policy_set_device (policy, "porch", NULL, porch, PS_INTENT_BLOCK_VENDOR_P2P,
                                       NULL, &error));
  g_assert_true (ps_policy_set_device (policy, "garage", NULL, garage, PS_INTENT_LOCAL_ONLY,
                                       NULL, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&policy);
}

/* ---- the counts ------------------------------------------------------------------------ */

static void
test_summary (void)
{
  g_autoptr(PsPeerTable) table = new_table ();
  g_autoptr(PsPolicy) policy = new_policy ();
  PsHomeSummary summary;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  /* nothing seen yet */
  ps_home_summary_compute (&summary, cameras, ps_peer_table_get_peers (table), policy,
                           NOW_MS - DAY_MS);
  g_assert_cmpuint (summary.cameras, ==, 3);
  g_assert_cmpuint (summary.phoning_home, ==, 0);
  g_assert_false (summary.has_peers);
  g_assert_cmpuint (summary.blocked, ==, 2);
  g_assert_null (summary.phoning_camera);
  ps_home_summary_format_phoning (&summary, &title, &subtitle);
  g_assert_cmpstr (title, ==, "No camera phones home");
  g_assert_cmpstr (subtitle, ==, "Peerscope has seen no traffic of your cameras yet");
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&subtitle, g_free);

  feed (table);
  ps_home_summary_compute (&summary, cameras, ps_peer_table_get_peers (table), policy,
                           NOW_MS - DAY_MS);
  g_assert_true (summary.has_peers);
  /* porch and garden; garage's internet host came in, it did not call out */
  g_assert_cmpuint (summary.phoning_home, ==, 2);
  g_assert_cmpuint (summary.hosts, ==, 4);
  g_assert_cmpuint (summary.countries, ==, 3);
  g_assert_cmpuint (summary.p2p_servers, ==, 2);
  /* porch blocks vendor P2P, garage is local-only; garden is open and phones home */
  g_assert_cmpuint (summary.blocked, ==, 2);
  g_assert_cmpuint (summary.open_phoning, ==, 1);
  /* since yesterday: the cloud host, the Kalay server and garden's new host; the US and
   * Germany; the Kalay server (the CS2 one is three days old for the home) */
  g_assert_cmpuint (summary.new_hosts, ==, 3);
  g_assert_cmpuint (summary.new_countries, ==, 2);
  g_assert_cmpuint (summary.new_p2p_servers, ==, 1);
  g_assert_cmpstr (summary.phoning_camera, ==, "porch");
  g_assert_cmpstr (summary.blocked_camera, ==, "garden");
  g_assert_cmpstr (summary.news_camera, ==, "garden");

  ps_home_summary_format_phoning (&summary, &title, &subtitle);
  g_assert_cmpstr (title, ==, "2 of 3 cameras phone home");
  g_assert_cmpstr (subtitle, ==, "They reach 4 hosts in 3 countries, 2 of them P2P servers");
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&subtitle, g_free);

  ps_home_summary_format_blocked (&summary, PS_HOME_ENFORCEMENT_OUTDATED, &title, &subtitle);
  g_assert_cmpstr (title, ==, "2 of 3 cameras are blocked");
  g_assert_cmpstr (subtitle, ==, "The firewall still has earlier rules: apply these in a "
                                 "camera’s Privacy view");
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&subtitle, g_free);

  ps_home_summary_format_news (&summary, 1, &title, &subtitle);
  g_assert_cmpstr (title, ==, "3 new hosts since yesterday");
  g_assert_cmpstr (subtitle, ==, "2 new countries, 1 new P2P server, 1 rule change");
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&subtitle, g_free);

  /* two days on, nothing is new any more */
  ps_home_summary_compute (&summary, cameras, ps_peer_table_get_peers (table), policy,
                           NOW_MS + DAY_MS);
  g_assert_cmpuint (summary.new_hosts, ==, 0);
  g_assert_cmpuint (summary.new_countries, ==, 0);
  g_assert_cmpuint (summary.new_p2p_servers, ==, 0);
  g_assert_null (summary.news_camera);
  ps_home_summary_format_news (&summary, 0, &title, &subtitle);
  g_assert_cmpstr (title, ==, "No new hosts since yesterday");
  g_assert_cmpstr (subtitle, ==, "No new countries or P2P servers, and no rule changes");
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&subtitle, g_free);

  /* no policy: nobody is blocked; the first that phones home is the one to see to */
  ps_home_summary_compute (&summary, cameras, ps_peer_table_get_peers (table), NULL,
                           NOW_MS - DAY_MS);
  g_assert_cmpuint (summary.blocked, ==, 0);
  g_assert_cmpuint (summary.open_phoning, ==, 2);
  g_assert_cmpstr (summary.blocked_camera, ==, "porch");
  ps_home_summary_format_blocked (&summary, PS_HOME_ENFORCEMENT_UNKNOWN, &title, &subtitle);
  g_assert_cmpstr (title, ==, "No camera is blocked");
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&subtitle, g_free);

  /* one camera: "your camera" */
  {
    const char * const one[] = { "garden", NULL };

    ps_home_summary_compute (&summary, one, ps_peer_table_get_peers (table), policy,
                             NOW_MS - DAY_MS);
    g_assert_cmpuint (summary.phoning_home, ==, 1);
    g_assert_cmpuint (summary.hosts, ==, 3);
    /* new for the home of one: the CS2 server too (garden saw it first an hour ago) */
    g_assert_cmpuint (summary.new_hosts, ==, 3);
    g_assert_cmpuint (summary.new_p2p_servers, ==, 2);
    ps_home_summary_format_phoning (&summary, &title, &subtitle);
    g_assert_cmpstr (title, ==, "Your camera phones home");
    g_assert_cmpstr (subtitle, ==, "It reaches 3 hosts in 2 countries, 2 of them P2P servers");
  }
}

/* ---- the widget ------------------------------------------------------------------------ */

static gboolean
on_tick_cb (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

static void
save_render (GtkWidget  *window,
             const char *name)
{
  const char *dir = g_getenv ("PS_HOME_OVERVIEW_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  guint frames = 0;
  guint id;
  int width, height;

  if (dir == NULL)
    return;

  id = gtk_widget_add_tick_callback (window, on_tick_cb, &frames, NULL);
  while (frames < 30)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_remove_tick_callback (window, id);

  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  basename = g_strdup_printf ("%s.png", name);
  path = g_build_filename (dir, basename, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

typedef struct
{
  char *device;
  char *view;
} Opened;

static void
on_open_camera_cb (PsHomeOverview *overview,
                   const char     *device,
                   const char     *view,
                   Opened         *opened)
{
  g_free (opened->device);
  g_free (opened->view);
  opened->device = g_strdup (device);
  opened->view = g_strdup (view);
}

static const char *
row_title (PsHomeOverview     *overview,
           PsHomeOverviewLine  line)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (_ps_home_overview_get_row (overview,
                                                                                        line)));
}

static const char *
row_subtitle (PsHomeOverview     *overview,
              PsHomeOverviewLine  line)
{
  return adw_action_row_get_subtitle (_ps_home_overview_get_row (overview, line));
}

static void
test_widget (void)
{
  g_autoptr(PsPeerTable) table = new_table ();
  g_autoptr(PsPolicy) policy = new_policy ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *digest = NULL;
  GtkWidget *window = gtk_window_new ();
  PsHomeOverview *overview = ps_home_overview_new ();
  PsEnforcementBackend root = { TRUE, TRUE, fake_dup_live_digest, fake_apply, fake_resolve };
  PsEnforcementBackend helper = {
    FALSE, TRUE, fake_dup_live_digest, fake_apply, fake_resolve,
    fake_helper_get_state, fake_helper_get_state_finish,
  };
  const char *garden[] = { "10.99.1.12", NULL };
  Opened opened = { NULL, NULL };
  AdwActionRow *row;

  /* the log: porch's rule three days ago, garage's an hour ago */
  dir = g_dir_make_tmp ("peerscope-home-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "policy.db", NULL);
  {
    g_autoptr(PsPolicy) before = ps_policy_copy (policy);

    g_assert_true (ps_policy_remove_device (before, "garage"));
    g_assert_true (ps_policy_database_save (before, path, (NOW_MS - 3 * DAY_MS) * 1000, &error));
    g_assert_true (ps_policy_database_save (policy, path, (NOW_MS - HOUR_MS) * 1000, &error));
    g_assert_no_error (error);
  }
  changes = ps_policy_store_dup_changes (path, (NOW_MS - DAY_MS) * 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 1);

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 260);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_widget_set_valign (GTK_WIDGET (overview), GTK_ALIGN_START);
  gtk_widget_set_margin_top (GTK_WIDGET (overview), 12);
  gtk_widget_set_margin_start (GTK_WIDGET (overview), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (overview), 12);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (overview));
  g_signal_connect (overview, "open-camera", G_CALLBACK (on_open_camera_cb), &opened);

  /* the firewall holds this very policy */
  digest = ps_policy_digest (policy);
  fake_set_live (digest);
  _ps_home_overview_set_backend (overview, &root);
  _ps_home_overview_set_now (overview, NOW_MS);

  /* no camera: nothing to show */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (overview)));

  feed (table);
  ps_home_overview_set_peers (overview, ps_peer_table_get_peers (table));
  ps_home_overview_set_policy (overview, policy);
  ps_home_overview_set_policy_store (overview, path);
  ps_home_overview_set_cameras (overview, cameras);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overview)));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (is_idle (overview));

  g_assert_cmpstr (row_title (overview, PS_HOME_OVERVIEW_PHONING), ==,
                   "2 of 3 cameras phone home");
  g_assert_cmpstr (row_subtitle (overview, PS_HOME_OVERVIEW_PHONING), ==,
                   "They reach 4 hosts in 3 countries, 2 of them P2P servers");
  g_assert_cmpstr (row_title (overview, PS_HOME_OVERVIEW_BLOCKED), ==,
                   "2 of 3 cameras are blocked");
  g_assert_cmpint (_ps_home_overview_get_enforcement (overview), ==,
                   PS_HOME_ENFORCEMENT_ENFORCED);
  g_assert_cmpstr (row_subtitle (overview, PS_HOME_OVERVIEW_BLOCKED), ==,
                   "A firewall enforces the rules now");
  g_assert_cmpstr (row_title (overview, PS_HOME_OVERVIEW_NEWS), ==,
                   "3 new hosts since yesterday");
  g_assert_cmpstr (row_subtitle (overview, PS_HOME_OVERVIEW_NEWS), ==,
                   "2 new countries, 1 new P2P server, 1 rule change");

  /* a new host comes in a batch: the line waits for the batch, then counts it */
  add_flow (table, "porch", "10.99.1.11", "198.51.100.30", 32100, 17, NOW_MS - 60000, "JP");
  g_assert_cmpstr (row_title (overview, PS_HOME_OVERVIEW_NEWS), ==,
                   "3 new hosts since yesterday");
  _ps_home_overview_flush (overview);
  g_assert_cmpstr (row_title (overview, PS_HOME_OVERVIEW_NEWS), ==,
                   "4 new hosts since yesterday");
  g_assert_cmpstr (row_subtitle (overview, PS_HOME_OVERVIEW_NEWS), ==,
                   "3 new countries, 2 new P2P servers, 1 rule change");
  g_assert_cmpstr (row_subtitle (overview, PS_HOME_OVERVIEW_PHONING), ==,
                   "They reach 5 hosts in 4 countries, 3 of them P2P servers");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  save_render (window, "home-overview");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  save_render (window, "home-overview-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* each line leads to its camera, from the keyboard too */
  row = _ps_home_overview_get_row (overview, PS_HOME_OVERVIEW_PHONING);
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (row)));
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
  gtk_widget_activate (GTK_WIDGET (row));
  g_assert_cmpstr (opened.device, ==, "porch");
  g_assert_cmpstr (opened.view, ==, "connections");
  gtk_widget_activate (GTK_WIDGET (_ps_home_overview_get_row (overview,
                                                              PS_HOME_OVERVIEW_BLOCKED)));
  g_assert_cmpstr (opened.device, ==, "garden");
  g_assert_cmpstr (opened.view, ==, "privacy");
  gtk_widget_activate (GTK_WIDGET (_ps_home_overview_get_row (overview, PS_HOME_OVERVIEW_NEWS)));
  g_assert_cmpstr (opened.device, ==, "porch");
  g_assert_cmpstr (opened.view, ==, "connections");

  /* garden gets a rule: the firewall's is older now, and the log has one more change */
  g_assert_true (ps_policy_set_device (policy, "garden", NULL, garden, PS_INTENT_LOCAL_ONLY,
                                       NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ps_policy_database_save (policy, path, (NOW_MS - 60000) * 1000, &error));
  g_assert_no_error (error);
  ps_home_overview_policy_changed (overview);
  g_assert_true (is_idle (overview));
  g_assert_cmpstr (row_title (overview, PS_HOME_OVERVIEW_BLOCKED), ==,
                   "3 of 3 cameras are blocked");
  g_assert_cmpint (_ps_home_overview_get_enforcement (overview), ==,
                   PS_HOME_ENFORCEMENT_OUTDATED);
  g_assert_cmpstr (row_subtitle (overview, PS_HOME_OVERVIEW_NEWS), ==,
                   "3 new countries, 2 new P2P servers, 2 rule changes");

  /* through the gateway helper, which enforces nothing */
  fake_set_live (NULL);
  _ps_home_overview_set_backend (overview, &helper);
  g_assert_true (is_idle (overview));
  g_assert_cmpint (_ps_home_overview_get_enforcement (overview), ==,
                   PS_HOME_ENFORCEMENT_NOT_ENFORCED);
  g_assert_cmpstr (row_subtitle (overview, PS_HOME_OVERVIEW_BLOCKED), ==,
                   "Not enforced yet: apply the rules in a camera’s Privacy view");

  /* two days on */
  _ps_home_overview_set_now (overview, NOW_MS + 2 * DAY_MS);
  g_assert_true (is_idle (overview));
  g_assert_cmpstr (row_title (overview, PS_HOME_OVERVIEW_NEWS), ==,
                   "No new hosts since yesterday");
  g_assert_cmpstr (row_subtitle (overview, PS_HOME_OVERVIEW_NEWS), ==,
                   "No new countries or P2P servers, and no rule changes");
  g_assert_false (gtk_list_box_row_get_activatable (
    GTK_LIST_BOX_ROW (_ps_home_overview_get_row (overview, PS_HOME_OVERVIEW_NEWS))));

  /* the last camera goes */
  ps_home_overview_set_cameras (overview, NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (overview)));

  gtk_window_destroy (GTK_WINDOW (window));
  g_free (opened.device);
  g_free (opened.view);
  fake_set_live (NULL);

  g_assert_cmpint (g_unlink (path), ==, 0);
  {
    g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
    const char *name;

    /* WAL and shared memory files */
    while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_unlink (file);
      }
  }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/home-overview/summary", test_summary);
  g_test_add_func ("/home-overview/widget", test_widget);

  return g_test_run ();
}
