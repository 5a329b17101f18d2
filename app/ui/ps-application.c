/* ps-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-application"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#ifdef G_OS_UNIX
#include <unistd.h>
#endif

#include "ps-application.h"
#include "ps-demo.h"
#include "ps-peer-monitor.h"
#include "ps-policy-store.h"
#include "ps-preferences-window.h"
#include "ps-saved-cameras.h"
#include "ps-viewer-stream.h"
#include "ps-window.h"

#define SCREENSHOT_DEADLINE_S 60
#define SETTLE_MS             1500
#define CAPTURE_INTERVAL_MS   700
#define FIND_MS               4500
#define GOODBYE_WAIT_MS       2000

struct _PsApplication
{
  AdwApplication  parent_instance;

  gboolean        demo;
  int             demo_cameras;
  int             open_camera;    /* 1-based, 0 = stay on the grid */
  gboolean        camera_opened;
  gboolean        find;           /* open Find Cameras */
  gboolean        find_opened;
  char          **screenshots;
  char          **flow_sources;   /* from the command line, over the settings */
  char           *camera_view;    /* "live", "connections" or "privacy" */
  guint           next_screenshot;
  JsonNode       *report;
  int             exit_status;

  PsDemo         *demo_runner;
  PsPeerMonitor  *monitor;
  PsPolicy       *policy;         /* what each camera may reach */
  char           *policy_path;    /* NULL: not saved (the demo) */
  gboolean        policy_saving;  /* one write at a time, the newest last */
  gboolean        policy_dirty;
  GSettings      *settings;       /* NULL when the schema is not installed */
  PsWindow       *window;
  GtkWindow      *preferences;    /* while it is open */
  guint           screenshot_id;
  gint64          screenshot_start;
  gint64          all_playing_since;
};

G_DEFINE_FINAL_TYPE (PsApplication, ps_application, ADW_TYPE_APPLICATION)

static void
fail (PsApplication *self,
      const char    *message)
{
  g_printerr ("peerscope: %s\n", message);
  self->exit_status = 1;
  g_application_quit (G_APPLICATION (self));
}

static void
on_demo_camera_ready_cb (PsApplication *self,
                         PsDevice      *device,
                         const char    *password)
{
  if (self->window != NULL)
    ps_window_add_camera (self->window, device, password, FALSE);
}

static void
on_demo_failed_cb (PsApplication *self,
                   const char    *message)
{
  if (self->screenshots != NULL)
    fail (self, message);
  else if (self->window != NULL)
    ps_window_show_error (self->window, message);
}

static void
on_peer_alert_cb (PsApplication *self,
                  const char    *device,
                  int            kind,
                  PsPeer        *peer)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;
  const char *title = NULL;
  const char *where;

  if (self->settings != NULL && !g_settings_get_boolean (self->settings, "alerts"))
    return;

  where = ps_peer_get_hostname (peer) != NULL ? ps_peer_get_hostname (peer)
                                              : ps_peer_get_address_string (peer);
  switch (kind)
    {
    case PS_PEER_ALERT_P2P_SERVER:
      title = _("A camera contacted a P2P server");
      /* Translators: %s is a host name or address */
      body = g_strdup_printf (_("It sent traffic to %s, a vendor P2P server."), where);
      break;
    case PS_PEER_ALERT_NEW_COUNTRY:
      title = _("A camera reached a new country");
      /* Translators: the first %s is a country, the second a host name or address */
      body = g_strdup_printf (_("It talked to %2$s in %1$s for the first time."),
                              ps_peer_get_country_name (peer) != NULL
                              ? ps_peer_get_country_name (peer) : ps_peer_get_country (peer),
                              where);
      break;
    case PS_PEER_ALERT_NEW_NETWORK:
      title = _("A camera reached a new network");
      /* Translators: the first %s is a network's owner, the second a host name or address */
      body = g_strdup_printf (_("It talked to %2$s on %1$s for the first time."),
                              ps_peer_get_org (peer) != NULL ? ps_peer_get_org (peer) : "?", where);
      break;
    default:
      return;
    }

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, kind == PS_PEER_ALERT_P2P_SERVER
                                             ? G_NOTIFICATION_PRIORITY_HIGH
                                             : G_NOTIFICATION_PRIORITY_NORMAL);
  /* one notification per camera and kind: the newest replaces the last */
  id = g_strdup_printf ("peers-%s-%d", device, kind);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
add_flow_sources (PsApplication *self,
                  char         **sources)
{
  for (guint i = 0; sources != NULL && sources[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (ps_peer_monitor_add_source (self->monitor, sources[i], &error) == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("Cannot read traffic from “%s”: %s"),
                                                      sources[i], error->message);

          g_warning ("%s", message);
          if (self->window != NULL)
            ps_window_show_error (self->window, message);
        }
    }
}

/* The preferences changed where traffic comes from: start over. */
static void
on_flow_sources_changed_cb (PsApplication *self)
{
  g_auto(GStrv) sources = g_settings_get_strv (self->settings, "flow-sources");

  ps_peer_monitor_stop_sources (self->monitor);
  add_flow_sources (self, sources);
}

static void
ps_application_start_monitor (PsApplication *self)
{
  g_auto(GStrv) from_settings = NULL;
  g_auto(GStrv) rules = NULL;
  g_auto(GStrv) databases = NULL;
  char **sources = self->flow_sources;
  guint days = 0;

  self->monitor = ps_peer_monitor_new ();
  if (self->settings != NULL)
    {
      from_settings = g_settings_get_strv (self->settings, "flow-sources");
      rules = g_settings_get_strv (self->settings, "p2p-rules");
      databases = g_settings_get_strv (self->settings, "geoip-databases");
      days = g_settings_get_uint (self->settings, "history-days");
    }
  if (sources == NULL)
    sources = from_settings;

  for (guint i = 0; rules != NULL && rules[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      PsPeerEnricher *enricher = ps_peer_monitor_get_enricher (self->monitor);

      if (!ps_peer_classifier_add_rule (ps_peer_enricher_get_classifier (enricher), rules[i], &error))
        g_warning ("%s", error->message);
    }
  for (guint i = 0; databases != NULL && databases[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      PsPeerEnricher *enricher = ps_peer_monitor_get_enricher (self->monitor);

      if (!ps_geoip_add_database (ps_peer_enricher_get_geoip (enricher), databases[i], &error))
        g_warning ("%s", error->message);
    }
  ps_geoip_add_default_databases (ps_peer_enricher_get_geoip (ps_peer_monitor_get_enricher (self->monitor)));

  if (self->settings != NULL)
    {
      g_auto(GStrv) dns_logs = g_settings_get_strv (self->settings, "dns-logs");

      for (guint i = 0; dns_logs[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;

          if (!ps_peer_monitor_add_dns_log (self->monitor, dns_logs[i], &error))
            g_warning ("%s", error->message);
        }
    }

  /* the demo's cameras are new every time: no history for them */
  if (!self->demo)
    ps_peer_monitor_enable_history (self->monitor, NULL, days);

  /* the demo's cameras are new on every run: their "first time" is no news */
  if (!self->demo)
    g_signal_connect_object (ps_peer_monitor_get_alerts (self->monitor), "alert",
                             G_CALLBACK (on_peer_alert_cb), self, G_CONNECT_SWAPPED);

  add_flow_sources (self, sources);

  /* sources given on the command line stay; those from the preferences follow them */
  if (self->settings != NULL && self->flow_sources == NULL)
    g_signal_connect_object (self->settings, "changed::flow-sources",
                             G_CALLBACK (on_flow_sources_changed_cb), self, G_CONNECT_SWAPPED);
}

/* The policy: the system's for root (what peerscope-cli and the gateway helper use), else
 * the user's.  The demo's cameras are new every time: it keeps its rules in memory. */
static void
ps_application_load_policy (PsApplication *self)
{
  g_autoptr(GError) error = NULL;

  if (!self->demo)
    {
#ifdef G_OS_UNIX
      self->policy_path = ps_policy_store_default_path (geteuid () == 0);
#else
      self->policy_path = ps_policy_store_default_path (FALSE);
#endif
      self->policy = ps_policy_store_load (self->policy_path, &error);
    }
  if (self->policy == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_autofree char *message = NULL;

          /* Translators: %s says why */
          message = g_strdup_printf (_("Cannot read the privacy rules: %s"), error->message);
          g_warning ("%s", message);
          if (self->window != NULL)
            ps_window_show_error (self->window, message);
          /* a broken file stays as it is until the user changes a rule */
        }
      self->policy = ps_policy_new ();
    }
}

static void save_policy (PsApplication *self);

static void
on_policy_saved_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PsApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  self->policy_saving = FALSE;
  if (!ps_policy_store_save_finish (result, &error))
    {
      g_autofree char *message = NULL;

      /* Translators: %s says why */
      message = g_strdup_printf (_("Cannot save the privacy rules: %s"), error->message);
      g_warning ("%s", message);
      if (self->window != NULL)
        ps_window_show_error (self->window, message);
    }

  if (self->policy_dirty)
    save_policy (self);
}

/* Durable and on a worker thread; a change while a write is on its way is written next. */
static void
save_policy (PsApplication *self)
{
  if (self->policy_path == NULL)
    return;
  if (self->policy_saving)
    {
      self->policy_dirty = TRUE;
      return;
    }

  self->policy_saving = TRUE;
  self->policy_dirty = FALSE;
  ps_policy_store_save_async (self->policy, self->policy_path, NULL, on_policy_saved_cb,
                              g_object_ref (self));
}

/* Headless demo and UI tests: wait for every camera to play, then capture. */
static gboolean
screenshot_tick_cb (gpointer user_data)
{
  PsApplication *self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_monotonic_time ();
  guint n_cameras = 0;
  guint playing;
  const char *path;

  playing = ps_window_count_playing (self->window, &n_cameras);

  if (self->next_screenshot == 0)
    {
      if (n_cameras < (guint) self->demo_cameras || playing < n_cameras)
        {
          self->all_playing_since = 0;
          if (now - self->screenshot_start > SCREENSHOT_DEADLINE_S * G_USEC_PER_SEC)
            {
              g_autofree char *message = NULL;

              g_autoptr(JsonNode) cameras = ps_window_describe (self->window);
              g_autofree char *states = json_to_string (cameras, FALSE);

              message = g_strdup_printf ("only %u of %d cameras played within %d s: %s", playing,
                                         self->demo_cameras, SCREENSHOT_DEADLINE_S, states);
              self->screenshot_id = 0;
              fail (self, message);
              return G_SOURCE_REMOVE;
            }
          return G_SOURCE_CONTINUE;
        }

      if (self->all_playing_since == 0)
        self->all_playing_since = now;
      if (self->find && !self->find_opened)
        {
          self->find_opened = gtk_widget_activate_action (GTK_WIDGET (self->window),
                                                          "win.find-cameras", NULL);
          self->all_playing_since = now;
        }
      if (self->find_opened && now - self->all_playing_since < FIND_MS * 1000)
        return G_SOURCE_CONTINUE;
      if (self->open_camera > 0 && !self->camera_opened)
        {
          self->camera_opened = ps_window_open_camera (self->window,
                                                       (guint) self->open_camera - 1,
                                                       self->camera_view);
          self->all_playing_since = now;   /* let the main stream start too */
        }
      if (now - self->all_playing_since < SETTLE_MS * 1000)
        return G_SOURCE_CONTINUE;
    }

  path = self->screenshots[self->next_screenshot];
  if (!ps_window_save_png (self->window, path, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
        return G_SOURCE_CONTINUE;

      self->screenshot_id = 0;
      fail (self, error->message);
      return G_SOURCE_REMOVE;
    }

  if (self->report == NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "cameras");
      json_builder_add_value (builder, ps_window_describe (self->window));
      json_builder_set_member_name (builder, "screenshots");
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      self->report = json_builder_get_root (builder);
    }

  {
    JsonObject *root = json_node_get_object (self->report);
    JsonArray *shots = json_object_get_array_member (root, "screenshots");
    JsonObject *shot = json_object_new ();

    json_object_set_string_member (shot, "path", path);
    json_object_set_int_member (shot, "time_us", g_get_real_time ());
    json_array_add_object_element (shots, shot);
  }

  self->next_screenshot++;
  if (self->screenshots[self->next_screenshot] != NULL)
    {
      self->screenshot_id = g_timeout_add (CAPTURE_INTERVAL_MS, screenshot_tick_cb, self);
      return G_SOURCE_REMOVE;
    }

  {
    g_autoptr(JsonGenerator) generator = json_generator_new ();
    g_autofree char *text = NULL;

    json_generator_set_pretty (generator, TRUE);
    json_generator_set_root (generator, self->report);
    text = json_generator_to_data (generator, NULL);
    printf ("%s\n", text);
    fflush (stdout);
  }

  self->screenshot_id = 0;
  g_application_quit (G_APPLICATION (self));

  return G_SOURCE_REMOVE;
}

static void
ps_application_activate (GApplication *app)
{
  PsApplication *self = PS_APPLICATION (app);

  if (self->window == NULL)
    {
      self->window = ps_window_new (ADW_APPLICATION (self));
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      if (self->monitor == NULL)
        ps_application_start_monitor (self);
      ps_window_set_monitor (self->window, self->monitor);
      if (self->policy == NULL)
        ps_application_load_policy (self);
      ps_window_set_policy (self->window, self->policy);
      ps_window_set_policy_store (self->window, self->policy_path);
      g_signal_connect_object (self->window, "policy-changed", G_CALLBACK (save_policy), self,
                               G_CONNECT_SWAPPED);

      if (self->demo)
        {
          self->demo_runner = ps_demo_new ();
          g_signal_connect_object (self->demo_runner, "camera-ready",
                                   G_CALLBACK (on_demo_camera_ready_cb), self,
                                   G_CONNECT_SWAPPED);
          g_signal_connect_object (self->demo_runner, "failed",
                                   G_CALLBACK (on_demo_failed_cb), self, G_CONNECT_SWAPPED);
          ps_demo_start (self->demo_runner, (guint) self->demo_cameras);
          {
            g_autoptr(GStrvBuilder) targets = g_strv_builder_new ();
            g_auto(GStrv) strv = NULL;

            /* the demo finds its own cameras, on loopback, never the LAN */
            for (int i = 0; i < self->demo_cameras; i++)
              g_strv_builder_add (targets, ps_demo_camera_address ((guint) i));
            strv = g_strv_builder_end (targets);
            ps_window_set_scan_targets (self->window, (const char * const *) strv);
          }
        }
      else
        ps_window_load_saved (self->window);

      if (self->screenshots != NULL && self->screenshots[0] != NULL)
        {
          self->screenshot_start = g_get_monotonic_time ();
          self->screenshot_id = g_timeout_add (100, screenshot_tick_cb, self);
        }
    }

  gtk_window_present (GTK_WINDOW (self->window));
}

static int
ps_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  PsApplication *self = PS_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      printf ("peerscope %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "demo", "b", &self->demo);
  g_variant_dict_lookup (options, "demo-cameras", "i", &self->demo_cameras);
  g_variant_dict_lookup (options, "screenshot", "^aay", &self->screenshots);
  g_variant_dict_lookup (options, "open-camera", "i", &self->open_camera);
  g_variant_dict_lookup (options, "find", "b", &self->find);
  g_variant_dict_lookup (options, "flow-source", "^as", &self->flow_sources);
  g_variant_dict_lookup (options, "camera-view", "s", &self->camera_view);
  if (self->camera_view != NULL && g_strcmp0 (self->camera_view, "live") != 0
      && g_strcmp0 (self->camera_view, "connections") != 0
      && g_strcmp0 (self->camera_view, "privacy") != 0)
    {
      g_printerr ("peerscope: --camera-view must be live, connections or privacy\n");
      return 2;
    }

  if (self->demo_cameras < 1 || self->demo_cameras > 4)
    {
      g_printerr ("peerscope: --demo-cameras must be between 1 and 4\n");
      return 2;
    }
  if (self->screenshots != NULL && !self->demo)
    {
      g_printerr ("peerscope: --screenshot needs --demo\n");
      return 2;
    }

  return -1;
}

static void
on_history_saved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ps_peer_history_save_finish (PS_PEER_HISTORY (object), result, &error))
    g_warning ("%s", error->message);
  *(gboolean *) user_data = TRUE;
}

static gboolean
on_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
ps_application_shutdown (GApplication *app)
{
  PsApplication *self = PS_APPLICATION (app);

  g_clear_handle_id (&self->screenshot_id, g_source_remove);
  if (self->demo_runner != NULL)
    ps_demo_stop (self->demo_runner);
  if (self->monitor != NULL)
    {
      ps_peer_monitor_stop_sources (self->monitor);
      /* the last minute of history; a quick local write */
      if (ps_peer_monitor_get_history (self->monitor) != NULL)
        {
          gboolean done = FALSE;

          ps_peer_history_save_async (ps_peer_monitor_get_history (self->monitor), NULL,
                                      on_history_saved_cb, &done);
          while (!done)
            g_main_context_iteration (NULL, TRUE);
        }
    }
  /* the last change of the rules reaches the disk */
  while (self->policy_saving)
    g_main_context_iteration (NULL, TRUE);

  /* the windows go now, so that their streams say goodbye (a WHEP endpoint
   * frees its session) before the process does; at most GOODBYE_WAIT_MS */
  {
    GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
    gint64 deadline = g_get_monotonic_time () + GOODBYE_WAIT_MS * 1000;

    for (GList *l = windows; l != NULL; l = l->next)
      gtk_window_destroy (l->data);
    g_list_free (windows);
    while (ps_viewer_stream_get_n_closing () > 0 && g_get_monotonic_time () < deadline)
      {
        guint tick = g_timeout_add (10, on_tick_cb, NULL);

        g_main_context_iteration (NULL, TRUE);
        g_source_remove (tick);
      }
  }

  G_APPLICATION_CLASS (ps_application_parent_class)->shutdown (app);
}

static void
ps_application_finalize (GObject *object)
{
  PsApplication *self = (PsApplication *) object;

  g_clear_object (&self->demo_runner);
  g_clear_object (&self->monitor);
  g_clear_object (&self->policy);
  g_free (self->policy_path);
  g_clear_object (&self->settings);
  g_strfreev (self->screenshots);
  g_strfreev (self->flow_sources);
  g_free (self->camera_view);
  g_clear_pointer (&self->report, json_node_unref);

  G_OBJECT_CLASS (ps_application_parent_class)->finalize (object);
}

static void
ps_application_class_init (PsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ps_application_finalize;
  app_class->activate = ps_application_activate;
  app_class->handle_local_options = ps_application_handle_local_options;
  app_class->shutdown = ps_application_shutdown;
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  PsApplication *self = user_data;
  const char *developers[] = { "The Peerscope developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", self->window,
                        "application-icon", APP_ID,
                        "application-name", _("Peerscope"),
                        "developer-name", _("The Peerscope developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Watch your cameras and see who they talk to"),
                        "website", "https://github.com/peerscope/peerscope",
                        "issue-url", "https://github.com/peerscope/peerscope/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: put your name here */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  PsApplication *self = user_data;

  if (self->settings == NULL)
    {
      if (self->window != NULL)
        ps_window_show_error (self->window,
                              _("Preferences cannot be saved: the settings schema is not installed"));
      return;
    }

  if (self->preferences == NULL)
    {
      self->preferences = GTK_WINDOW (ps_preferences_window_new (GTK_WINDOW (self->window),
                                                                 self->settings, self->monitor));
      g_object_add_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
    }
  gtk_window_present (self->preferences);
}

/* "Set Up…" in the add-camera dialog: Preferences, at the P2P account */
static void
p2p_account_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  PsApplication *self = user_data;

  preferences_action (action, parameter, user_data);
  if (self->preferences != NULL)
    adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (self->preferences),
                                                  "p2p-account");
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
ps_application_init (PsApplication *self)
{
  const GActionEntry actions[] = {
    { "about", about_action },
    { "preferences", preferences_action },
    { "p2p-account", p2p_account_action },
    { "quit", quit_action },
  };
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *help_accels[] = { "<Control>question", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };
  const GOptionEntry options[] = {
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Start with emulated cameras on this computer"), NULL },
    { "demo-cameras", 0, 0, G_OPTION_ARG_INT, NULL,
      N_("How many emulated cameras to start (1–4, default 2)"), "N" },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL,
      N_("With --demo: once every camera plays, save the window to FILE and quit "
         "(repeat for several captures)"), "FILE" },
    { "open-camera", 0, 0, G_OPTION_ARG_INT, NULL,
      N_("With --screenshot: open the page of camera N (from 1) before the capture"), "N" },
    { "find", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("With --screenshot: show Find Cameras before the capture"), NULL },
    { "camera-view", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("With --open-camera: show its live, connections or privacy view"), N_("VIEW") },
    { "flow-source", 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL,
      N_("Read traffic from conntrack or ipfix:[ADDR:]PORT instead of the preferences (repeatable)"),
      N_("SOURCE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version"), NULL },
    { NULL }
  };

  self->demo_cameras = 2;
  self->settings = ps_saved_cameras_settings ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay",
                                         help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

PsApplication *
ps_application_new (gboolean unique)
{
  return g_object_new (PS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", "/io/github/peerscope/Peerscope",
                       "flags", unique ? G_APPLICATION_DEFAULT_FLAGS : G_APPLICATION_NON_UNIQUE,
                       NULL);
}

int
ps_application_exit_status (PsApplication *self)
{
  g_return_val_if_fail (PS_IS_APPLICATION (self), 1);
  return self->exit_status;
}
