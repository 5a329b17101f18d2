/* ps-camera-p2p-group.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The switch follows the camera: a change goes to the camera first (GtkSwitch's delayed
 * state), and the switch moves once the camera confirms it.  When the user turns P2P off
 * here, the time T is kept: a grace period later the blocked-attempt counters are noted,
 * and from then on every change of the peers asks ps_p2p_setting_find_offenders() whether
 * the camera reached a P2P server since.  The "no P2P traffic" verdict waits for the
 * watch period; evidence of the opposite shows as soon as there is some.
 */

#define G_LOG_DOMAIN "ps-camera-p2p-group"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-camera-p2p-group-private.h"
#include "ps-camera-upnp-row.h"
#include "ps-connections-columns.h"
#include "ps-foscam-client.h"
#include "ps-p2p-setting-check.h"
#include "ps-peer-watch.h"
#include "ps-peer.h"

#define PEERS_DELAY_MS   250
#define MAX_EVIDENCE     50     /* rows under the warning */
#define MAX_IN_SUBTITLE  3      /* addresses named in its subtitle */

typedef enum {
  STATE_HIDDEN,
  STATE_LOADING,
  STATE_ON,
  STATE_OFF,
  STATE_UNSUPPORTED,
  STATE_ERROR,
} State;

typedef enum {
  VERDICT_NONE,
  VERDICT_WATCHING,
  VERDICT_IGNORED,
  VERDICT_HONOURED,
} Verdict;

struct _PsCameraP2pGroup
{
  AdwPreferencesGroup  parent_instance;

  AdwActionRow        *switch_row;
  GtkSwitch           *p2p_switch;
  GtkSpinner          *spinner;
  GtkWidget           *retry_button;
  PsCameraUpnpRow     *upnp_row;
  AdwActionRow        *verdict_row;
  GtkImage            *verdict_icon;
  GtkSpinner          *verdict_spinner;
  AdwExpanderRow      *evidence_row;
  GtkWidget           *block_button;
  GPtrArray           *evidence;         /* the rows under evidence_row */

  PsDevice            *device;
  char                *base;
  PsFoscamClient      *client;
  GCancellable        *cancellable;      /* the camera's requests; new per camera */
  GListModel          *peers;
  PsPeerWatch         *watch;

  State                state;
  Verdict              verdict;
  gboolean             blocking;
  gboolean             updating;         /* the code, not the user, moves the switch */
  gboolean             query_pending;    /* the camera is asked once the group shows */
  gint64               off_ms;           /* when the user turned P2P off here; 0 if not */
  GHashTable          *blocked_before;   /* the counters a grace period after off_ms */
  guint                grace_id;
  guint                watch_id;
  guint                watch_ms;
  gboolean             watch_done;
};

G_DEFINE_FINAL_TYPE (PsCameraP2pGroup, ps_camera_p2p_group, ADW_TYPE_PREFERENCES_GROUP)

static void update_verdict (PsCameraP2pGroup *self);
static void query          (PsCameraP2pGroup *self);

/* ---- the camera's address -------------------------------------------------------------- */

static char *
base_of (const char *text,
         const char *host)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  int port;

  if (text == NULL)
    return NULL;
  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;
  scheme = g_uri_get_scheme (uri);
  if (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    return NULL;
  /* only ever the camera itself */
  if (host != NULL && g_ascii_strcasecmp (g_uri_get_host (uri), host) != 0)
    return NULL;

  port = g_uri_get_port (uri);
  if (port <= 0)
    port = g_str_equal (scheme, "https") ? 443 : 80;
  return g_strdup_printf (strchr (g_uri_get_host (uri), ':') != NULL ? "%s://[%s]:%d"
                                                                     : "%s://%s:%d",
                          scheme, g_uri_get_host (uri), port);
}

/**
 * ps_camera_p2p_group_http_base:
 * @device: a camera
 *
 * Returns: (transfer full) (nullable): "http://HOST:PORT" of its ONVIF (HTTP) service: its
 *   address when that is an HTTP URL, else the first ONVIF address on the same host
 */
char *
ps_camera_p2p_group_http_base (PsDevice *device)
{
  g_autofree char *host = NULL;
  const char * const *xaddrs;
  char *base;

  g_return_val_if_fail (PS_IS_DEVICE (device), NULL);

  host = ps_device_dup_host (device);
  if ((base = base_of (ps_device_get_uri (device), host)) != NULL)
    return base;

  xaddrs = ps_device_get_xaddrs (device);
  for (guint i = 0; xaddrs != NULL && xaddrs[i] != NULL; i++)
    if ((base = base_of (xaddrs[i], host)) != NULL)
      return base;

  return NULL;
}

/* ---- the switch ------------------------------------------------------------------------ */

static void
set_row_message (PsCameraP2pGroup *self,
                 const char       *title,
                 const char       *subtitle)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->switch_row), title);
  adw_action_row_set_subtitle (self->switch_row, subtitle != NULL ? subtitle : "");
}

static void
set_state (PsCameraP2pGroup *self,
           State             state,
           const char       *message)
{
  const char *title = _("P2P in the camera’s settings");
  const char *subtitle = NULL;

  self->state = state;

  gtk_widget_set_visible (GTK_WIDGET (self), state != STATE_HIDDEN);
  gtk_spinner_set_spinning (self->spinner, state == STATE_LOADING);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), state == STATE_LOADING);
  gtk_widget_set_visible (self->retry_button, state == STATE_ERROR);
  gtk_widget_set_visible (GTK_WIDGET (self->p2p_switch), state != STATE_UNSUPPORTED);
  gtk_widget_set_sensitive (GTK_WIDGET (self->p2p_switch), state == STATE_ON || state == STATE_OFF);

  switch (state)
    {
    case STATE_LOADING:
      subtitle = _("Asking the camera…");
      break;
    case STATE_ON:
      subtitle = _("On: the camera may register with its vendor’s P2P servers");
      break;
    case STATE_OFF:
      subtitle = _("Off, says the camera");
      break;
    case STATE_UNSUPPORTED:
      title = _("This camera has no P2P switch Peerscope can reach");
      subtitle = _("The rules above can still stop its P2P traffic");
      break;
    case STATE_ERROR:
      subtitle = message;
      break;
    case STATE_HIDDEN:
    default:
      break;
    }

  set_row_message (self, title, subtitle);
}

static void
show_switch (PsCameraP2pGroup *self,
             gboolean          enabled)
{
  self->updating = TRUE;
  gtk_switch_set_active (self->p2p_switch, enabled);
  gtk_switch_set_state (self->p2p_switch, enabled);
  self->updating = FALSE;

  set_state (self, enabled ? STATE_ON : STATE_OFF, NULL);
}

static void
show_error (PsCameraP2pGroup *self,
            const GError     *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    set_state (self, STATE_UNSUPPORTED, NULL);
  else
    set_state (self, STATE_ERROR, error->message);
}

static void
on_get_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PsCameraP2pGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean enabled = FALSE;

  if (!ps_foscam_client_get_finish (PS_FOSCAM_CLIENT (object), result, &enabled, &error))
    {
      /* cancelled: another camera, or the group went away */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || PS_FOSCAM_CLIENT (object) != self->client)
        return;
      g_debug ("P2P switch of %s: %s", self->base, error->message);
      show_error (self, error);
      /* it would say the same */
      ps_camera_upnp_row_set_client (self->upnp_row, NULL);
      return;
    }
  if (PS_FOSCAM_CLIENT (object) != self->client)
    return;

  show_switch (self, enabled);
  /* a camera that answers for one switch has the other too, mostly */
  ps_camera_upnp_row_set_client (self->upnp_row, self->client);
}

static void
query (PsCameraP2pGroup *self)
{
  g_assert (self->client != NULL);

  set_state (self, STATE_LOADING, NULL);
  /* nothing goes to the camera while nobody looks */
  self->query_pending = !gtk_widget_get_mapped (GTK_WIDGET (self));
  if (self->query_pending)
    return;

  ps_foscam_client_get_async (self->client, PS_FOSCAM_SWITCH_P2P, self->cancellable,
                              on_get_cb, g_object_ref (self));
}

/* ---- watching the camera --------------------------------------------------------------- */

static void
stop_watch (PsCameraP2pGroup *self)
{
  self->off_ms = 0;
  self->watch_done = FALSE;
  g_clear_handle_id (&self->grace_id, g_source_remove);
  g_clear_handle_id (&self->watch_id, g_source_remove);
  g_clear_pointer (&self->blocked_before, g_hash_table_unref);
  update_verdict (self);
}

static gboolean
on_grace_over_cb (gpointer user_data)
{
  PsCameraP2pGroup *self = user_data;

  self->grace_id = 0;
  /* attempts counted from here on are the camera's own, not what was in flight */
  if (self->peers != NULL)
    self->blocked_before = ps_p2p_setting_count_blocked (self->peers);
  update_verdict (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_watch_over_cb (gpointer user_data)
{
  PsCameraP2pGroup *self = user_data;

  self->watch_id = 0;
  self->watch_done = TRUE;
  update_verdict (self);

  return G_SOURCE_REMOVE;
}

static void
start_watch (PsCameraP2pGroup *self,
             gint64            off_ms)
{
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 grace_left = off_ms + PS_P2P_SETTING_GRACE_MS - now_ms;
  gint64 watch_left = off_ms + self->watch_ms - now_ms;

  stop_watch (self);
  self->off_ms = off_ms;

  if (grace_left > 0)
    self->grace_id = g_timeout_add ((guint) grace_left, on_grace_over_cb, self);
  else
    on_grace_over_cb (self);

  if (watch_left > 0)
    self->watch_id = g_timeout_add ((guint) watch_left, on_watch_over_cb, self);
  else
    self->watch_done = TRUE;

  update_verdict (self);
}

static void
on_set_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PsCameraP2pGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean enabled;

  if (!ps_foscam_client_set_finish (PS_FOSCAM_CLIENT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || PS_FOSCAM_CLIENT (object) != self->client)
        return;

      g_debug ("Setting the P2P switch of %s: %s", self->base, error->message);
      /* the switch goes back to what the camera has */
      self->updating = TRUE;
      gtk_switch_set_active (self->p2p_switch, gtk_switch_get_state (self->p2p_switch));
      self->updating = FALSE;
      show_error (self, error);
      return;
    }
  if (PS_FOSCAM_CLIENT (object) != self->client)
    return;

  enabled = gtk_switch_get_active (self->p2p_switch);
  show_switch (self, enabled);
  if (enabled)
    stop_watch (self);
  else
    start_watch (self, g_get_real_time () / 1000);
}

static gboolean
on_switch_state_set_cb (PsCameraP2pGroup *self,
                        gboolean          enabled)
{
  if (self->updating || self->client == NULL)
    return FALSE;

  /* the switch moves once the camera has it */
  set_state (self, STATE_LOADING, NULL);
  adw_action_row_set_subtitle (self->switch_row, enabled ? _("Turning P2P on…")
                                                         : _("Turning P2P off…"));
  ps_foscam_client_set_async (self->client, PS_FOSCAM_SWITCH_P2P, enabled, self->cancellable,
                              on_set_cb, g_object_ref (self));
  return TRUE;
}

static void
on_retry_clicked_cb (PsCameraP2pGroup *self)
{
  if (self->client != NULL)
    query (self);
}

/* ---- the verdict ----------------------------------------------------------------------- */

static void
clear_evidence (PsCameraP2pGroup *self)
{
  for (guint i = 0; i < self->evidence->len; i++)
    adw_expander_row_remove (self->evidence_row, g_ptr_array_index (self->evidence, i));
  g_ptr_array_set_size (self->evidence, 0);
}

static char *
peer_title (PsPeer *peer)
{
  const char *name = ps_peer_get_hostname (peer);

  if (name == NULL)
    name = ps_peer_get_dns_name (peer);
  if (name != NULL)
    /* Translators: a host name and its address */
    return g_strdup_printf (_("%s (%s)"), name, ps_peer_get_address_string (peer));
  return g_strdup (ps_peer_get_address_string (peer));
}

static void
show_evidence (PsCameraP2pGroup *self,
               GPtrArray        *offenders)
{
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autoptr(GString) tooltip = g_string_new (NULL);
  g_autofree char *title = NULL;
  gint64 now_ms = g_get_real_time () / 1000;
  guint n = offenders->len;

  /* Translators: shown when the camera still contacts P2P servers after its own P2P setting
   * was turned off; %u is how many */
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "This camera ignores its own P2P setting: it still "
                                        "talked to %u P2P server since you turned it off.",
                                        "This camera ignores its own P2P setting: it still "
                                        "talked to %u P2P servers since you turned it off.", n),
                           n);

  for (guint i = 0; i < n; i++)
    {
      PsPeer *peer = g_ptr_array_index (offenders, i);
      g_autofree char *endpoint = ps_connections_columns_endpoint (peer);

      if (i < MAX_IN_SUBTITLE)
        g_string_append_printf (subtitle, "%s%s", i > 0 ? ", " : "",
                                ps_peer_get_address_string (peer));
      g_string_append_printf (tooltip, "%s%s", i > 0 ? "\n" : "", endpoint);
    }
  if (n > MAX_IN_SUBTITLE)
    {
      g_autofree char *shown = g_string_free (g_steal_pointer (&subtitle), FALSE);

      subtitle = g_string_new (NULL);
      g_string_printf (subtitle,
                       /* Translators: the first %s lists a few addresses, %u is how many more
                        * there are, e.g. "198.51.100.11, 198.51.100.18 and 9 more" */
                       g_dngettext (GETTEXT_PACKAGE, "%s and %u more", "%s and %u more",
                                    n - MAX_IN_SUBTITLE),
                       shown, n - MAX_IN_SUBTITLE);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->evidence_row), title);
  adw_expander_row_set_subtitle (self->evidence_row, subtitle->str);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->evidence_row), tooltip->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->evidence_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip->str, -1);

  clear_evidence (self);
  for (guint i = 0; i < n && i < MAX_EVIDENCE; i++)
    {
      PsPeer *peer = g_ptr_array_index (offenders, i);
      g_autofree char *row_title = peer_title (peer);
      g_autofree char *row_subtitle = NULL;
      g_autofree char *when = ps_connections_columns_relative_time (ps_peer_get_last_seen (peer),
                                                                     now_ms);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *label = gtk_label_new (when);
      guint64 blocked = ps_peer_get_blocked_attempts (peer);

      if (blocked > 0)
        {
          g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, blocked);

          /* Translators: a P2P server's port and protocol, and how often the firewall
           * stopped the camera, e.g. "32100/udp, 14 blocked" */
          row_subtitle = g_strdup_printf (_("%u/%s, %s blocked"), ps_peer_get_port (peer),
                                          ps_peer_get_protocol_name (peer), count);
        }
      else
        row_subtitle = g_strdup_printf ("%u/%s", ps_peer_get_port (peer),
                                        ps_peer_get_protocol_name (peer));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), row_title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), row_subtitle);
      /* when the camera last reached it */
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "numeric");
      gtk_widget_set_tooltip_text (label, _("Last contact"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      adw_expander_row_add_row (self->evidence_row, row);
      g_ptr_array_add (self->evidence, row);
    }
}

static void
update_verdict (PsCameraP2pGroup *self)
{
  g_autoptr(GPtrArray) offenders = NULL;
  Verdict verdict = VERDICT_NONE;

  if (self->off_ms != 0)
    {
      if (self->peers != NULL)
        offenders = ps_p2p_setting_find_offenders (self->peers, self->off_ms,
                                                   self->blocked_before);

      if (offenders != NULL && offenders->len > 0)
        verdict = VERDICT_IGNORED;
      else if (!self->watch_done)
        verdict = VERDICT_WATCHING;
      else
        verdict = VERDICT_HONOURED;
    }

  self->verdict = verdict;
  gtk_widget_set_visible (GTK_WIDGET (self->verdict_row),
                          verdict == VERDICT_WATCHING || verdict == VERDICT_HONOURED);
  gtk_widget_set_visible (GTK_WIDGET (self->evidence_row), verdict == VERDICT_IGNORED);
  gtk_spinner_set_spinning (self->verdict_spinner, verdict == VERDICT_WATCHING);
  gtk_widget_set_visible (GTK_WIDGET (self->verdict_spinner), verdict == VERDICT_WATCHING);
  gtk_widget_set_visible (GTK_WIDGET (self->verdict_icon), verdict == VERDICT_HONOURED);
  gtk_widget_set_visible (self->block_button, verdict == VERDICT_IGNORED && !self->blocking);

  switch (verdict)
    {
    case VERDICT_WATCHING:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->verdict_row),
                                     _("Watching the camera’s traffic…"));
      adw_action_row_set_subtitle (self->verdict_row,
                                   _("Peerscope tells you within 30 seconds whether it still "
                                     "contacts P2P servers"));
      break;

    case VERDICT_HONOURED:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->verdict_row),
                                     _("No P2P traffic since you turned it off."));
      adw_action_row_set_subtitle (self->verdict_row,
                                   self->peers == NULL
                                   || g_list_model_get_n_items (self->peers) == 0
                                   ? _("But Peerscope has seen no traffic of this camera at all: "
                                       "check the flow sources in Preferences")
                                   : _("Peerscope keeps watching"));
      break;

    case VERDICT_IGNORED:
      show_evidence (self, offenders);
      break;

    case VERDICT_NONE:
    default:
      clear_evidence (self);
      break;
    }
}

static void
on_peers_changed_cb (gpointer user_data)
{
  PsCameraP2pGroup *self = user_data;

  if (self->off_ms != 0)
    update_verdict (self);
}

/* ---- object ---------------------------------------------------------------------------- */

static void
ps_camera_p2p_group_map (GtkWidget *widget)
{
  PsCameraP2pGroup *self = PS_CAMERA_P2P_GROUP (widget);

  GTK_WIDGET_CLASS (ps_camera_p2p_group_parent_class)->map (widget);

  if (self->query_pending && self->client != NULL)
    query (self);
}

static void
ps_camera_p2p_group_dispose (GObject *object)
{
  PsCameraP2pGroup *self = (PsCameraP2pGroup *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->grace_id, g_source_remove);
  g_clear_handle_id (&self->watch_id, g_source_remove);
  g_clear_pointer (&self->watch, ps_peer_watch_free);
  g_clear_pointer (&self->blocked_before, g_hash_table_unref);
  g_clear_object (&self->peers);
  g_clear_object (&self->client);
  g_clear_object (&self->device);

  G_OBJECT_CLASS (ps_camera_p2p_group_parent_class)->dispose (object);
}

static void
ps_camera_p2p_group_finalize (GObject *object)
{
  PsCameraP2pGroup *self = (PsCameraP2pGroup *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->evidence, g_ptr_array_unref);
  g_free (self->base);

  G_OBJECT_CLASS (ps_camera_p2p_group_parent_class)->finalize (object);
}

static void
ps_camera_p2p_group_class_init (PsCameraP2pGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_camera_p2p_group_dispose;
  object_class->finalize = ps_camera_p2p_group_finalize;

  widget_class->map = ps_camera_p2p_group_map;

  g_type_ensure (PS_TYPE_CAMERA_UPNP_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-camera-p2p-group.ui");
  gtk_widget_class_bind_template_child (widget_class, PsCameraP2pGroup, switch_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraP2pGroup, p2p_switch);
  gtk_widget_class_bind_template_child (widget_class, PsCameraP2pGroup, spinner);
  gtk_widget_class_bind_template_child (widget_class, PsCameraP2pGroup, retry_button);
  gtk_widget_class_bind_template_child (widget_class, PsCameraP2pGroup, upnp_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraP2pGroup, verdict_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraP2pGroup, verdict_icon);
  gtk_widget_class_bind_template_child (widget_class, PsCameraP2pGroup, verdict_spinner);
  gtk_widget_class_bind_template_child (widget_class, PsCameraP2pGroup, evidence_row);
  gtk_widget_class_bind_template_child (widget_class, PsCameraP2pGroup, block_button);
}

static void
ps_camera_p2p_group_init (PsCameraP2pGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->evidence = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->watch_ms = PS_P2P_SETTING_WATCH_MS;

  g_signal_connect_object (self->p2p_switch, "state-set", G_CALLBACK (on_switch_state_set_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->retry_button, "clicked", G_CALLBACK (on_retry_clicked_cb),
                           self, G_CONNECT_SWAPPED);

  set_state (self, STATE_HIDDEN, NULL);
  update_verdict (self);
}

PsCameraP2pGroup *
ps_camera_p2p_group_new (void)
{
  return g_object_new (PS_TYPE_CAMERA_P2P_GROUP, NULL);
}

/**
 * ps_camera_p2p_group_set_camera:
 * @self: a group
 * @device: (nullable): the camera
 * @password: (nullable): its password
 *
 * Asks @device for its P2P switch, when it has an HTTP address and a user name; hides the
 * group otherwise.
 */
void
ps_camera_p2p_group_set_camera (PsCameraP2pGroup *self,
                                PsDevice         *device,
                                const char       *password)
{
  g_autoptr(GError) error = NULL;
  const char *username;

  g_return_if_fail (PS_IS_CAMERA_P2P_GROUP (self));
  g_return_if_fail (device == NULL || PS_IS_DEVICE (device));

  /* the requests of the camera before go nowhere */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->client);
  g_clear_pointer (&self->base, g_free);
  self->query_pending = FALSE;
  g_set_object (&self->device, device);
  ps_camera_upnp_row_set_client (self->upnp_row, NULL);
  stop_watch (self);

  username = device != NULL ? ps_device_get_username (device) : NULL;
  if (device != NULL && username != NULL && *username != '\0')
    self->base = ps_camera_p2p_group_http_base (device);
  if (self->base != NULL)
    self->client = ps_foscam_client_new (self->base, username, password, &error);
  if (self->client == NULL)
    {
      if (error != NULL)
        g_debug ("No P2P switch for %s: %s", self->base, error->message);
      set_state (self, STATE_HIDDEN, NULL);
      return;
    }

  query (self);
}

void
ps_camera_p2p_group_set_peers (PsCameraP2pGroup *self,
                               GListModel       *peers)
{
  g_return_if_fail (PS_IS_CAMERA_P2P_GROUP (self));
  g_return_if_fail (peers == NULL || G_IS_LIST_MODEL (peers));

  if (self->peers == peers)
    return;

  g_clear_pointer (&self->watch, ps_peer_watch_free);
  g_set_object (&self->peers, peers);
  if (peers != NULL)
    self->watch = ps_peer_watch_new (peers, NULL, PEERS_DELAY_MS, on_peers_changed_cb, self);

  /* counters of other peers say nothing about these */
  if (self->off_ms != 0)
    {
      g_clear_pointer (&self->blocked_before, g_hash_table_unref);
      if (peers != NULL && self->grace_id == 0)
        self->blocked_before = ps_p2p_setting_count_blocked (peers);
    }
  update_verdict (self);
}

void
ps_camera_p2p_group_set_blocking (PsCameraP2pGroup *self,
                                  gboolean          blocking)
{
  g_return_if_fail (PS_IS_CAMERA_P2P_GROUP (self));

  self->blocking = !!blocking;
  gtk_widget_set_visible (self->block_button, self->verdict == VERDICT_IGNORED && !self->blocking);
}

/* ---- for the tests --------------------------------------------------------------------- */

const char *
_ps_camera_p2p_group_get_state (PsCameraP2pGroup *self)
{
  static const char * const names[] = { "hidden", "loading", "on", "off", "unsupported", "error" };

  g_return_val_if_fail (PS_IS_CAMERA_P2P_GROUP (self), NULL);

  return names[self->state];
}

const char *
_ps_camera_p2p_group_get_verdict (PsCameraP2pGroup *self)
{
  static const char * const names[] = { "none", "watching", "ignored", "honoured" };

  g_return_val_if_fail (PS_IS_CAMERA_P2P_GROUP (self), NULL);

  return names[self->verdict];
}

const char *
_ps_camera_p2p_group_get_message (PsCameraP2pGroup *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_P2P_GROUP (self), NULL);

  switch (self->verdict)
    {
    case VERDICT_IGNORED:
      return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->evidence_row));
    case VERDICT_WATCHING:
    case VERDICT_HONOURED:
      return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->verdict_row));
    case VERDICT_NONE:
    default:
      if (self->state == STATE_UNSUPPORTED)
        return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->switch_row));
      return adw_action_row_get_subtitle (self->switch_row);
    }
}

GtkSwitch *
_ps_camera_p2p_group_get_switch (PsCameraP2pGroup *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_P2P_GROUP (self), NULL);

  return self->p2p_switch;
}

PsCameraUpnpRow *
_ps_camera_p2p_group_get_upnp_row (PsCameraP2pGroup *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_P2P_GROUP (self), NULL);

  return self->upnp_row;
}

void
_ps_camera_p2p_group_set_watch_ms (PsCameraP2pGroup *self,
                                   guint             watch_ms)
{
  g_return_if_fail (PS_IS_CAMERA_P2P_GROUP (self));

  self->watch_ms = watch_ms;
}

void
_ps_camera_p2p_group_watch_since (PsCameraP2pGroup *self,
                                  gint64            off_ms)
{
  g_return_if_fail (PS_IS_CAMERA_P2P_GROUP (self));
  g_return_if_fail (off_ms > 0);

  start_watch (self, off_ms);
}

void
_ps_camera_p2p_group_flush (PsCameraP2pGroup *self)
{
  g_return_if_fail (PS_IS_CAMERA_P2P_GROUP (self));

  if (self->watch != NULL)
    ps_peer_watch_flush (self->watch);
}
