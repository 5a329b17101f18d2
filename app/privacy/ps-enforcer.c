/* ps-enforcer.c: puts a policy into the kernel, through libnftables
 *
 * Everything goes through libnftables' JSON API: the compiled policy is one
 * {"nftables": [...]} document that nft runs as a single netlink batch
 * (the kernel commits all of it or none of it), and every query asks for
 * JSON and reads it with json-glib.  No command text is ever built here.
 *
 * Before running a transaction the enforcer checks that every command in
 * it names Peerscope's own table and nothing else, so a compiler bug can
 * never flush or delete another table.
 *
 * The live policy's digest is where the compiler put it (the table's
 * comment, and a rule's: ps_policy_find_digest()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-enforcer"

#include "config.h"

#include <string.h>

#ifdef HAVE_NFTABLES
#include <linux/capability.h>
#include <nftables/libnftables.h>
#endif

#include "ps-enforcer.h"
#include "ps-policy-compiler.h"

#define MAX_ERROR_TEXT  1024

void
ps_blocked_attempt_free (PsBlockedAttempt *attempt)
{
  if (attempt == NULL)
    return;

  g_free (attempt->device_address);
  g_free (attempt->peer_address);
  g_free (attempt->protocol);
  g_free (attempt);
}

#ifdef HAVE_NFTABLES

typedef struct nft_ctx PsNftCtx;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsNftCtx, nft_ctx_free)

/* Every nfnetlink request needs CAP_NET_ADMIN, and without it libnftables
 * prints on stderr before it fails: ask first. */
static gboolean
check_capability (GError **error)
{
  g_autofree char *status = NULL;
  const char *line;
  guint64 effective;

  /* when it cannot tell, the kernel will */
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "\nCapEff:")) == NULL)
    return TRUE;

  effective = g_ascii_strtoull (line + strlen ("\nCapEff:"), NULL, 16);
  if (effective & (G_GUINT64_CONSTANT (1) << CAP_NET_ADMIN))
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       "the firewall can only be read and changed as root (CAP_NET_ADMIN)");
  return FALSE;
}

static PsNftCtx *
ps_nft_ctx_new (GError **error)
{
  PsNftCtx *ctx;

  if (!check_capability (error))
    return NULL;

  ctx = nft_ctx_new (NFT_CTX_DEFAULT);

  if (ctx == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "libnftables could not create a context");
      return NULL;
    }

  nft_ctx_output_set_flags (ctx, NFT_CTX_OUTPUT_JSON);
  if (nft_ctx_buffer_output (ctx) != 0 || nft_ctx_buffer_error (ctx) != 0)
    {
      nft_ctx_free (ctx);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "libnftables could not buffer its output");
      return NULL;
    }

  return ctx;
}

/* nft's error buffer as one line: the "Error: …" lines, without the
 * excerpts of the input and their carets. */
static char *
error_text (PsNftCtx *ctx)
{
  const char *buffer = nft_ctx_get_error_buffer (ctx);
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  if (buffer == NULL || *buffer == '\0')
    return g_strdup ("nftables failed and said nothing");

  lines = g_strsplit (buffer, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *error = strstr (lines[i], "Error: ");

      if (error == NULL)
        continue;
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append (text, error + strlen ("Error: "));
    }
  if (text->len == 0)
    g_string_append (text, g_strstrip (lines[0]));
  if (text->len > MAX_ERROR_TEXT)
    g_string_truncate (text, MAX_ERROR_TEXT);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
run (PsNftCtx    *ctx,
     const char  *command,
     GError     **error)
{
  /* reading the buffers empties them: nothing left from the last command */
  nft_ctx_get_output_buffer (ctx);
  nft_ctx_get_error_buffer (ctx);

  if (nft_run_cmd_from_buffer (ctx, command) != 0)
    {
      g_autofree char *message = error_text (ctx);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "nftables: %s", message);
      return FALSE;
    }

  return TRUE;
}

/* Runs a query; returns its answer, {"nftables": [...]}. */
static JsonNode *
query (PsNftCtx    *ctx,
       const char  *command,
       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *output;
  JsonNode *root;
  JsonNode *items;

  if (!run (ctx, command, error))
    return NULL;

  output = nft_ctx_get_output_buffer (ctx);
  if (output == NULL || !json_parser_load_from_data (parser, output, -1, NULL))
    goto bad;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto bad;
  items = json_object_get_member (json_node_get_object (root), "nftables");
  if (items == NULL || !JSON_NODE_HOLDS_ARRAY (items))
    goto bad;

  return json_parser_steal_root (parser);

bad:
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "nftables answered with something that is not its JSON");
  return NULL;
}

/* The "nftables" array of an answer query() checked. */
static JsonArray *
items_of (JsonNode *answer)
{
  return json_object_get_array_member (json_node_get_object (answer), "nftables");
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* The object inside {"KIND": {...}}, or NULL. */
static JsonObject *
get_inner (JsonNode   *item,
           const char *kind)
{
  JsonNode *inner;

  if (item == NULL || !JSON_NODE_HOLDS_OBJECT (item))
    return NULL;

  inner = json_object_get_member (json_node_get_object (item), kind);
  if (inner == NULL || !JSON_NODE_HOLDS_OBJECT (inner))
    return NULL;

  return json_node_get_object (inner);
}

static gboolean
is_our_table (JsonObject *object,
              const char *name_member)
{
  return g_strcmp0 (get_string (object, "family"), PS_POLICY_TABLE_FAMILY) == 0 &&
         g_strcmp0 (get_string (object, name_member), PS_POLICY_TABLE_NAME) == 0;
}

static gboolean
table_exists (PsNftCtx  *ctx,
              gboolean  *exists,
              GError   **error)
{
  g_autoptr(JsonNode) answer = NULL;
  JsonArray *items;

  answer = query (ctx, "{\"nftables\": [{\"list\": {\"tables\": {\"family\": \""
                  PS_POLICY_TABLE_FAMILY "\"}}}]}", error);
  if (answer == NULL)
    return FALSE;

  *exists = FALSE;
  items = items_of (answer);
  for (guint i = 0, n = json_array_get_length (items); i < n; i++)
    {
      JsonObject *table = get_inner (json_array_get_element (items, i), "table");

      if (table != NULL && is_our_table (table, "name"))
        *exists = TRUE;
    }

  return TRUE;
}

/* The whole table, or NULL with no error when there is none. */
static JsonNode *
list_table (PsNftCtx  *ctx,
            GError   **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *answer;
  gboolean exists = TRUE;

  answer = query (ctx, "{\"nftables\": [{\"list\": {\"table\": {\"family\": \""
                  PS_POLICY_TABLE_FAMILY "\", \"name\": \"" PS_POLICY_TABLE_NAME "\"}}}]}",
                  &local_error);
  if (answer != NULL)
    return answer;

  /* nft says "No such file or directory" for a missing table: ask
   * instead of parsing its words */
  if (table_exists (ctx, &exists, NULL) && !exists)
    return NULL;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/* The digest the live table carries (ps_policy_find_digest() knows where
 * the compiler puts it), or NULL: no table, or one without a digest. */
static char *
live_digest (PsNftCtx  *ctx,
             GError   **error)
{
  g_autoptr(JsonNode) answer = list_table (ctx, error);

  if (answer == NULL)
    return NULL;

  return ps_policy_find_digest (answer);
}

/* Every command of a transaction must be about Peerscope's table: its
 * table, or a chain, set, map, rule, element, … inside it. */
static gboolean
check_transaction (JsonNode  *transaction,
                   GError   **error)
{
  static const char * const verbs[] = { "add", "create", "insert", "replace", "flush", "delete",
                                        NULL };
  JsonNode *items_node = NULL;
  JsonArray *items;

  if (JSON_NODE_HOLDS_OBJECT (transaction))
    items_node = json_object_get_member (json_node_get_object (transaction), "nftables");
  if (items_node == NULL || !JSON_NODE_HOLDS_ARRAY (items_node))
    goto refuse;

  items = json_node_get_array (items_node);
  for (guint i = 0, n = json_array_get_length (items); i < n; i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      JsonObject *command;
      JsonObject *target;
      const char *verb;
      const char *kind;
      JsonNode *target_node;
      g_autoptr(GList) members = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        goto refuse;
      command = json_node_get_object (item);
      if (json_object_get_size (command) != 1)
        goto refuse;
      members = json_object_get_members (command);
      verb = members->data;
      if (g_str_equal (verb, "metainfo"))
        continue;
      if (!g_strv_contains (verbs, verb))
        goto refuse;

      target_node = json_object_get_member (command, verb);
      if (target_node == NULL || !JSON_NODE_HOLDS_OBJECT (target_node) ||
          json_object_get_size (json_node_get_object (target_node)) != 1)
        goto refuse;
      g_clear_pointer (&members, g_list_free);
      members = json_object_get_members (json_node_get_object (target_node));
      kind = members->data;
      target = get_inner (target_node, kind);
      if (target == NULL)
        goto refuse;
      /* "ruleset" and anything else without a table are refused here */
      if (!is_our_table (target, g_str_equal (kind, "table") ? "name" : "table"))
        goto refuse;
    }

  return TRUE;

refuse:
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "refusing a transaction that is not about the table "
                       PS_POLICY_TABLE_FAMILY " " PS_POLICY_TABLE_NAME " alone");
  return FALSE;
}

static gboolean
run_transaction (PsNftCtx  *ctx,
                 JsonNode  *transaction,
                 GError   **error)
{
  g_autofree char *text = NULL;

  if (!check_transaction (transaction, error))
    return FALSE;

  text = json_to_string (transaction, FALSE);
  return run (ctx, text, error);
}

gboolean
ps_enforcer_is_supported (void)
{
  return TRUE;
}

gboolean
ps_enforcer_apply (PsPolicy  *policy,
                   gboolean  *changed,
                   GError   **error)
{
  g_autoptr(PsNftCtx) ctx = NULL;
  g_autoptr(JsonNode) transaction = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *live = NULL;
  g_autofree char *applied = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (PS_IS_POLICY (policy), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (changed != NULL)
    *changed = FALSE;

  ctx = ps_nft_ctx_new (error);
  if (ctx == NULL)
    return FALSE;

  digest = ps_policy_digest (policy);
  live = live_digest (ctx, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (live != NULL && g_ascii_strcasecmp (live, digest) == 0)
    return TRUE;

  transaction = ps_policy_compile (policy, error);
  if (transaction == NULL || !run_transaction (ctx, transaction, error))
    return FALSE;

  if (changed != NULL)
    *changed = TRUE;

  /* the kernel took it: the table must now say so, or the next apply
   * cannot tell it is already live */
  applied = live_digest (ctx, error);
  if (applied == NULL || g_ascii_strcasecmp (applied, digest) != 0)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "the rules are in place but the table %s %s does not carry the "
                     "policy's digest", PS_POLICY_TABLE_FAMILY, PS_POLICY_TABLE_NAME);
      return FALSE;
    }

  return TRUE;
}

gboolean
ps_enforcer_remove (GError **error)
{
  g_autoptr(PsNftCtx) ctx = NULL;
  g_autoptr(JsonNode) transaction = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean exists = TRUE;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ctx = ps_nft_ctx_new (error);
  if (ctx == NULL)
    return FALSE;

  transaction = ps_policy_compile_removal ();
  if (run_transaction (ctx, transaction, &local_error))
    return TRUE;

  /* an absent table is what removing asks for */
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) &&
      table_exists (ctx, &exists, NULL) && !exists)
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

char *
ps_enforcer_dup_live_digest (GError **error)
{
  g_autoptr(PsNftCtx) ctx = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ctx = ps_nft_ctx_new (error);
  if (ctx == NULL)
    return NULL;

  return live_digest (ctx, error);
}

/* Protocols are names ("udp") or, with numeric output, numbers. */
static char *
protocol_name (JsonNode *node)
{
  gint64 number;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (json_node_get_value_type (node) != G_TYPE_INT64)
    return NULL;

  number = json_node_get_int (node);
  switch (number)
    {
    case 1: return g_strdup ("icmp");
    case 6: return g_strdup ("tcp");
    case 17: return g_strdup ("udp");
    case 58: return g_strdup ("ipv6-icmp");
    case 132: return g_strdup ("sctp");
    default: return number >= 0 && number <= 255 ? g_strdup_printf ("%d", (int) number) : NULL;
    }
}

static gboolean
port_number (JsonNode *node,
             guint16  *port)
{
  guint64 number = 0;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 value = json_node_get_int (node);

      if (value < 0 || value > G_MAXUINT16)
        return FALSE;
      *port = (guint16) value;
      return TRUE;
    }
  if (json_node_get_value_type (node) == G_TYPE_STRING &&
      g_ascii_string_to_unsigned (json_node_get_string (node), 10, 0, G_MAXUINT16, &number, NULL))
    {
      *port = (guint16) number;
      return TRUE;
    }

  return FALSE;
}

static guint64
counter_value (JsonObject *counter,
               const char *member)
{
  JsonNode *node = json_object_get_member (counter, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
    return 0;

  return (guint64) json_node_get_int (node);
}

/* {"elem": {"val": {"concat": [device, peer, protocol, port]},
 *           "counter": {"packets": P, "bytes": B}, …}}, or the bare
 * {"concat": […]} */
static PsBlockedAttempt *
attempt_from_element (JsonNode *element)
{
  g_autoptr(PsBlockedAttempt) attempt = g_new0 (PsBlockedAttempt, 1);
  JsonObject *elem = get_inner (element, "elem");
  JsonNode *val = element;
  JsonNode *concat;
  JsonNode *counter;
  JsonArray *key;

  /* a set without counters lists bare keys */
  if (elem != NULL)
    val = json_object_get_member (elem, "val");
  if (val == NULL || !JSON_NODE_HOLDS_OBJECT (val))
    return NULL;
  concat = json_object_get_member (json_node_get_object (val), "concat");
  if (concat == NULL || !JSON_NODE_HOLDS_ARRAY (concat))
    return NULL;
  key = json_node_get_array (concat);
  if (json_array_get_length (key) != 4)
    return NULL;

  for (guint i = 0; i < 2; i++)
    {
      JsonNode *node = json_array_get_element (key, i);

      if (json_node_get_value_type (node) != G_TYPE_STRING ||
          !g_hostname_is_ip_address (json_node_get_string (node)))
        return NULL;
    }
  attempt->device_address = g_strdup (json_array_get_string_element (key, 0));
  attempt->peer_address = g_strdup (json_array_get_string_element (key, 1));
  attempt->protocol = protocol_name (json_array_get_element (key, 2));
  if (attempt->protocol == NULL ||
      !port_number (json_array_get_element (key, 3), &attempt->port))
    return NULL;

  counter = elem != NULL ? json_object_get_member (elem, "counter") : NULL;
  if (counter != NULL && JSON_NODE_HOLDS_OBJECT (counter))
    {
      attempt->packets = counter_value (json_node_get_object (counter), "packets");
      attempt->bytes = counter_value (json_node_get_object (counter), "bytes");
    }

  return g_steal_pointer (&attempt);
}

GPtrArray *
ps_enforcer_read_blocked (GError **error)
{
  g_autoptr(PsNftCtx) ctx = NULL;
  g_autoptr(GPtrArray) attempts = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonArray *items;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ctx = ps_nft_ctx_new (error);
  if (ctx == NULL)
    return NULL;

  attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_blocked_attempt_free);
  answer = list_table (ctx, &local_error);
  if (answer == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return g_steal_pointer (&attempts);   /* no table, nothing blocked */
    }

  items = items_of (answer);
  for (guint i = 0, n = json_array_get_length (items); i < n; i++)
    {
      JsonObject *set = get_inner (json_array_get_element (items, i), "set");
      const char *name;
      JsonNode *elements;

      if (set == NULL || !is_our_table (set, "table"))
        continue;
      name = get_string (set, "name");
      if (g_strcmp0 (name, PS_POLICY_BLOCKED_SET) != 0 &&
          g_strcmp0 (name, PS_POLICY_BLOCKED6_SET) != 0)
        continue;
      elements = json_object_get_member (set, "elem");
      if (elements == NULL || !JSON_NODE_HOLDS_ARRAY (elements))
        continue;

      for (guint j = 0, m = json_array_get_length (json_node_get_array (elements)); j < m; j++)
        {
          PsBlockedAttempt *attempt;

          attempt = attempt_from_element (json_array_get_element (json_node_get_array (elements), j));
          if (attempt != NULL)
            g_ptr_array_add (attempts, attempt);
        }
    }

  return g_steal_pointer (&attempts);
}

#else /* !HAVE_NFTABLES */

static gboolean
not_supported (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "this build of Peerscope cannot enforce policies (no libnftables)");
  return FALSE;
}

gboolean
ps_enforcer_is_supported (void)
{
  return FALSE;
}

gboolean
ps_enforcer_apply (PsPolicy  *policy,
                   gboolean  *changed,
                   GError   **error)
{
  g_return_val_if_fail (PS_IS_POLICY (policy), FALSE);

  if (changed != NULL)
    *changed = FALSE;
  return not_supported (error);
}

gboolean
ps_enforcer_remove (GError **error)
{
  return not_supported (error);
}

char *
ps_enforcer_dup_live_digest (GError **error)
{
  not_supported (error);
  return NULL;
}

GPtrArray *
ps_enforcer_read_blocked (GError **error)
{
  not_supported (error);
  return NULL;
}

#endif /* HAVE_NFTABLES */
