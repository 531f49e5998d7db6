# Counting rules: what raises the view counter and what does not.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

no_shuffle();
no_long_string();
worker_connections(1024);

our $Config = <<'_EOC_';
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views_skip $arg_preview $http_x_staff;
    }

    location ~ ^/uncounted/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views off;
    }

    location ~ (?s)^/raw/(.*)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: the first view shows "1 View", later ones count on
--- init
NewsTest::article('tide-tables', title => 'New tide tables');
--- config eval: $::Config
--- request eval
["GET /news/tide-tables", "GET /news/tide-tables", "GET /news/tide-tables"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[qr{<span class="views">1 View</span>}, qr{<span class="views">2 Views</span>},
 qr{<span class="views">3 Views</span>}]



=== TEST 2: the counter in Redis is what the pages showed
--- init
Test::More::is(NewsTest::redis('HGET', 'news:article:tide-tables', 'views'), 3,
   'views field after three views');
--- config eval: $::Config
--- request
GET /uncounted/tide-tables
--- response_body_like: <span class="views">3 Views</span>



=== TEST 3: a stored count is continued, not restarted
--- init
NewsTest::article('old-story', title => 'An old story', views => 41);
--- config eval: $::Config
--- request
GET /news/old-story
--- response_body_like: <span class="views">42 Views</span>



=== TEST 4: a missing article is 404 and creates no key
--- init
NewsTest::redis('DEL', 'news:article:never-written');
--- config eval: $::Config
--- request eval
["GET /news/never-written", "HEAD /news/never-written"]
--- error_code eval
[404, 404]
--- error_log
news: 404 for article "news:article:never-written": no such article
--- no_error_log
[error]



=== TEST 5: ... and the 404s left no key behind
--- init
Test::More::is(NewsTest::redis('EXISTS', 'news:article:never-written'), 0,
   'no key was created');
--- config eval: $::Config
--- request
GET /news/never-written
--- error_code: 404



=== TEST 6: a draft is 404 and is not counted
--- init
NewsTest::article('embargoed', title => 'Embargoed', status => 'draft',
                  views => 5);
--- config eval: $::Config
--- request eval
["GET /news/embargoed", "GET /news/embargoed"]
--- error_code eval
[404, 404]
--- error_log
news: 404 for article "news:article:embargoed": article is a draft



=== TEST 7: ... and its counter did not move
--- init
Test::More::is(NewsTest::redis('HGET', 'news:article:embargoed', 'views'), 5,
   'draft not counted');
--- config eval: $::Config
--- request
GET /news/embargoed
--- error_code: 404



=== TEST 8: HEAD has the GET headers, no body, and is not counted
--- init
NewsTest::article('quiet-head', title => 'Quiet', views => 7);
--- config eval: $::Config
--- request eval
["HEAD /news/quiet-head", "GET /uncounted/quiet-head"]
--- error_code eval
[200, 200]
--- response_headers eval
["Content-Type: text/html; charset=utf-8\nCache-Control: no-store",
 "Content-Type: text/html; charset=utf-8"]
--- response_body_like eval
[qr{\A\z}, qr{<span class="views">7 Views</span>}]



=== TEST 9: other methods are 405 with Allow, and not counted
--- init
NewsTest::article('no-posts', title => 'No posts', views => 1);
--- config eval: $::Config
--- request eval
["POST /news/no-posts\nhello", "PUT /news/no-posts\nhello",
 "DELETE /news/no-posts", "GET /uncounted/no-posts"]
--- error_code eval
[405, 405, 405, 200]
--- response_headers eval
["Allow: GET, HEAD", "Allow: GET, HEAD", "Allow: GET, HEAD", "!Allow"]
--- response_body_like eval
[qr{405}, qr{405}, qr{405}, qr{<span class="views">1 View</span>}]



=== TEST 10: browser prefetch is served but not counted
--- init
NewsTest::article('prefetched', title => 'Prefetched');
--- config eval: $::Config
--- more_headers
Sec-Purpose: prefetch
--- request eval
["GET /news/prefetched", "GET /news/prefetched"]
--- response_body_like eval
[qr{<span class="views">0 Views</span>}, qr{<span class="views">0 Views</span>}]



=== TEST 11: the older Purpose: prefetch header is not counted either
--- config eval: $::Config
--- more_headers
Purpose: prefetch
--- request
GET /news/prefetched
--- response_body_like: <span class="views">0 Views</span>



=== TEST 12: news_views_skip: a non-empty value other than "0" skips
--- init
NewsTest::article('skippable', title => 'Skippable');
--- config eval: $::Config
--- request eval
["GET /news/skippable?preview=1", "GET /news/skippable?preview=yes",
 "GET /news/skippable?preview=0", "GET /news/skippable?preview=",
 "GET /news/skippable"]
--- response_body_like eval
[qr{>0 Views<}, qr{>0 Views<}, qr{>1 View<}, qr{>2 Views<}, qr{>3 Views<}]



=== TEST 13: news_views_skip checks every value it is given
--- config eval: $::Config
--- more_headers
X-Staff: editor
--- request
GET /news/skippable
--- response_body_like: >3 Views<



=== TEST 14: news_views off shows the count without raising it
--- init
NewsTest::article('archive-piece', title => 'From the archive', views => 9);
--- config eval: $::Config
--- request eval
["GET /uncounted/archive-piece", "GET /uncounted/archive-piece"]
--- response_body_like eval
[qr{>9 Views<}, qr{>9 Views<}]



=== TEST 15: an invalid key (CR/LF from the URL) is 400 and reaches no Redis
--- config eval: $::Config
--- request
GET /raw/evil%0D%0ADEL%20news:article:tide-tables
--- error_code: 400
--- error_log
news: invalid article key
--- no_error_log
[error]



=== TEST 16: a 513-byte key is 400; 512 bytes is a valid key
--- config eval: $::Config
--- request eval
["GET /raw/" . ("k" x 500), "GET /raw/" . ("k" x 499)]
--- error_code eval
[400, 404]



=== TEST 17: 200 concurrent views: counter +200, 200 distinct counts
--- init
NewsTest::article('crowd', title => 'Crowd');
my @r = NewsTest::concurrent_get('/news/crowd', 200);
Test::More::is(scalar(grep { $_->[0] == 200 } @r), 200, '200 pages served');
my %seen = map { (NewsTest::shown_views($_->[2]) // 'none') => 1 } @r;
Test::More::is(scalar(keys %seen), 200, '200 distinct counts shown');
Test::More::is_deeply([sort { $a <=> $b } keys %seen], [1 .. 200], 'counts 1..200');
Test::More::is(NewsTest::redis('HGET', 'news:article:crowd', 'views'), 200,
   'counter raised by exactly 200');
--- config eval: $::Config
--- request
GET /news/crowd
--- response_body_like: >201 Views<
--- timeout: 10



=== TEST 18: $news_views is the count shown, empty when nothing rendered
--- init
NewsTest::article('logged', title => 'Logged', views => 10);
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        add_header X-News-Views "[$news_views]" always;
    }
--- request eval
["GET /news/logged", "HEAD /news/logged", "GET /news/not-there"]
--- error_code eval
[200, 200, 404]
--- response_headers eval
["X-News-Views: [11]", "X-News-Views: [11]", "X-News-Views: []"]
