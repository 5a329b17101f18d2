/* ps-device-registry.h: every device seen, one entry per physical device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-device.h"
#include "ps-sighting.h"

G_BEGIN_DECLS

#define PS_DEVICE_REGISTRY_MAX 1024

#define PS_TYPE_DEVICE_REGISTRY (ps_device_registry_get_type ())
G_DECLARE_FINAL_TYPE (PsDeviceRegistry, ps_device_registry, PS, DEVICE_REGISTRY, GObject)

PsDeviceRegistry *ps_device_registry_new       (void);
/* Merges the sighting into the device it belongs to, or adds a device.
 * Returns that device (owned by the registry), or NULL when full. */
PsDevice         *ps_device_registry_add       (PsDeviceRegistry *self,
                                                const PsSighting *sighting,
                                                gint64            now_us);
/* Marks offline the devices not seen for max_age_us; returns how many. */
guint             ps_device_registry_expire    (PsDeviceRegistry *self,
                                                gint64            now_us,
                                                gint64            max_age_us);
PsDevice         *ps_device_registry_lookup    (PsDeviceRegistry *self,
                                                const char       *key);

G_END_DECLS
