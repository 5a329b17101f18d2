/* ps-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-window"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ps-add-camera-dialog.h"
#include "ps-camera-page.h"
#include "ps-camera-tile.h"
#include "ps-discovery-page.h"
#include "ps-home-overview.h"
#include "ps-onvif-client.h"
#include "ps-peer-monitor.h"
#include "ps-saved-cameras.h"
#include "ps-stream-status.h"
#include "ps-window.h"

struct _PsWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;     /* NULL when the schema is not installed */
  PsStore              *store;        /* NULL when it cannot be opened */
  GPtrArray            *remembered;   /* PsDevice the user added */
  GCancellable         *cancellable;
  GdkPaintable         *capture;      /* created on the first capture request */
  PsPeerMonitor        *monitor;      /* NULL until set */
  guint                 sessions_id;  /* reports our streams as flows */

  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  AdwWindowTitle       *window_title;
  AdwViewSwitcherTitle *camera_title;
  GtkStack             *stack;
  GtkFlowBox           *flowbox;
  PsHomeOverview       *overview;
  PsCameraPage         *camera_page;
  PsDiscoveryPage      *discovery_page;
};

G_DEFINE_FINAL_TYPE (PsWindow, ps_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  POLICY_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GListModel *ps_window_device_peers (PsWindow *self,
                                           PsDevice *device);

static GSettings *
settings_new_if_installed (void)
{
  GSettings *settings = ps_saved_cameras_settings ();

  if (settings == NULL)
    g_warning ("GSettings schema %s is not installed; nothing will be remembered",
               PS_SETTINGS_SCHEMA_ID);

  return settings;
}

static GList *
list_tiles (PsWindow *self)
{
  GList *tiles = NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->flowbox));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *tile = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

      if (PS_IS_CAMERA_TILE (tile))
        tiles = g_list_prepend (tiles, tile);
    }

  return g_list_reverse (tiles);
}

static void
update_title (PsWindow *self)
{
  g_autoptr(GList) tiles = list_tiles (self);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_auto(GStrv) cameras = NULL;
  guint n = g_list_length (tiles);
  g_autofree char *subtitle = NULL;

  if (n > 0)
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u camera", "%u cameras", n), n);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "grid" : "empty");

  for (GList *l = tiles; l != NULL; l = l->next)
    g_strv_builder_add (ids, ps_device_get_id (ps_camera_tile_get_device (l->data)));
  cameras = g_strv_builder_end (ids);
  ps_home_overview_set_cameras (self->overview, (const char * const *) cameras);
}

static void
on_child_activated_cb (PsWindow        *self,
                       GtkFlowBoxChild *child)
{
  PsCameraTile *tile = PS_CAMERA_TILE (gtk_flow_box_child_get_child (child));
  PsDevice *device = ps_camera_tile_get_device (tile);

  adw_view_switcher_title_set_title (self->camera_title, ps_device_get_name (device));
  ps_camera_page_show (self->camera_page, device, ps_camera_tile_get_password (tile));
  ps_camera_page_set_peers (self->camera_page, ps_window_device_peers (self, device));
  adw_leaflet_set_visible_child_name (self->leaflet, "camera");
}

/* A line of the home overview is about one camera: its page, at that view. */
static void
on_open_camera_cb (PsWindow   *self,
                   const char *device,
                   const char *view)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->flowbox));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *tile = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

      if (PS_IS_CAMERA_TILE (tile)
          && g_strcmp0 (ps_device_get_id (ps_camera_tile_get_device (PS_CAMERA_TILE (tile))),
                        device) == 0)
        {
          on_child_activated_cb (self, GTK_FLOW_BOX_CHILD (child));
          ps_camera_page_set_view (self->camera_page, view);
          return;
        }
    }
}

static void
on_leaflet_child_cb (PsWindow *self)
{
  if (g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "cameras") == 0)
    ps_camera_page_stop (self->camera_page);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PsWindow *self = PS_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "cameras");
}

static void
forget_password_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ps_saved_cameras_forget_password_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not remove a camera password from the keyring: %s", error->message);
}

static void
remove_device (PsWindow *self,
               PsDevice *device)
{
  g_autoptr(GList) tiles = list_tiles (self);

  for (GList *l = tiles; l != NULL; l = l->next)
    if (ps_camera_tile_get_device (l->data) == device)
      {
        ps_camera_tile_stop (l->data);
        gtk_flow_box_remove (self->flowbox, gtk_widget_get_parent (l->data));
      }

  if (g_ptr_array_remove (self->remembered, device))
    {
      ps_saved_cameras_forget (self->store, self->settings, self->remembered, device);
      if (ps_device_get_username (device) != NULL)
        ps_saved_cameras_forget_password_async (device, NULL, forget_password_cb, NULL);
    }

  update_title (self);
}

static void
on_remove_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       PsWindow         *self)
{
  g_autoptr(PsDevice) device = NULL;

  if (g_strcmp0 (response, "remove") != 0)
    return;

  device = g_object_ref (ps_camera_page_get_device (self->camera_page));
  adw_leaflet_set_visible_child_name (self->leaflet, "cameras");
  remove_device (self, device);
}

static void
remove_camera_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PsWindow *self = PS_WINDOW (widget);
  PsDevice *device = ps_camera_page_get_device (self->camera_page);
  GtkWidget *dialog;

  if (device == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Remove Camera?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” will no longer be shown, and its password will be "
                                    "removed from your keyring. The camera itself is not "
                                    "changed."),
                                  ps_device_get_name (device));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
store_password_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ps_saved_cameras_store_password_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is why the keyring refused */
      message = g_strdup_printf (_("The password could not be saved in the keyring: %s"),
                                 error->message);
      ps_window_show_error (self, message);
    }
}

static void
back_to_cameras (PsWindow *self)
{
  adw_leaflet_set_visible_child_name (self->leaflet, "cameras");
}

static void
on_camera_added_cb (PsWindow   *self,
                    PsDevice   *device,
                    const char *password)
{
  ps_window_add_camera (self, device, password, TRUE);
}

static void
add_camera_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PsWindow *self = PS_WINDOW (widget);
  PsAddCameraDialog *dialog = ps_add_camera_dialog_new (GTK_WINDOW (self));

  g_signal_connect_object (dialog, "camera-added",
                           G_CALLBACK (on_camera_added_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The Connections view's empty state opens the application's preferences. */
static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "app.preferences", NULL);
}

static void
find_cameras_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PsWindow *self = PS_WINDOW (widget);
  g_autoptr(GList) tiles = list_tiles (self);
  g_autoptr(GStrvBuilder) hosts = g_strv_builder_new ();
  g_auto(GStrv) known = NULL;

  for (GList *l = tiles; l != NULL; l = l->next)
    {
      g_autofree char *host = ps_device_dup_host (ps_camera_tile_get_device (l->data));

      if (host != NULL)
        g_strv_builder_add (hosts, host);
    }
  known = g_strv_builder_end (hosts);
  ps_discovery_page_set_known_hosts (self->discovery_page, (const char * const *) known);

  adw_leaflet_set_visible_child_name (self->leaflet, "discover");
  ps_discovery_page_scan (self->discovery_page);
}

/* Pairing a discovered camera: the add dialog, with its ONVIF address (at
 * the host that answered, never another) or its address filled in. */
static void
on_add_device_cb (PsWindow *self,
                  PsDevice *device)
{
  PsAddCameraDialog *dialog = ps_add_camera_dialog_new (GTK_WINDOW (self));
  const char * const *xaddrs = ps_device_get_xaddrs (device);
  const char * const *addresses = ps_device_get_addresses (device);
  g_autofree char *address = NULL;

  if (xaddrs[0] != NULL && addresses[0] != NULL)
    address = ps_onvif_pin_host (xaddrs[0], addresses[0]);
  else if (addresses[0] != NULL)
    address = g_strdup_printf (strchr (addresses[0], ':') != NULL ? "rtsp://[%s]/" : "rtsp://%s/",
                               addresses[0]);

  ps_add_camera_dialog_prefill (dialog, ps_device_get_name (device), address);
  /* its streams, to pick the one the camera page plays */
  ps_add_camera_dialog_set_device (dialog, device);
  g_signal_connect_object (dialog, "camera-added",
                           G_CALLBACK (on_camera_added_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "camera-added",
                           G_CALLBACK (back_to_cameras), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
ps_window_close_request (GtkWindow *window)
{
  PsWindow *self = PS_WINDOW (window);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized",
                              gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (ps_window_parent_class)->close_request (window);
}

static void
ps_window_dispose (GObject *object)
{
  PsWindow *self = (PsWindow *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->capture);
  g_clear_handle_id (&self->sessions_id, g_source_remove);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->remembered, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), PS_TYPE_WINDOW);

  G_OBJECT_CLASS (ps_window_parent_class)->dispose (object);
}

static void
ps_window_class_init (PsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ps_window_dispose;
  window_class->close_request = ps_window_close_request;

  /**
   * PsWindow::policy-changed:
   * @self: the window
   * @policy: the policy
   *
   * A camera's Privacy view changed the policy: the application saves it.
   */
  signals[POLICY_CHANGED] =
    g_signal_new ("policy-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, PS_TYPE_POLICY);

  g_type_ensure (PS_TYPE_CAMERA_PAGE);
  g_type_ensure (PS_TYPE_DISCOVERY_PAGE);
  g_type_ensure (PS_TYPE_HOME_OVERVIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, camera_title);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, flowbox);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, overview);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, camera_page);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, discovery_page);

  gtk_widget_class_install_action (widget_class, "win.add-camera", NULL, add_camera_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.find-cameras", NULL, find_cameras_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.find-cameras", NULL);
  gtk_widget_class_install_action (widget_class, "win.remove-camera", NULL,
                                   remove_camera_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.add-camera", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
on_policy_changed_cb (PsWindow *self,
                      PsPolicy *policy)
{
  ps_home_overview_policy_changed (self->overview);
  g_signal_emit (self, signals[POLICY_CHANGED], 0, policy);
}

static void
ps_window_init (PsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  adw_view_switcher_title_set_stack (self->camera_title,
                                     ps_camera_page_get_stack (self->camera_page));

  self->remembered = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->settings = settings_new_if_installed ();
  {
    g_autoptr(GError) error = NULL;

    self->store = ps_store_open (NULL, &error);
    if (self->store == NULL)
      g_warning ("Cameras will not be remembered: %s", error->message);
  }

  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
  else
    gtk_window_set_default_size (GTK_WINDOW (self), 1100, 720);

  if (g_str_has_suffix (APP_ID, ".Devel"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  g_signal_connect_object (self->flowbox, "child-activated",
                           G_CALLBACK (on_child_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->discovery_page, "add-device",
                           G_CALLBACK (on_add_device_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->leaflet, "notify::visible-child-name",
                           G_CALLBACK (on_leaflet_child_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->camera_page, "policy-changed",
                           G_CALLBACK (on_policy_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->overview, "open-camera",
                           G_CALLBACK (on_open_camera_cb), self, G_CONNECT_SWAPPED);
  update_title (self);
}

PsWindow *
ps_window_new (AdwApplication *application)
{
  return g_object_new (PS_TYPE_WINDOW, "application", application, NULL);
}

void
ps_window_show_error (PsWindow   *self,
                      const char *message)
{
  AdwToast *toast;

  g_return_if_fail (PS_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static GListModel *
ps_window_device_peers (PsWindow *self,
                        PsDevice *device)
{
  if (self->monitor == NULL)
    return NULL;

  return ps_peer_table_get_device_peers (ps_peer_monitor_get_table (self->monitor),
                                         ps_device_get_id (device));
}

/* The peer table learns the camera, by its address and MAC, so that flows
 * to and from it become its peers. */
static void
ps_window_watch_device (PsWindow     *self,
                        PsDevice     *device,
                        PsCameraTile *tile)
{
  g_autofree char *host = NULL;
  g_autoptr(GError) error = NULL;
  const char *mac;

  if (self->monitor == NULL)
    return;

  host = ps_device_dup_host (device);
  mac = ps_device_get_mac (device);
  if (host != NULL && !g_hostname_is_ip_address (host))
    g_clear_pointer (&host, g_free);
  if ((host != NULL || mac != NULL)
      && !ps_peer_table_add_device (ps_peer_monitor_get_table (self->monitor),
                                    ps_device_get_id (device), host, mac, &error))
    g_debug ("Not watching %s: %s", ps_device_get_name (device), error->message);

  ps_camera_tile_set_peers (tile, ps_window_device_peers (self, device));
}

static void
report_session (PsSessionSource *sessions,
                gpointer         owner,
                PsStream        *stream)
{
  g_autofree char *id = g_strdup_printf ("%p", owner);
  g_autoptr(GUri) uri = NULL;
  const char *text;
  guint64 bytes, packets;
  int port;

  /* a P2P session: the camera's end of the selected ICE pair (a relay's
   * address when the pair is relayed), over UDP */
  if (stream != NULL && g_str_has_prefix (ps_stream_get_uri (stream) ?: "", "p2p:"))
    {
      guint remote_port = 0;
      const char *remote = ps_stream_get_remote_address (stream, &remote_port);

      if (remote == NULL || !g_hostname_is_ip_address (remote))
        {
          ps_session_source_end (sessions, id);
          return;
        }
      ps_stream_get_received (stream, &bytes, &packets);
      ps_session_source_update (sessions, id, remote, (guint16) remote_port, 17, bytes, packets);
      return;
    }

  /* the RTSP session, once an ONVIF address has led to it */
  text = stream != NULL ? ps_stream_get_resolved_uri (stream) : NULL;
  if (text == NULL && stream != NULL)
    text = ps_stream_get_uri (stream);
  uri = text != NULL ? g_uri_parse (text, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "rtsp") != 0
      || g_uri_get_host (uri) == NULL || !g_hostname_is_ip_address (g_uri_get_host (uri)))
    {
      ps_session_source_end (sessions, id);
      return;
    }

  port = g_uri_get_port (uri);
  if (port <= 0)
    port = 554;
  ps_stream_get_received (stream, &bytes, &packets);
  /* RTSP here runs over TCP (interleaved) */
  ps_session_source_update (sessions, id, g_uri_get_host (uri), (guint16) port, 6, bytes, packets);
}

/* Every stream we play is a flow between this computer and the camera. */
static gboolean
ps_window_report_sessions_cb (gpointer user_data)
{
  PsWindow *self = user_data;
  PsSessionSource *sessions = ps_peer_monitor_get_sessions (self->monitor);
  g_autoptr(GList) tiles = list_tiles (self);

  for (GList *l = tiles; l != NULL; l = l->next)
    report_session (sessions, l->data, ps_camera_tile_get_stream (l->data));
  report_session (sessions, self->camera_page, ps_camera_page_get_stream (self->camera_page));

  return G_SOURCE_CONTINUE;
}

void
ps_window_set_monitor (PsWindow      *self,
                       PsPeerMonitor *monitor)
{
  g_autoptr(GList) tiles = NULL;

  g_return_if_fail (PS_IS_WINDOW (self));
  g_return_if_fail (monitor == NULL || PS_IS_PEER_MONITOR (monitor));

  if (!g_set_object (&self->monitor, monitor))
    return;

  /* the cameras are the devices; nobody else on the LAN */
  if (monitor != NULL)
    ps_peer_table_set_auto_devices (ps_peer_monitor_get_table (monitor), FALSE);

  tiles = list_tiles (self);
  for (GList *l = tiles; l != NULL; l = l->next)
    ps_window_watch_device (self, ps_camera_tile_get_device (l->data), l->data);

  ps_home_overview_set_peers (self->overview,
                              monitor != NULL
                              ? ps_peer_table_get_peers (ps_peer_monitor_get_table (monitor))
                              : NULL);

  g_clear_handle_id (&self->sessions_id, g_source_remove);
  if (monitor != NULL)
    self->sessions_id = g_timeout_add_seconds (2, ps_window_report_sessions_cb, self);
}

void
ps_window_set_policy (PsWindow *self,
                      PsPolicy *policy)
{
  g_return_if_fail (PS_IS_WINDOW (self));
  g_return_if_fail (policy == NULL || PS_IS_POLICY (policy));

  ps_camera_page_set_policy (self->camera_page, policy);
  ps_home_overview_set_policy (self->overview, policy);
}

void
ps_window_set_policy_store (PsWindow   *self,
                            const char *path)
{
  g_return_if_fail (PS_IS_WINDOW (self));

  ps_home_overview_set_policy_store (self->overview, path);
}

void
ps_window_add_camera (PsWindow   *self,
                      PsDevice   *device,
                      const char *password,
                      gboolean    remember)
{
  PsCameraTile *tile;

  g_return_if_fail (PS_IS_WINDOW (self));
  g_return_if_fail (PS_IS_DEVICE (device));

  tile = ps_camera_tile_new (device, password);
  gtk_flow_box_append (self->flowbox, GTK_WIDGET (tile));
  ps_window_watch_device (self, device, tile);
  ps_camera_tile_play (tile);
  update_title (self);

  if (!remember || (self->settings == NULL && self->store == NULL))
    return;

  g_ptr_array_add (self->remembered, g_object_ref (device));
  ps_saved_cameras_remember (self->store, self->settings, self->remembered, device);
  if (password != NULL && *password != '\0')
    ps_saved_cameras_store_password_async (device, password, self->cancellable,
                                           store_password_cb, g_object_ref (self));
}

typedef struct
{
  PsWindow *self;
  PsDevice *device;
} Lookup;

static void
lookup_password_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;

  password = ps_saved_cameras_lookup_password_finish (result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (error != NULL)
        g_warning ("Keyring lookup for %s failed: %s",
                   ps_device_get_name (lookup->device), error->message);
      ps_window_add_camera (lookup->self, lookup->device, password, FALSE);
    }

  g_object_unref (lookup->self);
  g_object_unref (lookup->device);
  g_free (lookup);
}

void
ps_window_load_saved (PsWindow *self)
{
  g_autoptr(GPtrArray) devices = NULL;

  g_return_if_fail (PS_IS_WINDOW (self));

  devices = ps_saved_cameras_load_known (self->store, self->settings);
  for (guint i = 0; i < devices->len; i++)
    {
      PsDevice *device = g_ptr_array_index (devices, i);
      Lookup *lookup;

      g_ptr_array_add (self->remembered, g_object_ref (device));
      if (ps_device_get_username (device) == NULL)
        {
          ps_window_add_camera (self, device, NULL, FALSE);
          continue;
        }

      lookup = g_new0 (Lookup, 1);
      lookup->self = g_object_ref (self);
      lookup->device = g_object_ref (device);
      ps_saved_cameras_lookup_password_async (device, self->cancellable,
                                              lookup_password_cb, lookup);
    }
}

void
ps_window_set_scan_targets (PsWindow           *self,
                            const char * const *targets)
{
  g_return_if_fail (PS_IS_WINDOW (self));
  ps_discovery_page_set_targets (self->discovery_page, targets);
}

gboolean
ps_window_open_camera (PsWindow   *self,
                       guint       index,
                       const char *view)
{
  GtkFlowBoxChild *child;

  g_return_val_if_fail (PS_IS_WINDOW (self), FALSE);

  child = gtk_flow_box_get_child_at_index (self->flowbox, (int) index);
  if (child == NULL)
    return FALSE;

  on_child_activated_cb (self, child);
  if (view != NULL)
    ps_camera_page_set_view (self->camera_page, view);
  return TRUE;
}

guint
ps_window_count_playing (PsWindow *self,
                         guint    *n_cameras)
{
  g_autoptr(GList) tiles = list_tiles (self);
  guint playing = 0;

  g_return_val_if_fail (PS_IS_WINDOW (self), 0);

  for (GList *l = tiles; l != NULL; l = l->next)
    if (ps_stream_get_state (ps_camera_tile_get_stream (l->data)) == PS_STREAM_STATE_PLAYING)
      playing++;

  if (n_cameras != NULL)
    *n_cameras = g_list_length (tiles);

  return playing;
}

gboolean
ps_window_save_png (PsWindow    *self,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *tmp = NULL;
  GskRenderer *renderer;
  int width, height;

  g_return_val_if_fail (PS_IS_WINDOW (self), FALSE);

  renderer = gtk_native_get_renderer (GTK_NATIVE (self));
  if (renderer == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           "The window is not on screen yet");
      return FALSE;
    }

  /* A widget paintable holds what the widget drew last: it has content only
   * after the next frame, so the first request asks the caller to retry. */
  if (self->capture == NULL)
    {
      self->capture = gtk_widget_paintable_new (GTK_WIDGET (self));
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }

  /* the paintable covers the window with its shadow and borders */
  width = gdk_paintable_get_intrinsic_width (self->capture);
  height = gdk_paintable_get_intrinsic_height (self->capture);
  if (width <= 0 || height <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           "The window has not been drawn yet");
      return FALSE;
    }

  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (self->capture, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           "The window has not been drawn yet");
      return FALSE;
    }

  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  /* write beside, then rename: a reader never sees half a PNG */
  tmp = g_strconcat (path, ".tmp", NULL);
  if (!gdk_texture_save_to_png (texture, tmp))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Could not rename %s: %s", tmp, g_strerror (errno));
      return FALSE;
    }

  return TRUE;
}

/* Where the video is drawn inside the picture: GtkPicture keeps the aspect
 * ratio and centres the image. */
static void
video_rect (GtkWidget       *picture,
            GtkWidget       *window,
            graphene_rect_t *rect)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (GTK_PICTURE (picture));
  graphene_rect_t bounds;
  graphene_rect_t window_bounds;
  double ratio, w, h;

  if (!gtk_widget_compute_bounds (picture, window, &bounds) ||
      !gtk_widget_compute_bounds (window, window, &window_bounds))
    {
      graphene_rect_init (rect, 0, 0, 0, 0);
      return;
    }

  /* captures start at the window's drawn bounds, shadow included */
  bounds.origin.x -= window_bounds.origin.x;
  bounds.origin.y -= window_bounds.origin.y;

  ratio = paintable != NULL ? gdk_paintable_get_intrinsic_aspect_ratio (paintable) : 0;
  w = bounds.size.width;
  h = bounds.size.height;
  if (ratio > 0 && w / h > ratio)
    w = h * ratio;
  else if (ratio > 0)
    h = w / ratio;

  graphene_rect_init (rect,
                      bounds.origin.x + (bounds.size.width - w) / 2,
                      bounds.origin.y + (bounds.size.height - h) / 2,
                      w, h);
}

JsonNode *
ps_window_describe (PsWindow *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GList) tiles = list_tiles (self);

  g_return_val_if_fail (PS_IS_WINDOW (self), NULL);

  json_builder_begin_array (builder);
  for (GList *l = tiles; l != NULL; l = l->next)
    {
      PsCameraTile *tile = l->data;
      PsStream *stream = ps_camera_tile_get_stream (tile);
      graphene_rect_t rect;
      double p50, p95;

      video_rect (ps_camera_tile_get_picture (tile), GTK_WIDGET (self), &rect);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, ps_device_get_name (ps_camera_tile_get_device (tile)));
      json_builder_set_member_name (builder, "uri");
      json_builder_add_string_value (builder, ps_stream_get_uri (stream));
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, ps_stream_status_css_class (stream));
      if (ps_stream_get_error (stream) != NULL)
        {
          json_builder_set_member_name (builder, "error");
          json_builder_add_string_value (builder, ps_stream_get_error (stream)->message);
        }
      json_builder_set_member_name (builder, "width");
      json_builder_add_int_value (builder, ps_stream_get_width (stream));
      json_builder_set_member_name (builder, "height");
      json_builder_add_int_value (builder, ps_stream_get_height (stream));
      json_builder_set_member_name (builder, "first_frame_ms");
      json_builder_add_double_value (builder, ps_stream_get_first_frame_ms (stream));
      json_builder_set_member_name (builder, "fps");
      json_builder_add_double_value (builder, ps_stream_get_fps (stream));
      if (ps_stream_get_latency (stream, &p50, &p95))
        {
          json_builder_set_member_name (builder, "latency_ms");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "p50");
          json_builder_add_double_value (builder, p50);
          json_builder_set_member_name (builder, "p95");
          json_builder_add_double_value (builder, p95);
          json_builder_end_object (builder);
        }
      json_builder_set_member_name (builder, "peers_summary");
      if (ps_camera_tile_get_summary (tile) != NULL)
        json_builder_add_string_value (builder, ps_camera_tile_get_summary (tile));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "video_rect");
      json_builder_begin_array (builder);
      json_builder_add_double_value (builder, rect.origin.x);
      json_builder_add_double_value (builder, rect.origin.y);
      json_builder_add_double_value (builder, rect.size.width);
      json_builder_add_double_value (builder, rect.size.height);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}
