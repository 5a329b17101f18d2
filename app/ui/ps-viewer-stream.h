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
 * its paintable and the caller feeds it from "new-frame". */
PsStream *ps_viewer_stream_new (PsDevice        *device,
                                const char      *password,
                                PsStreamProfile  profile,
                                GtkPicture      *picture);

G_END_DECLS
