/* ps-percentiles.h: a bounded sample window with nearest-rank percentiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PsPercentiles PsPercentiles;

PsPercentiles *ps_percentiles_new   (guint           capacity);
void           ps_percentiles_free  (PsPercentiles  *self);
void           ps_percentiles_add   (PsPercentiles  *self,
                                     double          value);
guint          ps_percentiles_count (PsPercentiles  *self);
void           ps_percentiles_clear (PsPercentiles  *self);
/* p in [0, 100]; NAN when empty. */
double         ps_percentiles_get   (PsPercentiles  *self,
                                     double          p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsPercentiles, ps_percentiles_free)

G_END_DECLS
