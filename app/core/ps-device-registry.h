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
/* A device that did not answer this many scan rounds in a row is offline,
 * and so is one silent this long while discovery listens all along. */
#define PS_DEVICE_REGISTRY_OFFLINE_ROUNDS 3
#define PS_DEVICE_REGISTRY_OFFLINE_AGE    (60 * G_USEC_PER_SEC)
/* Silent this long, a device the user did not add is forgotten. */
#define PS_DEVICE_REGISTRY_RETENTION      ((gint64) 30 * 24 * 60 * 60 * G_USEC_PER_SEC)

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
/* A scan round: the devices that did not answer between its beginning and
 * its end missed it; PS_DEVICE_REGISTRY_OFFLINE_ROUNDS missed rounds in a
 * row take a device offline. end_round returns how many went offline. */
void              ps_device_registry_begin_round (PsDeviceRegistry *self,
                                                  gint64            now_us);
guint             ps_device_registry_end_round (PsDeviceRegistry *self,
                                                gint64            now_us);
/* Removes the devices not seen for max_age_us, except the paired ones;
 * returns how many. */
guint             ps_device_registry_prune     (PsDeviceRegistry *self,
                                                gint64            now_us,
                                                gint64            max_age_us);
/* Adds a device remembered from an earlier run (offline, see
 * ps_device_new_from_discovery_json ()). When one with its id is already
 * here, that one learns its first sighting and pairing instead. Returns
 * the device in the registry (owned by it), or NULL when full. */
PsDevice         *ps_device_registry_restore   (PsDeviceRegistry *self,
                                                PsDevice         *device);
PsDevice         *ps_device_registry_lookup    (PsDeviceRegistry *self,
                                                const char       *key);

G_END_DECLS
