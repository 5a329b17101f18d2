/* ps-session-source.h: the app's own sessions as flows
 *
 * A viewer is a peer of the camera it watches.  The application reports
 * each of its streams' cumulative counters; this source turns them into
 * flow records (origin SESSION: the viewer opened the session, the camera
 * answered), so the camera's Connections list shows this computer too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-flow-source.h"

G_BEGIN_DECLS

#define PS_TYPE_SESSION_SOURCE (ps_session_source_get_type ())
G_DECLARE_FINAL_TYPE (PsSessionSource, ps_session_source, PS, SESSION_SOURCE, GObject)

PsSessionSource *ps_session_source_new    (void);
/* SESSION is any id that stays the same for one stream.  REMOTE is the
 * camera's address (an IP literal; names are ignored) and PORT its
 * service; the counters are what it sent so far.  Records go out at once. */
void             ps_session_source_update (PsSessionSource *self,
                                           const char      *session,
                                           const char      *remote,
                                           guint16          port,
                                           guint8           ip_protocol,
                                           guint64          bytes_in,
                                           guint64          packets_in);
/* The session is over (its stream stopped). */
void             ps_session_source_end    (PsSessionSource *self,
                                           const char      *session);

G_END_DECLS
