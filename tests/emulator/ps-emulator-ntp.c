/* ps-emulator-ntp.c: SNTP client requests and server replies, a pure codec
 *
 * The packet (RFC 5905 §7.3, RFC 4330 §4; integers big-endian):
 *
 *   LI:2 VN:3 Mode:3, stratum, poll, precision, root delay:4,
 *   root dispersion:4, reference id:4, then four 64-bit timestamps
 *   (reference, origin, receive, transmit): seconds since 1900 and a
 *   32-bit fraction.
 *
 * Anything past byte 48 (extension fields, a MAC) is ignored. Seconds
 * below 2^31 are taken as era 1 (after 2036), as RFC 4330 §3 suggests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <gio/gio.h>
#include <string.h>

#include "ps-byte-reader.h"
#include "ps-emulator-ntp.h"

#define NTP_UNIX_OFFSET   G_GUINT64_CONSTANT (2208988800)   /* 1900 to 1970 */
#define MODE_CLIENT       3
#define MODE_SERVER       4
#define VERSION           4

static guint64
to_ntp (gint64 real_time_us)
{
  guint64 us = (guint64) MAX (real_time_us, 0);
  guint64 seconds = us / G_USEC_PER_SEC + NTP_UNIX_OFFSET;
  guint64 fraction = ((us % G_USEC_PER_SEC) << 32) / G_USEC_PER_SEC;

  return (seconds & 0xffffffff) << 32 | fraction;
}

static gint64
from_ntp (guint64 ntp)
{
  guint64 seconds = ntp >> 32;
  guint64 fraction = ntp & 0xffffffff;

  if (seconds < G_GUINT64_CONSTANT (0x80000000))
    seconds += G_GUINT64_CONSTANT (0x100000000);

  return (gint64) ((seconds - NTP_UNIX_OFFSET) * G_USEC_PER_SEC +
                   ((fraction * G_USEC_PER_SEC) >> 32));
}

GBytes *
ps_emulator_ntp_build_request (gint64   real_time_us,
                               guint64 *transmit)
{
  guint8 *packet = g_malloc0 (PS_EMULATOR_NTP_PACKET_LEN);
  guint64 now = to_ntp (real_time_us);

  packet[0] = (guint8) (VERSION << 3 | MODE_CLIENT);
  for (guint i = 0; i < 8; i++)
    packet[40 + i] = (guint8) (now >> (56 - 8 * i));

  if (transmit != NULL)
    *transmit = now;

  return g_bytes_new_take (packet, PS_EMULATOR_NTP_PACKET_LEN);
}

static gboolean
ntp_error (GError     **error,
           const char  *message)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "NTP reply: %s", message);
  return FALSE;
}

gboolean
ps_emulator_ntp_parse_reply (const guint8  *data,
                             gsize          len,
                             guint64        transmit,
                             guint         *stratum_out,
                             gint64        *server_time_us,
                             GError       **error)
{
  PsByteReader r = PS_BYTE_READER_INIT (data, len);
  guint8 first, stratum;
  guint32 origin_hi, origin_lo, transmit_hi, transmit_lo;
  guint version;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len < PS_EMULATOR_NTP_PACKET_LEN)
    return ntp_error (error, "shorter than 48 bytes");
  if (!ps_byte_reader_get_u8 (&r, &first) ||
      !ps_byte_reader_get_u8 (&r, &stratum) ||
      !ps_byte_reader_skip (&r, 22) ||
      !ps_byte_reader_get_u32_be (&r, &origin_hi) ||
      !ps_byte_reader_get_u32_be (&r, &origin_lo) ||
      !ps_byte_reader_skip (&r, 8) ||
      !ps_byte_reader_get_u32_be (&r, &transmit_hi) ||
      !ps_byte_reader_get_u32_be (&r, &transmit_lo))
    return ntp_error (error, "truncated");

  version = (first >> 3) & 7;
  if ((first & 7) != MODE_SERVER)
    return ntp_error (error, "not a server reply");
  if (version < 1 || version > 4)
    return ntp_error (error, "unknown version");
  if (first >> 6 == 3)
    return ntp_error (error, "server not synchronised");
  if (stratum == 0)
    return ntp_error (error, "kiss-o'-death");
  if (transmit_hi == 0 && transmit_lo == 0)
    return ntp_error (error, "no transmit timestamp");
  if (((guint64) origin_hi << 32 | origin_lo) != transmit)
    return ntp_error (error, "does not answer our request");

  if (stratum_out != NULL)
    *stratum_out = stratum;
  if (server_time_us != NULL)
    *server_time_us = from_ntp ((guint64) transmit_hi << 32 | transmit_lo);

  return TRUE;
}
