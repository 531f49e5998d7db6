# The variables for log_format: $news_key, $news_views,
# $news_view_counted, $news_skip_reason, $news_redis_time, each seen in
# an access log line.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

no_shuffle();
no_long_string();

our $HttpConfig = <<'_EOC_';
    log_format news '$news_key|$news_views|$news_view_counted|'
                    '$news_skip_reason|$news_redis_time';
_EOC_

our $Config = <<'_EOC_';
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views_skip $arg_preview;
        access_log logs/news.log news;
    }

    location ~ ^/uncounted/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views off;
        access_log logs/news.log news;
    }

    location ~ ^/down/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_DOWN_PORT;
        news_article news:article:$1;
        access_log logs/news.log news;
    }

    location = /static {
        return 200 "static\n";
        access_log logs/news.log news;
    }
_EOC_

# a port nothing listens on
$ENV{TEST_NGINX_DOWN_PORT} = NewsTest::free_port();

run_tests();

__DATA__

=== TEST 1: one line per kind of request, each variable as documented
--- init
NewsTest::article('log-lines', title => 'Log lines', views => 9);
NewsTest::article('log-draft', title => 'Log draft', status => 'draft');
NewsTest::redis('DEL', 'news:article:log-missing');
NewsTest::redis('SET', 'news:article:log-string', 'not a hash');
my @requests = (
    [GET  => '/news/log-lines'],
    [HEAD => '/news/log-lines'],
    [GET  => '/news/log-lines', 'Sec-Purpose' => 'prefetch'],
    [GET  => '/news/log-lines?preview=1'],
    [GET  => '/uncounted/log-lines'],
    [GET  => '/news/log-missing'],
    [GET  => '/news/log-draft'],
    [GET  => '/news/log-string'],
    [GET  => '/down/log-lines'],
    [GET  => '/static'],
);
my @status = map { (NewsTest::http_request(@$_))[0] } @requests;
Test::More::is("@status", '200 200 200 200 200 404 404 502 503 200',
               'statuses');
my @lines = NewsTest::access_lines('news.log', scalar @requests);
my @want = (
    qr/^news:article:log-lines\|10\|1\|-\|\d+\.\d{3}$/,
    qr/^news:article:log-lines\|10\|0\|head\|\d+\.\d{3}$/,
    qr/^news:article:log-lines\|10\|0\|prefetch\|\d+\.\d{3}$/,
    qr/^news:article:log-lines\|10\|0\|skip\|\d+\.\d{3}$/,
    qr/^news:article:log-lines\|10\|0\|off\|\d+\.\d{3}$/,
    qr/^news:article:log-missing\|-\|0\|not_found\|\d+\.\d{3}$/,
    qr/^news:article:log-draft\|-\|0\|draft\|\d+\.\d{3}$/,
    qr/^news:article:log-string\|-\|0\|error\|\d+\.\d{3}$/,
    # the dead Redis: "-" when the request found the connection in its
    # backoff, a time when it came while the first attempt was still
    # under way (a slow machine) and waited for it to fail: both are right
    qr/^news:article:log-lines\|-\|0\|error\|(?:-|\d+\.\d{3})$/,
    qr/^-\|-\|-\|-\|-$/,
);
for my $i (0 .. $#want) {
    Test::More::like($lines[$i] // '', $want[$i],
                     "line $i: @{$requests[$i]}[0, 1]");
}
Test::More::is(scalar(@lines), scalar(@want), 'one line per request');
Test::More::is(NewsTest::redis('HGET', 'news:article:log-lines', 'views'),
               10, 'one view counted');
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /static
--- response_body
static



=== TEST 2: $news_redis_time is the wait for Redis in milliseconds
--- init
NewsTest::article('log-slow', title => 'Log slow');
NewsTest::redis('CLIENT', 'PAUSE', 300, 'ALL');
my ($status) = NewsTest::http_get('/news/log-slow');
Test::More::is($status, 200, 'served after the pause');
my @lines = NewsTest::access_lines('news.log', 1);
my ($t) = ($lines[-1] // '') =~ /\|(\d+\.\d{3})$/;
Test::More::cmp_ok($t // 0, '>=', 200, 'the 300 ms pause is in it')
    or Test::More::diag($lines[-1]);
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /static
--- response_body
static



=== TEST 3: after an error_page redirect the variables still tell of the news request
--- init
NewsTest::redis('DEL', 'news:article:log-gone');
my ($status, $h, $body) = NewsTest::http_get('/news/log-gone');
Test::More::is($status, 404, 'the article is missing');
Test::More::like($body, qr/our own 404 page/, 'from error_page');
my @lines = NewsTest::access_lines('redirect.log', 1);
Test::More::like($lines[-1] // '', qr/^news:article:log-gone\|-\|0\|not_found\|\d+\.\d{3}$/,
                 'the news request, its reason and its Redis time');
--- http_config eval: $::HttpConfig
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        error_page 404 /not-found.html;
        access_log logs/redirect.log news;
    }

    location = /not-found.html {
        internal;
        return 404 "our own 404 page\n";
        access_log logs/redirect.log news;
    }
--- request
GET /news/log-gone
--- error_code: 404
--- response_body
our own 404 page
