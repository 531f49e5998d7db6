# The publishing API (news_publish) in a real Redis Cluster
# (t/inc/NewsCluster.pm, three primaries and a replica each on
# loopback): a write is step 1 in the article's slot (the article, its
# revision counter and its set of lists beside it), step 2 in the lists'
# slot ("news:{lists}:..."), and step 3 back in the article's slot once
# it left lists.  Articles on every primary, their lists across nodes,
# drafts and deletions out of the lists and most read, and step 2
# failing (the lists' primary killed): 503 with the new ETag, then the
# same write again repairs the lists.

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



=== TEST 5: step 2 fails (the lists' primary killed): 503 with the new ETag, the same PUT again after failover repairs the lists
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
