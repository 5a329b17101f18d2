/* ps-peer-kind.h: what kind of host a peer is, and why we think so
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-flow-record.h"

G_BEGIN_DECLS

typedef enum {
  PS_PEER_KIND_UNKNOWN,
  PS_PEER_KIND_P2P_SUPERNODE,
  PS_PEER_KIND_STUN_TURN,
  PS_PEER_KIND_NTP,
  PS_PEER_KIND_DNS,
  PS_PEER_KIND_LAN_DISCOVERY,
  PS_PEER_KIND_VENDOR_CLOUD,
  PS_PEER_KIND_VIEWER,
  PS_PEER_KIND_LAN,
} PsPeerKind;

#define PS_PEER_KIND_LAST PS_PEER_KIND_LAN

/* "p2p-supernode", "stun-turn", …: the names of DESIGN.md's contract */
const char  *ps_peer_kind_to_string   (PsPeerKind  kind);
gboolean     ps_peer_kind_from_string (const char  *text,
                                        PsPeerKind *kind);
/* Whether traffic to this class is sent outside the site by the device
 * on its own: the classes a privacy-minded user wants to hear about. */
gboolean     ps_peer_kind_is_phone_home (PsPeerKind kind);

G_END_DECLS
