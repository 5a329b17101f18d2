/* ps-discovered-row.h: a device that answered discovery
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ps-device.h"

G_BEGIN_DECLS

#define PS_TYPE_DISCOVERED_ROW (ps_discovered_row_get_type ())
G_DECLARE_FINAL_TYPE (PsDiscoveredRow, ps_discovered_row, PS, DISCOVERED_ROW, AdwActionRow)

GtkWidget *ps_discovered_row_new        (PsDevice        *device);
/* The camera is already in Peerscope: say so instead of offering Add. */
void       ps_discovered_row_set_added  (PsDiscoveredRow *self,
                                         gboolean         added);
PsDevice  *ps_discovered_row_get_device (PsDiscoveredRow *self);

G_END_DECLS
