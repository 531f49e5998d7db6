# Articles kept per worker (news_cache_size): an article with a rev field
# is asked for with the revision the worker keeps, and its fields travel
# only when the revision changed.  Every edit that bumps rev shows on
# the very next view, in every worker; an article without rev is read
# whole every time; counts stay exact.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

worker_connections(1024);
no_shuffle();
no_long_string();

$ENV{TEST_NGINX_REDIS_PORT} ||= 6379;

# what the requests of $code asked Redis, as arrays of arguments (not
# the SCRIPT LOAD of a connection that is being set up)
sub ::sent_during {
    my ($code) = @_;
    my $m = NewsTest::monitor_start($ENV{TEST_NGINX_REDIS_PORT});
    $code->();
    return grep { $_->[0] ne 'SCRIPT' } NewsTest::monitor_commands($m, 0.3);
}

sub ::names { join ' ', map { $_->[0] } @_ }

sub ::title {
    my ($body) = @_;
    return $body =~ m{<h1>([^<]*)</h1>} ? $1 : undef;
}

our $Config = <<'_EOC_';
    news_base_url http://localhost;
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
    location ~ ^/api/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_format json;
        news_article news:article:$1;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: a kept article is asked for with its revision alone, and its page is sent again with the new count
--- config eval: $::Config
--- init
my $key = NewsTest::article('kept', title => 'Kept story', rev => '7',
                            body => "One.\n\nTwo.", views => 10);
my (@first, @second);
my @sent = ::sent_during(sub {
    @first = NewsTest::http_get('/news/kept');
    @second = NewsTest::http_get('/news/kept');
});
Test::More::is(::names(@sent), 'MULTI EVALSHA HGETALL EXEC EVALSHA',
               'read whole once, then the script alone');
Test::More::is_deeply([@{$sent[4]}[2 .. 5]], [1, $key, '7', '1'],
                      'with the revision kept, asked to count');
Test::More::is("$first[0] $second[0]", '200 200', 'both served');
Test::More::is(NewsTest::shown_views($first[2]), 11, 'first count');
Test::More::is(NewsTest::shown_views($second[2]), 12, 'second count');
(my $a = $first[2]) =~ s/\b1[12] Views\b/N Views/;
(my $b = $second[2]) =~ s/\b1[12] Views\b/N Views/;
Test::More::is($b, $a, 'the same page but for the count');
Test::More::is($second[1]{'content-length'}, length($second[2]),
               'Content-Length of the page sent again');
Test::More::is(NewsTest::redis('HGET', $key, 'views'), 12, 'counted twice');
--- request
GET /news/kept
--- response_body_like: >13 Views<
--- no_error_log
[error]



=== TEST 2: an edit that bumps rev is shown on the very next view
--- config eval: $::Config
--- init
my $key = NewsTest::article('edited', title => 'Before', rev => '1');
my @r = NewsTest::http_get('/news/edited');
Test::More::is(::title($r[2]), 'Before', 'the first text');
NewsTest::redis('HSET', $key, 'title', 'After', 'rev', '2');
my @sent = ::sent_during(sub { @r = NewsTest::http_get('/news/edited') });
Test::More::is(::title($r[2]), 'After', 'the new text at once');
Test::More::is(::names(@sent), 'EVALSHA', 'one round trip still');
Test::More::is(NewsTest::shown_views($r[2]), 2, 'counted');
--- request
GET /news/edited
--- response_body_like: <h1>After</h1>.*>3 Views<
--- no_error_log
[error]



=== TEST 3: an article without rev is read whole every time: an edit shows at once
--- config eval: $::Config
--- init
my $key = NewsTest::article('plain', title => 'First words');
my @r = NewsTest::http_get('/news/plain');
Test::More::is(::title($r[2]), 'First words', 'the first text');
NewsTest::redis('HSET', $key, 'title', 'Second words');
my @sent = ::sent_during(sub { @r = NewsTest::http_get('/news/plain') });
Test::More::is(::title($r[2]), 'Second words', 'the new text at once');
Test::More::is(::names(@sent), 'MULTI EVALSHA HGETALL EXEC',
               'the whole hash, as without a cache');
--- request
GET /news/plain
--- response_body_like: <h1>Second words</h1>
--- no_error_log
[error]



=== TEST 4: a kept article that loses its rev is read whole again
--- config eval: $::Config
--- init
my $key = NewsTest::article('unrev', title => 'Versioned', rev => 'a');
NewsTest::http_get('/news/unrev');
NewsTest::redis('HSET', $key, 'title', 'Unversioned');
NewsTest::redis('HDEL', $key, 'rev');
my @r;
my @sent = ::sent_during(sub {
    @r = NewsTest::http_get('/news/unrev');
    NewsTest::http_get('/news/unrev');
});
Test::More::is(::title($r[2]), 'Unversioned', 'the new text');
Test::More::is(::names(@sent), 'EVALSHA MULTI EVALSHA HGETALL EXEC',
               'the fields came with the script, then the whole hash');
--- request
GET /news/unrev
--- response_body_like: <h1>Unversioned</h1>
--- no_error_log
[error]



=== TEST 5: a kept article made a draft is 404 at once; deleted, 404 and no key; published again, shown
--- config eval: $::Config
--- init
my $key = NewsTest::article('turns', title => 'Turns', rev => '1');
NewsTest::http_get('/news/turns');
NewsTest::redis('HSET', $key, 'status', 'draft', 'rev', '2');
my @r = NewsTest::http_get('/news/turns');
Test::More::is($r[0], 404, 'a draft now');
NewsTest::redis('HSET', $key, 'status', 'published', 'rev', '3');
@r = NewsTest::http_get('/news/turns');
Test::More::is($r[0], 200, 'published again');
NewsTest::redis('DEL', $key);
@r = NewsTest::http_get('/news/turns');
Test::More::is($r[0], 404, 'deleted');
Test::More::is(NewsTest::redis('EXISTS', $key), 0, 'no key made');
--- request
GET /news/turns
--- error_code: 404
--- error_log
news: 404 for article "news:article:turns": article is a draft
news: 404 for article "news:article:turns": no such article



=== TEST 6: HEAD of a kept article asks the script not to count
--- config eval: $::Config
--- init
my $key = NewsTest::article('headed', title => 'Headed', rev => '5',
                            views => 3);
NewsTest::http_get('/news/headed');
my @r;
my @sent = ::sent_during(sub {
    @r = NewsTest::http_request('HEAD', '/news/headed');
});
Test::More::is($r[0], 200, 'HEAD served');
Test::More::is_deeply([@{$sent[0]}[2 .. 5]], [1, $key, '5', '0'],
                      'the script, told not to count');
Test::More::is(NewsTest::redis('HGET', $key, 'views'), 4, 'not counted');
--- request
GET /news/headed
--- response_body_like: >5 Views<



=== TEST 7: JSON of a kept article: the count is this view's
--- config eval: $::Config
--- init
NewsTest::redis('DEL', 'news:article:data');
NewsTest::redis('HSET', 'news:article:data', 'title', 'Data', 'rev', '1',
                'views', '1');
my @r = NewsTest::http_get('/api/data');
Test::More::is($r[2], '{"title":"Data","rev":"1",'
                      . '"url":"http://localhost/api/data","views":2}',
               'the first view');
--- request
GET /api/data
--- response_body chomp
{"title":"Data","rev":"1","url":"http://localhost/api/data","views":3}



=== TEST 8: 300 concurrent views of a kept article: 300 distinct counts, +300
--- config eval: $::Config
--- init
my $key = NewsTest::article('crowd', title => 'Crowd', rev => '1');
NewsTest::http_get('/news/crowd');
my @r = NewsTest::concurrent_get('/news/crowd', 300);
Test::More::is(scalar(grep { $_->[0] == 200 } @r), 300, '300 pages');
my %seen = map { (NewsTest::shown_views($_->[2]) // 'none') => 1 } @r;
Test::More::is(scalar(keys %seen), 300, '300 distinct counts');
Test::More::is(NewsTest::redis('HGET', $key, 'views'), 301,
               'counter raised by exactly 301');
--- request
GET /news/crowd
--- response_body_like: >302 Views<
--- timeout: 10



=== TEST 9: a small cache keeps the most recent articles: the oldest is read whole again, every page right
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- http_config
    news_cache_size 64k;
--- init
my $body = join "\n\n", map { "Paragraph $_ " . ('x' x 400) } 1 .. 8;
NewsTest::article("many-$_", title => "Story $_", rev => '1', body => $body)
    for 1 .. 60;
my $ok = 0;
for my $i (1 .. 60) {
    my @r = NewsTest::http_get("/news/many-$i");
    $ok++ if $r[0] == 200 && ::title($r[2]) eq "Story $i"
             && NewsTest::shown_views($r[2]) == 1;
}
Test::More::is($ok, 60, 'sixty right pages, each its first view');
my @sent = ::sent_during(sub {
    NewsTest::http_get('/news/many-60');
    NewsTest::http_get('/news/many-1');
});
Test::More::is(::names(@sent), 'EVALSHA MULTI EVALSHA HGETALL EXEC',
               'the latest is kept, the first was evicted');
my @r = NewsTest::http_get('/news/many-1');
Test::More::is(NewsTest::shown_views($r[2]), 3, 'counts exact');
--- request
GET /news/many-60
--- response_body_like: <h1>Story 60</h1>.*>3 Views<



=== TEST 10: news_cache_size 0 keeps nothing: every view reads the whole hash
--- config eval: $::Config
--- http_config
    news_cache_size 0;
--- init
NewsTest::article('uncached', title => 'Uncached', rev => '1');
my @sent = ::sent_during(sub {
    NewsTest::http_get('/news/uncached') for 1 .. 2;
});
Test::More::is(::names(@sent),
               'MULTI EVALSHA HGETALL EXEC MULTI EVALSHA HGETALL EXEC',
               'read whole twice');
--- request
GET /news/uncached
--- response_body_like: >3 Views<
