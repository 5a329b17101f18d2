/* ps-emulator-p2p.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <gst/app/gstappsrc.h>

#include "ps-emulator-p2p.h"
#include "ps-p2p-identity.h"
#include "ps-p2p-publisher.h"

struct _PsEmulatorP2p
{
  PsEmulatorStream *stream;      /* unowned */
  PsP2pIdentity    *identity;
  PsP2pPublisher   *publisher;
};

/* Each session gets the encoder's bytes like an RTSP viewer does */
static GstElement *
make_source (gpointer   user_data,
             gpointer   key,
             GError   **error)
{
  PsEmulatorP2p *self = user_data;
  GstElement *appsrc = gst_element_factory_make ("appsrc", NULL);

  if (appsrc == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "appsrc is missing");
      return NULL;
    }
  ps_emulator_stream_add_appsrc (self->stream, appsrc, key);
  /* a new viewer gets a keyframe at once, as a camera answering a PLI would */
  ps_emulator_stream_force_keyframe (self->stream, "P2P session");

  return appsrc;
}

static void
release_source (gpointer user_data,
                gpointer key)
{
  PsEmulatorP2p *self = user_data;

  ps_emulator_stream_remove_owner (self->stream, key);
}

PsEmulatorP2p *
ps_emulator_p2p_new (PsEmulatorStream  *stream,
                     const PsP2pConfig *config,
                     const char        *identity_path,
                     const char        *name,
                     GError           **error)
{
  PsEmulatorP2p *self;
  PsP2pIdentity *identity;

  identity = ps_p2p_identity_load_or_create (identity_path, error);
  if (identity == NULL)
    return NULL;

  self = g_new0 (PsEmulatorP2p, 1);
  self->stream = stream;
  self->identity = identity;
  self->publisher = ps_p2p_publisher_new (identity, config, name, make_source, release_source,
                                          self);

  return self;
}

void
ps_emulator_p2p_free (PsEmulatorP2p *self)
{
  if (self == NULL)
    return;

  ps_p2p_publisher_stop (self->publisher);
  g_clear_object (&self->publisher);
  g_clear_pointer (&self->identity, ps_p2p_identity_unref);
  g_free (self);
}

const char *
ps_emulator_p2p_get_device_id (PsEmulatorP2p *self)
{
  return ps_p2p_identity_get_device_id (self->identity);
}

void
ps_emulator_p2p_start (PsEmulatorP2p       *self,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  ps_p2p_publisher_start_async (self->publisher, NULL, callback, user_data);
}

gboolean
ps_emulator_p2p_start_finish (PsEmulatorP2p  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return ps_p2p_publisher_start_finish (self->publisher, result, error);
}
