#!/usr/bin/perl
# SPDX-License-Identifier: GPL-3.0-or-later
#
# make-test-mmdb.pl: writes the lab's GeoIP/ASN test database
#
#   make-test-mmdb.pl [--layout=lab|ipinfo|odd] OUTPUT.mmdb
#
# The default layout writes peerscope-lab.mmdb, a MaxMind DB laid out like
# GeoLite2-City with GeoLite2-ASN's two fields merged in:
#
#   country { iso_code, names { en } }   continent { code }
#   location { latitude, longitude }     (country centroids)
#   autonomous_system_number             autonomous_system_organization
#
# THIS TABLE IS A CONTRACT: tests are written against it ("198.51.100.11 is
# CN AS64500"). Add networks if you need more, but never change or remove a
# row. ASNs are documentation (RFC 5398) and private-use (RFC 6996) numbers.
#
#   network             cc  country         cont  ASN      organization
#   198.51.100.0/28     CN  China           AS    64500    Example Cloud Shenzhen
#   198.51.100.16/28    US  United States   NA    64501    Example Transit Ashburn
#   198.51.100.32/28    DE  Germany         EU    64502    Example Hosting Frankfurt
#   198.51.100.48/28    JP  Japan           AS    64503    Example Telecom Tokyo
#   198.51.100.64/28    SG  Singapore       AS    64504    Example Cloud Singapore
#   198.51.100.80/28    KR  South Korea     AS    64505    Example Broadband Seoul
#   198.51.100.96/28    NL  Netherlands     EU    64506    Example Exchange Amsterdam
#   198.51.100.112/28   FR  France          EU    64507    Example Telecom Paris
#   198.51.100.128/28   GB  United Kingdom  EU    64508    Example Networks London
#   198.51.100.144/28   BR  Brazil          SA    64509    Exemplo Internet São Paulo
#   198.51.100.160/28   IN  India           AS    64510    Example Mobile Mumbai
#   198.51.100.176/28   AU  Australia       OC    64511    Example Cloud Sydney
#   198.51.100.192/26   -- not in the database (an unknown internet host)
#   203.0.113.0/24      SE  Sweden          EU    64512    Exempel Bredband AB (remote home ISP)
#   192.0.2.0/24        US  United States   NA    64513    Example Vendor Cloud
#   2001:db8:1::/48     CN  China           AS    64500    Example Cloud Shenzhen
#   2001:db8:2::/48     US  United States   NA    64501    Example Transit Ashburn
#   2001:db8:3::/48     DE  Germany         EU    64502    Example Hosting Frankfurt
#   2001:db8:4::/48     JP  Japan           AS    64503    Example Telecom Tokyo
#   2001:db8:192::/48   US  United States   NA    64513    Example Vendor Cloud
#   2001:db8:203::/48   SE  Sweden          EU    64512    Exempel Bredband AB
#   rest of 2001:db8::/32 -- not in the database
#
# Coordinates (latitude, longitude) are the same per country everywhere:
# CN 35.0 105.0, US 37.751 -97.822, DE 51.2993 9.491, JP 36.0 138.0,
# SG 1.3667 103.8, KR 37.0 127.5, NL 52.3824 4.8995, FR 46.0 2.0,
# GB 54.0 -2.0, BR -10.0 -55.0, IN 20.0 77.0, AU -27.0 133.0, SE 62.0 15.0.
#
# Two more layouts exist only for tests/test-geoip.c:
#   --layout=ipinfo  IPinfo's free databases: 198.51.100.0/24 in the older
#                    country_asn.mmdb style (country "CH", country_name,
#                    continent, asn "AS65001", as_name) and 2001:db8::/32 in
#                    the IPinfo Lite style (country_code, country = name,
#                    continent_code, asn "AS65002"); no location.
#                    203.0.113.0/24 has strings a reader must clean up.
#   --layout=odd     198.51.100.0/24 with every field of the wrong type or
#                    out of range: a reader must find nothing and not crash.
#
# Needs MaxMind::DB::Writer (Debian: libmaxmind-db-writer-perl).

use strict;
use warnings;
use utf8;

use MaxMind::DB::Writer::Tree;

my %countries = (
  CN => [ 'China',          'AS', 35.0,     105.0 ],
  US => [ 'United States',  'NA', 37.751,   -97.822 ],
  DE => [ 'Germany',        'EU', 51.2993,  9.491 ],
  JP => [ 'Japan',          'AS', 36.0,     138.0 ],
  SG => [ 'Singapore',      'AS', 1.3667,   103.8 ],
  KR => [ 'South Korea',    'AS', 37.0,     127.5 ],
  NL => [ 'Netherlands',    'EU', 52.3824,  4.8995 ],
  FR => [ 'France',         'EU', 46.0,     2.0 ],
  GB => [ 'United Kingdom', 'EU', 54.0,     -2.0 ],
  BR => [ 'Brazil',         'SA', -10.0,    -55.0 ],
  IN => [ 'India',          'AS', 20.0,     77.0 ],
  AU => [ 'Australia',      'OC', -27.0,    133.0 ],
  SE => [ 'Sweden',         'EU', 62.0,     15.0 ],
);

my @lab = (
  [ '198.51.100.0/28',   'CN', 64500, 'Example Cloud Shenzhen' ],
  [ '198.51.100.16/28',  'US', 64501, 'Example Transit Ashburn' ],
  [ '198.51.100.32/28',  'DE', 64502, 'Example Hosting Frankfurt' ],
  [ '198.51.100.48/28',  'JP', 64503, 'Example Telecom Tokyo' ],
  [ '198.51.100.64/28',  'SG', 64504, 'Example Cloud Singapore' ],
  [ '198.51.100.80/28',  'KR', 64505, 'Example Broadband Seoul' ],
  [ '198.51.100.96/28',  'NL', 64506, 'Example Exchange Amsterdam' ],
  [ '198.51.100.112/28', 'FR', 64507, 'Example Telecom Paris' ],
  [ '198.51.100.128/28', 'GB', 64508, 'Example Networks London' ],
  [ '198.51.100.144/28', 'BR', 64509, 'Exemplo Internet São Paulo' ],
  [ '198.51.100.160/28', 'IN', 64510, 'Example Mobile Mumbai' ],
  [ '198.51.100.176/28', 'AU', 64511, 'Example Cloud Sydney' ],
  [ '203.0.113.0/24',    'SE', 64512, 'Exempel Bredband AB' ],
  [ '192.0.2.0/24',      'US', 64513, 'Example Vendor Cloud' ],
  [ '2001:db8:1::/48',   'CN', 64500, 'Example Cloud Shenzhen' ],
  [ '2001:db8:2::/48',   'US', 64501, 'Example Transit Ashburn' ],
  [ '2001:db8:3::/48',   'DE', 64502, 'Example Hosting Frankfurt' ],
  [ '2001:db8:4::/48',   'JP', 64503, 'Example Telecom Tokyo' ],
  [ '2001:db8:192::/48', 'US', 64513, 'Example Vendor Cloud' ],
  [ '2001:db8:203::/48', 'SE', 64512, 'Exempel Bredband AB' ],
);

my %layouts = (
  lab => {
    database_type => 'Peerscope-Lab-City',
    description   => 'Peerscope lab test data (documentation ranges only)',
    types         => {
      country                        => 'map',
      continent                      => 'map',
      location                       => 'map',
      names                          => 'map',
      iso_code                       => 'utf8_string',
      code                           => 'utf8_string',
      en                             => 'utf8_string',
      latitude                       => 'double',
      longitude                      => 'double',
      autonomous_system_number       => 'uint32',
      autonomous_system_organization => 'utf8_string',
    },
    networks => sub {
      map {
        my ($network, $cc, $asn, $org) = @$_;
        my ($name, $continent, $lat, $lon) = @{ $countries{$cc} };
        [ $network, {
            country   => { iso_code => $cc, names => { en => $name } },
            continent => { code => $continent },
            location  => { latitude => $lat, longitude => $lon },
            autonomous_system_number       => $asn,
            autonomous_system_organization => $org,
          } ]
      } @lab;
    },
  },
  ipinfo => {
    database_type => 'ipinfo country_asn.mmdb',
    description   => 'Peerscope test data in the layouts of IPinfo free databases',
    types         => {
      map { $_ => 'utf8_string' }
        qw(country country_name country_code continent continent_name
           continent_code asn as_name as_domain)
    },
    networks => sub {
      ( [ '198.51.100.0/24', {
            country => 'CH', country_name => 'Switzerland',
            continent => 'EU', continent_name => 'Europe',
            asn => 'AS65001', as_name => 'Example IPinfo Net', as_domain => 'example.net',
          } ],
        [ '2001:db8::/32', {
            country_code => 'CH', country => 'Switzerland',
            continent_code => 'EU', continent => 'Europe',
            asn => 'AS65002', as_name => 'Example IPinfo Lite', as_domain => 'example.org',
          } ],
        # strings a reader must clean: lower case codes, a bidi override,
        # a tab, a NUL and a 300-byte name of 2-byte characters
        [ '203.0.113.0/24', {
            country => 'se', country_name => "Swe\x{202E}den\tX\0hidden",
            continent => 'eu', asn => 'as64512', as_name => "\x{e9}" x 150,
          } ] );
    },
  },
  odd => {
    database_type => 'Peerscope-Odd',
    description   => 'Peerscope test data with fields of the wrong types',
    types         => {
      country                        => [ 'array', 'utf8_string' ],
      continent                      => 'uint32',
      location                       => 'map',
      latitude                       => 'double',
      longitude                      => 'double',
      country_code                   => 'utf8_string',
      country_name                   => 'uint32',
      autonomous_system_number       => 'utf8_string',
      autonomous_system_organization => 'map',
      en                             => 'utf8_string',
      asn                            => 'double',
      as_name                        => [ 'array', 'uint32' ],
    },
    networks => sub {
      ( [ '198.51.100.0/24', {
            country      => [ 'US', 'United States' ],
            continent    => 7,
            location     => { latitude => 123.0, longitude => -500.0 },
            country_code => 'U$',
            country_name => 42,
            autonomous_system_number       => 'AS99999999999',
            autonomous_system_organization => { en => 'not a string' },
            asn          => 64500.5,
            as_name      => [ 1, 2, 3 ],
          } ] );
    },
  },
);

my $layout = 'lab';
if (@ARGV && $ARGV[0] =~ /^--layout=(.*)$/) {
  $layout = $1;
  shift @ARGV;
}
die "usage: $0 [--layout=lab|ipinfo|odd] OUTPUT.mmdb\n"
  unless @ARGV == 1 && exists $layouts{$layout};
my $output = $ARGV[0];
my $spec = $layouts{$layout};

my $tree = MaxMind::DB::Writer::Tree->new(
  ip_version               => 6,
  record_size              => 24,
  database_type            => $spec->{database_type},
  languages                => ['en'],
  description              => { en => $spec->{description} },
  # the documentation ranges are reserved: keep them
  remove_reserved_networks => 0,
  map_key_type_callback    => sub {
    my $type = $spec->{types}{ $_[0] };
    die "make-test-mmdb.pl: no type for key '$_[0]'\n" unless defined $type;
    return $type;
  },
);

# the same bytes on every build
if ($tree->can('_set_build_epoch')) {
  $tree->_set_build_epoch($ENV{SOURCE_DATE_EPOCH} // 1704067200);
}

$tree->insert_network(@$_) for $spec->{networks}->();

my $tmp = "$output.tmp";
open my $fh, '>:raw', $tmp or die "make-test-mmdb.pl: $tmp: $!\n";
$tree->write_tree($fh);
close $fh or die "make-test-mmdb.pl: $tmp: $!\n";
rename $tmp, $output or die "make-test-mmdb.pl: $output: $!\n";
