/* ps-onvif-reply.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-onvif-reply"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>

#include "ps-onvif-reply.h"
#include "ps-xml.h"

#define MAX_TOKEN 64
#define MAX_URI   2048

void
ps_onvif_profile_free (PsOnvifProfile *profile)
{
  if (profile == NULL)
    return;

  g_free (profile->token);
  g_free (profile->name);
  g_free (profile->encoding);
  g_free (profile);
}

void
ps_onvif_device_info_free (PsOnvifDeviceInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->manufacturer);
  g_free (info->model);
  g_free (info->firmware);
  g_free (info->serial);
  g_free (info->hardware_id);
  g_free (info);
}

gboolean
ps_onvif_reply_is_soap (const char *data,
                        gsize       len)
{
  g_autoptr(xmlDoc) doc = NULL;
  xmlNode *root;

  doc = ps_xml_parse (data, len, NULL);
  if (doc == NULL)
    return FALSE;

  root = xmlDocGetRootElement (doc);
  return root != NULL && strcmp ((const char *) root->name, "Envelope") == 0;
}

static xmlDoc *
parse_body (const char  *data,
            gsize        len,
            xmlNode    **body,
            GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  GError *local_error = NULL;

  if (len > PS_ONVIF_MAX_REPLY)
    {
      g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE,
                   _("The device sent a reply of %lu bytes, more than Peerscope accepts"),
                   (unsigned long) len);
      return NULL;
    }

  doc = ps_xml_parse (data, len, &local_error);
  if (doc == NULL)
    {
      g_propagate_prefixed_error (error, local_error, _("Invalid ONVIF reply: "));
      return NULL;
    }

  *body = ps_xml_soap_body (doc, error);
  if (*body == NULL)
    return NULL;

  return g_steal_pointer (&doc);
}

static guint
parse_dimension (xmlNode    *node,
                 const char *name)
{
  g_autofree char *text = ps_xml_text (ps_xml_find_child (node, name));
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, 16384, &value, NULL))
    return 0;

  return (guint) value;
}

static char *
bounded_text (xmlNode *node,
              gsize    max)
{
  g_autofree char *text = ps_xml_text (node);

  if (text == NULL || strlen (text) > max || !g_utf8_validate (text, -1, NULL))
    return NULL;

  return g_steal_pointer (&text);
}

GPtrArray *
ps_onvif_reply_parse_profiles (const char  *data,
                               gsize        len,
                               GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  xmlNode *body = NULL;
  xmlNode *response;

  doc = parse_body (data, len, &body, error);
  if (doc == NULL)
    return NULL;

  response = ps_xml_find_child (body, "GetProfilesResponse");
  profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_onvif_profile_free);

  for (xmlNode *n = response != NULL ? response->children : NULL; n != NULL; n = n->next)
    {
      PsOnvifProfile *profile;
      xmlNode *encoder;
      g_autofree char *token = NULL;

      if (n->type != XML_ELEMENT_NODE || strcmp ((const char *) n->name, "Profiles") != 0)
        continue;

      token = ps_xml_attr (n, "token");
      if (token == NULL || *token == '\0' || strlen (token) > MAX_TOKEN ||
          !g_utf8_validate (token, -1, NULL))
        continue;

      profile = g_new0 (PsOnvifProfile, 1);
      profile->token = g_steal_pointer (&token);
      profile->name = bounded_text (ps_xml_find_child (n, "Name"), 256);
      encoder = ps_xml_find_child (n, "VideoEncoderConfiguration");
      if (encoder != NULL)
        {
          xmlNode *resolution = ps_xml_find_child (encoder, "Resolution");

          profile->encoding = bounded_text (ps_xml_find_child (encoder, "Encoding"), 32);
          profile->width = parse_dimension (resolution, "Width");
          profile->height = parse_dimension (resolution, "Height");
        }
      g_ptr_array_add (profiles, profile);

      if (profiles->len >= PS_ONVIF_MAX_PROFILES)
        break;
    }

  if (profiles->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("The camera has no media profiles"));
      return NULL;
    }

  return g_steal_pointer (&profiles);
}

char *
ps_onvif_reply_parse_stream_uri (const char  *data,
                                 gsize        len,
                                 GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *uri = NULL;
  xmlNode *body = NULL;
  xmlNode *media_uri;

  doc = parse_body (data, len, &body, error);
  if (doc == NULL)
    return NULL;

  media_uri = ps_xml_find_child (ps_xml_find_child (body, "GetStreamUriResponse"), "MediaUri");
  uri = bounded_text (ps_xml_find_child (media_uri, "Uri"), MAX_URI);
  if (uri == NULL || !(g_str_has_prefix (uri, "rtsp://") || g_str_has_prefix (uri, "rtsps://")))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The camera returned no RTSP address"));
      return NULL;
    }

  return g_steal_pointer (&uri);
}

PsOnvifDeviceInfo *
ps_onvif_reply_parse_device_info (const char  *data,
                                  gsize        len,
                                  GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(PsOnvifDeviceInfo) info = NULL;
  xmlNode *body = NULL;
  xmlNode *response;

  doc = parse_body (data, len, &body, error);
  if (doc == NULL)
    return NULL;

  response = ps_xml_find_child (body, "GetDeviceInformationResponse");
  if (response == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Not a GetDeviceInformation answer");
      return NULL;
    }

  info = g_new0 (PsOnvifDeviceInfo, 1);
  info->manufacturer = bounded_text (ps_xml_find_child (response, "Manufacturer"), 128);
  info->model = bounded_text (ps_xml_find_child (response, "Model"), 128);
  info->firmware = bounded_text (ps_xml_find_child (response, "FirmwareVersion"), 128);
  info->serial = bounded_text (ps_xml_find_child (response, "SerialNumber"), 128);
  info->hardware_id = bounded_text (ps_xml_find_child (response, "HardwareId"), 128);

  return g_steal_pointer (&info);
}

gboolean
ps_onvif_reply_parse_empty (const char  *data,
                            gsize        len,
                            GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  xmlNode *body = NULL;

  doc = parse_body (data, len, &body, error);

  return doc != NULL;
}
