/* ps-world-map-data.c: the land and the country table of the world map, and its projection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both come from Natural Earth (public domain) through data/map/make-world-map.R, which
 * describes the formats, and are read once from the GResource, through readers that cannot
 * run past the end of the data.
 */

#define G_LOG_DOMAIN "ps-world-map"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ps-byte-reader.h"
#include "ps-world-map-private.h"

#define OUTLINE_RESOURCE   "/io/github/peerscope/Peerscope/map/world-outline.bin"
#define CENTROIDS_RESOURCE "/io/github/peerscope/Peerscope/map/country-centroids.tsv"

/* the map is cut off at these latitudes */
#define LAT_NORTH          84.0
#define LAT_SOUTH          (-58.0)

typedef struct
{
  double latitude;
  double longitude;
} Location;

/* NULL if the data is damaged */
PsWorldOutline *
_ps_world_outline_parse (GBytes *bytes)
{
  g_autofree guint *ring_len = NULL;
  g_autoptr(GArray) coords = g_array_new (FALSE, FALSE, sizeof (gint16));
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  PsByteReader r = PS_BYTE_READER_INIT (data, len);
  guint8 magic[4], version, flags;
  guint16 n_rings;
  PsWorldOutline *outline;

  for (guint i = 0; i < G_N_ELEMENTS (magic); i++)
    if (!ps_byte_reader_get_u8 (&r, &magic[i]))
      return NULL;
  if (memcmp (magic, "PSWM", 4) != 0 ||
      !ps_byte_reader_get_u8 (&r, &version) || version != 1 ||
      !ps_byte_reader_get_u8 (&r, &flags) ||
      !ps_byte_reader_get_u16_be (&r, &n_rings))
    return NULL;

  ring_len = g_new0 (guint, n_rings);
  for (guint i = 0; i < n_rings; i++)
    {
      guint8 kind;
      guint16 n_points;

      if (!ps_byte_reader_get_u8 (&r, &kind) || kind > 1 ||
          !ps_byte_reader_get_u16_be (&r, &n_points) || n_points < 3 ||
          ps_byte_reader_remaining (&r) < (gsize) n_points * 4)
        return NULL;

      for (guint j = 0; j < 2u * n_points; j++)
        {
          guint16 u;
          gint16 v;

          if (!ps_byte_reader_get_u16_be (&r, &u) || u == 0x8000)
            return NULL;
          v = (gint16) u;
          g_array_append_val (coords, v);
        }
      ring_len[i] = n_points;
    }
  if (ps_byte_reader_remaining (&r) != 0)
    return NULL;

  outline = g_new0 (PsWorldOutline, 1);
  outline->n_rings = n_rings;
  outline->ring_len = g_steal_pointer (&ring_len);
  outline->coords = (gint16 *) (gpointer) g_array_free (g_steal_pointer (&coords), FALSE);

  return outline;
}

void
_ps_world_outline_free (PsWorldOutline *outline)
{
  if (outline == NULL)
    return;

  g_free (outline->ring_len);
  g_free (outline->coords);
  g_free (outline);
}

const PsWorldOutline *
_ps_world_outline_get (void)
{
  static PsWorldOutline *outline;

  if (g_once_init_enter (&outline))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      PsWorldOutline *parsed = NULL;

      bytes = g_resources_lookup_data (OUTLINE_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes == NULL)
        g_warning ("Cannot load the world map: %s", error->message);
      else if ((parsed = _ps_world_outline_parse (bytes)) == NULL)
        g_warning ("Cannot load the world map: %s is damaged", OUTLINE_RESOURCE);

      if (parsed == NULL)
        parsed = g_new0 (PsWorldOutline, 1);
      g_once_init_leave (&outline, parsed);
    }

  return outline;
}

static gboolean
parse_degrees (const char *text,
               double      limit,
               double     *out)
{
  char *end = NULL;
  double value;

  if (text == NULL || *text == '\0')
    return FALSE;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (value) || fabs (value) > limit)
    return FALSE;

  *out = value;
  return TRUE;
}

gboolean
_ps_world_map_is_country_code (const char *code)
{
  return code != NULL && g_ascii_isalpha (code[0]) && g_ascii_isalpha (code[1]) && code[2] == '\0';
}

/* country-centroids.tsv: "code \t name \t latitude \t longitude" per line, "#" comments;
 * damaged lines are left out with a warning */
GHashTable *
_ps_world_centroids_parse (GBytes *bytes)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  text = g_strndup (data, len);
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      Location location;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;

      fields = g_strsplit (lines[i], "\t", 5);
      if (g_strv_length (fields) != 4 ||
          !_ps_world_map_is_country_code (fields[0]) ||
          !parse_degrees (fields[2], 90, &location.latitude) ||
          !parse_degrees (fields[3], 180, &location.longitude))
        {
          g_warning ("%s: line %u is damaged", CENTROIDS_RESOURCE, i + 1);
          continue;
        }

      g_hash_table_replace (table, g_ascii_strup (fields[0], -1),
                            g_memdup2 (&location, sizeof location));
    }

  return g_steal_pointer (&table);
}

static GHashTable *
get_centroids (void)
{
  static GHashTable *centroids;

  if (g_once_init_enter (&centroids))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      GHashTable *table;

      bytes = g_resources_lookup_data (CENTROIDS_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes != NULL)
        table = _ps_world_centroids_parse (bytes);
      else
        {
          g_warning ("Cannot load the country table: %s", error->message);
          table = g_hash_table_new (g_str_hash, g_str_equal);
        }
      g_once_init_leave (&centroids, table);
    }

  return centroids;
}

/**
 * ps_world_map_country_location:
 * @iso_code: (nullable): an ISO 3166-1 alpha-2 code such as "CN", in either case
 * @latitude: (out) (optional): the latitude of a point inside the country
 * @longitude: (out) (optional): its longitude
 *
 * Looks up where to put a peer whose GeoIP record has a country but no coordinates.
 *
 * Returns: %FALSE if the code is %NULL or not a known country
 */
gboolean
ps_world_map_country_location (const char *iso_code,
                               double     *latitude,
                               double     *longitude)
{
  char key[3];
  const Location *location;

  if (!_ps_world_map_is_country_code (iso_code))
    return FALSE;

  key[0] = g_ascii_toupper (iso_code[0]);
  key[1] = g_ascii_toupper (iso_code[1]);
  key[2] = '\0';
  location = g_hash_table_lookup (get_centroids (), key);
  if (location == NULL)
    return FALSE;

  if (latitude != NULL)
    *latitude = location->latitude;
  if (longitude != NULL)
    *longitude = location->longitude;
  return TRUE;
}

/* ---- projection ------------------------------------------------------------------------ */

/* The Natural Earth projection (Šavrič, Patterson, Jenny, Petrovič, Hurni, 2011), in units of
 * the earth's radius, y up. */
void
_ps_world_map_natural_earth (double  latitude,
                             double  longitude,
                             double *x,
                             double *y)
{
  double phi = CLAMP (latitude, LAT_SOUTH, LAT_NORTH) * G_PI / 180.0;
  double lambda = CLAMP (longitude, -180.0, 180.0) * G_PI / 180.0;
  double phi2 = phi * phi;
  double phi4 = phi2 * phi2;
  double phi6 = phi4 * phi2;
  double phi8 = phi4 * phi4;
  double phi10 = phi8 * phi2;
  double phi12 = phi6 * phi6;

  *x = lambda * (0.8707 - 0.131979 * phi2 - 0.013791 * phi4 + 0.003971 * phi10 -
                 0.001529 * phi12);
  *y = phi * (1.007226 + 0.015085 * phi2 - 0.044475 * phi6 + 0.028874 * phi8 -
              0.005916 * phi10);
}

void
_ps_world_map_projected_extent (double *half_width,
                                double *top,
                                double *bottom)
{
  double x;

  _ps_world_map_natural_earth (0.0, 180.0, half_width, &x);
  _ps_world_map_natural_earth (LAT_NORTH, 0.0, &x, top);
  _ps_world_map_natural_earth (LAT_SOUTH, 0.0, &x, bottom);
}
