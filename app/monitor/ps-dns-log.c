/* ps-dns-log.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-dns-log"

#include "config.h"

#include <string.h>
#include <arpa/inet.h>

#include "ps-byte-reader.h"
#include "ps-dns-log.h"

#define TAG "dnsmasq"
#define MAX_SERIAL_DIGITS 10           /* G_MAXUINT32 */
#define MAX_SCOPE 15                   /* IF_NAMESIZE - 1 */
#define MAX_LABEL 63
#define DNSSEC_SUFFIX " (DNSSEC signed)"

static const struct
{
  const char     *word;
  PsDnsLogAnswer  answer;
} answer_words[] = {
  { "reply", PS_DNS_LOG_ANSWER_REPLY },
  { "cached", PS_DNS_LOG_ANSWER_CACHED },
  { "cached-stale", PS_DNS_LOG_ANSWER_CACHED_STALE },
  { "config", PS_DNS_LOG_ANSWER_CONFIG },
};

static gboolean
token_equal (const guint8 *token,
             gsize         length,
             const char   *word)
{
  return length == strlen (word) && memcmp (token, word, length) == 0;
}

/* The bytes up to the next space or the end: at least one. */
static gboolean
read_token (PsByteReader  *r,
            const guint8 **token,
            gsize         *length)
{
  const guint8 *start;
  const guint8 *space;
  gsize n;

  *length = 0;
  if (ps_byte_reader_remaining (r) == 0)
    return FALSE;

  start = r->data + r->pos;
  space = memchr (start, ' ', ps_byte_reader_remaining (r));
  n = space != NULL ? (gsize) (space - start) : ps_byte_reader_remaining (r);

  *length = n;
  return n > 0 && ps_byte_reader_get_bytes (r, n, token);
}

static gboolean
read_space (PsByteReader *r)
{
  guint8 c;

  return ps_byte_reader_get_u8 (r, &c) && c == ' ';
}

static gboolean
read_literal (PsByteReader *r,
              const char   *word)
{
  const guint8 *bytes;
  gsize length = strlen (word);

  return ps_byte_reader_get_bytes (r, length, &bytes) && memcmp (bytes, word, length) == 0;
}

static gboolean
all_digits (const guint8 *token,
            gsize         length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (token[i]))
      return FALSE;
  return length > 0;
}

static gboolean
parse_number (const guint8 *token,
              gsize         length,
              guint         max_digits,
              guint64       max,
              guint64      *out)
{
  guint64 value = 0;

  if (length > max_digits || !all_digits (token, length))
    return FALSE;

  for (gsize i = 0; i < length; i++)
    value = value * 10 + (guint64) (token[i] - '0');

  if (value > max)
    return FALSE;

  *out = value;
  return TRUE;
}

/* An address as dnsmasq prints it (inet_ntop), without allocating. */
static gboolean
parse_ip (const guint8 *text,
          gsize         length,
          PsIpAddress  *address)
{
  char buffer[PS_IP_ADDRESS_STRLEN];
  guint8 bytes[16];

  if (length == 0 || length >= sizeof buffer)
    return FALSE;

  memcpy (buffer, text, length);
  buffer[length] = '\0';

  if (memchr (buffer, ':', length) == NULL)
    {
      if (inet_pton (AF_INET, buffer, bytes) != 1)
        return FALSE;
      ps_ip_address_set_v4 (address, bytes);
    }
  else
    {
      if (inet_pton (AF_INET6, buffer, bytes) != 1)
        return FALSE;
      ps_ip_address_set_v6 (address, bytes);
    }

  return TRUE;
}

/* "10.99.1.11/58769" or "fe80::1%br-lan/5353" (prettyprint_addr ()) */
static gboolean
parse_client (const guint8  *token,
              gsize          length,
              PsIpAddress   *client,
              guint16       *port)
{
  const guint8 *slash = NULL;
  const guint8 *percent;
  gsize address_length;
  guint64 value;

  for (gsize i = length; i > 0; i--)
    if (token[i - 1] == '/')
      {
        slash = token + i - 1;
        break;
      }
  if (slash == NULL)
    return FALSE;

  address_length = (gsize) (slash - token);
  if (!parse_number (slash + 1, length - address_length - 1, 5, G_MAXUINT16, &value))
    return FALSE;

  percent = memchr (token, '%', address_length);
  if (percent != NULL)
    {
      gsize scope_length = address_length - (gsize) (percent - token) - 1;

      if (scope_length == 0 || scope_length > MAX_SCOPE)
        return FALSE;
      for (gsize i = 0; i < scope_length; i++)
        {
          guint8 c = percent[1 + i];

          if (!g_ascii_isalnum (c) && c != '-' && c != '_' && c != '.' && c != '@')
            return FALSE;
        }
      address_length = (gsize) (percent - token);
    }

  if (!parse_ip (token, address_length, client))
    return FALSE;

  *port = (guint16) value;
  return TRUE;
}

gboolean
ps_dns_log_name_is_valid (const char *name,
                          gsize       length)
{
  gsize label = 0;

  g_return_val_if_fail (name != NULL || length == 0, FALSE);

  if (length == 0 || length > PS_DNS_LOG_MAX_NAME)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = name[i];

      if (c == '.')
        {
          if (label == 0)
            return FALSE;                 /* leading dot, "..", and so a trailing one */
          label = 0;
          continue;
        }

      if (!g_ascii_isalnum (c) && c != '-' && c != '_')
        return FALSE;
      if (++label > MAX_LABEL)
        return FALSE;
    }

  return label > 0;
}

/* After the syslog tag "dnsmasq": "[PID]: ", ": ", or with rfc5424 the
 * " PROCID MSGID - " of RFC 5424 (structured data only as "-"). */
static gboolean
read_tag_rest (PsByteReader *r,
               gboolean      rfc5424)
{
  const guint8 *token;
  gsize length;
  guint64 value;
  guint8 c;

  if (!ps_byte_reader_get_u8 (r, &c))
    return FALSE;

  switch (c)
    {
    case '[':
      if (!read_token (r, &token, &length) || length < 3
          || memcmp (token + length - 2, "]:", 2) != 0
          || !parse_number (token, length - 2, MAX_SERIAL_DIGITS, G_MAXUINT32, &value))
        return FALSE;
      return read_space (r);

    case ':':
      return read_space (r);

    case ' ':
      if (!rfc5424)
        return FALSE;
      /* PROCID */
      if (!read_token (r, &token, &length)
          || !(token_equal (token, length, "-")
               || parse_number (token, length, MAX_SERIAL_DIGITS, G_MAXUINT32, &value))
          || !read_space (r))
        return FALSE;
      /* MSGID: 1 to 32 printable ASCII */
      if (!read_token (r, &token, &length) || length > 32 || !read_space (r))
        return FALSE;
      for (gsize i = 0; i < length; i++)
        if (token[i] < 33 || token[i] > 126)
          return FALSE;
      /* STRUCTURED-DATA */
      return read_literal (r, "- ");

    default:
      return FALSE;
    }
}

/* "<PRI>1 ": the header of RFC 5424 */
static gboolean
is_rfc5424 (const guint8 *line,
            gsize         length)
{
  PsByteReader r = PS_BYTE_READER_INIT (line, length);
  const guint8 *token;
  gsize token_length;

  return read_literal (&r, "<")
         && read_token (&r, &token, &token_length)
         && token_length >= 3 && token_length <= 5
         && all_digits (token, token_length - 2)
         && memcmp (token + token_length - 2, ">1", 2) == 0;
}

/* The offset of the message: after dnsmasq's syslog tag, or 0 (a bare
 * message) when there is none.  The tag is looked for only where a tag can
 * be, so that no other program's message can carry one: up to the first
 * word that ends in ':' (the tag of RFC 3164 and of every log file), and
 * for RFC 5424 as its APP-NAME. */
static gsize
find_message (const guint8 *line,
              gsize         length)
{
  const gsize tag_length = strlen (TAG);
  PsByteReader r = PS_BYTE_READER_INIT (line, length);
  gboolean rfc5424 = is_rfc5424 (line, length);

  for (guint index = 0; ps_byte_reader_remaining (&r) > 0; index++)
    {
      gsize start = r.pos;
      const guint8 *token = NULL;
      gsize token_length;

      /* an empty word where spaces pad a day of the month */
      read_token (&r, &token, &token_length);

      if (token_length >= tag_length && memcmp (token, TAG, tag_length) == 0)
        {
          PsByteReader rest = PS_BYTE_READER_INIT (line + start + tag_length,
                                                   length - start - tag_length);

          if (read_tag_rest (&rest, rfc5424 && index == 3))
            return start + tag_length + rest.pos;
        }

      if (token_length > 0 && token[token_length - 1] == ':')
        break;
      if (!read_space (&r))
        break;
    }

  return 0;
}

/* [TCP |UDP ][SERIAL [CLIENT/PORT ]]SOURCE NAME is ADDRESS[ (DNSSEC signed)] */
static gboolean
parse_message (const guint8  *message,
               gsize          length,
               PsDnsLogEntry *entry)
{
  PsByteReader r = PS_BYTE_READER_INIT (message, length);
  const guint8 *token;
  gsize token_length;
  const guint8 *name;
  gsize name_length;
  gboolean found = FALSE;
  guint64 value;

  /* a UTF-8 byte order mark may start an RFC 5424 MSG */
  if (length >= 3 && memcmp (message, "\xef\xbb\xbf", 3) == 0)
    r.pos = 3;

  if (!read_token (&r, &token, &token_length))
    return FALSE;

  /* log-queries=proto (dnsmasq 2.91): always followed by the serial */
  if (token_equal (token, token_length, "TCP") || token_equal (token, token_length, "UDP"))
    {
      if (!read_space (&r) || !read_token (&r, &token, &token_length)
          || !all_digits (token, token_length))
        return FALSE;
    }

  /* log-queries=extra: the serial, then the client unless there is none */
  if (all_digits (token, token_length))
    {
      if (!parse_number (token, token_length, MAX_SERIAL_DIGITS, G_MAXUINT32, &value))
        return FALSE;
      entry->serial = (guint32) value;

      if (!read_space (&r) || !read_token (&r, &token, &token_length))
        return FALSE;

      if (memchr (token, '/', token_length) != NULL)
        {
          if (!parse_client (token, token_length, &entry->client, &entry->client_port))
            return FALSE;
          if (!read_space (&r) || !read_token (&r, &token, &token_length))
            return FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (answer_words); i++)
    if (token_equal (token, token_length, answer_words[i].word))
      {
        entry->answer = answer_words[i].answer;
        found = TRUE;
        break;
      }
  if (!found)
    return FALSE;

  if (!read_space (&r) || !read_token (&r, &name, &name_length))
    return FALSE;

  if (!read_space (&r) || !read_token (&r, &token, &token_length)
      || !token_equal (token, token_length, "is"))
    return FALSE;

  if (!read_space (&r) || !read_token (&r, &token, &token_length)
      || !parse_ip (token, token_length, &entry->address))
    return FALSE;

  /* log-queries=extra on a DNSSEC-validating dnsmasq; nothing else may follow */
  if (ps_byte_reader_remaining (&r) > 0
      && !(read_literal (&r, DNSSEC_SUFFIX) && ps_byte_reader_remaining (&r) == 0))
    return FALSE;

  /* the name last: it is copied, lower-cased, without a trailing dot */
  if (name_length > 1 && name[name_length - 1] == '.')
    name_length--;
  if (!ps_dns_log_name_is_valid ((const char *) name, name_length))
    return FALSE;

  for (gsize i = 0; i < name_length; i++)
    entry->name[i] = g_ascii_tolower (name[i]);
  entry->name[name_length] = '\0';

  return TRUE;
}

PsDnsLogLine
ps_dns_log_classify_line (const char    *line,
                          gsize          length,
                          PsDnsLogEntry *entry)
{
  const guint8 *bytes = (const guint8 *) line;
  gboolean ascii = TRUE;
  gsize message;

  g_return_val_if_fail (line != NULL || length == 0, PS_DNS_LOG_LINE_INVALID);
  g_return_val_if_fail (entry != NULL, PS_DNS_LOG_LINE_INVALID);

  memset (entry, 0, sizeof *entry);

  if (length > 0 && bytes[length - 1] == '\n')
    length--;
  if (length > 0 && bytes[length - 1] == '\r')
    length--;

  if (length > PS_DNS_LOG_MAX_LINE)
    return PS_DNS_LOG_LINE_INVALID;

  for (gsize i = 0; i < length; i++)
    {
      guint8 c = bytes[i];

      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return PS_DNS_LOG_LINE_INVALID;  /* NUL, newlines, escapes */
      if (c >= 0x80)
        ascii = FALSE;
    }

  if (!ascii && !g_utf8_validate_len (line, length, NULL))
    return PS_DNS_LOG_LINE_INVALID;

  message = find_message (bytes, length);
  if (!parse_message (bytes + message, length - message, entry))
    {
      memset (entry, 0, sizeof *entry);
      return PS_DNS_LOG_LINE_OTHER;
    }

  return PS_DNS_LOG_LINE_ANSWER;
}

gboolean
ps_dns_log_parse_line (const char    *line,
                       gsize          length,
                       PsDnsLogEntry *entry)
{
  return ps_dns_log_classify_line (line, length, entry) == PS_DNS_LOG_LINE_ANSWER;
}

void
ps_dns_log_line_buffer_reset (PsDnsLogLineBuffer *buffer)
{
  g_return_if_fail (buffer != NULL);

  buffer->length = 0;
  buffer->overlong = FALSE;
  buffer->silent = FALSE;
}

void
ps_dns_log_line_buffer_skip_line (PsDnsLogLineBuffer *buffer)
{
  g_return_if_fail (buffer != NULL);

  buffer->length = 0;
  buffer->overlong = TRUE;
  buffer->silent = TRUE;
}

void
ps_dns_log_line_buffer_feed (PsDnsLogLineBuffer *buffer,
                             const char         *data,
                             gsize               length,
                             PsDnsLogLineFunc    func,
                             gpointer            user_data)
{
  g_return_if_fail (buffer != NULL);
  g_return_if_fail (data != NULL || length == 0);
  g_return_if_fail (func != NULL);

  while (length > 0)
    {
      const char *newline = memchr (data, '\n', length);
      gsize segment = newline != NULL ? (gsize) (newline - data) : length;
      gboolean go_on = TRUE;

      if (buffer->overlong)
        {
          /* dropping up to the newline */
        }
      else if (segment > PS_DNS_LOG_MAX_LINE - buffer->length)
        {
          buffer->overlong = TRUE;
          buffer->length = 0;
        }
      else if (newline != NULL && buffer->length == 0)
        {
          /* a whole line in data: no copy */
          go_on = func (data, segment, user_data);
        }
      else
        {
          memcpy (buffer->data + buffer->length, data, segment);
          buffer->length += segment;
          if (newline != NULL)
            {
              gsize line_length = buffer->length;

              buffer->length = 0;
              go_on = func (buffer->data, line_length, user_data);
            }
        }

      /* func may have reset the buffer: touch it no more */
      if (!go_on || newline == NULL)
        return;

      if (buffer->overlong)
        {
          gboolean silent = buffer->silent;

          buffer->overlong = FALSE;
          buffer->silent = FALSE;
          if (!silent && !func (NULL, 0, user_data))
            return;
        }

      data = newline + 1;
      length -= segment + 1;
    }
}
