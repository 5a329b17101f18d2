/* ps-device.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PS_TYPE_DEVICE (ps_device_get_type ())
G_DECLARE_FINAL_TYPE (PsDevice, ps_device, PS, DEVICE, GObject)

PsDevice   *ps_device_new              (const char *name,
                                        const char *uri);
const char *ps_device_get_id           (PsDevice   *self);
const char *ps_device_get_name         (PsDevice   *self);
void        ps_device_set_name         (PsDevice   *self,
                                        const char *name);
const char *ps_device_get_uri          (PsDevice   *self);
const char *ps_device_get_sub_uri      (PsDevice   *self);
void        ps_device_set_sub_uri      (PsDevice   *self,
                                        const char *sub_uri);
const char *ps_device_get_username     (PsDevice   *self);
void        ps_device_set_username     (PsDevice   *self,
                                        const char *username);
char       *ps_device_dup_host         (PsDevice   *self);

char       *ps_device_id_for_uri       (const char *uri);

G_END_DECLS
