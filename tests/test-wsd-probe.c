/* test-wsd-probe.c: unicast WS-Discovery probes to the camera emulator on
 * 127.0.0.1, answered and parsed by our own builder and parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-test-emulator.h"
#include "ps-wsd-message.h"

#define ANSWER_TIMEOUT_MS  5000
#define SILENCE_MS         300

static void
send_text (GSocket    *socket,
           guint16     port,
           const char *data,
           gsize       len)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (loopback, port);
  g_autoptr(GError) error = NULL;

  g_socket_send_to (socket, to, data, len, NULL, &error);
  g_assert_no_error (error);
}

static char *
send_probe (GSocket    *socket,
            guint16     port,
            const char *types)
{
  g_autofree char *id = ps_wsd_new_message_id ();
  g_autofree char *probe = ps_wsd_build_probe (id, types);

  send_text (socket, port, probe, strlen (probe));

  return g_steal_pointer (&id);
}

/* The next datagram, or NULL when none comes within timeout_ms. */
static GBytes *
receive (GSocket *socket,
         guint    timeout_ms)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *buffer = g_malloc (65536);
  gssize n;

  if (!g_socket_condition_timed_wait (socket, G_IO_IN, (gint64) timeout_ms * 1000, NULL,
                                      &error))
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      return NULL;
    }

  n = g_socket_receive (socket, buffer, 65536, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);

  return g_bytes_new (buffer, (gsize) n);
}

static void
assert_match (PsTestEmulator *emulator,
              GBytes         *datagram,
              const char     *probe_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sightings = NULL;
  g_autofree char *relates_to = NULL;
  PsWsdKind kind;
  PsSighting *s;
  gsize len;
  const char *data = g_bytes_get_data (datagram, &len);

  sightings = ps_wsd_parse (data, len, &kind, &relates_to, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, PS_WSD_KIND_PROBE_MATCHES);
  g_assert_cmpstr (relates_to, ==, probe_id);
  g_assert_cmpuint (sightings->len, ==, 1);

  s = g_ptr_array_index (sightings, 0);
  g_assert_cmpint (s->protocol, ==, PS_PROTOCOL_ONVIF);
  g_assert_false (s->bye);
  g_assert_cmpstr (s->endpoint, ==, emulator->wsd_endpoint);
  g_assert_true (g_str_has_prefix (s->endpoint, "urn:uuid:"));
  g_assert_cmpstr (s->name, ==, "Cam %/1");
  g_assert_cmpstr (s->model, ==, "M");
  g_assert_cmpstr (s->hardware, ==, "M");
  g_assert_cmpstr (s->mac, ==, "02:00:00:00:00:01");
  g_assert_nonnull (s->location);
  g_assert_nonnull (s->xaddrs);
  g_assert_cmpstr (s->xaddrs[0], ==, emulator->onvif);
  g_assert_null (s->xaddrs[1]);
}

static void
assert_silence (GSocket *socket)
{
  g_autoptr(GBytes) datagram = receive (socket, SILENCE_MS);

  g_assert_null (datagram);
}

static void
test_probe (void)
{
  g_autoptr(PsTestEmulator) emulator = NULL;
  g_autoptr(GSocket) socket = ps_test_udp_socket ();
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *id = NULL;
  g_autofree char *probe = NULL;
  g_autofree char *other = NULL;
  g_autofree char *any = NULL;
  g_autofree char *again = NULL;
  const char *garbage[] = {
    "", "\x00\x01\x02garbage", "<not xml",
    "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY b \"c\">]><a>&b;</a>",
    /* a probe without a MessageID cannot be answered */
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"
    "<d:Probe xmlns:d=\"" PS_WSD_NS_DISCOVERY "\"/></s:Body></s:Envelope>",
  };

  emulator = ps_test_emulator_start ("--wsd-port", "0", "--wsd-max-delay-ms", "0",
                                     "--name", "Cam %/1", "--model", "M",
                                     "--mac", "02:00:00:00:00:01", NULL);
  g_assert_cmpuint (emulator->wsd_port, >, 0);
  g_assert_cmpuint (emulator->wsd_port, !=, PS_WSD_PORT);
  g_assert_nonnull (emulator->wsd_endpoint);

  /* answered once, whatever the copies */
  id = ps_wsd_new_message_id ();
  probe = ps_wsd_build_probe (id, PS_WSD_TYPES_NVT);
  send_text (socket, emulator->wsd_port, probe, strlen (probe));
  answer = receive (socket, ANSWER_TIMEOUT_MS);
  g_assert_nonnull (answer);
  assert_match (emulator, answer, id);
  send_text (socket, emulator->wsd_port, probe, strlen (probe));
  assert_silence (socket);

  /* garbage and other types go unanswered */
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    send_text (socket, emulator->wsd_port, garbage[i], i == 1 ? 13 : strlen (garbage[i]));
  other = send_probe (socket, emulator->wsd_port, "dn:NetworkVideoDisplay");
  assert_silence (socket);

  /* a probe without Types is for everyone; and it still answers */
  any = send_probe (socket, emulator->wsd_port, NULL);
  g_clear_pointer (&answer, g_bytes_unref);
  answer = receive (socket, ANSWER_TIMEOUT_MS);
  g_assert_nonnull (answer);
  assert_match (emulator, answer, any);

  again = send_probe (socket, emulator->wsd_port, "tds:Device dn:NetworkVideoTransmitter");
  g_clear_pointer (&answer, g_bytes_unref);
  answer = receive (socket, ANSWER_TIMEOUT_MS);
  g_assert_nonnull (answer);
  assert_match (emulator, answer, again);
  assert_silence (socket);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wsd-probe/probe", test_probe);

  return g_test_run ();
}
