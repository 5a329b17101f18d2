/* fuzz-main.c: runs a libFuzzer target without libFuzzer
 *
 * With gcc, or in CI, each fuzz target links this driver: it feeds every
 * file of the given corpus folders to the target, then as many random
 * mutations of them as --mutations asks for (deterministic seed). Built with
 * -Dfuzzing=true under clang, the targets use the real libFuzzer instead.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
run_one (const guint8 *data,
         gsize         size)
{
  /* a private copy, so a read past the end is a real overflow under ASan */
  g_autofree guint8 *copy = g_memdup2 (data, size);

  LLVMFuzzerTestOneInput (copy, size);
}

static void
mutate (GRand   *rand,
        GBytes  *seed,
        guint8 **out,
        gsize   *out_len)
{
  gsize len = g_bytes_get_size (seed);
  const guint8 *src = g_bytes_get_data (seed, NULL);
  guint8 *buf = g_malloc (len + 64);
  guint edits = g_rand_int_range (rand, 1, 8);

  memcpy (buf, src, len);
  for (guint i = 0; i < edits; i++)
    {
      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0: /* flip a byte */
          if (len > 0)
            buf[g_rand_int_range (rand, 0, len)] = (guint8) g_rand_int_range (rand, 0, 256);
          break;
        case 1: /* truncate */
          if (len > 0)
            len = g_rand_int_range (rand, 0, len);
          break;
        case 2: /* insert a byte */
          if (len < g_bytes_get_size (seed) + 64)
            {
              gsize at = len > 0 ? g_rand_int_range (rand, 0, len) : 0;
              memmove (buf + at + 1, buf + at, len - at);
              buf[at] = (guint8) "<>/&\"'=\x00\xff"[g_rand_int_range (rand, 0, 9)];
              len++;
            }
          break;
        default: /* duplicate a slice over another */
          if (len > 8)
            {
              gsize from = g_rand_int_range (rand, 0, len - 4);
              gsize to = g_rand_int_range (rand, 0, len - 4);
              memmove (buf + to, buf + from, 4);
            }
          break;
        }
    }

  *out = buf;
  *out_len = len;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) seeds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x5053);
  guint64 mutations = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      if (g_str_has_prefix (argv[i], "--mutations="))
        {
          mutations = g_ascii_strtoull (argv[i] + strlen ("--mutations="), NULL, 10);
          continue;
        }

      dir = g_dir_open (argv[i], 0, NULL);
      if (dir == NULL)
        {
          g_autofree char *contents = NULL;
          gsize len = 0;

          if (!g_file_get_contents (argv[i], &contents, &len, NULL))
            g_error ("cannot read %s", argv[i]);
          g_ptr_array_add (seeds, g_bytes_new_take (g_steal_pointer (&contents), len));
          continue;
        }

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);
          g_autofree char *contents = NULL;
          gsize len = 0;

          if (g_file_get_contents (path, &contents, &len, NULL))
            g_ptr_array_add (seeds, g_bytes_new_take (g_steal_pointer (&contents), len));
        }
    }

  if (seeds->len == 0)
    g_error ("no corpus given");

  printf ("1..1\n");
  for (guint i = 0; i < seeds->len; i++)
    run_one (g_bytes_get_data (g_ptr_array_index (seeds, i), NULL),
             g_bytes_get_size (g_ptr_array_index (seeds, i)));

  for (guint64 n = 0; n < mutations; n++)
    {
      g_autofree guint8 *buf = NULL;
      gsize len = 0;

      mutate (rand, g_ptr_array_index (seeds, g_rand_int_range (rand, 0, seeds->len)),
              &buf, &len);
      run_one (buf, len);
    }

  printf ("ok 1 - %u inputs and %" G_GUINT64_FORMAT " mutations without a crash\n",
          seeds->len, mutations);
  return 0;
}
