/* ps-ice-candidate.h: one ICE candidate line from the far end (RFC 8839)
 *
 *   candidate:FOUNDATION COMPONENT TRANSPORT PRIORITY ADDRESS PORT typ TYPE [...]
 *
 * as signalling servers relay them and SDP carries them ("a=" optional).
 * Only what a network tool shows is kept: transport, type, address and
 * port.  The address is an IP literal, or an mDNS name ending in
 * ".local" (browsers hide host addresses so).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PS_ICE_CANDIDATE_MAX_SIZE    1024
#define PS_ICE_CANDIDATE_MAX_ADDRESS 255

#define PS_ICE_CANDIDATE_ERROR (ps_ice_candidate_error_quark ())

typedef enum
{
  PS_ICE_CANDIDATE_ERROR_TOO_LARGE,
  PS_ICE_CANDIDATE_ERROR_MALFORMED,
} PsIceCandidateError;

typedef struct
{
  char    *type;        /* "host", "srflx", "prflx" or "relay" */
  char    *transport;   /* "udp" or "tcp" */
  char    *address;
  guint16  port;
} PsIceCandidate;

GQuark          ps_ice_candidate_error_quark (void);

/* TEXT is LENGTH bytes from the network, not necessarily terminated */
PsIceCandidate *ps_ice_candidate_parse (const char            *text,
                                        gsize                  length,
                                        GError               **error);
PsIceCandidate *ps_ice_candidate_copy  (const PsIceCandidate  *self);
void            ps_ice_candidate_free  (PsIceCandidate        *self);
gboolean        ps_ice_candidate_equal (const PsIceCandidate  *a,
                                        const PsIceCandidate  *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsIceCandidate, ps_ice_candidate_free)

G_END_DECLS
