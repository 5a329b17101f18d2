/* ps-mdns-message.h: mDNS / DNS-SD messages (RFC 1035, 6762, 6763), a pure codec
 *
 * Builds the PTR query for the camera service types and parses responses
 * (answer and additional sections) into PsSighting. No sockets here: the
 * caller says who answered. Untrusted input: every read is bounds-checked,
 * and malformed messages give an error, never an abort.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ps-sighting.h"

G_BEGIN_DECLS

#define PS_MDNS_PORT            5353
#define PS_MDNS_MULTICAST_IPV4  "224.0.0.251"
#define PS_MDNS_MULTICAST_IPV6  "ff02::fb"

#define PS_MDNS_TYPE_A          1
#define PS_MDNS_TYPE_PTR        12
#define PS_MDNS_TYPE_TXT        16
#define PS_MDNS_TYPE_AAAA       28
#define PS_MDNS_TYPE_SRV        33
#define PS_MDNS_TYPE_ANY        255
#define PS_MDNS_CLASS_IN        1
#define PS_MDNS_CLASS_FLAG      0x8000  /* QU in a question, cache-flush in a record */

#define PS_MDNS_MAX_RECORDS     128     /* all four sections together */
#define PS_MDNS_MAX_NAME        255     /* wire length, length bytes and root included */
#define PS_MDNS_MAX_LABEL       63
#define PS_MDNS_MAX_ADDRESSES   8       /* per host */

typedef struct
{
  char    *name;       /* presentation form, see ps-mdns-message.c */
  guint16  type;
  guint16  klass;      /* QU bit included */
} PsMdnsQuestion;

/* The DNS-SD service types we ask for, NULL-terminated:
 * _rtsp._tcp.local, _onvif._tcp.local, _axis-video._tcp.local,
 * _http._tcp.local, _hap._tcp.local. */
extern const char * const ps_mdns_service_types[];

/* One query with a PTR question for each of service_types (NULL:
 * ps_mdns_service_types), class IN, with the QU bit when unicast_response.
 * NULL when a type is not a valid name. */
GBytes    *ps_mdns_build_query        (guint16              id,
                                       const char * const  *service_types,
                                       gboolean             unicast_response);
/* A DNS response header: QR set, opcode 0 (a cheap test, no parsing). */
gboolean   ps_mdns_is_response        (const guint8        *data,
                                       gsize                len);
/* The questions of a query (for responders), an array of PsMdnsQuestion;
 * NULL and an error for a response or a malformed message. */
GPtrArray *ps_mdns_parse_query        (const guint8        *data,
                                       gsize                len,
                                       guint16             *id,
                                       GError             **error);
void       ps_mdns_question_free      (PsMdnsQuestion      *question);
/* The sightings (protocol PS_PROTOCOL_MDNS) of a response: one per host
 * (SRV target) that announces one of ps_mdns_service_types, resolved PTR ->
 * SRV -> A/AAAA and TXT within this one message. An empty array when it
 * announces nothing we look for, NULL and an error (G_IO_ERROR_INVALID_DATA)
 * when it is malformed. answering_address (the datagram's source, or NULL)
 * is the only host an ONVIF XAddr may name: an _onvif._tcp instance gets
 * http://ANSWERING_ADDRESS:PORT/PATH when its host has no address record
 * or has that one, and no XAddr otherwise. */
GPtrArray *ps_mdns_parse_response     (const guint8        *data,
                                       gsize                len,
                                       const char          *answering_address,
                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsMdnsQuestion, ps_mdns_question_free)

G_END_DECLS
