# news_beacon: counting views of pages served from a cache in front
# (CDN, proxy_cache), with a request the page makes; news_beacon_url puts
# that request into the default page.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

no_shuffle();
no_long_string();
worker_connections(1024);

our $Config = <<'_EOC_';
    location ~ ^/beacon/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_beacon news:article:$1;
        news_views_skip $arg_preview;
    }

    location ~ ^/once/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_beacon news:article:$1;
        news_views_unique 1h;
    }

    # the page as a cache would keep it: not counted, with the beacon
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views off;
        news_beacon_url /beacon/$1?from=page&x=1;
    }

    location ~ ^/plain/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views off;
    }
_EOC_

sub ::views {
    return NewsTest::redis('HGET', "news:article:$_[0]", 'views');
}

run_tests();

__DATA__

=== TEST 1: POST and GET count, answered 204 with nothing to cache
--- init
NewsTest::article('beaconed', title => 'Beaconed', views => 10);
my ($status, $h, $body) = NewsTest::http_request('POST', '/beacon/beaconed',
                                                 'Content-Length' => 0);
Test::More::is($status, 204, 'POST: 204');
Test::More::is($h->{'cache-control'}, 'no-store', 'not to be cached');
Test::More::is($body, '', 'no body');
Test::More::is(::views('beaconed'), 11, 'counted');
--- config eval: $::Config
--- request
GET /beacon/beaconed
--- error_code: 204
--- response_headers
Cache-Control: no-store
!Content-Type
--- response_body eval
""
--- no_error_log
[error]



=== TEST 2: the two views above, and a POST with a body (sendBeacon's)
--- init
Test::More::is(::views('beaconed'), 12, 'GET counted too');
--- config eval: $::Config
--- request
POST /beacon/beaconed
hello
--- error_code: 204
--- response_body eval
""



=== TEST 3: HEAD, prefetch and news_views_skip are answered but not counted
--- init
NewsTest::article('quiet', title => 'Quiet', views => 1);
my @status = (
    (NewsTest::http_request('HEAD', '/beacon/quiet'))[0],
    (NewsTest::http_get('/beacon/quiet', 'Sec-Purpose' => 'prefetch'))[0],
    (NewsTest::http_get('/beacon/quiet?preview=1'))[0],
);
Test::More::is("@status", '204 204 204', '204s');
Test::More::is(::views('quiet'), 1, 'none counted');
--- config eval: $::Config
--- request
GET /beacon/quiet
--- error_code: 204



=== TEST 4: a missing article is 404 and creates no key; a draft is 404 and not counted
--- init
NewsTest::redis('DEL', 'news:article:no-beacon');
NewsTest::article('beacon-draft', title => 'Draft', status => 'draft');
my ($status) = NewsTest::http_request('POST', '/beacon/no-beacon');
Test::More::is($status, 404, 'missing: 404');
Test::More::is(NewsTest::redis('EXISTS', 'news:article:no-beacon'), 0,
               'no key');
--- config eval: $::Config
--- request
POST /beacon/beacon-draft
--- error_code: 404
--- error_log
news: 404 for article "news:article:beacon-draft": article is a draft



=== TEST 5: other methods: 405 with Allow
--- config eval: $::Config
--- request
PUT /beacon/beaconed
--- error_code: 405
--- response_headers
Allow: GET, HEAD, POST



=== TEST 6: 300 beacons at once raise the counter by exactly 300
--- init
NewsTest::article('popular', title => 'Popular');
my @r = NewsTest::concurrent_get('/beacon/popular', 300);
Test::More::is(scalar(grep { $_->[0] == 204 } @r), 300, '300 answers 204');
Test::More::is(::views('popular'), 300, 'counter +300');
--- config eval: $::Config
--- request
GET /plain/popular
--- response_body_like: >300 Views<



=== TEST 7: news_views_unique applies to beacons
--- init
NewsTest::article('once', title => 'Once');
NewsTest::http_request('POST', '/once/once', 'User-Agent' => 'A') for 1 .. 3;
NewsTest::http_request('POST', '/once/once', 'User-Agent' => 'B');
Test::More::is(::views('once'), 2, 'two visitors, two views');
--- config eval: $::Config
--- request
GET /plain/once
--- response_body_like: >2 Views<



=== TEST 8: news_beacon_url: the page asks for the beacon, with and without JavaScript, and is not counted itself
--- init
NewsTest::article('cached', title => 'Cached', views => 5);
--- config eval: $::Config
--- request
GET /news/cached
--- response_body_like eval
qr{>5 Views<.*<script data-beacon="/beacon/cached\?from=page&amp;x=1">[^<]*navigator\.sendBeacon[^<]*</script>\s*<noscript><img src="/beacon/cached\?from=page&amp;x=1" alt="" width="1" height="1"></noscript>}s



=== TEST 9: without news_beacon_url the page has no beacon
--- config eval: $::Config
--- request
GET /plain/cached
--- response_body_unlike: beacon



=== TEST 10: news_beacon and news_article in one location: nginx -t says so
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_HTTP_');
    server {
        listen 127.0.0.1:1;
        location /b/ {
            news_article news:article:x;
            news_beacon news:article:x;
        }
    }
_HTTP_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out,
    qr/"news_article" and "news_beacon" cannot be used in the same location/,
    'and says why');
--- config eval: $::Config
--- request
GET /plain/cached
--- error_code: 200
