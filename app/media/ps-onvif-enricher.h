/* ps-onvif-enricher.h: what a discovered ONVIF camera says of itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-device.h"

G_BEGIN_DECLS

/* Asks the device's ONVIF service, at the address that answered discovery
 * and nowhere else, for its identity (GetDeviceInformation) and its streams
 * (GetProfiles, GetStreamUri), and records them in device. Credentials are
 * for paired devices only; NULL asks anonymously, which many cameras
 * refuse. Succeeds when anything was learnt. */
void     ps_onvif_enrich_async  (PsDevice             *device,
                                 const char           *username,
                                 const char           *password,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
gboolean ps_onvif_enrich_finish (GAsyncResult         *result,
                                 GError              **error);

G_END_DECLS
