/* ps-policy-database.h: the policy in SQLite, with a log of its changes
 *
 * One row for the policy's settings, one per device rule, one per list
 * entry, and a change log (which device went from which intent to which,
 * and when).  Every save is one transaction in WAL mode with
 * synchronous=FULL: once it returns, the new policy is on disk, and after
 * a crash at any point the database holds the old policy or the new one,
 * never a mix.  Loading goes through the policy's validating setters: a
 * database edited by hand cannot smuggle a malformed rule into a ruleset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-policy.h"
#include "ps-policy-store.h"

G_BEGIN_DECLS

/* G_IO_ERROR_NOT_FOUND when there is no database or no policy in it */
PsPolicy  *ps_policy_database_load   (const char  *path,
                                      GError     **error);
/* Creates the folder (0700) and the database (0600) when needed, and logs
 * what changed, stamped NOW_US (wall-clock microseconds). */
gboolean   ps_policy_database_save   (PsPolicy    *policy,
                                      const char  *path,
                                      gint64       now_us,
                                      GError     **error);
/* Forgets the policy (the change log keeps that it was removed); no error
 * when there is none. */
gboolean   ps_policy_database_delete (const char  *path,
                                      gint64       now_us,
                                      GError     **error);
/* PsPolicyChange, oldest first, logged at or after SINCE_US */
GPtrArray *ps_policy_database_dup_changes (const char  *path,
                                           gint64       since_us,
                                           GError     **error);

G_END_DECLS
