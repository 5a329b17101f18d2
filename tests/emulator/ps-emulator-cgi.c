/* ps-emulator-cgi.c: a Foscam-style CGI with the P2P and UPnP switches
 *
 * GET /cgi-bin/CGIProxy.fcgi?cmd=CMD&usr=U&pwd=P[&isEnable=0|1] answers
 * 200 with
 *
 *   <CGI_Result>
 *       <result>0</result>
 *       <isEnable>1</isEnable>
 *   </CGI_Result>
 *
 * result is 0 (success), -1 (bad request: unknown cmd, bad isEnable), or
 * -2 (wrong usr/pwd), as on Foscam firmware. Commands: getP2PEnable,
 * setP2PEnable, getUPnPConfig, setUPnPConfig. The switches are stored, and
 * that is all: like the firmware, turning P2P off does not stop the
 * phone-home traffic, unless the emulator runs with --honour-p2p-setting.
 *
 * The query string is untrusted: parsed by GLib, values compared, never
 * echoed back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <string.h>

#include "ps-emulator-cgi.h"

#define RESULT_OK           0
#define RESULT_BAD_REQUEST  -1
#define RESULT_AUTH         -2

struct _PsEmulatorCgi
{
  SoupServer          *server;
  const char          *user;
  const char          *password;
  PsEmulatorPhoneHome *phone_home;   /* unowned, may be NULL */
  PsEmulatorLog       *log;          /* unowned */
  gboolean             p2p_enabled;
  gboolean             upnp_enabled;
};

static void
send_result (SoupServerMessage *msg,
             int                result,
             int                is_enable)
{
  GString *xml = g_string_new ("<CGI_Result>\n");
  gsize len;

  g_string_append_printf (xml, "    <result>%d</result>\n", result);
  if (is_enable >= 0)
    g_string_append_printf (xml, "    <isEnable>%d</isEnable>\n", is_enable);
  g_string_append (xml, "</CGI_Result>\n");

  /* Foscam answers 200 whatever the result */
  len = xml->len;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/xml; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_string_free (xml, FALSE), len);
}

static void
log_cgi (PsEmulatorCgi *self,
         const char    *cmd,
         gboolean       authorized,
         int            result)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (self->log == NULL)
    return;

  builder = ps_emulator_log_begin ("cgi");
  json_builder_set_member_name (builder, "cmd");
  json_builder_add_string_value (builder, cmd);
  json_builder_set_member_name (builder, "auth");
  json_builder_add_string_value (builder, authorized ? "ok" : "denied");
  json_builder_set_member_name (builder, "result");
  json_builder_add_int_value (builder, result);
  ps_emulator_log_write (self->log, builder);
}

static void
log_setting (PsEmulatorCgi *self,
             const char    *event,
             gboolean       enable,
             gboolean       honoured)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (self->log == NULL)
    return;

  builder = ps_emulator_log_begin (event);
  json_builder_set_member_name (builder, "enable");
  json_builder_add_boolean_value (builder, enable);
  json_builder_set_member_name (builder, "honoured");
  json_builder_add_boolean_value (builder, honoured);
  ps_emulator_log_write (self->log, builder);
}

/* "0" or "1", nothing else. */
static int
parse_is_enable (GHashTable *params)
{
  const char *value = g_hash_table_lookup (params, "isEnable");

  if (g_strcmp0 (value, "0") == 0)
    return 0;
  if (g_strcmp0 (value, "1") == 0)
    return 1;

  return -1;
}

static gboolean
check_credentials (PsEmulatorCgi *self,
                   GHashTable    *params)
{
  if (self->user == NULL)
    return TRUE;

  return g_strcmp0 (g_hash_table_lookup (params, "usr"), self->user) == 0 &&
         g_strcmp0 (g_hash_table_lookup (params, "pwd"), self->password) == 0;
}

static void
on_cgi_request_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  PsEmulatorCgi *self = user_data;
  g_autoptr(GHashTable) params = NULL;
  const char *query_text;
  const char *cmd;
  int is_enable;

  if (g_strcmp0 (path, PS_EMULATOR_CGI_PATH) != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  query_text = g_uri_get_query (soup_server_message_get_uri (msg));
  if (query_text != NULL)
    params = g_uri_parse_params (query_text, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  if (params == NULL)
    {
      send_result (msg, RESULT_BAD_REQUEST, -1);
      return;
    }

  cmd = g_hash_table_lookup (params, "cmd");
  if (cmd == NULL)
    {
      send_result (msg, RESULT_BAD_REQUEST, -1);
      return;
    }
  if (!check_credentials (self, params))
    {
      log_cgi (self, cmd, FALSE, RESULT_AUTH);
      send_result (msg, RESULT_AUTH, -1);
      return;
    }

  if (g_str_equal (cmd, "getP2PEnable"))
    {
      log_cgi (self, cmd, TRUE, RESULT_OK);
      send_result (msg, RESULT_OK, self->p2p_enabled ? 1 : 0);
    }
  else if (g_str_equal (cmd, "getUPnPConfig"))
    {
      log_cgi (self, cmd, TRUE, RESULT_OK);
      send_result (msg, RESULT_OK, self->upnp_enabled ? 1 : 0);
    }
  else if (g_str_equal (cmd, "setP2PEnable") && (is_enable = parse_is_enable (params)) >= 0)
    {
      gboolean honoured = FALSE;

      self->p2p_enabled = is_enable == 1;
      if (self->phone_home != NULL)
        honoured = ps_emulator_phone_home_set_p2p_enabled (self->phone_home,
                                                           self->p2p_enabled);
      log_cgi (self, cmd, TRUE, RESULT_OK);
      log_setting (self, "p2p-setting", self->p2p_enabled, honoured);
      send_result (msg, RESULT_OK, -1);
    }
  else if (g_str_equal (cmd, "setUPnPConfig") && (is_enable = parse_is_enable (params)) >= 0)
    {
      /* stored only: the emulator does no UPnP port mapping either way */
      self->upnp_enabled = is_enable == 1;
      log_cgi (self, cmd, TRUE, RESULT_OK);
      log_setting (self, "upnp-setting", self->upnp_enabled, FALSE);
      send_result (msg, RESULT_OK, -1);
    }
  else
    {
      log_cgi (self, cmd, TRUE, RESULT_BAD_REQUEST);
      send_result (msg, RESULT_BAD_REQUEST, -1);
    }
}

PsEmulatorCgi *
ps_emulator_cgi_new (SoupServer          *server,
                     const char          *user,
                     const char          *password,
                     PsEmulatorPhoneHome *phone_home,
                     PsEmulatorLog       *log)
{
  PsEmulatorCgi *self;

  g_return_val_if_fail (SOUP_IS_SERVER (server), NULL);
  g_return_val_if_fail (user == NULL || password != NULL, NULL);

  self = g_new0 (PsEmulatorCgi, 1);
  self->server = g_object_ref (server);
  self->user = user;
  self->password = password;
  self->phone_home = phone_home;
  self->log = log;
  self->p2p_enabled = TRUE;
  self->upnp_enabled = TRUE;

  soup_server_add_handler (server, PS_EMULATOR_CGI_PATH, on_cgi_request_cb, self, NULL);

  return self;
}

void
ps_emulator_cgi_free (PsEmulatorCgi *self)
{
  if (self == NULL)
    return;

  soup_server_remove_handler (self->server, PS_EMULATOR_CGI_PATH);
  g_clear_object (&self->server);
  g_free (self);
}
