/* ps-world-map-private.h: the map data, and what the tests look at inside PsWorldMap
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-world-map.h"

G_BEGIN_DECLS

/* world-outline.bin, version 1; the format is described in data/map/make-world-map.R */
typedef struct
{
  guint   n_rings;
  guint  *ring_len;
  gint16 *coords;   /* x, y pairs of all rings one after the other */
} PsWorldOutline;

/* ps-world-map-data.c */
PsWorldOutline       *_ps_world_outline_parse        (GBytes         *bytes);
void                  _ps_world_outline_free         (PsWorldOutline *outline);
const PsWorldOutline *_ps_world_outline_get          (void);
GHashTable           *_ps_world_centroids_parse      (GBytes         *bytes);
gboolean              _ps_world_map_is_country_code  (const char     *code);
void                  _ps_world_map_natural_earth    (double          latitude,
                                                      double          longitude,
                                                      double         *x,
                                                      double         *y);
void                  _ps_world_map_projected_extent (double         *half_width,
                                                      double         *top,
                                                      double         *bottom);

/* ps-world-map.c, for the tests */
guint       _ps_world_map_get_n_groups    (PsWorldMap *self);
guint       _ps_world_map_get_group_size  (PsWorldMap *self,
                                           const char *id);
const char *_ps_world_map_get_focused_id  (PsWorldMap *self);
const char *_ps_world_map_get_id_at       (PsWorldMap *self,
                                           double      x,
                                           double      y);
gboolean    _ps_world_map_project         (PsWorldMap *self,
                                           double      latitude,
                                           double      longitude,
                                           double     *x,
                                           double     *y);

G_END_DECLS
