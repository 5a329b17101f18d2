/* test-stream.c: PsStream against the camera emulator and hostile servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <libsoup/soup.h>

#include "ps-stream.h"
#include "ps-test-emulator.h"

#define USER     "admin"
#define PASSWORD "s3cret"

typedef struct
{
  PsStream *stream;
  guint64   frames;
} Want;

static gboolean
has_frames (gpointer data)
{
  Want *want = data;

  return ps_stream_get_frames (want->stream) >= want->frames &&
         ps_stream_get_state (want->stream) == PS_STREAM_STATE_PLAYING;
}

static gboolean
in_error (gpointer data)
{
  return ps_stream_get_state (data) == PS_STREAM_STATE_ERROR;
}

static gboolean
reconnecting (gpointer data)
{
  return ps_stream_get_state (data) == PS_STREAM_STATE_RECONNECTING;
}

static void
assert_plays (PsStream *stream,
              guint     width,
              guint     height)
{
  Want want = { stream, 30 };
  double p50 = 0, p95 = 0;

  ps_stream_start (stream);
  g_assert_true (ps_test_wait_until (has_frames, &want, 20000));

  g_assert_cmpstr (ps_stream_get_codec (stream), ==, "h264");
  g_assert_cmpuint (ps_stream_get_width (stream), ==, width);
  g_assert_cmpuint (ps_stream_get_height (stream), ==, height);
  g_assert_cmpfloat (ps_stream_get_first_frame_ms (stream), >, 0);
  g_assert_cmpfloat (ps_stream_get_first_frame_ms (stream), <, 20000);
  g_assert_cmpfloat (ps_stream_get_fps (stream), >, 5);
  /* the emulator stamps every frame: latency must be known and sane */
  g_assert_true (ps_stream_get_latency (stream, &p50, &p95));
  g_assert_cmpfloat (p50, >, 0);
  g_assert_cmpfloat (p50, <=, p95);
  g_assert_cmpfloat (p95, <, 2000);
  g_test_message ("%ux%u first frame %.0f ms, latency p50 %.1f ms p95 %.1f ms",
                  width, height, ps_stream_get_first_frame_ms (stream), p50, p95);

  ps_stream_stop (stream);
  g_assert_cmpint (ps_stream_get_state (stream), ==, PS_STREAM_STATE_IDLE);
}

static void
test_onvif_main (void)
{
  g_autoptr(PsTestEmulator) emu = ps_test_emulator_start ("--user", USER,
                                                          "--password", PASSWORD, NULL);
  g_autoptr(PsStream) stream = ps_stream_new (emu->onvif);

  ps_stream_set_credentials (stream, USER, PASSWORD);
  assert_plays (stream, 1280, 720);
  g_assert_cmpstr (ps_stream_get_resolved_uri (stream), ==, emu->rtsp);
}

static void
test_rtsp_sub (void)
{
  g_autoptr(PsTestEmulator) emu = ps_test_emulator_start ("--user", USER,
                                                          "--password", PASSWORD, NULL);
  g_autoptr(PsStream) stream = ps_stream_new (emu->rtsp_sub);

  ps_stream_set_credentials (stream, USER, PASSWORD);
  assert_plays (stream, 640, 360);
}

static void
assert_fails (PsStream      *stream,
              PsStreamError  code)
{
  const GError *error;

  ps_stream_set_timeout (stream, 8000);
  ps_stream_start (stream);
  g_assert_true (ps_test_wait_until (in_error, stream, 15000));

  error = ps_stream_get_error (stream);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_error ((GError *) error, PS_STREAM_ERROR, (int) code);
  g_assert_cmpuint (ps_stream_get_frames (stream), ==, 0);
}

static void
test_wrong_password (void)
{
  g_autoptr(PsTestEmulator) emu = ps_test_emulator_start ("--user", USER,
                                                          "--password", PASSWORD, NULL);
  g_autoptr(PsStream) onvif = ps_stream_new (emu->onvif);
  g_autoptr(PsStream) rtsp = ps_stream_new (emu->rtsp);
  g_autoptr(PsStream) anonymous = ps_stream_new (emu->rtsp);

  ps_stream_set_credentials (onvif, USER, "wrong");
  assert_fails (onvif, PS_STREAM_ERROR_AUTH);
  ps_stream_set_credentials (rtsp, USER, "wrong");
  assert_fails (rtsp, PS_STREAM_ERROR_AUTH);
  assert_fails (anonymous, PS_STREAM_ERROR_AUTH);
}

static void
test_refused (void)
{
  g_autofree char *rtsp = g_strdup_printf ("rtsp://127.0.0.1:%u/main", ps_test_free_port ());
  g_autofree char *onvif = g_strdup_printf ("http://127.0.0.1:%u/onvif/device_service",
                                            ps_test_free_port ());
  g_autoptr(PsStream) a = ps_stream_new (rtsp);
  g_autoptr(PsStream) b = ps_stream_new (onvif);

  assert_fails (a, PS_STREAM_ERROR_REFUSED);
  assert_fails (b, PS_STREAM_ERROR_REFUSED);
}

static void
test_invalid_uri (void)
{
  g_autoptr(PsStream) stream = ps_stream_new ("ftp://127.0.0.1/x");

  assert_fails (stream, PS_STREAM_ERROR_INVALID_URI);
}

/* A playing camera that goes away is reconnected when it comes back. */
static void
test_reconnect (void)
{
  g_autofree char *rtsp_port = g_strdup_printf ("%u", ps_test_free_port ());
  g_autofree char *onvif_port = g_strdup_printf ("%u", ps_test_free_port ());
  PsTestEmulator *emu = ps_test_emulator_start ("--rtsp-port", rtsp_port,
                                                "--onvif-port", onvif_port, NULL);
  g_autoptr(PsStream) stream = ps_stream_new (emu->rtsp_sub);
  Want want = { stream, 10 };

  ps_stream_start (stream);
  g_assert_true (ps_test_wait_until (has_frames, &want, 20000));

  ps_test_emulator_stop (emu);
  g_assert_true (ps_test_wait_until (reconnecting, stream, 10000));
  g_assert_nonnull (ps_stream_get_error (stream));
  g_test_message ("dropped: %s", ps_stream_get_error (stream)->message);

  emu = ps_test_emulator_start ("--rtsp-port", rtsp_port, "--onvif-port", onvif_port, NULL);
  g_assert_true (ps_test_wait_until (has_frames, &want, 30000));
  g_assert_cmpuint (ps_stream_get_reconnects (stream), >=, 1);
  g_assert_null (ps_stream_get_error (stream));

  ps_stream_stop (stream);
  ps_test_emulator_stop (emu);
}

/* An RTSP server with only an audio track. */
static void
test_no_video (void)
{
  g_autoptr(GstRTSPServer) server = gst_rtsp_server_new ();
  g_autoptr(GstRTSPMountPoints) mounts = gst_rtsp_server_get_mount_points (server);
  GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new ();
  g_autoptr(PsStream) stream = NULL;
  g_autofree char *uri = NULL;
  guint source_id;

  gst_rtsp_media_factory_set_launch (factory, "( audiotestsrc is-live=true ! audioconvert ! "
                                              "rtpL16pay name=pay0 )");
  gst_rtsp_mount_points_add_factory (mounts, "/audio", factory);
  gst_rtsp_server_set_address (server, "127.0.0.1");
  gst_rtsp_server_set_service (server, "0");
  source_id = gst_rtsp_server_attach (server, NULL);
  g_assert_cmpuint (source_id, >, 0);

  uri = g_strdup_printf ("rtsp://127.0.0.1:%d/audio", gst_rtsp_server_get_bound_port (server));
  stream = ps_stream_new (uri);
  assert_fails (stream, PS_STREAM_ERROR_NO_VIDEO);

  g_source_remove (source_id);
}

/* A server that answers anything with junk. */
static gboolean
on_incoming_junk (GSocketService     *service,
                  GSocketConnection  *connection,
                  GObject            *source,
                  gpointer            user_data)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  static const char junk[] = "RTSP/1.0 999 \x01\x02\xff\r\nCSeq: -1\r\nContent-Length: 99999999"
                             "\r\n\r\n\x00\x00garbage";

  g_output_stream_write_all (out, junk, sizeof junk, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return TRUE;
}

static void
on_soap_junk (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/soap+xml", SOUP_MEMORY_STATIC,
                                    "<s:Envelope><s:Body><<<", 22);
}

static void
test_hostile_servers (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(SoupServer) soup = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsStream) rtsp = NULL;
  g_autoptr(PsStream) onvif = NULL;
  g_autofree char *rtsp_uri = NULL;
  g_autofree char *onvif_uri = NULL;
  g_autoptr(GSList) uris = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming_junk), NULL);
  g_socket_service_start (service);
  rtsp_uri = g_strdup_printf ("rtsp://127.0.0.1:%u/main", port);
  rtsp = ps_stream_new (rtsp_uri);
  ps_stream_set_timeout (rtsp, 4000);
  ps_stream_start (rtsp);
  g_assert_true (ps_test_wait_until (in_error, rtsp, 15000));
  g_assert_nonnull (ps_stream_get_error (rtsp));
  g_assert_true (ps_stream_get_error (rtsp)->domain == PS_STREAM_ERROR);

  soup_server_add_handler (soup, NULL, on_soap_junk, NULL, NULL);
  soup_server_listen_local (soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (soup);
  onvif_uri = g_strdup_printf ("http://127.0.0.1:%d/onvif/device_service",
                               g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  onvif = ps_stream_new (onvif_uri);
  assert_fails (onvif, PS_STREAM_ERROR_PROTOCOL);
}

/* Video can go to the application's own sink (gtk4paintablesink in the
 * GUI where GStreamer has it), across reconnections, and is still measured. */
static void
test_own_sink (void)
{
  g_autoptr(PsTestEmulator) emu = ps_test_emulator_start ("--name", "own-sink", NULL);
  g_autoptr(PsStream) stream = ps_stream_new (emu->rtsp_sub);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);

  g_object_set (sink, "sync", FALSE, NULL);
  ps_stream_set_video_sink (stream, sink);
  assert_plays (stream, 640, 360);
  /* the same sink goes into the next pipeline */
  assert_plays (stream, 640, 360);
  g_assert_null (GST_OBJECT_PARENT (sink));
}

/* Credentials in the URI never show in what the stream reports. */
static void
test_credentials_hidden (void)
{
  g_autoptr(PsStream) stream = ps_stream_new ("rtsp://bob:hunter2@127.0.0.1:554/main");

  g_assert_cmpstr (ps_stream_get_uri (stream), ==, "rtsp://127.0.0.1:554/main");
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stream/credentials-hidden", test_credentials_hidden);
  g_test_add_func ("/stream/onvif-main", test_onvif_main);
  g_test_add_func ("/stream/rtsp-sub", test_rtsp_sub);
  g_test_add_func ("/stream/own-sink", test_own_sink);
  g_test_add_func ("/stream/wrong-password", test_wrong_password);
  g_test_add_func ("/stream/refused", test_refused);
  g_test_add_func ("/stream/invalid-uri", test_invalid_uri);
  g_test_add_func ("/stream/no-video", test_no_video);
  g_test_add_func ("/stream/hostile-servers", test_hostile_servers);
  g_test_add_func ("/stream/reconnect", test_reconnect);

  return g_test_run ();
}
