/* test-ice-candidate.c: ICE candidate lines from the far end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "ps-ice-candidate.h"

static PsIceCandidate *
parse (const char  *text,
       GError     **error)
{
  return ps_ice_candidate_parse (text, strlen (text), error);
}

static void
test_valid (void)
{
  const struct {
    const char *line;
    const char *type, *transport, *address;
    guint16 port;
  } cases[] = {
    { "candidate:1 1 UDP 2015363327 10.99.1.11 54902 typ host",
      "host", "udp", "10.99.1.11", 54902 },
    { "a=candidate:7 1 udp 1677721855 198.18.0.1 54902 typ srflx raddr 10.99.1.11 rport 54902",
      "srflx", "udp", "198.18.0.1", 54902 },
    { "candidate:9 1 UDP 8331263 192.0.2.30 50000 typ relay raddr 198.18.1.1 rport 60802\r\n",
      "relay", "udp", "192.0.2.30", 50000 },
    { "candidate:3 1 TCP 1015022079 fe80::411:5aff:fe07:9960 9 typ host tcptype active",
      "host", "tcp", "fe80::411:5aff:fe07:9960", 9 },
    { "candidate:842163049 1 udp 1677729535 5c3a3c39-6ee3-4e3e-a3c1-2bb4d6b6c1c5.local 61337 typ prflx",
      "prflx", "udp", "5c3a3c39-6ee3-4e3e-a3c1-2bb4d6b6c1c5.local", 61337 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsIceCandidate) candidate = parse (cases[i].line, &error);
      g_autoptr(PsIceCandidate) copy = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (candidate);
      g_assert_cmpstr (candidate->type, ==, cases[i].type);
      g_assert_cmpstr (candidate->transport, ==, cases[i].transport);
      g_assert_cmpstr (candidate->address, ==, cases[i].address);
      g_assert_cmpuint (candidate->port, ==, cases[i].port);
      copy = ps_ice_candidate_copy (candidate);
      g_assert_true (ps_ice_candidate_equal (candidate, copy));
    }
}

static void
test_malformed (void)
{
  const char *bad[] = {
    "",
    "candidate:",
    "candidate:1 1 UDP 2015363327 10.99.1.11 54902 typ",
    "candidate:1 1 UDP 2015363327 10.99.1.11 54902 type host",
    "candidate:1 1 UDP 2015363327 10.99.1.11 65536 typ host",
    "candidate:1 1 UDP 2015363327 10.99.1.11 -1 typ host",
    "candidate:1 1 SCTP 2015363327 10.99.1.11 5000 typ host",
    "candidate:1 1 UDP 2015363327 10.99.1.11 5000 typ bogus",
    "candidate:1 0 UDP 2015363327 10.99.1.11 5000 typ host",
    "candidate:1 1 UDP 99999999999 10.99.1.11 5000 typ host",
    "candidate:1 1 UDP 2015363327 10.99.1.300 5000 typ host",
    "candidate:1 1 UDP 2015363327 evil.example.com 5000 typ host",
    "candidate:1 1 UDP 2015363327 a;b.local 5000 typ host",
    "candidate:1 1 UDP 2015363327 .local 5000 typ host",
    "candidate:1  1 UDP 2015363327 10.99.1.11 5000 typ host",
    "sdp:1 1 UDP 2015363327 10.99.1.11 5000 typ host",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsIceCandidate) candidate = parse (bad[i], &error);

      g_test_message ("%s", bad[i]);
      g_assert_null (candidate);
      g_assert_error (error, PS_ICE_CANDIDATE_ERROR, PS_ICE_CANDIDATE_ERROR_MALFORMED);
    }
}

static void
test_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsIceCandidate) candidate = NULL;
  g_autofree char *big = g_strnfill (PS_ICE_CANDIDATE_MAX_SIZE + 1, 'a');
  const char nul[] = "candidate:1 1 UDP 1 10.0.0.1 5000 typ host\0 typ relay";

  candidate = ps_ice_candidate_parse (big, strlen (big), &error);
  g_assert_null (candidate);
  g_assert_error (error, PS_ICE_CANDIDATE_ERROR, PS_ICE_CANDIDATE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* a NUL inside is no candidate; LENGTH bounds the read */
  candidate = ps_ice_candidate_parse (nul, sizeof nul - 1, &error);
  g_assert_null (candidate);
  g_assert_error (error, PS_ICE_CANDIDATE_ERROR, PS_ICE_CANDIDATE_ERROR_MALFORMED);
  g_clear_error (&error);
  candidate = ps_ice_candidate_parse (nul, strlen (nul) - 2, &error);
  g_assert_null (candidate);   /* "... typ ho" */
  g_clear_error (&error);
  candidate = ps_ice_candidate_parse (nul, strlen (nul), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (candidate->type, ==, "host");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ice-candidate/valid", test_valid);
  g_test_add_func ("/ice-candidate/malformed", test_malformed);
  g_test_add_func ("/ice-candidate/limits", test_limits);

  return g_test_run ();
}
