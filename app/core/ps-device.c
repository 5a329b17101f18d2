/* ps-device.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-device"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ps-compat.h"
#include "ps-device-private.h"

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
  char      *peerscope_id; /* its device id on the user's own P2P network */
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
  gboolean   paired;
  guint      missed_rounds;
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
  PROP_PAIRED,
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
  g_free (self->peerscope_id);
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
    case PROP_PAIRED:
      g_value_set_boolean (value, self->paired);
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
    case PROP_PAIRED:
      ps_device_set_paired (self, g_value_get_boolean (value));
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
  properties[PROP_PAIRED] =
    g_param_spec_boolean ("paired", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

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
  g_free (stream->name);
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

  if (xaddr != NULL)
    self->uri = g_strdup (xaddr);
  else if (sighting->protocol == PS_PROTOCOL_PEERSCOPE_P2P && sighting->p2p_uid != NULL)
    self->uri = g_strconcat ("p2p:", sighting->p2p_uid, NULL);
  else
    self->uri = g_strdup ("");
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
  else if (sighting->protocol == PS_PROTOCOL_PEERSCOPE_P2P)
    fill (&self->peerscope_id, sighting->p2p_uid);

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

  self->missed_rounds = 0;
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
                      : sighting->protocol == PS_PROTOCOL_KALAY ? self->kalay_uid
                      : sighting->protocol == PS_PROTOCOL_PEERSCOPE_P2P ? self->peerscope_id
                      : NULL;

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
ps_device_get_peerscope_id (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);
  return self->peerscope_id;
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

gboolean
ps_device_get_paired (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), FALSE);
  return self->paired;
}

void
ps_device_set_paired (PsDevice *self,
                      gboolean  paired)
{
  g_return_if_fail (PS_IS_DEVICE (self));

  paired = !!paired;
  if (self->paired == paired)
    return;

  self->paired = paired;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAIRED]);
}

void
_ps_device_set_seen (PsDevice *self,
                     gint64    first_seen_us,
                     gint64    last_seen_us)
{
  g_return_if_fail (PS_IS_DEVICE (self));

  self->first_seen = first_seen_us;
  self->last_seen = last_seen_us;
}

guint
_ps_device_get_missed_rounds (PsDevice *self)
{
  g_return_val_if_fail (PS_IS_DEVICE (self), 0);
  return self->missed_rounds;
}

void
_ps_device_set_missed_rounds (PsDevice *self,
                              guint     missed)
{
  g_return_if_fail (PS_IS_DEVICE (self));
  self->missed_rounds = missed;
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
  ps_device_add_stream_full (self, uri, profile, NULL, width, height);
}

void
ps_device_add_stream_full (PsDevice   *self,
                           const char *uri,
                           const char *profile,
                           const char *name,
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
  stream->name = name != NULL && *name != '\0' ? g_strdup (name) : NULL;
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

/* Remembering ------------------------------------------------------------- */

#define MAX_ID_LEN 64

static void
put_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
put_strings (JsonBuilder *builder,
             const char  *name,
             GPtrArray   *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < values->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (values, i));
  json_builder_end_array (builder);
}

char *
ps_device_discovery_to_json (PsDevice *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (PS_IS_DEVICE (self), NULL);

  json_builder_begin_object (builder);
  put_string (builder, "name", self->name);
  json_builder_set_member_name (builder, "name-guessed");
  json_builder_add_boolean_value (builder, self->name_guessed);
  put_string (builder, "uri", self->uri);
  put_string (builder, "manufacturer", self->manufacturer);
  put_string (builder, "model", self->model);
  put_string (builder, "firmware", self->firmware);
  put_string (builder, "mac", self->mac);
  put_string (builder, "endpoint", self->endpoint);
  put_string (builder, "cs2-uid", self->cs2_uid);
  put_string (builder, "kalay-uid", self->kalay_uid);
  put_string (builder, "peerscope-id", self->peerscope_id);
  put_string (builder, "interface", self->interface);
  put_string (builder, "local-address", self->local_address);
  put_strings (builder, "addresses", self->addresses);
  put_strings (builder, "xaddrs", self->xaddrs);

  json_builder_set_member_name (builder, "protocols");
  json_builder_begin_array (builder);
  for (PsProtocol p = PS_PROTOCOL_ONVIF; p <= PS_PROTOCOL_PEERSCOPE_P2P; p++)
    if (self->protocols & (1u << p))
      json_builder_add_string_value (builder, ps_protocol_to_string (p));
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "streams");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->streams->len; i++)
    {
      PsDeviceStream *stream = g_ptr_array_index (self->streams, i);

      json_builder_begin_object (builder);
      put_string (builder, "uri", stream->uri);
      put_string (builder, "profile", stream->profile);
      put_string (builder, "name", stream->name);
      json_builder_set_member_name (builder, "width");
      json_builder_add_int_value (builder, stream->width);
      json_builder_set_member_name (builder, "height");
      json_builder_add_int_value (builder, stream->height);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* A string member, or NULL when it is missing, not a string or empty. */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  value = json_node_get_string (node);
  return value != NULL && *value != '\0' ? value : NULL;
}

static guint
get_dimension (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;

  value = json_node_get_int (node);
  return value > 0 && value <= 65535 ? (guint) value : 0;
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static void
take_strings (JsonArray *array,
              GPtrArray *into)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        add_unique (into, json_node_get_string (node));
    }
}

/* The file is ours, but it may be damaged or from another version: every
 * field is optional and checked, and the caps of live devices apply. */
PsDevice *
ps_device_new_from_discovery_json (const char  *id,
                                   const char  *json,
                                   GError     **error)
{
  g_autoptr(PsDevice) self = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonArray *array;

  g_return_val_if_fail (json != NULL, NULL);

  if (id == NULL || *id == '\0' || strlen (id) > MAX_ID_LEN || !g_utf8_validate (id, -1, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Not a device id");
      return NULL;
    }

  root = json_from_string (json, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Not a device");
      return NULL;
    }
  object = json_node_get_object (root);

  self = g_object_new (PS_TYPE_DEVICE, NULL);
  self->id = g_strdup (id);
  self->online = FALSE;
  self->name = g_strdup (get_string (object, "name"));
  self->name_guessed = json_object_get_boolean_member_with_default (object, "name-guessed",
                                                                    FALSE);
  self->uri = g_strdup (get_string (object, "uri"));
  if (self->uri == NULL)
    self->uri = g_strdup ("");
  self->manufacturer = g_strdup (get_string (object, "manufacturer"));
  self->model = g_strdup (get_string (object, "model"));
  self->firmware = g_strdup (get_string (object, "firmware"));
  self->mac = g_strdup (get_string (object, "mac"));
  self->endpoint = g_strdup (get_string (object, "endpoint"));
  self->cs2_uid = g_strdup (get_string (object, "cs2-uid"));
  self->kalay_uid = g_strdup (get_string (object, "kalay-uid"));
  self->peerscope_id = g_strdup (get_string (object, "peerscope-id"));
  self->interface = g_strdup (get_string (object, "interface"));
  self->local_address = g_strdup (get_string (object, "local-address"));
  take_strings (get_array (object, "addresses"), self->addresses);
  take_strings (get_array (object, "xaddrs"), self->xaddrs);

  array = get_array (object, "protocols");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      PsProtocol protocol;

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          ps_protocol_from_string (json_node_get_string (node), &protocol))
        self->protocols |= 1u << protocol;
    }

  array = get_array (object, "streams");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *stream;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      stream = json_node_get_object (node);
      if (get_string (stream, "uri") != NULL)
        ps_device_add_stream_full (self, get_string (stream, "uri"), get_string (stream, "profile"),
                                   get_string (stream, "name"), get_dimension (stream, "width"),
                                   get_dimension (stream, "height"));
    }

  if (self->name == NULL)
    {
      const char * const *addresses = ps_device_get_addresses (self);

      self->name = g_strdup (self->model != NULL ? self->model
                             : ps_device_get_p2p_uid (self) != NULL ? ps_device_get_p2p_uid (self)
                             : addresses[0] != NULL ? addresses[0] : id);
      self->name_guessed = TRUE;
    }

  return g_steal_pointer (&self);
}
