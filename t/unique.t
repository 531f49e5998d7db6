# news_views_unique: a view counts once per visitor and window; the
# visitor is a salted hash, never stored raw; the marks expire.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

no_shuffle();
no_long_string();
worker_connections(1024);

our $Config = <<'_EOC_';
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views_unique 1h;
    }

    location ~ ^/brief/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views_unique 1s;
    }

    location ~ ^/reader/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views_unique 10m;
        news_views_visitor $http_x_reader;
    }

    location ~ ^/plain/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
_EOC_

# the visitor marks of an article, each [key, ttl]
sub ::marks {
    my ($slug) = @_;
    my @keys = grep { length }
               split /\n/, NewsTest::redis('KEYS', "news:article:$slug:seen:*");
    return map { [$_, NewsTest::redis('TTL', $_)] } sort @keys;
}

run_tests();

__DATA__

=== TEST 1: the same visitor twice counts once; another visitor counts
--- init
NewsTest::article('repeat', title => 'Repeat', views => 4);
my @shown;
for my $ua ('Reader A', 'Reader A', 'Reader B', 'Reader A') {
    my ($status, $h, $body) = NewsTest::http_get('/news/repeat',
                                                 'User-Agent' => $ua);
    push @shown, "$status:" . (NewsTest::shown_views($body) // '?');
}
Test::More::is("@shown", '200:5 200:5 200:6 200:6',
               'pages: counted, repeat, other visitor, repeat');
Test::More::is(NewsTest::redis('HGET', 'news:article:repeat', 'views'), 6,
               'two views counted');
my @marks = ::marks('repeat');
Test::More::is(scalar(@marks), 2, 'one mark per visitor');
for my $m (@marks) {
    Test::More::like($m->[0], qr/^news:article:repeat:seen:[0-9a-f]{32}$/,
                     'a mark is the article key and a hash');
    Test::More::ok($m->[1] > 3590 && $m->[1] <= 3600,
                   "and expires within the window (ttl $m->[1])");
}
--- config eval: $::Config
--- request
GET /plain/repeat
--- response_body_like: >7 Views<
--- no_error_log
[error]



=== TEST 2: the visitor is never stored raw: no address, no User-Agent in Redis
--- init
NewsTest::article('private', title => 'Private');
NewsTest::http_get('/news/private', 'User-Agent' => 'Very-Distinct-Agent/9.9');
my @marks = ::marks('private');
Test::More::is(scalar(@marks), 1, 'one mark');
my $dump = join "\n", map { $_->[0] } @marks;
$dump .= "\n" . NewsTest::redis('GET', $_->[0]) for @marks;
Test::More::unlike($dump, qr/Very-Distinct|127\.0\.0\.1/,
                   'neither the agent nor the address');
--- config eval: $::Config
--- request
GET /plain/private
--- response_body_like: >2 Views<



=== TEST 3: after the window the same visitor counts again
--- init
NewsTest::article('window', title => 'Window');
my ($s1, $h1, $b1) = NewsTest::http_get('/brief/window');
my ($s2, $h2, $b2) = NewsTest::http_get('/brief/window');
Test::More::is(NewsTest::shown_views($b1) . ' ' . NewsTest::shown_views($b2),
               '1 1', 'the repeat within the second is not counted');
# the mark lives one second; wait until Redis has let it go
my $gone = 0;
for (1 .. 300) {
    $gone = !::marks('window') and last;
    Time::HiRes::sleep(0.01);
}
Test::More::ok($gone, 'the mark expired');
--- config eval: $::Config
--- request
GET /brief/window
--- response_body_like: >2 Views<



=== TEST 4: missing articles and drafts get no mark, and no key
--- init
NewsTest::redis('DEL', 'news:article:nobody-home');
NewsTest::article('unique-draft', title => 'Draft', status => 'draft');
my @status = map { (NewsTest::http_get($_))[0] }
             '/news/nobody-home', '/news/unique-draft';
Test::More::is("@status", '404 404', '404s');
Test::More::is(NewsTest::redis('EXISTS', 'news:article:nobody-home'), 0,
               'no article key');
Test::More::is(scalar(::marks('nobody-home')) + scalar(::marks('unique-draft')),
               0, 'no marks');
Test::More::is(NewsTest::redis('HEXISTS', 'news:article:unique-draft',
                               'views'),
               0, 'the draft is not counted');
--- config eval: $::Config
--- request
GET /plain/nobody-home
--- error_code: 404



=== TEST 5: news_views_visitor chooses what identifies a visitor
--- init
NewsTest::article('readers', title => 'Readers');
for my $reader (qw(ana ana ben ana cleo)) {
    NewsTest::http_get('/reader/readers', 'X-Reader' => $reader);
}
Test::More::is(NewsTest::redis('HGET', 'news:article:readers', 'views'), 3,
               'three readers, three views');
my @ttl = map { $_->[1] } ::marks('readers');
Test::More::is(scalar(grep { $_ > 590 && $_ <= 600 } @ttl), 3,
               'three marks of ten minutes');
--- config eval: $::Config
--- request
GET /plain/readers
--- response_body_like: >4 Views<



=== TEST 6: a repeat is logged with its reason; HEAD is not marked
--- http_config
    log_format unique '$news_key $news_view_counted $news_skip_reason';
--- init
NewsTest::article('twice', title => 'Twice');
NewsTest::http_get('/news/twice', 'User-Agent' => 'T');
NewsTest::http_get('/news/twice', 'User-Agent' => 'T');
NewsTest::http_request('HEAD', '/news/twice', 'User-Agent' => 'U');
my @lines = NewsTest::access_lines('unique.log', 3);
Test::More::is_deeply(\@lines, ['news:article:twice 1 -',
                                'news:article:twice 0 dedupe',
                                'news:article:twice 0 head'],
                      'counted, then dedupe, then head');
Test::More::is(scalar(::marks('twice')), 1, 'only the GET made a mark');
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        news_views_unique 1h;
        access_log logs/unique.log unique;
    }
--- request
GET /news/twice
--- response_body_like: >2 Views<



=== TEST 7: 100 different visitors at once: 100 views, 100 marks
--- init
NewsTest::article('crowd', title => 'Crowd');
# every request written before any response is read
my @socks = map { NewsTest::_send_request('GET', '/news/crowd',
                                          'User-Agent' => "visitor-$_") }
            1 .. 100;
my @status = map { (NewsTest::_read_response($_))[0] } @socks;
Test::More::is(scalar(grep { $_ == 200 } @status), 100, '100 pages');
Test::More::is(NewsTest::redis('HGET', 'news:article:crowd', 'views'), 100,
               '100 views');
Test::More::is(scalar(::marks('crowd')), 100, '100 marks');
--- config eval: $::Config
--- request
GET /plain/crowd
--- response_body_like: >101 Views<
