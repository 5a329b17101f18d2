/* ps-device-private.h: for the registry and the store only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-device.h"

G_BEGIN_DECLS

/* Times (g_get_real_time () µs) read back from the store. */
void  _ps_device_set_seen          (PsDevice *self,
                                    gint64    first_seen_us,
                                    gint64    last_seen_us);
/* Scan rounds in a row the device did not answer; a sighting resets it. */
guint _ps_device_get_missed_rounds (PsDevice *self);
void  _ps_device_set_missed_rounds (PsDevice *self,
                                    guint     missed);

G_END_DECLS
