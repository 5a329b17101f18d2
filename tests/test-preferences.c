/* test-preferences.c: the Preferences window writes GSettings at once
 *
 * With PS_PREFERENCES_SCREENSHOT_DIR set, /preferences/render saves each
 * page, in the light and the dark style, as preferences-PAGE.png and
 * preferences-PAGE-dark.png there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ps-conntrack-source.h"
#include "ps-flow-collector.h"
#include "ps-p2p-account-page-private.h"
#include "ps-p2p-account.h"
#include "ps-preferences-window.h"

#define SCHEMA_ID "io.github.peerscope.Peerscope"

/* the default P2P account of every test: in memory, never the keyring */
static PsP2pAccount *memory_account;

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

static GSettings *
fresh_settings (void)
{
  GSettings *settings = g_settings_new (SCHEMA_ID);
  const char *keys[] = { "flow-sources", "geoip-databases", "p2p-rules", "history-days", "alerts",
                         "p2p-rendezvous-url", "p2p-ca-file", "p2p-stun-server",
                         "p2p-ice-policy", "p2p-local-addresses" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);

  return settings;
}

static gpointer
child (PsPreferencesWindow *window,
       const char          *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (window),
                                                   PS_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static char *
strv_join (GSettings  *settings,
           const char *key)
{
  g_auto(GStrv) strv = g_settings_get_strv (settings, key);

  return g_strjoinv (",", strv);
}

#define assert_strv(settings, key, expected) \
  G_STMT_START { \
    g_autofree char *_joined = strv_join (settings, key); \
    g_assert_cmpstr (_joined, ==, expected); \
  } G_STMT_END

/* the row with this title (mnemonics aside) under root */
static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;

  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_row (c, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_subtitle (GtkWidget  *root,
               const char *prefix)
{
  if (ADW_IS_ACTION_ROW (root) &&
      g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (root)) ?: "", prefix))
    return root;

  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_subtitle (c, prefix);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (from, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (to, contents, (gssize) length, &error));
  g_assert_no_error (error);
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_type (c, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* rows shown, empty states aside */
static guint
count_rows (GtkWidget *root)
{
  guint n = ADW_IS_ACTION_ROW (root) && gtk_widget_get_visible (root) &&
            g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)),
                       "geoip_empty_row") != 0;

  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    n += count_rows (c);

  return n;
}

static void
click_remove (GtkWidget *row)
{
  GtkWidget *button;

  g_assert_nonnull (row);
  button = find_type (row, GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "user-trash-symbolic");
  g_signal_emit_by_name (button, "clicked");
}

/* A UDP port nobody uses now; 2055 when it is free, for the screenshots. */
static guint16
free_udp_port (guint16 preferred)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, preferred);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  if (!g_socket_bind (socket, address, FALSE, NULL))
    {
      g_clear_object (&address);
      address = g_inet_socket_address_new (any, 0);
      g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
    }
  bound = g_socket_get_local_address (socket, NULL);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* ---- tests ----------------------------------------------------------------------------- */

static void
test_flow_sources (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  PsPreferencesWindow *window = ps_preferences_window_new (NULL, settings, NULL);
  GtkSwitch *collector = child (window, "collector_switch");
  GtkSwitch *gateway = child (window, "gateway_switch");
  AdwEntryRow *port = child (window, "port_row");
  AdwActionRow *collector_row = child (window, "collector_row");
  GtkWidget *port_error = child (window, "port_error_label");
  gboolean conntrack_usable = getuid () == 0 && ps_conntrack_source_is_supported ();

  g_assert_false (gtk_switch_get_active (collector));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (port)), ==, "2055");
  g_assert_true (g_str_has_suffix (adw_action_row_get_subtitle (collector_row), "UDP port 2055"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (port)));
  /* only where it can work */
  g_assert_true (gtk_widget_get_visible (child (window, "conntrack_row")) == conntrack_usable);

  /* the collector on and off */
  gtk_switch_set_active (collector, TRUE);
  assert_strv (settings, "flow-sources", "ipfix:2055");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (port)));
  gtk_switch_set_active (collector, FALSE);
  assert_strv (settings, "flow-sources", "");

  /* another port, applied */
  gtk_switch_set_active (collector, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (port), "2056");
  g_signal_emit_by_name (port, "apply");
  assert_strv (settings, "flow-sources", "ipfix:2056");
  g_assert_true (g_str_has_suffix (adw_action_row_get_subtitle (collector_row), "UDP port 2056"));

  /* a port that is not one changes nothing and says why */
  gtk_editable_set_text (GTK_EDITABLE (port), "70000");
  g_assert_true (gtk_widget_get_visible (port_error));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (port), "error"));
  g_signal_emit_by_name (port, "apply");
  assert_strv (settings, "flow-sources", "ipfix:2056");
  gtk_editable_set_text (GTK_EDITABLE (port), "2056");
  g_assert_false (gtk_widget_get_visible (port_error));

  /* the gateway joins, in its own place */
  gtk_switch_set_active (gateway, TRUE);
  assert_strv (settings, "flow-sources", "ipfix:2056,gateway");
  gtk_switch_set_active (collector, FALSE);
  assert_strv (settings, "flow-sources", "gateway");

  /* written elsewhere (an address the window does not offer): shown, and kept */
  g_settings_set_strv (settings, "flow-sources",
                       (const char * const[]) { "gateway", "ipfix:[::1]:3000", NULL });
  spin (20);
  g_assert_true (gtk_switch_get_active (collector));
  g_assert_true (gtk_switch_get_active (gateway));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (port)), ==, "3000");
  g_assert_true (g_str_has_suffix (adw_action_row_get_subtitle (collector_row),
                                   "to ::1, UDP port 3000"));
  gtk_editable_set_text (GTK_EDITABLE (port), "3001");
  g_signal_emit_by_name (port, "apply");
  assert_strv (settings, "flow-sources", "gateway,ipfix:[::1]:3001");

  gtk_switch_set_active (gateway, FALSE);
  assert_strv (settings, "flow-sources", "ipfix:[::1]:3001");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_rules (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  PsPreferencesWindow *window = ps_preferences_window_new (NULL, settings, NULL);
  AdwEntryRow *rule = child (window, "rule_row");
  GtkLabel *error = child (window, "rule_error_label");
  GtkWidget *group = child (window, "rules_group");

  g_assert_cmpuint (count_rows (group), ==, 0);

  gtk_editable_set_text (GTK_EDITABLE (rule), "udp/12345");
  g_signal_emit_by_name (rule, "apply");
  assert_strv (settings, "p2p-rules", "udp/12345");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rule)), ==, "");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error)));
  g_assert_nonnull (find_row (group, "udp/12345"));

  /* trimmed and in lower case */
  gtk_editable_set_text (GTK_EDITABLE (rule), "  *.Cloud.Vendor.Example ");
  g_signal_emit_by_name (rule, "apply");
  assert_strv (settings, "p2p-rules", "udp/12345,*.cloud.vendor.example");
  g_assert_nonnull (find_row (group, "*.cloud.vendor.example"));

  /* not a rule: nothing written, and the error under the row */
  gtk_editable_set_text (GTK_EDITABLE (rule), "udp/99999");
  g_signal_emit_by_name (rule, "apply");
  assert_strv (settings, "p2p-rules", "udp/12345,*.cloud.vendor.example");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error)));
  g_assert_true (strstr (gtk_label_get_label (error), "udp/99999") != NULL);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (rule), "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rule)), ==, "udp/99999");

  /* typing again clears it */
  gtk_editable_set_text (GTK_EDITABLE (rule), "p2p:relay.vendor.example");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error)));
  g_signal_emit_by_name (rule, "apply");
  assert_strv (settings, "p2p-rules", "udp/12345,*.cloud.vendor.example,p2p:relay.vendor.example");

  /* twice is once */
  gtk_editable_set_text (GTK_EDITABLE (rule), "udp/12345");
  g_signal_emit_by_name (rule, "apply");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error)));
  assert_strv (settings, "p2p-rules", "udp/12345,*.cloud.vendor.example,p2p:relay.vendor.example");
  g_assert_cmpuint (count_rows (group), ==, 3);

  /* removed */
  click_remove (find_row (group, "*.cloud.vendor.example"));
  assert_strv (settings, "p2p-rules", "udp/12345,p2p:relay.vendor.example");
  g_assert_null (find_row (group, "*.cloud.vendor.example"));
  g_assert_cmpuint (count_rows (group), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_history (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  PsPreferencesWindow *window = ps_preferences_window_new (NULL, settings, NULL);
  GtkAdjustment *days = child (window, "history_adjustment");
  GtkLabel *unit = child (window, "days_label");
  GtkSwitch *alerts = child (window, "alerts_switch");

  g_assert_cmpfloat (gtk_adjustment_get_value (days), ==, 30);
  gtk_adjustment_set_value (days, 90);
  g_assert_cmpuint (g_settings_get_uint (settings, "history-days"), ==, 90);

  g_settings_set_uint (settings, "history-days", 1);
  spin (20);
  g_assert_cmpfloat (gtk_adjustment_get_value (days), ==, 1);
  g_assert_cmpstr (gtk_label_get_label (unit), ==, "day");

  /* the spin button keeps to the key's range */
  gtk_spin_button_set_value (child (window, "history_spin"), 5000);
  g_assert_cmpuint (g_settings_get_uint (settings, "history-days"), ==, 3650);

  g_assert_true (gtk_switch_get_active (alerts));
  gtk_switch_set_active (alerts, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "alerts"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_geoip (void)
{
  const char *lab_mmdb = g_getenv ("PS_LAB_MMDB");
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(PsPeerMonitor) monitor = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *garbage = NULL;
  g_autofree char *geolite = NULL;
  g_autofree char *canonical = NULL;
  PsPreferencesWindow *window;
  GtkLabel *credits;
  GtkWidget *row;
  PsGeoip *geoip;
  GtkWidget *group;
  guint n_before;

  if (lab_mmdb == NULL || !g_file_test (lab_mmdb, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("PS_LAB_MMDB is not set (no MaxMind::DB::Writer)");
      return;
    }
  canonical = g_canonicalize_filename (lab_mmdb, NULL);

  dir = g_dir_make_tmp ("test-preferences-XXXXXX", &error);
  g_assert_no_error (error);
  garbage = g_build_filename (dir, "garbage.mmdb", NULL);
  g_assert_true (g_file_set_contents (garbage, "this is not a MaxMind database\n", -1, &error));
  g_assert_no_error (error);
  geolite = g_build_filename (dir, "GeoLite2-City.mmdb", NULL);
  copy_file (lab_mmdb, geolite);

  monitor = ps_peer_monitor_new ();
  geoip = ps_peer_enricher_get_geoip (ps_peer_monitor_get_enricher (monitor));
  n_before = ps_geoip_get_n_databases (geoip);
  window = ps_preferences_window_new (NULL, settings, monitor);
  group = child (window, "databases_group");
  g_assert_cmpuint (count_rows (group), ==, n_before);
  g_assert_true (gtk_widget_get_visible (child (window, "geoip_empty_row")) == (n_before == 0));

  /* garbage is refused */
  g_assert_false (ps_preferences_window_add_database (window, garbage, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  assert_strv (settings, "geoip-databases", "");
  g_assert_cmpuint (ps_geoip_get_n_databases (geoip), ==, n_before);

  /* a real one is listed, with its source, and in use at once */
  g_assert_true (ps_preferences_window_add_database (window, lab_mmdb, &error));
  g_assert_no_error (error);
  assert_strv (settings, "geoip-databases", canonical);
  g_assert_cmpuint (ps_geoip_get_n_databases (geoip), ==, n_before + 1);
  spin (20);
  g_assert_nonnull (find_row (group, "Peerscope Lab City"));
  g_assert_cmpuint (count_rows (group), ==, n_before + 1);
  g_assert_false (gtk_widget_get_visible (child (window, "geoip_empty_row")));

  /* twice is once */
  g_assert_true (ps_preferences_window_add_database (window, lab_mmdb, &error));
  assert_strv (settings, "geoip-databases", canonical);

  /* removed from the settings and the list (the monitor keeps it until the next start) */
  click_remove (find_row (group, "Peerscope Lab City"));
  assert_strv (settings, "geoip-databases", "");
  g_assert_null (find_row (group, "Peerscope Lab City"));
  gtk_window_destroy (GTK_WINDOW (window));

  /* without a monitor: what is chosen, and what is wrong with it */
  g_settings_set_strv (settings, "geoip-databases",
                       (const char * const[]) { canonical, garbage, NULL });
  window = ps_preferences_window_new (NULL, settings, NULL);
  group = child (window, "databases_group");
  credits = child (window, "credits_label");
  g_assert_nonnull (find_row (group, "Peerscope Lab City"));
  g_assert_nonnull (find_subtitle (group, "Peerscope test data · "));
  g_assert_null (find_subtitle (group, "MaxMind GeoLite2 · "));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (credits)));
  row = find_row (group, "garbage.mmdb");
  g_assert_nonnull (row);
  g_assert_true (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                         "not a valid MaxMind DB") != NULL);
  click_remove (find_row (group, "garbage.mmdb"));
  assert_strv (settings, "geoip-databases", canonical);

  /* the data's source credited, as its licence asks */
  g_assert_true (ps_preferences_window_add_database (window, geolite, &error));
  g_assert_no_error (error);
  spin (20);
  g_assert_nonnull (find_subtitle (group, "MaxMind GeoLite2 · "));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (credits)));
  g_assert_nonnull (strstr (gtk_label_get_label (credits), "GeoLite2 data created by MaxMind"));
  gtk_window_destroy (GTK_WINDOW (window));

  g_assert_cmpint (g_unlink (geolite), ==, 0);
  g_assert_cmpint (g_unlink (garbage), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_status (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(PsPeerMonitor) monitor = ps_peer_monitor_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = g_strdup_printf ("ipfix:127.0.0.1:%u", free_udp_port (0));
  g_autofree char *subtitle = NULL;
  PsPreferencesWindow *window = ps_preferences_window_new (NULL, settings, monitor);
  GtkWidget *group = child (window, "status_group");
  GtkWidget *row;

  /* nothing runs: what to do */
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_true (gtk_widget_get_visible (child (window, "status_empty_row")));
  g_assert_cmpuint (count_rows (group), ==, 1);

  g_assert_nonnull (ps_peer_monitor_add_source (monitor, spec, &error));
  g_assert_no_error (error);
  g_assert_false (gtk_widget_get_visible (child (window, "status_empty_row")));
  g_assert_cmpuint (count_rows (group), ==, 1);
  row = find_row (group, "NetFlow / IPFIX Collector");
  g_assert_nonnull (row);
  subtitle = g_strdup_printf ("Listening on 127.0.0.1, UDP port %s; nothing received yet",
                              spec + strlen ("ipfix:127.0.0.1:"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, subtitle);

  ps_peer_monitor_stop_sources (monitor);
  g_assert_true (gtk_widget_get_visible (child (window, "status_empty_row")));
  g_assert_null (find_row (group, "NetFlow / IPFIX Collector"));

  /* without a monitor there is no status */
  gtk_window_destroy (GTK_WINDOW (window));
  window = ps_preferences_window_new (NULL, settings, NULL);
  g_assert_false (gtk_widget_get_visible (child (window, "status_group")));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
on_turn_set_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_assert_true (ps_p2p_account_set_turn_servers_finish (PS_P2P_ACCOUNT (object), result, NULL));
}

/* The P2P account page: addresses checked before they are saved, the ICE policy in
 * GSettings, the TURN servers (with their credentials) only in the account's secrets,
 * shown without passwords.  The account is the test's, in memory. */
static void
test_p2p_account (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(PsP2pAccount) account = ps_p2p_account_new (settings, FALSE);
  PsPreferencesWindow *window;
  PsP2pAccountPage *page;
  GtkWidget *url, *stun, *turn, *policy;
  const char * const *servers;

  ps_p2p_account_set_default (account);
  window = ps_preferences_window_new (NULL, settings, NULL);
  page = child (window, "p2p_account_page");
  g_assert_cmpstr (_ps_p2p_account_page_get_status_title (page), ==, "Not Set Up");

  url = find_row (GTK_WIDGET (page), "Server Address (ws:// or wss://)");
  gtk_editable_set_text (GTK_EDITABLE (url), "https://rendezvous.example/");
  g_signal_emit_by_name (url, "apply");
  g_assert_nonnull (_ps_p2p_account_page_get_error (page));
  g_assert_true (gtk_widget_has_css_class (url, "error"));
  {
    g_autofree char *saved = g_settings_get_string (settings, "p2p-rendezvous-url");

    g_assert_cmpstr (saved, ==, "");
  }
  gtk_editable_set_text (GTK_EDITABLE (url), "wss://rendezvous.example:8443");
  g_assert_false (gtk_widget_has_css_class (url, "error"));
  g_signal_emit_by_name (url, "apply");
  {
    g_autofree char *saved = g_settings_get_string (settings, "p2p-rendezvous-url");

    g_assert_cmpstr (saved, ==, "wss://rendezvous.example:8443");
  }
  g_assert_true (ps_p2p_account_is_set_up (account));

  stun = find_row (GTK_WIDGET (page), "STUN Server (stun://host:port)");
  gtk_editable_set_text (GTK_EDITABLE (stun), "turn://oops.example");
  g_signal_emit_by_name (stun, "apply");
  g_assert_nonnull (_ps_p2p_account_page_get_error (page));
  gtk_editable_set_text (GTK_EDITABLE (stun), "stun://stun.example:3478");
  g_signal_emit_by_name (stun, "apply");
  {
    g_autofree char *saved = g_settings_get_string (settings, "p2p-stun-server");

    g_assert_cmpstr (saved, ==, "stun://stun.example:3478");
  }

  /* relay only without a TURN server: a warning */
  policy = find_row (GTK_WIDGET (page), "Allowed _Paths");
  adw_combo_row_set_selected (ADW_COMBO_ROW (policy), 1);
  {
    g_autofree char *saved = g_settings_get_string (settings, "p2p-ice-policy");

    g_assert_cmpstr (saved, ==, "relay");
  }
  g_assert_true (gtk_widget_get_visible (find_row (GTK_WIDGET (page),
                                                   "Relay Only Needs a TURN Server")));

  turn = find_row (GTK_WIDGET (page), "Add a TURN Server");
  gtk_editable_set_text (GTK_EDITABLE (turn), "stun://wrong.example");
  g_signal_emit_by_name (turn, "apply");
  g_assert_nonnull (_ps_p2p_account_page_get_error (page));
  gtk_editable_set_text (GTK_EDITABLE (turn), "turn://alice:s3cret@turn.example:3478");
  g_signal_emit_by_name (turn, "apply");
  spin (50);
  servers = ps_p2p_account_get_turn_servers (account);
  g_assert_cmpuint (g_strv_length ((char **) servers), ==, 1);
  g_assert_cmpstr (servers[0], ==, "turn://alice:s3cret@turn.example:3478");
  /* shown without the password, and nowhere in GSettings */
  g_assert_nonnull (find_row (GTK_WIDGET (page), "turn://alice@turn.example:3478"));
  g_assert_false (gtk_widget_get_visible (find_row (GTK_WIDGET (page),
                                                    "Relay Only Needs a TURN Server")));
  {
    g_autoptr(GSettingsSchema) schema = NULL;
    g_auto(GStrv) keys = NULL;

    g_object_get (settings, "settings-schema", &schema, NULL);
    keys = g_settings_schema_list_keys (schema);
    for (guint i = 0; keys[i] != NULL; i++)
      {
        g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
        g_autofree char *text = g_variant_print (value, FALSE);

        g_assert_null (strstr (text, "s3cret"));
      }
  }

  click_remove (find_row (GTK_WIDGET (page), "turn://alice@turn.example:3478"));
  spin (50);
  g_assert_null (ps_p2p_account_get_turn_servers (account)[0]);
  g_assert_null (find_row (GTK_WIDGET (page), "turn://alice@turn.example:3478"));

  /* the CA file */
  _ps_p2p_account_page_choose_ca_file (page, "/etc/peerscope/ca.pem");
  {
    g_autofree char *saved = g_settings_get_string (settings, "p2p-ca-file");

    g_assert_cmpstr (saved, ==, "/etc/peerscope/ca.pem");
  }
  spin (50);
  g_assert_nonnull (find_subtitle (GTK_WIDGET (page), "/etc/peerscope/ca.pem"));

  gtk_window_destroy (GTK_WINDOW (window));
  ps_p2p_account_set_default (memory_account);
}

/* ---- screenshots ----------------------------------------------------------------------- */

static gboolean
on_tick_cb (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

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
  const char *dir = g_getenv ("PS_PREFERENCES_SCREENSHOT_DIR");
  g_autoptr(GdkTexture) texture = NULL;

  wait_frames (window, 30);
  texture = render (window);
  g_assert_cmpint (gdk_texture_get_width (texture), >, 0);

  if (dir != NULL)
    {
      g_autofree char *basename = g_strdup_printf ("preferences-%s.png", name);
      g_autofree char *path = g_build_filename (dir, basename, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("saved %s", path);
    }
}

static void
test_render (void)
{
  const char *pages[] = { "traffic", "geoip", "p2p", "p2p-account", "history" };
  const char *lab_mmdb = g_getenv ("PS_LAB_MMDB");
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(PsPeerMonitor) monitor = ps_peer_monitor_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *collector = g_strdup_printf ("ipfix:%u", free_udp_port (2055));
  g_autofree char *dir = NULL;
  g_autofree char *geolite = NULL;
  g_autofree char *dbip = NULL;
  g_autoptr(PsP2pAccount) account = ps_p2p_account_new (settings, FALSE);
  PsPreferencesWindow *window;

  ps_p2p_account_set_default (account);
  g_settings_set_strv (settings, "flow-sources",
                       (const char * const[]) { collector, NULL });
  g_settings_set_strv (settings, "p2p-rules",
                       (const char * const[]) { "udp/32108", "p2p:relay.camcloud.example",
                                                "*.camcloud.example", NULL });
  g_assert_nonnull (ps_peer_monitor_add_source (monitor, collector, &error));
  g_assert_no_error (error);

  /* a P2P account that reaches no server (nothing listens on port 1), with a TURN server */
  g_settings_set_string (settings, "p2p-rendezvous-url", "ws://127.0.0.1:1");
  g_settings_set_string (settings, "p2p-ice-policy", "relay");
  ps_p2p_account_set_turn_servers_async (account, (const char * const[]) {
                                           "turn://home:s3cret@turn.example:3478", NULL },
                                         NULL, on_turn_set_cb, NULL);

  window = ps_preferences_window_new (NULL, settings, monitor);
  if (lab_mmdb != NULL && g_file_test (lab_mmdb, G_FILE_TEST_EXISTS))
    {
      /* the lab's data under the names of databases that want credit */
      dir = g_dir_make_tmp ("test-preferences-XXXXXX", &error);
      g_assert_no_error (error);
      geolite = g_build_filename (dir, "GeoLite2-City.mmdb", NULL);
      dbip = g_build_filename (dir, "dbip-asn-lite-2024-05.mmdb", NULL);
      copy_file (lab_mmdb, geolite);
      copy_file (lab_mmdb, dbip);
      g_assert_true (ps_preferences_window_add_database (window, geolite, NULL));
      g_assert_true (ps_preferences_window_add_database (window, dbip, NULL));
    }
  gtk_window_present (GTK_WINDOW (window));

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *dark = g_strdup_printf ("%s-dark", pages[i]);

      adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), pages[i]);
      adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
      save_render (GTK_WIDGET (window), pages[i]);
      adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
      save_render (GTK_WIDGET (window), dark);
    }

  /* the error under the rule entry */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "p2p");
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  gtk_editable_set_text (GTK_EDITABLE (child (window, "rule_row")), "udp/99999");
  g_signal_emit_by_name (child (window, "rule_row"), "apply");
  save_render (GTK_WIDGET (window), "p2p-error");

  /* nothing chosen, no monitor: the empty states */
  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "flow-sources");
  g_settings_reset (settings, "p2p-rules");
  g_settings_reset (settings, "geoip-databases");
  ps_peer_monitor_stop_sources (monitor);
  window = ps_preferences_window_new (NULL, settings, monitor);
  gtk_window_present (GTK_WINDOW (window));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "traffic");
  save_render (GTK_WIDGET (window), "traffic-empty");
  gtk_window_destroy (GTK_WINDOW (window));
  window = ps_preferences_window_new (NULL, settings, NULL);
  gtk_window_present (GTK_WINDOW (window));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "geoip");
  save_render (GTK_WIDGET (window), "geoip-empty");

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
  ps_p2p_account_set_default (memory_account);
  g_settings_reset (settings, "p2p-rendezvous-url");
  g_settings_reset (settings, "p2p-ice-policy");

  if (dir != NULL)
    {
      g_assert_cmpint (g_unlink (geolite), ==, 0);
      g_assert_cmpint (g_unlink (dbip), ==, 0);
      g_assert_cmpint (g_rmdir (dir), ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* no test here asks the keyring: the P2P account lives in memory */
  {
    g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);

    memory_account = ps_p2p_account_new (settings, FALSE);
    ps_p2p_account_set_default (memory_account);
  }

  g_test_add_func ("/preferences/flow-sources", test_flow_sources);
  g_test_add_func ("/preferences/rules", test_rules);
  g_test_add_func ("/preferences/history", test_history);
  g_test_add_func ("/preferences/geoip", test_geoip);
  g_test_add_func ("/preferences/status", test_status);
  g_test_add_func ("/preferences/p2p-account", test_p2p_account);
  g_test_add_func ("/preferences/render", test_render);

  return g_test_run ();
}
