/* test-policy.c: the policy model and its JSON (the compiler, the exports
 * and the store are in test-policy-compiler.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ps-policy-compiler.h"
#include "ps-policy-store.h"
#include "ps-test-policy.h"



static void
check_invalid (gboolean  ok,
               GError   *error,
               int       code)
{
  g_assert_false (ok);
  g_assert_error (error, PS_POLICY_ERROR, code);
  /* the message never carries the raw value: quotes, control bytes and
   * all are escaped, and it is bounded */
  g_assert_null (strchr (error->message, '\n'));
  g_assert_cmpuint (strlen (error->message), <, 300);
}

/* CALL runs before ERROR is looked at */
#define assert_invalid(call, error, code) \
  G_STMT_START { gboolean ok_ = (call); check_invalid (ok_, (error), (code)); } G_STMT_END

static gboolean
set_one (PsPolicy            *policy,
         const char          *device,
         const char          *mac,
         const char * const  *addresses,
         const char * const  *allow,
         GError             **error)
{
  return ps_policy_set_device (policy, device, mac, addresses, PS_INTENT_ALLOW_LIST, allow, error);
}

/* The model */

static void
test_intents (void)
{
  PsIntent intent;

  for (guint i = 0; i <= PS_INTENT_LAST; i++)
    {
      g_assert_true (ps_intent_from_string (ps_intent_to_string (i), &intent));
      g_assert_cmpint (intent, ==, i);
    }
  g_assert_cmpstr (ps_intent_to_string (PS_INTENT_BLOCK_VENDOR_P2P), ==, "block-vendor-p2p");
  g_assert_false (ps_intent_from_string ("Local-Only", &intent));
  g_assert_false (ps_intent_from_string ("", &intent));
  g_assert_false (ps_intent_from_string (NULL, &intent));
}

static void
test_defaults (void)
{
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  const char * const *lan = ps_policy_get_lan_networks (policy);
  const char * const *ports = ps_policy_get_p2p_ports (policy);
  g_auto(GStrv) devices = ps_policy_dup_devices (policy);

  g_assert_cmpint (ps_policy_get_default_intent (policy), ==, PS_INTENT_OPEN);
  g_assert_true (g_strv_contains (lan, "10.0.0.0/8"));
  g_assert_true (g_strv_contains (lan, "172.16.0.0/12"));
  g_assert_true (g_strv_contains (lan, "192.168.0.0/16"));
  g_assert_true (g_strv_contains (lan, "100.64.0.0/10"));
  g_assert_true (g_strv_contains (lan, "169.254.0.0/16"));
  g_assert_true (g_strv_contains (lan, "fc00::/7"));
  g_assert_true (g_strv_contains (lan, "fe80::/10"));
  g_assert_true (g_strv_contains (lan, "::1"));
  g_assert_true (g_strv_contains (lan, "224.0.0.0/4"));
  g_assert_true (g_strv_contains (lan, "ff00::/8"));
  /* sorted */
  for (guint i = 1; lan[i] != NULL; i++)
    g_assert_cmpint (strcmp (lan[i - 1], lan[i]), <, 0);

  g_assert_cmpuint (g_strv_length ((GStrv) ports), ==, 3);
  g_assert_true (g_strv_contains (ports, "udp/32100"));
  g_assert_true (g_strv_contains (ports, "udp/10001"));
  g_assert_true (g_strv_contains (ports, "9999"));
  g_assert_cmpuint (g_strv_length ((GStrv) ps_policy_get_p2p_servers (policy)), ==, 0);
  g_assert_cmpuint (g_strv_length ((GStrv) ps_policy_get_viewers (policy)), ==, 0);
  g_assert_cmpuint (g_strv_length (devices), ==, 0);
}

static void
on_notify_cb (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_default_intent (void)
{
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  guint count = 0;

  g_signal_connect (policy, "notify::default-intent", G_CALLBACK (on_notify_cb), &count);
  ps_policy_set_default_intent (policy, PS_INTENT_LOCAL_ONLY);
  ps_policy_set_default_intent (policy, PS_INTENT_LOCAL_ONLY);
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpint (ps_policy_get_default_intent (policy), ==, PS_INTENT_LOCAL_ONLY);
}

static void
test_device_ids (void)
{
  static const char * const good[] = {
    "cam1", "a", "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", "CS2.ABCD-123456_x", NULL
  };
  static const char * const bad[] = {
    "", "cam\"1", "cam;1", "cam\n1", "cam}1", "cam{1", "cam 1", "cam/1", "cam\\1", "cam'1",
    "cam\t", "cam$(reboot)", "cam`x`", "caméra", "cam\x01", "cam#1", "cam,1", "@cam", NULL
  };
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  g_autofree char *long_id = g_strnfill (65, 'a');
  g_autofree char *max_id = g_strnfill (64, 'a');
  g_auto(GStrv) devices = NULL;

  for (guint i = 0; good[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (ps_policy_set_device (policy, good[i], NULL, cam_addresses,
                                           PS_INTENT_LOCAL_ONLY, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (ps_policy_set_device (policy, max_id, CAM_MAC, NULL, PS_INTENT_OPEN, NULL, NULL));

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;

      ok = ps_policy_set_device (policy, bad[i], NULL, cam_addresses, PS_INTENT_LOCAL_ONLY, NULL,
                                 &error);
      assert_invalid (ok, error, PS_POLICY_ERROR_INVALID);
      g_assert_false (ps_policy_get_device (policy, bad[i], NULL, NULL, NULL, NULL));
    }
  {
    g_autoptr(GError) error = NULL;

    assert_invalid (ps_policy_set_device (policy, long_id, CAM_MAC, NULL, PS_INTENT_OPEN, NULL,
                                          &error), error, PS_POLICY_ERROR_INVALID);
  }
  {
    g_autoptr(GError) error = NULL;

    assert_invalid (ps_policy_set_device (policy, NULL, CAM_MAC, NULL, PS_INTENT_OPEN, NULL,
                                          &error), error, PS_POLICY_ERROR_INVALID);
  }
  {
    g_autoptr(GError) error = NULL;

    /* an intent out of range (a D-Bus caller may send any number) */
    assert_invalid (ps_policy_set_device (policy, "cam9", CAM_MAC, NULL, (PsIntent) 17, NULL,
                                          &error), error, PS_POLICY_ERROR_INVALID);
  }

  devices = ps_policy_dup_devices (policy);
  g_assert_cmpuint (g_strv_length (devices), ==, 5);
  for (guint i = 1; devices[i] != NULL; i++)
    g_assert_cmpint (strcmp (devices[i - 1], devices[i]), <, 0);
}

static void
test_macs (void)
{
  static const char * const bad[] = {
    "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:fg", "aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff",
    "aa:bb:cc:dd:ee:ff:00", "aa:bb:cc:dd:ee:f", " 02:00:00:00:00:01", "02:00:00:00:00:01\n",
    "01:00:5e:00:00:01",    /* multicast: never a source */
    "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "02:00:00:00:00:0\"", NULL
  };
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  g_autoptr(GError) error = NULL;
  const char *mac;

  g_assert_true (ps_policy_set_device (policy, "cam", "02:AB:cd:00:00:01", NULL,
                                       PS_INTENT_LOCAL_ONLY, NULL, &error));
  g_assert_true (ps_policy_get_device (policy, "cam", &mac, NULL, NULL, NULL));
  g_assert_cmpstr (mac, ==, "02:ab:cd:00:00:01");

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_clear_error (&error);
      assert_invalid (ps_policy_set_device (policy, "cam", bad[i], NULL, PS_INTENT_OPEN, NULL,
                                            &error), error, PS_POLICY_ERROR_INVALID);
    }
  /* a failed set leaves the rule as it was */
  g_assert_true (ps_policy_get_device (policy, "cam", &mac, NULL, NULL, NULL));
  g_assert_cmpstr (mac, ==, "02:ab:cd:00:00:01");

  /* neither MAC nor address: nothing to match the device by */
  g_clear_error (&error);
  assert_invalid (ps_policy_set_device (policy, "ghost", NULL, NULL, PS_INTENT_LOCAL_ONLY, NULL,
                                        &error), error, PS_POLICY_ERROR_INVALID);
  g_clear_error (&error);
  assert_invalid (ps_policy_set_device (policy, "ghost", "", NULL, PS_INTENT_LOCAL_ONLY, NULL,
                                        &error), error, PS_POLICY_ERROR_INVALID);
}

static void
test_addresses (void)
{
  static const struct { const char *in; const char *out; } good[] = {
    { "192.168.1.11", "192.168.1.11" },
    { "192.168.1.11/32", "192.168.1.11" },
    { "2001:DB8::0:1", "2001:db8::1" },
    { "fd00:1::11/128", "fd00:1::11" },
  };
  static const char * const bad[] = {
    "192.168.1.0/24", "10.0.0.1/33", "fd00::1/129", "fd00::1/64", "0.0.0.0", "::",
    "224.0.0.1", "ff02::1", "127.0.0.1", "::1", "10.0.0.256", "1.2.3", "01.2.3.4",
    "fe80::1%eth0", " 10.0.0.1", "10.0.0.1 ", "10.0.0.1/", "10.0.0.1/-1", "10.0.0.1/+32",
    "10.0.0.1/0032", "10.0.0.1;", "camera.local", "", "1.2.3.4\n", NULL
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(PsPolicy) policy = ps_policy_new ();
      g_autoptr(GError) error = NULL;
      const char *list[] = { good[i].in, NULL };
      const char * const *addresses;

      g_assert_true (ps_policy_set_device (policy, "cam", NULL, list, PS_INTENT_LOCAL_ONLY, NULL,
                                           &error));
      g_assert_no_error (error);
      g_assert_true (ps_policy_get_device (policy, "cam", NULL, &addresses, NULL, NULL));
      g_assert_cmpstr (addresses[0], ==, good[i].out);
      g_assert_null (addresses[1]);
    }

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(PsPolicy) policy = ps_policy_new ();
      g_autoptr(GError) error = NULL;
      const char *list[] = { "192.168.1.11", bad[i], NULL };

      assert_invalid (ps_policy_set_device (policy, "cam", CAM_MAC, list, PS_INTENT_LOCAL_ONLY,
                                            NULL, &error), error, PS_POLICY_ERROR_INVALID);
    }
}

static void
test_networks (void)
{
  static const struct { const char *in; const char *out; } good[] = {
    { "10.0.0.0/8", "10.0.0.0/8" },
    { "10.1.2.3/8", "10.0.0.0/8" },           /* host bits cleared */
    { "192.0.2.7", "192.0.2.7" },
    { "192.0.2.7/32", "192.0.2.7" },
    { "0.0.0.0/0", "0.0.0.0/0" },
    { "2001:DB8::1/32", "2001:db8::/32" },
    { "2001:db8::1/128", "2001:db8::1" },
    { "fe80::/10", "fe80::/10" },
    { "10.0.0.0/08", "10.0.0.0/8" },
  };
  static const char * const bad[] = {
    "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/1234", "10.0.0.0/8/8", "/8",
    "10.0.0.0/a", "10.0.0.0 /8", "example.com", "10.0.0.0/8\n", "", NULL
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(PsPolicy) policy = ps_policy_new ();
      g_autoptr(GError) error = NULL;
      const char *list[] = { good[i].in, NULL };

      g_assert_true (ps_policy_set_lan_networks (policy, list, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (ps_policy_get_lan_networks (policy)[0], ==, good[i].out);
      g_assert_true (ps_policy_set_viewers (policy, list, &error));
      g_assert_true (ps_policy_set_p2p_servers (policy, list, &error));
      g_assert_cmpstr (ps_policy_get_p2p_servers (policy)[0], ==, good[i].out);
    }

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(PsPolicy) policy = ps_policy_new ();
      g_autoptr(GError) error = NULL;
      const char *list[] = { "192.168.0.0/16", bad[i], NULL };

      assert_invalid (ps_policy_set_lan_networks (policy, list, &error), error,
                      PS_POLICY_ERROR_INVALID);
      /* unchanged */
      g_assert_true (g_strv_contains (ps_policy_get_lan_networks (policy), "10.0.0.0/8"));
      g_clear_error (&error);
      assert_invalid (ps_policy_set_viewers (policy, list, &error), error,
                      PS_POLICY_ERROR_INVALID);
      g_clear_error (&error);
      assert_invalid (ps_policy_set_p2p_servers (policy, list, &error), error,
                      PS_POLICY_ERROR_INVALID);
    }
}

static void
test_names (void)
{
  g_autofree char *label63 = g_strnfill (63, 'a');
  g_autofree char *label64 = g_strnfill (64, 'a');
  g_autofree char *ok63 = g_strconcat (label63, ".example", NULL);
  g_autofree char *bad64 = g_strconcat (label64, ".example", NULL);
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autoptr(GString) max_name = NULL;
  const char *bad[] = {
    "exa mple.com", "-bad.example", "bad-.example", "a..b", ".a", "a..", "..", "1.2.3.999",
    "under_score.example", "ex;ample.com", "ex\"ample.com", "ex\nample.com", "ex}ample.com",
    "*.example.com", "exämple.com", "10.0.0.0/33", "fe80::1%eth0", bad64, NULL, NULL
  };
  static const struct { const char *in; const char *out; } good[] = {
    { "example.com", "example.com" },
    { "Cloud.Vendor.EXAMPLE.", "cloud.vendor.example" },
    { "localhost", "localhost" },
    { "p2p-1.example", "p2p-1.example" },
    { "123.example", "123.example" },
  };

  while (long_name->len < 254)
    g_string_append (long_name, "abcdefghi.");
  g_string_truncate (long_name, 253);
  max_name = g_string_new (long_name->str);
  g_string_append (long_name, "x");
  bad[G_N_ELEMENTS (bad) - 2] = long_name->str;
  /* a name may end in its dot; 253 bytes is the most without it */
  g_assert_cmpint (max_name->str[max_name->len - 1], !=, '.');

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(PsPolicy) policy = ps_policy_new ();
      g_autoptr(GError) error = NULL;
      const char *allow[] = { good[i].in, NULL };
      const char * const *got;

      g_assert_true (set_one (policy, "cam", CAM_MAC, NULL, allow, &error));
      g_assert_no_error (error);
      g_assert_true (ps_policy_get_device (policy, "cam", NULL, NULL, NULL, &got));
      g_assert_cmpstr (got[0], ==, good[i].out);
    }
  {
    g_autoptr(PsPolicy) policy = ps_policy_new ();
    const char *allow[] = { ok63, max_name->str, NULL };

    g_assert_true (set_one (policy, "cam", CAM_MAC, NULL, allow, NULL));
  }

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(PsPolicy) policy = ps_policy_new ();
      g_autoptr(GError) error = NULL;
      const char *allow[] = { "192.0.2.1", bad[i], NULL };

      assert_invalid (set_one (policy, "cam", CAM_MAC, NULL, allow, &error), error,
                      PS_POLICY_ERROR_INVALID);
    }
}

static void
test_ports (void)
{
  static const char * const good[] = { "udp/32100", "UDP/10001", "tcp/9999", "9999", "1", "65535",
                                       "udp/10001", "udp/32100", NULL };
  static const char * const bad[] = { "0", "65536", "udp/", "udp", "sctp/1", "udp/1-2", "udp/ 1",
                                      "udp/123456", "-1", "", "udp/32100\n", NULL };
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  g_autoptr(GError) error = NULL;
  const char * const *ports;

  g_assert_true (ps_policy_set_p2p_ports (policy, good, &error));
  g_assert_no_error (error);
  ports = ps_policy_get_p2p_ports (policy);
  /* canonical, sorted, without duplicates */
  g_assert_cmpuint (g_strv_length ((GStrv) ports), ==, 6);
  g_assert_true (g_strv_contains (ports, "udp/10001"));
  g_assert_true (g_strv_contains (ports, "udp/32100"));
  g_assert_true (g_strv_contains (ports, "tcp/9999"));

  for (guint i = 0; bad[i] != NULL; i++)
    {
      const char *list[] = { bad[i], NULL };

      g_clear_error (&error);
      assert_invalid (ps_policy_set_p2p_ports (policy, list, &error), error,
                      PS_POLICY_ERROR_INVALID);
    }

  /* none at all is allowed */
  g_assert_true (ps_policy_set_p2p_ports (policy, NULL, NULL));
  g_assert_null (ps_policy_get_p2p_ports (policy)[0]);
}

/* N strings PREFIX + "A.B" + SUFFIX, all different */
static GStrv
many (const char *prefix,
      const char *suffix,
      guint       n)
{
  GStrv strings = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    strings[i] = g_strdup_printf ("%s%u.%u%s", prefix, i / 256, i % 256, suffix);
  return strings;
}

static void
test_caps (void)
{
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  g_auto(GStrv) addresses16 = many ("10.1.", "", PS_POLICY_MAX_ADDRESSES);
  g_auto(GStrv) addresses17 = many ("10.1.", "", PS_POLICY_MAX_ADDRESSES + 1);
  g_auto(GStrv) allow256 = many ("192.0.", "", PS_POLICY_MAX_ALLOW);
  g_auto(GStrv) allow257 = many ("192.0.", "", PS_POLICY_MAX_ALLOW + 1);
  g_auto(GStrv) servers = many ("198.", ".1", PS_POLICY_MAX_P2P_SERVERS);
  g_auto(GStrv) servers_too_many = many ("198.", ".1", PS_POLICY_MAX_P2P_SERVERS + 1);
  g_auto(GStrv) networks_too_many = many ("10.", ".0/24", PS_POLICY_MAX_NETWORKS + 1);
  g_autoptr(GError) error = NULL;

  g_assert_true (ps_policy_set_device (policy, "cam", NULL, (const char * const *) addresses16,
                                       PS_INTENT_ALLOW_LIST, (const char * const *) allow256,
                                       &error));
  g_assert_no_error (error);
  assert_invalid (ps_policy_set_device (policy, "cam", NULL, (const char * const *) addresses17,
                                        PS_INTENT_LOCAL_ONLY, NULL, &error),
                  error, PS_POLICY_ERROR_TOO_LARGE);
  g_clear_error (&error);
  assert_invalid (ps_policy_set_device (policy, "cam", CAM_MAC, NULL, PS_INTENT_ALLOW_LIST,
                                        (const char * const *) allow257, &error),
                  error, PS_POLICY_ERROR_TOO_LARGE);
  g_clear_error (&error);

  g_assert_true (ps_policy_set_p2p_servers (policy, (const char * const *) servers, &error));
  assert_invalid (ps_policy_set_p2p_servers (policy, (const char * const *) servers_too_many,
                                             &error), error, PS_POLICY_ERROR_TOO_LARGE);
  g_clear_error (&error);
  assert_invalid (ps_policy_set_lan_networks (policy, (const char * const *) networks_too_many,
                                              &error), error, PS_POLICY_ERROR_TOO_LARGE);
  g_clear_error (&error);
  assert_invalid (ps_policy_set_viewers (policy, (const char * const *) networks_too_many,
                                         &error), error, PS_POLICY_ERROR_TOO_LARGE);
  g_clear_error (&error);

  for (guint i = 1; i < PS_POLICY_MAX_DEVICES; i++)
    {
      g_autofree char *id = g_strdup_printf ("cam%u", i);

      g_assert_true (ps_policy_set_device (policy, id, CAM_MAC, NULL, PS_INTENT_OPEN, NULL, NULL));
    }
  assert_invalid (ps_policy_set_device (policy, "one-too-many", CAM_MAC, NULL, PS_INTENT_OPEN,
                                        NULL, &error), error, PS_POLICY_ERROR_TOO_LARGE);
  /* replacing a rule is not adding one */
  g_assert_true (ps_policy_set_device (policy, "cam1", CAM_MAC, NULL, PS_INTENT_LOCAL_ONLY, NULL,
                                       NULL));
  g_assert_true (ps_policy_remove_device (policy, "cam1"));
  g_assert_false (ps_policy_remove_device (policy, "cam1"));
  g_assert_true (ps_policy_set_device (policy, "one-more", CAM_MAC, NULL, PS_INTENT_OPEN, NULL,
                                       NULL));
}

static void
test_devices (void)
{
  g_autoptr(PsPolicy) policy = ps_policy_new ();
  const char *allow[] = { "ntp.example.org", "192.0.2.0/24", "192.0.2.0/24", "Cloud.Example",
                          NULL };
  const char *other_allow[] = { "cloud.example", "203.0.113.9", NULL };
  const char * const *addresses;
  const char * const *got_allow;
  const char *mac;
  PsIntent intent;
  g_auto(GStrv) names = NULL;
  g_autoptr(PsPolicy) copy = NULL;

  g_assert_true (ps_policy_set_device (policy, "cam", CAM_MAC, cam_addresses, PS_INTENT_ALLOW_LIST,
                                       allow, NULL));
  g_assert_true (ps_policy_set_device (policy, "cam2", NULL, cam_addresses, PS_INTENT_OPEN,
                                       other_allow, NULL));
  g_assert_true (ps_policy_get_device (policy, "cam", &mac, &addresses, &intent, &got_allow));
  g_assert_cmpstr (mac, ==, CAM_MAC);
  g_assert_cmpint (intent, ==, PS_INTENT_ALLOW_LIST);
  g_assert_cmpuint (g_strv_length ((GStrv) addresses), ==, 2);
  /* sorted, canonical, once each */
  g_assert_cmpuint (g_strv_length ((GStrv) got_allow), ==, 3);
  g_assert_cmpstr (got_allow[0], ==, "192.0.2.0/24");
  g_assert_cmpstr (got_allow[1], ==, "cloud.example");
  g_assert_cmpstr (got_allow[2], ==, "ntp.example.org");
  g_assert_false (ps_policy_get_device (policy, "nope", NULL, NULL, NULL, NULL));

  names = ps_policy_dup_allow_names (policy);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "cloud.example");
  g_assert_cmpstr (names[1], ==, "ntp.example.org");

  copy = ps_policy_copy (policy);
  g_assert_true (ps_policy_equal (policy, copy));
  g_assert_true (ps_policy_remove_device (copy, "cam2"));
  g_assert_false (ps_policy_equal (policy, copy));
  g_assert_true (ps_policy_get_device (policy, "cam2", NULL, NULL, NULL, NULL));
}

/* JSON */


static void
test_json_roundtrip (void)
{
  g_autoptr(PsPolicy) policy = sample_policy ();
  g_autoptr(PsPolicy) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = ps_policy_to_json (policy);
  g_autofree char *again = NULL;

  loaded = ps_policy_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (ps_policy_equal (policy, loaded));
  again = ps_policy_to_json (loaded);
  g_assert_cmpstr (json, ==, again);
  g_assert_cmpint (ps_policy_get_default_intent (loaded), ==, PS_INTENT_LOCAL_ONLY);

  /* the same with an explicit length, and no terminating NUL needed */
  {
    g_autofree char *copy = g_strndup (json, strlen (json));
    g_autoptr(PsPolicy) third = ps_policy_new_from_json (copy, strlen (copy), &error);

    g_assert_no_error (error);
    g_assert_true (ps_policy_equal (policy, third));
  }
}

static void
test_json_canonical (void)
{
  g_autoptr(PsPolicy) a = ps_policy_new ();
  g_autoptr(PsPolicy) b = ps_policy_new ();
  g_autoptr(PsPolicy) c = NULL;
  const char *addresses_a[] = { "192.168.1.11", "FD00:1::11", NULL };
  const char *addresses_b[] = { "fd00:1::11", "192.168.1.11", "192.168.1.11/32", NULL };
  const char *allow_a[] = { "Example.COM.", "192.0.2.0/24", NULL };
  const char *allow_b[] = { "192.0.2.9/24", "example.com", "example.com", NULL };
  const char *ports_a[] = { "9999", "udp/32100", NULL };
  const char *ports_b[] = { "UDP/32100", "9999", "udp/32100", NULL };
  g_autofree char *json_a = NULL;
  g_autofree char *json_b = NULL;
  g_autofree char *json_c = NULL;
  g_autofree char *digest_a = NULL;
  g_autofree char *digest_b = NULL;
  g_autoptr(GError) error = NULL;

  /* the same policy, built in another order and spelling */
  g_assert_true (ps_policy_set_device (a, "zeta", NULL, addresses_a, PS_INTENT_LOCAL_ONLY, NULL,
                                       NULL));
  g_assert_true (ps_policy_set_device (a, "alpha", "02:00:00:00:00:AA", NULL, PS_INTENT_ALLOW_LIST,
                                       allow_a, NULL));
  g_assert_true (ps_policy_set_p2p_ports (a, ports_a, NULL));

  g_assert_true (ps_policy_set_p2p_ports (b, ports_b, NULL));
  g_assert_true (ps_policy_set_device (b, "alpha", "02:00:00:00:00:aa", NULL, PS_INTENT_ALLOW_LIST,
                                       allow_b, NULL));
  g_assert_true (ps_policy_set_device (b, "zeta", "", addresses_b, PS_INTENT_LOCAL_ONLY, NULL,
                                       NULL));

  json_a = ps_policy_to_json (a);
  json_b = ps_policy_to_json (b);
  g_assert_cmpstr (json_a, ==, json_b);
  g_assert_true (ps_policy_equal (a, b));
  digest_a = ps_policy_digest (a);
  digest_b = ps_policy_digest (b);
  g_assert_cmpstr (digest_a, ==, digest_b);
  g_assert_cmpuint (strlen (digest_a), ==, 64);

  /* the exact bytes: members in a fixed order, no spaces */
  g_assert_true (g_str_has_prefix (json_a, "{\"version\":1,\"default_intent\":\"open\","
                                           "\"lan_networks\":[\"10.0.0.0/8\","));
  g_assert_nonnull (strstr (json_a, "\"p2p_ports\":[\"9999\",\"udp/32100\"],\"viewers\":[],"
                                    "\"devices\":[{\"id\":\"alpha\",\"mac\":\"02:00:00:00:00:aa\","
                                    "\"addresses\":[],\"intent\":\"allow-list\","
                                    "\"allow\":[\"192.0.2.0/24\",\"example.com\"]},"
                                    "{\"id\":\"zeta\",\"addresses\":[\"192.168.1.11\","
                                    "\"fd00:1::11\"],\"intent\":\"local-only\",\"allow\":[]}]}"));

  /* any change changes the digest */
  ps_policy_set_default_intent (b, PS_INTENT_LOCAL_ONLY);
  g_clear_pointer (&digest_b, g_free);
  digest_b = ps_policy_digest (b);
  g_assert_cmpstr (digest_a, !=, digest_b);

  /* whitespace and key order in the input do not matter */
  c = ps_policy_new_from_json ("{ \"p2p_ports\" : [\"udp/32100\", \"9999\"],\n"
                               "  \"devices\": [ {\"intent\": \"local-only\", \"id\": \"zeta\","
                               "    \"addresses\": [\"fd00:1::11\", \"192.168.1.11\"]},"
                               "   {\"allow\": [\"example.com\", \"192.0.2.0/24\"],"
                               "    \"id\": \"alpha\","
                               "    \"intent\": \"allow-list\", \"mac\": \"02:00:00:00:00:AA\"} ],"
                               "  \"version\": 1 }\n", -1, &error);
  g_assert_no_error (error);
  json_c = ps_policy_to_json (c);
  g_assert_cmpstr (json_a, ==, json_c);
}

static void
assert_json_error (const char *json,
                   gssize      length,
                   int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsPolicy) policy = ps_policy_new_from_json (json, length, &error);

  if (policy != NULL)
    g_error ("accepted: %.200s", json);
  g_assert_error (error, PS_POLICY_ERROR, code);
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_json_strict (void)
{
  static const char * const invalid[] = {
    "", " ", "null", "[]", "42", "\"policy\"", "{", "{}}", "{\"version\":1,}",
    "{\"version\":2}", "{\"version\":\"1\"}", "{\"version\":1.0}", "{\"version\":true}",
    "{\"unknown\":1}", "{\"Version\":1}", "{\"devices\":{}}", "{\"devices\":[1]}",
    "{\"devices\":[[]]}", "{\"devices\":[null]}",
    "{\"devices\":[{\"id\":\"cam\",\"mac\":\"02:00:00:00:00:01\",\"intent\":\"open\",\"x\":1}]}",
    "{\"devices\":[{\"mac\":\"02:00:00:00:00:01\",\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam\",\"mac\":\"02:00:00:00:00:01\"}]}",
    "{\"devices\":[{\"id\":5,\"mac\":\"02:00:00:00:00:01\",\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam\",\"mac\":5,\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam\",\"mac\":\"02:00:00:00:00:01\",\"intent\":\"shut\"}]}",
    "{\"devices\":[{\"id\":\"cam\",\"mac\":\"02:00:00:00:00:01\",\"intent\":null}]}",
    "{\"devices\":[{\"id\":\"cam\",\"addresses\":\"192.168.1.1\",\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam\",\"addresses\":[1],\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam\",\"addresses\":[null],\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam\",\"addresses\":[[\"192.168.1.1\"]],\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam\",\"mac\":\"02:00:00:00:00:01\",\"intent\":\"open\","
      "\"allow\":{\"a\":1}}]}",
    "{\"devices\":[{\"id\":\"c\\\"am\",\"mac\":\"02:00:00:00:00:01\",\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam\\n\",\"mac\":\"02:00:00:00:00:01\",\"intent\":\"open\"}]}",
    "{\"devices\":[{\"id\":\"cam\",\"mac\":\"02:00:00:00:00:01\",\"intent\":\"open\"},"
      "{\"id\":\"cam\",\"mac\":\"02:00:00:00:00:02\",\"intent\":\"local-only\"}]}",
    "{\"lan_networks\":\"10.0.0.0/8\"}", "{\"lan_networks\":[\"10.0.0.0/33\"]}",
    "{\"lan_networks\":[1]}", "{\"lan_networks\":null}", "{\"p2p_ports\":[32100]}",
    "{\"p2p_ports\":[\"udp/0\"]}", "{\"viewers\":[\"a.example\"]}", "{\"p2p_servers\":[true]}",
    "{\"default_intent\":\"everything\"}", "{\"default_intent\":1}",
    "{\"version\":1}garbage", "{\"version\":1} {\"version\":1}",
    "{\"version\":1,\"version\":\"x\"}",
    "{\"id\xff\":1}", "{\"devices\":[{\"id\":\"caf\xc3\xa9\"}]}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "{\"devices\":[{\"allow\":[[[[[[[[[[\"a\"]]]]]]]]]]}]}",
    NULL
  };
  g_autoptr(GString) big = g_string_new ("{\"p2p_servers\":[");
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) many_devices = g_string_new ("{\"devices\":[");
  static const char with_nul[] = "{\"version\":1}\0{\"unknown\":1}";
  g_autoptr(PsPolicy) defaults = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; invalid[i] != NULL; i++)
    assert_json_error (invalid[i], -1, PS_POLICY_ERROR_INVALID);

  /* bytes after the length are not read; a NUL inside it is an error */
  assert_json_error (with_nul, sizeof with_nul - 1, PS_POLICY_ERROR_INVALID);
  defaults = ps_policy_new_from_json (with_nul, strlen (with_nul), &error);
  g_assert_no_error (error);
  g_assert_nonnull (defaults);

  /* 2 MB: refused before parsing */
  while (big->len < 2 * 1024 * 1024)
    g_string_append (big, "\"198.51.100.1\",");
  g_string_append (big, "\"198.51.100.1\"]}");
  assert_json_error (big->str, -1, PS_POLICY_ERROR_TOO_LARGE);
  assert_json_error (big->str, big->len, PS_POLICY_ERROR_TOO_LARGE);

  /* nesting deep enough to exhaust a recursive parser's stack */
  for (guint i = 0; i < 500000; i++)
    g_string_append_c (deep, '[');
  assert_json_error (deep->str, -1, PS_POLICY_ERROR_INVALID);

  /* too many entries is TOO_LARGE, not INVALID */
  for (guint i = 0; i <= PS_POLICY_MAX_DEVICES; i++)
    g_string_append_printf (many_devices, "%s{\"id\":\"cam%u\",\"mac\":\"02:00:00:00:00:01\","
                                          "\"intent\":\"open\"}", i > 0 ? "," : "", i);
  g_string_append (many_devices, "]}");
  assert_json_error (many_devices->str, -1, PS_POLICY_ERROR_TOO_LARGE);
  assert_json_error ("{\"devices\":[{\"id\":\"cam\",\"intent\":\"open\",\"addresses\":["
                     "\"10.0.0.1\",\"10.0.0.2\",\"10.0.0.3\",\"10.0.0.4\",\"10.0.0.5\","
                     "\"10.0.0.6\",\"10.0.0.7\",\"10.0.0.8\",\"10.0.0.9\",\"10.0.0.10\","
                     "\"10.0.0.11\",\"10.0.0.12\",\"10.0.0.13\",\"10.0.0.14\",\"10.0.0.15\","
                     "\"10.0.0.16\",\"10.0.0.17\"]}]}", -1, PS_POLICY_ERROR_TOO_LARGE);
}

static void
test_json_lists (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsPolicy) missing = ps_policy_new_from_json ("{\"version\":1}", -1, &error);
  g_autoptr(PsPolicy) empty = NULL;
  g_autoptr(PsPolicy) fresh = ps_policy_new ();

  /* a missing list keeps the defaults, an empty one means none */
  g_assert_no_error (error);
  g_assert_true (ps_policy_equal (missing, fresh));
  empty = ps_policy_new_from_json ("{\"lan_networks\":[],\"p2p_ports\":[],\"devices\":[]}", -1,
                                   &error);
  g_assert_no_error (error);
  g_assert_null (ps_policy_get_lan_networks (empty)[0]);
  g_assert_null (ps_policy_get_p2p_ports (empty)[0]);
  /* a null MAC is no MAC */
  g_clear_object (&empty);
  empty = ps_policy_new_from_json ("{\"devices\":[{\"id\":\"c\",\"mac\":null,\"intent\":\"open\","
                                   "\"addresses\":[\"192.168.1.1\"]}]}", -1, &error);
  g_assert_no_error (error);
}

/* The compiler */

static void
test_policy_json_escapes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsPolicy) policy = NULL;
  const char *text = "{\"version\": 1, \"lan_networks\": [\"0.0.0.0/0\\u0000junk\"]}";

  /* an escaped NUL would cut the value short: refused outright */
  policy = ps_policy_new_from_json (text, -1, &error);
  g_assert_null (policy);
  g_assert_error (error, PS_POLICY_ERROR, PS_POLICY_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/policy/intents", test_intents);
  g_test_add_func ("/policy/defaults", test_defaults);
  g_test_add_func ("/policy/default-intent", test_default_intent);
  g_test_add_func ("/policy/device-ids", test_device_ids);
  g_test_add_func ("/policy/macs", test_macs);
  g_test_add_func ("/policy/addresses", test_addresses);
  g_test_add_func ("/policy/networks", test_networks);
  g_test_add_func ("/policy/names", test_names);
  g_test_add_func ("/policy/ports", test_ports);
  g_test_add_func ("/policy/caps", test_caps);
  g_test_add_func ("/policy/devices", test_devices);
  g_test_add_func ("/policy/json/roundtrip", test_json_roundtrip);
  g_test_add_func ("/policy/json/canonical", test_json_canonical);
  g_test_add_func ("/policy/json/strict", test_json_strict);
  g_test_add_func ("/policy/json/lists", test_json_lists);

  g_test_add_func ("/policy/json/escapes", test_policy_json_escapes);

  return g_test_run ();
}
