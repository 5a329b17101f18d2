/* ps-ice-close.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <nice/agent.h>

#include "ps-ice-close.h"

static void
on_closed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  /* the reference taken below: the agent may go now */
  g_object_unref (user_data);
}

void
ps_ice_close (GstElement *webrtcbin)
{
  g_autoptr(GObject) ice = NULL;
  NiceAgent *agent = NULL;

  g_return_if_fail (GST_IS_ELEMENT (webrtcbin));

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (ice == NULL || g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") == NULL)
    return;
  g_object_get (ice, "agent", &agent, NULL);
  if (agent == NULL)
    return;

  /* the reference goes to the callback */
  nice_agent_close_async (agent, on_closed, agent);
}
