/* test-signalling-message.c: GStreamer's WebRTC signalling messages, read strictly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "ps-signalling-message.h"

static PsSignallingMessage *
parse (const char            *json,
       PsSignallingDirection  direction)
{
  g_autoptr(GError) error = NULL;
  PsSignallingMessage *message;

  message = ps_signalling_message_parse (json, strlen (json), direction, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);

  return message;
}

static void
assert_fails (const char            *json,
              gsize                  length,
              PsSignallingDirection  direction,
              gint                   code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsSignallingMessage) message = NULL;

  message = ps_signalling_message_parse (json, length, direction, &error);
  if (message != NULL)
    g_error ("parsed, but should not: %.*s", (int) MIN (length, 200), json);
  g_assert_error (error, PS_SIGNALLING_ERROR, code);
  g_assert_null (strchr (error->message, '\n'));
}

#define FAILS(json, code) assert_fails ((json), strlen (json), PS_SIGNALLING_TO_SERVER, (code))
#define FAILS_TO_CLIENT(json, code) assert_fails ((json), strlen (json), PS_SIGNALLING_TO_CLIENT, (code))

/* Reading and writing again gives the canonical text */
static void
assert_roundtrip (const char            *json,
                  PsSignallingDirection  direction,
                  const char            *expected)
{
  g_autoptr(PsSignallingMessage) message = parse (json, direction);
  g_autoptr(PsSignallingMessage) again = NULL;
  g_autofree char *written = ps_signalling_message_to_json (message, direction);
  g_autofree char *written_again = NULL;

  g_assert_cmpstr (written, ==, expected);
  again = parse (written, direction);
  written_again = ps_signalling_message_to_json (again, direction);
  g_assert_cmpstr (written_again, ==, written);
}

/* What webrtcsink, webrtcsrc and gstwebrtc-api send, as their serde and
 * JavaScript write it */
static void
test_to_server (void)
{
  g_autoptr(PsSignallingMessage) status = NULL;
  g_autoptr(PsSignallingMessage) start = NULL;
  g_autoptr(PsSignallingMessage) ice = NULL;
  g_autoptr(PsSignallingMessage) sdp = NULL;
  g_autoptr(PsSignallingMessage) version = NULL;
  g_autoptr(PsSignallingMessage) end = NULL;
  g_autoptr(PsSignallingMessage) list = NULL;

  status = parse ("{\"type\":\"setPeerStatus\",\"roles\":[\"producer\"],"
                  "\"meta\":{\"display-name\":\"Front door\",\"n\":[1,2.5,true,null]},"
                  "\"peerId\":\"7d9f3a4c-1b2e-4c5d-8e6f-0a1b2c3d4e5f\"}", PS_SIGNALLING_TO_SERVER);
  g_assert_cmpint (status->type, ==, PS_SIGNALLING_MESSAGE_SET_PEER_STATUS);
  g_assert_cmpint (status->roles, ==, PS_SIGNALLING_ROLE_PRODUCER);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (status->meta));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status->meta), "display-name"),
                   ==, "Front door");
  g_assert_cmpstr (status->peer_id, ==, "7d9f3a4c-1b2e-4c5d-8e6f-0a1b2c3d4e5f");

  start = parse ("{\"type\":\"startSession\",\"peerId\":\"abc\",\"offer\":null}", PS_SIGNALLING_TO_SERVER);
  g_assert_cmpint (start->type, ==, PS_SIGNALLING_MESSAGE_START_SESSION);
  g_assert_cmpstr (start->peer_id, ==, "abc");
  g_assert_null (start->offer);
  g_assert_null (start->session_id);

  /* a browser's candidate carries more members: ignored */
  ice = parse ("{\"type\":\"peer\",\"sessionId\":\"s-1\",\"ice\":{\"candidate\":"
               "\"candidate:1 1 UDP 2015363327 192.0.2.10 40000 typ host\","
               "\"sdpMLineIndex\":1,\"sdpMid\":\"video0\",\"usernameFragment\":\"x\"}}",
               PS_SIGNALLING_TO_SERVER);
  g_assert_cmpint (ice->type, ==, PS_SIGNALLING_MESSAGE_PEER);
  g_assert_cmpint (ice->sdp_type, ==, PS_SIGNALLING_SDP_NONE);
  g_assert_cmpstr (ice->candidate, ==, "candidate:1 1 UDP 2015363327 192.0.2.10 40000 typ host");
  g_assert_cmpuint (ice->sdp_m_line_index, ==, 1);

  sdp = parse ("{\"type\":\"peer\",\"sessionId\":\"s-1\",\"sdp\":{\"type\":\"answer\","
               "\"sdp\":\"v=0\\r\\no=- 0 0 IN IP4 0.0.0.0\\r\\n\"}}", PS_SIGNALLING_TO_SERVER);
  g_assert_cmpint (sdp->sdp_type, ==, PS_SIGNALLING_SDP_ANSWER);
  g_assert_cmpstr (sdp->sdp, ==, "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\n");

  version = parse ("{\"type\":\"setProtocolVersion\",\"version\":\"v1_1\"}", PS_SIGNALLING_TO_SERVER);
  g_assert_cmpint (version->version, ==, PS_SIGNALLING_VERSION_1_1);

  end = parse ("{\"type\":\"endSessionV1_1\",\"sessionId\":\"s-1\",\"error\":\"no codec\"}",
               PS_SIGNALLING_TO_SERVER);
  g_assert_cmpint (end->type, ==, PS_SIGNALLING_MESSAGE_END_SESSION_V1_1);
  g_assert_cmpstr (end->details, ==, "no codec");

  list = parse (" {\"type\":\"list\"}\n", PS_SIGNALLING_TO_SERVER);
  g_assert_cmpint (list->type, ==, PS_SIGNALLING_MESSAGE_LIST);
}

/* What a client receives, written canonically */
static void
test_roundtrip (void)
{
  assert_roundtrip ("{\"peerId\":\"p1\",\"type\":\"welcome\"}", PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"welcome\",\"peerId\":\"p1\"}");
  assert_roundtrip ("{\"type\":\"peerStatusChanged\",\"roles\":[\"listener\",\"producer\"],"
                    "\"meta\":null,\"peerId\":\"p1\"}", PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"peerStatusChanged\",\"peerId\":\"p1\","
                    "\"roles\":[\"producer\",\"listener\"],\"meta\":null}");
  assert_roundtrip ("{\"type\":\"peerStatusChanged\",\"roles\":[],\"peerId\":\"p1\"}",
                    PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"peerStatusChanged\",\"peerId\":\"p1\",\"roles\":[],\"meta\":null}");
  assert_roundtrip ("{\"type\":\"startSession\",\"peerId\":\"c\",\"sessionId\":\"s\",\"offer\":null}",
                    PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"startSession\",\"peerId\":\"c\",\"sessionId\":\"s\"}");
  assert_roundtrip ("{\"type\":\"sessionStarted\",\"peerId\":\"p\",\"sessionId\":\"s\"}",
                    PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"sessionStarted\",\"peerId\":\"p\",\"sessionId\":\"s\"}");
  assert_roundtrip ("{\"type\":\"list\",\"producers\":[{\"id\":\"a\",\"meta\":{\"k\":\"v\"}},{\"id\":\"b\"}]}",
                    PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"list\",\"producers\":[{\"id\":\"a\",\"meta\":{\"k\":\"v\"}},"
                    "{\"id\":\"b\",\"meta\":null}]}");
  assert_roundtrip ("{\"type\":\"listConsumers\",\"consumers\":[]}", PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"listConsumers\",\"consumers\":[]}");
  assert_roundtrip ("{\"type\":\"endSession\",\"sessionId\":\"s\"}", PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"endSession\",\"sessionId\":\"s\"}");
  assert_roundtrip ("{\"type\":\"endSessionV1_1\",\"sessionId\":\"s\"}", PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"endSessionV1_1\",\"sessionId\":\"s\",\"error\":null}");
  assert_roundtrip ("{\"type\":\"error\",\"details\":\"Peer with ID 'x' not found\"}",
                    PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"error\",\"details\":\"Peer with ID 'x' not found\"}");
  assert_roundtrip ("{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"sdpMLineIndex\":0,\"candidate\":\"\"}}",
                    PS_SIGNALLING_TO_CLIENT,
                    "{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":\"\",\"sdpMLineIndex\":0}}");
  assert_roundtrip ("{\"type\":\"peer\",\"sessionId\":\"s\",\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}}",
                    PS_SIGNALLING_TO_SERVER,
                    "{\"type\":\"peer\",\"sessionId\":\"s\",\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}}");
  assert_roundtrip ("{\"type\":\"setPeerStatus\",\"roles\":[\"consumer\"]}", PS_SIGNALLING_TO_SERVER,
                    "{\"type\":\"setPeerStatus\",\"roles\":[\"consumer\"],\"meta\":null}");
  assert_roundtrip ("{\"type\":\"startSession\",\"peerId\":\"p\",\"offer\":\"v=0\\r\\n\"}",
                    PS_SIGNALLING_TO_SERVER,
                    "{\"type\":\"startSession\",\"peerId\":\"p\",\"offer\":\"v=0\\r\\n\"}");
}

/* Messages built here, as the server writes them */
static void
test_build (void)
{
  g_autoptr(PsSignallingMessage) list = ps_signalling_message_new (PS_SIGNALLING_MESSAGE_LIST);
  g_autoptr(PsSignallingMessage) error = ps_signalling_message_new_error ("Peer %s not found", "p");
  g_autoptr(JsonNode) meta = json_from_string ("{\"name\":\"cam\"}", NULL);
  g_autofree char *list_json = NULL;
  g_autofree char *error_json = NULL;

  ps_signalling_message_add_peer (list, "p-1", meta);
  ps_signalling_message_add_peer (list, "p-2", NULL);
  list_json = ps_signalling_message_to_json (list, PS_SIGNALLING_TO_CLIENT);
  g_assert_cmpstr (list_json, ==, "{\"type\":\"list\",\"producers\":[{\"id\":\"p-1\",\"meta\":"
                                  "{\"name\":\"cam\"}},{\"id\":\"p-2\",\"meta\":null}]}");
  g_clear_pointer (&list_json, g_free);
  list_json = ps_signalling_message_to_json (list, PS_SIGNALLING_TO_SERVER);
  g_assert_cmpstr (list_json, ==, "{\"type\":\"list\"}");

  error_json = ps_signalling_message_to_json (error, PS_SIGNALLING_TO_CLIENT);
  g_assert_cmpstr (error_json, ==, "{\"type\":\"error\",\"details\":\"Peer p not found\"}");

  g_assert_true (ps_signalling_id_is_valid ("2b1f0a6e-0c2d-4b8a-9a57-6f0e3d2c1b0a"));
  g_assert_false (ps_signalling_id_is_valid (""));
  g_assert_false (ps_signalling_id_is_valid ("a b"));
  g_assert_false (ps_signalling_id_is_valid ("a/b"));
  g_assert_false (ps_signalling_id_is_valid (NULL));
}

static void
test_malformed (void)
{
  static const char nul[] = "{\"type\":\"list\"}\0";
  static const char bad_utf8[] = "{\"type\":\"list\",\"x\":\"\xc3\x28\"}";
  g_autoptr(GString) deep = g_string_new ("{\"type\":\"setPeerStatus\",\"roles\":[],\"meta\":");
  g_autoptr(GString) huge = g_string_new ("{\"type\":\"list\",\"x\":\"");
  g_autoptr(GString) many = g_string_new ("{\"type\":\"list\",\"producers\":[");

  /* not one JSON object */
  FAILS ("", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("   ", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("[]", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("\"list\"", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("null", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{\"type\":\"list\"", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{\"type\":\"list\"}}", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{\"type\":\"list\"}{}", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{\"type\":\"list\"} x", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{\"type\":\"li", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{\"type\":\"list\\", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{type:\"list\"}", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{\"type\":\"list\",}", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{\"type\":\"list\"\x01}", PS_SIGNALLING_ERROR_MALFORMED);
  FAILS ("{\"type\":\"li\nst\"}", PS_SIGNALLING_ERROR_MALFORMED);
  assert_fails (nul, sizeof nul - 1, PS_SIGNALLING_TO_SERVER, PS_SIGNALLING_ERROR_MALFORMED);
  assert_fails (bad_utf8, sizeof bad_utf8 - 1, PS_SIGNALLING_TO_SERVER, PS_SIGNALLING_ERROR_MALFORMED);
  /* "\u0000" would end a C string early */
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":\"a\\u0000b\",\"sdpMLineIndex\":0}}",
         PS_SIGNALLING_ERROR_MALFORMED);

  /* nesting beyond the cap is refused before json-glib recurses */
  for (guint i = 0; i < 10000; i++)
    g_string_append (deep, "{\"a\":");
  FAILS (deep->str, PS_SIGNALLING_ERROR_MALFORMED);
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (deep, '}');
  g_string_append_c (deep, '}');
  FAILS (deep->str, PS_SIGNALLING_ERROR_MALFORMED);

  /* size */
  while (huge->len <= PS_SIGNALLING_MAX_MESSAGE_SIZE)
    g_string_append (huge, "aaaaaaaaaaaaaaaa");
  g_string_append (huge, "\"}");
  FAILS (huge->str, PS_SIGNALLING_ERROR_TOO_LARGE);

  /* type */
  FAILS ("{}", PS_SIGNALLING_ERROR_UNKNOWN_TYPE);
  FAILS ("{\"type\":7}", PS_SIGNALLING_ERROR_UNKNOWN_TYPE);
  FAILS ("{\"type\":null}", PS_SIGNALLING_ERROR_UNKNOWN_TYPE);
  FAILS ("{\"type\":\"List\"}", PS_SIGNALLING_ERROR_UNKNOWN_TYPE);
  FAILS ("{\"type\":\"welcome\",\"peerId\":\"p\"}", PS_SIGNALLING_ERROR_UNKNOWN_TYPE);
  FAILS ("{\"type\":\"newPeer\"}", PS_SIGNALLING_ERROR_UNKNOWN_TYPE);
  FAILS_TO_CLIENT ("{\"type\":\"setPeerStatus\",\"roles\":[]}", PS_SIGNALLING_ERROR_UNKNOWN_TYPE);

  /* members */
  FAILS ("{\"type\":\"setPeerStatus\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setPeerStatus\",\"roles\":\"producer\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setPeerStatus\",\"roles\":[\"admin\"]}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setPeerStatus\",\"roles\":[1]}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setPeerStatus\",\"roles\":[\"producer\",\"producer\",\"producer\",\"producer\","
         "\"producer\",\"producer\",\"producer\",\"producer\",\"producer\"]}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setPeerStatus\",\"roles\":[],\"meta\":\"cam\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setPeerStatus\",\"roles\":[],\"meta\":[1]}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setPeerStatus\",\"roles\":[],\"meta\":{\"x\":1e999}}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setPeerStatus\",\"roles\":[],\"peerId\":\"a b\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setPeerStatus\",\"roles\":[],\"peerId\":5}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setProtocolVersion\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setProtocolVersion\",\"version\":\"v2_0\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"setProtocolVersion\",\"version\":1.1}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"startSession\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"startSession\",\"peerId\":\"\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"startSession\",\"peerId\":\"../../etc\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"startSession\",\"peerId\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
         PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"startSession\",\"peerId\":\"p\",\"offer\":7}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"endSession\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"endSession\",\"sessionId\":null}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"endSessionV1_1\",\"sessionId\":\"s\",\"error\":\"a\\u0007b\"}",
         PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"ice\":{\"candidate\":\"c\",\"sdpMLineIndex\":0}}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"sdp\":{\"type\":\"offer\",\"sdp\":\"v\"},"
         "\"ice\":{\"candidate\":\"c\",\"sdpMLineIndex\":0}}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"sdp\":\"v=0\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"sdp\":{\"type\":\"pranswer\",\"sdp\":\"v\"}}",
         PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"sdp\":{\"type\":\"offer\"}}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"sdp\":{\"type\":\"offer\",\"sdp\":\"\\u0001\"}}",
         PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":\"c\"}}", PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":\"c\",\"sdpMLineIndex\":-1}}",
         PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":\"c\",\"sdpMLineIndex\":1.5}}",
         PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":\"c\",\"sdpMLineIndex\":4294967296}}",
         PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":\"c\",\"sdpMLineIndex\":\"0\"}}",
         PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":\"c\\r\\na=x\",\"sdpMLineIndex\":0}}",
         PS_SIGNALLING_ERROR_INVALID);
  FAILS ("{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":[\"c\",0]}", PS_SIGNALLING_ERROR_INVALID);
  FAILS_TO_CLIENT ("{\"type\":\"welcome\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS_TO_CLIENT ("{\"type\":\"startSession\",\"peerId\":\"p\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS_TO_CLIENT ("{\"type\":\"list\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS_TO_CLIENT ("{\"type\":\"list\",\"producers\":[{\"meta\":null}]}", PS_SIGNALLING_ERROR_INVALID);
  FAILS_TO_CLIENT ("{\"type\":\"list\",\"producers\":[\"p\"]}", PS_SIGNALLING_ERROR_INVALID);
  FAILS_TO_CLIENT ("{\"type\":\"error\"}", PS_SIGNALLING_ERROR_INVALID);
  FAILS_TO_CLIENT ("{\"type\":\"peerStatusChanged\",\"roles\":[]}", PS_SIGNALLING_ERROR_INVALID);

  /* a meta larger than the cap */
  {
    g_autoptr(GString) meta = g_string_new ("{\"type\":\"setPeerStatus\",\"roles\":[],\"meta\":{\"x\":\"");

    for (guint i = 0; i < PS_SIGNALLING_MAX_META_SIZE; i++)
      g_string_append_c (meta, 'm');
    g_string_append (meta, "\"}}");
    FAILS (meta->str, PS_SIGNALLING_ERROR_INVALID);
  }

  /* a list answer longer than the cap */
  for (guint i = 0; i <= PS_SIGNALLING_MAX_PEERS; i++)
    g_string_append_printf (many, "%s{\"id\":\"p%u\"}", i > 0 ? "," : "", i);
  g_string_append (many, "]}");
  FAILS_TO_CLIENT (many->str, PS_SIGNALLING_ERROR_INVALID);
}

/* json-glib keeps the last of duplicate members; checked all the same */
static void
test_duplicates (void)
{
  g_autoptr(PsSignallingMessage) message = NULL;

  message = parse ("{\"type\":\"endSession\",\"sessionId\":\"a\",\"sessionId\":\"b\"}",
                   PS_SIGNALLING_TO_SERVER);
  g_assert_cmpstr (message->session_id, ==, "b");
  FAILS ("{\"type\":\"endSession\",\"sessionId\":\"a\",\"sessionId\":\"b c\"}", PS_SIGNALLING_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/signalling-message/to-server", test_to_server);
  g_test_add_func ("/signalling-message/roundtrip", test_roundtrip);
  g_test_add_func ("/signalling-message/build", test_build);
  g_test_add_func ("/signalling-message/malformed", test_malformed);
  g_test_add_func ("/signalling-message/duplicates", test_duplicates);

  return g_test_run ();
}
