/* ps-emulator-wsd.h: the camera's WS-Discovery target service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-emulator-log.h"

G_BEGIN_DECLS

/* The strings are copied. */
typedef struct
{
  const char *name;
  const char *model;
  const char *location;      /* may be NULL */
  const char *mac;
  const char *xaddr;         /* the ONVIF device service URL */
} PsEmulatorWsdDevice;

typedef struct _PsEmulatorWsd PsEmulatorWsd;

/* Answers unicast Probes on address:port (0: any free port). Only with a
 * multicast_interface does it also join 239.255.255.250:3702 there, and
 * announce Hello now and Bye when freed: never on a real LAN by accident. */
PsEmulatorWsd *ps_emulator_wsd_new          (const PsEmulatorWsdDevice  *device,
                                             GInetAddress               *address,
                                             guint                       port,
                                             guint                       max_delay_ms,
                                             const char                 *multicast_interface,
                                             PsEmulatorLog              *log,
                                             GError                    **error);
guint          ps_emulator_wsd_get_port     (PsEmulatorWsd              *self);
const char    *ps_emulator_wsd_get_endpoint (PsEmulatorWsd              *self);
void           ps_emulator_wsd_free         (PsEmulatorWsd              *self);

G_END_DECLS
