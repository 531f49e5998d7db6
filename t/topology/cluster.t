# news_redis_cluster on a real Redis Cluster (t/inc/NewsCluster.pm):
# three primaries and a replica each on loopback.  Pages and exact
# counts for articles on every primary, the visitor's mark in the
# article's slot, a slot migrated while requests run (ASK, then MOVED:
# no request fails), and a primary killed under load (only 503/504
# until its replica takes over, never a wrong page, no view lost on the
# other primaries, back without a reload).  Takes about a minute.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;
use NewsCluster;
use POSIX ();
use Time::HiRes ();

master_on();
workers(2);
no_shuffle();
no_long_string();
worker_connections(1024);

our $Cluster = NewsCluster::start_cluster();
$ENV{"TEST_NGINX_CLUSTER_$_"} = $Cluster->{nodes}[$_ - 1]{port} for 1 .. 6;

sub ::cc { NewsCluster::cluster_call($::Cluster, @_) }

sub ::today { POSIX::strftime('%Y%m%d', gmtime) }

# a day's most-read set: in a Cluster in the lists' slot, {lists}
# (docs/data-model.md, "Redis Cluster")
sub ::most_read_key { "news:{lists}:most_read:$_[0]" }

# the day's most-read score of a key; $day0 is the day a block began
# (a block that runs over midnight UTC counts on two days)
sub ::most_read {
    my ($key, $day0) = @_;
    my $n = 0;
    for my $day (sort keys %{ { $day0 => 1, ::today() => 1 } }) {
        $n += ::cc('ZSCORE', ::most_read_key($day), $key) // 0;
    }
    return $n;
}

# the most-read score once it is $want, or what it is after 2 s: the
# module sends that increment as a command of its own, which may be
# answered after the page
sub ::most_read_is {
    my ($key, $day0, $want) = @_;
    my $n;
    for (1 .. 100) {
        $n = ::most_read($key, $day0);
        last if $n == $want;
        Time::HiRes::sleep(0.02);
    }
    return $n;
}

# pick($prefix, $per, @avoid_slots): $per slugs "<prefix>-<i>" whose
# article keys each primary serves, in the primaries' slot order, none
# in the slots to avoid
my $map = NewsCluster::slot_map($Cluster);

sub ::pick {
    my ($prefix, $per, @avoid) = @_;
    my @primaries = NewsCluster::primaries($::Cluster);
    my %avoid = map { $_ => 1 } @avoid;
    my %by;
    for (my $i = 1; grep { @{ $by{ $_->{port} } || [] } < $per }
                         @primaries; $i++) {
        my $key = "news:article:$prefix-$i";
        next if $avoid{ NewsCluster::slot_of($key) };
        my $node = NewsCluster::node_for_key($::Cluster, $key, $map);
        my $list = $by{ $node->{port} } ||= [];
        push @$list, "$prefix-$i" if @$list < $per;
    }
    return map { @{ $by{ $_->{port} } } } @primaries;
}

# the same articles whatever the order the blocks are looked at in
our @Spread = ::pick('spread', 2);
our @Missing = ::pick('missing', 1);
our @Unique = ::pick('unique', 1);

# two articles in one slot, moved together in TEST 5 (not the most-read
# sets' slot, which stays)
our @Moving;
{
    my %slot;
    my $lists = NewsCluster::slot_of(::most_read_key(::today()));
    for (my $i = 1; !@Moving; $i++) {
        my $slug = "moving-$i";
        my $slot = NewsCluster::slot_of("news:article:$slug");
        next if $slot == $lists;
        @Moving = ($slot{$slot}, $slug) if $slot{$slot};
        $slot{$slot} //= $slug;
    }
}
our $MovingSlot = NewsCluster::slot_of("news:article:$Moving[0]");

our @Kill = ::pick('killed', 1, $MovingSlot);

# in the error log of every block: a 5xx is logged at "error"
our $Config = <<'_EOC_';
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_cluster 127.0.0.1:$TEST_NGINX_CLUSTER_1
                           127.0.0.1:$TEST_NGINX_CLUSTER_2
                           127.0.0.1:$TEST_NGINX_CLUSTER_6;
        news_article news:article:$1;
    }

    location ~ ^/unique/([a-z0-9-]+)$ {
        news_redis_cluster 127.0.0.1:$TEST_NGINX_CLUSTER_1
                           127.0.0.1:$TEST_NGINX_CLUSTER_2
                           127.0.0.1:$TEST_NGINX_CLUSTER_6;
        news_article news:article:$1;
        news_views_unique 1h;
        news_views_visitor $http_x_reader;
    }

    location ~ ^/tagged/([a-z0-9-]+)$ {
        news_redis_cluster 127.0.0.1:$TEST_NGINX_CLUSTER_1
                           127.0.0.1:$TEST_NGINX_CLUSTER_2
                           127.0.0.1:$TEST_NGINX_CLUSTER_6;
        news_article "news:article:{$1}";
        news_views_unique 1h;
        news_views_visitor $http_x_reader;
    }
_EOC_

our $Plain = <<'_EOC_';
    location = /t {
        return 200 "checked\n";
    }
_EOC_

# the records of a finished load, summed up for a test's diagnostics:
# "200 x41, 503 x3"
sub ::statuses {
    my %n;
    $n{ $_->{status} }++ for @_;
    return join ', ', map { "$_ x$n{$_}" } sort keys %n;
}

# the shown counts of the 200s of a load, each once?
sub ::distinct {
    my %seen;
    return !grep { $seen{ $_->{views} // '' }++ }
           grep { $_->{status} == 200 } @_;
}

run_tests();

__DATA__

=== TEST 1: the cluster under these tests: six nodes, one slot map, slots as Redis computes them
--- init
my $c = $::Cluster;
Test::More::ok(NewsCluster::stable($c), 'every node ok and of one mind')
    or Test::More::diag(NewsCluster::describe($c));
my @p = NewsCluster::primaries($c);
Test::More::is(scalar(@p), 3, 'three primaries');
Test::More::is(join(' ', map { scalar NewsCluster::replicas_of($c, $_) } @p),
               '1 1 1', 'a replica each')
    or Test::More::diag(NewsCluster::describe($c)
                        . NewsCluster::node_call($p[0], 'CLUSTER', 'NODES'));
my @keys = map { ("news:article:$_", "{news:article:$_}:seen:x") }
               @::Spread, @::Missing, @::Unique, @::Moving, @::Kill,
               map { "x$_" } 1 .. 200;
my @bad = grep { NewsCluster::slot_of($_)
                != NewsCluster::node_call($p[0], 'CLUSTER', 'KEYSLOT', $_) }
          @keys;
Test::More::is("@bad", '', 'slot_of agrees with CLUSTER KEYSLOT');
my %owners = map { NewsCluster::node_for_key($c, "news:article:$_")->{port}
                   => 1 } @::Spread;
Test::More::is(scalar(keys %owners), 3, 'the articles are on every primary');
Test::More::diag(sprintf 'cluster up in %.2f s', $c->{setup_secs});
--- config eval: $::Plain
--- request
GET /t
--- response_body
checked



=== TEST 2: pages and exact counts for articles on every primary, with and without rev
--- init
my $day = ::today();
my $n = 5;
my %base;
for my $i (0 .. $#::Spread) {
    my $slug = $::Spread[$i];
    my $key = "news:article:$slug";
    ::cc('DEL', $key);
    ::cc('ZREM', ::most_read_key($day), $key);
    # every other one kept by the workers (rev), and counted from 40
    my @rev = $i % 2 ? () : (rev => 1, views => 40);
    $base{$slug} = $i % 2 ? 0 : 40;
    ::cc('HSET', $key, title => "Title $slug", body => "Body of $slug.",
         @rev);
}
for my $slug (@::Spread) {
    my $key = "news:article:$slug";
    my @shown;
    for (1 .. $n) {
        my ($status, undef, $body) = NewsTest::http_get("/news/$slug");
        push @shown, "$status:"
            . ($body =~ m{<h1>Title \Q$slug\E</h1>} ? 'title' : 'no-title')
            . ':' . (NewsTest::shown_views($body) // '?');
    }
    Test::More::is("@shown",
                   join(' ', map { "200:title:" . ($base{$slug} + $_) }
                                 1 .. $n),
                   "$slug: its page, the count rising by one");
    my $owner = NewsCluster::node_for_key($::Cluster, $key);
    Test::More::is(NewsCluster::node_call($owner, 'HGET', $key, 'views'),
                   $base{$slug} + $n,
                   "$slug: views on its node, port $owner->{port}");
    Test::More::is(::most_read_is($key, $day, $n), $n, "$slug: most read");
}
--- config eval: $::Config
--- request eval
"GET /news/$::Spread[0]"
--- response_body_like eval
qr{<h1>Title \Q$::Spread[0]\E</h1>.*<span class="views">46 Views</span>}s
--- no_error_log
[error]



=== TEST 3: a missing article on any primary: 404, and no key anywhere
--- init
my $day = ::today();
::cc('DEL', "news:article:$_") for @::Missing;
my $before = NewsCluster::dbsize($::Cluster);
my @status = map { (NewsTest::http_get("/news/$_"))[0] } @::Missing;
Test::More::is("@status", '404 404 404', 'each 404');
Test::More::is(join(' ', map { ::cc('EXISTS', "news:article:$_") }
                             @::Missing),
               '0 0 0', 'no article key');
Test::More::is(join(' ', map { ::most_read("news:article:$_", $day) }
                             @::Missing),
               '0 0 0', 'not in most read');
Test::More::is(NewsCluster::dbsize($::Cluster), $before,
               'no key made on any primary');
--- config eval: $::Config
--- request eval
"GET /news/$::Missing[1]"
--- error_code: 404



=== TEST 4: news_views_unique: the visitor's mark is in the article's slot, a repeat is not counted
--- init
my $c = $::Cluster;
my %cases = (unique => ["news:article:$::Unique[0]", $::Unique[0]],
             tagged => ['news:article:{tagged}', 'tagged']);
for my $loc (sort keys %cases) {
    my ($key, $slug) = @{ $cases{$loc} };
    ::cc('DEL', $key);
    ::cc('HSET', $key, title => "Title $slug");
    my @shown = map {
        my ($status, undef, $body) = NewsTest::http_get("/$loc/$slug",
                                                        'X-Reader' => $_);
        "$status:" . (NewsTest::shown_views($body) // '?')
    } qw(A A B A);
    Test::More::is("@shown", '200:1 200:1 200:2 200:2',
                   "$loc: counted, repeat, other visitor, repeat");
    my $owner = NewsCluster::node_for_key($c, $key);
    Test::More::is(NewsCluster::node_call($owner, 'HGET', $key, 'views'), 2,
                   "$loc: two views counted");
    # the mark's name: the article key as its hash tag, or the key's own
    my $mark = $key =~ /\{/ ? qr/^\Q$key\E:seen:[0-9a-f]{32}$/
                            : qr/^\{\Q$key\E\}:seen:[0-9a-f]{32}$/;
    my @marks = grep { /:seen:/ }
                @{ NewsCluster::node_call($owner, 'KEYS', "*$slug*") };
    Test::More::is(scalar(@marks), 2, "$loc: two marks on the article's node")
        or Test::More::diag("marks: @marks");
    Test::More::like($_, $mark, "$loc: the mark's name") for @marks;
    Test::More::is(NewsCluster::slot_of($_), NewsCluster::slot_of($key),
                   "$loc: in the article's slot") for @marks;
    my @elsewhere = map { @{ NewsCluster::node_call($_, 'KEYS', "*$slug*") } }
                    grep { $_ != $owner } NewsCluster::primaries($c);
    Test::More::is("@elsewhere", '', "$loc: nothing on other primaries");
}
--- config eval: $::Config
--- request
GET /tagged/tagged
--- more_headers
X-Reader: B
--- response_body_like: <span class="views">2 Views</span>
--- no_error_log
[error]



=== TEST 5: a slot migrated under load: every request 200, counts exact, the keys on the new primary only
--- init
my $c = $::Cluster;
my $day = ::today();
my @keys = map { "news:article:$_" } @::Moving;
::cc('DEL', @keys);
::cc('ZREM', ::most_read_key($day), $_) for @keys;
# one kept by the workers (rev: EVALSHA alone), one read whole each
# time (MULTI, EVALSHA, HGETALL, EXEC)
::cc('HSET', $keys[0], title => "Title $::Moving[0]", rev => 1);
::cc('HSET', $keys[1], title => "Title $::Moving[1]");
my $from = NewsCluster::node_for_slot($c, $::MovingSlot);
my ($to) = grep { $_ != $from } NewsCluster::primaries($c);

# what the nodes answer from now on, and the ASKING they are sent
NewsCluster::node_call($_, 'CONFIG', 'RESETSTAT') for $from, $to;

my @loads = map {
    NewsTest::start_load("/news/$_", seconds => 5, concurrency => 4,
                         expect => qr{<h1>Title \Q$_\E</h1>})
} @::Moving;
Time::HiRes::sleep(0.5);
my %at;
NewsCluster::migrate_slot($c, $::MovingSlot, $from, $to, pause => 0.8,
                          on_step => sub { $at{ $_[0] } = Time::HiRes::time });
my @r = map { [NewsTest::finish_load($_)] } @loads;

for my $i (0, 1) {
    my ($slug, $key, @rec) = ($::Moving[$i], $keys[$i], @{ $r[$i] });
    my @ok = grep { $_->{status} == 200 } @rec;
    Test::More::diag("$slug: " . ::statuses(@rec));
    Test::More::is(scalar(@ok), scalar(@rec), "$slug: every request 200");
    Test::More::is(scalar(grep { !$_->{match} } @ok), 0,
                   "$slug: every page its own");
    Test::More::ok(::distinct(@rec), "$slug: each shows its own count");
    Test::More::is(::cc('HGET', $key, 'views'), scalar(@ok),
                   "$slug: views = the 200s");
    Test::More::is(::most_read_is($key, $day, scalar(@ok)), scalar(@ok),
                   "$slug: most read = the 200s");
    # requests met each state of the slot
    my $in = sub {
        my ($t0, $t1) = @_;
        return scalar grep { $_->{start} >= $t0 && $_->{end} <= $t1 } @ok;
    };
    Test::More::cmp_ok($in->($at{migrating}, $at{keys}), '>', 0,
                       "$slug: 200s while the slot was migrating");
    Test::More::cmp_ok($in->($at{keys}, $at{node}), '>', 0,
                       "$slug: 200s in the ASK window");
    Test::More::cmp_ok($in->($at{node}, 9e9), '>', 0,
                       "$slug: 200s after the move");
}
# nginx met both redirections, and followed ASK as it must
my $sent = NewsCluster::redirects_sent($from);
Test::More::cmp_ok($sent->{ASK}, '>', 0, "ASK answered: $sent->{ASK}");
Test::More::cmp_ok($sent->{MOVED}, '>', 0, "MOVED answered: $sent->{MOVED}");
my ($asking) = NewsCluster::node_call($to, 'INFO', 'commandstats')
               =~ /^cmdstat_asking:calls=(\d+)/m;
Test::More::cmp_ok($asking // 0, '>', 0,
                   'ASKING sent to the new primary: ' . ($asking // 0));
Test::More::is(NewsCluster::node_for_slot($c, $::MovingSlot), $to,
               'the slot is on the new primary');
my $count = NewsCluster::keys_in_slot($c, $::MovingSlot);
Test::More::is("$count->{ $from->{port} } $count->{ $to->{port} }", '0 2',
               'the keys on the new primary only');
--- config eval: $::Config
--- request eval
"GET /news/$::Moving[0]"
--- response_body_like eval
qr{<h1>Title \Q$::Moving[0]\E</h1>}
--- no_error_log
[error]
exited on signal



=== TEST 6: a primary killed under load: 503/504 only, never a wrong page, back without reload, no view lost elsewhere
--- init
my $c = $::Cluster;
my @keys = map { "news:article:$_" } @::Kill;
::cc('DEL', $_) for @keys;
for my $i (0 .. $#::Kill) {
    ::cc('HSET', $keys[$i], title => "Title $::Kill[$i]",
         $i % 2 ? () : (rev => 1));
}
my $victim = NewsCluster::node_for_key($c, $keys[0]);

# load on each article through the kill and the failover (8 s, about
# three times what a failover takes here), and then 3 s more from when
# the cluster is whole again, however long that took
my $load = sub {
    my ($secs) = @_;
    return map {
        NewsTest::start_load("/news/$_", seconds => $secs, concurrency => 3,
                             expect => qr{<h1>Title \Q$_\E</h1>})
    } @::Kill;
};
my @loads = $load->(8);
Time::HiRes::sleep(2);
NewsCluster::kill_primary($c, $victim);
my $new = NewsCluster::wait_failover($c, $victim, 30);
my $back = Time::HiRes::time;
my @then = $load->(3);
Test::More::ok($new, 'a replica took over')
    or Test::More::diag(NewsCluster::describe($c));
Test::More::diag(sprintf 'killed port %d, replaced by port %s after %.2f s',
                 $victim->{port}, $new ? $new->{port} : '-',
                 $c->{failover_secs} // -1);
my @r;
for my $i (0 .. $#::Kill) {
    push @r, [NewsTest::finish_load($loads[$i]),
              NewsTest::finish_load($then[$i])];
}

for my $i (0 .. $#::Kill) {
    my ($slug, $key, @rec) = ($::Kill[$i], $keys[$i], @{ $r[$i] });
    my @ok = grep { $_->{status} == 200 } @rec;
    my $views = ::cc('HGET', $key, 'views') // 0;
    Test::More::diag("$slug" . ($i ? '' : ' (failed over)') . ': '
                     . ::statuses(@rec) . "; views $views");
    Test::More::is(join(' ', map { $_->{status} }
                             grep { $_->{status} !~ /^(200|503|504)$/ }
                             @rec),
                   '', "$slug: only 200, 503 and 504");
    Test::More::is(scalar(grep { !$_->{match} } @ok), 0,
                   "$slug: every 200 is its own page");
    # (not on the failed-over primary: a view it acknowledged but did
    # not replicate is lost, and its count shown again)
    Test::More::ok(::distinct(@rec), "$slug: each 200 shows its own count")
        if $i;
    # served again after the failover, and for good: each worker learns
    # the new map on its own, so one may still fail a request after
    # another served one; the last 100 of the load are all served
    my @sorted = sort { $a->{start} <=> $b->{start} } @rec;
    my @after = grep { $_->{start} > $back } @sorted;
    shift @after while @after && $after[0]{status} != 200;
    Test::More::cmp_ok(scalar(@after), '>', 0,
                       "$slug: served again after the failover");
    my @late = grep { $_->{status} != 200 } @after;
    Test::More::diag(sprintf "$slug: %d failed after the first 200 since the"
                     . ' failover, the last %.3f s after it', scalar(@late),
                     $late[-1]{start} - $after[0]{start}) if @late;
    Test::More::is(join(' ', map { $_->{status} }
                             grep { $_->{status} != 200 } @sorted[-100 .. -1]),
                   '', "$slug: the last 100 requests all 200");
    if ($i) {
        Test::More::is($views, scalar(@ok),
                       "$slug: no view lost on a surviving primary");
        next;
    }
    # A view the old primary acknowledged but had not yet replicated is
    # lost; one it ran and replicated but could not answer before it
    # died is counted, its request failed: at most those in flight then
    my $since = grep { $_->{start} > $back } @ok;
    my $in_flight = grep { $_->{status} != 200
                           && $_->{start} <= $victim->{killed}
                           && $_->{end} >= $victim->{killed} } @rec;
    Test::More::cmp_ok($views, '<=', @ok + $in_flight,
                       "$slug: no view counted that was not asked for");
    Test::More::cmp_ok($views, '>=', $since,
                       "$slug: every view since the failover kept");
    Test::More::diag(sprintf '%s: %d 200s, %d failed in flight at the kill,'
                     . ' %d views kept', $slug, scalar(@ok), $in_flight,
                     $views);
}
--- config eval: $::Config
--- request eval
"GET /news/$::Kill[0]"
--- response_body_like eval
qr{<h1>Title \Q$::Kill[0]\E</h1>}
--- no_error_log
exited on signal



=== TEST 7: nginx -t: a seed list is taken, news_redis_cluster without one is not
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location /news/ {
            news_redis_cluster 127.0.0.1:7001 127.0.0.1:7002;
            news_article news:article:a;
        }
    }
_EOC_
Test::More::is($rc, 0, 'seeds: nginx -t passes') or Test::More::diag($out);
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location /news/ {
            news_redis_cluster;
            news_article news:article:a;
        }
    }
_EOC_
Test::More::isnt($rc, 0, 'no address: nginx -t fails');
Test::More::like($out, qr/\[emerg\].*"news_redis_cluster"/,
                 'the message names the directive');
Test::More::unlike($out, qr/unknown directive/, 'a directive nginx knows');
--- config eval: $::Plain
--- request
GET /t
--- response_body
checked



=== TEST 8: nginx -t: news_redis_pass and news_redis_cluster in one location
--- init
for my $pair (['news_redis_pass', 'news_redis_cluster'],
              ['news_redis_cluster', 'news_redis_pass']) {
    my ($first, $second) = @$pair;
    my ($rc, $out) = NewsTest::nginx_t(<<"_EOC_");
    server {
        location /news/ {
            $first 127.0.0.1:7001;
            $second 127.0.0.1:7002;
            news_article news:article:a;
        }
    }
_EOC_
    Test::More::isnt($rc, 0, "$first, then $second: nginx -t fails");
    Test::More::like($out, qr/\[emerg\].*"\Q$second\E"/,
                     "the message names $second");
    Test::More::unlike($out, qr/unknown directive/, 'a directive nginx knows');
}
--- config eval: $::Plain
--- request
GET /t
--- response_body
checked
