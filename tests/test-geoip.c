/* test-geoip.c
 *
 * Against the databases tests/lab/make-test-mmdb.pl writes (paths in
 * PS_LAB_MMDB, PS_TEST_IPINFO_MMDB and PS_TEST_ODD_MMDB); the tests that need
 * them skip when they are not built.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "ps-geoip.h"

typedef struct
{
  const char *address;
  const char *country_code;
  const char *country_name;
  const char *continent_code;
  guint32     asn;
  const char *organization;
  double      latitude;
  double      longitude;
} LabCase;

/* The contract at the top of make-test-mmdb.pl, one address per network
 * (first, last or in between). */
static const LabCase lab_v4[] = {
  { "198.51.100.11", "CN", "China", "AS", 64500, "Example Cloud Shenzhen", 35.0, 105.0 },
  { "198.51.100.0", "CN", "China", "AS", 64500, "Example Cloud Shenzhen", 35.0, 105.0 },
  { "198.51.100.16", "US", "United States", "NA", 64501, "Example Transit Ashburn", 37.751, -97.822 },
  { "198.51.100.47", "DE", "Germany", "EU", 64502, "Example Hosting Frankfurt", 51.2993, 9.491 },
  { "198.51.100.50", "JP", "Japan", "AS", 64503, "Example Telecom Tokyo", 36.0, 138.0 },
  { "198.51.100.70", "SG", "Singapore", "AS", 64504, "Example Cloud Singapore", 1.3667, 103.8 },
  { "198.51.100.81", "KR", "South Korea", "AS", 64505, "Example Broadband Seoul", 37.0, 127.5 },
  { "198.51.100.100", "NL", "Netherlands", "EU", 64506, "Example Exchange Amsterdam", 52.3824, 4.8995 },
  { "198.51.100.120", "FR", "France", "EU", 64507, "Example Telecom Paris", 46.0, 2.0 },
  { "198.51.100.130", "GB", "United Kingdom", "EU", 64508, "Example Networks London", 54.0, -2.0 },
  { "198.51.100.150", "BR", "Brazil", "SA", 64509, "Exemplo Internet São Paulo", -10.0, -55.0 },
  { "198.51.100.165", "IN", "India", "AS", 64510, "Example Mobile Mumbai", 20.0, 77.0 },
  { "198.51.100.191", "AU", "Australia", "OC", 64511, "Example Cloud Sydney", -27.0, 133.0 },
  { "203.0.113.10", "SE", "Sweden", "EU", 64512, "Exempel Bredband AB", 62.0, 15.0 },
  { "192.0.2.1", "US", "United States", "NA", 64513, "Example Vendor Cloud", 37.751, -97.822 },
};

static const LabCase lab_v6[] = {
  { "2001:db8:1::11", "CN", "China", "AS", 64500, "Example Cloud Shenzhen", 35.0, 105.0 },
  { "2001:db8:2:ffff::1", "US", "United States", "NA", 64501, "Example Transit Ashburn", 37.751, -97.822 },
  { "2001:db8:3::", "DE", "Germany", "EU", 64502, "Example Hosting Frankfurt", 51.2993, 9.491 },
  { "2001:db8:4::4", "JP", "Japan", "AS", 64503, "Example Telecom Tokyo", 36.0, 138.0 },
  { "2001:db8:192::1", "US", "United States", "NA", 64513, "Example Vendor Cloud", 37.751, -97.822 },
  { "2001:db8:203::10", "SE", "Sweden", "EU", 64512, "Exempel Bredband AB", 62.0, 15.0 },
};

/* in the documentation ranges but not in the lab database, and elsewhere */
static const char * const lab_absent[] = {
  "198.51.100.192", "198.51.100.200", "198.51.100.255", "203.0.114.1", "192.0.3.1",
  "2001:db8::1", "2001:db8:5::1", "2001:db8:ffff::1", "2001:db9::1",
  "198.51.100.254", "10.0.0.1", "127.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "::", "fe80::1",
};

/* test files need no fsync: it made this test slow on a loaded machine */
static gboolean
write_file (const char  *path,
            const char  *contents,
            gssize       len,
            GError     **error)
{
  return g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_NONE, 0600, error);
}

static const char *
test_db_path (const char *variable)
{
  const char *path = g_getenv (variable);

  if (!ps_geoip_is_supported ())
    {
      g_test_skip ("built without GeoIP support");
      return NULL;
    }
  if (path == NULL || path[0] == '\0')
    {
      g_autofree char *message = g_strdup_printf ("%s not set (no MaxMind::DB::Writer at build time)",
                                                  variable);

      g_test_skip (message);
      return NULL;
    }

  return path;
}

static PsGeoip *
geoip_with (const char *first_variable,
            ...)
{
  g_autoptr(PsGeoip) geoip = ps_geoip_new ();
  va_list args;

  va_start (args, first_variable);
  for (const char *variable = first_variable; variable != NULL; variable = va_arg (args, const char *))
    {
      g_autoptr(GError) error = NULL;
      const char *path = test_db_path (variable);

      if (path == NULL)
        {
          va_end (args);
          return NULL;
        }
      g_assert_true (ps_geoip_add_database (geoip, path, &error));
      g_assert_no_error (error);
    }
  va_end (args);

  return g_steal_pointer (&geoip);
}

static void
assert_empty (const PsGeoipResult *result)
{
  PsGeoipResult zero;

  memset (&zero, 0, sizeof zero);
  g_assert_cmpmem (result, sizeof *result, &zero, sizeof zero);
}

static void
lookup (PsGeoip       *geoip,
        const char    *text,
        gboolean       expect_found,
        PsGeoipResult *result)
{
  PsIpAddress address;

  g_assert_true (ps_ip_address_parse (&address, text));
  memset (result, 0xa5, sizeof *result);      /* lookup must clear it */
  if (ps_geoip_lookup (geoip, &address, result) != expect_found)
    g_error ("%s: expected %s", text, expect_found ? "an answer" : "nothing");
}

static void
assert_lab_case (const PsGeoipResult *result,
                 const LabCase       *c)
{
  g_test_message ("%s: %s %s %s AS%u %s", c->address, result->country_code,
                  result->country_name, result->continent_code, result->asn,
                  result->organization);
  g_assert_cmpstr (result->country_code, ==, c->country_code);
  g_assert_cmpstr (result->country_name, ==, c->country_name);
  g_assert_cmpstr (result->continent_code, ==, c->continent_code);
  g_assert_cmpuint (result->asn, ==, c->asn);
  g_assert_cmpstr (result->organization, ==, c->organization);
  g_assert_true (result->has_location);
  g_assert_cmpfloat_with_epsilon (result->latitude, c->latitude, 1e-9);
  g_assert_cmpfloat_with_epsilon (result->longitude, c->longitude, 1e-9);
}

static void
test_unsupported (void)
{
  g_autoptr(PsGeoip) geoip = ps_geoip_new ();
  g_autoptr(GError) error = NULL;
  PsGeoipResult result;
  PsIpAddress address;

  if (ps_geoip_is_supported ())
    {
      g_test_skip ("built with GeoIP support");
      return;
    }

  g_assert_false (ps_geoip_add_database (geoip, "/usr/share/GeoIP/GeoLite2-City.mmdb", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "without GeoIP support"));
  g_assert_cmpuint (ps_geoip_add_default_databases (geoip), ==, 0);
  g_assert_true (ps_ip_address_parse (&address, "198.51.100.11"));
  g_assert_false (ps_geoip_lookup (geoip, &address, &result));
  assert_empty (&result);
}

static void
test_no_databases (void)
{
  g_autoptr(PsGeoip) geoip = ps_geoip_new ();
  PsGeoipResult result;
  PsIpAddress unset;

  g_assert_cmpuint (ps_geoip_get_n_databases (geoip), ==, 0);
  lookup (geoip, "198.51.100.11", FALSE, &result);
  assert_empty (&result);
  lookup (geoip, "2001:db8:1::1", FALSE, &result);
  assert_empty (&result);

  memset (&unset, 0, sizeof unset);
  g_assert_false (ps_geoip_lookup (geoip, &unset, &result));
  assert_empty (&result);
}

static void
test_missing_file (void)
{
  g_autoptr(PsGeoip) geoip = ps_geoip_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (ps_geoip_add_database (geoip, "/nonexistent/peerscope/GeoLite2-City.mmdb",
                                         &error));
  if (ps_geoip_is_supported ())
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  else
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "GeoLite2-City.mmdb"));
  g_assert_cmpuint (ps_geoip_get_n_databases (geoip), ==, 0);
}

static void
test_lab_ipv4 (void)
{
  g_autoptr(PsGeoip) geoip = geoip_with ("PS_LAB_MMDB", NULL);
  PsGeoipResult result;

  if (geoip == NULL)
    return;

  g_assert_cmpuint (ps_geoip_get_n_databases (geoip), ==, 1);
  g_assert_cmpstr (ps_geoip_get_database_path (geoip, 0), ==, g_getenv ("PS_LAB_MMDB"));
  g_assert_cmpstr (ps_geoip_get_database_type (geoip, 0), ==, "Peerscope-Lab-City");

  for (guint i = 0; i < G_N_ELEMENTS (lab_v4); i++)
    {
      lookup (geoip, lab_v4[i].address, TRUE, &result);
      assert_lab_case (&result, &lab_v4[i]);
    }
}

static void
test_lab_ipv6 (void)
{
  g_autoptr(PsGeoip) geoip = geoip_with ("PS_LAB_MMDB", NULL);
  PsGeoipResult result;
  PsIpAddress mapped;
  static const guint8 mapped_bytes[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
                                           198, 51, 100, 11 };

  if (geoip == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (lab_v6); i++)
    {
      lookup (geoip, lab_v6[i].address, TRUE, &result);
      assert_lab_case (&result, &lab_v6[i]);
    }

  /* ::ffff:198.51.100.11 is the IPv4 address, however it was built */
  lookup (geoip, "::ffff:198.51.100.11", TRUE, &result);
  assert_lab_case (&result, &lab_v4[0]);
  mapped.family = 6;
  memcpy (mapped.bytes, mapped_bytes, sizeof mapped_bytes);
  g_assert_true (ps_geoip_lookup (geoip, &mapped, &result));
  assert_lab_case (&result, &lab_v4[0]);
}

static void
test_lab_absent (void)
{
  g_autoptr(PsGeoip) geoip = geoip_with ("PS_LAB_MMDB", NULL);
  PsGeoipResult result;
  PsIpAddress bad;

  if (geoip == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (lab_absent); i++)
    {
      lookup (geoip, lab_absent[i], FALSE, &result);
      assert_empty (&result);
    }

  memset (&bad, 0, sizeof bad);
  bad.family = 5;
  g_assert_false (ps_geoip_lookup (geoip, &bad, &result));
  assert_empty (&result);
}

/* IPinfo's layouts, and strings that need cleaning. */
static void
test_ipinfo (void)
{
  g_autoptr(PsGeoip) geoip = geoip_with ("PS_TEST_IPINFO_MMDB", NULL);
  PsGeoipResult result;

  if (geoip == NULL)
    return;

  /* country_asn.mmdb: country is the code */
  lookup (geoip, "198.51.100.11", TRUE, &result);
  g_assert_cmpstr (result.country_code, ==, "CH");
  g_assert_cmpstr (result.country_name, ==, "Switzerland");
  g_assert_cmpstr (result.continent_code, ==, "EU");
  g_assert_cmpuint (result.asn, ==, 65001);
  g_assert_cmpstr (result.organization, ==, "Example IPinfo Net");
  g_assert_false (result.has_location);

  /* IPinfo Lite: country is the name */
  lookup (geoip, "2001:db8:1234::1", TRUE, &result);
  g_assert_cmpstr (result.country_code, ==, "CH");
  g_assert_cmpstr (result.country_name, ==, "Switzerland");
  g_assert_cmpstr (result.continent_code, ==, "EU");
  g_assert_cmpuint (result.asn, ==, 65002);
  g_assert_cmpstr (result.organization, ==, "Example IPinfo Lite");

  /* lower case codes, a bidi override, a tab, a NUL; a name cut at a
   * character boundary */
  lookup (geoip, "203.0.113.10", TRUE, &result);
  g_assert_cmpstr (result.country_code, ==, "SE");
  g_assert_cmpstr (result.continent_code, ==, "EU");
  g_assert_cmpstr (result.country_name, ==, "Sweden X");
  g_assert_cmpuint (result.asn, ==, 64512);
  g_assert_true (g_utf8_validate (result.organization, -1, NULL));
  g_assert_cmpuint (strlen (result.organization), ==, 126);
  g_assert_cmpuint (g_utf8_strlen (result.organization, -1), ==, 63);
  g_assert_true (g_str_has_prefix (result.organization, "\xc3\xa9\xc3\xa9"));
}

/* Field by field, the first database that knows wins. */
static void
test_merge (void)
{
  g_autoptr(PsGeoip) lab_first = geoip_with ("PS_LAB_MMDB", "PS_TEST_IPINFO_MMDB", NULL);
  g_autoptr(PsGeoip) ipinfo_first = NULL;
  PsGeoipResult result;

  if (lab_first == NULL)
    return;
  ipinfo_first = geoip_with ("PS_TEST_IPINFO_MMDB", "PS_LAB_MMDB", NULL);

  lookup (lab_first, "198.51.100.11", TRUE, &result);
  assert_lab_case (&result, &lab_v4[0]);

  /* not in the lab database: all from IPinfo, no location */
  lookup (lab_first, "198.51.100.200", TRUE, &result);
  g_assert_cmpstr (result.country_code, ==, "CH");
  g_assert_cmpuint (result.asn, ==, 65001);
  g_assert_false (result.has_location);

  /* IPinfo first: its country and network, the lab's location */
  lookup (ipinfo_first, "198.51.100.11", TRUE, &result);
  g_assert_cmpstr (result.country_code, ==, "CH");
  g_assert_cmpstr (result.country_name, ==, "Switzerland");
  g_assert_cmpstr (result.continent_code, ==, "EU");
  g_assert_cmpuint (result.asn, ==, 65001);
  g_assert_cmpstr (result.organization, ==, "Example IPinfo Net");
  g_assert_true (result.has_location);
  g_assert_cmpfloat_with_epsilon (result.latitude, 35.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (result.longitude, 105.0, 1e-9);

  lookup (ipinfo_first, "2001:db8:3::1", TRUE, &result);
  g_assert_cmpstr (result.country_code, ==, "CH");
  g_assert_cmpuint (result.asn, ==, 65002);
  g_assert_cmpfloat_with_epsilon (result.latitude, 51.2993, 1e-9);
}

/* Every field of the wrong type or out of range: nothing, and no crash. */
static void
test_wrong_types (void)
{
  g_autoptr(PsGeoip) odd = geoip_with ("PS_TEST_ODD_MMDB", NULL);
  g_autoptr(PsGeoip) odd_first = NULL;
  PsGeoipResult result;

  if (odd == NULL)
    return;

  lookup (odd, "198.51.100.11", FALSE, &result);
  assert_empty (&result);

  odd_first = geoip_with ("PS_TEST_ODD_MMDB", "PS_LAB_MMDB", NULL);
  lookup (odd_first, "198.51.100.11", TRUE, &result);
  assert_lab_case (&result, &lab_v4[0]);
}

static void
assert_add_fails (const char *path)
{
  g_autoptr(PsGeoip) geoip = ps_geoip_new ();
  g_autoptr(GError) error = NULL;
  PsGeoipResult result;

  g_assert_false (ps_geoip_add_database (geoip, path, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (ps_geoip_get_n_databases (geoip), ==, 0);
  lookup (geoip, "198.51.100.11", FALSE, &result);
}

static void
test_corrupt (void)
{
  const char *lab = test_db_path ("PS_LAB_MMDB");
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *garbage = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = NULL;
  gsize len = 0;
  const gsize cuts[] = { 0, 1, 16, 100 };

  if (lab == NULL)
    return;

  dir = g_dir_make_tmp ("test-geoip-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (lab, &contents, &len, &error));
  path = g_build_filename (dir, "bad.mmdb", NULL);

  /* garbage */
  rand = g_rand_new_with_seed (20240101);
  garbage = g_malloc (4096);
  for (guint i = 0; i < 4096; i++)
    garbage[i] = (char) g_rand_int_range (rand, 0, 256);
  g_assert_true (write_file (path, garbage, 4096, &error));
  assert_add_fails (path);
  {
    g_autoptr(PsGeoip) geoip = ps_geoip_new ();
    g_autoptr(GError) invalid = NULL;

    g_assert_false (ps_geoip_add_database (geoip, path, &invalid));
    g_assert_error (invalid, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }

  /* text */
  g_assert_true (write_file (path, "not a database\n", -1, &error));
  assert_add_fails (path);

  /* truncated copies of the real one */
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_assert_true (write_file (path, contents, cuts[i], &error));
      assert_add_fails (path);
    }
  for (gsize cut = len / 2; cut < len; cut += 7)
    {
      g_autoptr(PsGeoip) geoip = ps_geoip_new ();
      PsGeoipResult result;

      g_assert_true (write_file (path, contents, cut, &error));
      /* the metadata is at the end: a cut copy should not open, but if a
       * cut ever leaves something that does, looking up must be safe */
      if (!ps_geoip_add_database (geoip, path, NULL))
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (lab_v4); j++)
        {
          PsIpAddress address;

          g_assert_true (ps_ip_address_parse (&address, lab_v4[j].address));
          ps_geoip_lookup (geoip, &address, &result);
        }
    }
  g_assert_true (write_file (path, contents, len - 1, &error));
  assert_add_fails (path);

  /* not a file */
  assert_add_fails (dir);
  {
    g_autoptr(PsGeoip) geoip = ps_geoip_new ();
    g_autoptr(GError) not_file = NULL;

    g_assert_false (ps_geoip_add_database (geoip, dir, &not_file));
    g_assert_error (not_file, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  }

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Bytes flipped all over a real database: opening may work or not, lookups
 * may find something or not, but nothing may crash or read out of bounds. */
static void
test_mutated (void)
{
  const char *lab = test_db_path ("PS_LAB_MMDB");
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = NULL;
  gsize len = 0;
  guint n_opened = 0, n_found = 0;

  if (lab == NULL)
    return;

  dir = g_dir_make_tmp ("test-geoip-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (lab, &contents, &len, &error));
  path = g_build_filename (dir, "mutated.mmdb", NULL);
  rand = g_rand_new_with_seed (64500);

  for (guint round = 0; round < 400; round++)
    {
      g_autoptr(PsGeoip) geoip = ps_geoip_new ();
      g_autofree char *copy = g_memdup2 (contents, len);
      guint n_flips = g_rand_int_range (rand, 1, 9);

      for (guint i = 0; i < n_flips; i++)
        {
          gsize at = g_rand_int_range (rand, 0, (gint32) len);

          copy[at] = (char) g_rand_int_range (rand, 0, 256);
        }
      g_assert_true (write_file (path, copy, len, &error));

      if (!ps_geoip_add_database (geoip, path, NULL))
        continue;
      n_opened++;
      for (guint i = 0; i < G_N_ELEMENTS (lab_v4) + G_N_ELEMENTS (lab_v6); i++)
        {
          const LabCase *c = i < G_N_ELEMENTS (lab_v4) ? &lab_v4[i]
                                                       : &lab_v6[i - G_N_ELEMENTS (lab_v4)];
          PsGeoipResult result;
          PsIpAddress address;

          g_assert_true (ps_ip_address_parse (&address, c->address));
          if (ps_geoip_lookup (geoip, &address, &result))
            {
              n_found++;
              g_assert_true (g_utf8_validate (result.country_name, -1, NULL));
              g_assert_true (g_utf8_validate (result.organization, -1, NULL));
              g_assert_cmpuint (strlen (result.country_code), !=, 1);
              g_assert_cmpuint (strlen (result.continent_code), !=, 1);
            }
        }
    }

  g_test_message ("%u of 400 mutated databases opened, %u lookups found something",
                  n_opened, n_found);
  g_assert_cmpuint (n_opened, >, 0);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
copy_file (const char *from,
           const char *dir,
           const char *name)
{
  g_autofree char *contents = NULL;
  g_autofree char *to = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (from, &contents, &len, &error));
  g_assert_true (write_file (to, contents, len, &error));
  g_assert_no_error (error);
}

static void
test_default_databases (void)
{
  const char *lab = test_db_path ("PS_LAB_MMDB");
  const char *ipinfo = g_getenv ("PS_TEST_IPINFO_MMDB");
  const char *odd = g_getenv ("PS_TEST_ODD_MMDB");
  g_autofree char *saved = g_strdup (g_getenv ("PEERSCOPE_GEOIP_DIR"));
  g_autofree char *dir = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *garbage = NULL;
  g_autofree char *subdir = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsGeoip) geoip = NULL;
  g_autoptr(PsGeoip) none = NULL;
  PsGeoipResult result;

  if (lab == NULL)
    return;

  dir = g_dir_make_tmp ("test-geoip-XXXXXX", &error);
  g_assert_no_error (error);
  empty = g_dir_make_tmp ("test-geoip-empty-XXXXXX", &error);
  g_assert_no_error (error);

  copy_file (lab, dir, "peerscope-lab.mmdb");
  copy_file (lab, dir, "unrelated.mmdb");                 /* no known name */
  copy_file (ipinfo, dir, "dbip-city-lite-2024-02.mmdb");  /* newest first */
  copy_file (odd, dir, "dbip-city-lite-2024-01.mmdb");
  garbage = g_build_filename (dir, "GeoLite2-ASN.mmdb", NULL);
  g_assert_true (write_file (garbage, "garbage", -1, &error));
  subdir = g_build_filename (dir, "country.mmdb", NULL);
  g_assert_cmpint (g_mkdir (subdir, 0700), ==, 0);

  g_setenv ("PEERSCOPE_GEOIP_DIR", dir, TRUE);
  geoip = ps_geoip_new ();
  g_test_expect_message ("ps-geoip", G_LOG_LEVEL_MESSAGE, "Skipping GeoIP database*GeoLite2-ASN*");
  g_assert_cmpuint (ps_geoip_add_default_databases (geoip), ==, 3);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ps_geoip_get_n_databases (geoip), ==, 3);
  expected = g_build_filename (dir, "dbip-city-lite-2024-02.mmdb", NULL);
  g_assert_cmpstr (ps_geoip_get_database_path (geoip, 0), ==, expected);
  g_clear_pointer (&expected, g_free);
  expected = g_build_filename (dir, "dbip-city-lite-2024-01.mmdb", NULL);
  g_assert_cmpstr (ps_geoip_get_database_path (geoip, 1), ==, expected);
  g_clear_pointer (&expected, g_free);
  expected = g_build_filename (dir, "peerscope-lab.mmdb", NULL);
  g_assert_cmpstr (ps_geoip_get_database_path (geoip, 2), ==, expected);
  g_assert_cmpstr (ps_geoip_get_database_type (geoip, 2), ==, "Peerscope-Lab-City");

  lookup (geoip, "198.51.100.11", TRUE, &result);
  g_assert_cmpstr (result.country_code, ==, "CH");
  g_assert_cmpfloat_with_epsilon (result.latitude, 35.0, 1e-9);
  lookup (geoip, "192.0.2.1", TRUE, &result);
  assert_lab_case (&result, &lab_v4[G_N_ELEMENTS (lab_v4) - 1]);

  /* a folder with nothing, or no folder: no databases, no error */
  none = ps_geoip_new ();
  g_setenv ("PEERSCOPE_GEOIP_DIR", empty, TRUE);
  g_assert_cmpuint (ps_geoip_add_default_databases (none), ==, 0);
  g_setenv ("PEERSCOPE_GEOIP_DIR", "/nonexistent/peerscope-geoip", TRUE);
  g_assert_cmpuint (ps_geoip_add_default_databases (none), ==, 0);
  g_assert_cmpuint (ps_geoip_get_n_databases (none), ==, 0);
  lookup (none, "198.51.100.11", FALSE, &result);

  if (saved != NULL)
    g_setenv ("PEERSCOPE_GEOIP_DIR", saved, TRUE);
  else
    g_unsetenv ("PEERSCOPE_GEOIP_DIR");

  for (const char * const *name = (const char * const[]) { "peerscope-lab.mmdb", "unrelated.mmdb",
                                                           "dbip-city-lite-2024-02.mmdb",
                                                           "dbip-city-lite-2024-01.mmdb",
                                                           "GeoLite2-ASN.mmdb", NULL };
       *name != NULL; name++)
    {
      g_autofree char *file = g_build_filename (dir, *name, NULL);

      g_assert_cmpint (g_remove (file), ==, 0);
    }
  g_assert_cmpint (g_rmdir (subdir), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_assert_cmpint (g_rmdir (empty), ==, 0);
}

#define N_THREADS 4
#define N_ROUNDS 2000

typedef struct
{
  PsGeoip       *geoip;
  PsIpAddress    addresses[G_N_ELEMENTS (lab_v4) + G_N_ELEMENTS (lab_absent)];
  PsGeoipResult  expected[G_N_ELEMENTS (lab_v4) + G_N_ELEMENTS (lab_absent)];
} ThreadData;

static gpointer
lookup_thread (gpointer user_data)
{
  ThreadData *data = user_data;
  guint n_wrong = 0;

  for (guint round = 0; round < N_ROUNDS; round++)
    for (guint i = 0; i < G_N_ELEMENTS (data->addresses); i++)
      {
        PsGeoipResult result;

        ps_geoip_lookup (data->geoip, &data->addresses[i], &result);
        if (memcmp (&result, &data->expected[i], sizeof result) != 0)
          n_wrong++;
      }

  return GUINT_TO_POINTER (n_wrong);
}

/* Lookups from several threads at once give what one thread gets. */
static void
test_threads (void)
{
  g_autoptr(PsGeoip) geoip = geoip_with ("PS_TEST_IPINFO_MMDB", "PS_LAB_MMDB", NULL);
  g_autofree ThreadData *data = g_new0 (ThreadData, 1);
  GThread *threads[N_THREADS];

  if (geoip == NULL)
    return;

  data->geoip = geoip;
  for (guint i = 0; i < G_N_ELEMENTS (data->addresses); i++)
    {
      const char *text = i < G_N_ELEMENTS (lab_v4) ? lab_v4[i].address
                                                   : lab_absent[i - G_N_ELEMENTS (lab_v4)];

      g_assert_true (ps_ip_address_parse (&data->addresses[i], text));
      ps_geoip_lookup (geoip, &data->addresses[i], &data->expected[i]);
    }

  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("lookup", lookup_thread, data);
  for (guint t = 0; t < N_THREADS; t++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[t])), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/geoip/unsupported", test_unsupported);
  g_test_add_func ("/geoip/no-databases", test_no_databases);
  g_test_add_func ("/geoip/missing-file", test_missing_file);
  g_test_add_func ("/geoip/lab/ipv4", test_lab_ipv4);
  g_test_add_func ("/geoip/lab/ipv6", test_lab_ipv6);
  g_test_add_func ("/geoip/lab/absent", test_lab_absent);
  g_test_add_func ("/geoip/ipinfo", test_ipinfo);
  g_test_add_func ("/geoip/merge", test_merge);
  g_test_add_func ("/geoip/wrong-types", test_wrong_types);
  g_test_add_func ("/geoip/corrupt", test_corrupt);
  g_test_add_func ("/geoip/mutated", test_mutated);
  g_test_add_func ("/geoip/default-databases", test_default_databases);
  g_test_add_func ("/geoip/threads", test_threads);

  return g_test_run ();
}
