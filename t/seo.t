# What search engines and social networks read of the default article
# page (issue 13): the JSON-LD NewsArticle (publisher and its logo,
# authors with their pages, absolute image URLs), the Open Graph and X
# cards (image alt text, locale, site handle), the lead image as a
# figure with its size, sources and credit, machine-readable dates, the
# byline, a <title> that stays short and descriptions cut to a size a
# card shows (issue 16), and the directives' checks.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

use JSON::PP ();

no_shuffle();
no_long_string();

$ENV{TEST_NGINX_HTML_DIR} ||= "$ENV{TEST_NGINX_SERVER_ROOT}/html";

NewsTest::article('tide-gauge',
    title        => 'New tide gauge warns the harbour an hour earlier',
    seo_title    => 'Tide gauge gives harbour an hour more warning',
    authors      => '[{"name": "Ana D\u00edaz", "url": "/authors/ana-diaz"},'
                    . ' {"name": "Tom Okafor", "url": "https://people.example.org/tom"},'
                    . ' {"name": "Desk <Night>"}]',
    author       => 'Harbour Desk',
    published_at => '2025-11-04T09:30:00Z',
    updated_at   => '2025-11-05T16:45:00Z',
    summary      => 'The gauge at the pier head reads the water every ten seconds.',
    body         => "The harbour authority switched on the gauge on Monday.\n",
    image        => '/images/tide-gauge.jpg',
    image_alt    => 'A steel tide gauge on the pier head at low water',
    image_credit => 'Harbour Authority',
    image_width  => '1200',
    image_height => '675',
    image_srcset => '/images/tide-gauge-600.jpg 600w, /images/tide-gauge.jpg 1200w',
    category     => 'Coast',
);

our $Location = <<'CONF';
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_views off;
        news_article news:article:$1;
    }
CONF

our $Named = <<'CONF';
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_site_name "The Tidewater Post";
        news_views off;
        news_article news:article:$1;
    }
CONF

# the page's JSON-LD, decoded
sub ::ld {
    my ($json) = $_[0] =~ m{<script type="application/ld\+json">(.*?)</script>}s
        or die "no JSON-LD in the page\n";
    return JSON::PP->new->utf8->decode($json);
}

sub ::canonical { JSON::PP->new->utf8->canonical->encode($_[0]) }

run_tests();

__DATA__

=== TEST 1: JSON-LD: the publisher with its name, URL and logo, absolute
--- http_config
    news_site_name "The Tidewater Post";
    news_publisher_name "Tidewater Media";
    news_publisher_url /;
    news_publisher_logo /images/logo-600x60.png;
--- config eval: $::Location
--- request
GET /news/tide-gauge
--- response_body_filters eval
sub { ::canonical(::ld($_[0])->{publisher}) }
--- response_body eval
'{"@type":"Organization","logo":{"@type":"ImageObject","url":"http://localhost:'
. main::server_port() . '/images/logo-600x60.png"},"name":"Tidewater Media",'
. '"url":"http://localhost:' . main::server_port() . '/"}'



=== TEST 2: JSON-LD: the publisher is news_site_name when it has no name of its own
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_site_name "The Tidewater Post";
        news_publisher_logo https://cdn.example.org/logo.png;
        news_views off;
        news_article news:article:$1;
    }
--- request
GET /news/tide-gauge
--- response_body_filters eval
sub { ::canonical(::ld($_[0])->{publisher}) }
--- response_body chomp
{"@type":"Organization","logo":{"@type":"ImageObject","url":"https://cdn.example.org/logo.png"},"name":"The Tidewater Post"}



=== TEST 3: JSON-LD: several authors, each a Person with an absolute URL when given
--- config eval: $::Location
--- request
GET /news/tide-gauge
--- response_body_filters eval
sub { ::canonical(::ld($_[0])->{author}) }
--- response_body eval
qq|[{"\@type":"Person","name":"Ana D\x{c3}\x{ad}az","url":"http://localhost:|
. main::server_port() . '/authors/ana-diaz"},'
. '{"@type":"Person","name":"Tom Okafor","url":"https://people.example.org/tom"},'
. '{"@type":"Person","name":"Desk <Night>"}]'



=== TEST 4: JSON-LD: a relative image is made absolute; Google's recommended properties are all there
--- config eval: $::Named
--- request
GET /news/tide-gauge
--- response_body_filters eval
sub {
    my $ld = ::ld($_[0]);
    return CORE::join "\n", ::canonical($ld->{image}),
        map { "$_=" . (exists $ld->{$_} ? 'yes' : 'no') }
            qw(headline datePublished dateModified author publisher
               description inLanguage mainEntityOfPage);
}
--- response_body eval
'["http://localhost:' . main::server_port() . '/images/tide-gauge.jpg"]
headline=yes
datePublished=yes
dateModified=yes
author=yes
publisher=yes
description=yes
inLanguage=yes
mainEntityOfPage=yes'



=== TEST 5: og:image and twitter:image are absolute, with their alt text and size
--- config eval: $::Location
--- request
GET /news/tide-gauge
--- response_body_like eval
my $img = 'http://localhost:' . main::server_port() . '/images/tide-gauge.jpg';
qr{\Q<meta property="og:image" content="$img">\E\n
\Q<meta property="og:image:alt" content="A steel tide gauge on the pier head at low water">\E\n
\Q<meta property="og:image:width" content="1200">\E\n
\Q<meta property="og:image:height" content="675">\E\n
.*
\Q<meta name="twitter:image" content="$img">\E\n
\Q<meta name="twitter:image:alt" content="A steel tide gauge on the pier head at low water">\E\n}sx



=== TEST 6: an image without alt text gets no alt metas, an absolute image stays as it is
--- init
NewsTest::article('no-alt', title => 'No alt',
                  image => 'https://img.example.org/a.jpg');
--- config eval: $::Location
--- request
GET /news/no-alt
--- response_body_filters eval
sub { CORE::join "\n", $_[0] =~ /<meta (?:property|name)="(?:og|twitter):image[^"]*" content="([^"]*)"/g }
--- response_body chomp
https://img.example.org/a.jpg
https://img.example.org/a.jpg



=== TEST 7: news_twitter_site and news_lang: twitter:site, og:locale and <html lang>
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_twitter_site tidewaterpost;
        news_lang pt-BR;
        news_views off;
        news_article news:article:$1;
    }
--- request
GET /news/tide-gauge
--- response_body_like eval
qr{<html\ lang="pt-BR">.*
<meta\ property="og:locale"\ content="pt_BR">.*
<meta\ name="twitter:site"\ content="\@tidewaterpost">.*
"inLanguage":"pt-BR"}sx



=== TEST 8: og:locale from news_lang: a usual territory, a script skipped, or given
--- config
    location /a/ {
        news_lang de;
        news_template $TEST_NGINX_HTML_DIR/locale.html;
        news_views off;
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:tide-gauge;
    }
    location /b/ {
        news_lang zh-Hant-TW;
        news_template $TEST_NGINX_HTML_DIR/locale.html;
        news_views off;
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:tide-gauge;
    }
    location /c/ {
        news_lang eu eu_ES;
        news_template $TEST_NGINX_HTML_DIR/locale.html;
        news_views off;
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:tide-gauge;
    }
    location /d/ {
        news_lang gd;
        news_template $TEST_NGINX_HTML_DIR/locale.html;
        news_views off;
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:tide-gauge;
    }
    location /e/ {
        news_template $TEST_NGINX_HTML_DIR/locale.html;
        news_views off;
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:tide-gauge;
    }
--- user_files
>>> locale.html
{{lang}} {{locale}}
--- request eval
["GET /a/", "GET /b/", "GET /c/", "GET /d/", "GET /e/"]
--- response_body eval
["de de_DE\n", "zh-Hant-TW zh_TW\n", "eu eu_ES\n", "gd gd\n", "en en_US\n"]



=== TEST 9: news_lang must be a language tag
--- config
    news_lang "en US";
--- must_die
--- error_log
invalid language tag "en US", it must be like "en" or "pt-BR" in



=== TEST 10: news_twitter_site must be an X handle
--- config
    news_twitter_site "@tide water";
--- must_die
--- error_log
invalid X (Twitter) handle "@tide water"



=== TEST 11: news_publisher_logo must be an http(s) URL or a path
--- config
    news_publisher_logo javascript:alert(1);
--- must_die
--- error_log
"news_publisher_logo" directive must be an http or https URL, or a path in



=== TEST 12: the lead image is a figure: size, sources, priority, and the credit as its caption
--- config eval: $::Location
--- request
GET /news/tide-gauge
--- response_body_like eval
qr{\Q<figure><img src="/images/tide-gauge.jpg" alt="A steel tide gauge on the pier head at low water" width="1200" height="675" srcset="/images/tide-gauge-600.jpg 600w, /images/tide-gauge.jpg 1200w" sizes="(max-width: 44em) 100vw, 44em" fetchpriority="high">\E\n
\Q<figcaption>Disclaimer: Harbour Authority</figcaption>\E\n
</figure>}x



=== TEST 13: the credit is shown once, in the figure, not after the body
--- config eval: $::Location
--- request
GET /news/tide-gauge
--- response_body_filters eval
sub { my @c = $_[0] =~ /(Disclaimer: [^<]*<\/\w+>)/g; CORE::join "\n", @c }
--- response_body chomp
Disclaimer: Harbour Authority</figcaption>



=== TEST 14: dates are <time> elements; "Updated" when updated_at differs
--- config eval: $::Location
--- request
GET /news/tide-gauge
--- response_body_like eval
qr{\Q<span class="published">Published On <time datetime="2025-11-04T09:30:00Z">Tue, 04 Nov 2025</time></span>\E\n
\Q<span class="updated">Updated <time datetime="2025-11-05T16:45:00Z">Wed, 05 Nov 2025</time></span>\E}x



=== TEST 15: no "Updated" when updated_at is published_at or absent
--- init
NewsTest::article('same-time', title => 'Same',
                  published_at => '2025-11-04T09:30:00Z',
                  updated_at => '1762248600');
NewsTest::article('never-updated', title => 'Never',
                  published_at => '2025-11-04T09:30:00Z');
--- config eval: $::Location
--- request eval
["GET /news/same-time", "GET /news/never-updated"]
--- response_body_like eval
[qr{<time datetime="2025-11-04T09:30:00Z">}, qr{<time datetime="2025-11-04T09:30:00Z">}]
--- response_body_unlike eval
[qr{Updated}, qr{Updated}]



=== TEST 16: the byline: "By", the authors linked to their pages (rel=author), names escaped
--- config eval: $::Location
--- request
GET /news/tide-gauge
--- response_body_like eval
qr{\Q<span class="author">By <a href="/authors/ana-diaz" rel="author">Ana D\E\x{c3}\x{ad}\Qaz</a>, <a href="https://people.example.org/tom" rel="author">Tom Okafor</a>, Desk &lt;Night&gt;</span>\E}



=== TEST 17: byline: an author URL that could run script is not linked
--- init
NewsTest::article('bad-link', title => 'Bad link',
                  authors => '[{"name": "Eve", "url": "javascript:pwn(1)"}]');
--- config eval: $::Location
--- request
GET /news/bad-link
--- response_body_like eval
qr{<span class="author">By Eve</span>}
--- response_body_unlike: javascript:



=== TEST 18: an unreadable authors field: author is shown, and it is logged once
--- init
NewsTest::article('broken-authors', title => 'Broken', author => 'Lin Park',
                  authors => '[{"name": "Half');
--- config eval: $::Location
--- request
GET /news/broken-authors
--- response_body_filters eval
sub {
    my $b = shift;
    open my $fh, '<', "$ENV{TEST_NGINX_SERVER_ROOT}/logs/error.log" or die $!;
    my $n = grep { /\[warn\].*news: the authors field is not a JSON array of \{"name", "url"\}, the author field is shown/ } <$fh>;
    return CORE::join "\n", "logged $n",
        $b =~ m{(<span class="author">[^\n]*</span>)},
        ::canonical(::ld($b)->{author});
}
--- response_body chomp
logged 1
<span class="author">By Lin Park</span>
[{"@type":"Person","name":"Lin Park"}]



=== TEST 19: authors written through the publishing API make the byline
--- config
    location ~ ^/api/(?<slug>[a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_publish $slug;
    }
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_views off;
        news_article news:article:$1;
    }
--- request eval
["PUT /api/two-bylines
{\"title\": \"Two bylines\", \"authors\": [{\"name\": \"Ines M.\", \"url\": \"https://example.org/ines\"}, {\"name\": \"Jo K.\"}]}",
 "GET /news/two-bylines"]
--- error_code eval
[201, 200]
--- response_body_like eval
[qr{"authors"}, qr{<span class="author">By <a href="https://example.org/ines" rel="author">Ines M\.</a>, Jo K\.</span>}]



=== TEST 20: <title> is seo_title and the site name when that fits in 70 characters
--- config eval: $::Named
--- request
GET /news/tide-gauge
--- response_body_like eval
qr{<title>Tide\ gauge\ gives\ harbour\ an\ hour\ more\ warning\ \|\ The\ Tidewater\ Post</title>.*
<meta\ property="og:title"\ content="Tide\ gauge\ gives\ harbour\ an\ hour\ more\ warning">.*
<meta\ name="twitter:title"\ content="Tide\ gauge\ gives\ harbour\ an\ hour\ more\ warning">.*
"headline":"New\ tide\ gauge\ warns\ the\ harbour\ an\ hour\ earlier".*
<h1>New\ tide\ gauge\ warns\ the\ harbour\ an\ hour\ earlier</h1>}sx



=== TEST 21: a long title alone, cut at a word to 70 characters; no site name; the JSON-LD headline cut to 110
--- init
NewsTest::article('long-title',
    title => 'Harbour authority approves the second breakwater after eleven years of '
             . 'planning disputes and three public inquiries');
--- config eval: $::Named
--- request
GET /news/long-title
--- response_body_like eval
qr{<title>Harbour\ authority\ approves\ the\ second\ breakwater\ after\ eleven\ years\x{e2}\x{80}\x{a6}</title>.*
"headline":"Harbour\ authority\ approves\ the\ second\ breakwater\ after\ eleven\ years\ of\ planning\ disputes\ and\ three\ public\x{e2}\x{80}\x{a6}".*
<h1>Harbour\ authority\ approves\ the\ second\ breakwater\ after\ eleven\ years\ of\ planning\ disputes\ and\ three\ public\ inquiries</h1>}sx



=== TEST 22: a title that fits alone but not with the site name leaves the site name out
--- init
NewsTest::article('mid-title',
    title => 'Harbour authority approves the second breakwater after long dispute');
--- config eval: $::Named
--- request
GET /news/mid-title
--- response_body_like eval
qr{<title>Harbour authority approves the second breakwater after long dispute</title>}



=== TEST 23: a 10 MB summary: every description is cut at a word to 300 characters
--- init
NewsTest::article('huge-summary', title => 'Huge',
                  summary => 'Tides ' x (10 * 1024 * 1024 / 6));
--- config eval: $::Location
--- request
GET /news/huge-summary
--- response_body_filters eval
sub {
    my $b = shift;
    my @d = $b =~ /<meta (?:name|property)="(?:description|og:description|twitter:description)" content="([^"]*)"/g;
    my $ld = ::ld($b)->{description};
    utf8::encode($ld);
    push @d, $ld;
    return CORE::join "\n", (length($b) < 20000 ? 'small page' : 'huge page'),
        map { length($_) . ' ' . substr($_, -8) } @d;
}
--- response_body eval
CORE::join "\n", 'small page', ("302 Tides\x{e2}\x{80}\x{a6}") x 4
--- timeout: 20



=== TEST 24: a description that fits is shown whole, without an ellipsis
--- config eval: $::Location
--- request
GET /news/tide-gauge
--- response_body_like eval
qr{<meta name="description" content="The gauge at the pier head reads the water every ten seconds.">}



=== TEST 25: the meta line wraps between items, never inside one
--- config eval: $::Location
--- request
GET /news/tide-gauge
--- response_body_filters eval
sub {
    my $b = shift;
    return CORE::join "\n",
        $b =~ m!^(\.meta[ ,.\{][^\n]*)$!mg,
        map { s/>[^<]*</></gr } $b =~ m{(<span class="[a-z]+">.*?</span>)\n?(?=<span|</p>)}g;
}
--- response_body chomp
.meta{display:flex;flex-wrap:wrap;column-gap:1.2em;font:.9em Helvetica,Arial,sans-serif;color:#555}
.meta .published,.meta .updated,.meta .views{white-space:nowrap}
.meta a{color:#1a1a1a}
<span class="published"><time datetime="2025-11-04T09:30:00Z"></time></span>
<span class="updated"><time datetime="2025-11-05T16:45:00Z"></time></span>
<span class="author"><a href="/authors/ana-diaz" rel="author"></a><a href="https://people.example.org/tom" rel="author"></a></span>
<span class="views"></span>



=== TEST 26: authors the publishing API would refuse are not used either: author instead
--- init
my $n = 0;
NewsTest::article('refused-' . ++$n, title => 'Refused', author => 'Lin Park',
                  authors => $_)
    for '[{"name": "  "}]', '[{"name": "Eve", "url": 7}]', '{"name": "Eve"}',
        '["Eve"]', '[' . join(',', ('{"name": "Eve"}') x 101) . ']';
--- config eval: $::Location
--- request eval
[map { "GET /news/refused-$_" } 1 .. 5]
--- response_body_like eval
[(qr{<span class="author">By Lin Park</span>}) x 5]
--- error_log
news: the authors field is not a JSON array



=== TEST 27: <title> counts an escaped character as long as its escape, as html-validate does
--- init
NewsTest::article('apostrophes',
    title => "Council's plan for the harbour's east quay wins final vote");
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_site_name "The Post";
        news_views off;
        news_article news:article:$1;
    }
--- request
GET /news/apostrophes
--- response_body_like eval
qr{<title>Council&\#39;s plan for the harbour&\#39;s east quay wins final vote</title>}
