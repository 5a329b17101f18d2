/* test-emulator.c: peerscope-camera-emulator, end to end
 *
 * Spawns the emulator (path in PS_EMULATOR) with authentication on, reads
 * its ready line and talks to it over HTTP (libsoup, async, in a main loop)
 * and RTSP, the way the app will.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ps-wsse.h"
#include "ps-xml.h"
#include "test-emulator-common.h"

#define MANUFACTURER "ACME <&> \"Cams\""

#define ENVELOPE_HEAD \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" \
  "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"" \
  " xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"" \
  " xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\">"

typedef struct
{
  GSubprocess *process;
  char        *tmpdir;
  char        *log_path;
  char        *rtsp;
  char        *rtsp_sub;
  char        *onvif;
  char        *snapshot;
  gint64       pid;
  SoupSession *session;
} Emulator;

static Emulator emu;

static void
emulator_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) stdout_stream = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  const char *path = g_getenv ("PS_EMULATOR");
  JsonObject *ready;
  Wait wait = { loop };

  g_assert_nonnull (path);

  emu.tmpdir = g_dir_make_tmp ("test-emulator-XXXXXX", &error);
  g_assert_no_error (error);
  emu.log_path = g_build_filename (emu.tmpdir, "connections.log", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  emu.process = g_subprocess_launcher_spawn (launcher, &error, path,
                                             "--name", "Test Camera",
                                             "--manufacturer", MANUFACTURER,
                                             "--bind", "127.0.0.1",
                                             "--user", USER, "--password", PASSWORD,
                                             "--log", emu.log_path,
                                             "--width", "640", "--height", "360",
                                             "--sub-width", "320", "--sub-height", "180",
                                             "--fps", "15", "--gop", "1",
                                             NULL);
  g_assert_no_error (error);

  stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (emu.process));
  g_data_input_stream_read_line_async (stdout_stream, G_PRIORITY_DEFAULT, NULL,
                                       on_ready_line_cb, &wait);
  wait_run (&wait);
  g_assert_no_error (wait.error);
  g_assert_nonnull (wait.line);

  parser = json_parser_new ();
  json_parser_load_from_data (parser, wait.line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  ready = json_node_get_object (json_parser_get_root (parser));

  emu.rtsp = dup_member (ready, "rtsp");
  emu.rtsp_sub = dup_member (ready, "rtsp_sub");
  emu.onvif = dup_member (ready, "onvif");
  emu.snapshot = dup_member (ready, "snapshot");
  emu.pid = json_object_get_int_member (ready, "pid");
  g_free (wait.line);

  emu.session = soup_session_new_with_options ("timeout", TIMEOUT_S, NULL);
}

/* HTTP helpers */

/* Sends @msg and returns the response body; the status is on @msg. */
static GBytes *
send_message (SoupMessage *msg)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait wait = { loop };

  soup_session_send_and_read_async (emu.session, msg, G_PRIORITY_DEFAULT, NULL,
                                    on_sent_cb, &wait);
  wait_run (&wait);
  g_assert_no_error (wait.error);
  g_assert_nonnull (wait.body);

  return wait.body;
}

static GBytes *
post_raw (const char *url,
          const char *data,
          gsize       len,
          guint      *status)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (data, len);
  GBytes *body;

  soup_message_set_request_body_from_bytes (msg, "application/soap+xml; charset=utf-8", request);
  body = send_message (msg);
  *status = soup_message_get_status (msg);

  return body;
}

/* @header: the content of the SOAP Header, or NULL for none. */
static GBytes *
post_soap (const char *url,
           const char *header,
           const char *body,
           guint      *status)
{
  g_autofree char *envelope = NULL;

  envelope = g_strconcat (ENVELOPE_HEAD,
                          header != NULL ? "<s:Header>" : "",
                          header != NULL ? header : "",
                          header != NULL ? "</s:Header>" : "",
                          "<s:Body>", body, "</s:Body></s:Envelope>", NULL);

  return post_raw (url, envelope, strlen (envelope), status);
}

static char *
auth_header (const char *password)
{
  return ps_wsse_security_header (USER, password);
}

static xmlDoc *
parse_reply (GBytes *body)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  xmlDoc *doc = ps_xml_parse (data, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (doc);

  return doc;
}

/* Asserts a successful SOAP reply and returns its first Body child. */
static xmlNode *
expect_response (xmlDoc     *doc,
                 const char *response_name)
{
  g_autoptr(GError) error = NULL;
  xmlNode *body = ps_xml_soap_body (doc, &error);
  xmlNode *response;

  g_assert_no_error (error);
  response = ps_xml_find_child (body, response_name);
  g_assert_nonnull (response);
  g_assert_nonnull (response->ns);

  return response;
}

/* Asserts a SOAP fault whose Code/Subcode chain contains @subcode. */
static void
expect_fault (GBytes     *body,
              const char *code,
              const char *subcode)
{
  g_autoptr(xmlDoc) doc = parse_reply (body);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) chain = g_string_new (NULL);
  xmlNode *fault;

  g_assert_null (ps_xml_soap_body (doc, &error));
  g_assert_true (g_error_matches (error, PS_XML_ERROR, PS_XML_ERROR_SOAP_FAULT) ||
                 g_error_matches (error, PS_XML_ERROR, PS_XML_ERROR_NOT_AUTHORIZED));

  fault = ps_xml_find (xmlDocGetRootElement (doc), "Fault");
  g_assert_nonnull (fault);
  for (xmlNode *n = ps_xml_find (fault, "Code"); n != NULL; n = ps_xml_find_child (n, "Subcode"))
    {
      g_autofree char *value = ps_xml_text (ps_xml_find_child (n, "Value"));

      g_string_append_printf (chain, "%s ", value);
    }

  g_test_message ("fault chain: %s", chain->str);
  g_assert_true (g_str_has_prefix (chain->str, code));
  g_assert_nonnull (strstr (chain->str, subcode));
}

/* Tests */

static void
test_ready_line (void)
{
  g_autofree char *prefix = NULL;

  g_assert_cmpstr (g_subprocess_get_identifier (emu.process), ==,
                   (prefix = g_strdup_printf ("%" G_GINT64_FORMAT, emu.pid)));
  g_assert_true (g_str_has_prefix (emu.rtsp, "rtsp://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (emu.rtsp, "/main"));
  g_assert_true (g_str_has_suffix (emu.rtsp_sub, "/sub"));
  g_assert_true (g_str_has_prefix (emu.onvif, "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (emu.onvif, "/onvif/device_service"));
  g_assert_true (g_str_has_suffix (emu.snapshot, "/snapshot.jpg"));
}

static void
test_device_information (void)
{
  g_autofree char *header = auth_header (PASSWORD);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *manufacturer = NULL;
  g_autofree char *model = NULL;
  guint status;

  body = post_soap (emu.onvif, header, "<tds:GetDeviceInformation/>", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);

  doc = parse_reply (body);
  manufacturer = ps_xml_find_text (expect_response (doc, "GetDeviceInformationResponse"),
                                   "Manufacturer");
  g_assert_cmpstr (manufacturer, ==, MANUFACTURER);
  model = ps_xml_find_text (xmlDocGetRootElement (doc), "Model");
  g_assert_cmpstr (model, ==, "EmuCam 1");
}

static void
test_wrong_password (void)
{
  g_autofree char *header = auth_header ("not-the-password");
  g_autoptr(GBytes) body = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  body = post_soap (emu.onvif, header, "<tds:GetDeviceInformation/>", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  expect_fault (body, "s:Sender", "ter:NotAuthorized");

  doc = parse_reply (body);
  g_assert_null (ps_xml_soap_body (doc, &error));
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_NOT_AUTHORIZED);
  g_assert_nonnull (strstr (error->message, "Sender not authorized"));
}

static void
test_no_token (void)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) plain = NULL;
  guint status;

  body = post_soap (emu.onvif, NULL, "<trt:GetProfiles/>", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  expect_fault (body, "s:Sender", "ter:NotAuthorized");

  /* A PasswordText token with the wrong password is no better. */
  plain = post_soap (emu.onvif,
                     "<wsse:Security xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/"
                     "oasis-200401-wss-wssecurity-secext-1.0.xsd\"><wsse:UsernameToken>"
                     "<wsse:Username>admin</wsse:Username><wsse:Password Type=\""
                     "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-"
                     "profile-1.0#PasswordText\">wrong</wsse:Password></wsse:UsernameToken>"
                     "</wsse:Security>",
                     "<trt:GetProfiles/>", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  expect_fault (plain, "s:Sender", "ter:NotAuthorized");
}

static void
test_open_actions (void)
{
  const char *actions[] = {
    "<tds:GetSystemDateAndTime/>", "<tds:GetCapabilities/>", "<tds:GetServices/>",
  };
  const char *responses[] = {
    "GetSystemDateAndTimeResponse", "GetCapabilitiesResponse", "GetServicesResponse",
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      g_autoptr(GBytes) body = NULL;
      g_autoptr(xmlDoc) doc = NULL;
      guint status;

      body = post_soap (emu.onvif, NULL, actions[i], &status);
      g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
      doc = parse_reply (body);
      expect_response (doc, responses[i]);
    }
}

static void
test_profiles (void)
{
  g_autofree char *header = auth_header (PASSWORD);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  const char *tokens[] = { "main", "sub" };
  const char *names[] = { "MainStream", "SubStream" };
  const char *widths[] = { "640", "320" };
  xmlNode *response;
  guint n = 0;
  guint status;

  body = post_soap (emu.onvif, header, "<trt:GetProfiles/>", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  doc = parse_reply (body);
  response = expect_response (doc, "GetProfilesResponse");

  for (xmlNode *p = response->children; p != NULL; p = p->next)
    {
      g_autofree char *token = ps_xml_attr (p, "token");
      g_autofree char *name = ps_xml_text (ps_xml_find_child (p, "Name"));
      g_autofree char *encoding = ps_xml_find_text (p, "Encoding");
      g_autofree char *width = ps_xml_find_text (ps_xml_find (p, "Resolution"), "Width");
      g_autofree char *fps = ps_xml_find_text (p, "FrameRateLimit");

      g_assert_cmpuint (n, <, 2);
      g_assert_cmpstr ((const char *) p->name, ==, "Profiles");
      g_assert_cmpstr (token, ==, tokens[n]);
      g_assert_cmpstr (name, ==, names[n]);
      g_assert_cmpstr (encoding, ==, "H264");
      g_assert_cmpstr (width, ==, widths[n]);
      g_assert_cmpstr (fps, ==, "15");
      n++;
    }
  g_assert_cmpuint (n, ==, 2);
}

static char *
get_stream_uri (const char *token,
                guint      *status,
                GBytes    **reply)
{
  g_autofree char *header = auth_header (PASSWORD);
  g_autofree char *request = NULL;
  g_autoptr(xmlDoc) doc = NULL;

  request = g_strdup_printf ("<trt:GetStreamUri><trt:StreamSetup/>"
                             "<trt:ProfileToken>%s</trt:ProfileToken></trt:GetStreamUri>",
                             token);
  /* Media requests go to the media service, as a client would send them. */
  {
    g_autofree char *media = NULL;
    char *slash = strrchr (emu.onvif, '/');

    media = g_strdup_printf ("%.*s/media_service", (int) (slash - emu.onvif), emu.onvif);
    *reply = post_soap (media, header, request, status);
  }
  if (*status != SOUP_STATUS_OK)
    return NULL;

  doc = parse_reply (*reply);
  return ps_xml_find_text (expect_response (doc, "GetStreamUriResponse"), "Uri");
}

static void
test_stream_uri (void)
{
  g_autoptr(GBytes) reply_main = NULL;
  g_autoptr(GBytes) reply_sub = NULL;
  g_autoptr(GBytes) reply_bad = NULL;
  g_autofree char *main_uri = NULL;
  g_autofree char *sub_uri = NULL;
  g_autofree char *bad_uri = NULL;
  guint status;

  main_uri = get_stream_uri ("main", &status, &reply_main);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (main_uri, ==, emu.rtsp);

  sub_uri = get_stream_uri ("sub", &status, &reply_sub);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (sub_uri, ==, emu.rtsp_sub);

  bad_uri = get_stream_uri ("nope", &status, &reply_bad);
  g_assert_null (bad_uri);
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  expect_fault (reply_bad, "s:Sender", "ter:NoProfile");
}

static void
test_garbage (void)
{
  g_autofree char *junk = g_malloc (100 * 1024);
  const char *laughs =
    "<?xml version=\"1.0\"?>"
    "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"
    "<GetDeviceInformation xmlns=\"http://www.onvif.org/ver10/device/wsdl\">&lol9;"
    "</GetDeviceInformation></s:Body></s:Envelope>";
  struct { const char *what; const char *data; gsize len; } cases[] = {
    { "empty body", "", 0 },
    { "<<<", "<<<", 3 },
    { "100 KiB of junk", junk, 100 * 1024 },
    { "billion laughs", laughs, strlen (laughs) },
    { "XML, not SOAP", "<a><b/></a>", 11 },
    { "empty SOAP Body", ENVELOPE_HEAD "<s:Body/></s:Envelope>",
      strlen (ENVELOPE_HEAD "<s:Body/></s:Envelope>") },
  };
  g_autoptr(GBytes) alive = NULL;
  guint status;

  for (gsize i = 0; i < 100 * 1024; i++)
    junk[i] = (char) ('!' + g_random_int_range (0, 90));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = NULL;

      g_test_message ("sending %s", cases[i].what);
      body = post_raw (emu.onvif, cases[i].data, cases[i].len, &status);
      g_assert_cmpuint (status, >=, 400);
      g_assert_cmpuint (status, <, 500);
      expect_fault (body, "s:Sender", "ter:");
    }

  /* Still alive and answering. */
  g_assert_nonnull (g_subprocess_get_identifier (emu.process));
  alive = post_soap (emu.onvif, NULL, "<tds:GetSystemDateAndTime/>", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
}

static void
test_unknown_action (void)
{
  g_autofree char *header = auth_header (PASSWORD);
  g_autoptr(GBytes) body = NULL;
  guint status;

  body = post_soap (emu.onvif, header, "<tds:SetSystemFactoryDefault/>", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_INTERNAL_SERVER_ERROR);
  expect_fault (body, "s:Receiver", "ter:ActionNotSupported");
}

static void
test_sync_point (void)
{
  g_autofree char *header = auth_header (PASSWORD);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) bad = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  guint status;

  body = post_soap (emu.onvif, header,
                    "<trt:SetSynchronizationPoint><trt:ProfileToken>sub</trt:ProfileToken>"
                    "</trt:SetSynchronizationPoint>", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  doc = parse_reply (body);
  expect_response (doc, "SetSynchronizationPointResponse");

  bad = post_soap (emu.onvif, header,
                   "<trt:SetSynchronizationPoint><trt:ProfileToken>x</trt:ProfileToken>"
                   "</trt:SetSynchronizationPoint>", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  expect_fault (bad, "s:Sender", "ter:NoProfile");
}

static void
test_snapshot (void)
{
  g_autofree char *auth = NULL;
  g_autofree char *credentials = g_base64_encode ((const guchar *) USER ":" PASSWORD,
                                                  strlen (USER ":" PASSWORD));
  g_autoptr(SoupMessage) anonymous = soup_message_new ("GET", emu.snapshot);
  g_autoptr(GBytes) refused = send_message (anonymous);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_assert_cmpuint (soup_message_get_status (anonymous), ==, SOUP_STATUS_UNAUTHORIZED);

  auth = g_strdup_printf ("Basic %s", credentials);
  for (;;)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", emu.snapshot);
      g_autoptr(GBytes) jpeg = NULL;
      const guint8 *data;
      gsize len;

      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Authorization", auth);
      jpeg = send_message (msg);
      /* 503 until the first JPEG of the 1 fps branch. */
      if (soup_message_get_status (msg) == SOUP_STATUS_SERVICE_UNAVAILABLE &&
          g_get_monotonic_time () < deadline)
        {
          g_usleep (200 * 1000);
          continue;
        }

      g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
      g_assert_cmpstr (soup_message_headers_get_content_type (
                         soup_message_get_response_headers (msg), NULL), ==, "image/jpeg");
      data = g_bytes_get_data (jpeg, &len);
      g_assert_cmpuint (len, >, 1000);
      g_assert_cmpuint (data[0], ==, 0xff);
      g_assert_cmpuint (data[1], ==, 0xd8);
      g_assert_cmpuint (data[len - 2], ==, 0xff);
      g_assert_cmpuint (data[len - 1], ==, 0xd9);
      break;
    }
}

/* One RTSP request on a fresh connection; returns the status line and body. */
static char *
rtsp_describe (const char  *url,
               const char  *authorization,
               char       **sdp)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  g_autofree char *status = NULL;
  gsize content_length = 0;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);

  g_socket_client_set_timeout (client, TIMEOUT_S);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri),
                                                (guint16) g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);

  request = g_strdup_printf ("DESCRIBE %s RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n"
                             "%s%s%s\r\n",
                             url,
                             authorization != NULL ? "Authorization: " : "",
                             authorization != NULL ? authorization : "",
                             authorization != NULL ? "\r\n" : "");
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);

  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  status = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (status);

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (*line == '\0')
        break;
      if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        content_length = (gsize) g_ascii_strtoull (line + 15, NULL, 10);
    }

  *sdp = g_malloc0 (content_length + 1);
  g_input_stream_read_all (G_INPUT_STREAM (in), *sdp, content_length, NULL, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&status);
}

static void
test_rtsp_auth (void)
{
  g_autofree char *good = g_base64_encode ((const guchar *) USER ":" PASSWORD,
                                           strlen (USER ":" PASSWORD));
  g_autofree char *bad = g_base64_encode ((const guchar *) USER ":nope", strlen (USER ":nope"));
  g_autofree char *good_header = g_strdup_printf ("Basic %s", good);
  g_autofree char *bad_header = g_strdup_printf ("Basic %s", bad);
  g_autofree char *status = NULL;
  g_autofree char *sdp = NULL;

  status = rtsp_describe (emu.rtsp, NULL, &sdp);
  g_assert_cmpstr (status, ==, "RTSP/1.0 401 Unauthorized");
  g_clear_pointer (&status, g_free);
  g_clear_pointer (&sdp, g_free);

  status = rtsp_describe (emu.rtsp, bad_header, &sdp);
  g_assert_cmpstr (status, ==, "RTSP/1.0 401 Unauthorized");
  g_clear_pointer (&status, g_free);
  g_clear_pointer (&sdp, g_free);

  status = rtsp_describe (emu.rtsp_sub, good_header, &sdp);
  g_assert_cmpstr (status, ==, "RTSP/1.0 200 OK");
  g_assert_nonnull (strstr (sdp, "m=video"));
  g_assert_nonnull (strstr (sdp, "H264/90000"));
  g_assert_nonnull (strstr (sdp, "sprop-parameter-sets="));
}

static gboolean
log_has (JsonObject **events,
         guint        n_events,
         const char  *event,
         const char  *key,
         const char  *value,
         const char  *key2,
         const char  *value2)
{
  for (guint i = 0; i < n_events; i++)
    {
      JsonObject *o = events[i];

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""), event) != 0)
        continue;
      if (key != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (o, key, ""), value) != 0)
        continue;
      if (key2 != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (o, key2, ""), value2) != 0)
        continue;
      return TRUE;
    }

  return FALSE;
}

static void
test_log (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) parsers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) events = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_file_get_contents (emu.log_path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      JsonParser *parser;
      JsonObject *object;

      if (*lines[i] == '\0')
        continue;
      parser = json_parser_new ();
      g_ptr_array_add (parsers, parser);
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_nonnull (object);
      g_assert_true (json_object_get_int_member (object, "ts_us") > 0);
      g_ptr_array_add (events, object);
    }

  g_assert_true (log_has ((JsonObject **) events->pdata, events->len,
                          "accept", "proto", "http", "peer", "127.0.0.1"));
  g_assert_true (log_has ((JsonObject **) events->pdata, events->len,
                          "accept", "proto", "rtsp", "peer", "127.0.0.1"));
  g_assert_true (log_has ((JsonObject **) events->pdata, events->len,
                          "onvif", "action", "GetDeviceInformation", "auth", "ok"));
  g_assert_true (log_has ((JsonObject **) events->pdata, events->len,
                          "onvif", "action", "GetDeviceInformation", "auth", "denied"));
  g_assert_true (log_has ((JsonObject **) events->pdata, events->len,
                          "onvif", "action", "GetProfiles", "auth", "ok"));
  g_assert_true (log_has ((JsonObject **) events->pdata, events->len,
                          "keyframe", "stream", "sub", "reason", "onvif"));
}

static void
test_shutdown (void)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (emu.process, SIGTERM);
  g_subprocess_wait (emu.process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (emu.process));
  g_assert_cmpint (g_subprocess_get_exit_status (emu.process), ==, 0);
}

static void
emulator_cleanup (void)
{
  if (emu.process != NULL && g_subprocess_get_identifier (emu.process) != NULL)
    {
      g_subprocess_force_exit (emu.process);
      g_subprocess_wait (emu.process, NULL, NULL);
    }
  g_clear_object (&emu.process);
  g_clear_object (&emu.session);
  if (emu.log_path != NULL)
    g_unlink (emu.log_path);
  if (emu.tmpdir != NULL)
    g_rmdir (emu.tmpdir);
  g_free (emu.log_path);
  g_free (emu.tmpdir);
  g_free (emu.rtsp);
  g_free (emu.rtsp_sub);
  g_free (emu.onvif);
  g_free (emu.snapshot);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* One emulator for all the tests, which run in the order added (they
   * share one suite on purpose: GLib runs sub-suites after the cases).
   * Should anything abort, the emulator dies with us (PR_SET_PDEATHSIG). */
  emulator_start ();

  g_test_add_func ("/emulator/ready-line", test_ready_line);
  g_test_add_func ("/emulator/onvif-device-information", test_device_information);
  g_test_add_func ("/emulator/onvif-wrong-password", test_wrong_password);
  g_test_add_func ("/emulator/onvif-no-token", test_no_token);
  g_test_add_func ("/emulator/onvif-open-actions", test_open_actions);
  g_test_add_func ("/emulator/onvif-profiles", test_profiles);
  g_test_add_func ("/emulator/onvif-stream-uri", test_stream_uri);
  g_test_add_func ("/emulator/onvif-garbage", test_garbage);
  g_test_add_func ("/emulator/onvif-unknown-action", test_unknown_action);
  g_test_add_func ("/emulator/onvif-sync-point", test_sync_point);
  g_test_add_func ("/emulator/snapshot", test_snapshot);
  g_test_add_func ("/emulator/rtsp-auth", test_rtsp_auth);
  g_test_add_func ("/emulator/log", test_log);
  g_test_add_func ("/emulator/shutdown", test_shutdown);
  phone_home_add_tests ();

  ret = g_test_run ();
  phone_home_cleanup ();
  emulator_cleanup ();

  return ret;
}
