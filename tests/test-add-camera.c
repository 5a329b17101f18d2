/* test-add-camera.c: pairing a discovered camera, and the discovery list
 * over time (silent devices dimmed, remembered across restarts)
 *
 * Emulators answer on loopback addresses of their own, probed directly:
 * nothing here multicasts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <unistd.h>

#include "ps-add-camera-dialog.h"
#include "ps-device-registry.h"
#include "ps-discovered-row.h"
#include "ps-discovery-page-private.h"
#include "ps-test-emulator.h"

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

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Shown, up to the window (presented or not): what the user would see. */
static gboolean
shown (GtkWidget *widget)
{
  for (; widget != NULL && !GTK_IS_ROOT (widget); widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget))
      return FALSE;

  return widget != NULL;
}

static char *
combo_item (AdwComboRow *row,
            guint        position)
{
  GListModel *model = adw_combo_row_get_model (row);
  g_autoptr(GtkStringObject) item = g_list_model_get_item (model, position);

  return item != NULL ? g_strdup (gtk_string_object_get_string (item)) : NULL;
}

static void
on_camera_added (PsAddCameraDialog  *dialog,
                 PsDevice           *device,
                 const char         *password,
                 PsDevice          **out)
{
  g_set_object (out, device);
}

static PsDevice *
discovered_device (PsDeviceRegistry *registry)
{
  g_autoptr(PsSighting) sighting = ps_sighting_new (PS_PROTOCOL_ONVIF);

  sighting->address = g_strdup ("192.0.2.50");
  sighting->mac = g_strdup ("02:00:00:00:00:50");
  sighting->name = g_strdup ("Porch");
  /* a camera that names another host: it is paired where it answered */
  sighting->xaddrs = g_strsplit ("http://10.0.0.9:8080/onvif/device_service", " ", -1);

  return ps_device_registry_add (registry, sighting, g_get_real_time ());
}

/* Pairs device in a fresh dialog: picks stream index (G_MAXUINT keeps the
 * default), types address when not NULL, and adds. */
static PsDevice *
pair (PsDevice   *device,
      guint       index,
      const char *address)
{
  PsAddCameraDialog *dialog = ps_add_camera_dialog_new (NULL);
  PsDevice *added = NULL;
  AdwComboRow *row;

  g_object_ref_sink (dialog);
  ps_add_camera_dialog_set_device (dialog, device);
  g_assert_true (ps_add_camera_dialog_get_device (dialog) == device);
  g_signal_connect (dialog, "camera-added", G_CALLBACK (on_camera_added), &added);

  row = ADW_COMBO_ROW (find_first (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW));
  if (index != G_MAXUINT)
    adw_combo_row_set_selected (row, index);
  if (address != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Address")), address);
      g_assert_false (shown (GTK_WIDGET (row)));
    }

  g_signal_emit_by_name (gtk_window_get_default_widget (GTK_WINDOW (dialog)), "clicked");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);

  g_assert_nonnull (added);
  return added;
}

/* The dialog lists a discovered camera's streams by name and size, picks
 * the largest by default (whatever the order), and the pick decides which
 * stream is "uri" (the camera page) and which "sub-uri" (the grid). */
static void
test_streams (void)
{
  g_autoptr(PsDeviceRegistry) registry = ps_device_registry_new ();
  PsDevice *device = discovered_device (registry);
  PsAddCameraDialog *dialog;
  AdwComboRow *row;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  ps_device_add_stream (device, "rtsp://192.0.2.50:554/sub", "SubStream", 640, 360);
  ps_device_add_stream_full (device, "rtsp://192.0.2.50:554/main", "Profile_1", "MainStream",
                             1920, 1080);
  ps_device_add_stream (device, "rtsp://192.0.2.50:554/third", NULL, 320, 180);

  dialog = g_object_ref_sink (ps_add_camera_dialog_new (NULL));
  ps_add_camera_dialog_set_device (dialog, device);
  row = ADW_COMBO_ROW (find_first (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW));
  g_assert_true (shown (GTK_WIDGET (row)));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==, 3);
  first = combo_item (row, 0);
  second = combo_item (row, 1);
  g_assert_cmpstr (first, ==, "SubStream · 640×360");
  g_assert_cmpstr (second, ==, "MainStream · 1920×1080");
  {
    g_autofree char *third = combo_item (row, 2);

    g_assert_cmpstr (third, ==, "Stream 3 · 320×180");
  }
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);
  /* the ONVIF address, at the host that answered */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Address"))),
                   ==, "http://192.0.2.50:8080/onvif/device_service");
  /* another sighting (every scan round brings one) keeps the pick */
  adw_combo_row_set_selected (row, 2);
  ps_device_add_stream (device, "rtsp://192.0.2.50:554/fourth", "Fourth", 1280, 720);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==, 4);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 2);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);

  /* the default: the main stream for the camera page, the smallest for the grid */
  {
    g_autoptr(PsDevice) added = pair (device, G_MAXUINT, NULL);

    g_assert_cmpstr (ps_device_get_name (added), ==, "Porch");
    g_assert_cmpstr (ps_device_get_uri (added), ==, "rtsp://192.0.2.50:554/main");
    g_assert_cmpstr (ps_device_get_sub_uri (added), ==, "rtsp://192.0.2.50:554/third");
  }
  /* the sub-stream for the camera page (a slow link) */
  {
    g_autoptr(PsDevice) added = pair (device, 0, NULL);

    g_assert_cmpstr (ps_device_get_uri (added), ==, "rtsp://192.0.2.50:554/sub");
    g_assert_cmpstr (ps_device_get_sub_uri (added), ==, "rtsp://192.0.2.50:554/third");
  }
  /* the smallest everywhere */
  {
    g_autoptr(PsDevice) added = pair (device, 2, NULL);

    g_assert_cmpstr (ps_device_get_uri (added), ==, "rtsp://192.0.2.50:554/third");
    g_assert_null (ps_device_get_sub_uri (added));
  }
  /* another host typed in: another camera, whose streams we do not know */
  {
    g_autoptr(PsDevice) added = pair (device, 0, "rtsp://192.0.2.99/live");

    g_assert_cmpstr (ps_device_get_uri (added), ==, "rtsp://192.0.2.99/live");
    g_assert_null (ps_device_get_sub_uri (added));
  }
}

/* An ONVIF camera that lists nothing without a password: the dialog offers
 * to ask, once a user name is there; a camera without ONVIF offers nothing. */
static void
test_streams_need_sign_in (void)
{
  g_autoptr(PsDeviceRegistry) registry = ps_device_registry_new ();
  PsDevice *device = discovered_device (registry);
  PsAddCameraDialog *dialog = g_object_ref_sink (ps_add_camera_dialog_new (NULL));
  GtkWidget *button;
  GtkWidget *user_row;

  ps_add_camera_dialog_set_device (dialog, device);
  g_assert_false (shown (find_first (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW)));
  button = find_button (GTK_WIDGET (dialog), "_List Streams");
  g_assert_true (shown (button));
  g_assert_false (gtk_widget_get_sensitive (button));

  user_row = find_row (GTK_WIDGET (dialog), "User Name");
  g_assert_nonnull (user_row);
  gtk_editable_set_text (GTK_EDITABLE (user_row), "admin");
  g_assert_true (gtk_widget_get_sensitive (button));

  /* streams learnt meanwhile replace the offer */
  ps_device_add_stream (device, "rtsp://192.0.2.50/main", "main", 1280, 720);
  g_assert_true (shown (find_first (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW)));
  g_assert_false (shown (button));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

static gboolean
has_streams (gpointer data)
{
  GListModel *devices = ps_discovery_page_get_devices (data);
  g_autoptr(PsDevice) device = NULL;

  if (g_list_model_get_n_items (devices) != 1)
    return FALSE;
  device = g_list_model_get_item (devices, 0);

  return ps_device_get_streams (device)->len == 2;
}

typedef struct
{
  GtkWindow         *window;
  PsAddCameraDialog *dialog;
} Pairing;

/* What the window does on "add-device": the dialog, prefilled. */
static void
on_add_device (PsDiscoveryPage *page,
               PsDevice        *device,
               Pairing         *pairing)
{
  pairing->dialog = ps_add_camera_dialog_new (pairing->window);
  ps_add_camera_dialog_prefill (pairing->dialog, ps_device_get_name (device), NULL);
  gtk_window_present (GTK_WINDOW (pairing->dialog));
}

static char *
own_address (guint offset)
{
  return g_strdup_printf ("127.0.%u.%u", 30 + offset, 10 + getpid () % 200);
}

/* Find Cameras, then Add: the dialog the window opens has the camera's
 * streams (from ONVIF), and the camera is saved with the main stream for
 * the camera page and the sub-stream for the grid. */
static void
test_pairing_flow (void)
{
  g_autofree char *address = own_address (0);
  g_autoptr(PsTestEmulator) emu = ps_test_emulator_start ("--bind", address, "--name", "Shed",
                                                          "--wsd-max-delay-ms", "0",
                                                          "--width", "320", "--height", "240",
                                                          "--sub-width", "160",
                                                          "--sub-height", "120",
                                                          "--fps", "5", NULL);
  const char *targets[] = { address, NULL };
  GtkWidget *window = gtk_window_new ();
  PsDiscoveryPage *page = g_object_new (PS_TYPE_DISCOVERY_PAGE, NULL);
  Pairing pairing = { GTK_WINDOW (window), NULL };
  g_autoptr(PsDevice) added = NULL;
  g_autoptr(PsDevice) device = NULL;
  g_autofree char *label = NULL;
  AdwComboRow *row;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (page, "add-device", G_CALLBACK (on_add_device), &pairing);
  _ps_discovery_page_set_timing (page, 1000, 0);

  ps_discovery_page_set_targets (page, targets);
  ps_discovery_page_scan (page);
  g_assert_true (ps_test_wait_until (has_streams, page, 10000));
  device = g_list_model_get_item (ps_discovery_page_get_devices (page), 0);

  g_signal_emit_by_name (find_first (GTK_WIDGET (page), PS_TYPE_DISCOVERED_ROW), "add", device);
  g_assert_nonnull (pairing.dialog);
  g_assert_true (ps_add_camera_dialog_get_device (pairing.dialog) == device);

  row = ADW_COMBO_ROW (find_first (GTK_WIDGET (pairing.dialog), ADW_TYPE_COMBO_ROW));
  g_assert_true (shown (GTK_WIDGET (row)));
  label = combo_item (row, adw_combo_row_get_selected (row));
  /* the profile's name, as the camera gives it (the emulator: "MainStream") */
  g_assert_cmpstr (label, ==, "MainStream · 320×240");

  g_signal_connect (pairing.dialog, "camera-added", G_CALLBACK (on_camera_added), &added);
  g_signal_emit_by_name (gtk_window_get_default_widget (GTK_WINDOW (pairing.dialog)), "clicked");
  g_assert_nonnull (added);
  g_assert_cmpstr (ps_device_get_name (added), ==, "Shed");
  g_assert_cmpstr (ps_device_get_uri (added), ==, emu->rtsp);
  g_assert_cmpstr (ps_device_get_sub_uri (added), ==, emu->rtsp_sub);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
found_online (gpointer data)
{
  GListModel *devices = ps_discovery_page_get_devices (data);
  g_autoptr(PsDevice) device = NULL;

  if (g_list_model_get_n_items (devices) != 1)
    return FALSE;
  device = g_list_model_get_item (devices, 0);

  return ps_device_get_online (device);
}

static gboolean
found_offline (gpointer data)
{
  GListModel *devices = ps_discovery_page_get_devices (data);
  g_autoptr(PsDevice) device = NULL;

  if (g_list_model_get_n_items (devices) != 1)
    return FALSE;
  device = g_list_model_get_item (devices, 0);

  return !ps_device_get_online (device);
}

static gboolean
remembered (gpointer data)
{
  g_autoptr(GPtrArray) devices = ps_store_load_discovered (data, 0, NULL);

  return devices != NULL && devices->len == 1 &&
         ps_device_get_last_seen (g_ptr_array_index (devices, 0)) > 0;
}

/* The row of a silent device: dimmed, saying since when. */
static void
assert_offline_row (PsDiscoveryPage *page,
                    PsDevice        *device)
{
  GtkWidget *row = find_first (GTK_WIDGET (page), PS_TYPE_DISCOVERED_ROW);
  g_autofree char *not_seen = NULL;
  const char *subtitle;

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_has_css_class (row, "dim-label"));
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  not_seen = ps_discovered_row_format_not_seen (ps_device_get_last_seen (device),
                                                g_get_real_time ());
  g_assert_true (g_str_has_prefix (subtitle, not_seen));
  /* today: a time of day, HH:MM */
  g_assert_true (g_regex_match_simple ("^Not seen since [0-2][0-9]:[0-5][0-9]$", not_seen, 0, 0));
}

/* A camera that stops answering goes dim after the missed rounds; the
 * list is remembered, and comes back after a restart, offline, with the
 * same first and last sightings. */
static void
test_offline_and_remembered (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("peerscope-add-camera-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "peerscope.db", NULL);
  g_autofree char *address = own_address (1);
  g_autoptr(PsStore) store = ps_store_open (path, &error);
  const char *targets[] = { address, NULL };
  PsTestEmulator *emu;
  gint64 first_seen, last_seen;
  g_autofree char *id = NULL;

  g_assert_no_error (error);
  emu = ps_test_emulator_start ("--bind", address, "--name", "Attic",
                                "--wsd-max-delay-ms", "0", "--fps", "5",
                                "--width", "160", "--height", "120",
                                "--sub-width", "160", "--sub-height", "120", NULL);

  {
    GtkWidget *window = gtk_window_new ();
    PsDiscoveryPage *page = g_object_new (PS_TYPE_DISCOVERY_PAGE, NULL);
    g_autoptr(PsDevice) device = NULL;
    GtkWidget *row;

    gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
    gtk_window_present (GTK_WINDOW (window));
    ps_discovery_page_set_store (page, store);
    ps_discovery_page_set_targets (page, targets);
    _ps_discovery_page_set_timing (page, 400, 100);
    ps_discovery_page_scan (page);
    g_assert_true (ps_test_wait_until (found_online, page, 10000));
    device = g_list_model_get_item (ps_discovery_page_get_devices (page), 0);
    row = find_first (GTK_WIDGET (page), PS_TYPE_DISCOVERED_ROW);
    g_assert_false (gtk_widget_has_css_class (row, "dim-label"));

    /* unplugged */
    g_clear_pointer (&emu, ps_test_emulator_stop);
    g_assert_true (ps_test_wait_until (found_offline, page, 10000));
    assert_offline_row (page, device);

    id = g_strdup (ps_device_get_id (device));
    first_seen = ps_device_get_first_seen (device);
    last_seen = ps_device_get_last_seen (device);
    g_assert_cmpint (first_seen, >, 0);
    g_assert_cmpint (last_seen, >=, first_seen);
    g_assert_true (ps_test_wait_until (remembered, store, 10000));
    gtk_window_destroy (GTK_WINDOW (window));
  }

  /* a restart: nothing answers at that address now */
  {
    GtkWidget *window = gtk_window_new ();
    PsDiscoveryPage *page = g_object_new (PS_TYPE_DISCOVERY_PAGE, NULL);
    g_autoptr(PsDevice) device = NULL;

    gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
    gtk_window_present (GTK_WINDOW (window));
    ps_discovery_page_set_store (page, store);
    ps_discovery_page_set_targets (page, targets);
    _ps_discovery_page_set_timing (page, 400, 0);
    ps_discovery_page_scan (page);
    g_assert_true (ps_discovery_page_is_scanning (page));
    g_assert_true (ps_test_wait_until (found_offline, page, 10000));

    device = g_list_model_get_item (ps_discovery_page_get_devices (page), 0);
    g_assert_cmpstr (ps_device_get_id (device), ==, id);
    g_assert_cmpstr (ps_device_get_name (device), ==, "Attic");
    g_assert_cmpint (ps_device_get_first_seen (device), ==, first_seen);
    g_assert_cmpint (ps_device_get_last_seen (device), ==, last_seen);
    assert_offline_row (page, device);
    gtk_window_destroy (GTK_WINDOW (window));
  }

  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

static void
test_not_seen_format (void)
{
  g_autoptr(GDateTime) noon = g_date_time_new_local (2026, 5, 3, 12, 0, 0);
  g_autoptr(GDateTime) morning = g_date_time_new_local (2026, 5, 3, 9, 5, 0);
  g_autoptr(GDateTime) april = g_date_time_new_local (2026, 4, 1, 9, 5, 0);
  g_autoptr(GDateTime) last_year = g_date_time_new_local (2025, 12, 24, 9, 5, 0);
  gint64 now = g_date_time_to_unix (noon) * G_USEC_PER_SEC;
  g_autofree char *today = NULL;
  g_autofree char *earlier = NULL;
  g_autofree char *older = NULL;

  today = ps_discovered_row_format_not_seen (g_date_time_to_unix (morning) * G_USEC_PER_SEC,
                                             now);
  earlier = ps_discovered_row_format_not_seen (g_date_time_to_unix (april) * G_USEC_PER_SEC,
                                               now);
  older = ps_discovered_row_format_not_seen (g_date_time_to_unix (last_year) * G_USEC_PER_SEC,
                                             now);
  g_assert_cmpstr (today, ==, "Not seen since 09:05");
  g_assert_cmpstr (earlier, ==, "Not seen since 1 April");
  g_assert_cmpstr (older, ==, "Not seen since 24 December 2025");
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/add-camera/streams", test_streams);
  g_test_add_func ("/add-camera/streams-need-sign-in", test_streams_need_sign_in);
  g_test_add_func ("/add-camera/not-seen-format", test_not_seen_format);
  g_test_add_func ("/add-camera/pairing-flow", test_pairing_flow);
  g_test_add_func ("/add-camera/offline-and-remembered", test_offline_and_remembered);

  return g_test_run ();
}
