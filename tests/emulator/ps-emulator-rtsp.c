/* ps-emulator-rtsp.c: RTSP server with /main and /sub
 *
 * Each mount is a shared media factory whose pipeline starts with an appsrc
 * fed by the stream's always-running encoder (see ps-emulator-video.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <gst/rtsp-server/rtsp-server.h>

#include "ps-emulator-net.h"
#include "ps-emulator-rtsp.h"

#define LAUNCH_LINE \
  "( appsrc name=src is-live=true format=time do-timestamp=true " \
  "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
#define ROLE "user"

struct _PsEmulatorRtsp
{
  GstRTSPServer *server;
  GSource       *source;
  PsEmulatorLog *log;       /* unowned */

  /* Media -> stream, for the medias we feed; touched by RTSP threads. */
  GMutex         lock;
  GHashTable    *medias;
};

typedef struct
{
  PsEmulatorRtsp   *rtsp;
  PsEmulatorStream *stream;
} FactoryData;

static void
on_media_finalized_cb (gpointer  user_data,
                       GObject  *where_the_object_was)
{
  PsEmulatorRtsp *self = user_data;
  PsEmulatorStream *stream;

  g_mutex_lock (&self->lock);
  stream = g_hash_table_lookup (self->medias, where_the_object_was);
  if (stream != NULL)
    {
      ps_emulator_stream_remove_owner (stream, where_the_object_was);
      g_hash_table_remove (self->medias, where_the_object_was);
    }
  g_mutex_unlock (&self->lock);
}

static void
on_media_unprepared_cb (GstRTSPMedia *media,
                        gpointer      user_data)
{
  PsEmulatorRtsp *self = user_data;

  g_mutex_lock (&self->lock);
  if (g_hash_table_contains (self->medias, media))
    {
      ps_emulator_stream_remove_owner (g_hash_table_lookup (self->medias, media), media);
      g_hash_table_remove (self->medias, media);
      g_signal_handlers_disconnect_by_data (media, self);
      g_object_weak_unref (G_OBJECT (media), on_media_finalized_cb, self);
    }
  g_mutex_unlock (&self->lock);
}

static void
on_media_configure_cb (GstRTSPMediaFactory *factory,
                       GstRTSPMedia        *media,
                       gpointer             user_data)
{
  FactoryData *data = user_data;
  PsEmulatorRtsp *self = data->rtsp;
  g_autoptr(GstElement) bin = gst_rtsp_media_get_element (media);
  g_autoptr(GstElement) appsrc = NULL;

  appsrc = gst_bin_get_by_name_recurse_up (GST_BIN (bin), "src");
  g_assert (appsrc != NULL);

  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->medias, media, data->stream);
  g_signal_connect (media, "unprepared", G_CALLBACK (on_media_unprepared_cb), self);
  g_object_weak_ref (G_OBJECT (media), on_media_finalized_cb, self);
  g_mutex_unlock (&self->lock);

  ps_emulator_stream_add_appsrc (data->stream, appsrc, media);
}

static void
on_client_connected_cb (GstRTSPServer *server,
                        GstRTSPClient *client,
                        gpointer       user_data)
{
  PsEmulatorRtsp *self = user_data;
  GstRTSPConnection *connection = gst_rtsp_client_get_connection (client);
  g_autoptr(GSocketAddress) peer = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  GSocket *socket;

  if (connection == NULL)
    return;

  socket = gst_rtsp_connection_get_read_socket (connection);
  if (socket != NULL)
    {
      peer = g_socket_get_remote_address (socket, NULL);
      local = g_socket_get_local_address (socket, NULL);
    }

  g_debug ("rtsp: client connected from %s port %u",
           gst_rtsp_connection_get_ip (connection), ps_emulator_net_port (peer));
  ps_emulator_log_accept (self->log, "rtsp", peer, local);
}

static void
add_mount (PsEmulatorRtsp     *self,
           GstRTSPMountPoints *mounts,
           PsEmulatorStream   *stream,
           gboolean            with_auth)
{
  g_autoptr(GstRTSPMediaFactory) factory = gst_rtsp_media_factory_new ();
  g_autofree char *path = g_strdup_printf ("/%s", ps_emulator_stream_get_id (stream));
  FactoryData *data;

  gst_rtsp_media_factory_set_launch (factory, LAUNCH_LINE);
  gst_rtsp_media_factory_set_shared (factory, TRUE);
  /* No multicast, ever. */
  gst_rtsp_media_factory_set_protocols (factory,
                                        GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_TCP);
  /* Plain AVP, like most cameras: rtpsession acts on PLI/FIR anyway, and
   * offering AVP|AVPF puts two m= lines in the SDP, which slows ffmpeg down
   * by seconds. */
  if (with_auth)
    gst_rtsp_media_factory_add_role (factory, ROLE,
                                     GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                     GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE,
                                     NULL);

  data = g_new0 (FactoryData, 1);
  data->rtsp = self;
  data->stream = stream;
  g_signal_connect_data (factory, "media-configure", G_CALLBACK (on_media_configure_cb),
                         data, (GClosureNotify) (void (*) (void)) g_free, 0);

  gst_rtsp_mount_points_add_factory (mounts, path, g_steal_pointer (&factory));
}

static void
setup_auth (GstRTSPServer *server,
            const char    *user,
            const char    *password)
{
  g_autoptr(GstRTSPAuth) auth = gst_rtsp_auth_new ();
  g_autoptr(GstRTSPToken) token = NULL;
  g_autofree char *basic = NULL;

  token = gst_rtsp_token_new (GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, ROLE, NULL);
  basic = gst_rtsp_auth_make_basic (user, password);

  gst_rtsp_auth_set_supported_methods (auth, GST_RTSP_AUTH_BASIC | GST_RTSP_AUTH_DIGEST);
  gst_rtsp_auth_set_realm (auth, "Peerscope Emulated Camera");
  gst_rtsp_auth_add_basic (auth, basic, token);
  gst_rtsp_auth_add_digest (auth, user, password, token);
  gst_rtsp_server_set_auth (server, auth);
}

PsEmulatorRtsp *
ps_emulator_rtsp_new (GInetAddress      *address,
                      guint              port,
                      const char        *user,
                      const char        *password,
                      PsEmulatorStream  *main_stream,
                      PsEmulatorStream  *sub_stream,
                      PsEmulatorLog     *log,
                      GError           **error)
{
  g_autoptr(GstRTSPMountPoints) mounts = NULL;
  g_autoptr(GstRTSPServer) server = NULL;
  g_autofree char *address_text = NULL;
  g_autofree char *service = NULL;
  PsEmulatorRtsp *self;
  GSource *source;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);
  g_return_val_if_fail (user == NULL || password != NULL, NULL);

  address_text = g_inet_address_to_string (address);
  service = g_strdup_printf ("%u", port);

  server = gst_rtsp_server_new ();
  gst_rtsp_server_set_address (server, address_text);
  gst_rtsp_server_set_service (server, service);

  self = g_new0 (PsEmulatorRtsp, 1);
  g_mutex_init (&self->lock);
  self->medias = g_hash_table_new (NULL, NULL);
  self->log = log;

  mounts = gst_rtsp_server_get_mount_points (server);
  add_mount (self, mounts, main_stream, user != NULL);
  add_mount (self, mounts, sub_stream, user != NULL);
  if (user != NULL)
    setup_auth (server, user, password);

  g_signal_connect (server, "client-connected", G_CALLBACK (on_client_connected_cb), self);

  source = gst_rtsp_server_create_source (server, NULL, error);
  if (source == NULL)
    {
      g_prefix_error (error, "RTSP server on %s port %u: ", address_text, port);
      self->server = g_steal_pointer (&server);
      ps_emulator_rtsp_free (self);
      return NULL;
    }
  g_source_attach (source, NULL);

  self->server = g_steal_pointer (&server);
  self->source = source;

  return self;
}

guint
ps_emulator_rtsp_get_port (PsEmulatorRtsp *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) gst_rtsp_server_get_bound_port (self->server);
}

static GstRTSPFilterResult
close_client_cb (GstRTSPServer *server,
                 GstRTSPClient *client,
                 gpointer       user_data)
{
  return GST_RTSP_FILTER_REMOVE;
}

void
ps_emulator_rtsp_free (PsEmulatorRtsp *self)
{
  GHashTableIter iter;
  gpointer media;

  if (self == NULL)
    return;

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  if (self->server != NULL)
    gst_rtsp_server_client_filter (self->server, close_client_cb, NULL);

  /* Medias may outlive us in the RTSP thread pool: cut them loose. */
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->medias);
  while (g_hash_table_iter_next (&iter, &media, NULL))
    {
      g_signal_handlers_disconnect_by_data (media, self);
      g_object_weak_unref (G_OBJECT (media), on_media_finalized_cb, self);
    }
  g_hash_table_remove_all (self->medias);
  g_mutex_unlock (&self->lock);

  g_clear_object (&self->server);
  g_hash_table_unref (self->medias);
  g_mutex_clear (&self->lock);
  g_free (self);
}
