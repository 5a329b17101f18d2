/* test-percentiles.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "ps-percentiles.h"

static void
test_nearest_rank (void)
{
  g_autoptr(PsPercentiles) p = ps_percentiles_new (100);

  g_assert_true (isnan (ps_percentiles_get (p, 50)));
  for (int i = 100; i >= 1; i--)
    ps_percentiles_add (p, i);

  g_assert_cmpuint (ps_percentiles_count (p), ==, 100);
  g_assert_cmpfloat (ps_percentiles_get (p, 50), ==, 50);
  g_assert_cmpfloat (ps_percentiles_get (p, 95), ==, 95);
  g_assert_cmpfloat (ps_percentiles_get (p, 0), ==, 1);
  g_assert_cmpfloat (ps_percentiles_get (p, 100), ==, 100);
}

/* The window keeps only the newest samples. */
static void
test_window (void)
{
  g_autoptr(PsPercentiles) p = ps_percentiles_new (4);

  for (int i = 0; i < 10; i++)
    ps_percentiles_add (p, i);

  g_assert_cmpuint (ps_percentiles_count (p), ==, 4);
  g_assert_cmpfloat (ps_percentiles_get (p, 0), ==, 6);
  g_assert_cmpfloat (ps_percentiles_get (p, 100), ==, 9);

  ps_percentiles_clear (p);
  g_assert_cmpuint (ps_percentiles_count (p), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/percentiles/nearest-rank", test_nearest_rank);
  g_test_add_func ("/percentiles/window", test_window);

  return g_test_run ();
}
