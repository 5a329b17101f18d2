/* ps-ssdp-message.h: SSDP (UPnP discovery) messages, built and parsed
 *
 * Builds the M-SEARCH we multicast or unicast, parses the answers (HTTP/1.1
 * 200 OK) and announcements (NOTIFY ssdp:alive, ssdp:byebye) devices send,
 * and the UPnP device description that LOCATION points to. No sockets and
 * no HTTP here: the caller says who sent the datagram and fetches the
 * description (ps-ssdp-description.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ps-sighting.h"

G_BEGIN_DECLS

#define PS_SSDP_PORT              1900
#define PS_SSDP_MULTICAST_IPV4    "239.255.255.250"
#define PS_SSDP_MULTICAST_IPV6    "ff02::c"   /* link-local scope */
#define PS_SSDP_ST_ALL            "ssdp:all"
#define PS_SSDP_ST_ROOT_DEVICE    "upnp:rootdevice"
#define PS_SSDP_ST_BASIC          "urn:schemas-upnp-org:device:Basic:1"

#define PS_SSDP_MAX_MESSAGE       (8 * 1024)
#define PS_SSDP_MAX_HEADERS       64
#define PS_SSDP_MAX_VALUE         1024
#define PS_SSDP_MAX_DESCRIPTION   (64 * 1024)
#define PS_SSDP_MAX_FIELD         256

typedef enum {
  PS_SSDP_KIND_UNKNOWN,
  PS_SSDP_KIND_RESPONSE,     /* HTTP/1.1 200 OK, an answer to an M-SEARCH */
  PS_SSDP_KIND_ALIVE,        /* NOTIFY ssdp:alive */
  PS_SSDP_KIND_BYEBYE,       /* NOTIFY ssdp:byebye */
} PsSsdpKind;

typedef struct
{
  PsSsdpKind  kind;
  char       *location;      /* an http URL on the sender itself, or NULL */
  char       *usn;
  char       *st;            /* ST of a response, NT of a NOTIFY */
  char       *server;
} PsSsdpMessage;

typedef struct
{
  char *device_type;
  char *friendly_name;
  char *manufacturer;
  char *model_name;
  char *model_number;
  char *model_description;
  char *serial_number;
  char *udn;                 /* "uuid:…" */
  char *presentation_url;    /* absolute, on the same host as LOCATION, or NULL */
} PsSsdpDescription;

/* An M-SEARCH for st, to the multicast group's HOST (unicast too: devices
 * expect that HOST line either way). mx is clamped to 1..5. */
char              *ps_ssdp_build_search         (const char              *st,
                                                 guint                    mx);
/* The same for the IPv6 link-local group (HOST: [FF02::C]:1900). */
char              *ps_ssdp_build_search_ipv6    (const char              *st,
                                                 guint                    mx);
/* source_address is the IP the datagram came from, as text: LOCATION is
 * kept only when it is an http URL on that very address. */
PsSsdpMessage     *ps_ssdp_parse                (const char              *data,
                                                 gsize                    len,
                                                 const char              *source_address,
                                                 GError                 **error);
void               ps_ssdp_message_free         (PsSsdpMessage           *message);
/* Is url an http URL whose host is the numeric address responder? */
gboolean           ps_ssdp_location_is_on       (const char              *url,
                                                 const char              *responder);
/* location resolves a relative presentationURL and bounds its host. */
PsSsdpDescription *ps_ssdp_parse_description    (const char              *data,
                                                 gsize                    len,
                                                 const char              *location,
                                                 GError                 **error);
void               ps_ssdp_description_free     (PsSsdpDescription       *description);
/* A camera, an NVR or a DVR, rather than a router, TV or printer? */
gboolean           ps_ssdp_description_is_camera (const PsSsdpDescription *description);
/* protocol PS_PROTOCOL_SSDP; description may be NULL. The endpoint is the
 * UDN as "urn:uuid:…" (the form WS-Discovery uses) in lower case. */
PsSighting        *ps_ssdp_to_sighting          (const PsSsdpMessage     *message,
                                                 const PsSsdpDescription *description);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsSsdpMessage, ps_ssdp_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsSsdpDescription, ps_ssdp_description_free)

G_END_DECLS
