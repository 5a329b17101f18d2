/* ps-test-hostile-rendezvous.h: a rendezvous server that lies, for tests
 *
 * A WebSocket man in the middle in front of a real peerscope-rendezvous:
 * every text message, both ways, goes through a list of string
 * replacements, e.g. to swap a camera's SDP fingerprint for an impostor's,
 * or to let an impostor announce the camera's device id.  What Peerscope
 * must survive: a server that relays sessions but tries to impersonate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _PsTestHostileRendezvous PsTestHostileRendezvous;

/* Listens on 127.0.0.1; UPSTREAM is the real server's ws:// URL */
PsTestHostileRendezvous *ps_test_hostile_rendezvous_new     (const char *upstream);
void                     ps_test_hostile_rendezvous_free    (PsTestHostileRendezvous *self);
const char              *ps_test_hostile_rendezvous_get_url (PsTestHostileRendezvous *self);
/* From now on, every FROM in a relayed message becomes TO */
void                     ps_test_hostile_rendezvous_replace (PsTestHostileRendezvous *self,
                                                             const char *from,
                                                             const char *to);
/* Messages in which at least one replacement was made */
guint                    ps_test_hostile_rendezvous_get_rewritten (PsTestHostileRendezvous *self);

G_END_DECLS
