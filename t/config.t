# Configuration mistakes are caught when nginx starts (and by nginx -t),
# with nginx-style messages.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';

no_shuffle();

run_tests();

__DATA__

=== TEST 1: news_article twice in one location is a duplicate
--- config
    location /news/ {
        news_article news:article:a;
        news_article news:article:b;
    }
--- must_die
--- error_log
"news_article" directive is duplicate



=== TEST 2: news_article is allowed in locations only
--- config
    news_article news:article:a;
--- must_die
--- error_log
"news_article" directive is not allowed here



=== TEST 3: a malformed Redis address is rejected
--- config
    location /news/ {
        news_redis_pass 127.0.0.1:99999;
        news_article news:article:a;
    }
--- must_die
--- error_log
invalid port in "127.0.0.1:99999"



=== TEST 4: news_redis_db must be a number
--- config
    location /news/ {
        news_redis_db first;
        news_article news:article:a;
    }
--- must_die
--- error_log
"news_redis_db" directive invalid number



=== TEST 5: news_views takes on or off
--- config
    location /news/ {
        news_views sometimes;
        news_article news:article:a;
    }
--- must_die
--- error_log
invalid value "sometimes" in "news_views" directive, it must be "on" or "off"



=== TEST 6: news_redis_timeout must be a time
--- config
    location /news/ {
        news_redis_timeout soon;
        news_article news:article:a;
    }
--- must_die
--- error_log
"news_redis_timeout" directive invalid value



=== TEST 7: a key with an unknown variable is rejected
--- config
    location /news/ {
        news_article news:article:$no_such_variable;
    }
--- must_die
--- error_log
unknown "no_such_variable" variable



=== TEST 8: every directive at its documented level loads
--- http_config
    news_redis_pass 127.0.0.1:1;
    news_redis_timeout 2s;
    news_views on;
    news_site_name "Config Times";
    news_cache_control "no-cache";
--- config
    news_redis_db 0;
    news_views_skip $arg_preview;
    location /news/ {
        news_redis_password secret;
        news_article news:article:a;
    }
    location = /t {
        return 200 "loaded\n";
    }
--- request
GET /t
--- response_body
loaded
