/* ps-stream-status.h: how the UI words a stream's state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ps-stream.h"

G_BEGIN_DECLS

const char *ps_stream_status_label      (PsStream *stream);
const char *ps_stream_status_css_class  (PsStream *stream);
char       *ps_stream_status_latency    (PsStream *stream);

G_END_DECLS
