/* test-ui-widgets.c: the window, its tiles and the add-camera dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <gst/gst.h>
#include <unistd.h>

#include "ps-add-camera-dialog.h"
#include "ps-camera-tile.h"
#include "ps-discovered-row.h"
#include "ps-discovery-page.h"
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
  g_assert_true (ps_window_open_camera (window, 0, NULL));
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

static gboolean
found_p2p_camera (gpointer data)
{
  GListModel *devices = ps_discovery_page_get_devices (data);
  g_autoptr(PsDevice) device = NULL;

  if (devices == NULL || g_list_model_get_n_items (devices) != 1)
    return FALSE;
  device = g_list_model_get_item (devices, 0);

  return ps_device_get_p2p_uid (device) != NULL && ps_device_get_xaddrs (device)[0] != NULL;
}

static gboolean
scan_over (gpointer data)
{
  return !ps_discovery_page_is_scanning (data);
}

static void
on_add_device (PsDiscoveryPage *page,
               PsDevice        *device,
               PsDevice       **out)
{
  *out = g_object_ref (device);
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return gtk_widget_is_visible (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;

  return FALSE;
}

/* Find Cameras against a vendor-P2P emulator on its own loopback address:
 * one row, the marker on it, and Add hands the device on. */
static void
test_discovery_page (void)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.%u", 100 + getpid () % 100);
  g_autoptr(PsTestEmulator) emu = ps_test_emulator_start ("--bind", address, "--name", "Shed",
                                                          "--wsd-max-delay-ms", "0",
                                                          "--pppp-uid", "ABCD-654321-EFGHI",
                                                          NULL);
  const char *targets[] = { address, NULL };
  GtkWidget *window = gtk_window_new ();
  PsDiscoveryPage *page = g_object_new (PS_TYPE_DISCOVERY_PAGE, NULL);
  g_autoptr(PsDevice) added = NULL;
  GtkWidget *row;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (page, "add-device", G_CALLBACK (on_add_device), &added);

  ps_discovery_page_set_targets (page, targets);
  ps_discovery_page_scan (page);
  g_assert_true (ps_discovery_page_is_scanning (page));
  g_assert_true (has_label (GTK_WIDGET (page), "Scanning…"));
  g_assert_true (ps_test_wait_until (found_p2p_camera, page, 10000));

  row = find_first (GTK_WIDGET (page), PS_TYPE_DISCOVERED_ROW);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Shed");
  g_assert_true (has_label (row, "Vendor P2P"));
  g_assert_true (has_label (row, "ONVIF"));

  g_signal_emit_by_name (row, "add", ps_discovered_row_get_device (PS_DISCOVERED_ROW (row)));
  g_assert_nonnull (added);
  g_assert_cmpstr (ps_device_get_name (added), ==, "Shed");

  g_assert_true (ps_test_wait_until (scan_over, page, 10000));
  g_assert_false (has_label (GTK_WIDGET (page), "Scanning…"));

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
  g_test_add_func ("/ui/discovery-page", test_discovery_page);

  return g_test_run ();
}
