/* test-ssdp-message.c: SSDP searches, answers from real-world devices,
 * UPnP descriptions, and hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "ps-ssdp-message.h"
#include "ps-xml.h"

/* A Hikvision DS-2CD2143G0-I: CRLF, upper-case names, a Basic:1 ST. */
static const char hikvision[] =
  "HTTP/1.1 200 OK\r\n"
  "CACHE-CONTROL: max-age=7200\r\n"
  "DATE: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
  "EXT:\r\n"
  "LOCATION: http://192.168.1.64:49152/rootDesc.xml\r\n"
  "SERVER: Linux/3.10, UPnP/1.0, Portable SDK for UPnP devices/1.6.6\r\n"
  "ST: urn:schemas-upnp-org:device:Basic:1\r\n"
  "USN: uuid:d8a2c4e6-6e6f-11e5-8000-bcad28a1b2c3::urn:schemas-upnp-org:device:Basic:1\r\n"
  "\r\n";

/* A Dahua IPC-HDW2431T: bare LF, mixed-case names, HTTP/1.0 would also
 * do; no blank line at the end. */
static const char dahua[] =
  "HTTP/1.1 200 OK\n"
  "Cache-Control: max-age= 1800\n"
  "Location:http://10.0.0.108:49152/description.xml\n"
  "Server: Linux, UPnP/1.0, Dahua UPnP Stack/1.0\n"
  "St: upnp:rootdevice\n"
  "Usn: uuid:b0c36a1e-4d2f-4a3e-9a1c-3c7f0e6d5a2b::upnp:rootdevice\n"
  "Ext:\n";

/* A home router: not a camera. */
static const char router[] =
  "HTTP/1.1 200 OK\r\n"
  "CACHE-CONTROL: max-age=120\r\n"
  "ST: upnp:rootdevice\r\n"
  "USN: uuid:824ff22b-8c7d-41c5-a131-44f534e12555::upnp:rootdevice\r\n"
  "EXT:\r\n"
  "SERVER: AsusWRT/386 UPnP/1.1 MiniUPnPd/2.2.0\r\n"
  "LOCATION: http://192.168.1.1:56688/rootDesc.xml\r\n"
  "OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
  "01-NLS: 1\r\n"
  "BOOTID.UPNP.ORG: 1\r\n"
  "CONFIGID.UPNP.ORG: 1337\r\n"
  "\r\n";

static const char notify_alive[] =
  "NOTIFY * HTTP/1.1\r\n"
  "HOST: 239.255.255.250:1900\r\n"
  "CACHE-CONTROL: max-age=1800\r\n"
  "LOCATION: http://192.168.1.64:49152/rootDesc.xml\r\n"
  "NT: upnp:rootdevice\r\n"
  "NTS: ssdp:alive\r\n"
  "SERVER: Linux/3.10, UPnP/1.0, Portable SDK for UPnP devices/1.6.6\r\n"
  "USN: uuid:d8a2c4e6-6e6f-11e5-8000-bcad28a1b2c3::upnp:rootdevice\r\n"
  "\r\n";

static const char notify_byebye[] =
  "NOTIFY * HTTP/1.1\r\n"
  "HOST: 239.255.255.250:1900\r\n"
  "NT: upnp:rootdevice\r\n"
  "NTS: ssdp:byebye\r\n"
  "USN: uuid:d8a2c4e6-6e6f-11e5-8000-bcad28a1b2c3::upnp:rootdevice\r\n"
  "\r\n";

static const char hikvision_description[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<root xmlns=\"urn:schemas-upnp-org:device-1-0\">\n"
  "<specVersion><major>1</major><minor>0</minor></specVersion>\n"
  "<URLBase>http://192.168.1.64:49152</URLBase>\n"
  "<device>\n"
  "<deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>\n"
  "<friendlyName>Front door</friendlyName>\n"
  "<manufacturer>Hikvision</manufacturer>\n"
  "<manufacturerURL>http://www.hikvision.com</manufacturerURL>\n"
  "<modelDescription>Hikvision IP Camera</modelDescription>\n"
  "<modelName>DS-2CD2143G0-I</modelName>\n"
  "<modelNumber>DS-2CD2143G0-I</modelNumber>\n"
  "<serialNumber>DS-2CD2143G0-I20190101AAWRD12345678</serialNumber>\n"
  "<UDN>uuid:D8A2C4E6-6E6F-11E5-8000-BCAD28A1B2C3</UDN>\n"
  "<presentationURL>/</presentationURL>\n"
  "<serviceList></serviceList>\n"
  "</device>\n"
  "</root>\n";

/* Dahua: a u: prefix on every element, presentationURL absolute. */
static const char dahua_description[] =
  "<?xml version=\"1.0\"?>"
  "<u:root xmlns:u=\"urn:schemas-upnp-org:device-1-0\">"
  "<u:device>"
  "<u:deviceType>urn:schemas-upnp-org:device:Basic:1</u:deviceType>"
  "<u:friendlyName>  IPC-HDW2431T  </u:friendlyName>"
  "<u:manufacturer>Dahua</u:manufacturer>"
  "<u:modelName>IPC-HDW2431T-AS-S2</u:modelName>"
  "<u:UDN>uuid:b0c36a1e-4d2f-4a3e-9a1c-3c7f0e6d5a2b</u:UDN>"
  "<u:presentationURL>http://10.0.0.108:80/</u:presentationURL>"
  "</u:device></u:root>";

/* No namespace at all, a presentationURL on another host. */
static const char router_description[] =
  "<root><device>"
  "<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>"
  "<friendlyName>RT-AX58U</friendlyName>"
  "<manufacturer>ASUSTeK Computer Inc.</manufacturer>"
  "<modelName>RT-AX58U</modelName>"
  "<UDN>uuid:824ff22b-8c7d-41c5-a131-44f534e12555</UDN>"
  "<presentationURL>http://evil.example/</presentationURL>"
  "<deviceList><device><friendlyName>WANDevice</friendlyName></device></deviceList>"
  "</device></root>";

static PsSsdpMessage *
parse (const char  *text,
       const char  *from,
       GError     **error)
{
  return ps_ssdp_parse (text, strlen (text), from, error);
}

static void
test_search (void)
{
  g_autofree char *search = ps_ssdp_build_search (PS_SSDP_ST_ALL, 1);
  g_autofree char *clamped = ps_ssdp_build_search (PS_SSDP_ST_BASIC, 60);

  g_assert_true (g_str_has_prefix (search, "M-SEARCH * HTTP/1.1\r\n"));
  g_assert_nonnull (strstr (search, "\r\nHOST: 239.255.255.250:1900\r\n"));
  g_assert_nonnull (strstr (search, "\r\nMAN: \"ssdp:discover\"\r\n"));
  g_assert_nonnull (strstr (search, "\r\nMX: 1\r\n"));
  g_assert_nonnull (strstr (search, "\r\nST: ssdp:all\r\n"));
  g_assert_true (g_str_has_suffix (search, "\r\n\r\n"));
  g_assert_nonnull (strstr (clamped, "\r\nMX: 5\r\n"));
  g_assert_nonnull (strstr (clamped, "\r\nST: urn:schemas-upnp-org:device:Basic:1\r\n"));

  /* a search is neither a response nor a NOTIFY */
  g_assert_null (ps_ssdp_parse (search, strlen (search), "192.168.1.2", NULL));
}

static void
test_responses (void)
{
  g_autoptr(PsSsdpMessage) hik = NULL;
  g_autoptr(PsSsdpMessage) dh = NULL;
  g_autoptr(PsSsdpMessage) rt = NULL;
  g_autoptr(GError) error = NULL;

  hik = parse (hikvision, "192.168.1.64", &error);
  g_assert_no_error (error);
  g_assert_cmpint (hik->kind, ==, PS_SSDP_KIND_RESPONSE);
  g_assert_cmpstr (hik->location, ==, "http://192.168.1.64:49152/rootDesc.xml");
  g_assert_cmpstr (hik->st, ==, PS_SSDP_ST_BASIC);
  g_assert_true (g_str_has_prefix (hik->usn, "uuid:d8a2c4e6-"));
  g_assert_cmpstr (hik->server, ==,
                   "Linux/3.10, UPnP/1.0, Portable SDK for UPnP devices/1.6.6");

  dh = parse (dahua, "10.0.0.108", &error);
  g_assert_no_error (error);
  g_assert_cmpint (dh->kind, ==, PS_SSDP_KIND_RESPONSE);
  g_assert_cmpstr (dh->location, ==, "http://10.0.0.108:49152/description.xml");
  g_assert_cmpstr (dh->st, ==, PS_SSDP_ST_ROOT_DEVICE);

  rt = parse (router, "192.168.1.1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rt->location, ==, "http://192.168.1.1:56688/rootDesc.xml");
}

static void
test_notify (void)
{
  g_autoptr(PsSsdpMessage) alive = NULL;
  g_autoptr(PsSsdpMessage) bye = NULL;
  g_autoptr(PsSighting) sighting = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *update = NULL;

  alive = parse (notify_alive, "192.168.1.64", &error);
  g_assert_no_error (error);
  g_assert_cmpint (alive->kind, ==, PS_SSDP_KIND_ALIVE);
  g_assert_cmpstr (alive->st, ==, PS_SSDP_ST_ROOT_DEVICE);
  g_assert_nonnull (alive->location);

  bye = parse (notify_byebye, "192.168.1.64", &error);
  g_assert_no_error (error);
  g_assert_cmpint (bye->kind, ==, PS_SSDP_KIND_BYEBYE);
  g_assert_null (bye->location);
  sighting = ps_ssdp_to_sighting (bye, NULL);
  g_assert_cmpint (sighting->protocol, ==, PS_PROTOCOL_SSDP);
  g_assert_true (sighting->bye);

  /* ssdp:update and an M-SEARCH are not for us */
  update = g_strdup (notify_alive);
  memcpy (strstr (update, "ssdp:alive"), "ssdp:xxxxx", 10);
  g_assert_null (parse (update, "192.168.1.64", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

static void
test_location_pinned (void)
{
  static const char * const bad[] = {
    "http://192.168.1.65:49152/rootDesc.xml",       /* a neighbour */
    "http://camera.local:49152/rootDesc.xml",       /* a name */
    "https://192.168.1.64/rootDesc.xml",            /* not http */
    "file:///etc/passwd",
    "http://user:pw@192.168.1.64/rootDesc.xml",     /* credentials */
    "http://192.168.1.64@203.0.113.9/x.xml",        /* userinfo trick */
    "http://203.0.113.9/192.168.1.64",
    "//192.168.1.64/rootDesc.xml",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = g_strdup_printf ("HTTP/1.1 200 OK\r\nLOCATION: %s\r\n"
                                               "USN: uuid:1\r\n\r\n", bad[i]);
      g_autoptr(PsSsdpMessage) message = NULL;
      g_autoptr(GError) error = NULL;

      message = parse (text, "192.168.1.64", &error);
      g_assert_no_error (error);
      g_assert_null (message->location);
      g_assert_false (ps_ssdp_location_is_on (bad[i], "192.168.1.64"));
    }

  g_assert_true (ps_ssdp_location_is_on ("HTTP://192.168.1.64/d.xml", "192.168.1.64"));
  g_assert_true (ps_ssdp_location_is_on ("http://[fe80::1]:80/d.xml", "fe80::1"));
  g_assert_false (ps_ssdp_location_is_on ("http://192.168.1.64/d.xml", NULL));
  g_assert_false (ps_ssdp_location_is_on ("http://192.168.1.64/d.xml", "not an address"));

  /* the router's own LOCATION seen from another address is dropped; with
   * no USN either, the message is useless */
  {
    g_autoptr(PsSsdpMessage) rt = parse (router, "192.168.1.2", NULL);

    g_assert_nonnull (rt);
    g_assert_null (rt->location);
    g_assert_null (parse ("HTTP/1.1 200 OK\r\nLOCATION: http://10.1.1.1/\r\n\r\n",
                          "10.1.1.2", NULL));
  }
}

static void
test_descriptions (void)
{
  g_autoptr(PsSsdpDescription) hik = NULL;
  g_autoptr(PsSsdpDescription) dh = NULL;
  g_autoptr(PsSsdpDescription) rt = NULL;
  g_autoptr(PsSsdpMessage) message = NULL;
  g_autoptr(PsSighting) sighting = NULL;
  g_autoptr(GError) error = NULL;

  hik = ps_ssdp_parse_description (hikvision_description, strlen (hikvision_description),
                                   "http://192.168.1.64:49152/rootDesc.xml", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hik->friendly_name, ==, "Front door");
  g_assert_cmpstr (hik->manufacturer, ==, "Hikvision");
  g_assert_cmpstr (hik->model_name, ==, "DS-2CD2143G0-I");
  g_assert_cmpstr (hik->model_number, ==, "DS-2CD2143G0-I");
  g_assert_cmpstr (hik->serial_number, ==, "DS-2CD2143G0-I20190101AAWRD12345678");
  g_assert_cmpstr (hik->udn, ==, "uuid:D8A2C4E6-6E6F-11E5-8000-BCAD28A1B2C3");
  g_assert_cmpstr (hik->presentation_url, ==, "http://192.168.1.64:49152/");
  g_assert_true (ps_ssdp_description_is_camera (hik));

  message = parse (hikvision, "192.168.1.64", NULL);
  sighting = ps_ssdp_to_sighting (message, hik);
  g_assert_cmpint (sighting->protocol, ==, PS_PROTOCOL_SSDP);
  g_assert_cmpstr (sighting->name, ==, "Front door");
  g_assert_cmpstr (sighting->manufacturer, ==, "Hikvision");
  g_assert_cmpstr (sighting->model, ==, "DS-2CD2143G0-I");
  g_assert_cmpstr (sighting->endpoint, ==, "urn:uuid:d8a2c4e6-6e6f-11e5-8000-bcad28a1b2c3");
  g_assert_false (sighting->bye);
  g_assert_null (sighting->address);

  dh = ps_ssdp_parse_description (dahua_description, strlen (dahua_description),
                                  "http://10.0.0.108:49152/description.xml", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dh->friendly_name, ==, "IPC-HDW2431T");
  g_assert_cmpstr (dh->manufacturer, ==, "Dahua");
  g_assert_cmpstr (dh->presentation_url, ==, "http://10.0.0.108:80/");
  g_assert_true (ps_ssdp_description_is_camera (dh));

  rt = ps_ssdp_parse_description (router_description, strlen (router_description),
                                  "http://192.168.1.1:56688/rootDesc.xml", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rt->friendly_name, ==, "RT-AX58U");        /* not the embedded one */
  g_assert_null (rt->presentation_url);                       /* another host */
  g_assert_false (ps_ssdp_description_is_camera (rt));
}

static void
test_hostile_headers (void)
{
  static const char * const bad[] = {
    "",
    "HTTP/1.1 200",                                          /* no headers at all */
    "HTTP/1.1 404 Not Found\r\nUSN: uuid:1\r\n\r\n",
    "HTTP/1.1 2000 OK\r\nUSN: uuid:1\r\n\r\n",
    "GET / HTTP/1.1\r\nUSN: uuid:1\r\n\r\n",
    /* folding */
    "HTTP/1.1 200 OK\r\nUSN: uuid:1\r\n LOCATION: http://1.2.3.4/\r\n\r\n",
    "HTTP/1.1 200 OK\r\nUSN: uuid:1\r\n\tx\r\n\r\n",
    /* injection: a CR alone splits a header in two for some parsers */
    "HTTP/1.1 200 OK\r\nUSN: uuid:1\rLOCATION: http://1.2.3.4/\r\n\r\n",
    /* two LOCATIONs that disagree */
    "HTTP/1.1 200 OK\r\nLOCATION: http://1.2.3.4/a\r\nUSN: uuid:1\r\n"
    "Location: http://1.2.3.4/b\r\n\r\n",
    "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
    "HTTP/1.1 200 OK\r\nUS N: uuid:1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nUSN: uuid:1\r\n",                     /* truncated: no LOCATION is fine… */
  };

  for (guint i = 0; i + 1 < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (parse (bad[i], "1.2.3.4", &error));
      g_assert_nonnull (error);
    }
  {
    /* …but truncated is still a message, with what it has */
    g_autoptr(PsSsdpMessage) last = parse (bad[G_N_ELEMENTS (bad) - 1], "1.2.3.4", NULL);

    g_assert_nonnull (last);
    g_assert_cmpstr (last->usn, ==, "uuid:1");
  }

  /* a NUL inside */
  {
    static const char nul[] = "HTTP/1.1 200 OK\r\nUSN: uuid:1\0LOCATION: x\r\n\r\n";

    g_assert_null (ps_ssdp_parse (nul, sizeof nul - 1, "1.2.3.4", NULL));
  }

  /* repeated, but the same: fine */
  {
    g_autoptr(PsSsdpMessage) twice =
      parse ("HTTP/1.1 200 OK\r\nUSN: uuid:1\r\nusn: uuid:1\r\n\r\n", "1.2.3.4", NULL);

    g_assert_nonnull (twice);
  }

  /* truncated in the middle of the start line or a header */
  for (gsize cut = 1; cut < sizeof hikvision - 1; cut++)
    {
      g_autoptr(PsSsdpMessage) message = ps_ssdp_parse (hikvision, cut, "192.168.1.64", NULL);

      if (message != NULL && message->location != NULL)
        g_assert_true (g_str_has_prefix (message->location, "http://192.168.1.64"));
    }
}

static void
test_caps (void)
{
  g_autoptr(GString) big = g_string_new ("HTTP/1.1 200 OK\r\nUSN: uuid:1\r\n");
  g_autoptr(GString) many = g_string_new ("HTTP/1.1 200 OK\r\nUSN: uuid:1\r\n");
  g_autoptr(GString) sixty_four = g_string_new ("HTTP/1.1 200 OK\r\nUSN: uuid:1\r\n");
  g_autoptr(GString) long_value = g_string_new ("HTTP/1.1 200 OK\r\nUSN: uuid:1\r\nSERVER: ");
  g_autoptr(PsSsdpMessage) ok = NULL;
  g_autoptr(PsSsdpMessage) trimmed = NULL;
  g_autoptr(GError) error = NULL;

  while (big->len <= PS_SSDP_MAX_MESSAGE)
    g_string_append (big, "X-PAD: 0123456789012345678901234567890123456789\r\n");
  g_assert_null (ps_ssdp_parse (big->str, big->len, "1.2.3.4", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_clear_error (&error);

  for (guint i = 0; i < PS_SSDP_MAX_HEADERS; i++)
    g_string_append_printf (many, "X-%u: 1\r\n", i);
  g_assert_null (ps_ssdp_parse (many->str, many->len, "1.2.3.4", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  for (guint i = 1; i < PS_SSDP_MAX_HEADERS; i++)
    g_string_append_printf (sixty_four, "X-%u: 1\r\n", i);
  ok = ps_ssdp_parse (sixty_four->str, sixty_four->len, "1.2.3.4", NULL);
  g_assert_nonnull (ok);

  /* an over-long or unclean value is dropped, not the message */
  g_string_append (long_value, "");
  for (guint i = 0; i <= PS_SSDP_MAX_VALUE; i++)
    g_string_append_c (long_value, 'a');
  g_string_append (long_value, "\r\n\r\n");
  trimmed = ps_ssdp_parse (long_value->str, long_value->len, "1.2.3.4", NULL);
  g_assert_nonnull (trimmed);
  g_assert_null (trimmed->server);
  g_assert_cmpstr (trimmed->usn, ==, "uuid:1");
}

static void
test_invalid_utf8 (void)
{
  static const char headers[] =
    "HTTP/1.1 200 OK\r\nUSN: uuid:1\r\nSERVER: caf\xc3\x28 UPnP/1.0\r\n\r\n";
  static const char latin1[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<root><device><friendlyName>Caf\xe9</friendlyName>"
    "<manufacturer>Acme</manufacturer></device></root>";
  static const char control[] =
    "<root><device><friendlyName>a&#x1b;[31mred</friendlyName>"
    "<manufacturer>Acme</manufacturer></device></root>";
  g_autoptr(PsSsdpMessage) message = NULL;
  g_autoptr(PsSsdpDescription) description = NULL;

  message = parse (headers, "1.2.3.4", NULL);
  g_assert_nonnull (message);
  g_assert_null (message->server);

  /* libxml2 refuses the document, or we drop the field: never shown raw */
  description = ps_ssdp_parse_description (latin1, sizeof latin1 - 1, NULL, NULL);
  g_assert_true (description == NULL || description->friendly_name == NULL);
  g_clear_pointer (&description, ps_ssdp_description_free);

  /* terminal escapes through a character reference */
  description = ps_ssdp_parse_description (control, sizeof control - 1, NULL, NULL);
  g_assert_true (description == NULL || description->friendly_name == NULL);
}

static void
test_hostile_descriptions (void)
{
  static const char laughs[] =
    "<?xml version=\"1.0\"?>"
    "<!DOCTYPE root [<!ENTITY a \"ha\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>"
    "<root><device><friendlyName>&d;&d;&d;&d;</friendlyName></device></root>";
  static const char external[] =
    "<?xml version=\"1.0\"?>"
    "<!DOCTYPE root [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
    "<root><device><friendlyName>&xxe;</friendlyName></device></root>";
  static const char external_dtd[] =
    "<?xml version=\"1.0\"?>"
    "<!DOCTYPE root SYSTEM \"http://203.0.113.9/evil.dtd\">"
    "<root><device><friendlyName>x</friendlyName></device></root>";
  static const char not_upnp[] =
    "<html><device><friendlyName>x</friendlyName></device></html>";
  static const char no_device[] = "<root><specVersion/></root>";
  static const char bad_udn[] =
    "<root><device><friendlyName>x</friendlyName><UDN>urn:uuid:1 2</UDN></device></root>";
  g_autoptr(GString) big = g_string_new ("<root><device><friendlyName>x</friendlyName>");
  g_autoptr(PsSsdpDescription) udn = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (ps_ssdp_parse_description (laughs, sizeof laughs - 1, NULL, &error));
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (ps_ssdp_parse_description (external, sizeof external - 1, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (ps_ssdp_parse_description (external_dtd, sizeof external_dtd - 1, NULL,
                                            &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  while (big->len <= PS_SSDP_MAX_DESCRIPTION)
    g_string_append (big, "<serviceList><service><serviceType>x</serviceType></service>"
                          "</serviceList>");
  g_string_append (big, "</device></root>");
  g_assert_null (ps_ssdp_parse_description (big->str, big->len, NULL, &error));
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_TOO_LARGE);
  g_clear_error (&error);

  g_assert_null (ps_ssdp_parse_description (not_upnp, sizeof not_upnp - 1, NULL, &error));
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_MISSING);
  g_clear_error (&error);
  g_assert_null (ps_ssdp_parse_description (no_device, sizeof no_device - 1, NULL, &error));
  g_assert_error (error, PS_XML_ERROR, PS_XML_ERROR_MISSING);
  g_clear_error (&error);
  g_assert_null (ps_ssdp_parse_description ("<root", 5, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (ps_ssdp_parse_description (NULL, 0, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  udn = ps_ssdp_parse_description (bad_udn, sizeof bad_udn - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (udn->udn);
  g_assert_false (ps_ssdp_description_is_camera (udn));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ssdp-message/search", test_search);
  g_test_add_func ("/ssdp-message/responses", test_responses);
  g_test_add_func ("/ssdp-message/notify", test_notify);
  g_test_add_func ("/ssdp-message/location-pinned", test_location_pinned);
  g_test_add_func ("/ssdp-message/descriptions", test_descriptions);
  g_test_add_func ("/ssdp-message/hostile-headers", test_hostile_headers);
  g_test_add_func ("/ssdp-message/caps", test_caps);
  g_test_add_func ("/ssdp-message/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/ssdp-message/hostile-descriptions", test_hostile_descriptions);

  return g_test_run ();
}
