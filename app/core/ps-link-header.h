/* ps-link-header.h: ICE servers from a WHEP endpoint's Link header
 *
 * RFC 9725 (WHIP, and WHEP after it) lets an endpoint name the STUN and
 * TURN servers its clients should use, in Link header fields (RFC 8288):
 *
 *   Link: <turn:turn.example.net?transport=udp>; rel="ice-server";
 *         username="user"; credential="secret"; credential-type="password"
 *
 * Only links with rel "ice-server" and a stun:, turn: or turns: target are
 * kept; every link is read, so a malformed one fails the whole value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PS_LINK_HEADER_MAX_SIZE     8192
#define PS_LINK_HEADER_MAX_SERVERS  8       /* more are ignored */
#define PS_LINK_HEADER_MAX_URI      512
#define PS_LINK_HEADER_MAX_VALUE    256     /* a parameter's value */

#define PS_LINK_HEADER_ERROR (ps_link_header_error_quark ())

typedef enum
{
  PS_LINK_HEADER_ERROR_TOO_LARGE,
  PS_LINK_HEADER_ERROR_MALFORMED,
} PsLinkHeaderError;

typedef struct
{
  char *uri;          /* stun:HOST[:PORT], turn:HOST[:PORT][?transport=udp|tcp], turns:... */
  char *username;     /* or NULL */
  char *credential;   /* or NULL */
} PsIceServer;

GQuark     ps_link_header_error_quark (void);

/* VALUE is LENGTH bytes from the network (all Link fields, comma-joined),
 * not necessarily terminated: (element-type PsIceServer) (transfer full) */
GPtrArray *ps_link_header_parse_ice_servers (const char         *value,
                                             gsize               length,
                                             GError            **error);
void       ps_ice_server_free               (PsIceServer        *self);
/* The server as webrtcbin takes it: stun://HOST:PORT, or
 * turn(s)://USER:CREDENTIAL@HOST:PORT[?transport=...], the user and the
 * credential escaped; NULL for a TURN server without them */
char      *ps_ice_server_to_gst_uri         (const PsIceServer  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsIceServer, ps_ice_server_free)

G_END_DECLS
