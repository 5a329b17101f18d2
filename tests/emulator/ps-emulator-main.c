/* ps-emulator-main.c: peerscope-camera-emulator, a camera on loopback
 *
 * Parses the command line, starts the two encoders (main and sub), the
 * RTSP server and the ONVIF/snapshot HTTP server (with the Foscam-style
 * CGI), starts phoning home if asked to, then prints one JSON line on
 * stdout with the URLs and runs until SIGTERM or SIGINT.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "ps-emulator-cgi.h"
#include "ps-emulator-log.h"
#include "ps-emulator-mdns.h"
#include "ps-emulator-net.h"
#include "ps-emulator-onvif.h"
#include "ps-emulator-p2p.h"
#include "ps-emulator-whep.h"
#include "ps-emulator-phone-home.h"
#include "ps-emulator-pppp.h"
#include "ps-emulator-rtsp.h"
#include "ps-emulator-ssdp.h"
#include "ps-emulator-video.h"
#include "ps-emulator-wsd.h"

#define EXIT_USAGE 2

typedef struct
{
  char             *name;
  char             *manufacturer;
  char             *model;
  char             *mac;
  char             *serial;
  char             *firmware;
  char             *user;
  char             *password;
  char             *bind;
  char             *log_path;
  char             *pattern;
  int               rtsp_port;
  int               onvif_port;
  int               wsd_port;
  int               wsd_max_delay_ms;
  char             *wsd_multicast;
  int               mdns_port;
  char             *mdns_multicast;
  int               ssdp_port;
  char             *ssdp_multicast;
  char             *pppp_uid;
  char             *pppp_psk;
  int               pppp_port;
  gboolean          p2p_any;
  char             *kalay_uid;
  int               kalay_port;
  char            **phone_home;
  double            phone_home_interval;
  int               pppp_server_port;
  char             *ntp;
  char             *dns_server;
  gboolean          honour_p2p_setting;
  double            gop;
  int               fps;
  int               width;
  int               height;
  int               sub_width;
  int               sub_height;
  char             *p2p_url;
  char             *p2p_token_file;
  char             *p2p_identity;
  char             *p2p_stun;
  char            **p2p_turn;
  char             *p2p_ice_policy;
  char            **p2p_local_addresses;
  char             *whep_token;
  int               whep_max_sessions;
  char            **whep_ice_servers;
  char             *whep_ice_username;
  char             *whep_ice_credential;
  gboolean          version;
} Options;

typedef struct
{
  Options           options;
  GMainLoop        *loop;
  int               exit_status;
  GInetAddress     *address;
  PsEmulatorLog    *log;
  PsEmulatorStream *main_stream;
  PsEmulatorStream *sub_stream;
  PsEmulatorRtsp   *rtsp;
  PsEmulatorOnvif  *onvif;
  PsEmulatorWsd    *wsd;
  PsEmulatorMdns   *mdns;
  PsEmulatorSsdp   *ssdp;
  PsEmulatorP2pSearch *pppp;
  PsEmulatorP2pSearch *kalay;
  PsEmulatorPhoneHome *phone_home;
  PsEmulatorCgi    *cgi;
  PsEmulatorP2p    *p2p;
  PsEmulatorWhep   *whep;
  gboolean          p2p_registered;
  guint             streams_ready;
  gboolean          announced;
} Emulator;

static gboolean
on_quit_signal_cb (gpointer user_data)
{
  Emulator *emu = user_data;

  g_debug ("signal received, shutting down");
  g_main_loop_quit (emu->loop);

  return G_SOURCE_CONTINUE;
}

static void
fail (Emulator   *emu,
      const char *message)
{
  g_printerr ("peerscope-camera-emulator: %s\n", message);
  emu->exit_status = EXIT_FAILURE;
  g_main_loop_quit (emu->loop);
}

static void
print_ready_line (Emulator *emu)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;
  guint rtsp_port = ps_emulator_rtsp_get_port (emu->rtsp);
  guint onvif_port = ps_emulator_onvif_get_port (emu->onvif);
  struct { const char *key, *scheme, *path; guint port; } urls[] = {
    { "rtsp", "rtsp", "/main", rtsp_port },
    { "rtsp_sub", "rtsp", "/sub", rtsp_port },
    { "onvif", "http", "/onvif/device_service", onvif_port },
    { "snapshot", "http", "/snapshot.jpg", onvif_port },
    { "whep", "whep+http", PS_EMULATOR_WHEP_PATH, onvif_port },
  };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, emu->options.name);
  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autofree char *url = ps_emulator_net_url (urls[i].scheme, emu->address,
                                                  urls[i].port, urls[i].path);

      json_builder_set_member_name (builder, urls[i].key);
      json_builder_add_string_value (builder, url);
    }
  json_builder_set_member_name (builder, "mac");
  json_builder_add_string_value (builder, emu->options.mac);
  if (emu->wsd != NULL)
    {
      json_builder_set_member_name (builder, "wsd_port");
      json_builder_add_int_value (builder, ps_emulator_wsd_get_port (emu->wsd));
      json_builder_set_member_name (builder, "wsd_endpoint");
      json_builder_add_string_value (builder, ps_emulator_wsd_get_endpoint (emu->wsd));
    }
  if (emu->mdns != NULL)
    {
      json_builder_set_member_name (builder, "mdns_port");
      json_builder_add_int_value (builder, ps_emulator_mdns_get_port (emu->mdns));
    }
  if (emu->ssdp != NULL)
    {
      json_builder_set_member_name (builder, "ssdp_port");
      json_builder_add_int_value (builder, ps_emulator_ssdp_get_port (emu->ssdp));
    }
  if (emu->pppp != NULL)
    {
      json_builder_set_member_name (builder, "pppp_port");
      json_builder_add_int_value (builder, ps_emulator_p2p_search_get_port (emu->pppp));
    }
  if (emu->kalay != NULL)
    {
      json_builder_set_member_name (builder, "kalay_port");
      json_builder_add_int_value (builder, ps_emulator_p2p_search_get_port (emu->kalay));
    }
  if (emu->phone_home != NULL)
    {
      g_auto(GStrv) targets = ps_emulator_phone_home_dup_targets (emu->phone_home);

      json_builder_set_member_name (builder, "phone_home");
      json_builder_begin_array (builder);
      for (guint i = 0; targets[i] != NULL; i++)
        json_builder_add_string_value (builder, targets[i]);
      json_builder_end_array (builder);
      if (emu->options.ntp != NULL)
        {
          json_builder_set_member_name (builder, "ntp");
          json_builder_add_string_value (builder, emu->options.ntp);
        }
    }
  if (emu->p2p != NULL)
    {
      json_builder_set_member_name (builder, "device_id");
      json_builder_add_string_value (builder, ps_emulator_p2p_get_device_id (emu->p2p));
    }
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, getpid ());
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);

  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* Ready: both encoders run, and the P2P registration (if asked) is done */
static void
announce_when_ready (Emulator *emu)
{
  if (emu->announced || emu->streams_ready < 2 || (emu->p2p != NULL && !emu->p2p_registered))
    return;

  emu->announced = TRUE;
  print_ready_line (emu);
}

static void
on_stream_ready_cb (PsEmulatorStream *stream,
                    gpointer          user_data)
{
  Emulator *emu = user_data;

  g_debug ("%s: encoder running", ps_emulator_stream_get_id (stream));
  emu->streams_ready++;
  announce_when_ready (emu);
}

static void
on_p2p_started_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Emulator *emu = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (emu->p2p == NULL)
    return;
  if (!ps_emulator_p2p_start_finish (emu->p2p, result, &error))
    {
      message = g_strdup_printf ("P2P: %s", error->message);
      fail (emu, message);
      return;
    }

  emu->p2p_registered = TRUE;
  announce_when_ready (emu);
}

static void
on_stream_error_cb (PsEmulatorStream *stream,
                    const GError     *error,
                    gpointer          user_data)
{
  g_autofree char *message = g_strdup_printf ("%s stream: %s",
                                              ps_emulator_stream_get_id (stream),
                                              error->message);

  fail (user_data, message);
}

/* A stable, locally administered unicast MAC derived from the name. */
static char *
mac_from_name (const char *name)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) name, -1);
  g_checksum_get_digest (checksum, digest, &len);
  digest[0] = (guint8) ((digest[0] & 0xfc) | 0x02);

  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x",
                          digest[0], digest[1], digest[2], digest[3], digest[4], digest[5]);
}

static gboolean
parse_options (Options   *options,
               int       *argc,
               char    ***argv,
               GError   **error)
{
  g_autoptr(GOptionContext) context = NULL;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &options->name, "Camera name", "NAME" },
    { "manufacturer", 0, 0, G_OPTION_ARG_STRING, &options->manufacturer, "Manufacturer", "M" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &options->model, "Model", "M" },
    { "mac", 0, 0, G_OPTION_ARG_STRING, &options->mac,
      "MAC address (default: derived from the name)", "MAC" },
    { "serial", 0, 0, G_OPTION_ARG_STRING, &options->serial, "Serial number", "S" },
    { "firmware", 0, 0, G_OPTION_ARG_STRING, &options->firmware, "Firmware version", "F" },
    { "rtsp-port", 0, 0, G_OPTION_ARG_INT, &options->rtsp_port,
      "RTSP port (0: any free port)", "P" },
    { "onvif-port", 0, 0, G_OPTION_ARG_INT, &options->onvif_port,
      "ONVIF/HTTP port (0: any free port)", "P" },
    { "wsd-port", 0, 0, G_OPTION_ARG_INT, &options->wsd_port,
      "WS-Discovery port (default 3702 when free, 0: any free port)", "P" },
    { "wsd-max-delay-ms", 0, 0, G_OPTION_ARG_INT, &options->wsd_max_delay_ms,
      "Longest random delay before a ProbeMatches (default 500)", "MS" },
    { "wsd-multicast", 0, 0, G_OPTION_ARG_STRING, &options->wsd_multicast,
      "Join WS-Discovery multicast and send Hello/Bye on this interface only", "IFNAME" },
    { "mdns-port", 0, 0, G_OPTION_ARG_INT, &options->mdns_port,
      "mDNS/DNS-SD port (default 5353 when free, 0: any free port)", "P" },
    { "mdns-multicast", 0, 0, G_OPTION_ARG_STRING, &options->mdns_multicast,
      "Join mDNS multicast and answer multicast queries on this interface only", "IFNAME" },
    { "ssdp-port", 0, 0, G_OPTION_ARG_INT, &options->ssdp_port,
      "SSDP port (default 1900 when free, 0: any free port)", "P" },
    { "ssdp-multicast", 0, 0, G_OPTION_ARG_STRING, &options->ssdp_multicast,
      "Join SSDP multicast and send NOTIFY alive/byebye on this interface only", "IFNAME" },
    { "pppp-uid", 0, 0, G_OPTION_ARG_STRING, &options->pppp_uid,
      "Answer CS2 PPPP LAN searches as this UID (e.g. ABCD-123456-EFGHI)", "UID" },
    { "pppp-psk", 0, 0, G_OPTION_ARG_STRING, &options->pppp_psk,
      "Obfuscate PPPP with this key (e.g. camera, SHIX)", "KEY" },
    { "p2p-any-address", 0, 0, G_OPTION_ARG_NONE, &options->p2p_any,
      "Listen for P2P LAN searches on every address, so broadcasts reach it (lab LANs)", NULL },
    { "pppp-port", 0, 0, G_OPTION_ARG_INT, &options->pppp_port,
      "PPPP LAN search port (default 32108, 0: any free port)", "P" },
    { "kalay-uid", 0, 0, G_OPTION_ARG_STRING, &options->kalay_uid,
      "Answer Kalay LAN searches as this 20-character UID", "UID" },
    { "kalay-port", 0, 0, G_OPTION_ARG_INT, &options->kalay_port,
      "Kalay LAN search port (default 32761, 0: any free port)", "P" },
    { "phone-home", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->phone_home,
      "Phone home to this lab host every interval (repeatable; IPv6 in brackets)",
      "HOST:PORT/udp|tcp" },
    { "phone-home-interval", 0, 0, G_OPTION_ARG_DOUBLE, &options->phone_home_interval,
      "Seconds between phone-home rounds (default 5, fractions allowed)", "SECONDS" },
    { "pppp-server-port", 0, 0, G_OPTION_ARG_INT, &options->pppp_server_port,
      "UDP phone-home targets on this port get CS2 PPPP hellos (default 32100)", "P" },
    { "ntp", 0, 0, G_OPTION_ARG_STRING, &options->ntp,
      "Send an SNTP request to this lab host every phone-home round", "HOST[:PORT]" },
    { "dns-server", 0, 0, G_OPTION_ARG_STRING, &options->dns_server,
      "Resolve phone-home and NTP names with this DNS server over UDP (default: the "
      "system resolver)", "ADDR[:PORT]" },
    { "honour-p2p-setting", 0, 0, G_OPTION_ARG_NONE, &options->honour_p2p_setting,
      "Stop the PPPP hellos when the CGI turns P2P off (default: the vendor bug, they go on)",
      NULL },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &options->bind,
      "Numeric IPv4 or IPv6 address to listen on (default 127.0.0.1)", "ADDR" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &options->user,
      "Require this user (RTSP, ONVIF, snapshot)", "U" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &options->password, "Password of --user", "PW" },
    { "gop", 0, 0, G_OPTION_ARG_DOUBLE, &options->gop,
      "Seconds between scheduled keyframes (default 2.0)", "SECONDS" },
    { "fps", 0, 0, G_OPTION_ARG_INT, &options->fps, "Frames per second (default 30)", "N" },
    { "width", 0, 0, G_OPTION_ARG_INT, &options->width, "Main stream width", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &options->height, "Main stream height", "H" },
    { "sub-width", 0, 0, G_OPTION_ARG_INT, &options->sub_width, "Sub-stream width", "W" },
    { "sub-height", 0, 0, G_OPTION_ARG_INT, &options->sub_height, "Sub-stream height", "H" },
    { "pattern", 0, 0, G_OPTION_ARG_STRING, &options->pattern,
      "videotestsrc pattern (default smpte, moving)", "NAME" },
    { "p2p", 0, 0, G_OPTION_ARG_STRING, &options->p2p_url,
      "Publish the main stream through this rendezvous server (ws:// or wss://)", "URL" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &options->p2p_token_file,
      "The P2P account token, read from FILE", "FILE" },
    { "identity", 0, 0, G_OPTION_ARG_FILENAME, &options->p2p_identity,
      "The camera's P2P identity (created on first use, reused after)", "FILE" },
    { "stun", 0, 0, G_OPTION_ARG_STRING, &options->p2p_stun, "STUN server for P2P", "URL" },
    { "turn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->p2p_turn,
      "TURN server for P2P (repeatable)", "URL" },
    { "ice-policy", 0, 0, G_OPTION_ARG_STRING, &options->p2p_ice_policy,
      "P2P ICE policy: all, relay or lan", "POLICY" },
    { "ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->p2p_local_addresses,
      "Gather P2P candidates on this address only (repeatable)", "ADDR" },
    { "whep-token", 0, 0, G_OPTION_ARG_STRING, &options->whep_token,
      "Require this Bearer token on the WHEP endpoint", "TOKEN" },
    { "whep-max-sessions", 0, 0, G_OPTION_ARG_INT, &options->whep_max_sessions,
      "Refuse WHEP sessions beyond N at once (default 16)", "N" },
    { "whep-ice-server", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->whep_ice_servers,
      "Name this STUN or TURN server to WHEP clients (Link, RFC 9725; repeatable)", "URI" },
    { "whep-ice-username", 0, 0, G_OPTION_ARG_STRING, &options->whep_ice_username,
      "The TURN servers' user name for WHEP clients", "USER" },
    { "whep-ice-credential", 0, 0, G_OPTION_ARG_STRING, &options->whep_ice_credential,
      "The TURN servers' credential for WHEP clients", "SECRET" },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &options->log_path,
      "Append connection and event records to FILE (JSON lines)", "FILE" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version, "Print the version and exit", NULL },
    { NULL }
  };

  context = g_option_context_new ("- emulate an ONVIF/RTSP IP camera");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (*argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "Unexpected argument '%s'", (*argv)[1]);
      return FALSE;
    }
  if (options->rtsp_port < 0 || options->rtsp_port > 65535 ||
      options->onvif_port < 0 || options->onvif_port > 65535 ||
      options->wsd_port < -1 || options->wsd_port > 65535 ||
      options->mdns_port < -1 || options->mdns_port > 65535 ||
      options->ssdp_port < -1 || options->ssdp_port > 65535 ||
      options->wsd_max_delay_ms < 0 || options->wsd_max_delay_ms > 60000 ||
      options->pppp_port < 0 || options->pppp_port > 65535 || options->pppp_port == 32100 ||
      options->kalay_port < 0 || options->kalay_port > 65535 ||
      options->pppp_server_port < 1 || options->pppp_server_port > 65535)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "Ports must be between 0 and 65535");
      return FALSE;
    }
  if (options->fps < 1 || options->fps > 120 || !(options->gop > 0 && options->gop <= 60))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--fps must be 1..120 and --gop in (0, 60]");
      return FALSE;
    }
  if (options->width < 64 || options->height < 64 || options->width > 7680 ||
      options->height > 4320 || options->sub_width < 64 || options->sub_height < 64 ||
      options->sub_width > 7680 || options->sub_height > 4320 ||
      options->width % 2 || options->height % 2 || options->sub_width % 2 ||
      options->sub_height % 2)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "Sizes must be even and between 64x64 and 7680x4320");
      return FALSE;
    }
  if (!(options->phone_home_interval >= 0.05 && options->phone_home_interval <= 86400))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--phone-home-interval must be between 0.05 and 86400 seconds");
      return FALSE;
    }
  if (options->dns_server != NULL && options->phone_home == NULL && options->ntp == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--dns-server needs --phone-home or --ntp");
      return FALSE;
    }
  if (options->user != NULL && options->password == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--user needs --password");
      return FALSE;
    }

  return TRUE;
}

static void
options_set_defaults (Options *options)
{
  options->rtsp_port = 0;
  options->onvif_port = 0;
  options->wsd_port = -1;
  options->ssdp_port = -1;
  options->wsd_max_delay_ms = 500;
  options->mdns_port = -1;
  options->pppp_port = 32108;
  options->kalay_port = 32761;
  options->phone_home_interval = 5.0;
  options->pppp_server_port = PS_EMULATOR_PPPP_SERVER_PORT;
  options->gop = 2.0;
  options->fps = 30;
  options->width = 1280;
  options->height = 720;
  options->sub_width = 640;
  options->sub_height = 360;
}

static void
options_finish (Options *options)
{
  if (options->name == NULL)
    options->name = g_strdup ("Peerscope Emulated Camera");
  if (options->manufacturer == NULL)
    options->manufacturer = g_strdup ("Peerscope");
  if (options->model == NULL)
    options->model = g_strdup ("EmuCam 1");
  if (options->mac == NULL)
    options->mac = mac_from_name (options->name);
  if (options->serial == NULL)
    {
      g_autofree char *hex = g_strdup (options->mac);
      char *out = hex;

      for (const char *p = options->mac; *p; p++)
        if (*p != ':')
          *out++ = g_ascii_toupper (*p);
      *out = '\0';
      options->serial = g_strdup_printf ("EMU-%s", hex);
    }
  if (options->firmware == NULL)
    options->firmware = g_strdup (PACKAGE_VERSION);
  if (options->bind == NULL)
    options->bind = g_strdup ("127.0.0.1");
  if (options->pattern == NULL)
    options->pattern = g_strdup ("smpte");
}

static void
options_clear (Options *options)
{
  g_free (options->name);
  g_free (options->manufacturer);
  g_free (options->model);
  g_free (options->mac);
  g_free (options->serial);
  g_free (options->firmware);
  g_free (options->user);
  g_free (options->password);
  g_free (options->bind);
  g_free (options->log_path);
  g_free (options->pattern);
  g_free (options->wsd_multicast);
  g_free (options->mdns_multicast);
  g_free (options->ssdp_multicast);
  g_free (options->pppp_uid);
  g_free (options->pppp_psk);
  g_free (options->kalay_uid);
  g_strfreev (options->phone_home);
  g_free (options->ntp);
  g_free (options->dns_server);
  g_free (options->whep_token);
  g_strfreev (options->whep_ice_servers);
  g_free (options->whep_ice_username);
  g_free (options->whep_ice_credential);
}

/* Without --wsd-port, 3702 when it is free: emulators started side by side
 * must not fail because of it. */
static gboolean
start_wsd (Emulator  *emu,
           GError   **error)
{
  const Options *o = &emu->options;
  g_autofree char *xaddr = ps_emulator_net_url ("http", emu->address,
                                                ps_emulator_onvif_get_port (emu->onvif),
                                                "/onvif/device_service");
  PsEmulatorWsdDevice device = {
    .name = o->name, .model = o->model, .mac = o->mac, .xaddr = xaddr,
  };
  g_autoptr(GError) local_error = NULL;

  emu->wsd = ps_emulator_wsd_new (&device, emu->address, o->wsd_port < 0 ? 3702 : o->wsd_port,
                                  (guint) o->wsd_max_delay_ms, o->wsd_multicast, emu->log,
                                  &local_error);
  if (emu->wsd != NULL)
    return TRUE;
  if (o->wsd_port < 0 && o->wsd_multicast == NULL)
    {
      g_message ("WS-Discovery off: %s", local_error->message);
      return TRUE;
    }

  g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "WS-Discovery: ");
  return FALSE;
}

/* Without --mdns-port, 5353 when it is free, like start_wsd(). */
static gboolean
start_mdns (Emulator  *emu,
            GError   **error)
{
  const Options *o = &emu->options;
  PsEmulatorMdnsDevice device = {
    .name = o->name, .manufacturer = o->manufacturer, .model = o->model, .mac = o->mac,
    .rtsp_port = ps_emulator_rtsp_get_port (emu->rtsp),
    .onvif_port = ps_emulator_onvif_get_port (emu->onvif),
  };
  g_autoptr(GError) local_error = NULL;

  emu->mdns = ps_emulator_mdns_new (&device, emu->address,
                                    o->mdns_port < 0 ? 5353 : (guint) o->mdns_port,
                                    o->mdns_multicast, emu->log, &local_error);
  if (emu->mdns != NULL)
    return TRUE;
  if (o->mdns_port < 0 && o->mdns_multicast == NULL)
    {
      g_message ("mDNS off: %s", local_error->message);
      return TRUE;
    }

  g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "mDNS: ");
  return FALSE;
}

/* Like WS-Discovery: 1900 when free, unless a port was asked for. The
 * description is served by the ONVIF HTTP server either way. */
static gboolean
start_ssdp (Emulator  *emu,
            GError   **error)
{
  const Options *o = &emu->options;
  guint http_port = ps_emulator_onvif_get_port (emu->onvif);
  g_autofree char *location = ps_emulator_net_url ("http", emu->address, http_port,
                                                   "/description.xml");
  g_autofree char *presentation = ps_emulator_net_url ("http", emu->address, http_port, "/");
  PsEmulatorSsdpDevice device = {
    .name = o->name, .manufacturer = o->manufacturer, .model = o->model, .mac = o->mac,
    .serial = o->serial, .location = location, .presentation = presentation,
  };
  g_autoptr(GBytes) description = ps_emulator_ssdp_build_description (&device);
  g_autoptr(GError) local_error = NULL;

  ps_emulator_onvif_set_description (emu->onvif, description);
  emu->ssdp = ps_emulator_ssdp_new (&device, emu->address,
                                    o->ssdp_port < 0 ? 1900 : (guint) o->ssdp_port,
                                    o->ssdp_multicast, emu->log, &local_error);
  if (emu->ssdp != NULL)
    return TRUE;
  if (o->ssdp_port < 0 && o->ssdp_multicast == NULL)
    {
      g_message ("SSDP off: %s", local_error->message);
      return TRUE;
    }

  g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "SSDP: ");
  return FALSE;
}

/* Phone home from the start, like a camera at boot; the CGI can turn P2P
 * off (which, the vendor bug, changes nothing by default). */
static gboolean
start_phone_home (Emulator  *emu,
                  GError   **error)
{
  const Options *o = &emu->options;
  PsEmulatorPhoneHomeConfig config = {
    .serial = o->serial, .mac = o->mac, .pppp_psk = o->pppp_psk,
    .pppp_server_port = (guint16) o->pppp_server_port, .interval = o->phone_home_interval,
    .honour_p2p_setting = o->honour_p2p_setting,
  };

  if (o->phone_home != NULL || o->ntp != NULL)
    {
      emu->phone_home = ps_emulator_phone_home_new (&config,
                                                    (const char * const *) o->phone_home,
                                                    o->ntp, o->dns_server, emu->address,
                                                    emu->log, error);
      if (emu->phone_home == NULL)
        {
          g_prefix_error (error, "phone home: ");
          return FALSE;
        }
    }

  emu->cgi = ps_emulator_cgi_new (ps_emulator_onvif_get_server (emu->onvif), o->user,
                                  o->password, emu->phone_home, emu->log);
  {
    g_autofree char *bind = g_inet_address_to_string (emu->address);

    /* like go2rtc or MediaMTX in front of a camera */
    emu->whep = ps_emulator_whep_new (ps_emulator_onvif_get_server (emu->onvif),
                                      emu->main_stream, bind, o->whep_token,
                                      (guint) MAX (o->whep_max_sessions, 0));
    ps_emulator_whep_set_ice_servers (emu->whep, (const char * const *) o->whep_ice_servers,
                                      o->whep_ice_username, o->whep_ice_credential);
  }

  return TRUE;
}

/* --p2p: the main stream on the user's own P2P network */
static gboolean
start_p2p (Emulator  *emu,
           GError   **error)
{
  const Options *o = &emu->options;
  g_autoptr(PsP2pConfig) config = NULL;
  g_autofree char *token = NULL;

  if (o->p2p_token_file == NULL || o->p2p_identity == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "--p2p needs --token-file and --identity");
      return FALSE;
    }
  if (!g_file_get_contents (o->p2p_token_file, &token, NULL, error))
    return FALSE;
  g_strstrip (token);

  config = ps_p2p_config_new (o->p2p_url, token);
  config->stun_server = g_strdup (o->p2p_stun);
  config->turn_servers = g_strdupv (o->p2p_turn);
  config->local_addresses = g_strdupv (o->p2p_local_addresses);
  if (o->p2p_ice_policy != NULL && !ps_ice_policy_from_string (o->p2p_ice_policy,
                                                               &config->ice_policy))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--ice-policy is all, relay or lan, not %s", o->p2p_ice_policy);
      return FALSE;
    }
  if (!ps_p2p_config_validate (config, error))
    return FALSE;

  emu->p2p = ps_emulator_p2p_new (emu->main_stream, config, o->p2p_identity, o->name, error);
  if (emu->p2p == NULL)
    return FALSE;
  ps_emulator_p2p_start (emu->p2p, on_p2p_started_cb, emu);

  return TRUE;
}

static gboolean
start (Emulator  *emu,
       GError   **error)
{
  const Options *o = &emu->options;
  g_autoptr(GInetAddress) p2p_address = NULL;
  PsEmulatorStreamConfig main_config = {
    .id = "main", .camera_name = o->name, .pattern = o->pattern,
    .width = (guint) o->width, .height = (guint) o->height, .fps = (guint) o->fps,
    .gop_seconds = o->gop, .bitrate_kbps = 2048, .snapshot = FALSE,
  };
  PsEmulatorStreamConfig sub_config = {
    .id = "sub", .camera_name = o->name, .pattern = o->pattern,
    .width = (guint) o->sub_width, .height = (guint) o->sub_height, .fps = (guint) o->fps,
    .gop_seconds = o->gop, .bitrate_kbps = 512, .snapshot = TRUE,
  };
  PsEmulatorDevice device = {
    .name = o->name, .manufacturer = o->manufacturer, .model = o->model, .mac = o->mac,
    .serial = o->serial, .firmware = o->firmware, .hardware_id = o->model,
    .user = o->user, .password = o->password,
  };

  emu->address = ps_emulator_net_parse_address (o->bind, error);
  if (emu->address == NULL)
    return FALSE;

  if (o->log_path != NULL && (emu->log = ps_emulator_log_open (o->log_path, error)) == NULL)
    return FALSE;

  emu->main_stream = ps_emulator_stream_new (&main_config, emu->log, error);
  if (emu->main_stream == NULL)
    return FALSE;
  emu->sub_stream = ps_emulator_stream_new (&sub_config, emu->log, error);
  if (emu->sub_stream == NULL)
    return FALSE;

  emu->rtsp = ps_emulator_rtsp_new (emu->address, (guint) o->rtsp_port, o->user, o->password,
                                    emu->main_stream, emu->sub_stream, emu->log, error);
  if (emu->rtsp == NULL)
    return FALSE;

  emu->onvif = ps_emulator_onvif_new (&device, emu->address, (guint) o->onvif_port,
                                      ps_emulator_rtsp_get_port (emu->rtsp),
                                      emu->main_stream, emu->sub_stream, emu->log, error);
  if (emu->onvif == NULL)
    return FALSE;

  if (!start_wsd (emu, error))
    return FALSE;
  if (!start_mdns (emu, error))
    return FALSE;
  if (!start_ssdp (emu, error))
    return FALSE;
  if (!start_phone_home (emu, error))
    return FALSE;

  /* like a real camera on a LAN: a socket on the wildcard address hears the
   * viewer's broadcast search, one on --bind does not */
  if (o->p2p_any)
    p2p_address = g_inet_address_new_any (g_inet_address_get_family (emu->address));
  else
    p2p_address = g_object_ref (emu->address);

  if (o->pppp_uid != NULL &&
      (emu->pppp = ps_emulator_pppp_new (p2p_address, (guint) o->pppp_port, o->pppp_uid,
                                         o->pppp_psk, emu->log, error)) == NULL)
    return FALSE;
  if (o->kalay_uid != NULL &&
      (emu->kalay = ps_emulator_kalay_new (p2p_address, (guint) o->kalay_port, o->kalay_uid,
                                           emu->log, error)) == NULL)
    return FALSE;

  if (o->p2p_url != NULL && !start_p2p (emu, error))
    return FALSE;

  ps_emulator_stream_start (emu->main_stream, on_stream_ready_cb, on_stream_error_cb, emu);
  ps_emulator_stream_start (emu->sub_stream, on_stream_ready_cb, on_stream_error_cb, emu);

  return TRUE;
}

static void
stop (Emulator *emu)
{
  g_clear_pointer (&emu->p2p, ps_emulator_p2p_free);
  g_clear_pointer (&emu->whep, ps_emulator_whep_free);
  g_clear_pointer (&emu->cgi, ps_emulator_cgi_free);
  g_clear_pointer (&emu->phone_home, ps_emulator_phone_home_free);
  g_clear_pointer (&emu->wsd, ps_emulator_wsd_free);
  g_clear_pointer (&emu->mdns, ps_emulator_mdns_free);
  g_clear_pointer (&emu->ssdp, ps_emulator_ssdp_free);
  g_clear_pointer (&emu->onvif, ps_emulator_onvif_free);
  g_clear_pointer (&emu->pppp, ps_emulator_p2p_search_free);
  g_clear_pointer (&emu->kalay, ps_emulator_p2p_search_free);
  g_clear_pointer (&emu->rtsp, ps_emulator_rtsp_free);
  if (emu->main_stream != NULL)
    ps_emulator_stream_stop (emu->main_stream);
  if (emu->sub_stream != NULL)
    ps_emulator_stream_stop (emu->sub_stream);
  g_clear_pointer (&emu->main_stream, ps_emulator_stream_free);
  g_clear_pointer (&emu->sub_stream, ps_emulator_stream_free);
  g_clear_pointer (&emu->log, ps_emulator_log_free);
  g_clear_object (&emu->address);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  Emulator emu = { 0 };
  guint sigterm_id, sigint_id;

  /* stdout carries the ready line and nothing else. */
  g_log_writer_default_set_use_stderr (TRUE);

  options_set_defaults (&emu.options);
  if (!parse_options (&emu.options, &argc, &argv, &error))
    {
      g_printerr ("peerscope-camera-emulator: %s\n"
                  "Run 'peerscope-camera-emulator --help' for the options.\n", error->message);
      options_clear (&emu.options);
      return EXIT_USAGE;
    }

  if (emu.options.version)
    {
      g_print ("peerscope-camera-emulator %s\n", PACKAGE_VERSION);
      options_clear (&emu.options);
      return EXIT_SUCCESS;
    }

  options_finish (&emu.options);
  gst_init (NULL, NULL);

  emu.loop = g_main_loop_new (NULL, FALSE);
  emu.exit_status = EXIT_SUCCESS;
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal_cb, &emu);
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal_cb, &emu);

  if (start (&emu, &error))
    g_main_loop_run (emu.loop);
  else
    {
      g_printerr ("peerscope-camera-emulator: %s\n", error->message);
      emu.exit_status = EXIT_FAILURE;
    }

  stop (&emu);
  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  g_main_loop_unref (emu.loop);
  options_clear (&emu.options);

  return emu.exit_status;
}
