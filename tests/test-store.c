/* test-store.c: cameras survive a restart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>

#include "ps-store.h"

static void
test_roundtrip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("peerscope-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "sub", "peerscope.db", NULL);
  g_autoptr(PsDevice) porch = ps_device_new ("Porch", "http://192.0.2.10/onvif/device_service");
  g_autoptr(PsDevice) shed = ps_device_new ("Shed ' ; DROP TABLE devices; --",
                                            "rtsp://192.0.2.11/main");
  g_autoptr(GPtrArray) loaded = NULL;

  g_assert_no_error (error);
  ps_device_set_username (porch, "admin");
  ps_device_set_sub_uri (shed, "rtsp://192.0.2.11/sub");

  {
    g_autoptr(PsStore) store = ps_store_open (path, &error);

    g_assert_no_error (error);
    g_assert_true (ps_store_save_device (store, porch, &error));
    g_assert_true (ps_store_save_device (store, shed, &error));
    /* saving again updates in place and keeps the order */
    ps_device_set_name (porch, "Front Porch");
    g_assert_true (ps_store_save_device (store, porch, &error));
    g_assert_no_error (error);
  }

  /* a restart */
  {
    g_autoptr(PsStore) store = ps_store_open (path, &error);
    PsDevice *a, *b;

    g_assert_no_error (error);
    loaded = ps_store_load_devices (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (loaded->len, ==, 2);
    a = g_ptr_array_index (loaded, 0);
    b = g_ptr_array_index (loaded, 1);
    g_assert_cmpstr (ps_device_get_id (a), ==, ps_device_get_id (porch));
    g_assert_cmpstr (ps_device_get_name (a), ==, "Front Porch");
    g_assert_cmpstr (ps_device_get_username (a), ==, "admin");
    g_assert_cmpstr (ps_device_get_name (b), ==, "Shed ' ; DROP TABLE devices; --");
    g_assert_cmpstr (ps_device_get_sub_uri (b), ==, "rtsp://192.0.2.11/sub");

    g_assert_true (ps_store_remove_device (store, ps_device_get_id (a), &error));
    g_clear_pointer (&loaded, g_ptr_array_unref);
    loaded = ps_store_load_devices (store, &error);
    g_assert_cmpuint (loaded->len, ==, 1);
  }

  /* a file that is not a database is an error, not a crash */
  {
    g_autofree char *junk = g_build_filename (dir, "junk.db", NULL);
    g_autoptr(PsStore) store = NULL;

    g_assert_true (g_file_set_contents (junk, "this is not sqlite, not at all......", -1, NULL));
    store = ps_store_open (junk, &error);
    g_assert_null (store);
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_unlink (junk);
  }

  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_autofree char *sub = g_path_get_dirname (path);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (sub);
    g_rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/roundtrip", test_roundtrip);

  return g_test_run ();
}
