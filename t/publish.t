# The publishing API (news_publish, issue 11): create, read, replace,
# change and delete articles as JSON; revisions and conditions; every
# validation error; the lists (latest, section, tag, author) each write
# keeps; drafts, scheduled articles and most read; hostile bodies; access
# control in front of it; tools/news-import.  Redis is a private server,
# so that DEBUG DIGEST can tell whether a refused request wrote anything.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

use JSON::PP ();
use POSIX ();
use IO::Select;
use IO::Socket::INET;
use MIME::Base64 ();
use Time::Local ();
use Errno qw(EAGAIN EWOULDBLOCK EINTR);

master_on();          # a crashed worker shows as "exited on signal"
workers(1);
no_shuffle();
no_long_string();

our $Store = NewsTest::start_redis('--enable-debug-command', 'yes');
$ENV{TEST_NGINX_PUBLISH_PORT} = $Store->{port};
$ENV{TEST_NGINX_HTML_DIR} ||= "$ENV{TEST_NGINX_SERVER_ROOT}/html";

our $JSON = JSON::PP->new->utf8->canonical;

sub ::r { NewsTest::redis_on($::Store, @_) }
sub ::digest { ::r('DEBUG', 'DIGEST') }

# today's most read set, by Redis' clock as the view script makes it
sub ::most_read_key {
    my ($prefix) = @_;
    my ($secs) = split /\n/, ::r('TIME');
    return ($prefix // 'news:') . 'most_read:'
           . POSIX::strftime('%Y%m%d', gmtime $secs);
}

sub ::iso {
    return POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $_[0]);
}

# ::api($method, $path, $body, header => value ...): one request on its
# own connection, the body (bytes, or a reference to encode as JSON) of
# any size written without blocking; returns { status, h (lowercased
# names), body, json (the body decoded, when it is JSON) }.
sub ::api {
    my ($method, $path, $body, %h) = @_;
    $body = $::JSON->encode($body) if ref $body;
    my $port = $ENV{TEST_NGINX_CLIENT_PORT} || $ENV{TEST_NGINX_SERVER_PORT}
               || $ENV{TEST_NGINX_PORT} || 1984;
    my $s;
    for (1 .. 600) {
        $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                   Timeout => 10) and last;
        Time::HiRes::sleep(0.05);
    }
    die "connect to nginx on $port: $!" unless $s;
    my $req = "$method $path HTTP/1.1\r\nHost: localhost\r\n"
              . "Connection: close\r\n";
    $req .= 'Content-Length: ' . length($body) . "\r\n" if defined $body;
    $req .= "$_: $h{$_}\r\n" for sort keys %h;
    $req .= "\r\n" . ($body // '');

    local $SIG{PIPE} = 'IGNORE';
    $s->blocking(0);
    my ($off, $resp, $end) = (0, '', time + 60);
    my $sel = IO::Select->new($s);
    while (time < $end) {
        my ($r, $w) = IO::Select->select($sel, $off < length $req ? $sel
                                                                  : undef,
                                         undef, 1);
        if ($w && @$w) {
            my $n = syswrite $s, $req, length($req) - $off, $off;
            if (defined $n) {
                $off += $n;
            } elsif ($! != EAGAIN && $! != EWOULDBLOCK && $! != EINTR) {
                $off = length $req;     # nginx stopped reading (a 413)
            }
        }
        next unless $r && @$r;
        my $n = sysread $s, my $chunk, 65536;
        next if !defined $n && ($! == EAGAIN || $! == EWOULDBLOCK
                                || $! == EINTR);
        last unless $n;
        $resp .= $chunk;
    }
    close $s;

    my ($head, $content) = split /\r\n\r\n/, $resp, 2;
    my ($status_line, @lines) = split /\r\n/, $head // '';
    my ($status) = ($status_line // '') =~ m{^HTTP/1\.\d (\d{3})};
    my %hdr = map { my ($k, $v) = split /:\s*/, $_, 2; (lc $k => $v) } @lines;
    my $res = { status => $status // 0, h => \%hdr, body => $content // '' };
    $res->{json} = eval { $::JSON->decode($res->{body}) }
        if ($hdr{'content-type'} // '') =~ m{^application/json};
    return $res;
}

sub ::put    { ::api('PUT', "/api/articles/$_[0]", @_[1 .. $#_]) }
sub ::patch  { ::api('PATCH', "/api/articles/$_[0]", @_[1 .. $#_]) }
sub ::delete { ::api('DELETE', "/api/articles/$_[0]", undef, @_[1 .. $#_]) }
sub ::get    { ::api('GET', "/api/articles/$_[0]", undef, @_[1 .. $#_]) }

sub ::etag_rev {
    my ($res) = @_;
    return ($res->{h}{etag} // '') =~ /^"([^"]*)"$/ ? $1 : undef;
}

# a member's score in a sorted set, '' when it is not in it
sub ::score { ::r('ZSCORE', @_) }

our $Config = <<'_EOC_';
    news_redis_pass 127.0.0.1:$TEST_NGINX_PUBLISH_PORT;
    news_key_prefix news:;

    location ~ ^/api/articles/(?<slug>[^/]+)$ {
        client_max_body_size 1m;    # nginx's default; Test::Nginx sets 30M
        news_publish $slug;
    }
    location ~ ^/big/(?<slug>[^/]+)$ {
        client_body_buffer_size 1k;
        client_max_body_size 20m;
        news_redis_timeout 20s;     # Redis decodes 10 MB of JSON in Lua
        news_publish $slug;
    }
    location ~ ^/site2/(?<slug>[^/]+)$ {
        news_key_prefix site2:;
        news_publish $slug;
    }
    location ~ ^/news/(?<slug>[a-z0-9-]+)$ {
        news_article news:article:$slug;
    }
    location ~ ^/preview/(?<slug>[a-z0-9-]+)$ {
        news_views off;
        news_article news:article:$slug;
    }
    location ~ ^/raw/(.+)$ {
        news_article $1;
    }
_EOC_

our %Tram = (
    title => 'City council approves the riverside tram line',
    author => 'Ines Marchetti',
    published_at => '2025-11-04T09:30:00Z',
    category => 'City Hall',
    tags => ['Transport', 'City Hall'],
    summary => 'The council voted 31 to 12 to build the line.',
    body => "First paragraph.\n\nSecond paragraph.",
);

run_tests();

__DATA__

=== TEST 1: a PUT creates the article: 201, an ETag of its revision, the stored article as JSON
--- config eval: $::Config
--- init
::r('FLUSHALL');
my $res = ::put('tram-line', {%::Tram});
Test::More::is($res->{status}, 201, 'created');
my $rev = ::etag_rev($res);
Test::More::like($rev, qr/^\d+$/, 'ETag "<rev>"');
Test::More::is($res->{h}{'content-type'}, 'application/json; charset=utf-8',
               'JSON');
Test::More::is($res->{h}{'cache-control'}, 'no-store', 'not cached');
Test::More::like($res->{body}, qr/^\{"slug":"tram-line","title":"[^"]+",
                                 "author":"Ines[ ]Marchetti",
                                 "published_at":"2025-11-04T09:30:00Z",
                                 "updated_at":/x,
                 'fields in the order of the data model');
my $j = $res->{json};
Test::More::is($j->{slug}, 'tram-line', 'slug');
Test::More::is($j->{title}, $::Tram{title}, 'title');
Test::More::is_deeply($j->{tags}, ['Transport', 'City Hall'], 'tags array');
Test::More::is($j->{rev}, $rev, 'rev is the ETag');
Test::More::is($j->{published_ts}, 1762248600, 'published_ts');
Test::More::like($j->{updated_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
                 'updated_at set');
Test::More::ok(!exists $j->{views}, 'no views yet');
my $key = 'news:article:tram-line';
Test::More::is(::r('HGET', $key, 'tags'), '["Transport","City Hall"]',
               'tags stored as a JSON array');
Test::More::is(::r('HGET', $key, 'body'), $::Tram{body}, 'body stored');
Test::More::is(::r('HGET', $key, 'published_ts'), '1762248600',
               'published_ts stored');
Test::More::is(::r('HGET', $key, 'rev'), $rev, 'rev stored');
--- request
GET /news/tram-line
--- response_body_like: <h1>City council approves the riverside tram line</h1>.*Published On <time datetime="2025-11-04T09:30:00Z">Tue, 04 Nov 2025</time>.*>1 View<
--- no_error_log
[error]



=== TEST 2: GET shows the stored article, a draft too, and counts nothing
--- config eval: $::Config
--- init
my $res = ::put('embargo', { title => 'Embargoed', status => 'draft' });
Test::More::is($res->{status}, 201, 'a draft created');
::r('HSET', 'news:article:embargo', 'views', 5);
$res = ::get('embargo') for 1 .. 2;
Test::More::is($res->{status}, 200, 'GET 200');
Test::More::is($res->{json}{status}, 'draft', 'the draft shown');
Test::More::is($res->{json}{views}, 5, 'views a number');
Test::More::is(::etag_rev($res), $res->{json}{rev}, 'ETag');
Test::More::is(::r('HGET', 'news:article:embargo', 'views'), 5,
               'not counted');
Test::More::is((NewsTest::http_get('/news/embargo'))[0], 404,
               'its page is 404');
Test::More::is(::get('never-was')->{status}, 404, 'a missing one is 404');
Test::More::is(::r('EXISTS', 'news:article:never-was'), 0, 'no key made');
--- request
HEAD /api/articles/embargo
--- error_code: 200
--- response_headers_like
ETag: "\d+"
Content-Type: application/json; charset=utf-8



=== TEST 3: a PUT replaces the whole article but keeps views and published_at
--- config eval: $::Config
--- init
my $first = ::put('rewrite', { title => 'First', summary => 'Gone later',
                               category => 'Sport',
                               published_at => '2025-10-01T08:00:00Z' });
NewsTest::http_get('/news/rewrite') for 1 .. 2;
my $res = ::put('rewrite', { title => 'Second', body => 'New body.' });
Test::More::is($res->{status}, 200, 'replaced: 200');
Test::More::cmp_ok(::etag_rev($res), '>', ::etag_rev($first),
                   'a new revision');
Test::More::ok(!exists $res->{json}{summary}, 'summary gone');
Test::More::ok(!exists $res->{json}{category}, 'category gone');
Test::More::is($res->{json}{views}, 2, 'views kept');
Test::More::is($res->{json}{published_at}, '2025-10-01T08:00:00Z',
               'published_at kept');
Test::More::is(::r('HEXISTS', 'news:article:rewrite', 'summary'), 0,
               'summary gone from the hash');
Test::More::is(::score('news:section:sport', 'news:article:rewrite'), '',
               'out of its old section');
--- request
GET /preview/rewrite
--- response_body_like: <h1>Second</h1>.*>2 Views<



=== TEST 4: a PATCH changes the fields given and removes those given as null
--- config eval: $::Config
--- init
::put('patched', { title => 'Patched', image => 'https://img.example/a.jpg',
                   summary => 'Old' });
my $res = ::patch('patched', { summary => 'New', image => undef,
                               custom => { kicker => 'Live' } });
Test::More::is($res->{status}, 200, 'patched');
Test::More::is($res->{json}{title}, 'Patched', 'title kept');
Test::More::is($res->{json}{summary}, 'New', 'summary changed');
Test::More::ok(!exists $res->{json}{image}, 'image removed');
Test::More::is_deeply($res->{json}{custom}, { kicker => 'Live' },
                      'a custom field, under "custom"');
Test::More::is(::r('HGET', 'news:article:patched', 'kicker'), 'Live',
               'stored as a field of its own name');
$res = ::patch('patched', { custom => { kicker => undef } });
Test::More::ok(!exists $res->{json}{custom}, 'custom field removed');
Test::More::is(::r('HEXISTS', 'news:article:patched', 'kicker'), 0,
               'gone from the hash');
--- request
PATCH /api/articles/patched
{"title": "Patched again"}
--- error_code: 200
--- response_body_like: "title":"Patched again"



=== TEST 5: a PATCH or DELETE of a missing article is 404 and makes no key
--- config eval: $::Config
--- init
my $digest = ::digest();
my $res = ::patch('nobody', { summary => 'x' });
Test::More::is($res->{status}, 404, 'PATCH 404');
Test::More::is_deeply($res->{json}, { error => 'no such article' },
                      'JSON error');
Test::More::is(::delete('nobody')->{status}, 404, 'DELETE 404');
Test::More::is(::digest(), $digest, 'nothing written');
--- request
DELETE /api/articles/nobody
--- error_code: 404
--- response_body chomp
{"error":"no such article"}



=== TEST 6: DELETE removes the article and every list entry; its page is 404 and makes no key
--- config eval: $::Config
--- init
::r('FLUSHALL');
my $key = 'news:article:gone';
::put('gone', {%::Tram});
NewsTest::http_get('/news/gone');
my @lists = ('news:latest', 'news:section:city-hall', 'news:tag:transport',
             'news:tag:city-hall', 'news:author:ines-marchetti',
             ::most_read_key());
Test::More::is(scalar(grep { ::score($_, $key) ne '' } @lists),
               scalar(@lists), 'in every list and in most read');
Test::More::is(join(' ', sort split /\n/, ::r('SMEMBERS', 'news:indexed:gone')),
               join(' ', sort @lists[0 .. 4]), 'its lists, remembered');
my $res = ::delete('gone');
Test::More::is($res->{status}, 204, 'deleted: 204');
Test::More::is($res->{body}, '', 'no body');
Test::More::is(scalar(grep { ::score($_, $key) ne '' } @lists), 0,
               'in no list');
Test::More::is(::r('KEYS', '*'), 'news:rev',
               'only the revision counter is left');
Test::More::is((NewsTest::http_get('/news/gone'))[0], 404, 'page 404');
Test::More::is(::r('EXISTS', $key), 0, 'and no key made');
--- request
GET /api/articles/gone
--- error_code: 404



=== TEST 7: a revision is never reused: deleted and written again, the article gets a new one
--- config eval: $::Config
--- init
my $a = ::etag_rev(::put('phoenix', { title => 'Once' }));
::delete('phoenix');
my $b = ::etag_rev(::put('phoenix', { title => 'Twice' }));
Test::More::cmp_ok($b, '>', $a, "rev $b after $a");
--- request
GET /api/articles/phoenix
--- response_body_like: "title":"Twice"



=== TEST 8: If-Match with the stored revision writes; with another, 412 with the current ETag, and nothing is written
--- config eval: $::Config
--- init
my $rev = ::etag_rev(::put('contested', { title => 'v1' }));
my $res = ::put('contested', { title => 'v2' }, 'If-Match' => qq{"$rev"});
Test::More::is($res->{status}, 200, 'the current revision: written');
my $now = ::etag_rev($res);
my $digest = ::digest();
for my $try (['PUT', { title => 'v3' }], ['PATCH', { title => 'v3' }],
             ['DELETE', undef]) {
    $res = ::api($try->[0], '/api/articles/contested', $try->[1],
                 'If-Match' => qq{"$rev"});
    Test::More::is($res->{status}, 412, "$try->[0] with an old revision");
    Test::More::is(::etag_rev($res), $now, '... the current ETag');
    Test::More::is_deeply($res->{json},
        { error => "the article was changed: its revision is now $now",
          field => 'If-Match' }, '... a JSON error');
}
$res = ::patch('contested', { title => 'v3' }, 'If-Match' => qq{W/"$now"});
Test::More::is($res->{status}, 412, 'a weak tag never matches If-Match');
Test::More::is(::digest(), $digest, 'nothing written');
$res = ::patch('contested', { title => 'v3' },
               'If-Match' => qq{"1234567", "$now"});
Test::More::is($res->{status}, 200, 'a list with the revision: written');
Test::More::is(::put('absent-one', { title => 'x' }, 'If-Match' => '*')
               ->{status}, 412, 'If-Match: * of a missing article: 412');
Test::More::is(::r('EXISTS', 'news:article:absent-one'), 0, 'not made');
--- request
PUT /api/articles/contested
{"title": "stale"}
--- more_headers
If-Match: "0"
--- error_code: 412
--- response_body_like: "field":"If-Match"



=== TEST 9: If-None-Match: * creates an article but never overwrites one
--- config eval: $::Config
--- init
::r('DEL', 'news:article:first-come');
my $res = ::put('first-come', { title => 'Mine' }, 'If-None-Match' => '*');
Test::More::is($res->{status}, 201, 'created');
my $digest = ::digest();
$res = ::put('first-come', { title => 'Yours' }, 'If-None-Match' => '*');
Test::More::is($res->{status}, 412, 'not overwritten');
Test::More::is_deeply($res->{json}, { error => 'the article exists',
                                      field => 'If-None-Match' }, 'why');
Test::More::is(::digest(), $digest, 'nothing written');
--- request
GET /api/articles/first-come
--- response_body_like: "title":"Mine"



=== TEST 10: nginx's not_modified filter: GET with the revision's If-None-Match is 304; a write with If-Match gets the module's answer and the new ETag
--- config eval: $::Config
--- init
my $rev = ::etag_rev(::put('cached', { title => 'Cached' }));
my $res = ::get('cached', 'If-None-Match' => qq{"$rev"});
Test::More::is($res->{status}, 304, 'not modified');
Test::More::is(::get('cached', 'If-None-Match' => '"1"')->{status}, 200,
               'another revision: 200');
Test::More::is(::get('cached', 'If-Match' => '"1"')->{status}, 412,
               'GET with another If-Match: 412 from nginx');
$res = ::put('cached', { title => 'Cached 2' }, 'If-Match' => qq{"$rev"});
Test::More::is($res->{status}, 200, 'PUT with If-Match: 200, not 412');
Test::More::cmp_ok(::etag_rev($res), '>', $rev, 'the new ETag');
Test::More::is($res->{json}{title}, 'Cached 2', 'the article');
$rev = ::etag_rev($res);
$res = ::patch('cached', { summary => 's' }, 'If-Match' => qq{"$rev"},
               'If-None-Match' => '"nope"');
Test::More::is($res->{status}, 200, 'PATCH with both: 200');
--- request
GET /api/articles/cached
--- error_code: 200



=== TEST 11: every validation error is 400 with {"error", "field"}, and nothing is written
--- config eval: $::Config
--- init
::put('checked', { title => 'Checked' });
::r('DEL', 'news:article:unborn');
my $digest = ::digest();
my @cases = (
    # method, body, field (undef: none), error
    ['PUT', 'nope', undef, qr/^the body is not JSON: /],
    ['PUT', '', undef, qr/^the body is empty/],
    ['PUT', '[1, 2]', undef, qr/^the body must be a JSON object$/],
    ['PUT', '"title"', undef, qr/^the body is not JSON: '\[' or '\{' expected/],
    ['PUT', '{"title": "x"} {}', undef, qr/^the body is not JSON: /],
    ['PUT', '{"title": ""}', 'title', qr/must not be empty/],
    ['PUT', '{"title": " \n "}', 'title', qr/must not be empty/],
    ['PUT', '{"summary": "no title"}', 'title', qr/required/],
    ['PUT', '{"title": null}', 'title', qr/required/],
    ['PUT', '{"title": 3}', 'title', qr/^must be a string$/],
    ['PUT', '{"title": ["x"]}', 'title', qr/^must be a string$/],
    ['PUT', '{"title": "x", "colour": "red"}', 'colour', qr/^unknown field/],
    ['PUT', '{"title": "x", "Title": "y"}', 'Title', qr/^unknown field/],
    ['PUT', '{"title": "x", "author": 7}', 'author', qr/string/],
    ['PUT', '{"title": "x", "published_at": "2025-11-04"}', 'published_at',
     qr/ISO 8601/],
    ['PUT', '{"title": "x", "published_at": "2025-02-29T10:00:00Z"}',
     'published_at', qr/ISO 8601/],
    ['PUT', '{"title": "x", "published_at": "2025-11-04T25:00:00Z"}',
     'published_at', qr/ISO 8601/],
    ['PUT', '{"title": "x", "published_at": "2025-11-04T09:30:00+01:00"}',
     'published_at', qr/ISO 8601/],
    ['PUT', '{"title": "x", "published_at": "1969-12-31T23:59:59Z"}',
     'published_at', qr/ISO 8601/],
    ['PUT', '{"title": "x", "published_at": -5}', 'published_at',
     qr/Unix seconds/],
    ['PUT', '{"title": "x", "published_at": 1.5}', 'published_at',
     qr/Unix seconds/],
    ['PUT', '{"title": "x", "published_at": 253402300800}', 'published_at',
     qr/Unix seconds/],
    ['PUT', '{"title": "x", "updated_at": "yesterday"}', 'updated_at',
     qr/ISO 8601/],
    ['PUT', '{"title": "x", "status": "live"}', 'status',
     qr/"published" or "draft"/],
    ['PUT', '{"title": "x", "status": "Draft"}', 'status', qr/draft/],
    ['PUT', '{"title": "x", "tags": "a, b"}', 'tags', qr/array of strings/],
    ['PUT', '{"title": "x", "tags": ["a", 2]}', 'tags[1]', qr/string/],
    ['PUT', '{"title": "x", "tags": ["a", " "]}', 'tags[1]', qr/empty/],
    ['PUT', '{"title": "x", "authors": "A"}', 'authors', qr/array/],
    ['PUT', '{"title": "x", "authors": ["A"]}', 'authors[0]', qr/object/],
    ['PUT', '{"title": "x", "authors": [{"url": "https://a.example/"}]}',
     'authors[0].name', qr/needs a name/],
    ['PUT', '{"title": "x", "authors": [{"name": "A", "mail": "a@b"}]}',
     'authors[0].mail', qr/unknown field/],
    ['PUT', '{"title": "x", "authors": [{"name": "A", "url": "javascript:x"}]}',
     'authors[0].url', qr/URL/],
    ['PUT', '{"title": "x", "image": "javascript:alert(1)"}', 'image',
     qr/URL/],
    ['PUT', '{"title": "x", "image_width": 0}', 'image_width',
     qr/1 to 100000/],
    ['PUT', '{"title": "x", "image_height": "480"}', 'image_height',
     qr/1 to 100000/],
    ['PUT', '{"title": "x", "custom": "x"}', 'custom', qr/object/],
    ['PUT', '{"title": "x", "custom": {"Kicker": "x"}}', 'custom.Kicker',
     qr/\[a-z0-9_\]/],
    ['PUT', '{"title": "x", "custom": {"title": "x"}}', 'custom.title',
     qr/known field/],
    ['PUT', '{"title": "x", "custom": {"n": 1}}', 'custom.n', qr/string/],
    ['PUT', '{"title": "x", "slug": "another"}', 'slug', qr/URL/],
    ['PUT', '{"title": "x", "title": "y"}', undef, qr/duplicate object key/],
    ['PATCH', '{"title": null}', 'title', qr/cannot be removed/],
    ['PATCH', '{"title": ""}', 'title', qr/empty/],
    ['PATCH', '{"tags": {}}', 'tags', qr/array/],
    ['PATCH', '{"custom": null}', 'custom', qr/one by one/],
);
for my $slug ('checked', 'unborn') {
    for my $c (@cases) {
        my ($method, $body, $field, $error) = @$c;
        my $res = ::api($method, "/api/articles/$slug", $body);
        my $what = "$method $slug $body";
        Test::More::is($res->{status}, 400, "$what: 400");
        Test::More::like($res->{json}{error} // '', $error, "$what: error");
        Test::More::is($res->{json}{field}, $field, "$what: field");
        Test::More::is(scalar(keys %{ $res->{json} || {} }),
                       defined $field ? 2 : 1, "$what: nothing else");
    }
}
Test::More::is(::digest(), $digest, 'nothing was written');
Test::More::is(::r('EXISTS', 'news:article:unborn'), 0, 'no key made');
--- request
PUT /api/articles/checked
{"title": ""}
--- error_code: 400
--- response_body chomp
{"error":"the title must not be empty","field":"title"}
--- error_log
news: 400 for article "news:article:checked": the title must not be empty: title
--- no_error_log
[error]



=== TEST 12: the slug is [a-z0-9-] and at most 200 bytes, else 400 and Redis is not asked
--- config eval: $::Config
--- init
my $digest = ::digest();
for my $slug ('Big-News', 'caf%C3%A9', 'a_b', 'a.b', 'x' x 201) {
    my $res = ::put($slug, { title => 'x' });
    Test::More::is($res->{status}, 400, "PUT $slug: 400");
    Test::More::is_deeply($res->{json},
        { error => 'the slug is [a-z0-9-], 1 to 200 bytes', field => 'slug' },
        '... why');
    Test::More::is(::get($slug)->{status}, 400, "GET $slug: 400");
}
Test::More::is(::digest(), $digest, 'nothing written');
my $res = ::put('y' x 200, { title => 'Long slug' });
Test::More::is($res->{status}, 201, '200 bytes: created');
--- request
DELETE /api/articles/UPPER
--- error_code: 400
--- response_body chomp
{"error":"the slug is [a-z0-9-], 1 to 200 bytes","field":"slug"}



=== TEST 13: other methods are 405 with Allow, answered in JSON
--- config eval: $::Config
--- request
POST /api/articles/anything
{"title": "x"}
--- error_code: 405
--- response_headers
Allow: GET, HEAD, PUT, PATCH, DELETE
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"error":"method not allowed"}



=== TEST 14: hostile JSON (deep nesting, huge numbers, invalid UTF-8, NUL, nested depth inside a field) is 400 and crashes nothing
--- config eval: $::Config
--- init
::put('target', { title => 'Target' });
my $digest = ::digest();
my @bodies = (
    '[' x 100000,
    '{"title": "x", "custom": ' . ('{"a": ' x 5000) . '"x"' . ('}' x 5000)
        . '}',
    '{"title": "x", "tags": ' . ('[' x 3000) . (']' x 3000) . '}',
    '{"title": "x", "image_width": 99999999999999999999999999}',
    '{"title": "x", "image_width": 1e999}',
    '{"title": "x", "image_width": -1e999}',
    '{"title": "x", "published_at": 9223372036854775807}',
    qq{{"title": "caf\xE9"}},
    qq{{"title": "\xED\xA0\x80"}},
    qq{{"title": "\xC0\xAF"}},
    '{"title": "\ud800"}',
    '{"title": "a\u0000b"}',
    qq{{"title": "x", "ti\x00tle": "y"}},
    '{"title": "x", "' . ('k' x 100000) . '": "y"}',
    '{"title": ' . ('"' . ('x' x 1000) . '", ') x 3 . '"x"}',
);
for my $body (@bodies) {
    my $res = ::api('PUT', '/api/articles/target', $body);
    Test::More::is($res->{status}, 400,
                   'hostile body ' . substr($body, 0, 40) . ': 400');
    Test::More::ok(defined $res->{json} && defined $res->{json}{error},
                   '... with a JSON error');
}
Test::More::is(::digest(), $digest, 'nothing written');
Test::More::is(::get('target')->{json}{title}, 'Target', 'still served');
--- request
PUT /api/articles/target
{"title": "x", "image_width": 1e400}
--- error_code: 400
--- response_body_like: ^\{"error":"the body is not JSON: real number overflow
--- no_error_log
exited on signal
[alert]



=== TEST 15: a 10 MB body: 413 as nginx answers it; where client_max_body_size allows it, read back from its temporary file
--- config eval: $::Config
--- init
my $digest = ::digest();
my $big = '{"title": "Long read", "body": "' . ('x' x (10 * 1024 * 1024))
          . '"}';
my $res = ::api('PUT', '/api/articles/huge', $big);
Test::More::is($res->{status}, 413, 'over client_max_body_size: 413');
Test::More::is(::digest(), $digest, 'nothing written');
$res = ::api('PUT', '/big/huge', $big);
Test::More::is($res->{status}, 201, 'allowed: created');
Test::More::is(::r('HSTRLEN', 'news:article:huge', 'body'), 10 * 1024 * 1024,
               'the whole body stored');
(my $broken = $big) =~ s/"\}$/}/;
$res = ::api('PUT', '/big/huge', $broken);
Test::More::is($res->{status}, 400, 'a broken 10 MB body: 400');
Test::More::is(::r('HSTRLEN', 'news:article:huge', 'body'), 10 * 1024 * 1024,
               'the article as it was');
$res = ::api('PUT', '/big/huge', { title => 'Long read', body => 'Short.' });
Test::More::is($res->{status}, 200, 'replaced by a short one');
--- request
GET /preview/huge
--- response_body_like: <h1>Long read</h1>
--- timeout: 60
--- error_log
client intended to send too large body
--- no_error_log
exited on signal
[alert]



=== TEST 16: a draft is in no list and its page is 404; published, it is in every list
--- config eval: $::Config
--- init
::r('FLUSHALL');
my $key = 'news:article:quiet';
my $res = ::put('quiet', { %::Tram, status => 'draft' });
Test::More::is($res->{status}, 201, 'draft created');
Test::More::is(join(' ', sort split /\n/, ::r('KEYS', '*')),
               'news:article:quiet news:rev', 'no list has it');
Test::More::is((NewsTest::http_get('/news/quiet'))[0], 404, 'page 404');
Test::More::is(::r('HEXISTS', $key, 'views'), 0, 'not counted');
$res = ::patch('quiet', { status => 'published' });
Test::More::is($res->{status}, 200, 'published');
for my $list ('news:latest', 'news:section:city-hall', 'news:tag:transport',
              'news:tag:city-hall', 'news:author:ines-marchetti') {
    Test::More::is(::score($list, $key), 1762248600, "in $list");
}
::patch('quiet', { status => 'draft' });
Test::More::is(::r('ZCARD', 'news:latest'), 0, 'a draft again: out');
--- request
GET /news/quiet
--- error_code: 404
--- error_log
news: 404 for article "news:article:quiet": article is a draft



=== TEST 17: a scheduled article is 404, counted nowhere, and out of the lists read up to now; when its time comes it is shown
--- config eval: $::Config
--- init
my $key = 'news:article:tomorrow';
::r('DEL', $key);
my ($now) = split /\n/, ::r('TIME');
my $res = ::put('tomorrow', { %::Tram, published_at => ::iso($now + 3600) });
Test::More::is($res->{status}, 201, 'scheduled');
Test::More::is($res->{json}{published_ts}, $now + 3600, 'published_ts');
Test::More::is((NewsTest::http_get('/news/tomorrow'))[0], 404, 'GET 404');
Test::More::is((NewsTest::http_request('HEAD', '/news/tomorrow'))[0], 404,
               'HEAD 404');
Test::More::is((NewsTest::http_get('/preview/tomorrow'))[0], 404,
               'uncounted view 404');
Test::More::is(::r('HEXISTS', $key, 'views'), 0, 'not counted');
Test::More::is(::score(::most_read_key(), $key), '', 'not in most read');
Test::More::is(::score('news:latest', $key), $now + 3600,
               'in latest with its time');
Test::More::unlike(::r('ZRANGEBYSCORE', 'news:latest', '-inf', $now),
                   qr/\Q$key\E/, 'not in latest read up to now');
--- request
GET /news/tomorrow
--- error_code: 404
--- error_log
news: 404 for article "news:article:tomorrow": article is scheduled



=== TEST 18: ... and when its time has come, it is in the lists read up to now and shown
--- config eval: $::Config
--- init
my $key = 'news:article:tomorrow';
my ($now) = split /\n/, ::r('TIME');
my $res = ::patch('tomorrow', { published_at => $now - 60 });
Test::More::is($res->{json}{published_at}, $now - 60,
               'Unix seconds kept as given');
Test::More::like(::r('ZRANGEBYSCORE', 'news:latest', '-inf', $now),
                 qr/\Q$key\E/, 'in latest read up to now');
--- request
GET /news/tomorrow
--- response_body_like: >1 View<



=== TEST 19: the lists follow an edit: a new section, tags and authors move the article
--- config eval: $::Config
--- init
my $key = 'news:article:moving';
::put('moving', {%::Tram});
my $res = ::patch('moving', { category => 'Transport & Roads',
                              tags => ['Trams', "\x{c9}conomie"],
                              authors => [{ name => "Ana D\x{ed}az",
                                            url => 'https://x.example/ana' },
                                          { name => 'Bo Li' }] });
Test::More::is($res->{status}, 200, 'patched');
Test::More::is_deeply($res->{json}{authors},
                      [{ name => "Ana D\x{ed}az", url => 'https://x.example/ana' },
                       { name => 'Bo Li' }], 'authors shown as given');
for my $old ('news:section:city-hall', 'news:tag:transport',
             'news:tag:city-hall', 'news:author:ines-marchetti') {
    Test::More::is(::score($old, $key), '', "out of $old");
}
# lowercased are ASCII letters only: others are kept as they are
for my $new ('news:latest', 'news:section:transport-roads', 'news:tag:trams',
             "news:tag:\xC3\x89conomie", "news:author:ana-d\xC3\xADaz",
             'news:author:bo-li') {
    Test::More::is(::score($new, $key), 1762248600, "in $new");
}
--- request
GET /api/articles/moving
--- response_body_like: "category":"Transport & Roads"



=== TEST 20: a counted view adds one to today's most read set, which expires within 8 days; uncounted views do not
--- config eval: $::Config
--- init
my $key = 'news:article:popular';
::put('popular', { title => 'Popular' });
my $day = ::most_read_key();
::r('ZREM', $day, $key);
NewsTest::http_get('/news/popular') for 1 .. 3;
NewsTest::http_request('HEAD', '/news/popular');
NewsTest::http_get('/preview/popular');
Test::More::is(::score($day, $key), 3, 'three counted views');
my $ttl = ::r('TTL', $day);
Test::More::ok($ttl > 8 * 86400 - 600 && $ttl <= 8 * 86400, "TTL $ttl");
::r('DEL', 'plain-key');
::r('HSET', 'plain-key', 'title', 'No article: in the key');
Test::More::is((NewsTest::http_get('/raw/plain-key'))[0], 200, 'counted');
Test::More::unlike(::r('KEYS', '*most_read*'), qr/^most_read/m,
                   'a key without "article:" has no most read set');
--- request
GET /news/popular
--- response_body_like: >4 Views<



=== TEST 21: a kept article's counted view brings today's date (UTC) for most read; the first view's script makes it itself
--- config eval: $::Config
--- init
my $key = 'news:article:dated-view';
my $rev = ::etag_rev(::put('dated-view', { title => 'Dated view' }));
my $m = NewsTest::monitor_start($::Store->{port});
NewsTest::http_get('/news/dated-view') for 1 .. 2;
my @sent = grep { $_->[0] eq 'EVALSHA' } NewsTest::monitor_commands($m, 0.3);
Test::More::is(scalar(@sent), 2, 'one script per view');
Test::More::is_deeply([@{$sent[0]}[2 .. $#{$sent[0]}]], [1, $key],
                      'the first view: the key alone, as before');
Test::More::is_deeply([@{$sent[1]}[2 .. $#{$sent[1]}]],
                      [1, $key, $rev, 1, POSIX::strftime('%Y%m%d', gmtime)],
                      'a kept article: the revision, count, and the day');
Test::More::is(::score(::most_read_key(), $key), 2, 'both in most read');
--- request
GET /news/dated-view
--- response_body_like: >3 Views<



=== TEST 22: an article written by hand, without published_ts, renders and counts as before
--- config eval: $::Config
--- init
::r('DEL', 'news:article:by-hand');
::r('HSET', 'news:article:by-hand', 'title', 'By hand',
    'published_at', '2099-01-01T00:00:00Z', 'tags', 'One, Two');
my $res = ::get('by-hand');
Test::More::is_deeply($res->{json}{tags}, ['One', 'Two'],
                      'comma-separated tags shown as an array');
Test::More::ok(!defined ::etag_rev($res), 'no rev, no ETag');
--- request
GET /news/by-hand
--- response_body_like: <h1>By hand</h1>.*>1 View<



=== TEST 23: news_key_prefix roots every key the API writes
--- config eval: $::Config
--- init
::r('DEL', 'site2:article:elsewhere', 'news:article:elsewhere');
my $res = ::api('PUT', '/site2/elsewhere', { title => 'Elsewhere',
                                            category => 'Away' });
Test::More::is($res->{status}, 201, 'created');
Test::More::is(::r('EXISTS', 'site2:article:elsewhere'), 1, 'the article');
Test::More::is(::score('site2:latest', 'site2:article:elsewhere') ne '', 1,
               'its list');
Test::More::is(::score('site2:section:away', 'site2:article:elsewhere') ne '',
               1, 'its section');
Test::More::cmp_ok(::r('GET', 'site2:rev'), '>=', 1, 'its own counter');
Test::More::is(::r('EXISTS', 'news:article:elsewhere'), 0, 'nothing in news:');
--- request
GET /site2/elsewhere
--- response_body_like: "title":"Elsewhere"



=== TEST 24: published_ts is published_at as the page reads it, ISO 8601 or Unix seconds
--- config eval: $::Config
--- init
for my $c (['1970-01-01T00:00:00Z', 0], ['2000-02-29T12:00:00Z', 951825600],
           ['2025-11-04T09:30:00Z', 1762248600],
           ['2038-01-19T03:14:08Z', 2147483648],
           ['9999-12-31T23:59:59Z', 253402300799],
           [1762248600, 1762248600], ['1762248600', 1762248600]) {
    my ($at, $ts) = @$c;
    my $res = ::put('dated', { title => 'Dated', published_at => $at });
    Test::More::is(::r('HGET', 'news:article:dated', 'published_ts'), $ts,
                   "published_at $at");
}
::put('dated', { title => 'Dated', published_at => 1762248600 });
--- request
GET /news/dated
--- response_body_like: Published On <time datetime="2025-11-04T09:30:00Z">Tue, 04 Nov 2025</time>



=== TEST 25: behind auth_basic: without credentials 401 and nothing written; with them, the write
--- user_files
>>> editors
alice:{PLAIN}s3cret
--- config
    location ~ ^/api/articles/(?<slug>[^/]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_PUBLISH_PORT;
        auth_basic "newsroom";
        auth_basic_user_file $TEST_NGINX_HTML_DIR/editors;
        news_publish $slug;
    }
--- init
::r('DEL', 'news:article:guarded');
my $digest = ::digest();
Test::More::is(::put('guarded', { title => 'x' })->{status}, 401,
               'no credentials: 401');
Test::More::is(::put('guarded', { title => 'x' }, Authorization => 'Basic '
               . MIME::Base64::encode_base64('alice:wrong', ''))->{status},
               401, 'a wrong password: 401');
Test::More::is(::digest(), $digest, 'nothing written');
Test::More::is(::put('guarded', { title => 'Guarded' }, Authorization =>
               'Basic ' . MIME::Base64::encode_base64('alice:s3cret', ''))
               ->{status}, 201, 'an editor: created');
--- request
GET /api/articles/guarded
--- error_code: 401
--- response_headers_like
WWW-Authenticate: Basic realm="newsroom"



=== TEST 26: limit_except GET: anyone reads, only an editor writes, and the block is served by the API
--- user_files
>>> editors
alice:{PLAIN}s3cret
--- config
    location ~ ^/api/articles/(?<slug>[^/]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_PUBLISH_PORT;
        news_publish $slug;
        limit_except GET {
            auth_basic "newsroom";
            auth_basic_user_file $TEST_NGINX_HTML_DIR/editors;
        }
    }
--- init
::r('DEL', 'news:article:open-read');
my $auth = 'Basic ' . MIME::Base64::encode_base64('alice:s3cret', '');
Test::More::is(::put('open-read', { title => 'x' })->{status}, 401,
               'a PUT without credentials: 401');
my $res = ::put('open-read', { title => 'Open read' }, Authorization => $auth);
Test::More::is($res->{status}, 201, 'with them: created, by the API');
my $rev = ::etag_rev($res);
$res = ::patch('open-read', {}, Authorization => $auth);
Test::More::is($res->{status}, 200, 'an empty PATCH is a write too');
Test::More::cmp_ok(::etag_rev($res), '>', $rev, '... with a new revision');
--- request
GET /api/articles/open-read
--- response_body_like: "title":"Open read"



=== TEST 27: configuration: news_publish beside news_article, a prefix with "article:" or spaces, news_publish twice
--- config eval: $::Config
--- init
my @bad = (
    [q{location /x { news_publish $uri; news_article k; }},
     qr/"news_publish" cannot be used in a location with "news_article"/],
    [q{news_key_prefix news:article:;}, qr/must not contain "article:"/],
    [q{news_key_prefix "news :";}, qr/must not contain spaces/],
    [q{location /x { news_publish $uri; news_publish $uri; }},
     qr/"news_publish" directive is duplicate/],
);
for my $b (@bad) {
    my ($rc, $out) = NewsTest::nginx_t("server { listen 127.0.0.1:1; $b->[0] }");
    Test::More::isnt($rc, 0, "refused: $b->[0]");
    Test::More::like($out, $b->[1], '... saying why');
}
my ($rc, $out) = NewsTest::nginx_t(q{news_key_prefix "";
    server { listen 127.0.0.1:1; location /x { news_publish $uri; } }});
Test::More::is($rc, 0, 'an empty prefix is fine') or Test::More::diag($out);
--- request
GET /api/articles/UPPER
--- error_code: 400



=== TEST 28: tools/news-import loads JSON lines through the API; run again it changes only rev and updated_at, and with --if-absent nothing
--- config eval: $::Config
--- init
my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
my $file = "$ENV{TEST_NGINX_SERVER_ROOT}/import.jsonl";
open my $fh, '>:raw', $file or die "$file: $!";
print $fh qq{# a comment\n},
    qq{{"slug": "imported-one", "title": "One", "published_at": "2025-11-03T07:00:00Z", "tags": ["Port"]}\n},
    qq{\n},
    qq{{"slug": "imported-two", "title": "Two", "updated_at": 1762160400, "status": "draft"}\n},
    qq{{"slug": "Bad Slug", "title": "x"}\n},
    qq{{"slug": "imported-bad", "title": ""}\n};
close $fh;
::r('DEL', map { "news:article:imported-$_" } qw(one two bad));
my @cmd = ('tools/news-import', '--url', "http://127.0.0.1:$port/api/articles",
           $file);
my $out = `@cmd 2>&1`;
Test::More::is($? >> 8, 1, 'exit 1: some lines failed');
Test::More::like($out, qr/^news-import: 2 created, 0 replaced, 0 skipped, 2 failed$/m,
                 'summary');
Test::More::like($out, qr/import\.jsonl:5: no "slug"/, 'the bad slug, by line');
Test::More::like($out, qr/import\.jsonl:6: imported-bad: 400 .*title/,
                 "the API's error, by line");
my %before = split /\n/, ::r('HGETALL', 'news:article:imported-two');
NewsTest::http_get('/news/imported-one');
$out = `@cmd 2>&1`;
Test::More::like($out, qr/^news-import: 0 created, 2 replaced/m, 'again');
my %after = split /\n/, ::r('HGETALL', 'news:article:imported-two');
Test::More::cmp_ok($after{rev}, '>', $before{rev}, 'a new rev');
delete $before{rev};
delete $after{rev};
Test::More::is_deeply(\%after, \%before, 'all else the same, updated_at given');
Test::More::is(::r('HGET', 'news:article:imported-one', 'views'), 1,
               'views kept');
my $rev = ::r('HGET', 'news:article:imported-one', 'rev');
$out = `tools/news-import --if-absent --url http://127.0.0.1:$port/api/articles $file 2>&1`;
Test::More::like($out, qr/^news-import: 0 created, 0 replaced, 2 skipped/m,
                 '--if-absent: skipped');
Test::More::is(::r('HGET', 'news:article:imported-one', 'rev'), $rev,
               'nothing written');
--- request
GET /api/articles/imported-one
--- response_body_like: "tags":\["Port"\]
