/* test-store.c: cameras survive a restart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>

#include "ps-device-registry.h"
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

static PsDevice *
discovered (PsDeviceRegistry *registry,
            const char       *address,
            const char       *mac,
            const char       *name,
            gint64            now_us)
{
  g_autoptr(PsSighting) sighting = ps_sighting_new (PS_PROTOCOL_ONVIF);

  sighting->address = g_strdup (address);
  sighting->mac = g_strdup (mac);
  sighting->name = g_strdup (name);
  sighting->interface = g_strdup ("eth0");

  return ps_device_registry_add (registry, sighting, now_us);
}

static void
remove_store (const char *dir,
              const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  guint *pending = user_data;

  g_assert_true (ps_store_save_discovered_finish (PS_STORE (object), result, &error));
  g_assert_no_error (error);
  (*pending)--;
}

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray **out = user_data;

  *out = ps_store_load_discovered_finish (PS_STORE (object), result, &error);
  g_assert_no_error (error);
}

/* Devices found (not added) survive a restart, offline, with their first
 * and last sightings; the ones silent past the retention are forgotten
 * unless paired; async writes from the main loop land, also beside a
 * camera saved at the same time on the same connection. */
static void
test_discovered (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("peerscope-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "peerscope.db", NULL);
  g_autoptr(PsDeviceRegistry) registry = ps_device_registry_new ();
  gint64 day = (gint64) 24 * 60 * 60 * G_USEC_PER_SEC;
  gint64 now = 400 * day;
  PsDevice *porch, *old, *paired;

  g_assert_no_error (error);
  porch = discovered (registry, "192.0.2.10", "02:00:00:00:00:10", "Porch", now - 2 * day);
  discovered (registry, "192.0.2.10", "02:00:00:00:00:10", "Porch", now - day);
  ps_device_add_stream (porch, "rtsp://192.0.2.10/main", "main", 1280, 720);
  old = discovered (registry, "fd99:1::20", NULL, "Attic", now - 40 * day);
  paired = discovered (registry, "192.0.2.30", "02:00:00:00:00:30", "Gate", now - 50 * day);
  ps_device_set_paired (paired, TRUE);

  {
    g_autoptr(PsStore) store = ps_store_open (path, &error);
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(PsDevice) camera = ps_device_new ("Gate", "rtsp://192.0.2.30/main");
    guint pending = 2;

    g_assert_no_error (error);
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (registry)); i++)
      g_ptr_array_add (all, g_list_model_get_item (G_LIST_MODEL (registry), i));

    /* twice, the second with a later sighting: an update, not a copy */
    ps_store_save_discovered_async (store, all, 0, NULL, on_saved, &pending);
    discovered (registry, "192.0.2.10", "02:00:00:00:00:10", "Porch", now);
    ps_store_save_discovered_async (store, all, 0, NULL, on_saved, &pending);
    g_assert_true (ps_store_save_device (store, camera, &error));
    while (pending > 0)
      g_main_context_iteration (NULL, TRUE);
  }

  /* a restart */
  {
    g_autoptr(PsStore) store = ps_store_open (path, &error);
    g_autoptr(GPtrArray) loaded = NULL;
    g_autoptr(GPtrArray) cameras = NULL;
    g_autoptr(GPtrArray) pruned = NULL;
    g_autoptr(PsDeviceRegistry) again = ps_device_registry_new ();
    PsDevice *a;

    g_assert_no_error (error);
    cameras = ps_store_load_devices (store, &error);
    g_assert_cmpuint (cameras->len, ==, 1);

    ps_store_load_discovered_async (store, now - PS_DEVICE_REGISTRY_RETENTION, NULL, on_loaded,
                                    &loaded);
    while (loaded == NULL)
      g_main_context_iteration (NULL, TRUE);

    /* the most recent first; the attic is past the retention, the gate
     * is older still but paired */
    g_assert_cmpuint (loaded->len, ==, 2);
    a = g_ptr_array_index (loaded, 0);
    g_assert_cmpstr (ps_device_get_id (a), ==, ps_device_get_id (porch));
    g_assert_cmpstr (ps_device_get_name (a), ==, "Porch");
    g_assert_false (ps_device_get_online (a));
    g_assert_cmpint (ps_device_get_first_seen (a), ==, now - 2 * day);
    g_assert_cmpint (ps_device_get_last_seen (a), ==, now);
    g_assert_cmpstr (ps_device_get_addresses (a)[0], ==, "192.0.2.10");
    g_assert_cmpstr (ps_device_get_interface (a), ==, "eth0");
    g_assert_cmpuint (ps_device_get_streams (a)->len, ==, 1);
    g_assert_false (ps_device_get_paired (a));
    a = g_ptr_array_index (loaded, 1);
    g_assert_cmpstr (ps_device_get_name (a), ==, "Gate");
    g_assert_true (ps_device_get_paired (a));

    for (guint i = 0; i < loaded->len; i++)
      ps_device_registry_restore (again, g_ptr_array_index (loaded, i));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);

    /* saving forgets what is past the retention, for good */
    g_assert_true (ps_store_save_discovered (store, loaded, now - PS_DEVICE_REGISTRY_RETENTION,
                                             &error));
    g_assert_no_error (error);
    pruned = ps_store_load_discovered (store, 0, &error);
    g_assert_cmpuint (pruned->len, ==, 2);
    g_assert_true (ps_store_save_discovered (store, pruned, G_MAXINT64, &error));
    g_clear_pointer (&pruned, g_ptr_array_unref);
    pruned = ps_store_load_discovered (store, 0, &error);
    g_assert_cmpuint (pruned->len, ==, 1);
    g_assert_true (ps_device_get_paired (g_ptr_array_index (pruned, 0)));
  }

  g_assert_nonnull (old);
  remove_store (dir, path);
}

/* A store written by the first version (user_version 1, cameras only)
 * opens, keeps its cameras and learns the new table. */
static void
test_upgrade (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("peerscope-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "peerscope.db", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(PsStore) store = NULL;
  g_autoptr(GPtrArray) cameras = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *argv0 = g_find_program_in_path ("sqlite3");

  if (argv0 == NULL)
    {
      g_test_skip ("no sqlite3 program");
      g_rmdir (dir);
      return;
    }

  sql = g_strdup_printf ("sqlite3 %s \"CREATE TABLE devices (id TEXT PRIMARY KEY,"
                         " position INTEGER NOT NULL, name TEXT, uri TEXT NOT NULL,"
                         " sub_uri TEXT, username TEXT, mac TEXT, p2p_uid TEXT,"
                         " last_seen INTEGER NOT NULL DEFAULT 0);"
                         " INSERT INTO devices (id, position, name, uri)"
                         " VALUES ('abc', 1, 'Old', 'rtsp://192.0.2.1/');"
                         " PRAGMA user_version=1;\"", path);
  g_assert_true (g_spawn_command_line_sync (sql, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  store = ps_store_open (path, &error);
  g_assert_no_error (error);
  cameras = ps_store_load_devices (store, &error);
  g_assert_cmpuint (cameras->len, ==, 1);
  found = ps_store_load_discovered (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 0);

  g_clear_object (&store);
  remove_store (dir, path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/roundtrip", test_roundtrip);
  g_test_add_func ("/store/discovered", test_discovered);
  g_test_add_func ("/store/upgrade", test_upgrade);

  return g_test_run ();
}
