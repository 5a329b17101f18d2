/* ps-device-registry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-device-registry"

#include "ps-device-private.h"
#include "ps-device-registry.h"

struct _PsDeviceRegistry
{
  GObject    parent_instance;

  GPtrArray *devices;
  gint64     round_start;   /* 0: no round under way */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PsDeviceRegistry, ps_device_registry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
ps_device_registry_get_item_type (GListModel *model)
{
  return PS_TYPE_DEVICE;
}

static guint
ps_device_registry_get_n_items (GListModel *model)
{
  return PS_DEVICE_REGISTRY (model)->devices->len;
}

static gpointer
ps_device_registry_get_item (GListModel *model,
                             guint       position)
{
  PsDeviceRegistry *self = PS_DEVICE_REGISTRY (model);

  if (position >= self->devices->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->devices, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ps_device_registry_get_item_type;
  iface->get_n_items = ps_device_registry_get_n_items;
  iface->get_item = ps_device_registry_get_item;
}

static void
ps_device_registry_finalize (GObject *object)
{
  PsDeviceRegistry *self = (PsDeviceRegistry *) object;

  g_ptr_array_unref (self->devices);

  G_OBJECT_CLASS (ps_device_registry_parent_class)->finalize (object);
}

static void
ps_device_registry_class_init (PsDeviceRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_device_registry_finalize;
}

static void
ps_device_registry_init (PsDeviceRegistry *self)
{
  self->devices = g_ptr_array_new_with_free_func (g_object_unref);
}

PsDeviceRegistry *
ps_device_registry_new (void)
{
  return g_object_new (PS_TYPE_DEVICE_REGISTRY, NULL);
}

PsDevice *
ps_device_registry_add (PsDeviceRegistry *self,
                        const PsSighting *sighting,
                        gint64            now_us)
{
  PsDevice *device;

  g_return_val_if_fail (PS_IS_DEVICE_REGISTRY (self), NULL);
  g_return_val_if_fail (sighting != NULL, NULL);

  for (guint i = 0; i < self->devices->len; i++)
    {
      device = g_ptr_array_index (self->devices, i);
      if (ps_device_matches_sighting (device, sighting))
        {
          ps_device_merge_sighting (device, sighting, now_us);
          return device;
        }
    }

  /* a LAN full of answering junk must not grow us without bound */
  if (self->devices->len >= PS_DEVICE_REGISTRY_MAX)
    return NULL;

  device = ps_device_new_from_sighting (sighting, now_us);
  g_ptr_array_add (self->devices, device);
  g_list_model_items_changed (G_LIST_MODEL (self), self->devices->len - 1, 0, 1);

  return device;
}

guint
ps_device_registry_expire (PsDeviceRegistry *self,
                           gint64            now_us,
                           gint64            max_age_us)
{
  guint n = 0;

  g_return_val_if_fail (PS_IS_DEVICE_REGISTRY (self), 0);

  for (guint i = 0; i < self->devices->len; i++)
    {
      PsDevice *device = g_ptr_array_index (self->devices, i);

      if (ps_device_get_online (device) && now_us - ps_device_get_last_seen (device) > max_age_us)
        {
          ps_device_set_online (device, FALSE);
          n++;
        }
    }

  return n;
}

void
ps_device_registry_begin_round (PsDeviceRegistry *self,
                                gint64            now_us)
{
  g_return_if_fail (PS_IS_DEVICE_REGISTRY (self));

  self->round_start = MAX (now_us, 1);
}

guint
ps_device_registry_end_round (PsDeviceRegistry *self,
                              gint64            now_us)
{
  guint n = 0;

  g_return_val_if_fail (PS_IS_DEVICE_REGISTRY (self), 0);

  if (self->round_start == 0)
    return 0;

  for (guint i = 0; i < self->devices->len; i++)
    {
      PsDevice *device = g_ptr_array_index (self->devices, i);
      guint missed;

      if (ps_device_get_last_seen (device) >= self->round_start)
        continue;

      missed = _ps_device_get_missed_rounds (device) + 1;
      _ps_device_set_missed_rounds (device, missed);
      if (missed >= PS_DEVICE_REGISTRY_OFFLINE_ROUNDS && ps_device_get_online (device))
        {
          ps_device_set_online (device, FALSE);
          n++;
        }
    }
  self->round_start = 0;

  return n;
}

guint
ps_device_registry_prune (PsDeviceRegistry *self,
                          gint64            now_us,
                          gint64            max_age_us)
{
  guint n = 0;

  g_return_val_if_fail (PS_IS_DEVICE_REGISTRY (self), 0);

  for (guint i = self->devices->len; i-- > 0;)
    {
      PsDevice *device = g_ptr_array_index (self->devices, i);

      if (ps_device_get_paired (device) || now_us - ps_device_get_last_seen (device) <= max_age_us)
        continue;

      g_ptr_array_remove_index (self->devices, i);
      g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
      n++;
    }

  return n;
}

PsDevice *
ps_device_registry_restore (PsDeviceRegistry *self,
                            PsDevice         *device)
{
  g_return_val_if_fail (PS_IS_DEVICE_REGISTRY (self), NULL);
  g_return_val_if_fail (PS_IS_DEVICE (device), NULL);

  for (guint i = 0; i < self->devices->len; i++)
    {
      PsDevice *known = g_ptr_array_index (self->devices, i);

      if (g_strcmp0 (ps_device_get_id (known), ps_device_get_id (device)) != 0)
        continue;

      /* it answered before its memory came back */
      if (ps_device_get_first_seen (device) > 0 &&
          ps_device_get_first_seen (device) < ps_device_get_first_seen (known))
        _ps_device_set_seen (known, ps_device_get_first_seen (device),
                             ps_device_get_last_seen (known));
      if (ps_device_get_paired (device))
        ps_device_set_paired (known, TRUE);
      return known;
    }

  if (self->devices->len >= PS_DEVICE_REGISTRY_MAX)
    return NULL;

  g_ptr_array_add (self->devices, g_object_ref (device));
  g_list_model_items_changed (G_LIST_MODEL (self), self->devices->len - 1, 0, 1);

  return device;
}

/* By device id, MAC address, P2P UID or IP address. */
PsDevice *
ps_device_registry_lookup (PsDeviceRegistry *self,
                           const char       *key)
{
  g_return_val_if_fail (PS_IS_DEVICE_REGISTRY (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < self->devices->len; i++)
    {
      PsDevice *device = g_ptr_array_index (self->devices, i);
      const char * const *addresses = ps_device_get_addresses (device);

      if (g_strcmp0 (ps_device_get_id (device), key) == 0 ||
          (ps_device_get_mac (device) != NULL &&
           g_ascii_strcasecmp (ps_device_get_mac (device), key) == 0) ||
          g_strcmp0 (ps_device_get_p2p_uid (device), key) == 0 ||
          g_strv_contains (addresses, key))
        return device;
    }

  return NULL;
}
