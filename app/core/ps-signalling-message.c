/* ps-signalling-message.c: one message of GStreamer's WebRTC signalling protocol
 *
 * Each message is one JSON object tagged by "type", members in camelCase, as
 * gst-plugins-rs's protocol crate (serde) writes them:
 *
 *   to the server  {"type":"setPeerStatus","roles":["producer"],"meta":{…}}
 *                  {"type":"setProtocolVersion","version":"v1_1"}
 *                  {"type":"startSession","peerId":"…","offer":"v=0…"}   (offer optional)
 *                  {"type":"list"}  {"type":"listConsumers"}
 *   to a client    {"type":"welcome","peerId":"…"}
 *                  {"type":"peerStatusChanged","peerId":"…","roles":[…],"meta":{…}|null}
 *                  {"type":"startSession","peerId":"…","sessionId":"…"}  (to the producer)
 *                  {"type":"sessionStarted","peerId":"…","sessionId":"…"}
 *                  {"type":"list","producers":[{"id":"…","meta":{…}|null}, …]}
 *                  {"type":"listConsumers","consumers":[…]}
 *                  {"type":"error","details":"…"}
 *   both ways      {"type":"peer","sessionId":"…","sdp":{"type":"offer","sdp":"v=0…"}}
 *                  {"type":"peer","sessionId":"…","ice":{"candidate":"…","sdpMLineIndex":0}}
 *                  {"type":"endSession","sessionId":"…"}
 *                  {"type":"endSessionV1_1","sessionId":"…","error":"…"|null}
 *
 * Every message comes from the network, so it is read strictly: the size is
 * capped, the nesting is capped before json-glib recurses, "\u0000" (which
 * would cut a C string short) and raw control characters are refused, every
 * member the type uses is checked for its JSON type, length and range, ids
 * keep to a small alphabet, a peer's "meta" must be an object of bounded
 * size with finite numbers.  Members a type does not use are ignored, as
 * serde does, so that newer peers keep working; they are never passed on,
 * since outgoing messages are written again from the parsed fields.
 * (json-glib keeps the last of duplicate members.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-signalling-message"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ps-signalling-message.h"

G_DEFINE_QUARK (ps-signalling-error-quark, ps_signalling_error)

#define TO_SERVER (1 << PS_SIGNALLING_TO_SERVER)
#define TO_CLIENT (1 << PS_SIGNALLING_TO_CLIENT)
#define MAX_ROLES 8

static const struct
{
  PsSignallingMessageType  type;
  const char              *name;
  guint                    directions;
} message_types[] = {
  { PS_SIGNALLING_MESSAGE_START_SESSION, "startSession", TO_SERVER | TO_CLIENT },
  { PS_SIGNALLING_MESSAGE_END_SESSION, "endSession", TO_SERVER | TO_CLIENT },
  { PS_SIGNALLING_MESSAGE_END_SESSION_V1_1, "endSessionV1_1", TO_SERVER | TO_CLIENT },
  { PS_SIGNALLING_MESSAGE_PEER, "peer", TO_SERVER | TO_CLIENT },
  { PS_SIGNALLING_MESSAGE_LIST, "list", TO_SERVER | TO_CLIENT },
  { PS_SIGNALLING_MESSAGE_LIST_CONSUMERS, "listConsumers", TO_SERVER | TO_CLIENT },
  { PS_SIGNALLING_MESSAGE_SET_PEER_STATUS, "setPeerStatus", TO_SERVER },
  { PS_SIGNALLING_MESSAGE_SET_PROTOCOL_VERSION, "setProtocolVersion", TO_SERVER },
  { PS_SIGNALLING_MESSAGE_WELCOME, "welcome", TO_CLIENT },
  { PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED, "peerStatusChanged", TO_CLIENT },
  { PS_SIGNALLING_MESSAGE_SESSION_STARTED, "sessionStarted", TO_CLIENT },
  { PS_SIGNALLING_MESSAGE_ERROR, "error", TO_CLIENT },
};

static const struct
{
  PsSignallingRoles  role;
  const char        *name;
} role_names[] = {
  { PS_SIGNALLING_ROLE_PRODUCER, "producer" },
  { PS_SIGNALLING_ROLE_LISTENER, "listener" },
  { PS_SIGNALLING_ROLE_CONSUMER, "consumer" },
};

static const char * const version_names[] = { "v1_0", "v1_1" };

const char *
ps_signalling_message_type_to_string (PsSignallingMessageType type)
{
  for (guint i = 0; i < G_N_ELEMENTS (message_types); i++)
    if (message_types[i].type == type)
      return message_types[i].name;

  return NULL;
}

gboolean
ps_signalling_id_is_valid (const char *id)
{
  gsize length;

  if (id == NULL)
    return FALSE;

  length = strnlen (id, PS_SIGNALLING_MAX_ID_LENGTH + 1);
  if (length == 0 || length > PS_SIGNALLING_MAX_ID_LENGTH)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (id[i]) && strchr ("._:-", id[i]) == NULL)
      return FALSE;

  return TRUE;
}

/* Object members and strings valid UTF-8, numbers finite (json-glib reads
 * 1e999 as infinity and would write it back as "inf"), nesting bounded. */
static gboolean
node_is_clean (JsonNode *node,
               guint     depth)
{
  if (depth > PS_SIGNALLING_MAX_DEPTH)
    return FALSE;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!g_utf8_validate (name, -1, NULL) || !node_is_clean (member, depth + 1))
            return FALSE;
        return TRUE;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!node_is_clean (json_array_get_element (array, i), depth + 1))
            return FALSE;
        return TRUE;
      }

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
        return isfinite (json_node_get_double (node));
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_utf8_validate (json_node_get_string (node), -1, NULL);
      return TRUE;

    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

gboolean
ps_signalling_meta_is_valid (JsonNode *meta)
{
  g_autofree char *text = NULL;

  if (meta == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (meta) || !node_is_clean (meta, 1))
    return FALSE;

  text = json_to_string (meta, FALSE);
  return text != NULL && strlen (text) <= PS_SIGNALLING_MAX_META_SIZE;
}

static void
peer_info_free (gpointer data)
{
  PsSignallingPeerInfo *info = data;

  g_free (info->id);
  g_clear_pointer (&info->meta, json_node_unref);
  g_free (info);
}

PsSignallingMessage *
ps_signalling_message_new (PsSignallingMessageType type)
{
  PsSignallingMessage *self;

  g_return_val_if_fail (ps_signalling_message_type_to_string (type) != NULL, NULL);

  self = g_new0 (PsSignallingMessage, 1);
  self->type = type;
  if (type == PS_SIGNALLING_MESSAGE_LIST || type == PS_SIGNALLING_MESSAGE_LIST_CONSUMERS)
    self->peers = g_ptr_array_new_with_free_func (peer_info_free);

  return self;
}

PsSignallingMessage *
ps_signalling_message_new_error (const char *format,
                                 ...)
{
  PsSignallingMessage *self = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_ERROR);
  va_list args;

  va_start (args, format);
  self->details = g_strdup_vprintf (format, args);
  va_end (args);

  return self;
}

void
ps_signalling_message_free (PsSignallingMessage *self)
{
  if (self == NULL)
    return;

  g_free (self->peer_id);
  g_free (self->session_id);
  g_clear_pointer (&self->meta, json_node_unref);
  g_free (self->offer);
  g_free (self->sdp);
  g_free (self->candidate);
  g_free (self->details);
  g_clear_pointer (&self->peers, g_ptr_array_unref);
  g_free (self);
}

/* meta: a JSON object or NULL; copied */
void
ps_signalling_message_add_peer (PsSignallingMessage *self,
                                const char          *id,
                                JsonNode            *meta)
{
  PsSignallingPeerInfo *info;

  g_return_if_fail (self != NULL && self->peers != NULL);
  g_return_if_fail (ps_signalling_id_is_valid (id));
  g_return_if_fail (ps_signalling_meta_is_valid (meta));

  info = g_new0 (PsSignallingPeerInfo, 1);
  info->id = g_strdup (id);
  info->meta = meta != NULL ? json_node_copy (meta) : NULL;
  g_ptr_array_add (self->peers, info);
}

/* Reading */

static gboolean
fail (GError     **error,
      gint         code,
      const char  *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError     **error,
      gint         code,
      const char  *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (PS_SIGNALLING_ERROR, code, format, args));
  va_end (args);

  return FALSE;
}

/* One JSON object nested at most PS_SIGNALLING_MAX_DEPTH deep, then only
 * white space; no raw control character and no "\u0000" in its strings.
 * Checked before json-glib sees the bytes: its parser recurses once per
 * level and takes what follows a first value. */
static gboolean
is_one_shallow_object (const char *data,
                       gsize       length)
{
  gboolean in_string = FALSE;
  gboolean started = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) data[i];

      if (in_string)
        {
          if (c < 0x20)
            return FALSE;
          if (c == '"')
            in_string = FALSE;
          else if (c == '\\')
            {
              if (i + 1 >= length)
                return FALSE;
              i++;
              if (data[i] == 'u' && length - i > 4 && memcmp (data + i + 1, "0000", 4) == 0)
                return FALSE;
            }
          continue;
        }

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        continue;
      if (started && depth == 0)
        return FALSE;           /* something after the object */
      if (!started)
        {
          if (c != '{')
            return FALSE;
          started = TRUE;
          depth = 1;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > PS_SIGNALLING_MAX_DEPTH)
            return FALSE;
        }
      else if (c == '}' || c == ']')
        depth--;
    }

  return started && depth == 0 && !in_string;
}

enum
{
  REQUIRED = 1 << 0,
  NULLABLE = 1 << 1,            /* null reads as absent */
  MULTI_LINE = 1 << 2,          /* CR, LF and tab allowed (SDP) */
};

static gboolean
text_is_clean (const char *text,
               guint       flags)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p >= 0x20 && *p != 0x7f)
        continue;
      if ((flags & MULTI_LINE) && (*p == '\r' || *p == '\n' || *p == '\t'))
        continue;
      return FALSE;
    }

  return TRUE;
}

static gboolean
get_string (JsonObject  *object,
            const char  *name,
            guint        flags,
            gsize        max_length,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *text;

  *out = NULL;

  if (node == NULL || ((flags & NULLABLE) && JSON_NODE_HOLDS_NULL (node)))
    {
      if (flags & REQUIRED)
        return fail (error, PS_SIGNALLING_ERROR_INVALID, "“%s” is missing", name);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (error, PS_SIGNALLING_ERROR_INVALID, "“%s” is not a string", name);

  text = json_node_get_string (node);
  if (strnlen (text, max_length + 1) > max_length)
    return fail (error, PS_SIGNALLING_ERROR_INVALID,
                 "“%s” is longer than %" G_GSIZE_FORMAT " bytes", name, max_length);
  if (!g_utf8_validate (text, -1, NULL) || !text_is_clean (text, flags))
    return fail (error, PS_SIGNALLING_ERROR_INVALID, "“%s” holds invalid characters", name);

  *out = g_strdup (text);
  return TRUE;
}

static gboolean
get_id (JsonObject  *object,
        const char  *name,
        guint        flags,
        char       **out,
        GError     **error)
{
  if (!get_string (object, name, flags, PS_SIGNALLING_MAX_ID_LENGTH, out, error))
    return FALSE;

  if (*out != NULL && !ps_signalling_id_is_valid (*out))
    {
      g_clear_pointer (out, g_free);
      return fail (error, PS_SIGNALLING_ERROR_INVALID, "“%s” is not a valid id", name);
    }

  return TRUE;
}

/* absent or null: NULL */
static gboolean
get_meta (JsonObject  *object,
          const char  *name,
          JsonNode   **out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, PS_SIGNALLING_ERROR_INVALID, "“%s” is not an object", name);
  if (!ps_signalling_meta_is_valid (node))
    return fail (error, PS_SIGNALLING_ERROR_INVALID,
                 "“%s” is larger than %u bytes or holds invalid values", name,
                 PS_SIGNALLING_MAX_META_SIZE);

  *out = json_node_copy (node);
  return TRUE;
}

static gboolean
get_roles (JsonObject         *object,
           PsSignallingRoles  *out,
           GError            **error)
{
  JsonNode *node = json_object_get_member (object, "roles");
  JsonArray *array;

  *out = 0;
  if (node == NULL)
    return fail (error, PS_SIGNALLING_ERROR_INVALID, "“roles” is missing");
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (error, PS_SIGNALLING_ERROR_INVALID, "“roles” is not an array");

  array = json_node_get_array (node);
  if (json_array_get_length (array) > MAX_ROLES)
    return fail (error, PS_SIGNALLING_ERROR_INVALID, "“roles” has more than %u entries", MAX_ROLES);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *name;
      gboolean known = FALSE;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return fail (error, PS_SIGNALLING_ERROR_INVALID, "a role is not a string");

      name = json_node_get_string (element);
      for (guint j = 0; j < G_N_ELEMENTS (role_names); j++)
        {
          if (strcmp (name, role_names[j].name) == 0)
            {
              *out |= role_names[j].role;
              known = TRUE;
            }
        }
      if (!known)
        return fail (error, PS_SIGNALLING_ERROR_INVALID,
                     "unknown role (known: producer, listener, consumer)");
    }

  return TRUE;
}

static JsonObject *
get_object (JsonObject  *object,
            const char  *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
read_peer_message (PsSignallingMessage  *self,
                   JsonObject           *object,
                   GError              **error)
{
  JsonNode *sdp_node = json_object_get_member (object, "sdp");
  JsonNode *ice_node = json_object_get_member (object, "ice");

  if (!get_id (object, "sessionId", REQUIRED, &self->session_id, error))
    return FALSE;

  if ((sdp_node == NULL) == (ice_node == NULL))
    return fail (error, PS_SIGNALLING_ERROR_INVALID, "a peer message holds one of “sdp” or “ice”");

  if (sdp_node != NULL)
    {
      JsonObject *sdp = get_object (object, "sdp");
      g_autofree char *type = NULL;

      if (sdp == NULL)
        return fail (error, PS_SIGNALLING_ERROR_INVALID, "“sdp” is not an object");
      if (!get_string (sdp, "type", REQUIRED, 16, &type, error)
          || !get_string (sdp, "sdp", REQUIRED | MULTI_LINE, PS_SIGNALLING_MAX_MESSAGE_SIZE,
                          &self->sdp, error))
        return FALSE;

      if (strcmp (type, "offer") == 0)
        self->sdp_type = PS_SIGNALLING_SDP_OFFER;
      else if (strcmp (type, "answer") == 0)
        self->sdp_type = PS_SIGNALLING_SDP_ANSWER;
      else
        return fail (error, PS_SIGNALLING_ERROR_INVALID,
                     "the SDP type is neither offer nor answer");
    }
  else
    {
      JsonObject *ice = get_object (object, "ice");
      JsonNode *index;
      gint64 value;

      if (ice == NULL)
        return fail (error, PS_SIGNALLING_ERROR_INVALID, "“ice” is not an object");
      if (!get_string (ice, "candidate", REQUIRED, PS_SIGNALLING_MAX_CANDIDATE_SIZE,
                       &self->candidate, error))
        return FALSE;

      index = json_object_get_member (ice, "sdpMLineIndex");
      if (index == NULL || !JSON_NODE_HOLDS_VALUE (index)
          || json_node_get_value_type (index) != G_TYPE_INT64)
        return fail (error, PS_SIGNALLING_ERROR_INVALID, "“sdpMLineIndex” is not an integer");
      value = json_node_get_int (index);
      if (value < 0 || value > PS_SIGNALLING_MAX_M_LINE_INDEX)
        return fail (error, PS_SIGNALLING_ERROR_INVALID, "“sdpMLineIndex” is out of range");
      self->sdp_m_line_index = (guint) value;
    }

  return TRUE;
}

static gboolean
read_peer_list (PsSignallingMessage  *self,
                JsonObject           *object,
                const char           *name,
                GError              **error)
{
  JsonNode *node = json_object_get_member (object, name);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return fail (error, PS_SIGNALLING_ERROR_INVALID, "“%s” is not an array", name);

  array = json_node_get_array (node);
  if (json_array_get_length (array) > PS_SIGNALLING_MAX_PEERS)
    return fail (error, PS_SIGNALLING_ERROR_INVALID, "“%s” has more than %u entries", name,
                 PS_SIGNALLING_MAX_PEERS);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      PsSignallingPeerInfo *info;
      g_autofree char *id = NULL;
      JsonNode *meta = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail (error, PS_SIGNALLING_ERROR_INVALID, "an entry of “%s” is not an object", name);
      if (!get_id (json_node_get_object (element), "id", REQUIRED, &id, error)
          || !get_meta (json_node_get_object (element), "meta", &meta, error))
        return FALSE;

      info = g_new0 (PsSignallingPeerInfo, 1);
      info->id = g_steal_pointer (&id);
      info->meta = meta;
      g_ptr_array_add (self->peers, info);
    }

  return TRUE;
}

static gboolean
read_members (PsSignallingMessage    *self,
              JsonObject             *object,
              PsSignallingDirection   direction,
              GError                **error)
{
  gboolean to_client = direction == PS_SIGNALLING_TO_CLIENT;

  switch (self->type)
    {
    case PS_SIGNALLING_MESSAGE_START_SESSION:
      return get_id (object, "peerId", REQUIRED, &self->peer_id, error)
             && (!to_client || get_id (object, "sessionId", REQUIRED, &self->session_id, error))
             && get_string (object, "offer", NULLABLE | MULTI_LINE,
                            PS_SIGNALLING_MAX_MESSAGE_SIZE, &self->offer, error);

    case PS_SIGNALLING_MESSAGE_END_SESSION:
      return get_id (object, "sessionId", REQUIRED, &self->session_id, error);

    case PS_SIGNALLING_MESSAGE_END_SESSION_V1_1:
      return get_id (object, "sessionId", REQUIRED, &self->session_id, error)
             && get_string (object, "error", NULLABLE, PS_SIGNALLING_MAX_DETAILS_SIZE,
                            &self->details, error);

    case PS_SIGNALLING_MESSAGE_PEER:
      return read_peer_message (self, object, error);

    case PS_SIGNALLING_MESSAGE_LIST:
      return !to_client || read_peer_list (self, object, "producers", error);

    case PS_SIGNALLING_MESSAGE_LIST_CONSUMERS:
      return !to_client || read_peer_list (self, object, "consumers", error);

    case PS_SIGNALLING_MESSAGE_SET_PEER_STATUS:
      /* the server knows who sent it: a "peerId" is checked, then ignored */
      return get_roles (object, &self->roles, error)
             && get_meta (object, "meta", &self->meta, error)
             && get_id (object, "peerId", NULLABLE, &self->peer_id, error);

    case PS_SIGNALLING_MESSAGE_SET_PROTOCOL_VERSION:
      {
        g_autofree char *version = NULL;

        if (!get_string (object, "version", REQUIRED, 16, &version, error))
          return FALSE;
        for (guint i = 0; i < G_N_ELEMENTS (version_names); i++)
          {
            if (strcmp (version, version_names[i]) == 0)
              {
                self->version = (PsSignallingVersion) i;
                return TRUE;
              }
          }
        return fail (error, PS_SIGNALLING_ERROR_INVALID,
                     "unknown protocol version (known: v1_0, v1_1)");
      }

    case PS_SIGNALLING_MESSAGE_WELCOME:
      return get_id (object, "peerId", REQUIRED, &self->peer_id, error);

    case PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED:
      return get_id (object, "peerId", REQUIRED, &self->peer_id, error)
             && get_roles (object, &self->roles, error)
             && get_meta (object, "meta", &self->meta, error);

    case PS_SIGNALLING_MESSAGE_SESSION_STARTED:
      return get_id (object, "peerId", REQUIRED, &self->peer_id, error)
             && get_id (object, "sessionId", REQUIRED, &self->session_id, error);

    case PS_SIGNALLING_MESSAGE_ERROR:
      return get_string (object, "details", REQUIRED, PS_SIGNALLING_MAX_DETAILS_SIZE,
                         &self->details, error);

    default:
      g_assert_not_reached ();
    }
}

PsSignallingMessage *
ps_signalling_message_parse (const char             *data,
                             gsize                   length,
                             PsSignallingDirection   direction,
                             GError                **error)
{
  g_autoptr(PsSignallingMessage) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *type_node;
  const char *type;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (direction == PS_SIGNALLING_TO_SERVER
                        || direction == PS_SIGNALLING_TO_CLIENT, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > PS_SIGNALLING_MAX_MESSAGE_SIZE)
    {
      fail (error, PS_SIGNALLING_ERROR_TOO_LARGE, "The message is larger than %u bytes",
            PS_SIGNALLING_MAX_MESSAGE_SIZE);
      return NULL;
    }

  if (length == 0 || memchr (data, '\0', length) != NULL
      || !g_utf8_validate_len (data, length, NULL) || !is_one_shallow_object (data, length))
    {
      fail (error, PS_SIGNALLING_ERROR_MALFORMED,
            "The message is not one JSON object nested at most %u deep", PS_SIGNALLING_MAX_DEPTH);
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      guint line;
      guint column;

      /* json-glib quotes the bad token: say only where it is */
      if (sscanf (local_error->message, "<data>:%u:%u:", &line, &column) == 2)
        fail (error, PS_SIGNALLING_ERROR_MALFORMED,
              "The message is not valid JSON (line %u, column %u)", line, column);
      else
        fail (error, PS_SIGNALLING_ERROR_MALFORMED, "The message is not valid JSON");
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fail (error, PS_SIGNALLING_ERROR_MALFORMED, "The message is not a JSON object");
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));

  type_node = json_object_get_member (object, "type");
  if (type_node == NULL || !JSON_NODE_HOLDS_VALUE (type_node)
      || json_node_get_value_type (type_node) != G_TYPE_STRING)
    {
      fail (error, PS_SIGNALLING_ERROR_UNKNOWN_TYPE, "The message has no “type”");
      return NULL;
    }

  type = json_node_get_string (type_node);
  for (guint i = 0; i < G_N_ELEMENTS (message_types) && self == NULL; i++)
    {
      if ((message_types[i].directions & (1 << direction))
          && strcmp (type, message_types[i].name) == 0)
        self = ps_signalling_message_new (message_types[i].type);
    }
  if (self == NULL)
    {
      /* the name is not repeated: it could be anything */
      fail (error, PS_SIGNALLING_ERROR_UNKNOWN_TYPE, "Unknown message type");
      return NULL;
    }

  if (!read_members (self, object, direction, &local_error))
    {
      g_set_error (error, PS_SIGNALLING_ERROR, local_error->code, "Invalid %s message: %s",
                   ps_signalling_message_type_to_string (self->type), local_error->message);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* Writing */

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_meta (JsonBuilder *builder,
          JsonNode    *meta)
{
  json_builder_set_member_name (builder, "meta");
  if (meta != NULL)
    json_builder_add_value (builder, json_node_copy (meta));
  else
    json_builder_add_null_value (builder);
}

static void
add_roles (JsonBuilder       *builder,
           PsSignallingRoles  roles)
{
  json_builder_set_member_name (builder, "roles");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (roles & role_names[i].role)
      json_builder_add_string_value (builder, role_names[i].name);
  json_builder_end_array (builder);
}

static void
add_peer_list (JsonBuilder *builder,
               const char  *name,
               GPtrArray   *peers)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; peers != NULL && i < peers->len; i++)
    {
      PsSignallingPeerInfo *info = g_ptr_array_index (peers, i);

      json_builder_begin_object (builder);
      add_string (builder, "id", info->id);
      add_meta (builder, info->meta);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* The ids and texts a type needs are there */
static gboolean
is_complete (const PsSignallingMessage *self,
             PsSignallingDirection      direction)
{
  gboolean to_client = direction == PS_SIGNALLING_TO_CLIENT;

  switch (self->type)
    {
    case PS_SIGNALLING_MESSAGE_START_SESSION:
      return ps_signalling_id_is_valid (self->peer_id)
             && (!to_client || ps_signalling_id_is_valid (self->session_id));
    case PS_SIGNALLING_MESSAGE_END_SESSION:
    case PS_SIGNALLING_MESSAGE_END_SESSION_V1_1:
      return ps_signalling_id_is_valid (self->session_id);
    case PS_SIGNALLING_MESSAGE_PEER:
      return ps_signalling_id_is_valid (self->session_id)
             && (self->sdp_type != PS_SIGNALLING_SDP_NONE ? self->sdp != NULL
                                                           : self->candidate != NULL);
    case PS_SIGNALLING_MESSAGE_LIST:
    case PS_SIGNALLING_MESSAGE_LIST_CONSUMERS:
    case PS_SIGNALLING_MESSAGE_SET_PEER_STATUS:
    case PS_SIGNALLING_MESSAGE_SET_PROTOCOL_VERSION:
      return TRUE;
    case PS_SIGNALLING_MESSAGE_WELCOME:
    case PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED:
      return ps_signalling_id_is_valid (self->peer_id);
    case PS_SIGNALLING_MESSAGE_SESSION_STARTED:
      return ps_signalling_id_is_valid (self->peer_id)
             && ps_signalling_id_is_valid (self->session_id);
    case PS_SIGNALLING_MESSAGE_ERROR:
      return self->details != NULL;
    default:
      return FALSE;
    }
}

/* Compact JSON, members in a fixed order: the same message always gives
 * the same text. */
char *
ps_signalling_message_to_json (const PsSignallingMessage *self,
                               PsSignallingDirection      direction)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  gboolean to_client = direction == PS_SIGNALLING_TO_CLIENT;
  const char *type = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (message_types); i++)
    if (message_types[i].type == self->type && (message_types[i].directions & (1 << direction)))
      type = message_types[i].name;
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (is_complete (self, direction), NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string (builder, "type", type);

  switch (self->type)
    {
    case PS_SIGNALLING_MESSAGE_START_SESSION:
      add_string (builder, "peerId", self->peer_id);
      if (to_client)
        add_string (builder, "sessionId", self->session_id);
      if (self->offer != NULL)
        add_string (builder, "offer", self->offer);
      break;

    case PS_SIGNALLING_MESSAGE_END_SESSION:
      add_string (builder, "sessionId", self->session_id);
      break;

    case PS_SIGNALLING_MESSAGE_END_SESSION_V1_1:
      add_string (builder, "sessionId", self->session_id);
      add_string (builder, "error", self->details);
      break;

    case PS_SIGNALLING_MESSAGE_PEER:
      add_string (builder, "sessionId", self->session_id);
      if (self->sdp_type != PS_SIGNALLING_SDP_NONE)
        {
          json_builder_set_member_name (builder, "sdp");
          json_builder_begin_object (builder);
          add_string (builder, "type",
                      self->sdp_type == PS_SIGNALLING_SDP_OFFER ? "offer" : "answer");
          add_string (builder, "sdp", self->sdp);
          json_builder_end_object (builder);
        }
      else
        {
          json_builder_set_member_name (builder, "ice");
          json_builder_begin_object (builder);
          add_string (builder, "candidate", self->candidate);
          json_builder_set_member_name (builder, "sdpMLineIndex");
          json_builder_add_int_value (builder, self->sdp_m_line_index);
          json_builder_end_object (builder);
        }
      break;

    case PS_SIGNALLING_MESSAGE_LIST:
      if (to_client)
        add_peer_list (builder, "producers", self->peers);
      break;

    case PS_SIGNALLING_MESSAGE_LIST_CONSUMERS:
      if (to_client)
        add_peer_list (builder, "consumers", self->peers);
      break;

    case PS_SIGNALLING_MESSAGE_SET_PEER_STATUS:
      add_roles (builder, self->roles);
      add_meta (builder, self->meta);
      if (self->peer_id != NULL)
        add_string (builder, "peerId", self->peer_id);
      break;

    case PS_SIGNALLING_MESSAGE_SET_PROTOCOL_VERSION:
      add_string (builder, "version", version_names[self->version == PS_SIGNALLING_VERSION_1_1]);
      break;

    case PS_SIGNALLING_MESSAGE_WELCOME:
      add_string (builder, "peerId", self->peer_id);
      break;

    case PS_SIGNALLING_MESSAGE_PEER_STATUS_CHANGED:
      add_string (builder, "peerId", self->peer_id);
      add_roles (builder, self->roles);
      add_meta (builder, self->meta);
      break;

    case PS_SIGNALLING_MESSAGE_SESSION_STARTED:
      add_string (builder, "peerId", self->peer_id);
      add_string (builder, "sessionId", self->session_id);
      break;

    case PS_SIGNALLING_MESSAGE_ERROR:
      add_string (builder, "details", self->details);
      break;

    default:
      g_assert_not_reached ();
    }

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}
