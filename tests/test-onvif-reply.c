/* test-onvif-reply.c: ONVIF media replies, valid and hostile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-onvif-client.h"
#include "ps-onvif-reply.h"
#include "ps-xml.h"

#define ENVELOPE(body) \
  "<?xml version=\"1.0\"?><SOAP-ENV:Envelope " \
  "xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" " \
  "xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\" " \
  "xmlns:tt=\"http://www.onvif.org/ver10/schema\"><SOAP-ENV:Body>" body \
  "</SOAP-ENV:Body></SOAP-ENV:Envelope>"

static GPtrArray *
profiles (const char  *text,
          GError     **error)
{
  return ps_onvif_reply_parse_profiles (text, strlen (text), error);
}

static void
test_profiles (void)
{
  const char *text = ENVELOPE (
    "<trt:GetProfilesResponse>"
    "<trt:Profiles token=\"main\" fixed=\"true\"><tt:Name>MainStream</tt:Name>"
    "<tt:VideoEncoderConfiguration token=\"v0\"><tt:Encoding>H264</tt:Encoding>"
    "<tt:Resolution><tt:Width>1920</tt:Width><tt:Height> 1080 </tt:Height></tt:Resolution>"
    "</tt:VideoEncoderConfiguration></trt:Profiles>"
    "<trt:Profiles token=\"sub\"><tt:Name>SubStream</tt:Name>"
    "<tt:VideoEncoderConfiguration><tt:Encoding>H264</tt:Encoding>"
    "<tt:Resolution><tt:Width>99999999</tt:Width><tt:Height>-5</tt:Height></tt:Resolution>"
    "</tt:VideoEncoderConfiguration></trt:Profiles>"
    "<trt:Profiles><tt:Name>no token: skipped</tt:Name></trt:Profiles>"
    "</trt:GetProfilesResponse>");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = profiles (text, &error);
  PsOnvifProfile *main_profile, *sub;

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  main_profile = g_ptr_array_index (list, 0);
  sub = g_ptr_array_index (list, 1);
  g_assert_cmpstr (main_profile->token, ==, "main");
  g_assert_cmpstr (main_profile->name, ==, "MainStream");
  g_assert_cmpstr (main_profile->encoding, ==, "H264");
  g_assert_cmpuint (main_profile->width, ==, 1920);
  g_assert_cmpuint (main_profile->height, ==, 1080);
  /* absurd sizes read as unknown, not as huge numbers */
  g_assert_cmpuint (sub->width, ==, 0);
  g_assert_cmpuint (sub->height, ==, 0);
}

static void
test_profiles_capped (void)
{
  GString *s = g_string_new ("<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\">"
                             "<e:Body><GetProfilesResponse>");
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *long_token = g_strnfill (100, 'x');

  g_string_append_printf (s, "<Profiles token=\"%s\"/>", long_token);
  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (s, "<Profiles token=\"p%u\"/>", i);
  g_string_append (s, "</GetProfilesResponse></e:Body></e:Envelope>");

  list = ps_onvif_reply_parse_profiles (s->str, s->len, NULL);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, PS_ONVIF_MAX_PROFILES);
  /* the over-long token was skipped */
  g_assert_cmpstr (((PsOnvifProfile *) g_ptr_array_index (list, 0))->token, ==, "p0");
  g_string_free (s, TRUE);
}

static void
test_profiles_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = profiles (ENVELOPE ("<trt:GetProfilesResponse/>"), &error);

  g_assert_null (list);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_stream_uri (void)
{
  const char *ok = ENVELOPE ("<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>\n "
                             "rtsp://10.0.0.5:554/Streaming/101\n</tt:Uri>"
                             "<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>"
                             "</trt:GetStreamUriResponse>");
  const char *http = ENVELOPE ("<trt:GetStreamUriResponse><trt:MediaUri>"
                               "<tt:Uri>http://10.0.0.5/evil</tt:Uri></trt:MediaUri>"
                               "</trt:GetStreamUriResponse>");
  const char *missing = ENVELOPE ("<trt:GetStreamUriResponse/>");
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
  g_autofree char *uri = ps_onvif_reply_parse_stream_uri (ok, strlen (ok), &e1);
  g_autofree char *bad = ps_onvif_reply_parse_stream_uri (http, strlen (http), &e2);
  g_autofree char *none = ps_onvif_reply_parse_stream_uri (missing, strlen (missing), &e3);

  g_assert_no_error (e1);
  g_assert_cmpstr (uri, ==, "rtsp://10.0.0.5:554/Streaming/101");
  g_assert_null (bad);
  g_assert_error (e2, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (none);
  g_assert_error (e3, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_faults_and_garbage (void)
{
  const char *fault = ENVELOPE ("<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender"
                                "</SOAP-ENV:Value><SOAP-ENV:Subcode><SOAP-ENV:Value>"
                                "ter:NotAuthorized</SOAP-ENV:Value></SOAP-ENV:Subcode>"
                                "</SOAP-ENV:Code></SOAP-ENV:Fault>");
  const char *garbage[] = { "", "\x00\x01\x02", "<html>Login</html>", "<<<<", "HTTP/1.1 200" };
  g_autoptr(GError) error = NULL;
  gsize big_len = PS_ONVIF_MAX_REPLY + 1;
  g_autofree char *big = g_malloc (big_len);

  g_assert_false (ps_onvif_reply_parse_empty (fault, strlen (fault), &error));
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(GPtrArray) list = ps_onvif_reply_parse_profiles (garbage[i],
                                                                 i == 1 ? 3 : strlen (garbage[i]),
                                                                 &error);
      g_assert_null (list);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }

  memset (big, 'a', big_len);
  g_assert_false (ps_onvif_reply_parse_empty (big, big_len, &error));
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE);
}

static void
test_device_info (void)
{
  const char *ok = ENVELOPE ("<tds:GetDeviceInformationResponse "
                             "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">"
                             "<tds:Manufacturer>ACME &lt;Cams&gt;</tds:Manufacturer>"
                             "<tds:Model> X1 </tds:Model><tds:FirmwareVersion>V5.5.0 build 1"
                             "</tds:FirmwareVersion><tds:SerialNumber>S1</tds:SerialNumber>"
                             "<tds:HardwareId>88</tds:HardwareId>"
                             "</tds:GetDeviceInformationResponse>");
  const char *wrong = ENVELOPE ("<trt:GetProfilesResponse/>");
  g_autofree char *long_model = g_strnfill (5000, 'M');
  g_autofree char *huge = g_strdup_printf (ENVELOPE ("<GetDeviceInformationResponse>"
                                                     "<Model>%s</Model>"
                                                     "</GetDeviceInformationResponse>"),
                                           long_model);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsOnvifDeviceInfo) info = ps_onvif_reply_parse_device_info (ok, strlen (ok), &error);
  g_autoptr(PsOnvifDeviceInfo) none = NULL;
  g_autoptr(PsOnvifDeviceInfo) capped = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (info->manufacturer, ==, "ACME <Cams>");
  g_assert_cmpstr (info->model, ==, "X1");
  g_assert_cmpstr (info->firmware, ==, "V5.5.0 build 1");
  g_assert_cmpstr (info->serial, ==, "S1");
  g_assert_cmpstr (info->hardware_id, ==, "88");

  none = ps_onvif_reply_parse_device_info (wrong, strlen (wrong), &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* an absurdly long field is dropped, not kept */
  capped = ps_onvif_reply_parse_device_info (huge, strlen (huge), NULL);
  g_assert_nonnull (capped);
  g_assert_null (capped->model);
}

/* A device may name another host in its answers; we stay on the one we asked. */
static void
test_pin_host (void)
{
  g_autofree char *same = ps_onvif_pin_host ("rtsp://cam.local:554/a?b=1", "cam.local");
  g_autofree char *moved = ps_onvif_pin_host ("rtsp://user:pw@203.0.113.9:8554/live", "127.0.0.1");
  g_autofree char *v6 = ps_onvif_pin_host ("rtsp://10.1.1.1/x", "::1");
  g_autofree char *junk = ps_onvif_pin_host ("not a uri", "127.0.0.1");

  g_assert_cmpstr (same, ==, "rtsp://cam.local:554/a?b=1");
  g_assert_cmpstr (moved, ==, "rtsp://127.0.0.1:8554/live");
  g_assert_cmpstr (v6, ==, "rtsp://[::1]/x");
  g_assert_null (junk);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/onvif-reply/profiles", test_profiles);
  g_test_add_func ("/onvif-reply/profiles-capped", test_profiles_capped);
  g_test_add_func ("/onvif-reply/profiles-empty", test_profiles_empty);
  g_test_add_func ("/onvif-reply/stream-uri", test_stream_uri);
  g_test_add_func ("/onvif-reply/faults-and-garbage", test_faults_and_garbage);
  g_test_add_func ("/onvif-reply/pin-host", test_pin_host);
  g_test_add_func ("/onvif-reply/device-info", test_device_info);

  return g_test_run ();
}
