/* test-foscam.c: the Foscam-style CGI reply parser, valid and hostile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-foscam-client.h"
#include "ps-xml.h"

static gboolean
parse (const char *text,
       int        *is_enable,
       GError    **error)
{
  return ps_foscam_parse_reply (text, strlen (text), is_enable, error);
}

static void
test_foscam_valid (void)
{
  g_autoptr(GError) error = NULL;
  int is_enable = 7;

  g_assert_true (parse ("<CGI_Result>\n    <result>0</result>\n    <isEnable>1</isEnable>\n</CGI_Result>\n",
                        &is_enable, &error));
  g_assert_no_error (error);
  g_assert_cmpint (is_enable, ==, 1);

  g_assert_true (parse ("<CGI_Result><result>0</result><isEnable>0</isEnable></CGI_Result>", &is_enable, &error));
  g_assert_cmpint (is_enable, ==, 0);

  /* a set answers with the result alone */
  g_assert_true (parse ("<CGI_Result><result> 0 </result></CGI_Result>", &is_enable, &error));
  g_assert_cmpint (is_enable, ==, -1);
}

static void
test_foscam_errors (void)
{
  const char *hostile[] = {
    "",
    "not xml at all",
    "<CGI_Result>",
    "<Other><result>0</result></Other>",
    "<CGI_Result><isEnable>1</isEnable></CGI_Result>",
    "<CGI_Result><result>zero</result></CGI_Result>",
    "<CGI_Result><result>99999999999999999999</result></CGI_Result>",
    "<CGI_Result><result>0</result><isEnable>2</isEnable></CGI_Result>",
    "<CGI_Result><result>0</result><isEnable>yes</isEnable></CGI_Result>",
    "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
    "<CGI_Result><result>0</result><isEnable>&b;</isEnable></CGI_Result>",
    "<CGI_Result><result>-1</result></CGI_Result>",
    "<CGI_Result><result>-4</result></CGI_Result>",
  };
  g_autoptr(GError) error = NULL;
  int is_enable;

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_clear_error (&error);
      g_assert_false (parse (hostile[i], &is_enable, &error));
      g_assert_nonnull (error);
    }

  /* wrong credentials say so */
  g_clear_error (&error);
  g_assert_false (parse ("<CGI_Result><result>-2</result></CGI_Result>", &is_enable, &error));
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_NOT_AUTHORIZED);

  /* embedded NUL and a length shorter than the text */
  g_clear_error (&error);
  g_assert_false (ps_foscam_parse_reply ("<CGI_Result>\0<result>0</result></CGI_Result>", 40,
                                         &is_enable, &error));
  g_clear_error (&error);
  g_assert_false (ps_foscam_parse_reply ("<CGI_Result><result>0</result></CGI_Result>", 20,
                                         &is_enable, &error));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/foscam/valid", test_foscam_valid);
  g_test_add_func ("/foscam/errors", test_foscam_errors);

  return g_test_run ();
}
