/* ps-emulator-phone-home.c: the traffic a cheap P2P camera sends home
 *
 * Every interval ("round") the camera looks up the names it was given
 * (once per name per round, before any connection), then:
 *
 *  - UDP targets: one datagram each, from ONE socket per target kept for
 *    the whole run (same source port, so conntrack sees one long flow per
 *    server, as with real cameras). On the PPPP server port (32100) it is
 *    a CS2 MSG_HELLO (F1 00 00 00, obfuscated with --pppp-psk if given),
 *    elsewhere a small JSON heartbeat. Answers are counted and dropped.
 *  - TCP targets: connect, "POST /api/heartbeat" with a JSON body, read the
 *    reply (capped), close: ps-emulator-heartbeat.c. A target still busy
 *    from the last round skips this one.
 *  - NTP: a 48-byte SNTP request to the server, the reply checked and
 *    otherwise ignored.
 *
 * The emulator only ever sends to lab addresses (loopback, private and
 * documentation ranges, see ps_emulator_net_is_lab_address()): a numeric
 * target elsewhere is refused at start, a name that resolves elsewhere at
 * each round.
 *
 * Each target writes one log line per round (JSON lines, --log):
 *
 *   {"ts_us":…,"event":"phone-home","protocol":"udp","payload":"pppp-hello",
 *    "host":"p2p1.example","local":"10.99.1.11:40001",
 *    "remote":"198.51.100.11:32100","round":3,"bytes_out":4,"packets_out":1,
 *    "bytes_in":0,"packets_in":0}
 *
 * bytes_* count UDP (or TCP) payload only: add the IP and UDP headers (28
 * bytes per packet over IPv4, 48 over IPv6) to compare with conntrack.
 * UDP lines are written when the datagram is sent; their bytes_in and
 * packets_in count what arrived since the target's previous line (summed
 * over the lines they give the flow's totals). TCP lines are written when
 * the exchange ends and have no packet counts (the kernel decides those);
 * their bytes_in is what was read of the reply (4 KiB at most);
 * they add "connected" and, when a reply came, "http_status". NTP lines
 * have "event":"ntp" and, after a good reply, "stratum" and "offset_ms".
 * A line with "error" says what went wrong (the name did not resolve, the
 * address is not a lab address, the connection failed or timed out);
 * "local" and "remote" are left out when there are none. A round writes
 * no line for a TCP target still busy from the last one, nor, with
 * --honour-p2p-setting and P2P off, for the PPPP targets it skips. The
 * resolver logs its own "dns-query" lines, the CGI "p2p-setting".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <string.h>

#include "ps-emulator-heartbeat.h"
#include "ps-emulator-net.h"
#include "ps-emulator-ntp.h"
#include "ps-emulator-phone-home.h"
#include "ps-emulator-resolver.h"
#include "ps-pppp.h"

#define MAX_ANSWER          2048
#define PPPP_MSG_HELLO      0x00
#define DRAIN_TIMEOUT_MS    3000

typedef enum {
  KIND_UDP,
  KIND_TCP,
  KIND_NTP,
} Kind;

typedef struct
{
  PsEmulatorPhoneHome *self;
  Kind                 kind;
  char                *spec;        /* "HOST:PORT/udp", as in the ready line */
  char                *host;        /* a name or an address, no brackets */
  guint16              port;
  GInetAddress        *numeric;     /* host as an address, or NULL for a name */
  gboolean             pppp;
  GSocket             *socket;      /* UDP and NTP: one for the whole run */
  GSource             *watch;
  GSocketAddress      *remote;      /* where socket is connected */
  guint64              bytes_in;    /* since the last line */
  guint64              packets_in;
  guint64              ntp_transmit;
  gint                 ntp_stratum; /* of a good reply since the last line, or -1 */
  gint64               ntp_offset_ms;
  guint32              seq;
  GCancellable        *tcp_cancellable;  /* TCP: a heartbeat in flight */
  guint64              tcp_round;        /* the round it started in */
} Target;

typedef struct
{
  PsEmulatorPhoneHome *self;
  char                *name;
  guint64              round;
} NameLookup;

struct _PsEmulatorPhoneHome
{
  PsEmulatorPhoneHomeConfig  config;
  GPtrArray                 *targets;       /* Target */
  GInetAddress              *bind_address;
  PsEmulatorResolver        *resolver;
  PsEmulatorLog             *log;           /* unowned */
  GCancellable              *cancellable;
  guint                      interval_ms;
  guint                      round_id;
  guint                      first_id;
  guint64                    round;
  guint                      pending;       /* lookups and heartbeats in flight */
  gboolean                   p2p_enabled;
  gboolean                   closing;
};

static void
target_free (gpointer data)
{
  Target *target = data;

  g_assert (target->tcp_cancellable == NULL);

  if (target->watch != NULL)
    {
      g_source_destroy (target->watch);
      g_source_unref (target->watch);
    }
  if (target->socket != NULL)
    g_socket_close (target->socket, NULL);
  g_clear_object (&target->socket);
  g_clear_object (&target->remote);
  g_clear_object (&target->numeric);
  g_free (target->spec);
  g_free (target->host);
  g_free (target);
}

/* Logging */

static JsonBuilder *
begin_line (Target         *target,
            guint64         round,
            GSocketAddress *local,
            GSocketAddress *remote)
{
  JsonBuilder *builder;
  g_autofree char *local_text = ps_emulator_net_format (local);
  g_autofree char *remote_text = ps_emulator_net_format (remote);
  const char *payload = NULL;

  builder = ps_emulator_log_begin (target->kind == KIND_NTP ? "ntp" : "phone-home");
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder, target->kind == KIND_TCP ? "tcp" : "udp");
  switch (target->kind)
    {
    case KIND_UDP:
      payload = target->pppp ? "pppp-hello" : "vendor";
      break;
    case KIND_TCP:
      payload = "http";
      break;
    case KIND_NTP:
      payload = "sntp";
      break;
    default:
      g_assert_not_reached ();
    }
  json_builder_set_member_name (builder, "payload");
  json_builder_add_string_value (builder, payload);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, target->host);
  /* unknown (nothing sent, nothing connected): left out */
  if (local != NULL)
    {
      json_builder_set_member_name (builder, "local");
      json_builder_add_string_value (builder, local_text);
    }
  if (remote != NULL)
    {
      json_builder_set_member_name (builder, "remote");
      json_builder_add_string_value (builder, remote_text);
    }
  json_builder_set_member_name (builder, "round");
  json_builder_add_int_value (builder, (gint64) round);

  return builder;
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
end_line (Target       *target,
          JsonBuilder  *builder,
          const char   *error)
{
  if (error != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, error);
    }
  ps_emulator_log_write (target->self->log, builder);
}

/* A round that sent nothing: unresolved name, refused address, no socket. */
static void
log_failure (Target         *target,
             GSocketAddress *remote,
             const char     *error)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_debug ("phone home to %s: %s", target->spec, error);
  builder = begin_line (target, target->self->round, NULL, remote);
  add_int (builder, "bytes_out", 0);
  if (target->kind != KIND_TCP)
    add_int (builder, "packets_out", 0);
  else
    {
      json_builder_set_member_name (builder, "connected");
      json_builder_add_boolean_value (builder, FALSE);
    }
  end_line (target, builder, error);
}

/* Payloads */

static GBytes *
build_pppp_hello (PsEmulatorPhoneHome *self)
{
  guint8 hello[4] = { PS_PPPP_MAGIC, PPPP_MSG_HELLO, 0, 0 };

  if (self->config.pppp_psk != NULL && self->config.pppp_psk[0] != '\0')
    ps_pppp_encrypt (self->config.pppp_psk, hello, hello, sizeof hello);

  return g_bytes_new (hello, sizeof hello);
}

static char *
build_heartbeat_json (PsEmulatorPhoneHome *self,
                      guint32              seq)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cmd");
  json_builder_add_string_value (builder, "heartbeat");
  json_builder_set_member_name (builder, "sn");
  json_builder_add_string_value (builder, self->config.serial);
  json_builder_set_member_name (builder, "mac");
  json_builder_add_string_value (builder, self->config.mac);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, seq);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static GBytes *
build_http_heartbeat (Target *target)
{
  g_autofree char *body = build_heartbeat_json (target->self, target->seq);
  g_autofree char *host = NULL;
  char *request;

  if (target->numeric != NULL && g_inet_address_get_family (target->numeric) ==
                                 G_SOCKET_FAMILY_IPV6)
    host = g_strdup_printf ("[%s]:%u", target->host, target->port);
  else
    host = g_strdup_printf ("%s:%u", target->host, target->port);

  request = g_strdup_printf ("POST /api/heartbeat HTTP/1.1\r\n"
                             "Host: %s\r\n"
                             "User-Agent: EmuCam-P2P/1.0\r\n"
                             "Content-Type: application/json\r\n"
                             "Content-Length: %zu\r\n"
                             "Connection: close\r\n"
                             "\r\n"
                             "%s",
                             host, strlen (body), body);

  return g_bytes_new_take (request, strlen (request));
}

static GBytes *
build_datagram (Target *target)
{
  switch (target->kind)
    {
    case KIND_UDP:
      if (target->pppp)
        return build_pppp_hello (target->self);
      {
        char *json = build_heartbeat_json (target->self, target->seq);

        return g_bytes_new_take (json, strlen (json));
      }

    case KIND_NTP:
      return ps_emulator_ntp_build_request (g_get_real_time (), &target->ntp_transmit);

    case KIND_TCP:
    default:
      g_assert_not_reached ();
    }
}

/* Where to send from: --bind when it can reach remote, else the wildcard
 * address of remote's family. */
static GInetAddress *
local_address_for (PsEmulatorPhoneHome *self,
                   GInetAddress        *remote)
{
  GSocketFamily family = g_inet_address_get_family (remote);
  GInetAddress *bind = self->bind_address;

  if (bind != NULL && g_inet_address_get_family (bind) == family &&
      !g_inet_address_get_is_any (bind) &&
      (!g_inet_address_get_is_loopback (bind) || g_inet_address_get_is_loopback (remote)))
    return g_object_ref (bind);

  return g_inet_address_new_any (family);
}

static gboolean
same_socket_address (GSocketAddress *a,
                     GSocketAddress *b)
{
  if (a == NULL || b == NULL)
    return FALSE;

  return ps_emulator_net_port (a) == ps_emulator_net_port (b) &&
         g_inet_address_equal (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (a)),
                               g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (b)));
}

/* UDP and NTP */

static void
on_answer_cb (gpointer        user_data,
              GSocket        *socket,
              const guint8   *data,
              gsize           len,
              GSocketAddress *from)
{
  Target *target = user_data;
  g_autoptr(GError) error = NULL;
  gint64 server_us;
  guint stratum;

  target->bytes_in += len;
  target->packets_in++;

  if (target->kind != KIND_NTP)
    return;

  if (!ps_emulator_ntp_parse_reply (data, len, target->ntp_transmit, &stratum, &server_us,
                                    &error))
    {
      g_debug ("ntp: ignoring a datagram: %s", error->message);
      return;
    }
  target->ntp_stratum = (gint) stratum;
  target->ntp_offset_ms = (server_us - g_get_real_time ()) / 1000;
}

static gboolean
ensure_socket (Target          *target,
               GSocketAddress  *remote,
               GError         **error)
{
  GInetAddress *remote_address = g_inet_socket_address_get_address (
    G_INET_SOCKET_ADDRESS (remote));
  g_autoptr(GInetAddress) local_address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) socket = NULL;

  if (target->socket != NULL &&
      g_socket_get_family (target->socket) != g_inet_address_get_family (remote_address))
    {
      /* the name moved to the other family: start a new flow */
      g_source_destroy (target->watch);
      g_clear_pointer (&target->watch, g_source_unref);
      g_socket_close (target->socket, NULL);
      g_clear_object (&target->socket);
      g_clear_object (&target->remote);
    }

  if (target->socket == NULL)
    {
      local_address = local_address_for (target->self, remote_address);
      local = g_inet_socket_address_new (local_address, 0);
      socket = g_socket_new (g_inet_address_get_family (remote_address), G_SOCKET_TYPE_DATAGRAM,
                             G_SOCKET_PROTOCOL_UDP, error);
      if (socket == NULL)
        return FALSE;
      g_socket_set_blocking (socket, FALSE);
      if (!g_socket_bind (socket, local, FALSE, error))
        return FALSE;

      target->socket = g_steal_pointer (&socket);
      target->watch = ps_emulator_net_watch (target->socket, MAX_ANSWER, "phone-home",
                                             on_answer_cb, target);
    }

  /* connected, so that the kernel picks (and we can log) the source
   * address, and only the server's answers come in */
  if (!same_socket_address (target->remote, remote))
    {
      g_clear_object (&target->remote);
      if (!g_socket_connect (target->socket, remote, NULL, error))
        return FALSE;
      target->remote = g_object_ref (remote);
    }

  return TRUE;
}

static void
send_datagram (Target         *target,
               GSocketAddress *remote)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  gssize sent = -1;

  if (!ensure_socket (target, remote, &error))
    {
      log_failure (target, remote, error->message);
      return;
    }

  target->seq++;
  payload = build_datagram (target);
  for (guint attempt = 0; attempt < 2 && sent < 0; attempt++)
    {
      g_clear_error (&error);
      /* a connected UDP socket reports an earlier ICMP error once */
      sent = g_socket_send (target->socket, g_bytes_get_data (payload, NULL),
                            g_bytes_get_size (payload), NULL, &error);
      if (sent < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        break;
    }

  local = g_socket_get_local_address (target->socket, NULL);
  builder = begin_line (target, target->self->round, local, remote);
  add_int (builder, "bytes_out", MAX (sent, 0));
  add_int (builder, "packets_out", sent >= 0 ? 1 : 0);
  add_int (builder, "bytes_in", (gint64) target->bytes_in);
  add_int (builder, "packets_in", (gint64) target->packets_in);
  if (target->kind == KIND_NTP && target->ntp_stratum >= 0)
    {
      add_int (builder, "stratum", target->ntp_stratum);
      add_int (builder, "offset_ms", target->ntp_offset_ms);
    }
  end_line (target, builder, sent < 0 ? error->message : NULL);

  target->bytes_in = 0;
  target->packets_in = 0;
  target->ntp_stratum = -1;
}

/* TCP */

static void
on_heartbeat_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Target *target = user_data;
  PsEmulatorPhoneHome *self = target->self;
  g_autoptr(PsEmulatorHeartbeat) heartbeat = ps_emulator_heartbeat_send_finish (result);
  g_autoptr(JsonBuilder) builder = NULL;

  g_clear_object (&target->tcp_cancellable);
  self->pending--;
  if (self->closing)
    return;

  /* the round it started in, not the one now */
  builder = begin_line (target, target->tcp_round, heartbeat->local, heartbeat->remote);
  add_int (builder, "bytes_out", (gint64) heartbeat->bytes_out);
  add_int (builder, "bytes_in", (gint64) heartbeat->bytes_in);
  json_builder_set_member_name (builder, "connected");
  json_builder_add_boolean_value (builder, heartbeat->connected);
  if (heartbeat->http_status >= 0)
    add_int (builder, "http_status", heartbeat->http_status);
  end_line (target, builder, heartbeat->error != NULL ? heartbeat->error->message : NULL);
}

static void
start_heartbeat (Target         *target,
                 GSocketAddress *remote)
{
  PsEmulatorPhoneHome *self = target->self;
  g_autoptr(GInetAddress) local_address = NULL;
  g_autoptr(GBytes) request = NULL;
  guint timeout_ms;

  if (target->tcp_cancellable != NULL)
    {
      g_debug ("phone home to %s: still busy from round %" G_GUINT64_FORMAT, target->spec,
               target->tcp_round);
      return;
    }

  target->seq++;
  target->tcp_round = self->round;
  target->tcp_cancellable = g_cancellable_new ();
  self->pending++;

  local_address = local_address_for (self, g_inet_socket_address_get_address (
                                             G_INET_SOCKET_ADDRESS (remote)));
  request = build_http_heartbeat (target);
  /* about a round (at least a second, for short test rounds), so that a
   * slow server does not pile them up */
  timeout_ms = (guint) CLAMP ((guint64) self->interval_ms * 9 / 10, 1000, 10000);
  ps_emulator_heartbeat_send_async (remote, local_address, request, timeout_ms,
                                    target->tcp_cancellable, on_heartbeat_cb, target);
}

/* Rounds */

static gboolean
target_is_active (Target *target)
{
  PsEmulatorPhoneHome *self = target->self;

  /* the vendor bug: without --honour-p2p-setting, the switch changes nothing */
  return !(target->pppp && !self->p2p_enabled && self->config.honour_p2p_setting);
}

static void
target_go (Target       *target,
           GInetAddress *address)
{
  g_autoptr(GSocketAddress) remote = g_inet_socket_address_new (address, target->port);

  if (!ps_emulator_net_is_lab_address (address))
    {
      g_autofree char *text = g_inet_address_to_string (address);
      g_autofree char *message = g_strdup_printf ("refused: %s is not a lab address", text);

      log_failure (target, remote, message);
      return;
    }

  if (target->kind == KIND_TCP)
    start_heartbeat (target, remote);
  else
    send_datagram (target, remote);
}

static void
on_name_resolved_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  NameLookup *lookup = user_data;
  PsEmulatorPhoneHome *self = lookup->self;
  g_autoptr(GPtrArray) addresses = NULL;
  g_autoptr(GError) error = NULL;

  addresses = ps_emulator_resolver_lookup_finish (self->resolver, result, &error);
  self->pending--;

  if (!self->closing && lookup->round == self->round)
    for (guint i = 0; i < self->targets->len; i++)
      {
        Target *target = self->targets->pdata[i];

        if (target->numeric != NULL || g_strcmp0 (target->host, lookup->name) != 0 ||
            !target_is_active (target))
          continue;
        if (addresses != NULL)
          target_go (target, addresses->pdata[0]);
        else
          log_failure (target, NULL, error->message);
      }
  else if (!self->closing)
    g_debug ("dns: %s answered after its round", lookup->name);

  g_free (lookup->name);
  g_free (lookup);
}

static void
run_round (PsEmulatorPhoneHome *self)
{
  g_autoptr(GHashTable) asked = g_hash_table_new (g_str_hash, g_str_equal);

  self->round++;
  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = self->targets->pdata[i];
      NameLookup *lookup;

      if (!target_is_active (target))
        continue;
      if (target->numeric != NULL)
        {
          target_go (target, target->numeric);
          continue;
        }

      /* each name once per round, however many targets share it */
      if (!g_hash_table_add (asked, target->host))
        continue;
      lookup = g_new0 (NameLookup, 1);
      lookup->self = self;
      lookup->name = g_strdup (target->host);
      lookup->round = self->round;
      self->pending++;
      ps_emulator_resolver_lookup_async (self->resolver, target->host, self->cancellable,
                                         on_name_resolved_cb, lookup);
    }
}

static gboolean
on_round_cb (gpointer user_data)
{
  run_round (user_data);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_first_round_cb (gpointer user_data)
{
  PsEmulatorPhoneHome *self = user_data;

  self->first_id = 0;
  run_round (self);

  return G_SOURCE_REMOVE;
}

/* Setup */

static Target *
target_new (PsEmulatorPhoneHome  *self,
            Kind                  kind,
            const char           *host_port,
            guint16               default_port,
            GError              **error)
{
  g_autofree char *host = NULL;
  Target *target;
  guint16 port;

  if (!ps_emulator_net_parse_host_port (host_port, default_port, &host, &port, error))
    return NULL;

  target = g_new0 (Target, 1);
  target->self = self;
  target->kind = kind;
  target->port = port;
  target->ntp_stratum = -1;
  target->numeric = g_inet_address_new_from_string (host);
  target->pppp = kind == KIND_UDP && port == self->config.pppp_server_port;
  if (target->numeric != NULL && g_inet_address_get_family (target->numeric) ==
                                 G_SOCKET_FAMILY_IPV6)
    target->spec = g_strdup_printf ("[%s]:%u/%s", host, port, kind == KIND_TCP ? "tcp" : "udp");
  else
    target->spec = g_strdup_printf ("%s:%u/%s", host, port, kind == KIND_TCP ? "tcp" : "udp");
  target->host = g_steal_pointer (&host);

  if (target->numeric != NULL && !ps_emulator_net_is_lab_address (target->numeric))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s is not a lab address (loopback, private or documentation range); "
                   "the emulator phones home nowhere else", target->host);
      target_free (target);
      return NULL;
    }

  return target;
}

static Target *
parse_target (PsEmulatorPhoneHome  *self,
              const char           *text,
              GError              **error)
{
  const char *slash = strrchr (text, '/');
  g_autofree char *host_port = NULL;
  Kind kind;

  if (slash == NULL)
    goto bad;
  if (g_str_equal (slash + 1, "udp"))
    kind = KIND_UDP;
  else if (g_str_equal (slash + 1, "tcp"))
    kind = KIND_TCP;
  else
    goto bad;

  host_port = g_strndup (text, (gsize) (slash - text));
  return target_new (self, kind, host_port, 0, error);

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "'%s' is not HOST:PORT/udp or HOST:PORT/tcp", text);
  return NULL;
}

static GSocketAddress *
parse_dns_server (const char  *text,
                  GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) address = NULL;
  guint16 port;

  if (!ps_emulator_net_parse_host_port (text, 53, &host, &port, error))
    return NULL;

  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--dns-server takes a numeric address, not '%s'", host);
      return NULL;
    }
  if (!ps_emulator_net_is_lab_address (address))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s is not a lab address (loopback, private or documentation range)", host);
      return NULL;
    }

  return g_inet_socket_address_new (address, port);
}

PsEmulatorPhoneHome *
ps_emulator_phone_home_new (const PsEmulatorPhoneHomeConfig  *config,
                            const char * const               *targets,
                            const char                       *ntp,
                            const char                       *dns_server,
                            GInetAddress                     *bind_address,
                            PsEmulatorLog                    *log,
                            GError                          **error)
{
  PsEmulatorPhoneHome *self;
  g_autoptr(GSocketAddress) server = NULL;
  GSocketFamily family;
  guint lookup_timeout_ms;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->serial != NULL && config->mac != NULL, NULL);
  g_return_val_if_fail (config->interval > 0, NULL);
  g_return_val_if_fail (bind_address == NULL || G_IS_INET_ADDRESS (bind_address), NULL);

  self = g_new0 (PsEmulatorPhoneHome, 1);
  self->config = *config;
  self->targets = g_ptr_array_new_with_free_func (target_free);
  self->bind_address = bind_address != NULL ? g_object_ref (bind_address) : NULL;
  self->log = log;
  self->cancellable = g_cancellable_new ();
  self->p2p_enabled = TRUE;
  self->interval_ms = (guint) CLAMP (config->interval * 1000 + 0.5, 10, G_MAXINT);

  for (guint i = 0; targets != NULL && targets[i] != NULL; i++)
    {
      Target *target = parse_target (self, targets[i], error);

      if (target == NULL)
        goto fail;
      g_ptr_array_add (self->targets, target);
    }
  if (ntp != NULL)
    {
      Target *target = target_new (self, KIND_NTP, ntp, PS_EMULATOR_NTP_PORT, error);

      if (target == NULL)
        {
          g_prefix_error (error, "--ntp: ");
          goto fail;
        }
      g_ptr_array_add (self->targets, target);
    }
  if (dns_server != NULL && (server = parse_dns_server (dns_server, error)) == NULL)
    goto fail;

  family = bind_address != NULL ? g_inet_address_get_family (bind_address)
                                : G_SOCKET_FAMILY_IPV4;
  /* a name gets its answer before the next round, or none */
  lookup_timeout_ms = (guint) CLAMP ((guint64) self->interval_ms * 4 / 5, 40, 3000);
  self->resolver = ps_emulator_resolver_new (server, family, lookup_timeout_ms, log);

  self->first_id = g_idle_add (on_first_round_cb, self);
  self->round_id = g_timeout_add (self->interval_ms, on_round_cb, self);

  return self;

fail:
  ps_emulator_phone_home_free (self);
  return NULL;
}

GStrv
ps_emulator_phone_home_dup_targets (PsEmulatorPhoneHome *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = self->targets->pdata[i];

      if (target->kind != KIND_NTP)
        g_strv_builder_add (builder, target->spec);
    }

  return g_strv_builder_end (builder);
}

gboolean
ps_emulator_phone_home_set_p2p_enabled (PsEmulatorPhoneHome *self,
                                        gboolean             enabled)
{
  g_return_val_if_fail (self != NULL, FALSE);

  self->p2p_enabled = !!enabled;

  return self->config.honour_p2p_setting;
}

static gboolean
on_drain_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

void
ps_emulator_phone_home_free (PsEmulatorPhoneHome *self)
{
  gboolean expired = FALSE;
  guint drain_id;

  if (self == NULL)
    return;

  self->closing = TRUE;
  g_clear_handle_id (&self->first_id, g_source_remove);
  g_clear_handle_id (&self->round_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = self->targets->pdata[i];

      if (target->tcp_cancellable != NULL)
        g_cancellable_cancel (target->tcp_cancellable);
    }

  /* cancelled operations still call back: let them, then free */
  drain_id = g_timeout_add (DRAIN_TIMEOUT_MS, on_drain_timeout_cb, &expired);
  while (self->pending > 0 && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (expired)
    {
      /* better a leak at exit than a callback into freed memory */
      g_message ("phone home: %u operations did not unwind", self->pending);
      return;
    }
  g_source_remove (drain_id);

  g_clear_pointer (&self->targets, g_ptr_array_unref);
  g_clear_pointer (&self->resolver, ps_emulator_resolver_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->bind_address);
  g_free (self);
}
