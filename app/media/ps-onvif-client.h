/* ps-onvif-client.h: the ONVIF media service, as a viewer needs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-onvif-reply.h"

G_BEGIN_DECLS

#define PS_TYPE_ONVIF_CLIENT (ps_onvif_client_get_type ())
G_DECLARE_FINAL_TYPE (PsOnvifClient, ps_onvif_client, PS, ONVIF_CLIENT, GObject)

PsOnvifClient  *ps_onvif_client_new                       (const char           *device_url,
                                                           const char           *username,
                                                           const char           *password,
                                                           GError              **error);
const char     *ps_onvif_client_get_host                  (PsOnvifClient        *self);
void            ps_onvif_client_set_timeout               (PsOnvifClient        *self,
                                                           guint                 seconds);

void            ps_onvif_client_get_device_info_async     (PsOnvifClient        *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
PsOnvifDeviceInfo *
                ps_onvif_client_get_device_info_finish    (PsOnvifClient        *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
void            ps_onvif_client_get_profiles_async        (PsOnvifClient        *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
GPtrArray      *ps_onvif_client_get_profiles_finish       (PsOnvifClient        *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
void            ps_onvif_client_get_stream_uri_async      (PsOnvifClient        *self,
                                                           const char           *profile_token,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
char           *ps_onvif_client_get_stream_uri_finish     (PsOnvifClient        *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
void            ps_onvif_client_set_sync_point_async      (PsOnvifClient        *self,
                                                           const char           *profile_token,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean        ps_onvif_client_set_sync_point_finish     (PsOnvifClient        *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* Rewrites uri so that it points at host; NULL if uri does not parse. */
char           *ps_onvif_pin_host                         (const char           *uri,
                                                           const char           *host);

G_END_DECLS
