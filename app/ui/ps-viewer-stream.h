/* ps-viewer-stream.h: a camera's stream, set up for showing in a picture
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ps-device.h"
#include "ps-stream.h"

G_BEGIN_DECLS

/* A stream of device (its sub-stream when profile asks for it) that keeps
 * trying, signs in with password, and draws into picture through
 * gtk4paintablesink when GStreamer has it. Without that sink, picture keeps
 * its paintable and the caller feeds it from "new-frame".  A p2p: camera
 * reaches its camera through the default P2P account (ps-p2p-account.h)
 * and follows its changes. */
PsStream *ps_viewer_stream_new    (PsDevice        *device,
                                   const char      *password,
                                   PsStreamProfile  profile,
                                   GtkPicture      *picture);
/* Starts the stream; a p2p: stream first reads the account's secrets when
 * that was not done yet. */
void      ps_viewer_stream_start  (PsStream        *stream);
/* Stops it, and a start still waiting for the account; the camera's end
 * then hears goodbye (a WHEP endpoint, its DELETE) */
void      ps_viewer_stream_stop   (PsStream        *stream);
/* Stopped streams whose goodbye is still under way, in the whole app */
guint     ps_viewer_stream_get_n_closing (void);
/* The stream ended because the peer was not the camera the user paired */
gboolean  ps_viewer_stream_is_identity_error (PsStream *stream);

G_END_DECLS
