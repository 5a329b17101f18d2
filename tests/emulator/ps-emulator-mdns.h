/* ps-emulator-mdns.h: the camera's mDNS / DNS-SD responder
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
  const char *name;          /* the DNS-SD instance name */
  const char *manufacturer;
  const char *model;
  const char *mac;
  guint       rtsp_port;
  guint       onvif_port;
} PsEmulatorMdnsDevice;

typedef struct _PsEmulatorMdns PsEmulatorMdns;

/* Answers PTR queries for _rtsp._tcp.local and _onvif._tcp.local on
 * address:port (0: any free port) by unicast to the sender. Only with a
 * multicast_interface does it also join 224.0.0.251:5353 there and answer
 * multicast queries by multicast: never on a real LAN by accident. */
PsEmulatorMdns *ps_emulator_mdns_new      (const PsEmulatorMdnsDevice  *device,
                                           GInetAddress                *address,
                                           guint                        port,
                                           const char                  *multicast_interface,
                                           PsEmulatorLog               *log,
                                           GError                     **error);
guint           ps_emulator_mdns_get_port (PsEmulatorMdns              *self);
void            ps_emulator_mdns_free     (PsEmulatorMdns              *self);

G_END_DECLS
