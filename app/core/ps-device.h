/* ps-device.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ps-sighting.h"

G_BEGIN_DECLS

typedef struct
{
  char  *uri;
  char  *profile;    /* the ONVIF profile token */
  guint  width;
  guint  height;
  char  *name;       /* the ONVIF profile's name, or NULL */
} PsDeviceStream;

#define PS_TYPE_DEVICE (ps_device_get_type ())
G_DECLARE_FINAL_TYPE (PsDevice, ps_device, PS, DEVICE, GObject)

PsDevice   *ps_device_new              (const char *name,
                                        const char *uri);
const char *ps_device_get_id           (PsDevice   *self);
const char *ps_device_get_name         (PsDevice   *self);
void        ps_device_set_name         (PsDevice   *self,
                                        const char *name);
const char *ps_device_get_uri          (PsDevice   *self);
const char *ps_device_get_sub_uri      (PsDevice   *self);
void        ps_device_set_sub_uri      (PsDevice   *self,
                                        const char *sub_uri);
const char *ps_device_get_username     (PsDevice   *self);
void        ps_device_set_username     (PsDevice   *self,
                                        const char *username);
char       *ps_device_dup_host         (PsDevice   *self);

/* What discovery learnt about the device. */
PsDevice   *ps_device_new_from_sighting (const PsSighting *sighting,
                                        gint64            now_us);
void        ps_device_merge_sighting   (PsDevice         *self,
                                        const PsSighting *sighting,
                                        gint64            now_us);
gboolean    ps_device_matches_sighting (PsDevice         *self,
                                        const PsSighting *sighting);
const char *ps_device_get_manufacturer (PsDevice   *self);
const char *ps_device_get_model        (PsDevice   *self);
const char *ps_device_get_mac          (PsDevice   *self);
const char *ps_device_get_endpoint     (PsDevice   *self);
const char *ps_device_get_p2p_uid      (PsDevice   *self);
/* "cs2" or "kalay" when the device answers a vendor P2P LAN search */
const char *ps_device_get_p2p_network  (PsDevice   *self);
/* Its device id on the user's own P2P network (peerscope-rendezvous), or
 * NULL; not a vendor P2P UID */
const char *ps_device_get_peerscope_id (PsDevice  *self);
const char * const *ps_device_get_addresses (PsDevice *self);
const char * const *ps_device_get_xaddrs    (PsDevice *self);
/* What the device says of itself (ONVIF GetDeviceInformation): it wins
 * over what discovery guessed. NULL leaves a field as it is. */
void        ps_device_set_identity     (PsDevice   *self,
                                        const char *manufacturer,
                                        const char *model,
                                        const char *firmware);
const char *ps_device_get_firmware     (PsDevice   *self);
void        ps_device_add_stream       (PsDevice   *self,
                                        const char *uri,
                                        const char *profile,
                                        guint       width,
                                        guint       height);
/* The same with the profile's name, for people ("Main Stream"). */
void        ps_device_add_stream_full  (PsDevice   *self,
                                        const char *uri,
                                        const char *profile,
                                        const char *name,
                                        guint       width,
                                        guint       height);
/* PsDeviceStream, main stream first */
GPtrArray  *ps_device_get_streams      (PsDevice   *self);
gboolean    ps_device_has_protocol     (PsDevice   *self,
                                        PsProtocol  protocol);
gint64      ps_device_get_last_seen    (PsDevice   *self);
/* when the first sighting came (g_get_real_time () µs), 0 if never */
gint64      ps_device_get_first_seen   (PsDevice   *self);
/* the interface, and our address, its latest answer arrived on */
const char *ps_device_get_interface    (PsDevice   *self);
const char *ps_device_get_local_address (PsDevice  *self);
gboolean    ps_device_get_online       (PsDevice   *self);
void        ps_device_set_online       (PsDevice   *self,
                                        gboolean    online);
/* The user added this camera: the discovery list keeps it however long it
 * stays silent. */
gboolean    ps_device_get_paired       (PsDevice   *self);
void        ps_device_set_paired       (PsDevice   *self,
                                        gboolean    paired);

/* What discovery learnt, as one JSON object (not the id, the times or the
 * pairing: the store keeps those in columns of their own), and back. A
 * device read back is offline until it answers again. */
char       *ps_device_discovery_to_json       (PsDevice    *self);
PsDevice   *ps_device_new_from_discovery_json (const char  *id,
                                               const char  *json,
                                               GError     **error);

char       *ps_device_id_for_uri       (const char *uri);
char       *ps_device_id_for_key       (const char *kind,
                                        const char *value);

G_END_DECLS
