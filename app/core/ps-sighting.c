/* ps-sighting.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-sighting"

#include "ps-sighting.h"

PsSighting *
ps_sighting_new (PsProtocol protocol)
{
  PsSighting *sighting = g_new0 (PsSighting, 1);

  sighting->protocol = protocol;

  return sighting;
}

void
ps_sighting_free (PsSighting *sighting)
{
  if (sighting == NULL)
    return;

  g_free (sighting->address);
  g_free (sighting->interface);
  g_free (sighting->local_address);
  g_free (sighting->endpoint);
  g_free (sighting->mac);
  g_free (sighting->name);
  g_free (sighting->manufacturer);
  g_free (sighting->model);
  g_free (sighting->hardware);
  g_free (sighting->location);
  g_strfreev (sighting->xaddrs);
  g_strfreev (sighting->scopes);
  g_free (sighting->p2p_uid);
  g_free (sighting);
}

/* The names of DESIGN.md's discover --json "protocols". */
const char *
ps_protocol_to_string (PsProtocol protocol)
{
  switch (protocol)
    {
    case PS_PROTOCOL_ONVIF:         return "onvif";
    case PS_PROTOCOL_RTSP:          return "rtsp";
    case PS_PROTOCOL_MDNS:          return "mdns";
    case PS_PROTOCOL_SSDP:          return "ssdp";
    case PS_PROTOCOL_CS2_PPPP:      return "cs2-pppp";
    case PS_PROTOCOL_KALAY:         return "kalay";
    case PS_PROTOCOL_PEERSCOPE_P2P: return "peerscope-p2p";
    default:                        return "unknown";
    }
}

gboolean
ps_protocol_from_string (const char *name,
                         PsProtocol *protocol)
{
  g_return_val_if_fail (protocol != NULL, FALSE);

  for (PsProtocol p = PS_PROTOCOL_ONVIF; name != NULL && p <= PS_PROTOCOL_PEERSCOPE_P2P; p++)
    if (g_strcmp0 (ps_protocol_to_string (p), name) == 0)
      {
        *protocol = p;
        return TRUE;
      }

  return FALSE;
}
