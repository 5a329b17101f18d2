/* test-wsd-message.c: WS-Discovery probes, answers from real-world
 * cameras, and hostile datagrams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-wsd-message.h"
#include "ps-xml.h"

#define NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"

/* An Axis M2036-LE: SOAP-ENV/wsa/d/dn prefixes, scopes and XAddrs broken
 * over lines, a percent-encoded name, https and IPv6 link-local XAddrs. */
static const char axis[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" "
  "xmlns:SOAP-ENC=\"http://www.w3.org/2003/05/soap-encoding\" "
  "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
  "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
  "xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
  "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
  "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\" "
  "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">"
  "<SOAP-ENV:Header>"
  "<wsa:MessageID>urn:uuid:3b5d7e0c-5a43-4b8e-9c1f-00408cb21e6b</wsa:MessageID>"
  "<wsa:RelatesTo>urn:uuid:7f1d3a52-1c2b-4c3d-8e4f-5a6b7c8d9e0f</wsa:RelatesTo>"
  "<wsa:To SOAP-ENV:mustUnderstand=\"true\">"
  "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>"
  "<wsa:Action SOAP-ENV:mustUnderstand=\"true\">"
  "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>"
  "<d:AppSequence SOAP-ENV:mustUnderstand=\"true\" MessageNumber=\"68\" "
  "InstanceId=\"1455785934\"></d:AppSequence>"
  "</SOAP-ENV:Header>\n"
  "<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>"
  "<wsa:EndpointReference><wsa:Address>urn:uuid:a1f48ac2-dc8b-11e2-8e4f-00408cb21e6b"
  "</wsa:Address></wsa:EndpointReference>"
  "<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>"
  "<d:Scopes>onvif://www.onvif.org/type/video_encoder\n"
  "  onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/hardware/M2036-LE\n"
  "  onvif://www.onvif.org/name/AXIS%20M2036-LE\r\n"
  "\tonvif://www.onvif.org/location/country/sweden\n"
  "  onvif://www.onvif.org/Profile/T </d:Scopes>"
  "<d:XAddrs>http://192.168.1.20/onvif/device_service\n"
  "https://192.168.1.20/onvif/device_service"
  " http://[fe80::240:8cff:feb2:1e6b%eth0]/onvif/device_service\n</d:XAddrs>"
  "<d:MetadataVersion>1</d:MetadataVersion>"
  "</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>\n";

/* A Hikvision DS-2CD2143G0-I: tdn: and wsdd: prefixes, a MAC scope. */
static const char hikvision[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
  "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
  "xmlns:wsadis=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
  "xmlns:wsdd=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
  "xmlns:tdn=\"http://www.onvif.org/ver10/network/wsdl\" "
  "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">"
  "<env:Header>"
  "<wsadis:MessageID>urn:uuid:cd279d20-1dd1-11b2-a9ab-bcad284f1102</wsadis:MessageID>"
  "<wsadis:RelatesTo>uuid:0e6b2c6e-4f5d-4cb2-9a1e-1f2d3c4b5a69</wsadis:RelatesTo>"
  "<wsadis:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsadis:To>"
  "<wsadis:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsadis:Action>"
  "</env:Header><env:Body><wsdd:ProbeMatches><wsdd:ProbeMatch>"
  "<wsadis:EndpointReference><wsadis:Address>urn:uuid:cd279d20-1dd1-11b2-a9ab-bcad284f1102"
  "</wsadis:Address></wsadis:EndpointReference>"
  "<wsdd:Types>tdn:NetworkVideoTransmitter tds:Device</wsdd:Types>"
  "<wsdd:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/type/audio_encoder"
  " onvif://www.onvif.org/hardware/DS-2CD2143G0-I onvif://www.onvif.org/location/city/hangzhou"
  " onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G0-I"
  " onvif://www.onvif.org/MAC/BC:AD:28:4F:11:02"
  " onvif://www.onvif.org/Profile/Streaming</wsdd:Scopes>"
  "<wsdd:XAddrs>http://192.168.1.64/onvif/device_service "
  "http://[fe80::bead:28ff:fe4f:1102]/onvif/device_service</wsdd:XAddrs>"
  "<wsdd:MetadataVersion>10</wsdd:MetadataVersion>"
  "</wsdd:ProbeMatch></wsdd:ProbeMatches></env:Body></env:Envelope>";

/* A no-name camera that declares every namespace as the default one, and a
 * second match whose bare Types has no prefix at all. */
static const char defaults[] =
  "<Envelope xmlns=\"http://www.w3.org/2003/05/soap-envelope\">"
  "<Header><RelatesTo xmlns=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\">"
  "urn:uuid:11111111-2222-4333-8444-555555555555</RelatesTo></Header>"
  "<Body><ProbeMatches xmlns=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\">"
  "<ProbeMatch><EndpointReference xmlns=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\">"
  "<Address>uuid:2419d68a-2dd2-21b2-a205-ec5c68a1e1a1</Address></EndpointReference>"
  "<Types xmlns:dp0=\"http://www.onvif.org/ver10/network/wsdl\">dp0:NetworkVideoTransmitter"
  "</Types>"
  "<Scopes>onvif://www.onvif.org/name/IPCAM onvif://www.onvif.org/mac/EC5C68A1E1A1 "
  "onvif://www.onvif.org/mfr/Acme%20Vision onvif://www.onvif.org/hardware/</Scopes>"
  "<XAddrs>http://10.0.0.7:8899/onvif/device_service</XAddrs>"
  "<MetadataVersion>1</MetadataVersion></ProbeMatch>"
  "<ProbeMatch><EndpointReference><Address>urn:uuid:second</Address></EndpointReference>"
  "<Types xmlns=\"http://www.onvif.org/ver10/network/wsdl\">NetworkVideoTransmitter</Types>"
  "<Scopes>onvif://www.onvif.org/manufacturer/Other onvif://www.onvif.org/mac/00-11-22-aa-bb-cc"
  "</Scopes><XAddrs>HTTP://10.0.0.8/onvif/device_service</XAddrs></ProbeMatch>"
  "</ProbeMatches></Body></Envelope>";

static const char hello[] =
  "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
  "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
  "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
  "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\">"
  "<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</a:Action>"
  "<a:MessageID>urn:uuid:5b7c3f0e-0000-4000-8000-000000000001</a:MessageID>"
  "<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>"
  "<d:AppSequence InstanceId=\"1\" MessageNumber=\"1\"/></s:Header>"
  "<s:Body><d:Hello><a:EndpointReference><a:Address>urn:uuid:0a0b0c0d-0000-4000-8000-0242ac110002"
  "</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>"
  "<d:Scopes>onvif://www.onvif.org/name/Door onvif://www.onvif.org/location/Front%20door"
  "</d:Scopes><d:XAddrs>http://192.0.2.10/onvif/device_service</d:XAddrs>"
  "<d:MetadataVersion>3</d:MetadataVersion></d:Hello></s:Body></s:Envelope>";

static const char bye[] =
  "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
  "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
  "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\">"
  "<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Bye</a:Action>"
  "<a:MessageID>urn:uuid:5b7c3f0e-0000-4000-8000-000000000002</a:MessageID></s:Header>"
  "<s:Body><d:Bye><a:EndpointReference><a:Address>urn:uuid:0a0b0c0d-0000-4000-8000-0242ac110002"
  "</a:Address></a:EndpointReference></d:Bye></s:Body></s:Envelope>";

#define MATCHES(matches) \
  "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" " \
  "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" " \
  "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" " \
  "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\"><s:Header/><s:Body><d:ProbeMatches>" \
  matches "</d:ProbeMatches></s:Body></s:Envelope>"

static GPtrArray *
parse (const char  *text,
       gsize        len,
       PsWsdKind   *kind,
       char       **relates_to,
       GError     **error)
{
  return ps_wsd_parse (text, len, kind, relates_to, error);
}

static PsSighting *
parse_one (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = parse (text, strlen (text), NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 1);

  return g_ptr_array_steal_index (list, 0);
}

static void
assert_strv (char       **strv,
             const char  *first,
             ...)
{
  va_list args;
  guint i = 0;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *), i++)
    {
      g_assert_nonnull (strv);
      g_assert_cmpstr (strv[i], ==, s);
    }
  va_end (args);
  if (strv != NULL)
    g_assert_null (strv[i]);
}

static void
test_axis (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *relates_to = NULL;
  g_autoptr(GPtrArray) list = NULL;
  PsWsdKind kind;
  PsSighting *s;

  list = parse (axis, strlen (axis), &kind, &relates_to, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, PS_WSD_KIND_PROBE_MATCHES);
  g_assert_cmpstr (relates_to, ==, "urn:uuid:7f1d3a52-1c2b-4c3d-8e4f-5a6b7c8d9e0f");
  g_assert_cmpuint (list->len, ==, 1);

  s = g_ptr_array_index (list, 0);
  g_assert_cmpint (s->protocol, ==, PS_PROTOCOL_ONVIF);
  g_assert_false (s->bye);
  g_assert_cmpstr (s->endpoint, ==, "urn:uuid:a1f48ac2-dc8b-11e2-8e4f-00408cb21e6b");
  g_assert_cmpstr (s->name, ==, "AXIS M2036-LE");
  g_assert_cmpstr (s->model, ==, "M2036-LE");
  g_assert_cmpstr (s->hardware, ==, "M2036-LE");
  g_assert_cmpstr (s->location, ==, "country/sweden");
  g_assert_null (s->mac);
  g_assert_null (s->manufacturer);
  g_assert_null (s->address);
  assert_strv (s->scopes,
               "onvif://www.onvif.org/type/video_encoder",
               "onvif://www.onvif.org/Profile/Streaming",
               "onvif://www.onvif.org/hardware/M2036-LE",
               "onvif://www.onvif.org/name/AXIS M2036-LE",
               "onvif://www.onvif.org/location/country/sweden",
               "onvif://www.onvif.org/Profile/T",
               NULL);
  /* the zone is written back the RFC 6874 way */
  assert_strv (s->xaddrs,
               "http://192.168.1.20/onvif/device_service",
               "https://192.168.1.20/onvif/device_service",
               "http://[fe80::240:8cff:feb2:1e6b%25eth0]/onvif/device_service",
               NULL);
}

static void
test_hikvision (void)
{
  g_autoptr(PsSighting) s = parse_one (hikvision);

  g_assert_cmpstr (s->endpoint, ==, "urn:uuid:cd279d20-1dd1-11b2-a9ab-bcad284f1102");
  g_assert_cmpstr (s->name, ==, "HIKVISION DS-2CD2143G0-I");
  g_assert_cmpstr (s->model, ==, "DS-2CD2143G0-I");
  g_assert_cmpstr (s->location, ==, "city/hangzhou");
  g_assert_cmpstr (s->mac, ==, "bc:ad:28:4f:11:02");
  g_assert_cmpuint (g_strv_length (s->scopes), ==, 7);
  assert_strv (s->xaddrs,
               "http://192.168.1.64/onvif/device_service",
               "http://[fe80::bead:28ff:fe4f:1102]/onvif/device_service",
               NULL);
}

static void
test_default_namespaces (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *relates_to = NULL;
  g_autoptr(GPtrArray) list = NULL;
  PsSighting *a, *b;

  list = parse (defaults, strlen (defaults), NULL, &relates_to, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relates_to, ==, "urn:uuid:11111111-2222-4333-8444-555555555555");
  g_assert_cmpuint (list->len, ==, 2);

  a = g_ptr_array_index (list, 0);
  g_assert_cmpstr (a->endpoint, ==, "uuid:2419d68a-2dd2-21b2-a205-ec5c68a1e1a1");
  g_assert_cmpstr (a->name, ==, "IPCAM");
  g_assert_cmpstr (a->mac, ==, "ec:5c:68:a1:e1:a1");
  g_assert_cmpstr (a->manufacturer, ==, "Acme Vision");
  /* "hardware/" with nothing after it */
  g_assert_null (a->model);
  g_assert_null (a->hardware);
  assert_strv (a->xaddrs, "http://10.0.0.7:8899/onvif/device_service", NULL);

  b = g_ptr_array_index (list, 1);
  g_assert_cmpstr (b->endpoint, ==, "urn:uuid:second");
  g_assert_cmpstr (b->manufacturer, ==, "Other");
  g_assert_cmpstr (b->mac, ==, "00:11:22:aa:bb:cc");
  g_assert_null (b->name);
  assert_strv (b->xaddrs, "http://10.0.0.8/onvif/device_service", NULL);
}

static void
test_hello_bye (void)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *relates_to = NULL;
  PsWsdKind kind;
  PsSighting *s;

  list = parse (hello, strlen (hello), &kind, &relates_to, NULL);
  g_assert_nonnull (list);
  g_assert_cmpint (kind, ==, PS_WSD_KIND_HELLO);
  g_assert_null (relates_to);
  g_assert_cmpuint (list->len, ==, 1);
  s = g_ptr_array_index (list, 0);
  g_assert_false (s->bye);
  g_assert_cmpstr (s->endpoint, ==, "urn:uuid:0a0b0c0d-0000-4000-8000-0242ac110002");
  g_assert_cmpstr (s->name, ==, "Door");
  g_assert_cmpstr (s->location, ==, "Front door");
  assert_strv (s->xaddrs, "http://192.0.2.10/onvif/device_service", NULL);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* a Bye carries no Types, and is kept */
  list = parse (bye, strlen (bye), &kind, NULL, NULL);
  g_assert_nonnull (list);
  g_assert_cmpint (kind, ==, PS_WSD_KIND_BYE);
  g_assert_cmpuint (list->len, ==, 1);
  s = g_ptr_array_index (list, 0);
  g_assert_true (s->bye);
  g_assert_cmpstr (s->endpoint, ==, "urn:uuid:0a0b0c0d-0000-4000-8000-0242ac110002");
  g_assert_null (s->scopes);
  g_assert_null (s->xaddrs);
  g_assert_null (s->name);
}

static void
test_mac (void)
{
  struct { const char *in, *out; } cases[] = {
    { "aabbccddeeff", "aa:bb:cc:dd:ee:ff" },
    { "AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff" },
    { "aa-bb-cc-dd-ee-0F", "aa:bb:cc:dd:ee:0f" },
    { "aa:bb-cc:dd:ee:ff", NULL },
    { "aa:bb:cc:dd:ee", NULL },
    { "aa:bb:cc:dd:ee:fg", NULL },
    { "aabbccddeeff00", NULL },
    { "aa.bb.cc.dd.ee.ff", NULL },
    { "a:bb:cc:dd:ee:fff", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *mac = ps_wsd_normalize_mac (cases[i].in);

      g_assert_cmpstr (mac, ==, cases[i].out);
    }
}

static void
test_types (void)
{
  const char *text = MATCHES (
    "<d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:1</a:Address>"
    "</a:EndpointReference><d:Types>dn:NetworkVideoTransmitterX</d:Types></d:ProbeMatch>"
    "<d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:2</a:Address>"
    "</a:EndpointReference><d:Types>wsdp:Device pub:Computer</d:Types></d:ProbeMatch>"
    "<d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:3</a:Address>"
    "</a:EndpointReference><d:Types>NetworkVideoTransmitter:dn</d:Types></d:ProbeMatch>"
    "<d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:4</a:Address>"
    "</a:EndpointReference><d:Types>tds:Device\n\tdn:NetworkVideoTransmitter</d:Types>"
    "</d:ProbeMatch>"
    "<d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:5</a:Address>"
    "</a:EndpointReference></d:ProbeMatch>"
    "<d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:6</a:Address>"
    "</a:EndpointReference><d:Types/></d:ProbeMatch>"
    "<d:NotAMatch><d:Types>dn:NetworkVideoTransmitter</d:Types></d:NotAMatch>");
  g_autoptr(GPtrArray) list = parse (text, strlen (text), NULL, NULL, NULL);

  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((PsSighting *) g_ptr_array_index (list, 0))->endpoint, ==, "urn:uuid:4");
  g_assert_cmpstr (((PsSighting *) g_ptr_array_index (list, 1))->endpoint, ==, "urn:uuid:5");
  g_assert_cmpstr (((PsSighting *) g_ptr_array_index (list, 2))->endpoint, ==, "urn:uuid:6");
}

static void
test_not_discovery (void)
{
  const char *cases[] = {
    /* not a SOAP envelope */
    "<d:ProbeMatches xmlns:d=\"" PS_WSD_NS_DISCOVERY "\"><d:ProbeMatch/></d:ProbeMatches>",
    /* no Body */
    "<s:Envelope xmlns:s=\"" NS_SOAP12 "\"><s:Header/></s:Envelope>",
    /* another message */
    "<s:Envelope xmlns:s=\"" NS_SOAP12 "\"><s:Body><d:ResolveMatches xmlns:d=\"x\"/>"
    "</s:Body></s:Envelope>",
    "<s:Envelope xmlns:s=\"" NS_SOAP12 "\"><s:Body/></s:Envelope>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *relates_to = NULL;
      g_autoptr(GPtrArray) list = NULL;
      PsWsdKind kind = PS_WSD_KIND_HELLO;

      list = parse (cases[i], strlen (cases[i]), &kind, &relates_to, &error);
      g_assert_null (list);
      g_assert_nonnull (error);
      g_assert_cmpint (kind, ==, PS_WSD_KIND_UNKNOWN);
      g_assert_null (relates_to);
    }
}

static void
test_fault (void)
{
  const char *fault =
    "<s:Envelope xmlns:s=\"" NS_SOAP12 "\"><s:Body><s:Fault><s:Code><s:Value>s:Sender"
    "</s:Value><s:Subcode><s:Value>d:MatchingRuleNotSupported</s:Value></s:Subcode>"
    "</s:Code><s:Reason><s:Text xml:lang=\"en\">the matching rule is not supported</s:Text>"
    "</s:Reason></s:Fault></s:Body></s:Envelope>";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = parse (fault, strlen (fault), NULL, NULL, &error);

  g_assert_null (list);
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_SOAP_FAULT);
  g_assert_nonnull (strstr (error->message, "matching rule is not supported"));
}

static void
test_malformed (void)
{
  const char *laughs =
    "<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY l \"lol\">"
    "<!ENTITY l2 \"&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;\"><!ENTITY l3 \"&l2;&l2;&l2;&l2;&l2;\">]>"
    MATCHES ("<d:ProbeMatch><d:Scopes>onvif://www.onvif.org/name/&l3;</d:Scopes>"
             "</d:ProbeMatch>");
  const char *external =
    "<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
    MATCHES ("<d:ProbeMatch><d:Scopes>onvif://www.onvif.org/name/&e;</d:Scopes>"
             "</d:ProbeMatch>");
  const char *raw_invalid_utf8 =
    MATCHES ("<d:ProbeMatch><d:Scopes>onvif://www.onvif.org/name/\xff\xfe</d:Scopes>"
             "</d:ProbeMatch>");
  const char *garbage[] = { "", "\x00", "<<<<", "HTTP/1.1 200 OK\r\n\r\n", "M-SEARCH * HTTP/1.1",
                            laughs, external, raw_invalid_utf8 };
  g_autofree char *big = NULL;
  gsize big_len = PS_XML_MAX_SIZE + 1;
  g_autoptr(GError) error = NULL;
  GPtrArray *list;

  /* truncated anywhere */
  for (gsize len = 1; len < strlen (axis) - 2; len += 7)
    {
      list = parse (axis, len, NULL, NULL, &error);
      g_assert_null (list);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      list = parse (garbage[i], i == 1 ? 1 : strlen (garbage[i]), NULL, NULL, &error);
      g_assert_null (list);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }

  big = g_malloc (big_len);
  memset (big, ' ', big_len);
  memcpy (big, hello, strlen (hello));
  list = parse (big, big_len, NULL, NULL, &error);
  g_assert_null (list);
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE);
}

static void
test_bad_scopes (void)
{
  g_autofree char *long_name = g_strnfill (PS_WSD_MAX_SCOPE_LEN, 'n');
  g_autofree char *text = g_strdup_printf (MATCHES (
    "<d:ProbeMatch><d:Scopes>"
    "onvif://www.onvif.org/name/%%FF%%FEbad "          /* invalid UTF-8 once decoded */
    "onvif://www.onvif.org/name/%s "                   /* too long */
    "onvif://www.onvif.org/name/line%%0Abreak "        /* a control character */
    "onvif://www.onvif.org/name/100%%25%%20sure "
    "onvif://www.onvif.org/location/50%%off "          /* not an escape: kept raw */
    "onvif://www.onvif.org/location/second "
    "onvif://www.onvif.org/mac/zz:zz:zz:zz:zz:zz "
    "onvif://www.onvif.org/mac/02:00:00:00:00:01 "
    "ONVIF://WWW.ONVIF.ORG/Hardware/X1 "
    "http://example.com/name/not-onvif "
    "onvif://www.onvif.org/name"
    "</d:Scopes></d:ProbeMatch>"), long_name);
  g_autoptr(PsSighting) s = parse_one (text);

  g_assert_cmpstr (s->name, ==, "100% sure");
  g_assert_cmpstr (s->location, ==, "50%off");
  g_assert_cmpstr (s->mac, ==, "02:00:00:00:00:01");
  g_assert_cmpstr (s->model, ==, "X1");
  assert_strv (s->scopes,
               "onvif://www.onvif.org/name/100% sure",
               "onvif://www.onvif.org/location/50%off",
               "onvif://www.onvif.org/location/second",
               "onvif://www.onvif.org/mac/zz:zz:zz:zz:zz:zz",
               "onvif://www.onvif.org/mac/02:00:00:00:00:01",
               "ONVIF://WWW.ONVIF.ORG/Hardware/X1",
               "http://example.com/name/not-onvif",
               "onvif://www.onvif.org/name",
               NULL);
}

static void
test_bad_xaddrs (void)
{
  const char *text = MATCHES (
    "<d:ProbeMatch><d:XAddrs>"
    "javascript:alert(1) file:///etc/passwd ftp://10.0.0.1/ http:///nohost "
    "http://user:pw@10.0.0.1/onvif http://[zz::1]/ http://[fe80::1%]/ http://a%20b/ "
    "http://10.0.0.1:99999/ //10.0.0.1/ http: "
    "http://10.0.0.1/onvif/device_service http://10.0.0.1/onvif/device_service "
    "https://[2001:db8::1]:8443/onvif/device_service http://cam.local/onvif "
    "http://[fe80::1%25eth0]/onvif "
    "http://10.0.0.2/ http://10.0.0.3/ http://10.0.0.4/ http://10.0.0.5/ http://10.0.0.6/ "
    "http://10.0.0.7/"
    "</d:XAddrs></d:ProbeMatch>");
  g_autoptr(PsSighting) s = parse_one (text);

  assert_strv (s->xaddrs,
               "http://10.0.0.1/onvif/device_service",
               "https://[2001:db8::1]:8443/onvif/device_service",
               "http://cam.local/onvif",
               "http://[fe80::1%25eth0]/onvif",
               "http://10.0.0.2/",
               "http://10.0.0.3/",
               "http://10.0.0.4/",
               "http://10.0.0.5/",
               NULL);
}

static void
test_empty_fields (void)
{
  const char *text = MATCHES (
    "<d:ProbeMatch><a:EndpointReference><a:Address></a:Address></a:EndpointReference>"
    "<d:Types></d:Types><d:Scopes>  \n </d:Scopes><d:XAddrs/><d:MetadataVersion/>"
    "</d:ProbeMatch>"
    "<d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:a b</a:Address>"
    "</a:EndpointReference><d:Scopes>onvif://www.onvif.org/name/ "
    "onvif://www.onvif.org/mac/</d:Scopes></d:ProbeMatch>"
    "<d:ProbeMatch/>");
  g_autoptr(GPtrArray) list = parse (text, strlen (text), NULL, NULL, NULL);

  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 3);
  for (guint i = 0; i < list->len; i++)
    {
      PsSighting *s = g_ptr_array_index (list, i);

      g_assert_null (s->endpoint);
      g_assert_null (s->name);
      g_assert_null (s->mac);
      g_assert_null (s->xaddrs);
    }
  g_assert_null (((PsSighting *) g_ptr_array_index (list, 0))->scopes);
  g_assert_cmpuint (g_strv_length (((PsSighting *) g_ptr_array_index (list, 1))->scopes), ==, 2);
}

static void
test_caps (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GPtrArray) list = NULL;
  PsSighting *first;

  /* 1000 matches, the first with 1000 scopes */
  g_string_append (s, "<s:Envelope xmlns:s=\"" NS_SOAP12 "\"><s:Body><ProbeMatches>");
  for (guint i = 0; i < 1000; i++)
    {
      g_string_append_printf (s, "<ProbeMatch><EndpointReference><Address>urn:uuid:%u"
                              "</Address></EndpointReference><Scopes>", i);
      for (guint j = 0; i == 0 && j < 1000; j++)
        g_string_append_printf (s, "onvif://www.onvif.org/name/n%u\n", j);
      g_string_append (s, "</Scopes></ProbeMatch>");
    }
  g_string_append (s, "</ProbeMatches></s:Body></s:Envelope>");
  g_assert_cmpuint (s->len, <, PS_XML_MAX_SIZE);

  list = parse (s->str, s->len, NULL, NULL, NULL);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, PS_WSD_MAX_MATCHES);
  first = g_ptr_array_index (list, 0);
  g_assert_cmpuint (g_strv_length (first->scopes), ==, PS_WSD_MAX_SCOPES);
  g_assert_cmpstr (first->name, ==, "n0");
  g_assert_cmpstr (first->scopes[PS_WSD_MAX_SCOPES - 1], ==, "onvif://www.onvif.org/name/n63");
  g_assert_cmpstr (((PsSighting *) g_ptr_array_index (list, 31))->endpoint, ==, "urn:uuid:31");

  g_string_free (s, TRUE);
}

static void
test_probe_roundtrip (void)
{
  g_autofree char *id = ps_wsd_new_message_id ();
  g_autofree char *probe = NULL;
  g_autofree char *odd = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *action = NULL, *message_id = NULL, *to = NULL, *types = NULL;
  xmlNode *root, *header, *body, *probe_node, *types_node;
  xmlNs *dn;
  PsWsdKind kind;

  g_assert_true (g_str_has_prefix (id, "urn:uuid:"));
  g_assert_true (g_uuid_string_is_valid (id + strlen ("urn:uuid:")));
  g_assert_cmpint (id[strlen ("urn:uuid:") + 14], ==, '4');

  probe = ps_wsd_build_probe (id, PS_WSD_TYPES_NVT);
  doc = ps_xml_parse (probe, strlen (probe), &error);
  g_assert_no_error (error);
  root = xmlDocGetRootElement (doc);
  g_assert_cmpstr ((const char *) root->name, ==, "Envelope");
  g_assert_cmpstr ((const char *) root->ns->href, ==, NS_SOAP12);

  header = ps_xml_find_child (root, "Header");
  g_assert_nonnull (header);
  g_assert_cmpstr ((const char *) header->ns->href, ==, NS_SOAP12);
  for (const char *const *name = (const char *const[]) { "Action", "MessageID", "To", NULL };
       *name != NULL; name++)
    {
      xmlNode *node = ps_xml_find_child (header, *name);

      g_assert_nonnull (node);
      g_assert_cmpstr ((const char *) node->ns->href, ==, PS_WSD_NS_ADDRESSING);
    }
  action = ps_xml_text (ps_xml_find_child (header, "Action"));
  message_id = ps_xml_text (ps_xml_find_child (header, "MessageID"));
  to = ps_xml_text (ps_xml_find_child (header, "To"));
  g_assert_cmpstr (action, ==, "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe");
  g_assert_cmpstr (message_id, ==, id);
  g_assert_cmpstr (to, ==, "urn:schemas-xmlsoap-org:ws:2005:04:discovery");

  body = ps_xml_soap_body (doc, &error);
  g_assert_no_error (error);
  probe_node = ps_xml_find_child (body, "Probe");
  g_assert_nonnull (probe_node);
  g_assert_cmpstr ((const char *) probe_node->ns->href, ==, PS_WSD_NS_DISCOVERY);
  types_node = ps_xml_find_child (probe_node, "Types");
  g_assert_nonnull (types_node);
  g_assert_cmpstr ((const char *) types_node->ns->href, ==, PS_WSD_NS_DISCOVERY);
  types = ps_xml_text (types_node);
  g_assert_cmpstr (types, ==, "dn:NetworkVideoTransmitter");
  dn = xmlSearchNs (doc, types_node, (const xmlChar *) "dn");
  g_assert_nonnull (dn);
  g_assert_cmpstr ((const char *) dn->href, ==, "http://www.onvif.org/ver10/network/wsdl");

  /* our own probe, looped back, is recognised and yields nothing */
  list = ps_wsd_parse (probe, strlen (probe), &kind, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, PS_WSD_KIND_PROBE);
  g_assert_cmpuint (list->len, ==, 0);

  /* no Types: probe for everything; markup in the id is escaped */
  odd = ps_wsd_build_probe ("urn:uuid:<&>", NULL);
  g_clear_pointer (&doc, xmlFreeDoc);
  doc = ps_xml_parse (odd, strlen (odd), &error);
  g_assert_no_error (error);
  g_clear_pointer (&message_id, g_free);
  message_id = ps_xml_find_text (xmlDocGetRootElement (doc), "MessageID");
  g_assert_cmpstr (message_id, ==, "urn:uuid:<&>");
  g_assert_null (ps_xml_find (xmlDocGetRootElement (doc), "Types"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wsd-message/axis", test_axis);
  g_test_add_func ("/wsd-message/hikvision", test_hikvision);
  g_test_add_func ("/wsd-message/default-namespaces", test_default_namespaces);
  g_test_add_func ("/wsd-message/hello-bye", test_hello_bye);
  g_test_add_func ("/wsd-message/mac", test_mac);
  g_test_add_func ("/wsd-message/types", test_types);
  g_test_add_func ("/wsd-message/not-discovery", test_not_discovery);
  g_test_add_func ("/wsd-message/fault", test_fault);
  g_test_add_func ("/wsd-message/malformed", test_malformed);
  g_test_add_func ("/wsd-message/bad-scopes", test_bad_scopes);
  g_test_add_func ("/wsd-message/bad-xaddrs", test_bad_xaddrs);
  g_test_add_func ("/wsd-message/empty-fields", test_empty_fields);
  g_test_add_func ("/wsd-message/caps", test_caps);
  g_test_add_func ("/wsd-message/probe-roundtrip", test_probe_roundtrip);

  return g_test_run ();
}
