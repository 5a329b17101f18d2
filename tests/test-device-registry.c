/* test-device-registry.c: merging sightings into devices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ps-device-registry.h"

static PsSighting *
sighting (PsProtocol  protocol,
          const char *address,
          const char *mac,
          const char *endpoint,
          const char *uid)
{
  PsSighting *s = ps_sighting_new (protocol);

  s->address = g_strdup (address);
  s->mac = g_strdup (mac);
  s->endpoint = g_strdup (endpoint);
  s->p2p_uid = g_strdup (uid);

  return s;
}

static guint changes;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added)
{
  changes += added;
}

/* ONVIF and the vendor's P2P LAN search from one camera: one device that
 * carries the vendor-P2P marker. */
static void
test_merge_protocols (void)
{
  g_autoptr(PsDeviceRegistry) registry = ps_device_registry_new ();
  g_autoptr(PsSighting) onvif = sighting (PS_PROTOCOL_ONVIF, "192.0.2.10", "02:00:00:00:00:01",
                                          "urn:uuid:1", NULL);
  g_autoptr(PsSighting) pppp = sighting (PS_PROTOCOL_CS2_PPPP, "192.0.2.10", NULL, NULL,
                                         "ABCD-123456-EFGHI");
  PsDevice *a, *b;

  changes = 0;
  g_signal_connect (registry, "items-changed", G_CALLBACK (on_items_changed), NULL);

  onvif->name = g_strdup ("Porch");
  onvif->xaddrs = g_strsplit ("http://192.0.2.10/onvif/device_service", " ", -1);
  a = ps_device_registry_add (registry, onvif, 1000);
  b = ps_device_registry_add (registry, pppp, 2000);

  g_assert_true (a == b);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 1);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpstr (ps_device_get_name (a), ==, "Porch");
  g_assert_cmpstr (ps_device_get_p2p_uid (a), ==, "ABCD-123456-EFGHI");
  g_assert_cmpstr (ps_device_get_p2p_network (a), ==, "cs2");
  g_assert_true (ps_device_has_protocol (a, PS_PROTOCOL_ONVIF));
  g_assert_true (ps_device_has_protocol (a, PS_PROTOCOL_CS2_PPPP));
  g_assert_false (ps_device_has_protocol (a, PS_PROTOCOL_KALAY));
  g_assert_cmpstr (ps_device_get_uri (a), ==, "http://192.0.2.10/onvif/device_service");
  g_assert_cmpint (ps_device_get_last_seen (a), ==, 2000);

  g_assert_true (ps_device_registry_lookup (registry, "02:00:00:00:00:01") == a);
  g_assert_true (ps_device_registry_lookup (registry, "192.0.2.10") == a);
  g_assert_true (ps_device_registry_lookup (registry, "ABCD-123456-EFGHI") == a);
  g_assert_true (ps_device_registry_lookup (registry, ps_device_get_id (a)) == a);
  g_assert_null (ps_device_registry_lookup (registry, "192.0.2.11"));
}

/* A name guessed from the P2P UID gives way to the name the camera gives. */
static void
test_name_order (void)
{
  g_autoptr(PsDeviceRegistry) registry = ps_device_registry_new ();
  g_autoptr(PsSighting) pppp = sighting (PS_PROTOCOL_CS2_PPPP, "192.0.2.30", NULL, NULL,
                                         "ABCD-123456-EFGHI");
  g_autoptr(PsSighting) onvif = sighting (PS_PROTOCOL_ONVIF, "192.0.2.30", NULL, "urn:uuid:3",
                                          NULL);
  g_autoptr(PsSighting) other = sighting (PS_PROTOCOL_ONVIF, "192.0.2.30", NULL, "urn:uuid:3",
                                          NULL);
  PsDevice *device;

  onvif->name = g_strdup ("Porch");
  other->name = g_strdup ("Renamed by a spoofer");

  device = ps_device_registry_add (registry, pppp, 1);
  g_assert_cmpstr (ps_device_get_name (device), ==, "ABCD-123456-EFGHI");
  g_assert_true (ps_device_registry_add (registry, onvif, 2) == device);
  g_assert_cmpstr (ps_device_get_name (device), ==, "Porch");
  /* a real name, once known, stays */
  ps_device_registry_add (registry, other, 3);
  g_assert_cmpstr (ps_device_get_name (device), ==, "Porch");
}

/* The same address with another MAC is another device (a reused lease);
 * a camera that moved keeps its identity by MAC. */
static void
test_identity (void)
{
  g_autoptr(PsDeviceRegistry) registry = ps_device_registry_new ();
  g_autoptr(PsSighting) one = sighting (PS_PROTOCOL_ONVIF, "192.0.2.10", "02:00:00:00:00:01",
                                        NULL, NULL);
  g_autoptr(PsSighting) other = sighting (PS_PROTOCOL_ONVIF, "192.0.2.10", "02:00:00:00:00:02",
                                          NULL, NULL);
  g_autoptr(PsSighting) moved = sighting (PS_PROTOCOL_ONVIF, "192.0.2.99", "02:00:00:00:00:01",
                                          NULL, NULL);
  PsDevice *a, *b, *c;
  const char * const *addresses;

  a = ps_device_registry_add (registry, one, 1);
  b = ps_device_registry_add (registry, other, 2);
  c = ps_device_registry_add (registry, moved, 3);

  g_assert_true (a != b);
  g_assert_true (a == c);
  g_assert_cmpstr (ps_device_get_id (a), !=, ps_device_get_id (b));
  addresses = ps_device_get_addresses (a);
  g_assert_true (g_strv_contains (addresses, "192.0.2.10"));
  g_assert_true (g_strv_contains (addresses, "192.0.2.99"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 2);

  /* the id of a device is stable: the same MAC gives the same id anew */
  {
    g_autoptr(PsDeviceRegistry) again = ps_device_registry_new ();
    PsDevice *d = ps_device_registry_add (again, one, 1);

    g_assert_cmpstr (ps_device_get_id (d), ==, ps_device_get_id (a));
  }
}

/* A camera on the user's own P2P network: known by its device id, played
 * by p2p: address, and no vendor P2P marker */
static void
test_peerscope_p2p (void)
{
  g_autoptr(PsDeviceRegistry) registry = ps_device_registry_new ();
  g_autoptr(PsSighting) listed = ps_sighting_new (PS_PROTOCOL_PEERSCOPE_P2P);
  g_autoptr(PsSighting) again = ps_sighting_new (PS_PROTOCOL_PEERSCOPE_P2P);
  g_autoptr(PsSighting) other = ps_sighting_new (PS_PROTOCOL_PEERSCOPE_P2P);
  PsDevice *a, *b, *c;

  listed->p2p_uid = g_strnfill (64, 'a');
  listed->name = g_strdup ("Porch");
  again->p2p_uid = g_strnfill (64, 'a');
  other->p2p_uid = g_strnfill (64, 'b');

  a = ps_device_registry_add (registry, listed, 1);
  b = ps_device_registry_add (registry, again, 2);
  c = ps_device_registry_add (registry, other, 3);
  g_assert_true (a == b);
  g_assert_true (a != c);
  g_assert_cmpstr (ps_device_get_peerscope_id (a), ==, listed->p2p_uid);
  g_assert_cmpstr (ps_device_get_name (a), ==, "Porch");
  g_assert_true (g_str_has_prefix (ps_device_get_uri (a), "p2p:"));
  g_assert_cmpstr (ps_device_get_uri (a) + 4, ==, listed->p2p_uid);
  g_assert_true (ps_device_has_protocol (a, PS_PROTOCOL_PEERSCOPE_P2P));
  /* not a vendor P2P camera */
  g_assert_null (ps_device_get_p2p_uid (a));
  g_assert_null (ps_device_get_p2p_network (a));
}

static void
test_bye_and_expiry (void)
{
  g_autoptr(PsDeviceRegistry) registry = ps_device_registry_new ();
  g_autoptr(PsSighting) hello = sighting (PS_PROTOCOL_ONVIF, "192.0.2.20", NULL,
                                          "urn:uuid:2", NULL);
  g_autoptr(PsSighting) bye = sighting (PS_PROTOCOL_ONVIF, NULL, NULL, "urn:uuid:2", NULL);
  g_autoptr(PsSighting) quiet = sighting (PS_PROTOCOL_KALAY, "192.0.2.21", NULL, NULL,
                                          "ABCDEFGHJKLMNPQRSTUV");
  PsDevice *a, *q;

  a = ps_device_registry_add (registry, hello, 1 * G_USEC_PER_SEC);
  q = ps_device_registry_add (registry, quiet, 1 * G_USEC_PER_SEC);
  g_assert_true (ps_device_get_online (a));

  bye->bye = TRUE;
  g_assert_true (ps_device_registry_add (registry, bye, 2 * G_USEC_PER_SEC) == a);
  g_assert_false (ps_device_get_online (a));
  g_assert_cmpstr (ps_device_get_p2p_network (q), ==, "kalay");

  g_assert_cmpuint (ps_device_registry_expire (registry, 50 * G_USEC_PER_SEC,
                                               60 * G_USEC_PER_SEC), ==, 0);
  g_assert_cmpuint (ps_device_registry_expire (registry, 62 * G_USEC_PER_SEC,
                                               60 * G_USEC_PER_SEC), ==, 1);
  g_assert_false (ps_device_get_online (q));

  /* seen again: back online */
  ps_device_registry_add (registry, quiet, 63 * G_USEC_PER_SEC);
  g_assert_true (ps_device_get_online (q));
}

/* Scan rounds against an injected clock: a device that answers stays
 * online; one that stops answering goes offline after the third missed
 * round (not before), comes back with its next answer, and is forgotten
 * after the retention time unless the user added it. */
static void
test_rounds_and_retention (void)
{
  g_autoptr(PsDeviceRegistry) registry = ps_device_registry_new ();
  g_autoptr(PsSighting) steady = sighting (PS_PROTOCOL_ONVIF, "192.0.2.40", "02:00:00:00:00:40",
                                           NULL, NULL);
  g_autoptr(PsSighting) flaky = sighting (PS_PROTOCOL_SSDP, "192.0.2.41", NULL, NULL, NULL);
  g_autoptr(PsSighting) added = sighting (PS_PROTOCOL_CS2_PPPP, "192.0.2.42", NULL, NULL,
                                          "ABCD-000042-EFGHI");
  gint64 now = 1000 * G_USEC_PER_SEC;
  PsDevice *s, *f, *a;
  guint round;

  ps_device_registry_begin_round (registry, now);
  s = ps_device_registry_add (registry, steady, now + 100);
  f = ps_device_registry_add (registry, flaky, now + 200);
  a = ps_device_registry_add (registry, added, now + 300);
  ps_device_set_paired (a, TRUE);
  g_assert_cmpuint (ps_device_registry_end_round (registry, now + 4 * G_USEC_PER_SEC), ==, 0);

  /* only the steady one answers from now on */
  for (round = 1; round <= PS_DEVICE_REGISTRY_OFFLINE_ROUNDS; round++)
    {
      guint offline;

      now += 20 * G_USEC_PER_SEC;
      ps_device_registry_begin_round (registry, now);
      ps_device_registry_add (registry, steady, now + 50);
      offline = ps_device_registry_end_round (registry, now + 4 * G_USEC_PER_SEC);

      if (round < PS_DEVICE_REGISTRY_OFFLINE_ROUNDS)
        {
          g_assert_cmpuint (offline, ==, 0);
          g_assert_true (ps_device_get_online (f));
        }
      else
        g_assert_cmpuint (offline, ==, 2);
    }
  g_assert_true (ps_device_get_online (s));
  g_assert_false (ps_device_get_online (f));
  g_assert_false (ps_device_get_online (a));
  /* going offline is not forgetting: it says when it was last seen */
  g_assert_cmpint (ps_device_get_last_seen (f), ==, 1000 * G_USEC_PER_SEC + 200);
  g_assert_cmpint (ps_device_get_first_seen (f), ==, 1000 * G_USEC_PER_SEC + 200);

  /* a round that ends without beginning counts nothing */
  g_assert_cmpuint (ps_device_registry_end_round (registry, now), ==, 0);

  /* one answer brings it back, and the count starts over */
  now += 20 * G_USEC_PER_SEC;
  ps_device_registry_begin_round (registry, now);
  ps_device_registry_add (registry, flaky, now + 10);
  ps_device_registry_end_round (registry, now + 4 * G_USEC_PER_SEC);
  g_assert_true (ps_device_get_online (f));
  now += 20 * G_USEC_PER_SEC;
  ps_device_registry_begin_round (registry, now);
  ps_device_registry_add (registry, steady, now + 10);
  ps_device_registry_end_round (registry, now + 4 * G_USEC_PER_SEC);
  g_assert_true (ps_device_get_online (f));

  /* nothing is forgotten before the retention time */
  g_assert_cmpuint (ps_device_registry_prune (registry, now, PS_DEVICE_REGISTRY_RETENTION), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 3);

  /* a month later: the silent ones go, unless the user added them */
  changes = 0;
  now = ps_device_get_last_seen (s) + PS_DEVICE_REGISTRY_RETENTION + 1;
  ps_device_registry_add (registry, steady, now);
  g_assert_cmpuint (ps_device_registry_prune (registry, now, PS_DEVICE_REGISTRY_RETENTION), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 2);
  g_assert_null (ps_device_registry_lookup (registry, "192.0.2.41"));
  g_assert_true (ps_device_registry_lookup (registry, "192.0.2.42") == a);
  g_assert_true (ps_device_registry_lookup (registry, "192.0.2.40") == s);
}

/* A device remembered from an earlier run comes back offline, with its
 * history, and merges with what it answers now. */
static void
test_restore (void)
{
  g_autoptr(PsDeviceRegistry) before = ps_device_registry_new ();
  g_autoptr(PsDeviceRegistry) after = ps_device_registry_new ();
  g_autoptr(PsSighting) onvif = sighting (PS_PROTOCOL_ONVIF, "fd99:1::11", "02:00:00:00:00:50",
                                          "urn:uuid:50", NULL);
  g_autoptr(PsSighting) pppp = sighting (PS_PROTOCOL_CS2_PPPP, "fd99:1::11", NULL, NULL,
                                         "ABCD-000050-EFGHI");
  g_autoptr(PsDevice) remembered = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  PsDevice *old, *device;

  onvif->name = g_strdup ("Porch ☂");
  onvif->xaddrs = g_strsplit ("http://[fd99:1::11]:8080/onvif/device_service", " ", -1);
  onvif->interface = g_strdup ("eth0");
  old = ps_device_registry_add (before, onvif, 10 * G_USEC_PER_SEC);
  ps_device_registry_add (before, pppp, 11 * G_USEC_PER_SEC);
  ps_device_add_stream_full (old, "rtsp://[fd99:1::11]:554/main", "main", "Main Stream",
                             1920, 1080);
  ps_device_add_stream (old, "rtsp://[fd99:1::11]:554/sub", "sub", 640, 360);
  ps_device_set_identity (old, "Acme", "Cam 9", "1.2.3");

  json = ps_device_discovery_to_json (old);
  remembered = ps_device_new_from_discovery_json (ps_device_get_id (old), json, &error);
  g_assert_no_error (error);
  g_assert_false (ps_device_get_online (remembered));
  g_assert_cmpstr (ps_device_get_name (remembered), ==, "Porch ☂");
  g_assert_cmpstr (ps_device_get_model (remembered), ==, "Cam 9");
  g_assert_cmpstr (ps_device_get_firmware (remembered), ==, "1.2.3");
  g_assert_cmpstr (ps_device_get_p2p_network (remembered), ==, "cs2");
  g_assert_cmpstr (ps_device_get_interface (remembered), ==, "eth0");
  g_assert_true (ps_device_has_protocol (remembered, PS_PROTOCOL_ONVIF));
  g_assert_true (ps_device_has_protocol (remembered, PS_PROTOCOL_CS2_PPPP));
  g_assert_false (ps_device_has_protocol (remembered, PS_PROTOCOL_SSDP));
  g_assert_cmpstr (ps_device_get_xaddrs (remembered)[0], ==,
                   "http://[fd99:1::11]:8080/onvif/device_service");
  g_assert_cmpuint (ps_device_get_streams (remembered)->len, ==, 2);
  g_assert_cmpuint (((PsDeviceStream *) g_ptr_array_index (ps_device_get_streams (remembered),
                                                           1))->height, ==, 360);
  g_assert_cmpstr (((PsDeviceStream *) g_ptr_array_index (ps_device_get_streams (remembered),
                                                          0))->name, ==, "Main Stream");
  g_assert_null (((PsDeviceStream *) g_ptr_array_index (ps_device_get_streams (remembered),
                                                        1))->name);

  g_assert_true (ps_device_registry_restore (after, remembered) == remembered);
  g_assert_true (ps_device_registry_restore (after, remembered) == remembered);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (after)), ==, 1);

  /* it answers again: the same device, online */
  device = ps_device_registry_add (after, pppp, 100 * G_USEC_PER_SEC);
  g_assert_true (device == remembered);
  g_assert_true (ps_device_get_online (device));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (after)), ==, 1);

  /* damaged or hostile memories are refused or trimmed, never trusted */
  {
    const char *bad[] = { "", "[]", "{\"name\": ", "null", "42" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(PsDevice) d = ps_device_new_from_discovery_json ("x", bad[i], &error);

        g_assert_null (d);
        g_assert_nonnull (error);
        g_clear_error (&error);
      }
    g_assert_null (ps_device_new_from_discovery_json ("", "{}", &error));
    g_clear_error (&error);
  }
  {
    GString *many = g_string_new ("{\"name\": 7, \"protocols\": [\"onvif\", \"nope\", 3],"
                                  " \"streams\": [{\"uri\": \"rtsp://h/1\", \"width\": -5},"
                                  " 17, {\"profile\": \"no uri\"}],"
                                  " \"addresses\": [");
    g_autofree char *text = NULL;
    g_autoptr(PsDevice) d = NULL;

    for (guint i = 0; i < 100; i++)
      g_string_append_printf (many, "%s\"10.0.0.%u\"", i > 0 ? ", " : "", i);
    g_string_append (many, "]}");
    text = g_string_free (many, FALSE);
    d = ps_device_new_from_discovery_json ("abc", text, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length ((char **) ps_device_get_addresses (d)), ==, 16);
    g_assert_cmpstr (ps_device_get_name (d), ==, "10.0.0.0");
    g_assert_true (ps_device_has_protocol (d, PS_PROTOCOL_ONVIF));
    g_assert_cmpuint (ps_device_get_streams (d)->len, ==, 1);
    g_assert_cmpuint (((PsDeviceStream *) g_ptr_array_index (ps_device_get_streams (d),
                                                             0))->width, ==, 0);
  }
}

/* A flood of distinct answers is capped. */
static void
test_capped (void)
{
  g_autoptr(PsDeviceRegistry) registry = ps_device_registry_new ();

  for (guint i = 0; i < PS_DEVICE_REGISTRY_MAX + 10; i++)
    {
      g_autofree char *address = g_strdup_printf ("10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
      g_autoptr(PsSighting) s = sighting (PS_PROTOCOL_SSDP, address, NULL, NULL, NULL);

      ps_device_registry_add (registry, s, i);
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==,
                    PS_DEVICE_REGISTRY_MAX);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/device-registry/merge-protocols", test_merge_protocols);
  g_test_add_func ("/device-registry/identity", test_identity);
  g_test_add_func ("/device-registry/name-order", test_name_order);
  g_test_add_func ("/device-registry/bye-and-expiry", test_bye_and_expiry);
  g_test_add_func ("/device-registry/rounds-and-retention", test_rounds_and_retention);
  g_test_add_func ("/device-registry/restore", test_restore);
  g_test_add_func ("/device-registry/capped", test_capped);
  g_test_add_func ("/device-registry/peerscope-p2p", test_peerscope_p2p);

  return g_test_run ();
}
