/* ps-emulator-ntp.h: SNTP client requests and server replies, a pure codec
 * (untrusted input)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PS_EMULATOR_NTP_PORT        123
#define PS_EMULATOR_NTP_PACKET_LEN  48

/* A 48-byte SNTPv4 client request (mode 3) whose transmit timestamp is
 * real_time_us (microseconds since 1970); transmit gets it in NTP format,
 * to match the reply's origin timestamp against. */
GBytes   *ps_emulator_ntp_build_request (gint64         real_time_us,
                                         guint64       *transmit);
/* Checks a server reply (RFC 4330 §5): at least 48 bytes, mode 4, version
 * 1 to 4, not unsynchronised (LI 3), not a kiss-o'-death (stratum 0), a
 * non-zero transmit timestamp and origin == transmit. stratum and
 * server_time_us (its transmit timestamp, microseconds since 1970) are
 * optional. */
gboolean  ps_emulator_ntp_parse_reply   (const guint8  *data,
                                         gsize          len,
                                         guint64        transmit,
                                         guint         *stratum,
                                         gint64        *server_time_us,
                                         GError       **error);

G_END_DECLS
