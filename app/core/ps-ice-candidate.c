/* ps-ice-candidate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ps-ice-candidate.h"

G_DEFINE_QUARK (ps-ice-candidate-error-quark, ps_ice_candidate_error)

/* FOUNDATION .. TYPE: eight fields; the extensions after them are not read */
#define N_FIELDS 8

static gboolean
parse_number (const char *text,
              guint64     max,
              guint64    *out)
{
  guint64 value = 0;

  if (*text == '\0' || strlen (text) > 10)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
    }
  if (value > max)
    return FALSE;
  *out = value;
  return TRUE;
}

/* an IP literal, or an mDNS name: letters, digits, '-' and '.', ending
 * in ".local" */
static gboolean
valid_address (const char *text)
{
  g_autoptr(GInetAddress) address = NULL;
  gsize length = strlen (text);

  if (length == 0 || length > PS_ICE_CANDIDATE_MAX_ADDRESS)
    return FALSE;
  address = g_inet_address_new_from_string (text);
  if (address != NULL)
    return TRUE;
  if (length <= strlen (".local") || !g_str_has_suffix (text, ".local"))
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;

  return TRUE;
}

static const char *
known (const char         *text,
       const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, names[i]) == 0)
      return names[i];

  return NULL;
}

PsIceCandidate *
ps_ice_candidate_parse (const char  *text,
                        gsize        length,
                        GError     **error)
{
  static const char * const types[] = { "host", "srflx", "prflx", "relay", NULL };
  static const char * const transports[] = { "udp", "tcp", NULL };
  g_autofree char *line = NULL;
  g_auto(GStrv) fields = NULL;
  const char *body;
  const char *type, *transport;
  guint64 component, priority, port;
  PsIceCandidate *self;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (length > PS_ICE_CANDIDATE_MAX_SIZE)
    {
      g_set_error (error, PS_ICE_CANDIDATE_ERROR, PS_ICE_CANDIDATE_ERROR_TOO_LARGE,
                   _("An ICE candidate is at most %u bytes long"), PS_ICE_CANDIDATE_MAX_SIZE);
      return NULL;
    }
  if (length == 0 || memchr (text, '\0', length) != NULL)
    goto malformed;

  line = g_strndup (text, length);
  g_strchomp (line);
  body = line;
  if (g_str_has_prefix (body, "a="))
    body += 2;
  if (!g_str_has_prefix (body, "candidate:"))
    goto malformed;
  body += strlen ("candidate:");

  fields = g_strsplit (body, " ", N_FIELDS + 1);
  if (g_strv_length (fields) < N_FIELDS ||
      *fields[0] == '\0' ||
      !parse_number (fields[1], 256, &component) || component == 0 ||
      (transport = known (fields[2], transports)) == NULL ||
      !parse_number (fields[3], G_MAXUINT32, &priority) ||
      !valid_address (fields[4]) ||
      !parse_number (fields[5], G_MAXUINT16, &port) ||
      g_strcmp0 (fields[6], "typ") != 0 ||
      (type = known (fields[7], types)) == NULL)
    goto malformed;

  self = g_new0 (PsIceCandidate, 1);
  self->type = g_strdup (type);
  self->transport = g_strdup (transport);
  self->address = g_strdup (fields[4]);
  self->port = (guint16) port;

  return self;

malformed:
  g_set_error_literal (error, PS_ICE_CANDIDATE_ERROR, PS_ICE_CANDIDATE_ERROR_MALFORMED,
                       _("Not an ICE candidate (“candidate:… ADDRESS PORT typ TYPE”)"));
  return NULL;
}

PsIceCandidate *
ps_ice_candidate_copy (const PsIceCandidate *self)
{
  PsIceCandidate *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PsIceCandidate, 1);
  copy->type = g_strdup (self->type);
  copy->transport = g_strdup (self->transport);
  copy->address = g_strdup (self->address);
  copy->port = self->port;

  return copy;
}

void
ps_ice_candidate_free (PsIceCandidate *self)
{
  if (self == NULL)
    return;

  g_free (self->type);
  g_free (self->transport);
  g_free (self->address);
  g_free (self);
}

gboolean
ps_ice_candidate_equal (const PsIceCandidate *a,
                        const PsIceCandidate *b)
{
  return g_str_equal (a->type, b->type) && g_str_equal (a->transport, b->transport) &&
         g_str_equal (a->address, b->address) && a->port == b->port;
}
