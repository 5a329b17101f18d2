/* ps-wsse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-wsse"

#include <string.h>

#include "ps-wsse.h"

#define MAX_NONCE_LEN 256

char *
ps_wsse_digest (const guint8 *nonce,
                gsize         nonce_len,
                const char   *created,
                const char   *password)
{
  g_autoptr(GChecksum) sha1 = NULL;
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  g_return_val_if_fail (nonce != NULL || nonce_len == 0, NULL);
  g_return_val_if_fail (created != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_checksum_update (sha1, nonce, nonce_len);
  g_checksum_update (sha1, (const guchar *) created, strlen (created));
  g_checksum_update (sha1, (const guchar *) password, strlen (password));
  g_checksum_get_digest (sha1, digest, &digest_len);

  return g_base64_encode (digest, digest_len);
}

char *
ps_wsse_security_header (const char *username,
                         const char *password)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *created = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *nonce_b64 = NULL;
  g_autofree char *user_escaped = NULL;
  guint8 nonce[16];

  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  for (guint i = 0; i < sizeof nonce; i++)
    nonce[i] = (guint8) g_random_int_range (0, 256);

  now = g_date_time_new_now_utc ();
  created = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  digest = ps_wsse_digest (nonce, sizeof nonce, created, password);
  nonce_b64 = g_base64_encode (nonce, sizeof nonce);
  user_escaped = g_markup_escape_text (username, -1);

  return g_strdup_printf (
    "<wsse:Security s:mustUnderstand=\"1\" "
    "xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\" "
    "xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\">"
    "<wsse:UsernameToken>"
    "<wsse:Username>%s</wsse:Username>"
    "<wsse:Password Type=\"http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-username-token-profile-1.0#PasswordDigest\">%s</wsse:Password>"
    "<wsse:Nonce EncodingType=\"http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary\">%s</wsse:Nonce>"
    "<wsu:Created>%s</wsu:Created>"
    "</wsse:UsernameToken>"
    "</wsse:Security>",
    user_escaped, digest, nonce_b64, created);
}

gboolean
ps_wsse_verify (const char *username,
                const char *password,
                const char *token_username,
                const char *token_digest,
                const char *token_nonce_b64,
                const char *token_created)
{
  g_autofree guint8 *nonce = NULL;
  g_autofree char *expected = NULL;
  gsize nonce_len = 0;

  g_return_val_if_fail (username != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (token_username == NULL || token_digest == NULL ||
      token_nonce_b64 == NULL || token_created == NULL)
    return FALSE;

  if (strlen (token_nonce_b64) > MAX_NONCE_LEN || strlen (token_created) > 64)
    return FALSE;

  if (g_strcmp0 (username, token_username) != 0)
    return FALSE;

  nonce = g_base64_decode (token_nonce_b64, &nonce_len);
  expected = ps_wsse_digest (nonce, nonce_len, token_created, password);

  return g_strcmp0 (expected, token_digest) == 0;
}
