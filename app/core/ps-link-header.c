/* ps-link-header.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-link-header.h"

G_DEFINE_QUARK (ps-link-header-error-quark, ps_link_header_error)

typedef struct
{
  const char *p;
  const char *end;
} Reader;

static void
skip_space (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t'))
    r->p++;
}

static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || strchr ("!#$%&'*+-.^_`|~", c) != NULL;
}

/* token, or quoted-string with backslash escapes; into OUT (capped) */
static gboolean
read_value (Reader   *r,
            GString  *out)
{
  if (r->p < r->end && *r->p == '"')
    {
      r->p++;
      while (r->p < r->end && *r->p != '"')
        {
          if (*r->p == '\\' && r->p + 1 < r->end)
            r->p++;
          if ((guchar) *r->p < 0x20 || out->len >= PS_LINK_HEADER_MAX_VALUE)
            return FALSE;
          g_string_append_c (out, *r->p++);
        }
      if (r->p >= r->end)
        return FALSE;
      r->p++;
      return TRUE;
    }

  while (r->p < r->end && is_token_char (*r->p))
    {
      if (out->len >= PS_LINK_HEADER_MAX_VALUE)
        return FALSE;
      g_string_append_c (out, *r->p++);
    }

  return out->len > 0;
}

static gboolean
rel_is_ice_server (const char *rel)
{
  g_auto(GStrv) relations = g_strsplit (rel, " ", -1);

  for (guint i = 0; relations[i] != NULL; i++)
    if (g_ascii_strcasecmp (relations[i], "ice-server") == 0)
      return TRUE;

  return FALSE;
}

static gboolean
is_ice_uri (const char *uri)
{
  const char *schemes[] = { "stun:", "turn:", "turns:" };

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (g_ascii_strncasecmp (uri, schemes[i], strlen (schemes[i])) == 0 &&
        uri[strlen (schemes[i])] != '\0')
      return TRUE;

  return FALSE;
}

/* One link: <URI> *( ";" name [ "=" value ] ) */
static gboolean
read_link (Reader       *r,
           PsIceServer **out)
{
  g_autoptr(GString) uri = g_string_new (NULL);
  g_autofree char *rel = NULL;
  g_autofree char *username = NULL;
  g_autofree char *credential = NULL;

  skip_space (r);
  if (r->p >= r->end || *r->p != '<')
    return FALSE;
  r->p++;
  while (r->p < r->end && *r->p != '>')
    {
      if ((guchar) *r->p <= 0x20 || uri->len >= PS_LINK_HEADER_MAX_URI)
        return FALSE;
      g_string_append_c (uri, *r->p++);
    }
  if (r->p >= r->end)
    return FALSE;
  r->p++;

  for (;;)
    {
      g_autoptr(GString) name = g_string_new (NULL);
      g_autoptr(GString) value = g_string_new (NULL);

      skip_space (r);
      if (r->p >= r->end || *r->p == ',')
        break;
      if (*r->p != ';')
        return FALSE;
      r->p++;
      skip_space (r);
      while (r->p < r->end && is_token_char (*r->p) && name->len < 64)
        g_string_append_c (name, g_ascii_tolower (*r->p++));
      if (name->len == 0)
        return FALSE;
      skip_space (r);
      if (r->p < r->end && *r->p == '=')
        {
          r->p++;
          skip_space (r);
          if (!read_value (r, value))
            return FALSE;
        }

      if (g_str_equal (name->str, "rel") && rel == NULL)
        rel = g_strdup (value->str);
      else if (g_str_equal (name->str, "username") && username == NULL)
        username = g_strdup (value->str);
      else if (g_str_equal (name->str, "credential") && credential == NULL)
        credential = g_strdup (value->str);
    }

  *out = NULL;
  if (rel != NULL && rel_is_ice_server (rel) && is_ice_uri (uri->str))
    {
      *out = g_new0 (PsIceServer, 1);
      (*out)->uri = g_strdup (uri->str);
      (*out)->username = g_steal_pointer (&username);
      (*out)->credential = g_steal_pointer (&credential);
    }

  return TRUE;
}

GPtrArray *
ps_link_header_parse_ice_servers (const char  *value,
                                  gsize        length,
                                  GError     **error)
{
  g_autoptr(GPtrArray) servers = NULL;
  Reader r = { value, value + length };

  g_return_val_if_fail (value != NULL || length == 0, NULL);

  if (length > PS_LINK_HEADER_MAX_SIZE)
    {
      g_set_error (error, PS_LINK_HEADER_ERROR, PS_LINK_HEADER_ERROR_TOO_LARGE,
                   _("A Link header of more than %u bytes"), PS_LINK_HEADER_MAX_SIZE);
      return NULL;
    }
  if (length > 0 && memchr (value, '\0', length) != NULL)
    goto malformed;

  servers = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_ice_server_free);
  skip_space (&r);
  while (r.p < r.end)
    {
      PsIceServer *server = NULL;

      if (!read_link (&r, &server))
        goto malformed;
      if (server != NULL && servers->len < PS_LINK_HEADER_MAX_SERVERS)
        g_ptr_array_add (servers, server);
      else
        ps_ice_server_free (server);
      skip_space (&r);
      if (r.p < r.end && *r.p == ',')
        r.p++;
      skip_space (&r);
    }

  return g_steal_pointer (&servers);

malformed:
  g_set_error_literal (error, PS_LINK_HEADER_ERROR, PS_LINK_HEADER_ERROR_MALFORMED,
                       _("A Link header that does not parse (RFC 8288)"));
  return NULL;
}

void
ps_ice_server_free (PsIceServer *self)
{
  if (self == NULL)
    return;

  g_free (self->uri);
  g_free (self->username);
  g_free (self->credential);
  g_free (self);
}

char *
ps_ice_server_to_gst_uri (const PsIceServer *self)
{
  const char *colon;
  g_autofree char *scheme = NULL;
  g_autofree char *user = NULL;
  g_autofree char *secret = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  colon = strchr (self->uri, ':');
  if (colon == NULL)
    return NULL;
  scheme = g_ascii_strdown (self->uri, colon - self->uri);
  if (g_str_equal (scheme, "stun"))
    return g_strconcat ("stun://", colon + 1, NULL);
  if (self->username == NULL || self->credential == NULL)
    return NULL;

  user = g_uri_escape_string (self->username, NULL, FALSE);
  secret = g_uri_escape_string (self->credential, NULL, FALSE);

  return g_strdup_printf ("%s://%s:%s@%s", scheme, user, secret, colon + 1);
}
