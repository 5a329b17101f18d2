/* test-world-map.c: the world map widget and its country table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With PS_WORLD_MAP_SCREENSHOT_DIR set, /world-map/render also saves the map in the light
 * and the dark style there, as world-map-light.png and world-map-dark.png.
 */

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "ps-world-map-private.h"

typedef struct
{
  guint8 red;
  guint8 green;
  guint8 blue;
  guint8 alpha;
} Pixel;

static void
test_country_location (void)
{
  double latitude = 0, longitude = 0;

  g_assert_true (ps_world_map_country_location ("CN", &latitude, &longitude));
  g_assert_cmpfloat (latitude, >, 25);
  g_assert_cmpfloat (latitude, <, 45);
  g_assert_cmpfloat (longitude, >, 90);
  g_assert_cmpfloat (longitude, <, 115);

  g_assert_true (ps_world_map_country_location ("US", &latitude, &longitude));
  g_assert_cmpfloat (latitude, >, 32);
  g_assert_cmpfloat (latitude, <, 45);
  g_assert_cmpfloat (longitude, >, -110);
  g_assert_cmpfloat (longitude, <, -85);

  g_assert_true (ps_world_map_country_location ("de", &latitude, &longitude));
  g_assert_cmpfloat (latitude, >, 48);
  g_assert_cmpfloat (latitude, <, 54);
  g_assert_cmpfloat (longitude, >, 7);
  g_assert_cmpfloat (longitude, <, 14);

  /* small places and the user-assigned code of Kosovo are there too */
  g_assert_true (ps_world_map_country_location ("SG", NULL, NULL));
  g_assert_true (ps_world_map_country_location ("HK", NULL, NULL));
  g_assert_true (ps_world_map_country_location ("XK", NULL, NULL));

  latitude = longitude = 1234;
  g_assert_false (ps_world_map_country_location ("ZZ", &latitude, &longitude));
  g_assert_cmpfloat (latitude, ==, 1234);
  g_assert_cmpfloat (longitude, ==, 1234);
  g_assert_false (ps_world_map_country_location ("", NULL, NULL));
  g_assert_false (ps_world_map_country_location ("USA", NULL, NULL));
  g_assert_false (ps_world_map_country_location ("-9", NULL, NULL));
  g_assert_false (ps_world_map_country_location (NULL, NULL, NULL));
}

static void
test_outline_data (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree guint8 *copy = NULL;
  const PsWorldOutline *outline = _ps_world_outline_get ();
  const guint8 *data;
  gsize len;
  guint n_points = 0;

  /* the shipped outline: tens of kB, a few hundred rings */
  g_assert_cmpuint (outline->n_rings, >, 200);
  for (guint i = 0; i < outline->n_rings; i++)
    {
      g_assert_cmpuint (outline->ring_len[i], >=, 3);
      n_points += outline->ring_len[i];
    }
  g_assert_cmpuint (n_points, >, 5000);

  bytes = g_resources_lookup_data ("/io/github/peerscope/Peerscope/map/world-outline.bin",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpuint (len, <, 100000);

  /* every truncation, and a byte too many, is refused */
  for (gsize cut = 0; cut <= len; cut += (cut < 64 ? 1 : 97))
    {
      g_autoptr(GBytes) part = g_bytes_new (data, cut);

      g_assert_null (_ps_world_outline_parse (part));
    }
  copy = g_malloc (len + 1);
  memcpy (copy, data, len);
  copy[len] = 0;
  {
    g_autoptr(GBytes) longer = g_bytes_new (copy, len + 1);
    g_autoptr(GBytes) exact = g_bytes_new (copy, len);
    PsWorldOutline *parsed;

    g_assert_null (_ps_world_outline_parse (longer));
    parsed = _ps_world_outline_parse (exact);
    g_assert_nonnull (parsed);
    g_assert_cmpuint (parsed->n_rings, ==, outline->n_rings);
    _ps_world_outline_free (parsed);
  }

  /* a wrong magic, version or ring kind, a ring of two points, x = -32768, a missing ring;
   * and a good hole of three points */
  {
    /* header, then one ring: kind, n_points, three points */
    static const guint8 bad[][23] = {
      { 'P', 'S', 'W', 'X', 1, 0, 0, 1, 0, 0, 3 },
      { 'P', 'S', 'W', 'M', 2, 0, 0, 1, 0, 0, 3 },
      { 'P', 'S', 'W', 'M', 1, 0, 0, 1, 2, 0, 3 },
      { 'P', 'S', 'W', 'M', 1, 0, 0, 1, 0, 0, 2 },
      { 'P', 'S', 'W', 'M', 1, 0, 0, 1, 0, 0, 3, 0x80, 0 },
      { 'P', 'S', 'W', 'M', 1, 0, 0, 2, 0, 0, 3 },
    };
    static const guint8 good[23] = { 'P', 'S', 'W', 'M', 1, 0, 0, 1, 1, 0, 3, 0x7f, 0xff };
    g_autoptr(GBytes) one = g_bytes_new_static (good, sizeof good);
    PsWorldOutline *parsed;

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GBytes) b = g_bytes_new_static (bad[i], sizeof bad[i]);

        g_assert_null (_ps_world_outline_parse (b));
      }
    parsed = _ps_world_outline_parse (one);
    g_assert_nonnull (parsed);
    g_assert_cmpuint (parsed->n_rings, ==, 1);
    g_assert_cmpint (parsed->coords[0], ==, 32767);
    _ps_world_outline_free (parsed);
  }
}

static void
test_centroids_data (void)
{
  static const char text[] =
    "# code\tname\tlatitude\tlongitude\n"
    "AA\tGood\t1.5\t-2.25\n"
    "BB\tLatitude too big\t91\t0\n"
    "CC\tTrailing garbage\t1x\t0\n"
    "DD\tToo few fields\t1\n"
    "EEE\tLong code\t1\t2\n"
    "FF\tToo many\t1\t2\t3\n"
    "\n"
    "gg\tLower case\t-90\t180";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  g_autoptr(GHashTable) table = NULL;

  for (guint line = 3; line <= 7; line++)
    {
      g_autofree char *pattern = g_strdup_printf ("*line %u is damaged", line);

      g_test_expect_message ("ps-world-map", G_LOG_LEVEL_WARNING, pattern);
    }
  table = _ps_world_centroids_parse (bytes);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (g_hash_table_size (table), ==, 2);
  g_assert_true (g_hash_table_contains (table, "AA"));
  g_assert_true (g_hash_table_contains (table, "GG"));
}

static void
test_points (void)
{
  GtkWidget *map = g_object_ref_sink (ps_world_map_new ());
  const PsWorldMapPoint points[] = {
    { "cn-1", 22.54, 114.06, 3000000, "198.51.100.11 — China, 3 MB", "CN", TRUE },
    { "cn-2", 22.54, 114.06, 20000, "198.51.100.12 — China, 20 kB", "cn", FALSE },
    { "us-1", 39.04, -77.49, 500000, "203.0.113.5 — United States, 500 kB", "US", FALSE },
    { "nowhere", NAN, 10.0, 1, "not on the map", "DE", FALSE },
    { "far-away", 10.0, 200.0, 1, "not on the map either", "DE", FALSE },
  };
  const PsWorldMapPoint unknown_country[] = {
    { "x", 1.0, 2.0, 10, "192.0.2.1", NULL, FALSE },
  };

  g_assert_true (gtk_widget_get_focusable (map));
  gtk_test_accessible_assert_role (map, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (map, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "World map without peers");

  ps_world_map_set_points (PS_WORLD_MAP (map), points, G_N_ELEMENTS (points));
  g_assert_cmpuint (_ps_world_map_get_n_groups (PS_WORLD_MAP (map)), ==, 2);
  g_assert_cmpuint (_ps_world_map_get_group_size (PS_WORLD_MAP (map), "cn-1"), ==, 2);
  g_assert_cmpuint (_ps_world_map_get_group_size (PS_WORLD_MAP (map), "cn-2"), ==, 2);
  g_assert_cmpuint (_ps_world_map_get_group_size (PS_WORLD_MAP (map), "us-1"), ==, 1);
  g_assert_cmpuint (_ps_world_map_get_group_size (PS_WORLD_MAP (map), "nowhere"), ==, 0);
  g_assert_cmpuint (_ps_world_map_get_group_size (PS_WORLD_MAP (map), "far-away"), ==, 0);
  gtk_test_accessible_assert_property (map, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Map of 3 peers in 2 countries");

  ps_world_map_set_points (PS_WORLD_MAP (map), unknown_country, 1);
  g_assert_cmpuint (_ps_world_map_get_n_groups (PS_WORLD_MAP (map)), ==, 1);
  gtk_test_accessible_assert_property (map, GTK_ACCESSIBLE_PROPERTY_LABEL, "Map of 1 peer");

  ps_world_map_set_points (PS_WORLD_MAP (map), points, 1);
  gtk_test_accessible_assert_property (map, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Map of 1 peer in 1 country");

  ps_world_map_set_points (PS_WORLD_MAP (map), NULL, 0);
  g_assert_cmpuint (_ps_world_map_get_n_groups (PS_WORLD_MAP (map)), ==, 0);
  gtk_test_accessible_assert_property (map, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "World map without peers");
  gtk_widget_activate_action (map, "world-map.focus-next", NULL);
  g_assert_null (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)));

  g_object_unref (map);
}

static void
on_point_activated_cb (GtkWidget  *map,
                       const char *id,
                       GPtrArray  *activated)
{
  g_ptr_array_add (activated, g_strdup (id));
}

static void
test_keyboard (void)
{
  GtkWidget *map = g_object_ref_sink (ps_world_map_new ());
  g_autoptr(GPtrArray) activated = g_ptr_array_new_with_free_func (g_free);
  /* out of order, and two at one place, of which the heavier speaks for both */
  const PsWorldMapPoint points[] = {
    { "de", 50.11, 8.68, 1000, "Frankfurt", "DE", FALSE },
    { "cn-light", 30.27, 120.15, 10, "Hangzhou, light", "CN", FALSE },
    { "us", 37.34, -121.89, 1000, "San Jose", "US", FALSE },
    { "cn-heavy", 30.27, 120.15, 5000, "Hangzhou, heavy", "CN", TRUE },
  };

  g_signal_connect (map, "point-activated", G_CALLBACK (on_point_activated_cb), activated);
  ps_world_map_set_points (PS_WORLD_MAP (map), points, G_N_ELEMENTS (points));
  g_assert_null (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)));

  /* west to east */
  g_assert_true (gtk_widget_activate_action (map, "world-map.focus-next", NULL));
  g_assert_cmpstr (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)), ==, "us");
  gtk_test_accessible_assert_property (map, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "San Jose");
  g_assert_true (gtk_widget_activate_action (map, "world-map.focus-next", NULL));
  g_assert_cmpstr (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)), ==, "de");
  g_assert_true (gtk_widget_activate_action (map, "world-map.activate-focused", NULL));
  g_assert_cmpuint (activated->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (activated, 0), ==, "de");

  g_assert_true (gtk_widget_activate_action (map, "world-map.focus-next", NULL));
  g_assert_cmpstr (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)), ==, "cn-heavy");
  gtk_test_accessible_assert_property (map, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "2 peers here\nHangzhou, heavy\nHangzhou, light");
  /* the east end stays there */
  g_assert_true (gtk_widget_activate_action (map, "world-map.focus-next", NULL));
  g_assert_cmpstr (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)), ==, "cn-heavy");
  g_assert_true (gtk_widget_activate_action (map, "world-map.activate-focused", NULL));
  g_assert_cmpuint (activated->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (activated, 1), ==, "cn-heavy");

  g_assert_true (gtk_widget_activate_action (map, "world-map.focus-previous", NULL));
  g_assert_cmpstr (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)), ==, "de");
  g_assert_true (gtk_widget_activate_action (map, "world-map.focus-first", NULL));
  g_assert_cmpstr (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)), ==, "us");
  g_assert_true (gtk_widget_activate_action (map, "world-map.focus-last", NULL));
  g_assert_cmpstr (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)), ==, "cn-heavy");

  /* new points keep the focus on the same peer */
  g_assert_true (gtk_widget_activate_action (map, "world-map.focus-previous", NULL));
  ps_world_map_set_points (PS_WORLD_MAP (map), points + 1, G_N_ELEMENTS (points) - 1);
  g_assert_cmpstr (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)), ==, NULL);
  g_assert_true (gtk_widget_activate_action (map, "world-map.focus-last", NULL));
  ps_world_map_set_points (PS_WORLD_MAP (map), points, G_N_ELEMENTS (points));
  g_assert_cmpstr (_ps_world_map_get_focused_id (PS_WORLD_MAP (map)), ==, "cn-heavy");

  g_object_unref (map);
}

static gboolean
on_tick_cb (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

/* lets the styles and the layout settle */
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

static GdkTexture *
render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static Pixel
pixel_at (GdkTexture *texture,
          const guchar *data,
          int         x,
          int         y)
{
  int width = gdk_texture_get_width (texture);
  guint32 argb;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, width);
  g_assert_cmpint (y, <, gdk_texture_get_height (texture));

  /* CAIRO_FORMAT_ARGB32: native-endian, premultiplied; the map is opaque */
  memcpy (&argb, data + (gsize) y * width * 4 + (gsize) x * 4, sizeof argb);
  return (Pixel) { (argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff, argb >> 24 };
}

static Pixel
pixel_from_rgba (const GdkRGBA *rgba)
{
  return (Pixel) { round (rgba->red * 255), round (rgba->green * 255), round (rgba->blue * 255),
                   round (rgba->alpha * 255) };
}

static gboolean
pixel_near (Pixel a,
            Pixel b)
{
  return ABS (a.red - b.red) <= 3 && ABS (a.green - b.green) <= 3 &&
         ABS (a.blue - b.blue) <= 3 && ABS (a.alpha - b.alpha) <= 3;
}

/* how many pixels of the 7×7 square around a place have the colour */
static guint
count_near (PsWorldMap   *map,
            GdkTexture   *texture,
            const guchar *data,
            double        latitude,
            double        longitude,
            Pixel         color)
{
  double x, y;
  guint n = 0;

  g_assert_true (_ps_world_map_project (map, latitude, longitude, &x, &y));
  for (int dy = -3; dy <= 3; dy++)
    for (int dx = -3; dx <= 3; dx++)
      n += pixel_near (pixel_at (texture, data, (int) x + dx, (int) y + dy), color);

  return n;
}

static Pixel
pixel_at_place (PsWorldMap   *map,
                GdkTexture   *texture,
                const guchar *data,
                double        latitude,
                double        longitude)
{
  double x, y;

  g_assert_true (_ps_world_map_project (map, latitude, longitude, &x, &y));
  return pixel_at (texture, data, (int) x, (int) y);
}

static double
luminance (Pixel p)
{
  return (0.2126 * p.red + 0.7152 * p.green + 0.0722 * p.blue) / 255.0;
}

static const PsWorldMapPoint sample_points[] = {
  { "p2p-1", 22.54, 114.06, 3200000, "47.91.1.10 — China, 3.2 MB", "CN", TRUE },
  { "p2p-2", 30.27, 120.15, 800000, "120.55.2.3 — China, 800 kB", "CN", TRUE },
  { "cn-1", 36.62, 103.80, 120000, "198.51.100.11 — China, 120 kB", "CN", FALSE },
  { "cn-2", 36.62, 103.80, 40000, "198.51.100.12 — China, 40 kB", "CN", FALSE },
  { "cn-3", 36.62, 103.80, 9000, "198.51.100.13 — China, 9 kB", "CN", FALSE },
  { "us-1", 39.04, -77.49, 1500000, "203.0.113.5 — United States, 1.5 MB", "US", FALSE },
  { "us-2", 45.84, -119.70, 60000, "203.0.113.9 — United States, 60 kB", "US", FALSE },
  { "de-1", 50.11, 8.68, 250000, "192.0.2.44 — Germany, 250 kB", "DE", FALSE },
  { "nl-1", 52.37, 4.90, 4000, "192.0.2.80 — Netherlands, 4 kB", "NL", FALSE },
  { "sg-1", 1.35, 103.82, 700000, "203.0.113.77 — Singapore, 700 kB", "SG", FALSE },
  { "jp-1", 35.68, 139.69, 90000, "198.51.100.200 — Japan, 90 kB", "JP", FALSE },
  { "br-1", -23.55, -46.63, 2000, "192.0.2.201 — Brazil, 2 kB", "BR", FALSE },
  { "au-1", -25.0, 133.0, 300000, "203.0.113.150 — Australia, 300 kB", "AU", FALSE },
};

static void
check_theme (GtkWidget  *map,
             const char *name,
             gboolean    dark)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *data = NULL;
  const char *dir = g_getenv ("PS_WORLD_MAP_SCREENSHOT_DIR");
  GdkRGBA accent_bg;
  Pixel land, water, point;

  wait_frames (map, 3);
  texture = render (map);
  data = g_malloc ((gsize) gdk_texture_get_width (texture) * gdk_texture_get_height (texture) * 4);
  gdk_texture_download (texture, data, (gsize) gdk_texture_get_width (texture) * 4);

  if (dir != NULL)
    {
      g_autofree char *basename = g_strdup_printf ("world-map-%s.png", name);
      g_autofree char *path = g_build_filename (dir, basename, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("saved %s", path);
    }

  /* central Africa and the middle of the Pacific */
  land = pixel_at_place (PS_WORLD_MAP (map), texture, data, 5.0, 22.0);
  water = pixel_at_place (PS_WORLD_MAP (map), texture, data, 0.0, -150.0);
  g_assert_cmpint (land.alpha, ==, 255);
  g_assert_cmpint (water.alpha, ==, 255);
  g_test_message ("%s: land %02x%02x%02x, water %02x%02x%02x", name,
                  land.red, land.green, land.blue, water.red, water.green, water.blue);
  if (dark)
    g_assert_cmpfloat (luminance (land) - luminance (water), >, 0.07);
  else
    g_assert_cmpfloat (luminance (water) - luminance (land), >, 0.07);

  /* Australia's point is drawn in the accent colour */
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (map),
                                                 "accent_bg_color", &accent_bg));
  point = pixel_at_place (PS_WORLD_MAP (map), texture, data, -25.0, 133.0);
  g_assert_true (pixel_near (point, pixel_from_rgba (&accent_bg)));
}

static void
test_render (void)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *map = ps_world_map_new ();
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *data = NULL;
  const Pixel land = { 200, 180, 160, 255 };
  const Pixel water = { 16, 32, 48, 255 };
  const Pixel point = { 255, 0, 0, 255 };
  const Pixel highlight = { 0, 255, 0, 255 };
  const PsWorldMapPoint points[] = {
    { "a", -25.0, 133.0, 1000, "Australia", "AU", FALSE },
    { "b", 45.0, 90.0, 100000, "Central Asia", "CN", TRUE },
  };
  double x, y;
  int natural;

  /* about twice as wide as high */
  gtk_widget_measure (map, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  g_assert_cmpint (natural, ==, 720);
  gtk_widget_measure (map, GTK_ORIENTATION_VERTICAL, 800, NULL, &natural, NULL, NULL);
  g_assert_cmpint (natural, >=, 800 / 2.5);
  g_assert_cmpint (natural, <=, 800 / 1.8);

  gtk_widget_set_size_request (map, 800, 400);
  gtk_window_set_resizable (GTK_WINDOW (window), FALSE);
  gtk_window_set_child (GTK_WINDOW (window), map);
  gtk_window_present (GTK_WINDOW (window));

  gtk_css_provider_load_from_data (provider,
                                   "worldmap { background-color: rgb(16,32,48);"
                                   "           color: rgb(200,180,160); }"
                                   "@define-color ps_map_point_color rgb(255,0,0);"
                                   "@define-color ps_map_highlight_color rgb(0,255,0);", -1);
  gtk_style_context_add_provider_for_display (gtk_widget_get_display (map),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_USER);
  ps_world_map_set_points (PS_WORLD_MAP (map), points, G_N_ELEMENTS (points));
  wait_frames (map, 3);
  g_assert_cmpint (gtk_widget_get_width (map), ==, 800);
  g_assert_cmpint (gtk_widget_get_height (map), ==, 400);

  texture = render (map);
  data = g_malloc (800 * 400 * 4);
  gdk_texture_download (texture, data, 800 * 4);

  /* land: central Africa, Brazil, Siberia; water: the Pacific, the Atlantic, the Indian
   * Ocean. Most of a small square has the colour; a border may cross it. */
  g_assert_cmpuint (count_near (PS_WORLD_MAP (map), texture, data, 5.0, 22.0, land), >=, 30);
  g_assert_cmpuint (count_near (PS_WORLD_MAP (map), texture, data, -8.0, -55.0, land), >=, 30);
  g_assert_cmpuint (count_near (PS_WORLD_MAP (map), texture, data, 62.0, 100.0, land), >=, 30);
  g_assert_cmpuint (count_near (PS_WORLD_MAP (map), texture, data, 0.0, -150.0, water), ==, 49);
  g_assert_cmpuint (count_near (PS_WORLD_MAP (map), texture, data, 30.0, -40.0, water), ==, 49);
  g_assert_cmpuint (count_near (PS_WORLD_MAP (map), texture, data, -20.0, 75.0, water), ==, 49);

  /* the points, in their colours, where they are; around them, the land */
  g_assert_true (pixel_near (pixel_at_place (PS_WORLD_MAP (map), texture, data, -25.0, 133.0),
                             point));
  g_assert_true (pixel_near (pixel_at_place (PS_WORLD_MAP (map), texture, data, 45.0, 90.0),
                             highlight));
  g_assert_true (pixel_near (pixel_at_place (PS_WORLD_MAP (map), texture, data, -25.0, 143.0),
                             land));

  /* and clicking there would activate them */
  g_assert_true (_ps_world_map_project (PS_WORLD_MAP (map), -25.0, 133.0, &x, &y));
  g_assert_cmpstr (_ps_world_map_get_id_at (PS_WORLD_MAP (map), x + 2, y - 2), ==, "a");
  g_assert_true (_ps_world_map_project (PS_WORLD_MAP (map), 45.0, 90.0, &x, &y));
  g_assert_cmpstr (_ps_world_map_get_id_at (PS_WORLD_MAP (map), x, y), ==, "b");
  g_assert_true (_ps_world_map_project (PS_WORLD_MAP (map), 0.0, -150.0, &x, &y));
  g_assert_null (_ps_world_map_get_id_at (PS_WORLD_MAP (map), x, y));

  /* the real styles: the land stands out from the water in both */
  gtk_style_context_remove_provider_for_display (gtk_widget_get_display (map),
                                                 GTK_STYLE_PROVIDER (provider));
  ps_world_map_set_points (PS_WORLD_MAP (map), sample_points, G_N_ELEMENTS (sample_points));
  gtk_test_accessible_assert_property (map, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Map of 13 peers in 8 countries");

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  check_theme (map, "light", FALSE);
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  check_theme (map, "dark", TRUE);
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/world-map/outline-data", test_outline_data);
  g_test_add_func ("/world-map/centroids-data", test_centroids_data);
  g_test_add_func ("/world-map/country-location", test_country_location);
  g_test_add_func ("/world-map/points", test_points);
  g_test_add_func ("/world-map/keyboard", test_keyboard);
  g_test_add_func ("/world-map/render", test_render);

  return g_test_run ();
}
