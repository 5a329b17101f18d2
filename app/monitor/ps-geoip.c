/* ps-geoip.c
 *
 * A database file is trusted no more than the network: every value is
 * checked for its type and range before use, strings are validated and
 * cleaned, and any libmaxminddb error just means "not known".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-geoip"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#ifdef HAVE_MAXMINDDB
# include <maxminddb.h>
#endif

#include "ps-geoip.h"

typedef struct
{
  char   *path;
  char   *type;
#ifdef HAVE_MAXMINDDB
  MMDB_s  mmdb;
#endif
} PsGeoipDatabase;

struct _PsGeoip
{
  GObject    parent_instance;

  GPtrArray *databases;                /* PsGeoipDatabase, in lookup order */
};

G_DEFINE_FINAL_TYPE (PsGeoip, ps_geoip, G_TYPE_OBJECT)

/* File names of the well-known databases, best first.  Within one pattern,
 * names sort newest first (DB-IP's carry the month: dbip-city-lite-2024-05). */
static const char * const default_patterns[] = {
  "GeoIP2-*.mmdb",
  "GeoLite2-City.mmdb",
  "GeoLite2-Country.mmdb",
  "GeoLite2-ASN.mmdb",
  "dbip-city-lite*.mmdb",
  "dbip-country-lite*.mmdb",
  "dbip-asn-lite*.mmdb",
  "ipinfo_lite.mmdb",                  /* IPinfo Lite */
  "country_asn.mmdb",                  /* IPinfo's older free databases */
  "country.mmdb",
  "asn.mmdb",
  "peerscope-*.mmdb",                  /* the lab's test data */
};

static void
ps_geoip_database_free (gpointer data)
{
  PsGeoipDatabase *db = data;

#ifdef HAVE_MAXMINDDB
  MMDB_close (&db->mmdb);
#endif
  g_free (db->path);
  g_free (db->type);
  g_free (db);
}

static void
ps_geoip_finalize (GObject *object)
{
  PsGeoip *self = (PsGeoip *) object;

  g_ptr_array_unref (self->databases);

  G_OBJECT_CLASS (ps_geoip_parent_class)->finalize (object);
}

static void
ps_geoip_class_init (PsGeoipClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_geoip_finalize;
}

static void
ps_geoip_init (PsGeoip *self)
{
  self->databases = g_ptr_array_new_with_free_func (ps_geoip_database_free);
}

gboolean
ps_geoip_is_supported (void)
{
#ifdef HAVE_MAXMINDDB
  return TRUE;
#else
  return FALSE;
#endif
}

PsGeoip *
ps_geoip_new (void)
{
  return g_object_new (PS_TYPE_GEOIP, NULL);
}

#ifdef HAVE_MAXMINDDB

/* Copies the valid UTF-8 prefix of data (stopping at a NUL) into buffer,
 * turning control characters into spaces, dropping format characters (bidi
 * overrides, zero-width joiners) and cutting at a character boundary.
 * Returns whether anything but blanks remained. */
static gboolean
copy_text (char       *buffer,
           gsize       size,
           const char *data,
           gsize       len)
{
  const char *end = data;
  gsize n = 0;

  if (size == 0)
    return FALSE;

  g_utf8_validate_len (data, len, &end);
  for (const char *p = data; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gsize char_len = g_utf8_next_char (p) - p;

      if (g_unichar_type (c) == G_UNICODE_FORMAT)
        continue;
      if (g_unichar_iscntrl (c))
        {
          if (n + 1 >= size)
            break;
          buffer[n++] = ' ';
          continue;
        }
      if (n + char_len >= size)
        break;
      memcpy (buffer + n, p, char_len);
      n += char_len;
    }
  buffer[n] = '\0';
  g_strstrip (buffer);

  return buffer[0] != '\0';
}

static const char * const country_code_path[] = { "country", "iso_code", NULL };
static const char * const country_name_path[] = { "country", "names", "en", NULL };
static const char * const registered_code_path[] = { "registered_country", "iso_code", NULL };
static const char * const registered_name_path[] = { "registered_country", "names", "en", NULL };
static const char * const continent_code_path[] = { "continent", "code", NULL };
static const char * const latitude_path[] = { "location", "latitude", NULL };
static const char * const longitude_path[] = { "location", "longitude", NULL };
static const char * const asn_path[] = { "autonomous_system_number", NULL };
static const char * const organization_path[] = { "autonomous_system_organization", NULL };
/* IPinfo: country is the code in country_asn.mmdb, the name in IPinfo Lite */
static const char * const ipinfo_country_path[] = { "country", NULL };
static const char * const ipinfo_country_code_path[] = { "country_code", NULL };
static const char * const ipinfo_country_name_path[] = { "country_name", NULL };
static const char * const ipinfo_continent_path[] = { "continent", NULL };
static const char * const ipinfo_continent_code_path[] = { "continent_code", NULL };
static const char * const ipinfo_asn_path[] = { "asn", NULL };
static const char * const ipinfo_as_name_path[] = { "as_name", NULL };

static gboolean
get_value (MMDB_entry_s       *entry,
           const char * const *path,
           MMDB_entry_data_s  *data)
{
  memset (data, 0, sizeof *data);

  /* a path that meets the wrong type is an error, not a crash */
  return MMDB_aget_value (entry, data, path) == MMDB_SUCCESS && data->has_data;
}

static gboolean
get_text (MMDB_entry_s       *entry,
          const char * const *path,
          char               *buffer,
          gsize               size)
{
  MMDB_entry_data_s data;

  if (!get_value (entry, path, &data) || data.type != MMDB_DATA_TYPE_UTF8_STRING)
    return FALSE;

  return copy_text (buffer, size, data.utf8_string, data.data_size);
}

/* Two ASCII letters: a country or continent code. */
static gboolean
get_code (MMDB_entry_s       *entry,
          const char * const *path,
          char                buffer[3])
{
  MMDB_entry_data_s data;

  if (!get_value (entry, path, &data) ||
      data.type != MMDB_DATA_TYPE_UTF8_STRING ||
      data.data_size != 2 ||
      !g_ascii_isalpha (data.utf8_string[0]) ||
      !g_ascii_isalpha (data.utf8_string[1]))
    return FALSE;

  buffer[0] = g_ascii_toupper (data.utf8_string[0]);
  buffer[1] = g_ascii_toupper (data.utf8_string[1]);
  buffer[2] = '\0';
  return TRUE;
}

/* A text only when it is not a code (IPinfo's "country"). */
static gboolean
get_name_not_code (MMDB_entry_s       *entry,
                   const char * const *path,
                   char               *buffer,
                   gsize               size)
{
  char code[3];

  return !get_code (entry, path, code) && get_text (entry, path, buffer, size);
}

/* An AS number: any unsigned type, or a string "AS64500" / "64500". */
static gboolean
get_asn (MMDB_entry_s       *entry,
         const char * const *path,
         guint32            *asn)
{
  MMDB_entry_data_s data;
  guint64 value = 0;

  if (!get_value (entry, path, &data))
    return FALSE;

  switch (data.type)
    {
    case MMDB_DATA_TYPE_UINT16:
      value = data.uint16;
      break;
    case MMDB_DATA_TYPE_UINT32:
      value = data.uint32;
      break;
    case MMDB_DATA_TYPE_UINT64:
      value = data.uint64;
      break;
    case MMDB_DATA_TYPE_INT32:
      if (data.int32 < 0)
        return FALSE;
      value = (guint64) data.int32;
      break;
    case MMDB_DATA_TYPE_UTF8_STRING:
      {
        char text[16];
        const char *digits = text;

        if (data.data_size == 0 || data.data_size >= sizeof text)
          return FALSE;
        memcpy (text, data.utf8_string, data.data_size);
        text[data.data_size] = '\0';
        if (g_ascii_strncasecmp (text, "AS", 2) == 0)
          digits += 2;
        if (!g_ascii_isdigit (digits[0]) ||
            !g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT32, &value, NULL))
          return FALSE;
      }
      break;
    default:
      return FALSE;
    }

  if (value == 0 || value > G_MAXUINT32)
    return FALSE;

  *asn = (guint32) value;
  return TRUE;
}

static gboolean
get_double (MMDB_entry_s       *entry,
            const char * const *path,
            double              min,
            double              max,
            double             *out)
{
  MMDB_entry_data_s data;
  double value;

  if (!get_value (entry, path, &data))
    return FALSE;

  if (data.type == MMDB_DATA_TYPE_DOUBLE)
    value = data.double_value;
  else if (data.type == MMDB_DATA_TYPE_FLOAT)
    value = data.float_value;
  else
    return FALSE;

  if (!isfinite (value) || value < min || value > max)
    return FALSE;

  *out = value;
  return TRUE;
}

/* What one database says, in any of the layouts we know. */
static gboolean
lookup_one (PsGeoipDatabase       *db,
            const struct sockaddr *sockaddr,
            PsGeoipResult         *one)
{
  MMDB_lookup_result_s found;
  MMDB_entry_s *entry;
  int mmdb_error = MMDB_SUCCESS;
  gsize name_size = sizeof one->country_name;

  memset (one, 0, sizeof *one);

  /* an IPv6 address in an IPv4-only database is an error: not known */
  found = MMDB_lookup_sockaddr (&db->mmdb, sockaddr, &mmdb_error);
  if (mmdb_error != MMDB_SUCCESS || !found.found_entry)
    return FALSE;
  entry = &found.entry;

  if (!get_code (entry, country_code_path, one->country_code))
    if (!get_code (entry, ipinfo_country_code_path, one->country_code))
      get_code (entry, ipinfo_country_path, one->country_code);
  if (!get_text (entry, country_name_path, one->country_name, name_size))
    if (!get_text (entry, ipinfo_country_name_path, one->country_name, name_size))
      get_name_not_code (entry, ipinfo_country_path, one->country_name, name_size);
  /* anycast and satellite networks have only the registrant's country */
  if (one->country_code[0] == '\0' && one->country_name[0] == '\0')
    {
      get_code (entry, registered_code_path, one->country_code);
      get_text (entry, registered_name_path, one->country_name, name_size);
    }

  if (!get_code (entry, continent_code_path, one->continent_code))
    if (!get_code (entry, ipinfo_continent_code_path, one->continent_code))
      get_code (entry, ipinfo_continent_path, one->continent_code);

  one->has_location = get_double (entry, latitude_path, -90.0, 90.0, &one->latitude) &&
                      get_double (entry, longitude_path, -180.0, 180.0, &one->longitude);
  if (!one->has_location)
    one->latitude = one->longitude = 0.0;

  if (!get_asn (entry, asn_path, &one->asn))
    get_asn (entry, ipinfo_asn_path, &one->asn);
  if (!get_text (entry, organization_path, one->organization, sizeof one->organization))
    get_text (entry, ipinfo_as_name_path, one->organization, sizeof one->organization);

  return one->country_code[0] != '\0' || one->country_name[0] != '\0' ||
         one->continent_code[0] != '\0' || one->has_location ||
         one->asn != 0 || one->organization[0] != '\0';
}

/* Fills what result does not know yet; returns whether it is complete. */
static gboolean
merge_result (PsGeoipResult       *result,
              const PsGeoipResult *one)
{
  if (result->country_code[0] == '\0')
    memcpy (result->country_code, one->country_code, sizeof result->country_code);
  if (result->country_name[0] == '\0')
    memcpy (result->country_name, one->country_name, sizeof result->country_name);
  if (result->continent_code[0] == '\0')
    memcpy (result->continent_code, one->continent_code, sizeof result->continent_code);
  if (!result->has_location && one->has_location)
    {
      result->has_location = TRUE;
      result->latitude = one->latitude;
      result->longitude = one->longitude;
    }
  if (result->asn == 0)
    result->asn = one->asn;
  if (result->organization[0] == '\0')
    memcpy (result->organization, one->organization, sizeof result->organization);

  return result->country_code[0] != '\0' && result->country_name[0] != '\0' &&
         result->continent_code[0] != '\0' && result->has_location &&
         result->asn != 0 && result->organization[0] != '\0';
}

#endif /* HAVE_MAXMINDDB */

gboolean
ps_geoip_add_database (PsGeoip     *self,
                       const char  *path,
                       GError     **error)
{
  g_autofree char *display = NULL;
#ifdef HAVE_MAXMINDDB
  PsGeoipDatabase *db;
  char type[PS_GEOIP_NAME_MAX];
  int status;
  int saved_errno;
#endif

  g_return_val_if_fail (PS_IS_GEOIP (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  display = g_filename_display_name (path);

#ifndef HAVE_MAXMINDDB
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "Cannot open GeoIP database “%s”: Peerscope was built without GeoIP support "
               "(libmaxminddb)", display);
  return FALSE;
#else
  /* opening a FIFO would block; a directory cannot be mapped */
  if (g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "Cannot open GeoIP database “%s”: not a regular file", display);
      return FALSE;
    }

  db = g_new0 (PsGeoipDatabase, 1);
  errno = 0;
  status = MMDB_open (path, MMDB_MODE_MMAP, &db->mmdb);
  saved_errno = errno;
  if (status != MMDB_SUCCESS)
    {
      /* MMDB_open cleans up after itself on failure */
      g_free (db);

      switch (status)
        {
        case MMDB_FILE_OPEN_ERROR:
          if (saved_errno != 0)
            g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                         "Cannot open GeoIP database “%s”: %s",
                         display, g_strerror (saved_errno));
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         "Cannot open GeoIP database “%s”: %s",
                         display, MMDB_strerror (status));
          break;

        case MMDB_IO_ERROR:
        case MMDB_OUT_OF_MEMORY_ERROR:
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "Cannot read GeoIP database “%s”: %s", display, MMDB_strerror (status));
          break;

        default:
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "“%s” is not a valid MaxMind DB file: %s", display, MMDB_strerror (status));
          break;
        }
      return FALSE;
    }

  db->path = g_strdup (path);
  if (db->mmdb.metadata.database_type != NULL &&
      copy_text (type, sizeof type, db->mmdb.metadata.database_type,
                 strlen (db->mmdb.metadata.database_type)))
    db->type = g_strdup (type);
  else
    db->type = g_strdup ("");

  g_debug ("GeoIP database %s (%s, IPv%u)", display, db->type,
           (guint) db->mmdb.metadata.ip_version);
  g_ptr_array_add (self->databases, db);

  return TRUE;
#endif
}

static int
compare_names_descending (gconstpointer a,
                          gconstpointer b)
{
  return -strcmp (*(const char * const *) a, *(const char * const *) b);
}

static guint
add_databases_in (PsGeoip    *self,
                  const char *dir_path,
                  GHashTable *taken_names)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;
  guint n_added = 0;

  dir = g_dir_open (dir_path, 0, NULL);
  if (dir == NULL)
    return 0;

  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".mmdb"))
      g_ptr_array_add (names, g_strdup (name));

  for (guint p = 0; p < G_N_ELEMENTS (default_patterns); p++)
    {
      g_autoptr(GPatternSpec) pattern = g_pattern_spec_new (default_patterns[p]);
      g_autoptr(GPtrArray) matches = g_ptr_array_new ();

      for (guint i = 0; i < names->len; i++)
        {
          name = g_ptr_array_index (names, i);
          if (g_pattern_spec_match_string (pattern, name) &&
              !g_hash_table_contains (taken_names, name))
            g_ptr_array_add (matches, (gpointer) name);
        }
      g_ptr_array_sort (matches, compare_names_descending);

      for (guint i = 0; i < matches->len; i++)
        {
          g_autofree char *path = NULL;
          g_autoptr(GError) error = NULL;

          name = g_ptr_array_index (matches, i);
          /* an earlier pattern may have taken it already */
          if (g_hash_table_contains (taken_names, name))
            continue;
          g_hash_table_add (taken_names, g_strdup (name));

          path = g_build_filename (dir_path, name, NULL);
          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            continue;
          if (!ps_geoip_add_database (self, path, &error))
            {
              g_message ("Skipping GeoIP database: %s", error->message);
              continue;
            }
          n_added++;
        }
    }

  return n_added;
}

guint
ps_geoip_add_default_databases (PsGeoip *self)
{
  g_autoptr(GPtrArray) dirs = NULL;
  g_autoptr(GHashTable) taken_names = NULL;
  const char *env;
  guint n_added = 0;

  g_return_val_if_fail (PS_IS_GEOIP (self), 0);

  if (!ps_geoip_is_supported ())
    return 0;

  dirs = g_ptr_array_new_with_free_func (g_free);
  env = g_getenv ("PEERSCOPE_GEOIP_DIR");
  if (env != NULL && env[0] != '\0')
    {
      g_ptr_array_add (dirs, g_strdup (env));
    }
  else
    {
      const char * const *data_dirs = g_get_system_data_dirs ();

      g_ptr_array_add (dirs, g_build_filename (g_get_user_data_dir (), "peerscope", "geoip", NULL));
      for (guint i = 0; data_dirs[i] != NULL; i++)
        g_ptr_array_add (dirs, g_build_filename (data_dirs[i], "GeoIP", NULL));
      g_ptr_array_add (dirs, g_strdup ("/usr/share/GeoIP"));
      g_ptr_array_add (dirs, g_strdup ("/var/lib/GeoIP"));
      g_ptr_array_add (dirs, g_strdup ("/usr/local/share/GeoIP"));
    }

  taken_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (dirs, i);
      gboolean seen = FALSE;

      /* /usr/share is usually an XDG data dir too */
      for (guint j = 0; j < i && !seen; j++)
        seen = g_str_equal (dir, g_ptr_array_index (dirs, j));
      if (!seen)
        n_added += add_databases_in (self, dir, taken_names);
    }

  return n_added;
}

guint
ps_geoip_get_n_databases (PsGeoip *self)
{
  g_return_val_if_fail (PS_IS_GEOIP (self), 0);

  return self->databases->len;
}

const char *
ps_geoip_get_database_path (PsGeoip *self,
                            guint    index)
{
  PsGeoipDatabase *db;

  g_return_val_if_fail (PS_IS_GEOIP (self), NULL);
  g_return_val_if_fail (index < self->databases->len, NULL);

  db = g_ptr_array_index (self->databases, index);
  return db->path;
}

const char *
ps_geoip_get_database_type (PsGeoip *self,
                            guint    index)
{
  PsGeoipDatabase *db;

  g_return_val_if_fail (PS_IS_GEOIP (self), NULL);
  g_return_val_if_fail (index < self->databases->len, NULL);

  db = g_ptr_array_index (self->databases, index);
  return db->type;
}

gboolean
ps_geoip_lookup (PsGeoip           *self,
                 const PsIpAddress *address,
                 PsGeoipResult     *result)
{
#ifdef HAVE_MAXMINDDB
  static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  union {
    struct sockaddr     any;
    struct sockaddr_in  in4;
    struct sockaddr_in6 in6;
  } sockaddr;
  PsGeoipResult one;
  gboolean found = FALSE;
#endif

  g_return_val_if_fail (result != NULL, FALSE);
  memset (result, 0, sizeof *result);
  g_return_val_if_fail (PS_IS_GEOIP (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

#ifdef HAVE_MAXMINDDB
  memset (&sockaddr, 0, sizeof sockaddr);
  if (address->family == 4)
    {
      sockaddr.in4.sin_family = AF_INET;
      memcpy (&sockaddr.in4.sin_addr, address->bytes, 4);
    }
  else if (address->family == 6 && memcmp (address->bytes, v4_mapped, sizeof v4_mapped) == 0)
    {
      sockaddr.in4.sin_family = AF_INET;
      memcpy (&sockaddr.in4.sin_addr, address->bytes + 12, 4);
    }
  else if (address->family == 6)
    {
      sockaddr.in6.sin6_family = AF_INET6;
      memcpy (&sockaddr.in6.sin6_addr, address->bytes, 16);
    }
  else
    {
      return FALSE;
    }

  for (guint i = 0; i < self->databases->len; i++)
    {
      if (!lookup_one (g_ptr_array_index (self->databases, i), &sockaddr.any, &one))
        continue;
      found = TRUE;
      if (merge_result (result, &one))
        break;
    }

  return found;
#else
  return FALSE;
#endif
}
