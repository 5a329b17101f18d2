/* ps-policy-file.h: the policy as one JSON file written durably
 *
 * The file holds the policy's canonical JSON.  Saving writes a new file,
 * flushes it to disk, renames it over the old one and flushes the folder:
 * after a crash at any point the file holds the old policy or the new one,
 * never a mix.  Loading reads at most PS_POLICY_MAX_JSON_BYTES and parses
 * strictly (the file may have been edited by hand).  This was the store's
 * only form before the database; a path ending in ".json" still uses it
 * (see ps-policy-store.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-policy.h"

G_BEGIN_DECLS

/* G_IO_ERROR_NOT_FOUND when there is no file */
PsPolicy *ps_policy_file_load   (const char  *path,
                                 GError     **error);
/* Creates the folder (0700) when needed; the file is 0600. */
gboolean  ps_policy_file_save   (PsPolicy    *policy,
                                 const char  *path,
                                 GError     **error);
/* No error when there is no file */
gboolean  ps_policy_file_delete (const char  *path,
                                 GError     **error);
/* Flushes the folder of PATH, so that a rename or unlink in it lasts */
gboolean  ps_policy_file_sync_folder_of (const char  *path,
                                         GError     **error);

G_END_DECLS
