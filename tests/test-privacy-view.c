/* test-privacy-view.c: the Privacy view of one camera, with a real policy, a real peer table
 * and, where the build has it, the camera emulator’s own P2P and UPnP switches
 *
 * The firewall and the resolver are stand-ins (a test must not change the machine's rules
 * nor ask the network for names).  With PS_PRIVACY_VIEW_SCREENSHOT_DIR set,
 * /privacy-view/render saves the view in a 1000×700 window, in the light and the dark style,
 * at its top and scrolled to its end, as privacy-view{,-end}{,-dark}.png there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ps-camera-p2p-group-private.h"
#include "ps-camera-page.h"
#include "ps-enforcement-group-private.h"
#include "ps-foscam-client.h"
#include "ps-peer-private.h"
#include "ps-peer-table.h"
#include "ps-policy-compiler.h"
#include "ps-privacy-view-private.h"
#ifdef PS_TEST_HAVE_EMULATOR
#include "ps-test-emulator.h"
#endif

#define DEVICE_ADDRESS "10.99.1.11"
#define CAMERA_URI     "rtsp://" DEVICE_ADDRESS ":554/stream1"
#define USER           "admin"
#define PASSWORD       "s3cret&pw"

/* ---- the stand-in firewall and resolver (they run on a worker thread) ------------------ */

static GMutex fake_lock;
static char *fake_live;          /* the digest of the "kernel's" rules */
static gboolean fake_live_fails;
static guint fake_applied;

static char *
fake_dup_live_digest (GError **error)
{
  char *live;

  g_mutex_lock (&fake_lock);
  if (fake_live_fails)
    {
      g_mutex_unlock (&fake_lock);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           "Operation not permitted");
      return NULL;
    }
  live = g_strdup (fake_live);
  g_mutex_unlock (&fake_lock);

  return live;
}

static gboolean
fake_apply (PsPolicy  *policy,
            gboolean  *changed,
            GError   **error)
{
  g_autofree char *digest = ps_policy_digest (policy);

  g_mutex_lock (&fake_lock);
  *changed = g_strcmp0 (fake_live, digest) != 0;
  g_free (fake_live);
  fake_live = g_steal_pointer (&digest);
  fake_applied++;
  g_mutex_unlock (&fake_lock);

  return TRUE;
}

static GStrv
fake_resolve (const char    *name,
              GCancellable  *cancellable,
              GError       **error)
{
  const char *addresses[] = { "203.0.113.7", NULL };

  if (g_strcmp0 (name, "api.vendor.example") == 0)
    return g_strdupv ((GStrv) addresses);

  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "%s: no such name", name);
  return NULL;
}

static void
fake_reset (void)
{
  g_mutex_lock (&fake_lock);
  g_clear_pointer (&fake_live, g_free);
  fake_live_fails = FALSE;
  fake_applied = 0;
  g_mutex_unlock (&fake_lock);
}

static void
use_backend (PsPrivacyView *view,
             gboolean       privileged,
             gboolean       supported)
{
  PsEnforcementBackend backend = {
    privileged, supported, fake_dup_live_digest, fake_apply, fake_resolve,
  };

  _ps_enforcement_group_set_backend (_ps_privacy_view_get_enforcement_group (view), &backend);
}

/* ---- the stand-in gateway helper (main thread, no bus) --------------------------------- */

static char *fake_helper_live;        /* the digest the helper enforces */
static GError *fake_helper_error;     /* what GetState and Apply answer instead */
static guint fake_helper_applied;
static PsPolicy *fake_helper_policy;  /* what Apply was given */

static void
fake_helper_reset (void)
{
  g_clear_pointer (&fake_helper_live, g_free);
  g_clear_error (&fake_helper_error);
  fake_helper_applied = 0;
  g_clear_object (&fake_helper_policy);
}

static void
fake_helper_fail (GQuark      domain,
                  int         code,
                  const char *message)
{
  g_clear_error (&fake_helper_error);
  if (message != NULL)
    fake_helper_error = g_error_new_literal (domain, code, message);
}

static void
fake_helper_get_state (GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  if (fake_helper_error != NULL)
    g_task_return_error (task, g_error_copy (fake_helper_error));
  else
    g_task_return_pointer (task, g_strdup (fake_helper_live), g_free);
}

static gboolean
fake_helper_get_state_finish (GAsyncResult  *result,
                              char         **live_digest,
                              GError       **error)
{
  GError *local_error = NULL;
  char *live = g_task_propagate_pointer (G_TASK (result), &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  *live_digest = live;

  return TRUE;
}

static void
fake_helper_apply (PsPolicy            *policy,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *digest = NULL;
  gboolean changed;

  if (fake_helper_error != NULL)
    {
      g_task_return_error (task, g_error_copy (fake_helper_error));
      return;
    }

  digest = ps_policy_digest (policy);
  changed = g_strcmp0 (fake_helper_live, digest) != 0;
  g_free (fake_helper_live);
  fake_helper_live = g_steal_pointer (&digest);
  g_set_object (&fake_helper_policy, policy);
  fake_helper_applied++;
  g_task_return_int (task, changed);
}

static gboolean
fake_helper_apply_finish (GAsyncResult  *result,
                          gboolean      *changed,
                          GError       **error)
{
  gssize value = g_task_propagate_int (G_TASK (result), error);

  if (value < 0)
    return FALSE;
  *changed = value != 0;

  return TRUE;
}

/* not root, with the stand-in gateway helper */
static void
use_helper_backend (PsPrivacyView *view)
{
  PsEnforcementBackend backend = {
    FALSE, TRUE, fake_dup_live_digest, fake_apply, fake_resolve,
    fake_helper_get_state, fake_helper_get_state_finish,
    fake_helper_apply, fake_helper_apply_finish,
  };

  _ps_enforcement_group_set_backend (_ps_privacy_view_get_enforcement_group (view), &backend);
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

typedef gboolean (*Check) (gpointer data);

static gboolean
wait_for (Check    check,
          gpointer data,
          guint    timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * 1000;
  guint wake = g_timeout_add (10, on_wake_cb, NULL);

  while (!check (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  return check (data);
}

static gboolean
is_idle (gpointer data)
{
  return !_ps_enforcement_group_is_busy (_ps_privacy_view_get_enforcement_group (data));
}

/* the worker's answers are in */
static void
settle (PsPrivacyView *view)
{
  g_assert_true (wait_for (is_idle, view, 10000));
  /* a check the last answer started (map, apply) */
  spin (20);
  g_assert_true (wait_for (is_idle, view, 10000));
}

static gboolean
intent_active (PsPrivacyView *view,
               PsIntent       intent)
{
  return gtk_check_button_get_active (_ps_privacy_view_get_intent_check (view, intent));
}

static const char *
enforcement (PsPrivacyView *view)
{
  return _ps_enforcement_group_get_state (_ps_privacy_view_get_enforcement_group (view));
}

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

/* the first button under WIDGET whose tooltip is TOOLTIP */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *tooltip)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, tooltip);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* the expander row with that title (NULL: the first one) */
static GtkWidget *
find_expander (GtkWidget  *widget,
               const char *title)
{
  if (ADW_IS_EXPANDER_ROW (widget)
      && (title == NULL
          || g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_expander (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
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

static void
on_policy_changed_cb (PsPrivacyView *view,
                      PsPolicy      *policy,
                      guint         *count)
{
  (*count)++;
}

typedef struct
{
  GtkWidget     *window;
  PsPrivacyView *view;
  PsDevice      *device;
  PsPolicy      *policy;
  PsPeerTable   *table;
  guint          changes;    /* ::policy-changed */
} Fixture;

static PsPeerTable *
new_table (const char *device)
{
  g_autoptr(PsPeerEnricher) enricher = ps_peer_enricher_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  PsPeerTable *table;

  /* no resolver traffic from a test */
  ps_peer_enricher_set_resolve_names (enricher, FALSE);
  table = ps_peer_table_new (enricher);
  g_assert_true (ps_peer_table_add_device (table, device, DEVICE_ADDRESS, NULL, &error));
  g_assert_no_error (error);

  return table;
}

static void
fixture_set_up (Fixture    *fixture,
                const char *uri,
                gboolean    privileged)
{
  fake_reset ();
  fixture->device = ps_device_new ("Porch", uri);
  fixture->policy = ps_policy_new ();
  fixture->table = new_table (ps_device_get_id (fixture->device));
  fixture->window = gtk_window_new ();
  fixture->view = ps_privacy_view_new ();

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1000, 700);
  gtk_window_set_child (GTK_WINDOW (fixture->window), GTK_WIDGET (fixture->view));
  use_backend (fixture->view, privileged, TRUE);
  g_signal_connect (fixture->view, "policy-changed", G_CALLBACK (on_policy_changed_cb),
                    &fixture->changes);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_show (Fixture    *fixture,
              const char *password)
{
  ps_privacy_view_set_camera (fixture->view, fixture->device, password,
                              ps_peer_table_get_device_peers (fixture->table,
                                                              ps_device_get_id (fixture->device)),
                              fixture->policy);
  settle (fixture->view);
}

static void
fixture_tear_down (Fixture *fixture)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  /* what the worker still had */
  spin (50);
  g_clear_object (&fixture->table);
  g_clear_object (&fixture->policy);
  g_clear_object (&fixture->device);
}

static PsIntent
rule_intent (Fixture             *fixture,
             const char * const **addresses,
             const char * const **allow)
{
  PsIntent intent;

  g_assert_true (ps_policy_get_device (fixture->policy, ps_device_get_id (fixture->device), NULL,
                                       addresses, &intent, allow));
  return intent;
}

/* one UDP flow from the camera to ADDRESS:PORT, last seen at LAST_MS */
static PsPeer *
add_peer (PsPeerTable *table,
          const char  *device,
          const char  *address,
          guint16      port,
          gint64       last_ms,
          PsPeerKind   kind)
{
  PsFlowRecord record;
  PsPeer *peer;

  ps_flow_record_init (&record, PS_FLOW_ORIGIN_CONNTRACK);
  record.ip_protocol = 17;
  g_assert_true (ps_ip_address_parse (&record.src, DEVICE_ADDRESS));
  g_assert_true (ps_ip_address_parse (&record.dst, address));
  record.src_port = 40000;
  record.dst_port = port;
  record.packets = 3;
  record.bytes = 144;
  record.new_flow = TRUE;
  record.first_ms = last_ms - 60000;
  record.last_ms = last_ms;
  ps_peer_table_add_records (table, &record, 1);

  peer = ps_peer_table_lookup (table, device, address, port, 17);
  g_assert_nonnull (peer);
  _ps_peer_set_class (peer, kind, "test");

  return peer;
}

/* ---- tests ----------------------------------------------------------------------------- */

/* each choice writes the camera's rule, with where the camera is */
static void
test_intents (void)
{
  Fixture fixture = { 0 };
  const struct {
    PsIntent    intent;
    const char *name;
  } choices[] = {
    { PS_INTENT_BLOCK_VENDOR_P2P, "block-vendor-p2p" },
    { PS_INTENT_LOCAL_ONLY, "local-only" },
    { PS_INTENT_ALLOW_LIST, "allow-list" },
    { PS_INTENT_OPEN, "open" },
  };
  const char * const *addresses;
  const char * const *allow;
  const char * const *servers;
  GtkCheckButton *check;

  fixture_set_up (&fixture, CAMERA_URI, FALSE);
  ps_policy_set_default_intent (fixture.policy, PS_INTENT_LOCAL_ONLY);
  fixture_show (&fixture, NULL);

  /* no rule yet: the default shows, and nothing is written */
  g_assert_false (ps_policy_get_device (fixture.policy, ps_device_get_id (fixture.device), NULL,
                                        NULL, NULL, NULL));
  g_assert_true (intent_active (fixture.view, PS_INTENT_LOCAL_ONLY));
  g_assert_cmpuint (fixture.changes, ==, 0);

  /* the camera's P2P servers come along, for block-vendor-p2p */
  add_peer (fixture.table, ps_device_get_id (fixture.device), "198.51.100.11", 32100,
            g_get_real_time () / 1000, PS_PEER_KIND_P2P_SUPERNODE);
  add_peer (fixture.table, ps_device_get_id (fixture.device), "192.0.2.10", 443,
            g_get_real_time () / 1000, PS_PEER_KIND_VENDOR_CLOUD);

  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    {
      check = _ps_privacy_view_get_intent_check (fixture.view, choices[i].intent);
      /* what a click on the row does */
      gtk_widget_activate (GTK_WIDGET (check));
      g_assert_true (gtk_check_button_get_active (check));

      g_assert_cmpint (rule_intent (&fixture, &addresses, &allow), ==, choices[i].intent);
      g_assert_nonnull (addresses);
      g_assert_cmpstr (addresses[0], ==, DEVICE_ADDRESS);
      g_assert_null (addresses[1]);
      g_assert_cmpuint (fixture.changes, ==, i + 1);
      g_assert_true (_ps_privacy_view_get_allow_visible (fixture.view)
                     == (choices[i].intent == PS_INTENT_ALLOW_LIST));

      /* only one radio is on */
      for (PsIntent j = 0; j <= PS_INTENT_LAST; j++)
        g_assert_true (intent_active (fixture.view, j)
                       == (j == choices[i].intent));
    }

  servers = ps_policy_get_p2p_servers (fixture.policy);
  g_assert_nonnull (servers);
  g_assert_true (g_strv_contains (servers, "198.51.100.11"));
  g_assert_false (g_strv_contains (servers, "192.0.2.10"));

  /* the action the P2P warning's button uses */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.view), "privacy.set-intent", "s",
                                             "block-vendor-p2p"));
  g_assert_cmpint (rule_intent (&fixture, NULL, NULL), ==, PS_INTENT_BLOCK_VENDOR_P2P);
  g_assert_cmpuint (fixture.changes, ==, G_N_ELEMENTS (choices) + 1);

  /* the same choice again changes nothing */
  gtk_widget_activate_action (GTK_WIDGET (fixture.view), "privacy.set-intent", "s",
                              "block-vendor-p2p");
  g_assert_cmpuint (fixture.changes, ==, G_N_ELEMENTS (choices) + 1);

  /* a rule the policy already had shows when the camera comes back */
  ps_privacy_view_set_camera (fixture.view, NULL, NULL, NULL, NULL);
  g_assert_true (ps_policy_set_device (fixture.policy, ps_device_get_id (fixture.device), NULL,
                                       (const char * const[]) { DEVICE_ADDRESS, NULL },
                                       PS_INTENT_ALLOW_LIST, NULL, NULL));
  fixture_show (&fixture, NULL);
  g_assert_true (intent_active (fixture.view, PS_INTENT_ALLOW_LIST));
  g_assert_true (_ps_privacy_view_get_allow_visible (fixture.view));

  fixture_tear_down (&fixture);
}

/* a camera Peerscope cannot place gets no rule, and the view says why */
static void
test_no_address (void)
{
  Fixture fixture = { 0 };
  GtkCheckButton *check;

  fixture_set_up (&fixture, "rtsp://porch-camera.local/stream1", FALSE);
  fixture_show (&fixture, NULL);

  check = _ps_privacy_view_get_intent_check (fixture.view, PS_INTENT_LOCAL_ONLY);
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (check)));
  gtk_check_button_set_active (check, TRUE);
  g_assert_false (ps_policy_get_device (fixture.policy, ps_device_get_id (fixture.device), NULL,
                                        NULL, NULL, NULL));
  g_assert_cmpuint (fixture.changes, ==, 0);
  /* and the radios say what the policy says */
  g_assert_true (intent_active (fixture.view, PS_INTENT_OPEN));

  fixture_tear_down (&fixture);
}

static void
add_allowed (Fixture    *fixture,
             const char *text)
{
  AdwEntryRow *entry = _ps_privacy_view_get_allow_entry (fixture->view);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  g_signal_emit_by_name (entry, "entry-activated");
}

/* the allow list: what the policy takes goes in, the rest is refused in words */
static void
test_allow_list (void)
{
  Fixture fixture = { 0 };
  AdwEntryRow *entry;
  PsEnforcementGroup *group;
  const char * const *allow;
  g_auto(GStrv) rows = NULL;
  GtkWidget *remove;
  guint changes;

  fixture_set_up (&fixture, CAMERA_URI, FALSE);
  fixture_show (&fixture, NULL);
  entry = _ps_privacy_view_get_allow_entry (fixture.view);
  group = _ps_privacy_view_get_enforcement_group (fixture.view);

  gtk_widget_activate (GTK_WIDGET (_ps_privacy_view_get_intent_check (fixture.view,
                                                                      PS_INTENT_ALLOW_LIST)));
  g_assert_true (_ps_privacy_view_get_allow_visible (fixture.view));
  g_assert_cmpint (rule_intent (&fixture, NULL, &allow), ==, PS_INTENT_ALLOW_LIST);
  g_assert_true (allow == NULL || allow[0] == NULL);

  add_allowed (&fixture, "192.0.2.10");
  add_allowed (&fixture, " 198.51.100.0/24 ");
  add_allowed (&fixture, "API.Vendor.example");
  g_assert_null (_ps_privacy_view_get_allow_error (fixture.view));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");

  rule_intent (&fixture, NULL, &allow);
  g_assert_cmpuint (g_strv_length ((GStrv) allow), ==, 3);
  g_assert_true (g_strv_contains (allow, "192.0.2.10"));
  g_assert_true (g_strv_contains (allow, "198.51.100.0/24"));
  g_assert_true (g_strv_contains (allow, "api.vendor.example"));
  rows = _ps_privacy_view_dup_allow_rows (fixture.view);
  g_assert_cmpuint (g_strv_length (rows), ==, 3);
  g_assert_true (g_strv_contains ((const char * const *) rows, "api.vendor.example"));

  /* refused: the entry keeps the text and says why; the policy is as it was */
  changes = fixture.changes;
  add_allowed (&fixture, "not a host!");
  g_assert_nonnull (_ps_privacy_view_get_allow_error (fixture.view));
  g_assert_nonnull (strstr (_ps_privacy_view_get_allow_error (fixture.view), "not a host!"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "not a host!");
  rule_intent (&fixture, NULL, &allow);
  g_assert_cmpuint (g_strv_length ((GStrv) allow), ==, 3);
  g_assert_cmpuint (fixture.changes, ==, changes);

  add_allowed (&fixture, "10.0.0.300");
  g_assert_nonnull (_ps_privacy_view_get_allow_error (fixture.view));

  /* typing again clears the error */
  gtk_editable_set_text (GTK_EDITABLE (entry), "203.0.113.");
  g_assert_null (_ps_privacy_view_get_allow_error (fixture.view));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (entry), "error"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");

  /* the rules have the name's addresses, from the resolver */
  settle (fixture.view);
  g_assert_nonnull (strstr (_ps_enforcement_group_get_preview (group), "203.0.113.7"));

  /* removing one */
  remove = find_button (GTK_WIDGET (fixture.view), "Remove from the allow list");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  rule_intent (&fixture, NULL, &allow);
  g_assert_cmpuint (g_strv_length ((GStrv) allow), ==, 2);
  g_clear_pointer (&rows, g_strfreev);
  rows = _ps_privacy_view_dup_allow_rows (fixture.view);
  g_assert_cmpuint (g_strv_length (rows), ==, 2);

  /* another intent keeps the list for later, and hides it */
  gtk_widget_activate (GTK_WIDGET (_ps_privacy_view_get_intent_check (fixture.view,
                                                                      PS_INTENT_LOCAL_ONLY)));
  g_assert_false (_ps_privacy_view_get_allow_visible (fixture.view));
  g_assert_cmpint (rule_intent (&fixture, NULL, &allow), ==, PS_INTENT_LOCAL_ONLY);
  g_assert_cmpuint (g_strv_length ((GStrv) allow), ==, 2);

  fixture_tear_down (&fixture);
}

static gboolean
summary_is_1012 (gpointer data)
{
  return g_strcmp0 (_ps_privacy_view_get_blocked_summary (data),
                    "1012 blocked attempts to 2 hosts") == 0;
}

/* the summary adds up what the firewall counted, and follows it */
static void
test_blocked (void)
{
  Fixture fixture = { 0 };
  const char *device;

  fixture_set_up (&fixture, CAMERA_URI, FALSE);
  device = ps_device_get_id (fixture.device);
  fixture_show (&fixture, NULL);

  g_assert_cmpstr (_ps_privacy_view_get_blocked_summary (fixture.view), ==, "No blocked attempts");
  g_assert_cmpuint (_ps_privacy_view_get_n_blocked_rows (fixture.view), ==, 0);

  ps_peer_table_set_blocked (fixture.table, DEVICE_ADDRESS, "198.51.100.11", 17, 32100, 1);
  _ps_privacy_view_flush (fixture.view);
  g_assert_cmpstr (_ps_privacy_view_get_blocked_summary (fixture.view), ==,
                   "1 blocked attempt to 1 host");
  g_assert_cmpuint (_ps_privacy_view_get_n_blocked_rows (fixture.view), ==, 1);

  /* another port of the same host is the same host */
  ps_peer_table_set_blocked (fixture.table, DEVICE_ADDRESS, "198.51.100.11", 17, 32100, 7);
  ps_peer_table_set_blocked (fixture.table, DEVICE_ADDRESS, "198.51.100.11", 17, 32108, 2);
  ps_peer_table_set_blocked (fixture.table, DEVICE_ADDRESS, "198.51.100.12", 17, 32100, 3);
  _ps_privacy_view_flush (fixture.view);
  g_assert_cmpstr (_ps_privacy_view_get_blocked_summary (fixture.view), ==,
                   "12 blocked attempts to 2 hosts");
  g_assert_cmpuint (_ps_privacy_view_get_n_blocked_rows (fixture.view), ==, 3);

  /* live: the counter of a peer that is there already, without flushing by hand */
  ps_peer_table_set_blocked (fixture.table, DEVICE_ADDRESS, "198.51.100.12", 17, 32100, 1003);
  g_assert_cmpstr (_ps_privacy_view_get_blocked_summary (fixture.view), ==,
                   "12 blocked attempts to 2 hosts");
  g_assert_true (wait_for (summary_is_1012, fixture.view, 10000));

  /* at most five hosts by name */
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *address = g_strdup_printf ("203.0.113.%u", 20 + i);

      ps_peer_table_set_blocked (fixture.table, DEVICE_ADDRESS, address, 6, 443, 1);
    }
  _ps_privacy_view_flush (fixture.view);
  g_assert_cmpstr (_ps_privacy_view_get_blocked_summary (fixture.view), ==,
                   "1018 blocked attempts to 8 hosts");
  g_assert_cmpuint (_ps_privacy_view_get_n_blocked_rows (fixture.view), ==, 5);
  g_assert_nonnull (ps_peer_table_lookup (fixture.table, device, "203.0.113.25", 443, 6));

  /* another camera's peers are not this one's */
  ps_privacy_view_set_camera (fixture.view, fixture.device, NULL, NULL, fixture.policy);
  g_assert_cmpstr (_ps_privacy_view_get_blocked_summary (fixture.view), ==, "No blocked attempts");

  fixture_tear_down (&fixture);
}

/* the preview is the nft script of the policy as it is now */
static void
test_preview (void)
{
  Fixture fixture = { 0 };
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  PsEnforcementGroup *group;

  fixture_set_up (&fixture, CAMERA_URI, FALSE);
  group = _ps_privacy_view_get_enforcement_group (fixture.view);
  fixture_show (&fixture, NULL);

  expected = ps_policy_export_nft (fixture.policy, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (_ps_enforcement_group_get_preview (group), ==, expected);

  gtk_widget_activate (GTK_WIDGET (_ps_privacy_view_get_intent_check (fixture.view,
                                                                      PS_INTENT_LOCAL_ONLY)));
  settle (fixture.view);
  g_clear_pointer (&expected, g_free);
  expected = ps_policy_export_nft (fixture.policy, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (_ps_enforcement_group_get_preview (group), ==, expected);
  g_assert_nonnull (strstr (expected, DEVICE_ADDRESS));
  g_assert_true (g_str_has_prefix (_ps_enforcement_group_get_preview (group),
                                   "#!/usr/sbin/nft -f"));

  fixture_tear_down (&fixture);
}

/* where the rules are enforced, and Apply as root */
static void
test_enforcement (void)
{
  Fixture fixture = { 0 };
  PsEnforcementGroup *group;
  GtkWidget *apply;

  /* not root: the helper or an export */
  fixture_set_up (&fixture, CAMERA_URI, FALSE);
  group = _ps_privacy_view_get_enforcement_group (fixture.view);
  apply = _ps_enforcement_group_get_apply_button (group);
  fixture_show (&fixture, NULL);
  g_assert_cmpstr (enforcement (fixture.view), ==, "needs-helper");
  g_assert_cmpstr (_ps_enforcement_group_get_text (group), ==, "Not enforced yet");
  g_assert_false (gtk_widget_get_visible (apply));

  /* a build without nftables */
  use_backend (fixture.view, TRUE, FALSE);
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "unsupported");
  g_assert_false (gtk_widget_get_visible (apply));

  /* root, and nothing in the firewall yet */
  use_backend (fixture.view, TRUE, TRUE);
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "not-enforced");
  g_assert_true (gtk_widget_get_visible (apply));

  gtk_widget_activate (GTK_WIDGET (_ps_privacy_view_get_intent_check (fixture.view,
                                                                      PS_INTENT_BLOCK_VENDOR_P2P)));
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "not-enforced");

  g_assert_true (gtk_widget_activate_action (apply, "enforcement.apply", NULL));
  settle (fixture.view);
  g_assert_cmpuint (fake_applied, ==, 1);
  g_assert_cmpstr (enforcement (fixture.view), ==, "enforced");
  g_assert_cmpstr (_ps_enforcement_group_get_text (group), ==, "Enforced on this computer");
  g_assert_false (gtk_widget_get_visible (apply));

  /* another choice: the firewall has the earlier rules */
  gtk_widget_activate (GTK_WIDGET (_ps_privacy_view_get_intent_check (fixture.view,
                                                                      PS_INTENT_LOCAL_ONLY)));
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "outdated");
  g_assert_true (gtk_widget_get_visible (apply));

  /* the firewall cannot be read */
  g_mutex_lock (&fake_lock);
  fake_live_fails = TRUE;
  g_mutex_unlock (&fake_lock);
  ps_enforcement_group_refresh (group);
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "error");

  fixture_tear_down (&fixture);
}

/* not root: the gateway helper enforces, or says why it cannot */
static void
test_gateway_helper (void)
{
  Fixture fixture = { 0 };
  PsEnforcementGroup *group;
  GtkWidget *apply;
  const char * const *allow = NULL;
  const char *device_id;

  fake_helper_reset ();
  fixture_set_up (&fixture, CAMERA_URI, FALSE);
  device_id = ps_device_get_id (fixture.device);
  group = _ps_privacy_view_get_enforcement_group (fixture.view);
  apply = _ps_enforcement_group_get_apply_button (group);

  /* no helper on the bus: the client's error, then the bus's own */
  fake_helper_fail (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "The name io.github.peerscope.Gateway1 was not provided by any .service "
                    "files");
  use_helper_backend (fixture.view);
  fixture_show (&fixture, NULL);
  g_assert_cmpstr (enforcement (fixture.view), ==, "no-helper");
  g_assert_cmpstr (_ps_enforcement_group_get_text (group), ==,
                   "The gateway helper is not installed");
  g_assert_false (gtk_widget_get_visible (apply));

  fake_helper_fail (G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN, "no such service");
  ps_enforcement_group_refresh (group);
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "no-helper");

  fake_helper_fail (G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER, "no owner");
  ps_enforcement_group_refresh (group);
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "no-helper");

  /* polkit said no */
  fake_helper_fail (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "Not authorized");
  ps_enforcement_group_refresh (group);
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "not-authorised");
  g_assert_cmpstr (_ps_enforcement_group_get_text (group), ==, "Not authorised");
  g_assert_true (gtk_widget_get_visible (apply));

  /* anything else */
  fake_helper_fail (G_IO_ERROR, G_IO_ERROR_FAILED, "the helper broke");
  ps_enforcement_group_refresh (group);
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "error");

  /* the helper enforces nothing yet */
  fake_helper_fail (0, 0, NULL);
  ps_enforcement_group_refresh (group);
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "not-enforced");
  g_assert_cmpstr (_ps_enforcement_group_get_text (group), ==, "Not enforced yet");
  g_assert_true (gtk_widget_get_visible (apply));

  /* an allow list: the helper gets the names' addresses too */
  gtk_widget_activate (GTK_WIDGET (_ps_privacy_view_get_intent_check (fixture.view,
                                                                      PS_INTENT_ALLOW_LIST)));
  add_allowed (&fixture, "api.vendor.example");
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "not-enforced");

  g_assert_true (gtk_widget_activate_action (apply, "enforcement.apply", NULL));
  settle (fixture.view);
  g_assert_cmpuint (fake_helper_applied, ==, 1);
  g_assert_cmpuint (fake_applied, ==, 0);
  g_assert_nonnull (fake_helper_policy);
  g_assert_true (ps_policy_get_device (fake_helper_policy, device_id, NULL, NULL, NULL, &allow));
  g_assert_nonnull (allow);
  g_assert_true (g_strv_contains (allow, "api.vendor.example"));
  g_assert_true (g_strv_contains (allow, "203.0.113.7"));
  g_assert_cmpstr (enforcement (fixture.view), ==, "enforced");
  g_assert_cmpstr (_ps_enforcement_group_get_text (group), ==,
                   "Enforced on the gateway helper’s computer");
  g_assert_false (gtk_widget_get_visible (apply));

  /* checked again, the helper still has it */
  ps_enforcement_group_refresh (group);
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "enforced");

  /* another choice: the helper has the earlier rules */
  gtk_widget_activate (GTK_WIDGET (_ps_privacy_view_get_intent_check (fixture.view,
                                                                      PS_INTENT_LOCAL_ONLY)));
  settle (fixture.view);
  g_assert_cmpstr (enforcement (fixture.view), ==, "outdated");
  g_assert_true (gtk_widget_get_visible (apply));

  /* applying, polkit says no */
  fake_helper_fail (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "Not authorized");
  g_test_expect_message ("ps-enforcement-group", G_LOG_LEVEL_WARNING,
                         "Cannot apply the policy: Not authorized");
  g_assert_true (gtk_widget_activate_action (apply, "enforcement.apply", NULL));
  settle (fixture.view);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (fake_helper_applied, ==, 1);
  g_assert_cmpstr (enforcement (fixture.view), ==, "not-authorised");
  g_assert_true (gtk_widget_get_visible (apply));

  /* applying, the helper went away */
  fake_helper_fail (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no helper");
  g_test_expect_message ("ps-enforcement-group", G_LOG_LEVEL_WARNING,
                         "Cannot apply the policy: no helper");
  g_assert_true (gtk_widget_activate_action (apply, "enforcement.apply", NULL));
  settle (fixture.view);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (enforcement (fixture.view), ==, "no-helper");
  g_assert_false (gtk_widget_get_visible (apply));

  fixture_tear_down (&fixture);
  fake_helper_reset ();
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* "Export…" → "For nftables": the chooser, then the rules in the file */
static void
test_export (void)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  g_test_skip ("the export goes through GtkFileDialog, which a test cannot answer");
#else
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-privacy-view-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFile) chosen = NULL;
  PsEnforcementGroup *group;
  GObject *dialog;

  g_assert_no_error (error);
  fixture_set_up (&fixture, CAMERA_URI, FALSE);
  group = _ps_privacy_view_get_enforcement_group (fixture.view);
  fixture_show (&fixture, NULL);
  gtk_widget_activate (GTK_WIDGET (_ps_privacy_view_get_intent_check (fixture.view,
                                                                      PS_INTENT_LOCAL_ONLY)));
  settle (fixture.view);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (group), "enforcement.export", "s", "nft"));
  dialog = _ps_enforcement_group_get_export_dialog (group);
  g_assert_true (GTK_IS_FILE_CHOOSER_NATIVE (dialog));
  g_assert_true (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog))
                 == GTK_FILE_CHOOSER_ACTION_SAVE);

  /* the chooser loads the folder before it takes a file */
  spin (300);
  folder = g_file_new_for_path (dir);
  chosen = g_file_get_child (folder, "peerscope.nft");
  g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), chosen, &error));
  g_assert_no_error (error);
  spin (300);
  path = g_file_get_path (chosen);
  g_signal_emit_by_name (dialog, "response", GTK_RESPONSE_ACCEPT);
  g_assert_null (_ps_enforcement_group_get_export_dialog (group));

  g_assert_true (wait_for (file_exists, path, 10000));
  settle (fixture.view);
  spin (100);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  expected = ps_policy_export_nft (fixture.policy, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, expected);

  /* cancelling writes nothing */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (group), "enforcement.export", "s",
                                             "openwrt"));
  dialog = _ps_enforcement_group_get_export_dialog (group);
  g_assert_nonnull (dialog);
  spin (300);
  g_signal_emit_by_name (dialog, "response", GTK_RESPONSE_CANCEL);
  g_assert_null (_ps_enforcement_group_get_export_dialog (group));
  spin (100);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  fixture_tear_down (&fixture);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
#endif
}

/* the device's HTTP root, and only on its own host */
static void
test_http_base (void)
{
  g_autoptr(PsDevice) onvif = ps_device_new ("A", "http://10.99.1.11:8080/onvif/device_service");
  g_autoptr(PsDevice) rtsp = ps_device_new ("B", CAMERA_URI);
  g_autoptr(PsDevice) v6 = ps_device_new ("C", "http://[2001:db8::5]/onvif/device_service");
  g_autofree char *a = ps_camera_p2p_group_http_base (onvif);
  g_autofree char *b = ps_camera_p2p_group_http_base (rtsp);
  g_autofree char *c = ps_camera_p2p_group_http_base (v6);

  g_assert_cmpstr (a, ==, "http://10.99.1.11:8080");
  g_assert_null (b);
  g_assert_cmpstr (c, ==, "http://[2001:db8::5]:80");
}

#ifdef PS_TEST_HAVE_EMULATOR
static gboolean
p2p_state_is (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (_ps_camera_p2p_group_get_state (args[0]), args[1]) == 0;
}

static gboolean
wait_state (PsCameraP2pGroup *group,
            const char       *state)
{
  gpointer args[] = { group, (gpointer) state };

  return wait_for (p2p_state_is, args, 60000);
}

static gboolean
p2p_verdict_is (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (_ps_camera_p2p_group_get_verdict (args[0]), args[1]) == 0;
}

static gboolean
wait_verdict (PsCameraP2pGroup *group,
              const char       *verdict)
{
  gpointer args[] = { group, (gpointer) verdict };

  return wait_for (p2p_verdict_is, args, 60000);
}

typedef struct
{
  gboolean done;
  gboolean enabled;
  GError  *error;
} Get;

static void
on_get_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Get *get = user_data;

  ps_foscam_client_get_finish (PS_FOSCAM_CLIENT (object), result, &get->enabled, &get->error);
  get->done = TRUE;
}

static gboolean
get_done (gpointer data)
{
  return ((Get *) data)->done;
}

/* what the camera itself says now */
static gboolean
camera_switch_enabled (const char     *onvif,
                       PsFoscamSwitch  which)
{
  g_autoptr(PsFoscamClient) client = NULL;
  g_autoptr(GError) error = NULL;
  Get get = { FALSE, FALSE, NULL };

  client = ps_foscam_client_new (onvif, USER, PASSWORD, &error);
  g_assert_no_error (error);
  ps_foscam_client_get_async (client, which, NULL, on_get_cb, &get);
  g_assert_true (wait_for (get_done, &get, 10000));
  g_assert_no_error (get.error);

  return get.enabled;
}

static gboolean
camera_p2p_enabled (const char *onvif)
{
  return camera_switch_enabled (onvif, PS_FOSCAM_SWITCH_P2P);
}

static gboolean
upnp_state_is (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (_ps_camera_upnp_row_get_state (args[0]), args[1]) == 0;
}

static gboolean
wait_upnp_state (PsCameraUpnpRow *row,
                 const char      *state)
{
  gpointer args[] = { row, (gpointer) state };

  return wait_for (upnp_state_is, args, 60000);
}
#endif

/* the camera's own switch, through the emulator's CGI, and whether it keeps its word */
static void
test_p2p_switch (void)
{
#ifndef PS_TEST_HAVE_EMULATOR
  g_test_skip ("this build has no camera emulator");
#else
  g_autoptr(PsTestEmulator) emu = NULL;
  Fixture fixture = { 0 };
  PsCameraP2pGroup *group;
  PsCameraUpnpRow *upnp;
  GtkSwitch *sw;
  GtkSwitch *upnp_sw;
  const char *device;
  gint64 now_ms;

  if (g_getenv ("PS_EMULATOR") == NULL)
    {
      g_test_skip ("PS_EMULATOR is not set");
      return;
    }

  emu = ps_test_emulator_start ("--user", USER, "--password", PASSWORD, NULL);
  fixture_set_up (&fixture, emu->onvif, FALSE);
  device = ps_device_get_id (fixture.device);
  group = _ps_privacy_view_get_p2p_group (fixture.view);
  sw = _ps_camera_p2p_group_get_switch (group);
  upnp = _ps_camera_p2p_group_get_upnp_row (group);
  upnp_sw = _ps_camera_upnp_row_get_switch (upnp);
  _ps_camera_p2p_group_set_watch_ms (group, 1500);

  /* no user name: nothing to ask with */
  fixture_show (&fixture, PASSWORD);
  g_assert_cmpstr (_ps_camera_p2p_group_get_state (group), ==, "hidden");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (group)));

  /* the wrong password says so */
  ps_device_set_username (fixture.device, USER);
  ps_privacy_view_set_camera (fixture.view, fixture.device, "wrong", NULL, fixture.policy);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (group)));
  g_assert_true (wait_state (group, "error"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (sw)));
  /* and the UPnP switch is not asked the same in vain */
  g_assert_cmpstr (_ps_camera_upnp_row_get_state (upnp), ==, "hidden");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (upnp)));

  /* the right one shows the camera's switch: on, as it ships */
  fixture_show (&fixture, PASSWORD);
  g_assert_true (wait_state (group, "on"));
  g_assert_true (gtk_switch_get_active (sw));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (sw)));
  g_assert_cmpstr (_ps_camera_p2p_group_get_verdict (group), ==, "none");

  /* then its UPnP switch: on, as it ships */
  g_assert_true (wait_upnp_state (upnp, "on"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (upnp)));
  g_assert_true (gtk_switch_get_active (upnp_sw));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (upnp_sw)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (upnp)), ==,
                   "On: the camera may open ports on your router to the internet");

  /* UPnP off: the camera has it, and P2P stays as it was */
  gtk_switch_set_active (upnp_sw, FALSE);
  g_assert_cmpstr (_ps_camera_upnp_row_get_state (upnp), ==, "loading");
  g_assert_true (gtk_switch_get_state (upnp_sw));
  g_assert_true (wait_upnp_state (upnp, "off"));
  g_assert_false (gtk_switch_get_state (upnp_sw));
  g_assert_false (camera_switch_enabled (emu->onvif, PS_FOSCAM_SWITCH_UPNP));
  g_assert_true (camera_p2p_enabled (emu->onvif));
  g_assert_cmpstr (_ps_camera_p2p_group_get_state (group), ==, "on");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (upnp)), ==,
                   "Off, says the camera");

  /* asked again (the camera page shown anew), the camera still says off */
  fixture_show (&fixture, PASSWORD);
  g_assert_true (wait_state (group, "on"));
  g_assert_true (wait_upnp_state (upnp, "off"));
  g_assert_false (gtk_switch_get_active (upnp_sw));

  /* and on again */
  gtk_switch_set_active (upnp_sw, TRUE);
  g_assert_true (wait_upnp_state (upnp, "on"));
  g_assert_true (camera_switch_enabled (emu->onvif, PS_FOSCAM_SWITCH_UPNP));

  /* off: the camera has it, and the watch begins */
  gtk_switch_set_active (sw, FALSE);
  g_assert_true (wait_state (group, "off"));
  g_assert_false (gtk_switch_get_state (sw));
  g_assert_false (camera_p2p_enabled (emu->onvif));
  g_assert_cmpstr (_ps_camera_p2p_group_get_verdict (group), ==, "watching");

  /* what was in flight is no evidence; a P2P server reached later is */
  now_ms = g_get_real_time () / 1000;
  add_peer (fixture.table, device, "198.51.100.11", 32100, now_ms, PS_PEER_KIND_P2P_SUPERNODE);
  add_peer (fixture.table, device, "192.0.2.10", 443, now_ms + 60000, PS_PEER_KIND_VENDOR_CLOUD);
  _ps_privacy_view_flush (fixture.view);
  g_assert_cmpstr (_ps_camera_p2p_group_get_verdict (group), ==, "watching");

  /* quiet for the watch: it obeys */
  g_assert_true (wait_verdict (group, "honoured"));
  g_assert_cmpstr (_ps_camera_p2p_group_get_message (group), ==,
                   "No P2P traffic since you turned it off.");

  /* and then live: it talks to two P2P servers after all */
  add_peer (fixture.table, device, "198.51.100.12", 32100, now_ms + 6000,
            PS_PEER_KIND_P2P_SUPERNODE);
  add_peer (fixture.table, device, "198.51.100.13", 10001, now_ms + 9000,
            PS_PEER_KIND_P2P_SUPERNODE);
  g_assert_true (wait_verdict (group, "ignored"));
  g_assert_cmpstr (_ps_camera_p2p_group_get_message (group), ==,
                   "This camera ignores its own P2P setting: it still talked to 2 P2P servers "
                   "since you turned it off.");

  /* on again: nothing to watch */
  gtk_switch_set_active (sw, TRUE);
  g_assert_true (wait_state (group, "on"));
  g_assert_true (camera_p2p_enabled (emu->onvif));
  g_assert_cmpstr (_ps_camera_p2p_group_get_verdict (group), ==, "none");

  fixture_tear_down (&fixture);
#endif
}

static void
on_request_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  (*(guint *) user_data)++;
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static gboolean
state_is_unsupported (gpointer data)
{
  return g_strcmp0 (_ps_camera_p2p_group_get_state (data), "unsupported") == 0;
}

/* a camera whose web server has no such CGI */
static void
test_p2p_unsupported (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  Fixture fixture = { 0 };
  PsCameraP2pGroup *group;
  GSList *uris;
  guint requests = 0;

  soup_server_add_handler (server, NULL, on_request_cb, &requests, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  uri = g_strdup_printf ("http://127.0.0.1:%d/onvif/device_service", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  fixture_set_up (&fixture, uri, FALSE);
  group = _ps_privacy_view_get_p2p_group (fixture.view);
  ps_device_set_username (fixture.device, USER);

  /* nothing goes to the camera while the view is hidden (another page of the camera) */
  gtk_widget_set_visible (GTK_WIDGET (fixture.view), FALSE);
  fixture_show (&fixture, PASSWORD);
  spin (300);
  g_assert_cmpuint (requests, ==, 0);
  g_assert_cmpstr (_ps_camera_p2p_group_get_state (group), ==, "loading");

  gtk_widget_set_visible (GTK_WIDGET (fixture.view), TRUE);
  g_assert_true (wait_for (state_is_unsupported, group, 60000));
  g_assert_cmpuint (requests, ==, 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (group)));
  g_assert_cmpstr (_ps_camera_p2p_group_get_message (group), ==,
                   "This camera has no P2P switch Peerscope can reach");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_ps_camera_p2p_group_get_switch (group))));
  /* no CGI at all: nobody asks for UPnP either */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_ps_camera_p2p_group_get_upnp_row (group))));
  spin (300);
  g_assert_cmpuint (requests, ==, 1);

  fixture_tear_down (&fixture);
  soup_server_disconnect (server);
}

/* the camera page has the Privacy view, and its "Show Connections" goes there */
static void
test_camera_page (void)
{
  GtkWidget *window = gtk_window_new ();
  PsCameraPage *page = g_object_new (PS_TYPE_CAMERA_PAGE, NULL);
  AdwViewStack *stack = ps_camera_page_get_stack (page);
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  GtkWidget *view;
  GtkWidget *button;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));

  view = find_first (GTK_WIDGET (page), PS_TYPE_PRIVACY_VIEW);
  g_assert_nonnull (view);
  /* this machine's firewall stays out of it */
  use_backend (PS_PRIVACY_VIEW (view), FALSE, TRUE);
  ps_camera_page_set_policy (page, policy);
  ps_camera_page_set_view (page, "privacy");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "privacy");
  g_assert_true (ps_privacy_view_get_policy (PS_PRIVACY_VIEW (view)) == policy);
  g_assert_null (ps_privacy_view_get_device (PS_PRIVACY_VIEW (view)));

  button = find_button (view, "Every host this camera talks to, with what was blocked");
  g_assert_nonnull (button);
  wait_frames (window, 2);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "connections");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- screenshots ----------------------------------------------------------------------- */

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
  const char *dir = g_getenv ("PS_PRIVACY_VIEW_SCREENSHOT_DIR");
  g_autoptr(GdkTexture) texture = NULL;

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
scroll_to (PsPrivacyView *view,
           gboolean       end)
{
  GtkScrolledWindow *scroller;
  GtkAdjustment *adjustment;

  scroller = GTK_SCROLLED_WINDOW (find_first (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW));
  adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  gtk_adjustment_set_value (adjustment, end ? gtk_adjustment_get_upper (adjustment)
                                            - gtk_adjustment_get_page_size (adjustment)
                                            : 0);
}

static void
save_both (GtkWidget     *window,
           PsPrivacyView *view,
           const char    *name)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);
  g_autofree char *end = g_strconcat (name, "-end", NULL);
  g_autofree char *end_dark = g_strconcat (name, "-end-dark", NULL);

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  scroll_to (view, FALSE);
  save_render (window, name);
  scroll_to (view, TRUE);
  save_render (window, end);
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  scroll_to (view, FALSE);
  save_render (window, dark);
  scroll_to (view, TRUE);
  save_render (window, end_dark);
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
  scroll_to (view, FALSE);
}

/* A camera that phones home, blocked from P2P, as root with the rules not applied yet */
static void
test_render (void)
{
  Fixture fixture = { 0 };
  const char *device;
  gint64 now_ms = g_get_real_time () / 1000;
  const char *uri = CAMERA_URI;
#ifdef PS_TEST_HAVE_EMULATOR
  g_autoptr(PsTestEmulator) emu = NULL;
  PsCameraP2pGroup *group = NULL;

  if (g_getenv ("PS_EMULATOR") != NULL)
    {
      emu = ps_test_emulator_start ("--user", USER, "--password", PASSWORD, NULL);
      uri = emu->onvif;
    }
#endif

  fixture_set_up (&fixture, uri, TRUE);
  /* the camera page's action, as in the app */
  {
    g_autoptr(GSimpleActionGroup) actions = g_simple_action_group_new ();
    g_autoptr(GSimpleAction) show = g_simple_action_new ("show-connections", NULL);

    g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (show));
    gtk_widget_insert_action_group (fixture.window, "camera", G_ACTION_GROUP (actions));
  }
  gtk_window_set_resizable (GTK_WINDOW (fixture.window), FALSE);
  gtk_window_set_decorated (GTK_WINDOW (fixture.window), FALSE);
  device = ps_device_get_id (fixture.device);
  ps_device_set_username (fixture.device, USER);
  load_style ();

  /* the rules need the camera's address: the emulator's is loopback, the picture's the LAN */
  g_assert_true (ps_policy_set_device (fixture.policy, device, "a4:da:32:1c:07:5e",
                                       (const char * const[]) { DEVICE_ADDRESS, NULL },
                                       PS_INTENT_OPEN, NULL, NULL));
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *address = g_strdup_printf ("198.51.100.%u", 11 + i * 7);

      add_peer (fixture.table, device, address, 32100, now_ms - 1000 * i,
                PS_PEER_KIND_P2P_SUPERNODE);
      ps_peer_table_set_blocked (fixture.table, DEVICE_ADDRESS, address, 17, 32100, 214 - i * 17);
    }
  add_peer (fixture.table, device, "192.0.2.10", 443, now_ms, PS_PEER_KIND_VENDOR_CLOUD);
  fixture_show (&fixture, PASSWORD);

  gtk_widget_activate (GTK_WIDGET (_ps_privacy_view_get_intent_check (fixture.view,
                                                                      PS_INTENT_BLOCK_VENDOR_P2P)));
  settle (fixture.view);
  _ps_privacy_view_flush (fixture.view);

#ifdef PS_TEST_HAVE_EMULATOR
  if (emu != NULL)
    {
      group = _ps_privacy_view_get_p2p_group (fixture.view);
      g_assert_true (wait_state (group, "on"));
      gtk_switch_set_active (_ps_camera_p2p_group_get_switch (group), FALSE);
      g_assert_true (wait_state (group, "off"));
      g_assert_true (wait_upnp_state (_ps_camera_p2p_group_get_upnp_row (group), "on"));
      for (guint i = 0; i < 4; i++)
        {
          g_autofree char *address = g_strdup_printf ("198.51.100.%u", 11 + i * 7);

          add_peer (fixture.table, device, address, 32100, now_ms + 8000 + i * 1000,
                    PS_PEER_KIND_P2P_SUPERNODE);
        }
      g_assert_true (wait_verdict (group, "ignored"));
    }
#endif

  save_both (fixture.window, fixture.view, "privacy-view");

  /* the rules, and the evidence */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (find_expander (GTK_WIDGET (fixture.view),
                                                                  "Preview the rules")), TRUE);
#ifdef PS_TEST_HAVE_EMULATOR
  if (emu != NULL)
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (find_expander (GTK_WIDGET (group), NULL)),
                                   TRUE);
#endif
  save_both (fixture.window, fixture.view, "privacy-view-expanded");

  /* an allow list, on a desktop without root, with a typo */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (find_expander (GTK_WIDGET (fixture.view),
                                                                  "Preview the rules")), FALSE);
  use_backend (fixture.view, FALSE, TRUE);
  gtk_widget_activate (GTK_WIDGET (_ps_privacy_view_get_intent_check (fixture.view,
                                                                      PS_INTENT_ALLOW_LIST)));
  add_allowed (&fixture, "192.0.2.10");
  add_allowed (&fixture, "api.vendor.example");
  add_allowed (&fixture, "firmware.vendor..example");
  settle (fixture.view);
  save_both (fixture.window, fixture.view, "privacy-view-allow");

  fixture_tear_down (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/privacy-view/intents", test_intents);
  g_test_add_func ("/privacy-view/no-address", test_no_address);
  g_test_add_func ("/privacy-view/allow-list", test_allow_list);
  g_test_add_func ("/privacy-view/blocked", test_blocked);
  g_test_add_func ("/privacy-view/preview", test_preview);
  g_test_add_func ("/privacy-view/enforcement", test_enforcement);
  g_test_add_func ("/privacy-view/gateway-helper", test_gateway_helper);
  g_test_add_func ("/privacy-view/export", test_export);
  g_test_add_func ("/privacy-view/http-base", test_http_base);
  g_test_add_func ("/privacy-view/p2p-switch", test_p2p_switch);
  g_test_add_func ("/privacy-view/p2p-unsupported", test_p2p_unsupported);
  g_test_add_func ("/privacy-view/camera-page", test_camera_page);
  g_test_add_func ("/privacy-view/render", test_render);

  return g_test_run ();
}
