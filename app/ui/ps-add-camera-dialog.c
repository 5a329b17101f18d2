/* ps-add-camera-dialog.c
 *
 * Adding a camera by address, or pairing one discovery found. A found
 * ONVIF camera lists its streams (profiles); the user picks the one the
 * camera page plays, the largest by default, and the grid plays the
 * smallest. A camera that lists them only after signing in does so when
 * asked, with the credentials typed here, and only at the address that
 * answered discovery.
 *
 * A P2P camera is added by its device id, typed (any case, with spaces,
 * colons or dashes) or picked from the cameras the account's rendezvous
 * server lists.  The id is the pin: the camera is saved as "p2p:ID", and
 * the dialog shows the id in groups of four for comparing with the one the
 * camera prints.  The names and ids the server lists are its word only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-add-camera-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-add-camera-dialog.h"
#include "ps-onvif-client.h"
#include "ps-onvif-enricher.h"
#include "ps-p2p-account.h"
#include "ps-p2p-directory.h"
#include "ps-p2p-identity.h"

struct _PsAddCameraDialog
{
  AdwWindow     parent_instance;

  PsDevice     *device;        /* a discovered camera, or NULL */
  GPtrArray    *streams;       /* PsDeviceStream, owned by device, in stream_row's order */
  GCancellable *cancellable;

  GtkWidget    *add_button;
  AdwEntryRow  *address_row;
  AdwEntryRow  *name_row;
  AdwEntryRow  *user_row;
  AdwEntryRow  *password_row;
  GtkWidget    *streams_group;
  AdwComboRow  *stream_row;
  GtkWidget    *list_streams_row;
  GtkWidget    *list_streams_button;
  GtkLabel     *error_label;
  GtkWidget    *sign_in_group;
  GtkWidget    *pin_group;
  AdwActionRow *device_id_row;
  AdwPreferencesGroup *p2p_group;
  GtkWidget    *p2p_refresh_button;
  AdwActionRow *p2p_status_row;
  GtkSpinner   *p2p_spinner;
  GtkWidget    *p2p_setup_button;

  PsP2pAccount   *account;
  PsP2pDirectory *directory;
  PsP2pConfig    *p2p_config;     /* the directory's */
  GPtrArray      *p2p_rows;       /* one per listed camera, "ps-device-id" set */
  char           *auto_name;      /* the name the dialog filled in, or NULL */
};

G_DEFINE_FINAL_TYPE (PsAddCameraDialog, ps_add_camera_dialog, ADW_TYPE_WINDOW)

enum {
  CAMERA_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Hex digits and the separators people type between them, or "p2p:" */
static gboolean
looks_like_device_id (const char *text)
{
  if (g_ascii_strncasecmp (text, "p2p:", 4) == 0)
    return TRUE;

  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isxdigit (*c) && *c != ' ' && *c != ':' && *c != '-')
      return FALSE;

  return TRUE;
}

char *
ps_add_camera_dialog_parse_device_id (const char *text)
{
  g_autofree char *stripped = NULL;
  const char *id;

  if (text == NULL)
    return NULL;

  stripped = g_strstrip (g_strdup (text));
  id = stripped;
  if (g_ascii_strncasecmp (id, "p2p:", 4) == 0)
    id += 4;

  return ps_p2p_device_id_normalize (id);
}

const char *
ps_add_camera_dialog_check_address (const char *address)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *stripped = NULL;
  const char *scheme;

  if (address == NULL || *address == '\0')
    return _("Enter the camera’s address");

  stripped = g_strstrip (g_strdup (address));
  if (looks_like_device_id (stripped))
    {
      device_id = ps_add_camera_dialog_parse_device_id (stripped);
      return device_id != NULL ? NULL : _("A P2P device ID has 64 hexadecimal digits");
    }

  for (const char *c = address; *c != '\0'; c++)
    if (g_ascii_isspace (*c) || g_ascii_iscntrl (*c))
      return _("The address must not contain spaces");

  uri = g_uri_parse (address, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return _("This is not a valid address");

  scheme = g_uri_get_scheme (uri);
  if (g_strcmp0 (scheme, "rtsp") != 0 && g_strcmp0 (scheme, "rtsps") != 0 &&
      g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    return _("The address must start with rtsp://, rtsps://, http:// or https://, or be a "
             "P2P device ID");

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return _("The address has no host");

  return NULL;
}

static void
show_error (PsAddCameraDialog *self,
            const char        *message)
{
  gboolean show = message != NULL && *message != '\0';

  gtk_label_set_label (self->error_label, show ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), show);
}

/* P2P ------------------------------------------------------------------------ */

/* The device id typed in the address row, or NULL */
static char *
typed_device_id (PsAddCameraDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (*stripped == '\0' || !looks_like_device_id (stripped))
    return NULL;

  return ps_add_camera_dialog_parse_device_id (stripped);
}

/* A camera saved by device id has no password and no streams to pick: its
 * identity is what the user checks. */
static void
update_pin (PsAddCameraDialog *self)
{
  g_autofree char *device_id = typed_device_id (self);

  gtk_widget_set_visible (self->pin_group, device_id != NULL);
  gtk_widget_set_visible (self->sign_in_group, device_id == NULL);
  if (device_id != NULL)
    {
      g_autofree char *formatted = ps_p2p_device_id_format (device_id);
      g_autofree char *markup = g_strdup_printf ("<span font_family=\"monospace\">%s</span>",
                                                 formatted);

      adw_action_row_set_subtitle (self->device_id_row, markup);
    }

  for (guint i = 0; self->p2p_rows != NULL && i < self->p2p_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->p2p_rows, i);
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "ps-check");
      const char *id = g_object_get_data (G_OBJECT (row), "ps-device-id");

      gtk_widget_set_visible (check, g_strcmp0 (id, device_id) == 0);
    }
}

static void
set_p2p_status (PsAddCameraDialog *self,
                const char        *title,
                const char        *subtitle,
                gboolean           busy,
                gboolean           set_up)
{
  gtk_widget_set_visible (GTK_WIDGET (self->p2p_status_row), title != NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->p2p_status_row),
                                 title != NULL ? title : "");
  adw_action_row_set_subtitle (self->p2p_status_row, subtitle != NULL ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->p2p_spinner), busy);
  gtk_spinner_set_spinning (self->p2p_spinner, busy);
  gtk_widget_set_visible (self->p2p_setup_button, set_up);
}

static void
on_p2p_row_activated_cb (PsAddCameraDialog *self,
                         AdwActionRow      *row)
{
  const char *device_id = g_object_get_data (G_OBJECT (row), "ps-device-id");
  const char *name = g_object_get_data (G_OBJECT (row), "ps-name");
  const char *typed_name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *address = g_strconcat ("p2p:", device_id, NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->address_row), address);
  /* the server's name unless the user typed one */
  if (name != NULL && (*typed_name == '\0' || g_strcmp0 (typed_name, self->auto_name) == 0))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
      g_free (self->auto_name);
      self->auto_name = g_strdup (name);
    }
}

static void
clear_p2p_rows (PsAddCameraDialog *self)
{
  for (guint i = 0; i < self->p2p_rows->len; i++)
    adw_preferences_group_remove (self->p2p_group, g_ptr_array_index (self->p2p_rows, i));
  g_ptr_array_set_size (self->p2p_rows, 0);
}

static void
add_p2p_row (PsAddCameraDialog          *self,
             const PsP2pDirectoryCamera *camera)
{
  g_autofree char *formatted = ps_p2p_device_id_format (camera->device_id);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = g_object_new (GTK_TYPE_IMAGE,
                                  "icon-name", "camera-web-symbolic",
                                  "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                  NULL);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  /* names come from the server: plain text */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 camera->name != NULL ? camera->name : _("Unnamed Camera"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), formatted);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_add_css_class (row, "p2p-camera");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_set_visible (check, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Picked"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);

  g_object_set_data_full (G_OBJECT (row), "ps-device-id", g_strdup (camera->device_id), g_free);
  g_object_set_data_full (G_OBJECT (row), "ps-name", g_strdup (camera->name), g_free);
  g_object_set_data (G_OBJECT (row), "ps-check", check);
  g_signal_connect_object (row, "activated", G_CALLBACK (on_p2p_row_activated_cb), self,
                           G_CONNECT_SWAPPED);

  adw_preferences_group_add (self->p2p_group, row);
  g_ptr_array_add (self->p2p_rows, row);
}

static void
update_p2p_list (PsAddCameraDialog *self)
{
  GPtrArray *cameras = ps_p2p_directory_get_cameras (self->directory);
  g_autofree char *reason = NULL;

  clear_p2p_rows (self);

  switch (ps_p2p_directory_get_state (self->directory))
    {
    case PS_P2P_DIRECTORY_FAILED:
      set_p2p_status (self, _("Cannot Reach Your Rendezvous Server"),
                      ps_p2p_directory_get_error (self->directory), FALSE, FALSE);
      break;
    case PS_P2P_DIRECTORY_CONNECTED:
      if (!ps_p2p_directory_is_listed (self->directory))
        {
          set_p2p_status (self, _("Looking for Cameras…"), NULL, TRUE, FALSE);
          break;
        }
      if (cameras->len == 0)
        {
          set_p2p_status (self, _("No Cameras Online"),
                          _("Cameras of your account show here while they are online"),
                          FALSE, FALSE);
          break;
        }
      set_p2p_status (self, NULL, NULL, FALSE, FALSE);
      for (guint i = 0; i < cameras->len; i++)
        add_p2p_row (self, g_ptr_array_index (cameras, i));
      break;
    case PS_P2P_DIRECTORY_IDLE:
    case PS_P2P_DIRECTORY_CONNECTING:
    default:
      set_p2p_status (self, _("Looking for Cameras…"), NULL, TRUE, FALSE);
      break;
    }

  update_pin (self);
}

static void
on_p2p_config_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PsAddCameraDialog) self = user_data;
  g_autoptr(PsP2pConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = ps_p2p_account_load_finish (PS_P2P_ACCOUNT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->device != NULL)
    return;
  if (config == NULL)
    {
      set_p2p_status (self, _("Cannot Read Your P2P Account"), error->message, FALSE, TRUE);
      return;
    }

  g_clear_pointer (&self->p2p_config, ps_p2p_config_free);
  self->p2p_config = g_steal_pointer (&config);
  ps_p2p_directory_start (self->directory, self->p2p_config);
}

/* The account's cameras, unless the dialog pairs a discovered one */
static void
start_p2p_list (PsAddCameraDialog *self)
{
  gboolean set_up = ps_p2p_account_is_set_up (self->account);

  gtk_widget_set_visible (GTK_WIDGET (self->p2p_group), self->device == NULL);
  gtk_widget_set_visible (self->p2p_refresh_button, set_up);
  clear_p2p_rows (self);
  if (self->device != NULL)
    {
      ps_p2p_directory_stop (self->directory);
      return;
    }
  if (!set_up)
    {
      ps_p2p_directory_stop (self->directory);
      set_p2p_status (self, _("No P2P Account"),
                      _("Set one up in Preferences to watch your cameras from anywhere, "
                        "without their vendor’s cloud"), FALSE, TRUE);
      return;
    }

  set_p2p_status (self, _("Looking for Cameras…"), NULL, TRUE, FALSE);
  ps_p2p_account_load_async (self->account, self->cancellable, on_p2p_config_cb,
                             g_object_ref (self));
}

static void
on_account_changed_cb (PsAddCameraDialog *self)
{
  g_autoptr(PsP2pConfig) config = ps_p2p_account_dup_config (self->account);

  if (config == NULL || !ps_p2p_account_config_equal (config, self->p2p_config))
    start_p2p_list (self);
}

static void
on_refresh_clicked_cb (PsAddCameraDialog *self)
{
  start_p2p_list (self);
}

/* The streams belong to the address typed only while it is the device's:
 * another host is another camera. */
static gboolean
address_is_device (PsAddCameraDialog *self)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char * const *addresses;
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (self->device == NULL)
    return FALSE;

  uri = g_uri_parse (address, G_URI_FLAGS_NONE, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host == NULL)
    return FALSE;

  addresses = ps_device_get_addresses (self->device);
  for (guint i = 0; addresses[i] != NULL; i++)
    if (g_ascii_strcasecmp (addresses[i], host) == 0)
      return TRUE;

  return FALSE;
}

static guint64
area (const PsDeviceStream *stream)
{
  return (guint64) stream->width * stream->height;
}

/* The smallest stream with a known size, for the grid; else the last one
 * (the enricher lists the main stream first). */
static PsDeviceStream *
smallest_stream (GPtrArray *streams)
{
  PsDeviceStream *smallest = NULL;

  for (guint i = 0; i < streams->len; i++)
    {
      PsDeviceStream *stream = g_ptr_array_index (streams, i);

      if (area (stream) > 0 && (smallest == NULL || area (stream) < area (smallest)))
        smallest = stream;
    }

  if (smallest == NULL && streams->len > 0)
    smallest = g_ptr_array_index (streams, streams->len - 1);

  return smallest;
}

static char *
stream_label (const PsDeviceStream *stream,
              guint                 index)
{
  g_autofree char *name = NULL;

  if (stream->name != NULL)
    name = g_strdup (stream->name);
  else if (stream->profile != NULL && *stream->profile != '\0')
    name = g_strdup (stream->profile);
  else
    /* Translators: a camera stream without a name; %u counts from 1 */
    name = g_strdup_printf (_("Stream %u"), index + 1);

  if (stream->width == 0 || stream->height == 0)
    return g_steal_pointer (&name);

  /* Translators: a stream's name and its size, "MainStream · 1920×1080" */
  return g_strdup_printf (_("%s · %u×%u"), name, stream->width, stream->height);
}

/* The rows fit what the device offers for the address typed: its streams,
 * the largest picked unless the user picked another; or, for an ONVIF
 * camera that lists none yet, a way to ask with credentials. */
static void
update_streams (PsAddCameraDialog *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  const char *selected_uri = NULL;
  GPtrArray *streams;
  gboolean applies = address_is_device (self);
  gboolean has_streams;
  guint selected = 0;
  gboolean kept = FALSE;

  if (self->streams != NULL && self->streams->len > 0)
    {
      guint at = adw_combo_row_get_selected (self->stream_row);

      if (at < self->streams->len)
        selected_uri = ((PsDeviceStream *) g_ptr_array_index (self->streams, at))->uri;
    }

  streams = self->device != NULL ? ps_device_get_streams (self->device) : NULL;
  has_streams = applies && streams != NULL && streams->len > 0;

  for (guint i = 0; has_streams && i < streams->len; i++)
    {
      PsDeviceStream *stream = g_ptr_array_index (streams, i);
      g_autofree char *label = stream_label (stream, i);

      gtk_string_list_append (labels, label);
      if (!kept && selected_uri != NULL && g_strcmp0 (stream->uri, selected_uri) == 0)
        {
          selected = i;
          kept = TRUE;
        }
      else if (!kept && area (stream) > area (g_ptr_array_index (streams, selected)))
        selected = i;
    }

  /* the old list goes only once the row holds the new one: selected_uri
   * points into the device's streams, which outlive both */
  adw_combo_row_set_model (self->stream_row, G_LIST_MODEL (labels));
  g_clear_pointer (&self->streams, g_ptr_array_unref);
  if (has_streams)
    {
      self->streams = g_ptr_array_ref (streams);
      adw_combo_row_set_selected (self->stream_row, selected);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->stream_row), has_streams);
  gtk_widget_set_visible (self->list_streams_row,
                          applies && !has_streams &&
                          ps_device_get_xaddrs (self->device)[0] != NULL);
  gtk_widget_set_visible (self->streams_group,
                          gtk_widget_get_visible (GTK_WIDGET (self->stream_row)) ||
                          gtk_widget_get_visible (self->list_streams_row));
}

static void
on_changed_cb (PsAddCameraDialog *self)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char *problem = ps_add_camera_dialog_check_address (address);
  gboolean show = problem != NULL && *address != '\0';

  gtk_widget_set_sensitive (self->add_button, problem == NULL);
  show_error (self, show ? problem : NULL);
  if (show)
    gtk_widget_add_css_class (GTK_WIDGET (self->address_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");
  update_streams (self);
  update_pin (self);
}

static void
on_user_changed_cb (PsAddCameraDialog *self)
{
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));

  gtk_widget_set_sensitive (self->list_streams_button, *user != '\0');
}

static void
on_streams_listed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(PsAddCameraDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ps_onvif_enrich_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_error (self, error->message);
    }
  else if (ps_device_get_streams (self->device)->len == 0)
    show_error (self, _("The camera did not list any stream"));

  gtk_widget_set_sensitive (self->list_streams_row, TRUE);
  update_streams (self);
}

/* What the user typed goes to the device being paired, at the address
 * that answered discovery (the enricher pins it), and nowhere else. */
static void
on_list_streams_clicked_cb (PsAddCameraDialog *self)
{
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (self->device == NULL || *user == '\0')
    return;

  show_error (self, NULL);
  gtk_widget_set_sensitive (self->list_streams_row, FALSE);
  ps_onvif_enrich_async (self->device, user, password, self->cancellable,
                         on_streams_listed_cb, g_object_ref (self));
}

static void
on_add_clicked_cb (PsAddCameraDialog *self)
{
  g_autoptr(PsDevice) device = NULL;
  g_autofree char *address = NULL;
  g_autofree char *name = NULL;
  const char *user;

  address = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->address_row))));
  if (ps_add_camera_dialog_check_address (address) != NULL)
    return;

  /* the device id picked or typed is the pin */
  {
    g_autofree char *device_id = typed_device_id (self);

    if (device_id != NULL)
      {
        g_autofree char *uri = g_strconcat ("p2p:", device_id, NULL);

        name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
        if (*name == '\0')
          {
            g_free (name);
            /* Translators: a P2P camera without a name; %.8s are its id's first digits */
            name = g_strdup_printf (_("P2P Camera %.8s"), device_id);
          }
        device = ps_device_new (name, uri);
        g_signal_emit (self, signals[CAMERA_ADDED], 0, device, "");
        gtk_window_close (GTK_WINDOW (self));
        return;
      }
  }

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  if (*name == '\0')
    {
      g_autoptr(GUri) uri = g_uri_parse (address, G_URI_FLAGS_NONE, NULL);

      g_free (name);
      name = g_strdup (g_uri_get_host (uri));
    }

  if (self->streams != NULL && address_is_device (self) &&
      adw_combo_row_get_selected (self->stream_row) < self->streams->len)
    {
      PsDeviceStream *chosen = g_ptr_array_index (self->streams,
                                                  adw_combo_row_get_selected (self->stream_row));
      PsDeviceStream *smallest = smallest_stream (self->streams);

      /* the camera page plays "uri", the grid "sub-uri" */
      device = ps_device_new (name, chosen->uri);
      if (smallest != NULL && smallest != chosen)
        ps_device_set_sub_uri (device, smallest->uri);
    }
  else
    device = ps_device_new (name, address);

  user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  if (*user != '\0')
    ps_device_set_username (device, user);

  g_signal_emit (self, signals[CAMERA_ADDED], 0, device,
                 gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  gtk_window_close (GTK_WINDOW (self));
}

static void
ps_add_camera_dialog_dispose (GObject *object)
{
  PsAddCameraDialog *self = (PsAddCameraDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->streams, g_ptr_array_unref);
  g_clear_object (&self->device);
  if (self->directory != NULL)
    ps_p2p_directory_stop (self->directory);
  g_clear_object (&self->directory);
  g_clear_object (&self->account);
  g_clear_pointer (&self->p2p_config, ps_p2p_config_free);
  g_clear_pointer (&self->p2p_rows, g_ptr_array_unref);
  g_clear_pointer (&self->auto_name, g_free);

  G_OBJECT_CLASS (ps_add_camera_dialog_parent_class)->dispose (object);
}

static void
ps_add_camera_dialog_class_init (PsAddCameraDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_add_camera_dialog_dispose;

  /* (device, password) */
  signals[CAMERA_ADDED] =
    g_signal_new ("camera-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, PS_TYPE_DEVICE, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-add-camera-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, user_row);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, streams_group);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, stream_row);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, list_streams_row);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, list_streams_button);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, sign_in_group);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, pin_group);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, device_id_row);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, p2p_group);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, p2p_refresh_button);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, p2p_status_row);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, p2p_spinner);
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, p2p_setup_button);
}

/* gtk_window_destroy() unrealizes the dialog; a pending account or stream
 * request may keep it alive after that, even after its parent is gone,
 * and GTK 4.8 would then let go of a parent that no longer exists: the
 * dialog lets go of it now, while it is there */
static void
on_unrealize_cb (GtkWidget *widget)
{
  gtk_window_set_transient_for (GTK_WINDOW (widget), NULL);
}

static void
ps_add_camera_dialog_init (PsAddCameraDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "unrealize", G_CALLBACK (on_unrealize_cb), NULL);

  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_widget (GTK_WINDOW (self), self->add_button);
  g_signal_connect_object (self->address_row, "changed",
                           G_CALLBACK (on_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->user_row, "changed",
                           G_CALLBACK (on_user_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->add_button, "clicked",
                           G_CALLBACK (on_add_clicked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list_streams_button, "clicked",
                           G_CALLBACK (on_list_streams_clicked_cb), self, G_CONNECT_SWAPPED);

  self->p2p_rows = g_ptr_array_new ();
  self->account = g_object_ref (ps_p2p_account_get_default ());
  self->directory = ps_p2p_directory_new ();
  g_signal_connect_object (self->directory, "changed", G_CALLBACK (update_p2p_list), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account, "changed", G_CALLBACK (on_account_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->p2p_refresh_button, "clicked",
                           G_CALLBACK (on_refresh_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->p2p_refresh_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Look again for cameras on your P2P account"),
                                  -1);
  start_p2p_list (self);
}

PsAddCameraDialog *
ps_add_camera_dialog_new (GtkWindow *parent)
{
  return g_object_new (PS_TYPE_ADD_CAMERA_DIALOG, "transient-for", parent, NULL);
}

void
ps_add_camera_dialog_prefill (PsAddCameraDialog *self,
                              const char        *name,
                              const char        *address)
{
  g_return_if_fail (PS_IS_ADD_CAMERA_DIALOG (self));

  if (name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  if (address != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->address_row), address);
  /* the address is known: what is left to type is the password */
  gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
}

/* Its ONVIF address at the host that answered, never another; else RTSP
 * at that host; else, for a camera of the P2P account, p2p:ID. */
static char *
device_address (PsDevice *device)
{
  const char * const *xaddrs = ps_device_get_xaddrs (device);
  const char * const *addresses = ps_device_get_addresses (device);

  /* a camera of the P2P account: its pinned id */
  if (addresses[0] == NULL && ps_device_get_peerscope_id (device) != NULL)
    return g_strconcat ("p2p:", ps_device_get_peerscope_id (device), NULL);
  if (addresses[0] == NULL)
    return NULL;
  if (xaddrs[0] != NULL)
    return ps_onvif_pin_host (xaddrs[0], addresses[0]);
  if (strchr (addresses[0], ':') != NULL)
    return g_strdup_printf ("rtsp://[%s]/", addresses[0]);

  return g_strdup_printf ("rtsp://%s/", addresses[0]);
}

void
ps_add_camera_dialog_set_device (PsAddCameraDialog *self,
                                 PsDevice          *device)
{
  g_return_if_fail (PS_IS_ADD_CAMERA_DIALOG (self));
  g_return_if_fail (PS_IS_DEVICE (device));

  if (self->device != NULL)
    g_signal_handlers_disconnect_by_data (self->device, self);
  g_set_object (&self->device, device);
  g_signal_connect_object (device, "changed", G_CALLBACK (update_streams), self,
                           G_CONNECT_SWAPPED);

  if (*gtk_editable_get_text (GTK_EDITABLE (self->address_row)) == '\0')
    {
      g_autofree char *address = device_address (device);

      ps_add_camera_dialog_prefill (self, NULL, address);
    }
  if (*gtk_editable_get_text (GTK_EDITABLE (self->name_row)) == '\0')
    ps_add_camera_dialog_prefill (self, ps_device_get_name (device), NULL);

  update_streams (self);
  /* a discovered camera is paired where it answered, not over P2P */
  start_p2p_list (self);
}

PsDevice *
ps_add_camera_dialog_get_device (PsAddCameraDialog *self)
{
  g_return_val_if_fail (PS_IS_ADD_CAMERA_DIALOG (self), NULL);
  return self->device;
}
