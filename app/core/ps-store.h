/* ps-store.h: the cameras Peerscope knows, in SQLite, written durably
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-device.h"

G_BEGIN_DECLS

#define PS_TYPE_STORE (ps_store_get_type ())
G_DECLARE_FINAL_TYPE (PsStore, ps_store, PS, STORE, GObject)

/* NULL path: $XDG_DATA_HOME/peerscope/peerscope.db */
PsStore   *ps_store_open          (const char  *path,
                                   GError     **error);
/* Inserts or replaces one camera (one transaction). */
gboolean   ps_store_save_device   (PsStore     *self,
                                   PsDevice    *device,
                                   GError     **error);
gboolean   ps_store_remove_device (PsStore     *self,
                                   const char  *id,
                                   GError     **error);
/* The same on a worker thread (every write waits for the disk), for the UI. */
void       ps_store_save_device_async    (PsStore             *self,
                                          PsDevice            *device,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean   ps_store_save_device_finish   (PsStore             *self,
                                          GAsyncResult        *result,
                                          GError             **error);
void       ps_store_remove_device_async  (PsStore             *self,
                                          const char          *id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean   ps_store_remove_device_finish (PsStore             *self,
                                          GAsyncResult        *result,
                                          GError             **error);
/* PsDevice, in the order they were added. */
GPtrArray *ps_store_load_devices  (PsStore     *self,
                                   GError     **error);

/* Devices discovery found, added or not: what the discovery page shows
 * again at the next start. Saving inserts or updates every device of
 * devices (PsDevice) and forgets, in the same transaction, those silent
 * since before forget_before_us that are not paired (0: none). */
gboolean   ps_store_save_discovered        (PsStore             *self,
                                            GPtrArray           *devices,
                                            gint64               forget_before_us,
                                            GError             **error);
/* The same on a worker thread; devices are read at the call. */
void       ps_store_save_discovered_async  (PsStore             *self,
                                            GPtrArray           *devices,
                                            gint64               forget_before_us,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean   ps_store_save_discovered_finish (PsStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);
/* PsDevice seen since not_before_us, or paired, most recently seen first,
 * offline, with their first and last sightings; rows that do not read
 * back are skipped. */
GPtrArray *ps_store_load_discovered        (PsStore             *self,
                                            gint64               not_before_us,
                                            GError             **error);
void       ps_store_load_discovered_async  (PsStore             *self,
                                            gint64               not_before_us,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray *ps_store_load_discovered_finish (PsStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
