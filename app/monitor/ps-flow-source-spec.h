/* ps-flow-source-spec.h: flow sources named the way users and scripts
 * name them
 *
 *   gateway                connection tracking through peerscope-gatewayd
 *                          (the system bus, authorised by polkit)
 *   conntrack              this machine's connection tracking (root)
 *   ipfix:PORT             a NetFlow v5/v9 and IPFIX collector on every address
 *   ipfix:ADDR:PORT        … on one address ("[::1]:2055" for IPv6)
 *   netflow:…              the same as ipfix:…
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-flow-source.h"

G_BEGIN_DECLS

PsFlowSource *ps_flow_source_new_for_spec (const char  *spec,
                                           GError     **error);

G_END_DECLS
