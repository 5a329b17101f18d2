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
  g_test_add_func ("/device-registry/capped", test_capped);

  return g_test_run ();
}
