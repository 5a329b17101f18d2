/* ps-stream-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PS_STREAM_ERROR (ps_stream_error_quark ())

typedef enum {
  PS_STREAM_ERROR_INVALID_URI,
  PS_STREAM_ERROR_UNREACHABLE,
  PS_STREAM_ERROR_REFUSED,
  PS_STREAM_ERROR_AUTH,
  PS_STREAM_ERROR_NOT_FOUND,
  PS_STREAM_ERROR_NO_VIDEO,
  PS_STREAM_ERROR_TIMEOUT,
  PS_STREAM_ERROR_PROTOCOL,
  PS_STREAM_ERROR_DECODER,
  PS_STREAM_ERROR_DISCONNECTED,
  PS_STREAM_ERROR_IDENTITY,     /* a P2P peer that is not the paired camera */
} PsStreamError;

GQuark      ps_stream_error_quark    (void);
/* Maps GIO, libsoup, ONVIF and GStreamer errors to one PsStreamError. */
GError     *ps_stream_error_from     (const GError   *error,
                                      const char     *debug);

G_END_DECLS
