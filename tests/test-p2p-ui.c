/* test-p2p-ui.c: P2P cameras in the GUI, against a real rendezvous server and the camera
 * emulator publishing over P2P, all on loopback
 *
 * The add-camera dialog lists the account's cameras and adds one by device id; a tile plays
 * it over an ICE host pair; the camera page's connection panel says how it is reached; a
 * device id nobody publishes is "not online"; and a producer that claims the pinned id but
 * offers another certificate (what an impostor on the account can do: the rendezvous relays
 * whatever producers say) gets the identity warning, never video; so does the real camera
 * behind a rendezvous server that swaps its offer's fingerprint (ps-test-hostile-rendezvous).
 *
 * The account lives in memory (no keyring in tests); the Preferences page is checked against
 * the same server.  With PS_P2P_UI_SCREENSHOT_DIR set, the dialog, the camera page and the
 * warning are saved there as PNG.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "ps-add-camera-dialog.h"
#include "ps-camera-page.h"
#include "ps-camera-tile.h"
#include "ps-discovery-page-private.h"
#include "ps-discovery-page.h"
#include "ps-p2p-account-page-private.h"
#include "ps-p2p-account.h"
#include "ps-p2p-connection-group-private.h"
#include "ps-p2p-identity.h"
#include "ps-saved-cameras.h"
#include "ps-signalling-client.h"
#include "ps-test-emulator.h"
#include "ps-test-hostile-rendezvous.h"
#include "ps-viewer-stream.h"

#define TOKEN       "ui-account-token-0123456789"
#define CAMERA_NAME "Garden Gate"

typedef struct
{
  char           *dir;
  char           *token_file;
  GSubprocess    *rendezvous;
  char           *url;
  PsTestEmulator *camera;
  char           *device_id;     /* the emulator's */
  char           *other_id;      /* a second identity's, never online */
  char           *other_pem;
  GSettings      *settings;
  PsP2pAccount   *account;
} Fixture;

static Fixture fx;

/* ---- helpers --------------------------------------------------------------------------- */

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
write_private (const char *path,
               const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
}

typedef struct
{
  char     *line;
  gboolean  done;
} ReadLine;

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadLine *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                          NULL, NULL);
  read->done = TRUE;
}

static gboolean
read_done (gpointer data)
{
  return ((ReadLine *) data)->done;
}

static void
start_rendezvous (void)
{
  g_autofree char *tokens = g_build_filename (fx.dir, "tokens", NULL);
  g_autofree char *text = g_strdup_printf ("home %s\n", TOKEN);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonNode) ready = NULL;
  g_autoptr(GError) error = NULL;
  ReadLine read = { NULL, FALSE };
  const char *program = g_getenv ("PS_RENDEZVOUS");

  g_assert_nonnull (program);
  write_private (tokens, text);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fx.rendezvous = g_subprocess_launcher_spawn (launcher, &error, program,
                                               "--listen", "127.0.0.1:0",
                                               "--token-file", tokens, NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fx.rendezvous));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, read_line_cb, &read);
  g_assert_true (ps_test_wait_until (read_done, &read, 10000));
  g_assert_nonnull (read.line);
  ready = json_from_string (read.line, &error);
  g_assert_no_error (error);
  fx.url = g_strdup (json_object_get_string_member (json_node_get_object (ready), "listen"));
  g_assert_true (g_str_has_prefix (fx.url, "ws://127.0.0.1:"));
  g_free (read.line);
}

static char *
device_id_of (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsP2pIdentity) identity = ps_p2p_identity_load_or_create (path, &error);

  g_assert_no_error (error);
  return g_strdup (ps_p2p_identity_get_device_id (identity));
}

static void
on_token_set_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ps_p2p_account_set_token_finish (PS_P2P_ACCOUNT (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
set_token (const char *token)
{
  gboolean done = FALSE;

  ps_p2p_account_set_token_async (fx.account, token, NULL, on_token_set_cb, &done);
  g_assert_true (ps_test_wait_until (is_true, &done, 5000));
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = NULL;
  const char *local[] = { "127.0.0.1", NULL };

  fx.dir = g_dir_make_tmp ("test-p2p-ui-XXXXXX", &error);
  g_assert_no_error (error);
  fx.token_file = g_build_filename (fx.dir, "token", NULL);
  write_private (fx.token_file, TOKEN "\n");
  start_rendezvous ();

  /* the emulator takes the identity made here, so its device id is known beforehand */
  identity = g_build_filename (fx.dir, "camera.pem", NULL);
  fx.device_id = device_id_of (identity);
  fx.other_pem = g_build_filename (fx.dir, "other.pem", NULL);
  fx.other_id = device_id_of (fx.other_pem);
  g_assert_cmpstr (fx.device_id, !=, fx.other_id);

  fx.camera = ps_test_emulator_start ("--name", CAMERA_NAME,
                                      "--rtsp-port", "0", "--onvif-port", "0",
                                      "--wsd-port", "0", "--mdns-port", "0", "--ssdp-port", "0",
                                      "--width", "320", "--height", "240", "--fps", "15",
                                      "--p2p", fx.url, "--token-file", fx.token_file,
                                      "--identity", identity, "--ice-address", "127.0.0.1",
                                      NULL);

  /* the account, as Preferences would leave it; the token in memory */
  fx.settings = g_settings_new (PS_SETTINGS_SCHEMA_ID);
  g_settings_set_string (fx.settings, "p2p-rendezvous-url", fx.url);
  /* ICE leaves loopback out unless told */
  g_settings_set_strv (fx.settings, "p2p-local-addresses", local);
  fx.account = ps_p2p_account_new (fx.settings, FALSE);
  ps_p2p_account_set_default (fx.account);
  set_token (TOKEN);
}

static void
teardown (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  ps_p2p_account_set_default (NULL);
  g_clear_object (&fx.account);
  g_clear_object (&fx.settings);
  g_clear_pointer (&fx.camera, ps_test_emulator_stop);
  if (fx.rendezvous != NULL)
    {
      g_subprocess_send_signal (fx.rendezvous, SIGTERM);
      g_subprocess_wait (fx.rendezvous, NULL, NULL);
      g_clear_object (&fx.rendezvous);
    }

  dir = g_dir_open (fx.dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fx.dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fx.dir);
  g_free (fx.dir);
  g_free (fx.token_file);
  g_free (fx.url);
  g_free (fx.device_id);
  g_free (fx.other_id);
  g_free (fx.other_pem);
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

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Shown, up to the window: what the user would see. */
static gboolean
shown (GtkWidget *widget)
{
  for (; widget != NULL && !GTK_IS_ROOT (widget); widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget))
      return FALSE;

  return widget != NULL;
}

static gpointer
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

static gboolean
on_tick_cb (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

static void
wait_frames (GtkWidget *widget,
             guint      n)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, on_tick_cb, &frames, NULL);

  while (frames < n)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_remove_tick_callback (widget, id);
}

/* The window as it is on screen, saved when PS_P2P_UI_SCREENSHOT_DIR says where */
static void
save_render (GtkWidget  *window,
             const char *name)
{
  const char *dir = g_getenv ("PS_P2P_UI_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width, height;

  wait_frames (window, 20);
  paintable = gtk_widget_paintable_new (window);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (window));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (gdk_texture_get_width (texture), >, 0);

  if (dir != NULL)
    {
      g_autofree char *basename = g_strdup_printf ("p2p-%s.png", name);
      g_autofree char *path = g_build_filename (dir, basename, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("saved %s", path);
    }
}

/* ---- device ids ------------------------------------------------------------------------ */

static void
test_parse_device_id (void)
{
  const char *id = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  g_autofree char *upper = g_ascii_strup (id, -1);
  g_autofree char *grouped = ps_p2p_device_id_format (id);
  g_autoptr(GString) colons = g_string_new ("p2p:");

  for (guint i = 0; i < 64; i += 2)
    g_string_append_printf (colons, "%s%.2s", i > 0 ? ":" : "", upper + i);

  for (guint i = 0; i < 4; i++)
    {
      const char *forms[] = { id, upper, grouped, colons->str };
      g_autofree char *parsed = ps_add_camera_dialog_parse_device_id (forms[i]);

      g_assert_cmpstr (parsed, ==, id);
      g_assert_null (ps_add_camera_dialog_check_address (forms[i]));
    }

  g_assert_null (ps_add_camera_dialog_parse_device_id ("00112233"));
  g_assert_cmpstr (ps_add_camera_dialog_check_address ("0011 2233"), ==,
                   "A P2P device ID has 64 hexadecimal digits");
  g_assert_nonnull (ps_add_camera_dialog_check_address ("p2p:xyz"));
  /* addresses stay addresses */
  g_assert_null (ps_add_camera_dialog_check_address ("rtsp://192.0.2.1/stream1"));
  g_assert_nonnull (ps_add_camera_dialog_check_address ("192.0.2.1"));
}

/* ---- the add-camera dialog ------------------------------------------------------------- */

static void
on_camera_added (PsAddCameraDialog  *dialog,
                 PsDevice           *device,
                 const char         *password,
                 PsDevice          **out)
{
  g_set_object (out, device);
}

static gboolean
camera_listed (gpointer data)
{
  return find_row (data, CAMERA_NAME) != NULL;
}

static void
test_add_dialog (void)
{
  PsAddCameraDialog *dialog = ps_add_camera_dialog_new (NULL);
  g_autofree char *formatted = ps_p2p_device_id_format (fx.device_id);
  g_autofree char *expected_uri = g_strconcat ("p2p:", fx.device_id, NULL);
  g_autoptr(PsDevice) added = NULL;
  GtkWidget *address_row;
  GtkWidget *row;
  const char *subtitle;

  gtk_window_set_default_size (GTK_WINDOW (dialog), 560, 820);
  gtk_window_present (GTK_WINDOW (dialog));
  g_signal_connect (dialog, "camera-added", G_CALLBACK (on_camera_added), &added);
  g_assert_true (shown (template_child (dialog, PS_TYPE_ADD_CAMERA_DIALOG, "p2p_group")));

  /* the account's cameras, with their ids in groups of four */
  g_assert_true (ps_test_wait_until (camera_listed, dialog, 15000));
  row = find_row (GTK_WIDGET (dialog), CAMERA_NAME);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, formatted);
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));

  /* picking it fills in the id and the name, and shows the pin */
  g_signal_emit_by_name (row, "activated");
  address_row = find_row (GTK_WIDGET (dialog), "Address");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (address_row)), ==, expected_uri);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Name"))),
                   ==, CAMERA_NAME);
  g_assert_true (shown (template_child (dialog, PS_TYPE_ADD_CAMERA_DIALOG, "pin_group")));
  g_assert_false (shown (template_child (dialog, PS_TYPE_ADD_CAMERA_DIALOG, "sign_in_group")));
  subtitle = adw_action_row_get_subtitle (template_child (dialog, PS_TYPE_ADD_CAMERA_DIALOG,
                                                          "device_id_row"));
  g_assert_nonnull (strstr (subtitle, formatted));
  g_assert_true (gtk_widget_get_sensitive (gtk_window_get_default_widget (GTK_WINDOW (dialog))));
  save_render (GTK_WIDGET (dialog), "add-dialog");

  g_signal_emit_by_name (gtk_window_get_default_widget (GTK_WINDOW (dialog)), "clicked");
  g_assert_nonnull (added);
  g_assert_cmpstr (ps_device_get_uri (added), ==, expected_uri);
  g_assert_cmpstr (ps_device_get_name (added), ==, CAMERA_NAME);
  g_assert_null (ps_device_get_username (added));
  g_clear_object (&added);

  /* typed the way a label prints it: upper case, with colons, no name */
  dialog = ps_add_camera_dialog_new (NULL);
  g_object_ref_sink (dialog);
  g_signal_connect (dialog, "camera-added", G_CALLBACK (on_camera_added), &added);
  {
    g_autofree char *upper = g_ascii_strup (fx.other_id, -1);
    g_autoptr(GString) typed = g_string_new (NULL);

    for (guint i = 0; i < 64; i += 2)
      g_string_append_printf (typed, "%s%.2s", i > 0 ? ":" : "", upper + i);
    gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Address")), typed->str);
  }
  g_signal_emit_by_name (gtk_window_get_default_widget (GTK_WINDOW (dialog)), "clicked");
  g_assert_nonnull (added);
  {
    g_autofree char *uri = g_strconcat ("p2p:", fx.other_id, NULL);
    g_autofree char *name = g_strdup_printf ("P2P Camera %.8s", fx.other_id);

    g_assert_cmpstr (ps_device_get_uri (added), ==, uri);
    g_assert_cmpstr (ps_device_get_name (added), ==, name);
  }
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

/* Without an account the dialog says where to set one up, and asks no server */
static void
test_add_dialog_no_account (void)
{
  g_autoptr(PsP2pAccount) empty = ps_p2p_account_new (NULL, FALSE);
  PsAddCameraDialog *dialog;

  ps_p2p_account_set_default (empty);
  dialog = g_object_ref_sink (ps_add_camera_dialog_new (NULL));
  g_assert_nonnull (find_row (GTK_WIDGET (dialog), "No P2P Account"));
  g_assert_true (gtk_widget_get_visible (template_child (dialog, PS_TYPE_ADD_CAMERA_DIALOG,
                                                         "p2p_setup_button")));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  ps_p2p_account_set_default (fx.account);
}

/* ---- playing --------------------------------------------------------------------------- */

static gboolean
stream_over_host (gpointer data)
{
  PsStream *stream = data;

  return ps_stream_get_state (stream) == PS_STREAM_STATE_PLAYING &&
         ps_stream_get_frames (stream) >= 5 &&
         g_strcmp0 (ps_stream_get_transport (stream), "ice-host") == 0;
}

static void
test_live_tile (void)
{
  g_autofree char *uri = g_strconcat ("p2p:", fx.device_id, NULL);
  g_autoptr(PsDevice) device = ps_device_new (CAMERA_NAME, uri);
  GtkWidget *window = gtk_window_new ();
  PsCameraTile *tile = ps_camera_tile_new (device, NULL);
  PsStream *stream = ps_camera_tile_get_stream (tile);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (tile));
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 270);
  gtk_window_present (GTK_WINDOW (window));
  ps_camera_tile_play (tile);

  g_assert_true (ps_test_wait_until (stream_over_host, stream, 30000));
  g_assert_cmpstr (ps_stream_get_codec (stream), ==, "h264");
  g_assert_cmpuint (ps_stream_get_width (stream), ==, 320);
  g_test_message ("first frame over P2P after %.0f ms", ps_stream_get_first_frame_ms (stream));

  ps_camera_tile_stop (tile);
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  PsCameraPage         *page;
  PsP2pConnectionGroup *group;
} Page;

static gboolean
panel_complete (gpointer data)
{
  Page *p = data;
  PsStream *stream = ps_camera_page_get_stream (p->page);

  _ps_p2p_connection_group_refresh (p->group);

  return stream_over_host (stream) &&
         g_strcmp0 (_ps_p2p_connection_group_get_text (p->group, "rendezvous"),
                    "Connected · the camera is online") == 0 &&
         g_str_has_suffix (_ps_p2p_connection_group_get_text (p->group, "bitrate"), "bit/s") &&
         !g_str_has_prefix (_ps_p2p_connection_group_get_text (p->group, "bitrate"), "0 ") &&
         g_str_has_suffix (_ps_p2p_connection_group_get_text (p->group, "rtt"), " ms");
}

static Page
open_page (GtkWidget  *window,
           const char *device_id)
{
  g_autofree char *uri = g_strconcat ("p2p:", device_id, NULL);
  g_autoptr(PsDevice) device = ps_device_new (CAMERA_NAME, uri);
  Page p;

  p.page = g_object_new (PS_TYPE_CAMERA_PAGE, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (p.page));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  ps_camera_page_show (p.page, device, NULL);
  p.group = PS_P2P_CONNECTION_GROUP (find_type (GTK_WIDGET (p.page),
                                                PS_TYPE_P2P_CONNECTION_GROUP));
  g_assert_nonnull (p.group);
  g_assert_true (shown (GTK_WIDGET (p.group)));

  return p;
}

static void
test_connection_panel (void)
{
  GtkWidget *window = gtk_window_new ();
  g_autofree char *formatted = ps_p2p_device_id_format (fx.device_id);
  Page p = open_page (window, fx.device_id);
  g_autofree char *rtt = NULL;
  const char *address;

  g_assert_nonnull (strstr (_ps_p2p_connection_group_get_text (p.group, "device"), formatted));
  g_assert_true (ps_test_wait_until (panel_complete, &p, 30000));

  g_assert_cmpstr (_ps_p2p_connection_group_get_text (p.group, "path"), ==,
                   "Direct connection (host)");
  address = _ps_p2p_connection_group_get_text (p.group, "address");
  g_assert_true (g_str_has_prefix (address, "127.0.0.1:"));
  g_assert_false (_ps_p2p_connection_group_shows_warning (p.group));
  /* the camera's candidates: the emulator gathers on 127.0.0.1 only */
  g_assert_true (g_str_has_prefix (_ps_p2p_connection_group_get_text (p.group, "candidates"),
                                   "host · 127.0.0.1:"));
  /* the row says what the stream measured over the camera's probe channel */
  g_assert_cmpfloat (ps_stream_get_rtt_ms (ps_camera_page_get_stream (p.page)), >, 0);
  rtt = g_strdup (_ps_p2p_connection_group_get_text (p.group, "rtt"));
  g_assert_cmpfloat (g_ascii_strtod (rtt, NULL), >, 0);
  g_test_message ("panel: %s; %s; %s; %s", _ps_p2p_connection_group_get_text (p.group, "path"),
                  address, rtt, _ps_p2p_connection_group_get_text (p.group, "bitrate"));
  save_render (window, "camera-page");

  ps_camera_page_stop (p.page);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (p.group)));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_format_figures (void)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_ice_candidate_free);
  g_autofree char *lines = NULL;
  const char *samples[] = {
    "candidate:1 1 UDP 2015363327 10.99.1.11 54902 typ host",
    "candidate:2 1 TCP 1015022079 fe80::1 9 typ host tcptype active",
    "candidate:7 1 udp 1677721855 198.18.0.1 54902 typ srflx raddr 10.99.1.11 rport 54902",
  };

  const struct { double ms; const char *text; } rtts[] = {
    { 0.24, "0.2 ms" }, { 4.26, "4.3 ms" }, { 38.4, "38 ms" }, { 512.0, "512 ms" },
    { -1, "Not measured by this camera" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rtts); i++)
    {
      g_autofree char *text = ps_p2p_connection_group_format_rtt (rtts[i].ms);

      g_assert_cmpstr (text, ==, rtts[i].text);
    }

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    g_ptr_array_add (candidates, ps_ice_candidate_parse (samples[i], strlen (samples[i]), NULL));
  lines = ps_p2p_connection_group_format_candidates (candidates);
  g_assert_cmpstr (lines, ==, "host · 10.99.1.11:54902 (udp)\n"
                              "host · [fe80::1]:9 (tcp)\n"
                              "srflx · 198.18.0.1:54902 (udp)");
}

/* ---- the discovery page lists the account's cameras -------------------------------------- */

static PsDevice *
listed_device (PsDiscoveryPage *page)
{
  GListModel *devices = ps_discovery_page_get_devices (page);

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PsDevice) device = g_list_model_get_item (devices, i);

      if (g_strcmp0 (ps_device_get_peerscope_id (device), fx.device_id) == 0 &&
          ps_device_get_online (device))
        return g_steal_pointer (&device);
    }

  return NULL;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static gboolean
page_lists_camera (gpointer data)
{
  g_autoptr(PsDevice) device = listed_device (data);

  return device != NULL;
}

static void
on_add_device_cb (PsDiscoveryPage *page,
                  PsDevice        *device,
                  GtkWidget      **dialog)
{
  /* as the window does: a dialog for it, which the page then fills */
  *dialog = GTK_WIDGET (ps_add_camera_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (page)))));
  gtk_window_present (GTK_WINDOW (*dialog));
}

static void
test_discovery_page (void)
{
  GtkWidget *window = gtk_window_new ();
  PsDiscoveryPage *page = g_object_new (PS_TYPE_DISCOVERY_PAGE, NULL);
  /* the LAN is not probed: nothing answers on 127.0.0.2 */
  const char *targets[] = { "127.0.0.2", NULL };
  g_autoptr(PsDevice) device = NULL;
  g_autofree char *uri = g_strconcat ("p2p:", fx.device_id, NULL);
  GtkWidget *dialog = NULL;
  GtkWidget *row;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  _ps_discovery_page_set_timing (page, 500, 1000);
  ps_discovery_page_set_targets (page, targets);
  ps_discovery_page_scan (page);

  g_assert_true (ps_test_wait_until (page_lists_camera, page, 20000));
  device = listed_device (page);
  g_assert_cmpstr (ps_device_get_name (device), ==, CAMERA_NAME);
  g_assert_true (ps_device_has_protocol (device, PS_PROTOCOL_PEERSCOPE_P2P));
  g_assert_cmpstr (ps_device_get_uri (device), ==, uri);

  /* still online a few rounds later: the account lists it at every round */
  g_assert_false (ps_test_wait_until (never, NULL, 2500));
  g_clear_object (&device);
  device = listed_device (page);
  g_assert_nonnull (device);

  row = find_row (GTK_WIDGET (page), CAMERA_NAME);
  g_assert_nonnull (row);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "Device ID "));
  save_render (window, "discovery-page");

  /* Add: the dialog comes with the camera's pinned id as its address */
  g_signal_connect (page, "add-device", G_CALLBACK (on_add_device_cb), &dialog);
  g_signal_emit_by_name (row, "add", device);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (dialog, "Address"))), ==, uri);

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- a viewer's goodbye to a WHEP endpoint ---------------------------------------------- */

static gboolean
has_frames (gpointer data)
{
  return ps_stream_get_frames (data) > 0;
}

static gboolean
no_goodbye_pending (gpointer data)
{
  return ps_viewer_stream_get_n_closing () == 0;
}

/* The endpoint takes one session at a time: the second viewer plays only
 * if the first one's goodbye (its DELETE, which the app waits for as it
 * quits) freed it */
static void
test_whep_goodbye (void)
{
  g_autoptr(PsTestEmulator) whep = NULL;
  g_autoptr(GUri) onvif = NULL;
  g_autofree char *url = NULL;
  g_autoptr(PsP2pConfig) config = ps_p2p_config_new (NULL, NULL);
  const char *loopback[] = { "127.0.0.1", NULL };

  whep = ps_test_emulator_start ("--name", "WHEP Cam", "--rtsp-port", "0", "--onvif-port", "0",
                                 "--wsd-port", "0", "--mdns-port", "0", "--ssdp-port", "0",
                                 "--width", "320", "--height", "240", "--fps", "15",
                                 "--whep-max-sessions", "1", NULL);
  onvif = g_uri_parse (whep->onvif, G_URI_FLAGS_NONE, NULL);
  url = g_strdup_printf ("whep+http://127.0.0.1:%d/whep", g_uri_get_port (onvif));
  config->local_addresses = g_strdupv ((char **) loopback);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(PsDevice) device = ps_device_new ("WHEP Cam", url);
      GtkWidget *picture = g_object_ref_sink (gtk_picture_new ());
      g_autoptr(PsStream) stream = ps_viewer_stream_new (device, NULL, PS_STREAM_PROFILE_MAIN,
                                                         GTK_PICTURE (picture));

      ps_stream_set_p2p_config (stream, config);
      ps_viewer_stream_start (stream);
      g_assert_true (ps_test_wait_until (has_frames, stream, 20000));

      ps_viewer_stream_stop (stream);
      g_assert_cmpuint (ps_viewer_stream_get_n_closing (), ==, 1);
      g_assert_true (ps_test_wait_until (no_goodbye_pending, NULL, 5000));
      g_object_unref (picture);
    }
}

/* ---- a camera's own network path ------------------------------------------------------ */

static gboolean
row_shows_relay (gpointer data)
{
  return adw_combo_row_get_selected (data) == 1 + PS_ICE_POLICY_RELAY;
}

static PsIcePolicy
config_policy_for (const char *uri)
{
  g_autoptr(PsP2pConfig) config = ps_p2p_account_dup_config_for (fx.account, uri);

  if (config == NULL)
    g_error ("The account gives no config for %s", uri);
  return config->ice_policy;
}

static void
test_camera_policy (void)
{
  GtkWidget *window = gtk_window_new ();
  g_autofree char *uri = g_strconcat ("p2p:", fx.device_id, NULL);
  g_autofree char *other_uri = g_strconcat ("p2p:", fx.other_id, NULL);
  Page p = open_page (window, fx.device_id);
  AdwComboRow *row = _ps_p2p_connection_group_get_policy_row (p.group);
  PsIcePolicy policy;

  g_assert_true (ps_test_wait_until (panel_complete, &p, 30000));
  /* nothing chosen: the account's policy */
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  g_assert_false (ps_p2p_account_get_camera_ice_policy (fx.account, fx.device_id, &policy));

  /* local network only, for this camera alone; it still plays over the host pair */
  adw_combo_row_set_selected (row, 1 + PS_ICE_POLICY_LAN);
  g_assert_true (ps_p2p_account_get_camera_ice_policy (fx.account, fx.device_id, &policy));
  g_assert_cmpint (policy, ==, PS_ICE_POLICY_LAN);
  g_assert_cmpint (config_policy_for (uri), ==, PS_ICE_POLICY_LAN);
  g_assert_cmpint (config_policy_for (other_uri), ==, PS_ICE_POLICY_ALL);
  g_assert_true (ps_test_wait_until (panel_complete, &p, 30000));

  /* relay only: the stream starts over with it */
  adw_combo_row_set_selected (row, 1 + PS_ICE_POLICY_RELAY);
  g_assert_cmpint (config_policy_for (uri), ==, PS_ICE_POLICY_RELAY);

  /* back to the account's, and set from elsewhere the row follows */
  adw_combo_row_set_selected (row, 0);
  g_assert_false (ps_p2p_account_get_camera_ice_policy (fx.account, fx.device_id, &policy));
  g_assert_cmpint (config_policy_for (uri), ==, PS_ICE_POLICY_ALL);
  policy = PS_ICE_POLICY_RELAY;
  ps_p2p_account_set_camera_ice_policy (fx.account, fx.device_id, &policy);
  g_assert_true (ps_test_wait_until (row_shows_relay, row, 5000));
  ps_p2p_account_set_camera_ice_policy (fx.account, fx.device_id, NULL);

  ps_camera_page_stop (p.page);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- an id nobody publishes, then an impostor that claims it --------------------------- */

static gboolean
not_found (gpointer data)
{
  PsStream *stream = ps_camera_page_get_stream (((Page *) data)->page);

  return g_error_matches (ps_stream_get_error (stream), PS_STREAM_ERROR,
                          PS_STREAM_ERROR_NOT_FOUND);
}

static gboolean
not_online (gpointer data)
{
  Page *p = data;

  return g_str_has_suffix (_ps_p2p_connection_group_get_text (p->group, "rendezvous"),
                           "the camera is not online");
}

static gboolean
refused (gpointer data)
{
  PsStream *stream = ps_camera_page_get_stream (((Page *) data)->page);

  return ps_stream_get_state (stream) == PS_STREAM_STATE_ERROR;
}

/* A producer of the account that claims the pinned device id and offers the certificate of
 * another camera: what anyone holding the account token can do. */
typedef struct
{
  PsSignallingClient *client;
  gboolean            connected;
  char               *offer;
  guint               sessions;
} Impostor;

static char *
fingerprint_of (const char *device_id)
{
  g_autoptr(GString) text = g_string_new ("sha-256 ");
  g_autofree char *upper = g_ascii_strup (device_id, -1);

  for (guint i = 0; i < 64; i += 2)
    g_string_append_printf (text, "%s%.2s", i > 0 ? ":" : "", upper + i);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_impostor_message (PsSignallingClient  *client,
                     PsSignallingMessage *message,
                     Impostor            *impostor)
{
  if (message->type != PS_SIGNALLING_MESSAGE_START_SESSION)
    return;

  impostor->sessions++;
  ps_signalling_client_send_sdp (client, message->session_id, PS_SIGNALLING_SDP_OFFER,
                                 impostor->offer);
}

static void
on_impostor_connected (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Impostor *impostor = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ps_signalling_client_connect_finish (PS_SIGNALLING_CLIENT (object), result,
                                                      &error));
  g_assert_no_error (error);
  impostor->connected = TRUE;
}

static gboolean
impostor_connected (gpointer data)
{
  return ((Impostor *) data)->connected;
}

static void
start_impostor (Impostor   *impostor,
                const char *claimed_id,
                const char *real_id)
{
  g_autofree char *fingerprint = fingerprint_of (real_id);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) meta = NULL;

  impostor->offer = g_strdup_printf ("v=0\r\n"
                                     "o=- 1 1 IN IP4 127.0.0.1\r\n"
                                     "s=-\r\n"
                                     "t=0 0\r\n"
                                     "a=group:BUNDLE video0\r\n"
                                     "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                                     "c=IN IP4 0.0.0.0\r\n"
                                     "a=setup:actpass\r\n"
                                     "a=ice-ufrag:fake\r\n"
                                     "a=ice-pwd:fakefakefakefakefakefake\r\n"
                                     "a=fingerprint:%s\r\n"
                                     "a=mid:video0\r\n"
                                     "a=sendonly\r\n"
                                     "a=rtcp-mux\r\n"
                                     "a=rtpmap:96 H264/90000\r\n", fingerprint);

  impostor->client = ps_signalling_client_new (fx.url, TOKEN);
  g_signal_connect (impostor->client, "message", G_CALLBACK (on_impostor_message), impostor);
  ps_signalling_client_connect_async (impostor->client, NULL, on_impostor_connected, impostor);
  g_assert_true (ps_test_wait_until (impostor_connected, impostor, 10000));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, claimed_id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, CAMERA_NAME);
  json_builder_end_object (builder);
  meta = json_builder_get_root (builder);
  g_assert_true (ps_signalling_client_set_status (impostor->client, PS_SIGNALLING_ROLE_PRODUCER,
                                                  meta));
}

static void
stop_impostor (Impostor *impostor)
{
  g_signal_handlers_disconnect_by_data (impostor->client, impostor);
  ps_signalling_client_close (impostor->client);
  g_clear_object (&impostor->client);
  g_free (impostor->offer);
}

static void
test_not_found_then_impostor (void)
{
  GtkWidget *window = gtk_window_new ();
  Page p = open_page (window, fx.other_id);
  Impostor impostor = { 0 };
  AdwStatusPage *status;
  PsStream *stream;

  /* nobody publishes the pinned id: not online, and no warning */
  g_assert_true (ps_test_wait_until (not_online, &p, 15000));
  g_assert_true (ps_test_wait_until (not_found, &p, 30000));
  stream = ps_camera_page_get_stream (p.page);
  g_assert_cmpint (ps_stream_get_state (stream), ==, PS_STREAM_STATE_RECONNECTING);
  g_assert_false (_ps_p2p_connection_group_shows_warning (p.group));
  g_assert_cmpuint (ps_stream_get_frames (stream), ==, 0);

  /* someone on the account claims it, with another camera's certificate */
  start_impostor (&impostor, fx.other_id, fx.device_id);
  g_assert_true (ps_test_wait_until (refused, &p, 60000));
  g_assert_cmpuint (impostor.sessions, >=, 1);
  g_assert_true (g_error_matches (ps_stream_get_error (stream), PS_STREAM_ERROR,
                                  PS_STREAM_ERROR_IDENTITY));

  /* a warning where the video would be, and in the panel; no picture */
  status = ADW_STATUS_PAGE (find_type (GTK_WIDGET (p.page), ADW_TYPE_STATUS_PAGE));
  g_assert_true (shown (GTK_WIDGET (status)));
  g_assert_cmpstr (adw_status_page_get_title (status), ==, "This Is Not the Camera You Paired");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "identity-warning"));
  g_assert_cmpfloat (gtk_widget_get_opacity (find_type (GTK_WIDGET (p.page), GTK_TYPE_PICTURE)),
                     ==, 0.0);
  g_assert_cmpstr (_ps_p2p_connection_group_get_text (p.group, "rendezvous"), ==,
                   "Connected · a peer that claims this device ID is online");
  g_assert_true (_ps_p2p_connection_group_shows_warning (p.group));
  g_assert_cmpuint (ps_stream_get_frames (stream), ==, 0);
  save_render (window, "identity-warning");

  stop_impostor (&impostor);
  ps_camera_page_stop (p.page);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The real camera, online, behind a rendezvous server that swaps its offer's fingerprint for
 * another identity's: refused at the offer, the same warning */
static void
test_hostile_rendezvous (void)
{
  g_autofree char *camera_fp = fingerprint_of (fx.device_id);
  g_autofree char *other_fp = fingerprint_of (fx.other_id);
  PsTestHostileRendezvous *hostile = ps_test_hostile_rendezvous_new (fx.url);
  GtkWidget *window = gtk_window_new ();
  PsStream *stream;
  Page p;

  ps_test_hostile_rendezvous_replace (hostile, camera_fp, other_fp);
  g_settings_set_string (fx.settings, "p2p-rendezvous-url",
                         ps_test_hostile_rendezvous_get_url (hostile));

  p = open_page (window, fx.device_id);
  stream = ps_camera_page_get_stream (p.page);
  g_assert_true (ps_test_wait_until (refused, &p, 30000));
  g_assert_true (g_error_matches (ps_stream_get_error (stream), PS_STREAM_ERROR,
                                  PS_STREAM_ERROR_IDENTITY));
  g_assert_cmpuint (ps_test_hostile_rendezvous_get_rewritten (hostile), >=, 1);
  g_assert_true (_ps_p2p_connection_group_shows_warning (p.group));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (find_type (GTK_WIDGET (p.page),
                                                                          ADW_TYPE_STATUS_PAGE))),
                   ==, "This Is Not the Camera You Paired");
  g_assert_cmpuint (ps_stream_get_frames (stream), ==, 0);

  ps_camera_page_stop (p.page);
  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_set_string (fx.settings, "p2p-rendezvous-url", fx.url);
  ps_test_hostile_rendezvous_free (hostile);
}

static gboolean
stream_failed (gpointer data)
{
  return ps_stream_get_state (data) == PS_STREAM_STATE_ERROR;
}

/* The tile says it too */
static void
test_tile_identity (void)
{
  g_autofree char *uri = g_strconcat ("p2p:", fx.other_id, NULL);
  g_autoptr(PsDevice) device = ps_device_new ("Porch", uri);
  GtkWidget *window = gtk_window_new ();
  PsCameraTile *tile = ps_camera_tile_new (device, NULL);
  Impostor impostor = { 0 };
  GtkWidget *label;

  start_impostor (&impostor, fx.other_id, fx.device_id);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (tile));
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 270);
  gtk_window_present (GTK_WINDOW (window));
  ps_camera_tile_play (tile);

  g_assert_true (ps_test_wait_until (stream_failed, ps_camera_tile_get_stream (tile), 30000));
  g_assert_true (ps_viewer_stream_is_identity_error (ps_camera_tile_get_stream (tile)));

  label = template_child (tile, PS_TYPE_CAMERA_TILE, "message_label");
  g_assert_true (shown (label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==,
                   "This is not the camera you paired: video refused");
  g_assert_true (gtk_widget_has_css_class (label, "identity-warning"));
  save_render (window, "tile-identity");

  stop_impostor (&impostor);
  ps_camera_tile_stop (tile);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- Preferences ----------------------------------------------------------------------- */

static gboolean
status_is (gpointer data)
{
  PsP2pAccountPage *page = ((gpointer *) data)[0];
  const char *prefix = ((gpointer *) data)[1];

  return g_str_has_prefix (_ps_p2p_account_page_get_status_title (page), prefix);
}

static gboolean
status_lists_one (gpointer data)
{
  return g_strcmp0 (_ps_p2p_account_page_get_status (data), "1 camera on this account") == 0;
}

static void
test_account_page (void)
{
  PsP2pAccountPage *page = ps_p2p_account_page_new (fx.account);
  GtkWidget *window = adw_preferences_window_new ();
  gpointer data[2] = { page, NULL };
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  GtkWidget *url_row;

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_set_default_size (GTK_WINDOW (window), 660, 900);
  gtk_window_present (GTK_WINDOW (window));

  /* the server takes us, and lists the camera */
  data[1] = (gpointer) "Connected as ";
  g_assert_true (ps_test_wait_until (status_is, data, 15000));
  g_assert_true (ps_test_wait_until (status_lists_one, page, 5000));
  save_render (window, "preferences");

  /* a wrong token: not connected, and why */
  set_token ("not-this-account");
  data[1] = (gpointer) "Not Connected";
  g_assert_true (ps_test_wait_until (status_is, data, 15000));
  g_assert_cmpstr (_ps_p2p_account_page_get_status (page), !=, "");

  /* an address that is no WebSocket server is refused before it is saved */
  url_row = find_row (GTK_WIDGET (page), "Server Address (ws:// or wss://)");
  gtk_editable_set_text (GTK_EDITABLE (url_row), "http://127.0.0.1:1/");
  g_signal_emit_by_name (url_row, "apply");
  g_assert_nonnull (_ps_p2p_account_page_get_error (page));
  {
    g_autofree char *saved = g_settings_get_string (fx.settings, "p2p-rendezvous-url");

    g_assert_cmpstr (saved, ==, fx.url);
  }

  /* the ICE policy goes to GSettings */
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (GTK_WIDGET (page), "Allowed _Paths")), 1);
  {
    g_autofree char *policy = g_settings_get_string (fx.settings, "p2p-ice-policy");

    g_assert_cmpstr (policy, ==, "relay");
  }
  g_settings_reset (fx.settings, "p2p-ice-policy");

  /* the token never reaches GSettings */
  g_object_get (fx.settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (fx.settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_assert_null (strstr (text, "not-this-account"));
      g_assert_null (strstr (text, TOKEN));
    }

  set_token (TOKEN);
  data[1] = (gpointer) "Connected as ";
  g_assert_true (ps_test_wait_until (status_is, data, 30000));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gst_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* what the application loads, for the screenshots */
  {
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (provider, "/io/github/peerscope/Peerscope/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (provider),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add_func ("/p2p-ui/parse-device-id", test_parse_device_id);
  g_test_add_func ("/p2p-ui/add-dialog", test_add_dialog);
  g_test_add_func ("/p2p-ui/add-dialog-no-account", test_add_dialog_no_account);
  g_test_add_func ("/p2p-ui/account-page", test_account_page);
  g_test_add_func ("/p2p-ui/live-tile", test_live_tile);
  g_test_add_func ("/p2p-ui/connection-panel", test_connection_panel);
  g_test_add_func ("/p2p-ui/format-figures", test_format_figures);
  g_test_add_func ("/p2p-ui/discovery-page", test_discovery_page);
  g_test_add_func ("/p2p-ui/whep-goodbye", test_whep_goodbye);
  g_test_add_func ("/p2p-ui/camera-policy", test_camera_policy);
  g_test_add_func ("/p2p-ui/not-found-then-impostor", test_not_found_then_impostor);
  g_test_add_func ("/p2p-ui/hostile-rendezvous", test_hostile_rendezvous);
  g_test_add_func ("/p2p-ui/tile-identity", test_tile_identity);

  setup ();
  status = g_test_run ();
  teardown ();

  return status;
}
