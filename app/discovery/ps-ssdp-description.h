/* ps-ssdp-description.h: fetches a UPnP device description, carefully
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "ps-ssdp-message.h"

G_BEGIN_DECLS

#define PS_SSDP_DESCRIPTION_TIMEOUT_MS 3000

/* A session fit for descriptions: no proxy, no redirects followed. */
SoupSession       *ps_ssdp_description_session_new   (void);
/* GETs location, but only when it is an http URL on responder (the address
 * the SSDP message came from); reads at most PS_SSDP_MAX_DESCRIPTION bytes
 * and gives up after PS_SSDP_DESCRIPTION_TIMEOUT_MS. */
void               ps_ssdp_description_fetch_async   (SoupSession          *session,
                                                      const char           *location,
                                                      const char           *responder,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PsSsdpDescription *ps_ssdp_description_fetch_finish  (GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
