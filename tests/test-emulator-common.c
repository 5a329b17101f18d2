/* test-emulator-common.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "test-emulator-common.h"

static gboolean
on_timeout_cb (gpointer user_data)
{
  Wait *wait = user_data;

  wait->timed_out = TRUE;
  g_main_loop_quit (wait->loop);

  return G_SOURCE_REMOVE;
}

/* Runs the default main context until the callback quits the loop. */
void
wait_run (Wait *wait)
{
  guint timeout_id = g_timeout_add_seconds (TIMEOUT_S, on_timeout_cb, wait);

  g_main_loop_run (wait->loop);
  if (!wait->timed_out)
    g_source_remove (timeout_id);
  g_assert_false (wait->timed_out);
}

/* Spawning */

void
die_with_parent (gpointer user_data)
{
  /* Should this test abort on a failed assertion, the emulator goes too. */
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

void
on_ready_line_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Wait *wait = user_data;

  wait->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                          NULL, &wait->error);
  g_main_loop_quit (wait->loop);
}

char *
dup_member (JsonObject *object,
            const char *name)
{
  g_assert_true (json_object_has_member (object, name));

  return g_strdup (json_object_get_string_member (object, name));
}

void
on_sent_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *wait = user_data;

  wait->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}
