/* ps-policy-compiler.c: a policy as one nftables table
 *
 * The policy is first turned into a small model of the table (sets, and
 * chains of rules: ps-nft-table.c); the libnftables JSON and the `nft -f`
 * script are two renderings of that one model, built statement by
 * statement side by side, so they cannot disagree.  Every string in it
 * comes from the validated policy (ids [A-Za-z0-9._:-], canonical
 * addresses, MACs, numbers); device ids are checked once more before they
 * go between quotes in the script.
 *
 * The table:
 *
 *   chain forward   hook forward, priority -10 (before the usual filter),
 *                   policy accept.  Nothing in input or output: the
 *                   gateway's own traffic is not the cameras'.  Per device
 *                   with a restricting intent: its packets (by MAC where
 *                   known, else by address) jump to devN_out; for
 *                   local-only and allow-list, new connections from
 *                   outside to its addresses jump to devN_in.
 *   devN_out        returns (lets pass) what goes to the LAN networks and
 *                   to viewers; then by intent: block-vendor-p2p sends what
 *                   goes to a P2P server address or port to devN_drop_out;
 *                   local-only sends everything else there; allow-list
 *                   returns what goes to its allowed networks first.
 *   devN_in         the same from the other side (local-only, allow-list):
 *                   only `ct state new`, so replies to what the device may
 *                   send are untouched; a device known by MAC only has no
 *                   such chain (the forward hook sees no destination MAC).
 *   devN_drop_*     a rate-limited NFLOG (group PS_POLICY_LOG_GROUP, prefix
 *                   "peerscope ID out|in"), an update of the dynamic set
 *                   "blocked" (or "blocked6") with a counter per element,
 *                   then `counter drop` in a rule of its own: a full set
 *                   makes its update rule stop, and must not let the
 *                   packet through.
 *   policy_digest   a chain nothing jumps to, whose one rule's comment is
 *                   "peerscope policy DIGEST" (libnftables 1.0.6 drops the
 *                   table comment given in JSON; the script sets both).
 *
 * Only outbound packets of the device and new inbound connections are
 * matched, never `ct state established` alone: a flow opened before the
 * policy changed is cut at its next packet, and what the device may do keeps
 * working both ways.
 *
 * The transaction: add the table (a no-op when it exists), delete it, add
 * it again and fill it.  libnftables sends it as one netlink batch, so the
 * kernel switches from the old table to the new one atomically.  Flushing
 * the table instead would keep the old sets, their elements and the old
 * comment.  A change of policy therefore also starts the counters and the
 * "blocked" sets afresh: whoever keeps running totals reads them first.
 *
 * DNS names in allow lists are left out (nftables matches addresses): the
 * caller resolves them first (ps_policy_dup_allow_names()); until then
 * their peers stay blocked, and the exports list them in a comment.
 *
 * nftables refuses overlapping intervals in a set, so networks covered by
 * another of the same set are dropped on the way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-policy-compiler"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-nft-table-private.h"
#include "ps-policy-compiler.h"
#include "ps-policy-private.h"

#define MARKER_CHAIN "policy_digest"

/* Building the table */

static const guint8 families[2] = { 4, 6 };
static const char * const ip_protocols[2] = { "ip", "ip6" };
static const char * const address_types[2] = { "ipv4_addr", "ipv6_addr" };

typedef struct
{
  PsNftSet *lan[2];        /* [0]: IPv4, [1]: IPv6 */
  PsNftSet *viewers[2];
  PsNftSet *p2p[2];
  GArray   *udp_ports;     /* guint16, sorted, unique */
  GArray   *tcp_ports;
} Shared;

static GPtrArray *
hosts_of_family (const char * const *addresses,
                 guint8              family)
{
  GPtrArray *hosts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    {
      PsNetwork network;

      if (_ps_network_parse (addresses[i], FALSE, &network) && network.family == family)
        g_ptr_array_add (hosts, g_strdup (addresses[i]));
    }

  return hosts;
}

/* PROTOCOL FIELD @SET counter return, when SET has elements */
static void
add_return (PsNftChain *chain,
            const char *protocol,
            const char *field,
            PsNftSet   *set)
{
  PsNftRule *rule;

  if (set == NULL || set->elements->len == 0)
    return;

  rule = _ps_nft_rule_new (chain);
  _ps_nft_rule_match_set (rule, protocol, field, set->name);
  _ps_nft_rule_counter (rule);
  _ps_nft_rule_verdict (rule, "return");
}

static void
add_goto (PsNftChain *chain,
          const char *target)
{
  PsNftRule *rule = _ps_nft_rule_new (chain);

  _ps_nft_rule_counter (rule);
  _ps_nft_rule_jump (rule, "goto", target);
}

static void
add_drop_chain (PsNftTable *table,
                const char *name,
                const char *device,
                gboolean    outbound)
{
  g_autofree char *prefix = NULL;
  PsNftChain *chain = _ps_nft_table_add_chain (table, name, FALSE);
  PsNftRule *rule;

  prefix = g_strdup_printf (PS_POLICY_LOG_PREFIX "%s %s", device, outbound ? "out" : "in");
  rule = _ps_nft_rule_new (chain);
  _ps_nft_rule_log (rule, prefix);

  for (guint f = 0; f < 2; f++)
    {
      for (guint p = 0; p < 2; p++)
        {
          gboolean with_port = p == 0;

          rule = _ps_nft_rule_new (chain);
          _ps_nft_rule_match_nfproto (rule, families[f]);
          _ps_nft_rule_match_port_protocols (rule, !with_port);
          _ps_nft_rule_counter (rule);
          _ps_nft_rule_update_blocked (rule, families[f], outbound, with_port);
        }
    }

  /* in a rule of its own: an update of a full set stops its rule */
  rule = _ps_nft_rule_new (chain);
  _ps_nft_rule_counter (rule);
  _ps_nft_rule_verdict (rule, "drop");
}

static void
add_device (PsNftTable         *table,
            PsNftChain         *forward,
            const Shared       *shared,
            guint               index,
            const char         *id,
            const char         *mac,
            const char * const *addresses,
            PsIntent            intent,
            const char * const *allow,
            GPtrArray          *names)
{
  g_autofree char *out_name = g_strdup_printf ("dev%u_out", index);
  g_autofree char *in_name = g_strdup_printf ("dev%u_in", index);
  g_autofree char *drop_out_name = g_strdup_printf ("dev%u_drop_out", index);
  g_autofree char *drop_in_name = g_strdup_printf ("dev%u_drop_in", index);
  gboolean inbound = intent == PS_INTENT_LOCAL_ONLY || intent == PS_INTENT_ALLOW_LIST;
  PsNftSet *mac_set = NULL;
  PsNftSet *hosts[2] = { NULL, NULL };
  PsNftSet *allowed[2] = { NULL, NULL };
  PsNftChain *out;
  PsNftChain *in;
  PsNftRule *rule;

  if (intent == PS_INTENT_OPEN)
    return;

  if (mac != NULL)
    {
      g_autofree char *name = g_strdup_printf ("dev%u_mac", index);
      GPtrArray *elements = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (elements, g_strdup (mac));
      mac_set = _ps_nft_table_add_set (table, name, "ether_addr", FALSE, elements);
    }
  for (guint f = 0; f < 2; f++)
    {
      g_autofree char *name = g_strdup_printf ("dev%u_v%u", index, families[f]);
      GPtrArray *elements = hosts_of_family (addresses, families[f]);

      if (elements->len > 0)
        hosts[f] = _ps_nft_table_add_set (table, name, address_types[f], FALSE, elements);
      else
        g_ptr_array_unref (elements);
    }
  if (intent == PS_INTENT_ALLOW_LIST)
    {
      for (guint f = 0; f < 2; f++)
        {
          g_autofree char *name = g_strdup_printf ("dev%u_allow%u", index, families[f]);
          GPtrArray *elements = _ps_networks_of_family (allow, families[f], f == 0 ? names : NULL);

          if (elements->len > 0)
            allowed[f] = _ps_nft_table_add_set (table, name, address_types[f], TRUE, elements);
          else
            g_ptr_array_unref (elements);
        }
    }

  /* which packets are the device's: by MAC where known, else by address */
  for (guint f = 0; f < 2; f++)
    {
      if (mac_set != NULL ? f > 0 : hosts[f] == NULL)
        continue;
      rule = _ps_nft_rule_new (forward);
      if (mac_set != NULL)
        _ps_nft_rule_match_set (rule, "ether", "saddr", mac_set->name);
      else
        _ps_nft_rule_match_set (rule, ip_protocols[f], "saddr", hosts[f]->name);
      _ps_nft_rule_counter (rule);
      _ps_nft_rule_jump (rule, "jump", out_name);
      _ps_nft_rule_comment (rule, id);
    }
  for (guint f = 0; inbound && f < 2; f++)
    {
      if (hosts[f] == NULL)
        continue;
      rule = _ps_nft_rule_new (forward);
      _ps_nft_rule_match_set (rule, ip_protocols[f], "daddr", hosts[f]->name);
      _ps_nft_rule_match_ct_new (rule);
      _ps_nft_rule_counter (rule);
      _ps_nft_rule_jump (rule, "jump", in_name);
      _ps_nft_rule_comment (rule, id);
    }

  /* what it sends */
  out = _ps_nft_table_add_chain (table, out_name, FALSE);
  for (guint f = 0; f < 2; f++)
    add_return (out, ip_protocols[f], "daddr", shared->lan[f]);
  for (guint f = 0; f < 2; f++)
    add_return (out, ip_protocols[f], "daddr", shared->viewers[f]);

  switch (intent)
    {
    case PS_INTENT_BLOCK_VENDOR_P2P:
      for (guint f = 0; f < 2; f++)
        {
          if (shared->p2p[f]->elements->len == 0)
            continue;
          rule = _ps_nft_rule_new (out);
          _ps_nft_rule_match_set (rule, ip_protocols[f], "daddr", shared->p2p[f]->name);
          _ps_nft_rule_counter (rule);
          _ps_nft_rule_jump (rule, "goto", drop_out_name);
        }
      if (shared->udp_ports->len > 0)
        {
          rule = _ps_nft_rule_new (out);
          _ps_nft_rule_match_ports (rule, "udp", shared->udp_ports);
          _ps_nft_rule_counter (rule);
          _ps_nft_rule_jump (rule, "goto", drop_out_name);
        }
      if (shared->tcp_ports->len > 0)
        {
          rule = _ps_nft_rule_new (out);
          _ps_nft_rule_match_ports (rule, "tcp", shared->tcp_ports);
          _ps_nft_rule_counter (rule);
          _ps_nft_rule_jump (rule, "goto", drop_out_name);
        }
      break;

    case PS_INTENT_ALLOW_LIST:
      for (guint f = 0; f < 2; f++)
        add_return (out, ip_protocols[f], "daddr", allowed[f]);
      add_goto (out, drop_out_name);
      break;

    case PS_INTENT_LOCAL_ONLY:
      add_goto (out, drop_out_name);
      break;

    case PS_INTENT_OPEN:
    default:
      g_assert_not_reached ();
    }
  add_drop_chain (table, drop_out_name, id, TRUE);

  /* new connections from outside */
  if (!inbound || (hosts[0] == NULL && hosts[1] == NULL))
    return;

  in = _ps_nft_table_add_chain (table, in_name, FALSE);
  for (guint f = 0; f < 2; f++)
    add_return (in, ip_protocols[f], "saddr", shared->lan[f]);
  for (guint f = 0; f < 2; f++)
    add_return (in, ip_protocols[f], "saddr", shared->viewers[f]);
  for (guint f = 0; f < 2; f++)
    add_return (in, ip_protocols[f], "saddr", allowed[f]);
  add_goto (in, drop_in_name);
  add_drop_chain (table, drop_in_name, id, FALSE);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GStrv
sorted_unique_strv (GPtrArray *strings)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_ptr_array_sort (strings, compare_strings);
  for (guint i = 0; i < strings->len; i++)
    if (i == 0 || strcmp (strings->pdata[i - 1], strings->pdata[i]) != 0)
      g_strv_builder_add (builder, strings->pdata[i]);

  return g_strv_builder_end (builder);
}

/* NAMES: the allow-list names left out, sorted, or NULL */
static PsNftTable *
table_build (PsPolicy *policy,
             GStrv    *names_out,
             GError  **error)
{
  g_autoptr(PsNftTable) table = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *digest = NULL;
  g_autoptr(GArray) udp_ports = NULL;
  g_autoptr(GArray) tcp_ports = NULL;
  g_autofree char *marker_comment = NULL;
  g_auto(GStrv) ids = NULL;
  Shared shared = { { NULL } };
  PsNftChain *forward;
  PsNftRule *rule;

  digest = ps_policy_digest (policy);
  table = _ps_nft_table_new (digest);

  for (guint f = 0; f < 2; f++)
    {
      g_autofree char *lan = g_strdup_printf ("lan%u", families[f]);
      g_autofree char *viewers = g_strdup_printf ("viewers%u", families[f]);
      g_autofree char *p2p = g_strdup_printf ("p2p%u", families[f]);
      GPtrArray *elements;

      elements = _ps_networks_of_family (ps_policy_get_lan_networks (policy), families[f], NULL);
      shared.lan[f] = _ps_nft_table_add_set (table, lan, address_types[f], TRUE, elements);
      elements = _ps_networks_of_family (ps_policy_get_viewers (policy), families[f], NULL);
      shared.viewers[f] = _ps_nft_table_add_set (table, viewers, address_types[f], TRUE, elements);
      elements = _ps_networks_of_family (ps_policy_get_p2p_servers (policy), families[f], NULL);
      shared.p2p[f] = _ps_nft_table_add_set (table, p2p, address_types[f], TRUE, elements);
    }
  _ps_nft_table_add_blocked_set (table, 4);
  _ps_nft_table_add_blocked_set (table, 6);

  _ps_policy_dup_p2p_ports (policy, &udp_ports, &tcp_ports);
  shared.udp_ports = udp_ports;
  shared.tcp_ports = tcp_ports;

  rule = _ps_nft_rule_new (_ps_nft_table_add_chain (table, MARKER_CHAIN, FALSE));
  _ps_nft_rule_counter (rule);
  marker_comment = g_strconcat (PS_NFT_DIGEST_PREFIX, table->digest, NULL);
  _ps_nft_rule_comment (rule, marker_comment);

  forward = _ps_nft_table_add_chain (table, "forward", TRUE);
  ids = ps_policy_dup_devices (policy);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      const char *mac;
      const char * const *addresses;
      const char * const *allow;
      PsIntent intent;

      /* ids go between quotes in the script: never trust that blindly */
      if (!ps_policy_get_device (policy, ids[i], &mac, &addresses, &intent, &allow) ||
          !_ps_device_id_is_valid (ids[i]))
        {
          g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                       _("The policy cannot be compiled"));
          return NULL;
        }
      add_device (table, forward, &shared, i, ids[i], mac, addresses, intent, allow, names);
    }
  if (names_out != NULL)
    *names_out = sorted_unique_strv (names);

  return g_steal_pointer (&table);
}

/* Public API */

char *
ps_policy_digest (PsPolicy *policy)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (PS_IS_POLICY (policy), NULL);

  json = ps_policy_to_json (policy);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, json, -1);
}

JsonNode *
ps_policy_compile (PsPolicy *policy,
                   GError  **error)
{
  g_autoptr(PsNftTable) table = NULL;

  g_return_val_if_fail (PS_IS_POLICY (policy), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  table = table_build (policy, NULL, error);
  if (table == NULL)
    return NULL;

  return _ps_nft_table_to_json (table);
}

JsonNode *
ps_policy_compile_removal (void)
{
  return _ps_nft_removal ();
}

char *
ps_policy_export_nft (PsPolicy *policy,
                      GError  **error)
{
  g_autoptr(PsNftTable) table = NULL;
  g_auto(GStrv) names = NULL;
  GString *text;

  g_return_val_if_fail (PS_IS_POLICY (policy), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  table = table_build (policy, &names, error);
  if (table == NULL)
    return NULL;

  text = g_string_new ("#!/usr/sbin/nft -f\n");
  g_string_append_printf (text,
    "# Peerscope policy %s\n"
    "#\n"
    "# What each camera may reach, for a Linux gateway with nftables.  As root:\n"
    "#   nft -f THIS-FILE\n"
    "# replaces the table inet peerscope, and only it, in one transaction; the\n"
    "# gateway's other tables are not touched.  To keep it across reboots,\n"
    "# include it from /etc/nftables.conf.  To remove it:\n"
    "#   nft delete table inet peerscope\n"
    "# Blocked packets are counted, kept in the sets \"blocked\" and \"blocked6\"\n"
    "# (nft list set inet peerscope blocked) and logged to NFLOG group %u.\n"
    "# On OpenWrt, use the OpenWrt export: firewall4 owns the ruleset there.\n",
    table->digest, PS_POLICY_LOG_GROUP);
  if (names[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (" ", names);

      g_string_append_printf (text,
        "#\n"
        "# Not in these rules (nftables matches addresses, not names), so blocked:\n"
        "#   %s\n"
        "# Export again once Peerscope has resolved them.\n", joined);
    }
  g_string_append (text, "\n"
                   "# creates the table if it is missing, so that deleting it cannot fail\n"
                   "table inet peerscope\n"
                   "delete table inet peerscope\n\n");
  _ps_nft_table_to_text (table, text);

  return g_string_free (text, FALSE);
}

static const char *
get_string_member (JsonObject *object,
                   const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static char *
digest_of_comment (const char *comment)
{
  const char *digest;

  if (comment == NULL || !g_str_has_prefix (comment, PS_NFT_DIGEST_PREFIX))
    return NULL;
  digest = comment + strlen (PS_NFT_DIGEST_PREFIX);
  if (strlen (digest) != 64)
    return NULL;
  for (guint i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (digest[i]) || g_ascii_isupper (digest[i]))
      return NULL;

  return g_strdup (digest);
}

char *
ps_policy_find_digest (JsonNode *ruleset)
{
  JsonObject *root;
  JsonNode *node;
  JsonArray *items;

  g_return_val_if_fail (ruleset != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (ruleset))
    return NULL;
  root = json_node_get_object (ruleset);
  node = json_object_get_member (root, "nftables");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  items = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      JsonObject *object;
      JsonNode *inner;
      char *digest;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      object = json_node_get_object (item);
      /* compiled commands wrap objects in {"add": …} */
      inner = json_object_get_member (object, "add");
      if (inner != NULL && JSON_NODE_HOLDS_OBJECT (inner))
        object = json_node_get_object (inner);

      inner = json_object_get_member (object, "table");
      if (inner == NULL)
        inner = json_object_get_member (object, "rule");
      if (inner == NULL || !JSON_NODE_HOLDS_OBJECT (inner))
        continue;
      object = json_node_get_object (inner);

      if (g_strcmp0 (get_string_member (object, "family"), PS_POLICY_TABLE_FAMILY) != 0)
        continue;
      if (json_object_has_member (object, "chain"))
        {
          if (g_strcmp0 (get_string_member (object, "table"), PS_POLICY_TABLE_NAME) != 0 ||
              g_strcmp0 (get_string_member (object, "chain"), MARKER_CHAIN) != 0)
            continue;
        }
      else if (g_strcmp0 (get_string_member (object, "name"), PS_POLICY_TABLE_NAME) != 0)
        continue;

      digest = digest_of_comment (get_string_member (object, "comment"));
      if (digest != NULL)
        return digest;
    }

  return NULL;
}
