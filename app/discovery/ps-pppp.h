/* ps-pppp.h: CS2 Network "PPPP" LAN search, a pure codec (untrusted input)
 *
 * A viewer finds PPPP cameras by sending MSG_LAN_SEARCH (F1 30 00 00, or
 * F1 32 00 00) to UDP port 32108; each camera answers with MSG_PUNCH_PKT
 * (F1 41 00 14) or MSG_P2P_RDY (F1 42 00 14) carrying its UID: an 8-byte
 * prefix, a 4-byte big-endian serial and an 8-byte check code, printed as
 * PREFIX-123456-CHECK. Cameras answer from another source port than 32108.
 *
 * Some vendors obfuscate every datagram with a key ("PSK"); see ps-pppp.c.
 *
 * Never send anything to UDP 32100: that is the vendor's P2P server port,
 * and this code exists to find cameras on the LAN, not to talk to servers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ps-sighting.h"

G_BEGIN_DECLS

#define PS_PPPP_LAN_PORT        32108   /* LAN search; NEVER use 32100 (vendor servers) */
#define PS_PPPP_MAGIC           0xF1
#define PS_PPPP_MSG_LAN_SEARCH  0x30
#define PS_PPPP_MSG_LAN_SEARCH_EXT 0x32
#define PS_PPPP_MSG_PUNCH_PKT   0x41
#define PS_PPPP_MSG_P2P_RDY     0x42
#define PS_PPPP_MAX_DATAGRAM    1280

/* The keys ps_pppp_try_all() tries, NULL-terminated. */
extern const char * const ps_pppp_known_keys[];

/* psk NULL (or "") means plaintext. */
GBytes   *ps_pppp_build_lan_search   (guint8          msg_type,
                                      const char     *psk);
/* uid is PREFIX-SERIAL-CHECK (e.g. ABCD-123456-EFGHI); NULL if it is not
 * valid. msg_type is PS_PPPP_MSG_PUNCH_PKT or PS_PPPP_MSG_P2P_RDY. */
GBytes   *ps_pppp_build_punch        (const char     *uid,
                                      guint8          msg_type,
                                      const char     *psk);
/* Decodes a PUNCH_PKT or P2P_RDY answer into a PsSighting (protocol
 * PS_PROTOCOL_CS2_PPPP, p2p_uid set; the caller fills in the address). */
gboolean  ps_pppp_parse              (const guint8   *data,
                                      gsize           len,
                                      const char     *psk,
                                      PsSighting    **out,
                                      GError        **error);
/* Tries plaintext, then each of ps_pppp_known_keys. psk_used (optional)
 * gets NULL for plaintext or a copy of the key that worked. */
gboolean  ps_pppp_try_all            (const guint8   *data,
                                      gsize           len,
                                      PsSighting    **out,
                                      char          **psk_used);
/* For responders: is this a LAN search (0x30 or 0x32) under psk? */
gboolean  ps_pppp_parse_lan_search   (const guint8   *data,
                                      gsize           len,
                                      const char     *psk,
                                      guint8         *msg_type,
                                      GError        **error);
/* The obfuscation itself, exposed for tests. out may equal data. */
void      ps_pppp_derive_seed        (const char     *psk,
                                      guint8          seed[4]);
void      ps_pppp_encrypt            (const char     *psk,
                                      const guint8   *data,
                                      guint8         *out,
                                      gsize           len);
void      ps_pppp_decrypt            (const char     *psk,
                                      const guint8   *data,
                                      guint8         *out,
                                      gsize           len);

G_END_DECLS
