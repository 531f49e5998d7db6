# news_format json: the article as JSON, built with jansson, under the
# same counting rules as pages.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;
use JSON::PP;

no_shuffle();
no_long_string();

our $Config = <<'_EOC_';
    news_base_url http://localhost;
    location ~ ^/api/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_format json;
        news_article news:article:$1;
    }
_EOC_

# canonical($json): the UTF-8 JSON decoded and encoded again with sorted
# keys and non-ASCII as \uXXXX, so two documents compare as text
sub canonical {
    return JSON::PP->new->canonical->ascii
                   ->encode(JSON::PP->new->utf8->decode(shift));
}

run_tests();

__DATA__

=== TEST 1: every field, views as a number, tags as an array, ISO dates
--- init
NewsTest::article('vote',
    title => 'Council "votes" <yes>', author => 'Ines M.',
    published_at => '1762248600', updated_at => '2025-11-05T10:00:00Z',
    summary => 'S', body => "One.\n\nTwo.", category => 'City',
    tags => 'Trams, City Hall', image => '/i.jpg', status => 'published',
    extra_field => 'kept too', views => 41);
--- config eval: $::Config
--- request
GET /api/vote
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: no-store
--- response_body_filters eval
\&main::canonical
--- response_body chomp
{"author":"Ines M.","body":"One.\n\nTwo.","category":"City","extra_field":"kept too","image":"/i.jpg","published_at":"2025-11-04T09:30:00Z","status":"published","summary":"S","tags":["Trams","City Hall"],"title":"Council \"votes\" <yes>","updated_at":"2025-11-05T10:00:00Z","url":"http://localhost/api/vote","views":42}



=== TEST 2: JSON tags stay an array; an unreadable date is passed as is
--- init
NewsTest::article('tagged', title => 'T', tags => '["a,b", "c"]',
                  published_at => 'last Tuesday');
--- config eval: $::Config
--- request
GET /api/tagged
--- response_body_filters eval
\&main::canonical
--- response_body chomp
{"published_at":"last Tuesday","tags":["a,b","c"],"title":"T","url":"http://localhost/api/tagged","views":1}



=== TEST 3: invalid UTF-8 becomes U+FFFD, the JSON stays valid, info logged
--- init
NewsTest::article('bytes', title => "ok \xff\xfe end", "k\xc0y" => "v\xed\xa0\x80");
--- config eval: $::Config
--- request
GET /api/bytes
--- response_body_filters eval
\&main::canonical
--- response_body chomp
{"k\ufffdy":"v\ufffd\ufffd\ufffd","title":"ok \ufffd\ufffd end","url":"http://localhost/api/bytes","views":1}
--- error_log
news: invalid UTF-8 in a field replaced with U+FFFD
--- no_error_log
[error]



=== TEST 4: the counting rules are those of pages: HEAD does not count
--- init
NewsTest::article('counted', title => 'C', views => 5);
--- config eval: $::Config
--- request eval
["HEAD /api/counted", "GET /api/counted", "GET /api/counted"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["Content-Type: application/json; charset=utf-8",
 "Content-Type: application/json; charset=utf-8",
 "Content-Type: application/json; charset=utf-8"]
--- response_body_like eval
[qr/\A\z/, qr/"views":6\b/, qr/"views":7\b/]



=== TEST 5: a missing article is 404 with no key created
--- init
NewsTest::redis('DEL', 'news:article:absent');
--- config eval: $::Config
--- request
GET /api/absent
--- error_code: 404
