# news_redis_sentinel on a real Sentinel topology (t/inc/NewsSentinel.pm):
# a primary, its replica and three sentinels on loopback.  Pages and
# exact counts through the primary the sentinels name; SENTINEL FAILOVER
# under load (only 200, 503 or 504, never a wrong page, served again
# without a reload, no acknowledged view lost); the old primary, now a
# replica, never written to, and refused by the ROLE check when a
# sentinel names it; every sentinel down at start (503 + Retry-After,
# then served when they come up); nginx -t on wrong settings; a
# sentinel user refused SUBSCRIBE (logged, made again once granted); a
# stopped sentinel's subscription given up (PING) and made again; a
# primary learnt from an answer, then the one it replaced not followed.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;
use NewsSentinel;
use Time::HiRes ();

master_on();
workers(2);
no_shuffle();
no_long_string();
worker_connections(1024);

our $T = NewsSentinel::start_topology(name => 'mymaster');
our $Old = $T->{primary};
our $New = $T->{replica};

$ENV{"TEST_NGINX_SENTINEL_$_"} = $T->{sentinels}[$_ - 1]{port} for 1 .. 3;

# (primary, replica) as they are now, once the replica replicates: a
# loaded machine may make the sentinels fail over on their own (a
# Redis silent for down-after-milliseconds), so no block assumes
sub ::roles {
    my ($p, $r);
    NewsSentinel::wait_for(sub {
        $p = NewsSentinel::server_on($::T, NewsSentinel::primary_port($::T));
        ($r) = grep { $_ != $p } @{ $::T->{servers} };
        NewsSentinel::role($p) eq 'master'
            && NewsSentinel::role($r) eq 'slave'
            && NewsSentinel::info($r, 'replication')
               =~ /master_port:$p->{port}\b.*master_link_status:up/s;
    }, 20) or Test::More::diag("no settled primary and replica");
    return ($p, $r);
}

sub ::statuses {
    my %n;
    $n{ $_->{status} }++ for @_;
    return join ', ', map { "$_: $n{$_}" } sort keys %n;
}

# the configuration of a private nginx (NewsTest::start_nginx)
sub ::sentinel_location {
    my ($master) = @_;
    return "        location ~ ^/news/([a-z0-9-]+)\$ {\n"
        . "            news_redis_sentinel " . ($master // 'mymaster')
        . join('', map { " 127.0.0.1:$_->{port}" } @{ $::T->{sentinels} })
        . ";\n            news_redis_timeout 1s;\n"
        . "            news_article news:article:\$1;\n        }\n";
}

run_tests();

__DATA__

=== TEST 1: pages and counts through the primary the sentinels name
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_sentinel mymaster 127.0.0.1:$TEST_NGINX_SENTINEL_1
                            127.0.0.1:$TEST_NGINX_SENTINEL_2
                            127.0.0.1:$TEST_NGINX_SENTINEL_3;
        news_redis_timeout 1s;
        news_article news:article:$1;
    }
--- init
($::Old, $::New) = ::roles();
NewsTest::redis_on($::Old, 'HSET', 'news:article:first',
                   title => 'First through Sentinel', views => 0);
my @shown;
for (1 .. 20) {
    my ($status, $h, $body) = NewsTest::http_get('/news/first');
    Test::More::is($status, 200, "view $_ served");
    push @shown, NewsTest::shown_views($body) // 'none';
}
Test::More::is("@shown", join(' ', 1 .. 20), 'shown counts rise by one');
Test::More::is(NewsTest::redis_on($::Old, 'HGET', 'news:article:first',
                                  'views'),
               20, 'the primary counted every view, exactly');
Test::More::ok(NewsSentinel::wait_for(sub {
                   NewsTest::redis_on($::New, 'EXISTS',
                                      'news:article:first') }, 5),
               'the replica has the article by replication');
Test::More::like(join('', NewsTest::log_since(0)),
    qr/news redis sentinel: primary of "mymaster" is 127\.0\.0\.1:$::Old->{port}\b/,
    'the log names the primary');
--- request
GET /news/first
--- response_body_like: <span class="views">21 Views</span>
--- error_log eval
[qr/news redis sentinel: primary of "mymaster" is 127\.0\.0\.1:\d+/,
 qr/news redis sentinel: watching "mymaster" on 127\.0\.0\.1:\d+/]
--- no_error_log
exited on signal
[alert]
[crit]



=== TEST 2: SENTINEL FAILOVER under load: only 200, 503 or 504, no wrong page, served again without reload, no acknowledged view lost
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_sentinel mymaster 127.0.0.1:$TEST_NGINX_SENTINEL_1
                            127.0.0.1:$TEST_NGINX_SENTINEL_2
                            127.0.0.1:$TEST_NGINX_SENTINEL_3;
        news_redis_timeout 1s;
        news_article news:article:$1;
    }
--- init
($::Old, $::New) = ::roles();
# Sentinel promotes the replica while the old primary still takes
# writes, until the switch is announced: what it counted then would be
# lost.  The module holds requests from the leading sentinel's
# +failover-state-send-slaveof-noone to the switch (no
# min-replicas-to-write on the primary here: not needed for this).
NewsTest::redis_on($::Old, 'HSET', 'news:article:ledger',
                   title => 'Ledger', views => 0);
NewsSentinel::wait_for(sub {
    NewsTest::redis_on($::New, 'EXISTS', 'news:article:ledger') }, 5);
my ($status) = NewsTest::http_get('/news/ledger');
Test::More::is($status, 200, 'served before the load');
my @workers = NewsTest::worker_pids();
my $mark = NewsTest::log_mark();

my $load = NewsTest::start_load('/news/ledger', seconds => 7,
                                concurrency => 10);
Time::HiRes::sleep(1.5);
my $asked = NewsSentinel::failover($::T);
NewsSentinel::wait_for(sub {
    NewsSentinel::primary_port($::T) == $::New->{port} }, 10);
my $switched = Time::HiRes::time();
my @r = NewsTest::finish_load($load);
# one more, after the load: the count includes every 200 of the load
my ($s2, $h2, $b2) = NewsTest::http_get('/news/ledger');
my $views = NewsTest::redis_on($::New, 'HGET', 'news:article:ledger',
                               'views');

my @ok = grep { $_->{status} == 200 } @r;
my @bad = grep { $_->{status} != 200 } @r;
my ($first_bad) = sort { $a <=> $b } map { $_->{start} } @bad;
my ($last_bad) = sort { $b <=> $a } map { $_->{end} } @bad;
my ($slowest) = sort { $b <=> $a } map { $_->{latency} } @r;
Test::More::note(sprintf 'load: %d requests (%s), the slowest %.3f s; '
    . 'failover asked at +%.3f s, sentinels named the new primary %.3f s '
    . 'later; non-200 from +%.3f s to +%.3f s (%.3f s); views %s, 200s %d',
    scalar @r, ::statuses(@r), $slowest, $asked - $load->{started},
    $switched - $asked,
    ($first_bad // $asked) - $load->{started},
    ($last_bad // $asked) - $load->{started},
    ($last_bad // 0) - ($first_bad // 0), $views, scalar @ok);
if ($ENV{NEWS_SENTINEL_DEBUG}) {
    my @v = sort { $a <=> $b } map { $_->{views} } @ok;
    my @twice = grep { $v[$_] == $v[$_ - 1] } 1 .. $#v;
    Test::More::diag(sprintf 'shown %d to %d, %d shown twice; the old '
        . 'primary has %s', $v[0] // 0, $v[-1] // 0, scalar @twice,
        NewsTest::redis_on($::Old, 'HGET', 'news:article:ledger', 'views'));
}

Test::More::is(scalar(grep { $_->{status} != 200 && $_->{status} != 503
                             && $_->{status} != 504 } @r),
               0, 'every answer 200, 503 or 504: none lost, hung or wrong')
    or Test::More::diag(::statuses(@r));
Test::More::is(scalar(grep { !defined $_->{views} || $_->{views} eq '' }
                      @ok),
               0, 'every 200 is the article page with its count');
my %shown;
$shown{ $_->{views} }++ for @ok;
Test::More::is(scalar(grep { $shown{$_} > 1 } keys %shown), 0,
               'no count was shown twice');
Test::More::ok(scalar(grep { $_->{end} < $asked } @ok), '200s before');
Test::More::ok(scalar(grep { $_->{start} > $switched + 1 } @ok),
               '200s after the switch, without a reload');
Test::More::is(scalar(grep { $_->{start} > $switched + 1 } @bad), 0,
               'nothing but 200s from a second after the switch');
Test::More::is($s2, 200, 'served after the load');
Test::More::is($views, @ok + 2,
               'the new primary has every acknowledged view, exactly');
Test::More::is(NewsSentinel::role($::New), 'master', 'the replica took over');
Test::More::is("@{[NewsTest::worker_pids()]}", "@workers",
               'the same workers throughout: no reload');

# every worker followed the switch itself
my %moved;
for (NewsTest::log_since($mark)) {
    $moved{$1}++ if /(\d+)#\d+: .*news redis sentinel: "mymaster" switched to 127\.0\.0\.1:$::New->{port}/;
}
Test::More::is(join(' ', sort keys %moved), join(' ', sort @workers),
               'each worker was told of the switch');
my $log = join '', NewsTest::log_since($mark);
Test::More::like($log, qr/news redis sentinel: "mymaster" is failing over \(\+failover-state-send-slaveof-noone from 127\.0\.0\.1:$ENV{TEST_NGINX_SENTINEL_1}\), requests wait for the new primary/,
                 'the failover is logged, from the sentinel that led it');
Test::More::like($log, qr/news redis sentinel: "mymaster" switched to 127\.0\.0\.1:$::New->{port} \(\+switch-master from 127\.0\.0\.1:\d+\)/,
                 'the switch is logged');
Test::More::like($log, qr/news redis sentinel: primary of "mymaster" is 127\.0\.0\.1:$::New->{port}\b/,
                 'the new primary is logged');
--- request
GET /news/ledger
--- error_code: 200
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 10



=== TEST 3: the old primary, now a replica, is never written to
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_sentinel mymaster 127.0.0.1:$TEST_NGINX_SENTINEL_1
                            127.0.0.1:$TEST_NGINX_SENTINEL_2
                            127.0.0.1:$TEST_NGINX_SENTINEL_3;
        news_redis_timeout 1s;
        news_article news:article:$1;
    }
--- init
($::New, $::Old) = ::roles();
Test::More::ok(NewsSentinel::wait_for(sub {
                   NewsSentinel::role($::Old) eq 'slave' }, 20),
               'Sentinel made the old primary a replica');
Test::More::ok(NewsSentinel::wait_for(sub {
                   NewsSentinel::info($::Old, 'replication')
                       =~ /master_link_status:up/ }, 20),
               'it replicates from the new primary');
NewsTest::redis_at($::Old->{port}, 'CONFIG', 'RESETSTAT');
my $before = NewsTest::redis_on($::New, 'HGET', 'news:article:ledger',
                                'views');
my @r = NewsTest::concurrent_get('/news/ledger', 40);
Test::More::is(scalar(grep { $_->[0] == 200 } @r), 40, '40 views served');
my $after = NewsTest::redis_on($::New, 'HGET', 'news:article:ledger',
                               'views');
Test::More::is($after - $before, 40, 'all counted on the new primary');
Test::More::ok(NewsSentinel::wait_for(sub {
                   NewsTest::redis_on($::Old, 'HGET', 'news:article:ledger',
                                      'views') == $after }, 5),
               'the old primary has them by replication');
my $stats = NewsSentinel::info($::Old, 'commandstats');
Test::More::unlike($stats, qr/cmdstat_(?:evalsha|eval|hgetall|script)\b/,
                   'no command of ours reached the old primary');
--- request
GET /news/ledger
--- error_code: 200
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 10



=== TEST 4: a sentinel that names a replica: the ROLE check refuses it, 503, nothing written
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_sentinel demoted 127.0.0.1:$TEST_NGINX_SENTINEL_1;
        news_redis_timeout 1s;
        news_article news:article:$1;
    }
--- init
($::New, $::Old) = ::roles();
# one sentinel, quorum 1, told that the old primary (a replica now) is
# the primary of "demoted": it answers with its address
my $s = $::T->{sentinels}[0];
NewsSentinel::sentinel_call($s, 'SENTINEL', 'MONITOR', 'demoted',
                            '127.0.0.1', $::Old->{port}, 1);
my (undef, $port) = split /\n/, NewsSentinel::sentinel_call($s,
    'SENTINEL', 'get-master-addr-by-name', 'demoted');
Test::More::is($port, $::Old->{port}, 'the sentinel names the replica');
NewsTest::redis_at($::Old->{port}, 'CONFIG', 'RESETSTAT');
# the workers may have asked before the sentinel knew the name: they
# ask again while no primary is known, every 500 ms
my $refused = qr/news redis connection failed: Redis is a replica, not the primary while setting up the Redis connection, redis: 127\.0\.0\.1:$::Old->{port}\b/;
Test::More::ok(NewsSentinel::wait_for(sub {
                   grep { $_ =~ $refused } NewsTest::log_since(0) }, 5),
               'the ROLE check refused the replica');
my $views = NewsTest::redis_on($::Old, 'HGET', 'news:article:ledger',
                               'views');
my @r = map { [ NewsTest::http_get('/news/ledger') ] } 1 .. 5;
Test::More::is(join(' ', map { $_->[0] } @r), '503 503 503 503 503',
               'no primary to count on: 503');
Test::More::like($r[0][1]{'retry-after'} // '', qr/^\d+$/,
                 'with Retry-After');
Test::More::is(NewsTest::redis_on($::Old, 'HGET', 'news:article:ledger',
                                  'views'),
               $views, 'nothing counted on the replica');
Test::More::unlike(NewsSentinel::info($::Old, 'commandstats'),
                   qr/cmdstat_(?:evalsha|eval|hgetall|script)\b/,
                   'none of our commands reached it');
Test::More::like(join('', NewsTest::log_since(0)),
    qr/news redis sentinel: primary of "demoted" is 127\.0\.0\.1:$::Old->{port}\b/,
    'the log names what the sentinel said');
--- request
GET /news/ledger
--- error_code: 503
--- no_error_log
exited on signal
[alert]
[crit]



=== TEST 5: a primary demoted under the workers while a sentinel still names it: READONLY, connected again, refused by ROLE: 503, nothing counted
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_sentinel lone 127.0.0.1:$TEST_NGINX_SENTINEL_1;
        news_redis_timeout 1s;
        news_article news:article:$1;
    }
--- init
($::New, $::Old) = ::roles();
my $s = $::T->{sentinels}[0];
NewsSentinel::sentinel_call($s, 'SENTINEL', 'REMOVE', 'demoted');
# a primary of its own, watched by one sentinel (quorum 1)
our $Lone = NewsTest::start_redis();
NewsTest::redis_on($Lone, 'HSET', 'news:article:lone', title => 'Lone',
                   views => 0);
NewsSentinel::sentinel_call($s, 'SENTINEL', 'MONITOR', 'lone', '127.0.0.1',
                            $Lone->{port}, 1);
my $found = qr/news redis sentinel: primary of "lone" is 127\.0\.0\.1:$Lone->{port}\b/;
NewsSentinel::wait_for(sub {
    !grep { $_->[0] != 200 } NewsTest::concurrent_get('/news/lone', 4) }, 5);
Test::More::like(join('', NewsTest::log_since(0)), $found,
                 'the workers found it');
my $views = NewsTest::redis_on($Lone, 'HGET', 'news:article:lone', 'views');
Test::More::cmp_ok($views, '>=', 4, 'and counted on it');

# demoted behind the sentinel's back: a replica of another server now
my $mark = NewsTest::log_mark();
NewsTest::redis_on($Lone, 'REPLICAOF', '127.0.0.1', $::Old->{port});
NewsSentinel::wait_for(sub { NewsSentinel::role($Lone) eq 'slave' }, 5);
NewsTest::redis_at($Lone->{port}, 'CONFIG', 'RESETSTAT');
my @r = map { [ NewsTest::http_get('/news/lone') ] } 1 .. 4;
Test::More::is(join(' ', map { $_->[0] } @r), '503 503 503 503',
               'views on a demoted primary: 503, none counted there');
Test::More::like($r[-1][1]{'retry-after'} // '', qr/^\d+$/,
                 'with Retry-After');
my $log = join '', NewsTest::log_since($mark);
Test::More::like($log, qr/news redis sentinel: 127\.0\.0\.1:$Lone->{port} refuses writes \("READONLY/,
                 'READONLY noticed');
Test::More::like($log, qr/news redis sentinel: primary of "lone" is still 127\.0\.0\.1:$Lone->{port}, which refuses writes as a replica: connecting again/,
                 'the sentinel still names it: connected again');
Test::More::like($log, qr/news redis connection failed: Redis is a replica, not the primary while setting up the Redis connection, redis: 127\.0\.0\.1:$Lone->{port}\b/,
                 'and ROLE refuses it');
# a script without flags runs on a replica and fails at its first write
my ($calls, $failed) = NewsSentinel::info($Lone, 'commandstats')
    =~ /cmdstat_evalsha:calls=(\d+),.*?failed_calls=(\d+)/;
Test::More::is($calls // 0, $failed // 0,
               'every view script sent to it failed: nothing written');
--- request
GET /news/lone
--- error_code: 503
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 10



=== TEST 6: every sentinel down at start: 503 with Retry-After and a clear log line, then served when they come up, without reload
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_sentinel mymaster 127.0.0.1:$TEST_NGINX_SENTINEL_1
                            127.0.0.1:$TEST_NGINX_SENTINEL_2
                            127.0.0.1:$TEST_NGINX_SENTINEL_3;
        news_redis_timeout 1s;
        news_article news:article:$1;
    }
--- init
($::New, $::Old) = ::roles();
NewsSentinel::sentinel_call($::T->{sentinels}[0], 'SENTINEL', 'REMOVE',
                            'lone');
NewsSentinel::stop_sentinel($_) for @{ $::T->{sentinels} };
my $nginx = NewsTest::start_nginx(::sentinel_location());
my @workers = NewsTest::child_pids($nginx->{pid});
my ($status, $h) = NewsTest::http_get_at($nginx->{port}, '/news/ledger');
Test::More::is($status, 503, 'no sentinel, no primary: 503');
Test::More::like($h->{'retry-after'} // '', qr/^\d+$/, 'with Retry-After');
my $log = join '', NewsTest::log_since(0, $nginx->{error_log});
Test::More::like($log,
    qr/\[error\].*news redis sentinel: no sentinel of "mymaster" can be reached, no primary is known/,
    'the log says why');

NewsSentinel::start_sentinel($_) for @{ $::T->{sentinels} };
my $up = Time::HiRes::time();
my $served;
while (Time::HiRes::time() < $up + 5) {
    ($status) = NewsTest::http_get_at($nginx->{port}, '/news/ledger');
    if ($status == 200) {
        $served = Time::HiRes::time() - $up;
        last;
    }
    Time::HiRes::sleep(0.05);
}
Test::More::ok(defined $served, 'served once the sentinels are up');
Test::More::note(sprintf 'served %.3f s after the sentinels came up',
                         $served // -1);
Test::More::is("@{[NewsTest::child_pids($nginx->{pid})]}", "@workers",
               'the same worker: no reload');
$log = join '', NewsTest::log_since(0, $nginx->{error_log});
Test::More::like($log,
    qr/news redis sentinel: primary of "mymaster" is 127\.0\.0\.1:$::New->{port}\b/,
    'the primary found is logged');
NewsTest::stop_nginx($nginx);

# this block's nginx lost its sentinels too (it may have started just
# before they went): its two workers are back within seconds as well
my $back = NewsSentinel::wait_for(sub {
    my @r = NewsTest::concurrent_get('/news/ledger', 4);
    !grep { $_->[0] != 200 } @r;
}, 5);
Test::More::ok($back, 'the suite nginx serves again, without reload');
--- request
GET /news/ledger
--- error_code: 200
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 10



=== TEST 7: the primary killed under load: only 200, 503 or 504, served again without reload; back, it is a replica and not written to
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_sentinel mymaster 127.0.0.1:$TEST_NGINX_SENTINEL_1
                            127.0.0.1:$TEST_NGINX_SENTINEL_2
                            127.0.0.1:$TEST_NGINX_SENTINEL_3;
        news_redis_timeout 1s;
        news_article news:article:$1;
    }
--- init
($::New, $::Old) = ::roles();
# the roles since TEST 2: $::New is the primary, $::Old its replica
NewsTest::redis_on($::New, 'HSET', 'news:article:crash',
                   title => 'Crash', views => 0);
Test::More::ok(NewsSentinel::wait_for(sub {
                   NewsTest::redis_on($::Old, 'EXISTS',
                                      'news:article:crash') }, 10),
               'the replica has the article')
    or Test::More::diag(NewsSentinel::info($::Old, 'replication'),
                        NewsSentinel::info($::New, 'replication'));
NewsSentinel::wait_for(sub {
    !grep { $_->[0] != 200 } NewsTest::concurrent_get('/news/crash', 4)
}, 5);
my @workers = NewsTest::worker_pids();
my $before = NewsTest::redis_on($::New, 'HGET', 'news:article:crash',
                                'views');
# every sentinel names the primary this block kills (none left behind by
# an earlier block's reconfiguring)
Test::More::ok(NewsSentinel::agreed_port($::T, $::New->{port}, 10),
               'every sentinel names the primary');

my $load = NewsTest::start_load('/news/crash', seconds => 9,
                                concurrency => 10);
Time::HiRes::sleep(1.5);
my $killed = Time::HiRes::time();
NewsTest::kill_redis($::New);
Test::More::ok(NewsSentinel::wait_for(sub {
                   NewsSentinel::primary_port($::T) == $::Old->{port} }, 15),
               'the sentinels promoted the replica');
my $switched = Time::HiRes::time();
Test::More::ok(NewsSentinel::agreed_port($::T, $::Old->{port}, 10),
               'every sentinel names the new primary');
my @r = NewsTest::finish_load($load);
my $views = NewsTest::redis_on($::Old, 'HGET', 'news:article:crash',
                               'views');

my @ok = grep { $_->{status} == 200 } @r;
my @bad = grep { $_->{status} != 200 } @r;
my ($first_bad) = sort { $a <=> $b } map { $_->{start} } @bad;
my ($last_bad) = sort { $b <=> $a } map { $_->{end} } @bad;
my ($back) = sort { $a <=> $b } map { $_->{end} }
             grep { $_->{start} > ($last_bad // 0) } @ok;
my $note = sprintf 'kill: %d requests (%s); killed at +%.3f s, sentinels '
    . 'named the replica %.3f s later; non-200 from +%.3f s to +%.3f s '
    . '(%.3f s); views %d - %d = %d, 200s %d',
    scalar @r, ::statuses(@r), $killed - $load->{started},
    $switched - $killed, ($first_bad // 0) - $load->{started},
    ($last_bad // 0) - $load->{started},
    ($last_bad // 0) - ($first_bad // 0), $views, $before, $views - $before,
    scalar @ok;
Test::More::note($note);

Test::More::is(scalar(grep { $_->{status} != 200 && $_->{status} != 503
                             && $_->{status} != 504 } @r),
               0, 'every answer 200, 503 or 504: none lost, hung or wrong')
    or Test::More::diag(::statuses(@r));
Test::More::is(scalar(grep { !defined $_->{views} || $_->{views} eq '' }
                      @ok),
               0, 'every 200 is the article page with its count');
Test::More::ok(scalar(@bad), '503 or 504 while no primary could count');
Test::More::ok(scalar(grep { $_->{start} > $switched + 1 } @ok),
               '200s after the switch, without a reload');
Test::More::is(scalar(grep { $_->{start} > $switched + 1 } @bad), 0,
               'nothing but 200s from a second after the switch');
Test::More::cmp_ok($views - $before, '<=', @ok + @bad,
                   'no view counted that no request sent');
Test::More::is("@{[NewsTest::worker_pids()]}", "@workers",
               'the same workers throughout: no reload');

my @more = NewsTest::concurrent_get('/news/crash', 20);
Test::More::is(scalar(grep { $_->[0] == 200 } @more), 20,
               '20 more views served');
Test::More::is(NewsTest::redis_on($::Old, 'HGET', 'news:article:crash',
                                  'views'),
               $views + 20, 'counted on the new primary');

# the killed primary, back once every sentinel knows the switch, as an
# operator should start a primary that lost its data: as a replica of
# the new one; then never written to.  The counts above are checked
# before it: in two fresh-clone CI runs the new primary lost its data
# after this restart (not reproduced otherwise; the module sent it
# nothing but views), see docs/scaling.md, "Restarting a failed primary"
NewsSentinel::restart_as_replica($::New, $::Old);
Test::More::ok(NewsSentinel::wait_for(sub {
                   NewsSentinel::role($::New) eq 'slave'
                   && NewsSentinel::info($::New, 'replication')
                      =~ /master_link_status:up/ }, 20),
               'the old primary came back as a replica');
NewsTest::redis_at($::New->{port}, 'CONFIG', 'RESETSTAT');
NewsTest::redis_on($::Old, 'HSET', 'news:article:after',
                   title => 'After', views => 0);
my @after = NewsTest::concurrent_get('/news/after', 20);
Test::More::is(scalar(grep { $_->[0] == 200 } @after), 20,
               'views served with the old primary back as a replica')
    or Test::More::diag(NewsSentinel::info($::Old, 'replication'),
                        NewsSentinel::info($::New, 'replication'));
Test::More::unlike(NewsSentinel::info($::New, 'commandstats'),
                   qr/cmdstat_(?:evalsha|eval|hgetall|script)\b/,
                   'none of our commands reached the one that came back');
my $log = join '', NewsTest::log_since(0);
Test::More::like($log, qr/news redis connection failed: .*redis: 127\.0\.0\.1:$::New->{port}\b/,
                 'the lost primary is logged');
Test::More::like($log, qr/news redis sentinel: "mymaster" switched to 127\.0\.0\.1:$::Old->{port} \(\+switch-master from 127\.0\.0\.1:\d+\)/,
                 'and the switch');
--- request
GET /news/after
--- error_code: 200
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 10



=== TEST 8: nginx -t: no sentinel address, no master name, with news_redis_pass
--- config
    location = /t { return 200 "checked\n"; }
--- init
my ($rc, $out) = NewsTest::nginx_t(
    "server { listen 127.0.0.1:1; location / {\n"
    . "    news_redis_sentinel mymaster;\n"
    . "    news_article news:article:x; } }");
Test::More::isnt($rc, 0, 'a master without sentinels fails');
Test::More::like($out,
    qr/"news_redis_sentinel" "mymaster" has no sentinel address in \S+nginx\.conf:\d+/,
    'and says so, with file and line');

($rc, $out) = NewsTest::nginx_t(
    "server { listen 127.0.0.1:1; location / {\n"
    . "    news_redis_sentinel 127.0.0.1:26379 127.0.0.1:26380;\n"
    . "    news_article news:article:x; } }");
Test::More::isnt($rc, 0, 'addresses without the master name fail');
Test::More::like($out,
    qr/takes the master's name first, then the sentinels' addresses: "127\.0\.0\.1:26379" is not a master name in \S+nginx\.conf:\d+/,
    'and say so');

($rc, $out) = NewsTest::nginx_t(
    "server { listen 127.0.0.1:1; location / {\n"
    . "    news_redis_pass 127.0.0.1:6379;\n"
    . "    news_redis_sentinel mymaster 127.0.0.1:26379;\n"
    . "    news_article news:article:x; } }");
Test::More::isnt($rc, 0, 'with news_redis_pass in one block fails');
Test::More::like($out,
    qr/"news_redis_sentinel" directive cannot be used with "news_redis_pass" in \S+nginx\.conf:\d+/,
    'and says which');

($rc, $out) = NewsTest::nginx_t(
    "server { listen 127.0.0.1:1; location / {\n"
    . "    news_redis_sentinel mymaster 127.0.0.1:26379;\n"
    . "    news_redis_sentinel mymaster 127.0.0.1:26379;\n"
    . "    news_article news:article:x; } }");
Test::More::like($out, qr/"news_redis_sentinel" directive is duplicate/,
                 'twice is a duplicate');

($rc, $out) = NewsTest::nginx_t(
    "server { listen 127.0.0.1:1; location / {\n"
    . "    news_redis_sentinel mymaster 127.0.0.1:26379;\n"
    . "    news_redis_cluster 127.0.0.1:7000;\n"
    . "    news_article news:article:x; } }");
Test::More::like($out,
    qr/"news_redis_cluster" directive cannot be used with "news_redis_sentinel"/,
    'news_redis_cluster after it says which');

($rc, $out) = NewsTest::nginx_t(
    "server { listen 127.0.0.1:1; location / {\n"
    . "    news_redis_sentinel mymaster 127.0.0.1:26379;\n"
    . "    news_redis_sentinel_user watcher;\n"
    . "    news_article news:article:x; } }");
Test::More::like($out,
    qr/"news_redis_sentinel_user" "watcher" has no password/,
    'a sentinel user without a password fails');

($rc, $out) = NewsTest::nginx_t(
    "server { listen 127.0.0.1:1; location / {\n"
    . "    news_redis_sentinel mymaster 127.0.0.1:26379 [::1]:26380;\n"
    . "    news_redis_sentinel_user watcher;\n"
    . "    news_redis_sentinel_password s3cret;\n"
    . "    news_redis_password p4ss;\n"
    . "    news_redis_db 2;\n"
    . "    news_article news:article:x; } }");
Test::More::is($rc, 0, 'a complete configuration passes') or
    Test::More::diag($out);
--- request
GET /t
--- response_body
checked



=== TEST 9: a sentinel user without the channels: SUBSCRIBE refused, logged once at error level with the sentinel's address, made again once granted
--- config
    location = /t { return 200 "checked\n"; }
--- init
my $s = $::T->{sentinels}[0];
NewsSentinel::sentinel_call($s, 'ACL', 'SETUSER', 'watcher', 'reset', 'on',
    '>s3cret', '+sentinel|get-master-addr-by-name', '+subscribe',
    'resetchannels');
my $nginx = NewsTest::start_nginx(
    "        location ~ ^/news/([a-z0-9-]+)\$ {\n"
    . "            news_redis_sentinel mymaster 127.0.0.1:$s->{port};\n"
    . "            news_redis_sentinel_user watcher;\n"
    . "            news_redis_sentinel_password s3cret;\n"
    . "            news_redis_timeout 1s;\n"
    . "            news_article news:article:\$1;\n        }\n");
my $found = qr/news redis sentinel: primary of "mymaster" is 127\.0\.0\.1:\d+/;
my $log = '';
NewsSentinel::wait_for(sub {
    $log = join '', NewsTest::log_since(0, $nginx->{error_log});
    $log =~ $found;
}, 5);
Test::More::like($log, $found, 'the user may ask: the primary is found');

my $refused = qr/\[error\].*news redis sentinel 127\.0\.0\.1:$s->{port}: cannot watch "mymaster" \(SUBSCRIBE\): Redis replied "NOPERM/;
NewsSentinel::wait_for(sub {
    $log = join '', NewsTest::log_since(0, $nginx->{error_log});
    $log =~ $refused;
}, 5);
Test::More::like($log, $refused,
                 'the refusal is an error, with the sentinel and why');

# tried again every 500 ms, said once
NewsSentinel::wait_for(sub {
    my $n = () = grep { /cannot watch "mymaster"/ }
                 NewsTest::log_since(0, $nginx->{error_log});
    $n >= 3;
}, 5);
my @errors = grep { $_ =~ $refused } NewsTest::log_since(0, $nginx->{error_log});
my @again = grep { /\[info\].*cannot watch "mymaster" \(SUBSCRIBE\)/ }
            NewsTest::log_since(0, $nginx->{error_log});
Test::More::is(scalar @errors, 1, 'logged at error level once');
Test::More::cmp_ok(scalar @again, '>=', 2, 'and tried again');

NewsSentinel::sentinel_call($s, 'ACL', 'SETUSER', 'watcher',
    '&+switch-master', '&+failover-state-send-slaveof-noone');
my $watching = qr/news redis sentinel: watching "mymaster" on 127\.0\.0\.1:$s->{port}\b/;
NewsSentinel::wait_for(sub {
    $log = join '', NewsTest::log_since(0, $nginx->{error_log});
    $log =~ $watching;
}, 5);
Test::More::like($log, $watching, 'subscribed once the user may');
NewsTest::stop_nginx($nginx);
NewsSentinel::sentinel_call($s, 'ACL', 'DELUSER', 'watcher');
--- request
GET /t
--- response_body
checked
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 20



=== TEST 10: a sentinel that stops answering (no FIN): its subscribed connection is PINGed, given up after news_redis_timeout, and subscribed again once it answers
--- config
    location = /t { return 200 "checked\n"; }
--- init
my $s = $::T->{sentinels}[2];
my $nginx = NewsTest::start_nginx(::sentinel_location());
my $watching = qr/news redis sentinel: watching "mymaster" on 127\.0\.0\.1:$s->{port}\b/;
my $n_watching = sub {
    scalar grep { $_ =~ $watching }
        NewsTest::log_since(0, $nginx->{error_log});
};
NewsSentinel::wait_for(sub { $n_watching->() >= 1 }, 5);
Test::More::is($n_watching->(), 1, 'subscribed to the third sentinel');

# stopped, it keeps its sockets open: only a question finds it gone
kill 'STOP', $s->{pid};
my $gone = qr/news redis sentinel 127\.0\.0\.1:$s->{port} did not answer PING/;
my $log = '';
NewsSentinel::wait_for(sub {
    $log = join '', NewsTest::log_since(0, $nginx->{error_log});
    $log =~ $gone;
}, 15);
kill 'CONT', $s->{pid};
Test::More::like($log, $gone, 'the silent sentinel is given up');

NewsSentinel::wait_for(sub { $n_watching->() >= 2 }, 15);
Test::More::cmp_ok($n_watching->(), '>=', 2, 'and watched again once back')
    or Test::More::diag(join '', grep { /sentinel|redis/ } NewsTest::log_since(0, $nginx->{error_log}));
NewsTest::stop_nginx($nginx);
--- request
GET /t
--- response_body
checked
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 30



=== TEST 11: a primary learnt from an answer (no +switch-master heard): a sentinel that then names the one it replaced is not followed back
--- config
    location = /t { return 200 "checked\n"; }
--- init
# sentinel 1 also watches "solo", a lone primary it is told to change
# (SENTINEL REMOVE + MONITOR: no +switch-master is published), so the
# worker learns each primary from an answer only
my $s = $::T->{sentinels}[0];
my $a = NewsTest::start_redis();
my $b = NewsTest::start_redis();
my $name = sub {
    my ($port) = @_;
    eval { NewsSentinel::sentinel_call($s, 'SENTINEL', 'REMOVE', 'solo') };
    NewsSentinel::sentinel_call($s, 'SENTINEL', 'MONITOR', 'solo',
                                '127.0.0.1', $port, 1);
};
my $primary = sub {
    my ($port) = @_;
    qr/news redis sentinel: primary of "solo" is 127\.0\.0\.1:$port\b/;
};
$name->($a->{port});
my $nginx = NewsTest::start_nginx(
    "        location ~ ^/news/([a-z0-9-]+)\$ {\n"
    . "            news_redis_sentinel solo 127.0.0.1:$s->{port};\n"
    . "            news_redis_timeout 1s;\n"
    . "            news_article news:article:\$1;\n        }\n");
my $log = sub { join '', NewsTest::log_since(0, $nginx->{error_log}) };
NewsSentinel::wait_for(sub { $log->() =~ $primary->($a->{port}) }, 5);
Test::More::like($log->(), $primary->($a->{port}), 'the first primary');

# the sentinel names B; the connection to A lost: the worker asks
$name->($b->{port});
NewsTest::redis_at($a->{port}, 'CLIENT', 'KILL', 'TYPE', 'normal');
NewsSentinel::wait_for(sub { $log->() =~ $primary->($b->{port}) }, 5);
Test::More::like($log->(), $primary->($b->{port}),
                 'the second, from an answer');

# it names A again (as a sentinel that missed the switch would): not
# followed back within 10 s of the change
$name->($a->{port});
NewsTest::redis_at($b->{port}, 'CLIENT', 'KILL', 'TYPE', 'normal');
my $stale = qr/news redis sentinel 127\.0\.0\.1:$s->{port} still names 127\.0\.0\.1:$a->{port}, the primary of "solo" before the switch: not followed/;
NewsSentinel::wait_for(sub { $log->() =~ $stale }, 5);
Test::More::like($log->(), $stale, 'the replaced primary is not followed');
my $first = $primary->($a->{port});
my $n = () = $log->() =~ /$first/g;
Test::More::is($n, 1, 'nor connected to again');

NewsTest::stop_nginx($nginx);
NewsSentinel::sentinel_call($s, 'SENTINEL', 'REMOVE', 'solo');
--- request
GET /t
--- response_body
checked
--- no_error_log
exited on signal
[alert]
[crit]
--- timeout: 30
