/* ps-policy-store.h: where the policy lives between runs
 *
 * The policy is kept in SQLite (ps-policy-database.h): durable, atomic,
 * with a log of what changed when, which the home overview reads ("what
 * changed since yesterday").  A path that ends in ".json" keeps the older
 * form, one JSON file written durably (ps-policy-file.h), for scripts and
 * hand-edited gateways; and a database that does not exist yet takes over
 * the policy.json beside it, so an upgrade keeps the user's rules.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-policy.h"

G_BEGIN_DECLS

/* One logged change of one device's intent.  DEVICE is NULL for the default
 * intent; HAD_OLD is FALSE for a new rule, HAS_NEW FALSE for a removed one. */
typedef struct
{
  gint64    changed_at_us;   /* wall clock */
  char     *device;
  gboolean  had_old;
  PsIntent  old_intent;
  gboolean  has_new;
  PsIntent  new_intent;
} PsPolicyChange;

void ps_policy_change_free (PsPolicyChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsPolicyChange, ps_policy_change_free)

/* $XDG_CONFIG_HOME/peerscope/policy.db for a user, or
 * /var/lib/peerscope/policy.db for the system (root, peerscope-gatewayd) */
char      *ps_policy_store_default_path (gboolean              system);

/* G_IO_ERROR_NOT_FOUND when nothing is stored yet */
PsPolicy  *ps_policy_store_load         (const char           *path,
                                         GError              **error);
/* Creates the folder (0700) when needed; the file is 0600. */
gboolean   ps_policy_store_save         (PsPolicy             *policy,
                                         const char           *path,
                                         GError              **error);
/* The same on a worker thread (the write waits for the disk).  The policy
 * is copied before this returns: later changes are not saved. */
void       ps_policy_store_save_async   (PsPolicy             *policy,
                                         const char           *path,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean   ps_policy_store_save_finish  (GAsyncResult         *result,
                                         GError              **error);
/* Forgets the stored policy for good; no error when there is none. */
gboolean   ps_policy_store_delete       (const char           *path,
                                         GError              **error);
/* What changed at or after SINCE_US (wall clock), oldest first, as
 * PsPolicyChange; empty for a JSON file, which keeps no log. */
GPtrArray *ps_policy_store_dup_changes  (const char           *path,
                                         gint64                since_us,
                                         GError              **error);

G_END_DECLS
