/* ps-policy-private.h: the policy's validated values, for the compiler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-policy.h"

G_BEGIN_DECLS

typedef struct
{
  guint8 family;       /* 4 or 6 */
  guint8 prefix;       /* 0..32 or 0..128; host bits are zero */
  guint8 bytes[16];    /* network byte order, 4 or 16 used */
} PsNetwork;

#define PS_NETWORK_BITS(n) ((n)->family == 4 ? 32u : 128u)

typedef enum {
  PS_PORT_ANY = 0,
  PS_PORT_TCP = 6,
  PS_PORT_UDP = 17,
} PsPortProtocol;

/* Parses "ADDR" or "ADDR/LEN" (when allow_prefix) into a network with its
 * host bits cleared.  Never trusts TEXT: any byte is fine. */
gboolean  _ps_network_parse   (const char      *text,
                               gboolean         allow_prefix,
                               PsNetwork       *network);
/* "ADDR" for a host, "ADDR/LEN" otherwise: the canonical form */
char     *_ps_network_to_string (const PsNetwork *network);
/* The address part only */
char     *_ps_network_dup_address (const PsNetwork *network);
/* Whether OUTER contains INNER (same family) */
gboolean  _ps_network_contains (const PsNetwork *outer,
                                const PsNetwork *inner);
/* The networks of FAMILY (4 or 6) in LIST (canonical strings), sorted by
 * address, without those another one covers (nftables refuses overlapping
 * intervals in a set).  Entries that are no address (allow-list names) go
 * to NAMES when it is not NULL. */
GPtrArray *_ps_networks_of_family (const char * const *list,
                                   guint8              family,
                                   GPtrArray          *names);
/* "udp/32100", "tcp/9999", "9999" */
gboolean  _ps_port_parse      (const char      *text,
                               PsPortProtocol  *protocol,
                               guint16         *port);
char     *_ps_port_to_string  (PsPortProtocol   protocol,
                               guint16          port);
/* The policy's P2P server ports by protocol ("9999" is in both), as
 * guint16, sorted, without duplicates */
void      _ps_policy_dup_p2p_ports (PsPolicy   *policy,
                                    GArray    **udp,
                                    GArray    **tcp);
/* A DNS name (not an IP literal) */
gboolean  _ps_name_is_valid   (const char      *text);
/* Lowercase, without a trailing dot; NULL when TEXT is no name */
char     *_ps_name_canonical  (const char      *text);
/* [A-Za-z0-9._:-]{1,64} */
gboolean  _ps_device_id_is_valid (const char   *id);
/* aa:bb:cc:dd:ee:ff in lowercase; NULL when TEXT is not the MAC address of
 * one device (multicast and all-zero addresses never are) */
char     *_ps_mac_canonical   (const char      *text);
/* A hostile value made safe to quote in an error message: at most 64
 * bytes, control and non-ASCII bytes escaped.  NULL gives "(null)". */
char     *_ps_policy_printable (const char     *value);

G_END_DECLS
