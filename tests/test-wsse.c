/* test-wsse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "ps-wsse.h"
#include "ps-xml.h"

/* The worked example of the ONVIF Application Programmer's Guide. */
static void
test_known_vector (void)
{
  g_autofree guint8 *nonce = NULL;
  g_autofree char *digest = NULL;
  gsize nonce_len = 0;

  nonce = g_base64_decode ("LKqI6G/AikKCQrN0zqZFlg==", &nonce_len);
  digest = ps_wsse_digest (nonce, nonce_len, "2010-09-16T07:50:45Z", "userpassword");
  g_assert_cmpstr (digest, ==, "tuOSpGlFlIXsozq4HFNeeGeFLEI=");

  g_assert_true (ps_wsse_verify ("user", "userpassword", "user", digest,
                                 "LKqI6G/AikKCQrN0zqZFlg==", "2010-09-16T07:50:45Z"));
  g_assert_false (ps_wsse_verify ("user", "wrong", "user", digest,
                                  "LKqI6G/AikKCQrN0zqZFlg==", "2010-09-16T07:50:45Z"));
  g_assert_false (ps_wsse_verify ("user", "userpassword", "other", digest,
                                  "LKqI6G/AikKCQrN0zqZFlg==", "2010-09-16T07:50:45Z"));
  g_assert_false (ps_wsse_verify ("user", "userpassword", "user", NULL, NULL, NULL));
  g_assert_false (ps_wsse_verify ("user", "userpassword", "user", digest,
                                  "!!!not base64!!!", "2010-09-16T07:50:45Z"));
}

/* A header we build verifies with the values it carries. */
static void
test_header_roundtrip (void)
{
  g_autofree char *header = ps_wsse_security_header ("admin", "s3cr<t");
  g_autofree char *envelope = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *user = NULL, *digest = NULL, *nonce = NULL, *created = NULL;
  xmlNode *root;

  envelope = g_strdup_printf ("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">"
                              "<s:Header>%s</s:Header><s:Body/></s:Envelope>", header);
  doc = ps_xml_parse (envelope, strlen (envelope), NULL);
  g_assert_nonnull (doc);
  root = xmlDocGetRootElement (doc);

  user = ps_xml_find_text (root, "Username");
  digest = ps_xml_find_text (root, "Password");
  nonce = ps_xml_find_text (root, "Nonce");
  created = ps_xml_find_text (root, "Created");

  g_assert_cmpstr (user, ==, "admin");
  g_assert_true (ps_wsse_verify ("admin", "s3cr<t", user, digest, nonce, created));
  g_assert_false (ps_wsse_verify ("admin", "s3cr", user, digest, nonce, created));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wsse/known-vector", test_known_vector);
  g_test_add_func ("/wsse/header-roundtrip", test_header_roundtrip);

  return g_test_run ();
}
