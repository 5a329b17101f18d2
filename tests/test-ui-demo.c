/* test-ui-demo.c: peerscope --demo under a headless display shows live video
 *
 * Starts the real application, which starts two camera emulators, and
 * captures its window twice. The video area of every tile must change between
 * the captures and carry the emulator's frame stamp: the time the frame was
 * captured, so what is on screen is live, not a still or a test pattern.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <math.h>

#include "ps-frame-stamp.h"

typedef struct
{
  int x, y, width, height;
} Rect;

static gboolean
read_stamp (GdkPixbuf  *pixbuf,
            const Rect *rect,
            gint64     *stamp)
{
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int rowstride = gdk_pixbuf_get_rowstride (pixbuf);

  g_assert_cmpint (rect->x + rect->width, <=, gdk_pixbuf_get_width (pixbuf));
  g_assert_cmpint (rect->y + rect->height, <=, gdk_pixbuf_get_height (pixbuf));

  /* green channel of the video area */
  return ps_frame_stamp_read (pixels + (gsize) rect->y * rowstride + (gsize) rect->x * channels + 1,
                              rowstride, channels, rect->width, rect->height, stamp);
}

static double
mean_difference (GdkPixbuf  *a,
                 GdkPixbuf  *b,
                 const Rect *rect)
{
  const guint8 *pa = gdk_pixbuf_read_pixels (a);
  const guint8 *pb = gdk_pixbuf_read_pixels (b);
  int channels = gdk_pixbuf_get_n_channels (a);
  int rowstride = gdk_pixbuf_get_rowstride (a);
  guint64 sum = 0, n = 0;

  for (int y = rect->y; y < rect->y + rect->height; y++)
    for (int x = rect->x; x < rect->x + rect->width; x++)
      for (int c = 0; c < 3; c++)
        {
          gsize i = (gsize) y * rowstride + (gsize) x * channels + c;
          sum += (guint64) ABS ((int) pa[i] - (int) pb[i]);
          n++;
        }

  return n > 0 ? (double) sum / n : 0;
}

static void
test_demo_live (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GdkPixbuf) shot1 = NULL;
  g_autoptr(GdkPixbuf) shot2 = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path1 = NULL;
  g_autofree char *path2 = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *root;
  JsonArray *cameras, *shots;
  gint64 time1, time2;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      /* check.sh always provides one; a skip here is reported, never passed */
      g_test_skip ("no display: run under xvfb-run (check.sh does)");
      return;
    }

  dir = g_dir_make_tmp ("peerscope-ui-XXXXXX", &error);
  g_assert_no_error (error);
  path1 = g_build_filename (dir, "shot-1.png", NULL);
  path2 = g_build_filename (dir, "shot-2.png", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "GSK_RENDERER", "cairo", TRUE);
  g_subprocess_launcher_setenv (launcher, "PEERSCOPE_EMULATOR", g_getenv ("PS_EMULATOR"), TRUE);
  /* the application's own warnings are not this test's failures */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  app = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("PS_PEERSCOPE"),
                                     "--demo", "--screenshot", path1, "--screenshot", path2,
                                     NULL);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (app, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (app))
    g_error ("peerscope --demo failed: %s", err);

  report = json_from_string (out, &error);
  g_assert_no_error (error);
  root = json_node_get_object (report);
  cameras = json_object_get_array_member (root, "cameras");
  shots = json_object_get_array_member (root, "screenshots");
  g_assert_cmpuint (json_array_get_length (cameras), ==, 2);
  g_assert_cmpuint (json_array_get_length (shots), ==, 2);
  time1 = json_object_get_int_member (json_array_get_object_element (shots, 0), "time_us");
  time2 = json_object_get_int_member (json_array_get_object_element (shots, 1), "time_us");

  shot1 = gdk_pixbuf_new_from_file (path1, &error);
  g_assert_no_error (error);
  shot2 = gdk_pixbuf_new_from_file (path2, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < json_array_get_length (cameras); i++)
    {
      JsonObject *camera = json_array_get_object_element (cameras, i);
      JsonArray *r = json_object_get_array_member (camera, "video_rect");
      double x = json_array_get_double_element (r, 0);
      double y = json_array_get_double_element (r, 1);
      double w = json_array_get_double_element (r, 2);
      double h = json_array_get_double_element (r, 3);
      Rect rect = { (int) ceil (x), (int) ceil (y), (int) floor (x + w) - (int) ceil (x),
                    (int) floor (y + h) - (int) ceil (y) };
      gint64 stamp1 = 0, stamp2 = 0;
      double diff;

      g_assert_cmpstr (json_object_get_string_member (camera, "state"), ==, "live");
      g_assert_cmpfloat (json_object_get_double_member (camera, "first_frame_ms"), >, 0);
      g_assert_cmpint (rect.width, >=, 160);

      diff = mean_difference (shot1, shot2, &rect);
      g_assert_true (read_stamp (shot1, &rect, &stamp1));
      g_assert_true (read_stamp (shot2, &rect, &stamp2));
      g_test_message ("%s: video at %d,%d %dx%d; mean change %.1f; on screen %.0f ms and "
                      "%.0f ms after capture",
                      json_object_get_string_member (camera, "name"),
                      rect.x, rect.y, rect.width, rect.height, diff,
                      (time1 - stamp1) / 1000.0, (time2 - stamp2) / 1000.0);

      /* the picture moved */
      g_assert_cmpfloat (diff, >, 0.5);
      /* and each capture shows a frame the camera took just before it */
      g_assert_cmpint (stamp2, >, stamp1);
      g_assert_cmpint (stamp1, <=, time1);
      g_assert_cmpint (time1 - stamp1, <, 5 * G_USEC_PER_SEC);
      g_assert_cmpint (stamp2, <=, time2);
      g_assert_cmpint (time2 - stamp2, <, 5 * G_USEC_PER_SEC);
    }

  g_unlink (path1);
  g_unlink (path2);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/demo-live", test_demo_live);

  return g_test_run ();
}
