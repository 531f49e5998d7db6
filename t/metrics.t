# Prometheus metrics: the text format of news_metrics, and what moves each
# family.  Every scenario scrapes before and after a known sequence and
# checks the exact change of every sample, so that a counter that moves
# when it should not fails as surely as one that does not move.  Two
# workers: the counters and the connection gauge are shared by them.
# The configuration checks run nginx -t, as t/config.t does.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

master_on();
workers(2);
worker_connections(1024);
no_shuffle();
no_long_string();

# private servers: these tests kill and pause them
our $Dead = NewsTest::start_redis();
our $Stalled = NewsTest::start_redis();

$ENV{TEST_NGINX_DEAD_PORT} = $Dead->{port};
$ENV{TEST_NGINX_STALLED_PORT} = $Stalled->{port};

our $Zone = <<'_EOC_';
    news_metrics_zone news 64k;
_EOC_

our $Config = <<'_EOC_';
    location = /metrics {
        news_metrics;
    }

    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views_skip $arg_preview;

        if ($arg_deny) {
            return 403;
        }
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

our $Plain = <<'_EOC_';
    location = /t {
        return 200 "checked\n";
    }
_EOC_

our @Le = qw(0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 +Inf);

# ready($n): waits until the workers have their $n Redis connections
# (2: one per worker); returns that scrape.
sub ::ready {
    my ($n) = @_;
    $n //= 2;
    my $m = NewsTest::wait_metric('news_redis_connections', $n, 10);
    Test::More::ok($m, "$n Redis connections open")
        or Test::More::diag('news_redis_connections: '
                            . NewsTest::scrape()->{news_redis_connections});
    return $m;
}

# check_deltas($before, $after, { sample => change }, $what): each sample
# changed by exactly the given amount and every other sample not at all.
# A sample given as undef is the caller's to check.  Left to
# check_histogram: the buckets and the sum, which depend on timing; the
# connections gauge is a level, not a count: checked on its own.
sub ::check_deltas {
    my ($before, $after, $want, $what) = @_;
    my %keys = map { $_ => 1 } keys %$before, keys %$after, keys %$want;
    my @bad;
    for my $k (sort keys %keys) {
        next if $k =~ /^news_redis_latency_seconds_(?:bucket|sum)\b/
                || $k eq 'news_redis_connections';
        next if exists $want->{$k} && !defined $want->{$k};
        if (!defined $after->{$k}) {
            push @bad, "$k: missing";
            next;
        }
        my $d = $after->{$k} - ($before->{$k} // 0);
        my $w = $want->{$k} // 0;
        push @bad, "$k: changed by $d, expected $w" if $d != $w;
    }
    Test::More::is(scalar(@bad), 0, "$what: every sample changed as expected")
        or Test::More::diag(join "\n", @bad);
}

# check_histogram($before, $after, $n, $what): $n observations; buckets
# cumulative (each at least the one before), +Inf equal to the count,
# and each bucket's change at least the change of the one before.
sub ::check_histogram {
    my ($before, $after, $n, $what) = @_;
    my $b = 'news_redis_latency_seconds_bucket';
    my (@bad, $prev, $prev_d);
    for my $le (@Le) {
        my ($v, $v0) = map { $_->{"$b\{le=\"$le\"}"} } $after, $before;
        if (!defined $v || !defined $v0) {
            push @bad, "bucket $le missing";
            next;
        }
        my $d = $v - $v0;
        push @bad, "bucket $le: $v below the one before ($prev)"
            if defined $prev && $v < $prev;
        push @bad, "bucket $le: +$d below the one before (+$prev_d)"
            if defined $prev_d && $d < $prev_d;
        ($prev, $prev_d) = ($v, $d);
    }
    my $count = $after->{news_redis_latency_seconds_count};
    push @bad, "+Inf $prev is not the count $count"
        if !defined $count || !defined $prev || $prev != $count;
    push @bad, "+Inf bucket changed by $prev_d, expected $n"
        if !defined $prev_d || $prev_d != $n;
    my $sum = $after->{news_redis_latency_seconds_sum}
              - $before->{news_redis_latency_seconds_sum};
    push @bad, "the sum went down by $sum" if $sum < 0;
    Test::More::is(scalar(@bad), 0, "$what: histogram of $n round trips")
        or Test::More::diag(join "\n", @bad);
}

# the line of nginx_t's configuration file that holds the $n-th line of
# its http block
sub ::conf_line {
    my ($n) = @_;
    my @modules = split ' ', $ENV{TEST_NGINX_LOAD_MODULES} || '';
    return @modules + 4 + $n;
}

run_tests();

__DATA__

=== TEST 1: the Prometheus text format: HELP, then TYPE, then the samples of each family
--- http_config eval: $::Zone
--- config eval: $::Config
--- init
::ready();
my ($status, $h, $body) = NewsTest::http_get('/metrics');
my %want = (news_build_info => 'gauge',
            news_pages_total => 'counter',
            news_views_counted_total => 'counter',
            news_views_skipped_total => 'counter',
            news_redis_commands_total => 'counter',
            news_redis_errors_total => 'counter',
            news_redis_reconnects_total => 'counter',
            news_redis_connections => 'gauge',
            news_views_buffered => 'gauge',
            news_redis_latency_seconds => 'histogram');
my (%help, %type, %labels, @bad, $family);
for my $line (split /\n/, $body) {
    if ($line =~ /^# HELP (\w+) \S/) {
        push @bad, "HELP twice: $line" if $help{$1}++;
        $family = undef;
    } elsif ($line =~ /^# TYPE (\w+) (\w+)$/) {
        push @bad, "TYPE before HELP: $line" unless $help{$1};
        $type{$1} = $2;
        $family = $1;
    } elsif ($line =~ /^(\w+)(?:\{(\w+)="([^"]+)"\})? (\d+(?:\.\d+)?)$/) {
        my ($name, $label, $value) = ($1, $2, $3);
        my $f = $family // '';
        push @bad, "sample outside its family: $line"
            unless $name eq $f
                   || ($type{$f} // '') eq 'histogram'
                      && $name =~ /^\Q$f\E_(?:bucket|sum|count)$/;
        push @{ $labels{$name} }, "$label=$value" if defined $label;
    } else {
        push @bad, "not the text format: $line";
    }
}
Test::More::is_deeply(\%type, \%want, 'each family has its HELP and TYPE');
Test::More::is(scalar(@bad), 0, 'nothing else') or Test::More::diag(join "\n", @bad);
Test::More::like($body, qr/\n\z/, 'the last line ends too');
Test::More::is_deeply($labels{news_pages_total},
    [map { "status=$_" } qw(200 400 404 405 499 500 502 503 504)],
    'the statuses of news pages, shown from the start');
Test::More::is_deeply($labels{news_views_skipped_total},
    [map { "reason=$_" }
     qw(off head skip prefetch dedupe draft not_found error refused
        buffered)],
    'the reasons a view is not counted');
Test::More::is_deeply($labels{news_redis_errors_total},
    [map { "kind=$_" } qw(connect timeout error_reply noscript)],
    'the kinds of Redis errors');
Test::More::is_deeply($labels{news_redis_latency_seconds_bucket},
    [map { "le=$_" } @::Le], 'the buckets, in order');
--- request
GET /metrics
--- response_headers
Content-Type: text/plain; version=0.0.4; charset=utf-8
Cache-Control: no-store
--- response_body_like: \A# HELP news_build_info .*\n# TYPE news_build_info gauge\n
--- no_error_log
[error]



=== TEST 2: news_metrics answers GET and HEAD; other methods get 405 with Allow
--- http_config eval: $::Zone
--- config eval: $::Config
--- request eval
["POST /metrics\nnothing", "DELETE /metrics", "HEAD /metrics", "GET /metrics"]
--- error_code eval
[405, 405, 200, 200]
--- response_headers eval
["Allow: GET, HEAD", "Allow: GET, HEAD",
 "Content-Type: text/plain; version=0.0.4; charset=utf-8\nCache-Control: no-store",
 "Content-Type: text/plain; version=0.0.4; charset=utf-8\nCache-Control: no-store"]
--- response_body_like eval
[qr/405 Not Allowed/, qr/405 Not Allowed/, qr/\A\z/,
 qr/^news_redis_connections \d+$/m]



=== TEST 3: pages by status, views counted and skipped by reason, commands, error replies and round trips: exact changes
--- http_config eval: $::Zone
--- config eval: $::Config
--- init
NewsTest::article('m-story', title => 'Counted story');
NewsTest::article('m-draft', title => 'Not yet', status => 'draft');
NewsTest::redis('DEL', 'news:article:m-gone', 'news:article:m-gone-too');
NewsTest::redis('SET', 'news:article:m-string', 'not a hash');
my $before = ::ready();
my @r;
push @r, [NewsTest::http_get('/news/m-story')] for 1 .. 3;
push @r, [NewsTest::http_request('HEAD', '/news/m-story')] for 1 .. 2;
push @r, [NewsTest::http_get('/news/m-story', 'Sec-Purpose' => 'prefetch')];
push @r, [NewsTest::http_get('/news/m-story?preview=1')];
push @r, [NewsTest::http_get('/uncounted/m-story')];
push @r, [NewsTest::http_get('/news/m-gone')],
         [NewsTest::http_get('/news/m-gone-too')];
push @r, [NewsTest::http_get('/news/m-draft')];
push @r, [NewsTest::http_request('POST', '/news/m-story',
                                 'Content-Length' => 0)];
push @r, [NewsTest::http_get('/raw/m%0D%0Ax')];
push @r, [NewsTest::http_get('/news/m-string')];
push @r, [NewsTest::http_get('/news/m-story?deny=1')];
Test::More::is(join(' ', map { $_->[0] } @r),
               '200 200 200 200 200 200 200 200 404 404 404 405 400 502 403',
               'the statuses of the sequence');
Test::More::is(NewsTest::shown_views($r[2][2]), 3, 'three views counted');
my $after = NewsTest::scrape();
::check_deltas($before, $after, {
    'news_pages_total{status="200"}' => 8,
    'news_pages_total{status="404"}' => 3,
    'news_pages_total{status="405"}' => 1,
    'news_pages_total{status="400"}' => 1,
    'news_pages_total{status="502"}' => 1,
    'news_pages_total{status="403"}' => 1,
    'news_views_counted_total' => 3,
    'news_views_skipped_total{reason="head"}' => 2,
    'news_views_skipped_total{reason="prefetch"}' => 1,
    'news_views_skipped_total{reason="skip"}' => 1,
    'news_views_skipped_total{reason="off"}' => 1,
    'news_views_skipped_total{reason="not_found"}' => 2,
    'news_views_skipped_total{reason="draft"}' => 1,
    'news_views_skipped_total{reason="error"}' => 1,
    # counted GETs (the 3 views, 2 missing, the draft, the string) are
    # MULTI, EVALSHA, HGETALL, EXEC; the 5 others HGETALL alone
    'news_redis_commands_total' => 7 * 4 + 5,
    'news_redis_errors_total{kind="error_reply"}' => 1,
    'news_redis_latency_seconds_count' => 12,
}, 'the sequence');
::check_histogram($before, $after, 12, 'the sequence');
Test::More::is($after->{news_redis_connections}, 2,
               'one connection per worker');
--- request
GET /metrics
--- response_body_like: (?m)^news_pages_total\{status="403"\} 1$
--- error_log
news: 502 for article "news:article:m-string"



=== TEST 4: repeat views (news_views_unique) and beacons (news_beacon): skipped as dedupe, counted by the script alone
--- http_config eval: $::Zone
--- config
    location = /metrics {
        news_metrics;
    }

    location ~ ^/unique/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views_unique 1h;
        news_views_visitor $http_x_reader;
    }

    location ~ ^/beacon/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_beacon news:article:$1;
    }
--- init
NewsTest::article('m-once', title => 'Once per reader');
my $reader = 'reader-' . $$ . '-' . int(rand(1e9));
my $before = ::ready();
my @r;
push @r, [NewsTest::http_get('/unique/m-once', 'X-Reader' => $reader)]
    for 1 .. 2;
push @r, [NewsTest::http_request('POST', '/beacon/m-once',
                                 'Content-Length' => 0)];
push @r, [NewsTest::http_request('HEAD', '/beacon/m-once')];
Test::More::is(join(' ', map { $_->[0] } @r), '200 200 204 204',
               'the statuses');
my $after = NewsTest::scrape();
::check_deltas($before, $after, {
    'news_pages_total{status="200"}' => 2,
    'news_pages_total{status="204"}' => 2,
    'news_views_counted_total' => 2,
    'news_views_skipped_total{reason="dedupe"}' => 1,
    'news_views_skipped_total{reason="head"}' => 1,
    # two pages: MULTI, EVALSHA, HGETALL, EXEC; the beacon: EVALSHA; the
    # HEAD beacon asks Redis nothing
    'news_redis_commands_total' => 2 * 4 + 1,
    'news_redis_latency_seconds_count' => 3,
}, 'repeats and beacons');
--- request
GET /metrics
--- response_body_like: (?m)^news_views_skipped_total\{reason="dedupe"\} 1$



=== TEST 5: a response that error_page sends elsewhere is still the news location's
--- http_config eval: $::Zone
--- config
    location = /metrics {
        news_metrics;
    }

    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        error_page 404 /gone.html;
    }
--- user_files
>>> gone.html
gone
--- init
NewsTest::redis('DEL', 'news:article:m-elsewhere');
my $before = ::ready();
my ($status, $h, $body) = NewsTest::http_get('/news/m-elsewhere');
Test::More::is("$status $body", "404 gone\n", 'the error page, with 404');
my $after = NewsTest::scrape();
::check_deltas($before, $after, {
    'news_pages_total{status="404"}' => 1,
    'news_views_skipped_total{reason="not_found"}' => 1,
    'news_redis_commands_total' => 4,
    'news_redis_latency_seconds_count' => 1,
}, 'a redirected 404');
--- request
GET /metrics
--- response_body_like: (?m)^news_pages_total\{status="404"\} 1$



=== TEST 6: the connection gauge: one per worker; a worker killed with its connection open leaves it
--- http_config eval: $::Zone
--- config eval: $::Config
--- init
my $before = ::ready();
my @old = NewsTest::worker_pids();
Test::More::is(scalar(@old), 2, 'two workers');
kill 'KILL', $old[0];
Test::More::is(scalar(NewsTest::wait_gone(5, $old[0])), 0, 'one killed');
# its replacement is connected once its SCRIPT LOAD is counted
my $after = NewsTest::wait_metric('news_redis_commands_total',
                                  $before->{news_redis_commands_total} + 1,
                                  10);
Test::More::ok($after, 'a new worker connected');
my @new = NewsTest::worker_pids();
Test::More::is(scalar(@new), 2, 'two workers again');
Test::More::is($after->{news_redis_connections}, 2,
               'two connections: the dead worker\'s is not counted');
::check_deltas($before, $after, {
    'news_redis_commands_total' => 1,
}, 'a new worker');
--- request
GET /metrics
--- response_body_like: (?m)^news_redis_connections 2$
--- error_log
[alert]
exited on signal 9



=== TEST 7: Redis killed: 503s, failed connection attempts, reconnects, and the gauge back where it was
--- http_config eval: $::Zone
--- config
    location = /metrics {
        news_metrics;
    }

    location ~ ^/dead/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_DEAD_PORT;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Dead, 'HSET', 'news:article:m-dead', title => 'Dead');
my $before = ::ready();
NewsTest::kill_redis($::Dead);
Test::More::ok(NewsTest::wait_metric('news_redis_connections', 0, 5),
               'both connections lost');
my @r = map { [NewsTest::http_get('/dead/m-dead')] } 1 .. 2;
Test::More::is("$r[0][0] $r[1][0]", '503 503', '503 while Redis is down');
NewsTest::restart_redis($::Dead);
NewsTest::redis_on($::Dead, 'HSET', 'news:article:m-dead', title => 'Dead');
::ready();
my ($status) = NewsTest::http_get('/dead/m-dead');
Test::More::is($status, 200, 'then 200');
my $after = NewsTest::scrape();
my $d = sub { $after->{$_[0]} - $before->{$_[0]} };
# the SCRIPT LOADs the restarted Redis got: one per connection, more if
# one met it still loading (refused, sent again on the next attempt)
my ($loads, $refused) = NewsTest::redis_on($::Dead, 'INFO', 'commandstats')
    =~ /^cmdstat_script\|load:calls=(\d+),.*?rejected_calls=(\d+)/m;
Test::More::cmp_ok($loads // 0, '>=', 2, 'each worker loaded the script');
my $connect = $d->('news_redis_errors_total{kind="connect"}');
# written: those, the view's four, and at most one SCRIPT LOAD per failed
# attempt: a worker that reconnects at once can reach the killed Redis
# before it has closed its listening socket, write its SCRIPT LOAD and
# be reset (seen under valgrind); the new Redis never sees that one
my $written = $d->('news_redis_commands_total');
my $seen = ($loads // 0) + ($refused // 0) + 4;
Test::More::ok($written >= $seen && $written <= $seen + $connect,
               "commands written: $written, Redis got $seen, "
               . "$connect failed attempts");
Test::More::cmp_ok($connect, '>=', 2,
                   'each worker failed to connect at least once');
Test::More::is($d->('news_redis_reconnects_total'), $connect + 2,
               'reconnects: every failed attempt, and the two that worked');
::check_deltas($before, $after, {
    'news_pages_total{status="503"}' => 2,
    'news_pages_total{status="200"}' => 1,
    'news_views_skipped_total{reason="error"}' => 2,
    'news_views_counted_total' => 1,
    'news_redis_errors_total{kind="connect"}' => undef,
    'news_redis_reconnects_total' => undef,
    'news_redis_commands_total' => undef,     # checked above
    'news_redis_latency_seconds_count' => 1,
}, 'Redis killed and back');
--- request
GET /metrics
--- response_body_like: (?m)^news_redis_connections 2$
--- timeout: 10



=== TEST 8: Redis paused past news_redis_timeout: a 504, one timeout, one reconnect
--- http_config eval: $::Zone
--- config
    location = /metrics {
        news_metrics;
    }

    location ~ ^/stalled/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_STALLED_PORT;
        news_redis_timeout 1s;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Stalled, 'HSET', 'news:article:m-stalled',
                   title => 'Stalled');
my $before = ::ready();
my $t0 = Time::HiRes::time();
NewsTest::redis_on($::Stalled, 'CLIENT', 'PAUSE', 1500);
my ($status) = NewsTest::http_get('/stalled/m-stalled');
Test::More::is($status, 504, '504 while Redis is paused');
Time::HiRes::sleep(0.02) while Time::HiRes::time() - $t0 < 1.6;
($status) = NewsTest::http_get('/stalled/m-stalled');
Test::More::is($status, 200, '200 after the pause');
my $after = NewsTest::scrape();
::check_deltas($before, $after, {
    'news_pages_total{status="504"}' => 1,
    'news_pages_total{status="200"}' => 1,
    'news_views_skipped_total{reason="error"}' => 1,
    'news_views_counted_total' => 1,
    'news_redis_errors_total{kind="timeout"}' => 1,
    'news_redis_reconnects_total' => 1,
    # the view given up, SCRIPT LOAD on the new connection, the view
    'news_redis_commands_total' => 4 + 1 + 4,
    'news_redis_latency_seconds_count' => 1,
}, 'Redis paused');
Test::More::is($after->{news_redis_connections}, 2, 'two connections');
--- request
GET /metrics
--- response_body_like: (?m)^news_redis_errors_total\{kind="timeout"\} 1$
--- timeout: 10



=== TEST 9: Redis lost its scripts (SCRIPT FLUSH): one noscript, the view sent again as EVAL
--- http_config eval: $::Zone
--- config eval: $::Config
--- init
NewsTest::article('m-flushed', title => 'Flushed');
my $before = ::ready();
NewsTest::redis('SCRIPT', 'FLUSH');
my ($status, $h, $body) = NewsTest::http_get('/news/m-flushed');
Test::More::is($status, 200, 'served');
Test::More::is(NewsTest::shown_views($body), 1, 'counted once');
my $after = NewsTest::scrape();
::check_deltas($before, $after, {
    'news_pages_total{status="200"}' => 1,
    'news_views_counted_total' => 1,
    'news_redis_errors_total{kind="noscript"}' => 1,
    # the transaction with EVALSHA, then again with EVAL
    'news_redis_commands_total' => 4 + 4,
    'news_redis_latency_seconds_count' => 2,
}, 'a lost script');
::check_histogram($before, $after, 2, 'a lost script');
--- request
GET /metrics
--- response_body_like: (?m)^news_redis_errors_total\{kind="noscript"\} 1$



=== TEST 10: a client that leaves while Redis has its command: 499, neither counted nor skipped
--- http_config eval: $::Zone
--- config
    location = /metrics {
        news_metrics;
    }

    location ~ ^/stalled/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_STALLED_PORT;
        news_redis_timeout 5s;
        news_article news:article:$1;
    }
--- init
NewsTest::redis_on($::Stalled, 'DEL', 'news:article:m-leaving');
NewsTest::redis_on($::Stalled, 'HSET', 'news:article:m-leaving',
                   title => 'Leaving');
my $before = ::ready();
NewsTest::redis_on($::Stalled, 'CLIENT', 'PAUSE', 1000, 'WRITE');
my ($sock) = NewsTest::open_gets('/stalled/m-leaving', 1);
Test::More::ok(NewsTest::wait_views_queued($::Stalled, 1,
                                           'news:article:m-leaving', 0.8),
               'the command is at Redis');
close $sock;
# the reply comes when the pause ends, and is dropped
my $after = NewsTest::wait_metric('news_redis_latency_seconds_count',
    $before->{news_redis_latency_seconds_count} + 1, 5);
Test::More::ok($after, 'the late reply came');
::check_deltas($before, $after, {
    'news_pages_total{status="499"}' => 1,
    'news_redis_commands_total' => 4,
    'news_redis_latency_seconds_count' => 1,
}, 'a client that left');
Test::More::is(NewsTest::redis_on($::Stalled, 'HGET', 'news:article:m-leaving',
                                  'views'),
               1, 'Redis did count the view');
--- request
GET /metrics
--- response_body_like: (?m)^news_pages_total\{status="499"\} 1$
--- timeout: 10



=== TEST 11: a reload (HUP) keeps the zone: the counters go on, the gauge is the new workers'
--- http_config eval: $::Zone
--- config eval: $::Config
--- init
NewsTest::article('m-reload', title => 'Reload');
::ready();
NewsTest::http_get('/news/m-reload') for 1 .. 2;
my $before = NewsTest::scrape();
my @old = NewsTest::worker_pids();
kill 'HUP', NewsTest::master_pid();
Test::More::is(scalar(NewsTest::wait_gone(10, @old)), 0,
               'the old workers exited');
my $after = ::ready();
Test::More::cmp_ok($after->{'news_pages_total{status="200"}'}, '>=', 2,
                   'not reset');
::check_deltas($before, $after, {
    'news_redis_commands_total' => 2,   # the new connections' SCRIPT LOAD
}, 'a reload');
my ($status) = NewsTest::http_get('/news/m-reload');
my $later = NewsTest::scrape();
Test::More::is($later->{'news_pages_total{status="200"}'}
               - $after->{'news_pages_total{status="200"}'}, 1,
               'and counting goes on');
--- request
GET /metrics
--- response_body_like: (?m)^news_redis_connections 2$
--- timeout: 15



=== TEST 12: a reload that resizes the zone starts from zero; old workers leave the new gauge alone
--- http_config eval: $::Zone
--- config eval: $::Config
--- init
NewsTest::article('m-resized', title => 'Resized');
::ready();
NewsTest::http_get('/news/m-resized');
my $conf = "$ENV{TEST_NGINX_SERVER_ROOT}/conf/nginx.conf";
open my $in, '<', $conf or die "$conf: $!";
my $text = do { local $/; <$in> };
close $in;
$text =~ s/news_metrics_zone news 64k;/news_metrics_zone news 128k;/
    or die "no zone in $conf";
open my $out, '>', $conf or die "$conf: $!";
print $out $text;
close $out;
my @old = NewsTest::worker_pids();
kill 'HUP', NewsTest::master_pid();
Test::More::is(scalar(NewsTest::wait_gone(10, @old)), 0,
               'the old workers exited');
my $after = ::ready();
Test::More::is($after->{'news_pages_total{status="200"}'}, 0,
               'a new zone: pages from zero');
Test::More::is($after->{news_redis_commands_total}, 2,
               'commands: the new connections\' SCRIPT LOAD only');
--- request
GET /metrics
--- response_body_like: (?m)^news_redis_connections 2$
--- timeout: 15



=== TEST 13: news_metrics without news_metrics_zone fails nginx -t, naming the line
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location = /metrics {
            news_metrics;
        }
    }
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
my $line = ::conf_line(3);
Test::More::like($out, qr/\[emerg\] \d+#\d+: no "news_metrics_zone" is defined for the "news_metrics" directive in \S+nginx\.conf:$line\n/,
                 'message names the directive and its line');
--- config eval: $::Plain
--- request
GET /t
--- response_body
checked



=== TEST 14: the zone may follow the location that shows it
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location = /metrics {
            news_metrics;
        }
    }
    news_metrics_zone news 32k;
_EOC_
Test::More::is($rc, 0, 'nginx -t passes') or Test::More::diag($out);
Test::More::like($out, qr/test is successful/, 'message');
--- config eval: $::Plain
--- request
GET /t
--- response_body
checked



=== TEST 15: a zone smaller than 8 pages is too small
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_metrics_zone news 16k;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/\[emerg\] .*zone "news" is too small, the minimum is 32k in \S+nginx\.conf:\d+/,
                 'message');
--- config eval: $::Plain
--- request
GET /t
--- response_body
checked



=== TEST 16: a size that is no size
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_metrics_zone news lots;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/\[emerg\] .*invalid zone size "lots" in \S+nginx\.conf:\d+/,
                 'message');
--- config eval: $::Plain
--- request
GET /t
--- response_body
checked



=== TEST 17: a second news_metrics_zone is a duplicate
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_metrics_zone news 64k;
    news_metrics_zone other 64k;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
my $line = ::conf_line(2);
Test::More::like($out, qr/\[emerg\] .*"news_metrics_zone" directive is duplicate in \S+nginx\.conf:$line\n/,
                 'message names the second one');
--- config eval: $::Plain
--- request
GET /t
--- response_body
checked



=== TEST 18: news_metrics_zone belongs to the http block, news_metrics to locations and takes no arguments
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        news_metrics_zone news 64k;
    }
_EOC_
Test::More::isnt($rc, 0, 'zone in a server: nginx -t fails');
Test::More::like($out, qr/"news_metrics_zone" directive is not allowed here/,
                 'message');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_metrics_zone news 64k;
    server {
        news_metrics;
    }
_EOC_
Test::More::isnt($rc, 0, 'news_metrics in a server: nginx -t fails');
Test::More::like($out, qr/"news_metrics" directive is not allowed here/,
                 'message');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_metrics_zone news 64k;
    server {
        location = /metrics {
            news_metrics on;
        }
    }
_EOC_
Test::More::isnt($rc, 0, 'an argument: nginx -t fails');
Test::More::like($out, qr/invalid number of arguments in "news_metrics" directive/,
                 'message');
--- config eval: $::Plain
--- request
GET /t
--- response_body
checked



=== TEST 19: a zone name that another module uses is refused
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    limit_req_zone $binary_remote_addr zone=news:1m rate=1r/s;
    news_metrics_zone news 64k;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/the shared memory zone "news" is already declared for a different use/,
                 'message');
--- config eval: $::Plain
--- request
GET /t
--- response_body
checked
