/* ps-add-camera-dialog.c
 *
 * Adding a camera by address, or pairing one discovery found. A found
 * ONVIF camera lists its streams (profiles); the user picks the one the
 * camera page plays, the largest by default, and the grid plays the
 * smallest. A camera that lists them only after signing in does so when
 * asked, with the credentials typed here, and only at the address that
 * answered discovery.
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
};

G_DEFINE_FINAL_TYPE (PsAddCameraDialog, ps_add_camera_dialog, ADW_TYPE_WINDOW)

enum {
  CAMERA_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
ps_add_camera_dialog_check_address (const char *address)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (address == NULL || *address == '\0')
    return _("Enter the camera’s address");

  for (const char *c = address; *c != '\0'; c++)
    if (g_ascii_isspace (*c) || g_ascii_iscntrl (*c))
      return _("The address must not contain spaces");

  uri = g_uri_parse (address, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return _("This is not a valid address");

  scheme = g_uri_get_scheme (uri);
  if (g_strcmp0 (scheme, "rtsp") != 0 && g_strcmp0 (scheme, "rtsps") != 0 &&
      g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    return _("The address must start with rtsp://, rtsps://, http:// or https://");

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
}

static void
ps_add_camera_dialog_init (PsAddCameraDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

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
 * at that host. */
static char *
device_address (PsDevice *device)
{
  const char * const *xaddrs = ps_device_get_xaddrs (device);
  const char * const *addresses = ps_device_get_addresses (device);

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
}

PsDevice *
ps_add_camera_dialog_get_device (PsAddCameraDialog *self)
{
  g_return_val_if_fail (PS_IS_ADD_CAMERA_DIALOG (self), NULL);
  return self->device;
}
