# news_template: the Mustache subset, every name a template can use, the
# errors nginx -t reports, and the default page's head.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;
use JSON::PP;

no_shuffle();
no_long_string();

$ENV{TEST_NGINX_HTML_DIR} ||= html_dir();

NewsTest::article('lighthouse',
    title        => 'Lighthouse keeper retires after 40 years',
    author       => 'Jonas Berg',
    published_at => '2025-03-14T08:00:00Z',
    updated_at   => '2025-03-15T12:30:00Z',
    summary      => 'The last keeper of the north light hands over the keys.',
    body         => ("word " x 250) . "\n\nSecond <para>.",
    image        => 'https://images.example.org/light.jpg',
    image_alt    => 'The lighthouse at dusk',
    image_credit => 'Harbour Archive',
    category     => 'Coast',
    tags         => '["Maritime", "People & Places"]',
    views        => 99,
);

our $Location = <<'_EOC_';
    location ~ ^/news/([a-z0-9-]+)$ {
        news_base_url http://localhost;
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_site_name "North Shore News";
        news_views off;
        news_template $TEST_NGINX_HTML_DIR/page.html;
        news_article news:article:$1;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: {{name}} is escaped, {{{name}}} is not, comments vanish
--- init
NewsTest::article('markup', title => '<i>Tide</i> & "time"');
--- user_files
>>> page.html
[{{title}}] [{{{title}}}] [{{! a comment }}]
--- config eval: $::Location
--- request
GET /news/markup
--- response_body
[&lt;i&gt;Tide&lt;/i&gt; &amp; &quot;time&quot;] [<i>Tide</i> & "time"] []



=== TEST 2: a section shows when its value is not empty, with {{.}}
--- user_files
>>> page.html
{{#author}}by {{.}}{{/author}}{{#status}}status {{status}}{{/status}}|
--- config eval: $::Location
--- request
GET /news/lighthouse
--- response_body
by Jonas Berg|



=== TEST 3: an inverted section shows when its value is empty
--- user_files
>>> page.html
{{^status}}no status{{/status}} {{^author}}no author{{/author}}|
--- config eval: $::Location
--- request
GET /news/lighthouse
--- response_body
no status |



=== TEST 4: a section over tags repeats for each tag (JSON array)
--- user_files
>>> page.html
{{#tags}}<{{.}}>{{/tags}}{{^tags}}untagged{{/tags}}
--- config eval: $::Location
--- request
GET /news/lighthouse
--- response_body
<Maritime><People &amp; Places>



=== TEST 5: tags may also be comma-separated; no tags shows the inverse
--- init
NewsTest::article('comma-tags', title => 'T', tags => ' Ports , Weather,,');
NewsTest::article('no-tags', title => 'T');
--- user_files
>>> page.html
{{#tags}}[{{.}}]{{/tags}}{{^tags}}untagged{{/tags}}
--- config eval: $::Location
--- request eval
["GET /news/comma-tags", "GET /news/no-tags"]
--- response_body eval
["[Ports][Weather]\n", "untagged\n"]



=== TEST 6: the computed names
--- user_files
>>> page.html
views={{views}}
views_label={{views_label}}
published={{published}}
published_iso={{published_iso}}
updated_iso={{updated_iso}}
url={{url}}
url_encoded={{url_encoded}}
site_name={{site_name}}
reading_minutes={{reading_minutes}}
share_x={{share_x}}
share_facebook={{share_facebook}}
share_whatsapp={{share_whatsapp}}
share_linkedin={{share_linkedin}}
body_html={{{body_html}}}
--- config eval: $::Location
--- request
GET /news/lighthouse?x=1
--- response_body_like eval
qr{\Aviews=99\n
views_label=99\ Views\n
published=Fri,\ 14\ Mar\ 2025\n
published_iso=2025-03-14T08:00:00Z\n
updated_iso=2025-03-15T12:30:00Z\n
url=http://localhost/news/lighthouse\n
url_encoded=http%3A%2F%2Flocalhost%2Fnews%2Flighthouse\n
site_name=North\ Shore\ News\n
reading_minutes=2\n
share_x=https://twitter\.com/intent/tweet\?url=http%3A%2F%2Flocalhost%2Fnews%2Flighthouse&amp;text=Lighthouse%20keeper%20retires%20after%2040%20years\n
share_facebook=https://www\.facebook\.com/sharer/sharer\.php\?u=http%3A%2F%2Flocalhost%2Fnews%2Flighthouse\n
share_whatsapp=https://wa\.me/\?text=Lighthouse%20keeper%20retires%20after%2040%20years%20http%3A%2F%2Flocalhost%2Fnews%2Flighthouse\n
share_linkedin=https://www\.linkedin\.com/sharing/share-offsite/\?url=http%3A%2F%2Flocalhost%2Fnews%2Flighthouse\n
body_html=<p>(?:word\ ){249}word</p>\n
<p>Second\ &lt;para&gt;\.</p>\n\n\z}x



=== TEST 7: "1 View" is singular; a missing date leaves its names empty
--- init
NewsTest::article('single', title => 'T', views => 0);
--- user_files
>>> page.html
{{views_label}}|{{published}}|{{#published_iso}}x{{/published_iso}}|
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_template $TEST_NGINX_HTML_DIR/page.html;
        news_article news:article:$1;
    }
--- request
GET /news/single
--- response_body
1 View|||



=== TEST 8: news_date_format formats "published" (UTC)
--- user_files
>>> page.html
{{published}}
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_views off;
        news_date_format "%d.%m.%Y %H:%M UTC";
        news_template $TEST_NGINX_HTML_DIR/page.html;
        news_article news:article:$1;
    }
--- request
GET /news/lighthouse
--- response_body
14.03.2025 08:00 UTC



=== TEST 9: jsonld is a NewsArticle that parses back to the article
--- user_files
>>> page.html
{{{jsonld}}}
--- config eval: $::Location
--- request
GET /news/lighthouse
--- response_body_filters eval
sub {
    my $ld = JSON::PP->new->decode(shift);
    return CORE::join "\n", map { "$_=" . (ref $ld->{$_} ? JSON::PP->new->canonical->encode($ld->{$_}) : $ld->{$_}) }
                      sort keys %$ld;
}
--- response_body chomp
@context=https://schema.org
@type=NewsArticle
articleSection=Coast
author=[{"@type":"Person","name":"Jonas Berg"}]
creditText=Harbour Archive
dateModified=2025-03-15T12:30:00Z
datePublished=2025-03-14T08:00:00Z
description=The last keeper of the north light hands over the keys.
headline=Lighthouse keeper retires after 40 years
image=["https://images.example.org/light.jpg"]
inLanguage=en
keywords=["Maritime","People & Places"]
mainEntityOfPage=http://localhost/news/lighthouse
publisher={"@type":"Organization","name":"North Shore News"}
url=http://localhost/news/lighthouse



=== TEST 10: a hostile headline cannot end the JSON-LD script
--- init
NewsTest::article('breakout',
    title => '</script><script>alert(1)</script><!--<script>');
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request
GET /news/breakout
--- response_body_filters eval
sub {
    my ($json) = $_[0] =~ m{<script type="application/ld\+json">(.*?)</script>}s;
    die "the JSON-LD was cut short: $json\n" if $json =~ m{</|<!--};
    return JSON::PP->new->decode($json)->{headline};
}
--- response_body chomp
</script><script>alert(1)</script><!--<script>



=== TEST 11: two servers, two templates, never mixed
--- user_files
>>> a.html
A:{{title}}
>>> b.html
B:{{title}}
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name b.example;
        location ~ ^/news/([a-z0-9-]+)$ {
            news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
            news_views off;
            news_template $TEST_NGINX_HTML_DIR/b.html;
            news_article news:article:$1;
        }
    }
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_views off;
        news_template $TEST_NGINX_HTML_DIR/a.html;
        news_article news:article:$1;
    }
--- request eval
["GET /news/lighthouse", "GET /news/lighthouse"]
--- more_headers eval
["Host: localhost", "Host: b.example"]
--- response_body eval
["A:Lighthouse keeper retires after 40 years\n",
 "B:Lighthouse keeper retires after 40 years\n"]



=== TEST 12: the default page: one h1, lang, alt text, tags in the head
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_site_name "North Shore News";
        news_views off;
        news_article news:article:$1;
    }
--- request
GET /news/lighthouse
--- response_body_filters eval
sub {
    my $b = shift;
    my @h1 = $b =~ /<h1[ >]/g;
    my @img = $b =~ /<img [^>]*>/g;
    return CORE::join "\n", "h1=" . @h1,
        "lang=" . ($b =~ /<html lang="en">/ ? 1 : 0),
        "img_without_alt=" . grep({ !/ alt="[^"]+"/ } @img),
        map({ "og:$_" } $b =~ /<meta property="og:(\w+)"/g),
        map({ "article:$_" } $b =~ /<meta property="article:(\w+)" content="([^"]*)"/g),
        map({ "twitter:$_" } $b =~ /<meta name="twitter:(\w+)"/g);
}
--- response_body chomp
h1=1
lang=1
img_without_alt=0
og:type
og:title
og:description
og:image
og:url
og:site_name
og:locale
article:published_time
article:2025-03-14T08:00:00Z
article:modified_time
article:2025-03-15T12:30:00Z
article:section
article:Coast
article:tag
article:Maritime
article:tag
article:People &amp; Places
twitter:card
twitter:title
twitter:description
twitter:image



=== TEST 13: the default page's JSON-LD parses
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_views off;
        news_article news:article:$1;
    }
--- request
GET /news/lighthouse
--- response_body_filters eval
sub {
    my ($json) = $_[0] =~ m{<script type="application/ld\+json">(.*?)</script>}s;
    my $ld = JSON::PP->new->decode($json);
    return "$ld->{'@type'}: $ld->{headline}";
}
--- response_body chomp
NewsArticle: Lighthouse keeper retires after 40 years



=== TEST 14: a page that renders to nothing is 200 with no body, alone and inside SSI
--- init
NewsTest::article('no-summary', title => 'No summary');
--- user_files eval
[["page.html", "{{summary}}"],
 ["outer.html", "before[<!--# include virtual=\"/news/no-summary\" -->]after\n"]]
--- config eval
$::Location . <<'_EOC_';
    location = /outer.html {
        ssi on;
    }
_EOC_
--- request eval
["GET /news/no-summary", "GET /outer.html"]
--- response_body eval
["", "before[]after\n"]
--- error_code eval
[200, 200]
--- no_error_log
zero size buf
[alert]



=== TEST 15: any hash field by name: escaped, raw, as a section; an absent one is empty
--- init
NewsTest::article('kicker', title => 'T', kicker => 'Exclusive & <new>',
                  'Sub-Head' => 'Mixed case', blank => '');
--- user_files
>>> page.html
[{{kicker}}] [{{{kicker}}}] [{{#kicker}}k={{.}}{{/kicker}}] [{{Sub-Head}}]
[{{missing}}] [{{#missing}}shown{{/missing}}{{^missing}}absent{{/missing}}] [{{^blank}}blank{{/blank}}{{#blank}}shown{{/blank}}]
--- config eval: $::Location
--- request
GET /news/kicker
--- response_body
[Exclusive &amp; &lt;new&gt;] [Exclusive & <new>] [k=Exclusive &amp; &lt;new&gt;] [Mixed case]
[] [absent] [blank]
--- no_error_log
[error]



=== TEST 16: a computed name wins over a hash field of the same name
--- init
NewsTest::article('shadow', title => 'T', url => 'https://elsewhere.example/',
                  published => 'yesterday', site_name => 'Not the site',
                  views_label => 'many');
--- user_files
>>> page.html
{{url}}|{{published}}|{{site_name}}|{{views_label}}
--- config eval: $::Location
--- request
GET /news/shadow
--- response_body
http://localhost/news/shadow||North Shore News|0 Views



=== TEST 17: a JSON-LD script of one's own with {{name|json}} parses back to the article
--- init
NewsTest::article('own-ld',
    title   => qq{Quotes " and \\ and </script><!-- & 'single'},
    author  => 'Ines & Co',
    kicker  => "line\nnext\ttab \x00\x01\x1b end \xe2\x80\xa8 \xff",
    tags    => '["A&B", "</c>"]',
    published_at => '2025-11-04T09:30:00Z',
    views   => 6);
--- user_files
>>> page.html
<script type="application/ld+json">{"@type":"NewsArticle","headline":"{{title|json}}","author":"{{ author | json }}","kicker":"{{kicker|json}}","url":"{{url|json}}","datePublished":"{{published_iso|json}}","views":{{views|json}},"keywords":[{{#tags}}"{{.|json}}",{{/tags}}"end"],"absent":"{{nothing|json}}"}</script>
--- config eval: $::Location
--- request
GET /news/own-ld
--- response_body_filters eval
sub {
    my ($json) = $_[0] =~ m{\A<script type="application/ld\+json">(.*)</script>\n\z}s
        or die "no script element: $_[0]\n";
    die "markup or a raw control inside the script: $json\n"
        if $json =~ m{[<>&\x00-\x1f\x7f]|\xe2\x80\xa8};
    my $ld = JSON::PP->new->utf8->decode($json);
    return CORE::join "\n", map {
        my $v = ref $ld->{$_} ? CORE::join('|', @{ $ld->{$_} }) : $ld->{$_};
        $v =~ s/([^\x20-\x7e])/sprintf('\\x{%x}', ord $1)/ge;
        "$_=$v";
    } sort keys %$ld;
}
--- response_body chomp
@type=NewsArticle
absent=
author=Ines & Co
datePublished=2025-11-04T09:30:00Z
headline=Quotes " and \ and </script><!-- & 'single'
keywords=A&B|</c>|end
kicker=line\x{a}next\x{9}tab \x{0}\x{1}\x{1b} end \x{2028} \x{fffd}
url=http://localhost/news/own-ld
views=6



=== TEST 18: {{name|json}} escapes quotes, backslash, markup, controls, U+2028/9 and bad UTF-8
--- init
NewsTest::article('escapes',
    title => qq{"\\<&>'/\x00\x1f\x7f\t\n\xe2\x80\xa8\xe2\x80\xa9\xff\xc3\xa9});
--- user_files
>>> page.html
{{title|json}}|{{missing|json}}|
--- config eval: $::Location
--- request
GET /news/escapes
--- response_body eval
"\\u0022\\\\\\u003c\\u0026\\u003e\\u0027/\\u0000\\u001f\\u007f\\t\\n\\u2028\\u2029\xef\xbf\xbd\xc3\xa9||\n"



=== TEST 19: control bytes from Redis are stripped from the HTML; tab, LF and CR kept
--- init
NewsTest::article('controls',
    title => "a\x00b\x01c\x08d\x0be\x0cf\x1bg\x1fh\x7fi\tj\rk\nl",
    body  => "para\x00one\x1b.\n\ntwo\x7f.");
--- user_files
>>> page.html
[{{title}}] [{{kicker}}] {{{body_html}}}
--- config eval: $::Location
--- request
GET /news/controls
--- response_body eval
"[abcdefghi\tj\rk\nl] [] <p>paraone.</p>\n<p>two.</p>\n\n"



=== TEST 20: a name taken as a hash field is logged at info with its file and line, at a reload, so a typo can be found
--- user_files
>>> page.html
{{title}}
>>> typo.html
{{title}}
{{auhtor}}
--- init
my $n = NewsTest::start_nginx(<<"_EOC_");
        location /news/ {
            news_redis_pass 127.0.0.1:$ENV{TEST_NGINX_REDIS_PORT};
            news_template $ENV{TEST_NGINX_HTML_DIR}/typo.html;
            news_article news:article:lighthouse;
        }
_EOC_
kill 'HUP', $n->{pid};
my $found = 0;
for (1 .. 250) {
    open my $fh, '<', $n->{error_log} or die "$n->{error_log}: $!";
    $found = grep { m{\[info\] .*typo\.html:2: "auhtor" is not a name of the page: the hash field of that name} } <$fh>;
    last if $found;
    Time::HiRes::sleep(0.02);
}
NewsTest::stop_nginx($n);
Test::More::is($found, 1, 'logged once, at the reload');
--- config eval: $::Location
--- request
GET /news/lighthouse
--- response_body
Lighthouse keeper retires after 40 years
