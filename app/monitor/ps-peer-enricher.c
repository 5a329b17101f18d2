/* ps-peer-enricher.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-peer-enricher"

#include "config.h"

#include <string.h>

#include "ps-peer-enricher.h"
#include "ps-peer-private.h"

#define MAX_RUNNING_LOOKUPS 8
#define MAX_CACHED_NAMES    65536
#define MAX_DNS_LOOKUPS     65536
/* how long after a peer's first packet its lookup may still show up (a DNS
 * log is read every half second), and how close before it must be */
#define DNS_GRACE_MS        5000
#define DNS_SLACK_MS        3000

typedef struct
{
  PsIpAddress client;      /* family 0: the source does not say who asked */
  PsIpAddress address;
} LookupKey;

typedef struct
{
  PsPeer *peer;
  gint64  deadline_ms;
} DnsPending;

typedef struct
{
  PsPeerEnricher *self;
  PsIpAddress     address;
} Lookup;

struct _PsPeerEnricher
{
  GObject           parent_instance;

  PsPeerClassifier *classifier;
  PsGeoip          *geoip;
  GResolver        *resolver;
  GCancellable     *cancellable;
  gboolean          resolve_names;

  GHashTable       *names;       /* PsIpAddress* -> char* ("" when none) */
  GHashTable       *waiting;     /* PsIpAddress* -> GPtrArray of PsPeer (weak: ref'd) */
  GQueue            queue;       /* PsIpAddress* to look up */
  guint             running;

  gint64            dns_since_ms; /* 0: no DNS source */
  guint             dns_grace_ms;
  GHashTable       *dns_names;   /* PsIpAddress* -> char*, what clients asked for */
  GHashTable       *dns_lookups; /* LookupKey* -> gint64* earliest time */
  GArray           *dns_pending; /* DnsPending */
  guint             dns_timer_id;
};

G_DEFINE_FINAL_TYPE (PsPeerEnricher, ps_peer_enricher, G_TYPE_OBJECT)

enum {
  IDLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint
lookup_key_hash (gconstpointer data)
{
  const LookupKey *key = data;

  return ps_ip_address_hash (&key->client) * 31 + ps_ip_address_hash (&key->address);
}

static gboolean
lookup_key_equal (gconstpointer a,
                  gconstpointer b)
{
  const LookupKey *ka = a;
  const LookupKey *kb = b;

  return ps_ip_address_equal (&ka->client, &kb->client)
         && ps_ip_address_equal (&ka->address, &kb->address);
}

static void
dns_pending_clear (gpointer data)
{
  DnsPending *pending = data;

  g_clear_object (&pending->peer);
}

static void
ps_peer_enricher_dispose (GObject *object)
{
  PsPeerEnricher *self = PS_PEER_ENRICHER (object);

  g_clear_handle_id (&self->dns_timer_id, g_source_remove);
  g_array_set_size (self->dns_pending, 0);

  g_cancellable_cancel (self->cancellable);
  g_queue_clear_full (&self->queue, g_free);
  g_clear_object (&self->classifier);
  g_clear_object (&self->geoip);
  g_clear_object (&self->resolver);
  g_hash_table_remove_all (self->waiting);

  G_OBJECT_CLASS (ps_peer_enricher_parent_class)->dispose (object);
}

static void
ps_peer_enricher_finalize (GObject *object)
{
  PsPeerEnricher *self = PS_PEER_ENRICHER (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->names);
  g_hash_table_unref (self->waiting);
  g_hash_table_unref (self->dns_names);
  g_hash_table_unref (self->dns_lookups);
  g_array_unref (self->dns_pending);

  G_OBJECT_CLASS (ps_peer_enricher_parent_class)->finalize (object);
}

static void
ps_peer_enricher_class_init (PsPeerEnricherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_peer_enricher_dispose;
  object_class->finalize = ps_peer_enricher_finalize;

  /**
   * PsPeerEnricher::idle:
   *
   * No reverse lookup is queued or running any more.
   */
  signals[IDLE] = g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ps_peer_enricher_init (PsPeerEnricher *self)
{
  self->resolve_names = TRUE;
  self->cancellable = g_cancellable_new ();
  self->names = g_hash_table_new_full (ps_ip_address_hash_func, ps_ip_address_equal_func, g_free, g_free);
  self->waiting = g_hash_table_new_full (ps_ip_address_hash_func, ps_ip_address_equal_func, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->queue);
  self->dns_grace_ms = DNS_GRACE_MS;
  self->dns_names = g_hash_table_new_full (ps_ip_address_hash_func, ps_ip_address_equal_func, g_free, g_free);
  self->dns_lookups = g_hash_table_new_full (lookup_key_hash, lookup_key_equal, g_free, g_free);
  self->dns_pending = g_array_new (FALSE, TRUE, sizeof (DnsPending));
  g_array_set_clear_func (self->dns_pending, dns_pending_clear);
}

PsPeerEnricher *
ps_peer_enricher_new (PsPeerClassifier *classifier,
                      PsGeoip          *geoip)
{
  PsPeerEnricher *self;

  g_return_val_if_fail (classifier == NULL || PS_IS_PEER_CLASSIFIER (classifier), NULL);
  g_return_val_if_fail (geoip == NULL || PS_IS_GEOIP (geoip), NULL);

  self = g_object_new (PS_TYPE_PEER_ENRICHER, NULL);
  self->classifier = classifier != NULL ? g_object_ref (classifier) : ps_peer_classifier_new ();
  self->geoip = geoip != NULL ? g_object_ref (geoip) : ps_geoip_new ();
  self->resolver = g_resolver_get_default ();

  return self;
}

PsPeerClassifier *
ps_peer_enricher_get_classifier (PsPeerEnricher *self)
{
  g_return_val_if_fail (PS_IS_PEER_ENRICHER (self), NULL);

  return self->classifier;
}

PsGeoip *
ps_peer_enricher_get_geoip (PsPeerEnricher *self)
{
  g_return_val_if_fail (PS_IS_PEER_ENRICHER (self), NULL);

  return self->geoip;
}

void
ps_peer_enricher_set_resolve_names (PsPeerEnricher *self,
                                    gboolean        resolve)
{
  g_return_if_fail (PS_IS_PEER_ENRICHER (self));

  self->resolve_names = !!resolve;
}

guint
ps_peer_enricher_get_pending (PsPeerEnricher *self)
{
  g_return_val_if_fail (PS_IS_PEER_ENRICHER (self), 0);

  return self->running + self->queue.length;
}

static void
ps_peer_enricher_classify (PsPeerEnricher *self,
                           PsPeer         *peer,
                           gboolean        peer_is_viewer)
{
  g_autofree char *reason = NULL;
  PsPeerFacts facts = { 0 };
  PsPeerKind kind;

  facts.peer = *ps_peer_get_address (peer);
  facts.peer_port = _ps_peer_get_peer_port (peer);
  facts.device_port = _ps_peer_get_device_port (peer);
  facts.ip_protocol = ps_peer_get_ip_protocol (peer);
  /* what the device itself asked for says more than a reverse name */
  facts.hostname = ps_peer_get_dns_name (peer) != NULL ? ps_peer_get_dns_name (peer)
                                                       : ps_peer_get_hostname (peer);
  facts.peer_is_viewer = peer_is_viewer || ps_peer_get_kind (peer) == PS_PEER_KIND_VIEWER;

  kind = ps_peer_classifier_classify (self->classifier, &facts, &reason);
  _ps_peer_set_class (peer, kind, reason);
}

static void
ps_peer_enricher_apply_name (PsPeerEnricher *self,
                             PsPeer         *peer,
                             const char     *name)
{
  if (name == NULL || *name == '\0' || g_strcmp0 (ps_peer_get_hostname (peer), name) == 0)
    return;

  _ps_peer_set_hostname (peer, name);
  ps_peer_enricher_classify (self, peer, FALSE);
}

static void ps_peer_enricher_pump (PsPeerEnricher *self);

static void
ps_peer_enricher_lookup_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autofree Lookup *lookup = user_data;
  g_autoptr(PsPeerEnricher) self = lookup->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  GPtrArray *peers;

  name = g_resolver_lookup_by_address_finish (G_RESOLVER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->running--;
  if (error != NULL)
    g_debug ("No name for a peer: %s", error->message);

  /* a name must be a name: some resolvers hand back the address itself */
  if (name != NULL && (!g_utf8_validate (name, -1, NULL) || g_hostname_is_ip_address (name)))
    g_clear_pointer (&name, g_free);

  if (g_hash_table_size (self->names) < MAX_CACHED_NAMES)
    g_hash_table_insert (self->names, g_memdup2 (&lookup->address, sizeof lookup->address),
                         g_strdup (name != NULL ? name : ""));

  peers = g_hash_table_lookup (self->waiting, &lookup->address);
  for (guint i = 0; peers != NULL && i < peers->len; i++)
    ps_peer_enricher_apply_name (self, g_ptr_array_index (peers, i), name);
  g_hash_table_remove (self->waiting, &lookup->address);

  ps_peer_enricher_pump (self);
}

static void
ps_peer_enricher_pump (PsPeerEnricher *self)
{
  while (self->running < MAX_RUNNING_LOOKUPS && self->queue.length > 0)
    {
      g_autofree PsIpAddress *address = g_queue_pop_head (&self->queue);
      g_autoptr(GInetAddress) inet = ps_ip_address_to_inet (address);
      Lookup *lookup = g_new0 (Lookup, 1);

      lookup->self = g_object_ref (self);
      lookup->address = *address;
      self->running++;
      g_resolver_lookup_by_address_async (self->resolver, inet, self->cancellable,
                                          ps_peer_enricher_lookup_cb, lookup);
    }

  if (self->running == 0 && self->queue.length == 0)
    g_signal_emit (self, signals[IDLE], 0);
}

void
ps_peer_enricher_add_name (PsPeerEnricher    *self,
                           const PsIpAddress *address,
                           const char        *name)
{
  g_return_if_fail (PS_IS_PEER_ENRICHER (self));
  g_return_if_fail (address != NULL);

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return;

  if (g_hash_table_size (self->names) < MAX_CACHED_NAMES
      || g_hash_table_contains (self->names, address))
    g_hash_table_replace (self->names, g_memdup2 (address, sizeof *address), g_strdup (name));
}

static gboolean
ps_peer_enricher_find_lookup (PsPeerEnricher *self,
                              PsPeer         *peer,
                              gint64         *when)
{
  LookupKey key = { 0 };
  gint64 *time;

  key.client = *ps_peer_get_device_address (peer);
  key.address = *ps_peer_get_address (peer);
  time = g_hash_table_lookup (self->dns_lookups, &key);
  if (time == NULL)
    {
      memset (&key.client, 0, sizeof key.client);
      time = g_hash_table_lookup (self->dns_lookups, &key);
    }
  if (time == NULL)
    return FALSE;

  *when = *time;
  return TRUE;
}

/* Decides what can be decided now; returns FALSE while it must wait. */
static gboolean
ps_peer_enricher_judge_dns (PsPeerEnricher *self,
                            PsPeer         *peer,
                            gboolean        final)
{
  const char *name = g_hash_table_lookup (self->dns_names, ps_peer_get_address (peer));
  gint64 first_seen = ps_peer_get_first_seen (peer);
  gint64 when;
  PsPeerDnsLookup verdict;

  if (ps_peer_enricher_find_lookup (self, peer, &when) && when <= first_seen + DNS_SLACK_MS)
    verdict = PS_PEER_DNS_LOOKUP_YES;
  else if (final)
    verdict = PS_PEER_DNS_LOOKUP_NO;
  else
    return FALSE;

  _ps_peer_set_dns (peer, name, verdict);
  ps_peer_enricher_classify (self, peer, FALSE);
  return TRUE;
}

static gboolean
ps_peer_enricher_dns_timer_cb (gpointer user_data)
{
  PsPeerEnricher *self = user_data;
  gint64 now_ms = g_get_real_time () / 1000;

  for (guint i = 0; i < self->dns_pending->len;)
    {
      DnsPending *pending = &g_array_index (self->dns_pending, DnsPending, i);

      if (now_ms >= pending->deadline_ms)
        {
          ps_peer_enricher_judge_dns (self, pending->peer, TRUE);
          g_array_remove_index_fast (self->dns_pending, i);
        }
      else
        i++;
    }

  if (self->dns_pending->len > 0)
    return G_SOURCE_CONTINUE;

  self->dns_timer_id = 0;
  return G_SOURCE_REMOVE;
}

void
ps_peer_enricher_watch_dns (PsPeerEnricher *self)
{
  g_return_if_fail (PS_IS_PEER_ENRICHER (self));

  if (self->dns_since_ms == 0)
    self->dns_since_ms = g_get_real_time () / 1000;
}

void
ps_peer_enricher_set_dns_grace (PsPeerEnricher *self,
                                guint           grace_ms)
{
  g_return_if_fail (PS_IS_PEER_ENRICHER (self));

  self->dns_grace_ms = grace_ms;
}

void
ps_peer_enricher_add_lookup (PsPeerEnricher    *self,
                             const PsIpAddress *client,
                             const char        *name,
                             const PsIpAddress *address,
                             gint64             time_ms)
{
  LookupKey key = { 0 };
  gint64 *time;

  g_return_if_fail (PS_IS_PEER_ENRICHER (self));
  g_return_if_fail (name != NULL && address != NULL);

  if (!g_utf8_validate (name, -1, NULL) || !ps_ip_address_is_set (address))
    return;

  if (g_hash_table_size (self->dns_names) < MAX_CACHED_NAMES
      || g_hash_table_contains (self->dns_names, address))
    g_hash_table_replace (self->dns_names, g_memdup2 (address, sizeof *address), g_strdup (name));

  if (client != NULL)
    key.client = *client;
  key.address = *address;
  time = g_hash_table_lookup (self->dns_lookups, &key);
  if (time == NULL && g_hash_table_size (self->dns_lookups) < MAX_DNS_LOOKUPS)
    g_hash_table_insert (self->dns_lookups, g_memdup2 (&key, sizeof key),
                         g_memdup2 (&time_ms, sizeof time_ms));

  /* peers waiting for this answer */
  for (guint i = 0; i < self->dns_pending->len;)
    {
      DnsPending *pending = &g_array_index (self->dns_pending, DnsPending, i);

      if (ps_ip_address_equal (ps_peer_get_address (pending->peer), address)
          && ps_peer_enricher_judge_dns (self, pending->peer, FALSE))
        g_array_remove_index_fast (self->dns_pending, i);
      else
        i++;
    }
}

static void
ps_peer_enricher_start_dns (PsPeerEnricher *self,
                            PsPeer         *peer)
{
  DnsPending pending;

  /* traffic from before the source started cannot be judged, and nobody
   * looks up the LAN's own hosts */
  if (self->dns_since_ms == 0 || ps_peer_get_first_seen (peer) < self->dns_since_ms
      || ps_ip_address_is_local (ps_peer_get_address (peer)))
    return;

  if (ps_peer_enricher_judge_dns (self, peer, FALSE))
    return;

  pending.peer = g_object_ref (peer);
  pending.deadline_ms = g_get_real_time () / 1000 + self->dns_grace_ms;
  g_array_append_val (self->dns_pending, pending);
  if (self->dns_timer_id == 0)
    self->dns_timer_id = g_timeout_add (MIN (500, MAX (self->dns_grace_ms / 4, 10)),
                                        ps_peer_enricher_dns_timer_cb, self);
}

void
ps_peer_enricher_enrich (PsPeerEnricher *self,
                         PsPeer         *peer,
                         gboolean        peer_is_viewer)
{
  const PsIpAddress *address;
  PsGeoipResult geo;
  const char *name;
  GPtrArray *peers;

  g_return_if_fail (PS_IS_PEER_ENRICHER (self));
  g_return_if_fail (PS_IS_PEER (peer));

  address = ps_peer_get_address (peer);

  if (ps_geoip_lookup (self->geoip, address, &geo))
    _ps_peer_set_geo (peer, geo.country_code, geo.country_name, geo.asn,
                      geo.organization, geo.has_location, geo.latitude, geo.longitude);

  name = g_hash_table_lookup (self->names, address);
  if (name != NULL && *name != '\0')
    _ps_peer_set_hostname (peer, name);

  ps_peer_enricher_classify (self, peer, peer_is_viewer);
  ps_peer_enricher_start_dns (self, peer);

  if (name != NULL || !self->resolve_names)
    return;

  /* one lookup per address, however many peers share it */
  peers = g_hash_table_lookup (self->waiting, address);
  if (peers == NULL)
    {
      peers = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->waiting, g_memdup2 (address, sizeof *address), peers);
      g_queue_push_tail (&self->queue, g_memdup2 (address, sizeof *address));
    }
  g_ptr_array_add (peers, g_object_ref (peer));

  ps_peer_enricher_pump (self);
}
