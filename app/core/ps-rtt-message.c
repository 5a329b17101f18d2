/* ps-rtt-message.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-rtt-message.h"

G_DEFINE_QUARK (ps-rtt-message-error-quark, ps_rtt_message_error)

#define PREFIX_LENGTH 5   /* "ping " */
#define MAX_DIGITS    10  /* 4294967295 */

gboolean
ps_rtt_message_parse (const char  *text,
                      gsize        length,
                      PsRttKind   *kind,
                      guint32     *sequence,
                      GError     **error)
{
  guint64 value = 0;
  gsize digits;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (kind != NULL && sequence != NULL, FALSE);

  if (length > PS_RTT_MAX_MESSAGE_SIZE)
    {
      g_set_error_literal (error, PS_RTT_MESSAGE_ERROR, PS_RTT_MESSAGE_ERROR_TOO_LARGE,
                           _("A round-trip probe is at most 15 bytes long"));
      return FALSE;
    }

  if (length > PREFIX_LENGTH && memcmp (text, "ping ", PREFIX_LENGTH) == 0)
    *kind = PS_RTT_PING;
  else if (length > PREFIX_LENGTH && memcmp (text, "pong ", PREFIX_LENGTH) == 0)
    *kind = PS_RTT_PONG;
  else
    goto malformed;

  digits = length - PREFIX_LENGTH;
  if (digits > MAX_DIGITS || (digits > 1 && text[PREFIX_LENGTH] == '0'))
    goto malformed;
  for (gsize i = PREFIX_LENGTH; i < length; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        goto malformed;
      value = value * 10 + (guint64) (text[i] - '0');
    }
  if (value > G_MAXUINT32)
    goto malformed;

  *sequence = (guint32) value;
  return TRUE;

malformed:
  g_set_error_literal (error, PS_RTT_MESSAGE_ERROR, PS_RTT_MESSAGE_ERROR_MALFORMED,
                       _("Not a round-trip probe (“ping N” or “pong N”)"));
  return FALSE;
}

gboolean
ps_rtt_message_parse_text (const char  *text,
                           PsRttKind   *kind,
                           guint32     *sequence,
                           GError     **error)
{
  if (text == NULL)
    {
      g_set_error_literal (error, PS_RTT_MESSAGE_ERROR, PS_RTT_MESSAGE_ERROR_MALFORMED,
                           _("Not a round-trip probe (“ping N” or “pong N”)"));
      return FALSE;
    }

  return ps_rtt_message_parse (text, strnlen (text, PS_RTT_MAX_MESSAGE_SIZE + 1), kind,
                               sequence, error);
}

char *
ps_rtt_message_format (PsRttKind kind,
                       guint32   sequence)
{
  return g_strdup_printf ("%s %u", kind == PS_RTT_PING ? "ping" : "pong", sequence);
}
