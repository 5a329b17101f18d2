/* fuzz-policy-json.c: a policy as peerscope-gatewayd receives it over D-Bus
 *
 * Whatever the bytes, parsing either fails with an error or gives a policy
 * whose canonical JSON parses back to the same bytes, and which compiles
 * and exports without error, the compiled table carrying its digest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <string.h>

#include "ps-policy-compiler.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PsPolicy) policy = NULL;
  g_autoptr(PsPolicy) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) compiled = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *found = NULL;
  g_autofree char *nft = NULL;
  g_autofree char *uci = NULL;

  policy = ps_policy_new_from_json ((const char *) data, (gssize) size, &error);
  if (policy == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == PS_POLICY_ERROR);
      g_assert_null (strchr (error->message, '\n'));
      return 0;
    }
  g_assert_no_error (error);

  json = ps_policy_to_json (policy);
  again = ps_policy_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  json_again = ps_policy_to_json (again);
  g_assert_cmpstr (json, ==, json_again);

  compiled = ps_policy_compile (policy, &error);
  g_assert_no_error (error);
  digest = ps_policy_digest (policy);
  found = ps_policy_find_digest (compiled);
  g_assert_cmpstr (digest, ==, found);

  nft = ps_policy_export_nft (policy, &error);
  g_assert_no_error (error);
  uci = ps_policy_export_openwrt (policy, &error);
  g_assert_no_error (error);

  return 0;
}
