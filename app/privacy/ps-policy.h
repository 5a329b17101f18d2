/* ps-policy.h: what each camera may reach, as the user decided
 *
 * A policy is a list of device rules plus what every rule needs to know
 * about the network: which networks are the LAN, which addresses and ports
 * are vendor P2P infrastructure, which addresses are Peerscope viewers.
 * It is plain data: the monitor supplies the P2P servers it saw, the
 * caller resolves allow-list names to addresses; the compiler turns it into
 * one nftables table (ps-policy-compiler.h).
 *
 * Every string that comes from outside (D-Bus, files, the user) goes
 * through ps_policy_new_from_json() or the setters, which validate it: a
 * device id is [A-Za-z0-9._:-]{1,64}, a MAC is aa:bb:cc:dd:ee:ff, addresses
 * and networks are IP literals with an optional prefix length, names are
 * DNS names.  Nothing unvalidated ever reaches a ruleset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  PS_INTENT_OPEN,              /* no restriction (still monitored) */
  PS_INTENT_BLOCK_VENDOR_P2P,  /* no vendor P2P servers, everything else allowed */
  PS_INTENT_LOCAL_ONLY,        /* the LAN and Peerscope viewers only */
  PS_INTENT_ALLOW_LIST,        /* the LAN, viewers and the listed peers only */
} PsIntent;

#define PS_INTENT_LAST PS_INTENT_ALLOW_LIST

/* "open", "block-vendor-p2p", "local-only", "allow-list" */
const char *ps_intent_to_string   (PsIntent    intent);
gboolean    ps_intent_from_string (const char *text,
                                   PsIntent   *intent);

#define PS_POLICY_ERROR (ps_policy_error_quark ())
GQuark ps_policy_error_quark (void);

typedef enum {
  PS_POLICY_ERROR_INVALID,     /* a field is malformed */
  PS_POLICY_ERROR_TOO_LARGE,   /* more devices, peers or bytes than the caps allow */
} PsPolicyError;

/* Caps: a policy is small; anything bigger is an attack or a bug. */
#define PS_POLICY_MAX_DEVICES        256
#define PS_POLICY_MAX_ADDRESSES      16     /* per device */
#define PS_POLICY_MAX_ALLOW          256    /* per device */
#define PS_POLICY_MAX_P2P_SERVERS    4096
#define PS_POLICY_MAX_JSON_BYTES     (1024 * 1024)
#define PS_POLICY_MAX_NETWORKS       256    /* LAN networks; viewers */
#define PS_POLICY_MAX_PORTS          256    /* P2P server ports */

#define PS_TYPE_POLICY (ps_policy_get_type ())
G_DECLARE_FINAL_TYPE (PsPolicy, ps_policy, PS, POLICY, GObject)

PsPolicy   *ps_policy_new                  (void);
PsPolicy   *ps_policy_new_from_json        (const char   *json,
                                            gssize        length,
                                            GError      **error);
/* Canonical JSON: the same policy always gives the same bytes. */
char       *ps_policy_to_json              (PsPolicy     *self);
gboolean    ps_policy_equal                (PsPolicy     *a,
                                            PsPolicy     *b);

/* The intent of devices that have no rule of their own. */
PsIntent    ps_policy_get_default_intent   (PsPolicy     *self);
void        ps_policy_set_default_intent   (PsPolicy     *self,
                                            PsIntent      intent);

/* Sets (or replaces) a device's rule.  MAC may be NULL; ADDRESSES are IP
 * literals (NULL-terminated, may be empty when a MAC is given); ALLOW (for
 * allow-list) holds addresses, networks (ADDR/LEN) or DNS names. */
gboolean    ps_policy_set_device           (PsPolicy            *self,
                                            const char          *device,
                                            const char          *mac,
                                            const char * const  *addresses,
                                            PsIntent             intent,
                                            const char * const  *allow,
                                            GError             **error);
gboolean    ps_policy_remove_device        (PsPolicy     *self,
                                            const char   *device);
/* Device ids, sorted. */
GStrv       ps_policy_dup_devices          (PsPolicy     *self);
gboolean    ps_policy_get_device           (PsPolicy     *self,
                                            const char   *device,
                                            const char  **mac,
                                            const char * const **addresses,
                                            PsIntent     *intent,
                                            const char * const **allow);

/* The LAN: networks a local-only device may reach (default: RFC 1918,
 * RFC 6598, link-local, ULA, loopback, multicast). */
gboolean    ps_policy_set_lan_networks     (PsPolicy            *self,
                                            const char * const  *networks,
                                            GError             **error);
const char * const *ps_policy_get_lan_networks (PsPolicy *self);

/* Vendor P2P infrastructure: addresses the monitor classed p2p-supernode,
 * and server ports ("udp/32100", "udp/10001", "9999"; the built-in ones
 * are there from the start). */
gboolean    ps_policy_set_p2p_servers      (PsPolicy            *self,
                                            const char * const  *addresses,
                                            GError             **error);
const char * const *ps_policy_get_p2p_servers (PsPolicy *self);
gboolean    ps_policy_set_p2p_ports        (PsPolicy            *self,
                                            const char * const  *ports,
                                            GError             **error);
const char * const *ps_policy_get_p2p_ports (PsPolicy *self);

/* Addresses of Peerscope viewers (remote ones too) that every device may reach. */
gboolean    ps_policy_set_viewers          (PsPolicy            *self,
                                            const char * const  *addresses,
                                            GError             **error);
const char * const *ps_policy_get_viewers  (PsPolicy *self);

/* A deep copy, e.g. to add the addresses of allow-list names before
 * compiling without touching the stored policy. */
PsPolicy   *ps_policy_copy                 (PsPolicy     *self);
/* Every DNS name in the devices' allow lists, sorted, without duplicates.
 * nftables matches addresses, not names: the compiler skips names (a name
 * nobody resolved stays blocked), so the caller resolves these and adds
 * their addresses to the allow lists of a copy before compiling. */
GStrv       ps_policy_dup_allow_names      (PsPolicy     *self);

G_END_DECLS
