# Lists (news_list, issue 12): the home page, section, tag, author and
# most read pages from the publishing API's indexes; paging and its
# edges; drafts, scheduled and deleted articles never listed; 304s;
# JSON; a hostile title; a read that writes nothing and is one script
# call.  Redis is a private server, so that DEBUG DIGEST can tell whether
# a list read wrote anything.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

use JSON::PP ();
use IO::Socket::INET;
use POSIX ();
use Time::Local ();

master_on();
workers(1);
no_shuffle();
no_long_string();

our $Store = NewsTest::start_redis('--enable-debug-command', 'yes');
$ENV{TEST_NGINX_LIST_PORT} = $Store->{port};
$ENV{TEST_NGINX_HTML_DIR} ||= "$ENV{TEST_NGINX_SERVER_ROOT}/html";

our $JSON = JSON::PP->new->utf8->canonical;

sub ::r { NewsTest::redis_on($::Store, @_) }

sub ::http_date {
    return POSIX::strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime $_[0]);
}

# ::put($slug, \%fields): the article written through the publishing API
# (so that its lists are kept), the status of the answer
sub ::put {
    my ($slug, $fields) = @_;
    my $body = $::JSON->encode($fields);
    my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
    my $s;
    for (1 .. 600) {
        $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                   Timeout => 10) and last;
        select undef, undef, undef, 0.05;
    }
    die "connect to nginx on $port: $!" unless $s;
    print $s "PUT /api/articles/$slug HTTP/1.1\r\nHost: localhost\r\n"
             . "Connection: close\r\nContent-Length: " . length($body)
             . "\r\n\r\n$body";
    local $/;
    my $resp = <$s>;
    return $resp =~ m{^HTTP/1\.\d (\d+)} ? $1 : 0;
}

# ::get($path, %headers): { status, h, body }
sub ::get {
    my ($status, $h, $body) = NewsTest::http_get(@_);
    return { status => $status, h => $h, body => $body };
}

# the titles of a list page, in order
sub ::titles {
    my ($body) = @_;
    return [ $body =~ m{<h2><a href="[^"]*">([^<]*)</a></h2>}g ];
}

sub ::hrefs {
    my ($body) = @_;
    return [ $body =~ m{<h2><a href="([^"]*)">}g ];
}

# three published articles, a draft and a scheduled one
sub ::setup {
    ::r('FLUSHALL');
    my %a = (
        'tram-line' => { title => 'Tram line approved', category => 'City Hall',
                         tags => ['Transport', 'City Hall'],
                         author => 'Ines Marchetti',
                         summary => 'The council voted 31 to 12.',
                         image => '/images/tram.jpg', image_alt => 'A tram',
                         published_at => '2025-11-04T09:30:00Z',
                         body => 'Text.' },
        'night-market' => { title => 'Night market opens', category => 'Culture',
                            tags => ['Food'], author => 'Tomas Berg',
                            published_at => '2025-11-05T10:00:00Z',
                            body => 'Text.' },
        'heat-pumps' => { title => 'Heat pumps for schools',
                          category => 'City Hall', tags => ['Energy'],
                          author => 'Ines Marchetti',
                          published_at => '2025-11-06T08:00:00Z',
                          body => 'Text.' },
        'draft-piece' => { title => 'A draft', category => 'City Hall',
                           status => 'draft', author => 'Ines Marchetti',
                           published_at => '2025-11-07T08:00:00Z',
                           body => 'Text.' },
        'future-piece' => { title => 'Not yet', category => 'City Hall',
                            author => 'Ines Marchetti',
                            published_at => '2099-01-01T00:00:00Z',
                            body => 'Text.' },
    );
    for my $slug (sort keys %a) {
        my $st = ::put($slug, $a{$slug});
        die "PUT $slug: $st" unless $st == 201;
    }
}

our $Config = <<'_EOC_';
    news_redis_pass 127.0.0.1:$TEST_NGINX_LIST_PORT;
    news_key_prefix news:;
    news_base_url https://news.example.org;
    news_article_url /news/;
    news_site_name "The Courier";
    news_section_url /section/;
    news_tag_url /tag/;
    news_author_url /author/;

    location = / { news_list latest; }
    location ~ ^/section/(?<s>[a-z0-9-]+)$ { news_list section $s; }
    location ~ ^/tag/(?<t>[^/]+)$ { news_list tag $t; }
    location ~ ^/author/(?<a>[^/]+)$ { news_list author $a; }
    location = /most-read { news_list most_read day; }
    location = /most-read-week { news_list most_read week; }
    location = /api/latest { news_list latest; news_format json; }
    location = /api/section { news_list section $arg_s; news_format json; }
    location = /small {
        news_list latest;
        news_list_size 2;
        news_list_most_read 0;
    }
    location = /feed.xml { news_list latest; news_format rss; }
    location = /atom.xml { news_list latest; news_format atom; }
    location = /news-sitemap.xml { news_list latest; news_format news_sitemap; }
    location = /sitemap.xml {
        news_list latest;
        news_format sitemap;
        news_sitemap_size 2;
    }
    location ~ ^/api/articles/(?<slug>[^/]+)$ {
        client_max_body_size 1m;
        news_publish $slug;
    }
    location ~ ^/news/(?<slug>[a-z0-9-]+)$ {
        news_article news:article:$slug;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: the home page lists the published articles, newest first, linked to their pages; not the draft, not the scheduled one
--- config eval: $::Config
--- init
::setup();
my $res = ::get('/');
Test::More::is($res->{status}, 200, 'status 200');
Test::More::is($res->{h}{'content-type'}, 'text/html; charset=utf-8', 'HTML');
Test::More::is_deeply(::titles($res->{body}),
                      ['Heat pumps for schools', 'Night market opens',
                       'Tram line approved'], 'newest first');
Test::More::is_deeply(::hrefs($res->{body}),
                      ['https://news.example.org/news/heat-pumps',
                       'https://news.example.org/news/night-market',
                       'https://news.example.org/news/tram-line'],
                      'absolute article URLs');
Test::More::unlike($res->{body}, qr/A draft|Not yet/, 'no draft, no scheduled');
Test::More::like($res->{body}, qr{<title>Latest news \| The Courier</title>},
                 'list title and site name');
Test::More::like($res->{body}, qr{<link rel="canonical" href="https://news.example.org/">},
                 'canonical');
Test::More::like($res->{body},
                 qr{<a class="category" href="https://news.example.org/section/city-hall">City Hall</a>},
                 'section linked');
Test::More::like($res->{body},
                 qr{<a href="https://news.example.org/author/ines-marchetti">Ines Marchetti</a>},
                 'author linked');
Test::More::like($res->{body}, qr{<img src="/images/tram.jpg" alt="A tram"},
                 'image and its alt');
Test::More::like($res->{body}, qr{<time datetime="2025-11-04T09:30:00Z">Tue, 04 Nov 2025</time>},
                 'dates');
Test::More::unlike($res->{body}, qr/rel="(?:next|prev)"/, 'one page: no next, no prev');
Test::More::is($res->{h}{'cache-control'}, 'max-age=60', 'short max-age by default');
Test::More::like($res->{h}{etag} // '', qr/^"[0-9a-f]{32}"$/, 'a strong ETag');
Test::More::is($res->{h}{'last-modified'} // '',
               ::r('HGET', 'news:article:heat-pumps', 'updated_at') =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$/
               ? main::http_date(Time::Local::timegm($6, $5, $4, $3, $2 - 1, $1)) : 'x',
               'Last-Modified: the newest change');
--- request
GET /
--- response_body_like: <h2><a href="https://news.example.org/news/heat-pumps">Heat pumps for schools</a></h2>
--- no_error_log
[error]



=== TEST 2: a section, a tag and an author page list theirs, whatever the case or spelling of the name asked
--- config eval: $::Config
--- init
my $res = ::get('/section/city-hall');
Test::More::is($res->{status}, 200, 'section: 200');
Test::More::is_deeply(::titles($res->{body}),
                      ['Heat pumps for schools', 'Tram line approved'],
                      'section: its articles, not the draft or the scheduled');
Test::More::like($res->{body}, qr{<h1>City Hall</h1>},
                 'section: titled as its articles spell it');
$res = ::get('/tag/TRANSPORT');
Test::More::is_deeply(::titles($res->{body}), ['Tram line approved'],
                      'tag, asked in capitals');
Test::More::like($res->{body}, qr{<h1>TRANSPORT</h1>}, 'tag: titled as asked');
$res = ::get('/tag/city%20hall');
Test::More::is_deeply(::titles($res->{body}), ['Tram line approved'],
                      'tag with a space, URL-encoded');
$res = ::get('/author/Ines%20Marchetti');
Test::More::is_deeply(::titles($res->{body}),
                      ['Heat pumps for schools', 'Tram line approved'],
                      'author by name');
$res = ::get('/author/ines-marchetti');
Test::More::is_deeply(::titles($res->{body}),
                      ['Heat pumps for schools', 'Tram line approved'],
                      'author by the name of the list page link');
--- request
GET /section/culture
--- response_body_like: <h2><a href="https://news.example.org/news/night-market">Night market opens</a></h2>
--- no_error_log
[error]



=== TEST 3: an unknown section, a name that makes no list, a list with nothing: 404
--- config eval: $::Config
--- init
Test::More::is(::get('/section/sports')->{status}, 404, 'no such section');
Test::More::is(::get('/tag/---')->{status}, 404, 'a name of nothing but dashes');
Test::More::is(::get('/author/nobody')->{status}, 404, 'no such author');
Test::More::is(::get('/api/section')->{status}, 404, 'an empty variable');
--- request
GET /most-read
--- error_code: 404
--- error_log
news: 404 for list: empty list
--- no_error_log
[error]



=== TEST 4: paging: ?page=N of news_list_size, rel next and prev, the last page
--- config eval: $::Config
--- init
my $p1 = ::get('/small');
Test::More::is_deeply(::titles($p1->{body}),
                      ['Heat pumps for schools', 'Night market opens'],
                      'page 1: the 2 newest');
Test::More::like($p1->{body}, qr{<link rel="next" href="https://news.example.org/small\?page=2">},
                 'page 1: next');
Test::More::unlike($p1->{body}, qr{rel="prev"}, 'page 1: no prev');
Test::More::like($p1->{body}, qr{Page 1 of 2}, 'page 1 of 2');
my $p2 = ::get('/small?page=2');
Test::More::is($p2->{status}, 200, 'page 2: 200');
Test::More::is_deeply(::titles($p2->{body}), ['Tram line approved'],
                      'page 2: the rest');
Test::More::like($p2->{body}, qr{<link rel="prev" href="https://news.example.org/small">},
                 'page 2: prev is the first page, without ?page=1');
Test::More::unlike($p2->{body}, qr{rel="next"}, 'last page: no next');
Test::More::like($p2->{body}, qr{<link rel="canonical" href="https://news.example.org/small\?page=2">},
                 'page 2: its own canonical');
Test::More::is(::get('/small?page=1')->{status}, 200, 'page=1');
Test::More::is(::get('/small?page=3')->{status}, 404, 'page out of range');
Test::More::is(::get('/small?page=0')->{status}, 404, 'page=0');
Test::More::is(::get('/small?page=abc')->{status}, 404, 'page=abc');
Test::More::is(::get('/small?page=-1')->{status}, 404, 'page=-1');
Test::More::is(::get('/small?page=2x')->{status}, 404, 'page=2x');
Test::More::is(::get('/small?page=99999999999999999999')->{status}, 404,
               'a page number too large');
Test::More::is(::get('/small?page=')->{status}, 200, 'an empty page= is page 1');
--- request
GET /small?page=3
--- error_code: 404
--- error_log
news: 404 for list: page out of range
--- no_error_log
[error]



=== TEST 5: a deleted article, a draft and a hash gone by hand are never listed, even when a list still names them
--- config eval: $::Config
--- init
::setup();
# DELETE through the API takes it out of its lists
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ENV{TEST_NGINX_SERVER_PORT}")
        or die "connect: $!";
print $s "DELETE /api/articles/night-market HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
{ local $/; my $resp = <$s>; die "DELETE: $resp" unless $resp =~ m{^HTTP/1\.1 204}; }
# by hand: a list that names a draft, a missing hash and a scheduled one
::r('HSET', 'news:article:tram-line', 'status', 'draft');
::r('ZADD', 'news:latest', 1762000000, 'news:article:gone');
::r('ZADD', 'news:latest', 1762000001, 'news:article:draft-piece');
::r('ZADD', 'news:latest', 1762000002, 'news:article:future-piece');
# and one whose views are not a number: left out, not a broken page
::r('HSET', 'news:article:bad-views', 'title', 'Bad views', 'views', 'many');
::r('ZADD', 'news:latest', 1762000003, 'news:article:bad-views');
my $res = ::get('/');
Test::More::is_deeply(::titles($res->{body}), ['Heat pumps for schools'],
                      'only the published article');
my $j = $::JSON->decode(::get('/api/latest')->{body});
Test::More::is_deeply([ map { $_->{slug} } @{ $j->{articles} } ],
                      ['heat-pumps'], 'JSON: only the published article');
::r('HDEL', 'news:article:tram-line', 'status');
Test::More::is(::r('EXISTS', 'news:article:gone'), 0, 'no hash made for a missing member');
--- request
GET /section/city-hall
--- response_body_like: Heat pumps for schools.*Tram line approved
--- no_error_log
[error]



=== TEST 6: most read of the day, ordered by the views counted today, and of the week, which adds up the last 7 days
--- config eval: $::Config
--- init
::setup();
Test::More::is(::get('/most-read')->{status}, 404, 'no views yet: nothing to list');
NewsTest::http_get('/news/tram-line') for 1 .. 3;
NewsTest::http_get('/news/night-market') for 1 .. 5;
NewsTest::http_get('/news/heat-pumps');
my $res = ::get('/most-read');
Test::More::is($res->{status}, 200, 'status 200');
Test::More::is_deeply(::titles($res->{body}),
                      ['Night market opens', 'Tram line approved',
                       'Heat pumps for schools'], 'most views first');
Test::More::like($res->{body}, qr{<h1>Most read today</h1>}, 'titled');
Test::More::unlike($res->{body}, qr{<aside}, 'no most read box beside itself');
# an earlier day of the week, by hand: heat pumps had 10 views then
my ($secs) = split /\n/, ::r('TIME');
my $day = POSIX::strftime('%Y%m%d', gmtime($secs - 2 * 86400));
::r('ZADD', "news:most_read:$day", 10, 'news:article:heat-pumps');
$day = POSIX::strftime('%Y%m%d', gmtime($secs - 8 * 86400));
::r('ZADD', "news:most_read:$day", 100, 'news:article:tram-line');
$res = ::get('/most-read-week');
Test::More::is_deeply(::titles($res->{body}),
                      ['Heat pumps for schools', 'Night market opens',
                       'Tram line approved'],
                      'the week: 11, 5, 3 (not the 8th day back)');
Test::More::is_deeply(::titles(::get('/most-read')->{body}),
                      ['Night market opens', 'Tram line approved',
                       'Heat pumps for schools'], 'today alone is unchanged');
$res = ::get('/');
Test::More::like($res->{body},
                 qr{<h2 id="most-read">Most read</h2>\s*<ol>\s*<li><a href="https://news.example.org/news/night-market">Night market opens</a><span class="views">5 Views</span></li>\s*<li><a href="https://news.example.org/news/tram-line">Tram line approved</a><span class="views">3 Views</span></li>}s,
                 'the home page has the box of today');
--- request
GET /most-read
--- response_body_like: Night market opens
--- no_error_log
[error]



=== TEST 7: 304 for If-None-Match of the ETag and for If-Modified-Since of Last-Modified, none after an edit
--- config eval: $::Config
--- init
::setup();
my $res = ::get('/section/city-hall');
my ($etag, $lm) = ($res->{h}{etag}, $res->{h}{'last-modified'});
Test::More::ok($etag && $lm, 'ETag and Last-Modified');
my $nm = ::get('/section/city-hall', 'If-None-Match' => $etag);
Test::More::is($nm->{status}, 304, 'If-None-Match: 304');
Test::More::is($nm->{body}, '', 'no body');
Test::More::is($nm->{h}{etag}, $etag, 'the 304 has the ETag');
Test::More::is($nm->{h}{'cache-control'}, 'max-age=60', 'and Cache-Control');
Test::More::is(::get('/section/city-hall', 'If-None-Match' => qq{"x", W/$etag})->{status},
               304, 'a weak form in a list matches');
Test::More::is(::get('/section/city-hall', 'If-None-Match' => '"other"')->{status},
               200, 'another ETag: 200');
Test::More::is(::get('/section/city-hall', 'If-Modified-Since' => $lm)->{status},
               304, 'If-Modified-Since: 304');
Test::More::is(::get('/section/city-hall', 'If-Modified-Since' => 'Mon, 01 Jan 2001 00:00:00 GMT')->{status},
               200, 'modified since: 200');
Test::More::is(::get('/section/city-hall', 'If-None-Match' => '"other"',
                     'If-Modified-Since' => $lm)->{status},
               200, 'If-None-Match wins over If-Modified-Since');
Test::More::is(::get('/small?page=2', 'If-None-Match' => $etag)->{status},
               200, 'not the ETag of another page');
# an edit changes the revision, so the ETag
::put('heat-pumps', { title => 'Heat pumps for every school',
                      category => 'City Hall', published_at => '2025-11-06T08:00:00Z',
                      body => 'Text.' });
$res = ::get('/section/city-hall', 'If-None-Match' => $etag);
Test::More::is($res->{status}, 200, 'after an edit: 200');
Test::More::isnt($res->{h}{etag}, $etag, 'a new ETag');
Test::More::like($res->{body}, qr/Heat pumps for every school/, 'the new title');
# a counted view of a listed article changes the page (its views)
$etag = $res->{h}{etag};
NewsTest::http_get('/news/heat-pumps');
Test::More::is(::get('/section/city-hall', 'If-None-Match' => $etag)->{status},
               200, 'after a view: 200');
--- request
GET /section/city-hall
--- response_headers_like
ETag: "[0-9a-f]{32}"
Last-Modified: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT
--- no_error_log
[error]



=== TEST 8: JSON for apps: the page, its links and each article, parsed back
--- config eval: $::Config
--- init
::setup();
my $res = ::get('/api/latest');
Test::More::is($res->{h}{'content-type'}, 'application/json; charset=utf-8', 'JSON');
my $j = $::JSON->decode($res->{body});
Test::More::is($j->{title}, 'Latest news', 'title');
Test::More::is($j->{kind}, 'latest', 'kind');
Test::More::is($j->{page}, 1, 'page');
Test::More::is($j->{size}, 20, 'size');
Test::More::is($j->{total}, 3, 'total: the published ones');
Test::More::is($j->{url}, 'https://news.example.org/api/latest', 'url');
Test::More::ok(exists $j->{next} && !defined $j->{next}, 'next: null');
my @a = @{ $j->{articles} };
Test::More::is(scalar @a, 3, '3 articles');
Test::More::is($a[2]{slug}, 'tram-line', 'slug');
Test::More::is($a[2]{url}, 'https://news.example.org/news/tram-line', 'url');
Test::More::is($a[2]{title}, 'Tram line approved', 'title');
Test::More::is($a[2]{summary}, 'The council voted 31 to 12.', 'summary');
Test::More::is($a[2]{image}, '/images/tram.jpg', 'image');
Test::More::is($a[2]{image_alt}, 'A tram', 'image_alt');
Test::More::is($a[2]{author}, 'Ines Marchetti', 'author');
Test::More::is($a[2]{category}, 'City Hall', 'category');
Test::More::is_deeply($a[2]{tags}, ['Transport', 'City Hall'], 'tags');
Test::More::is($a[2]{published}, '2025-11-04T09:30:00Z', 'published');
Test::More::like($a[2]{updated}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'updated');
Test::More::is($a[2]{views}, 0, 'views');
--- request
GET /api/latest
--- response_headers
Cache-Control: max-age=60
--- no_error_log
[error]



=== TEST 9: a hostile title, summary, author and category are escaped in HTML, RSS, Atom and the news sitemap, and exact in JSON
--- config eval: $::Config
--- init
::r('FLUSHALL');
our $X = q{</title><script>alert("x")</script> & 'q' <b>};
my $st = ::put('evil', { title => $X, summary => $X, author => $X,
                         category => $X, image_alt => $X, tags => [$X],
                         body => 'Text.' });
die "PUT: $st" unless $st == 201;
# the API refuses such an image: written by hand, with a new revision
::r('HSET', 'news:article:evil', 'image', 'javascript:alert(1)',
    'rev', 1000000);
my $res = ::get('/');
Test::More::unlike($res->{body}, qr{<script>|<b>|</title><}, 'no markup of the title in HTML');
Test::More::like($res->{body},
                 qr{&lt;/title&gt;&lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt; &amp; &#39;q&#39; &lt;b&gt;},
                 'escaped');
Test::More::unlike($res->{body}, qr{javascript:}, 'an image URL that runs script is left out');
my $j = $::JSON->decode(::get('/api/latest')->{body});
Test::More::is($j->{articles}[0]{title}, $X, 'JSON: the title as written');
Test::More::is($j->{articles}[0]{author}, $X, 'JSON: the author as written');
Test::More::ok(!exists $j->{articles}[0]{image}, 'JSON: no unsafe image');
for my $feed ('/feed.xml', '/atom.xml', '/news-sitemap.xml') {
    my $xml = ::get($feed)->{body};
    Test::More::unlike($xml, qr{<script>|<b>|</title><}, "$feed: no markup of the title");
    Test::More::like($xml, qr{&lt;/title&gt;&lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt; &amp;},
                     "$feed: escaped");
}
--- request
GET /
--- response_body_unlike: <script>alert
--- no_error_log
[error]



=== TEST 10: a list read writes nothing, and is one script call
--- config eval: $::Config
--- init
::setup();
NewsTest::http_get('/news/tram-line');
NewsTest::http_get('/');
my $before = ::r('DEBUG', 'DIGEST');
my $keys = ::r('DBSIZE');
my $m = NewsTest::monitor_start($::Store->{port});
for my $path ('/', '/section/city-hall', '/tag/food', '/author/tomas-berg',
              '/most-read', '/most-read-week', '/api/latest',
              '/section/nothing-here', '/small?page=9') {
    ::get($path);
}
my @cmds = grep { $_->[0] ne 'SCRIPT' } NewsTest::monitor_commands($m, 0.3);
Test::More::is(scalar @cmds, 9, 'one command per list read');
Test::More::is_deeply([ map { $_->[0] } @cmds ], [ ('EVALSHA') x 9 ],
                      'each an EVALSHA of the list script');
Test::More::is_deeply([ @{ $cmds[1] }[2, 3, 4] ],
                      [2, 'news:section:city-hall',
                       'news:most_read:' . POSIX::strftime('%Y%m%d', gmtime)],
                      'the list key, normalized, and the box day, as keys');
Test::More::is(::r('DEBUG', 'DIGEST'), $before, 'nothing written');
Test::More::is(::r('DBSIZE'), $keys, 'no key created');
--- request
GET /
--- no_error_log
[error]



=== TEST 11: after SCRIPT FLUSH the list is read with EVAL, and the script is loaded again
--- config eval: $::Config
--- init
NewsTest::http_get('/');
::r('SCRIPT', 'FLUSH');
--- request
GET /section/city-hall
--- response_body_like: Heat pumps for schools
--- error_log
news redis lost its script cache, sending EVAL
--- no_error_log
[error]



=== TEST 12: a list template of one's own: the names of the list and of each article
--- config eval
$::Config . <<'_EOC_';
    location = /custom {
        news_list latest;
        news_list_size 2;
        news_list_template $TEST_NGINX_HTML_DIR/list.tpl;
        news_list_cache_control "public, max-age=5";
    }
_EOC_
--- user_files
>>> list.tpl
{{list_title}}|{{title}}|{{site_name}}|{{page}}/{{pages}}|{{total}}|{{next_url}}|{{kind}}
{{#articles}}{{position}}. {{title}} <{{url}}> {{slug}} {{category}} {{category_url}} {{author_url}} {{published_iso}} {{views_label}} [{{#tags}}{{.}},{{/tags}}] {{site_name}}
{{/articles}}{{^articles}}none{{/articles}}{{#most_read}}* {{title}} {{views}}
{{/most_read}}
--- request
GET /custom
--- response_headers
Cache-Control: public, max-age=5
--- response_body_like chomp
\ALatest news\|Latest news\|The Courier\|1/2\|3\|https://news.example.org/custom\?page=2\|latest
1\. Heat pumps for schools <https://news.example.org/news/heat-pumps> heat-pumps City Hall https://news.example.org/section/city-hall https://news.example.org/author/ines-marchetti 2025-11-06T08:00:00Z \d+ Views? \[Energy,\] The Courier
2\. Night market opens <https://news.example.org/news/night-market> night-market Culture https://news.example.org/section/culture https://news.example.org/author/tomas-berg 2025-11-05T10:00:00Z \d+ Views? \[Food,\] The Courier
(\* .*\n)+\z
--- no_error_log
[error]



=== TEST 13: the feeds and sitemaps come from the same one script call: RSS, Atom, the sitemap index and its files, an empty news sitemap
--- config eval: $::Config
--- init
::setup();
my $m = NewsTest::monitor_start($::Store->{port});
my $rss = ::get('/feed.xml');
my $atom = ::get('/atom.xml');
my $index = ::get('/sitemap.xml');
my $file2 = ::get('/sitemap.xml?page=2');
my $news = ::get('/news-sitemap.xml');
my @cmds = grep { $_->[0] ne 'SCRIPT' } NewsTest::monitor_commands($m, 0.3);
Test::More::is_deeply([ map { $_->[0] } @cmds ], [ ('EVALSHA') x 5 ],
                      'one script call each');
Test::More::is($rss->{h}{'content-type'}, 'application/rss+xml; charset=utf-8', 'RSS');
Test::More::is_deeply([ $rss->{body} =~ m{<item>\s*<title>([^<]*)</title>}g ],
                      ['Heat pumps for schools', 'Night market opens',
                       'Tram line approved'], 'RSS: the items, newest first');
Test::More::is($atom->{h}{'content-type'}, 'application/atom+xml; charset=utf-8', 'Atom');
Test::More::like($atom->{body}, qr{<entry>}, 'Atom: entries');
Test::More::like($rss->{h}{etag} // '', qr/^"[0-9a-f]{32}"$/, 'a feed has an ETag');
Test::More::is($index->{status}, 200, 'sitemap index');
Test::More::is_deeply([ $index->{body} =~ m{<loc>([^<]*)</loc>}g ],
                      ['https://news.example.org/sitemap.xml?page=1',
                       'https://news.example.org/sitemap.xml?page=2'],
                      'index: 3 articles in files of 2');
Test::More::is_deeply([ $file2->{body} =~ m{<loc>([^<]*)</loc>}g ],
                      ['https://news.example.org/news/tram-line'],
                      'the second file');
Test::More::like($file2->{body}, qr{<lastmod>\d{4}-\d\d-\d\dT}, 'lastmod');
Test::More::is(::get('/sitemap.xml?page=3')->{status}, 404, 'a file out of range');
Test::More::is($news->{status}, 200, 'news sitemap: 200');
Test::More::unlike($news->{body}, qr{<url>}, 'nothing of the last 2 days: empty');
Test::More::is(::get('/news-sitemap.xml?page=2')->{status}, 404,
               'a news sitemap has one page');
--- request
GET /feed.xml
--- response_body_like: <rss
--- no_error_log
[error]



=== TEST 14: nginx -t: a list kind that does not exist, a section without a name, a broken list template, a feed format for an article
--- config eval: $::Config
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location / {
            news_list front;
        }
    }
_EOC_
Test::More::isnt($rc, 0, 'unknown kind: nginx -t fails');
Test::More::like($out, qr/invalid list "front", it must be "latest", "section", "tag", "author" or "most_read" in \S+nginx.conf:\d+/,
                 'unknown kind: the message');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location / {
            news_list section;
        }
    }
_EOC_
Test::More::like($out, qr/"news_list section" needs a name/, 'section without a name');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location / {
            news_list most_read month;
        }
    }
_EOC_
Test::More::like($out, qr/"news_list most_read" takes "day" or "week"/, 'most_read month');
my $dir = File::Temp::tempdir(CLEANUP => 1);
open my $fh, '>', "$dir/list.tpl" or die;
print $fh "{{#articles}}\n{{> headline}}\n{{/articles}}\n";
close $fh;
($rc, $out) = NewsTest::nginx_t(<<"_EOC_");
    server {
        location / {
            news_list latest;
            news_list_template $dir/list.tpl;
        }
    }
_EOC_
Test::More::like($out, qr{\Q$dir\E/list.tpl:2: invalid tag "\{\{> headline\}\}"},
                 'broken list template: file and line');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location / {
            news_format rss;
            news_article news:article:x;
        }
    }
_EOC_
Test::More::like($out, qr/"news_format" of feeds and sitemaps is for "news_list" locations only/,
                 'rss for an article');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location / {
            news_list latest;
            news_article news:article:x;
        }
    }
_EOC_
Test::More::like($out, qr/"news_list" cannot be used in a location with "news_article"/,
                 'a list and an article');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location / {
            news_list latest;
            news_list_size 0;
        }
    }
_EOC_
Test::More::isnt($rc, 0, 'news_list_size 0');
--- request
GET /
--- error_code: 200



=== TEST 15: a list answers GET and HEAD only, and HEAD has the headers of GET
--- config eval: $::Config
--- init
my ($st, $h) = NewsTest::http_request('POST', '/');
Test::More::is($st, 405, 'POST: 405');
Test::More::is($h->{allow}, 'GET, HEAD', 'Allow');
my $get = ::get('/');
($st, $h, my $body) = NewsTest::http_request('HEAD', '/');
Test::More::is($st, 200, 'HEAD: 200');
Test::More::is($h->{etag}, $get->{h}{etag}, 'HEAD: the same ETag');
Test::More::is($body, '', 'HEAD: no body');
--- request
HEAD /
--- error_code: 200



=== TEST 16: the article page links its section, author and tags to their list pages, when their URLs are configured
--- config eval: $::Config
--- init
::setup();
# an author with a profile URL of their own keeps it
::r('HSET', 'news:article:heat-pumps', 'authors',
    '[{"name": "Ines Marchetti", "url": "https://people.example.org/ines"}]',
    'rev', 1000002);
Test::More::like(::get('/news/heat-pumps')->{body},
                 qr{<a href="https://people.example.org/ines" rel="author">Ines Marchetti</a>},
                 'an author URL of its own');
::r('HSET', 'news:article:tram-line', 'tags', q{["Transport", "<b>City</b> \"Hall\""]},
    'rev', 1000001);
my $res = ::get('/news/tram-line');
Test::More::like($res->{body},
                 qr{<p class="category"><a href="https://news.example.org/section/city-hall">City Hall</a></p>},
                 'section linked');
Test::More::like($res->{body},
                 qr{<a href="https://news.example.org/author/ines-marchetti" rel="author">Ines Marchetti</a>},
                 'author linked, in the byline');
Test::More::like($res->{body},
                 qr{<a class="tag" href="https://news.example.org/tag/transport" rel="tag">Transport</a>},
                 'tag linked');
Test::More::like($res->{body},
                 qr{<a class="tag" href="https://news.example.org/tag/b-city-b-hall" rel="tag">&lt;b&gt;City&lt;/b&gt; &quot;Hall&quot;</a>},
                 'a hostile tag: escaped, its list name made of it');
--- request
GET /news/night-market
--- response_body_like: <a class="tag" href="https://news.example.org/tag/food" rel="tag">Food</a>
--- no_error_log
[error]



=== TEST 17: without the list URLs, the article page shows section, author and tags as before, unlinked
--- config
    location ~ ^/news/(?<slug>[a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_LIST_PORT;
        news_article news:article:$slug;
    }
--- request
GET /news/night-market
--- response_body_like: <p class="category">Culture</p>.*<span class="author">By Tomas Berg</span>.*<span class="tag">Food</span>
--- no_error_log
[error]



=== TEST 18: news_list_cache: within its time this worker answers from the page it kept, without Redis, 304s included
--- config eval
$::Config . <<'_EOC_';
    location = /kept {
        news_list latest;
        news_list_cache 60s;
    }
_EOC_
--- init
::setup();
my $m = NewsTest::monitor_start($::Store->{port});
my $first = ::get('/kept');
my $second = ::get('/kept');
my $nm = ::get('/kept', 'If-None-Match' => $first->{h}{etag});
my $page2 = ::get('/kept?page=2');
my @cmds = grep { $_->[0] ne 'SCRIPT' } NewsTest::monitor_commands($m, 0.3);
Test::More::is(scalar @cmds, 2, 'Redis asked for the first page once, and for page 2');
Test::More::is($second->{body}, $first->{body}, 'the same page');
Test::More::is($second->{h}{etag}, $first->{h}{etag}, 'the same ETag');
Test::More::is($second->{h}{'last-modified'}, $first->{h}{'last-modified'},
               'the same Last-Modified');
Test::More::is($second->{h}{'cache-control'}, 'max-age=60', 'Cache-Control');
Test::More::is($nm->{status}, 304, 'a kept page answers 304 too');
Test::More::is($page2->{status}, 404, 'another page is another entry');
# an edit shows after the time only; the uncached location shows it now
::put('heat-pumps', { title => 'Heat pumps, edited', category => 'City Hall',
                      published_at => '2025-11-06T08:00:00Z', body => 'Text.' });
Test::More::like(::get('/kept')->{body}, qr/Heat pumps for schools/, 'kept: the page of before');
Test::More::like(::get('/')->{body}, qr/Heat pumps, edited/, 'not kept: the edit');
--- request
GET /kept
--- response_body_like: Heat pumps for schools
--- no_error_log
[error]
