/* ps-emulator-whep.h: the emulated camera's WHEP endpoint (RFC 9725)
 *
 * POST /whep with an SDP offer (application/sdp) creates a session and
 * answers 201 with the SDP answer, every candidate included, and the
 * session's Location; DELETE on that Location ends it, and so does the
 * viewer going away (RTCP BYE or timeout).  As go2rtc or MediaMTX would
 * for a camera they bridge.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "ps-emulator-video.h"

G_BEGIN_DECLS

#define PS_EMULATOR_WHEP_PATH "/whep"

typedef struct _PsEmulatorWhep PsEmulatorWhep;

/* ICE_ADDRESS: the address to gather candidates on (the emulator's --bind);
 * TOKEN: a Bearer token the client must present, or NULL;
 * MAX_SESSIONS: more at once are refused (503), 0 for the default 16 */
PsEmulatorWhep *ps_emulator_whep_new  (SoupServer       *server,
                                       PsEmulatorStream *stream,
                                       const char       *ice_address,
                                       const char       *token,
                                       guint             max_sessions);
void            ps_emulator_whep_free (PsEmulatorWhep   *self);
/* OPTIONS answers with these STUN/TURN servers in Link fields (RFC 9725);
 * USERNAME and CREDENTIAL go with every TURN server */
void            ps_emulator_whep_set_ice_servers (PsEmulatorWhep     *self,
                                                  const char * const *uris,
                                                  const char         *username,
                                                  const char         *credential);

G_END_DECLS
