/* ps-emulator-ssdp.h: the camera's SSDP (UPnP discovery) responder
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
  const char *manufacturer;
  const char *model;
  const char *mac;
  const char *serial;
  const char *location;      /* the description URL, on the emulator's HTTP server */
  const char *presentation;  /* the web UI URL, or NULL */
} PsEmulatorSsdpDevice;

typedef struct _PsEmulatorSsdp PsEmulatorSsdp;

/* "uuid:…": the UUID of the WS-Discovery endpoint, so a viewer can tell
 * both answers come from one camera. */
char           *ps_emulator_ssdp_udn_from_mac     (const char                  *mac);
/* The UPnP device description served at device->location. */
GBytes         *ps_emulator_ssdp_build_description (const PsEmulatorSsdpDevice *device);
/* Answers unicast M-SEARCHes on address:port (0: any free port). Only with
 * a multicast_interface does it join 239.255.255.250:1900 there, and
 * NOTIFY ssdp:alive now and ssdp:byebye when freed. */
PsEmulatorSsdp *ps_emulator_ssdp_new              (const PsEmulatorSsdpDevice  *device,
                                                   GInetAddress                *address,
                                                   guint                        port,
                                                   const char                  *multicast_interface,
                                                   PsEmulatorLog               *log,
                                                   GError                     **error);
guint           ps_emulator_ssdp_get_port         (PsEmulatorSsdp              *self);
void            ps_emulator_ssdp_free             (PsEmulatorSsdp              *self);

G_END_DECLS
