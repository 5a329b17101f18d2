/* ps-wsd-message.h: WS-Discovery messages (ONVIF), built and parsed
 *
 * Builds the Probe we multicast or unicast, and parses what devices send
 * back (ProbeMatches) or announce on their own (Hello, Bye) into
 * PsSighting. No sockets here: the caller fills in who sent the datagram.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ps-sighting.h"

G_BEGIN_DECLS

#define PS_WSD_PORT            3702
#define PS_WSD_MULTICAST_IPV4  "239.255.255.250"
#define PS_WSD_MULTICAST_IPV6  "ff02::c"

#define PS_WSD_NS_ADDRESSING   "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#define PS_WSD_NS_DISCOVERY    "http://schemas.xmlsoap.org/ws/2005/04/discovery"
#define PS_WSD_NS_NETWORK      "http://www.onvif.org/ver10/network/wsdl"
#define PS_WSD_NS_DEVICE       "http://www.onvif.org/ver10/device/wsdl"
#define PS_WSD_ACTION_PROBE    PS_WSD_NS_DISCOVERY "/Probe"
#define PS_WSD_TO_DISCOVERY    "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
/* The prefixes dn: and tds: are declared by ps_wsd_build_probe(). */
#define PS_WSD_TYPES_NVT       "dn:NetworkVideoTransmitter"

#define PS_WSD_MAX_MATCHES     32
#define PS_WSD_MAX_SCOPES      64
#define PS_WSD_MAX_SCOPE_LEN   1024
#define PS_WSD_MAX_XADDRS      8

typedef enum {
  PS_WSD_KIND_UNKNOWN,
  PS_WSD_KIND_PROBE_MATCHES,
  PS_WSD_KIND_HELLO,
  PS_WSD_KIND_BYE,
  PS_WSD_KIND_PROBE,         /* someone else's (or our own, looped back) probe */
} PsWsdKind;

/* "urn:uuid:" and a random (version 4) UUID. */
char       *ps_wsd_new_message_id (void);
/* A SOAP 1.2 Probe. types is a list of QNames using the dn: or tds:
 * prefixes (PS_WSD_TYPES_NVT), or NULL or "" for no Types (match all). */
char       *ps_wsd_build_probe    (const char   *message_id,
                                   const char   *types);
/* Returns the sightings of a ProbeMatches, Hello or Bye (content fields
 * only: address, port and interface are the caller's), an empty array for
 * a Probe, or NULL and an error for anything else, faults included.
 * kind and relates_to (the RelatesTo header, or NULL) may be NULL. */
GPtrArray  *ps_wsd_parse          (const char   *data,
                                   gsize         len,
                                   PsWsdKind    *kind,
                                   char        **relates_to,
                                   GError      **error);
/* "aa:bb:cc:dd:ee:ff" from 12 hex digits, bare or separated by ':' or '-'. */
char       *ps_wsd_normalize_mac  (const char   *text);

G_END_DECLS
