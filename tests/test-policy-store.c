/* test-policy-store.c: where the policy lives between runs
 *
 * The database (the default): durable, 0600, read back through the
 * validating setters, a log of every intent change, delete, and taking over
 * an older Peerscope's policy.json.  The JSON file (a path ending in
 * ".json"): the older form, still working.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "ps-policy-store.h"
#include "ps-test-policy.h"


static void
on_saved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GMainLoop *loop = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ps_policy_store_save_finish (result, &error));
  g_assert_no_error (error);
  g_main_loop_quit (loop);
}

static void
test_store_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("peerscope-policy-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "sub", "policy.json", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.json", NULL);
  g_autofree char *huge = g_build_filename (dir, "huge.json", NULL);
  g_autoptr(PsPolicy) policy = sample_policy ();
  g_autoptr(PsPolicy) loaded = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *contents = NULL;
  g_autofree char *json = NULL;
  GStatBuf st;

  g_assert_no_error (error);

  loaded = ps_policy_store_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (ps_policy_store_save (policy, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  json = ps_policy_to_json (policy);
  g_assert_true (g_str_has_prefix (contents, json));
  loaded = ps_policy_store_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (ps_policy_equal (policy, loaded));
  g_clear_object (&loaded);

  /* async: what the policy was when asked */
  ps_policy_set_default_intent (policy, PS_INTENT_ALLOW_LIST);
  ps_policy_store_save_async (policy, path, NULL, on_saved_cb, loop);
  ps_policy_set_default_intent (policy, PS_INTENT_OPEN);
  g_main_loop_run (loop);
  loaded = ps_policy_store_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ps_policy_get_default_intent (loaded), ==, PS_INTENT_ALLOW_LIST);
  g_clear_object (&loaded);

  /* a damaged or oversized file is an error, not a crash */
  g_assert_true (g_file_set_contents (junk, "{\"devices\":[{\"id\":\"x;y\"}]}", -1, NULL));
  loaded = ps_policy_store_load (junk, &error);
  g_assert_null (loaded);
  g_assert_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, junk));
  g_clear_error (&error);
  {
    g_autofree char *big = g_strnfill (3 * 1024 * 1024, ' ');

    g_assert_true (g_file_set_contents (huge, big, -1, NULL));
  }
  loaded = ps_policy_store_load (huge, &error);
  g_assert_null (loaded);
  g_assert_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* a folder in the way */
  {
    g_autofree char *blocked = g_build_filename (junk, "policy.json", NULL);

    g_assert_false (ps_policy_store_save (policy, blocked, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  g_remove (path);
  g_remove (junk);
  g_remove (huge);
  {
    g_autofree char *sub = g_path_get_dirname (path);

    g_rmdir (sub);
  }
  g_rmdir (dir);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

static void
edit (const char *path,
      const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_default_paths (void)
{
  g_autofree char *user_path = ps_policy_store_default_path (FALSE);
  g_autofree char *system_path = ps_policy_store_default_path (TRUE);

  g_assert_cmpstr (system_path, ==, "/var/lib/peerscope/policy.db");
  g_assert_true (g_str_has_suffix (user_path, "/peerscope/policy.db"));
  g_assert_true (g_str_has_prefix (user_path, g_get_user_config_dir ()));
}

static void
test_store_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("peerscope-policy-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "sub", "policy.db", NULL);
  g_autoptr(PsPolicy) policy = sample_policy ();
  g_autoptr(PsPolicy) loaded = NULL;
  g_autoptr(PsPolicy) empty = ps_policy_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GStatBuf st;

  g_assert_no_error (error);

  /* nothing yet, and asking creates nothing */
  loaded = ps_policy_store_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* saved, private, and read back equal */
  g_assert_true (ps_policy_store_save (policy, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  loaded = ps_policy_store_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (ps_policy_equal (policy, loaded));
  g_clear_object (&loaded);

  /* an empty policy is a policy too: every built-in list survives */
  g_assert_true (ps_policy_store_save (empty, path, &error));
  loaded = ps_policy_store_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (ps_policy_equal (empty, loaded));
  g_clear_object (&loaded);

  /* async: what the policy was when asked */
  ps_policy_set_default_intent (policy, PS_INTENT_ALLOW_LIST);
  ps_policy_store_save_async (policy, path, NULL, on_saved_cb, loop);
  ps_policy_set_default_intent (policy, PS_INTENT_OPEN);
  g_main_loop_run (loop);
  loaded = ps_policy_store_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ps_policy_get_default_intent (loaded), ==, PS_INTENT_ALLOW_LIST);
  g_assert_cmpint (ps_policy_get_default_intent (policy), ==, PS_INTENT_OPEN);
  g_clear_object (&loaded);

  /* edited by hand: a rule that would not pass the setters is refused */
  edit (path, "INSERT INTO policy_device (id, mac, intent) VALUES ('x;y', NULL, 'open')");
  loaded = ps_policy_store_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  edit (path, "UPDATE policy_device SET id = 'cam-x' WHERE id = 'x;y';"
              "UPDATE policy_device SET intent = 'allow-everything' WHERE id = 'cam-x'");
  loaded = ps_policy_store_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID);
  g_clear_error (&error);
  edit (path, "DELETE FROM policy_device WHERE id = 'cam-x';"
              "INSERT INTO policy_list VALUES ('lan_networks', 99, '10.0.0.0/8; flush ruleset')");
  loaded = ps_policy_store_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID);
  g_clear_error (&error);

  /* a damaged file is an error, not a crash */
  g_assert_true (g_file_set_contents (path, "not a database, not at all", -1, NULL));
  loaded = ps_policy_store_load (path, &error);
  g_assert_null (loaded);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* deleted: nothing stored, and deleting again is fine */
  g_remove (path);
  g_assert_true (ps_policy_store_save (policy, path, &error));
  g_assert_true (ps_policy_store_delete (path, &error));
  g_assert_no_error (error);
  loaded = ps_policy_store_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (ps_policy_store_delete (path, &error));
  g_assert_no_error (error);

  rm_rf (dir);
}

static const PsPolicyChange *
find_change (GPtrArray  *changes,
             const char *device)
{
  for (guint i = 0; i < changes->len; i++)
    {
      const PsPolicyChange *change = g_ptr_array_index (changes, i);

      if (g_strcmp0 (change->device, device) == 0)
        return change;
    }

  g_error ("No change of %s was logged", device != NULL ? device : "the default");
}

static void
test_store_changes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("peerscope-policy-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "policy.db", NULL);
  g_autofree char *json_path = g_build_filename (dir, "other.json", NULL);
  g_autoptr(PsPolicy) policy = sample_policy ();
  g_autoptr(GPtrArray) changes = NULL;
  const PsPolicyChange *change;
  gint64 before = g_get_real_time ();
  gint64 middle;

  g_assert_no_error (error);

  /* the first save: every rule is new, and so is the default */
  g_assert_true (ps_policy_store_save (policy, path, &error));
  g_assert_no_error (error);
  changes = ps_policy_store_dup_changes (path, before, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 5);
  change = find_change (changes, "cam-p2p");
  g_assert_false (change->had_old);
  g_assert_true (change->has_new);
  g_assert_cmpint (change->new_intent, ==, PS_INTENT_BLOCK_VENDOR_P2P);
  g_assert_cmpint (change->changed_at_us, >=, before);
  change = find_change (changes, NULL);
  g_assert_cmpint (change->new_intent, ==, PS_INTENT_LOCAL_ONLY);
  g_clear_pointer (&changes, g_ptr_array_unref);

  /* saving the same again logs nothing; addresses alone log nothing */
  middle = g_get_real_time ();
  g_assert_true (ps_policy_store_save (policy, path, &error));
  {
    const char *moved[] = { "192.168.1.99", NULL };

    g_assert_true (ps_policy_set_device (policy, "cam-open", NULL, moved, PS_INTENT_OPEN, NULL,
                                         NULL));
  }
  g_assert_true (ps_policy_store_save (policy, path, &error));
  changes = ps_policy_store_dup_changes (path, middle, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 0);
  g_clear_pointer (&changes, g_ptr_array_unref);

  /* one device locked down, one forgotten */
  middle = g_get_real_time ();
  g_assert_true (ps_policy_set_device (policy, "cam-open", NULL, cam_addresses,
                                       PS_INTENT_LOCAL_ONLY, NULL, NULL));
  g_assert_true (ps_policy_remove_device (policy, "cam-allow"));
  g_assert_true (ps_policy_store_save (policy, path, &error));
  changes = ps_policy_store_dup_changes (path, middle, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 2);
  change = find_change (changes, "cam-open");
  g_assert_true (change->had_old && change->has_new);
  g_assert_cmpint (change->old_intent, ==, PS_INTENT_OPEN);
  g_assert_cmpint (change->new_intent, ==, PS_INTENT_LOCAL_ONLY);
  change = find_change (changes, "cam-allow");
  g_assert_true (change->had_old);
  g_assert_false (change->has_new);
  g_assert_cmpint (change->old_intent, ==, PS_INTENT_ALLOW_LIST);
  g_clear_pointer (&changes, g_ptr_array_unref);

  /* the whole log, oldest first */
  changes = ps_policy_store_dup_changes (path, 0, &error);
  g_assert_cmpuint (changes->len, ==, 7);
  for (guint i = 1; i < changes->len; i++)
    g_assert_cmpint (((PsPolicyChange *) changes->pdata[i - 1])->changed_at_us, <=,
                     ((PsPolicyChange *) changes->pdata[i])->changed_at_us);
  g_clear_pointer (&changes, g_ptr_array_unref);

  /* removing the policy logs every rule's end */
  middle = g_get_real_time ();
  g_assert_true (ps_policy_store_delete (path, &error));
  changes = ps_policy_store_dup_changes (path, middle, &error);
  g_assert_cmpuint (changes->len, ==, 4);
  for (guint i = 0; i < changes->len; i++)
    g_assert_false (((PsPolicyChange *) changes->pdata[i])->has_new);
  g_clear_pointer (&changes, g_ptr_array_unref);

  /* no store, or a JSON file: no log, no error */
  g_remove (path);
  changes = ps_policy_store_dup_changes (path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 0);
  g_clear_pointer (&changes, g_ptr_array_unref);
  g_assert_true (ps_policy_store_save (policy, json_path, &error));
  changes = ps_policy_store_dup_changes (json_path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 0);

  rm_rf (dir);
}

static void
test_store_takes_over_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("peerscope-policy-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "policy.db", NULL);
  g_autofree char *legacy = g_build_filename (dir, "policy.json", NULL);
  g_autofree char *legacy_before = NULL;
  g_autofree char *legacy_after = NULL;
  g_autoptr(PsPolicy) policy = sample_policy ();
  g_autoptr(PsPolicy) loaded = NULL;
  g_autoptr(GPtrArray) changes = NULL;

  g_assert_no_error (error);

  /* an older Peerscope kept the policy in policy.json */
  g_assert_true (ps_policy_store_save (policy, legacy, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (legacy, &legacy_before, NULL, NULL));

  loaded = ps_policy_store_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (ps_policy_equal (policy, loaded));
  g_clear_object (&loaded);

  /* the database has it now, and the old file is untouched */
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (legacy, &legacy_after, NULL, NULL));
  g_assert_cmpstr (legacy_before, ==, legacy_after);
  changes = ps_policy_store_dup_changes (path, 0, &error);
  g_assert_cmpuint (changes->len, ==, 5);

  /* from now on the database wins */
  ps_policy_set_default_intent (policy, PS_INTENT_OPEN);
  g_assert_true (ps_policy_store_save (policy, path, &error));
  loaded = ps_policy_store_load (path, &error);
  g_assert_cmpint (ps_policy_get_default_intent (loaded), ==, PS_INTENT_OPEN);
  g_clear_object (&loaded);

  /* and deleting does not bring the old file back */
  g_assert_true (ps_policy_store_delete (path, &error));
  loaded = ps_policy_store_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* a broken old file is reported, not taken over */
  g_remove (path);
  g_assert_true (g_file_set_contents (legacy, "{\"devices\":[{\"id\":\"x;y\"}]}", -1, NULL));
  loaded = ps_policy_store_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/policy-store/default-paths", test_default_paths);
  g_test_add_func ("/policy-store/database", test_store_database);
  g_test_add_func ("/policy-store/changes", test_store_changes);
  g_test_add_func ("/policy-store/takes-over-json", test_store_takes_over_json);
  g_test_add_func ("/policy-store/json-file", test_store_file);

  return g_test_run ();
}
