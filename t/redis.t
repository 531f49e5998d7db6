# The Redis side: unix sockets, AUTH and SELECT, one pipelined connection
# per worker, errors from Redis, deadlines, a lost script cache, and a
# Redis that dies and comes back while nginx keeps running.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

no_shuffle();
no_long_string();
worker_connections(1024);

# private servers: these tests stop, pause or lock them
our $Plain = NewsTest::start_redis();
our $Locked = NewsTest::start_redis('--requirepass', 'harbour-s3cret');
our $Slow = NewsTest::start_slow_setup_redis(1.0,
                                             'ERR DB index is out of range');

$ENV{TEST_NGINX_PLAIN_PORT} = $Plain->{port};
$ENV{TEST_NGINX_PLAIN_SOCK} = $Plain->{sock};
$ENV{TEST_NGINX_LOCKED_PORT} = $Locked->{port};
$ENV{TEST_NGINX_SLOW_PORT} = $Slow->{port};

NewsTest::redis_on($Plain, 'HSET', 'news:article:pier', title => 'Pier');
NewsTest::redis_on({ %$Locked, db => 3 }, 'HSET', 'news:article:vault',
                   title => 'Vault');
NewsTest::redis_on($Locked, 'CONFIG', 'RESETSTAT');

run_tests();

__DATA__

=== TEST 1: news_redis_pass takes a unix socket
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass unix:$TEST_NGINX_PLAIN_SOCK;
        news_article news:article:$1;
    }
--- request
GET /news/pier
--- error_code: 200
--- response_body_like: <h1>Pier</h1>
--- no_error_log
[error]



=== TEST 2: password and database are sent once per connection
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_LOCKED_PORT;
        news_redis_password harbour-s3cret;
        news_redis_db 3;
        news_article news:article:$1;
    }
--- request eval
["GET /news/vault", "GET /news/vault", "GET /news/vault"]
--- response_body_like eval
[qr{<h1>Vault</h1>}, qr{>2 Views<}, qr{>3 Views<}]
--- no_error_log
[error]



=== TEST 3: ... AUTH and SELECT ran once for three requests
--- config
    location = /t {
        return 200 "ok";
    }
--- init
my $stats = NewsTest::redis_on($::Locked, 'INFO', 'commandstats');
my ($auth) = $stats =~ /cmdstat_auth:calls=(\d+)/;
my ($select) = $stats =~ /cmdstat_select:calls=(\d+)/;
my ($evalsha) = $stats =~ /cmdstat_evalsha:calls=(\d+)/;
# one AUTH is this check's own
Test::More::is($auth - 1, 1, 'one AUTH from nginx');
Test::More::is($select, 1, 'one SELECT');
Test::More::is($evalsha, 3, 'one EVALSHA per request');
--- request
GET /t
--- response_body: ok



=== TEST 4: a wrong password is 503 with Retry-After and a clear log line
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_LOCKED_PORT;
        news_redis_password wrong;
        news_article news:article:$1;
    }
--- request
GET /news/vault
--- error_code: 503
--- response_headers
Retry-After: 1
--- error_log
Redis rejected the connection setup: WRONGPASS
news: 503 for article "news:article:vault"



=== TEST 5: one connection per worker carries every request
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_PLAIN_PORT;
        news_article news:article:$1;
    }
--- init
NewsTest::concurrent_get('/news/pier', 100) for 1 .. 3;
my @clients = grep { !/cmd=client/ }
              split /\n/, NewsTest::redis_on($::Plain, 'CLIENT', 'LIST');
Test::More::is(scalar(@clients), 1, 'one Redis connection after 300 requests')
    or Test::More::diag(join "\n", @clients);
--- request
GET /news/pier
--- error_code: 200



=== TEST 6: a key that is not a hash is 502, logged with Redis' words
--- init
NewsTest::redis('SET', 'news:article:not-a-hash', 'plain string');
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request
GET /news/not-a-hash
--- error_code: 502
--- error_log eval
qr{\[error\].*news: 502 for article "news:article:not-a-hash": Redis replied ".*WRONGTYPE}



=== TEST 7: a views field that is not an integer is 502
--- init
NewsTest::article('bad-count', title => 'Bad count', views => 'many');
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request eval
["GET /news/bad-count", "HEAD /news/bad-count"]
--- error_code eval
[502, 502]
--- error_log
news: 502 for article "news:article:bad-count"



=== TEST 8: a Redis that does not answer in time is 504
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_PLAIN_PORT;
        news_redis_timeout 300ms;
        news_article news:article:$1;
    }
--- init
NewsTest::http_get('/news/pier');
NewsTest::redis_on($::Plain, 'CLIENT', 'PAUSE', '600');
--- request
GET /news/pier
--- error_code: 504
--- error_log
news: 504 for article "news:article:pier"
--- no_error_log
[alert]



=== TEST 9: a flushed script cache is reloaded and no request fails
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_PLAIN_PORT;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Plain, 'PING');     # returns when TEST 8's pause ends
my ($status) = NewsTest::http_get('/news/pier');
Test::More::is($status, 200, 'served before the flush');
NewsTest::redis_on($::Plain, 'SCRIPT', 'FLUSH');
--- request
GET /news/pier
--- error_code: 200
--- error_log
lost its script cache, sending EVAL
--- no_error_log
[error]



=== TEST 10: Redis killed under load: 503s, then 200s within 2 s, no reload
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_PLAIN_PORT;
        news_article news:article:$1;
    }
--- init
my (%seen, $status, $h);
my $t0 = Time::HiRes::time();
while (Time::HiRes::time() - $t0 < 1.5) {
    if (Time::HiRes::time() - $t0 > 0.5 && $::Plain->{pid}) {
        NewsTest::kill_redis($::Plain);
    }
    $seen{ $_->[0] }++ for NewsTest::concurrent_get('/news/pier', 20);
}
Test::More::ok($seen{200}, 'served before the kill');
Test::More::ok($seen{503}, '503 while Redis is down');
Test::More::is(join(',', sort grep { $_ != 200 && $_ != 503 } keys %seen),
               '', 'no other status');
($status, $h) = NewsTest::http_get('/news/pier');
Test::More::is($h->{'retry-after'}, 1, 'Retry-After while down');

NewsTest::restart_redis($::Plain);
NewsTest::redis_on($::Plain, 'HSET', 'news:article:pier', title => 'Pier');
my $back = Time::HiRes::time();
($status) = NewsTest::http_get('/news/pier');
while ($status != 200 && Time::HiRes::time() - $back < 5) {
    Time::HiRes::sleep(0.05);
    ($status) = NewsTest::http_get('/news/pier');
}
Test::More::is($status, 200, 'serving again without a reload');
Test::More::cmp_ok(Time::HiRes::time() - $back, '<', 2,
                   'back within 2 s of Redis');
--- request
GET /news/pier
--- error_code: 200
--- error_log
news redis connection failed
news redis connection is ready
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 11: a rejected SELECT sends no request command to Redis
--- init
NewsTest::redis_on($::Plain, 'HSET', 'news:article:pier', title => 'Pier',
                   views => 7);
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_PLAIN_PORT;
        news_redis_db 99;
        news_article news:article:$1;
    }
--- request
GET /news/pier
--- error_code: 503
--- error_log
Redis rejected the connection setup: ERR DB index is out of range



=== TEST 12: requests wait for the setup: none is sent before SELECT is done
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_SLOW_PORT;
        news_redis_db 99;
        news_redis_timeout 3s;
        news_article news:article:$1;
    }
--- request
GET /news/pier
--- error_code: 503
--- error_log
Redis rejected the connection setup: ERR DB index is out of range
--- timeout: 5



=== TEST 13: ... so Redis never saw the request's command
--- init
open my $fh, '<', $::Slow->{log} or die "$::Slow->{log}: $!";
my $received = do { local $/; <$fh> };
Test::More::like($received, qr/SELECT/, 'the setup was sent');
Test::More::unlike($received, qr/EVALSHA|EVAL\r/, 'no request command');
--- config
    location = /t {
        return 200 "ok";
    }
--- request
GET /t
--- response_body: ok



=== TEST 14: an idle connection closed by Redis is replaced at once
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_PLAIN_PORT;
        news_article news:article:$1;
    }
--- init
my ($status) = NewsTest::http_get('/news/pier');
Test::More::is($status, 200, 'served');
NewsTest::redis_on($::Plain, 'CLIENT', 'KILL', 'TYPE', 'normal',
                   'SKIPME', 'yes');
Time::HiRes::sleep(0.05);
--- request eval
["GET /news/pier", "GET /news/pier"]
--- error_code eval
[200, 200]
--- no_error_log
[error]
