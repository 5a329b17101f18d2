/* ps-nft-table-private.h: a small model of one nftables table
 *
 * Sets, and chains of rules built statement by statement; each statement
 * is recorded twice, as libnftables JSON and as `nft -f` text, so that the
 * two renderings of a table cannot disagree.  Only ps-policy-compiler.c
 * builds one, from a validated policy: the strings given here (names,
 * comments, log prefixes) go into the text between quotes as they are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PS_NFT_DIGEST_PREFIX "peerscope policy "   /* + the digest: the table's comment */

typedef struct
{
  char       *name;
  const char *types[4];     /* static strings; 4: a concatenation */
  guint       n_types;
  gboolean    interval;
  gboolean    dynamic;      /* updated from the packet path */
  GPtrArray  *elements;     /* canonical addresses, networks or MACs */
} PsNftSet;

typedef struct
{
  JsonArray  *expr;
  GString    *text;
  char       *comment;
} PsNftRule;

typedef struct
{
  char       *name;
  gboolean    base;
  GPtrArray  *rules;        /* PsNftRule */
} PsNftChain;

typedef struct
{
  char       *digest;
  GPtrArray  *sets;         /* PsNftSet */
  GPtrArray  *chains;       /* PsNftChain */
} PsNftTable;

PsNftTable *_ps_nft_table_new              (const char       *digest);
void        _ps_nft_table_free             (PsNftTable       *table);
/* TYPE is a static string; the set takes ELEMENTS (strings, NULL: none) */
PsNftSet   *_ps_nft_table_add_set          (PsNftTable       *table,
                                            const char       *name,
                                            const char       *type,
                                            gboolean          interval,
                                            GPtrArray        *elements);
/* "blocked" or "blocked6": (device . peer . protocol . port), dynamic */
void        _ps_nft_table_add_blocked_set  (PsNftTable       *table,
                                            guint8            family);
/* BASE: the filter chain on the forward hook */
PsNftChain *_ps_nft_table_add_chain        (PsNftTable       *table,
                                            const char       *name,
                                            gboolean          base);
/* The whole table as one transaction: {"nftables": [...]} */
JsonNode   *_ps_nft_table_to_json          (const PsNftTable *table);
/* table inet peerscope { ... } */
void        _ps_nft_table_to_text          (const PsNftTable *table,
                                            GString          *text);
/* {"nftables": [{"delete": {"table": ...}}]} */
JsonNode   *_ps_nft_removal                (void);

PsNftRule  *_ps_nft_rule_new               (PsNftChain       *chain);
/* PROTOCOL FIELD @SET, as "ip daddr @lan4" */
void        _ps_nft_rule_match_set         (PsNftRule        *rule,
                                            const char       *protocol,
                                            const char       *field,
                                            const char       *set);
void        _ps_nft_rule_match_nfproto     (PsNftRule        *rule,
                                            guint8            family);
/* meta l4proto [!=] { tcp, udp } */
void        _ps_nft_rule_match_port_protocols (PsNftRule     *rule,
                                               gboolean       negate);
void        _ps_nft_rule_match_ct_new      (PsNftRule        *rule);
/* PROTOCOL dport { PORTS } */
void        _ps_nft_rule_match_ports       (PsNftRule        *rule,
                                            const char       *protocol,
                                            GArray           *ports);
void        _ps_nft_rule_counter           (PsNftRule        *rule);
/* "accept", "drop", "return" */
void        _ps_nft_rule_verdict           (PsNftRule        *rule,
                                            const char       *verdict);
/* KIND is "jump" or "goto" */
void        _ps_nft_rule_jump              (PsNftRule        *rule,
                                            const char       *kind,
                                            const char       *target);
/* rate-limited NFLOG to PS_POLICY_LOG_GROUP */
void        _ps_nft_rule_log               (PsNftRule        *rule,
                                            const char       *prefix);
/* update @blocked { DEVICE . PEER . meta l4proto . PEER-PORT } (port 0
 * without WITH_PORT); OUTBOUND: the device is the source */
void        _ps_nft_rule_update_blocked    (PsNftRule        *rule,
                                            guint8            family,
                                            gboolean          outbound,
                                            gboolean          with_port);
void        _ps_nft_rule_comment           (PsNftRule        *rule,
                                            const char       *comment);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsNftTable, _ps_nft_table_free)

G_END_DECLS
