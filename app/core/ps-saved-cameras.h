/* ps-saved-cameras.h: the cameras a user added, kept in GSettings and the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-device.h"
#include "ps-store.h"

G_BEGIN_DECLS

#define PS_SETTINGS_SCHEMA_ID "io.github.peerscope.Peerscope"

/* The application's settings, or NULL when the schema is not installed. */
GSettings *ps_saved_cameras_settings              (void);
/* Devices from the "cameras" key; entries that do not parse are skipped. */
GPtrArray *ps_saved_cameras_load                  (GSettings           *settings);
/* The cameras the user added: from the store, where a first run imports
 * the older GSettings list. Either may be NULL. */
GPtrArray *ps_saved_cameras_load_known            (PsStore             *store,
                                                   GSettings           *settings);
/* Records device (in the store, and the whole list in GSettings, the older
 * form that older versions read). */
void       ps_saved_cameras_remember              (PsStore             *store,
                                                   GSettings           *settings,
                                                   GPtrArray           *all,
                                                   PsDevice            *device);
void       ps_saved_cameras_forget                (PsStore             *store,
                                                   GSettings           *settings,
                                                   GPtrArray           *all,
                                                   PsDevice            *device);
/* The device whose id or host is key, or NULL. */
PsDevice  *ps_saved_cameras_find                  (GPtrArray           *devices,
                                                   const char          *key);
void       ps_saved_cameras_save                  (GSettings           *settings,
                                                   GPtrArray           *devices);
char      *ps_saved_cameras_serialize             (PsDevice            *device);
PsDevice  *ps_saved_cameras_parse                 (const char          *json);

void       ps_saved_cameras_store_password_async  (PsDevice            *device,
                                                   const char          *password,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean   ps_saved_cameras_store_password_finish (GAsyncResult        *result,
                                                   GError             **error);
void       ps_saved_cameras_lookup_password_async (PsDevice            *device,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
char      *ps_saved_cameras_lookup_password_finish (GAsyncResult       *result,
                                                   GError             **error);
void       ps_saved_cameras_forget_password_async (PsDevice           *device,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean   ps_saved_cameras_forget_password_finish (GAsyncResult      *result,
                                                   GError             **error);
/* For command-line tools only: blocks on the keyring. */
char      *ps_saved_cameras_lookup_password_sync  (PsDevice            *device,
                                                   GError             **error);

G_END_DECLS
