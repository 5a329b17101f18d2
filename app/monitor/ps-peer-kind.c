/* ps-peer-kind.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ps-peer-kind.h"

static const char * const kind_names[] = {
  [PS_PEER_KIND_UNKNOWN] = "unknown",
  [PS_PEER_KIND_P2P_SUPERNODE] = "p2p-supernode",
  [PS_PEER_KIND_STUN_TURN] = "stun-turn",
  [PS_PEER_KIND_NTP] = "ntp",
  [PS_PEER_KIND_DNS] = "dns",
  [PS_PEER_KIND_LAN_DISCOVERY] = "lan-discovery",
  [PS_PEER_KIND_VENDOR_CLOUD] = "vendor-cloud",
  [PS_PEER_KIND_VIEWER] = "viewer",
  [PS_PEER_KIND_LAN] = "lan",
};

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == PS_PEER_KIND_LAST + 1);

const char *
ps_peer_kind_to_string (PsPeerKind kind)
{
  if ((guint) kind > PS_PEER_KIND_LAST)
    return "unknown";

  return kind_names[kind];
}

gboolean
ps_peer_kind_from_string (const char  *text,
                           PsPeerKind *kind)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (kind_names); i++)
    {
      if (strcmp (text, kind_names[i]) == 0)
        {
          *kind = i;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
ps_peer_kind_is_phone_home (PsPeerKind kind)
{
  return kind == PS_PEER_KIND_P2P_SUPERNODE
         || kind == PS_PEER_KIND_VENDOR_CLOUD
         || kind == PS_PEER_KIND_STUN_TURN
         || kind == PS_PEER_KIND_UNKNOWN;
}
