# The article page: every element a reader sees, the head, the headers,
# and escaping of hostile values in every field.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

no_shuffle();
no_long_string();

NewsTest::article('harbour-ferry',
    title        => 'Harbour ferry returns after the winter storms',
    author       => 'Mara Lindqvist',
    published_at => '2025-11-04T09:30:00Z',
    updated_at   => '1762252200',
    summary      => 'The island crossing runs again from Monday.',
    body         => "The ferry to the outer islands sails again.\n"
                    . "Crews spent six weeks on repairs.\n\n"
                    . "Timetables are posted at the quay.\n",
    image        => 'https://images.example.org/ferry.jpg',
    image_alt    => 'The ferry leaving the harbour at dawn',
    image_credit => 'Coastal Photo Desk',
    category     => 'Coastal Affairs',
);

run_tests();

__DATA__

=== TEST 1: the page shows every element, in reading order
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_site_name "The Loopback Gazette";
        news_article news:article:$1;
    }
--- request
GET /news/harbour-ferry
--- error_code: 200
--- response_body_like eval
qr{<header\ class="site"><a\ href="/">The\ Loopback\ Gazette</a></header>.*
<p\ class="category">Coastal\ Affairs</p>.*
<h1>Harbour\ ferry\ returns\ after\ the\ winter\ storms</h1>.*
Published\ On\ <time\ datetime="2025-11-04T09:30:00Z">Tue,\ 04\ Nov\ 2025</time>.*
<span\ class="author">By\ Mara\ Lindqvist</span>.*
<span\ class="views">1\ View</span>.*
<figure><img\ src="https://images\.example\.org/ferry\.jpg"\ alt="The\ ferry\ leaving\ the\ harbour\ at\ dawn"\ fetchpriority="high">\n
<figcaption>Disclaimer:\ Coastal\ Photo\ Desk</figcaption>\n</figure>.*
Share.*
<p>The\ ferry\ to\ the\ outer\ islands\ sails\ again\.\nCrews\ spent\ six\ weeks\ on\ repairs\.</p>\n
<p>Timetables\ are\ posted\ at\ the\ quay\.</p>}sx
--- no_error_log
[error]



=== TEST 2: the head has title, description and canonical link (server name and port)
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_site_name "The Loopback Gazette";
        news_article news:article:$1;
    }
--- request
GET /news/harbour-ferry?utm_source=feed
--- error_code: 200
--- response_body_like eval
qr{<html\ lang="en">.*<head>.*
<title>Harbour\ ferry\ returns\ after\ the\ winter\ storms\ \|\ The\ Loopback\ Gazette</title>.*
<meta\ name="description"\ content="The\ island\ crossing\ runs\ again\ from\ Monday\.">.*
<link\ rel="canonical"\ href="http://localhost:@{[main::server_port()]}/news/harbour-ferry">.*
</head>}sx



=== TEST 3: share links are plain links to the four networks
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request
GET /news/harbour-ferry
--- error_code: 200
--- response_body_like eval
qr{\Q<a href="https://twitter.com/intent/tweet?url=http%3A%2F%2Flocalhost%3A@{[main::server_port()]}%2Fnews%2Fharbour-ferry&amp;text=Harbour%20ferry%20returns%20after%20the%20winter%20storms"\E.*
\Q<a href="https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Flocalhost%3A@{[main::server_port()]}%2Fnews%2Fharbour-ferry"\E.*
\Q<a href="https://wa.me/?text=Harbour%20ferry%20returns%20after%20the%20winter%20storms%20http%3A%2F%2Flocalhost%3A@{[main::server_port()]}%2Fnews%2Fharbour-ferry"\E.*
\Q<a href="https://www.linkedin.com/sharing/share-offsite/?url=http%3A%2F%2Flocalhost%3A@{[main::server_port()]}%2Fnews%2Fharbour-ferry"\E}sx



=== TEST 4: the page runs no script: its one script element is JSON-LD data
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request
GET /news/harbour-ferry
--- error_code: 200
--- response_body_filters eval
sub { my $b = shift; $b =~ s{<script type="application/ld\+json">[^<]*</script>}{}; $b }
--- response_body_unlike: <script



=== TEST 5: headers: HTML in UTF-8, not stored by caches
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request
GET /news/harbour-ferry
--- error_code: 200
--- response_headers
Content-Type: text/html; charset=utf-8
Cache-Control: no-store



=== TEST 6: Content-Length is the length of the page sent
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- init
my ($status, $h, $body) = NewsTest::http_get('/news/harbour-ferry');
Test::More::is($status, 200, 'page served');
Test::More::is($h->{'content-length'}, length($body), 'Content-Length matches the body');
--- request
GET /news/harbour-ferry
--- error_code: 200



=== TEST 7: news_cache_control sets or removes Cache-Control
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_cache_control "public, max-age=60";
        news_article news:article:$1;
    }
    location ~ ^/plain/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_cache_control off;
        news_article news:article:$1;
    }
--- request eval
["GET /news/harbour-ferry", "GET /plain/harbour-ferry"]
--- response_headers eval
["Cache-Control: public, max-age=60", "!Cache-Control"]



=== TEST 8: optional elements are left out when their fields are empty
--- init
NewsTest::article('bare-notice', title => 'Library hours change');
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request
GET /news/bare-notice
--- error_code: 200
--- response_body_unlike: class="category"|<img|Disclaimer|Published On|class="author"|name="description"|<p>|<header|Updated|<time|og:image



=== TEST 9: hostile values are escaped in every field
--- init
my $x = q{<script>alert("x")</script>' onmouseover='y' &amp;};
NewsTest::article('hostile', map { $_ => "$_ $x" }
    qw(title author summary body image image_alt image_credit category));
NewsTest::redis('HSET', 'news:article:hostile', 'published_at', '<b>');
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_site_name "<Site & 'Co'>";
        news_article news:article:$1;
    }
--- request
GET /news/hostile
--- error_code: 200
--- response_body_like eval
qr{<title>title\ &lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt;&\#39;\x{e2}\x{80}\x{a6}</title>.*
<meta\ property="og:title"\ content="title\ &lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt;&\#39;\ onmouseover=&\#39;y&\#39;\ &amp;amp;">.*
content="summary\ &lt;script&gt;.*
<meta\ property="og:site_name"\ content="&lt;Site\ &amp;\ &\#39;Co&\#39;&gt;">.*
<header\ class="site"><a\ href="/">&lt;Site\ &amp;\ &\#39;Co&\#39;&gt;</a>.*
<p\ class="category">category\ &lt;script&gt;.*
<h1>title\ &lt;script&gt;.*
<span\ class="author">By\ author\ &lt;script&gt;.*
<img\ src="image\ &lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt;&\#39;\ onmouseover=&\#39;y&\#39;\ &amp;amp;"\ alt="image_alt\ &lt;script&gt;.*
<figcaption>Disclaimer:\ image_credit\ &lt;script&gt;.*
text=title%20%3Cscript%3E.*
<p>body\ &lt;script&gt;}sx



=== TEST 10: no hostile markup survives anywhere on the page
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_site_name "<Site & 'Co'>";
        news_article news:article:$1;
    }
--- request
GET /news/hostile
--- error_code: 200
--- response_body_filters eval
sub { my $b = shift; $b =~ s{<script type="application/ld\+json">.*?</script>}{}s; $b }
--- response_body_unlike: <script|<b>|onmouseover='|<Site



=== TEST 11: a 1 MiB body arrives whole
--- init
NewsTest::article('long-read', title => 'The long read',
                  body => ('x' x 1048575) . 'Z');
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request
GET /news/long-read
--- error_code: 200
--- response_body_like eval
qr{<p>(?:x{1024}){1023}x{1023}Z</p>}
--- timeout: 10



=== TEST 12: news_base_url sets the canonical and share URLs
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_base_url https://news.example.org;
        news_article news:article:$1;
    }
--- request
GET /news/harbour-ferry
--- error_code: 200
--- response_body_like eval
qr{<link\ rel="canonical"\ href="https://news\.example\.org/news/harbour-ferry">.*
\Q?u=https%3A%2F%2Fnews.example.org%2Fnews%2Fharbour-ferry"\E}sx



=== TEST 13: an "if" inside a news location still serves the article
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
        if ($arg_preview) {
            set $preview 1;
        }
    }
--- request eval
["GET /news/harbour-ferry?preview=1", "GET /news/harbour-ferry"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{<h1>Harbour ferry}, qr{<h1>Harbour ferry}]
--- no_error_log
exited on signal



=== TEST 14: without news_base_url: the server's name and port, not the Host
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
--- request eval
["GET /news/harbour-ferry", "GET http://evil.example/news/harbour-ferry",
 "GET /news/harbour-ferry HTTP/1.0"]
--- more_headers
Host: evil.example
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[map { qr{<link\ rel="canonical"\ href="http://localhost:@{[main::server_port()]}/news/harbour-ferry">.*
<meta\ property="og:url"\ content="http://localhost:@{[main::server_port()]}/news/harbour-ferry">}sx } 1 .. 3]



=== TEST 15: news_article_url: the canonical URL is base, path and slug
--- config
    news_base_url https://news.example.org;
    news_article_url /articles/;
    location ~ ^/anything/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article news:article:$1;
    }
    location ~ ^/other/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_article other:$1;
    }
--- request eval
["GET /anything/harbour-ferry?x=1", "GET /other/harbour-ferry"]
--- error_code eval
[200, 404]
--- response_body_like eval
[qr{<link\ rel="canonical"\ href="https://news\.example\.org/articles/harbour-ferry">.*
\Q?u=https%3A%2F%2Fnews.example.org%2Farticles%2Fharbour-ferry"\E}sx, qr{404}]



=== TEST 16: news_article_url must be a path
--- config
    news_article_url news/;
--- must_die
--- error_log
"news_article_url" directive must be a path starting with "/" in
