/* ps-emulator-resolver.c: host names for phone-home targets
 *
 * With a DNS server (the lab's dnsmasq answers the vendor names), a lookup
 * is one A or AAAA query over UDP from a socket of its own, connected to
 * the server so that only its answers come in. Datagrams that are not the
 * answer (wrong id, wrong question, malformed) are counted and dropped;
 * the lookup ends with the first good answer, an ICMP error or the
 * timeout. Without one, GResolver does the work. Nothing blocks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include "ps-emulator-dns.h"
#include "ps-emulator-net.h"
#include "ps-emulator-resolver.h"

#define MAX_READS_PER_WAKEUP 8

struct _PsEmulatorResolver
{
  GSocketAddress *server;     /* NULL: GResolver */
  GSocketFamily   family;
  guint           timeout_ms;
  PsEmulatorLog  *log;        /* unowned */
};

typedef struct
{
  PsEmulatorLog  *log;
  GSocketAddress *server;
  char           *name;
  guint16         qtype;
  guint16         id;
  GSocket        *socket;
  GSource        *read_source;
  GSource        *timeout_source;
  char           *local;
  gint64          started_us;
  guint64         bytes_out;
  guint64         packets_out;
  guint64         bytes_in;
  guint64         packets_in;
  gboolean        done;
} Lookup;

static void
lookup_free (gpointer data)
{
  Lookup *lookup = data;

  g_assert (lookup->read_source == NULL && lookup->timeout_source == NULL);

  if (lookup->socket != NULL)
    g_socket_close (lookup->socket, NULL);
  g_clear_object (&lookup->socket);
  g_clear_object (&lookup->server);
  g_free (lookup->name);
  g_free (lookup->local);
  g_free (lookup);
}

static void
log_lookup (Lookup                   *lookup,
            const PsEmulatorDnsReply *reply,
            GPtrArray                *addresses,
            const GError             *error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *server = NULL;

  if (lookup->log == NULL)
    return;

  builder = ps_emulator_log_begin ("dns-query");
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, lookup->name);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder,
                                 lookup->qtype == PS_EMULATOR_DNS_TYPE_A ? "A" : "AAAA");
  json_builder_set_member_name (builder, "server");
  if (lookup->server != NULL)
    {
      server = ps_emulator_net_format (lookup->server);
      json_builder_add_string_value (builder, server);
      json_builder_set_member_name (builder, "protocol");
      json_builder_add_string_value (builder, "udp");
      json_builder_set_member_name (builder, "local");
      json_builder_add_string_value (builder, lookup->local != NULL ? lookup->local : "");
      json_builder_set_member_name (builder, "bytes_out");
      json_builder_add_int_value (builder, (gint64) lookup->bytes_out);
      json_builder_set_member_name (builder, "packets_out");
      json_builder_add_int_value (builder, (gint64) lookup->packets_out);
      json_builder_set_member_name (builder, "bytes_in");
      json_builder_add_int_value (builder, (gint64) lookup->bytes_in);
      json_builder_set_member_name (builder, "packets_in");
      json_builder_add_int_value (builder, (gint64) lookup->packets_in);
    }
  else
    json_builder_add_string_value (builder, "system");
  if (reply != NULL && lookup->server != NULL)
    {
      json_builder_set_member_name (builder, "rcode");
      json_builder_add_string_value (builder, ps_emulator_dns_rcode_name (reply->rcode));
    }
  if (addresses != NULL && lookup->server != NULL)
    {
      json_builder_set_member_name (builder, "ttl");
      json_builder_add_int_value (builder, reply->ttl);
    }
  json_builder_set_member_name (builder, "answers");
  json_builder_begin_array (builder);
  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      g_autofree char *text = g_inet_address_to_string (addresses->pdata[i]);

      json_builder_add_string_value (builder, text);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "elapsed_ms");
  json_builder_add_int_value (builder, (g_get_monotonic_time () - lookup->started_us) / 1000);
  if (error != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, error->message);
    }
  ps_emulator_log_write (lookup->log, builder);
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Ends the lookup once: addresses (taken) or error (taken). */
static void
lookup_complete (GTask              *task,
                 PsEmulatorDnsReply *reply,
                 GError             *error)
{
  g_autoptr(GTask) keep = g_object_ref (task);
  Lookup *lookup = g_task_get_task_data (task);
  GPtrArray *addresses = NULL;

  if (lookup->done)
    {
      g_clear_error (&error);
      return;
    }
  lookup->done = TRUE;
  clear_source (&lookup->read_source);
  clear_source (&lookup->timeout_source);

  if (error == NULL && reply != NULL && reply->rcode != 0)
    error = g_error_new (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "%s: %s", lookup->name,
                         ps_emulator_dns_rcode_name (reply->rcode));
  else if (error == NULL && reply != NULL && reply->addresses->len == 0)
    error = g_error_new (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "%s: no %s record",
                         lookup->name, lookup->qtype == PS_EMULATOR_DNS_TYPE_A ? "A" : "AAAA");
  if (error == NULL && reply != NULL)
    addresses = g_ptr_array_ref (reply->addresses);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    log_lookup (lookup, reply, addresses, error);
  g_clear_pointer (&reply, ps_emulator_dns_reply_free);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
on_readable_cb (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  GTask *task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  guint8 buffer[PS_EMULATOR_DNS_MAX_MESSAGE];

  if (g_task_return_error_if_cancelled (task))
    {
      lookup->done = TRUE;
      clear_source (&lookup->timeout_source);
      g_clear_pointer (&lookup->read_source, g_source_unref);
      return G_SOURCE_REMOVE;
    }

  for (guint i = 0; i < MAX_READS_PER_WAKEUP && !lookup->done; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsEmulatorDnsReply) reply = NULL;
      gssize n;

      n = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, &error);
      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          /* an ICMP error (connection refused, unreachable) ends it */
          lookup_complete (task, NULL, g_steal_pointer (&error));
          break;
        }

      lookup->packets_in++;
      lookup->bytes_in += (guint64) n;
      reply = ps_emulator_dns_parse_reply (buffer, (gsize) n, lookup->id, lookup->name,
                                           lookup->qtype, &error);
      if (reply == NULL)
        {
          g_debug ("dns: ignoring a datagram: %s", error->message);
          continue;
        }
      lookup_complete (task, g_steal_pointer (&reply), NULL);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;

  lookup_complete (task, NULL, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                            "%s: no answer from the DNS server",
                                            ((Lookup *) g_task_get_task_data (task))->name));

  return G_SOURCE_REMOVE;
}

static void
lookup_with_server (PsEmulatorResolver *self,
                    GTask              *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GBytes) query = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) error = NULL;
  gssize sent;

  query = ps_emulator_dns_build_query (lookup->id, lookup->name, lookup->qtype, &error);
  if (query == NULL)
    {
      lookup_complete (task, NULL, g_steal_pointer (&error));
      return;
    }

  lookup->socket = g_socket_new (g_socket_address_get_family (self->server),
                                 G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  if (lookup->socket == NULL)
    {
      lookup_complete (task, NULL, g_steal_pointer (&error));
      return;
    }
  g_socket_set_blocking (lookup->socket, FALSE);
  if (!g_socket_connect (lookup->socket, self->server, NULL, &error))
    {
      lookup_complete (task, NULL, g_steal_pointer (&error));
      return;
    }
  local = g_socket_get_local_address (lookup->socket, NULL);
  lookup->local = ps_emulator_net_format (local);

  lookup->read_source = g_socket_create_source (lookup->socket, G_IO_IN,
                                                g_task_get_cancellable (task));
  g_source_set_callback (lookup->read_source, G_SOURCE_FUNC (on_readable_cb),
                         g_object_ref (task), g_object_unref);
  g_source_attach (lookup->read_source, NULL);

  lookup->timeout_source = g_timeout_source_new (self->timeout_ms);
  g_source_set_callback (lookup->timeout_source, on_timeout_cb, g_object_ref (task),
                         g_object_unref);
  g_source_attach (lookup->timeout_source, NULL);

  sent = g_socket_send (lookup->socket, g_bytes_get_data (query, NULL), g_bytes_get_size (query),
                        NULL, &error);
  if (sent < 0)
    {
      lookup_complete (task, NULL, g_steal_pointer (&error));
      return;
    }
  lookup->packets_out++;
  lookup->bytes_out += (guint64) sent;
}

static void
on_resolved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PsEmulatorDnsReply) reply = NULL;
  GError *error = NULL;
  GList *list;

  list = g_resolver_lookup_by_name_with_flags_finish (G_RESOLVER (object), result, &error);
  if (list == NULL)
    {
      lookup_complete (task, NULL, error);
      return;
    }

  reply = g_new0 (PsEmulatorDnsReply, 1);
  reply->addresses = g_ptr_array_new_with_free_func (g_object_unref);
  for (GList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (reply->addresses, g_object_ref (l->data));
  g_resolver_free_addresses (list);

  lookup_complete (task, g_steal_pointer (&reply), NULL);
}

PsEmulatorResolver *
ps_emulator_resolver_new (GSocketAddress *server,
                          GSocketFamily   family,
                          guint           timeout_ms,
                          PsEmulatorLog  *log)
{
  PsEmulatorResolver *self;

  g_return_val_if_fail (server == NULL || G_IS_INET_SOCKET_ADDRESS (server), NULL);
  g_return_val_if_fail (family == G_SOCKET_FAMILY_IPV4 || family == G_SOCKET_FAMILY_IPV6, NULL);

  self = g_new0 (PsEmulatorResolver, 1);
  self->server = server != NULL ? g_object_ref (server) : NULL;
  self->family = family;
  self->timeout_ms = MAX (timeout_ms, 10);
  self->log = log;

  return self;
}

void
ps_emulator_resolver_lookup_async (PsEmulatorResolver  *self,
                                   const char          *name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GResolver) resolver = NULL;
  Lookup *lookup;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_emulator_resolver_lookup_async);

  lookup = g_new0 (Lookup, 1);
  lookup->log = self->log;
  lookup->server = self->server != NULL ? g_object_ref (self->server) : NULL;
  lookup->name = g_strdup (name);
  lookup->qtype = self->family == G_SOCKET_FAMILY_IPV6 ? PS_EMULATOR_DNS_TYPE_AAAA
                                                      : PS_EMULATOR_DNS_TYPE_A;
  lookup->id = (guint16) g_random_int_range (0, 0x10000);
  lookup->started_us = g_get_monotonic_time ();
  g_task_set_task_data (task, lookup, lookup_free);

  if (self->server != NULL)
    {
      lookup_with_server (self, task);
      return;
    }

  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_with_flags_async (resolver, name,
                                              self->family == G_SOCKET_FAMILY_IPV6
                                                ? G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY
                                                : G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY,
                                              cancellable, on_resolved_cb, g_object_ref (task));
}

GPtrArray *
ps_emulator_resolver_lookup_finish (PsEmulatorResolver  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ps_emulator_resolver_free (PsEmulatorResolver *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->server);
  g_free (self);
}
