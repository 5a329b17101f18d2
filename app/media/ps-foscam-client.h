/* ps-foscam-client.h: a camera's own P2P and UPnP switches, through the
 * Foscam-style CGI (GET /cgi-bin/CGIProxy.fcgi?cmd=…&usr=…&pwd=…) that many
 * cheap cameras share
 *
 * Only ever talks to the camera's own address, and only with the
 * credentials the user paired it with.  Replies are capped and parsed with
 * the safe XML reader.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PS_FOSCAM_MAX_REPLY (16 * 1024)

typedef enum {
  PS_FOSCAM_SWITCH_P2P,
  PS_FOSCAM_SWITCH_UPNP,
} PsFoscamSwitch;

#define PS_TYPE_FOSCAM_CLIENT (ps_foscam_client_get_type ())
G_DECLARE_FINAL_TYPE (PsFoscamClient, ps_foscam_client, PS, FOSCAM_CLIENT, GObject)

/* BASE is the camera's HTTP root, "http://HOST:PORT" (any path is ignored). */
PsFoscamClient *ps_foscam_client_new          (const char          *base,
                                               const char          *username,
                                               const char          *password,
                                               GError             **error);
void            ps_foscam_client_get_async    (PsFoscamClient      *self,
                                               PsFoscamSwitch       which,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* Returns FALSE with an error, else TRUE and *enabled. */
gboolean        ps_foscam_client_get_finish   (PsFoscamClient      *self,
                                               GAsyncResult        *result,
                                               gboolean            *enabled,
                                               GError             **error);
void            ps_foscam_client_set_async    (PsFoscamClient      *self,
                                               PsFoscamSwitch       which,
                                               gboolean             enabled,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean        ps_foscam_client_set_finish   (PsFoscamClient      *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* The reply parser, for tests and fuzzing: <CGI_Result><result>N</result>
 * [<isEnable>0|1</isEnable>]</CGI_Result>.  *is_enable is -1 when absent. */
gboolean        ps_foscam_parse_reply         (const char          *data,
                                               gsize                length,
                                               int                 *is_enable,
                                               GError             **error);

G_END_DECLS
