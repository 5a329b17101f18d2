/* ps-camera-upnp-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same pattern as the P2P switch above it: a change goes to the camera first
 * (GtkSwitch's delayed state), and the switch moves once the camera confirms it; a failure
 * puts the switch back and says why, with a button to ask again.
 */

#define G_LOG_DOMAIN "ps-camera-upnp-row"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-camera-upnp-row-private.h"

typedef enum {
  STATE_HIDDEN,
  STATE_LOADING,
  STATE_ON,
  STATE_OFF,
  STATE_UNSUPPORTED,
  STATE_ERROR,
} State;

struct _PsCameraUpnpRow
{
  AdwActionRow    parent_instance;

  GtkSwitch      *upnp_switch;
  GtkSpinner     *spinner;
  GtkWidget      *retry_button;

  PsFoscamClient *client;
  GCancellable   *cancellable;      /* the camera's requests; new per client */
  State           state;
  gboolean        updating;         /* the code, not the user, moves the switch */
  gboolean        query_pending;    /* the camera is asked once the row shows */
};

G_DEFINE_FINAL_TYPE (PsCameraUpnpRow, ps_camera_upnp_row, ADW_TYPE_ACTION_ROW)

static void
set_state (PsCameraUpnpRow *self,
           State            state,
           const char      *message)
{
  const char *subtitle = NULL;

  self->state = state;

  /* a camera without the command has nothing to show */
  gtk_widget_set_visible (GTK_WIDGET (self), state != STATE_HIDDEN && state != STATE_UNSUPPORTED);
  gtk_spinner_set_spinning (self->spinner, state == STATE_LOADING);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), state == STATE_LOADING);
  gtk_widget_set_visible (self->retry_button, state == STATE_ERROR);
  gtk_widget_set_sensitive (GTK_WIDGET (self->upnp_switch),
                            state == STATE_ON || state == STATE_OFF);

  switch (state)
    {
    case STATE_LOADING:
      subtitle = _("Asking the camera…");
      break;
    case STATE_ON:
      subtitle = _("On: the camera may open ports on your router to the internet");
      break;
    case STATE_OFF:
      subtitle = _("Off, says the camera");
      break;
    case STATE_ERROR:
      subtitle = message;
      break;
    case STATE_HIDDEN:
    case STATE_UNSUPPORTED:
    default:
      break;
    }

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle != NULL ? subtitle : "");
}

static void
show_switch (PsCameraUpnpRow *self,
             gboolean         enabled)
{
  self->updating = TRUE;
  gtk_switch_set_active (self->upnp_switch, enabled);
  gtk_switch_set_state (self->upnp_switch, enabled);
  self->updating = FALSE;

  set_state (self, enabled ? STATE_ON : STATE_OFF, NULL);
}

static void
show_error (PsCameraUpnpRow *self,
            const GError    *error)
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
  g_autoptr(PsCameraUpnpRow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean enabled = FALSE;

  if (!ps_foscam_client_get_finish (PS_FOSCAM_CLIENT (object), result, &enabled, &error))
    {
      /* cancelled: another camera, or the row went away */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || PS_FOSCAM_CLIENT (object) != self->client)
        return;
      g_debug ("UPnP switch: %s", error->message);
      show_error (self, error);
      return;
    }
  if (PS_FOSCAM_CLIENT (object) != self->client)
    return;

  show_switch (self, enabled);
}

static void
query (PsCameraUpnpRow *self)
{
  g_assert (self->client != NULL);

  set_state (self, STATE_LOADING, NULL);
  /* nothing goes to the camera while nobody looks */
  self->query_pending = !gtk_widget_get_mapped (GTK_WIDGET (self));
  if (self->query_pending)
    return;

  ps_foscam_client_get_async (self->client, PS_FOSCAM_SWITCH_UPNP, self->cancellable,
                              on_get_cb, g_object_ref (self));
}

static void
on_set_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PsCameraUpnpRow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ps_foscam_client_set_finish (PS_FOSCAM_CLIENT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || PS_FOSCAM_CLIENT (object) != self->client)
        return;

      g_debug ("Setting the UPnP switch: %s", error->message);
      /* the switch goes back to what the camera has */
      self->updating = TRUE;
      gtk_switch_set_active (self->upnp_switch, gtk_switch_get_state (self->upnp_switch));
      self->updating = FALSE;
      show_error (self, error);
      return;
    }
  if (PS_FOSCAM_CLIENT (object) != self->client)
    return;

  show_switch (self, gtk_switch_get_active (self->upnp_switch));
}

static gboolean
on_switch_state_set_cb (PsCameraUpnpRow *self,
                        gboolean         enabled)
{
  if (self->updating || self->client == NULL)
    return FALSE;

  /* the switch moves once the camera has it */
  set_state (self, STATE_LOADING, NULL);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), enabled ? _("Turning UPnP on…")
                                                              : _("Turning UPnP off…"));
  ps_foscam_client_set_async (self->client, PS_FOSCAM_SWITCH_UPNP, enabled, self->cancellable,
                              on_set_cb, g_object_ref (self));
  return TRUE;
}

static void
on_retry_clicked_cb (PsCameraUpnpRow *self)
{
  if (self->client != NULL)
    query (self);
}

static void
ps_camera_upnp_row_map (GtkWidget *widget)
{
  PsCameraUpnpRow *self = PS_CAMERA_UPNP_ROW (widget);

  GTK_WIDGET_CLASS (ps_camera_upnp_row_parent_class)->map (widget);

  if (self->query_pending && self->client != NULL)
    query (self);
}

static void
ps_camera_upnp_row_dispose (GObject *object)
{
  PsCameraUpnpRow *self = (PsCameraUpnpRow *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ps_camera_upnp_row_parent_class)->dispose (object);
}

static void
ps_camera_upnp_row_finalize (GObject *object)
{
  PsCameraUpnpRow *self = (PsCameraUpnpRow *) object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ps_camera_upnp_row_parent_class)->finalize (object);
}

static void
ps_camera_upnp_row_class_init (PsCameraUpnpRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_camera_upnp_row_dispose;
  object_class->finalize = ps_camera_upnp_row_finalize;

  widget_class->map = ps_camera_upnp_row_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/peerscope/Peerscope/ps-camera-upnp-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PsCameraUpnpRow, upnp_switch);
  gtk_widget_class_bind_template_child (widget_class, PsCameraUpnpRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, PsCameraUpnpRow, retry_button);
}

static void
ps_camera_upnp_row_init (PsCameraUpnpRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  g_signal_connect_object (self->upnp_switch, "state-set", G_CALLBACK (on_switch_state_set_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->retry_button, "clicked", G_CALLBACK (on_retry_clicked_cb),
                           self, G_CONNECT_SWAPPED);

  set_state (self, STATE_HIDDEN, NULL);
}

PsCameraUpnpRow *
ps_camera_upnp_row_new (void)
{
  return g_object_new (PS_TYPE_CAMERA_UPNP_ROW, NULL);
}

/**
 * ps_camera_upnp_row_set_client:
 * @self: a row
 * @client: (nullable): the camera's CGI
 *
 * Asks the camera behind @client for its UPnP switch (again, if it is the same), or hides
 * the row.
 */
void
ps_camera_upnp_row_set_client (PsCameraUpnpRow *self,
                               PsFoscamClient  *client)
{
  g_return_if_fail (PS_IS_CAMERA_UPNP_ROW (self));
  g_return_if_fail (client == NULL || PS_IS_FOSCAM_CLIENT (client));

  /* the requests before go nowhere */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->query_pending = FALSE;
  g_set_object (&self->client, client);

  if (client == NULL)
    {
      set_state (self, STATE_HIDDEN, NULL);
      return;
    }

  query (self);
}

/* ---- for the tests --------------------------------------------------------------------- */

const char *
_ps_camera_upnp_row_get_state (PsCameraUpnpRow *self)
{
  static const char * const names[] = { "hidden", "loading", "on", "off", "unsupported", "error" };

  g_return_val_if_fail (PS_IS_CAMERA_UPNP_ROW (self), NULL);

  return names[self->state];
}

GtkSwitch *
_ps_camera_upnp_row_get_switch (PsCameraUpnpRow *self)
{
  g_return_val_if_fail (PS_IS_CAMERA_UPNP_ROW (self), NULL);

  return self->upnp_switch;
}
