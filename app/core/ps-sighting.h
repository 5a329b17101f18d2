/* ps-sighting.h: one answer from one device to one discovery protocol
 *
 * Discovery sources parse what devices send into sightings; the device
 * registry merges sightings of one physical device into a PsDevice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  PS_PROTOCOL_ONVIF,         /* WS-Discovery ProbeMatch/Hello, dn:NetworkVideoTransmitter */
  PS_PROTOCOL_RTSP,
  PS_PROTOCOL_MDNS,
  PS_PROTOCOL_SSDP,
  PS_PROTOCOL_CS2_PPPP,      /* CS2 Network "PPPP" LAN search */
  PS_PROTOCOL_KALAY,         /* ThroughTek Kalay LAN search */
  PS_PROTOCOL_PEERSCOPE_P2P,
} PsProtocol;

typedef struct
{
  PsProtocol  protocol;
  char       *address;         /* the answering IP address, as text */
  guint16     port;            /* the port it answered from */
  char       *interface;       /* the interface it arrived on, or NULL */
  char       *local_address;   /* our address it arrived at, or NULL */

  char       *endpoint;        /* WS-Addressing EndpointReference (urn:uuid:…) */
  char       *mac;             /* aa:bb:cc:dd:ee:ff, lower case */
  char       *name;
  char       *manufacturer;
  char       *model;
  char       *hardware;
  char       *location;
  char      **xaddrs;          /* ONVIF device service addresses */
  char      **scopes;          /* raw scopes, decoded */
  char       *p2p_uid;         /* PREFIX-123456-CHECK for CS2, the UID for Kalay */
  gboolean    bye;             /* the device said it is leaving */
} PsSighting;

PsSighting *ps_sighting_new             (PsProtocol         protocol);
void        ps_sighting_free            (PsSighting        *sighting);
const char *ps_protocol_to_string       (PsProtocol         protocol);
/* The inverse; FALSE for a name it does not know. */
gboolean    ps_protocol_from_string     (const char        *name,
                                         PsProtocol        *protocol);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsSighting, ps_sighting_free)

G_END_DECLS
