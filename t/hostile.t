# Hostile input: keys built from hostile URLs (format directives, quotes,
# CR/LF, NUL, 10 KiB, bytes that are not UTF-8, Redis protocol), hostile
# field values (markup, quotes, URL schemes, template tags, unicode), a
# views field that is not an integer, and a hash of 100 000 fields.
# Expected: the right 4xx/5xx or a correctly escaped page, never a crash,
# never a command that the request did not mean.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

master_on();          # a crashed worker shows as "exited on signal"
workers(1);
no_shuffle();
no_long_string();

# a private store: DEBUG DIGEST tells whether any key changed
our $Store = NewsTest::start_redis('--enable-debug-command', 'yes');
$ENV{TEST_NGINX_STORE_PORT} = $Store->{port};

sub ::r { NewsTest::redis_on($::Store, @_) }

sub ::fresh {
    my ($key, @fields) = @_;
    ::r('DEL', $key);
    ::r('HSET', $key, @fields) if @fields;
    return $key;
}

::fresh('news:article:victim', title => 'Victim', views => 5);

# /raw/ counts views; /look/ does not, so Redis' data must not change
our $Config = <<'_EOC_';
    location ~ (?s)^/raw/(.*)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_STORE_PORT;
        news_site_name "Hostile Times";
        news_article news:article:$1;
    }
    location ~ (?s)^/look/(.*)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_STORE_PORT;
        news_views off;
        news_article news:article:$1;
    }
_EOC_

# what Redis received while $code ran (only nginx talks to it then): the
# commands MONITOR saw, each an array ref of its arguments.  A request
# first, so that the worker's connection setup (SCRIPT LOAD) is done.
sub ::sent_during {
    my ($code) = @_;
    NewsTest::http_get('/look/victim');
    my $m = NewsTest::monitor_start($::Store->{port});
    $code->();
    return NewsTest::monitor_commands($m, 0.3);
}

sub ::image_quotes {
    ::fresh('news:article:img-quotes', title => 'Image quotes',
            image => q{https://img.example/a.jpg" onerror="pwn(1)},
            image_alt => q{alt' onload='pwn(2)' x="});
}

# markup in every field, including those the default page does not show
# (tags, dates), and in the key itself
sub ::markup_everywhere {
    my $x = q{<script>pwn("F")</script></script><b id=pwn> <!--pwn }
            . q{" onerror="pwn(1) ' onload='pwn(2) ]]> &amp;};
    my %f = map { (my $v = $x) =~ s/F/$_/g; ($_ => "$_ $v") }
            qw(title author summary body image image_alt image_credit
               category);
    ::fresh(qq{news:article:</script><b id=pwn>"x'}, %f,
            tags => q{["<script>pwn(\"tag\")</script>", "x\" onerror=\"pwn(3)"]},
            published_at => '<b id=pwn>', updated_at => '</script><b id=pwn>');
}

# What is wrong with a page built from hostile values, one line each;
# "ok" if nothing.  Outside scripts no markup of the payloads may appear
# unescaped; the only script allowed is JSON-LD, which must not contain
# "</script" or "<!--" (the two ways out of a script element).
sub ::page_problems {
    my ($page) = @_;
    my @problems;
    my $html = $page;
    while ($html =~ s{<script\b([^>]*)>(.*?)</script\s*>}{}is) {
        my ($attrs, $text) = ($1, $2);
        push @problems, "a script that is not JSON-LD: <script$attrs>"
            unless $attrs =~ m{^\s+type="application/ld\+json"\s*$};
        push @problems, "\"<!--\" inside a script" if $text =~ /<!--/;
    }
    push @problems, "unescaped \"$1\" in the page"
        while $html =~ m{(<script|</script|<b id=pwn|<b>pwn|<!--pwn|" onerror="|' onload='|"><b)}gi;
    return @problems ? join("\n", @problems) . "\n" : "ok\n";
}

run_tests();

__DATA__

=== TEST 1: format directives in a key are plain bytes: the article of that key is served
--- init
::fresh('news:article:%s%n%x%p', title => 'Percent');
--- config eval: $::Config
--- request
GET /raw/%25s%25n%25x%25p
--- response_body_like: <h1>Percent</h1>.*>1 View<
--- no_error_log
exited on signal
[error]



=== TEST 2: format directives in a missing key: 404, logged verbatim
--- init
::r('DEL', 'news:article:%n%n%s-missing');
--- config eval: $::Config
--- request
GET /raw/%25n%25n%25s-missing
--- error_code: 404
--- error_log
news: 404 for article "news:article:%n%n%s-missing": no such article
--- no_error_log
exited on signal
[error]



=== TEST 3: spaces and quotes in a key: served, the canonical URL escaped
--- init
::fresh(qq{news:article:a b"c'd}, title => 'Quoted key');
my ($status, $h, $body) = NewsTest::http_get(q{/raw/a%20b%22c'd});
Test::More::is($status, 200, 'served');
Test::More::like($body, qr{<h1>Quoted key</h1>}, 'the article of that key');
Test::More::like($body,
    qr{<link rel="canonical" href="http://localhost:\d+/raw/a%20b%22c&#39;d">},
    'canonical URL: space and double quote encoded, single quote escaped');
(my $html = $body) =~ s{<script\b[^>]*>.*?</script\s*>}{}gis;
Test::More::unlike($html, qr{b"c|c'd}, 'no raw quote from the URL in HTML');
--- config eval: $::Config
--- request
GET /raw/a%20b%22c'd
--- response_body_like: >2 Views<
--- no_error_log
exited on signal



=== TEST 4: CR/LF in a key is 400 and sends Redis nothing: no DEL, no FLUSHALL
--- init
my $digest = ::r('DEBUG', 'DIGEST');
my @status;
my @sent = ::sent_during(sub {
    push @status, (NewsTest::http_get($_))[0] for
        '/raw/x%0D%0ADEL%20news:article:victim',
        '/raw/x%0ADEL%20news:article:victim',
        '/raw/x%0DDEL%20news:article:victim',
        '/raw/x%0D%0A*1%0D%0A$8%0D%0AFLUSHALL%0D%0A';
});
Test::More::is("@status", '400 400 400 400', 'each 400');
Test::More::is(scalar(@sent), 0, 'Redis received no command')
    or Test::More::diag(join "\n", map { "@$_" } @sent);
Test::More::is(::r('HGET', 'news:article:victim', 'title'), 'Victim',
               'the victim is still there');
Test::More::is(::r('DEBUG', 'DIGEST'), $digest, 'no key changed');
--- config eval: $::Config
--- request
GET /raw/evil%0D%0ADEL%20news:article:victim
--- error_code: 400
--- error_log
news: invalid article key of
--- no_error_log
exited on signal
[error]



=== TEST 5: NUL in a key: %00 in the URL is 400 from nginx; a NUL from elsewhere is 400 from the module
--- init
my $digest = ::r('DEBUG', 'DIGEST');
my @status;
my @sent = ::sent_during(sub {
    push @status, (NewsTest::http_get($_))[0] for '/raw/a%00b', '/nul';
});
Test::More::is("@status", '400 400', 'both 400');
Test::More::is(scalar(@sent), 0, 'Redis received no command')
    or Test::More::diag(join "\n", map { "@$_" } @sent);
Test::More::is(::r('DEBUG', 'DIGEST'), $digest, 'no key changed');
--- config eval
$::Config . <<"_EOC_";
    location = /nul {
        news_redis_pass 127.0.0.1:$ENV{TEST_NGINX_STORE_PORT};
        news_article "news:article:victim\0x";
    }
_EOC_
--- request
GET /nul
--- error_code: 400
--- error_log
news: invalid article key of 21 bytes
--- no_error_log
exited on signal
[error]



=== TEST 6: a 10 KiB key is 400 and sends Redis nothing
--- init
my $digest = ::r('DEBUG', 'DIGEST');
my ($status);
my @sent = ::sent_during(sub {
    ($status) = NewsTest::http_get('/raw/' . ('k' x 10240));
});
Test::More::is($status, 400, 'a 10 KiB key is 400');
Test::More::is(scalar(@sent), 0, 'Redis received no command');
Test::More::is(::r('DEBUG', 'DIGEST'), $digest, 'no key changed');
--- config eval
"    large_client_header_buffers 4 16k;\n" . $::Config
--- request eval
"GET /raw/" . ("k" x 10240)
--- error_code: 400
--- error_log
news: invalid article key of 10253 bytes
--- no_error_log
exited on signal
[error]



=== TEST 7: Redis protocol in a key (no CR/LF) is one argument of one command
--- init
my @keys = (q{x DEL news:article:victim}, q{x" "DEL" "news:article:victim},
            q{*2 $3 DEL $19 news:article:victim}, q{x\r\nDEL victim});
my $digest = ::r('DEBUG', 'DIGEST');
my @status;
my @sent = ::sent_during(sub {
    for my $k (@keys) {
        (my $path = $k) =~ s/([^A-Za-z0-9:._-])/sprintf '%%%02X', ord $1/ge;
        push @status, (NewsTest::http_get("/look/$path"))[0];
    }
});
Test::More::is("@status", '404 404 404 404', 'no such articles: 404');
Test::More::is(scalar(@sent), 4, 'one command per request')
    or Test::More::diag(join "\n", map { "@$_" } @sent);
Test::More::is_deeply(\@sent, [map { ['HGETALL', "news:article:$_"] } @keys],
                      'each key whole in one HGETALL argument');
Test::More::is(::r('HGET', 'news:article:victim', 'title'), 'Victim',
               'the victim is still there');
Test::More::is(::r('DEBUG', 'DIGEST'), $digest, 'no key changed');
--- config eval: $::Config
--- request
GET /look/victim
--- response_body_like: >5 Views<
--- no_error_log
exited on signal
[error]



=== TEST 8: bytes that are not UTF-8, in the key and in the fields, pass unchanged
--- init
my $key = "news:article:caf\xE9-\xFF\xFE\xC0\xAF";
::fresh($key, title => "T\xE9l\xE9-\xFF\xFE\xC0\xAF end",
        body => "B\xFF\xFEdy");
my (@sent, $status, $h, $body);
@sent = ::sent_during(sub {
    ($status, $h, $body) = NewsTest::http_get('/raw/caf%E9-%FF%FE%C0%AF');
});
Test::More::is($status, 200, 'served');
Test::More::is_deeply(\@sent, [['MULTI'], ['EVALSHA', $sent[1][1], 1, $key],
                              ['HGETALL', $key], ['EXEC']],
                      'Redis got the key byte for byte');
Test::More::like($body, qr{<h1>T\xE9l\xE9-\xFF\xFE\xC0\xAF end</h1>},
                 'the title byte for byte');
Test::More::like($body, qr{<p>B\xFF\xFEdy</p>}, 'the body byte for byte');
Test::More::like($body,
    qr{href="http://localhost:\d+/raw/caf%E9-%FF%FE%C0%AF"},
    'canonical URL percent-encodes them');
Test::More::is($h->{'content-length'}, length($body), 'Content-Length kept');
--- config eval: $::Config
--- request
GET /raw/caf%E9-%FF%FE%C0%AF
--- response_body_like: >2 Views<
--- no_error_log
exited on signal



=== TEST 9: quotes that would end the image attributes are escaped
--- init
::image_quotes();
--- config eval: $::Config
--- request
GET /raw/img-quotes
--- response_body_like eval
qr{<img\ src="https://img\.example/a\.jpg&quot;\ onerror=&quot;pwn\(1\)"
   \ alt="alt&\#39;\ onload=&\#39;pwn\(2\)&\#39;\ x=&quot;"\ fetchpriority="high">}x
--- no_error_log
exited on signal



=== TEST 10: ... and no attribute is broken anywhere on the page
--- init
::image_quotes();
--- config eval: $::Config
--- request
GET /raw/img-quotes
--- response_body_filters eval
\&::page_problems
--- response_body
ok



=== TEST 11: a javascript:, data: or vbscript: image URL does not reach the page, nor one that dropping control bytes would make
--- init
my $n = 0;
::fresh('news:article:scheme-' . ++$n, title => "Scheme $n", image => $_)
    for 'javascript:pwn(1)', 'JaVaScRiPt:pwn(2)', " \tjavascript:pwn(3)",
        "java\tscript:pwn(4)", 'data:text/html;base64,PHNjcmlwdD5wd24oNSk8L3NjcmlwdD4=',
        'vbscript:pwn(6)', "java\x00script:pwn(7)", "\x7fjavascript:pwn(8)",
        "javas\x1bcript:pwn(9)";
--- config eval: $::Config
--- request eval
[map { "GET /raw/scheme-$_" } 1 .. 9]
--- error_code eval
[(200) x 9]
--- response_body_unlike eval
[(qr{="[\s\x00-\x1f]*(?i:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|vbscript|data):}) x 9]
--- no_error_log
exited on signal



=== TEST 12: template tags in a field are text, not template
--- init
::fresh('news:article:tags-in-text',
        title => '{{site_name}} {{{url}}} {{#views}}x{{/views}}',
        author => '{{! comment }}{{^title}}y{{/title}}',
        body => "{{{body_html}}}\n\n{{views_label}}");
--- config eval: $::Config
--- request
GET /raw/tags-in-text
--- response_body_like eval
qr{<h1>\{\{site_name\}\}\ \{\{\{url\}\}\}\ \{\{\#views\}\}x\{\{/views\}\}</h1>.*
   \{\{!\ comment\ \}\}\{\{\^title\}\}y\{\{/title\}\}.*
   <p>\{\{\{body_html\}\}\}</p>\s*<p>\{\{views_label\}\}</p>}sx
--- no_error_log
exited on signal



=== TEST 13: unicode and NUL in fields: bytes kept, the NUL dropped, nothing cut at it
--- init
my $title = "Caf\xC3\xA9 \xE2\x80\x93 na\xC3\xAFve \xF0\x9F\x9A\x80 "
            . "\xE2\x80\xAEevil\xE2\x80\xAC \xE4\xB8\xAD\xE6\x96\x87 "
            . "\xE2\x80\xA8line\xE2\x80\xA9 a\0b";
::fresh('news:article:unicode', title => $title,
        author => "Zo\xC3\xAB \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB",
        body => "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D\0tail");
my ($status, $h, $body) = NewsTest::http_get('/raw/unicode');
(my $shown = $title) =~ s/\0//;
Test::More::is($status, 200, 'served');
Test::More::like($body, qr{<h1>\Q$shown\E</h1>},
                 'the title byte for byte but its NUL');
Test::More::like($body, qr{Zo\xC3\xAB \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB},
                 'the author byte for byte');
Test::More::like($body, qr{<p>\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9Dtail</p>},
                 'the body past its NUL');
Test::More::unlike($body, qr{\0}, 'no NUL anywhere on the page');
Test::More::like($body, qr{Caf%C3%A9%20%E2%80%93%20na%C3%AFve%20%F0%9F%9A%80},
                 'share links carry the title as UTF-8, percent-encoded');
Test::More::is($h->{'content-length'}, length($body), 'Content-Length kept');
--- config eval: $::Config
--- request
GET /raw/unicode
--- response_body_like: >2 Views<
--- no_error_log
exited on signal



=== TEST 14: markup in every field, the URL and the Host header: all escaped
--- init
::markup_everywhere();
--- config eval: $::Config
--- more_headers
Host: evil.example"><b>pwn-host
--- request
GET /raw/%3C/script%3E%3Cb%20id=pwn%3E%22x'
--- response_body_filters eval
\&::page_problems
--- response_body
ok



=== TEST 15: ... and the escaped values are all there; the Host is not trusted
--- init
::markup_everywhere();
--- config eval: $::Config
--- more_headers
Host: evil.example"><b>pwn-host
--- request
GET /raw/%3C/script%3E%3Cb%20id=pwn%3E%22x'
--- response_body_like eval
qr{<title>title\ &lt;script&gt;pwn\(&quot;title&quot;\)&lt;/script&gt;&lt;/script\x{e2}\x{80}\x{a6}</title>.*
   <link\ rel="canonical"\ href="http://localhost:\d+/raw/%3C/script%3E%3Cb%20id=pwn%3E%22x&\#39;">.*
   <meta\ property="og:title"\ content="title\ &lt;script&gt;pwn\(&quot;title&quot;\)&lt;/script&gt;&lt;/script&gt;&lt;b\ id=pwn&gt;\ &lt;!--pwn\ &quot;\ onerror=&quot;pwn\(1\)\ &\#39;\ onload=&\#39;pwn\(2\)\ \]\]&gt;\ &amp;amp;">.*
   <p\ class="category">category\ &lt;script&gt;pwn\(&quot;category&quot;\).*
   <h1>title\ &lt;script&gt;.*
   <span\ class="author">By\ author\ &lt;script&gt;pwn\(&quot;author&quot;\).*
   <img\ src="image\ &lt;script&gt;pwn\(&quot;image&quot;\).*\ alt="image_alt\ &lt;script&gt;pwn\(&quot;image_alt&quot;\).*
   <figcaption>Disclaimer:\ image_credit\ &lt;script&gt;pwn\(&quot;image_credit&quot;\).*
   <p>body\ &lt;script&gt;pwn\(&quot;body&quot;\)}sx



=== TEST 16: a views field that is not an integer is 502 on GET and HEAD
--- init
my $i = 0;
::fresh('news:article:count-' . ++$i, title => "Count $i", views => $_)
    for 'many', ' 7', '7 ', '1.5', '1e3', '0x10', '+5', '007', '', '-',
        '99999999999999999999';
--- config eval: $::Config
--- request eval
[map { ("GET /raw/count-$_", "HEAD /raw/count-$_") } 1 .. 11]
--- error_code eval
[(502) x 22]
--- error_log eval
qr{\[error\].*news: 502 for article "news:article:count-\d+": (?:Redis replied "ERR hash value is not an integer|the views field is not an integer)}
--- no_error_log
exited on signal



=== TEST 17: ... and those views fields were left as they were
--- init
my @want = ('many', ' 7', '7 ', '1.5', '1e3', '0x10', '+5', '007', '', '-',
            '99999999999999999999');
Test::More::is_deeply([map { ::r('HGET', "news:article:count-$_", 'views') }
                       1 .. 11], \@want, 'unchanged');
--- config eval: $::Config
--- request
GET /raw/count-1
--- error_code: 502



=== TEST 18: a counter that would overflow is 502 and keeps its value
--- init
::fresh('news:article:edge-max', title => 'Max', views => '9223372036854775807');
::fresh('news:article:edge-neg', title => 'Negative', views => '-5');
--- config eval: $::Config
--- request eval
["GET /raw/edge-max", "HEAD /raw/edge-max", "GET /look/edge-max",
 "GET /raw/edge-neg"]
--- error_code eval
[502, 200, 200, 200]
--- response_body_like eval
[qr{502}, qr{^$}, qr{>9223372036854775807 Views<}, qr{>-4 Views<}]
--- no_error_log
exited on signal



=== TEST 19: the smallest integer Redis stores is shown when not counted, as when counted
--- init
::fresh('news:article:edge-min', title => 'Min', views => '-9223372036854775808');
--- config eval: $::Config
--- request eval
["GET /look/edge-min", "HEAD /raw/edge-min"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{>-9223372036854775808 Views<}, qr{^$}]
--- no_error_log
exited on signal



=== TEST 20: "-0", which Redis does not count on, is 502 when not counted too
--- init
::fresh('news:article:minus-zero', title => 'Minus zero', views => '-0');
--- config eval: $::Config
--- request eval
["GET /raw/minus-zero", "GET /look/minus-zero", "HEAD /raw/minus-zero"]
--- error_code eval
[502, 502, 502]
--- no_error_log
exited on signal



=== TEST 21: a count above 2^53 is shown exactly as Redis stores it
--- init
::fresh('news:article:huge-count', title => 'Huge', views => '9007199254740992');
--- config eval: $::Config
--- request eval
["GET /raw/huge-count", "GET /look/huge-count"]
--- response_body_like eval
[qr{>9007199254740993 Views<}, qr{>9007199254740993 Views<}]
--- no_error_log
exited on signal



=== TEST 22: an "empty hash" cannot exist: its last field deleted, the key is gone, 404, nothing created
--- init
::fresh('news:article:emptied', title => 'Soon gone');
::r('HDEL', 'news:article:emptied', 'title');
Test::More::is(::r('EXISTS', 'news:article:emptied'), 0,
               'Redis removed the key with its last field');
Test::More::like(::r('HSET', 'news:article:emptied'), qr/wrong number of arguments/,
                 'and cannot make a hash without fields');
--- config eval: $::Config
--- request eval
["GET /raw/emptied", "HEAD /raw/emptied"]
--- error_code eval
[404, 404]
--- error_log
news: 404 for article "news:article:emptied": no such article



=== TEST 23: ... and the 404s created no key
--- init
Test::More::is(::r('EXISTS', 'news:article:emptied'), 0, 'no key');
--- config eval: $::Config
--- request
GET /raw/emptied
--- error_code: 404



=== TEST 24: a hash of 100 000 fields: the page, counted once
--- init
::fresh('news:article:sprawl');
my @batch;
for my $i (1 .. 100_000) {
    push @batch, "junk_field_$i", "junk value $i <b id=pwn>";
    if (@batch == 20_000) {
        ::r('HSET', 'news:article:sprawl', @batch);
        @batch = ();
    }
}
::r('HSET', 'news:article:sprawl', title => 'Sprawl', body => 'Kept short.');
Test::More::is(::r('HLEN', 'news:article:sprawl'), 100_002, '100 002 fields');
my ($status, $h, $body, $took) = NewsTest::timed_get('/raw/sprawl');
Test::More::is($status, 200, 'served');
Test::More::like($body, qr{<h1>Sprawl</h1>.*>1 View<.*<p>Kept short\.</p>}s,
                 'title, count and body');
Test::More::unlike($body, qr{junk}, 'fields the page does not use stay out');
Test::More::note(sprintf '100 002 fields: %.3f s', $took);
--- config eval: $::Config
--- request eval
["GET /raw/sprawl", "HEAD /raw/sprawl"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{>2 Views<}, qr{^$}]
--- no_error_log
exited on signal
[error]
--- timeout: 10
