/* ps-emulator-onvif.h: ONVIF device and media services over HTTP, and the
 * JPEG snapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "ps-emulator-log.h"
#include "ps-emulator-video.h"

G_BEGIN_DECLS

/* The strings must outlive the server. */
typedef struct
{
  const char *name;
  const char *manufacturer;
  const char *model;
  const char *mac;
  const char *serial;
  const char *firmware;
  const char *hardware_id;
  const char *user;          /* NULL: authentication off */
  const char *password;
} PsEmulatorDevice;

typedef struct _PsEmulatorOnvif PsEmulatorOnvif;

PsEmulatorOnvif *ps_emulator_onvif_new      (const PsEmulatorDevice  *device,
                                             GInetAddress            *address,
                                             guint                    port,
                                             guint                    rtsp_port,
                                             PsEmulatorStream        *main_stream,
                                             PsEmulatorStream        *sub_stream,
                                             PsEmulatorLog           *log,
                                             GError                 **error);
guint            ps_emulator_onvif_get_port (PsEmulatorOnvif         *self);
/* The HTTP server, for other handlers (the Foscam-style CGI). */
SoupServer      *ps_emulator_onvif_get_server (PsEmulatorOnvif       *self);
/* The body of a request to that server (it keeps at most 64 KiB), or NULL
 * when there was none or it was larger */
GBytes          *ps_emulator_onvif_dup_request_body (SoupServerMessage *msg);
/* Served at /description.xml (UPnP, for SSDP); NULL: 404. */
void             ps_emulator_onvif_set_description (PsEmulatorOnvif    *self,
                                                    GBytes             *description);
void             ps_emulator_onvif_free     (PsEmulatorOnvif         *self);

G_END_DECLS
