/* ps-ssdp-message.c
 *
 * What devices really send, and what this parser therefore accepts:
 * - CRLF or bare LF line ends (busybox-based firmware), header names in
 *   any case ("Location", "LOCATION", "location"), optional whitespace
 *   around values, no blank line at the end of the datagram;
 * - HTTP/1.0 as well as 1.1 in a response's status line;
 * - descriptions with the UPnP device namespace, with another prefix, or
 *   with no namespace at all: elements match by local name only.
 * And what it refuses, whole: more than 8 KiB or 64 headers, a NUL or a
 * stray CR anywhere in the head (header injection), continuation lines
 * (obsolete line folding), lines without a colon, a repeated LOCATION, USN,
 * ST or NT with another value. A LOCATION that is not http, or whose host
 * is not the sender's own address, is dropped, never followed. Captured
 * values are bounded and must be clean UTF-8; others are dropped.
 *
 * Errors here are diagnostics for logs and are not translated.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-ssdp-message"

#include <gio/gio.h>
#include <string.h>

#include "ps-ssdp-message.h"
#include "ps-xml.h"

#define MAX_LOCATION 1024

static char *
build_search (const char *host,
              const char *st,
              guint       mx)
{
  g_return_val_if_fail (st != NULL, NULL);

  return g_strdup_printf ("M-SEARCH * HTTP/1.1\r\n"
                          "HOST: %s:%u\r\n"
                          "MAN: \"ssdp:discover\"\r\n"
                          "MX: %u\r\n"
                          "ST: %s\r\n"
                          "USER-AGENT: Peerscope UPnP/1.1\r\n"
                          "\r\n",
                          host, PS_SSDP_PORT, CLAMP (mx, 1, 5), st);
}

char *
ps_ssdp_build_search (const char *st,
                      guint       mx)
{
  return build_search (PS_SSDP_MULTICAST_IPV4, st, mx);
}

/* UPnP Device Architecture 1.1, §1.3.2: the group in brackets, upper case */
char *
ps_ssdp_build_search_ipv6 (const char *st,
                           guint       mx)
{
  return build_search ("[FF02::C]", st, mx);
}

void
ps_ssdp_message_free (PsSsdpMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->location);
  g_free (message->usn);
  g_free (message->st);
  g_free (message->server);
  g_free (message);
}

void
ps_ssdp_description_free (PsSsdpDescription *description)
{
  if (description == NULL)
    return;

  g_free (description->device_type);
  g_free (description->friendly_name);
  g_free (description->manufacturer);
  g_free (description->model_name);
  g_free (description->model_number);
  g_free (description->model_description);
  g_free (description->serial_number);
  g_free (description->udn);
  g_free (description->presentation_url);
  g_free (description);
}

/* Valid UTF-8 without control characters: safe to log and to show. */
static gboolean
is_clean (const char *text,
          gsize       max_len)
{
  if (text == NULL || *text == '\0' || strlen (text) > max_len ||
      !g_utf8_validate (text, -1, NULL))
    return FALSE;

  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;

  return TRUE;
}

static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || strchr ("!#$%&'*+-.^_`|~", c) != NULL;
}

gboolean
ps_ssdp_location_is_on (const char *url,
                        const char *responder)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GInetAddress) host = NULL;
  g_autoptr(GInetAddress) from = NULL;

  if (url == NULL || responder == NULL || strlen (url) > MAX_LOCATION ||
      !is_clean (url, MAX_LOCATION))
    return FALSE;

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_host (uri) == NULL)
    return FALSE;

  /* numeric hosts only: a name could resolve anywhere */
  host = g_inet_address_new_from_string (g_uri_get_host (uri));
  from = g_inet_address_new_from_string (responder);

  return host != NULL && from != NULL && g_inet_address_equal (host, from);
}

/* A header value we keep: bounded, clean; repeated only with one value. */
static gboolean
capture (char       **field,
         const char  *value,
         const char  *name,
         GError     **error)
{
  if (*field != NULL)
    {
      if (strcmp (*field, value) == 0)
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "SSDP header %s repeated with another value", name);
      return FALSE;
    }

  if (is_clean (value, PS_SSDP_MAX_VALUE))
    *field = g_strdup (value);

  return TRUE;
}

typedef struct
{
  char *location;
  char *usn;
  char *st;
  char *nt;
  char *nts;
  char *server;
} Headers;

static void
headers_clear (Headers *h)
{
  g_free (h->location);
  g_free (h->usn);
  g_free (h->st);
  g_free (h->nt);
  g_free (h->nts);
  g_free (h->server);
}

static gboolean
parse_header (Headers     *h,
              const char  *line,
              gsize        len,
              GError     **error)
{
  const char *colon = memchr (line, ':', len);
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;

  if (colon == NULL || colon == line)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "SSDP header line without a name");
      return FALSE;
    }
  for (const char *p = line; p < colon; p++)
    if (!is_token_char (*p))
      {
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             "SSDP header name with an invalid character");
        return FALSE;
      }

  name = g_ascii_strdown (line, colon - line);
  value = g_strstrip (g_strndup (colon + 1, line + len - colon - 1));

  if (strcmp (name, "location") == 0)
    return capture (&h->location, value, "LOCATION", error);
  if (strcmp (name, "usn") == 0)
    return capture (&h->usn, value, "USN", error);
  if (strcmp (name, "st") == 0)
    return capture (&h->st, value, "ST", error);
  if (strcmp (name, "nt") == 0)
    return capture (&h->nt, value, "NT", error);
  if (strcmp (name, "nts") == 0)
    return capture (&h->nts, value, "NTS", error);
  if (strcmp (name, "server") == 0)
    return capture (&h->server, value, "SERVER", error);

  return TRUE;
}

static PsSsdpKind
parse_start_line (const char *line,
                  gsize       len)
{
  /* "HTTP/1.1 200 OK", "HTTP/1.0 200", the reason phrase varies */
  if (len >= 12 && (strncmp (line, "HTTP/1.1 200", 12) == 0 ||
                    strncmp (line, "HTTP/1.0 200", 12) == 0) &&
      (len == 12 || line[12] == ' '))
    return PS_SSDP_KIND_RESPONSE;
  if (len == 17 && strncmp (line, "NOTIFY * HTTP/1.1", 17) == 0)
    return PS_SSDP_KIND_ALIVE;   /* or BYEBYE: NTS decides */

  return PS_SSDP_KIND_UNKNOWN;
}

PsSsdpMessage *
ps_ssdp_parse (const char  *data,
               gsize        len,
               const char  *source_address,
               GError     **error)
{
  g_autoptr(PsSsdpMessage) message = NULL;
  Headers h = { 0 };
  const char *p = data;
  const char *end = data + len;
  PsSsdpKind kind = PS_SSDP_KIND_UNKNOWN;
  guint n_headers = 0;
  gboolean first = TRUE;
  gboolean ok = FALSE;

  if (data == NULL || len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Empty SSDP message");
      return NULL;
    }
  if (len > PS_SSDP_MAX_MESSAGE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "SSDP message of %" G_GSIZE_FORMAT " bytes exceeds %d", len,
                   PS_SSDP_MAX_MESSAGE);
      return NULL;
    }

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      gsize line_len;

      if (line_end > p && line_end[-1] == '\r')
        line_end--;
      line_len = line_end - p;

      if (memchr (p, '\0', line_len) != NULL || memchr (p, '\r', line_len) != NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "SSDP message with a NUL or a stray CR");
          goto out;
        }

      if (first)
        {
          kind = parse_start_line (p, line_len);
          if (kind == PS_SSDP_KIND_UNKNOWN)
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   "Not an SSDP response or NOTIFY");
              goto out;
            }
          first = FALSE;
        }
      else if (line_len == 0)
        break;   /* end of the head; a body, if any, is ignored */
      else if (*p == ' ' || *p == '\t')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "SSDP continuation lines are not accepted");
          goto out;
        }
      else
        {
          if (++n_headers > PS_SSDP_MAX_HEADERS)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "More than %d SSDP headers", PS_SSDP_MAX_HEADERS);
              goto out;
            }
          if (!parse_header (&h, p, line_len, error))
            goto out;
        }

      if (nl == NULL)
        break;
      p = nl + 1;
    }

  if (first)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Not an SSDP response or NOTIFY");
      goto out;
    }

  message = g_new0 (PsSsdpMessage, 1);
  if (kind == PS_SSDP_KIND_RESPONSE)
    message->st = g_steal_pointer (&h.st);
  else
    {
      if (g_strcmp0 (h.nts, "ssdp:alive") == 0)
        kind = PS_SSDP_KIND_ALIVE;
      else if (g_strcmp0 (h.nts, "ssdp:byebye") == 0)
        kind = PS_SSDP_KIND_BYEBYE;
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "NOTIFY without ssdp:alive or ssdp:byebye");
          goto out;
        }
      message->st = g_steal_pointer (&h.nt);
    }
  message->kind = kind;
  message->usn = g_steal_pointer (&h.usn);
  message->server = g_steal_pointer (&h.server);
  if (kind != PS_SSDP_KIND_BYEBYE && ps_ssdp_location_is_on (h.location, source_address))
    message->location = g_steal_pointer (&h.location);
  else if (h.location != NULL)
    g_debug ("LOCATION “%s” dropped: not an http URL on %s", h.location,
             source_address != NULL ? source_address : "(unknown)");

  if (message->usn == NULL && message->location == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "SSDP message with neither USN nor a usable LOCATION");
      goto out;
    }

  ok = TRUE;

out:
  headers_clear (&h);
  if (!ok)
    return NULL;

  return g_steal_pointer (&message);
}

/* Descriptions ------------------------------------------------------------- */

static char *
field_text (xmlNode    *device,
            const char *name)
{
  g_autofree char *text = ps_xml_text (ps_xml_find_child (device, name));

  if (!is_clean (text, PS_SSDP_MAX_FIELD))
    return NULL;

  return g_steal_pointer (&text);
}

static char *
presentation_url (const char *text,
                  const char *location)
{
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *absolute = NULL;

  if (text == NULL || location == NULL)
    return NULL;

  base = g_uri_parse (location, G_URI_FLAGS_ENCODED, NULL);
  if (base == NULL)
    return NULL;
  uri = g_uri_parse_relative (base, text, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return NULL;
  absolute = g_uri_to_string (uri);

  /* same scheme rules as LOCATION, same host as LOCATION */
  if (!ps_ssdp_location_is_on (absolute, g_uri_get_host (base)))
    return NULL;

  return g_steal_pointer (&absolute);
}

PsSsdpDescription *
ps_ssdp_parse_description (const char  *data,
                           gsize        len,
                           const char  *location,
                           GError     **error)
{
  g_autoptr(PsSsdpDescription) description = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *udn = NULL;
  g_autofree char *presentation = NULL;
  xmlNode *root;
  xmlNode *device;

  if (len > PS_SSDP_MAX_DESCRIPTION)
    {
      g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE,
                   "UPnP description of %" G_GSIZE_FORMAT " bytes exceeds %d", len,
                   PS_SSDP_MAX_DESCRIPTION);
      return NULL;
    }

  doc = ps_xml_parse (data, len, error);
  if (doc == NULL)
    return NULL;

  root = xmlDocGetRootElement (doc);
  device = ps_xml_find_child (root, "device");
  if (root->name == NULL || strcmp ((const char *) root->name, "root") != 0 || device == NULL)
    {
      g_set_error_literal (error, PS_XML_ERROR, PS_XML_ERROR_MISSING,
                           "Not a UPnP device description");
      return NULL;
    }

  description = g_new0 (PsSsdpDescription, 1);
  description->device_type = field_text (device, "deviceType");
  description->friendly_name = field_text (device, "friendlyName");
  description->manufacturer = field_text (device, "manufacturer");
  description->model_name = field_text (device, "modelName");
  description->model_number = field_text (device, "modelNumber");
  description->model_description = field_text (device, "modelDescription");
  description->serial_number = field_text (device, "serialNumber");

  udn = field_text (device, "UDN");
  if (udn != NULL && g_ascii_strncasecmp (udn, "uuid:", 5) == 0 && udn[5] != '\0' &&
      strchr (udn, ' ') == NULL)
    description->udn = g_steal_pointer (&udn);

  presentation = field_text (device, "presentationURL");
  description->presentation_url = presentation_url (presentation, location);

  return g_steal_pointer (&description);
}

static gboolean
contains_word (const char *text,
               const char *needle)
{
  g_autofree char *lower = NULL;

  if (text == NULL)
    return FALSE;
  lower = g_utf8_strdown (text, -1);

  return strstr (lower, needle) != NULL;
}

gboolean
ps_ssdp_description_is_camera (const PsSsdpDescription *description)
{
  /* "cam" also catches Foscam, EmuCam, IPCam, Wansview's "IPCAM" */
  static const char * const words[] = {
    "cam", "ipc", "nvr", "dvr", "hikvision", "dahua", "axis", "amcrest", "reolink",
    "hanwha", "uniview", "vivotek", "lorex", "video server", "network video",
  };
  const char *fields[6];

  g_return_val_if_fail (description != NULL, FALSE);

  fields[0] = description->device_type;
  fields[1] = description->friendly_name;
  fields[2] = description->manufacturer;
  fields[3] = description->model_name;
  fields[4] = description->model_number;
  fields[5] = description->model_description;

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    for (guint w = 0; w < G_N_ELEMENTS (words); w++)
      if (contains_word (fields[f], words[w]))
        return TRUE;

  return FALSE;
}

PsSighting *
ps_ssdp_to_sighting (const PsSsdpMessage     *message,
                     const PsSsdpDescription *description)
{
  PsSighting *sighting;

  g_return_val_if_fail (message != NULL, NULL);

  sighting = ps_sighting_new (PS_PROTOCOL_SSDP);
  sighting->bye = message->kind == PS_SSDP_KIND_BYEBYE;
  if (description == NULL)
    return sighting;

  sighting->name = g_strdup (description->friendly_name);
  sighting->manufacturer = g_strdup (description->manufacturer);
  sighting->model = g_strdup (description->model_name != NULL ? description->model_name
                                                               : description->model_number);
  sighting->hardware = g_strdup (description->model_number);
  if (description->udn != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (description->udn + 5, -1);

      sighting->endpoint = g_strconcat ("urn:uuid:", lower, NULL);
    }

  return sighting;
}
