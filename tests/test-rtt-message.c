/* test-rtt-message.c: the P2P round-trip probe's two messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "ps-rtt-message.h"

static gboolean
parse (const char  *text,
       PsRttKind   *kind,
       guint32     *sequence,
       GError     **error)
{
  return ps_rtt_message_parse (text, strlen (text), kind, sequence, error);
}

static void
test_round_trip (void)
{
  const guint32 sequences[] = { 0, 1, 9, 10, 4242, G_MAXUINT32 };

  for (guint i = 0; i < G_N_ELEMENTS (sequences); i++)
    for (PsRttKind kind = PS_RTT_PING; kind <= PS_RTT_PONG; kind++)
      {
        g_autofree char *text = ps_rtt_message_format (kind, sequences[i]);
        g_autoptr(GError) error = NULL;
        PsRttKind parsed_kind;
        guint32 parsed = 0;

        g_assert_cmpuint (strlen (text), <=, PS_RTT_MAX_MESSAGE_SIZE);
        g_assert_true (parse (text, &parsed_kind, &parsed, &error));
        g_assert_no_error (error);
        g_assert_cmpint (parsed_kind, ==, kind);
        g_assert_cmpuint (parsed, ==, sequences[i]);
      }
}

static void
test_malformed (void)
{
  const char *bad[] = {
    "", "ping", "ping ", "pong  1", "ping -1", "ping +1", "ping 1 ", " ping 1", "PING 1",
    "ping 01", "ping 4294967296", "ping 9999999999", "ping 1x", "pang 1", "ping\t1",
    "ping 0x10",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      PsRttKind kind;
      guint32 sequence;

      g_test_message ("%s", bad[i]);
      g_assert_false (parse (bad[i], &kind, &sequence, &error));
      g_assert_error (error, PS_RTT_MESSAGE_ERROR, PS_RTT_MESSAGE_ERROR_MALFORMED);
    }
}

static void
test_size_cap (void)
{
  g_autoptr(GError) error = NULL;
  PsRttKind kind;
  guint32 sequence;
  char big[4096];

  memset (big, '1', sizeof big);
  memcpy (big, "ping ", 5);
  g_assert_false (ps_rtt_message_parse (big, sizeof big, &kind, &sequence, &error));
  g_assert_error (error, PS_RTT_MESSAGE_ERROR, PS_RTT_MESSAGE_ERROR_TOO_LARGE);

  /* not terminated: only LENGTH bytes are read */
  g_clear_error (&error);
  g_assert_true (ps_rtt_message_parse ("pong 12345", 7, &kind, &sequence, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sequence, ==, 12);
  g_assert_cmpint (kind, ==, PS_RTT_PONG);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rtt-message/round-trip", test_round_trip);
  g_test_add_func ("/rtt-message/malformed", test_malformed);
  g_test_add_func ("/rtt-message/size-cap", test_size_cap);

  return g_test_run ();
}
