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
