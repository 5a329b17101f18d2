/* ps-enforcer.h: puts a policy into the kernel, through libnftables
 *
 * Needs CAP_NET_ADMIN in the network namespace it runs in (root on a
 * gateway, or peerscope-gatewayd).  Applying is one netlink transaction:
 * a crash at any point leaves the old table or the new one, never a mix.
 * Applying the policy that is already live does nothing (the table's
 * comment holds the digest).  Removing drops Peerscope's table and touches
 * nothing else.  Linux only; elsewhere every call fails with
 * G_IO_ERROR_NOT_SUPPORTED.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-policy.h"

G_BEGIN_DECLS

typedef struct
{
  char    *device_address;   /* as text */
  char    *peer_address;
  char    *protocol;         /* "udp", "tcp", … */
  guint16  port;
  guint64  packets;
  guint64  bytes;
} PsBlockedAttempt;

void      ps_blocked_attempt_free   (PsBlockedAttempt *attempt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsBlockedAttempt, ps_blocked_attempt_free)

gboolean  ps_enforcer_is_supported  (void);
/* *changed says whether the kernel's rules changed (FALSE: already live). */
gboolean  ps_enforcer_apply         (PsPolicy   *policy,
                                     gboolean   *changed,
                                     GError    **error);
gboolean  ps_enforcer_remove        (GError    **error);
/* The digest of the live table's policy, or NULL when there is none. */
char     *ps_enforcer_dup_live_digest (GError  **error);
/* Every blocked (device, peer, protocol, port) with its counters. */
GPtrArray *ps_enforcer_read_blocked (GError    **error);

G_END_DECLS
