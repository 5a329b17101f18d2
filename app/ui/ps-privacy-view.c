/* ps-privacy-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The camera's rule lives in the app's policy; the radio buttons and the allow list show it
 * and every change writes it back (ps_policy_set_device(), which validates) and emits
 * ::policy-changed.  The enforcement group follows the policy; the blocked attempts follow
 * the peers' counters; the camera's own P2P switch is a group of its own.
 */

#define G_LOG_DOMAIN "ps-privacy-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-camera-p2p-group-private.h"
#include "ps-connections-columns.h"
#include "ps-enforcement-group.h"
#include "ps-peer-watch.h"
#include "ps-peer.h"
#include "ps-privacy-view-private.h"

#define PEERS_DELAY_MS   250
#define MAX_BLOCKED_ROWS 5

struct _PsPrivacyView
{
  AdwBin               parent_instance;

  AdwToastOverlay     *toast_overlay;
  AdwPreferencesGroup *intent_group;
  GtkCheckButton      *open_check;
  GtkCheckButton      *block_check;
  GtkCheckButton      *local_check;
  GtkCheckButton      *allow_check;
  AdwPreferencesGroup *allow_group;
  AdwEntryRow         *allow_entry;
  GtkWidget           *allow_add_button;
  GtkLabel            *allow_error_label;
  PsEnforcementGroup  *enforcement_group;
  AdwPreferencesGroup *blocked_group;
  AdwActionRow        *blocked_row;
  PsCameraP2pGroup    *p2p_group;

  GPtrArray           *allow_rows;      /* the allow list's rows in allow_group */
  GPtrArray           *blocked_rows;    /* the top blocked peers' rows in blocked_group */
  GtkCheckButton      *checks[PS_INTENT_LAST + 1];

  PsDevice            *device;
  char                *password;
  GListModel          *peers;
  PsPeerWatch         *watch;
  PsPolicy            *policy;
  gboolean             updating;        /* the code, not the user, moves the radios */
};

G_DEFINE_FINAL_TYPE (PsPrivacyView, ps_privacy_view, ADW_TYPE_BIN)

enum {
  POLICY_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_blocked (PsPrivacyView *self);
static void update_rule    (PsPrivacyView *self);

/* ---- helpers --------------------------------------------------------------------------- */

static void
show_toast (PsPrivacyView *self,
            const char    *text)
{
  /* libadwaita 1.2 reads a toast's title as markup */
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

/* TEXT as the policy writes a device's address, or NULL when it is no address a firewall can
 * match a camera by (a name, loopback: the demo's cameras) */
static char *
device_address (const char *text)
{
  g_autoptr(GInetAddress) address = NULL;

  if (text == NULL || !g_hostname_is_ip_address (text))
    return NULL;
  address = g_inet_address_new_from_string (text);
  if (address == NULL || g_inet_address_get_is_loopback (address)
      || g_inet_address_get_is_any (address) || g_inet_address_get_is_multicast (address))
    return NULL;

  return g_inet_address_to_string (address);
}

static GStrv
strv_remove (const char * const *strv,
             const char         *item)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (g_strcmp0 (strv[i], item) != 0)
      g_strv_builder_add (builder, strv[i]);

  return g_strv_builder_end (builder);
}

static GStrv
strv_append (const char * const *strv,
             const char         *item)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (strv != NULL)
    g_strv_builder_addv (builder, (const char **) strv);
  g_strv_builder_add (builder, item);

  return g_strv_builder_end (builder);
}

/* ---- the camera's rule ----------------------------------------------------------------- */

/* The camera's intent and allow list: its rule, or the policy's default. */
static PsIntent
current_intent (PsPrivacyView       *self,
                const char * const **allow)
{
  PsIntent intent;

  if (allow != NULL)
    *allow = NULL;
  if (self->policy == NULL || self->device == NULL)
    return PS_INTENT_OPEN;
  if (ps_policy_get_device (self->policy, ps_device_get_id (self->device), NULL, NULL, &intent,
                            allow))
    return intent;

  return ps_policy_get_default_intent (self->policy);
}

/* Where the camera is: its address (the host of its URI, when an IP literal) and MAC, with
 * what the rule knew already.  FALSE when there is neither. */
static gboolean
device_location (PsPrivacyView  *self,
                 char          **mac_out,
                 GStrv          *addresses_out)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *host = ps_device_dup_host (self->device);
  g_autofree char *address = device_address (host);
  const char * const *stored = NULL;
  const char *stored_mac = NULL;
  const char *mac;
  GStrv addresses;

  ps_policy_get_device (self->policy, ps_device_get_id (self->device), &stored_mac, &stored,
                        NULL, NULL);

  if (address != NULL)
    g_strv_builder_add (builder, address);
  for (guint i = 0; stored != NULL && stored[i] != NULL; i++)
    if (g_strcmp0 (stored[i], address) != 0)
      g_strv_builder_add (builder, stored[i]);
  addresses = g_strv_builder_end (builder);

  mac = ps_device_get_mac (self->device);
  if (mac == NULL || *mac == '\0')
    mac = stored_mac;

  *mac_out = g_strdup (mac);
  *addresses_out = addresses;

  return *mac_out != NULL || addresses[0] != NULL;
}

/* The P2P servers this camera was seen with join the policy's: "block vendor P2P" stops
 * them by address, besides the known P2P ports.  TRUE when the policy changed. */
static gboolean
merge_p2p_servers (PsPrivacyView *self)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *known;
  guint n_known;

  if (self->peers == NULL || self->policy == NULL)
    return FALSE;

  known = ps_policy_get_p2p_servers (self->policy);
  n_known = known != NULL ? g_strv_length ((GStrv) known) : 0;
  servers = g_ptr_array_new ();
  for (guint i = 0; i < n_known; i++)
    g_ptr_array_add (servers, (gpointer) known[i]);

  for (guint i = 0, n = g_list_model_get_n_items (self->peers); i < n; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (self->peers, i);
      const char *address = ps_peer_get_address_string (peer);

      /* the peers outlive this function: the model holds them */
      if (ps_peer_get_kind (peer) == PS_PEER_KIND_P2P_SUPERNODE
          && !g_ptr_array_find_with_equal_func (servers, address, g_str_equal, NULL))
        g_ptr_array_add (servers, (gpointer) address);
    }

  if (servers->len == n_known)
    return FALSE;

  g_ptr_array_add (servers, NULL);
  if (!ps_policy_set_p2p_servers (self->policy, (const char * const *) servers->pdata, &error))
    {
      g_warning ("Cannot add this camera’s P2P servers to the policy: %s", error->message);
      return FALSE;
    }

  return TRUE;
}

static void
policy_changed (PsPrivacyView *self)
{
  g_signal_emit (self, signals[POLICY_CHANGED], 0, self->policy);
  ps_enforcement_group_refresh (self->enforcement_group);
}

/* Writes the camera's rule.  On an error the policy is as it was. */
static gboolean
write_rule (PsPrivacyView       *self,
            PsIntent             intent,
            const char * const  *allow,
            GError             **error)
{
  g_autofree char *mac = NULL;
  g_auto(GStrv) addresses = NULL;

  g_assert (self->policy != NULL && self->device != NULL);

  if (!device_location (self, &mac, &addresses))
    {
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("Peerscope knows no MAC address of this camera and no address of it on "
                     "your network, so it cannot set rules for it"));
      return FALSE;
    }

  if (!ps_policy_set_device (self->policy, ps_device_get_id (self->device), mac,
                             (const char * const *) addresses, intent, allow, error))
    return FALSE;

  merge_p2p_servers (self);
  policy_changed (self);

  return TRUE;
}

/* ---- showing the rule ------------------------------------------------------------------ */

static gboolean
has_focus_within (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
on_remove_allowed_cb (GtkWidget     *button,
                      PsPrivacyView *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) remaining = NULL;
  const char * const *allow;
  const char *entry = g_object_get_data (G_OBJECT (button), "ps-allowed");
  PsIntent intent = current_intent (self, &allow);

  remaining = strv_remove (allow, entry);
  if (!write_rule (self, intent, (const char * const *) remaining, &error))
    show_toast (self, error->message);
  update_rule (self);
}

static void
update_allow_rows (PsPrivacyView *self)
{
  const char * const *allow;

  current_intent (self, &allow);

  for (guint i = 0; i < self->allow_rows->len; i++)
    adw_preferences_group_remove (self->allow_group, g_ptr_array_index (self->allow_rows, i));
  g_ptr_array_set_size (self->allow_rows, 0);

  for (guint i = 0; allow != NULL && allow[i] != NULL; i++)
    {
      g_autofree char *label = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), allow[i]);

      /* Translators: %s is an address, a network or a host name on the allow list */
      label = g_strdup_printf (_("Remove %s"), allow[i]);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Remove from the allow list"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      g_object_set_data_full (G_OBJECT (button), "ps-allowed", g_strdup (allow[i]), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_remove_allowed_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

      adw_preferences_group_add (self->allow_group, row);
      g_ptr_array_add (self->allow_rows, row);
    }

  /* the entry comes last, with its error right below it */
  if (self->allow_rows->len > 0)
    {
      g_autoptr(GtkWidget) entry = g_object_ref (GTK_WIDGET (self->allow_entry));
      gboolean had_focus = has_focus_within (entry);

      adw_preferences_group_remove (self->allow_group, entry);
      adw_preferences_group_add (self->allow_group, entry);
      if (had_focus)
        gtk_widget_grab_focus (entry);
    }
}

static void
update_rule (PsPrivacyView *self)
{
  g_autofree char *mac = NULL;
  g_auto(GStrv) addresses = NULL;
  PsIntent intent = current_intent (self, NULL);
  gboolean editable;

  editable = self->policy != NULL && self->device != NULL
             && device_location (self, &mac, &addresses);

  self->updating = TRUE;
  gtk_check_button_set_active (self->checks[intent], TRUE);
  self->updating = FALSE;

  /* the rows, not the words that say why */
  for (PsIntent i = 0; i <= PS_INTENT_LAST; i++)
    gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->checks[i]),
                                                       ADW_TYPE_ACTION_ROW), editable);
  adw_preferences_group_set_description (self->intent_group,
                                         editable || self->device == NULL
                                         ? _("Your network enforces this, not the camera, so the "
                                             "camera cannot get around it.")
                                         : _("Peerscope knows no MAC address of this camera and "
                                             "no address of it on your network, so it cannot set "
                                             "rules for it."));
  gtk_widget_set_visible (GTK_WIDGET (self->allow_group), intent == PS_INTENT_ALLOW_LIST);
  update_allow_rows (self);

  ps_camera_p2p_group_set_blocking (self->p2p_group, intent != PS_INTENT_OPEN);
  /* what the summary says of nothing blocked depends on the intent */
  update_blocked (self);
}

static void
on_intent_toggled_cb (PsPrivacyView  *self,
                      GtkCheckButton *check)
{
  g_autoptr(GError) error = NULL;
  const char * const *current;
  g_auto(GStrv) allow = NULL;
  PsIntent intent;

  if (self->updating || !gtk_check_button_get_active (check) || self->policy == NULL
      || self->device == NULL)
    return;

  intent = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "ps-intent"));
  /* the allow list stays in the rule, for when the user comes back to it */
  current_intent (self, &current);
  allow = g_strdupv ((GStrv) current);
  if (!write_rule (self, intent, (const char * const *) allow, &error))
    show_toast (self, error->message);
  update_rule (self);
}

/* ---- the allow list -------------------------------------------------------------------- */

static void
set_allow_error (PsPrivacyView *self,
                 const char    *message)
{
  gtk_label_set_text (self->allow_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->allow_error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->allow_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->allow_entry), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->allow_entry),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  message != NULL ? message : "", -1);
}

static void
on_allow_changed_cb (PsPrivacyView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->allow_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  gtk_widget_set_sensitive (self->allow_add_button, *stripped != '\0');
  set_allow_error (self, NULL);
}

static void
on_allow_activated_cb (PsPrivacyView *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *entry = NULL;
  g_auto(GStrv) allow = NULL;
  const char * const *current;

  if (self->policy == NULL || self->device == NULL)
    return;

  entry = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->allow_entry))));
  if (*entry == '\0')
    return;

  current_intent (self, &current);
  allow = strv_append (current, entry);
  /* the policy says what it takes, in words */
  if (!write_rule (self, PS_INTENT_ALLOW_LIST, (const char * const *) allow, &error))
    {
      set_allow_error (self, error->message);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->allow_entry), "");
  update_rule (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->allow_entry));
}

/* ---- actions ------------------------------------------------------------------------- */

/* the P2P servers seen until now are blocked from now on */
static void
on_before_apply_cb (PsPrivacyView *self)
{
  if (merge_p2p_servers (self))
    g_signal_emit (self, signals[POLICY_CHANGED], 0, self->policy);
}

static void
set_intent_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PsPrivacyView *self = PS_PRIVACY_VIEW (widget);
  PsIntent intent;

  if (!ps_intent_from_string (g_variant_get_string (parameter, NULL), &intent))
    return;

  /* as if the user had chosen it: the toggle writes the rule */
  gtk_check_button_set_active (self->checks[intent], TRUE);
}

/* ---- blocked attempts ------------------------------------------------------------------ */

static gint
compare_blocked (gconstpointer a,
                 gconstpointer b)
{
  PsPeer *peer_a = *(PsPeer **) a;
  PsPeer *peer_b = *(PsPeer **) b;
  guint64 blocked_a = ps_peer_get_blocked_attempts (peer_a);
  guint64 blocked_b = ps_peer_get_blocked_attempts (peer_b);

  if (blocked_a != blocked_b)
    return blocked_a > blocked_b ? -1 : 1;
  return g_strcmp0 (ps_peer_get_address_string (peer_a), ps_peer_get_address_string (peer_b));
}

static GtkWidget *
blocked_peer_row (PsPeer *peer)
{
  g_autofree char *endpoint = ps_connections_columns_endpoint (peer);
  g_autofree char *subtitle = NULL;
  g_autofree char *count = NULL;
  const char *name = ps_peer_get_hostname (peer);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label;

  /* the address is the title when there is no name */
  if (name == NULL)
    {
      g_free (endpoint);
      endpoint = ps_peer_get_port (peer) != 0
                 ? g_strdup_printf ("%u/%s", ps_peer_get_port (peer),
                                    ps_peer_get_protocol_name (peer))
                 : g_strdup (ps_peer_get_protocol_name (peer));
    }
  /* Translators: where a blocked peer is and what it is, e.g. "198.51.100.11:32100/udp,
   * P2P server" or "32100/udp, P2P server" */
  subtitle = g_strdup_printf (_("%s, %s"), endpoint,
                              ps_connections_columns_kind_label (ps_peer_get_kind (peer)));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 name != NULL ? name : ps_peer_get_address_string (peer));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  count = g_strdup_printf ("%" G_GUINT64_FORMAT, ps_peer_get_blocked_attempts (peer));
  label = gtk_label_new (count);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_tooltip_text (label, _("Blocked attempts"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);

  return row;
}

static void
update_blocked (PsPrivacyView *self)
{
  g_autoptr(GHashTable) hosts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) blocked = g_ptr_array_new_with_free_func (g_object_unref);
  guint64 attempts = 0;
  guint n_hosts;

  for (guint i = 0, n = self->peers != NULL ? g_list_model_get_n_items (self->peers) : 0;
       i < n; i++)
    {
      PsPeer *peer = g_list_model_get_item (self->peers, i);
      guint64 count = ps_peer_get_blocked_attempts (peer);

      if (count == 0)
        {
          g_object_unref (peer);
          continue;
        }
      attempts = count > G_MAXUINT64 - attempts ? G_MAXUINT64 : attempts + count;
      /* the model holds the peer, and so its address */
      g_hash_table_add (hosts, (gpointer) ps_peer_get_address_string (peer));
      g_ptr_array_add (blocked, peer);
    }
  n_hosts = g_hash_table_size (hosts);

  if (attempts > 0)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, attempts);
      g_autofree char *where = NULL;
      g_autofree char *title = NULL;

      /* Translators: part of "%s blocked attempts to %s", e.g. "3 hosts" */
      where = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u host", "%u hosts", n_hosts),
                               n_hosts);
      /* Translators: the first %s is a number of attempts, the second "%u hosts", e.g.
       * "214 blocked attempts to 3 hosts" */
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s blocked attempt to %s",
                                            "%s blocked attempts to %s",
                                            (gulong) MIN (attempts, G_MAXULONG)),
                               count, where);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->blocked_row), title);
      adw_action_row_set_subtitle (self->blocked_row,
                                   _("Counted by the firewall that enforces the rules"));
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->blocked_row),
                                     _("No blocked attempts"));
      adw_action_row_set_subtitle (self->blocked_row,
                                   current_intent (self, NULL) == PS_INTENT_OPEN
                                   ? _("This camera may reach any host, so nothing is blocked")
                                   : _("Every connection the rules stop is counted here"));
    }

  /* the hosts it tries hardest */
  for (guint i = 0; i < self->blocked_rows->len; i++)
    adw_preferences_group_remove (self->blocked_group, g_ptr_array_index (self->blocked_rows, i));
  g_ptr_array_set_size (self->blocked_rows, 0);
  g_ptr_array_sort (blocked, compare_blocked);
  for (guint i = 0; i < blocked->len && i < MAX_BLOCKED_ROWS; i++)
    {
      GtkWidget *row = blocked_peer_row (g_ptr_array_index (blocked, i));

      adw_preferences_group_add (self->blocked_group, row);
      g_ptr_array_add (self->blocked_rows, row);
    }
}

static void
on_peers_changed_cb (gpointer user_data)
{
  update_blocked (user_data);
}

/* ---- object ---------------------------------------------------------------------------- */

static void
ps_privacy_view_dispose (GObject *object)
{
  PsPrivacyView *self = (PsPrivacyView *) object;

  g_clear_pointer (&self->watch, ps_peer_watch_free);
  g_clear_object (&self->peers);
  g_clear_object (&self->policy);
  g_clear_object (&self->device);

  G_OBJECT_CLASS (ps_privacy_view_parent_class)->dispose (object);
}

static void
ps_privacy_view_finalize (GObject *object)
{
  PsPrivacyView *self = (PsPrivacyView *) object;

  g_clear_pointer (&self->allow_rows, g_ptr_array_unref);
  g_clear_pointer (&self->blocked_rows, g_ptr_array_unref);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);

  G_OBJECT_CLASS (ps_privacy_view_parent_class)->finalize (object);
}

static void
ps_privacy_view_class_init (PsPrivacyViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_privacy_view_dispose;
  object_class->finalize = ps_privacy_view_finalize;

  /**
   * PsPrivacyView::policy-changed:
   * @self: the view
   * @policy: the policy it changed
   *
   * The user changed the camera's rule (or the view added the P2P servers it saw): the
   * owner saves the policy.
   */
  signals[POLICY_CHANGED] =
    g_signal_new ("policy-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, PS_TYPE_POLICY);

  g_type_ensure (PS_TYPE_CAMERA_P2P_GROUP);
  g_type_ensure (PS_TYPE_ENFORCEMENT_GROUP);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-privacy-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, intent_group);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, open_check);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, block_check);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, local_check);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, allow_check);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, allow_group);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, allow_entry);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, allow_add_button);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, allow_error_label);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, enforcement_group);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, blocked_group);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, blocked_row);
  gtk_widget_class_bind_template_child (widget_class, PsPrivacyView, p2p_group);

  gtk_widget_class_install_action (widget_class, "privacy.set-intent", "s", set_intent_action);

  gtk_widget_class_set_css_name (widget_class, "privacyview");
}

static void
ps_privacy_view_init (PsPrivacyView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->allow_rows = g_ptr_array_new ();
  self->blocked_rows = g_ptr_array_new ();

  self->checks[PS_INTENT_OPEN] = self->open_check;
  self->checks[PS_INTENT_BLOCK_VENDOR_P2P] = self->block_check;
  self->checks[PS_INTENT_LOCAL_ONLY] = self->local_check;
  self->checks[PS_INTENT_ALLOW_LIST] = self->allow_check;
  for (PsIntent i = 0; i <= PS_INTENT_LAST; i++)
    {
      g_object_set_data (G_OBJECT (self->checks[i]), "ps-intent", GUINT_TO_POINTER (i));
      g_signal_connect_object (self->checks[i], "toggled", G_CALLBACK (on_intent_toggled_cb),
                               self, G_CONNECT_SWAPPED);
    }

  g_signal_connect_object (self->allow_entry, "changed", G_CALLBACK (on_allow_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->allow_entry, "entry-activated",
                           G_CALLBACK (on_allow_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->allow_add_button, "clicked", G_CALLBACK (on_allow_activated_cb),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->enforcement_group, "before-apply",
                           G_CALLBACK (on_before_apply_cb), self, G_CONNECT_SWAPPED);

  update_rule (self);
}

PsPrivacyView *
ps_privacy_view_new (void)
{
  return g_object_new (PS_TYPE_PRIVACY_VIEW, NULL);
}

/**
 * ps_privacy_view_set_camera:
 * @self: a view
 * @device: (nullable): the camera
 * @password: (nullable): its password, for its own P2P switch
 * @peers: (nullable): its peers (#PsPeer), a live model
 * @policy: (nullable): the app's policy, which the view edits
 *
 * Shows @device's rule in @policy and follows @peers.  Calling it again with the same
 * camera and password keeps what its P2P switch showed.
 */
void
ps_privacy_view_set_camera (PsPrivacyView *self,
                            PsDevice      *device,
                            const char    *password,
                            GListModel    *peers,
                            PsPolicy      *policy)
{
  gboolean same_camera;
  gboolean same_peers;

  g_return_if_fail (PS_IS_PRIVACY_VIEW (self));
  g_return_if_fail (device == NULL || PS_IS_DEVICE (device));
  g_return_if_fail (peers == NULL || G_IS_LIST_MODEL (peers));
  g_return_if_fail (policy == NULL || PS_IS_POLICY (policy));

  same_camera = device == self->device && g_strcmp0 (password, self->password) == 0;
  same_peers = peers == self->peers;

  if (!same_camera)
    {
      g_set_object (&self->device, device);
      if (self->password != NULL)
        memset (self->password, 0, strlen (self->password));
      g_free (self->password);
      self->password = g_strdup (password);
      ps_camera_p2p_group_set_camera (self->p2p_group, device, password);
      gtk_editable_set_text (GTK_EDITABLE (self->allow_entry), "");
    }

  if (!same_peers)
    {
      g_clear_pointer (&self->watch, ps_peer_watch_free);
      g_set_object (&self->peers, peers);
      if (peers != NULL)
        self->watch = ps_peer_watch_new (peers, "blocked-attempts", PEERS_DELAY_MS,
                                         on_peers_changed_cb, self);
      ps_camera_p2p_group_set_peers (self->p2p_group, peers);
    }

  g_set_object (&self->policy, policy);
  ps_enforcement_group_set_policy (self->enforcement_group, policy);

  update_rule (self);
}

PsDevice *
ps_privacy_view_get_device (PsPrivacyView *self)
{
  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), NULL);

  return self->device;
}

PsPolicy *
ps_privacy_view_get_policy (PsPrivacyView *self)
{
  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), NULL);

  return self->policy;
}

/* ---- for the tests --------------------------------------------------------------------- */

const char *
_ps_privacy_view_get_blocked_summary (PsPrivacyView *self)
{
  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), NULL);

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->blocked_row));
}

guint
_ps_privacy_view_get_n_blocked_rows (PsPrivacyView *self)
{
  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), 0);

  return self->blocked_rows->len;
}

GtkCheckButton *
_ps_privacy_view_get_intent_check (PsPrivacyView *self,
                                   PsIntent       intent)
{
  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), NULL);
  g_return_val_if_fail ((guint) intent <= PS_INTENT_LAST, NULL);

  return self->checks[intent];
}

AdwEntryRow *
_ps_privacy_view_get_allow_entry (PsPrivacyView *self)
{
  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), NULL);

  return self->allow_entry;
}

const char *
_ps_privacy_view_get_allow_error (PsPrivacyView *self)
{
  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->allow_error_label)))
    return NULL;
  return gtk_label_get_text (self->allow_error_label);
}

GStrv
_ps_privacy_view_dup_allow_rows (PsPrivacyView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), NULL);

  for (guint i = 0; i < self->allow_rows->len; i++)
    g_strv_builder_add (builder,
                        adw_preferences_row_get_title (g_ptr_array_index (self->allow_rows, i)));

  return g_strv_builder_end (builder);
}

gboolean
_ps_privacy_view_get_allow_visible (PsPrivacyView *self)
{
  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->allow_group));
}

PsCameraP2pGroup *
_ps_privacy_view_get_p2p_group (PsPrivacyView *self)
{
  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), NULL);

  return self->p2p_group;
}

void
_ps_privacy_view_flush (PsPrivacyView *self)
{
  g_return_if_fail (PS_IS_PRIVACY_VIEW (self));

  if (self->watch != NULL)
    ps_peer_watch_flush (self->watch);
  _ps_camera_p2p_group_flush (self->p2p_group);
}

PsEnforcementGroup *
_ps_privacy_view_get_enforcement_group (PsPrivacyView *self)
{
  g_return_val_if_fail (PS_IS_PRIVACY_VIEW (self), NULL);

  return self->enforcement_group;
}
