# Several worker processes: each keeps one Redis connection, and views
# served by all of them are counted exactly.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

master_on();
workers(2);
worker_connections(1024);
no_shuffle();
no_long_string();

run_tests();

__DATA__

=== TEST 1: two workers, two connections, every view counted once
--- init
NewsTest::article('busy-day', title => 'Busy day');
my @r;
push @r, NewsTest::concurrent_get('/news/busy-day', 100) for 1 .. 4;
Test::More::is(scalar(grep { $_->[0] == 200 } @r), 400, '400 pages');
my %seen = map { (NewsTest::shown_views($_->[2]) // 'none') => 1 } @r;
Test::More::is(scalar(keys %seen), 400, '400 distinct counts');
Test::More::is(NewsTest::redis('HGET', 'news:article:busy-day', 'views'),
               400, 'counter raised by exactly 400');
my @clients = grep { !/cmd=client/ }
              split /\n/, NewsTest::redis('CLIENT', 'LIST');
Test::More::is(scalar(@clients), 2, 'one connection per worker')
    or Test::More::diag(join "\n", @clients);
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request
GET /news/busy-day
--- response_body_like: >401 Views<
--- timeout: 10



=== TEST 2: an article kept by both workers, edited with a rev bump, is new on the very next view in both
--- http_config
    log_format pids '$pid $status';
--- init
# which worker takes a connection is the kernel's choice: rounds of 50
# concurrent views until both have served (and so kept the article)
sub ::pids_since {
    my ($from) = @_;
    my @lines = NewsTest::access_lines('pids.log', $from + 1);
    return map { (split / /)[0] => 1 } @lines[$from .. $#lines];
}
my $key = NewsTest::article('both-kept', title => 'Old headline', rev => '1');
my ($n, %pids) = (0);
for (1 .. 20) {
    NewsTest::concurrent_get('/news/both-kept', 50);
    $n += 50;
    %pids = ::pids_since(0);
    last if keys %pids == 2;
}
Test::More::is(scalar(keys %pids), 2, 'both workers kept it');
NewsTest::redis('HSET', $key, 'title', 'New headline', 'rev', '2');
my ($from, @r, %after) = ($n);
for (1 .. 20) {
    push @r, NewsTest::concurrent_get('/news/both-kept', 50);
    $n += 50;
    %after = ::pids_since($from);
    last if keys %after == 2;
}
Test::More::is(scalar(keys %after), 2, 'both workers served after the edit');
Test::More::is(scalar(grep { $_->[2] =~ m{<h1>New headline</h1>} } @r),
               scalar(@r), 'every page after the edit is new');
Test::More::is(NewsTest::redis('HGET', $key, 'views'), $n, 'all counted');
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        access_log logs/pids.log pids;
    }
--- request
GET /news/both-kept
--- response_body_like: <h1>New headline</h1>
--- timeout: 10
