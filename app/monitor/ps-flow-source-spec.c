/* ps-flow-source-spec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-flow-source"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ps-conntrack-source.h"
#include "ps-flow-collector.h"
#include "ps-flow-source-spec.h"
#include "ps-gateway-source.h"

PsFlowSource *
ps_flow_source_new_for_spec (const char  *spec,
                             GError     **error)
{
  g_autofree char *address = NULL;
  const char *rest;
  const char *colon;
  guint64 port;

  g_return_val_if_fail (spec != NULL, NULL);

  if (strcmp (spec, "conntrack") == 0)
    return PS_FLOW_SOURCE (ps_conntrack_source_new ());

  if (strcmp (spec, "gateway") == 0)
    return PS_FLOW_SOURCE (ps_gateway_source_new (NULL));

  if (g_str_has_prefix (spec, "ipfix:"))
    rest = spec + strlen ("ipfix:");
  else if (g_str_has_prefix (spec, "netflow:"))
    rest = spec + strlen ("netflow:");
  else
    goto invalid;

  colon = strrchr (rest, ':');
  if (colon != NULL)
    {
      gsize length = colon - rest;

      if (length >= 2 && rest[0] == '[' && rest[length - 1] == ']')
        address = g_strndup (rest + 1, length - 2);
      else
        address = g_strndup (rest, length);
      if (!g_hostname_is_ip_address (address))
        goto invalid;
      rest = colon + 1;
    }

  if (!g_ascii_string_to_unsigned (rest, 10, 1, G_MAXUINT16, &port, NULL))
    goto invalid;

  return PS_FLOW_SOURCE (ps_flow_collector_new (address, (guint16) port));

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Unknown flow source “%s”: use gateway, conntrack or ipfix:[ADDR:]PORT"), spec);
  return NULL;
}
