/* ps-stream-status.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ps-stream-status.h"

const char *
ps_stream_status_label (PsStream *stream)
{
  switch (ps_stream_get_state (stream))
    {
    case PS_STREAM_STATE_IDLE:         return _("Stopped");
    case PS_STREAM_STATE_CONNECTING:   return _("Connecting…");
    case PS_STREAM_STATE_PLAYING:      return _("Live");
    case PS_STREAM_STATE_RECONNECTING: return _("Reconnecting…");
    case PS_STREAM_STATE_ERROR:        return _("Error");
    default:                           return "";
    }
}

const char *
ps_stream_status_css_class (PsStream *stream)
{
  switch (ps_stream_get_state (stream))
    {
    case PS_STREAM_STATE_PLAYING:      return "live";
    case PS_STREAM_STATE_ERROR:        return "failed";
    case PS_STREAM_STATE_CONNECTING:
    case PS_STREAM_STATE_RECONNECTING: return "connecting";
    case PS_STREAM_STATE_IDLE:
    default:                           return "stopped";
    }
}

char *
ps_stream_status_latency (PsStream *stream)
{
  double p50, p95;

  if (!ps_stream_get_latency (stream, &p50, &p95))
    return g_strdup (_("Unknown"));

  /* Translators: latency percentiles, e.g. "42 ms (95 %: 60 ms)" */
  return g_strdup_printf (_("%.0f ms (95 %%: %.0f ms)"), p50, p95);
}
