/* test-p2p-identity.c: a camera's long-term P2P identity and its device id
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>

#include "ps-p2p-identity.h"

static char *
tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("peerscope-identity-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
test_create_and_reload (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "sub", "identity.pem", NULL);
  g_autofree char *other_path = g_build_filename (dir, "other.pem", NULL);
  g_autoptr(PsP2pIdentity) identity = NULL;
  g_autoptr(PsP2pIdentity) again = NULL;
  g_autoptr(PsP2pIdentity) other = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *id = NULL;
  const char *device_id;
  GStatBuf st;

  /* first use: a new identity, private to its owner */
  identity = ps_p2p_identity_load_or_create (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (identity);
  device_id = ps_p2p_identity_get_device_id (identity);
  g_assert_cmpuint (strlen (device_id), ==, PS_P2P_DEVICE_ID_LENGTH);
  for (const char *p = device_id; *p != '\0'; p++)
    g_assert_true (g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f'));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* a certificate and its key, as the DTLS elements take them */
  certificate = g_tls_certificate_new_from_pem (ps_p2p_identity_get_pem (identity), -1, &error);
  g_assert_no_error (error);
  g_object_get (certificate, "private-key-pem", &key, NULL);
  g_assert_nonnull (key);
  id = ps_p2p_device_id_from_pem (ps_p2p_identity_get_pem (identity), &error);
  g_assert_cmpstr (id, ==, device_id);

  /* later uses: the same identity */
  again = ps_p2p_identity_load_or_create (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ps_p2p_identity_get_device_id (again), ==, device_id);
  g_assert_cmpstr (ps_p2p_identity_get_pem (again), ==, ps_p2p_identity_get_pem (identity));

  /* another camera: another id */
  other = ps_p2p_identity_load_or_create (other_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ps_p2p_identity_get_device_id (other), !=, device_id);

  g_remove (path);
  g_remove (other_path);
  {
    g_autofree char *sub = g_path_get_dirname (path);

    g_rmdir (sub);
  }
  g_rmdir (dir);
}

static void
test_refuses_broken_files (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "identity.pem", NULL);
  g_autofree char *good = g_build_filename (dir, "good.pem", NULL);
  g_autoptr(PsP2pIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  char *key_start;

  /* junk */
  g_assert_true (g_file_set_contents (path, "not a certificate", -1, NULL));
  identity = ps_p2p_identity_load_or_create (path, &error);
  g_assert_null (identity);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  /* a certificate without its key is no identity: it could not sign */
  identity = ps_p2p_identity_load_or_create (good, &error);
  g_assert_no_error (error);
  pem = g_strdup (ps_p2p_identity_get_pem (identity));
  g_clear_pointer (&identity, ps_p2p_identity_unref);
  key_start = strstr (pem, "-----BEGIN PRIVATE KEY-----");
  g_assert_nonnull (key_start);
  *key_start = '\0';
  g_assert_true (g_file_set_contents (path, pem, -1, NULL));
  identity = ps_p2p_identity_load_or_create (path, &error);
  g_assert_null (identity);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* a NUL inside, or a huge file */
  g_assert_true (g_file_set_contents (path, "-----BEGIN\0CERTIFICATE", 22, NULL));
  identity = ps_p2p_identity_load_or_create (path, &error);
  g_assert_null (identity);
  g_clear_error (&error);
  {
    g_autofree char *big = g_strnfill (200 * 1024, 'A');

    g_assert_true (g_file_set_contents (path, big, -1, NULL));
  }
  identity = ps_p2p_identity_load_or_create (path, &error);
  g_assert_null (identity);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* never replaced: the broken file is still there as it was */
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  g_remove (path);
  g_remove (good);
  g_rmdir (dir);
}

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FP "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"

static void
test_device_id_text (void)
{
  static const char * const bad[] = {
    "", "0123", ID "00", "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde_",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\xc3\xa9", NULL,
  };
  static const char * const bad_fingerprints[] = {
    "sha-1 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67",
    "sha-256 " ID, "sha-256  " FP, "sha-256 " FP ":00", "sha-256 " FP ":",
    "sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:E:F",
    "sha-256", "", "sha-2560" FP, NULL,
  };
  g_autofree char *from_fp = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *spaced = NULL;
  g_autofree char *formatted = ps_p2p_device_id_format (ID);

  for (guint i = 0; bad[i] != NULL; i++)
    g_assert_null (ps_p2p_device_id_normalize (bad[i]));
  g_assert_null (ps_p2p_device_id_normalize (NULL));

  upper = ps_p2p_device_id_normalize (FP);
  g_assert_cmpstr (upper, ==, ID);
  g_assert_cmpstr (formatted, ==,
                   "0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef");
  spaced = ps_p2p_device_id_normalize (formatted);
  g_assert_cmpstr (spaced, ==, ID);

  from_fp = ps_p2p_device_id_from_fingerprint ("SHA-256 " FP);
  g_assert_cmpstr (from_fp, ==, ID);
  for (guint i = 0; bad_fingerprints[i] != NULL; i++)
    g_assert_null (ps_p2p_device_id_from_fingerprint (bad_fingerprints[i]));
  g_assert_null (ps_p2p_device_id_from_fingerprint (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/p2p-identity/create-and-reload", test_create_and_reload);
  g_test_add_func ("/p2p-identity/refuses-broken-files", test_refuses_broken_files);
  g_test_add_func ("/p2p-identity/device-id-text", test_device_id_text);

  return g_test_run ();
}
