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
/* "Not seen since 14:05" (or since a date, for an earlier day): what an
 * offline row says; now_us decides what "today" is. */
char      *ps_discovered_row_format_not_seen (gint64          last_seen_us,
                                              gint64          now_us);

G_END_DECLS
