# The publishing API (news_publish), list pages (news_list) and
# news_stale in a real Redis Cluster (t/inc/NewsCluster.pm, three
# primaries and a replica each on loopback).  A write is step 1 in the
# article's slot (the article, its revision counter and its set of
# lists beside it), step 2 in the lists' slot ("news:{lists}:..."), and
# step 3 back in the article's slot once it left lists.  A list page
# reads its keys in the lists' slot, then each article on its own node.
# Articles on every primary, their lists across nodes in every format,
# drafts and deletions out of the lists and most read; step 2 failing
# (the lists' primary killed): 503 with the new ETag, then the same
# write again repairs the lists; a list page while an article's primary
# is down: 503; views buffered by news_stale while a primary is down,
# added after failover one article a batch.  Kills three primaries, one
# after the other: takes about half a minute.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;
use NewsCluster;
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Time::HiRes ();

master_on();
workers(1);
no_shuffle();
no_long_string();

our $Cluster = NewsCluster::start_cluster();
$ENV{"TEST_NGINX_CLUSTER_$_"} = $Cluster->{nodes}[$_ - 1]{port} for 1 .. 6;

our $JSON = JSON::PP->new->utf8->canonical;

sub ::cc { NewsCluster::cluster_call($::Cluster, @_) }

sub ::today { POSIX::strftime('%Y%m%d', gmtime) }

# ::api($method, $slug, $body, header => value ...): one request to the
# API on its own connection; { status, h (lowercased names), body, json }
sub ::api {
    my ($method, $slug, $body, %h) = @_;
    $body = $::JSON->encode($body) if ref $body;
    my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
    my $s;
    for (1 .. 600) {
        $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                   Timeout => 10) and last;
        Time::HiRes::sleep(0.05);
    }
    die "connect to nginx on $port: $!" unless $s;
    my $req = "$method /api/$slug HTTP/1.1\r\nHost: localhost\r\n"
              . "Connection: close\r\n";
    $req .= 'Content-Length: ' . length($body) . "\r\n" if defined $body;
    $req .= "$_: $h{$_}\r\n" for sort keys %h;
    print $s $req . "\r\n" . ($body // '');
    my ($status, $hdr, $content) = NewsTest::_read_response($s);
    my $res = { status => $status // 0, h => $hdr, body => $content };
    $res->{json} = eval { $::JSON->decode($content) }
        if ($hdr->{'content-type'} // '') =~ m{^application/json};
    return $res;
}

# a JSON list page's slugs, or its status when it is not 200
sub ::listed {
    my ($path, %h) = @_;
    my ($status, $hdr, $body) = NewsTest::http_get($path, %h);
    return "status $status" unless $status == 200;
    my $j = eval { $::JSON->decode($body) } or return 'not JSON';
    return join ' ', map { $_->{slug} } @{ $j->{articles} };
}

sub ::etag_rev {
    my ($res) = @_;
    return ($res->{h}{etag} // '') =~ /^"([^"]*)"$/ ? $1 : undef;
}

# a list's members, newest first, as slugs
sub ::list {
    my ($name) = @_;
    my $r = ::cc('ZREVRANGE', "news:{lists}:$name", 0, -1);
    return join ' ', map { s/^news:article://r } @$r;
}

# the lists an article's set names, sorted
sub ::indexed {
    my ($slug) = @_;
    my $r = ::cc('SMEMBERS', "{news:article:$slug}:indexed");
    return join ' ', sort @$r;
}

our $Lists = NewsCluster::slot_of('news:{lists}:latest');
our $Map = NewsCluster::slot_map($Cluster);

# pick($prefix, $per, @avoid_ports): $per slugs "<prefix>-<i>" on each
# primary not avoided, in the primaries' order
sub ::pick {
    my ($prefix, $per, @avoid) = @_;
    my %avoid = map { $_ => 1 } @avoid;
    my @primaries = grep { !$avoid{ $_->{port} } }
                    NewsCluster::primaries($::Cluster);
    my %by;
    for (my $i = 1; grep { @{ $by{ $_->{port} } || [] } < $per }
                         @primaries; $i++) {
        my $node = NewsCluster::node_for_key($::Cluster,
                                             "news:article:$prefix-$i",
                                             $::Map);
        next if $avoid{ $node->{port} };
        my $list = $by{ $node->{port} } ||= [];
        push @$list, "$prefix-$i" if @$list < $per;
    }
    return map { @{ $by{ $_->{port} } } } @primaries;
}

our $ListsNode = NewsCluster::node_for_slot($Cluster, $Lists, $Map);
our @Spread = ::pick('spread', 2);
our @Away = ::pick('away', 1, $ListsNode->{port});

our $Config = <<'_EOC_';
    location ~ ^/api/([a-z0-9-]+)$ {
        news_redis_cluster 127.0.0.1:$TEST_NGINX_CLUSTER_1
                           127.0.0.1:$TEST_NGINX_CLUSTER_2
                           127.0.0.1:$TEST_NGINX_CLUSTER_6;
        news_redis_timeout 1s;
        news_publish $1;
    }

    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_cluster 127.0.0.1:$TEST_NGINX_CLUSTER_1
                           127.0.0.1:$TEST_NGINX_CLUSTER_2
                           127.0.0.1:$TEST_NGINX_CLUSTER_6;
        news_article news:article:$1;
    }

    location ~ ^/s/([a-z0-9-]+)$ {
        news_redis_cluster 127.0.0.1:$TEST_NGINX_CLUSTER_1
                           127.0.0.1:$TEST_NGINX_CLUSTER_2
                           127.0.0.1:$TEST_NGINX_CLUSTER_6;
        news_redis_timeout 500ms;
        news_stale on;
        news_article news:article:$1;
    }

    location /l/ {
        news_redis_cluster 127.0.0.1:$TEST_NGINX_CLUSTER_1
                           127.0.0.1:$TEST_NGINX_CLUSTER_2
                           127.0.0.1:$TEST_NGINX_CLUSTER_6;
        news_redis_timeout 1s;
        news_base_url http://example.org;

        location = /l/latest { news_list latest; }
        location = /l/latest.json { news_list latest; news_format json; }
        location = /l/feed.xml { news_list latest; news_format rss; }
        location = /l/sitemap.xml {
            news_list latest;
            news_format sitemap;
        }
        location ~ ^/l/section/(?<s>[a-z0-9-]+)$ {
            news_list section $s;
            news_format json;
        }
        location ~ ^/l/tag/(?<t>[a-z0-9-]+)$ {
            news_list tag $t;
            news_format json;
        }
        location ~ ^/l/author/(?<a>[a-z0-9-]+)$ {
            news_list author $a;
            news_format json;
        }
        location = /l/most-read {
            news_list most_read day;
            news_format json;
        }
        location = /l/most-read-week {
            news_list most_read week;
            news_format json;
        }
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: PUT on every primary: 201 with an ETag, GET gives it back, its keys beside it
--- init
my %owners = map { NewsCluster::node_for_key($::Cluster,
                                             "news:article:$_")->{port} => 1 }
             @::Spread;
Test::More::is(scalar(keys %owners), 3, 'the articles are on every primary');
my $t = 1762248600;
for my $i (0 .. $#::Spread) {
    my $slug = $::Spread[$i];
    my $res = ::api('PUT', $slug, {
        title => "Title $slug", author => 'Ines Marchetti',
        category => $i % 2 ? 'City Hall' : 'Sport',
        tags => ['Transport', "T$i"],
        published_at => POSIX::strftime('%Y-%m-%dT%H:%M:%SZ',
                                        gmtime($t + 60 * $i)),
        body => "Body of $slug." });
    Test::More::is($res->{status}, 201, "$slug: created");
    my $rev = ::etag_rev($res);
    Test::More::is($rev, 1, "$slug: ETag of its own first revision");
    my $get = ::api('GET', $slug);
    Test::More::is($get->{status}, 200, "$slug: GET");
    Test::More::is($get->{json}{title}, "Title $slug", "$slug: its title");
    Test::More::is(::etag_rev($get), $rev, "$slug: GET's ETag");
    my $key = "news:article:$slug";
    my $node = NewsCluster::node_for_key($::Cluster, $key);
    Test::More::is(NewsCluster::node_call($node, 'EXISTS', $key,
                                          "{$key}:rev", "{$key}:indexed"),
                   3, "$slug: article, counter and set on one node");
}
--- config eval: $::Config
--- request eval
"GET /news/$::Spread[0]"
--- response_body_like eval
qr{<h1>Title \Q$::Spread[0]\E</h1>}
--- no_error_log
[error]



=== TEST 2: the lists show exactly the published articles, newest first, across nodes
--- init
my @all = reverse @::Spread;
Test::More::is(::list('latest'), "@all", 'latest');
Test::More::is(::list('section:sport'),
               join(' ', reverse @::Spread[0, 2, 4]), 'a section');
Test::More::is(::list('section:city-hall'),
               join(' ', reverse @::Spread[1, 3, 5]), 'another');
Test::More::is(::list('tag:transport'), "@all", 'a tag all share');
Test::More::is(::list('tag:t3'), $::Spread[3], 'a tag one has');
Test::More::is(::list('author:ines-marchetti'), "@all", 'an author');
Test::More::is(::indexed($::Spread[3]),
               join(' ', sort map { "news:{lists}:$_" }
                         qw(latest section:city-hall tag:transport tag:t3
                            author:ines-marchetti)),
               'the set names its lists');
Test::More::is(::cc('HGET', 'news:{lists}:applied',
                    "news:article:$::Spread[3]"), 1,
               'the revision whose lists are applied');
--- config eval: $::Config
--- request
GET /api/never-was
--- error_code: 404
--- no_error_log
[error]



=== TEST 3: PATCH moves an article between lists and its set forgets the old ones
--- init
my $slug = $::Spread[1];
my $res = ::api('PATCH', $slug, { category => 'Weather', tags => ['Rain'] });
Test::More::is($res->{status}, 200, 'changed');
Test::More::is(::etag_rev($res), 2, 'its next revision');
Test::More::unlike(::list('section:sport') . ' ' . ::list('tag:transport')
                   . ' ' . ::list('tag:t1'), qr/\b\Q$slug\E\b/,
                   'out of its old section and tags');
Test::More::is(::list('section:weather'), $slug, 'in its new section');
$res = ::api('PATCH', $slug, { category => 'Stale' }, 'If-Match' => '"1"');
Test::More::is($res->{status}, 412, 'If-Match of an old revision: 412');
Test::More::is(::etag_rev($res), 2, 'with the revision stored');
Test::More::is(::list('section:stale'), '', 'and no list touched');
Test::More::is(::list('tag:rain'), $slug, 'in its new tag');
Test::More::like(::list('latest'), qr/\b\Q$slug\E\b/, 'still in latest');
Test::More::is(::indexed($slug),
               join(' ', sort map { "news:{lists}:$_" }
                         qw(latest section:weather tag:rain
                            author:ines-marchetti)),
               'the set names only its lists now');
--- config eval: $::Config
--- request
GET /t
--- error_code: 404



=== TEST 4: a draft and a deleted article are in no list and out of most read
--- init
my $day = ::today();
my ($draft, $gone) = @::Spread[2, 4];
for my $slug ($draft, $gone) {
    NewsTest::http_get("/news/$slug") for 1 .. 2;
}
my $most = "news:{lists}:most_read:$day";
my @scores;
for (1 .. 100) {
    @scores = map { ::cc('ZSCORE', $most, "news:article:$_") // 0 }
              $draft, $gone;
    last if "@scores" eq '2 2';
    Time::HiRes::sleep(0.02);
}
Test::More::is("@scores", '2 2', 'both counted in most read');
my $res = ::api('PATCH', $draft, { status => 'draft' });
Test::More::is($res->{status}, 200, 'made a draft');
$res = ::api('DELETE', $gone);
Test::More::is($res->{status}, 204, 'deleted');
for my $slug ($draft, $gone) {
    Test::More::unlike(join(' ', map { ::list($_) }
                                 qw(latest section:sport section:city-hall
                                    tag:transport author:ines-marchetti)),
                       qr/\b\Q$slug\E\b/, "$slug: in no list");
    Test::More::is(::cc('ZSCORE', $most, "news:article:$slug"), undef,
                   "$slug: out of most read");
    Test::More::is(::indexed($slug), '', "$slug: its set is empty");
}
Test::More::is(::cc('EXISTS', "news:article:$gone"), 0, 'the hash is gone');
Test::More::is(::cc('GET', "{news:article:$gone}:rev"), 2,
               'its counter stays, so no revision is reused');
$res = ::api('PUT', $gone, { title => 'Back' });
Test::More::is(::etag_rev($res), 3, 'written again: a new revision');
Test::More::is(::api('DELETE', $gone)->{status}, 204, 'and deleted');
Test::More::is(::api('DELETE', $gone)->{status}, 404, 'then it is missing');
--- config eval: $::Config
--- request eval
"GET /news/$::Spread[2]"
--- error_code: 404
--- no_error_log
[error]



=== TEST 5: list pages in every format read each article on its own node, in the list's order
--- init
my @latest = @::Spread[5, 3, 1, 0];
Test::More::is(::listed('/l/latest.json'), "@latest", 'latest, JSON');
Test::More::is(::listed('/l/section/city-hall'), "@::Spread[5, 3]",
               'a section');
Test::More::is(::listed('/l/section/weather'), $::Spread[1], 'another');
Test::More::is(::listed('/l/tag/transport'), "@::Spread[5, 3, 0]", 'a tag');
Test::More::is(::listed('/l/author/ines-marchetti'), "@latest",
               'an author');
Test::More::is(::listed('/l/section/nothing'), 'status 404', 'an empty list');
my ($status, $h, $body) = NewsTest::http_get('/l/latest');
Test::More::is($status, 200, 'HTML');
Test::More::like($body, qr/Title \Q$_\E\b/, "HTML: $_") for @latest;
($status, undef, $body) = NewsTest::http_get('/l/feed.xml');
Test::More::is($status, 200, 'RSS');
Test::More::is(scalar(() = $body =~ /<item>/g), 4, 'RSS: four items');
($status, undef, $body) = NewsTest::http_get('/l/sitemap.xml?page=1');
Test::More::is($status, 200, 'sitemap');
Test::More::like($body, qr{<loc>[^<]*/\Q$_\E</loc>}, "sitemap: $_")
    for @latest;
# members no write made: no hash, a draft, a scheduled one, left out
::cc('ZADD', 'news:{lists}:latest', 1762248900, "news:article:ghost");
::cc('HSET', 'news:article:hand-draft', 'title', 'Hand', 'status', 'draft');
::cc('ZADD', 'news:{lists}:latest', 1762248901, 'news:article:hand-draft');
::cc('HSET', 'news:article:later', 'title', 'Later',
     'published_ts', time + 86400);
::cc('ZADD', 'news:{lists}:latest', 1762248902, 'news:article:later');
Test::More::is(::listed('/l/latest.json'), "@latest",
               'no hash, a draft and a scheduled one left out');
::cc('ZREM', 'news:{lists}:latest', map { "news:article:$_" }
     qw(ghost hand-draft later));
($status, $h) = NewsTest::http_get('/l/latest.json');
Test::More::ok($h->{etag}, 'an ETag');
($status) = NewsTest::http_get('/l/latest.json',
                               'If-None-Match' => $h->{etag});
Test::More::is($status, 304, 'the same page: 304');
--- config eval: $::Config
--- request
GET /l/section/sport
--- response_body_like eval
qr/"slug":"\Q$::Spread[0]\E"/
--- no_error_log
[error]



=== TEST 6: most read, a day and a week, and the box beside an HTML list
--- init
my $day = ::today();
my %want = ($::Spread[0] => 3, $::Spread[3] => 1);
for my $slug (sort keys %want) {
    NewsTest::http_get("/news/$slug") for 1 .. $want{$slug};
}
my $most = "news:{lists}:most_read:$day";
for (1 .. 100) {
    last if (::cc('ZSCORE', $most, "news:article:$::Spread[0]") // 0) == 3
            && (::cc('ZSCORE', $most, "news:article:$::Spread[3]") // 0)
               == 1;
    Time::HiRes::sleep(0.02);
}
Test::More::is(::listed('/l/most-read'), "@::Spread[0, 3]", 'today');
Test::More::is(::listed('/l/most-read-week'), "@::Spread[0, 3]",
               'this week');
my ($status, undef, $body) = NewsTest::http_get('/l/latest');
my ($box) = $body =~ m{<aside aria-labelledby="most-read">(.*?)</aside>}s;
Test::More::like($box // '', qr/Title \Q$::Spread[0]\E<.*Title \Q$::Spread[3]\E</s,
                 'the box, most read first');
--- config eval: $::Config
--- request
GET /l/most-read
--- response_body_like eval
qr/"slug":"\Q$::Spread[0]\E"/
--- no_error_log
[error]



=== TEST 7: step 2 fails (the lists' primary killed): 503 with the new ETag, the same PUT again after failover repairs the lists
--- init
my $slug = $::Away[0];
my $key = "news:article:$slug";
my $res = ::api('PUT', $slug, { title => 'Before', category => 'Old',
                                published_at => '2025-11-04T09:30:00Z' });
Test::More::is($res->{status}, 201, 'created');
Test::More::is(::list('section:old'), $slug, 'in its section');
NewsCluster::kill_primary($::Cluster, $::ListsNode);
$res = ::api('PUT', $slug, { title => 'After', category => 'New',
                             published_at => '2025-11-04T09:30:00Z' });
Test::More::is($res->{status}, 503, 'step 2 failed: 503');
Test::More::is(::etag_rev($res), 2, 'with the ETag of what was written');
Test::More::is($res->{json}{error},
               'the article was written (revision 2) but its lists were '
               . 'not updated; write it again to repair them',
               'the JSON error says so');
Test::More::is(NewsCluster::node_call(
                   NewsCluster::node_for_key($::Cluster, $key),
                   'HGET', $key, 'title'),
               'After', 'the article is written on its node');
my $new = NewsCluster::wait_failover($::Cluster, $::ListsNode, 30);
Test::More::ok($new, 'a replica took over')
    or Test::More::diag(NewsCluster::describe($::Cluster));
Test::More::is(::list('section:old'), $slug, 'still in its old section');
Test::More::is(::list('section:new'), '', 'not in its new one');
for (1 .. 50) {
    $res = ::api('PUT', $slug, { title => 'After', category => 'New',
                                 published_at => '2025-11-04T09:30:00Z' });
    last if $res->{status} == 200;
    Time::HiRes::sleep(0.1);
}
Test::More::is($res->{status}, 200, 'the same PUT again: 200');
Test::More::is(::list('section:old'), '', 'out of its old section');
Test::More::is(::list('section:new'), $slug, 'in its new one');
Test::More::like(::list('latest'), qr/\b\Q$slug\E\b/, 'in latest');
Test::More::is(::indexed($slug),
               'news:{lists}:latest news:{lists}:section:new',
               'its set names only its lists');
--- config eval: $::Config
--- request
GET /t
--- error_code: 404
--- error_log eval
qr/news: 503 for article "news:article:away-\d+": rev 2 written but its lists were not updated/



=== TEST 8: a list page while one of its articles' primary is down: 503, not a page without it; back after failover
--- init
my $slug = $::Spread[0];
my $node = NewsCluster::node_for_key($::Cluster, "news:article:$slug");
Test::More::isnt($node->{port}, $::ListsNode->{port},
                 'not the lists\' node (that one failed over already)')
    or Test::More::diag(NewsCluster::describe($::Cluster));
Test::More::like(::listed('/l/latest.json'), qr/\b\Q$slug\E\b/,
                 'listed while its node is up');
NewsCluster::kill_primary($::Cluster, $node);
my $listed = ::listed('/l/latest.json');
Test::More::like($listed, qr/^status 50[34]$/, 'its node down: 503 or 504')
    or Test::More::diag($listed);
Test::More::is(::listed("/l/section/city-hall"), "@::Spread[5, 3]",
               'a list without it still shown');
my $new = NewsCluster::wait_failover($::Cluster, $node, 30);
Test::More::ok($new, 'a replica took over')
    or Test::More::diag(NewsCluster::describe($::Cluster));
for (1 .. 50) {
    $listed = ::listed('/l/latest.json');
    last if $listed =~ /\b\Q$slug\E\b/;
    Time::HiRes::sleep(0.1);
}
Test::More::like($listed, qr/\b\Q$slug\E\b/, 'listed again');
--- config eval: $::Config
--- request
GET /t
--- error_code: 404
--- error_log eval
qr/news: cannot read the article "news:article:spread-\d+" of a list/



=== TEST 9: news_stale: views served while two articles' primary is down are added after failover, one article a batch, its marker beside it
--- init
my ($node) = grep { NewsCluster::replicas_of($::Cluster, $_) }
             NewsCluster::primaries($::Cluster);
Test::More::ok($node, 'a primary with a replica left')
    or Test::More::diag(NewsCluster::describe($::Cluster));
my $map = NewsCluster::slot_map($::Cluster);
my @slugs;
for (my $i = 1; @slugs < 2; $i++) {
    my $n = NewsCluster::node_for_key($::Cluster, "news:article:stale-$i",
                                      $map);
    push @slugs, "stale-$i" if $n == $node;
}
Test::More::isnt(NewsCluster::slot_of("news:article:$slugs[0]"),
                 NewsCluster::slot_of("news:article:$slugs[1]"),
                 'two slots of one node');
sub ::shown_of {
    my ($slug) = @_;
    my ($status, undef, $body) = NewsTest::http_get("/s/$slug");
    return $status == 200 && $body =~ />(\d+) Views?</ ? $1
                                                       : "status $status";
}
my %shown;
for my $slug (@slugs) {
    ::cc('HSET', "news:article:$slug", 'title', "Title $slug", 'rev', 1);
    push @{ $shown{$slug} }, ::shown_of($slug);
}
NewsCluster::kill_primary($::Cluster, $node);
Time::HiRes::sleep(0.5);
for my $slug (@slugs) {
    push @{ $shown{$slug} }, ::shown_of($slug) for 1 .. 3;
    Test::More::is("@{ $shown{$slug} }", '1 2 3 4',
                   "$slug: served while its node is down, each view shown");
}
my $new = NewsCluster::wait_failover($::Cluster, $node, 30);
Test::More::ok($new, 'a replica took over')
    or Test::More::diag(NewsCluster::describe($::Cluster));
for my $slug (@slugs) {
    my $key = "news:article:$slug";
    my $views;
    for (1 .. 100) {
        $views = ::cc('HGET', $key, 'views') // 0;
        last if $views == 4;
        Time::HiRes::sleep(0.1);
    }
    Test::More::is($views, 4, "$slug: the buffered views added");
    my $markers = NewsCluster::node_call($new, 'KEYS', "{$key}:flushed:*");
    Test::More::is(scalar(@$markers), 1, "$slug: one marker, beside it")
        or Test::More::diag("@$markers");
}
--- config eval: $::Config
--- request
GET /t
--- error_code: 404
--- error_log eval
qr/news_stale: 3 views of 1 articles added to Redis/
--- no_error_log
different hash slots
