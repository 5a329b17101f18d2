/* ps-policy-json.c: a policy as JSON, the form it is stored and sent in
 *
 *   {"version":1,"default_intent":"open",
 *    "lan_networks":[…],"p2p_servers":[…],"p2p_ports":[…],"viewers":[…],
 *    "devices":[{"id":"cam1","mac":"…","addresses":[…],"intent":"local-only",
 *                "allow":[…]}, …]}
 *
 * Written canonically: members in this order, devices sorted by id, every
 * list sorted without duplicates, no spaces.  Read strictly, since it
 * arrives over D-Bus: the size is capped before parsing, nesting is capped
 * before json-glib recurses, unknown keys and wrong types are errors, and
 * every value goes through the policy's own setters.  A missing list keeps
 * the defaults; an empty one means none.  (json-glib keeps the last of
 * duplicate keys.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-policy"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "ps-policy-private.h"

#define POLICY_VERSION  1
#define MAX_JSON_DEPTH  8     /* the schema needs 4 */

static void
add_string_array (JsonBuilder        *builder,
                  const char         *key,
                  const char * const *strings)
{
  json_builder_set_member_name (builder, key);
  json_builder_begin_array (builder);
  for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
    json_builder_add_string_value (builder, strings[i]);
  json_builder_end_array (builder);
}

char *
ps_policy_to_json (PsPolicy *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) ids = NULL;

  g_return_val_if_fail (PS_IS_POLICY (self), NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, POLICY_VERSION);
  json_builder_set_member_name (builder, "default_intent");
  json_builder_add_string_value (builder,
                                 ps_intent_to_string (ps_policy_get_default_intent (self)));
  add_string_array (builder, "lan_networks", ps_policy_get_lan_networks (self));
  add_string_array (builder, "p2p_servers", ps_policy_get_p2p_servers (self));
  add_string_array (builder, "p2p_ports", ps_policy_get_p2p_ports (self));
  add_string_array (builder, "viewers", ps_policy_get_viewers (self));

  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  ids = ps_policy_dup_devices (self);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      const char *mac;
      const char * const *addresses;
      const char * const *allow;
      PsIntent intent;

      if (!ps_policy_get_device (self, ids[i], &mac, &addresses, &intent, &allow))
        g_assert_not_reached ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, ids[i]);
      if (mac != NULL)
        {
          json_builder_set_member_name (builder, "mac");
          json_builder_add_string_value (builder, mac);
        }
      add_string_array (builder, "addresses", addresses);
      json_builder_set_member_name (builder, "intent");
      json_builder_add_string_value (builder, ps_intent_to_string (intent));
      add_string_array (builder, "allow", allow);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

gboolean
ps_policy_equal (PsPolicy *a,
                 PsPolicy *b)
{
  g_autofree char *json_a = NULL;
  g_autofree char *json_b = NULL;

  g_return_val_if_fail (PS_IS_POLICY (a), FALSE);
  g_return_val_if_fail (PS_IS_POLICY (b), FALSE);

  if (a == b)
    return TRUE;

  json_a = ps_policy_to_json (a);
  json_b = ps_policy_to_json (b);

  return strcmp (json_a, json_b) == 0;
}

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID, message);
  return FALSE;
}

/* One JSON object, nested at most MAX_JSON_DEPTH deep, and nothing after
 * it but white space.  Checked before json-glib sees the bytes: its parser
 * recurses once per level, and takes what follows a first value. */
static gboolean
is_one_shallow_object (const char *data,
                       gsize       length)
{
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  gboolean started = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (started && depth == 0)
        {
          /* after the object: white space only */
          if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return FALSE;
        }
      else if (!started)
        {
          if (c == '{')
            started = TRUE, depth = 1;
          else if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if (c == ']' || c == '}')
        depth--;
    }

  return started && depth == 0;
}

static gboolean
check_keys (JsonObject          *object,
            const char * const  *allowed,
            GError             **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *shown = _ps_policy_printable (l->data);

          g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                       _("Unknown key “%s” in the policy"), shown);
          return FALSE;
        }
    }

  return TRUE;
}

/* *VALUE is NULL when an optional key is absent or null */
static gboolean
get_string (JsonObject   *object,
            const char   *key,
            gboolean      required,
            const char  **value,
            GError      **error)
{
  JsonNode *node = json_object_get_member (object, key);

  *value = NULL;
  if (node == NULL || (!required && JSON_NODE_HOLDS_NULL (node)))
    {
      if (!required)
        return TRUE;
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("The policy lacks “%s”"), key);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("“%s” in the policy must be a string"), key);
      return FALSE;
    }

  *value = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_intent (JsonObject  *object,
            const char  *key,
            PsIntent    *intent,
            GError     **error)
{
  g_autofree char *shown = NULL;
  const char *text;

  if (!get_string (object, key, TRUE, &text, error))
    return FALSE;
  if (ps_intent_from_string (text, intent))
    return TRUE;

  shown = _ps_policy_printable (text);
  g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
               _("Unknown policy intent “%s”"), shown);
  return FALSE;
}

/* The strings of a list (borrowed, NULL-terminated), or NULL with ERROR
 * set.  An absent list is an empty one, with *PRESENT FALSE.  The setters
 * check the counts. */
static const char **
get_string_list (JsonObject  *object,
                 const char  *key,
                 gboolean    *present,
                 GError     **error)
{
  g_autoptr(GPtrArray) strings = NULL;
  JsonNode *node = json_object_get_member (object, key);
  JsonArray *array;
  guint length;

  if (present != NULL)
    *present = node != NULL;
  if (node == NULL)
    return g_new0 (const char *, 1);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto not_strings;
  array = json_node_get_array (node);
  length = json_array_get_length (array);

  strings = g_ptr_array_new_full (length + 1, NULL);
  for (guint i = 0; i < length; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        goto not_strings;
      g_ptr_array_add (strings, (gpointer) json_node_get_string (element));
    }
  g_ptr_array_add (strings, NULL);

  return (const char **) g_ptr_array_free (g_steal_pointer (&strings), FALSE);

not_strings:
  g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
               _("“%s” in the policy must be a list of strings"), key);
  return NULL;
}

static gboolean
load_device (PsPolicy    *self,
             JsonNode    *node,
             GError     **error)
{
  static const char * const keys[] = { "id", "mac", "addresses", "intent", "allow", NULL };
  g_autofree const char **addresses = NULL;
  g_autofree const char **allow = NULL;
  JsonObject *object;
  const char *id;
  const char *mac;
  PsIntent intent;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("Each device in the policy must be an object"));
  object = json_node_get_object (node);
  if (!check_keys (object, keys, error) ||
      !get_string (object, "id", TRUE, &id, error) ||
      !get_string (object, "mac", FALSE, &mac, error) ||
      !get_intent (object, "intent", &intent, error) ||
      (addresses = get_string_list (object, "addresses", NULL, error)) == NULL ||
      (allow = get_string_list (object, "allow", NULL, error)) == NULL)
    return FALSE;

  if (ps_policy_get_device (self, id, NULL, NULL, NULL, NULL))
    {
      /* a known id is a valid one */
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                   _("Device “%s” appears twice in the policy"), id);
      return FALSE;
    }

  return ps_policy_set_device (self, id, mac, addresses, intent, allow, error);
}

typedef gboolean (*ListSetter) (PsPolicy            *self,
                                const char * const  *items,
                                GError             **error);

static gboolean
load_list (PsPolicy    *self,
           JsonObject  *object,
           const char  *key,
           ListSetter   setter,
           GError     **error)
{
  g_autofree const char **strings = NULL;
  gboolean present;

  if ((strings = get_string_list (object, key, &present, error)) == NULL)
    return FALSE;

  return !present || setter (self, strings, error);
}

static gboolean
load_policy (PsPolicy    *self,
             JsonNode    *root,
             GError     **error)
{
  static const char * const keys[] = {
    "version", "default_intent", "lan_networks", "p2p_servers", "p2p_ports", "viewers",
    "devices", NULL
  };
  JsonObject *object;
  JsonNode *node;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, _("The policy must be a JSON object"));
  object = json_node_get_object (root);
  if (!check_keys (object, keys, error))
    return FALSE;

  node = json_object_get_member (object, "version");
  if (node != NULL &&
      (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
       json_node_get_int (node) != POLICY_VERSION))
    return invalid (error, _("Unsupported policy version"));

  if (json_object_has_member (object, "default_intent"))
    {
      PsIntent intent;

      if (!get_intent (object, "default_intent", &intent, error))
        return FALSE;
      ps_policy_set_default_intent (self, intent);
    }

  if (!load_list (self, object, "lan_networks", ps_policy_set_lan_networks, error) ||
      !load_list (self, object, "p2p_servers", ps_policy_set_p2p_servers, error) ||
      !load_list (self, object, "p2p_ports", ps_policy_set_p2p_ports, error) ||
      !load_list (self, object, "viewers", ps_policy_set_viewers, error))
    return FALSE;

  node = json_object_get_member (object, "devices");
  if (node != NULL)
    {
      JsonArray *devices;
      guint length;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return invalid (error, _("“devices” in the policy must be a list"));
      devices = json_node_get_array (node);
      length = json_array_get_length (devices);
      if (length > PS_POLICY_MAX_DEVICES)
        {
          g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                       _("A policy has rules for at most %u devices"), PS_POLICY_MAX_DEVICES);
          return FALSE;
        }
      for (guint i = 0; i < length; i++)
        if (!load_device (self, json_array_get_element (devices, i), error))
          return FALSE;
    }

  return TRUE;
}

PsPolicy *
ps_policy_new_from_json (const char  *json,
                         gssize       length,
                         GError     **error)
{
  g_autoptr(PsPolicy) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize size;

  g_return_val_if_fail (json != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (json == NULL)
    size = 0;
  else if (length < 0)
    size = strnlen (json, PS_POLICY_MAX_JSON_BYTES + 1);
  else
    size = (gsize) length;

  if (size > PS_POLICY_MAX_JSON_BYTES)
    {
      g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE,
                   _("The policy is larger than %u bytes"), PS_POLICY_MAX_JSON_BYTES);
      return NULL;
    }
  /* nothing a policy holds (ids, addresses, names, ports) needs an escape:
   * refusing backslashes keeps "\u0000" from cutting a value short */
  if (size == 0 || memchr (json, '\0', size) != NULL || memchr (json, '\\', size) != NULL
      || !g_utf8_validate_len (json, size, NULL) || !is_one_shallow_object (json, size))
    {
      invalid (error, _("The policy is not valid JSON"));
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, (gssize) size, &local_error))
    {
      guint line;
      guint column;

      /* json-glib quotes the bad token: say only where it is */
      if (sscanf (local_error->message, "<data>:%u:%u:", &line, &column) == 2)
        g_set_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID,
                     _("The policy is not valid JSON (line %u, column %u)"), line, column);
      else
        invalid (error, _("The policy is not valid JSON"));
      return NULL;
    }

  self = ps_policy_new ();
  if (!load_policy (self, json_parser_get_root (parser), error))
    return NULL;

  return g_steal_pointer (&self);
}
