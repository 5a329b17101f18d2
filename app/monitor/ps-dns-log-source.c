/* ps-dns-log-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-dns-log-source"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <sys/stat.h>

#include "ps-dns-log.h"
#include "ps-dns-log-source.h"

#define POLL_INTERVAL_MS 500
#define READ_CHUNK       (64 * 1024)
#define READ_PER_TICK    (1024 * 1024)

typedef enum {
  READ_EOF,                            /* read up to the end of the file */
  READ_MORE,                           /* the tick's budget is spent */
  READ_ERROR,
  READ_STOPPED,                        /* a "lookup" handler stopped the source */
} ReadResult;

struct _PsDnsLogSource
{
  GObject             parent_instance;

  char               *path;
  GFile              *file;

  GMainContext       *context;
  GSource            *timeout;
  guint               generation;      /* bumped by start and stop */

  GFileInputStream   *stream;
  guint64             inode;           /* of the file stream reads */
  guint32             device;
  goffset             offset;          /* in it, of the next byte to read */
  gint64              now_ms;          /* when this tick read */
  guint8             *chunk;           /* READ_CHUNK bytes */

  guint64             lines;
  guint64             answers;
  guint64             rejected;

  PsDnsLogLineBuffer  buffer;
};

G_DEFINE_FINAL_TYPE (PsDnsLogSource, ps_dns_log_source, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LOOKUP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ps_dns_log_source_close (PsDnsLogSource *self)
{
  if (self->stream != NULL)
    g_input_stream_close (G_INPUT_STREAM (self->stream), NULL, NULL);
  g_clear_object (&self->stream);
  self->offset = 0;
  ps_dns_log_line_buffer_reset (&self->buffer);
}

static void
ps_dns_log_source_set_error (PsDnsLogSource  *self,
                             GError         **error,
                             GError          *cause)
{
  g_autofree char *display = g_filename_display_name (self->path);

  g_set_error (error, G_IO_ERROR, cause->domain == G_IO_ERROR ? cause->code : G_IO_ERROR_FAILED,
               _("Cannot read the DNS log “%s”: %s"), display, cause->message);
}

/* Opens the file at the path from its start; *size is its size then. */
static gboolean
ps_dns_log_source_open (PsDnsLogSource  *self,
                        goffset         *size,
                        GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  GStatBuf st;

  g_assert (self->stream == NULL);

  /* opening a FIFO or a device could block the main loop */
  if (g_stat (self->path, &st) != 0)
    {
      int saved_errno = errno;

      local_error = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                         g_strerror (saved_errno));
      ps_dns_log_source_set_error (self, error, local_error);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *display = g_filename_display_name (self->path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _("The DNS log “%s” is not a regular file"), display);
      return FALSE;
    }

  stream = g_file_read (self->file, NULL, &local_error);
  if (stream != NULL)
    info = g_file_input_stream_query_info (stream,
                                           G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                           G_FILE_ATTRIBUTE_UNIX_INODE ","
                                           G_FILE_ATTRIBUTE_UNIX_DEVICE,
                                           NULL, &local_error);
  if (info == NULL)
    {
      ps_dns_log_source_set_error (self, error, local_error);
      return FALSE;
    }

  self->stream = g_steal_pointer (&stream);
  self->inode = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE);
  self->device = g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_DEVICE);
  self->offset = 0;
  ps_dns_log_line_buffer_reset (&self->buffer);
  *size = g_file_info_get_size (info);

  return TRUE;
}

static gboolean
ps_dns_log_source_line_cb (const char *line,
                           gsize       length,
                           gpointer    user_data)
{
  PsDnsLogSource *self = user_data;
  guint generation = self->generation;
  char client[PS_IP_ADDRESS_STRLEN];
  char address[PS_IP_ADDRESS_STRLEN];
  PsDnsLogEntry entry;

  self->lines++;

  if (line == NULL)
    {
      self->rejected++;
      return TRUE;
    }

  switch (ps_dns_log_classify_line (line, length, &entry))
    {
    case PS_DNS_LOG_LINE_INVALID:
      self->rejected++;
      return TRUE;

    case PS_DNS_LOG_LINE_OTHER:
      return TRUE;

    case PS_DNS_LOG_LINE_ANSWER:
    default:
      break;
    }

  self->answers++;
  g_signal_emit (self, signals[LOOKUP], 0,
                 ps_ip_address_is_set (&entry.client) ? ps_ip_address_format (&entry.client, client)
                                                      : NULL,
                 entry.name,
                 ps_ip_address_format (&entry.address, address),
                 self->now_ms);

  return generation == self->generation;
}

/* Reads on from self->offset, feeding whole lines to line_cb. */
static ReadResult
ps_dns_log_source_read (PsDnsLogSource *self,
                        gsize          *budget)
{
  g_autoptr(GError) error = NULL;
  guint generation = self->generation;

  if (!g_seekable_seek (G_SEEKABLE (self->stream), self->offset, G_SEEK_SET, NULL, &error))
    {
      g_debug ("Cannot seek in %s: %s", self->path, error->message);
      return READ_ERROR;
    }

  while (*budget > 0)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (self->stream), self->chunk,
                                      MIN (READ_CHUNK, *budget), NULL, &error);

      if (n < 0)
        {
          g_debug ("Cannot read %s: %s", self->path, error->message);
          return READ_ERROR;
        }
      if (n == 0)
        return READ_EOF;

      self->offset += n;
      *budget -= (gsize) n;
      ps_dns_log_line_buffer_feed (&self->buffer, (const char *) self->chunk, (gsize) n,
                                   ps_dns_log_source_line_cb, self);
      if (generation != self->generation)
        return READ_STOPPED;
    }

  return READ_MORE;
}

static void
ps_dns_log_source_poll (PsDnsLogSource *self)
{
  gsize budget = READ_PER_TICK;
  goffset size;
  GStatBuf st;

  if (self->stream != NULL)
    {
      gboolean exists = g_stat (self->path, &st) == 0;
      gboolean rotated = exists && ((guint64) st.st_ino != self->inode
                                    || (guint32) st.st_dev != self->device);
      ReadResult result;

      /* a missing path is a rotation under way: the old file may still grow */
      if (exists && !rotated)
        {
          if (st.st_size == self->offset)
            return;
          if (st.st_size < self->offset)
            {
              g_debug ("%s was truncated, reading it from the start", self->path);
              self->offset = 0;
              ps_dns_log_line_buffer_reset (&self->buffer);
            }
        }

      /* after an error, the next tick tries again from the same offset */
      result = ps_dns_log_source_read (self, &budget);
      if (!rotated || result != READ_EOF)
        return;

      g_debug ("%s was rotated, reading the new file from the start", self->path);
      ps_dns_log_source_close (self);
    }

  /* after a rotation or an error: the file now at the path, from its start */
  if (ps_dns_log_source_open (self, &size, NULL))
    ps_dns_log_source_read (self, &budget);
}

static gboolean
ps_dns_log_source_tick_cb (gpointer user_data)
{
  g_autoptr(PsDnsLogSource) self = g_object_ref (user_data);

  self->now_ms = g_get_real_time () / 1000;
  ps_dns_log_source_poll (self);

  return G_SOURCE_CONTINUE;
}

static void
ps_dns_log_source_dispose (GObject *object)
{
  PsDnsLogSource *self = PS_DNS_LOG_SOURCE (object);

  ps_dns_log_source_stop (self);

  G_OBJECT_CLASS (ps_dns_log_source_parent_class)->dispose (object);
}

static void
ps_dns_log_source_finalize (GObject *object)
{
  PsDnsLogSource *self = PS_DNS_LOG_SOURCE (object);

  g_clear_object (&self->file);
  g_free (self->path);
  g_free (self->chunk);

  G_OBJECT_CLASS (ps_dns_log_source_parent_class)->finalize (object);
}

static void
ps_dns_log_source_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PsDnsLogSource *self = PS_DNS_LOG_SOURCE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_dns_log_source_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PsDnsLogSource *self = PS_DNS_LOG_SOURCE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_assert (self->path == NULL);
      self->path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_dns_log_source_constructed (GObject *object)
{
  PsDnsLogSource *self = PS_DNS_LOG_SOURCE (object);

  G_OBJECT_CLASS (ps_dns_log_source_parent_class)->constructed (object);

  if (self->path == NULL)
    self->path = g_strdup ("");
  self->file = g_file_new_for_path (self->path);
}

static void
ps_dns_log_source_class_init (PsDnsLogSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ps_dns_log_source_constructed;
  object_class->dispose = ps_dns_log_source_dispose;
  object_class->finalize = ps_dns_log_source_finalize;
  object_class->get_property = ps_dns_log_source_get_property;
  object_class->set_property = ps_dns_log_source_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PsDnsLogSource::lookup:
   * @client: (nullable): the address of the device that asked, or %NULL
   *   when the log does not say (plain log-queries)
   * @name: the name it looked up, lower case
   * @address: an address the name resolved to
   * @time_ms: when the line was read, Unix time in ms
   */
  signals[LOOKUP] = g_signal_new ("lookup", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 4,
                                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                                  G_TYPE_INT64);
}

static void
ps_dns_log_source_init (PsDnsLogSource *self)
{
  self->chunk = g_malloc (READ_CHUNK);
  ps_dns_log_line_buffer_reset (&self->buffer);
}

PsDnsLogSource *
ps_dns_log_source_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (PS_TYPE_DNS_LOG_SOURCE, "path", path, NULL);
}

const char *
ps_dns_log_source_get_path (PsDnsLogSource *self)
{
  g_return_val_if_fail (PS_IS_DNS_LOG_SOURCE (self), NULL);

  return self->path;
}

gboolean
ps_dns_log_source_start (PsDnsLogSource  *self,
                         gboolean         from_start,
                         GError         **error)
{
  goffset size = 0;

  g_return_val_if_fail (PS_IS_DNS_LOG_SOURCE (self), FALSE);
  g_return_val_if_fail (self->timeout == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ps_dns_log_source_open (self, &size, error))
    return FALSE;

  /* from the last byte: if it is no newline, the line it ends is cut */
  if (!from_start && size > 0)
    {
      self->offset = size - 1;
      ps_dns_log_line_buffer_skip_line (&self->buffer);
    }

  self->generation++;
  self->context = g_main_context_ref_thread_default ();
  self->timeout = g_timeout_source_new (POLL_INTERVAL_MS);
  g_source_set_callback (self->timeout, ps_dns_log_source_tick_cb, self, NULL);
  g_source_set_static_name (self->timeout, "[peerscope] DNS log");
  g_source_attach (self->timeout, self->context);

  return TRUE;
}

void
ps_dns_log_source_stop (PsDnsLogSource *self)
{
  g_return_if_fail (PS_IS_DNS_LOG_SOURCE (self));

  self->generation++;
  if (self->timeout != NULL)
    g_source_destroy (self->timeout);
  g_clear_pointer (&self->timeout, g_source_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  ps_dns_log_source_close (self);
}

gboolean
ps_dns_log_source_is_running (PsDnsLogSource *self)
{
  g_return_val_if_fail (PS_IS_DNS_LOG_SOURCE (self), FALSE);

  return self->timeout != NULL;
}

void
ps_dns_log_source_get_stats (PsDnsLogSource *self,
                             guint64        *lines,
                             guint64        *answers,
                             guint64        *rejected)
{
  g_return_if_fail (PS_IS_DNS_LOG_SOURCE (self));

  if (lines != NULL)
    *lines = self->lines;
  if (answers != NULL)
    *answers = self->answers;
  if (rejected != NULL)
    *rejected = self->rejected;
}
