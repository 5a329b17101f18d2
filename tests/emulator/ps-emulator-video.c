/* ps-emulator-video.c: one always-running capture + encode pipeline per
 * stream, fanned out to every RTSP client pipeline
 *
 * A real camera encodes each stream once, whether anybody watches or not,
 * and every viewer gets the same bytes: a viewer that joins mid-GOP waits
 * for the next keyframe unless somebody asks for one (RTCP PLI/FIR or ONVIF
 * SetSynchronizationPoint). This file does the same with GStreamer:
 *
 *   videotestsrc ! raw caps ! [stamp probe] ! textoverlay ! (tee !)
 *     x264enc ! h264parse ! appsink  --copies-->  appsrc of each RTSP media
 *   (tee ! videorate max-rate=1 ! jpegenc ! appsink: the snapshot)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ps-emulator"

#include <string.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include "ps-frame-stamp.h"
#include "ps-emulator-video.h"

#define APPSRC_MAX_BUFFERS 120

typedef struct
{
  GstElement *appsrc;        /* owned */
  gpointer    owner;
  gulong      probe_id;
  gboolean    needs_headers;
} Output;

struct _PsEmulatorStream
{
  PsEmulatorStreamConfig     config;
  char                      *id;
  char                      *camera_name;
  char                      *pattern;
  PsEmulatorLog             *log;           /* unowned */

  GstElement                *pipeline;
  GstElement                *encoder;
  GstElement                *overlay;
  GstVideoInfo               raw_info;
  guint                      bus_watch_id;

  PsEmulatorStreamReadyFunc  ready_func;
  PsEmulatorStreamErrorFunc  error_func;
  gpointer                   user_data;

  /* Shared with the streaming threads. */
  GMutex                     lock;
  GPtrArray                 *outputs;       /* Output */
  GstCaps                   *caps;
  GBytes                    *headers;       /* SPS + PPS of the last keyframe */
  GBytes                    *snapshot;
  gint64                     last_keyframe_us;
  gint64                     force_requested_us;
  guint                      force_count;
  gboolean                   got_first;
};

static void
output_free (gpointer data)
{
  Output *output = data;
  g_autoptr(GstPad) pad = gst_element_get_static_pad (output->appsrc, "src");

  if (pad != NULL && output->probe_id != 0)
    gst_pad_remove_probe (pad, output->probe_id);
  gst_object_unref (output->appsrc);
  g_free (output);
}

const char *
ps_emulator_stream_get_id (PsEmulatorStream *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->id;
}

const PsEmulatorStreamConfig *
ps_emulator_stream_get_config (PsEmulatorStream *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->config;
}

GstCaps *
ps_emulator_stream_dup_caps (PsEmulatorStream *self)
{
  GstCaps *caps = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  if (self->caps != NULL)
    caps = gst_caps_ref (self->caps);
  g_mutex_unlock (&self->lock);

  return caps;
}

const char *
ps_emulator_stream_get_h264_profile (PsEmulatorStream *self)
{
  g_autoptr(GstCaps) caps = ps_emulator_stream_dup_caps (self);
  const char *profile = NULL;

  if (caps != NULL && gst_caps_get_size (caps) > 0)
    profile = gst_structure_get_string (gst_caps_get_structure (caps, 0), "profile");

  if (profile == NULL || g_str_has_suffix (profile, "baseline"))
    return "Baseline";
  if (g_str_equal (profile, "main"))
    return "Main";
  if (g_str_equal (profile, "extended"))
    return "Extended";

  return "High";
}

GBytes *
ps_emulator_stream_dup_snapshot (PsEmulatorStream *self)
{
  GBytes *bytes = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  if (self->snapshot != NULL)
    bytes = g_bytes_ref (self->snapshot);
  g_mutex_unlock (&self->lock);

  return bytes;
}

/* Copies the SPS and PPS NAL units (with start codes) out of a byte-stream
 * access unit, or returns NULL when it has none. */
static GBytes *
extract_parameter_sets (GstBuffer *buffer)
{
  g_autoptr(GByteArray) out = NULL;
  GstMapInfo map;
  gsize i = 0;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return NULL;

  out = g_byte_array_new ();
  while (i + 3 < map.size)
    {
      gsize start, end;
      guint type;

      if (!(map.data[i] == 0 && map.data[i + 1] == 0 && map.data[i + 2] == 1))
        {
          i++;
          continue;
        }

      start = i + 3;
      end = start;
      while (end + 2 < map.size &&
             !(map.data[end] == 0 && map.data[end + 1] == 0 &&
               (map.data[end + 2] == 1 || (end + 3 < map.size && map.data[end + 2] == 0 &&
                                           map.data[end + 3] == 1))))
        end++;
      if (end + 2 >= map.size)
        end = map.size;

      type = map.data[start] & 0x1f;
      if (type == 7 || type == 8)
        {
          static const guint8 start_code[] = { 0, 0, 0, 1 };

          g_byte_array_append (out, start_code, sizeof start_code);
          g_byte_array_append (out, map.data + start, (guint) (end - start));
        }
      i = end;
    }
  gst_buffer_unmap (buffer, &map);

  if (out->len == 0)
    return NULL;

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
notify_ready_idle_cb (gpointer user_data)
{
  PsEmulatorStream *self = user_data;

  if (self->ready_func != NULL)
    self->ready_func (self, self->user_data);

  return G_SOURCE_REMOVE;
}

static GstFlowReturn
on_encoded_sample_cb (GstAppSink *sink,
                      gpointer    user_data)
{
  PsEmulatorStream *self = user_data;
  g_autoptr(GstSample) sample = NULL;
  g_autoptr(GBytes) headers = NULL;
  GstBuffer *buffer;
  GstCaps *caps;
  gboolean keyframe;
  gboolean first = FALSE;
  gint64 now = g_get_real_time ();
  gint64 forced_at = 0;
  gint64 since_last = 0;
  guint n_outputs;

  sample = gst_app_sink_pull_sample (sink);
  if (sample == NULL)
    return GST_FLOW_EOS;

  buffer = gst_sample_get_buffer (sample);
  caps = gst_sample_get_caps (sample);
  if (buffer == NULL)
    return GST_FLOW_OK;
  keyframe = !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);

  g_mutex_lock (&self->lock);
  if (caps != NULL && (self->caps == NULL || !gst_caps_is_equal (caps, self->caps)))
    gst_caps_replace (&self->caps, caps);
  if (keyframe)
    {
      GBytes *parameter_sets = extract_parameter_sets (buffer);

      if (parameter_sets != NULL)
        {
          g_clear_pointer (&self->headers, g_bytes_unref);
          self->headers = parameter_sets;
        }
      since_last = self->last_keyframe_us > 0 ? now - self->last_keyframe_us : 0;
      self->last_keyframe_us = now;
      forced_at = self->force_requested_us;
      self->force_requested_us = 0;
    }
  if (self->headers != NULL)
    headers = g_bytes_ref (self->headers);

  for (guint i = 0; i < self->outputs->len; i++)
    {
      Output *output = g_ptr_array_index (self->outputs, i);
      GstBuffer *copy;

      /* Every pipeline restamps the buffer in its own running time. */
      copy = gst_buffer_copy (buffer);
      GST_BUFFER_PTS (copy) = GST_CLOCK_TIME_NONE;
      GST_BUFFER_DTS (copy) = GST_CLOCK_TIME_NONE;

      /* A viewer that joins mid-GOP gets the ongoing GOP, like from a real
       * camera, but with the parameter sets in front so that its
       * h264parse/payloader can negotiate (and answer DESCRIBE) now. */
      if (output->needs_headers && !keyframe && headers != NULL)
        {
          GstBuffer *with_headers = gst_buffer_new_wrapped_bytes (headers);

          gst_buffer_copy_into (with_headers, copy, GST_BUFFER_COPY_FLAGS, 0, 0);
          copy = gst_buffer_append (with_headers, copy);
        }
      if (keyframe || headers != NULL)
        output->needs_headers = FALSE;

      /* Never blocks: the appsrc drops its oldest buffers when full. */
      gst_app_src_push_buffer (GST_APP_SRC (output->appsrc), copy);
    }
  n_outputs = self->outputs->len;

  if (!self->got_first)
    first = self->got_first = TRUE;
  g_mutex_unlock (&self->lock);

  if (keyframe)
    {
      if (forced_at > 0)
        g_debug ("%s: forced keyframe out %" G_GINT64_FORMAT " ms after the request, "
                 "%" G_GINT64_FORMAT " ms after the previous one, to %u viewer pipeline(s)",
                 self->id, (now - forced_at) / 1000, since_last / 1000, n_outputs);
      else if (since_last > 0)
        g_debug ("%s: scheduled keyframe, %" G_GINT64_FORMAT " ms after the previous one",
                 self->id, since_last / 1000);
    }

  if (first)
    g_idle_add (notify_ready_idle_cb, self);

  return GST_FLOW_OK;
}

static GstFlowReturn
on_jpeg_sample_cb (GstAppSink *sink,
                   gpointer    user_data)
{
  PsEmulatorStream *self = user_data;
  g_autoptr(GstSample) sample = NULL;
  GstBuffer *buffer;
  GstMapInfo map;
  GBytes *bytes;

  sample = gst_app_sink_pull_sample (sink);
  if (sample == NULL)
    return GST_FLOW_EOS;

  buffer = gst_sample_get_buffer (sample);
  if (buffer == NULL || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buffer, &map);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->snapshot, g_bytes_unref);
  self->snapshot = bytes;
  g_mutex_unlock (&self->lock);

  return GST_FLOW_OK;
}

/* Grey chroma under the stamp, so that the strip stays black and white
 * through any colour conversion a viewer does before reading it. */
static void
neutralize_stamp_chroma (GstVideoFrame *frame)
{
  guint rows = ps_frame_stamp_height (GST_VIDEO_FRAME_WIDTH (frame));

  for (guint plane = 1; plane < GST_VIDEO_FRAME_N_PLANES (frame); plane++)
    {
      guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (frame, plane);
      gsize stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, plane);
      guint width = (guint) GST_VIDEO_FRAME_COMP_WIDTH (frame, plane);
      guint height = MIN ((guint) GST_VIDEO_FRAME_COMP_HEIGHT (frame, plane),
                          (rows + 1) / 2);   /* I420: half-height chroma */

      for (guint y = 0; y < height; y++)
        memset (data + y * stride, 128, width);
    }
}

/* Runs right after capture: stamps the wall-clock time into the luma plane
 * and puts the same time, human-readable, into the overlay. */
static GstPadProbeReturn
on_raw_buffer_probe_cb (GstPad          *pad,
                        GstPadProbeInfo *info,
                        gpointer         user_data)
{
  PsEmulatorStream *self = user_data;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *text = NULL;
  GstBuffer *buffer;
  GstVideoFrame frame;
  gint64 now = g_get_real_time ();

  buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buffer;

  if (gst_video_frame_map (&frame, &self->raw_info, buffer, GST_MAP_WRITE))
    {
      ps_frame_stamp_write (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
                            GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
                            GST_VIDEO_FRAME_WIDTH (&frame),
                            GST_VIDEO_FRAME_HEIGHT (&frame),
                            now);
      neutralize_stamp_chroma (&frame);
      gst_video_frame_unmap (&frame);
    }

  local = g_date_time_new_from_unix_local (now / G_USEC_PER_SEC);
  if (local != NULL)
    clock = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
  text = g_strdup_printf ("%s  %s\n%s.%03d", self->camera_name, self->id,
                          clock != NULL ? clock : "", (int) (now % G_USEC_PER_SEC / 1000));
  g_object_set (self->overlay, "text", text, NULL);

  return GST_PAD_PROBE_OK;
}

static gboolean
on_bus_message_cb (GstBus     *bus,
                   GstMessage *message,
                   gpointer    user_data)
{
  PsEmulatorStream *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *debug = NULL;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (message, &error, &debug);
      g_debug ("%s: %s", self->id, debug != NULL ? debug : "");
      if (self->error_func != NULL)
        self->error_func (self, error, self->user_data);
      break;

    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (message, &error, &debug);
      g_warning ("%s: %s", self->id, error->message);
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

PsEmulatorStream *
ps_emulator_stream_new (const PsEmulatorStreamConfig  *config,
                        PsEmulatorLog                 *log,
                        GError                       **error)
{
  PsEmulatorStream *self;
  g_autoptr(GString) launch = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) rawcaps = NULL;
  g_autoptr(GstElement) h264sink = NULL;
  g_autoptr(GstPad) pad = NULL;
  GstAppSinkCallbacks h264_callbacks = { .new_sample = on_encoded_sample_cb };
  GstAppSinkCallbacks jpeg_callbacks = { .new_sample = on_jpeg_sample_cb };
  guint key_int_max;
  guint font_size;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->fps > 0, NULL);

  key_int_max = MAX (1, (guint) (config->gop_seconds * config->fps + 0.5));
  font_size = MAX (8, config->height / 28);

  launch = g_string_new (NULL);
  g_string_append_printf (launch,
                          "videotestsrc name=src is-live=true "
                          "! video/x-raw,format=I420,width=%u,height=%u,framerate=%u/1 "
                          "! capsfilter name=rawcaps "
                          "! textoverlay name=overlay valignment=bottom halignment=left "
                          "  shaded-background=true font-desc=\"Monospace %u\" ",
                          config->width, config->height, config->fps, font_size);
  if (config->snapshot)
    g_string_append (launch, "! tee name=t ! queue max-size-buffers=2 ");
  g_string_append_printf (launch,
                          "! x264enc name=enc tune=zerolatency speed-preset=ultrafast bframes=0 "
                          "  key-int-max=%u bitrate=%u byte-stream=true aud=false "
                          "! h264parse config-interval=-1 "
                          "! video/x-h264,stream-format=byte-stream,alignment=au "
                          "! appsink name=h264sink sync=false async=false max-buffers=4 ",
                          key_int_max, config->bitrate_kbps);
  if (config->snapshot)
    g_string_append (launch,
                     "t. ! queue leaky=downstream max-size-buffers=1 "
                     "! videorate drop-only=true max-rate=1 "
                     "! jpegenc quality=85 "
                     "! appsink name=jpegsink sync=false async=false max-buffers=1 drop=true ");

  pipeline = gst_parse_launch_full (launch->str, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
  if (pipeline == NULL)
    return NULL;
  gst_object_ref_sink (pipeline);

  self = g_new0 (PsEmulatorStream, 1);
  g_mutex_init (&self->lock);
  self->id = g_strdup (config->id);
  self->camera_name = g_strdup (config->camera_name);
  self->pattern = g_strdup (config->pattern != NULL ? config->pattern : "smpte");
  self->config = *config;
  self->config.id = self->id;
  self->config.camera_name = self->camera_name;
  self->config.pattern = self->pattern;
  self->log = log;
  self->outputs = g_ptr_array_new_with_free_func (output_free);
  self->pipeline = g_steal_pointer (&pipeline);
  gst_video_info_set_format (&self->raw_info, GST_VIDEO_FORMAT_I420,
                             config->width, config->height);

  {
    g_autoptr(GstElement) src = gst_bin_get_by_name (GST_BIN (self->pipeline), "src");

    gst_util_set_object_arg (G_OBJECT (src), "pattern", self->pattern);
    if (g_str_equal (self->pattern, "smpte") || g_str_equal (self->pattern, "bar"))
      g_object_set (src, "horizontal-speed", 2, NULL);
  }

  self->encoder = gst_bin_get_by_name (GST_BIN (self->pipeline), "enc");
  self->overlay = gst_bin_get_by_name (GST_BIN (self->pipeline), "overlay");

  rawcaps = gst_bin_get_by_name (GST_BIN (self->pipeline), "rawcaps");
  pad = gst_element_get_static_pad (rawcaps, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_raw_buffer_probe_cb, self, NULL);

  h264sink = gst_bin_get_by_name (GST_BIN (self->pipeline), "h264sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (h264sink), &h264_callbacks, self, NULL);

  if (config->snapshot)
    {
      g_autoptr(GstElement) jpegsink = gst_bin_get_by_name (GST_BIN (self->pipeline), "jpegsink");

      gst_app_sink_set_callbacks (GST_APP_SINK (jpegsink), &jpeg_callbacks, self, NULL);
    }

  return self;
}

void
ps_emulator_stream_start (PsEmulatorStream          *self,
                          PsEmulatorStreamReadyFunc  ready_func,
                          PsEmulatorStreamErrorFunc  error_func,
                          gpointer                   user_data)
{
  g_autoptr(GstBus) bus = NULL;

  g_return_if_fail (self != NULL);

  self->ready_func = ready_func;
  self->error_func = error_func;
  self->user_data = user_data;

  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch_id = gst_bus_add_watch (bus, on_bus_message_cb, self);

  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
}

void
ps_emulator_stream_stop (PsEmulatorStream *self)
{
  g_return_if_fail (self != NULL);

  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_handle_id (&self->bus_watch_id, g_source_remove);
}

void
ps_emulator_stream_free (PsEmulatorStream *self)
{
  if (self == NULL)
    return;

  ps_emulator_stream_stop (self);

  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->outputs, 0);
  g_mutex_unlock (&self->lock);

  g_ptr_array_unref (self->outputs);
  gst_clear_object (&self->encoder);
  gst_clear_object (&self->overlay);
  gst_clear_object (&self->pipeline);
  gst_clear_caps (&self->caps);
  g_clear_pointer (&self->headers, g_bytes_unref);
  g_clear_pointer (&self->snapshot, g_bytes_unref);
  g_mutex_clear (&self->lock);
  g_free (self->id);
  g_free (self->camera_name);
  g_free (self->pattern);
  g_free (self);
}

void
ps_emulator_stream_force_keyframe (PsEmulatorStream *self,
                                   const char       *reason)
{
  GstEvent *event;
  guint count;

  g_return_if_fail (self != NULL);
  g_return_if_fail (reason != NULL);

  g_mutex_lock (&self->lock);
  count = ++self->force_count;
  if (self->force_requested_us == 0)
    self->force_requested_us = g_get_real_time ();
  g_mutex_unlock (&self->lock);

  g_debug ("%s: forcing a keyframe (%s, request %u)", self->id, reason, count);
  ps_emulator_log_keyframe (self->log, self->id, reason);

  /* An upstream event sent to the element goes to its source pad, where
   * GstVideoEncoder queues it and encodes the next frame as an IDR with
   * SPS/PPS in front. */
  event = gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, count);
  gst_element_send_event (self->encoder, event);
}

/* RTCP PLI/FIR from a viewer becomes an upstream GstForceKeyUnit event in
 * its media pipeline (rtpsession -> rtph264pay -> h264parse -> appsrc). The
 * appsrc has nowhere to send it, so hand it over to the shared encoder. */
static GstPadProbeReturn
on_appsrc_upstream_event_cb (GstPad          *pad,
                             GstPadProbeInfo *info,
                             gpointer         user_data)
{
  PsEmulatorStream *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (!gst_video_event_is_force_key_unit (event) ||
      GST_EVENT_TYPE (event) != GST_EVENT_CUSTOM_UPSTREAM)
    return GST_PAD_PROBE_OK;

  ps_emulator_stream_force_keyframe (self, "rtcp");

  return GST_PAD_PROBE_DROP;
}

void
ps_emulator_stream_add_appsrc (PsEmulatorStream *self,
                               GstElement       *appsrc,
                               gpointer          owner)
{
  g_autoptr(GstPad) pad = NULL;
  g_autoptr(GstCaps) caps = NULL;
  Output *output;

  g_return_if_fail (self != NULL);
  g_return_if_fail (GST_IS_APP_SRC (appsrc));

  caps = ps_emulator_stream_dup_caps (self);
  if (caps != NULL)
    gst_app_src_set_caps (GST_APP_SRC (appsrc), caps);
  g_object_set (appsrc,
                "is-live", TRUE,
                "format", GST_FORMAT_TIME,
                "do-timestamp", TRUE,
                "max-buffers", (guint64) APPSRC_MAX_BUFFERS,
                NULL);
  gst_util_set_object_arg (G_OBJECT (appsrc), "leaky-type", "downstream");

  output = g_new0 (Output, 1);
  output->appsrc = gst_object_ref (appsrc);
  output->owner = owner;
  output->needs_headers = TRUE;
  pad = gst_element_get_static_pad (appsrc, "src");
  output->probe_id = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                                        on_appsrc_upstream_event_cb, self, NULL);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->outputs, output);
  g_debug ("%s: viewer pipeline added, %u in all", self->id, self->outputs->len);
  g_mutex_unlock (&self->lock);
}

void
ps_emulator_stream_remove_owner (PsEmulatorStream *self,
                                 gpointer          owner)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  for (guint i = self->outputs->len; i > 0; i--)
    {
      Output *output = g_ptr_array_index (self->outputs, i - 1);

      if (output->owner == owner)
        {
          g_ptr_array_remove_index (self->outputs, i - 1);
          g_debug ("%s: viewer pipeline removed, %u left", self->id, self->outputs->len);
        }
    }
  g_mutex_unlock (&self->lock);
}
