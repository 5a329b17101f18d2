/* test-ui-widgets.c: the window, its tiles and the add-camera dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <gst/gst.h>

#include "ps-add-camera-dialog.h"
#include "ps-camera-tile.h"
#include "ps-test-emulator.h"
#include "ps-window.h"

static void
test_check_address (void)
{
  g_assert_null (ps_add_camera_dialog_check_address ("rtsp://192.0.2.1/stream1"));
  g_assert_null (ps_add_camera_dialog_check_address ("rtsps://cam.local:322/x"));
  g_assert_null (ps_add_camera_dialog_check_address ("http://[2001:db8::5]/onvif/device_service"));
  g_assert_nonnull (ps_add_camera_dialog_check_address (""));
  g_assert_nonnull (ps_add_camera_dialog_check_address (NULL));
  g_assert_nonnull (ps_add_camera_dialog_check_address ("192.0.2.1"));
  g_assert_nonnull (ps_add_camera_dialog_check_address ("ftp://192.0.2.1/"));
  g_assert_nonnull (ps_add_camera_dialog_check_address ("rtsp://"));
  g_assert_nonnull (ps_add_camera_dialog_check_address ("rtsp:// bad host/"));
}

static GtkWidget *
find_first (GtkWidget *widget,
            GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_first (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkStack *
find_content_stack (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_child_by_name (GTK_STACK (widget), "grid") != NULL)
    return GTK_STACK (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkStack *found = find_content_stack (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static const char *
visible_page (PsWindow *window)
{
  GtkStack *stack = find_content_stack (GTK_WIDGET (window));

  g_assert_nonnull (stack);
  return gtk_stack_get_visible_child_name (stack);
}

static gboolean
tile_playing (gpointer data)
{
  return ps_stream_get_state (ps_camera_tile_get_stream (data)) == PS_STREAM_STATE_PLAYING;
}

static gboolean
tile_failed (gpointer data)
{
  const GError *error = ps_stream_get_error (ps_camera_tile_get_stream (data));

  return error != NULL && error->code == PS_STREAM_ERROR_REFUSED;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

/* Empty state, a live camera, a camera that refuses, then removing one. */
static void
test_window (void)
{
  g_autoptr(PsTestEmulator) emu = ps_test_emulator_start ("--name", "widget-test", NULL);
  g_autofree char *refused = g_strdup_printf ("rtsp://127.0.0.1:%u/none", ps_test_free_port ());
  g_autoptr(PsDevice) live = ps_device_new ("Porch", emu->rtsp_sub);
  g_autoptr(PsDevice) dead = ps_device_new ("Shed", refused);
  PsWindow *window = ps_window_new (NULL);
  PsCameraTile *tile;
  AdwMessageDialog *dialog;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (visible_page (window), ==, "empty");

  ps_window_add_camera (window, live, NULL, FALSE);
  g_assert_cmpstr (visible_page (window), ==, "grid");
  tile = PS_CAMERA_TILE (find_first (GTK_WIDGET (window), PS_TYPE_CAMERA_TILE));
  g_assert_nonnull (tile);
  g_assert_true (ps_test_wait_until (tile_playing, tile, 20000));

  ps_window_add_camera (window, dead, NULL, FALSE);
  {
    guint n = 0;
    g_assert_cmpuint (ps_window_count_playing (window, &n), ==, 1);
    g_assert_cmpuint (n, ==, 2);
  }

  /* the dead camera says why, and is retried rather than given up */
  {
    GtkWidget *flowbox = find_first (GTK_WIDGET (window), GTK_TYPE_FLOW_BOX);
    GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flowbox), 1);
    PsCameraTile *dead_tile = PS_CAMERA_TILE (gtk_flow_box_child_get_child (child));

    g_assert_true (ps_test_wait_until (tile_failed, dead_tile, 20000));
    g_assert_cmpint (ps_stream_get_state (ps_camera_tile_get_stream (dead_tile)), !=,
                     PS_STREAM_STATE_ERROR);
  }

  /* open the live camera and remove it through the camera menu */
  g_assert_true (ps_window_open_camera (window, 0));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-camera", NULL));
  g_assert_true (ps_test_wait_until (dialog_shown, NULL, 5000));
  dialog = find_message_dialog ();
  adw_message_dialog_response (dialog, "remove");
  gtk_window_destroy (GTK_WINDOW (dialog));

  {
    guint n = 0;
    ps_window_count_playing (window, &n);
    g_assert_cmpuint (n, ==, 1);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/check-address", test_check_address);
  g_test_add_func ("/ui/window", test_window);

  return g_test_run ();
}
