/* ps-http-fetch.h: one HTTP exchange whose reply is read in chunks and
 * capped, so a device cannot make us buffer more than we allow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Sends MSG and reads its whole body, failing with PS_XML_ERROR_TOO_LARGE
 * past MAX_BYTES.  The status is the message's, once finished. */
void    ps_http_fetch_async  (SoupSession         *session,
                              SoupMessage         *msg,
                              gsize                max_bytes,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
GBytes *ps_http_fetch_finish (GAsyncResult        *result,
                              GError             **error);

G_END_DECLS
