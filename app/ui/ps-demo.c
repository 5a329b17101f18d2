/* ps-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-demo"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ps-demo.h"

#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif

#define DEMO_USER "admin"
#define MAX_LINE  4096

struct _PsDemo
{
  GObject       parent_instance;

  GPtrArray    *processes;
  GCancellable *cancellable;
  char         *password;
};

G_DEFINE_FINAL_TYPE (PsDemo, ps_demo, G_TYPE_OBJECT)

enum {
  CAMERA_READY,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Each on its own loopback address, so that each can answer discovery on
 * the standard ports; the garden camera plays a vendor-P2P camera. */
static const struct {
  const char *name;
  const char *model;
  const char *mac;
  const char *address;
  const char *pppp_uid;
} demo_cameras[] = {
  { N_("Front Door"), "EmuCam D1", "02:50:53:00:00:01", "127.0.0.51", NULL },
  { N_("Garden"), "EmuCam B2", "02:50:53:00:00:02", "127.0.0.52", "DEMO-000123-PSCOP" },
  { N_("Garage"), "EmuCam B2", "02:50:53:00:00:03", "127.0.0.53", NULL },
  { N_("Living Room"), "EmuCam P3", "02:50:53:00:00:04", "127.0.0.54", NULL },
};

const char *
ps_demo_camera_address (guint index)
{
  return index < G_N_ELEMENTS (demo_cameras) ? demo_cameras[index].address : NULL;
}

char *
ps_demo_find_emulator (void)
{
  const char *env = g_getenv ("PEERSCOPE_EMULATOR");
  g_autofree char *in_path = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  if (g_file_test (PS_EMULATOR_BUILD_PATH, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (PS_EMULATOR_BUILD_PATH);

  in_path = g_find_program_in_path ("peerscope-camera-emulator");
  return g_steal_pointer (&in_path);
}

typedef struct
{
  PsDemo           *self;
  GDataInputStream *stdout_stream;
  guint             index;
} ReadyRead;

static void
ready_read_free (ReadyRead *read)
{
  g_clear_object (&read->self);
  g_clear_object (&read->stdout_stream);
  g_free (read);
}

static void
on_ready_line_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ReadyRead *read = user_data;
  PsDemo *self = read->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(PsDevice) device = NULL;
  const char *onvif;
  gsize len = 0;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    &len, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      ready_read_free (read);
      return;
    }

  if (line != NULL && len < MAX_LINE)
    node = json_from_string (line, NULL);

  onvif = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
          ? json_object_get_string_member_with_default (json_node_get_object (node),
                                                        "onvif", NULL)
          : NULL;
  if (onvif == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The camera emulator did not start: %s"),
                                                  error ? error->message : _("no ready line"));
      g_signal_emit (self, signals[FAILED], 0, message);
      ready_read_free (read);
      return;
    }

  device = ps_device_new (_(demo_cameras[read->index].name), onvif);
  ps_device_set_username (device, DEMO_USER);
  g_signal_emit (self, signals[CAMERA_READY], 0, device, self->password);
  ready_read_free (read);
}

#ifdef __linux__
static void
demo_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static void
ps_demo_dispose (GObject *object)
{
  PsDemo *self = (PsDemo *) object;

  ps_demo_stop (self);
  g_clear_pointer (&self->processes, g_ptr_array_unref);

  G_OBJECT_CLASS (ps_demo_parent_class)->dispose (object);
}

static void
ps_demo_finalize (GObject *object)
{
  PsDemo *self = (PsDemo *) object;

  g_free (self->password);

  G_OBJECT_CLASS (ps_demo_parent_class)->finalize (object);
}

static void
ps_demo_class_init (PsDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_demo_dispose;
  object_class->finalize = ps_demo_finalize;

  signals[CAMERA_READY] =
    g_signal_new ("camera-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, PS_TYPE_DEVICE, G_TYPE_STRING);
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ps_demo_init (PsDemo *self)
{
  guint8 random[12];

  self->processes = g_ptr_array_new_with_free_func (g_object_unref);

  /* A fresh password per run: the demo cameras still require one. */
  for (guint i = 0; i < sizeof random; i++)
    random[i] = (guint8) g_random_int_range (0, 256);
  self->password = g_base64_encode (random, sizeof random);
}

PsDemo *
ps_demo_new (void)
{
  return g_object_new (PS_TYPE_DEMO, NULL);
}

void
ps_demo_start (PsDemo *self,
               guint   n_cameras)
{
  g_autofree char *emulator = NULL;

  g_return_if_fail (PS_IS_DEMO (self));

  emulator = ps_demo_find_emulator ();
  if (emulator == NULL)
    {
      g_signal_emit (self, signals[FAILED], 0,
                     _("The camera emulator “peerscope-camera-emulator” is not installed"));
      return;
    }

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  for (guint i = 0; i < MIN (n_cameras, G_N_ELEMENTS (demo_cameras)); i++)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      ReadyRead *read;
      const char *name = _(demo_cameras[i].name);

      g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);

#ifdef __linux__
      /* the demo's cameras end with the app, however it ends */
      g_subprocess_launcher_set_child_setup (launcher, demo_child_setup, NULL, NULL);
#endif
      process = g_subprocess_launcher_spawn (launcher, &error,
                                  emulator,
                                  "--name", name,
                                  "--model", demo_cameras[i].model,
                                  "--mac", demo_cameras[i].mac,
                                  "--bind", demo_cameras[i].address,
                                  "--user", DEMO_USER,
                                  "--password", self->password,
                                  demo_cameras[i].pppp_uid != NULL ? "--pppp-uid" : NULL,
                                  demo_cameras[i].pppp_uid,
                                  NULL);
      if (process == NULL)
        {
          g_signal_emit (self, signals[FAILED], 0, error->message);
          continue;
        }

      read = g_new0 (ReadyRead, 1);
      read->self = g_object_ref (self);
      read->index = i;
      read->stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
      g_data_input_stream_read_line_async (read->stdout_stream, G_PRIORITY_DEFAULT,
                                           self->cancellable, on_ready_line_cb, read);
      g_ptr_array_add (self->processes, g_steal_pointer (&process));
    }
}

void
ps_demo_stop (PsDemo *self)
{
  g_return_if_fail (PS_IS_DEMO (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->processes == NULL)
    return;

  for (guint i = 0; i < self->processes->len; i++)
    {
      GSubprocess *process = g_ptr_array_index (self->processes, i);

      g_subprocess_send_signal (process, SIGTERM);
      g_subprocess_wait (process, NULL, NULL);
    }
  g_ptr_array_set_size (self->processes, 0);
}
