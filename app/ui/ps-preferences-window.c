/* ps-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-preferences-window"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "ps-conntrack-source.h"
#include "ps-flow-collector.h"
#include "ps-gateway-protocol.h"
#include "ps-gateway-source.h"
#include "ps-geoip.h"
#include "ps-p2p-account-page.h"
#include "ps-peer-classifier.h"
#include "ps-preferences-window.h"

#define DEFAULT_COLLECTOR_PORT 2055
#define STATUS_REFRESH_S       1

enum {
  CREDIT_MAXMIND = 1 << 0,
  CREDIT_DBIP    = 1 << 1,
  CREDIT_IPINFO  = 1 << 2,
};

struct _PsPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  PsPeerMonitor        *monitor;            /* NULL when not given */
  GtkFileChooserNative *chooser;
  GHashTable           *removed_databases;  /* removed here, still open in the monitor */
  GPtrArray            *status_rows;
  GPtrArray            *database_rows;
  GPtrArray            *rule_rows;
  char                 *local_address;      /* where a router reaches us; NULL if unknown */
  guint                 status_id;
  gboolean              syncing;

  GtkSwitch            *gateway_switch;
  AdwActionRow         *conntrack_row;
  GtkSwitch            *conntrack_switch;
  AdwActionRow         *collector_row;
  GtkSwitch            *collector_switch;
  AdwEntryRow          *port_row;
  GtkLabel             *port_error_label;
  AdwPreferencesGroup  *status_group;
  AdwActionRow         *status_empty_row;
  AdwPreferencesGroup  *databases_group;
  GtkWidget            *add_database_button;
  GtkWidget            *geoip_empty_row;
  GtkLabel             *credits_label;
  AdwActionRow         *folder_row;
  AdwPreferencesGroup  *rules_group;
  AdwEntryRow          *rule_row;
  GtkLabel             *rule_error_label;
  GtkSpinButton        *history_spin;
  GtkAdjustment        *history_adjustment;
  GtkLabel             *days_label;
  GtkSwitch            *alerts_switch;
  PsP2pAccountPage     *p2p_account_page;
};

G_DEFINE_FINAL_TYPE (PsPreferencesWindow, ps_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_MONITOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_toast (PsPreferencesWindow *self,
            const char          *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (escaped));
}

/* "~/…" for paths in the home folder */
static char *
display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize len = strlen (home);
  g_autofree char *display = g_filename_display_name (path);

  if (len > 1 && g_str_has_prefix (path, home) && path[len] == G_DIR_SEPARATOR)
    {
      g_autofree char *rest = g_filename_display_name (path + len);

      return g_strconcat ("~", rest, NULL);
    }

  return g_steal_pointer (&display);
}

static void
clear_rows (AdwPreferencesGroup *group,
            GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static GtkWidget *
remove_button_new (const char *accessible_label)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Remove"));
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label,
                                  -1);
  return button;
}

/* Flow sources */

static gboolean
is_collector_spec (const char *spec)
{
  return g_str_has_prefix (spec, "ipfix:") || g_str_has_prefix (spec, "netflow:");
}

static gboolean
is_kind (const char *spec,
         const char *kind)
{
  if (g_str_equal (kind, "ipfix"))
    return is_collector_spec (spec);

  return g_str_equal (spec, kind);
}

static const char *
find_collector_spec (char **sources)
{
  for (guint i = 0; sources[i] != NULL; i++)
    if (is_collector_spec (sources[i]))
      return sources[i];

  return NULL;
}

/* "ipfix:[ADDR:]PORT": ADDR (as written, or NULL) and PORT (0 if unreadable) */
static void
parse_collector_spec (const char  *spec,
                      char       **address,
                      guint       *port)
{
  const char *rest = strchr (spec, ':') + 1;
  const char *colon = strrchr (rest, ':');
  guint64 value = 0;

  *address = colon != NULL ? g_strndup (rest, colon - rest) : NULL;
  if (!g_ascii_string_to_unsigned (colon != NULL ? colon + 1 : rest, 10, 0, G_MAXUINT16,
                                   &value, NULL))
    value = 0;
  *port = (guint) value;
}

/* The sources of one kind become spec, in the place of the first one, or
 * go when spec is NULL. */
static void
set_flow_source (PsPreferencesWindow *self,
                 const char          *kind,
                 const char          *spec)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "flow-sources");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) sources = NULL;
  gboolean placed = FALSE;

  for (guint i = 0; old[i] != NULL; i++)
    {
      if (!is_kind (old[i], kind))
        g_strv_builder_add (builder, old[i]);
      else if (spec != NULL && !placed)
        {
          g_strv_builder_add (builder, spec);
          placed = TRUE;
        }
    }
  if (spec != NULL && !placed)
    g_strv_builder_add (builder, spec);

  sources = g_strv_builder_end (builder);
  if (!g_strv_equal ((const char * const *) old, (const char * const *) sources))
    g_settings_set_strv (self->settings, "flow-sources", (const char * const *) sources);
}

/* The address this computer has on the way out, as a router sees it.  A UDP
 * connect() only picks a route: nothing is sent. */
static char *
guess_local_address (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) target = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  GInetAddress *address;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         NULL);
  if (socket == NULL)
    return NULL;

  target = g_inet_address_new_from_string ("192.0.2.1");
  remote = g_inet_socket_address_new (target, 9);
  if (!g_socket_connect (socket, remote, NULL, NULL))
    return NULL;

  local = g_socket_get_local_address (socket, NULL);
  if (local == NULL || !G_IS_INET_SOCKET_ADDRESS (local))
    return NULL;

  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  if (g_inet_address_get_is_loopback (address) || g_inet_address_get_is_any (address))
    return NULL;

  return g_inet_address_to_string (address);
}

static void
update_collector_subtitle (PsPreferencesWindow *self,
                           const char          *address,
                           guint                port)
{
  g_autofree char *host = NULL;
  g_autofree char *subtitle = NULL;

  if (address != NULL && *address != '\0')
    {
      g_autoptr(GInetAddress) inet = NULL;

      host = g_strdup (address);
      if (host[0] == '[')
        {
          memmove (host, host + 1, strlen (host));
          host[strcspn (host, "]")] = '\0';
        }
      inet = g_inet_address_new_from_string (host);
      if (inet != NULL && g_inet_address_get_is_any (inet))
        g_clear_pointer (&host, g_free);
    }
  if (host == NULL)
    host = g_strdup (self->local_address);

  if (host != NULL)
    /* Translators: %s is this computer's address, %u a UDP port */
    subtitle = g_strdup_printf (_("Set your router to export flows to %s, UDP port %u"),
                                host, port);
  else
    /* Translators: %u is a UDP port */
    subtitle = g_strdup_printf (_("Set your router to export flows to this computer, UDP port %u"),
                                port);
  adw_action_row_set_subtitle (self->collector_row, subtitle);
}

static gboolean
can_use_conntrack (void)
{
  return getuid () == 0 && ps_conntrack_source_is_supported ();
}

static guint
port_from_entry (PsPreferencesWindow *self)
{
  guint64 port;

  if (!g_ascii_string_to_unsigned (gtk_editable_get_text (GTK_EDITABLE (self->port_row)), 10,
                                   1, G_MAXUINT16, &port, NULL))
    return 0;

  return (guint) port;
}

static void
sync_flow_sources (PsPreferencesWindow *self)
{
  g_auto(GStrv) sources = g_settings_get_strv (self->settings, "flow-sources");
  const char *collector = find_collector_spec (sources);
  g_autofree char *address = NULL;
  gboolean conntrack = g_strv_contains ((const char * const *) sources, "conntrack");
  guint port = 0;

  if (collector != NULL)
    parse_collector_spec (collector, &address, &port);

  self->syncing = TRUE;
  gtk_switch_set_active (self->gateway_switch,
                         g_strv_contains ((const char * const *) sources, "gateway"));
  gtk_switch_set_active (self->conntrack_switch, conntrack);
  gtk_switch_set_active (self->collector_switch, collector != NULL);
  if (collector != NULL)
    {
      g_autofree char *text = g_strdup_printf ("%u", port);

      if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (self->port_row))) != 0)
        gtk_editable_set_text (GTK_EDITABLE (self->port_row), text);
    }
  self->syncing = FALSE;

  /* Without root, conntrack can only fail: the gateway helper is the way
   * there.  The row stays while the setting is on, so it can be turned off. */
  gtk_widget_set_visible (GTK_WIDGET (self->conntrack_row), conntrack || can_use_conntrack ());

  if (port == 0)
    port = port_from_entry (self);
  update_collector_subtitle (self, address, port != 0 ? port : DEFAULT_COLLECTOR_PORT);
}

static void
on_gateway_active_cb (PsPreferencesWindow *self)
{
  if (!self->syncing)
    set_flow_source (self, "gateway",
                     gtk_switch_get_active (self->gateway_switch) ? "gateway" : NULL);
}

static void
on_conntrack_active_cb (PsPreferencesWindow *self)
{
  if (!self->syncing)
    set_flow_source (self, "conntrack",
                     gtk_switch_get_active (self->conntrack_switch) ? "conntrack" : NULL);
}

static void
show_port_error (PsPreferencesWindow *self,
                 const char          *message)
{
  gtk_label_set_label (self->port_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->port_error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->port_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->port_row), "error");
}

/* Writes the collector with this port, keeping an address set elsewhere. */
static void
set_collector_port (PsPreferencesWindow *self,
                    guint                port)
{
  g_auto(GStrv) sources = g_settings_get_strv (self->settings, "flow-sources");
  const char *collector = find_collector_spec (sources);
  g_autofree char *address = NULL;
  g_autofree char *spec = NULL;
  guint old_port;

  if (collector != NULL)
    parse_collector_spec (collector, &address, &old_port);

  if (address != NULL)
    spec = g_strdup_printf ("ipfix:%s:%u", address, port);
  else
    spec = g_strdup_printf ("ipfix:%u", port);
  set_flow_source (self, "ipfix", spec);
}

static void
on_collector_active_cb (PsPreferencesWindow *self)
{
  guint port;

  if (self->syncing)
    return;

  if (!gtk_switch_get_active (self->collector_switch))
    {
      set_flow_source (self, "ipfix", NULL);
      return;
    }

  port = port_from_entry (self);
  if (port == 0)
    {
      g_autofree char *text = g_strdup_printf ("%u", DEFAULT_COLLECTOR_PORT);

      port = DEFAULT_COLLECTOR_PORT;
      gtk_editable_set_text (GTK_EDITABLE (self->port_row), text);
    }
  show_port_error (self, NULL);
  set_collector_port (self, port);
}

static void
on_port_changed_cb (PsPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->port_row));

  if (*text == '\0' || port_from_entry (self) != 0)
    show_port_error (self, NULL);
  else
    show_port_error (self, _("The port must be a number from 1 to 65535"));
}

static void
on_port_apply_cb (PsPreferencesWindow *self)
{
  guint port = port_from_entry (self);

  if (port == 0)
    {
      show_port_error (self, _("The port must be a number from 1 to 65535"));
      return;
    }

  show_port_error (self, NULL);
  if (gtk_switch_get_active (self->collector_switch))
    set_collector_port (self, port);
  else
    update_collector_subtitle (self, NULL, port);
}

/* The status of the running sources */

static void
set_status (AdwActionRow *row,
            const char   *status,
            int           health)   /* 1 good, -1 bad, 0 neither */
{
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), "ps-icon");

  adw_action_row_set_subtitle (row, status);
  gtk_widget_set_visible (icon, health != 0);
  gtk_image_set_from_icon_name (GTK_IMAGE (icon), health > 0 ? "emblem-ok-symbolic"
                                                             : "dialog-warning-symbolic");
  gtk_widget_set_css_classes (icon, (const char *[]) { health > 0 ? "success" : "warning", NULL });
}

static void
update_gateway_status (PsGatewaySource *source,
                       GParamSpec      *pspec,
                       AdwActionRow    *row)
{
  const GError *error = ps_gateway_source_get_error (source);
  g_autofree char *status = NULL;

  switch (ps_gateway_source_get_state (source))
    {
    case PS_GATEWAY_SOURCE_STATE_STOPPED:
      set_status (row, _("Stopped"), 0);
      break;
    case PS_GATEWAY_SOURCE_STATE_CONNECTING:
      set_status (row, _("Connecting to the helper…"), 0);
      break;
    case PS_GATEWAY_SOURCE_STATE_WATCHING:
      set_status (row, _("Watching"), 1);
      break;
    case PS_GATEWAY_SOURCE_STATE_NOT_AUTHORIZED:
      set_status (row, _("Not authorised"), -1);
      break;
    case PS_GATEWAY_SOURCE_STATE_UNAVAILABLE:
      if (error != NULL &&
          g_error_matches (error, PS_GATEWAY_ERROR, PS_GATEWAY_ERROR_NOT_SUPPORTED))
        {
          /* Translators: %s says why, e.g. that conntrack is missing */
          status = g_strdup_printf (_("Not available on this computer: %s"), error->message);
          set_status (row, status, -1);
        }
      else
        set_status (row, _("Helper not installed"), -1);
      break;
    case PS_GATEWAY_SOURCE_STATE_FAILED:
    default:
      /* Translators: %s is an error message */
      status = g_strdup_printf (_("Failed: %s"), error != NULL ? error->message : "?");
      set_status (row, status, -1);
      break;
    }
}

static void
update_status_row (AdwActionRow *row)
{
  PsFlowSource *source = g_object_get_data (G_OBJECT (row), "ps-source");
  g_autofree char *status = NULL;

  if (PS_IS_GATEWAY_SOURCE (source))
    {
      update_gateway_status (PS_GATEWAY_SOURCE (source), NULL, row);
    }
  else if (PS_IS_FLOW_COLLECTOR (source))
    {
      PsFlowCollector *collector = PS_FLOW_COLLECTOR (source);
      const char *address = ps_flow_collector_get_address (collector);
      guint port = ps_flow_collector_get_bound_port (collector);
      PsFlowCollectorStats stats;
      g_autofree char *count = NULL;
      g_autofree char *where = NULL;

      if (port == 0)
        {
          set_status (row, _("Not listening"), -1);
          return;
        }

      ps_flow_collector_get_stats (collector, &stats);
      count = g_strdup_printf ("%" G_GUINT64_FORMAT, stats.decoder.records);
      if (address != NULL)
        /* Translators: an address and a port, "192.0.2.1, UDP port 2055" */
        where = g_strdup_printf (_("%s, UDP port %u"), address, port);
      else
        /* Translators: %u is a port */
        where = g_strdup_printf (_("UDP port %u"), port);
      if (stats.datagrams == 0)
        /* Translators: %s is where ("UDP port 2055") */
        status = g_strdup_printf (_("Listening on %s; nothing received yet"), where);
      else
        /* Translators: the first %s is where ("UDP port 2055"), the second a number */
        status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Listening on %s, %s flow received",
                                               "Listening on %s, %s flows received",
                                               (gulong) MIN (stats.decoder.records, G_MAXULONG)),
                                  where, count);
      set_status (row, status, 1);
    }
  else if (PS_IS_CONNTRACK_SOURCE (source))
    {
      PsConntrackStats stats;
      g_autofree char *count = NULL;

      ps_conntrack_source_get_stats (PS_CONNTRACK_SOURCE (source), &stats);
      count = g_strdup_printf ("%" G_GUINT64_FORMAT, stats.flows_tracked);
      /* Translators: %s is a number */
      status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Watching, %s flow tracked",
                                             "Watching, %s flows tracked",
                                             (gulong) MIN (stats.flows_tracked, G_MAXULONG)),
                                count);
      set_status (row, status, 1);
    }
  else
    {
      set_status (row, _("Running"), 1);
    }
}

static gboolean
refresh_status_cb (gpointer user_data)
{
  PsPreferencesWindow *self = user_data;

  for (guint i = 0; i < self->status_rows->len; i++)
    update_status_row (g_ptr_array_index (self->status_rows, i));

  return G_SOURCE_CONTINUE;
}

static void
rebuild_status (PsPreferencesWindow *self)
{
  GListModel *sources;
  guint n;

  clear_rows (self->status_group, self->status_rows);
  g_clear_handle_id (&self->status_id, g_source_remove);
  if (self->monitor == NULL)
    return;

  sources = ps_peer_monitor_get_sources (self->monitor);
  n = g_list_model_get_n_items (sources);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PsFlowSource) source = g_list_model_get_item (sources, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = g_object_new (GTK_TYPE_IMAGE,
                                      "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                      "valign", GTK_ALIGN_CENTER,
                                      NULL);
      const char *title;

      if (PS_IS_GATEWAY_SOURCE (source))
        title = _("Gateway Helper");
      else if (PS_IS_FLOW_COLLECTOR (source))
        title = _("NetFlow / IPFIX Collector");
      else if (PS_IS_CONNTRACK_SOURCE (source))
        title = _("Connection Tracking");
      else
        title = _("Flow Source");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
      g_object_set_data (G_OBJECT (row), "ps-icon", icon);
      g_object_set_data_full (G_OBJECT (row), "ps-source", g_object_ref (source), g_object_unref);

      if (PS_IS_GATEWAY_SOURCE (source))
        {
          g_signal_connect_object (source, "notify::state",
                                   G_CALLBACK (update_gateway_status), row, 0);
          g_signal_connect_object (source, "notify::error",
                                   G_CALLBACK (update_gateway_status), row, 0);
        }
      update_status_row (ADW_ACTION_ROW (row));

      adw_preferences_group_add (self->status_group, row);
      g_ptr_array_add (self->status_rows, row);
    }

  /* nothing runs: say what to do */
  if (n == 0)
    {
      g_auto(GStrv) chosen = g_settings_get_strv (self->settings, "flow-sources");

      if (chosen[0] == NULL)
        adw_action_row_set_subtitle (self->status_empty_row,
                                     _("Turn on a source above to see whom your cameras talk to"));
      else
        adw_action_row_set_subtitle (self->status_empty_row,
                                     _("The sources turned on above could not start; "
                                       "the main window says why"));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->status_empty_row), n == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->status_group), TRUE);
  if (n > 0)
    self->status_id = g_timeout_add_seconds (STATUS_REFRESH_S, refresh_status_cb, self);
}

/* GeoIP databases */

static PsGeoip *
monitor_geoip (PsPreferencesWindow *self)
{
  if (self->monitor == NULL)
    return NULL;

  return ps_peer_enricher_get_geoip (ps_peer_monitor_get_enricher (self->monitor));
}

static gboolean
geoip_has_path (PsGeoip    *geoip,
                const char *path)
{
  for (guint i = 0; geoip != NULL && i < ps_geoip_get_n_databases (geoip); i++)
    if (g_strcmp0 (ps_geoip_get_database_path (geoip, i), path) == 0)
      return TRUE;

  return FALSE;
}

/* Who made the data, as their licences ask to be credited. */
static const char *
database_credit (const char *path,
                 const char *type,
                 guint      *credits)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *lower_type = g_ascii_strdown (type != NULL ? type : "", -1);
  g_autofree char *lower_name = g_ascii_strdown (name, -1);

  /* before GeoLite2: DB-IP's ASN database says "compat=GeoLite2-ASN" */
  if (g_str_has_prefix (lower_type, "dbip") || g_str_has_prefix (lower_name, "dbip"))
    {
      *credits |= CREDIT_DBIP;
      return "DB-IP.com";
    }
  if (strstr (lower_type, "ipinfo") != NULL || strstr (lower_name, "ipinfo") != NULL)
    {
      *credits |= CREDIT_IPINFO;
      return "IPinfo";
    }
  if (strstr (lower_type, "geolite2") != NULL || g_str_has_prefix (lower_name, "geolite2"))
    {
      *credits |= CREDIT_MAXMIND;
      return "MaxMind GeoLite2";
    }
  if (strstr (lower_type, "geoip2") != NULL || g_str_has_prefix (lower_name, "geoip2"))
    return "MaxMind GeoIP2";
  if (g_str_has_prefix (lower_type, "peerscope"))
    return _("Peerscope test data");

  return NULL;
}

/* "GeoLite2-City" → "GeoLite2 City", "DBIP-ASN-Lite (compat=…)" → "DB-IP ASN Lite" */
static char *
database_title (const char *path,
                const char *type)
{
  GString *title;

  if (type == NULL || *type == '\0')
    return g_filename_display_basename (path);

  title = g_string_new_len (type, strcspn (type, "("));
  while (title->len > 0 && title->str[title->len - 1] == ' ')
    g_string_truncate (title, title->len - 1);
  if (g_str_has_suffix (title->str, ".mmdb"))
    g_string_truncate (title, title->len - strlen (".mmdb"));
  g_strdelimit (title->str, "-_", ' ');
  if (g_ascii_strncasecmp (title->str, "dbip", 4) == 0)
    {
      g_string_erase (title, 0, 4);
      g_string_prepend (title, "DB-IP");
    }
  else if (g_ascii_strncasecmp (title->str, "ipinfo", 6) == 0)
    g_string_overwrite (title, 0, "IPinfo");

  return g_string_free (title, FALSE);
}

static void
on_remove_database_cb (PsPreferencesWindow *self,
                       GtkButton           *button)
{
  const char *path = g_object_get_data (G_OBJECT (button), "ps-path");
  g_auto(GStrv) paths = g_settings_get_strv (self->settings, "geoip-databases");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kept = NULL;
  g_autofree char *copy = g_strdup (path);   /* the button goes in the rebuild */

  for (guint i = 0; paths[i] != NULL; i++)
    if (g_strcmp0 (paths[i], copy) != 0)
      g_strv_builder_add (builder, paths[i]);
  kept = g_strv_builder_end (builder);

  if (geoip_has_path (monitor_geoip (self), copy))
    {
      g_autofree char *name = g_filename_display_basename (copy);
      g_autofree char *message = NULL;

      g_hash_table_add (self->removed_databases, g_strdup (copy));
      /* Translators: %s is a file name */
      message = g_strdup_printf (_("Peerscope stops using “%s” the next time it starts"), name);
      show_toast (self, message);
    }
  g_settings_set_strv (self->settings, "geoip-databases", (const char * const *) kept);
}

static void
add_database_row (PsPreferencesWindow *self,
                  const char          *path,
                  const char          *type,
                  gboolean             removable,
                  const char          *problem,
                  guint               *credits)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = database_title (path, type);
  g_autofree char *where = display_path (path);
  g_autofree char *subtitle = NULL;
  const char *credit = problem == NULL ? database_credit (path, type, credits) : NULL;

  if (problem != NULL)
    /* Translators: %s is an error message */
    subtitle = g_strdup_printf (_("Not in use: %s"), problem);
  else if (credit != NULL)
    /* Translators: who made the data, then where the file is: "MaxMind GeoLite2 · ~/x.mmdb" */
    subtitle = g_strdup_printf (_("%s · %s"), credit, where);
  else
    subtitle = g_strdup (where);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_tooltip_text (row, where);

  if (problem != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (icon, "warning");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
    }

  if (removable)
    {
      g_autofree char *label = NULL;
      GtkWidget *button;

      /* Translators: %s is a database's name */
      label = g_strdup_printf (_("Remove %s"), title);
      button = remove_button_new (label);
      g_object_set_data_full (G_OBJECT (button), "ps-path", g_strdup (path), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_remove_database_cb), self,
                               G_CONNECT_SWAPPED);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }

  adw_preferences_group_add (self->databases_group, row);
  g_ptr_array_add (self->database_rows, row);
}

static void
rebuild_databases (PsPreferencesWindow *self)
{
  g_auto(GStrv) paths = g_settings_get_strv (self->settings, "geoip-databases");
  g_autoptr(PsGeoip) defaults = NULL;
  g_autoptr(GString) markup = g_string_new (NULL);
  PsGeoip *geoip = monitor_geoip (self);
  guint credits = 0;

  clear_rows (self->databases_group, self->database_rows);

  /* without a monitor: what it would find */
  if (geoip == NULL)
    {
      defaults = ps_geoip_new ();
      ps_geoip_add_default_databases (defaults);
      geoip = defaults;
    }

  /* in use, in the order they are asked */
  for (guint i = 0; i < ps_geoip_get_n_databases (geoip); i++)
    {
      const char *path = ps_geoip_get_database_path (geoip, i);

      if (!g_hash_table_contains (self->removed_databases, path))
        add_database_row (self, path, ps_geoip_get_database_type (geoip, i),
                          g_strv_contains ((const char * const *) paths, path), NULL, &credits);
    }

  /* chosen but not open: show why */
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(PsGeoip) probe = NULL;
      g_autoptr(GError) error = NULL;

      if (geoip_has_path (geoip, paths[i]))
        continue;

      probe = ps_geoip_new ();
      if (ps_geoip_add_database (probe, paths[i], &error))
        add_database_row (self, paths[i], ps_geoip_get_database_type (probe, 0), TRUE, NULL,
                          &credits);
      else
        add_database_row (self, paths[i], NULL, TRUE, error->message, &credits);
    }

  gtk_widget_set_visible (self->geoip_empty_row, self->database_rows->len == 0);

  if (credits & CREDIT_MAXMIND)
    g_string_append_printf (markup, "%s\n",
                            /* Translators: keep the markup; MaxMind's licence asks for this text */
                            _("This product includes GeoLite2 data created by MaxMind, available "
                              "from <a href=\"https://www.maxmind.com\">maxmind.com</a>."));
  if (credits & CREDIT_DBIP)
    g_string_append_printf (markup, "%s\n",
                            /* Translators: keep the markup; DB-IP's licence asks for this text */
                            _("<a href=\"https://db-ip.com\">IP Geolocation by DB-IP</a>"));
  if (credits & CREDIT_IPINFO)
    g_string_append_printf (markup, "%s\n",
                            /* Translators: keep the markup; IPinfo's licence asks for this text */
                            _("<a href=\"https://ipinfo.io\">IP address data powered by "
                              "IPinfo</a>"));
  if (markup->len > 0)
    g_string_truncate (markup, markup->len - 1);
  gtk_label_set_markup (self->credits_label, markup->str);
  gtk_widget_set_visible (GTK_WIDGET (self->credits_label), markup->len > 0);
}

static void
update_folder_row (PsPreferencesWindow *self)
{
  const char *env = g_getenv ("PEERSCOPE_GEOIP_DIR");
  g_autofree char *folder = NULL;
  g_autofree char *where = NULL;
  g_autofree char *subtitle = NULL;

  if (env != NULL && *env != '\0')
    folder = g_strdup (env);
  else
    folder = g_build_filename (g_get_user_data_dir (), "peerscope", "geoip", NULL);
  where = display_path (folder);

  /* Translators: %s is a folder */
  subtitle = g_strdup_printf (_("Databases put in %s are found when Peerscope starts"), where);
  adw_action_row_set_subtitle (self->folder_row, subtitle);
  g_object_set_data_full (G_OBJECT (self->folder_row), "ps-folder", g_steal_pointer (&folder),
                          g_free);
}

gboolean
ps_preferences_window_add_database (PsPreferencesWindow  *self,
                                    const char           *path,
                                    GError              **error)
{
  g_autoptr(PsGeoip) probe = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) paths = NULL;
  g_auto(GStrv) added = NULL;
  g_autofree char *absolute = NULL;
  g_autofree char *name = NULL;
  PsGeoip *geoip;

  g_return_val_if_fail (PS_IS_PREFERENCES_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  absolute = g_canonicalize_filename (path, NULL);
  name = g_filename_display_basename (absolute);
  probe = ps_geoip_new ();
  if (!ps_geoip_add_database (probe, absolute, &local_error))
    {
      show_toast (self, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  geoip = monitor_geoip (self);
  paths = g_settings_get_strv (self->settings, "geoip-databases");
  if (g_strv_contains ((const char * const *) paths, absolute) ||
      (geoip_has_path (geoip, absolute) &&
       !g_hash_table_contains (self->removed_databases, absolute)))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is a file name */
      message = g_strdup_printf (_("“%s” is already in use"), name);
      show_toast (self, message);
      return TRUE;
    }

  /* The monitor reads it from now on: it only looks up on this thread.  One
   * removed earlier in this window is still open there. */
  if (!g_hash_table_remove (self->removed_databases, absolute) && geoip != NULL &&
      !ps_geoip_add_database (geoip, absolute, &local_error))
    {
      g_warning ("%s", local_error->message);
      g_clear_error (&local_error);
    }

  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) paths);
  g_strv_builder_add (builder, absolute);
  added = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "geoip-databases", (const char * const *) added);

  return TRUE;
}

static void
on_chooser_response_cb (PsPreferencesWindow *self,
                        int                  response,
                        GtkNativeDialog     *dialog)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        ps_preferences_window_add_database (self, path, NULL);
      else
        show_toast (self, _("Only files on this computer can be added"));
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
on_add_database_clicked_cb (PsPreferencesWindow *self)
{
  g_autoptr(GtkFileFilter) mmdb = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  const char *folder = g_object_get_data (G_OBJECT (self->folder_row), "ps-folder");

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Add GeoIP Database"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  gtk_file_filter_set_name (mmdb, _("MaxMind DB files"));
  gtk_file_filter_add_pattern (mmdb, "*.mmdb");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), mmdb);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);

  if (folder != NULL && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) file = g_file_new_for_path (folder);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), file, NULL);
    }

  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_uri_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  gtk_show_uri (GTK_WINDOW (widget), g_variant_get_string (parameter, NULL), GDK_CURRENT_TIME);
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PsPreferencesWindow *self = PS_PREFERENCES_WINDOW (widget);
  const char *folder = g_object_get_data (G_OBJECT (self->folder_row), "ps-folder");
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      g_autofree char *message = NULL;
      int saved_errno = errno;

      /* Translators: %s is a folder, then why it could not be created */
      message = g_strdup_printf (_("Cannot create %s: %s"), folder, g_strerror (saved_errno));
      show_toast (self, message);
      return;
    }

  file = g_file_new_for_path (folder);
  uri = g_file_get_uri (file);
  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

/* P2P rules */

static const char *
describe_rule (const char *rule)
{
  if (g_str_has_prefix (rule, "p2p:"))
    return _("P2P server names");
  if (g_str_has_prefix (rule, "*."))
    return _("Vendor cloud, its subdomains");
  if (g_str_has_prefix (rule, "udp/"))
    return _("P2P server port, UDP");
  if (g_str_has_prefix (rule, "tcp/"))
    return _("P2P server port, TCP");
  if (g_ascii_isdigit (rule[0]))
    return _("P2P server port, UDP and TCP");

  return _("Vendor cloud");
}

static void
on_remove_rule_cb (PsPreferencesWindow *self,
                   GtkButton           *button)
{
  g_autofree char *rule = g_strdup (g_object_get_data (G_OBJECT (button), "ps-rule"));
  g_auto(GStrv) rules = g_settings_get_strv (self->settings, "p2p-rules");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kept = NULL;

  for (guint i = 0; rules[i] != NULL; i++)
    if (g_strcmp0 (rules[i], rule) != 0)
      g_strv_builder_add (builder, rules[i]);
  kept = g_strv_builder_end (builder);

  if (self->monitor != NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is a rule such as "udp/12345" */
      message = g_strdup_printf (_("“%s” stops applying the next time Peerscope starts"), rule);
      show_toast (self, message);
    }
  g_settings_set_strv (self->settings, "p2p-rules", (const char * const *) kept);
}

static void
rebuild_rules (PsPreferencesWindow *self)
{
  g_auto(GStrv) rules = g_settings_get_strv (self->settings, "p2p-rules");

  clear_rows (self->rules_group, self->rule_rows);

  for (guint i = 0; rules[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *label = NULL;
      GtkWidget *button;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), rules[i]);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), describe_rule (rules[i]));

      /* Translators: %s is a rule such as "udp/12345" */
      label = g_strdup_printf (_("Remove rule %s"), rules[i]);
      button = remove_button_new (label);
      g_object_set_data_full (G_OBJECT (button), "ps-rule", g_strdup (rules[i]), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_remove_rule_cb), self,
                               G_CONNECT_SWAPPED);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

      adw_preferences_group_add (self->rules_group, row);
      g_ptr_array_add (self->rule_rows, row);
    }
}

static void
show_rule_error (PsPreferencesWindow *self,
                 const char          *message)
{
  gtk_label_set_label (self->rule_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->rule_error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->rule_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->rule_row), "error");
}

static void
on_rule_changed_cb (PsPreferencesWindow *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->rule_error_label)))
    show_rule_error (self, NULL);
}

static void
on_rule_apply_cb (PsPreferencesWindow *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->rule_row)));
  g_autofree char *rule = g_ascii_strdown (g_strstrip (text), -1);
  g_autoptr(PsPeerClassifier) scratch = ps_peer_classifier_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) rules = g_settings_get_strv (self->settings, "p2p-rules");
  g_auto(GStrv) added = NULL;

  if (*rule == '\0')
    {
      show_rule_error (self, NULL);
      return;
    }

  if (g_strv_contains ((const char * const *) rules, rule))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is a rule such as "udp/12345" */
      message = g_strdup_printf (_("“%s” is already on the list"), rule);
      show_rule_error (self, message);
      return;
    }

  if (!ps_peer_classifier_add_rule (scratch, rule, &error))
    {
      show_rule_error (self, error->message);
      return;
    }

  /* applies to peers classified from now on */
  if (self->monitor != NULL)
    {
      PsPeerEnricher *enricher = ps_peer_monitor_get_enricher (self->monitor);

      if (!ps_peer_classifier_add_rule (ps_peer_enricher_get_classifier (enricher), rule, &error))
        {
          show_rule_error (self, error->message);
          return;
        }
    }

  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) rules);
  g_strv_builder_add (builder, rule);
  added = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "p2p-rules", (const char * const *) added);

  gtk_editable_set_text (GTK_EDITABLE (self->rule_row), "");
  show_rule_error (self, NULL);
}

/* History */

static void
on_history_days_cb (PsPreferencesWindow *self)
{
  guint days = g_settings_get_uint (self->settings, "history-days");
  PsPeerHistory *history = self->monitor != NULL ? ps_peer_monitor_get_history (self->monitor)
                                                 : NULL;

  gtk_label_set_label (self->days_label, g_dngettext (GETTEXT_PACKAGE, "day", "days", days));
  if (history != NULL)
    ps_peer_history_set_retention_days (history, days);
}

/* GObject */

static void
ps_preferences_window_constructed (GObject *object)
{
  PsPreferencesWindow *self = PS_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (ps_preferences_window_parent_class)->constructed (object);

  g_assert (G_IS_SETTINGS (self->settings));

  g_settings_bind (self->settings, "history-days", self->history_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "alerts", self->alerts_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed::flow-sources",
                           G_CALLBACK (sync_flow_sources), self, G_CONNECT_SWAPPED);
  if (self->monitor != NULL)
    g_signal_connect_object (self->settings, "changed::flow-sources",
                             G_CALLBACK (rebuild_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::geoip-databases",
                           G_CALLBACK (rebuild_databases), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::p2p-rules",
                           G_CALLBACK (rebuild_rules), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::history-days",
                           G_CALLBACK (on_history_days_cb), self, G_CONNECT_SWAPPED);
  if (self->monitor != NULL)
    g_signal_connect_object (ps_peer_monitor_get_sources (self->monitor), "items-changed",
                             G_CALLBACK (rebuild_status), self, G_CONNECT_SWAPPED);

  self->local_address = guess_local_address ();
  sync_flow_sources (self);
  rebuild_status (self);
  update_folder_row (self);
  rebuild_databases (self);
  rebuild_rules (self);
  on_history_days_cb (self);
  ps_p2p_account_page_set_account (self->p2p_account_page, ps_p2p_account_get_default ());
}

static void
ps_preferences_window_dispose (GObject *object)
{
  PsPreferencesWindow *self = PS_PREFERENCES_WINDOW (object);

  g_clear_handle_id (&self->status_id, g_source_remove);
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  /* nothing may call back into a window without its children */
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (ps_peer_monitor_get_sources (self->monitor), self);
  g_clear_object (&self->settings);
  g_clear_object (&self->monitor);

  gtk_widget_dispose_template (GTK_WIDGET (self), PS_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (ps_preferences_window_parent_class)->dispose (object);
}

static void
ps_preferences_window_finalize (GObject *object)
{
  PsPreferencesWindow *self = PS_PREFERENCES_WINDOW (object);

  g_hash_table_unref (self->removed_databases);
  g_ptr_array_unref (self->status_rows);
  g_ptr_array_unref (self->database_rows);
  g_ptr_array_unref (self->rule_rows);
  g_free (self->local_address);

  G_OBJECT_CLASS (ps_preferences_window_parent_class)->finalize (object);
}

static void
ps_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  PsPreferencesWindow *self = PS_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_MONITOR:
      g_value_set_object (value, self->monitor);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  PsPreferencesWindow *self = PS_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_MONITOR:
      self->monitor = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_preferences_window_class_init (PsPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ps_preferences_window_constructed;
  object_class->dispose = ps_preferences_window_dispose;
  object_class->finalize = ps_preferences_window_finalize;
  object_class->get_property = ps_preferences_window_get_property;
  object_class->set_property = ps_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MONITOR] =
    g_param_spec_object ("monitor", NULL, NULL,
                         PS_TYPE_PEER_MONITOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PS_TYPE_P2P_ACCOUNT_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/peerscope/Peerscope/"
                                               "ps-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, gateway_switch);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, conntrack_row);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, p2p_account_page);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, conntrack_switch);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, collector_row);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, collector_switch);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, port_row);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, port_error_label);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, status_group);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, status_empty_row);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, databases_group);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, add_database_button);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, geoip_empty_row);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, credits_label);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, rules_group);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, rule_row);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, rule_error_label);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, history_spin);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, history_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, days_label);
  gtk_widget_class_bind_template_child (widget_class, PsPreferencesWindow, alerts_switch);

  gtk_widget_class_install_action (widget_class, "prefs.open-uri", "s", open_uri_action);
  gtk_widget_class_install_action (widget_class, "prefs.open-folder", NULL, open_folder_action);
}

static void
ps_preferences_window_init (PsPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->removed_databases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->status_rows = g_ptr_array_new ();
  self->database_rows = g_ptr_array_new ();
  self->rule_rows = g_ptr_array_new ();

  g_signal_connect_object (self->gateway_switch, "notify::active",
                           G_CALLBACK (on_gateway_active_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->conntrack_switch, "notify::active",
                           G_CALLBACK (on_conntrack_active_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->collector_switch, "notify::active",
                           G_CALLBACK (on_collector_active_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->port_row, "changed",
                           G_CALLBACK (on_port_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->port_row, "apply",
                           G_CALLBACK (on_port_apply_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->rule_row, "changed",
                           G_CALLBACK (on_rule_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->rule_row, "apply",
                           G_CALLBACK (on_rule_apply_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->add_database_button, "clicked",
                           G_CALLBACK (on_add_database_clicked_cb), self, G_CONNECT_SWAPPED);
}

PsPreferencesWindow *
ps_preferences_window_new (GtkWindow     *parent,
                           GSettings     *settings,
                           PsPeerMonitor *monitor)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (monitor == NULL || PS_IS_PEER_MONITOR (monitor), NULL);

  return g_object_new (PS_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "settings", settings,
                       "monitor", monitor,
                       NULL);
}
