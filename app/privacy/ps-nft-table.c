/* ps-nft-table.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-policy-compiler"

#include "config.h"

#include <string.h>

#include "ps-nft-table-private.h"
#include "ps-policy-compiler.h"
#include "ps-policy-private.h"

#define FORWARD_PRIORITY      -10      /* before the usual filter (0) */
#define BLOCKED_TIMEOUT       86400    /* seconds without a new attempt */
#define BLOCKED_SIZE          65536
#define LOG_RATE              10       /* per second, per device and direction */
#define LOG_BURST             20

static void
nft_set_free (PsNftSet *set)
{
  g_free (set->name);
  g_ptr_array_unref (set->elements);
  g_free (set);
}

static void
nft_rule_free (PsNftRule *rule)
{
  json_array_unref (rule->expr);
  g_string_free (rule->text, TRUE);
  g_free (rule->comment);
  g_free (rule);
}

static void
nft_chain_free (PsNftChain *chain)
{
  g_free (chain->name);
  g_ptr_array_unref (chain->rules);
  g_free (chain);
}

void
_ps_nft_table_free (PsNftTable *table)
{
  g_free (table->digest);
  g_ptr_array_unref (table->sets);
  g_ptr_array_unref (table->chains);
  g_free (table);
}

PsNftTable *
_ps_nft_table_new (const char *digest)
{
  PsNftTable *table = g_new0 (PsNftTable, 1);

  table->digest = g_strdup (digest);
  table->sets = g_ptr_array_new_with_free_func ((GDestroyNotify) nft_set_free);
  table->chains = g_ptr_array_new_with_free_func ((GDestroyNotify) nft_chain_free);

  return table;
}

/* JSON nodes */

static JsonNode *
node_string (const char *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  return node;
}

static JsonNode *
node_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

static JsonNode *
node_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);
  return node;
}

/* {KEY: VALUE} */
static JsonNode *
node_wrap (const char *key,
           JsonNode   *value)
{
  JsonObject *object = json_object_new ();

  json_object_set_member (object, key, value);
  return node_object (object);
}

static JsonObject *
object_in_table (void)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "family", PS_POLICY_TABLE_FAMILY);
  json_object_set_string_member (object, "table", PS_POLICY_TABLE_NAME);
  return object;
}

static JsonNode *
node_payload (const char *protocol,
              const char *field)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "protocol", protocol);
  json_object_set_string_member (object, "field", field);
  return node_wrap ("payload", node_object (object));
}

static JsonNode *
node_key (const char *kind,
          const char *key)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "key", key);
  return node_wrap (kind, node_object (object));
}

/* A set element: an address or MAC as a string, a network as a prefix */
static JsonNode *
node_element (const char *element)
{
  g_autofree char *address = NULL;
  PsNetwork network;
  JsonObject *prefix;

  if (strchr (element, '/') == NULL || !_ps_network_parse (element, TRUE, &network))
    return node_string (element);

  address = _ps_network_dup_address (&network);
  prefix = json_object_new ();
  json_object_set_string_member (prefix, "addr", address);
  json_object_set_int_member (prefix, "len", network.prefix);
  return node_wrap ("prefix", node_object (prefix));
}

/* The model */

PsNftSet *
_ps_nft_table_add_set (PsNftTable *table,
                       const char *name,
                       const char *type,
                       gboolean    interval,
                       GPtrArray  *elements)
{
  PsNftSet *set = g_new0 (PsNftSet, 1);

  set->name = g_strdup (name);
  set->types[0] = type;
  set->n_types = 1;
  set->interval = interval;
  set->elements = elements != NULL ? elements : g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (table->sets, set);

  return set;
}

void
_ps_nft_table_add_blocked_set (PsNftTable *table,
                               guint8      family)
{
  const char *address = family == 4 ? "ipv4_addr" : "ipv6_addr";
  PsNftSet *set;

  set = _ps_nft_table_add_set (table, family == 4 ? PS_POLICY_BLOCKED_SET : PS_POLICY_BLOCKED6_SET,
                               address, FALSE, NULL);
  set->types[1] = address;
  set->types[2] = "inet_proto";
  set->types[3] = "inet_service";
  set->n_types = 4;
  set->dynamic = TRUE;
}

PsNftChain *
_ps_nft_table_add_chain (PsNftTable *table,
                         const char *name,
                         gboolean    base)
{
  PsNftChain *chain = g_new0 (PsNftChain, 1);

  chain->name = g_strdup (name);
  chain->base = base;
  chain->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) nft_rule_free);
  g_ptr_array_add (table->chains, chain);

  return chain;
}

PsNftRule *
_ps_nft_rule_new (PsNftChain *chain)
{
  PsNftRule *rule = g_new0 (PsNftRule, 1);

  rule->expr = json_array_new ();
  rule->text = g_string_new (NULL);
  g_ptr_array_add (chain->rules, rule);

  return rule;
}

static void
rule_add (PsNftRule  *rule,
          JsonNode   *statement,
          const char *text)
{
  json_array_add_element (rule->expr, statement);
  if (rule->text->len > 0)
    g_string_append_c (rule->text, ' ');
  g_string_append (rule->text, text);
}

static void
rule_match (PsNftRule  *rule,
            JsonNode   *left,
            const char *left_text,
            const char *op,
            JsonNode   *right,
            const char *right_text)
{
  g_autofree char *text = NULL;
  JsonObject *match = json_object_new ();

  json_object_set_string_member (match, "op", op);
  json_object_set_member (match, "left", left);
  json_object_set_member (match, "right", right);
  text = g_strdup_printf ("%s %s%s", left_text, strcmp (op, "!=") == 0 ? "!= " : "", right_text);
  rule_add (rule, node_wrap ("match", node_object (match)), text);
}

/* PROTOCOL FIELD @SET, as "ip daddr @lan4" */
void
_ps_nft_rule_match_set (PsNftRule  *rule,
                        const char *protocol,
                        const char *field,
                        const char *set)
{
  g_autofree char *left = g_strdup_printf ("%s %s", protocol, field);
  g_autofree char *right = g_strconcat ("@", set, NULL);

  rule_match (rule, node_payload (protocol, field), left, "==", node_string (right), right);
}

void
_ps_nft_rule_match_nfproto (PsNftRule *rule,
                            guint8     family)
{
  const char *value = family == 4 ? "ipv4" : "ipv6";

  rule_match (rule, node_key ("meta", "nfproto"), "meta nfproto", "==", node_string (value), value);
}

/* meta l4proto [!=] { tcp, udp }: the protocols with ports */
void
_ps_nft_rule_match_port_protocols (PsNftRule *rule,
                                   gboolean   negate)
{
  JsonArray *values = json_array_new ();

  json_array_add_string_element (values, "tcp");
  json_array_add_string_element (values, "udp");
  rule_match (rule, node_key ("meta", "l4proto"), "meta l4proto", negate ? "!=" : "==",
              node_wrap ("set", node_array (values)), "{ tcp, udp }");
}

void
_ps_nft_rule_match_ct_new (PsNftRule *rule)
{
  rule_match (rule, node_key ("ct", "state"), "ct state", "in", node_string ("new"), "new");
}

/* "udp dport { 10001, 32100 }" */
void
_ps_nft_rule_match_ports (PsNftRule  *rule,
                          const char *protocol,
                          GArray     *ports)
{
  g_autoptr(GString) text = g_string_new ("{ ");
  g_autofree char *left = g_strdup_printf ("%s dport", protocol);
  JsonArray *values = json_array_new ();

  for (guint i = 0; i < ports->len; i++)
    {
      guint16 port = g_array_index (ports, guint16, i);

      json_array_add_int_element (values, port);
      g_string_append_printf (text, "%s%u", i > 0 ? ", " : "", port);
    }
  g_string_append (text, " }");

  rule_match (rule, node_payload (protocol, "dport"), left, "==",
              node_wrap ("set", node_array (values)), text->str);
}

void
_ps_nft_rule_counter (PsNftRule *rule)
{
  rule_add (rule, node_wrap ("counter", json_node_new (JSON_NODE_NULL)), "counter");
}

void
_ps_nft_rule_verdict (PsNftRule  *rule,
                      const char *verdict)
{
  rule_add (rule, node_wrap (verdict, json_node_new (JSON_NODE_NULL)), verdict);
}

/* "jump CHAIN" or "goto CHAIN" */
void
_ps_nft_rule_jump (PsNftRule  *rule,
                   const char *kind,
                   const char *target)
{
  g_autofree char *text = g_strdup_printf ("%s %s", kind, target);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "target", target);
  rule_add (rule, node_wrap (kind, node_object (object)), text);
}

void
_ps_nft_rule_log (PsNftRule  *rule,
                  const char *prefix)
{
  g_autofree char *limit_text = NULL;
  g_autofree char *log_text = NULL;
  JsonObject *limit = json_object_new ();
  JsonObject *log = json_object_new ();

  json_object_set_int_member (limit, "rate", LOG_RATE);
  json_object_set_string_member (limit, "per", "second");
  json_object_set_int_member (limit, "burst", LOG_BURST);
  limit_text = g_strdup_printf ("limit rate %u/second burst %u packets", LOG_RATE, LOG_BURST);
  rule_add (rule, node_wrap ("limit", node_object (limit)), limit_text);

  json_object_set_string_member (log, "prefix", prefix);
  json_object_set_int_member (log, "group", PS_POLICY_LOG_GROUP);
  log_text = g_strdup_printf ("log prefix \"%s\" group %u", prefix, PS_POLICY_LOG_GROUP);
  rule_add (rule, node_wrap ("log", node_object (log)), log_text);
}

/* update @blocked { DEVICE . PEER . meta l4proto . PEER-PORT } */
void
_ps_nft_rule_update_blocked (PsNftRule *rule,
                             guint8     family,
                             gboolean   outbound,
                             gboolean   with_port)
{
  const char *ip = family == 4 ? "ip" : "ip6";
  const char *device = outbound ? "saddr" : "daddr";
  const char *peer = outbound ? "daddr" : "saddr";
  const char *port = outbound ? "dport" : "sport";
  const char *set = family == 4 ? PS_POLICY_BLOCKED_SET : PS_POLICY_BLOCKED6_SET;
  g_autofree char *text = NULL;
  g_autofree char *set_ref = g_strconcat ("@", set, NULL);
  JsonArray *concat = json_array_new ();
  JsonObject *update = json_object_new ();

  json_array_add_element (concat, node_payload (ip, device));
  json_array_add_element (concat, node_payload (ip, peer));
  json_array_add_element (concat, node_key ("meta", "l4proto"));
  if (with_port)
    json_array_add_element (concat, node_payload ("th", port));
  else
    json_array_add_int_element (concat, 0);

  json_object_set_string_member (update, "op", "update");
  json_object_set_member (update, "elem", node_wrap ("concat", node_array (concat)));
  json_object_set_string_member (update, "set", set_ref);

  text = g_strdup_printf ("update %s { %s %s . %s %s . meta l4proto . %s%s }", set_ref,
                          ip, device, ip, peer, with_port ? "th " : "", with_port ? port : "0");
  rule_add (rule, node_wrap ("set", node_object (update)), text);
}

void
_ps_nft_rule_comment (PsNftRule  *rule,
                      const char *comment)
{
  g_free (rule->comment);
  rule->comment = g_strdup (comment);
}


/* Rendering: libnftables JSON */

static JsonObject *
table_object (const char *comment)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "family", PS_POLICY_TABLE_FAMILY);
  json_object_set_string_member (object, "name", PS_POLICY_TABLE_NAME);
  if (comment != NULL)
    json_object_set_string_member (object, "comment", comment);
  return object;
}

/* {COMMAND: {KIND: OBJECT}} */
static void
add_command (JsonArray  *commands,
             const char *command,
             const char *kind,
             JsonObject *object)
{
  json_array_add_element (commands, node_wrap (command, node_wrap (kind, node_object (object))));
}

static JsonNode *
set_to_json (const PsNftSet *set)
{
  JsonObject *object = object_in_table ();

  json_object_set_string_member (object, "name", set->name);
  if (set->n_types == 1)
    json_object_set_string_member (object, "type", set->types[0]);
  else
    {
      JsonArray *types = json_array_new ();

      for (guint i = 0; i < set->n_types; i++)
        json_array_add_string_element (types, set->types[i]);
      json_object_set_array_member (object, "type", types);
    }
  if (set->interval || set->dynamic)
    {
      /* libnftables 1.0.6 takes no "dynamic" flag in JSON: it adds it
       * itself to a set that a rule updates */
      JsonArray *flags = json_array_new ();

      json_array_add_string_element (flags, set->interval ? "interval" : "timeout");
      json_object_set_array_member (object, "flags", flags);
    }
  if (set->dynamic)
    {
      JsonArray *statements = json_array_new ();

      json_object_set_int_member (object, "timeout", BLOCKED_TIMEOUT);
      json_object_set_int_member (object, "size", BLOCKED_SIZE);
      json_array_add_element (statements, node_wrap ("counter", json_node_new (JSON_NODE_NULL)));
      json_object_set_array_member (object, "stmt", statements);
    }
  if (set->elements->len > 0)
    {
      JsonArray *elements = json_array_new ();

      for (guint i = 0; i < set->elements->len; i++)
        json_array_add_element (elements, node_element (set->elements->pdata[i]));
      json_object_set_array_member (object, "elem", elements);
    }

  return node_wrap ("set", node_object (object));
}

JsonNode *
_ps_nft_table_to_json (const PsNftTable *table)
{
  g_autofree char *comment = g_strconcat (PS_NFT_DIGEST_PREFIX, table->digest, NULL);
  JsonArray *commands = json_array_new ();
  JsonObject *metainfo = json_object_new ();

  json_object_set_int_member (metainfo, "json_schema_version", 1);
  json_array_add_element (commands, node_wrap ("metainfo", node_object (metainfo)));

  /* create if needed, delete, create anew: one batch, one switch */
  add_command (commands, "add", "table", table_object (NULL));
  add_command (commands, "delete", "table", table_object (NULL));
  add_command (commands, "add", "table", table_object (comment));

  for (guint i = 0; i < table->sets->len; i++)
    json_array_add_element (commands, node_wrap ("add", set_to_json (table->sets->pdata[i])));

  for (guint i = 0; i < table->chains->len; i++)
    {
      const PsNftChain *chain = table->chains->pdata[i];
      JsonObject *object = object_in_table ();

      json_object_set_string_member (object, "name", chain->name);
      if (chain->base)
        {
          json_object_set_string_member (object, "type", "filter");
          json_object_set_string_member (object, "hook", "forward");
          json_object_set_int_member (object, "prio", FORWARD_PRIORITY);
          json_object_set_string_member (object, "policy", "accept");
        }
      add_command (commands, "add", "chain", object);
    }

  for (guint i = 0; i < table->chains->len; i++)
    {
      const PsNftChain *chain = table->chains->pdata[i];

      for (guint j = 0; j < chain->rules->len; j++)
        {
          const PsNftRule *rule = chain->rules->pdata[j];
          JsonObject *object = object_in_table ();

          json_object_set_string_member (object, "chain", chain->name);
          json_object_set_array_member (object, "expr", json_array_ref (rule->expr));
          if (rule->comment != NULL)
            json_object_set_string_member (object, "comment", rule->comment);
          add_command (commands, "add", "rule", object);
        }
    }

  return node_wrap ("nftables", node_array (commands));
}

/* Rendering: the nft script */

static void
set_to_text (const PsNftSet *set,
             GString        *text)
{
  g_string_append_printf (text, "\tset %s {\n\t\ttype ", set->name);
  for (guint i = 0; i < set->n_types; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " . " : "", set->types[i]);
  g_string_append_c (text, '\n');
  if (set->interval)
    g_string_append (text, "\t\tflags interval\n");
  if (set->dynamic)
    g_string_append_printf (text, "\t\tflags dynamic,timeout\n\t\ttimeout %us\n\t\tsize %u\n"
                            "\t\tcounter\n", BLOCKED_TIMEOUT, BLOCKED_SIZE);
  if (set->elements->len > 0)
    {
      g_string_append (text, "\t\telements = {\n");
      for (guint i = 0; i < set->elements->len; i++)
        g_string_append_printf (text, "\t\t\t%s%s\n", (const char *) set->elements->pdata[i],
                                i + 1 < set->elements->len ? "," : "");
      g_string_append (text, "\t\t}\n");
    }
  g_string_append (text, "\t}\n\n");
}

void
_ps_nft_table_to_text (const PsNftTable *table,
                       GString          *text)
{
  g_string_append_printf (text, "table %s %s {\n\tcomment \"" PS_NFT_DIGEST_PREFIX "%s\"\n\n",
                          PS_POLICY_TABLE_FAMILY, PS_POLICY_TABLE_NAME, table->digest);

  for (guint i = 0; i < table->sets->len; i++)
    set_to_text (table->sets->pdata[i], text);

  for (guint i = 0; i < table->chains->len; i++)
    {
      const PsNftChain *chain = table->chains->pdata[i];

      g_string_append_printf (text, "%s\tchain %s {\n", i > 0 ? "\n" : "", chain->name);
      if (chain->base)
        g_string_append_printf (text, "\t\ttype filter hook forward priority %d; policy accept;\n",
                                FORWARD_PRIORITY);
      for (guint j = 0; j < chain->rules->len; j++)
        {
          const PsNftRule *rule = chain->rules->pdata[j];

          g_string_append_printf (text, "\t\t%s", rule->text->str);
          if (rule->comment != NULL)
            g_string_append_printf (text, " comment \"%s\"", rule->comment);
          g_string_append_c (text, '\n');
        }
      g_string_append (text, "\t}\n");
    }

  g_string_append (text, "}\n");
}

JsonNode *
_ps_nft_removal (void)
{
  JsonArray *commands = json_array_new ();

  add_command (commands, "delete", "table", table_object (NULL));
  return node_wrap ("nftables", node_array (commands));
}
