/* ps-token-file.h: the account tokens peerscope-rendezvous accepts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PS_TOKEN_FILE_MAX_SIZE       (1024 * 1024)
#define PS_TOKEN_FILE_MAX_ACCOUNTS   10000
#define PS_TOKEN_MIN_LENGTH          16
#define PS_TOKEN_MAX_LENGTH          512
#define PS_ACCOUNT_MAX_LENGTH        64
#define PS_TOKEN_FILE_DEFAULT_ACCOUNT "default"

#define PS_TYPE_TOKEN_FILE (ps_token_file_get_type ())
G_DECLARE_FINAL_TYPE (PsTokenFile, ps_token_file, PS, TOKEN_FILE, GObject)

PsTokenFile *ps_token_file_new_from_data  (const char   *data,
                                           gsize         length,
                                           GError      **error);
PsTokenFile *ps_token_file_new_from_path  (const char   *path,
                                           GError      **error);
const char  *ps_token_file_lookup         (PsTokenFile  *self,
                                           const char   *token);
gboolean     ps_token_file_has_account    (PsTokenFile  *self,
                                           const char   *account);
guint        ps_token_file_get_n_accounts (PsTokenFile  *self);
gboolean     ps_token_is_valid            (const char   *token);

G_END_DECLS
