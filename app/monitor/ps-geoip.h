/* ps-geoip.h: country, location and network (ASN) of an address, from MMDB files
 *
 * Reads MaxMind DB files: GeoLite2/GeoIP2 (Country, City, ASN), DB-IP's lite
 * databases, IPinfo's free databases and the lab's peerscope-*.mmdb.  Several
 * databases can be open at once; a lookup asks each in the order they were
 * added and, field by field, the first database that has a field wins (a
 * City database gives the country and location, an ASN database the network).
 *
 * Lookups never allocate and never change the object, so once the databases
 * are added, any number of threads may call ps_geoip_lookup() at once.  Add
 * databases before sharing the object between threads.
 *
 * Databases are memory-mapped: replace a database file by renaming a new one
 * over it (as geoipupdate does), never by rewriting it in place.
 *
 * Without libmaxminddb (-Dgeoip=disabled) this builds, finds no database and
 * ps_geoip_add_database() fails with G_IO_ERROR_NOT_SUPPORTED.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-flow-record.h"

G_BEGIN_DECLS

#define PS_GEOIP_NAME_MAX 128

/* What the databases know about one address.  Plain fixed buffers, nothing
 * to free: strings are NUL-terminated valid UTF-8 without control
 * characters, "" when unknown; longer names are cut at a character boundary
 * to PS_GEOIP_NAME_MAX - 1 bytes. */
typedef struct
{
  char     country_code[3];                    /* ISO 3166-1 alpha-2, "SE" */
  char     continent_code[3];                  /* "EU", "AS", "NA", "SA", "AF", "OC", "AN" */
  char     country_name[PS_GEOIP_NAME_MAX];    /* in English */
  char     organization[PS_GEOIP_NAME_MAX];    /* the autonomous system's owner */
  guint32  asn;                                /* 0 when unknown */
  double   latitude;                           /* degrees, when has_location */
  double   longitude;
  guint    has_location : 1;
} PsGeoipResult;

#define PS_TYPE_GEOIP (ps_geoip_get_type ())
G_DECLARE_FINAL_TYPE (PsGeoip, ps_geoip, PS, GEOIP, GObject)

/* Whether this build can read MMDB files at all. */
gboolean    ps_geoip_is_supported            (void);

PsGeoip    *ps_geoip_new                     (void);
/* Opens one database.  G_IO_ERROR_NOT_FOUND when missing (or another
 * errno-based code), G_IO_ERROR_NOT_REGULAR_FILE for a folder or a FIFO,
 * G_IO_ERROR_INVALID_DATA when it is not a valid MaxMind DB (garbage,
 * truncated), G_IO_ERROR_NOT_SUPPORTED without libmaxminddb. */
gboolean    ps_geoip_add_database            (PsGeoip              *self,
                                              const char           *path,
                                              GError              **error);
/* Adds the well-known databases found in $PEERSCOPE_GEOIP_DIR alone when it
 * is set and not empty, otherwise in $XDG_DATA_HOME/peerscope/geoip, each XDG data
 * dir's GeoIP folder, /usr/share/GeoIP, /var/lib/GeoIP and
 * /usr/local/share/GeoIP.  A file name found twice is only taken from the
 * first folder; unreadable files are skipped with a g_message().  Returns how many were added
 * (0 is fine: lookups then find nothing). */
guint       ps_geoip_add_default_databases   (PsGeoip              *self);
guint       ps_geoip_get_n_databases         (PsGeoip              *self);
const char *ps_geoip_get_database_path       (PsGeoip              *self,
                                              guint                 index);
/* The database's own type from its metadata, e.g. "GeoLite2-City",
 * so that the UI can credit the data's source as its licence asks. */
const char *ps_geoip_get_database_type       (PsGeoip              *self,
                                              guint                 index);
/* Always fills result (all empty when nothing is known).  Returns whether
 * any database knew anything about address. */
gboolean    ps_geoip_lookup                  (PsGeoip              *self,
                                              const PsIpAddress    *address,
                                              PsGeoipResult        *result);

G_END_DECLS
