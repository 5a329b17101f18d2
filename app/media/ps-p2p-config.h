/* ps-p2p-config.h: how a P2P session finds and reaches its peer
 *
 * The rendezvous server and its account token, and the ICE servers and
 * policy of one account or one camera.  Plain data, validated when set.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum {
  PS_ICE_POLICY_ALL,     /* host, server-reflexive and relayed candidates */
  PS_ICE_POLICY_RELAY,   /* relayed only: the peer never learns our addresses */
  PS_ICE_POLICY_LAN,     /* host candidates only: never leaves the local networks */
} PsIcePolicy;

typedef struct
{
  char        *rendezvous_url;   /* ws:// or wss:// */
  char        *token;            /* the account's shared secret */
  char        *ca_file;          /* trusted certificates for wss://, or NULL */
  char        *stun_server;      /* stun://HOST:PORT, or NULL */
  GStrv        turn_servers;     /* turn://USER:PASS@HOST:PORT[?transport=tcp], or NULL */
  PsIcePolicy  ice_policy;
  GStrv        local_addresses;  /* gather on these addresses only (e.g. 127.0.0.1,
                                  * which ICE skips otherwise), or NULL: all */
} PsP2pConfig;

PsP2pConfig *ps_p2p_config_new       (const char   *rendezvous_url,
                                      const char   *token);
PsP2pConfig *ps_p2p_config_copy      (const PsP2pConfig *config);
void         ps_p2p_config_free      (PsP2pConfig  *config);
/* "all", "relay", "lan" */
gboolean     ps_ice_policy_from_string (const char *text,
                                        PsIcePolicy *policy);
const char  *ps_ice_policy_to_string   (PsIcePolicy  policy);
/* Sets up a new webrtcbin: bundling, the STUN and TURN servers and the ICE
 * policy (none for LAN only), then ps_p2p_config_apply_to_ice() */
void         ps_p2p_config_configure_webrtcbin (const PsP2pConfig *config,
                                                GstElement        *webrtcbin);
/* Applies the addresses and ICE tuning to a webrtcbin's ICE agent */
void         ps_p2p_config_apply_to_ice (const PsP2pConfig *config,
                                         GstElement        *webrtcbin);
/* Whether the policy lets ICE use CANDIDATE (an SDP candidate line, ours
 * or the peer's): LAN only admits host candidates, the others all */
gboolean     ps_p2p_config_allows_candidate (const PsP2pConfig *config,
                                             const char        *candidate);
/* Checks the URLs' schemes and shapes; a clear error otherwise */
gboolean     ps_p2p_config_validate  (const PsP2pConfig *config,
                                      GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsP2pConfig, ps_p2p_config_free)

G_END_DECLS
