/* ps-emulator-log.c: JSON-lines connection and event log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <errno.h>
#include <stdio.h>
#include <json-glib/json-glib.h>

#include "ps-emulator-log.h"
#include "ps-emulator-net.h"

struct _PsEmulatorLog
{
  GMutex  lock;
  FILE   *file;
};

PsEmulatorLog *
ps_emulator_log_open (const char  *path,
                      GError     **error)
{
  PsEmulatorLog *self;
  FILE *file;

  g_return_val_if_fail (path != NULL, NULL);

  file = fopen (path, "ae");
  if (file == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot open log %s: %s", path, g_strerror (saved_errno));
      return NULL;
    }

  self = g_new0 (PsEmulatorLog, 1);
  g_mutex_init (&self->lock);
  self->file = file;

  return self;
}

void
ps_emulator_log_free (PsEmulatorLog *self)
{
  if (self == NULL)
    return;

  fclose (self->file);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* Takes the builder, which holds an open object with the event members. */
static void
write_line (PsEmulatorLog *self,
            JsonBuilder   *builder)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);

  g_mutex_lock (&self->lock);
  fputs (line, self->file);
  fputc ('\n', self->file);
  fflush (self->file);
  g_mutex_unlock (&self->lock);
}

static JsonBuilder *
begin_event (const char *event)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ts_us");
  json_builder_add_int_value (builder, g_get_real_time ());
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);

  return builder;
}

void
ps_emulator_log_accept (PsEmulatorLog  *self,
                        const char     *proto,
                        GSocketAddress *peer,
                        GSocketAddress *local)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *peer_ip = NULL;

  if (self == NULL)
    return;

  if (G_IS_INET_SOCKET_ADDRESS (peer))
    peer_ip = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)));

  builder = begin_event ("accept");
  json_builder_set_member_name (builder, "proto");
  json_builder_add_string_value (builder, proto);
  json_builder_set_member_name (builder, "peer");
  json_builder_add_string_value (builder, peer_ip != NULL ? peer_ip : "");
  json_builder_set_member_name (builder, "peer_port");
  json_builder_add_int_value (builder, ps_emulator_net_port (peer));
  json_builder_set_member_name (builder, "local_port");
  json_builder_add_int_value (builder, ps_emulator_net_port (local));
  write_line (self, builder);
}

void
ps_emulator_log_keyframe (PsEmulatorLog *self,
                          const char    *stream,
                          const char    *reason)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (self == NULL)
    return;

  builder = begin_event ("keyframe");
  json_builder_set_member_name (builder, "stream");
  json_builder_add_string_value (builder, stream);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  write_line (self, builder);
}

void
ps_emulator_log_onvif (PsEmulatorLog *self,
                       const char    *action,
                       gboolean       authorized)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (self == NULL)
    return;

  builder = begin_event ("onvif");
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, action);
  json_builder_set_member_name (builder, "auth");
  json_builder_add_string_value (builder, authorized ? "ok" : "denied");
  write_line (self, builder);
}

JsonBuilder *
ps_emulator_log_begin (const char *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return begin_event (event);
}

void
ps_emulator_log_write (PsEmulatorLog *self,
                       JsonBuilder   *builder)
{
  g_return_if_fail (JSON_IS_BUILDER (builder));

  if (self == NULL)
    return;

  write_line (self, builder);
}
