/* ps-policy-store.h: the policy on disk, one JSON file written durably
 *
 * The file holds the policy's canonical JSON.  Saving writes a new file,
 * flushes it to disk, renames it over the old one and flushes the folder:
 * after a crash at any point the file holds the old policy or the new one,
 * never a mix.  Loading reads at most PS_POLICY_MAX_JSON_BYTES and parses
 * strictly (the file may have been edited by hand).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-policy.h"

G_BEGIN_DECLS

/* $XDG_CONFIG_HOME/peerscope/policy.json for a user, or
 * /var/lib/peerscope/policy.json for the system (root, peerscope-gatewayd) */
char     *ps_policy_store_default_path (gboolean              system);

/* G_IO_ERROR_NOT_FOUND when there is no file yet */
PsPolicy *ps_policy_store_load         (const char           *path,
                                        GError              **error);
/* Creates the folder (0700) when needed; the file is 0600. */
gboolean  ps_policy_store_save         (PsPolicy             *policy,
                                        const char           *path,
                                        GError              **error);
/* The same on a worker thread (the write waits for the disk).  The policy
 * is serialised before this returns: later changes are not saved. */
void      ps_policy_store_save_async   (PsPolicy             *policy,
                                        const char           *path,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean  ps_policy_store_save_finish  (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
