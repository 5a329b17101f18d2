/* ps-viewer-stream.c
 *
 * A p2p: stream keeps the config it was given as object data, so that an
 * account change restarts it only when something it uses changed, and the
 * cancellable of a start waiting for the keyring, so that a stop wins.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-viewer-stream"

#include "ps-p2p-account.h"
#include "ps-video-paintable.h"
#include "ps-viewer-stream.h"

#define CONFIG_KEY      "ps-viewer-p2p-config"
#define CANCELLABLE_KEY "ps-viewer-cancellable"

/* Takes config; TRUE when it differs from the one the stream had */
static gboolean
set_config (PsStream    *stream,
            PsP2pConfig *config)
{
  const PsP2pConfig *old = g_object_get_data (G_OBJECT (stream), CONFIG_KEY);
  gboolean changed = !ps_p2p_account_config_equal (old, config);

  ps_stream_set_p2p_config (stream, config);
  g_object_set_data_full (G_OBJECT (stream), CONFIG_KEY, config,
                          (GDestroyNotify) ps_p2p_config_free);

  return changed;
}

static void
on_account_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(PsStream) stream = user_data;
  g_autoptr(GError) error = NULL;
  PsP2pConfig *config;

  config = ps_p2p_account_load_finish (PS_P2P_ACCOUNT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* without an account, the stream says a rendezvous server is missing */
  set_config (stream, ps_p2p_account_apply_camera_policy (PS_P2P_ACCOUNT (object),
                                                          ps_stream_get_uri (stream), config));
  g_object_set_data (G_OBJECT (stream), CANCELLABLE_KEY, NULL);
  ps_stream_start (stream);
}

static void
cancel_pending (PsStream *stream)
{
  GCancellable *cancellable = g_object_get_data (G_OBJECT (stream), CANCELLABLE_KEY);

  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
  g_object_set_data (G_OBJECT (stream), CANCELLABLE_KEY, NULL);
}

void
ps_viewer_stream_start (PsStream *stream)
{
  PsP2pAccount *account = ps_p2p_account_get_default ();
  GCancellable *cancellable;

  g_return_if_fail (PS_IS_STREAM (stream));

  cancel_pending (stream);
  if (!ps_p2p_account_is_p2p_uri (ps_stream_get_uri (stream)))
    {
      ps_stream_start (stream);
      return;
    }

  if (ps_p2p_account_is_loaded (account) || !ps_p2p_account_is_set_up (account))
    {
      set_config (stream, ps_p2p_account_dup_config_for (account, ps_stream_get_uri (stream)));
      ps_stream_start (stream);
      return;
    }

  /* the keyring may take a while (or ask to be unlocked) */
  ps_stream_stop (stream);
  cancellable = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (stream), CANCELLABLE_KEY, cancellable, g_object_unref);
  ps_p2p_account_load_async (account, cancellable, on_account_loaded_cb, g_object_ref (stream));
}

/* Goodbyes under way (a WHEP endpoint's DELETE), app-wide: the
 * application waits for them as it quits */
static guint n_closing;

static void
on_stopped_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  ps_stream_stop_finish (PS_STREAM (object), result);
  n_closing--;
}

void
ps_viewer_stream_stop (PsStream *stream)
{
  g_return_if_fail (PS_IS_STREAM (stream));

  cancel_pending (stream);
  n_closing++;
  ps_stream_stop_async (stream, on_stopped_cb, NULL);
}

guint
ps_viewer_stream_get_n_closing (void)
{
  return n_closing;
}

/* The user changed the account: a stream that uses it starts over with the
 * new settings (a stopped one only takes them). */
static void
on_account_changed_cb (PsP2pAccount *account,
                       PsStream     *stream)
{
  PsP2pConfig *config = ps_p2p_account_dup_config_for (account, ps_stream_get_uri (stream));
  gboolean waiting = g_object_get_data (G_OBJECT (stream), CANCELLABLE_KEY) != NULL;

  if (waiting)
    {
      ps_p2p_config_free (config);
      return;
    }
  if (!set_config (stream, config))
    return;
  if (ps_stream_get_state (stream) != PS_STREAM_STATE_IDLE)
    ps_viewer_stream_start (stream);
}

PsStream *
ps_viewer_stream_new (PsDevice        *device,
                      const char      *password,
                      PsStreamProfile  profile,
                      GtkPicture      *picture)
{
  const char *uri = ps_device_get_uri (device);
  PsStream *stream;

  g_return_val_if_fail (PS_IS_DEVICE (device), NULL);
  g_return_val_if_fail (GTK_IS_PICTURE (picture), NULL);

  if (profile == PS_STREAM_PROFILE_SUB && ps_device_get_sub_uri (device) != NULL)
    uri = ps_device_get_sub_uri (device);

  stream = ps_stream_new (uri);
  ps_stream_set_output (stream, PS_STREAM_OUTPUT_BGRA);
  ps_stream_set_profile (stream, profile);
  /* a viewer waits for a camera that is still booting */
  ps_stream_set_keep_trying (stream, TRUE);
  if (ps_device_get_username (device) != NULL)
    ps_stream_set_credentials (stream, ps_device_get_username (device), password);
  ps_video_paintable_use_gtk_sink (stream, picture);

  if (ps_p2p_account_is_p2p_uri (uri))
    {
      PsP2pAccount *account = ps_p2p_account_get_default ();

      set_config (stream, ps_p2p_account_dup_config_for (account, uri));
      g_signal_connect_object (account, "changed", G_CALLBACK (on_account_changed_cb), stream, 0);
    }

  return stream;
}

gboolean
ps_viewer_stream_is_identity_error (PsStream *stream)
{
  g_return_val_if_fail (PS_IS_STREAM (stream), FALSE);

  return g_error_matches (ps_stream_get_error (stream), PS_STREAM_ERROR,
                          PS_STREAM_ERROR_IDENTITY);
}
