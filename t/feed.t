# Feeds and sitemaps (news_format rss, atom, news_sitemap, sitemap; issue
# 12): each read back with a real XML parser (XML::LibXML, libxml2) and
# checked element by element: dates (RFC 822, RFC 3339), absolute URLs,
# counts, a hostile title (markup, "&", "]]>", control bytes, invalid
# UTF-8) that reads back as its text; the full text behind
# news_feed_content; the Google News sitemap's two days and 1000
# articles; the sitemap index and its ?page=N files (news_sitemap_size).
# Redis is a private server; articles are written through the
# publishing API, so that its lists are kept.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

use JSON::PP ();
use IO::Socket::INET;
use POSIX ();
use XML::LibXML;

master_on();
workers(1);
no_shuffle();
no_long_string();

our $Store = NewsTest::start_redis();
$ENV{TEST_NGINX_FEED_PORT} = $Store->{port};

our $JSON = JSON::PP->new->utf8->canonical;

sub ::r { NewsTest::redis_on($::Store, @_) }

# ::put($slug, \%fields): written through the publishing API; the status
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

# ::get($path): { status, h, body }
sub ::get {
    my ($status, $h, $body) = NewsTest::http_get(@_);
    return { status => $status, h => $h, body => $body };
}

# ::xml($body): an XPath context on the document, libxml2 refusing any
# that is not well-formed; prefixes: a (Atom), s (sitemaps), n (Google
# News), dc, content
sub ::xml {
    my ($body) = @_;
    my $doc = XML::LibXML->load_xml(string => $body, no_network => 1);
    my $xc = XML::LibXML::XPathContext->new($doc);
    $xc->registerNs(a => 'http://www.w3.org/2005/Atom');
    $xc->registerNs(s => 'http://www.sitemaps.org/schemas/sitemap/0.9');
    $xc->registerNs(n => 'http://www.google.com/schemas/sitemap-news/0.9');
    $xc->registerNs(dc => 'http://purl.org/dc/elements/1.1/');
    $xc->registerNs(content => 'http://purl.org/rss/1.0/modules/content/');
    return $xc;
}

# the text of every node an XPath finds, in document order
sub ::texts {
    my ($xc, $path, $node) = @_;
    return [ map { $_->textContent } $xc->findnodes($path, $node) ];
}

sub ::text {
    my ($xc, $path, $node) = @_;
    my @n = $xc->findnodes($path, $node);
    return @n == 1 ? $n[0]->textContent : "(" . scalar(@n) . " nodes)";
}

sub ::iso { POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $_[0]) }

# what a parser must give back of the hostile title: the markup, "&" and
# "]]>" as text, the CR kept, the C0 controls and U+FFFE left out
our $Hostile = "<script>alert('x')</script> & ]]> \x01\x0b\x1f\x{fffe}"
               . "\"q\"\rend";
our $HostileText = "<script>alert('x')</script> & ]]> \"q\"\rend";

# three published articles (one of them hostile), a draft, a scheduled
# one; every date given, so that every date in the feeds is known
sub ::setup {
    ::r('FLUSHALL');
    my %a = (
        'tram-line' => { title => 'Tram line approved',
                         category => 'City Hall', tags => ['Transport'],
                         author => 'Ines Marchetti',
                         summary => 'The council voted 31 to 12.',
                         published_at => '2025-11-04T09:30:00Z',
                         updated_at => '2025-11-05T07:00:00Z',
                         body => 'Text.' },
        'night-market' => { title => 'Night market opens',
                            category => 'Culture', tags => ['Food', 'Night'],
                            authors => [
                                { name => 'Tomas Berg',
                                  url => 'https://example.org/tb' },
                                { name => "Ana O'Neill",
                                  url => 'https://example.org/ao' } ],
                            published_at => '2025-11-05T10:00:00Z',
                            updated_at => '2025-11-05T10:00:00Z',
                            body => 'Text.' },
        'hostile' => { title => $::Hostile, category => 'A & B <c>',
                       author => '<b>Eve</b> & co',
                       summary => 'Sum <i>mary</i> ]]> & more',
                       published_at => '2025-11-06T08:00:00Z',
                       updated_at => '2025-11-06T08:30:00Z',
                       body => "Para <i>one</i> ]]> &amp;\n\nTwo." },
        'draft-piece' => { title => 'A draft', status => 'draft',
                           published_at => '2025-11-07T08:00:00Z',
                           body => 'Text.' },
        'future-piece' => { title => 'Not yet',
                            published_at => '2099-01-01T00:00:00Z',
                            body => 'Text.' },
    );
    for my $slug (sort keys %a) {
        my $st = ::put($slug, $a{$slug});
        die "PUT $slug: $st" unless $st == 201;
    }
}

our $Config = <<'_EOC_';
    news_redis_pass 127.0.0.1:$TEST_NGINX_FEED_PORT;
    news_key_prefix news:;
    news_base_url https://news.example.org;
    news_article_url /news/;
    news_site_name "The Courier";

    location = /feed.xml { news_list latest; news_format rss; }
    location = /atom.xml { news_list latest; news_format atom; }
    location = /news-sitemap.xml { news_list latest; news_format news_sitemap; }
    location = /sitemap.xml { news_list latest; news_format sitemap; }
    location = /full.xml {
        news_list latest;
        news_format rss;
        news_feed_content on;
    }
    location = /full-atom.xml {
        news_list latest;
        news_format atom;
        news_feed_content on;
        news_body_format markdown;
    }
    location = /paged.xml {
        news_list latest;
        news_format atom;
        news_list_size 2;
    }
    location = /small-sitemap.xml {
        news_list latest;
        news_format sitemap;
        news_sitemap_size 2;
    }
    location ~ ^/section/(?<s>[a-z0-9-]+)/feed$ {
        news_list section $s;
        news_format rss;
    }
    location ~ ^/api/articles/(?<slug>[^/]+)$ {
        client_max_body_size 1m;
        news_publish $slug;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: RSS 2.0: channel, items newest first with absolute links, permalink guids, RFC 822 dates, authors, categories and summaries; no draft, no scheduled article
--- config eval: $::Config
--- init
::setup();
my $res = ::get('/feed.xml');
Test::More::is($res->{status}, 200, 'status 200');
Test::More::is($res->{h}{'content-type'}, 'application/rss+xml; charset=utf-8',
               'Content-Type');
my $x = ::xml($res->{body});
Test::More::is(::text($x, '/rss/@version'), '2.0', 'RSS 2.0');
Test::More::is(::text($x, '/rss/channel/title'), 'The Courier - Latest news',
               'channel title: site name and list title');
Test::More::is(::text($x, '/rss/channel/link'), 'https://news.example.org/',
               'channel link: the site');
Test::More::is(::text($x, '/rss/channel/language'), 'en', 'language');
Test::More::is(::text($x, '/rss/channel/lastBuildDate'),
               'Thu, 06 Nov 2025 08:30:00 +0000',
               'lastBuildDate: the newest change, RFC 822');
Test::More::is(::text($x, '/rss/channel/a:link[@rel="self"]/@href'),
               'https://news.example.org/feed.xml', 'atom:link rel=self');
Test::More::is(::text($x, '/rss/channel/a:link[@rel="self"]/@type'),
               'application/rss+xml', 'its type');
Test::More::is_deeply(::texts($x, '/rss/channel/item/title'),
                      [$::HostileText, 'Night market opens',
                       'Tram line approved'],
                      'three items, newest first; the hostile title as text');
my @urls = map { "https://news.example.org/news/$_" }
               qw(hostile night-market tram-line);
Test::More::is_deeply(::texts($x, '/rss/channel/item/link'), \@urls,
                      'absolute links');
Test::More::is_deeply(::texts($x, '/rss/channel/item/guid'), \@urls,
                      'guid: the article URL');
Test::More::is_deeply(::texts($x, '/rss/channel/item/guid/@isPermaLink'),
                      ['true', 'true', 'true'], 'isPermaLink');
Test::More::is_deeply(::texts($x, '/rss/channel/item/pubDate'),
                      ['Thu, 06 Nov 2025 08:00:00 +0000',
                       'Wed, 05 Nov 2025 10:00:00 +0000',
                       'Tue, 04 Nov 2025 09:30:00 +0000'],
                      'pubDate: RFC 822 in UTC');
my @items = $x->findnodes('/rss/channel/item');
Test::More::is_deeply(::texts($x, 'dc:creator', $items[0]), ['<b>Eve</b> & co'],
                      'dc:creator, escaped and read back');
Test::More::is_deeply(::texts($x, 'dc:creator', $items[1]),
                      ['Tomas Berg', "Ana O'Neill"], 'one per author');
Test::More::is_deeply(::texts($x, 'category', $items[1]),
                      ['Culture', 'Food', 'Night'],
                      'category: the section, then the tags');
Test::More::is_deeply(::texts($x, 'category', $items[0]), ['A & B <c>'],
                      'a hostile section');
Test::More::is_deeply(::texts($x, '/rss/channel/item/description'),
                      ['Sum <i>mary</i> ]]> & more',
                       'The council voted 31 to 12.'],
                      'description: the summary, where there is one');
Test::More::is(scalar(() = $x->findnodes('//content:encoded')), 0,
               'no full text by default');
Test::More::unlike($res->{body}, qr/<script|<!\[CDATA\[|[\x00-\x08\x0b\x0c\x0e-\x1f]/,
                   'no raw markup, no CDATA, no control byte');
Test::More::like($res->{body}, qr/&amp; \]\]&gt; &quot;q&quot;&#13;end/,
                 'escaped as XML text, the CR as a reference');
Test::More::is($res->{h}{'last-modified'}, 'Thu, 06 Nov 2025 08:30:00 GMT',
               'Last-Modified: the newest change, as lists have it');
Test::More::is(::get('/feed.xml', 'If-None-Match' => $res->{h}{etag})->{status},
               304, 'its ETag makes a 304, as lists do');
--- request
GET /feed.xml
--- response_body_like: ^<\?xml version="1.0" encoding="UTF-8"\?>\n<rss version="2.0"
--- no_error_log
[error]



=== TEST 2: Atom 1.0: feed id, title, updated, self and alternate links, the site as author; entries with stable ids, RFC 3339 published and updated, authors, categories, summaries
--- config eval: $::Config
--- init
my $res = ::get('/atom.xml');
Test::More::is($res->{status}, 200, 'status 200');
Test::More::is($res->{h}{'content-type'}, 'application/atom+xml; charset=utf-8',
               'Content-Type');
my $x = ::xml($res->{body});
Test::More::is(::text($x, '/a:feed/@xml:lang'), 'en', 'xml:lang');
Test::More::is(::text($x, '/a:feed/a:id'), 'https://news.example.org/atom.xml',
               'feed id: the feed URL');
Test::More::is(::text($x, '/a:feed/a:title'), 'The Courier - Latest news', 'title');
Test::More::is(::text($x, '/a:feed/a:updated'), '2025-11-06T08:30:00Z',
               'updated: the newest change, RFC 3339');
Test::More::is(::text($x, '/a:feed/a:link[@rel="self"]/@href'),
               'https://news.example.org/atom.xml', 'rel=self');
Test::More::is(::text($x, '/a:feed/a:link[@rel="alternate"]/@href'),
               'https://news.example.org/', 'rel=alternate: the site');
Test::More::is(::text($x, '/a:feed/a:author/a:name'), 'The Courier',
               'the site is the feed author');
my @urls = map { "https://news.example.org/news/$_" }
               qw(hostile night-market tram-line);
Test::More::is_deeply(::texts($x, '/a:feed/a:entry/a:id'), \@urls,
                      'entry ids: the article URLs');
Test::More::is_deeply(::texts($x, '/a:feed/a:entry/a:link[@rel="alternate"]/@href'),
                      \@urls, 'entry links');
Test::More::is_deeply(::texts($x, '/a:feed/a:entry/a:title'),
                      [$::HostileText, 'Night market opens',
                       'Tram line approved'], 'titles, the hostile one as text');
Test::More::is_deeply(::texts($x, '/a:feed/a:entry/a:published'),
                      ['2025-11-06T08:00:00Z', '2025-11-05T10:00:00Z',
                       '2025-11-04T09:30:00Z'], 'published');
Test::More::is_deeply(::texts($x, '/a:feed/a:entry/a:updated'),
                      ['2025-11-06T08:30:00Z', '2025-11-05T10:00:00Z',
                       '2025-11-05T07:00:00Z'], 'updated');
my @e = $x->findnodes('/a:feed/a:entry');
Test::More::is_deeply(::texts($x, 'a:author/a:name', $e[1]),
                      ['Tomas Berg', "Ana O'Neill"], 'authors');
Test::More::is_deeply(::texts($x, 'a:category/@term', $e[2]),
                      ['City Hall', 'Transport'], 'category terms');
Test::More::is_deeply(::texts($x, 'a:category/@term', $e[0]), ['A & B <c>'],
                      'a hostile term');
Test::More::is(::text($x, 'a:summary', $e[0]), 'Sum <i>mary</i> ]]> & more',
               'summary as text');
Test::More::is(scalar(() = $x->findnodes('//a:content')), 0,
               'no full text by default');
Test::More::unlike($res->{body}, qr/<script|[\x00-\x08\x0b\x0c\x0e-\x1f]/,
                   'no raw markup, no control byte');
--- request
GET /atom.xml
--- response_body_like: ^<\?xml version="1.0" encoding="UTF-8"\?>\n<feed xmlns="http://www.w3.org/2005/Atom"
--- no_error_log
[error]



=== TEST 3: news_feed_content on: the body's HTML as escaped text (not CDATA, which "]]>" would end), in RSS and Atom, in the location's body format
--- config eval: $::Config
--- init
my $res = ::get('/full.xml');
Test::More::is($res->{status}, 200, 'status 200');
my $x = ::xml($res->{body});
my @items = $x->findnodes('/rss/channel/item');
Test::More::is(::text($x, 'content:encoded', $items[0]),
               "<p>Para &lt;i&gt;one&lt;/i&gt; ]]&gt; &amp;amp;</p>\n<p>Two.</p>\n",
               'RSS: the body as the page shows it (text: escaped paragraphs)');
Test::More::is(::text($x, 'content:encoded', $items[2]), "<p>Text.</p>\n",
               'each item has its own');
Test::More::unlike($res->{body}, qr/CDATA/, 'no CDATA');
$res = ::get('/full-atom.xml');
$x = ::xml($res->{body});
my @e = $x->findnodes('/a:feed/a:entry');
Test::More::is(::text($x, 'a:content/@type', $e[0]), 'html', 'type="html"');
Test::More::is(::text($x, 'a:content', $e[0]),
               "<p>Para &lt;i&gt;one&lt;/i&gt; ]]&gt; &amp;</p>\n<p>Two.</p>\n",
               'Atom: the body as Markdown made it (raw HTML as text)');
--- request
GET /full-atom.xml
--- response_body_like: <content type="html">&lt;p&gt;Para
--- no_error_log
[error]



=== TEST 4: a feed of a section, paged: next and previous links (RFC 5005), absolute; a page past the end is 404
--- config eval: $::Config
--- init
my $res = ::get('/paged.xml');
Test::More::is($res->{status}, 200, 'status 200');
my $x = ::xml($res->{body});
Test::More::is(scalar(() = $x->findnodes('/a:feed/a:entry')), 2, 'two entries');
Test::More::is(::text($x, '/a:feed/a:link[@rel="next"]/@href'),
               'https://news.example.org/paged.xml?page=2', 'rel=next');
Test::More::is(scalar(() = $x->findnodes('/a:feed/a:link[@rel="previous"]')), 0,
               'no rel=previous on the first page');
$res = ::get('/paged.xml?page=2');
$x = ::xml($res->{body});
Test::More::is_deeply(::texts($x, '/a:feed/a:entry/a:title'),
                      ['Tram line approved'], 'the rest');
Test::More::is(::text($x, '/a:feed/a:id'),
               'https://news.example.org/paged.xml?page=2', 'its own id');
Test::More::is(::text($x, '/a:feed/a:link[@rel="previous"]/@href'),
               'https://news.example.org/paged.xml', 'rel=previous');
Test::More::is(::get('/paged.xml?page=3')->{status}, 404, 'past the end: 404');
$res = ::get('/section/city-hall/feed');
$x = ::xml($res->{body});
Test::More::is(::text($x, '/rss/channel/title'), 'The Courier - City Hall',
               'a section feed is titled after the section');
Test::More::is_deeply(::texts($x, '/rss/channel/item/link'),
                      ['https://news.example.org/news/tram-line'],
                      'its articles only');
--- request
GET /paged.xml?page=3
--- error_code: 404
--- no_error_log
[error]



=== TEST 5: invalid UTF-8 written by hand into a title reads back as U+FFFD in RSS and Atom, whose guid and id stay the article URL through the edit
--- config eval: $::Config
--- init
::r('HSET', 'news:article:hostile', 'title', "Bad \xff\xfe byte \xc0\xaf & <x>",
    'rev', '1000');
my $want = "Bad \x{fffd}\x{fffd} byte \x{fffd}\x{fffd} & <x>";
my $x = ::xml(::get('/feed.xml')->{body});
Test::More::is(::texts($x, '/rss/channel/item/title')->[0], $want, 'RSS');
Test::More::is(::texts($x, '/rss/channel/item/guid')->[0],
               'https://news.example.org/news/hostile',
               'the guid did not change with the edit');
$x = ::xml(::get('/atom.xml')->{body});
Test::More::is(::texts($x, '/a:feed/a:entry/a:title')->[0], $want, 'Atom');
Test::More::is(::texts($x, '/a:feed/a:entry/a:id')->[0],
               'https://news.example.org/news/hostile', 'nor the id');
--- request
GET /sitemap.xml?page=1
--- response_body_like: <loc>https://news.example.org/news/hostile</loc>
--- no_error_log
[error]



=== TEST 6: sitemap index: one file, ?page=1, absolute, lastmod the newest change; the file: every article's URL with lastmod from updated_at
--- config eval: $::Config
--- init
::setup();
my $res = ::get('/sitemap.xml');
Test::More::is($res->{status}, 200, 'status 200');
Test::More::is($res->{h}{'content-type'}, 'application/xml; charset=utf-8',
               'Content-Type');
my $x = ::xml($res->{body});
Test::More::is_deeply(::texts($x, '/s:sitemapindex/s:sitemap/s:loc'),
                      ['https://news.example.org/sitemap.xml?page=1'],
                      'one file, ?page=1');
Test::More::is_deeply(::texts($x, '/s:sitemapindex/s:sitemap/s:lastmod'),
                      ['2025-11-06T08:30:00Z'], 'lastmod: the newest change');
$res = ::get('/sitemap.xml?page=1');
Test::More::is($res->{status}, 200, 'the file: 200');
Test::More::is($res->{h}{'content-type'}, 'application/xml; charset=utf-8',
               'Content-Type');
$x = ::xml($res->{body});
Test::More::is_deeply(::texts($x, '/s:urlset/s:url/s:loc'),
                      [ map { "https://news.example.org/news/$_" }
                            qw(hostile night-market tram-line) ],
                      'every published article, absolute');
Test::More::is_deeply(::texts($x, '/s:urlset/s:url/s:lastmod'),
                      ['2025-11-06T08:30:00Z', '2025-11-05T10:00:00Z',
                       '2025-11-05T07:00:00Z'], 'lastmod: updated_at');
Test::More::is(::get('/sitemap.xml?page=2')->{status}, 404,
               'a file past the last: 404');
--- request
GET /sitemap.xml
--- response_body_like: ^<\?xml version="1.0" encoding="UTF-8"\?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
--- no_error_log
[error]



=== TEST 7: news_sitemap_size 2: the index lists ceil(3/2) files, each file at most 2 URLs, in list order
--- config eval: $::Config
--- init
my $x = ::xml(::get('/small-sitemap.xml')->{body});
Test::More::is_deeply(::texts($x, '/s:sitemapindex/s:sitemap/s:loc'),
                      ['https://news.example.org/small-sitemap.xml?page=1',
                       'https://news.example.org/small-sitemap.xml?page=2'],
                      'two files');
$x = ::xml(::get('/small-sitemap.xml?page=1')->{body});
Test::More::is_deeply(::texts($x, '/s:urlset/s:url/s:loc'),
                      ['https://news.example.org/news/hostile',
                       'https://news.example.org/news/night-market'],
                      'the first file: two URLs');
$x = ::xml(::get('/small-sitemap.xml?page=2')->{body});
Test::More::is_deeply(::texts($x, '/s:urlset/s:url/s:loc'),
                      ['https://news.example.org/news/tram-line'],
                      'the second: the last one');
Test::More::is(::get('/small-sitemap.xml?page=3')->{status}, 404, 'no third');
--- request
GET /small-sitemap.xml?page=3
--- error_code: 404
--- no_error_log
[error]



=== TEST 8: Google News sitemap: the articles of the last two days only, with publication name and language, W3C publication dates and titles (the hostile one as text)
--- config eval: $::Config
--- init
::setup();
my $now = time;
my %recent = (
    'fresh' => $now - 3600,
    'yesterday' => $now - 30 * 3600,
    'old' => $now - 50 * 3600,
    'recent-hostile' => $now - 2 * 3600,
);
for my $slug (sort keys %recent) {
    my $st = ::put($slug, { title => $slug eq 'recent-hostile' ? $::Hostile
                                                               : "Story $slug",
                            published_at => ::iso($recent{$slug}),
                            body => 'Text.' });
    die "PUT $slug: $st" unless $st == 201;
}
my $st = ::put('recent-draft', { title => 'Draft', status => 'draft',
                                 published_at => ::iso($now - 60),
                                 body => 'Text.' });
die "PUT recent-draft: $st" unless $st == 201;
my $res = ::get('/news-sitemap.xml');
Test::More::is($res->{status}, 200, 'status 200');
Test::More::is($res->{h}{'content-type'}, 'application/xml; charset=utf-8',
               'Content-Type');
my $x = ::xml($res->{body});
Test::More::is_deeply(::texts($x, '/s:urlset/s:url/s:loc'),
                      [ map { "https://news.example.org/news/$_" }
                            qw(fresh recent-hostile yesterday) ],
                      'the last two days, newest first: not older, not the draft');
Test::More::is_deeply(::texts($x, '/s:urlset/s:url/n:news/n:publication_date'),
                      [ map { ::iso($recent{$_}) }
                            qw(fresh recent-hostile yesterday) ],
                      'publication dates');
Test::More::is_deeply(::texts($x, '/s:urlset/s:url/n:news/n:title'),
                      ['Story fresh', $::HostileText, 'Story yesterday'],
                      'titles, the hostile one as text');
Test::More::is_deeply(::texts($x, '//n:publication/n:name'),
                      [('The Courier') x 3], 'publication name: the site');
Test::More::is_deeply(::texts($x, '//n:publication/n:language'),
                      [('en') x 3], 'and its language');
Test::More::unlike($res->{body}, qr/<script|[\x00-\x08\x0b\x0c\x0e-\x1f]/,
                   'no raw markup, no control byte');
Test::More::is(::get('/news-sitemap.xml?page=2')->{status}, 404,
               'one document: no page 2');
--- request
GET /news-sitemap.xml
--- response_body_like: xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
--- no_error_log
[error]



=== TEST 9: Google News sitemap: at most 1000 articles, the newest; the plain sitemap has all 1003
--- config eval: $::Config
--- init
::r('FLUSHALL');
# as the write script leaves them: the hash with published_ts, the list
my $now = time;
::r('EVAL', <<'LUA', 0, $now);
local now = tonumber(ARGV[1])
for i = 1, 1003 do
    local t = now - i * 60
    local key = 'news:article:bulk-' .. i
    redis.call('HSET', key, 'title', 'Bulk ' .. i, 'status', 'published',
               'published_at', tostring(t), 'published_ts', tostring(t),
               'rev', tostring(i))
    redis.call('ZADD', 'news:latest', t, key)
end
LUA
my $x = ::xml(::get('/news-sitemap.xml')->{body});
my $locs = ::texts($x, '/s:urlset/s:url/s:loc');
Test::More::is(scalar @$locs, 1000, '1000 URLs');
Test::More::is($locs->[0], 'https://news.example.org/news/bulk-1', 'the newest first');
Test::More::is($locs->[-1], 'https://news.example.org/news/bulk-1000',
               'the 1000th newest last');
$x = ::xml(::get('/sitemap.xml?page=1')->{body});
Test::More::is(scalar(() = $x->findnodes('/s:urlset/s:url')), 1003,
               'the sitemap file has all of them');
--- request
GET /sitemap.xml
--- response_body_like: <loc>https://news.example.org/sitemap.xml\?page=1</loc>
--- no_error_log
[error]



=== TEST 10: an empty list: feeds and sitemaps are empty documents (200), but a page past the first is 404
--- config eval: $::Config
--- init
::r('FLUSHALL');
my $res = ::get('/feed.xml');
Test::More::is($res->{status}, 200, 'RSS: 200');
my $x = ::xml($res->{body});
Test::More::is(scalar(() = $x->findnodes('/rss/channel/item')), 0, 'no item');
Test::More::is(::text($x, '/rss/channel/title'), 'The Courier - Latest news',
               'the channel still');
$x = ::xml(::get('/atom.xml')->{body});
Test::More::is(scalar(() = $x->findnodes('/a:feed/a:entry')), 0, 'Atom: no entry');
Test::More::like(::text($x, '/a:feed/a:updated'),
                 qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
                 'and an updated of its own (now), as Atom requires');
$x = ::xml(::get('/news-sitemap.xml')->{body});
Test::More::is(scalar(() = $x->findnodes('/s:urlset/s:url')), 0,
               'news sitemap: no URL');
$x = ::xml(::get('/sitemap.xml')->{body});
Test::More::is_deeply(::texts($x, '/s:sitemapindex/s:sitemap/s:loc'),
                      ['https://news.example.org/sitemap.xml?page=1'],
                      'the index still has its one file');
Test::More::is(scalar(() = $x->findnodes('//s:lastmod')), 0, 'no lastmod');
$x = ::xml(::get('/sitemap.xml?page=1')->{body});
Test::More::is(scalar(() = $x->findnodes('/s:urlset/s:url')), 0,
               'which is empty');
Test::More::is(::get('/sitemap.xml?page=2')->{status}, 404,
               'no second sitemap file');
--- request
GET /feed.xml?page=2
--- error_code: 404
--- no_error_log
[error]



=== TEST 11: news_sitemap_size must be 1 to 50000: nginx -t says where
--- config
    location = /s { news_list latest; news_format sitemap; news_sitemap_size 50001; }
--- must_die
--- error_log eval
qr/value must be between 1 and 50000 in \S+nginx\.conf:\d+/



=== TEST 12: news_feed_content takes on or off
--- config
    location = /s { news_list latest; news_format rss; news_feed_content yes; }
--- must_die
--- error_log eval
qr/invalid value "yes" in "news_feed_content" directive, it must be "on" or "off" in \S+nginx\.conf:\d+/
