/* ps-discovery-page.h: find cameras, watch the list fill in, add one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-device.h"
#include "ps-store.h"

G_BEGIN_DECLS

#define PS_TYPE_DISCOVERY_PAGE (ps_discovery_page_get_type ())
G_DECLARE_FINAL_TYPE (PsDiscoveryPage, ps_discovery_page, PS, DISCOVERY_PAGE, AdwBin)

/* Probes these addresses only; NULL probes the LAN (multicast and broadcast). */
void        ps_discovery_page_set_targets (PsDiscoveryPage    *self,
                                           const char * const *targets);
/* Hosts of the cameras already added: their rows say "Added". */
void        ps_discovery_page_set_known_hosts (PsDiscoveryPage *self,
                                           const char * const *hosts);
/* Where the devices found are remembered (and come back from at the next
 * start, offline until they answer). Without one, a scan of the LAN opens
 * the default store; directed scans (the demo) remember nothing. */
void        ps_discovery_page_set_store   (PsDiscoveryPage    *self,
                                           PsStore            *store);
/* A scan round. While the page is shown, more rounds follow, and devices
 * that stop answering are dimmed, then forgotten after a month unless
 * they were added. */
void        ps_discovery_page_scan        (PsDiscoveryPage    *self);
gboolean    ps_discovery_page_is_scanning (PsDiscoveryPage    *self);
GListModel *ps_discovery_page_get_devices (PsDiscoveryPage    *self);

G_END_DECLS
