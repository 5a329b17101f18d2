/* ps-kalay.h: ThroughTek Kalay (TUTK IOTC) LAN search, a pure codec
 *
 * A viewer sends an IOTC LAN search to UDP port 32761; a Kalay device
 * answers with its 20-character UID ([A-Z0-9]{20}). Every IOTC datagram is
 * scrambled with TUTK's fixed-key "TransCode" block shuffle; see
 * ps-kalay.c for the layout, its public sources and what is still
 * unverified (chiefly: whether devices answer a search with no UID).
 *
 * Never send anything to the Kalay master servers (UDP 10001) from here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ps-sighting.h"

G_BEGIN_DECLS

#define PS_KALAY_LAN_PORT       32761
#define PS_KALAY_UID_LEN        20
#define PS_KALAY_SESSION_LEN    8
#define PS_KALAY_MAX_DATAGRAM   1280

/* uid NULL asks every device; otherwise only the one with that UID.
 * NULL if uid is not [A-Z0-9]{20}. The session id is random. */
GBytes   *ps_kalay_build_lan_search (const char     *uid);
/* A device's answer (for the emulator and tests); session (optional,
 * PS_KALAY_SESSION_LEN bytes) is the search's, which devices echo. */
GBytes   *ps_kalay_build_answer     (const char     *uid,
                                     const guint8   *session);
/* Decodes an answer into a PsSighting (protocol PS_PROTOCOL_KALAY, p2p_uid
 * set; the caller fills in the address). */
gboolean  ps_kalay_parse            (const guint8   *data,
                                     gsize           len,
                                     PsSighting    **out,
                                     GError        **error);
/* For responders: is this a LAN search? uid_wanted (optional) gets NULL for
 * "any device" or the UID asked for; session (optional, PS_KALAY_SESSION_LEN
 * bytes) the searcher's session id, zero if the search is too short for one. */
gboolean  ps_kalay_parse_lan_search (const guint8   *data,
                                     gsize           len,
                                     char          **uid_wanted,
                                     guint8         *session,
                                     GError        **error);
gboolean  ps_kalay_uid_is_valid     (const char     *uid);
/* The fixed-key scrambler, exposed for tests. out must not overlap data. */
void      ps_kalay_scramble         (const guint8   *data,
                                     guint8         *out,
                                     gsize           len);
void      ps_kalay_unscramble       (const guint8   *data,
                                     guint8         *out,
                                     gsize           len);

G_END_DECLS
