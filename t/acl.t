# ACL users (Redis 6 and later): news_redis_user with news_redis_password
# or news_redis_password_file sends AUTH user password; a user with only
# the commands the module needs serves, counts and publishes; one without
# EVALSHA is refused with Redis' own reason.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

no_shuffle();
no_long_string();

our $Acl = NewsTest::start_redis();
$ENV{TEST_NGINX_ACL_PORT} = $Acl->{port};

# what the view and write scripts run, and nothing else: no FLUSHALL,
# no CONFIG, no KEYS, and only keys under news:
NewsTest::redis_on($Acl, 'ACL', 'SETUSER', 'pages', 'on', '>pages-secret',
    '~news:*', '-@all', '+evalsha', '+eval', '+script|load', '+multi',
    '+exec', '+select', '+hgetall', '+hget', '+hmget', '+hincrby', '+hset',
    '+hdel', '+del', '+exists', '+expire', '+set', '+incr', '+sadd',
    '+smembers', '+zadd', '+zrem', '+zincrby', '+time');
NewsTest::redis_on($Acl, 'ACL', 'SETUSER', 'nosha', 'on', '>nosha-secret',
    '~news:*', '-@all', '+script|load', '+multi', '+exec', '+hgetall',
    '+eval');
NewsTest::redis_on($Acl, 'HSET', 'news:article:acl', 'title', 'ACL',
                   'views', '5');

sub ::acl { NewsTest::redis_on($::Acl, @_) }

run_tests();

__DATA__

=== TEST 1: an ACL user with only the commands it needs: pages counted
--- config
    news_redis_pass 127.0.0.1:$TEST_NGINX_ACL_PORT;
    news_redis_user pages;
    news_redis_password pages-secret;
    location ~ ^/news/([a-z0-9-]+)$ {
        news_article news:article:$1;
    }
--- request eval
["GET /news/acl", "GET /news/acl"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{<h1>ACL</h1>.*>6 Views<}s, qr{>7 Views<}]
--- no_error_log
[error]



=== TEST 2: ... and the publishing API works with it
--- config
    news_redis_pass 127.0.0.1:$TEST_NGINX_ACL_PORT;
    news_redis_user pages;
    news_redis_password pages-secret;
    location ~ ^/api/articles/(?<slug>[a-z0-9-]+)$ {
        news_publish $slug;
    }
--- request
PUT /api/articles/by-acl
{"title": "Written by an ACL user", "status": "published"}
--- error_code: 201
--- response_body_like: "title":"Written by an ACL user"
--- no_error_log
[error]



=== TEST 3: the password from a file, not in nginx.conf
--- config
    news_redis_pass 127.0.0.1:$TEST_NGINX_ACL_PORT;
    news_redis_user pages;
    news_redis_password_file $TEST_NGINX_SERVER_ROOT/html/redis.pass;
    location ~ ^/news/([a-z0-9-]+)$ {
        news_article news:article:$1;
    }
--- user_files
>>> redis.pass
pages-secret
--- request
GET /news/acl
--- error_code: 200
--- response_body_like: >8 Views<
--- no_error_log
[error]



=== TEST 4: a wrong password for the user: 503, the reason logged
--- config
    news_redis_pass 127.0.0.1:$TEST_NGINX_ACL_PORT;
    news_redis_user pages;
    news_redis_password wrong;
    location ~ ^/news/([a-z0-9-]+)$ {
        news_article news:article:$1;
    }
--- request
GET /news/acl
--- error_code: 503
--- error_log
Redis rejected the connection setup: WRONGPASS



=== TEST 5: a user without EVALSHA: 502 with the NOPERM reason
--- config
    news_redis_pass 127.0.0.1:$TEST_NGINX_ACL_PORT;
    news_redis_user nosha;
    news_redis_password nosha-secret;
    location ~ ^/news/([a-z0-9-]+)$ {
        news_article news:article:$1;
    }
--- request
GET /news/acl
--- error_code: 502
--- error_log eval
qr{news: 502 for article "news:article:acl": Redis replied "NOPERM}



=== TEST 6: a user without a password fails nginx -t
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_user pages;
        news_article news:article:$1;
    }
--- must_die
--- error_log
"news_redis_user" "pages" has no password: set "news_redis_password" or "news_redis_password_file"



=== TEST 7: a password file that is missing fails nginx -t
--- config
    news_redis_password_file /nonexistent/redis.pass;
--- must_die
--- error_log eval
qr{open\(\) "/nonexistent/redis\.pass" failed}



=== TEST 8: ... and so does one with an empty first line
--- config
    news_redis_password_file $TEST_NGINX_SERVER_ROOT/html/empty.pass;
--- user_files
>>> empty.pass

--- must_die
--- error_log eval
qr{"\S+/empty\.pass" must hold a password of 1 to 1024 bytes on its first line}



=== TEST 9: the counts of TEST 1 and 3 are exact in Redis
--- init
Test::More::is(::acl('HGET', 'news:article:acl', 'views'), '8',
               'five, and three views counted as the ACL user');
--- config
    location = /t { return 204; }
--- request
GET /t
--- error_code: 204
