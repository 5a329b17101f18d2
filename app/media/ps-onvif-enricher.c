/* ps-onvif-enricher.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-onvif-enricher"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ps-onvif-client.h"
#include "ps-onvif-enricher.h"

#define MAX_PROFILES 8

typedef struct
{
  PsDevice      *device;
  PsOnvifClient *client;
  GPtrArray     *profiles;   /* PsOnvifProfile */
  guint          next;
  gboolean       learnt;
  GError        *first_error;
} Enrich;

static void
enrich_free (Enrich *enrich)
{
  g_clear_object (&enrich->device);
  g_clear_object (&enrich->client);
  g_clear_pointer (&enrich->profiles, g_ptr_array_unref);
  g_clear_error (&enrich->first_error);
  g_free (enrich);
}

static void
note_error (Enrich *enrich,
            GError *error)
{
  if (enrich->first_error == NULL)
    enrich->first_error = error;
  else
    g_error_free (error);
}

static void
finish (GTask *task)
{
  Enrich *enrich = g_task_get_task_data (task);

  if (enrich->learnt || enrich->first_error == NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&enrich->first_error));
}

static void next_stream_uri (GTask *task);

static void
on_stream_uri_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Enrich *enrich = g_task_get_task_data (task);
  PsOnvifProfile *profile = g_ptr_array_index (enrich->profiles, enrich->next);
  GError *error = NULL;
  g_autofree char *uri = NULL;

  uri = ps_onvif_client_get_stream_uri_finish (PS_ONVIF_CLIENT (object), result, &error);
  if (uri != NULL)
    {
      ps_device_add_stream_full (enrich->device, uri, profile->token, profile->name,
                                 profile->width, profile->height);
      enrich->learnt = TRUE;
    }
  else
    note_error (enrich, error);

  enrich->next++;
  next_stream_uri (g_steal_pointer (&task));
}

static void
next_stream_uri (GTask *task)
{
  Enrich *enrich = g_task_get_task_data (task);
  PsOnvifProfile *profile;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (enrich->profiles == NULL || enrich->next >= MIN (enrich->profiles->len, MAX_PROFILES))
    {
      finish (task);
      g_object_unref (task);
      return;
    }

  profile = g_ptr_array_index (enrich->profiles, enrich->next);
  ps_onvif_client_get_stream_uri_async (enrich->client, profile->token,
                                        g_task_get_cancellable (task), on_stream_uri_cb, task);
}

static int
by_area_descending (gconstpointer a,
                    gconstpointer b)
{
  const PsOnvifProfile *pa = *(PsOnvifProfile * const *) a;
  const PsOnvifProfile *pb = *(PsOnvifProfile * const *) b;
  guint64 area_a = (guint64) pa->width * pa->height;
  guint64 area_b = (guint64) pb->width * pb->height;

  return (area_a < area_b) - (area_a > area_b);
}

static void
on_profiles_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Enrich *enrich = g_task_get_task_data (task);
  GError *error = NULL;

  enrich->profiles = ps_onvif_client_get_profiles_finish (PS_ONVIF_CLIENT (object), result,
                                                          &error);
  if (enrich->profiles == NULL)
    note_error (enrich, error);
  else
    /* the main stream first */
    g_ptr_array_sort (enrich->profiles, by_area_descending);

  next_stream_uri (task);
}

static void
on_device_info_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Enrich *enrich = g_task_get_task_data (task);
  g_autoptr(PsOnvifDeviceInfo) info = NULL;
  GError *error = NULL;

  info = ps_onvif_client_get_device_info_finish (PS_ONVIF_CLIENT (object), result, &error);
  if (info != NULL)
    {
      ps_device_set_identity (enrich->device, info->manufacturer, info->model, info->firmware);
      enrich->learnt = TRUE;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  else
    note_error (enrich, error);

  ps_onvif_client_get_profiles_async (enrich->client, g_task_get_cancellable (task),
                                      on_profiles_cb, task);
}

void
ps_onvif_enrich_async (PsDevice            *device,
                       const char          *username,
                       const char          *password,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;
  const char * const *xaddrs;
  const char * const *addresses;
  GError *error = NULL;
  Enrich *enrich;

  g_return_if_fail (PS_IS_DEVICE (device));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_onvif_enrich_async);

  xaddrs = ps_device_get_xaddrs (device);
  addresses = ps_device_get_addresses (device);
  if (xaddrs[0] == NULL || addresses[0] == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("The device offers no ONVIF service"));
      return;
    }

  /* Never follow a discovered URL to another host than the one that answered. */
  url = ps_onvif_pin_host (xaddrs[0], addresses[0]);
  enrich = g_new0 (Enrich, 1);
  enrich->device = g_object_ref (device);
  enrich->client = url != NULL ? ps_onvif_client_new (url, username, password, &error) : NULL;
  g_task_set_task_data (task, enrich, (GDestroyNotify) enrich_free);
  if (enrich->client == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                     _("The device gave an invalid ONVIF address"));
      g_task_return_error (task, error);
      return;
    }

  ps_onvif_client_set_timeout (enrich->client, 3);
  ps_onvif_client_get_device_info_async (enrich->client, cancellable, on_device_info_cb,
                                         g_steal_pointer (&task));
}

gboolean
ps_onvif_enrich_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
