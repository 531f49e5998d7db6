# news_stale: while Redis cannot be used, the articles a worker keeps
# are served from what it keeps, their views buffered in shared memory
# and added to Redis exactly once when it is back, even when the reply
# to that addition is lost.  See docs/operations.md, "Redis outages".

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

master_on();
workers(1);           # one worker: the counts it shows are exact
no_shuffle();
no_long_string();

our $Store = NewsTest::start_redis();
our $Switch = NewsTest::start_switch_proxy($Store->{port});
$ENV{TEST_NGINX_SWITCH_PORT} = $Switch->{port};

sub ::store { NewsTest::redis_on($::Store, @_) }
sub ::switch { NewsTest::switch_proxy($::Switch, @_) }

# once the worker has its connection to Redis (after a block that left
# the proxy down, nginx starts in its reconnect backoff)
sub ::connected {
    NewsTest::wait_metric('news_redis_connections', 1, 10)
        or die "no connection to Redis in 10 s";
}

# the views field of key, once it equals want or after 10 s
sub ::wait_views {
    my ($key, $want) = @_;
    my $v;
    for (1 .. 200) {
        $v = ::store('HGET', $key, 'views');
        return $v if $v eq $want;
        Time::HiRes::sleep(0.05);
    }
    return $v;
}

# the shown count of each of n views of path
sub ::shown {
    my ($path, $n) = @_;
    return join ' ', map {
        my ($status, undef, $body) = NewsTest::http_get($path);
        $status == 200 && $body =~ />(\d+) Views?</ ? $1 : "status $status"
    } 1 .. $n;
}

our $HttpConfig = <<'_EOC_';
    news_metrics_zone news 1m;
_EOC_

our $Config = <<'_EOC_';
    news_redis_pass 127.0.0.1:$TEST_NGINX_SWITCH_PORT;
    news_redis_timeout 500ms;
    add_header X-Skip $news_skip_reason always;
    location ~ ^/news/([a-z0-9-]+)$ {
        news_stale on;
        news_article news:article:$1;
    }
    location ~ ^/fresh/([a-z0-9-]+)$ {
        news_article news:article:$1;
    }
    location = /metrics {
        news_metrics;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: Redis gone: a kept article is served, each view buffered and shown
--- init
::switch('up');
::connected();
::store('DEL', 'news:article:kept', 'news:article:never');
::store('HSET', 'news:article:kept', 'title', 'Kept', 'views', '10',
        'rev', '1');
::store('HSET', 'news:article:never', 'title', 'Never', 'views', '1');
Test::More::is(::shown('/news/kept', 6), '11 12 13 14 15 16',
               'counted while Redis is there');
::switch('down');
Time::HiRes::sleep(0.3);
my @r = map { [NewsTest::http_get('/news/kept')] } 1 .. 4;
Test::More::is(join(' ', map { $_->[0] } @r), '200 200 200 200',
               'served while Redis is gone');
Test::More::is(join(' ', map { $_->[1]{'x-skip'} } @r),
               'buffered buffered buffered buffered', 'views buffered');
Test::More::is(join(' ', map { $_->[2] =~ />(\d+) Views</ } @r),
               '17 18 19 20', 'each shows the count it will have');
Test::More::like((NewsTest::http_get('/metrics'))[2],
                 qr{^news_views_buffered 4$}m, 'the metric');
Test::More::is(::store('HGET', 'news:article:kept', 'views'), '16',
               'not in Redis yet');
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /news/never
--- error_code: 503
--- response_headers
X-Skip: error
--- error_log eval
[qr{news: pages served from this worker's articles while Redis cannot be used \(news_stale, said once a minute\)},
 qr{news: 503 for article "news:article:never"}]



=== TEST 2: ... and back: the buffered views are added exactly once
--- init
::switch('up');
::connected();
::store('HSET', 'news:article:kept', 'views', '10');
Test::More::is(::shown('/news/kept', 2), '11 12', 'counted');
::switch('down');
Time::HiRes::sleep(0.3);
Test::More::is(::shown('/news/kept', 4), '13 14 15 16', 'served, buffered');
::switch('up');
Test::More::is(::wait_views('news:article:kept', '16'), '16',
               'the four buffered views added');
Time::HiRes::sleep(1.5);
Test::More::is(::store('HGET', 'news:article:kept', 'views'), '16',
               'and not again');
my @markers = grep { length } split /\n/,
    ::store('KEYS', 'news:article:kept:flushed:*');
Test::More::is(scalar @markers, 1, 'one batch, one marker');
Test::More::cmp_ok(::store('TTL', $markers[0]), '>', 86000,
                   'the marker lives a day');
Test::More::like((NewsTest::http_get('/metrics'))[2],
                 qr{^news_views_buffered 0$}m, 'nothing left buffered');
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /news/kept
--- response_headers
X-Skip:
--- response_body_like: >17 Views<
--- error_log
news_stale: 4 views of 1 articles added to Redis



=== TEST 3: a batch whose reply is lost is sent again and added once
--- init
::switch('up');
::connected();
::store('DEL', grep { length } split /\n/,
        ::store('KEYS', 'news:article:kept:flushed:*'));
::store('HSET', 'news:article:kept', 'views', '100');
Test::More::is(::shown('/news/kept', 4), '101 102 103 104', 'counted');
::switch('down');
Time::HiRes::sleep(0.3);
Test::More::is(::shown('/news/kept', 3), '105 106 107',
               'served from the kept article while Redis is gone');
my $monitor = NewsTest::monitor_start($::Store->{port});
::switch('lose-flush');
Test::More::is(::wait_views('news:article:kept', '107'), '107',
               'the three buffered views added');
my @sent = grep { grep { /:flushed:/ } @$_ }
           NewsTest::monitor_commands($monitor, 2.5);
Test::More::is(scalar @sent, 2, 'the batch was sent twice');
Test::More::is_deeply($sent[0], $sent[1], 'the same batch, marker and all');
Test::More::is(::store('HGET', 'news:article:kept', 'views'), '107',
               'added once, although the first reply was lost and it was '
               . 'sent again');
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /news/kept
--- response_body_like: >108 Views<
--- error_log eval
[qr{news_stale: 3 views of 1 articles added to Redis},
 qr{news redis connection failed: Redis closed the connection}]



=== TEST 4: under load, Redis gone and back: every page 200, no view twice
--- init
::switch('up');
::connected();
::store('HSET', 'news:article:kept', 'views', '0');
Test::More::is(::shown('/news/kept', 1), '1', 'kept');
my $log = "$ENV{TEST_NGINX_SERVER_ROOT}/logs/skip.log";
truncate $log, 0;
my $load = NewsTest::start_load('/news/kept', seconds => 3,
                                concurrency => 10);
Time::HiRes::sleep(1);
::switch('down');
Time::HiRes::sleep(1);
::switch('up');
my @r = NewsTest::finish_load($load);
my %status;
$status{$_->{status}}++ for @r;
Test::More::is(join(' ', keys %status), '200', 'every page served');
open my $fh, '<', $log or die "$log: $!";
my %reason;
while (<$fh>) {
    my $why = (split ' ')[1] // '-';
    $reason{$why eq '-' ? 'counted' : $why}++;
}
Test::More::cmp_ok($reason{buffered} // 0, '>', 0, 'views buffered');
Test::More::ok(NewsTest::wait_metric('news_views_buffered', 0, 10),
               'all buffered views added');
my $counted = ($reason{counted} // 0) + ($reason{buffered} // 0);
my $unsure = $reason{error} // 0;
my $views = ::store('HGET', 'news:article:kept', 'views');
Test::More::cmp_ok($views, '>=', 1 + $counted,
                   "every view counted or buffered is in Redis ($counted)");
Test::More::cmp_ok($views, '<=', 1 + $counted + $unsure,
                   "and no view twice ($unsure sent when the link broke "
                   . "may have run)")
    or Test::More::diag(join ' ', %reason);
--- http_config eval
$::HttpConfig . <<'_EOC_';
    log_format skip '$status $news_skip_reason';
    access_log logs/skip.log skip;
_EOC_
--- config eval: $::Config
--- request
GET /news/kept
--- error_code: 200
--- timeout: 20



=== TEST 5: a connection loads each script its configuration uses, once
--- init
# the worker's first connection is set up once a page was served
NewsTest::http_get('/news/kept');
my $monitor = NewsTest::monitor_start($::Store->{port});
# nginx's connection, not the monitor's
NewsTest::redis_on($::Store, 'CLIENT', 'KILL', 'ID', $_->{id})
    for grep { $_->{flags} !~ /O/ } NewsTest::client_list($::Store);
my ($status) = NewsTest::http_get('/news/kept');
Test::More::is($status, 200, 'served over the new connection');
my @cmds = NewsTest::monitor_commands($monitor, 1);
my @loads = map { $_->[2] } grep { lc($_->[0]) eq 'script' } @cmds;
my %seen;
Test::More::is(scalar(grep { !$seen{$_}++ } @loads), scalar(@loads),
               'no script loaded twice');
Test::More::is(scalar(@loads), 4,
               'the view, publishing, news_stale and list scripts');
Test::More::ok(scalar(grep { /:flushed:|'SET', KEYS\[1\]/ } @loads),
               'news_stale\'s among them');
--- http_config eval: $::HttpConfig
--- config eval
$::Config . <<'_EOC_';
    location ~ ^/api/(?<slug>[a-z0-9-]+)$ {
        news_publish $slug;
    }
    location = /latest {
        news_list latest;
    }
_EOC_
--- request
GET /news/kept
--- error_code: 200



=== TEST 6: more articles than one batch holds: every view added once, 100 a batch
--- init
::switch('up');
::connected();
my @keys = map { "news:article:many-$_" } 1 .. 150;
::store('DEL', @keys);
::store('HSET', $_, 'title', 'Many', 'views', '0', 'rev', '1') for @keys;
my @kept = grep { $_ == 200 }
           map { (NewsTest::http_get("/news/many-$_"))[0] } 1 .. 150;
Test::More::is(scalar @kept, 150, 'each counted and kept');
::switch('down');
Time::HiRes::sleep(0.3);
my @served = grep { $_ == 200 }
             map { (NewsTest::http_get("/news/many-$_"))[0] } 1 .. 150;
Test::More::is(scalar @served, 150, 'each served while Redis is gone');
::switch('up');
Test::More::is(::wait_views($keys[-1], '2'), '2', 'the last one added');
Test::More::is(::wait_views($keys[0], '2'), '2', 'the first one added');
Time::HiRes::sleep(1.5);
Test::More::is(join(' ', map { ::store('HGET', $_, 'views') } @keys),
               join(' ', ('2') x 150), 'every view added, once');
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /metrics
--- response_body_like: (?m)^news_views_buffered 0$
--- error_log
news_stale: 100 views of 100 articles added to Redis
news_stale: 50 views of 50 articles added to Redis
