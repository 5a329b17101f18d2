/* ps-stream-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-stream"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <gst/gst.h>

#include "ps-stream-error.h"
#include "ps-xml.h"

G_DEFINE_QUARK (ps-stream-error-quark, ps_stream_error)

static gboolean
contains (const char *haystack,
          const char *needle)
{
  return haystack != NULL && strstr (haystack, needle) != NULL;
}

static GError *
classify_text (const char *text,
               const char *fallback_message,
               int         fallback_code)
{
  if (contains (text, "refused"))
    return g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_REFUSED,
                                _("The camera refused the connection: nothing listens on that port"));
  if (contains (text, "unreachable") || contains (text, "No route"))
    return g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_UNREACHABLE,
                                _("The camera is unreachable: check its address and the network"));
  if (contains (text, "timed out") || contains (text, "timeout"))
    return g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_TIMEOUT,
                                _("The camera did not answer in time"));
  if (contains (text, "resolve") || contains (text, "Name or service not known"))
    return g_error_new_literal (PS_STREAM_ERROR, PS_STREAM_ERROR_UNREACHABLE,
                                _("The camera’s host name could not be resolved"));

  return g_error_new_literal (PS_STREAM_ERROR, fallback_code, fallback_message);
}

GError *
ps_stream_error_from (const GError *error,
                      const char   *debug)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == PS_STREAM_ERROR)
    return g_error_copy (error);

  if (error->domain == PS_XML_ERROR)
    {
      if (error->code == PS_XML_ERROR_NOT_AUTHORIZED)
        return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_AUTH,
                            _("Authentication failed: check the user name and password"));
      return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL,
                          _("The camera sent an invalid answer: %s"), error->message);
    }

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_CONNECTION_REFUSED:
          return classify_text ("refused", NULL, 0);
        case G_IO_ERROR_HOST_UNREACHABLE:
        case G_IO_ERROR_NETWORK_UNREACHABLE:
        case G_IO_ERROR_HOST_NOT_FOUND:
          return classify_text ("unreachable", NULL, 0);
        case G_IO_ERROR_TIMED_OUT:
          return classify_text ("timeout", NULL, 0);
        case G_IO_ERROR_NOT_FOUND:
          return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_NOT_FOUND, "%s", error->message);
        default:
          return classify_text (error->message, error->message, PS_STREAM_ERROR_PROTOCOL);
        }
    }

  if (error->domain == G_RESOLVER_ERROR)
    return classify_text ("resolve", NULL, 0);

  if (error->domain == GST_RESOURCE_ERROR)
    {
      switch (error->code)
        {
        case GST_RESOURCE_ERROR_NOT_AUTHORIZED:
          return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_AUTH,
                              _("Authentication failed: check the user name and password"));
        case GST_RESOURCE_ERROR_NOT_FOUND:
          return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_NOT_FOUND,
                              _("The camera has no stream at that address"));
        default:
          {
            g_autofree char *text = g_strconcat (error->message, " ", debug, NULL);

            if (contains (text, "401") || contains (text, "Unauthorized"))
              return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_AUTH,
                                  _("Authentication failed: check the user name and password"));
            if (contains (text, "404") || contains (text, "Not Found"))
              return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_NOT_FOUND,
                                  _("The camera has no stream at that address"));
            return classify_text (text, error->message, PS_STREAM_ERROR_DISCONNECTED);
          }
        }
    }

  if (error->domain == GST_STREAM_ERROR)
    {
      if (error->code == GST_STREAM_ERROR_CODEC_NOT_FOUND ||
          error->code == GST_STREAM_ERROR_DECODE ||
          error->code == GST_STREAM_ERROR_WRONG_TYPE)
        return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_DECODER,
                            _("The video could not be decoded: %s"), error->message);
      return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL, "%s", error->message);
    }

  return g_error_new (PS_STREAM_ERROR, PS_STREAM_ERROR_PROTOCOL, "%s", error->message);
}
