/* ps-peer-enricher.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-peer-enricher"

#include "config.h"

#include "ps-peer-enricher.h"
#include "ps-peer-private.h"

#define MAX_RUNNING_LOOKUPS 8
#define MAX_CACHED_NAMES    65536

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
};

G_DEFINE_FINAL_TYPE (PsPeerEnricher, ps_peer_enricher, G_TYPE_OBJECT)

enum {
  IDLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint
address_hash (gconstpointer data)
{
  return ps_ip_address_hash (data);
}

static gboolean
address_equal (gconstpointer a,
               gconstpointer b)
{
  return ps_ip_address_equal (a, b);
}

static void
ps_peer_enricher_dispose (GObject *object)
{
  PsPeerEnricher *self = PS_PEER_ENRICHER (object);

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
  self->names = g_hash_table_new_full (address_hash, address_equal, g_free, g_free);
  self->waiting = g_hash_table_new_full (address_hash, address_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->queue);
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
  facts.hostname = ps_peer_get_hostname (peer);
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
