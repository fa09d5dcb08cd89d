/**
 * The fake tool every bin dir holds under each tool name. It sends {host, tool, argv} to the sim
 * daemon's unix socket and replays what comes back: {"o": text} to stdout, {"e": text} to
 * stderr, {"x": code} to exit. Streaming tools just keep receiving lines; a closed socket ends the
 * process (exit 141 if no exit code came); SIGTERM ends it with 143, SIGINT with 130.
 *
 * Perl, not Node: an agent runs `xl list` after every domain event, and how long the stand-in
 * takes to start is part of every freshness figure. Perl with Socket starts in about a quarter of
 * Node's time, and perl-base (which has Socket and the utf8:: functions used here) is Essential
 * on Debian, so every Debian machine has it. The daemon's lines are JSON.stringify({o}), ({e}) or
 * ({x}) exactly, which is all this reads.
 */
export const CLIENT_SOURCE = String.raw`#!/usr/bin/perl
use strict;
use warnings;
use Socket qw(PF_UNIX SOCK_STREAM pack_sockaddr_un);

my $tool = $0;
$tool =~ s{.*/}{}s;
my $sock = $ENV{XENHERD_SIM_SOCKET};
my $host = $ENV{XENHERD_SIM_HOST};
if (!defined $sock || $sock eq '' || !defined $host || $host eq '') {
  print STDERR "$tool: XENHERD_SIM_SOCKET and XENHERD_SIM_HOST must be set (fleet simulator)\n";
  exit 127;
}
$SIG{TERM} = sub { exit 143 };
$SIG{INT} = sub { exit 130 };

# argv arrives as bytes; the daemon decodes the request as UTF-8, as Node decodes its own argv
sub json_string {
  my ($s) = @_;
  $s =~ s/(["\\])/\\$1/g;
  $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
  return "\"$s\"";
}
my %escaped = ('"' => '"', '\\' => '\\', '/' => '/', b => "\b", f => "\f", n => "\n", r => "\r", t => "\t");
sub unjson_string {
  my ($s) = @_;
  utf8::decode($s);
  $s =~ s/\\(?:u([0-9a-fA-F]{4})|(.))/defined $1 ? chr(hex $1) : $escaped{$2}/ges;
  # a surrogate pair is one character; a lone surrogate is written as U+FFFD, as Node writes it
  $s =~ s/([\x{D800}-\x{DBFF}])([\x{DC00}-\x{DFFF}])/chr(0x10000 + ((ord($1) - 0xD800) << 10) + (ord($2) - 0xDC00))/ge;
  $s =~ s/[\x{D800}-\x{DFFF}]/\x{FFFD}/g;
  utf8::encode($s);
  return $s;
}
sub write_all {
  my ($fh, $bytes) = @_;
  while (length $bytes) {
    my $n = syswrite($fh, $bytes);
    if (!defined $n) { next if $!{EINTR}; exit 74; }
    substr($bytes, 0, $n) = '';
  }
}

socket(my $c, PF_UNIX, SOCK_STREAM, 0) or do { print STDERR "$tool: fleet simulator unreachable: socket: $!\n"; exit 127 };
connect($c, pack_sockaddr_un($sock)) or do { print STDERR "$tool: fleet simulator unreachable: connect $sock: $!\n"; exit 127 };
write_all($c, '{"host":' . json_string($host) . ',"tool":' . json_string($tool) . ',"argv":[' . join(',', map { json_string($_) } @ARGV) . "]}\n");

my $code;
my $buf = '';
for (;;) {
  my $n = sysread($c, my $chunk, 65536);
  if (!defined $n) { next if $!{EINTR}; last; }
  last if $n == 0;
  $buf .= $chunk;
  while ((my $nl = index($buf, "\n")) >= 0) {
    my $line = substr($buf, 0, $nl);
    substr($buf, 0, $nl + 1) = '';
    if ($line =~ /\A\{"([oe])":"(.*)"\}\z/s) { write_all($1 eq 'o' ? \*STDOUT : \*STDERR, unjson_string($2)); }
    elsif ($line =~ /\A\{"x":(-?\d+)\}\z/) { $code = $1; }
    elsif ($line ne '') { print STDERR "$tool: the fleet simulator sent a line this stand-in does not know: " . substr($line, 0, 200) . "\n"; exit 70; }
  }
}
exit(defined $code ? $code & 255 : 141);
`;
