/* test-frame-stamp.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "ps-frame-stamp.h"

static void
test_roundtrip (void)
{
  const guint sizes[][2] = { { 1280, 720 }, { 640, 360 }, { 176, 144 }, { 1920, 1080 } };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint w = sizes[s][0], h = sizes[s][1];
      g_autofree guint8 *plane = g_malloc0 ((gsize) w * h);
      gint64 stamp = g_get_real_time () + s * 7919;
      gint64 read = 0;

      ps_frame_stamp_write (plane, w, w, h, stamp);
      g_assert_true (ps_frame_stamp_read (plane, w, 1, w, h, &read));
      g_assert_cmpint (read, ==, stamp);
    }
}

/* The stamp must survive coding noise: add +-40 of noise to every pixel. */
static void
test_noise (void)
{
  guint w = 640, h = 360;
  g_autofree guint8 *plane = g_malloc0 ((gsize) w * h);
  gint64 stamp = G_GINT64_CONSTANT (0x0123456789abcdef);
  gint64 read = 0;
  GRand *rand = g_rand_new_with_seed (42);

  ps_frame_stamp_write (plane, w, w, h, stamp);
  for (gsize i = 0; i < (gsize) w * h; i++)
    plane[i] = (guint8) CLAMP ((int) plane[i] + g_rand_int_range (rand, -40, 41), 0, 255);
  g_rand_free (rand);

  g_assert_true (ps_frame_stamp_read (plane, w, 1, w, h, &read));
  g_assert_cmpint (read, ==, stamp);
}

/* A frame without a stamp, or with one flipped bit, is rejected by the CRC. */
static void
test_corrupt (void)
{
  guint w = 640, h = 360;
  g_autofree guint8 *plane = g_malloc ((gsize) w * h);
  gint64 read = 0;
  guint unit = w / (PS_FRAME_STAMP_COLUMNS + 2);

  memset (plane, 128, (gsize) w * h);
  g_assert_false (ps_frame_stamp_read (plane, w, 1, w, h, &read));

  memset (plane, 0, (gsize) w * h);
  g_assert_false (ps_frame_stamp_read (plane, w, 1, w, h, &read));

  ps_frame_stamp_write (plane, w, w, h, 1234567890123);
  /* invert block 5 of row 0: after the one-unit margin */
  for (guint y = unit; y < 2 * unit; y++)
    for (guint x = 6 * unit; x < 7 * unit; x++)
      plane[y * w + x] = 255 - plane[y * w + x];
  g_assert_false (ps_frame_stamp_read (plane, w, 1, w, h, &read));
}

/* Scaled frames (a window capture) and 4-byte pixels (RGBx) still decode. */
static void
test_scaled_rgbx (void)
{
  guint w = 1280, h = 720, sw = 500, sh = 281;
  g_autofree guint8 *plane = g_malloc0 ((gsize) w * h);
  g_autofree guint8 *rgbx = g_malloc0 ((gsize) sw * sh * 4);
  gint64 stamp = 1790000000123456;
  gint64 read = 0;

  ps_frame_stamp_write (plane, w, w, h, stamp);
  for (guint y = 0; y < sh; y++)
    for (guint x = 0; x < sw; x++)
      {
        guint8 v = plane[(y * h / sh) * w + (x * w / sw)];
        for (guint c = 0; c < 4; c++)
          rgbx[(y * sw + x) * 4 + c] = v;
      }

  g_assert_true (ps_frame_stamp_read (rgbx + 1, sw * 4, 4, sw, sh, &read));
  g_assert_cmpint (read, ==, stamp);
}

static void
test_too_small (void)
{
  guint8 plane[64 * 4] = { 0 };
  gint64 read = 0;

  g_assert_false (ps_frame_stamp_fits (64, 4));
  ps_frame_stamp_write (plane, 64, 64, 4, 1); /* must not write out of bounds */
  g_assert_false (ps_frame_stamp_read (plane, 64, 1, 64, 4, &read));
  /* stride smaller than the width is refused */
  g_assert_false (ps_frame_stamp_read (plane, 16, 1, 640, 4, &read));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/frame-stamp/roundtrip", test_roundtrip);
  g_test_add_func ("/frame-stamp/noise", test_noise);
  g_test_add_func ("/frame-stamp/corrupt", test_corrupt);
  g_test_add_func ("/frame-stamp/scaled-rgbx", test_scaled_rgbx);
  g_test_add_func ("/frame-stamp/too-small", test_too_small);

  return g_test_run ();
}
