/* ps-p2p-identity.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-p2p-identity"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "ps-p2p-identity.h"

/* An identity file is a certificate and a key: a few kilobytes at most */
#define MAX_IDENTITY_BYTES (64 * 1024)
#define VALID_YEARS        30

struct _PsP2pIdentity
{
  gatomicrefcount  ref_count;
  char            *pem;
  char            *device_id;
};

static PsP2pIdentity *
identity_new (char *pem,
              char *device_id)
{
  PsP2pIdentity *self = g_new0 (PsP2pIdentity, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->pem = pem;
  self->device_id = device_id;

  return self;
}

PsP2pIdentity *
ps_p2p_identity_ref (PsP2pIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ps_p2p_identity_unref (PsP2pIdentity *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;

  /* the key is secret: not left in freed memory */
  memset (self->pem, 0, strlen (self->pem));
  g_free (self->pem);
  g_free (self->device_id);
  g_free (self);
}

const char *
ps_p2p_identity_get_pem (PsP2pIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->pem;
}

const char *
ps_p2p_identity_get_device_id (PsP2pIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->device_id;
}

static char *
hex_of (const guint8 *digest,
        gsize         length)
{
  GString *hex = g_string_sized_new (length * 2);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (hex, "%02x", digest[i]);

  return g_string_free (hex, FALSE);
}

char *
ps_p2p_device_id_from_pem (const char  *pem,
                           GError     **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GByteArray) der = NULL;
  guint8 digest[32];
  gsize length = sizeof digest;
  GChecksum *checksum;

  g_return_val_if_fail (pem != NULL, NULL);

  certificate = g_tls_certificate_new_from_pem (pem, -1, error);
  if (certificate == NULL)
    return NULL;
  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL || der->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("No certificate"));
      return NULL;
    }

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &length);
  g_checksum_free (checksum);

  return hex_of (digest, length);
}

char *
ps_p2p_device_id_normalize (const char *text)
{
  GString *id;

  if (text == NULL)
    return NULL;

  id = g_string_sized_new (PS_P2P_DEVICE_ID_LENGTH);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isxdigit (*p) && id->len < PS_P2P_DEVICE_ID_LENGTH + 1)
        g_string_append_c (id, g_ascii_tolower (*p));
      else if (*p != ':' && *p != ' ' && *p != '-')
        {
          g_string_free (id, TRUE);
          return NULL;
        }
    }

  if (id->len != PS_P2P_DEVICE_ID_LENGTH)
    {
      g_string_free (id, TRUE);
      return NULL;
    }

  return g_string_free (id, FALSE);
}

char *
ps_p2p_device_id_from_fingerprint (const char *fingerprint)
{
  const char *value;

  if (fingerprint == NULL)
    return NULL;

  /* "sha-256 AB:CD:…", the hash name in any case, exactly one space */
  if (g_ascii_strncasecmp (fingerprint, "sha-256 ", strlen ("sha-256 ")) != 0)
    return NULL;
  value = fingerprint + strlen ("sha-256 ");

  /* 32 pairs of hex digits joined by ':', nothing else */
  if (strlen (value) != 32 * 3 - 1)
    return NULL;
  for (guint i = 0; value[i] != '\0'; i++)
    if (i % 3 == 2 ? value[i] != ':' : !g_ascii_isxdigit (value[i]))
      return NULL;

  return ps_p2p_device_id_normalize (value);
}

char *
ps_p2p_device_id_to_fingerprint (const char *device_id)
{
  GString *text;

  g_return_val_if_fail (device_id != NULL, NULL);

  text = g_string_new ("sha-256 ");
  for (guint i = 0; device_id[i] != '\0'; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (text, ':');
      g_string_append_c (text, g_ascii_toupper (device_id[i]));
    }

  return g_string_free (text, FALSE);
}

char *
ps_p2p_device_id_format (const char *device_id)
{
  GString *text;

  g_return_val_if_fail (device_id != NULL, NULL);

  text = g_string_new (NULL);
  for (guint i = 0; device_id[i] != '\0'; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (text, ' ');
      g_string_append_c (text, device_id[i]);
    }

  return g_string_free (text, FALSE);
}

static gboolean
gnutls_failed (int          status,
               const char  *what,
               GError     **error)
{
  if (status >= 0)
    return FALSE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot create an identity (%s: %s)"),
               what, gnutls_strerror (status));
  return TRUE;
}

/* A new self-signed certificate and its key, PEM */
static char *
create_pem (GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t cert_pem = { NULL, 0 };
  gnutls_datum_t key_pem = { NULL, 0 };
  guint8 serial[16];
  time_t now = time (NULL);
  char *pem = NULL;

  if (gnutls_failed (gnutls_x509_privkey_init (&key), "key", error) ||
      gnutls_failed (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                   GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                                   0), "key", error) ||
      gnutls_failed (gnutls_x509_crt_init (&crt), "certificate", error) ||
      gnutls_failed (gnutls_x509_crt_set_version (crt, 3), "version", error) ||
      gnutls_failed (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), "serial", error))
    goto out;

  /* a positive serial number */
  serial[0] &= 0x7f;
  if (gnutls_failed (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "serial", error) ||
      gnutls_failed (gnutls_x509_crt_set_activation_time (crt, now - 24 * 3600), "time", error) ||
      gnutls_failed (gnutls_x509_crt_set_expiration_time (crt, now + (time_t) VALID_YEARS * 365 *
                                                          24 * 3600), "time", error) ||
      gnutls_failed (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                    "peerscope", strlen ("peerscope")),
                     "name", error) ||
      gnutls_failed (gnutls_x509_crt_set_key (crt, key), "key", error) ||
      gnutls_failed (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), "signature",
                     error) ||
      gnutls_failed (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &cert_pem), "export",
                     error) ||
      /* PKCS#8 "PRIVATE KEY", unencrypted: what the DTLS elements read */
      gnutls_failed (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                        GNUTLS_PKCS_PLAIN, &key_pem),
                     "export", error))
    goto out;

  pem = g_strdup_printf ("%.*s%.*s", (int) cert_pem.size, (const char *) cert_pem.data,
                         (int) key_pem.size, (const char *) key_pem.data);

out:
  if (key_pem.data != NULL)
    {
      memset (key_pem.data, 0, key_pem.size);
      gnutls_free (key_pem.data);
    }
  gnutls_free (cert_pem.data);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);

  return pem;
}

/* Both a certificate and a private key, the key the certificate's */
static gboolean
check_pem (const char  *pem,
           const char  *path,
           GError     **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *key = NULL;

  certificate = g_tls_certificate_new_from_pem (pem, -1, &local_error);
  if (certificate != NULL)
    g_object_get (certificate, "private-key-pem", &key, NULL);
  if (certificate == NULL || key == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is no identity (a certificate and its private key): %s"), path,
                   local_error != NULL ? local_error->message : _("no private key"));
      if (key != NULL)
        memset (key, 0, strlen (key));
      return FALSE;
    }

  memset (key, 0, strlen (key));
  return TRUE;
}

PsP2pIdentity *
ps_p2p_identity_load_or_create (const char  *path,
                                GError     **error)
{
  g_autofree char *pem = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *folder = NULL;
  char *device_id;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_file_get_contents (path, &pem, &length, &local_error))
    {
      if (length > MAX_IDENTITY_BYTES || strlen (pem) != length)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s is no identity (a certificate and its private key)"), path);
          return NULL;
        }
      if (!check_pem (pem, path, error))
        return NULL;
    }
  else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_clear_error (&local_error);
      pem = create_pem (error);
      if (pem == NULL)
        return NULL;

      folder = g_path_get_dirname (path);
      if (g_mkdir_with_parents (folder, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot create the folder %s: %s"), folder, g_strerror (saved_errno));
          return NULL;
        }
      if (!g_file_set_contents_full (path, pem, -1,
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                     0600, error))
        return NULL;
      g_message ("Created a new P2P identity in %s", path);
    }
  else
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  device_id = ps_p2p_device_id_from_pem (pem, error);
  if (device_id == NULL)
    return NULL;

  return identity_new (g_steal_pointer (&pem), device_id);
}
