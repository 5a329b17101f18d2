/* ps-onvif-reply.h: parsing ONVIF media service replies (untrusted input)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PS_ONVIF_MAX_REPLY    (256 * 1024)
#define PS_ONVIF_MAX_PROFILES 32

typedef struct
{
  char *token;
  char *name;
  guint width;
  guint height;
  char *encoding;
} PsOnvifProfile;

void        ps_onvif_profile_free           (PsOnvifProfile  *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsOnvifProfile, ps_onvif_profile_free)

typedef struct
{
  char *manufacturer;
  char *model;
  char *firmware;
  char *serial;
  char *hardware_id;
} PsOnvifDeviceInfo;

void        ps_onvif_device_info_free       (PsOnvifDeviceInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsOnvifDeviceInfo, ps_onvif_device_info_free)

gboolean    ps_onvif_reply_is_soap          (const char      *data,
                                             gsize            len);
/* Each returns NULL (or FALSE) and an error for faults and bad replies. */
GPtrArray  *ps_onvif_reply_parse_profiles   (const char      *data,
                                             gsize            len,
                                             GError         **error);
char       *ps_onvif_reply_parse_stream_uri (const char      *data,
                                             gsize            len,
                                             GError         **error);
PsOnvifDeviceInfo *
            ps_onvif_reply_parse_device_info (const char     *data,
                                             gsize            len,
                                             GError         **error);
gboolean    ps_onvif_reply_parse_empty      (const char      *data,
                                             gsize            len,
                                             GError         **error);

G_END_DECLS
