/* ps-wsd-message.c
 *
 * What cameras really send, and what this parser therefore accepts:
 * - any namespace prefix, or a default namespace, on every element, and
 *   SOAP 1.1 as well as 1.2 envelopes: elements match by local name only;
 * - Types as QNames with any prefix (dn:, tdn:, none), in any order, with
 *   other types beside NetworkVideoTransmitter; a match without Types is
 *   kept (many Bye messages and some old firmware), and so is one with an
 *   empty Types; one whose Types lack NetworkVideoTransmitter is skipped
 *   (printers, NAS boxes, Windows machines answer probes too);
 * - Scopes and XAddrs broken over several lines, with tabs and CRs;
 * - percent-encoded scopes ("AXIS%20M2036-LE"), or raw text with a stray
 *   '%' that is not an escape (kept as it is);
 * - MAC scopes as /mac/ or /MAC/, with ':', '-' or no separators;
 * - IPv6 link-local XAddrs with a bare "%zone" (not RFC 6874's "%25").
 * Everything is capped: matches, scopes, their length, XAddrs.
 *
 * Errors here are diagnostics for logs, not messages for users, and are
 * not translated.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-wsd-message"

#include <gio/gio.h>
#include <string.h>

#include "ps-wsd-message.h"
#include "ps-xml.h"

#define MAX_ID_LEN     256
#define MAX_XADDR_LEN  1024
#define ONVIF_SCOPE    "onvif://www.onvif.org/"
#define NVT            "NetworkVideoTransmitter"

char *
ps_wsd_new_message_id (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strconcat ("urn:uuid:", uuid, NULL);
}

char *
ps_wsd_build_probe (const char *message_id,
                    const char *types)
{
  g_autofree char *id = NULL;
  g_autofree char *escaped_types = NULL;
  GString *out;

  g_return_val_if_fail (message_id != NULL, NULL);

  id = g_markup_escape_text (message_id, -1);
  out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<s:Envelope"
                      " xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\""
                      " xmlns:a=\"" PS_WSD_NS_ADDRESSING "\""
                      " xmlns:d=\"" PS_WSD_NS_DISCOVERY "\""
                      " xmlns:dn=\"" PS_WSD_NS_NETWORK "\""
                      " xmlns:tds=\"" PS_WSD_NS_DEVICE "\">"
                      "<s:Header>"
                      "<a:Action s:mustUnderstand=\"1\">" PS_WSD_ACTION_PROBE "</a:Action>");
  g_string_append_printf (out, "<a:MessageID>%s</a:MessageID>", id);
  g_string_append (out,
                   "<a:ReplyTo><a:Address>" PS_WSD_NS_ADDRESSING "/role/anonymous"
                   "</a:Address></a:ReplyTo>"
                   "<a:To s:mustUnderstand=\"1\">" PS_WSD_TO_DISCOVERY "</a:To>"
                   "</s:Header>"
                   "<s:Body><d:Probe>");
  if (types != NULL && *types != '\0')
    {
      escaped_types = g_markup_escape_text (types, -1);
      g_string_append_printf (out, "<d:Types>%s</d:Types>", escaped_types);
    }
  g_string_append (out, "</d:Probe></s:Body></s:Envelope>");

  return g_string_free (out, FALSE);
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Valid UTF-8 without control characters: safe to log and to show. */
static gboolean
is_clean (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;

  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;

  return TRUE;
}

/* Calls func on each whitespace-separated token of text, until it returns
 * FALSE. Tokens are copies, so func may keep them. */
static void
foreach_token (const char *text,
               gboolean  (*func) (char *token, gpointer data),
               gpointer    data)
{
  const char *p = text;

  while (p != NULL && *p != '\0')
    {
      const char *start;
      gboolean more;

      while (is_space (*p))
        p++;
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && !is_space (*p))
        p++;

      more = func (g_strndup (start, p - start), data);
      if (!more)
        break;
    }
}

/* A short, clean, single-token text (EndpointReference, RelatesTo). */
static char *
id_text (xmlNode *node)
{
  g_autofree char *text = ps_xml_text (node);

  if (text == NULL || *text == '\0' || strlen (text) > MAX_ID_LEN || !is_clean (text))
    return NULL;
  for (const char *p = text; *p; p++)
    if (is_space (*p))
      return NULL;

  return g_steal_pointer (&text);
}

static gboolean
find_nvt_cb (char     *token,
             gpointer  data)
{
  g_autofree char *owned = token;
  const char *colon = strrchr (token, ':');
  const char *brace = strrchr (token, '}');
  const char *local = token;

  if (colon != NULL)
    local = colon + 1;
  if (brace != NULL && brace + 1 > local)
    local = brace + 1;
  if (strcmp (local, NVT) == 0)
    {
      *(gboolean *) data = TRUE;
      return FALSE;
    }

  return TRUE;
}

static gboolean
types_have_nvt (const char *types)
{
  gboolean found = FALSE;

  foreach_token (types, find_nvt_cb, &found);

  return found;
}

static gboolean
is_hex_pair (const char *p)
{
  return g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]);
}

char *
ps_wsd_normalize_mac (const char *text)
{
  g_autofree char *normal = NULL;
  gsize len;
  char sep;
  guint step;

  if (text == NULL)
    return NULL;

  len = strlen (text);
  if (len == 12)
    {
      sep = '\0';
      step = 2;
    }
  else if (len == 17 && (text[2] == ':' || text[2] == '-'))
    {
      sep = text[2];
      step = 3;
    }
  else
    return NULL;

  for (guint i = 0; i < 6; i++)
    {
      const char *p = text + i * step;

      if (!is_hex_pair (p))
        return NULL;
      if (sep != '\0' && i < 5 && p[2] != sep)
        return NULL;
    }

  if (sep == '\0')
    normal = g_strdup_printf ("%.2s:%.2s:%.2s:%.2s:%.2s:%.2s",
                              text, text + 2, text + 4, text + 6, text + 8, text + 10);
  else
    {
      normal = g_strdup (text);
      for (guint i = 2; i < len; i += 3)
        normal[i] = ':';
    }

  return g_ascii_strdown (normal, -1);
}

static void
set_once (char       **field,
          const char  *value)
{
  if (*field == NULL && value != NULL && *value != '\0')
    *field = g_strdup (value);
}

/* Reads the well-known ONVIF scopes into the sighting. */
static void
apply_scope (PsSighting *sighting,
             const char *scope)
{
  const char *key, *slash;
  g_autofree char *name = NULL;
  const char *value;

  if (g_ascii_strncasecmp (scope, ONVIF_SCOPE, strlen (ONVIF_SCOPE)) != 0)
    return;

  key = scope + strlen (ONVIF_SCOPE);
  slash = strchr (key, '/');
  if (slash == NULL)
    return;

  name = g_ascii_strdown (key, slash - key);
  value = slash + 1;

  if (strcmp (name, "name") == 0)
    set_once (&sighting->name, value);
  else if (strcmp (name, "hardware") == 0)
    {
      set_once (&sighting->hardware, value);
      set_once (&sighting->model, value);
    }
  else if (strcmp (name, "location") == 0)
    set_once (&sighting->location, value);
  else if (strcmp (name, "manufacturer") == 0 || strcmp (name, "mfr") == 0)
    set_once (&sighting->manufacturer, value);
  else if (strcmp (name, "mac") == 0 && sighting->mac == NULL)
    sighting->mac = ps_wsd_normalize_mac (value);
}

static gboolean
add_scope_cb (char     *token,
              gpointer  data)
{
  g_autofree char *raw = token;
  GPtrArray *scopes = data;
  char *decoded;

  if (scopes->len >= PS_WSD_MAX_SCOPES)
    return FALSE;
  if (strlen (raw) > PS_WSD_MAX_SCOPE_LEN)
    return TRUE;

  /* NULL for an invalid escape or an encoded NUL: keep the raw text */
  decoded = g_uri_unescape_string (raw, NULL);
  if (decoded == NULL)
    decoded = g_steal_pointer (&raw);
  if (!is_clean (decoded))
    {
      g_debug ("dropping a scope that is not clean UTF-8");
      g_free (decoded);
      return TRUE;
    }

  g_ptr_array_add (scopes, decoded);

  return TRUE;
}

static gboolean
is_host_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '-' || c == '_';
}

static gboolean
host_is_valid (const char *host)
{
  if (host == NULL || *host == '\0')
    return FALSE;

  if (strchr (host, ':') != NULL)
    {
      const char *zone = strchr (host, '%');
      g_autofree char *address = g_strndup (host, zone != NULL ? (gsize) (zone - host)
                                                               : strlen (host));

      if (!g_hostname_is_ip_address (address))
        return FALSE;
      if (zone != NULL)
        {
          if (zone[1] == '\0')
            return FALSE;
          for (const char *p = zone + 1; *p; p++)
            if (!is_host_char (*p))
              return FALSE;
        }
      return TRUE;
    }

  for (const char *p = host; *p; p++)
    if (!is_host_char (*p))
      return FALSE;

  return TRUE;
}

/* An http(s) URL with a host, as GLib writes it back, or NULL. */
static char *
check_xaddr (const char *text)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (strlen (text) > MAX_XADDR_LEN || !is_clean (text))
    return NULL;
  if (g_ascii_strncasecmp (text, "http://", 7) != 0 &&
      g_ascii_strncasecmp (text, "https://", 8) != 0)
    return NULL;

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  /* "[fe80::1%eth0]" instead of "[fe80::1%25eth0]" */
  if (uri == NULL && strchr (text, '[') != NULL && strchr (text, '%') != NULL)
    {
      uri = g_uri_parse (text, G_URI_FLAGS_PARSE_RELAXED, NULL);
      if (uri != NULL && (g_uri_get_host (uri) == NULL ||
                          strchr (g_uri_get_host (uri), '%') == NULL))
        g_clear_pointer (&uri, g_uri_unref);
    }
  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    return NULL;
  if (g_uri_get_userinfo (uri) != NULL || !host_is_valid (g_uri_get_host (uri)))
    return NULL;

  return g_uri_to_string (uri);
}

static gboolean
add_xaddr_cb (char     *token,
              gpointer  data)
{
  g_autofree char *raw = token;
  GPtrArray *xaddrs = data;
  g_autofree char *xaddr = NULL;

  if (xaddrs->len >= PS_WSD_MAX_XADDRS)
    return FALSE;

  xaddr = check_xaddr (raw);
  if (xaddr == NULL)
    {
      g_debug ("dropping an XAddr that is not an http(s) URL with a host");
      return TRUE;
    }
  for (guint i = 0; i < xaddrs->len; i++)
    if (strcmp (g_ptr_array_index (xaddrs, i), xaddr) == 0)
      return TRUE;

  g_ptr_array_add (xaddrs, g_steal_pointer (&xaddr));

  return TRUE;
}

static char **
steal_strv (GPtrArray *array)
{
  if (array->len == 0)
    {
      g_ptr_array_unref (array);
      return NULL;
    }

  g_ptr_array_add (array, NULL);
  return (char **) g_ptr_array_free (array, FALSE);
}

/* A ProbeMatch, Hello or Bye element; NULL when it is not a video device. */
static PsSighting *
parse_match (xmlNode  *match,
             gboolean  bye)
{
  g_autoptr(PsSighting) sighting = NULL;
  g_autofree char *types = NULL;
  g_autofree char *scopes_text = NULL;
  g_autofree char *xaddrs_text = NULL;
  xmlNode *types_node;
  GPtrArray *scopes;
  GPtrArray *xaddrs;

  /* An empty Types says as little as a missing one: keep the match. */
  types_node = ps_xml_find_child (match, "Types");
  types = ps_xml_text (types_node);
  if (types != NULL && *types != '\0' && !types_have_nvt (types))
    return NULL;

  sighting = ps_sighting_new (PS_PROTOCOL_ONVIF);
  sighting->bye = bye;
  sighting->endpoint = id_text (ps_xml_find_child (ps_xml_find_child (match,
                                                                      "EndpointReference"),
                                                   "Address"));

  scopes = g_ptr_array_new_with_free_func (g_free);
  scopes_text = ps_xml_text (ps_xml_find_child (match, "Scopes"));
  if (scopes_text != NULL)
    foreach_token (scopes_text, add_scope_cb, scopes);
  for (guint i = 0; i < scopes->len; i++)
    apply_scope (sighting, g_ptr_array_index (scopes, i));
  sighting->scopes = steal_strv (scopes);

  xaddrs = g_ptr_array_new_with_free_func (g_free);
  xaddrs_text = ps_xml_text (ps_xml_find_child (match, "XAddrs"));
  if (xaddrs_text != NULL)
    foreach_token (xaddrs_text, add_xaddr_cb, xaddrs);
  sighting->xaddrs = steal_strv (xaddrs);

  return g_steal_pointer (&sighting);
}

static xmlNode *
first_element (xmlNode *node)
{
  for (xmlNode *n = node != NULL ? node->children : NULL; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE)
      return n;

  return NULL;
}

static gboolean
name_is (xmlNode    *node,
         const char *local_name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE && node->name != NULL &&
         strcmp ((const char *) node->name, local_name) == 0;
}

GPtrArray *
ps_wsd_parse (const char  *data,
              gsize        len,
              PsWsdKind   *kind,
              char       **relates_to,
              GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) sightings = NULL;
  xmlNode *body;
  xmlNode *message;
  PsWsdKind found;

  if (kind != NULL)
    *kind = PS_WSD_KIND_UNKNOWN;
  if (relates_to != NULL)
    *relates_to = NULL;

  doc = ps_xml_parse (data, len, error);
  if (doc == NULL)
    return NULL;

  body = ps_xml_soap_body (doc, error);
  if (body == NULL)
    return NULL;

  message = first_element (body);
  if (name_is (message, "ProbeMatches"))
    found = PS_WSD_KIND_PROBE_MATCHES;
  else if (name_is (message, "Hello"))
    found = PS_WSD_KIND_HELLO;
  else if (name_is (message, "Bye"))
    found = PS_WSD_KIND_BYE;
  else if (name_is (message, "Probe"))
    found = PS_WSD_KIND_PROBE;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "Not a WS-Discovery ProbeMatches, Hello or Bye message (%s)",
                   message != NULL ? (const char *) message->name : "empty Body");
      return NULL;
    }

  sightings = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_sighting_free);

  if (found == PS_WSD_KIND_PROBE_MATCHES)
    {
      for (xmlNode *n = message->children; n != NULL; n = n->next)
        {
          PsSighting *sighting;

          if (!name_is (n, "ProbeMatch"))
            continue;
          sighting = parse_match (n, FALSE);
          if (sighting != NULL)
            g_ptr_array_add (sightings, sighting);
          if (sightings->len >= PS_WSD_MAX_MATCHES)
            break;
        }
    }
  else if (found == PS_WSD_KIND_HELLO || found == PS_WSD_KIND_BYE)
    {
      PsSighting *sighting = parse_match (message, found == PS_WSD_KIND_BYE);

      if (sighting != NULL)
        g_ptr_array_add (sightings, sighting);
    }

  if (kind != NULL)
    *kind = found;
  if (relates_to != NULL)
    *relates_to = id_text (ps_xml_find_child (ps_xml_find_child (xmlDocGetRootElement (doc),
                                                                 "Header"),
                                              "RelatesTo"));

  return g_steal_pointer (&sightings);
}
