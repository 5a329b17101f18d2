/* ps-peer-classifier.h: classify a peer by port, address and name
 *
 * The rules are data: built-in ones for the well-known P2P networks
 * (CS2 PPPP on UDP 32100, ThroughTek Kalay on UDP 10001, Reolink on 9999),
 * STUN/TURN, NTP and DNS, a list of vendor cloud domains, and whatever the
 * user adds ("udp/12345", "tcp/8000", "*.vendor.example").  Every answer
 * comes with a reason a user can read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ps-flow-record.h"
#include "ps-peer-kind.h"

G_BEGIN_DECLS

#define PS_TYPE_PEER_CLASSIFIER (ps_peer_classifier_get_type ())
G_DECLARE_FINAL_TYPE (PsPeerClassifier, ps_peer_classifier, PS, PEER_CLASSIFIER, GObject)

typedef struct
{
  PsIpAddress  peer;
  guint16      peer_port;
  guint16      device_port;
  guint8       ip_protocol;
  const char  *hostname;       /* reverse DNS or a DNS name seen, or NULL */
  gboolean     peer_is_viewer; /* one of our own sessions, or a known viewer */
} PsPeerFacts;

PsPeerClassifier *ps_peer_classifier_new        (void);
/* RULE is "udp/PORT", "tcp/PORT" or "PORT" (both) for a P2P server port,
 * or a domain ("vendor.example", "*.vendor.example") for a vendor cloud;
 * "p2p:DOMAIN" marks a domain as P2P servers. */
gboolean          ps_peer_classifier_add_rule   (PsPeerClassifier  *self,
                                                 const char        *rule,
                                                 GError           **error);
PsPeerKind       ps_peer_classifier_classify   (PsPeerClassifier  *self,
                                                 const PsPeerFacts *facts,
                                                 char             **reason);

G_END_DECLS
