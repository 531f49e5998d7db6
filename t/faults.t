# Faults: a Redis that is down when nginx starts, killed under load,
# restarted without its scripts, paused, loading its data; clients that
# leave while their command is in flight; a very large reply; reload and
# graceful quit with requests in flight.  See docs/operations.md.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

master_on();          # a crashed worker shows as "exited on signal"
workers(1);           # one worker, so one Redis connection per target
worker_connections(1024);
no_shuffle();
no_long_string();

# private servers, one per scenario: these tests stop, pause, restart them
our $Down = NewsTest::start_redis();
NewsTest::kill_redis($Down);            # nginx starts while it is down
our $Durable = NewsTest::start_redis('--appendonly', 'yes',
                                     '--appendfsync', 'always');
our $Fresh = NewsTest::start_redis();
our $Behind = NewsTest::start_redis();
our $BehindProxy = NewsTest::start_proxy($Behind->{port});
our $Stalled = NewsTest::start_redis();
our $Hold = NewsTest::start_redis();
our $Loader = NewsTest::start_redis();
our $LoaderB = NewsTest::start_redis();
our $LoaderProxy = NewsTest::start_proxy($LoaderB->{port});
our $Plain = NewsTest::start_redis();
our $Strict = NewsTest::start_redis();
our $NoScript = NewsTest::start_redis('--rename-command', 'SCRIPT', '');
our $NoSha = NewsTest::start_redis('--rename-command', 'EVALSHA', '');

$ENV{TEST_NGINX_DOWN_PORT} = $Down->{port};
$ENV{TEST_NGINX_DURABLE_PORT} = $Durable->{port};
$ENV{TEST_NGINX_FRESH_PORT} = $Fresh->{port};
$ENV{TEST_NGINX_BEHIND_PROXY_PORT} = $BehindProxy->{port};
$ENV{TEST_NGINX_STALLED_PORT} = $Stalled->{port};
$ENV{TEST_NGINX_HOLD_PORT} = $Hold->{port};
$ENV{TEST_NGINX_LOADER_PORT} = $Loader->{port};
$ENV{TEST_NGINX_LOADER_PROXY_PORT} = $LoaderProxy->{port};
$ENV{TEST_NGINX_PLAIN_PORT} = $Plain->{port};
$ENV{TEST_NGINX_STRICT_PORT} = $Strict->{port};
$ENV{TEST_NGINX_NOSCRIPT_PORT} = $NoScript->{port};
$ENV{TEST_NGINX_NOSHA_PORT} = $NoSha->{port};

# a host that never completes a connect: a listener that never accepts,
# its queue full, so that the kernel drops further SYNs
our $Blackhole = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                       Listen => 1, ReuseAddr => 1)
    or die "blackhole: $!";
our @Filling = map {
    IO::Socket::INET->new(PeerAddr => '127.0.0.1', Blocking => 0,
                          PeerPort => $Blackhole->sockport)
} 1 .. 4;
$ENV{TEST_NGINX_BLACKHOLE_PORT} = $Blackhole->sockport;

# the slow loads: 3000 keys at 1 ms each, about 3 s of -LOADING
NewsTest::fill_redis($_, 3000) for $Loader, $LoaderB;

# how many of @r have each status, as "200:12 503:3"
sub ::statuses {
    my %n;
    $n{ ref $_ eq 'HASH' ? $_->{status} : $_->[0] }++ for @_;
    return join ' ', map { "$_:$n{$_}" } sort keys %n;
}

run_tests();

__DATA__

=== TEST 1: nginx started while Redis is down: 503 with Retry-After, then 200 within 2 s of Redis, no reload
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_DOWN_PORT;
        news_article news:article:$1;
    }
--- init
my ($status, $h) = NewsTest::http_get('/news/late-edition');
Test::More::is($status, 503, 'first request: 503');
Test::More::is($h->{'retry-after'}, 1, 'with Retry-After: 1');
my @workers = NewsTest::worker_pids();

# 2.5 s down: the reconnect backoff reaches its 1 s cap
my (@r, $max) = ();
my $t0 = Time::HiRes::time();
while (Time::HiRes::time() - $t0 < 2.5) {
    my ($s, $h, $b, $took) = NewsTest::timed_get('/news/late-edition');
    push @r, [$s, $h->{'retry-after'} // ''];
    $max = $took if !defined $max || $took > $max;
    Time::HiRes::sleep(0.05);
}
Test::More::is(scalar(grep { $_->[0] != 503 || $_->[1] ne '1' } @r), 0,
               'while down: every answer 503 with Retry-After: 1')
    or Test::More::diag(::statuses(@r));
Test::More::cmp_ok($max, '<', 0.2, 'answered at once, not held');

NewsTest::restart_redis($::Down);
NewsTest::redis_on($::Down, 'HSET', 'news:article:late-edition',
                   title => 'Late edition');
my $up = Time::HiRes::time();
($status) = NewsTest::http_get('/news/late-edition');
while ($status != 200 && Time::HiRes::time() - $up < 5) {
    Time::HiRes::sleep(0.02);
    ($status) = NewsTest::http_get('/news/late-edition');
}
my $back = Time::HiRes::time() - $up;
Test::More::is($status, 200, 'served once Redis is up');
Test::More::cmp_ok($back, '<', 2, 'within 2 s of Redis coming up');
Test::More::note(sprintf 'first 200 %.3f s after Redis came up', $back);
Test::More::is("@{[NewsTest::worker_pids()]}", "@workers",
               'the same worker: no reload, no respawn');
--- request
GET /news/late-edition
--- response_body_like: <h1>Late edition</h1>
--- error_log
(111: Connection refused) while connecting to Redis
news redis connection failed
news: 503 for article "news:article:late-edition": Redis is unavailable, reconnecting
news redis connection is ready
--- no_error_log
exited on signal
[alert]
[crit]



=== TEST 2: Redis SIGKILLed under load and restarted: no crash, no hang, no acknowledged view lost
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_DURABLE_PORT;
        news_redis_timeout 1s;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Durable, 'HSET', 'news:article:ledger',
                   title => 'Ledger', views => 1000);
my ($status) = NewsTest::http_get('/news/ledger');
Test::More::is($status, 200, 'served before the load');
my @workers = NewsTest::worker_pids();
my $before = NewsTest::redis_on($::Durable, 'HGET', 'news:article:ledger',
                                'views');

my $load = NewsTest::start_load('/news/ledger', seconds => 3,
                                concurrency => 10);
Time::HiRes::sleep(1);
my $killed = Time::HiRes::time();
NewsTest::kill_redis($::Durable);
Time::HiRes::sleep(0.5);
NewsTest::restart_redis($::Durable);       # same dir: the AOF is replayed
my $restarted = Time::HiRes::time();
my @r = NewsTest::finish_load($load);
my $after = NewsTest::redis_on($::Durable, 'HGET', 'news:article:ledger',
                               'views');

my @ok = grep { $_->{status} == 200 } @r;
my @failed = grep { $_->{status} >= 500 } @r;
my ($max) = sort { $b <=> $a } map { $_->{latency} } @r;
my ($back) = sort { $a <=> $b } map { $_->{end} }
             grep { $_->{start} > $restarted } @ok;
my @outage = grep { $_->{end} >= $killed && $_->{start} <= ($back // 9e9) } @r;
my ($max_outage) = sort { $b <=> $a } map { $_->{latency} } @outage;
Test::More::note(sprintf 'load: %d requests (%s), max latency %.3f s; '
    . 'outage %.3f s: %d requests (%s), max latency %.3f s; counter %d -> %d',
    scalar @r, ::statuses(@r), $max, ($back // 0) - $killed, scalar @outage,
    ::statuses(@outage), $max_outage // 0, $before, $after);

Test::More::is(scalar(grep { $_->{status} != 200 && $_->{status} != 503
                             && $_->{status} != 504 } @r),
               0, 'every answer 200, 503 or 504: none lost or hung')
    or Test::More::diag(::statuses(@r));
Test::More::ok(scalar(grep { $_->{end} < $killed } @ok), '200s before the kill');
Test::More::ok(scalar(@failed), '5xx during the outage');
Test::More::ok(scalar(grep { $_->{start} > $restarted } @ok),
               '200s after the restart');
Test::More::cmp_ok(scalar(@outage), '>', 0, 'requests during the outage');
Test::More::cmp_ok($max, '<', 1.25,
                   'no request took longer than news_redis_timeout');
Test::More::cmp_ok($after - $before, '>=', scalar @ok,
                   'every acknowledged view survived the kill');
Test::More::cmp_ok($after - $before, '<=', @ok + @failed,
                   'no view counted that no request sent');
my %shown;
$shown{ $_->{views} }++ for @ok;
Test::More::is(scalar(grep { $shown{$_} > 1 } keys %shown), 0,
               'no count was shown twice');
Test::More::is("@{[NewsTest::worker_pids()]}", "@workers",
               'the same worker throughout');
--- request
GET /news/ledger
--- error_code: 200
--- error_log
news redis connection failed
news redis connection is ready
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 10



=== TEST 3: Redis restarted with an empty script cache: the new connection loads the script, no request fails
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_FRESH_PORT;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Fresh, 'HSET', 'news:article:fresh', title => 'Fresh');
my ($status) = NewsTest::http_get('/news/fresh');
Test::More::is($status, 200, 'served before the restart');

NewsTest::restart_redis($::Fresh);         # SIGKILL; no scripts, no data
NewsTest::redis_on($::Fresh, 'HSET', 'news:article:fresh', title => 'Fresh');
Test::More::is(NewsTest::redis_on($::Fresh, 'SCRIPT', 'EXISTS',
                   NewsTest::redis_on($::Fresh, 'SCRIPT', 'LOAD', 'return 1')),
               1, 'a script can be loaded');
NewsTest::redis_on($::Fresh, 'SCRIPT', 'FLUSH');

my $t0 = Time::HiRes::time();
($status) = NewsTest::http_get('/news/fresh');
while ($status != 200 && Time::HiRes::time() - $t0 < 3) {
    Time::HiRes::sleep(0.02);
    ($status) = NewsTest::http_get('/news/fresh');
}
Test::More::is($status, 200, 'served again');
my @r = NewsTest::concurrent_get('/news/fresh', 50);
Test::More::is(scalar(grep { $_->[0] == 200 } @r), 50,
               'once back, no request fails')
    or Test::More::diag(::statuses(@r));
my $stats = NewsTest::redis_on($::Fresh, 'INFO', 'errorstats');
Test::More::unlike($stats, qr/errorstat_NOSCRIPT/,
                   'the script was loaded before any request used it');
--- request
GET /news/fresh
--- error_code: 200
--- response_body_like: >52 Views<
--- no_error_log
exited on signal
news: 502



=== TEST 4: Redis restarted behind a TCP proxy, nginx's connection kept: NOSCRIPT is retried as EVAL, no request fails
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_BEHIND_PROXY_PORT;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Behind, 'HSET', 'news:article:relay', title => 'Relay');
my ($status) = NewsTest::http_get('/news/relay');
Test::More::is($status, 200, 'served through the proxy');

NewsTest::restart_redis($::Behind);    # the proxy keeps nginx's side open
NewsTest::redis_on($::Behind, 'HSET', 'news:article:relay', title => 'Relay');
Time::HiRes::sleep(0.1);

my @r = NewsTest::concurrent_get('/news/relay', 20);
Test::More::is(scalar(grep { $_->[0] == 200 } @r), 20,
               '20 pipelined requests after the restart: all 200')
    or Test::More::diag(::statuses(@r));
Test::More::is_deeply([sort { $a <=> $b }
                       map { NewsTest::shown_views($_->[2]) // 0 } @r],
                      [1 .. 20], 'each counted once');
my $stats = NewsTest::redis_on($::Behind, 'INFO', 'errorstats');
Test::More::like($stats, qr/errorstat_NOSCRIPT:count=\d+/,
                 'Redis answered NOSCRIPT: the cache was empty');
--- request
GET /news/relay
--- response_body_like: >21 Views<
--- error_log
news redis lost its script cache, sending EVAL
--- no_error_log
[error]
exited on signal



=== TEST 5: Redis paused past news_redis_timeout: 504 at the deadline, then 200s after the pause
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_STALLED_PORT;
        news_redis_timeout 500ms;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Stalled, 'HSET', 'news:article:stalled',
                   title => 'Stalled');
my ($status) = NewsTest::http_get('/news/stalled');
Test::More::is($status, 200, 'served before the pause');

my $t0 = Time::HiRes::time();
NewsTest::redis_on($::Stalled, 'CLIENT', 'PAUSE', 3000);
my ($s, $h, $b, $took) = NewsTest::timed_get('/news/stalled');
Test::More::is($s, 504, '504 while Redis is paused');
Test::More::cmp_ok($took, '>=', 0.45, 'not before the deadline');
Test::More::cmp_ok($took, '<', 0.8, 'at about the deadline');
Test::More::note(sprintf 'first 504 after %.3f s', $took);

# the rest of the pause: reconnects time out too; nothing waits longer
my (@r, $max) = ();
while (Time::HiRes::time() - $t0 < 2.7) {
    my ($s, $h, $b, $took) = NewsTest::timed_get('/news/stalled');
    push @r, [$s];
    $max = $took if !defined $max || $took > $max;
}
Test::More::is(scalar(grep { $_->[0] != 503 && $_->[0] != 504 } @r), 0,
               'during the pause: only 503 and 504')
    or Test::More::diag(::statuses(@r));
Test::More::cmp_ok($max, '<', 0.8, 'none waited past the deadline');
Test::More::note(sprintf 'during the pause: %s, max %.3f s',
                 ::statuses(@r), $max);

Time::HiRes::sleep(0.01) while Time::HiRes::time() - $t0 < 3;
my $end = Time::HiRes::time();
($status) = NewsTest::http_get('/news/stalled');
while ($status != 200 && Time::HiRes::time() - $end < 5) {
    Time::HiRes::sleep(0.02);
    ($status) = NewsTest::http_get('/news/stalled');
}
Test::More::is($status, 200, '200 again after the pause');
Test::More::cmp_ok(Time::HiRes::time() - $end, '<', 2,
                   'within 2 s of its end');
Test::More::note(sprintf 'first 200 %.3f s after the pause',
                 Time::HiRes::time() - $end);
Test::More::is(NewsTest::redis_on($::Stalled, 'HGET', 'news:article:stalled',
                                  'views'),
               2, 'the views given up with the connection were not counted');
--- request
GET /news/stalled
--- response_body_like: >3 Views<
--- error_log
news: 504 for article "news:article:stalled"
news redis connection failed: Redis did not answer in time
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 10



=== TEST 6: 200 clients leave while their commands are in flight: all 200 views counted, no crash
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_HOLD_PORT;
        news_redis_timeout 5s;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Hold, 'HSET', 'news:article:walkout',
                   title => 'Walkout');
my ($status) = NewsTest::http_get('/news/walkout');
Test::More::is($status, 200, 'served: the connection is ready');
my $mark = NewsTest::log_mark();

# paused for writes, Redis holds the views and still answers CLIENT LIST
my $t0 = Time::HiRes::time();
NewsTest::redis_on($::Hold, 'CLIENT', 'PAUSE', 2000, 'WRITE');
my @socks = NewsTest::open_gets('/news/walkout', 200);
Test::More::ok(NewsTest::wait_views_queued($::Hold, 200,
                                           'news:article:walkout', 1.5),
               'all 200 commands are at Redis, waiting');
close $_ for @socks;
Test::More::cmp_ok(Time::HiRes::time() - $t0, '<', 1.8,
                   'the clients left while Redis was paused');

NewsTest::redis_on($::Hold, 'PING');        # returns when the pause ends
my ($views, $t1) = (0, Time::HiRes::time());
while (Time::HiRes::time() - $t1 < 2) {
    $views = NewsTest::redis_on($::Hold, 'HGET', 'news:article:walkout',
                                'views');
    last if $views >= 201;
    Time::HiRes::sleep(0.02);
}
Time::HiRes::sleep(0.2);
$views = NewsTest::redis_on($::Hold, 'HGET', 'news:article:walkout', 'views');
Test::More::is($views, 201, 'the 200 views were all counted');
my @left = grep { /client prematurely closed connection/ }
           NewsTest::log_since($mark);
Test::More::is(scalar(@left), 200, 'nginx saw each client leave');
--- request
GET /news/walkout
--- response_body_like: >202 Views<
--- no_error_log
exited on signal
[error]
--- timeout: 10



=== TEST 7: clients that leave while their commands wait for the connection setup: none sent, none counted
--- config
    location ~ ^/trip/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_HOLD_PORT;
        news_redis_timeout 300ms;
        news_views off;
        news_article news:article:$1;
    }
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_HOLD_PORT;
        news_redis_timeout 1s;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Hold, 'HSET', 'news:article:setup-wait',
                   title => 'Setup wait');
my ($status) = NewsTest::http_get('/news/setup-wait');
Test::More::is($status, 200, 'served: one view');
NewsTest::redis_on($::Hold, 'CONFIG', 'RESETSTAT');

# a connection that Redis leaves silent for its longest timeout (1 s)
# is reopened; the new one's SCRIPT LOAD waits behind the pause, so
# requests that come then are held
my $t0 = Time::HiRes::time();
NewsTest::redis_on($::Hold, 'CLIENT', 'PAUSE', 3000);
($status) = NewsTest::http_get('/trip/setup-wait');
Test::More::is($status, 504, 'the request gave up at its deadline');
Time::HiRes::sleep(0.01) while Time::HiRes::time() - $t0 < 1.2;
my @socks = NewsTest::open_gets('/news/setup-wait', 50);
Time::HiRes::sleep(0.3);
close $_ for @socks;
Test::More::cmp_ok(Time::HiRes::time() - $t0, '<', 2.5,
                   'the clients left during the setup');

NewsTest::redis_on($::Hold, 'PING');        # returns when the pause ends
Time::HiRes::sleep(0.3);
Test::More::is(NewsTest::redis_on($::Hold, 'HGET', 'news:article:setup-wait',
                                  'views'),
               1, 'none of the 50 was counted');
my ($calls) = NewsTest::redis_on($::Hold, 'INFO', 'commandstats')
              =~ /cmdstat_evalsha:calls=(\d+)/;
Test::More::is($calls // 0, 0, 'none of them reached Redis');
--- request
GET /news/setup-wait
--- response_body_like: >2 Views<
--- error_log
news redis connection is ready
--- no_error_log
exited on signal
--- timeout: 10



=== TEST 8: a Redis loading its data (-LOADING) on connection setup: 503 with Retry-After, one log line each, then 200
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_LOADER_PORT;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Loader, 'HSET', 'news:article:archive',
                   title => 'Archive', views => 40);
my ($status) = NewsTest::http_get('/news/archive');
Test::More::is($status, 200, 'served before the restart');
NewsTest::redis_on($::Loader, 'SAVE');
NewsTest::restart_redis_loading($::Loader, 1000);
my $mark = NewsTest::log_mark();

my (@r, $max) = ();
while (NewsTest::redis_loading($::Loader)) {
    my ($s, $h, $b, $took) = NewsTest::timed_get('/news/archive');
    push @r, [$s, $h->{'retry-after'} // ''];
    $max = $took if !defined $max || $took > $max;
    Time::HiRes::sleep(0.1);
}
Test::More::cmp_ok(scalar(@r), '>=', 5, 'requests while Redis loads');
Test::More::is(scalar(grep { $_->[0] != 503 || $_->[1] ne '1' } @r), 0,
               'every one 503 with Retry-After: 1')
    or Test::More::diag(::statuses(@r));
Test::More::cmp_ok($max // 0, '<', 0.5, 'answered without waiting');
my @lines = NewsTest::log_since($mark);
Test::More::is(scalar(grep { /\[error\].*news: 503 for article "news:article:archive"/ }
                      @lines),
               scalar(@r), 'one error line per 503');
Test::More::ok(scalar(grep { /Redis rejected the connection setup: LOADING/ }
                      @lines), 'the reason: LOADING');

my $t0 = Time::HiRes::time();
($status) = NewsTest::http_get('/news/archive');
while ($status != 200 && Time::HiRes::time() - $t0 < 5) {
    Time::HiRes::sleep(0.02);
    ($status) = NewsTest::http_get('/news/archive');
}
Test::More::is($status, 200, 'served once loaded');
Test::More::cmp_ok(Time::HiRes::time() - $t0, '<', 2, 'within 2 s');
--- request
GET /news/archive
--- response_body_like: >43 Views<
--- error_log
news redis connection failed: Redis rejected the connection setup: LOADING Redis is loading the dataset in memory
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 15



=== TEST 9: -LOADING as the reply to a request on a working connection: 503, one log line each, then 200
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_LOADER_PROXY_PORT;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::LoaderB, 'HSET', 'news:article:annex',
                   title => 'Annex', views => 70);
my ($status) = NewsTest::http_get('/news/annex');
Test::More::is($status, 200, 'served through the proxy');
NewsTest::redis_on($::LoaderB, 'SAVE');
NewsTest::restart_redis_loading($::LoaderB, 1000);
my $mark = NewsTest::log_mark();

# a 200 is right only when the load ended between the check and the
# request (a busy machine); that request is then the first served
my (@r, $served);
while (NewsTest::redis_loading($::LoaderB)) {
    my ($s, $h) = NewsTest::http_get('/news/annex');
    if ($s == 200 && !NewsTest::redis_loading($::LoaderB)) {
        $served = 1;
        last;
    }
    push @r, [$s, $h->{'retry-after'} // ''];
    Time::HiRes::sleep(0.1);
}
Test::More::cmp_ok(scalar(@r), '>=', 5, 'requests while Redis loads');
Test::More::is(scalar(grep { $_->[0] != 503 || $_->[1] ne '1' } @r), 0,
               'every one 503 with Retry-After: 1')
    or Test::More::diag(::statuses(@r));
my @lines = grep { /\[error\]/ } NewsTest::log_since($mark);
Test::More::is(scalar(@lines), scalar(@r), 'one error line per 503');
Test::More::is(scalar(grep { /news: 503 for article "news:article:annex": Redis replied "LOADING Redis is loading the dataset in memory"/ }
                      @lines),
               scalar(@r), 'each naming the article and the reply');

my $t0 = Time::HiRes::time();
($status) = $served ? (200) : NewsTest::http_get('/news/annex');
while ($status != 200 && Time::HiRes::time() - $t0 < 5) {
    Time::HiRes::sleep(0.02);
    ($status) = NewsTest::http_get('/news/annex');
}
Test::More::is($status, 200, 'served once loaded');
--- request
GET /news/annex
--- response_body_like: >73 Views<
--- no_error_log
exited on signal
news redis connection failed
--- timeout: 15



=== TEST 10: a 5 MiB reply arrives whole, also pipelined with other replies
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_PLAIN_PORT;
        news_redis_timeout 5s;
        news_article news:article:$1;
    }
--- init
my $body = join('', map { sprintf '%07d,', $_ } 1 .. 655360) . 'Z';
Test::More::is(length($body), 5 * 1024 * 1024 + 1, 'a 5 MiB body field');
NewsTest::redis_on($::Plain, 'HSET', 'news:article:tome', title => 'Tome',
                   body => $body);
NewsTest::redis_on($::Plain, 'HSET', 'news:article:leaflet',
                   title => 'Leaflet', body => 'Short.');

my ($status, $h, $page) = NewsTest::http_get('/news/tome');
Test::More::is($status, 200, 'served');
Test::More::is($h->{'content-length'}, length($page), 'Content-Length kept');
my ($p) = $page =~ m{<p>([^<]*)</p>};
Test::More::ok(defined $p && $p eq $body, 'the body, byte for byte');

# big and small replies interleaved on the one connection
my @socks = map { NewsTest::open_gets($_ % 2 ? '/news/tome' : '/news/leaflet', 1) }
            1 .. 8;
my @r = NewsTest::read_responses(@socks);
my $right = 0;
for my $i (0 .. $#r) {
    my $big = ($i + 1) % 2;
    my ($p) = $r[$i][2] =~ m{<p>([^<]*)</p>};
    $right++ if $r[$i][0] == 200 && defined $p
                && $p eq ($big ? $body : 'Short.');
}
Test::More::is($right, 8, 'each of 8 pipelined replies went to its request');
--- request
GET /news/tome
--- response_body_filters eval
sub { $_[0] =~ m{<h1>Tome</h1>.*<p>0000001,0000002,[0-9,]*,0655359,0655360,Z</p>}s
      ? "whole\n" : "broken\n" }
--- response_body
whole
--- no_error_log
[error]
exited on signal
--- timeout: 20



=== TEST 11: reload (HUP) with requests in flight: each gets its 200, the old worker exits right after
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_HOLD_PORT;
        news_redis_timeout 5s;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Hold, 'HSET', 'news:article:reload', title => 'Reload');
my ($status) = NewsTest::http_get('/news/reload');
Test::More::is($status, 200, 'served');
my @old = NewsTest::worker_pids();
Test::More::is(scalar(@old), 1, 'one worker');

NewsTest::redis_on($::Hold, 'CLIENT', 'PAUSE', 1000, 'WRITE');
my @socks = NewsTest::open_gets('/news/reload', 20);
Test::More::ok(NewsTest::wait_views_queued($::Hold, 20,
                                           'news:article:reload', 0.8),
               '20 requests in flight');
kill 'HUP', NewsTest::master_pid();
my @r = NewsTest::read_responses(@socks);
my $answered = Time::HiRes::time();
Test::More::is(scalar(grep { $_->[0] == 200 } @r), 20,
               'all 20 in-flight requests got their 200')
    or Test::More::diag(::statuses(@r));
my @left = NewsTest::wait_gone(3, @old);
my $exit = Time::HiRes::time() - $answered;
Test::More::is(scalar(@left), 0, 'the old worker exited');
Test::More::cmp_ok($exit, '<', 0.5, 'promptly: no timer held it');
Test::More::note(sprintf 'old worker gone %.3f s after its last answer', $exit);
my @new = NewsTest::worker_pids();
Test::More::ok(@new && "@new" ne "@old", 'a new worker serves');
--- request
GET /news/reload
--- response_body_like: >22 Views<
--- error_log
gracefully shutting down
exited with code 0
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 10



=== TEST 12: graceful quit (QUIT) with requests in flight: each gets its 200, nginx exits right after
--- config
    location = /t {
        return 200 "ok";
    }
--- init
my $n = NewsTest::start_nginx(<<"_EOC_");
        location ~ ^/news/([a-z0-9-]+)\$ {
            news_redis_pass 127.0.0.1:$::Hold->{port};
            news_redis_timeout 5s;
            news_article news:article:\$1;
        }
_EOC_
NewsTest::redis_on($::Hold, 'HSET', 'news:article:last-call',
                   title => 'Last call');
my ($status) = NewsTest::http_get_at($n->{port}, '/news/last-call');
Test::More::is($status, 200, 'the private nginx serves');
my $master = $n->{pid};
my @workers = NewsTest::child_pids($master);

NewsTest::redis_on($::Hold, 'CLIENT', 'PAUSE', 1000, 'WRITE');
my @socks = NewsTest::open_gets('/news/last-call', 20, $n->{port});
Test::More::ok(NewsTest::wait_views_queued($::Hold, 20,
                                           'news:article:last-call', 0.8),
               '20 requests in flight');
kill 'QUIT', $master;
my @r = NewsTest::read_responses(@socks);
my $answered = Time::HiRes::time();
Test::More::is(scalar(grep { $_->[0] == 200 } @r), 20,
               'all 20 in-flight requests got their 200')
    or Test::More::diag(::statuses(@r));
my @left = NewsTest::wait_gone(3, $master, @workers);
my $exit = Time::HiRes::time() - $answered;
Test::More::is(scalar(@left), 0, 'nginx exited');
Test::More::cmp_ok($exit, '<', 0.5, 'promptly: no timer held it');
Test::More::note(sprintf 'nginx gone %.3f s after the last answer', $exit);
Test::More::is(NewsTest::redis_on($::Hold, 'HGET', 'news:article:last-call',
                                  'views'),
               21, 'every view counted');
my $log = join '', NewsTest::log_since(0, $n->{error_log});
Test::More::like($log, qr/gracefully shutting down/, 'the worker shut down');
Test::More::unlike($log, qr/exited on signal|\[alert\]|\[crit\]/,
                   'no crash');
--- request
GET /t
--- response_body: ok



=== TEST 13: Redis refuses to queue the count script: the 502 says why (not EXECABORT), nothing is counted, reading still works
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_STRICT_PORT;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Strict, 'HSET', 'news:article:strict',
                   title => 'Strict', views => 7);
# the default user, nginx's, may no longer run scripts by hash: EVALSHA
# is refused when queued, and EXEC then discards the transaction
NewsTest::redis_on($::Strict, 'ACL', 'SETUSER', 'default', '-evalsha');
my ($status) = NewsTest::http_get('/news/strict');
Test::More::is($status, 502, 'the counted view fails');
Test::More::is(NewsTest::redis_on($::Strict, 'HGET', 'news:article:strict',
                                  'views'),
               7, 'and counts nothing');
--- request
HEAD /news/strict
--- error_code: 200
--- error_log eval
qr/news: 502 for article "news:article:strict": Redis replied "NOPERM [^"]*evalsha/
--- no_error_log
EXECABORT
exited on signal



=== TEST 14: SCRIPT renamed away: pages are served and views counted, with EVAL; the log says what Redis refused
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_NOSCRIPT_PORT;
        news_article news:article:$1;
    }
    location ~ ^/look/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_NOSCRIPT_PORT;
        news_views off;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::NoScript, 'HSET', 'news:article:no-script',
                   title => 'No script', views => 3);
my @s = map { (NewsTest::http_get($_))[0] }
        '/look/no-script', '/news/no-script', '/news/no-script';
Test::More::is("@s", '200 200 200', 'served: uncounted and counted');
Test::More::is(NewsTest::redis_on($::NoScript, 'HGET',
                                  'news:article:no-script', 'views'),
               5, 'two views counted');
--- request
GET /news/no-script
--- response_body_like: >6 Views<
--- error_log
news redis refused SCRIPT LOAD
scripts are sent with EVAL
--- no_error_log
[error]
exited on signal



=== TEST 15: EVALSHA renamed away: counted views fall back to EVAL, kept articles too, and count exactly
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_NOSHA_PORT;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::NoSha, 'HSET', 'news:article:no-sha',
                   title => 'No sha', views => 10, rev => '1');
my @r = map { [NewsTest::http_get('/news/no-sha')] } 1 .. 3;
Test::More::is(join(' ', map { $_->[0] } @r), '200 200 200', 'served');
Test::More::is(join(' ', map { NewsTest::shown_views($_->[2]) } @r),
               '11 12 13', 'each view its own count');
Test::More::is(NewsTest::redis_on($::NoSha, 'HGET', 'news:article:no-sha',
                                  'views'),
               13, 'three views counted');
--- request
GET /news/no-sha
--- response_body_like: >14 Views<
--- error_log
news redis refused EVALSHA
sending EVAL
--- no_error_log
[error]
exited on signal



=== TEST 16: a Redis host that never completes the connect is given up after news_redis_timeout (504 for who waited), not after the kernel's two minutes of retries
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_BLACKHOLE_PORT;
        news_redis_timeout 300ms;
        news_article news:article:$1;
    }
--- request
GET /news/held
--- error_code: 504
--- error_log eval
[qr/news redis connection failed: Redis did not answer in time while connecting to Redis/,
 qr/news: 504 for article "news:article:held"/,
 qr/news redis reconnecting in 100ms/]
