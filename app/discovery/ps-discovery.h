/* ps-discovery.h: asks the network who is a camera, feeds a device registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-device-registry.h"

G_BEGIN_DECLS

#define PS_TYPE_DISCOVERY (ps_discovery_get_type ())
G_DECLARE_FINAL_TYPE (PsDiscovery, ps_discovery, PS, DISCOVERY, GObject)

PsDiscovery *ps_discovery_new            (PsDeviceRegistry  *registry);
/* Directed probes (unicast, across routers and NAT) to an IP address. Without
 * any target, discovery probes the LAN by multicast and broadcast. */
gboolean     ps_discovery_add_target     (PsDiscovery       *self,
                                          const char        *address,
                                          GError           **error);
/* The interface to probe on, by name (multicast and broadcast only). */
void         ps_discovery_set_interface  (PsDiscovery       *self,
                                          const char        *interface);
gboolean     ps_discovery_start          (PsDiscovery       *self,
                                          GError           **error);
/* A new round of probes on the open sockets (for continuous discovery:
 * the Hello and Bye listener stays on between rounds). */
void         ps_discovery_probe          (PsDiscovery       *self);
void         ps_discovery_stop           (PsDiscovery       *self);

G_END_DECLS
