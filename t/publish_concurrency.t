# The publishing API under concurrent requests, two workers (two Redis
# connections): conditional writes let exactly one editor win, and
# writes and views of one article interleave without a lost count or a
# lost field, because each is one script in Redis.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

use JSON::PP ();
use IO::Socket::INET;

master_on();
workers(2);
worker_connections(1024);
no_shuffle();
no_long_string();

our $Store = NewsTest::start_redis();
$ENV{TEST_NGINX_PUBLISH_PORT} = $Store->{port};

our $JSON = JSON::PP->new->utf8->canonical;

sub ::r { NewsTest::redis_on($::Store, @_) }

# ::send_all([method, path, body, {headers}], ...): every request written
# on a connection of its own before any response is read; returns
# [status, body, etag] per request, in order.
sub ::send_all {
    my @reqs = @_;
    my $port = $ENV{TEST_NGINX_CLIENT_PORT} || $ENV{TEST_NGINX_SERVER_PORT}
               || $ENV{TEST_NGINX_PORT} || 1984;
    my @socks;
    for my $q (@reqs) {
        my ($method, $path, $body, $h) = @$q;
        $body = $::JSON->encode($body) if ref $body;
        my $s;
        for (1 .. 600) {
            $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                       Timeout => 10) and last;
            Time::HiRes::sleep(0.05);
        }
        die "connect to nginx on $port: $!" unless $s;
        my $req = "$method $path HTTP/1.1\r\nHost: localhost\r\n"
                  . "Connection: close\r\n";
        $req .= 'Content-Length: ' . length($body) . "\r\n" if defined $body;
        $req .= "$_: $h->{$_}\r\n" for sort keys %{ $h || {} };
        print $s $req . "\r\n" . ($body // '');
        push @socks, $s;
    }
    return map {
        local $/;
        my $raw = readline($_) // '';
        close $_;
        my ($head, $body) = split /\r\n\r\n/, $raw, 2;
        my ($status) = ($head // '') =~ m{^HTTP/1\.\d (\d{3})};
        my ($etag) = ($head // '') =~ m{^ETag: "([^"]*)"}mi;
        [$status // 0, $body // '', $etag];
    } @socks;
}

our $Config = <<'_EOC_';
    news_redis_pass 127.0.0.1:$TEST_NGINX_PUBLISH_PORT;

    location ~ ^/api/articles/(?<slug>[^/]+)$ {
        news_publish $slug;
    }
    location ~ ^/news/(?<slug>[a-z0-9-]+)$ {
        news_article news:article:$slug;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: 20 editors PUT with If-Match of the same revision at once: exactly one wins, 19 get 412
--- config eval: $::Config
--- init
::r('DEL', 'news:article:race');
my ($created) = ::send_all(['PUT', '/api/articles/race', { title => 'v0' }]);
Test::More::is($created->[0], 201, 'created');
my $rev = $created->[2];
my @r = ::send_all(map { ['PUT', '/api/articles/race', { title => "v$_" },
                          { 'If-Match' => qq{"$rev"} }] } 1 .. 20);
my @won = grep { $r[$_][0] == 200 } 0 .. $#r;
Test::More::is(scalar(@won), 1, 'one 200');
Test::More::is(scalar(grep { $_->[0] == 412 } @r), 19, 'nineteen 412');
my $winner = $won[0] + 1;
my $stored = ::r('HGET', 'news:article:race', 'title');
Test::More::is($stored, "v$winner", "the winner's title is stored");
Test::More::is(scalar(grep { $_->[0] == 412 && $_->[2] eq $r[$won[0]][2] }
                      @r), 19, "each 412 names the winner's revision");
--- request
GET /api/articles/race
--- response_body_like: "title":"v\d+"



=== TEST 2: PATCHes of 20 fields and 200 views of one article at once: counts exact, no field lost
--- config eval: $::Config
--- init
::r('DEL', 'news:article:busy');
::send_all(['PUT', '/api/articles/busy', { title => 'Busy' }]);
my @reqs = map { ['GET', '/news/busy'] } 1 .. 200;
for my $i (1 .. 20) {
    splice @reqs, $i * 10, 0,
        ['PATCH', '/api/articles/busy', { custom => { "f$i" => "v$i" } }];
}
my @r = ::send_all(@reqs);
my @views = map { $_->[1] =~ m{<span class="views">(\d+) Views?</span>}
                  ? $1 : () } @r;
Test::More::is(scalar(grep { $_->[0] == 200 } @r), 220, 'every one 200');
Test::More::is(scalar(@views), 200, '200 pages');
my %seen = map { $_ => 1 } @views;
Test::More::is_deeply([sort { $a <=> $b } keys %seen], [1 .. 200],
                      'counts 1 to 200, each once');
Test::More::is(::r('HGET', 'news:article:busy', 'views'), 200,
               'the counter is 200');
Test::More::is(scalar(grep { ::r('HGET', 'news:article:busy', "f$_") eq "v$_" }
                      1 .. 20), 20, 'all 20 fields are there');
my @revs = map { $_->[2] } grep { $_->[1] =~ /^\{/ } @r;
my %revs = map { $_ => 1 } @revs;
Test::More::is(scalar(keys %revs), 20, '20 writes, 20 revisions');
--- request
GET /news/busy
--- response_body_like: >201 Views<



=== TEST 3: PUTs that replace an article while it is being read keep every view
--- config eval: $::Config
--- init
::r('DEL', 'news:article:replaced');
::send_all(['PUT', '/api/articles/replaced', { title => 'Replaced' }]);
my @reqs = map { ['GET', '/news/replaced'] } 1 .. 100;
for my $i (1 .. 10) {
    splice @reqs, $i * 9, 0,
        ['PUT', '/api/articles/replaced', { title => "Replaced $i" }];
}
my @r = ::send_all(@reqs);
Test::More::is(scalar(grep { $_->[0] == 200 } @r), 110, 'every one 200');
Test::More::is(::r('HGET', 'news:article:replaced', 'views'), 100,
               'the counter is 100');
--- request
GET /news/replaced
--- response_body_like: >101 Views<
