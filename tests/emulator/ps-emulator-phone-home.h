/* ps-emulator-phone-home.h: the traffic a cheap P2P camera sends home on
 * its own: CS2 PPPP hellos to "supernodes", heartbeats to a vendor cloud,
 * SNTP, and the DNS lookups before them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ps-emulator-log.h"

G_BEGIN_DECLS

#define PS_EMULATOR_PPPP_SERVER_PORT 32100

/* The strings must outlive the object. */
typedef struct
{
  const char  *serial;             /* in the vendor heartbeats */
  const char  *mac;
  const char  *pppp_psk;           /* NULL: PPPP hellos in plaintext */
  guint16      pppp_server_port;   /* UDP targets on this port get PPPP hellos */
  double       interval;           /* seconds between rounds */
  gboolean     honour_p2p_setting; /* setP2PEnable&isEnable=0 stops the hellos */
} PsEmulatorPhoneHomeConfig;

typedef struct _PsEmulatorPhoneHome PsEmulatorPhoneHome;

/* targets: "HOST:PORT/udp" or "HOST:PORT/tcp" (HOST a name, an IPv4
 * address or a bracketed IPv6 one); ntp: "HOST[:PORT]" or NULL;
 * dns_server: "ADDR[:PORT]" or NULL for the system resolver. Numeric
 * addresses must be lab addresses (ps_emulator_net_is_lab_address()); a
 * name resolving elsewhere is refused at each round. Sockets bind to
 * bind_address when it can reach the target (same family, and not a
 * loopback address for a target that is not). The first round starts at
 * once, on the main context. */
PsEmulatorPhoneHome *ps_emulator_phone_home_new     (const PsEmulatorPhoneHomeConfig *config,
                                                     const char * const              *targets,
                                                     const char                      *ntp,
                                                     const char                      *dns_server,
                                                     GInetAddress                    *bind_address,
                                                     PsEmulatorLog                   *log,
                                                     GError                         **error);
/* The targets as "HOST:PORT/udp|tcp", for the ready line. */
GStrv                ps_emulator_phone_home_dup_targets (PsEmulatorPhoneHome *self);
/* The camera's P2P switch. Returns whether the traffic follows it (only
 * with honour_p2p_setting: the vendor bug is that it does not). */
gboolean             ps_emulator_phone_home_set_p2p_enabled (PsEmulatorPhoneHome *self,
                                                             gboolean             enabled);
/* Cancels whatever is in flight and waits (on the main context) for it to
 * unwind. */
void                 ps_emulator_phone_home_free    (PsEmulatorPhoneHome *self);

G_END_DECLS
