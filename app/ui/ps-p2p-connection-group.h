/* ps-p2p-connection-group.h: how a P2P camera is reached, on its camera page
 *
 * The pinned device id, the state of the account's rendezvous server and
 * whether the camera is online there, the selected ICE candidate pair in
 * words, the camera's address and the bitrate; and, when the peer was not
 * the paired camera, a warning in place of all that.  Hidden for cameras
 * that are not p2p: ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-stream.h"

G_BEGIN_DECLS

#define PS_TYPE_P2P_CONNECTION_GROUP (ps_p2p_connection_group_get_type ())
G_DECLARE_FINAL_TYPE (PsP2pConnectionGroup, ps_p2p_connection_group, PS, P2P_CONNECTION_GROUP,
                      AdwPreferencesGroup)

PsP2pConnectionGroup *ps_p2p_connection_group_new        (void);
/* The camera page's stream (NULL clears) */
void                  ps_p2p_connection_group_set_stream (PsP2pConnectionGroup *self,
                                                          PsStream             *stream);
/* "Direct connection (host)" and the like for a PsStream transport */
const char           *ps_p2p_connection_group_describe_transport (const char *transport);
/* "1.2 Mbit/s" */
char                 *ps_p2p_connection_group_format_bitrate     (double      bits_per_second);
/* One line per candidate: "srflx · 198.18.0.1:54902 (udp)" */
char                 *ps_p2p_connection_group_format_candidates  (GPtrArray  *candidates);
/* "4.2 ms", "38 ms", or that the camera answers no probe (negative) */
char                 *ps_p2p_connection_group_format_rtt         (double      milliseconds);

G_END_DECLS
