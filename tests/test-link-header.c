/* test-link-header.c: ICE servers from a WHEP endpoint's Link header
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "ps-link-header.h"

static GPtrArray *
parse (const char  *text,
       GError     **error)
{
  return ps_link_header_parse_ice_servers (text, strlen (text), error);
}

static void
test_servers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  PsIceServer *server;

  servers = parse ("<stun:stun.example.net>; rel=\"ice-server\", "
                   "<turn:turn.example.net?transport=udp>; rel=\"ice-server\"; "
                   "username=\"user\"; credential=\"my:secret@1\"; credential-type=\"password\", "
                   "<https://example.net/whep/x>; rel=\"urn:ietf:params:whep:ext:core:layer\", "
                   "<turns:[2001:db8::1]:5349?transport=tcp>; REL=ice-server; username=u; "
                   "credential=\"p\\\"q\"",
                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 3);

  server = g_ptr_array_index (servers, 0);
  g_assert_cmpstr (server->uri, ==, "stun:stun.example.net");
  g_assert_null (server->username);
  {
    g_autofree char *uri = ps_ice_server_to_gst_uri (server);

    g_assert_cmpstr (uri, ==, "stun://stun.example.net");
  }

  server = g_ptr_array_index (servers, 1);
  g_assert_cmpstr (server->uri, ==, "turn:turn.example.net?transport=udp");
  g_assert_cmpstr (server->username, ==, "user");
  g_assert_cmpstr (server->credential, ==, "my:secret@1");
  {
    g_autofree char *uri = ps_ice_server_to_gst_uri (server);

    g_assert_cmpstr (uri, ==, "turn://user:my%3Asecret%401@turn.example.net?transport=udp");
  }

  server = g_ptr_array_index (servers, 2);
  g_assert_cmpstr (server->uri, ==, "turns:[2001:db8::1]:5349?transport=tcp");
  g_assert_cmpstr (server->credential, ==, "p\"q");

  /* a TURN server without credentials cannot be used */
  {
    PsIceServer bare = { (char *) "turn:turn.example.net", NULL, NULL };

    g_assert_null (ps_ice_server_to_gst_uri (&bare));
  }

  /* nothing at all is no server, not an error */
  g_clear_pointer (&servers, g_ptr_array_unref);
  servers = parse ("", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 0);
}

static void
test_malformed (void)
{
  const char *bad[] = {
    "stun:stun.example.net; rel=ice-server",
    "<stun:stun.example.net; rel=ice-server",
    "<stun:stun.example.net>; rel=\"ice-server",
    "<stun:stun.example.net> rel=ice-server",
    "<stun:stun.example.net>; =ice-server",
    "<stun:stun example.net>; rel=ice-server",
    "<stun:x>; rel=ice-server; username=\"a\x01b\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) servers = parse (bad[i], &error);

      g_test_message ("%s", bad[i]);
      g_assert_null (servers);
      g_assert_error (error, PS_LINK_HEADER_ERROR, PS_LINK_HEADER_ERROR_MALFORMED);
    }
}

static void
test_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(GString) long_value = g_string_new ("<turn:x>; rel=ice-server; username=\"");
  g_autofree char *big = g_strnfill (PS_LINK_HEADER_MAX_SIZE + 1, ' ');

  servers = parse (big, &error);
  g_assert_null (servers);
  g_assert_error (error, PS_LINK_HEADER_ERROR, PS_LINK_HEADER_ERROR_TOO_LARGE);
  g_clear_error (&error);

  for (guint i = 0; i < 20; i++)
    g_string_append_printf (many, "%s<stun:s%u.example.net>; rel=ice-server", i > 0 ? ", " : "",
                            i);
  servers = parse (many->str, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, PS_LINK_HEADER_MAX_SERVERS);
  g_clear_pointer (&servers, g_ptr_array_unref);

  for (guint i = 0; i < PS_LINK_HEADER_MAX_VALUE + 1; i++)
    g_string_append_c (long_value, 'u');
  g_string_append_c (long_value, '"');
  servers = parse (long_value->str, &error);
  g_assert_null (servers);
  g_assert_error (error, PS_LINK_HEADER_ERROR, PS_LINK_HEADER_ERROR_MALFORMED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/link-header/servers", test_servers);
  g_test_add_func ("/link-header/malformed", test_malformed);
  g_test_add_func ("/link-header/limits", test_limits);

  return g_test_run ();
}
