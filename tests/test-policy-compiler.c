/* test-policy-compiler.c: the compiler, the exports and the store, without
 * touching any firewall (tests/test-policy-nft.c loads the results into a
 * kernel)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ps-policy-compiler.h"
#include "ps-test-policy.h"

static JsonArray *
commands_of (JsonNode *root)
{
  JsonObject *object;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);
  g_assert_cmpuint (json_object_get_size (object), ==, 1);
  return json_object_get_array_member (object, "nftables");
}

/* {"add": {KIND: {...}}} → the inner object, or NULL */
static JsonObject *
added (JsonArray  *commands,
       guint       i,
       const char *kind)
{
  JsonObject *command = json_array_get_object_element (commands, i);
  JsonObject *inner;

  if (!json_object_has_member (command, "add"))
    return NULL;
  inner = json_object_get_object_member (command, "add");
  if (!json_object_has_member (inner, kind))
    return NULL;
  return json_object_get_object_member (inner, kind);
}

static JsonObject *
find_added (JsonArray  *commands,
            const char *kind,
            const char *name)
{
  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      JsonObject *object = added (commands, i, kind);

      if (object != NULL && g_strcmp0 (json_object_get_string_member (object, "name"), name) == 0)
        return object;
    }
  return NULL;
}

/* The rules of CHAIN, as their "expr" arrays in JSON text */
static GPtrArray *
rules_of (JsonArray  *commands,
          const char *chain)
{
  GPtrArray *rules = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      JsonObject *object = added (commands, i, "rule");
      g_autoptr(JsonNode) expr = NULL;

      if (object == NULL || g_strcmp0 (json_object_get_string_member (object, "chain"), chain) != 0)
        continue;
      g_assert_cmpstr (json_object_get_string_member (object, "family"), ==, "inet");
      g_assert_cmpstr (json_object_get_string_member (object, "table"), ==, "peerscope");
      expr = json_node_copy (json_object_get_member (object, "expr"));
      g_ptr_array_add (rules, json_to_string (expr, FALSE));
    }
  return rules;
}

static gboolean
any_contains (GPtrArray  *rules,
              const char *text)
{
  for (guint i = 0; i < rules->len; i++)
    if (strstr (rules->pdata[i], text) != NULL)
      return TRUE;
  return FALSE;
}

static void
assert_table_skeleton (JsonArray *commands,
                       PsPolicy  *policy)
{
  g_autofree char *digest = ps_policy_digest (policy);
  g_autofree char *comment = g_strconcat ("peerscope policy ", digest, NULL);
  JsonObject *object;
  guint hooks = 0;

  /* metainfo, then create, delete, create with the digest: one transaction */
  g_assert_true (json_object_has_member (json_array_get_object_element (commands, 0), "metainfo"));
  object = added (commands, 1, "table");
  g_assert_nonnull (object);
  g_assert_cmpstr (json_object_get_string_member (object, "family"), ==, "inet");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "peerscope");
  g_assert_false (json_object_has_member (object, "comment"));
  object = json_object_get_object_member (
    json_object_get_object_member (json_array_get_object_element (commands, 2), "delete"), "table");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "peerscope");
  object = added (commands, 3, "table");
  g_assert_cmpstr (json_object_get_string_member (object, "comment"), ==, comment);

  /* every command is an "add" in our table, after those four */
  for (guint i = 4; i < json_array_get_length (commands); i++)
    {
      JsonObject *command = json_array_get_object_element (commands, i);
      JsonObject *inner;
      JsonObject *element;
      g_autoptr(GList) kinds = NULL;

      g_assert_cmpuint (json_object_get_size (command), ==, 1);
      g_assert_true (json_object_has_member (command, "add"));
      inner = json_object_get_object_member (command, "add");
      kinds = json_object_get_members (inner);
      g_assert_cmpuint (g_list_length (kinds), ==, 1);
      element = json_object_get_object_member (inner, kinds->data);
      g_assert_cmpstr (json_object_get_string_member (element, "family"), ==, "inet");
      g_assert_cmpstr (json_object_get_string_member (element, "table"), ==, "peerscope");
      if (json_object_has_member (element, "hook"))
        {
          /* one base chain, on forward: the gateway's own traffic is left alone */
          hooks++;
          g_assert_cmpstr (json_object_get_string_member (element, "hook"), ==, "forward");
          g_assert_cmpstr (json_object_get_string_member (element, "type"), ==, "filter");
          g_assert_cmpint (json_object_get_int_member (element, "prio"), ==, -10);
          g_assert_cmpstr (json_object_get_string_member (element, "policy"), ==, "accept");
        }
    }
  g_assert_cmpuint (hooks, ==, 1);

  /* the digest, also where libnftables 1.0.6 keeps it */
  {
    g_autofree char *found = NULL;
    g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
    JsonObject *wrapper = json_object_new ();

    json_object_set_array_member (wrapper, "nftables", json_array_ref (commands));
    json_node_take_object (root, wrapper);
    found = ps_policy_find_digest (root);
    g_assert_cmpstr (found, ==, digest);
  }

  /* the blocked sets: (device . peer . protocol . port), with counters */
  object = find_added (commands, "set", "blocked");
  g_assert_nonnull (object);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "type")), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (object, "type"), 3),
                   ==, "inet_service");
  g_assert_true (json_object_has_member (object, "stmt"));
  g_assert_true (json_object_has_member (object, "timeout"));
  g_assert_nonnull (find_added (commands, "set", "blocked6"));
  g_assert_nonnull (find_added (commands, "set", "lan4"));
  g_assert_nonnull (find_added (commands, "set", "lan6"));
}

/* Every rule that drops counts; every drop chain logs and records */
static void
assert_drop_chains (JsonArray  *commands,
                    const char *chain)
{
  g_autoptr(GPtrArray) rules = rules_of (commands, chain);
  guint drops = 0;

  g_assert_cmpuint (rules->len, >, 0);
  g_assert_true (any_contains (rules, "\"group\":4242"));
  g_assert_true (any_contains (rules, "\"limit\""));
  g_assert_true (any_contains (rules, "\"set\":\"@blocked\""));
  g_assert_true (any_contains (rules, "\"set\":\"@blocked6\""));
  for (guint i = 0; i < rules->len; i++)
    {
      const char *rule = rules->pdata[i];

      if (strstr (rule, "\"drop\"") == NULL)
        continue;
      drops++;
      g_assert_nonnull (strstr (rule, "\"counter\""));
      /* the drop is in a rule of its own, after the set update */
      g_assert_null (strstr (rule, "\"update\""));
      g_assert_cmpuint (i, ==, rules->len - 1);
    }
  g_assert_cmpuint (drops, ==, 1);
}

static void
assert_all_rules_count (JsonArray *commands)
{
  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      JsonObject *object = added (commands, i, "rule");
      g_autoptr(JsonNode) expr = NULL;
      g_autofree char *text = NULL;

      if (object == NULL)
        continue;
      expr = json_node_copy (json_object_get_member (object, "expr"));
      text = json_to_string (expr, FALSE);
      /* the log rule is the one without (its packets are counted next) */
      if (strstr (text, "\"log\"") == NULL)
        g_assert_nonnull (strstr (text, "\"counter\""));
    }
}

static JsonNode *
compile_one (PsIntent             intent,
             const char          *mac,
             const char * const  *allow,
             PsPolicy           **policy_out)
{
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  g_autoptr(GError) error = NULL;
  const char *servers[] = { "198.51.100.10", "2001:db8:100::10", NULL };
  JsonNode *root;

  g_assert_true (ps_policy_set_device (policy, "cam", mac, cam_addresses, intent, allow, &error));
  g_assert_true (ps_policy_set_p2p_servers (policy, servers, &error));
  g_assert_no_error (error);
  root = ps_policy_compile (policy, &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);
  *policy_out = g_steal_pointer (&policy);

  return root;
}

static void
test_compile_block_vendor_p2p (void)
{
  g_autoptr(PsPolicy) policy = NULL;
  g_autoptr(JsonNode) root = compile_one (PS_INTENT_BLOCK_VENDOR_P2P, CAM_MAC, NULL, &policy);
  JsonArray *commands = commands_of (root);
  g_autoptr(GPtrArray) forward = rules_of (commands, "forward");
  g_autoptr(GPtrArray) out = rules_of (commands, "dev0_out");
  JsonObject *set;

  assert_table_skeleton (commands, policy);
  assert_all_rules_count (commands);

  /* matched by MAC, outbound only */
  set = find_added (commands, "set", "dev0_mac");
  g_assert_nonnull (set);
  g_assert_cmpstr (json_object_get_string_member (set, "type"), ==, "ether_addr");
  g_assert_cmpuint (forward->len, ==, 1);
  g_assert_nonnull (strstr (forward->pdata[0], "\"protocol\":\"ether\",\"field\":\"saddr\""));
  g_assert_nonnull (strstr (forward->pdata[0], "\"right\":\"@dev0_mac\""));
  g_assert_nonnull (strstr (forward->pdata[0], "\"jump\":{\"target\":\"dev0_out\"}"));
  g_assert_null (find_added (commands, "chain", "dev0_in"));

  /* the LAN first, then the P2P servers and ports */
  g_assert_nonnull (strstr (out->pdata[0], "\"right\":\"@lan4\""));
  g_assert_nonnull (strstr (out->pdata[0], "\"return\""));
  g_assert_true (any_contains (out, "\"right\":\"@p2p4\""));
  g_assert_true (any_contains (out, "\"right\":\"@p2p6\""));
  g_assert_true (any_contains (out, "{\"protocol\":\"udp\",\"field\":\"dport\"}},"
                                    "\"right\":{\"set\":[9999,10001,32100]}"));
  g_assert_true (any_contains (out, "{\"protocol\":\"tcp\",\"field\":\"dport\"}},"
                                    "\"right\":{\"set\":[9999]}"));
  g_assert_true (any_contains (out, "\"goto\":{\"target\":\"dev0_drop_out\"}"));
  /* and nothing else is dropped: the chain ends without a verdict */
  g_assert_false (any_contains (out, "\"drop\""));
  g_assert_nonnull (strstr (out->pdata[out->len - 1], "\"protocol\":\"tcp\""));
  assert_drop_chains (commands, "dev0_drop_out");
  {
    g_autoptr(GPtrArray) drop = rules_of (commands, "dev0_drop_out");

    g_assert_true (any_contains (drop, "\"prefix\":\"peerscope cam out\""));
    g_assert_true (any_contains (drop, "{\"payload\":{\"protocol\":\"ip\",\"field\":\"saddr\"}},"
                                       "{\"payload\":{\"protocol\":\"ip\",\"field\":\"daddr\"}},"
                                       "{\"meta\":{\"key\":\"l4proto\"}},"
                                       "{\"payload\":{\"protocol\":\"th\",\"field\":\"dport\"}}"));
  }
}

static void
test_compile_local_only (void)
{
  g_autoptr(PsPolicy) policy = NULL;
  g_autoptr(JsonNode) root = compile_one (PS_INTENT_LOCAL_ONLY, NULL, NULL, &policy);
  JsonArray *commands = commands_of (root);
  g_autoptr(GPtrArray) forward = rules_of (commands, "forward");
  g_autoptr(GPtrArray) out = rules_of (commands, "dev0_out");
  g_autoptr(GPtrArray) in = rules_of (commands, "dev0_in");
  JsonObject *set;

  assert_table_skeleton (commands, policy);
  assert_all_rules_count (commands);

  /* by address, both families, both ways */
  set = find_added (commands, "set", "dev0_v4");
  g_assert_nonnull (set);
  g_assert_cmpstr (json_object_get_string_member (set, "type"), ==, "ipv4_addr");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (set, "elem"), 0),
                   ==, "192.168.1.11");
  set = find_added (commands, "set", "dev0_v6");
  g_assert_nonnull (set);
  g_assert_cmpuint (forward->len, ==, 4);
  g_assert_true (any_contains (forward, "\"field\":\"saddr\"}},\"right\":\"@dev0_v4\""));
  g_assert_true (any_contains (forward, "\"field\":\"saddr\"}},\"right\":\"@dev0_v6\""));
  g_assert_true (any_contains (forward, "{\"match\":{\"op\":\"in\",\"left\":{\"ct\":{\"key\":"
                                        "\"state\"}},\"right\":\"new\"}}"));
  g_assert_true (any_contains (forward, "\"jump\":{\"target\":\"dev0_in\"}"));

  /* the LAN and nothing else */
  g_assert_cmpuint (out->len, ==, 3);
  g_assert_nonnull (strstr (out->pdata[2], "[{\"counter\":null},{\"goto\":{\"target\":"
                                           "\"dev0_drop_out\"}}]"));
  g_assert_false (any_contains (out, "@p2p4"));
  g_assert_true (any_contains (in, "\"field\":\"saddr\"}},\"right\":\"@lan4\""));
  g_assert_nonnull (strstr (in->pdata[in->len - 1], "\"goto\":{\"target\":\"dev0_drop_in\"}"));
  assert_drop_chains (commands, "dev0_drop_out");
  assert_drop_chains (commands, "dev0_drop_in");
  {
    g_autoptr(GPtrArray) drop = rules_of (commands, "dev0_drop_in");

    /* inbound: the device is the destination, the port the peer's */
    g_assert_true (any_contains (drop, "\"prefix\":\"peerscope cam in\""));
    g_assert_true (any_contains (drop, "{\"payload\":{\"protocol\":\"ip6\",\"field\":\"daddr\"}},"
                                       "{\"payload\":{\"protocol\":\"ip6\",\"field\":\"saddr\"}},"
                                       "{\"meta\":{\"key\":\"l4proto\"}},"
                                       "{\"payload\":{\"protocol\":\"th\",\"field\":\"sport\"}}"));
  }
}

static void
test_compile_allow_list (void)
{
  const char *allow[] = { "192.0.2.0/24", "192.0.2.10", "2001:db8:77::/48", "cloud.example",
                          NULL };
  g_autoptr(PsPolicy) policy = NULL;
  g_autoptr(JsonNode) root = compile_one (PS_INTENT_ALLOW_LIST, NULL, allow, &policy);
  JsonArray *commands = commands_of (root);
  g_autoptr(GPtrArray) out = rules_of (commands, "dev0_out");
  g_autoptr(GPtrArray) in = rules_of (commands, "dev0_in");
  g_autofree char *json = json_to_string (root, FALSE);
  JsonObject *set;
  JsonArray *elements;

  assert_table_skeleton (commands, policy);
  assert_all_rules_count (commands);

  /* networks in interval sets, the covered address left out (nftables
   * refuses overlaps), the name left out */
  set = find_added (commands, "set", "dev0_allow4");
  g_assert_nonnull (set);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (set, "flags"), 0),
                   ==, "interval");
  elements = json_object_get_array_member (set, "elem");
  g_assert_cmpuint (json_array_get_length (elements), ==, 1);
  g_assert_nonnull (find_added (commands, "set", "dev0_allow6"));
  g_assert_null (strstr (json, "cloud.example"));
  g_assert_true (any_contains (out, "\"right\":\"@dev0_allow4\""));
  g_assert_true (any_contains (out, "\"right\":\"@dev0_allow6\""));
  g_assert_true (any_contains (in, "\"right\":\"@dev0_allow4\""));
  g_assert_nonnull (strstr (out->pdata[out->len - 1], "\"goto\":{\"target\":\"dev0_drop_out\"}"));
  assert_drop_chains (commands, "dev0_drop_out");
  assert_drop_chains (commands, "dev0_drop_in");
}

static void
test_compile_open (void)
{
  g_autoptr(PsPolicy) policy = NULL;
  g_autoptr(JsonNode) root = compile_one (PS_INTENT_OPEN, CAM_MAC, NULL, &policy);
  JsonArray *commands = commands_of (root);
  g_autoptr(GPtrArray) forward = rules_of (commands, "forward");

  assert_table_skeleton (commands, policy);
  g_assert_cmpuint (forward->len, ==, 0);
  g_assert_null (find_added (commands, "set", "dev0_mac"));
  g_assert_null (find_added (commands, "chain", "dev0_out"));
}

static void
test_compile_overlaps (void)
{
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  const char *lan[] = { "10.0.0.0/8", "10.1.0.0/16", "10.0.0.5", "192.168.1.0/24",
                        "192.168.0.0/16", "fd00::/8", "fd00:1::/64", NULL };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *lan4 = NULL;
  g_autofree char *lan6 = NULL;
  JsonArray *commands;

  g_assert_true (ps_policy_set_lan_networks (policy, lan, NULL));
  root = ps_policy_compile (policy, NULL);
  commands = commands_of (root);
  {
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

    json_node_set_object (node, find_added (commands, "set", "lan4"));
    lan4 = json_to_string (node, FALSE);
    json_node_set_object (node, find_added (commands, "set", "lan6"));
    lan6 = json_to_string (node, FALSE);
  }
  g_assert_nonnull (strstr (lan4, "\"elem\":[{\"prefix\":{\"addr\":\"10.0.0.0\",\"len\":8}},"
                                  "{\"prefix\":{\"addr\":\"192.168.0.0\",\"len\":16}}]"));
  g_assert_nonnull (strstr (lan6, "\"elem\":[{\"prefix\":{\"addr\":\"fd00::\",\"len\":8}}]"));
}

static void
test_compile_removal (void)
{
  g_autoptr(JsonNode) root = ps_policy_compile_removal ();
  g_autofree char *json = json_to_string (root, FALSE);

  g_assert_cmpstr (json, ==, "{\"nftables\":[{\"delete\":{\"table\":{\"family\":\"inet\","
                             "\"name\":\"peerscope\"}}}]}");
}

static void
test_find_digest (void)
{
  static const char * const none[] = {
    "[]", "{}", "{\"nftables\":{}}", "{\"nftables\":[1,\"x\",null]}",
    "{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"peerscope\"}}]}",
    /* other tables, chains, or not a digest */
    "{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"other\",\"comment\":"
      "\"peerscope policy 0000000000000000000000000000000000000000000000000000000000000000\"}}]}",
    "{\"nftables\":[{\"rule\":{\"family\":\"inet\",\"table\":\"peerscope\",\"chain\":\"forward\","
      "\"comment\":\"peerscope policy "
      "0000000000000000000000000000000000000000000000000000000000000000\"}}]}",
    "{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"peerscope\",\"comment\":"
      "\"peerscope policy 00\"}}]}",
    "{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"peerscope\",\"comment\":"
      "\"peerscope policy 000000000000000000000000000000000000000000000000000000000000000G\"}}]}",
    "{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"peerscope\",\"comment\":5}}]}",
    NULL
  };
  /* as `nft -j list table inet peerscope` prints it */
  static const char listing[] =
    "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"json_schema_version\": 1}},"
    " {\"table\": {\"family\": \"inet\", \"name\": \"peerscope\", \"handle\": 7}},"
    " {\"chain\": {\"family\": \"inet\", \"table\": \"peerscope\", \"name\": \"policy_digest\","
    "  \"handle\": 1}},"
    " {\"rule\": {\"family\": \"inet\", \"table\": \"peerscope\", \"chain\": \"policy_digest\","
    "  \"handle\": 40, \"comment\": \"peerscope policy "
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", \"expr\": "
    "[{\"counter\": {\"packets\": 0, \"bytes\": 0}}]}}]}";

  for (guint i = 0; none[i] != NULL; i++)
    {
      g_autoptr(JsonNode) root = json_from_string (none[i], NULL);
      g_autofree char *digest = NULL;

      g_assert_nonnull (root);
      digest = ps_policy_find_digest (root);
      g_assert_null (digest);
    }
  {
    g_autoptr(JsonNode) root = json_from_string (listing, NULL);
    g_autofree char *digest = ps_policy_find_digest (root);

    g_assert_cmpstr (digest, ==,
                     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  }
}

/* The exports */

static void
test_export_nft (void)
{
  g_autoptr(PsPolicy) policy = sample_policy ();
  g_autoptr(GError) error = NULL;
  g_autofree char *script = ps_policy_export_nft (policy, &error);
  g_autofree char *digest = ps_policy_digest (policy);
  g_autofree char *comment = g_strdup_printf ("\tcomment \"peerscope policy %s\"\n", digest);
  g_auto(GStrv) lines = NULL;
  int depth = 0;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (script, "#!/usr/sbin/nft -f\n"));
  /* replaces the table atomically when loaded with nft -f */
  g_assert_nonnull (strstr (script, "\ntable inet peerscope\ndelete table inet peerscope\n\n"
                                    "table inet peerscope {\n"));
  g_assert_nonnull (strstr (script, comment));
  g_assert_nonnull (strstr (script, "nft -f"));
  g_assert_nonnull (strstr (script, "\t\ttype filter hook forward priority -10; policy accept;\n"));
  g_assert_nonnull (strstr (script, "ether saddr @dev3_mac counter jump dev3_out comment "
                                    "\"cam-p2p\"\n"));
  g_assert_nonnull (strstr (script, "udp dport { 9999, 10001, 32100 } counter goto "
                                    "dev3_drop_out\n"));
  g_assert_nonnull (strstr (script, "log prefix \"peerscope cam-local out\" group 4242"));
  g_assert_nonnull (strstr (script, "counter update @blocked { ip saddr . ip daddr . "
                                    "meta l4proto . th dport }"));
  g_assert_nonnull (strstr (script, "ip daddr @dev1_v4 ct state new counter jump dev1_in"));
  g_assert_nonnull (strstr (script, "\t\tcounter drop\n"));
  g_assert_nonnull (strstr (script, "\t\tflags dynamic,timeout\n"));
  /* the name nobody resolved, said, and not in a rule */
  g_assert_nonnull (strstr (script, "#   ntp.example.org\n"));
  lines = g_strsplit (script, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '#')
        continue;
      g_assert_null (strstr (lines[i], "ntp.example.org"));
      for (const char *c = lines[i]; *c != '\0'; c++)
        {
          depth += *c == '{';
          depth -= *c == '}';
          g_assert_cmpint (depth, >=, 0);
        }
    }
  g_assert_cmpint (depth, ==, 0);
  /* nothing for the open camera */
  g_assert_null (strstr (script, "cam-open"));
}

/* UCI: config TYPE ['NAME'], option KEY 'VALUE', list KEY 'VALUE' */
static void
assert_uci_parses (const char *text)
{
  g_autoptr(GRegex) config = g_regex_new ("^config [a-z]+( '[A-Za-z0-9_]+')?$", 0, 0, NULL);
  g_autoptr(GRegex) option = g_regex_new ("^\t(option|list) [a-z_]+ '[^'\n]*'$", 0, 0, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean in_section = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (line[0] == '\0' || line[0] == '#')
        continue;
      if (g_regex_match (config, line, 0, NULL))
        in_section = TRUE;
      else if (!in_section || !g_regex_match (option, line, 0, NULL))
        g_error ("not UCI: %s", line);
    }
}

static void
test_export_openwrt (void)
{
  g_autoptr(PsPolicy) policy = sample_policy ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uci = ps_policy_export_openwrt (policy, &error);
  g_autofree char *digest = ps_policy_digest (policy);

  g_assert_no_error (error);
  assert_uci_parses (uci);
  g_assert_nonnull (strstr (uci, digest));
  g_assert_nonnull (strstr (uci, "uci -m import firewall"));
  g_assert_nonnull (strstr (uci, "reload"));
  g_assert_nonnull (strstr (uci, "\nconfig rule 'peerscope_dev1_local_only'\n"
                                 "\toption name 'Peerscope: cam-local: local only'\n"
                                 "\toption src 'lan'\n\toption dest 'wan'\n"
                                 "\toption proto 'all'\n\tlist src_ip '192.168.1.14'\n"
                                 "\tlist dest_ip '!10.0.0.0/8'\n"));
  g_assert_nonnull (strstr (uci, "\tlist dest_ip '!203.0.113.10'\n"));
  g_assert_nonnull (strstr (uci, "\nconfig rule 'peerscope_dev3_p2p_udp'\n"));
  g_assert_nonnull (strstr (uci, "\tlist src_mac '" CAM_MAC "'\n"));
  g_assert_nonnull (strstr (uci, "\tlist dest_port '32100'\n"));
  g_assert_nonnull (strstr (uci, "\nconfig rule 'peerscope_dev3_p2p_servers'\n"));
  g_assert_nonnull (strstr (uci, "\tlist dest_ip '198.51.100.0/28'\n"));
  g_assert_nonnull (strstr (uci, "\tlist dest_ip '!2001:db8:77::/48'\n"));
  g_assert_nonnull (strstr (uci, "\toption target 'DROP'\n"));
  g_assert_null (strstr (uci, "'ACCEPT'"));
  g_assert_null (strstr (uci, "cam-open"));
  /* the unresolved name only in a comment */
  g_assert_nonnull (strstr (uci, "# blocked: ntp.example.org\n"));
  g_assert_null (strstr (uci, "'ntp.example.org'"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/policy/compile/block-vendor-p2p", test_compile_block_vendor_p2p);
  g_test_add_func ("/policy/compile/local-only", test_compile_local_only);
  g_test_add_func ("/policy/compile/allow-list", test_compile_allow_list);
  g_test_add_func ("/policy/compile/open", test_compile_open);
  g_test_add_func ("/policy/compile/overlaps", test_compile_overlaps);
  g_test_add_func ("/policy/compile/removal", test_compile_removal);
  g_test_add_func ("/policy/compile/find-digest", test_find_digest);
  g_test_add_func ("/policy/export/nft", test_export_nft);
  g_test_add_func ("/policy/export/openwrt", test_export_openwrt);

  return g_test_run ();
}
