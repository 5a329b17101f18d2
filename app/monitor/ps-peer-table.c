/* ps-peer-table.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-peer-table"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "ps-peer-private.h"
#include "ps-peer-table.h"

#define NOTIFY_INTERVAL_MS 250

#define DEVICE_ID_MAX 64

typedef struct
{
  char        device_id[DEVICE_ID_MAX];   /* the same address can change hands */
  PsIpAddress device;
  PsIpAddress peer;
  guint16     port;
  guint8      ip_protocol;
  guint8      inbound;
} PeerKey;

typedef struct
{
  char        *id;
  PsIpAddress  address;
  guint8       mac[6];
  gboolean     has_mac;
  gboolean     has_address;
} Device;

struct _PsPeerTable
{
  GObject         parent_instance;

  PsPeerEnricher *enricher;
  GListStore     *peers;
  GHashTable     *by_key;          /* PeerKey* -> PsPeer* (owned by peers) */
  GHashTable     *device_peers;    /* device id -> GListStore */
  GPtrArray      *devices;         /* Device* */
  GHashTable     *viewers;         /* PsIpAddress* set */
  gboolean        auto_devices;
  guint64         n_records;

  GPtrArray      *dirty;           /* PsPeer*, notified on the next tick */
  GHashTable     *dirty_set;
  guint           notify_id;
};

G_DEFINE_FINAL_TYPE (PsPeerTable, ps_peer_table, G_TYPE_OBJECT)

static guint
peer_key_hash (gconstpointer data)
{
  const PeerKey *key = data;

  return g_str_hash (key->device_id) * 131
         + ps_ip_address_hash (&key->device) * 31
         + ps_ip_address_hash (&key->peer) * 17
         + key->port * 7u + key->ip_protocol + key->inbound;
}

static gboolean
peer_key_equal (gconstpointer a,
                gconstpointer b)
{
  const PeerKey *ka = a;
  const PeerKey *kb = b;

  return ka->port == kb->port
         && ka->ip_protocol == kb->ip_protocol
         && ka->inbound == kb->inbound
         && ps_ip_address_equal (&ka->peer, &kb->peer)
         && ps_ip_address_equal (&ka->device, &kb->device)
         && strcmp (ka->device_id, kb->device_id) == 0;
}

static void
device_free (gpointer data)
{
  Device *device = data;

  g_free (device->id);
  g_free (device);
}

static void
ps_peer_table_dispose (GObject *object)
{
  PsPeerTable *self = PS_PEER_TABLE (object);

  g_clear_handle_id (&self->notify_id, g_source_remove);
  g_clear_object (&self->enricher);

  G_OBJECT_CLASS (ps_peer_table_parent_class)->dispose (object);
}

static void
ps_peer_table_finalize (GObject *object)
{
  PsPeerTable *self = PS_PEER_TABLE (object);

  g_hash_table_unref (self->by_key);
  g_hash_table_unref (self->device_peers);
  g_hash_table_unref (self->viewers);
  g_hash_table_unref (self->dirty_set);
  g_ptr_array_unref (self->dirty);
  g_ptr_array_unref (self->devices);
  g_object_unref (self->peers);

  G_OBJECT_CLASS (ps_peer_table_parent_class)->finalize (object);
}

static void
ps_peer_table_class_init (PsPeerTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_peer_table_dispose;
  object_class->finalize = ps_peer_table_finalize;
}

static void
ps_peer_table_init (PsPeerTable *self)
{
  self->peers = g_list_store_new (PS_TYPE_PEER);
  self->by_key = g_hash_table_new_full (peer_key_hash, peer_key_equal, g_free, NULL);
  self->device_peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->devices = g_ptr_array_new_with_free_func (device_free);
  self->viewers = g_hash_table_new_full (ps_ip_address_hash_func, ps_ip_address_equal_func, g_free, NULL);
  self->dirty = g_ptr_array_new_with_free_func (g_object_unref);
  self->dirty_set = g_hash_table_new (NULL, NULL);
  self->auto_devices = TRUE;
}

PsPeerTable *
ps_peer_table_new (PsPeerEnricher *enricher)
{
  PsPeerTable *self = g_object_new (PS_TYPE_PEER_TABLE, NULL);

  g_return_val_if_fail (enricher == NULL || PS_IS_PEER_ENRICHER (enricher), NULL);

  if (enricher != NULL)
    self->enricher = g_object_ref (enricher);
  else
    self->enricher = ps_peer_enricher_new (NULL, NULL);

  return self;
}

PsPeerEnricher *
ps_peer_table_get_enricher (PsPeerTable *self)
{
  g_return_val_if_fail (PS_IS_PEER_TABLE (self), NULL);

  return self->enricher;
}

GListModel *
ps_peer_table_get_peers (PsPeerTable *self)
{
  g_return_val_if_fail (PS_IS_PEER_TABLE (self), NULL);

  return G_LIST_MODEL (self->peers);
}

static GListStore *
ps_peer_table_ensure_device_store (PsPeerTable *self,
                                   const char  *device)
{
  GListStore *store = g_hash_table_lookup (self->device_peers, device);

  if (store == NULL)
    {
      store = g_list_store_new (PS_TYPE_PEER);
      g_hash_table_insert (self->device_peers, g_strdup (device), store);
    }

  return store;
}

GListModel *
ps_peer_table_get_device_peers (PsPeerTable *self,
                                const char  *device)
{
  g_return_val_if_fail (PS_IS_PEER_TABLE (self), NULL);
  g_return_val_if_fail (device != NULL, NULL);

  return G_LIST_MODEL (ps_peer_table_ensure_device_store (self, device));
}

static gboolean
parse_mac (const char *text,
           guint8      mac[6])
{
  guint values[6];
  char tail;

  if (text == NULL
      || sscanf (text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &values[0], &values[1], &values[2],
                 &values[3], &values[4], &values[5], &tail) != 6)
    return FALSE;

  for (guint i = 0; i < 6; i++)
    mac[i] = (guint8) values[i];
  return TRUE;
}

gboolean
ps_peer_table_add_device (PsPeerTable  *self,
                          const char   *device,
                          const char   *address,
                          const char   *mac,
                          GError      **error)
{
  g_autofree Device *entry = g_new0 (Device, 1);

  g_return_val_if_fail (PS_IS_PEER_TABLE (self), FALSE);
  g_return_val_if_fail (device != NULL, FALSE);

  if (address != NULL)
    {
      if (!ps_ip_address_parse (&entry->address, address))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not an IP address"), address);
          return FALSE;
        }
      entry->has_address = TRUE;
    }

  if (mac != NULL)
    {
      if (!parse_mac (mac, entry->mac))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a MAC address"), mac);
          return FALSE;
        }
      entry->has_mac = TRUE;
    }

  if (!entry->has_address && !entry->has_mac)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A device needs an address or a MAC address"));
      return FALSE;
    }

  entry->id = g_strdup (device);
  g_ptr_array_add (self->devices, g_steal_pointer (&entry));
  ps_peer_table_ensure_device_store (self, device);
  return TRUE;
}

void
ps_peer_table_set_auto_devices (PsPeerTable *self,
                                gboolean     auto_devices)
{
  g_return_if_fail (PS_IS_PEER_TABLE (self));

  self->auto_devices = !!auto_devices;
}

static const Device *
ps_peer_table_find_device (PsPeerTable       *self,
                           const PsIpAddress *address,
                           const guint8      *mac)
{
  /* MAC first: DHCP moves addresses, the MAC stays */
  if (mac != NULL)
    for (guint i = 0; i < self->devices->len; i++)
      {
        const Device *device = g_ptr_array_index (self->devices, i);

        if (device->has_mac && memcmp (device->mac, mac, 6) == 0)
          return device;
      }

  for (guint i = 0; i < self->devices->len; i++)
    {
      const Device *device = g_ptr_array_index (self->devices, i);

      if (device->has_address && ps_ip_address_equal (&device->address, address))
        return device;
    }

  return NULL;
}

static gboolean
ps_peer_table_notify_cb (gpointer user_data)
{
  PsPeerTable *self = user_data;
  g_autoptr(GPtrArray) dirty = g_steal_pointer (&self->dirty);

  self->notify_id = 0;
  self->dirty = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_remove_all (self->dirty_set);

  for (guint i = 0; i < dirty->len; i++)
    _ps_peer_notify_traffic (g_ptr_array_index (dirty, i));

  return G_SOURCE_REMOVE;
}

static void
ps_peer_table_mark_dirty (PsPeerTable *self,
                          PsPeer      *peer)
{
  if (!g_hash_table_add (self->dirty_set, peer))
    return;

  g_ptr_array_add (self->dirty, g_object_ref (peer));
  if (self->notify_id == 0)
    self->notify_id = g_timeout_add (NOTIFY_INTERVAL_MS, ps_peer_table_notify_cb, self);
}

/* Finds or makes the peer; a new one is only shown and enriched by
 * ps_peer_table_publish(), once it has its first traffic. */
static PsPeer *
ps_peer_table_ensure_peer (PsPeerTable   *self,
                           const PeerKey *key,
                           const char    *device_id,
                           guint16        other_port,
                           gboolean      *created)
{
  PsPeer *peer = g_hash_table_lookup (self->by_key, key);

  *created = (peer == NULL);
  if (peer != NULL)
    return peer;

  peer = _ps_peer_new (device_id, &key->device, &key->peer, key->port, key->ip_protocol,
                       other_port, key->inbound);
  g_hash_table_insert (self->by_key, g_memdup2 (key, sizeof *key), peer);

  return peer;
}

static void
ps_peer_table_publish (PsPeerTable *self,
                       PsPeer      *peer,
                       gboolean     is_viewer)
{
  is_viewer |= g_hash_table_contains (self->viewers, ps_peer_get_address (peer));
  ps_peer_enricher_enrich (self->enricher, peer, is_viewer);
  g_list_store_append (self->peers, peer);
  g_list_store_append (ps_peer_table_ensure_device_store (self, ps_peer_get_device (peer)), peer);
  /* the stores hold it now */
  g_object_unref (peer);
}

static gboolean
is_service_port (guint16 port)
{
  return port != 0 && port < 1024;
}

/* Adds one direction of one record: DEVICE_SIDE is the device's address and
 * port, PEER_SIDE the other end.  OUTBOUND says whether the record's src is
 * the device. */
static void
ps_peer_table_account (PsPeerTable        *self,
                       const PsFlowRecord *record,
                       const char         *device_id,
                       const PsIpAddress  *device_address,
                       gboolean            device_is_src)
{
  const PsIpAddress *peer_address = device_is_src ? &record->dst : &record->src;
  guint16 device_port = device_is_src ? record->src_port : record->dst_port;
  guint16 peer_port = device_is_src ? record->dst_port : record->src_port;
  gboolean initiator_known = record->origin == PS_FLOW_ORIGIN_CONNTRACK
                             || record->origin == PS_FLOW_ORIGIN_SESSION;
  PeerKey key = { 0 };
  gboolean created;
  PsPeer *peer;

  /* A peer that connects to one of the device's services is keyed by that
   * service, not by its throwaway port: one row per viewer, not per visit. */
  if (initiator_known)
    key.inbound = !device_is_src;
  else
    key.inbound = is_service_port (device_port) && !is_service_port (peer_port);

  g_strlcpy (key.device_id, device_id, sizeof key.device_id);
  key.device = *device_address;
  key.peer = *peer_address;
  key.port = key.inbound ? device_port : peer_port;
  key.ip_protocol = record->ip_protocol;

  peer = ps_peer_table_ensure_peer (self, &key, device_id,
                                    key.inbound ? peer_port : device_port, &created);

  if (device_is_src)
    _ps_peer_add_traffic (peer, record->packets, record->bytes,
                          record->reply_packets, record->reply_bytes,
                          record->new_flow, record->first_ms, record->last_ms);
  else
    _ps_peer_add_traffic (peer, record->reply_packets, record->reply_bytes,
                          record->packets, record->bytes,
                          record->new_flow, record->first_ms, record->last_ms);

  if (created)
    ps_peer_table_publish (self, peer, record->origin == PS_FLOW_ORIGIN_SESSION);
  ps_peer_table_mark_dirty (self, peer);
}

static gboolean
is_device_candidate (const PsIpAddress *address)
{
  return ps_ip_address_is_set (address)
         && ps_ip_address_is_local (address)
         && !ps_ip_address_is_multicast (address);
}

static void
ps_peer_table_add_record (PsPeerTable        *self,
                          const PsFlowRecord *record,
                          gint64              now_ms)
{
  PsFlowRecord stamped;
  const Device *src_device;
  const Device *dst_device;
  char src_text[PS_IP_ADDRESS_STRLEN];
  char dst_text[PS_IP_ADDRESS_STRLEN];

  if (!ps_ip_address_is_set (&record->src) || !ps_ip_address_is_set (&record->dst))
    return;

  if (record->last_ms == 0)
    {
      stamped = *record;
      stamped.last_ms = now_ms;
      record = &stamped;
    }

  if (record->origin == PS_FLOW_ORIGIN_SESSION)
    g_hash_table_add (self->viewers, g_memdup2 (&record->src, sizeof record->src));

  src_device = ps_peer_table_find_device (self, &record->src,
                                          record->has_src_mac ? record->src_mac : NULL);
  dst_device = ps_peer_table_find_device (self, &record->dst,
                                          record->has_dst_mac ? record->dst_mac : NULL);

  if (src_device != NULL || dst_device != NULL)
    {
      if (src_device != NULL)
        ps_peer_table_account (self, record, src_device->id, &record->src, TRUE);
      if (dst_device != NULL)
        ps_peer_table_account (self, record, dst_device->id, &record->dst, FALSE);
      return;
    }

  if (!self->auto_devices || self->devices->len > 0)
    return;

  /* A local address talking to anyone is a device; two local addresses
   * talking to each other are each the other's peer. */
  if (is_device_candidate (&record->src))
    ps_peer_table_account (self, record, ps_ip_address_format (&record->src, src_text),
                           &record->src, TRUE);
  if (is_device_candidate (&record->dst))
    ps_peer_table_account (self, record, ps_ip_address_format (&record->dst, dst_text),
                           &record->dst, FALSE);
}

void
ps_peer_table_add_records (PsPeerTable        *self,
                           const PsFlowRecord *records,
                           guint               n_records)
{
  gint64 now_ms;

  g_return_if_fail (PS_IS_PEER_TABLE (self));
  g_return_if_fail (records != NULL || n_records == 0);

  now_ms = g_get_real_time () / 1000;
  for (guint i = 0; i < n_records; i++)
    ps_peer_table_add_record (self, &records[i], now_ms);

  self->n_records += n_records;
}

static void
on_source_records_cb (PsPeerTable        *self,
                      const PsFlowRecord *records,
                      guint               n_records)
{
  ps_peer_table_add_records (self, records, n_records);
}

void
ps_peer_table_watch_source (PsPeerTable  *self,
                            PsFlowSource *source)
{
  g_return_if_fail (PS_IS_PEER_TABLE (self));
  g_return_if_fail (PS_IS_FLOW_SOURCE (source));

  g_signal_connect_object (source, "records", G_CALLBACK (on_source_records_cb),
                           self, G_CONNECT_SWAPPED);
}

PsPeer *
ps_peer_table_lookup (PsPeerTable *self,
                      const char  *device,
                      const char  *address,
                      guint16      port,
                      guint8       ip_protocol)
{
  PsIpAddress peer_address;
  GListModel *peers;

  g_return_val_if_fail (PS_IS_PEER_TABLE (self), NULL);

  if (!ps_ip_address_parse (&peer_address, address))
    return NULL;

  peers = device != NULL ? g_hash_table_lookup (self->device_peers, device)
                         : G_LIST_MODEL (self->peers);
  if (peers == NULL)
    return NULL;

  for (guint i = 0, n = g_list_model_get_n_items (peers); i < n; i++)
    {
      g_autoptr(PsPeer) peer = g_list_model_get_item (peers, i);

      if (ps_peer_get_port (peer) == port
          && ps_peer_get_ip_protocol (peer) == ip_protocol
          && ps_ip_address_equal (ps_peer_get_address (peer), &peer_address))
        return peer;
    }

  return NULL;
}

guint64
ps_peer_table_get_n_records (PsPeerTable *self)
{
  g_return_val_if_fail (PS_IS_PEER_TABLE (self), 0);

  return self->n_records;
}

PsPeer *
ps_peer_table_restore (PsPeerTable          *self,
                       const PsPeerSnapshot *snapshot)
{
  PeerKey key = { 0 };
  gboolean created;
  PsPeer *peer;

  g_return_val_if_fail (PS_IS_PEER_TABLE (self), NULL);
  g_return_val_if_fail (snapshot != NULL && snapshot->device != NULL, NULL);

  if (!ps_ip_address_is_set (&snapshot->address) || !ps_ip_address_is_set (&snapshot->device_address))
    return NULL;

  g_strlcpy (key.device_id, snapshot->device, sizeof key.device_id);
  key.device = snapshot->device_address;
  key.peer = snapshot->address;
  key.port = snapshot->port;
  key.ip_protocol = snapshot->ip_protocol;
  key.inbound = !!snapshot->inbound;

  /* a name we knew saves a lookup */
  if (snapshot->hostname != NULL)
    ps_peer_enricher_add_name (self->enricher, &snapshot->address, snapshot->hostname);

  peer = ps_peer_table_ensure_peer (self, &key, snapshot->device, snapshot->other_port, &created);
  _ps_peer_add_traffic (peer, snapshot->packets_out, snapshot->bytes_out,
                        snapshot->packets_in, snapshot->bytes_in, snapshot->flows,
                        snapshot->first_seen, snapshot->last_seen);
  if (snapshot->blocked_attempts > 0)
    _ps_peer_add_blocked (peer, snapshot->blocked_attempts);
  if (created)
    ps_peer_table_publish (self, peer, FALSE);
  ps_peer_table_mark_dirty (self, peer);

  return peer;
}

void
ps_peer_table_set_blocked (PsPeerTable *self,
                           const char  *device_address,
                           const char  *peer_address,
                           guint8       ip_protocol,
                           guint16      port,
                           guint64      attempts)
{
  char device_text[PS_IP_ADDRESS_STRLEN];
  const char *device_id = NULL;
  PeerKey key = { 0 };
  gboolean created;
  PsPeer *peer;

  g_return_if_fail (PS_IS_PEER_TABLE (self));

  if (!ps_ip_address_parse (&key.device, device_address)
      || !ps_ip_address_parse (&key.peer, peer_address))
    return;

  /* the device by its address, as flows find it */
  for (guint i = 0; i < self->devices->len && device_id == NULL; i++)
    {
      const Device *device = g_ptr_array_index (self->devices, i);

      if (device->has_address && ps_ip_address_equal (&device->address, &key.device))
        device_id = device->id;
    }
  if (device_id == NULL)
    {
      if (!self->auto_devices || self->devices->len > 0)
        return;
      device_id = ps_ip_address_format (&key.device, device_text);
    }

  g_strlcpy (key.device_id, device_id, sizeof key.device_id);
  key.port = port;
  key.ip_protocol = ip_protocol;
  key.inbound = FALSE;

  peer = ps_peer_table_ensure_peer (self, &key, device_id, 0, &created);
  if (created)
    {
      gint64 now_ms = g_get_real_time () / 1000;

      /* seen, if only knocking */
      _ps_peer_add_traffic (peer, 0, 0, 0, 0, 0, now_ms, now_ms);
      ps_peer_table_publish (self, peer, FALSE);
    }
  _ps_peer_set_blocked (peer, attempts);
}
