/* ps-p2p-identity.h: a camera's long-term identity on the P2P network
 *
 * The identity is a self-signed certificate and its private key (ECDSA
 * P-256), kept in one PEM file that only its owner can read.  The camera
 * side uses it as its DTLS certificate in every session; its device id is
 * the SHA-256 digest of the certificate (DER), written as 64 lowercase
 * hex digits.  That is exactly what the SDP's "a=fingerprint:sha-256"
 * line carries, so a viewer that pinned the device id can check both the
 * offer and the certificate the DTLS handshake presents: a rendezvous
 * server can relay a session but cannot impersonate the camera.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PS_P2P_DEVICE_ID_LENGTH 64

typedef struct _PsP2pIdentity PsP2pIdentity;

/* Reads PATH, or creates a new identity there (0600, written atomically
 * and durably) when there is no file yet. */
PsP2pIdentity *ps_p2p_identity_load_or_create (const char     *path,
                                               GError        **error);
PsP2pIdentity *ps_p2p_identity_ref            (PsP2pIdentity  *self);
void           ps_p2p_identity_unref          (PsP2pIdentity  *self);
/* The certificate and the key, PEM, as GStreamer's DTLS elements take them */
const char    *ps_p2p_identity_get_pem        (PsP2pIdentity  *self);
const char    *ps_p2p_identity_get_device_id  (PsP2pIdentity  *self);

/* The device id of the first certificate in PEM, or NULL */
char          *ps_p2p_device_id_from_pem      (const char     *pem,
                                               GError        **error);
/* A device id as people type or scan it (any case, with or without ':',
 * spaces or dashes between digits) in canonical form, or NULL when TEXT
 * is not 32 bytes in hex */
char          *ps_p2p_device_id_normalize     (const char     *text);
/* The device id an SDP's "a=fingerprint" value ("sha-256 AB:CD:…") names,
 * or NULL for any other hash or a malformed value */
char          *ps_p2p_device_id_from_fingerprint (const char  *fingerprint);
/* The SDP "a=fingerprint" value of a device id: "sha-256 AB:CD:…" */
char          *ps_p2p_device_id_to_fingerprint (const char *device_id);
/* "ab12 cd34 …": groups of four for people to compare */
char          *ps_p2p_device_id_format        (const char     *device_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsP2pIdentity, ps_p2p_identity_unref)

G_END_DECLS
