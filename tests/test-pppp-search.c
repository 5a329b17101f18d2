/* test-pppp-search.c: CS2 PPPP and Kalay LAN search against the emulator
 *
 * Only 127.0.0.1, only unicast: nothing here broadcasts, multicasts or
 * sends to UDP 32100.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>

#include "ps-kalay.h"
#include "ps-pppp.h"
#include "ps-test-emulator.h"

#define PPPP_UID  "ABCD-123456-EFGHI"
#define KALAY_UID "PSEMU0123456789ABCDE"

/* Sends request to 127.0.0.1:port and returns the first answer (from any
 * port of 127.0.0.1), or NULL after timeout_ms. */
static GBytes *
exchange (GBytes  *request,
          guint16  port,
          guint    timeout_ms,
          guint16 *from_port)
{
  g_autoptr(GSocket) socket = ps_test_udp_socket ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) target = NULL;
  g_autoptr(GSocketAddress) sender = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  guint8 buf[2048];
  gssize n;

  g_assert_cmpuint (port, !=, 0);
  g_assert_cmpuint (port, !=, 32100);
  target = g_inet_socket_address_new (loopback, port);
  g_socket_send_to (socket, target, g_bytes_get_data (request, NULL),
                    g_bytes_get_size (request), NULL, &error);
  g_assert_no_error (error);

  if (!g_socket_condition_timed_wait (socket, G_IO_IN, (gint64) timeout_ms * 1000, NULL, NULL))
    return NULL;

  n = g_socket_receive_from (socket, &sender, (char *) buf, sizeof buf, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);

  host = g_inet_address_to_string (g_inet_socket_address_get_address (
                                     G_INET_SOCKET_ADDRESS (sender)));
  g_assert_cmpstr (host, ==, "127.0.0.1");
  *from_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (sender));

  return g_bytes_new (buf, (gsize) n);
}

static void
search_pppp (PsTestEmulator *emulator,
             guint8          msg_type,
             const char     *psk)
{
  g_autoptr(GBytes) request = ps_pppp_build_lan_search (msg_type, psk);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(PsSighting) sighting = NULL;
  g_autoptr(PsSighting) guessed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *used = NULL;
  guint16 from = 0;

  answer = exchange (request, emulator->pppp_port, 5000, &from);
  g_assert_nonnull (answer);
  /* like a real camera, it answers from another port than the one probed */
  g_assert_cmpuint (from, !=, 0);
  g_assert_cmpuint (from, !=, emulator->pppp_port);

  ps_pppp_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), psk, &sighting,
                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (sighting->protocol, ==, PS_PROTOCOL_CS2_PPPP);
  g_assert_cmpstr (sighting->p2p_uid, ==, PPPP_UID);

  g_assert_true (ps_pppp_try_all (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                                  &guessed, &used));
  g_assert_cmpstr (guessed->p2p_uid, ==, PPPP_UID);
  g_assert_cmpstr (used, ==, psk);
}

static void
assert_no_answer (GBytes  *request,
                  guint16  port)
{
  g_autoptr(GBytes) answer = NULL;
  guint16 from = 0;

  answer = exchange (request, port, 500, &from);
  g_assert_null (answer);
}

static void
test_pppp_plain (void)
{
  g_autoptr(PsTestEmulator) emulator = NULL;
  g_autoptr(GBytes) keyed = ps_pppp_build_lan_search (PS_PPPP_MSG_LAN_SEARCH, "SHIX");

  emulator = ps_test_emulator_start ("--pppp-uid", PPPP_UID, "--pppp-port", "0", NULL);
  g_assert_cmpuint (emulator->pppp_port, !=, 0);
  g_assert_cmpuint (emulator->kalay_port, ==, 0);

  search_pppp (emulator, PS_PPPP_MSG_LAN_SEARCH, NULL);
  search_pppp (emulator, PS_PPPP_MSG_LAN_SEARCH_EXT, NULL);
  /* a search under a key it does not use gets no answer */
  assert_no_answer (keyed, emulator->pppp_port);
}

static void
test_pppp_keyed (void)
{
  for (guint i = 0; ps_pppp_known_keys[i] != NULL; i++)
    {
      const char *psk = ps_pppp_known_keys[i];
      g_autoptr(PsTestEmulator) emulator = NULL;
      g_autoptr(GBytes) plain = ps_pppp_build_lan_search (PS_PPPP_MSG_LAN_SEARCH, NULL);

      emulator = ps_test_emulator_start ("--pppp-uid", PPPP_UID, "--pppp-psk", psk,
                                         "--pppp-port", "0", NULL);
      search_pppp (emulator, PS_PPPP_MSG_LAN_SEARCH, psk);
      assert_no_answer (plain, emulator->pppp_port);
    }
}

static void
test_kalay (void)
{
  g_autoptr(PsTestEmulator) emulator = NULL;
  g_autoptr(GBytes) search = ps_kalay_build_lan_search (NULL);
  g_autoptr(GBytes) directed = ps_kalay_build_lan_search (KALAY_UID);
  g_autoptr(GBytes) other = ps_kalay_build_lan_search ("OTHER000000000000000");
  g_autoptr(GBytes) pppp = ps_pppp_build_lan_search (PS_PPPP_MSG_LAN_SEARCH, NULL);

  emulator = ps_test_emulator_start ("--kalay-uid", KALAY_UID, "--kalay-port", "0", NULL);
  g_assert_cmpuint (emulator->kalay_port, !=, 0);
  g_assert_cmpuint (emulator->pppp_port, ==, 0);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) answer = NULL;
      g_autoptr(PsSighting) sighting = NULL;
      g_autoptr(GError) error = NULL;
      guint16 from = 0;

      answer = exchange (i == 0 ? search : directed, emulator->kalay_port, 5000, &from);
      g_assert_nonnull (answer);
      g_assert_cmpuint (from, !=, 0);
      g_assert_cmpuint (from, !=, emulator->kalay_port);

      ps_kalay_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &sighting,
                      &error);
      g_assert_no_error (error);
      g_assert_cmpint (sighting->protocol, ==, PS_PROTOCOL_KALAY);
      g_assert_cmpstr (sighting->p2p_uid, ==, KALAY_UID);
    }

  /* a search for another UID, or in another protocol, gets no answer */
  assert_no_answer (other, emulator->kalay_port);
  assert_no_answer (pppp, emulator->kalay_port);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pppp-search/pppp-plain", test_pppp_plain);
  g_test_add_func ("/pppp-search/pppp-keyed", test_pppp_keyed);
  g_test_add_func ("/pppp-search/kalay", test_kalay);

  return g_test_run ();
}
