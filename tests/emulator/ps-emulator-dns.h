/* ps-emulator-dns.h: DNS A/AAAA queries and replies, a pure codec (untrusted
 * input)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PS_EMULATOR_DNS_TYPE_A        1
#define PS_EMULATOR_DNS_TYPE_CNAME    5
#define PS_EMULATOR_DNS_TYPE_AAAA     28
#define PS_EMULATOR_DNS_MAX_MESSAGE   1232   /* what we read of a reply */
#define PS_EMULATOR_DNS_MAX_RECORDS   64     /* answers + authority + additional */

typedef struct
{
  GPtrArray *addresses;   /* GInetAddress, in answer order; may be empty */
  guint32    ttl;         /* the smallest TTL on the way to them */
  guint      rcode;
} PsEmulatorDnsReply;

/* A standard recursive query (RD set) for name (a DNS name, see
 * ps_emulator_net_is_dns_name()), type A or AAAA, class IN. NULL when name
 * is not a valid name. */
GBytes             *ps_emulator_dns_build_query (guint16        id,
                                                 const char    *name,
                                                 guint16        qtype,
                                                 GError       **error);
/* Reads a reply to that query: the id, question and type must match, and
 * the addresses are the A (or AAAA) records of name or of the CNAMEs it
 * leads to. A reply with an error rcode is returned (no addresses, rcode
 * set), not treated as malformed. NULL and an error for anything malformed,
 * truncated (TC) or not an answer to that question. */
PsEmulatorDnsReply *ps_emulator_dns_parse_reply (const guint8  *data,
                                                 gsize          len,
                                                 guint16        id,
                                                 const char    *name,
                                                 guint16        qtype,
                                                 GError       **error);
void                ps_emulator_dns_reply_free  (PsEmulatorDnsReply *reply);
/* "NOERROR", "NXDOMAIN", ... (rcode's low 4 bits); static. */
const char         *ps_emulator_dns_rcode_name  (guint          rcode);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsEmulatorDnsReply, ps_emulator_dns_reply_free)

G_END_DECLS
