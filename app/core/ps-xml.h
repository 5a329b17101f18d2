/* ps-xml.h: safe parsing of untrusted XML (SOAP, WS-Discovery, SSDP)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

#define PS_XML_MAX_SIZE (256 * 1024)

#define PS_XML_ERROR (ps_xml_error_quark ())
typedef enum {
  PS_XML_ERROR_TOO_LARGE,
  PS_XML_ERROR_MALFORMED,
  PS_XML_ERROR_SOAP_FAULT,
  PS_XML_ERROR_NOT_AUTHORIZED,
  PS_XML_ERROR_MISSING,
} PsXmlError;

GQuark      ps_xml_error_quark        (void);

/* No network, no entity substitution, no DTD loading, size capped. */
xmlDoc     *ps_xml_parse              (const char  *data,
                                       gsize        len,
                                       GError     **error);
/* Depth-first search by local name, any namespace prefix. */
xmlNode    *ps_xml_find               (xmlNode     *node,
                                       const char  *local_name);
xmlNode    *ps_xml_find_child         (xmlNode     *node,
                                       const char  *local_name);
/* Trimmed text content, or NULL. */
char       *ps_xml_text               (xmlNode     *node);
char       *ps_xml_find_text          (xmlNode     *node,
                                       const char  *local_name);
char       *ps_xml_attr               (xmlNode     *node,
                                       const char  *name);
/* Parses a SOAP envelope and returns its Body; faults become errors. */
xmlNode    *ps_xml_soap_body          (xmlDoc      *doc,
                                       GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

G_END_DECLS
