/* ps-demo.h: start emulated cameras on loopback for --demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-device.h"

G_BEGIN_DECLS

#define PS_TYPE_DEMO (ps_demo_get_type ())
G_DECLARE_FINAL_TYPE (PsDemo, ps_demo, PS, DEMO, GObject)

PsDemo     *ps_demo_new          (void);
/* Emits "camera-ready" (PsDevice, password) for each camera that started. */
void        ps_demo_start        (PsDemo     *self,
                                  guint       n_cameras);
void        ps_demo_stop         (PsDemo     *self);
char       *ps_demo_find_emulator (void);
/* The loopback address the demo camera index listens on. */
const char *ps_demo_camera_address (guint index);

G_END_DECLS
