/* ps-device.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-device"

#include "ps-compat.h"
#include "ps-device.h"

struct _PsDevice
{
  GObject  parent_instance;

  char    *id;
  char    *name;
  char    *uri;
  char    *sub_uri;
  char    *username;

  /* from discovery */
  char      *manufacturer;
  char      *model;
  char      *mac;
  char      *endpoint;
  char      *cs2_uid;      /* a device may be in both vendor P2P networks */
  char      *kalay_uid;
  GPtrArray *addresses;    /* NULL-terminated char* */
  GPtrArray *xaddrs;       /* NULL-terminated char* */
  guint      protocols;    /* 1 << PsProtocol */
  char      *firmware;
  GPtrArray *streams;      /* PsDeviceStream */
  gboolean   name_guessed; /* from a model, UID or address: a real name wins */
  gint64     last_seen;
  gint64     first_seen;
  char      *interface;
  char      *local_address;
  gboolean   online;
};

G_DEFINE_FINAL_TYPE (PsDevice, ps_device, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_URI,
  PROP_SUB_URI,
  PROP_USERNAME,
  PROP_ONLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A stable id for a camera known only by its URI: its host, port and path,
 * without credentials, hashed. Discovery replaces this with MAC or UUID. */
char *
ps_device_id_for_uri (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *key = NULL;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed != NULL)
    key = g_strdup_printf ("%s://%s:%d%s", g_uri_get_scheme (parsed),
                           g_uri_get_host (parsed) ? g_uri_get_host (parsed) : "",
                           g_uri_get_port (parsed), g_uri_get_path (parsed));
  else
    key = g_strdup (uri);

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_strndup (hash, 12);
}

static void
ps_device_finalize (GObject *object)
{
  PsDevice *self = (PsDevice *) object;

  g_free (self->id);
  g_free (self->name);
  g_free (self->uri);
  g_free (self->sub_uri);
  g_free (self->username);
  g_free (self->manufacturer);
  g_free (self->model);
  g_free (self->mac);
  g_free (self->endpoint);
  g_free (self->cs2_uid);
  g_free (self->kalay_uid);
  g_ptr_array_unref (self->addresses);
  g_ptr_array_unref (self->xaddrs);
  g_free (self->firmware);
  g_ptr_array_unref (self->streams);
  g_free (self->interface);
  g_free (self->local_address);

  G_OBJECT_CLASS (ps_device_parent_class)->finalize (object);
}

static void
ps_device_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PsDevice *self = PS_DEVICE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_SUB_URI:
      g_value_set_string (value, self->sub_uri);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_device_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  PsDevice *self = PS_DEVICE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      ps_device_set_name (self, g_value_get_string (value));
      break;
    case PROP_URI:
      self->uri = g_value_dup_string (value);
      if (self->id == NULL && self->uri != NULL && *self->uri != '\0')
        self->id = ps_device_id_for_uri (self->uri);
      break;
    case PROP_SUB_URI:
      ps_device_set_sub_uri (self, g_value_get_string (value));
      break;
    case PROP_USERNAME:
      ps_device_set_username (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_device_class_init (PsDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ps_device_finalize;
  object_class->get_property = ps_device_get_property;
  object_class->set_property = ps_device_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUB_URI] =
    g_param_spec_string ("sub-uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* what discovery or the device told about it changed */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
device_stream_free (gpointer data)
{
  PsDeviceStream *stream = data;

  g_free (stream->uri);
  g_free (stream->profile);
  g_free (stream);
}

static void
ps_device_init (PsDevice *self)
{
  self->addresses = g_ptr_array_new_null_terminated (2, g_free, TRUE);
  self->xaddrs = g_ptr_array_new_null_terminated (2, g_free, TRUE);
  self->streams = g_ptr_array_new_with_free_func (device_stream_free);
  self->online = TRUE;
}

PsDevice *
ps_device_new (const char *name,
               const char *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return g_object_new (PS_TYPE_DEVICE, "name", name, "uri", uri, NULL);
}

const char *
ps_device_get_id (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->id;
}

const char *
ps_device_get_name (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->name;
}

void
ps_device_set_name (PsDevice   *self,
                    const char *name)
{
  g_return_if_fail (PS_IS_DEVICE (self));

  if (ps_set_str (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
ps_device_get_uri (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->uri;
}

const char *
ps_device_get_sub_uri (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->sub_uri;
}

void
ps_device_set_sub_uri (PsDevice   *self,
                       const char *sub_uri)
{
  g_return_if_fail (PS_IS_DEVICE (self));

  if (ps_set_str (&self->sub_uri, sub_uri))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUB_URI]);
}

const char *
ps_device_get_username (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->username;
}

void
ps_device_set_username (PsDevice   *self,
                        const char *username)
{
  g_return_if_fail (PS_IS_DEVICE (self));

  if (ps_set_str (&self->username, username))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USERNAME]);
}

char *
ps_device_dup_host (PsDevice *self)
{
  g_autoptr(GUri) parsed = NULL;

  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);

  parsed = g_uri_parse (self->uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL || g_uri_get_host (parsed) == NULL)
    return NULL;

  return g_strdup (g_uri_get_host (parsed));
}

/* Discovery ---------------------------------------------------------------- */

#define MAX_ADDRESSES 16

char *
ps_device_id_for_key (const char *kind,
                      const char *value)
{
  g_autofree char *key = NULL;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (kind != NULL && value != NULL, NULL);

  key = g_strdup_printf ("%s:%s", kind, value);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_strndup (hash, 12);
}

static void
add_unique (GPtrArray  *array,
            const char *value)
{
  if (value == NULL || *value == '\0' || array->len >= MAX_ADDRESSES)
    return;

  for (guint i = 0; i < array->len; i++)
    if (g_strcmp0 (g_ptr_array_index (array, i), value) == 0)
      return;

  g_ptr_array_add (array, g_strdup (value));
}

/* The strongest identity the sighting has: MAC, then ONVIF endpoint, then
 * P2P UID, then address. */
PsDevice *
ps_device_new_from_sighting (const PsSighting *sighting,
                             gint64            now_us)
{
  PsDevice *self;
  const char *xaddr;

  g_return_val_if_fail (sighting != NULL, NULL);

  xaddr = sighting->xaddrs != NULL ? sighting->xaddrs[0] : NULL;
  self = g_object_new (PS_TYPE_DEVICE, NULL);

  if (sighting->mac != NULL)
    self->id = ps_device_id_for_key ("mac", sighting->mac);
  else if (sighting->endpoint != NULL)
    self->id = ps_device_id_for_key ("endpoint", sighting->endpoint);
  else if (sighting->p2p_uid != NULL)
    self->id = ps_device_id_for_key ("p2p", sighting->p2p_uid);
  else
    self->id = ps_device_id_for_key ("address",
                                     sighting->address != NULL ? sighting->address : "");

  self->uri = g_strdup (xaddr != NULL ? xaddr : "");
  ps_device_merge_sighting (self, sighting, now_us);

  return self;
}

static void
fill (char       **field,
      const char  *value)
{
  if (*field == NULL && value != NULL && *value != '\0')
    *field = g_strdup (value);
}

void
ps_device_merge_sighting (PsDevice         *self,
                          const PsSighting *sighting,
                          gint64            now_us)
{
  gboolean online;

  g_return_if_fail (PS_IS_DEVICE (self));
  g_return_if_fail (sighting != NULL);

  fill (&self->mac, sighting->mac);
  fill (&self->endpoint, sighting->endpoint);
  fill (&self->manufacturer, sighting->manufacturer);
  fill (&self->model, sighting->model != NULL ? sighting->model : sighting->hardware);
  if (sighting->protocol == PS_PROTOCOL_CS2_PPPP)
    fill (&self->cs2_uid, sighting->p2p_uid);
  else if (sighting->protocol == PS_PROTOCOL_KALAY)
    fill (&self->kalay_uid, sighting->p2p_uid);

  if (sighting->name != NULL && *sighting->name != '\0' &&
      (self->name == NULL || self->name_guessed))
    {
      ps_device_set_name (self, sighting->name);
      self->name_guessed = FALSE;
    }
  else if (self->name == NULL)
    {
      const char *name = sighting->model != NULL ? sighting->model : sighting->p2p_uid;

      ps_device_set_name (self, name != NULL ? name : sighting->address);
      self->name_guessed = TRUE;
    }

  add_unique (self->addresses, sighting->address);
  for (guint i = 0; sighting->xaddrs != NULL && sighting->xaddrs[i] != NULL; i++)
    add_unique (self->xaddrs, sighting->xaddrs[i]);
  if ((self->uri == NULL || *self->uri == '\0') && self->xaddrs->len > 0)
    {
      g_free (self->uri);
      self->uri = g_strdup (g_ptr_array_index (self->xaddrs, 0));
    }

  self->protocols |= 1u << sighting->protocol;
  self->last_seen = MAX (self->last_seen, now_us);
  if (sighting->interface != NULL)
    ps_set_str (&self->interface, sighting->interface);
  if (sighting->local_address != NULL)
    ps_set_str (&self->local_address, sighting->local_address);
  if (self->first_seen == 0 || now_us < self->first_seen)
    self->first_seen = now_us;

  online = !sighting->bye;
  ps_device_set_online (self, online);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Same physical device? A strong identity that differs says no even when
 * the address is the same (a DHCP lease handed to another device). */
gboolean
ps_device_matches_sighting (PsDevice         *self,
                            const PsSighting *sighting)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), FALSE);
  g_return_val_if_fail (sighting != NULL, FALSE);

  if (self->mac != NULL && sighting->mac != NULL)
    return g_ascii_strcasecmp (self->mac, sighting->mac) == 0;
  if (self->endpoint != NULL && sighting->endpoint != NULL &&
      g_strcmp0 (self->endpoint, sighting->endpoint) == 0)
    return TRUE;
  /* UIDs of one P2P network identify; a CS2 and a Kalay UID do not clash */
  if (sighting->p2p_uid != NULL)
    {
      const char *uid = sighting->protocol == PS_PROTOCOL_CS2_PPPP ? self->cs2_uid
                      : sighting->protocol == PS_PROTOCOL_KALAY ? self->kalay_uid : NULL;

      if (uid != NULL)
        return g_strcmp0 (uid, sighting->p2p_uid) == 0;
    }
  if (self->endpoint != NULL && sighting->endpoint != NULL)
    return FALSE;

  for (guint i = 0; sighting->address != NULL && i < self->addresses->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->addresses, i), sighting->address) == 0)
      return TRUE;

  return FALSE;
}

const char *
ps_device_get_manufacturer (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->manufacturer;
}

const char *
ps_device_get_model (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->model;
}

const char *
ps_device_get_mac (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->mac;
}

const char *
ps_device_get_endpoint (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->endpoint;
}

const char *
ps_device_get_p2p_uid (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->cs2_uid != NULL ? self->cs2_uid : self->kalay_uid;
}

const char *
ps_device_get_p2p_network (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->cs2_uid != NULL ? "cs2" : self->kalay_uid != NULL ? "kalay" : NULL;
}

const char * const *
ps_device_get_addresses (PsDevice *self)
{
  static const char * const empty[] = { NULL };

  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->addresses->pdata != NULL ? (const char * const *) self->addresses->pdata : empty;
}

const char * const *
ps_device_get_xaddrs (PsDevice *self)
{
  static const char * const empty[] = { NULL };

  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->xaddrs->pdata != NULL ? (const char * const *) self->xaddrs->pdata : empty;
}

gboolean
ps_device_has_protocol (PsDevice   *self,
                        PsProtocol  protocol)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), FALSE);
  return (self->protocols & (1u << protocol)) != 0;
}

gint64
ps_device_get_last_seen (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), 0);
  return self->last_seen;
}

const char *
ps_device_get_interface (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->interface;
}

const char *
ps_device_get_local_address (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->local_address;
}

gint64
ps_device_get_first_seen (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), 0);
  return self->first_seen;
}

gboolean
ps_device_get_online (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), FALSE);
  return self->online;
}

void
ps_device_set_online (PsDevice *self,
                      gboolean  online)
{
  g_return_if_fail (PS_IS_DEVICE (self));

  online = !!online;
  if (self->online == online)
    return;

  self->online = online;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
}

#define MAX_STREAMS 16

void
ps_device_set_identity (PsDevice   *self,
                        const char *manufacturer,
                        const char *model,
                        const char *firmware)
{
  g_return_if_fail (PS_IS_DEVICE (self));

  if (manufacturer != NULL && *manufacturer != '\0')
    ps_set_str (&self->manufacturer, manufacturer);
  if (model != NULL && *model != '\0')
    ps_set_str (&self->model, model);
  if (firmware != NULL && *firmware != '\0')
    ps_set_str (&self->firmware, firmware);
  g_signal_emit (self, signals[CHANGED], 0);
}

const char *
ps_device_get_firmware (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->firmware;
}

void
ps_device_add_stream (PsDevice   *self,
                      const char *uri,
                      const char *profile,
                      guint       width,
                      guint       height)
{
  PsDeviceStream *stream;

  g_return_if_fail (PS_IS_DEVICE (self));
  g_return_if_fail (uri != NULL);

  for (guint i = 0; i < self->streams->len; i++)
    if (g_strcmp0 (((PsDeviceStream *) g_ptr_array_index (self->streams, i))->uri, uri) == 0)
      return;
  if (self->streams->len >= MAX_STREAMS)
    return;

  stream = g_new0 (PsDeviceStream, 1);
  stream->uri = g_strdup (uri);
  stream->profile = g_strdup (profile);
  stream->width = width;
  stream->height = height;
  g_ptr_array_add (self->streams, stream);
  g_signal_emit (self, signals[CHANGED], 0);
}

GPtrArray *
ps_device_get_streams (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->streams;
}
