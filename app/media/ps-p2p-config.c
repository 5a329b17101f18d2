/* ps-p2p-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define GST_USE_UNSTABLE_API

#include <glib/gi18n.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "ps-p2p-config.h"
#include "ps-stream-error.h"

PsP2pConfig *
ps_p2p_config_new (const char *rendezvous_url,
                   const char *token)
{
  PsP2pConfig *config = g_new0 (PsP2pConfig, 1);

  config->rendezvous_url = g_strdup (rendezvous_url);
  config->token = g_strdup (token);

  return config;
}

PsP2pConfig *
ps_p2p_config_copy (const PsP2pConfig *config)
{
  PsP2pConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = ps_p2p_config_new (config->rendezvous_url, config->token);
  copy->ca_file = g_strdup (config->ca_file);
  copy->stun_server = g_strdup (config->stun_server);
  copy->turn_servers = g_strdupv (config->turn_servers);
  copy->ice_policy = config->ice_policy;
  copy->local_addresses = g_strdupv (config->local_addresses);

  return copy;
}

void
ps_p2p_config_free (PsP2pConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->rendezvous_url);
  if (config->token != NULL)
    memset (config->token, 0, strlen (config->token));
  g_free (config->token);
  g_free (config->ca_file);
  g_free (config->stun_server);
  g_strfreev (config->turn_servers);
  g_strfreev (config->local_addresses);
  g_free (config);
}

static const char * const policy_names[] = { "all", "relay", "lan" };

gboolean
ps_ice_policy_from_string (const char  *text,
                           PsIcePolicy *policy)
{
  for (guint i = 0; i < G_N_ELEMENTS (policy_names); i++)
    if (g_strcmp0 (text, policy_names[i]) == 0)
      {
        *policy = (PsIcePolicy) i;
        return TRUE;
      }

  return FALSE;
}

const char *
ps_ice_policy_to_string (PsIcePolicy policy)
{
  g_return_val_if_fail (policy <= PS_ICE_POLICY_LAN, NULL);

  return policy_names[policy];
}

static gboolean
check_uri (const char  *uri,
           const char  *scheme_a,
           const char  *scheme_b,
           GError     **error)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_HAS_PASSWORD, NULL);
  const char *scheme = parsed != NULL ? g_uri_get_scheme (parsed) : NULL;

  if (parsed == NULL || g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0' ||
      (g_strcmp0 (scheme, scheme_a) != 0 && g_strcmp0 (scheme, scheme_b) != 0))
    {
      g_set_error (error, PS_STREAM_ERROR, PS_STREAM_ERROR_INVALID_URI,
                   _("“%s” is not a %s:// or %s:// address"), uri, scheme_a, scheme_b);
      return FALSE;
    }

  return TRUE;
}

gboolean
ps_p2p_config_validate (const PsP2pConfig  *config,
                        GError            **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (config->rendezvous_url == NULL ||
      !check_uri (config->rendezvous_url, "ws", "wss", error))
    {
      if (config->rendezvous_url == NULL)
        g_set_error (error, PS_STREAM_ERROR, PS_STREAM_ERROR_INVALID_URI,
                     _("A P2P camera needs a rendezvous server"));
      return FALSE;
    }
  if (config->stun_server != NULL && !check_uri (config->stun_server, "stun", "stuns", error))
    return FALSE;
  for (guint i = 0; config->turn_servers != NULL && config->turn_servers[i] != NULL; i++)
    if (!check_uri (config->turn_servers[i], "turn", "turns", error))
      return FALSE;

  return TRUE;
}

void
ps_p2p_config_apply_to_ice (const PsP2pConfig *config,
                            GstElement        *webrtcbin)
{
  g_autoptr(GObject) agent = NULL;
  g_autoptr(GObject) nice = NULL;

  g_return_if_fail (config != NULL);
  g_return_if_fail (GST_IS_ELEMENT (webrtcbin));

  g_object_get (webrtcbin, "ice-agent", &agent, NULL);
  if (agent == NULL)
    return;

  for (guint i = 0; config->local_addresses != NULL && config->local_addresses[i] != NULL; i++)
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (agent, "add-local-ip-address", config->local_addresses[i], &added);
      if (!added)
        g_warning ("ICE refused the local address %s", config->local_addresses[i]);
    }
  /* no TCP host candidates: TURN over TCP covers networks that block UDP */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "ice-tcp") != NULL)
    g_object_set (agent, "ice-tcp", FALSE, NULL);

  g_object_get (agent, "agent", &nice, NULL);
  if (nice == NULL)
    return;
  /* Peerscope never asks the router to open ports (UPnP IGD): that is what
   * the vendors' P2P does behind the user's back; and not waiting for it
   * saves about 200 ms of gathering */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (nice), "upnp") != NULL)
    g_object_set (nice, "upnp", FALSE, NULL);
  /* connectivity checks every 5 ms (RFC 8445's lowest pacing) rather than
   * 20: a host pair connects in about a quarter of the time */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (nice), "stun-pacing-timer") != NULL)
    g_object_set (nice, "stun-pacing-timer", 5u, NULL);
  /* a check is sent three times, not four, before its pair is given up.
   * webrtcbin's agents nominate regularly: with a valid server-reflexive
   * pair in hand they still wait for every better pair to fail, and from
   * away the better pairs are the other home's private addresses, which
   * never answer.  So the first frame across two NATs comes after about
   * 0.8 s instead of 2.2 s (tests/bench/ice/bench-ice-lab.sh); a check
   * lost three times over on a pair that works is still retried when the
   * other side's own check arrives */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (nice), "stun-max-retransmissions") != NULL)
    g_object_set (nice, "stun-max-retransmissions", 2u, NULL);
}

void
ps_p2p_config_configure_webrtcbin (const PsP2pConfig *config,
                                   GstElement        *webrtcbin)
{
  g_return_if_fail (config != NULL);
  g_return_if_fail (GST_IS_ELEMENT (webrtcbin));

  g_object_set (webrtcbin, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  if (config->ice_policy != PS_ICE_POLICY_LAN)
    {
      if (config->stun_server != NULL)
        g_object_set (webrtcbin, "stun-server", config->stun_server, NULL);
      for (guint i = 0; config->turn_servers != NULL && config->turn_servers[i] != NULL; i++)
        {
          gboolean added = FALSE;

          g_signal_emit_by_name (webrtcbin, "add-turn-server", config->turn_servers[i], &added);
          if (!added)
            g_warning ("webrtcbin refused TURN server %u", i + 1);
        }
      if (config->ice_policy == PS_ICE_POLICY_RELAY)
        g_object_set (webrtcbin, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY,
                      NULL);
    }

  ps_p2p_config_apply_to_ice (config, webrtcbin);
}

gboolean
ps_p2p_config_allows_candidate (const PsP2pConfig *config,
                                const char        *candidate)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (candidate == NULL)
    return FALSE;

  return config->ice_policy != PS_ICE_POLICY_LAN || strstr (candidate, " typ host") != NULL;
}
