# Redis that reads but refuses writes: full (maxmemory, noeviction), or
# a replica.  Pages are still served from the fields, uncounted, and
# said once; beacons, which only count, are 503.  The mark of a unique
# view expires at the end of its UTC day.  See docs/operations.md.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

master_on();          # new workers for a new configuration: TEST 5
workers(1);
no_shuffle();
no_long_string();

# a private server: these tests fill it and make it a replica
our $Full = NewsTest::start_redis();
$ENV{TEST_NGINX_FULL_PORT} = $Full->{port};

sub ::full { NewsTest::redis_on($::Full, @_) }

our $Config = <<'_EOC_';
    news_redis_pass 127.0.0.1:$TEST_NGINX_FULL_PORT;
    add_header X-Skip $news_skip_reason always;
    location ~ ^/news/([a-z0-9-]+)$ {
        news_article news:article:$1;
    }
    location ~ ^/beacon/([a-z0-9-]+)$ {
        news_beacon news:article:$1;
    }
    location ~ ^/unique/([a-z0-9-]+)$ {
        news_views_unique 1d;
        news_article news:article:$1;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: Redis full: the page is served from the fields, not counted
--- init
::full('DEL', 'news:article:plain', 'news:article:kept');
::full('HSET', 'news:article:plain', 'title', 'Plain', 'views', '10');
::full('HSET', 'news:article:kept', 'title', 'Kept', 'views', '20',
       'rev', '1');
::full('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
::full('CONFIG', 'SET', 'maxmemory', '1');
--- config eval: $::Config
--- request
GET /news/plain
--- error_code: 200
--- response_headers
X-Skip: refused
--- response_body_like: <h1>Plain</h1>.*>10 Views<
--- error_log eval
qr{\[error\].*news: Redis refuses writes, views are not counted \(said once a minute\): Redis replied "OOM command not allowed}
--- no_error_log
news: 50



=== TEST 2: ... kept or not, every view is served; said once, not per view
--- init
my $mark = NewsTest::log_mark();
my @pages = map { [NewsTest::http_get($_)] }
            '/news/plain', '/news/kept', '/news/kept', '/news/plain';
Test::More::is(join(' ', map { $_->[0] } @pages), '200 200 200 200',
               'all served');
Test::More::like($pages[$_][2], qr{>(?:10|20) Views<}, "stored count $_")
    for 0 .. 3;
my @said = grep { /Redis refuses writes/ } NewsTest::log_since($mark);
Test::More::cmp_ok(scalar @said, '<=', 1,
                   'said at most once (once if nginx was restarted)');
--- config eval: $::Config
--- request
GET /news/kept
--- error_code: 200
--- response_headers
X-Skip: refused
--- response_body_like: <h1>Kept</h1>.*>20 Views<



=== TEST 3: ... a beacon is 503 with Retry-After, nothing written
--- config eval: $::Config
--- request
POST /beacon/plain
--- error_code: 503
--- response_headers
Retry-After: 60
Cache-Control: no-store
X-Skip: refused



=== TEST 4: ... and counting resumes, exactly, when Redis takes writes
--- init
::full('CONFIG', 'SET', 'maxmemory', '0');
Test::More::is(::full('HGET', 'news:article:plain', 'views'), '10',
               'nothing was counted while full');
Test::More::is(::full('HGET', 'news:article:kept', 'views'), '20',
               'nothing was counted while full (kept article)');
--- config eval: $::Config
--- request eval
["GET /news/plain", "GET /news/kept"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Skip: ", "X-Skip: "]
--- response_body_like eval
[qr{>11 Views<}, qr{>21 Views<}]



=== TEST 5: a replica (READONLY): pages from its data, not counted
--- init
my $master = NewsTest::free_port();     # nobody there: it stays stale
::full('REPLICAOF', '127.0.0.1', $master);
--- config eval
# another configuration, so new workers that have not said it yet
$::Config . "    location = /replica { return 204; }\n"
--- request
GET /news/plain
--- error_code: 200
--- response_headers
X-Skip: refused
--- response_body_like: >11 Views<
--- error_log eval
qr{news: Redis refuses writes, views are not counted \(said once a minute\): Redis replied "READONLY }



=== TEST 6: ... and writes again once it is a primary
--- init
::full('REPLICAOF', 'NO', 'ONE');
Test::More::is(::full('HGET', 'news:article:plain', 'views'), '11',
               'nothing was counted on the replica');
--- config eval: $::Config
--- request
GET /news/plain
--- response_body_like: >12 Views<



=== TEST 7: a visitor's mark expires at 00:00 UTC, if that comes first
--- init
::full('DEL', 'news:article:plain:seen:*');
--- config eval: $::Config
--- request
GET /unique/plain
--- response_body_like: >13 Views<
--- response_body_filters eval
sub {
    my ($mark) = grep { /:seen:/ } split /\n/,
        ::full('KEYS', 'news:article:plain:seen:*');
    my $ttl = ::full('TTL', $mark);
    my $left = 86400 - time() % 86400;
    # Redis rounds TTL to the nearest second: one more is still in time
    return ($ttl > 0 && $ttl <= $left + 1 && $ttl >= $left - 5)
           ? "mark ttl ok\n" : "mark ttl $ttl, $left s to midnight\n";
}
--- response_body
mark ttl ok
