/* ps-percentiles.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-percentiles"

#include <math.h>
#include <stdlib.h>

#include "ps-percentiles.h"

struct _PsPercentiles
{
  double *values;
  guint   capacity;
  guint   count;   /* samples held, <= capacity */
  guint   next;    /* ring position of the next sample */
};

PsPercentiles *
ps_percentiles_new (guint capacity)
{
  PsPercentiles *self;

  g_return_val_if_fail (capacity > 0, NULL);

  self = g_new0 (PsPercentiles, 1);
  self->values = g_new0 (double, capacity);
  self->capacity = capacity;

  return self;
}

void
ps_percentiles_free (PsPercentiles *self)
{
  if (self == NULL)
    return;

  g_free (self->values);
  g_free (self);
}

void
ps_percentiles_add (PsPercentiles *self,
                    double         value)
{
  g_return_if_fail (self != NULL);

  self->values[self->next] = value;
  self->next = (self->next + 1) % self->capacity;
  if (self->count < self->capacity)
    self->count++;
}

guint
ps_percentiles_count (PsPercentiles *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->count;
}

void
ps_percentiles_clear (PsPercentiles *self)
{
  g_return_if_fail (self != NULL);
  self->count = 0;
  self->next = 0;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

double
ps_percentiles_get (PsPercentiles *self,
                    double         p)
{
  g_autofree double *sorted = NULL;
  guint rank;

  g_return_val_if_fail (self != NULL, NAN);

  if (self->count == 0)
    return NAN;

  p = CLAMP (p, 0.0, 100.0);
  sorted = g_memdup2 (self->values, sizeof (double) * self->count);
  qsort (sorted, self->count, sizeof (double), compare_doubles);

  /* nearest rank: ceil (p/100 * n), 1-based */
  rank = (guint) ceil (p / 100.0 * self->count);
  if (rank == 0)
    rank = 1;

  return sorted[rank - 1];
}
