/* ps-enforcement-group-private.h: what the tests look at and stand in for
 * inside PsEnforcementGroup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-enforcement-group.h"

G_BEGIN_DECLS

/* Who enforces the policy on this computer: ps-enforcer.h and the process's
 * privileges, unless a test stands in.  The functions run on a worker
 * thread. */
typedef struct
{
  gboolean   privileged;     /* may change this computer's firewall (root) */
  gboolean   supported;      /* ps_enforcer_is_supported() */
  char    *(*dup_live_digest) (GError       **error);
  gboolean (*apply)           (PsPolicy      *policy,
                               gboolean      *changed,
                               GError       **error);
  /* the addresses of an allow-list name (NULL-terminated), or NULL */
  GStrv    (*resolve)         (const char    *name,
                               GCancellable  *cancellable,
                               GError       **error);

  /* Not privileged: the gateway helper (ps-gateway-policy-client.h) enforces, through
   * these, unless they are NULL.  They run on the main thread; their errors are the
   * client's. */
  void     (*helper_get_state)        (GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
  /* live_digest: NULL when the helper enforces nothing */
  gboolean (*helper_get_state_finish) (GAsyncResult        *result,
                                       char               **live_digest,
                                       GError             **error);
  void     (*helper_apply)            (PsPolicy            *policy,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
  gboolean (*helper_apply_finish)     (GAsyncResult        *result,
                                       gboolean            *changed,
                                       GError             **error);
} PsEnforcementBackend;

typedef enum {
  PS_ENFORCEMENT_EXPORT_NFT,
  PS_ENFORCEMENT_EXPORT_OPENWRT,
} PsEnforcementExport;

void        _ps_enforcement_group_set_backend       (PsEnforcementGroup         *self,
                                                     const PsEnforcementBackend *backend);
/* "checking", "enforced", "not-enforced", "outdated", "needs-helper",
 * "unsupported", "not-authorised", "no-helper" or "error" */
const char *_ps_enforcement_group_get_state         (PsEnforcementGroup         *self);
/* what its row says */
const char *_ps_enforcement_group_get_text          (PsEnforcementGroup         *self);
/* a check, an apply or an export runs on a worker thread */
gboolean    _ps_enforcement_group_is_busy           (PsEnforcementGroup         *self);
const char *_ps_enforcement_group_get_preview       (PsEnforcementGroup         *self);
GtkWidget  *_ps_enforcement_group_get_apply_button  (PsEnforcementGroup         *self);
/* the export's GtkFileChooserNative (GtkFileDialog from GTK 4.10) while it is open */
GObject    *_ps_enforcement_group_get_export_dialog (PsEnforcementGroup         *self);

G_END_DECLS
