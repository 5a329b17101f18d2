/* fuzz-dns-log.c: dnsmasq query log lines from a router anybody can log to
 *
 * The input is one line for the parser, and also a byte stream cut into
 * lines by the line buffer in chunks whose sizes come from the input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <string.h>

#include "ps-dns-log.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_entry (const PsDnsLogEntry *entry)
{
  gsize length = strnlen (entry->name, sizeof entry->name);

  g_assert (length > 0 && length <= PS_DNS_LOG_MAX_NAME);
  g_assert (ps_dns_log_name_is_valid (entry->name, length));
  for (gsize i = 0; i < length; i++)
    g_assert (!g_ascii_isupper (entry->name[i]));
  g_assert (entry->address.family == 4 || entry->address.family == 6);
  g_assert (entry->client.family == 0 || entry->client.family == 4 || entry->client.family == 6);
  g_assert (entry->client.family != 0 || entry->client_port == 0);
  g_assert (entry->answer <= PS_DNS_LOG_ANSWER_CONFIG);
}

static gboolean
on_line_cb (const char *line,
            gsize       length,
            gpointer    user_data)
{
  guint *count = user_data;
  PsDnsLogEntry entry;

  (*count)++;
  if (line == NULL)
    {
      g_assert (length == 0);
      return TRUE;
    }

  g_assert (length <= PS_DNS_LOG_MAX_LINE);
  g_assert (memchr (line, '\n', length) == NULL);
  if (ps_dns_log_parse_line (line, length, &entry))
    check_entry (&entry);

  /* stopping now and then, as a handler that stops the source does */
  return *count % 64 != 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static PsDnsLogLineBuffer buffer;
  PsDnsLogEntry entry;
  PsDnsLogLine kind;
  guint count = 0;
  gsize pos = 0;

  kind = ps_dns_log_classify_line ((const char *) data, size, &entry);
  if (kind == PS_DNS_LOG_LINE_ANSWER)
    {
      g_assert (size <= PS_DNS_LOG_MAX_LINE + 2);
      g_assert (memchr (data, '\0', size) == NULL);
      check_entry (&entry);
    }
  else
    {
      static const PsDnsLogEntry zero;

      g_assert (memcmp (&entry, &zero, sizeof entry) == 0);
    }

  /* the same bytes as a stream, in chunks of 1 to 256 bytes */
  ps_dns_log_line_buffer_reset (&buffer);
  if (size > 0 && data[0] & 1)
    ps_dns_log_line_buffer_skip_line (&buffer);
  while (pos < size)
    {
      gsize chunk = MIN (size - pos, (gsize) data[pos] + 1);

      guint before = count;

      ps_dns_log_line_buffer_feed (&buffer, (const char *) data + pos, chunk, on_line_cb, &count);
      if (count / 64 != before / 64)
        ps_dns_log_line_buffer_reset (&buffer);
      pos += chunk;
    }
  g_assert (buffer.length <= PS_DNS_LOG_MAX_LINE);

  return 0;
}
