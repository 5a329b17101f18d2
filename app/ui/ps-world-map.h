/* ps-world-map.h: an offline world map of the peers a camera talks to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One peer on the map. The map copies what it needs. */
typedef struct
{
  const char *id;            /* passed back by ::point-activated; not NULL */
  double      latitude;      /* degrees, -90..90 */
  double      longitude;     /* degrees, -180..180 */
  guint64     weight;        /* traffic in bytes: sets the size of the point */
  const char *label;         /* tooltip and accessible text, e.g. "198.51.100.11 — China, 3 MB" */
  const char *country_code;  /* ISO 3166-1 alpha-2 or NULL: counted in the summary */
  gboolean    highlight;     /* drawn in the warning colour, e.g. a P2P server */
} PsWorldMapPoint;

#define PS_TYPE_WORLD_MAP (ps_world_map_get_type ())
G_DECLARE_FINAL_TYPE (PsWorldMap, ps_world_map, PS, WORLD_MAP, GtkWidget)

GtkWidget *ps_world_map_new              (void);
void       ps_world_map_set_points       (PsWorldMap            *self,
                                          const PsWorldMapPoint *points,
                                          guint                  n_points);

gboolean   ps_world_map_country_location (const char            *iso_code,
                                          double                *latitude,
                                          double                *longitude);

G_END_DECLS
