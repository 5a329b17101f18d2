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
};

G_DEFINE_FINAL_TYPE (PsDevice, ps_device, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_URI,
  PROP_SUB_URI,
  PROP_USERNAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
      self->id = ps_device_id_for_uri (self->uri != NULL ? self->uri : "");
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

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ps_device_init (PsDevice *self)
{
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
