/* ps-wsse.h: WS-Security UsernameToken with PasswordDigest (ONVIF auth)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Base64 (SHA-1 (nonce + created + password)), nonce given raw. */
char    *ps_wsse_digest          (const guint8 *nonce,
                                  gsize         nonce_len,
                                  const char   *created,
                                  const char   *password);
/* A complete <wsse:Security> header element, fresh nonce and time. */
char    *ps_wsse_security_header (const char   *username,
                                  const char   *password);
/* Checks a received token; nonce_b64 as sent on the wire. */
gboolean ps_wsse_verify          (const char   *username,
                                  const char   *password,
                                  const char   *token_username,
                                  const char   *token_digest,
                                  const char   *token_nonce_b64,
                                  const char   *token_created);

G_END_DECLS
