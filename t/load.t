# Exact counts under load: 10 000 requests over 100 connections at a time
# raise one article's counter by exactly the number of pages served and
# leave a second article untouched.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

no_shuffle();
no_long_string();
worker_connections(1024);

run_tests();

__DATA__

=== TEST 1: 10 000 requests, 100 at a time: the counter rises by the 200s
--- init
NewsTest::article('busy', title => 'Busy', views => 1000);
NewsTest::article('quiet', title => 'Quiet', views => 7);
my %status;
for (1 .. 100) {
    $status{ $_->[0] }++ for NewsTest::concurrent_get('/news/busy', 100);
}
Test::More::is($status{200}, 10_000, '10 000 pages served')
    or Test::More::diag(CORE::join ', ', map { "$_: $status{$_}" } keys %status);
Test::More::is(NewsTest::redis('HGET', 'news:article:busy', 'views'),
               1000 + $status{200}, 'counter rose by the number of 200s');
Test::More::is(NewsTest::redis('HGET', 'news:article:quiet', 'views'), 7,
               'the other article untouched');
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request
GET /news/busy
--- response_body_like: >11001 Views<
--- no_error_log
[error]
--- timeout: 10
