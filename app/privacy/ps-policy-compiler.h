/* ps-policy-compiler.h: one policy, one nftables table
 *
 * Everything Peerscope enforces lives in the table "inet peerscope" and
 * nowhere else.  The compiled form is libnftables JSON (no text is ever
 * built from names: nothing to inject), as ONE transaction that creates the
 * table if needed, empties it and fills it again, so the kernel switches
 * from the old rules to the new ones atomically.  The table's comment
 * carries the policy's digest, so an enforcer can tell the live rules are
 * already these and skip a re-apply.
 *
 * Per device the table has its addresses and MAC in named sets, a counter
 * on every rule, and every dropped packet goes through a dynamic set
 * "blocked" keyed (device address . peer address . protocol . port) with
 * a counter, so blocked attempts can be read per peer; it is also logged to
 * NFLOG group PS_POLICY_LOG_GROUP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-policy.h"

G_BEGIN_DECLS

#define PS_POLICY_TABLE_FAMILY "inet"
#define PS_POLICY_TABLE_NAME   "peerscope"
#define PS_POLICY_LOG_GROUP    4242
/* Every logged drop has the prefix "peerscope DEVICE-ID out" (the device
 * tried to reach a peer) or "peerscope DEVICE-ID in" (a peer outside the
 * LAN tried to open a connection to a local-only or allow-list device). */
#define PS_POLICY_LOG_PREFIX   "peerscope "
/* The dynamic sets of blocked (device address . peer address . protocol .
 * peer port), with a counter on each element; port 0 for protocols
 * without ports. */
#define PS_POLICY_BLOCKED_SET  "blocked"
#define PS_POLICY_BLOCKED6_SET "blocked6"

/* The SHA-256 of the policy's canonical JSON, in hex. */
char     *ps_policy_digest          (PsPolicy  *policy);
/* {"nftables": [...]}: the whole table, as one transaction. */
JsonNode *ps_policy_compile         (PsPolicy  *policy,
                                     GError   **error);
/* {"nftables": [...]}: removes the table, and only it (no error if absent
 * is the enforcer's business). */
JsonNode *ps_policy_compile_removal (void);
/* For gateways Peerscope does not run on: an `nft -f` script, and an
 * OpenWrt firewall configuration (UCI, /etc/config/firewall), each with a
 * comment that says how to install it. */
char     *ps_policy_export_nft      (PsPolicy  *policy,
                                     GError   **error);
char     *ps_policy_export_openwrt  (PsPolicy  *policy,
                                     GError   **error);

/* The digest a ruleset carries: RULESET is ps_policy_compile()'s output or
 * `nft -j list table inet peerscope` (libnftables' JSON listing).  NULL when
 * it has none.  libnftables 1.0.6 drops a table's comment given in JSON, so
 * the digest is also the comment of the one rule of the chain
 * "policy_digest", which nothing jumps to; this reads either. */
char     *ps_policy_find_digest     (JsonNode  *ruleset);

G_END_DECLS
