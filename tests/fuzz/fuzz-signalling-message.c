/* fuzz-signalling-message.c: a signalling message as peerscope-rendezvous
 * and Peerscope's P2P clients receive it
 *
 * Whatever the bytes, read in either direction, parsing either fails with
 * an error of its own domain, on one line, or gives a message whose JSON
 * parses back to a message that writes the same JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <string.h>

#include "ps-signalling-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check (const uint8_t         *data,
       size_t                 size,
       PsSignallingDirection  direction)
{
  g_autoptr(PsSignallingMessage) message = NULL;
  g_autoptr(PsSignallingMessage) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;

  message = ps_signalling_message_parse ((const char *) data, size, direction, &error);
  if (message == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == PS_SIGNALLING_ERROR);
      g_assert_null (strchr (error->message, '\n'));
      return;
    }
  g_assert_no_error (error);

  json = ps_signalling_message_to_json (message, direction);
  g_assert_nonnull (json);
  g_assert_cmpuint (strlen (json), <=, 2 * PS_SIGNALLING_MAX_MESSAGE_SIZE);
  again = ps_signalling_message_parse (json, strlen (json), direction, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->type, ==, message->type);
  json_again = ps_signalling_message_to_json (again, direction);
  g_assert_cmpstr (json, ==, json_again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  check (data, size, PS_SIGNALLING_TO_SERVER);
  check (data, size, PS_SIGNALLING_TO_CLIENT);

  return 0;
}
