/* ps-p2p-account-page.c
 *
 * Addresses are checked before they are saved (ps_p2p_config_validate());
 * the status is a listener connection of its own (PsP2pDirectory) that
 * follows every change of the account.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-p2p-account-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-p2p-account-page-private.h"
#include "ps-p2p-directory.h"

static const char * const policy_ids[] = { "all", "relay", "lan" };

struct _PsP2pAccountPage
{
  AdwPreferencesPage    parent_instance;

  AdwEntryRow          *url_row;
  AdwEntryRow          *token_row;
  AdwActionRow         *ca_row;
  GtkWidget            *ca_button;
  GtkWidget            *ca_clear_button;
  GtkLabel             *account_error_label;
  AdwActionRow         *status_row;
  GtkImage             *status_icon;
  GtkSpinner           *status_spinner;
  GtkWidget            *retry_button;
  AdwComboRow          *policy_row;
  AdwActionRow         *relay_warning_row;
  AdwEntryRow          *stun_row;
  AdwPreferencesGroup  *turn_group;
  AdwEntryRow          *turn_row;
  GtkLabel             *network_error_label;

  PsP2pAccount         *account;
  GSettings            *settings;     /* the account's, or NULL */
  PsP2pDirectory       *directory;
  PsP2pConfig          *config;       /* the directory's */
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
  GPtrArray            *turn_rows;
  gboolean              syncing;
  gboolean              token_shown;
};

G_DEFINE_FINAL_TYPE (PsP2pAccountPage, ps_p2p_account_page, ADW_TYPE_PREFERENCES_PAGE)

static void
show_error (GtkLabel   *label,
            GtkWidget  *row,
            const char *message)
{
  gboolean show = message != NULL && *message != '\0';

  gtk_label_set_label (label, show ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), show);
  if (row == NULL)
    return;
  if (show)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}

static void
show_toast (PsP2pAccountPage *self,
            const char       *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (escaped));
  else
    g_message ("%s", message);
}

/* A TURN address without its password, for showing */
static char *
turn_display (const char *server)
{
  g_autoptr(GUri) uri = g_uri_parse (server, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_HAS_PASSWORD,
                                     NULL);
  g_autoptr(GUri) shown = NULL;

  if (uri == NULL)
    return g_strdup (_("An unreadable address"));

  shown = g_uri_build_with_user (G_URI_FLAGS_NON_DNS | G_URI_FLAGS_HAS_PASSWORD,
                                 g_uri_get_scheme (uri), g_uri_get_user (uri), NULL, NULL,
                                 g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                                 g_uri_get_query (uri), NULL);

  return g_uri_to_string (shown);
}

/* Status ---------------------------------------------------------------------- */

static void
set_status (PsP2pAccountPage *self,
            const char       *icon,
            const char       *style,
            const char       *title,
            const char       *subtitle)
{
  const char *styles[] = { "success", "warning", "dim-label" };

  gtk_image_set_from_icon_name (self->status_icon, icon);
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), styles[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), style);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
  adw_action_row_set_subtitle (self->status_row, subtitle != NULL ? subtitle : "");
}

static void
update_status (PsP2pAccountPage *self)
{
  PsP2pDirectoryState state = ps_p2p_directory_get_state (self->directory);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  gboolean busy = FALSE;
  gboolean failed = FALSE;

  if (self->account == NULL || !ps_p2p_account_is_set_up (self->account))
    set_status (self, "network-offline-symbolic", "dim-label", _("Not Set Up"),
                _("Enter your rendezvous server’s address and your account token"));
  else if (state == PS_P2P_DIRECTORY_CONNECTED)
    {
      GPtrArray *cameras = ps_p2p_directory_get_cameras (self->directory);

      /* Translators: %s is the id the rendezvous server gave this computer */
      title = g_strdup_printf (_("Connected as %s"),
                               ps_p2p_directory_get_peer_id (self->directory));
      if (ps_p2p_directory_is_listed (self->directory))
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "%u camera on this account",
                                                 "%u cameras on this account", cameras->len),
                                    cameras->len);
      set_status (self, "emblem-ok-symbolic", "success", title, subtitle);
    }
  else if (state == PS_P2P_DIRECTORY_FAILED)
    {
      failed = TRUE;
      set_status (self, "dialog-warning-symbolic", "warning", _("Not Connected"),
                  ps_p2p_directory_get_error (self->directory));
    }
  else
    {
      busy = TRUE;
      set_status (self, "network-offline-symbolic", "dim-label", _("Connecting…"),
                  self->config != NULL ? self->config->rendezvous_url : NULL);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), busy);
  gtk_spinner_set_spinning (self->status_spinner, busy);
  gtk_widget_set_visible (self->retry_button, failed);
}

/* The account as it is now -------------------------------------------------------- */

static void
update_relay_warning (PsP2pAccountPage *self)
{
  const char * const *turn = self->account != NULL
                             ? ps_p2p_account_get_turn_servers (self->account) : NULL;
  gboolean relay = adw_combo_row_get_selected (self->policy_row) == 1;

  gtk_widget_set_visible (GTK_WIDGET (self->relay_warning_row),
                          relay && (turn == NULL || turn[0] == NULL));
}

static void on_remove_turn_cb (PsP2pAccountPage *self,
                               GtkButton        *button);

static void
rebuild_turn_rows (PsP2pAccountPage *self)
{
  const char * const *servers = ps_p2p_account_get_turn_servers (self->account);

  for (guint i = 0; i < self->turn_rows->len; i++)
    adw_preferences_group_remove (self->turn_group, g_ptr_array_index (self->turn_rows, i));
  g_ptr_array_set_size (self->turn_rows, 0);

  for (guint i = 0; servers != NULL && servers[i] != NULL; i++)
    {
      g_autofree char *shown = turn_display (servers[i]);
      g_autofree char *label = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), shown);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Remove"));
      /* Translators: %s is a TURN server's address */
      label = g_strdup_printf (_("Remove %s"), shown);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
      g_object_set_data (G_OBJECT (button), "ps-index", GUINT_TO_POINTER (i));
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_remove_turn_cb), self,
                               G_CONNECT_SWAPPED);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

      /* the new ones above the entry */
      adw_preferences_group_remove (self->turn_group, GTK_WIDGET (self->turn_row));
      adw_preferences_group_remove (self->turn_group, GTK_WIDGET (self->network_error_label));
      adw_preferences_group_add (self->turn_group, row);
      adw_preferences_group_add (self->turn_group, GTK_WIDGET (self->turn_row));
      adw_preferences_group_add (self->turn_group, GTK_WIDGET (self->network_error_label));
      g_ptr_array_add (self->turn_rows, row);
    }
}

static void
sync_from_settings (PsP2pAccountPage *self)
{
  g_autofree char *url = NULL;
  g_autofree char *stun = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *policy = NULL;

  if (self->settings == NULL)
    return;

  self->syncing = TRUE;
  url = g_settings_get_string (self->settings, "p2p-rendezvous-url");
  if (g_strcmp0 (url, gtk_editable_get_text (GTK_EDITABLE (self->url_row))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);
  stun = g_settings_get_string (self->settings, "p2p-stun-server");
  if (g_strcmp0 (stun, gtk_editable_get_text (GTK_EDITABLE (self->stun_row))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->stun_row), stun);

  ca_file = g_settings_get_string (self->settings, "p2p-ca-file");
  if (*ca_file != '\0')
    {
      g_autofree char *display = g_filename_display_name (ca_file);

      adw_action_row_set_subtitle (self->ca_row, display);
    }
  else
    adw_action_row_set_subtitle (self->ca_row,
                                 _("Optional, for wss:// servers whose certificate the system "
                                   "does not trust"));
  gtk_widget_set_visible (self->ca_clear_button, *ca_file != '\0');

  policy = g_settings_get_string (self->settings, "p2p-ice-policy");
  for (guint i = 0; i < G_N_ELEMENTS (policy_ids); i++)
    if (g_str_equal (policy, policy_ids[i]))
      adw_combo_row_set_selected (self->policy_row, i);
  self->syncing = FALSE;

  update_relay_warning (self);
}

static void
on_config_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PsP2pAccountPage) self = user_data;
  g_autoptr(PsP2pConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = ps_p2p_account_load_finish (PS_P2P_ACCOUNT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->account == NULL)
    return;

  /* the stored token, hidden behind dots, once */
  if (config != NULL && !self->token_shown)
    {
      self->token_shown = TRUE;
      self->syncing = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->token_row),
                             config->token != NULL ? config->token : "");
      self->syncing = FALSE;
    }
  rebuild_turn_rows (self);
  update_relay_warning (self);

  if (config == NULL)
    {
      g_clear_pointer (&self->config, ps_p2p_config_free);
      ps_p2p_directory_stop (self->directory);
    }
  else if (!ps_p2p_account_config_equal (config, self->config))
    {
      g_clear_pointer (&self->config, ps_p2p_config_free);
      self->config = g_steal_pointer (&config);
      ps_p2p_directory_start (self->directory, self->config);
    }
  update_status (self);
}

static void
on_account_changed_cb (PsP2pAccountPage *self)
{
  sync_from_settings (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ps_p2p_account_load_async (self->account, self->cancellable, on_config_loaded_cb,
                             g_object_ref (self));
  update_status (self);
}

/* Editing --------------------------------------------------------------------- */

static char *
stripped_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
on_url_apply_cb (PsP2pAccountPage *self)
{
  g_autofree char *url = stripped_text (self->url_row);
  g_autoptr(PsP2pConfig) probe = ps_p2p_config_new (url, NULL);
  g_autoptr(GError) error = NULL;

  if (self->settings == NULL)
    return;
  if (*url != '\0' && !ps_p2p_config_validate (probe, &error))
    {
      show_error (self->account_error_label, GTK_WIDGET (self->url_row), error->message);
      return;
    }

  show_error (self->account_error_label, GTK_WIDGET (self->url_row), NULL);
  g_settings_set_string (self->settings, "p2p-rendezvous-url", url);
}

static void
on_url_changed_cb (PsP2pAccountPage *self)
{
  if (!self->syncing)
    show_error (self->account_error_label, GTK_WIDGET (self->url_row), NULL);
}

static void
on_token_stored_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PsP2pAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (ps_p2p_account_set_token_finish (PS_P2P_ACCOUNT (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Translators: %s says why */
  message = g_strdup_printf (_("The keyring did not keep the token, so it is used only until "
                               "Peerscope quits: %s"), error->message);
  show_error (self->account_error_label, NULL, message);
}

static void
on_token_apply_cb (PsP2pAccountPage *self)
{
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  g_autofree char *stripped = g_strstrip (g_strdup (token));

  show_error (self->account_error_label, NULL, NULL);
  self->token_shown = TRUE;
  ps_p2p_account_set_token_async (self->account, stripped, self->cancellable,
                                  on_token_stored_cb, g_object_ref (self));
}

static void
on_stun_apply_cb (PsP2pAccountPage *self)
{
  g_autofree char *stun = stripped_text (self->stun_row);
  g_autoptr(PsP2pConfig) probe = ps_p2p_config_new ("ws://localhost", NULL);
  g_autoptr(GError) error = NULL;

  if (self->settings == NULL)
    return;
  probe->stun_server = g_strdup (stun);
  if (*stun != '\0' && !ps_p2p_config_validate (probe, &error))
    {
      show_error (self->network_error_label, GTK_WIDGET (self->stun_row), error->message);
      return;
    }

  show_error (self->network_error_label, GTK_WIDGET (self->stun_row), NULL);
  g_settings_set_string (self->settings, "p2p-stun-server", stun);
}

static void
on_turn_stored_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PsP2pAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (ps_p2p_account_set_turn_servers_finish (PS_P2P_ACCOUNT (object), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Translators: %s says why */
  message = g_strdup_printf (_("The keyring did not keep the TURN servers, so they are used "
                               "only until Peerscope quits: %s"), error->message);
  show_error (self->network_error_label, NULL, message);
}

static void
set_turn_servers (PsP2pAccountPage *self,
                  GStrv             servers)
{
  ps_p2p_account_set_turn_servers_async (self->account, (const char * const *) servers,
                                         self->cancellable, on_turn_stored_cb,
                                         g_object_ref (self));
}

static void
on_turn_apply_cb (PsP2pAccountPage *self)
{
  g_autofree char *turn = stripped_text (self->turn_row);
  g_autoptr(PsP2pConfig) probe = ps_p2p_config_new ("ws://localhost", NULL);
  const char * const *old = ps_p2p_account_get_turn_servers (self->account);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) servers = NULL;

  if (*turn == '\0')
    return;
  probe->turn_servers = g_strsplit (turn, "\n", 2);
  if (!ps_p2p_config_validate (probe, &error))
    {
      show_error (self->network_error_label, GTK_WIDGET (self->turn_row), error->message);
      return;
    }
  if (old != NULL && g_strv_contains (old, turn))
    {
      show_error (self->network_error_label, GTK_WIDGET (self->turn_row),
                  _("This TURN server is in the list already"));
      return;
    }

  show_error (self->network_error_label, GTK_WIDGET (self->turn_row), NULL);
  if (old != NULL)
    g_strv_builder_addv (builder, (const char **) old);
  g_strv_builder_add (builder, turn);
  servers = g_strv_builder_end (builder);
  set_turn_servers (self, servers);
  gtk_editable_set_text (GTK_EDITABLE (self->turn_row), "");
}

static void
on_turn_changed_cb (PsP2pAccountPage *self)
{
  show_error (self->network_error_label, GTK_WIDGET (self->turn_row), NULL);
}

static void
on_remove_turn_cb (PsP2pAccountPage *self,
                   GtkButton        *button)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "ps-index"));
  const char * const *old = ps_p2p_account_get_turn_servers (self->account);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) servers = NULL;

  for (guint i = 0; old != NULL && old[i] != NULL; i++)
    if (i != index)
      g_strv_builder_add (builder, old[i]);
  servers = g_strv_builder_end (builder);
  set_turn_servers (self, servers);
}

static void
on_policy_selected_cb (PsP2pAccountPage *self)
{
  guint selected = adw_combo_row_get_selected (self->policy_row);
  const char *subtitles[] = {
    N_("Directly when possible"),
    N_("Hides your home address"),
    N_("Never leaves your home network"),
  };

  if (selected >= G_N_ELEMENTS (policy_ids))
    return;

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->policy_row), _(subtitles[selected]));
  update_relay_warning (self);
  if (!self->syncing && self->settings != NULL)
    g_settings_set_string (self->settings, "p2p-ice-policy", policy_ids[selected]);
}

static void
set_ca_file (PsP2pAccountPage *self,
             const char       *path)
{
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "p2p-ca-file", path != NULL ? path : "");
}

static void
on_chooser_response_cb (PsP2pAccountPage *self,
                        int               response,
                        GtkNativeDialog  *dialog)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        set_ca_file (self, path);
      else
        show_toast (self, _("Only files on this computer can be used"));
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
on_ca_clicked_cb (PsP2pAccountPage *self)
{
  g_autoptr(GtkFileFilter) pem = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Choose a Certificate File"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (pem, _("PEM certificates"));
  gtk_file_filter_add_pattern (pem, "*.pem");
  gtk_file_filter_add_pattern (pem, "*.crt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), pem);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_ca_clear_clicked_cb (PsP2pAccountPage *self)
{
  set_ca_file (self, NULL);
}

static void
on_retry_clicked_cb (PsP2pAccountPage *self)
{
  if (self->config != NULL)
    ps_p2p_directory_start (self->directory, self->config);
}

/* GObject --------------------------------------------------------------------- */

static void
ps_p2p_account_page_dispose (GObject *object)
{
  PsP2pAccountPage *self = (PsP2pAccountPage *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_clear_object (&self->account);
  g_clear_object (&self->settings);
  if (self->directory != NULL)
    ps_p2p_directory_stop (self->directory);
  g_clear_object (&self->directory);
  g_clear_pointer (&self->config, ps_p2p_config_free);

  G_OBJECT_CLASS (ps_p2p_account_page_parent_class)->dispose (object);
}

static void
ps_p2p_account_page_finalize (GObject *object)
{
  PsP2pAccountPage *self = (PsP2pAccountPage *) object;

  g_ptr_array_unref (self->turn_rows);

  G_OBJECT_CLASS (ps_p2p_account_page_parent_class)->finalize (object);
}

static void
ps_p2p_account_page_class_init (PsP2pAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_p2p_account_page_dispose;
  object_class->finalize = ps_p2p_account_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/peerscope/Peerscope/"
                                               "ps-p2p-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, ca_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, ca_button);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, ca_clear_button);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, account_error_label);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, policy_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, relay_warning_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, stun_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, turn_group);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, turn_row);
  gtk_widget_class_bind_template_child (widget_class, PsP2pAccountPage, network_error_label);
}

static void
ps_p2p_account_page_init (PsP2pAccountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->turn_rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->directory = ps_p2p_directory_new ();
  g_signal_connect_object (self->directory, "changed", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (self->url_row, "apply", G_CALLBACK (on_url_apply_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->url_row, "changed", G_CALLBACK (on_url_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->token_row, "apply", G_CALLBACK (on_token_apply_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stun_row, "apply", G_CALLBACK (on_stun_apply_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->turn_row, "apply", G_CALLBACK (on_turn_apply_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->turn_row, "changed", G_CALLBACK (on_turn_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->policy_row, "notify::selected",
                           G_CALLBACK (on_policy_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ca_button, "clicked", G_CALLBACK (on_ca_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ca_clear_button, "clicked", G_CALLBACK (on_ca_clear_clicked_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->retry_button, "clicked", G_CALLBACK (on_retry_clicked_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->ca_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Choose a Certificate File"),
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->ca_clear_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Use the System’s Certificates"),
                                  -1);
  on_policy_selected_cb (self);
  update_status (self);
}

PsP2pAccountPage *
ps_p2p_account_page_new (PsP2pAccount *account)
{
  PsP2pAccountPage *self = g_object_new (PS_TYPE_P2P_ACCOUNT_PAGE, NULL);

  ps_p2p_account_page_set_account (self, account);

  return self;
}

void
ps_p2p_account_page_set_account (PsP2pAccountPage *self,
                                 PsP2pAccount     *account)
{
  g_return_if_fail (PS_IS_P2P_ACCOUNT_PAGE (self));
  g_return_if_fail (account == NULL || PS_IS_P2P_ACCOUNT (account));

  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_set_object (&self->account, account);
  g_clear_object (&self->settings);
  self->token_shown = FALSE;
  if (account == NULL)
    {
      ps_p2p_directory_stop (self->directory);
      update_status (self);
      return;
    }

  if (ps_p2p_account_get_settings (account) != NULL)
    self->settings = g_object_ref (ps_p2p_account_get_settings (account));
  gtk_widget_set_sensitive (GTK_WIDGET (self), self->settings != NULL);
  g_signal_connect_object (account, "changed", G_CALLBACK (on_account_changed_cb), self,
                           G_CONNECT_SWAPPED);
  on_account_changed_cb (self);
}

/* Tests ----------------------------------------------------------------------- */

const char *
_ps_p2p_account_page_get_status_title (PsP2pAccountPage *self)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->status_row));
}

const char *
_ps_p2p_account_page_get_status (PsP2pAccountPage *self)
{
  return adw_action_row_get_subtitle (self->status_row);
}

const char *
_ps_p2p_account_page_get_error (PsP2pAccountPage *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->account_error_label)))
    return gtk_label_get_label (self->account_error_label);
  if (gtk_widget_get_visible (GTK_WIDGET (self->network_error_label)))
    return gtk_label_get_label (self->network_error_label);

  return NULL;
}

void
_ps_p2p_account_page_choose_ca_file (PsP2pAccountPage *self,
                                     const char       *path)
{
  set_ca_file (self, path);
}
