/* ps-xml.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-xml"

#include <string.h>
#include <libxml/parser.h>

#include "ps-xml.h"

#define MAX_DEPTH 64

G_DEFINE_QUARK (ps-xml-error-quark, ps_xml_error)

static void
silent_error_cb (void        *ctx,
                 const char  *msg,
                 ...)
{
}

xmlDoc *
ps_xml_parse (const char  *data,
              gsize        len,
              GError     **error)
{
  xmlParserCtxt *ctxt;
  xmlDoc *doc;

  if (data == NULL || len == 0)
    {
      g_set_error_literal (error, PS_XML_ERROR, PS_XML_ERROR_MALFORMED, "Empty XML document");
      return NULL;
    }

  if (len > PS_XML_MAX_SIZE)
    {
      g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE,
                   "XML document of %" G_GSIZE_FORMAT " bytes exceeds the %d byte limit",
                   len, PS_XML_MAX_SIZE);
      return NULL;
    }

  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    {
      g_set_error_literal (error, PS_XML_ERROR, PS_XML_ERROR_MALFORMED, "Out of memory");
      return NULL;
    }
  xmlSetGenericErrorFunc (NULL, silent_error_cb);
  doc = xmlCtxtReadMemory (ctxt, data, (int) len, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                           XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS);
  xmlFreeParserCtxt (ctxt);

  if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
    {
      if (doc != NULL)
        xmlFreeDoc (doc);
      g_set_error_literal (error, PS_XML_ERROR, PS_XML_ERROR_MALFORMED, "Malformed XML document");
      return NULL;
    }

  /* Entities are never substituted (no XML_PARSE_NOENT), and an internal
   * subset is refused outright: it is the vehicle of entity expansion. */
  if (doc->intSubset != NULL)
    {
      xmlFreeDoc (doc);
      g_set_error_literal (error, PS_XML_ERROR, PS_XML_ERROR_MALFORMED,
                           "XML documents with a DTD are not accepted");
      return NULL;
    }

  return doc;
}

static gboolean
name_is (xmlNode    *node,
         const char *local_name)
{
  return node->type == XML_ELEMENT_NODE &&
         node->name != NULL &&
         strcmp ((const char *) node->name, local_name) == 0;
}

static xmlNode *
find_depth (xmlNode    *node,
            const char *local_name,
            guint       depth)
{
  if (depth > MAX_DEPTH)
    return NULL;

  for (xmlNode *n = node; n != NULL; n = n->next)
    {
      xmlNode *found;

      if (name_is (n, local_name))
        return n;
      if (n->type == XML_ELEMENT_NODE &&
          (found = find_depth (n->children, local_name, depth + 1)) != NULL)
        return found;
    }

  return NULL;
}

xmlNode *
ps_xml_find (xmlNode    *node,
             const char *local_name)
{
  g_return_val_if_fail (local_name != NULL, NULL);

  if (node == NULL)
    return NULL;
  if (name_is (node, local_name))
    return node;

  return find_depth (node->children, local_name, 0);
}

xmlNode *
ps_xml_find_child (xmlNode    *node,
                   const char *local_name)
{
  g_return_val_if_fail (local_name != NULL, NULL);

  if (node == NULL)
    return NULL;

  for (xmlNode *n = node->children; n != NULL; n = n->next)
    if (name_is (n, local_name))
      return n;

  return NULL;
}

char *
ps_xml_text (xmlNode *node)
{
  xmlChar *content;
  char *text;

  if (node == NULL)
    return NULL;

  content = xmlNodeGetContent (node);
  if (content == NULL)
    return NULL;

  text = g_strstrip (g_strdup ((const char *) content));
  xmlFree (content);

  return text;
}

char *
ps_xml_find_text (xmlNode    *node,
                  const char *local_name)
{
  return ps_xml_text (ps_xml_find (node, local_name));
}

char *
ps_xml_attr (xmlNode    *node,
             const char *name)
{
  xmlChar *value;
  char *ret;

  if (node == NULL)
    return NULL;

  value = xmlGetProp (node, (const xmlChar *) name);
  if (value == NULL)
    return NULL;

  ret = g_strdup ((const char *) value);
  xmlFree (value);

  return ret;
}

xmlNode *
ps_xml_soap_body (xmlDoc  *doc,
                  GError **error)
{
  xmlNode *root = xmlDocGetRootElement (doc);
  xmlNode *body;
  xmlNode *fault;

  if (root == NULL || !name_is (root, "Envelope"))
    {
      g_set_error_literal (error, PS_XML_ERROR, PS_XML_ERROR_MALFORMED,
                           "Not a SOAP envelope");
      return NULL;
    }

  body = ps_xml_find_child (root, "Body");
  if (body == NULL)
    {
      g_set_error_literal (error, PS_XML_ERROR, PS_XML_ERROR_MALFORMED,
                           "SOAP envelope without a Body");
      return NULL;
    }

  fault = ps_xml_find_child (body, "Fault");
  if (fault != NULL)
    {
      g_autofree char *reason = ps_xml_find_text (fault, "Text");
      g_autofree char *subcode = NULL;
      xmlNode *sub = ps_xml_find (fault, "Subcode");

      if (sub != NULL)
        subcode = ps_xml_find_text (sub, "Value");
      if (reason == NULL)
        reason = ps_xml_find_text (fault, "faultstring");

      if (subcode != NULL && g_str_has_suffix (subcode, "NotAuthorized"))
        g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_NOT_AUTHORIZED,
                     "Authentication failed: %s",
                     reason != NULL && *reason ? reason : "not authorized");
      else
        g_set_error (error, PS_XML_ERROR, PS_XML_ERROR_SOAP_FAULT,
                     "The device answered with a fault: %s",
                     reason != NULL && *reason ? reason : (subcode ? subcode : "unknown"));
      return NULL;
    }

  return body;
}
