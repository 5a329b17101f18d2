/* ps-add-camera-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-add-camera-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-add-camera-dialog.h"

struct _PsAddCameraDialog
{
  AdwWindow    parent_instance;

  GtkWidget   *add_button;
  AdwEntryRow *address_row;
  AdwEntryRow *name_row;
  AdwEntryRow *user_row;
  AdwEntryRow *password_row;
  GtkLabel    *error_label;
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
on_changed_cb (PsAddCameraDialog *self)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char *problem = ps_add_camera_dialog_check_address (address);
  gboolean show = problem != NULL && *address != '\0';

  gtk_widget_set_sensitive (self->add_button, problem == NULL);
  gtk_label_set_label (self->error_label, show ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), show);
  if (show)
    gtk_widget_add_css_class (GTK_WIDGET (self->address_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");
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

  device = ps_device_new (name, address);
  user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  if (*user != '\0')
    ps_device_set_username (device, user);

  g_signal_emit (self, signals[CAMERA_ADDED], 0, device,
                 gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  gtk_window_close (GTK_WINDOW (self));
}

static void
ps_add_camera_dialog_class_init (PsAddCameraDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

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
  gtk_widget_class_bind_template_child (widget_class, PsAddCameraDialog, error_label);
}

static void
ps_add_camera_dialog_init (PsAddCameraDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_window_set_default_widget (GTK_WINDOW (self), self->add_button);
  g_signal_connect_object (self->address_row, "changed",
                           G_CALLBACK (on_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->add_button, "clicked",
                           G_CALLBACK (on_add_clicked_cb), self, G_CONNECT_SWAPPED);
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
