# news_format json: the article as JSON, built with jansson, under the
# same counting rules as pages.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;
use JSON::PP;

no_shuffle();
no_long_string();

# a port nothing listens on (503), and a Redis of its own to pause (504)
$ENV{TEST_NGINX_DEAD_PORT} = NewsTest::free_port();
our $Paused = NewsTest::start_redis();
$ENV{TEST_NGINX_PAUSED_PORT} = $Paused->{port};

our $Config = <<'_EOC_';
    news_base_url http://localhost;
    location ~ ^/api/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_format json;
        news_article news:article:$1;
    }
_EOC_

our $Errors = <<'_EOC_';
    news_base_url http://localhost;
    location ~ ^/api/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_format json;
        news_article news:article:$1;
    }
    location ~ ^/down/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_DEAD_PORT;
        news_format json;
        news_article news:article:$1;
    }
    location ~ ^/paused/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_PAUSED_PORT;
        news_redis_timeout 300ms;
        news_format json;
        news_article news:article:$1;
    }
    location = /by-arg {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_format json;
        news_article $arg_key;
    }
    location ~ ^/html/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
    location ~ ^/html-down/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_DEAD_PORT;
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

=== TEST 1: every field, views as a number, tags as an array, ISO dates, the body as HTML
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
{"author":"Ines M.","body":"One.\n\nTwo.","body_html":"<p>One.</p>\n<p>Two.</p>\n","category":"City","extra_field":"kept too","image":"/i.jpg","published_at":"2025-11-04T09:30:00Z","status":"published","summary":"S","tags":["Trams","City Hall"],"title":"Council \"votes\" <yes>","updated_at":"2025-11-05T10:00:00Z","url":"http://localhost/api/vote","views":42}



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



=== TEST 6: with news_article_url, "url" is the article page's, not the API's
--- init
NewsTest::article('vote', title => 'T');
--- config
    news_base_url https://news.example.org;
    news_article_url /news/;
    location ~ ^/api/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_format json;
        news_views off;
        news_article news:article:$1;
    }
--- request
GET /api/vote?page=2
--- response_body_filters eval
\&main::canonical
--- response_body chomp
{"title":"T","url":"https://news.example.org/news/vote","views":0}



=== TEST 7: body_html follows news_body_format; "url" and "body_html" win over hash fields of those names
--- init
NewsTest::article('styled', title => 'S', body => "# Head\n\n*em* [x](javascript:alert(1))",
                  url => 'https://elsewhere.example/', body_html => '<script>x</script>');
--- config
    news_base_url http://localhost;
    location ~ ^/api/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_format json;
        news_views off;
        news_body_format markdown;
        news_article news:article:$1;
    }
--- request
GET /api/styled
--- response_body_filters eval
\&main::canonical
--- response_body chomp
{"body":"# Head\n\n*em* [x](javascript:alert(1))","body_html":"<h2>Head</h2>\n<p><em>em</em> <a href=\"#\">x</a></p>\n","title":"S","url":"http://localhost/api/styled","views":0}



=== TEST 8: without a body, no body_html, not even the hash's own
--- init
NewsTest::article('bodiless', title => 'B', body_html => '<b>stale</b>');
--- config eval: $::Config
--- request
GET /api/bodiless
--- response_body_filters eval
\&main::canonical
--- response_body chomp
{"title":"B","url":"http://localhost/api/bodiless","views":1}



=== TEST 9: control bytes stay in JSON, escaped, and parse back as they were
--- init
NewsTest::article('controls', title => "a\x00b\x01c\x1bd\x7fe\tf",
                  body => "x\x00y");
--- config eval: $::Config
--- request
GET /api/controls
--- response_body_filters eval
sub {
    my ($raw) = @_;
    die "a raw control byte in the JSON\n" if $raw =~ /[\x00-\x1f]/;
    my $d = JSON::PP->new->utf8->decode($raw);
    die "title not kept\n" unless $d->{title} eq "a\x00b\x01c\x1bd\x7fe\tf";
    die "body not kept\n" unless $d->{body} eq "x\x00y";
    my ($title) = $raw =~ /"title":"([^"]*)"/;
    return CORE::lc $title;
}
--- response_body eval
"a\\u0000b\\u0001c\\u001bd\x7fe\\tf"



=== TEST 10: a missing article and a draft are JSON 404s, the same; HEAD has no body
--- init
NewsTest::redis('DEL', 'news:article:absent');
NewsTest::article('unpublished', title => 'D', status => 'draft');
--- config eval: $::Errors
--- request eval
["GET /api/absent", "GET /api/unpublished", "HEAD /api/absent"]
--- error_code eval
[404, 404, 404]
--- response_headers eval
["Content-Type: application/json; charset=utf-8\n!Cache-Control",
 "Content-Type: application/json; charset=utf-8",
 "Content-Type: application/json; charset=utf-8"]
--- response_body eval
['{"error":"no such article"}', '{"error":"no such article"}', '']
--- error_log eval
qr/news: 404 for article "news:article:(?:absent|unpublished)"/



=== TEST 11: Redis answering with an error is a JSON 502, not stored by caches
--- init
NewsTest::redis('DEL', 'news:article:wrongtype');
NewsTest::redis('SET', 'news:article:wrongtype', 'a string');
--- config eval: $::Errors
--- request
GET /api/wrongtype
--- error_code: 502
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: no-store
--- response_body chomp
{"error":"Redis answered with an error; see the error log"}
--- error_log
news: 502 for article "news:article:wrongtype"



=== TEST 12: Redis down is a JSON 503 with Retry-After, not stored by caches
--- config eval: $::Errors
--- request
GET /down/any
--- error_code: 503
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: no-store
Retry-After: 1
--- response_body chomp
{"error":"Redis is unavailable; try again"}
--- error_log
news: 503 for article "news:article:any"



=== TEST 13: no answer in time is a JSON 504, not stored by caches
--- init
NewsTest::redis_on($::Paused, 'CLIENT', 'PAUSE', 1000);
--- config eval: $::Errors
--- request
GET /paused/any
--- error_code: 504
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: no-store
!Retry-After
--- response_body chomp
{"error":"Redis did not answer in time"}
--- error_log
news: 504 for article "news:article:any"



=== TEST 14: an invalid key is a JSON 400, another method a JSON 405 with Allow
--- config eval: $::Errors
--- request eval
["GET /by-arg?key=", "POST /api/vote\nhello", "GET /api/vote"]
--- error_code eval
[400, 405, 200]
--- response_headers eval
["Content-Type: application/json; charset=utf-8",
 "Content-Type: application/json; charset=utf-8\nAllow: GET, HEAD",
 "Content-Type: application/json; charset=utf-8"]
--- response_body_like eval
[qr/\A\{"error":"invalid article key"\}\z/, qr/\A\{"error":"method not allowed"\}\z/, qr/"title"/]



=== TEST 15: an error_page for the status wins over the JSON error, as over nginx's page; one for another status does not
--- config
    location ~ ^/api/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_format json;
        news_article news:article:$1;
        error_page 404 = @gone;
        error_page 503 /unused;
    }
    location @gone {
        return 410 "gone\n";
    }
--- request eval
["GET /api/absent", "GET /api/wrongtype"]
--- error_code eval
[410, 502]
--- response_body eval
["gone\n", '{"error":"Redis answered with an error; see the error log"}']



=== TEST 16: HTML locations keep nginx's error pages; their 503 is not stored either
--- config eval: $::Errors
--- request eval
["GET /html/absent", "GET /html-down/any"]
--- error_code eval
[404, 503]
--- response_headers eval
["Content-Type: text/html\n!Cache-Control", "Content-Type: text/html\nCache-Control: no-store\nRetry-After: 1"]
--- response_body_like eval
[qr{<title>404 Not Found</title>}, qr{<title>503 Service Temporarily Unavailable</title>}]
