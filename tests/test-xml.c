/* test-xml.c: untrusted XML and SOAP envelopes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "ps-xml.h"

static xmlDoc *
parse (const char  *text,
       GError     **error)
{
  return ps_xml_parse (text, strlen (text), error);
}

static void
test_malformed (void)
{
  const char *bad[] = {
    "",
    "<",
    "<a><b></a>",
    "not xml at all",
    "<?xml version=\"1.0\"?>",
    "\xff\xfe<\x00a\x00",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(xmlDoc) doc = ps_xml_parse (bad[i], strlen (bad[i]), &error);

      g_assert_null (doc);
      g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_MALFORMED);
    }
}

static void
test_entities_refused (void)
{
  const char *laughs =
    "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
    "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
    "<lolz>&lol2;</lolz>";
  const char *external =
    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(xmlDoc) doc = parse (laughs, &error);
  g_autoptr(xmlDoc) doc2 = parse (external, &error2);

  g_assert_null (doc);
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_MALFORMED);
  g_assert_null (doc2);
  g_assert_error (error2, PS_XML_ERROR, PS_XML_ERROR_MALFORMED);
}

static void
test_too_large (void)
{
  gsize len = PS_XML_MAX_SIZE + 1;
  g_autofree char *big = g_malloc (len);
  g_autoptr(GError) error = NULL;
  g_autoptr(xmlDoc) doc = NULL;

  memset (big, ' ', len);
  doc = ps_xml_parse (big, len, &error);
  g_assert_null (doc);
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE);
}

static void
test_deep_nesting (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr(xmlDoc) doc = NULL;

  for (guint i = 0; i < 200; i++)
    g_string_append (s, "<a>");
  g_string_append (s, "<target>x</target>");
  for (guint i = 0; i < 200; i++)
    g_string_append (s, "</a>");

  doc = ps_xml_parse (s->str, s->len, NULL);
  g_assert_nonnull (doc);
  /* beyond the search depth: not found, and no deep recursion */
  g_assert_null (ps_xml_find (xmlDocGetRootElement (doc), "target"));
  g_string_free (s, TRUE);
}

static void
test_soap_body_any_prefix (void)
{
  const char *text =
    "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
    "xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\" "
    "xmlns:tt=\"http://www.onvif.org/ver10/schema\"><env:Body>"
    "<trt:GetStreamUriResponse><trt:MediaUri>"
    "<tt:Uri>\n  rtsp://127.0.0.1:8554/main \n</tt:Uri>"
    "</trt:MediaUri></trt:GetStreamUriResponse></env:Body></env:Envelope>";
  g_autoptr(GError) error = NULL;
  g_autoptr(xmlDoc) doc = parse (text, &error);
  g_autofree char *uri = NULL;
  xmlNode *body;

  g_assert_no_error (error);
  body = ps_xml_soap_body (doc, &error);
  g_assert_no_error (error);
  uri = ps_xml_find_text (body, "Uri");
  g_assert_cmpstr (uri, ==, "rtsp://127.0.0.1:8554/main");
}

static void
test_soap_faults (void)
{
  const char *auth =
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
    "xmlns:ter=\"http://www.onvif.org/ver10/error\"><s:Body><s:Fault>"
    "<s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value>"
    "</s:Subcode></s:Code><s:Reason><s:Text xml:lang=\"en\">Sender not authorized</s:Text>"
    "</s:Reason></s:Fault></s:Body></s:Envelope>";
  const char *other =
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><s:Fault>"
    "<s:Code><s:Value>s:Receiver</s:Value></s:Code></s:Fault></s:Body></s:Envelope>";
  const char *not_soap = "<html><body>hello</body></html>";
  const char *no_body = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"/>";
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;
  g_autoptr(xmlDoc) d1 = parse (auth, NULL);
  g_autoptr(xmlDoc) d2 = parse (other, NULL);
  g_autoptr(xmlDoc) d3 = parse (not_soap, NULL);
  g_autoptr(xmlDoc) d4 = parse (no_body, NULL);

  g_assert_null (ps_xml_soap_body (d1, &e1));
  g_assert_error (e1, PS_XML_ERROR, PS_XML_ERROR_NOT_AUTHORIZED);
  g_assert_nonnull (strstr (e1->message, "Sender not authorized"));
  g_assert_null (ps_xml_soap_body (d2, &e2));
  g_assert_error (e2, PS_XML_ERROR, PS_XML_ERROR_SOAP_FAULT);
  g_assert_null (ps_xml_soap_body (d3, &e3));
  g_assert_error (e3, PS_XML_ERROR, PS_XML_ERROR_MALFORMED);
  g_assert_null (ps_xml_soap_body (d4, &e4));
  g_assert_error (e4, PS_XML_ERROR, PS_XML_ERROR_MALFORMED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xml/malformed", test_malformed);
  g_test_add_func ("/xml/entities-refused", test_entities_refused);
  g_test_add_func ("/xml/too-large", test_too_large);
  g_test_add_func ("/xml/deep-nesting", test_deep_nesting);
  g_test_add_func ("/xml/soap-body-any-prefix", test_soap_body_any_prefix);
  g_test_add_func ("/xml/soap-faults", test_soap_faults);

  return g_test_run ();
}
