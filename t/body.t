# news_body_format: plain text paragraphs (default), Markdown without raw
# HTML or script links, or the editors' HTML as it is.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

no_shuffle();
no_long_string();

$ENV{TEST_NGINX_HTML_DIR} ||= html_dir();

NewsTest::article('styled', title => 'Styled', body => <<'_MD_');
# Tides

Some *emphasis*, a [link](https://example.org/a?b=1&c=2) and `code`.

<div onclick="x()">raw <b>html</b></div> <script>alert(1)</script>

[bad](javascript:alert(1)) [worse](JaVaScRiPt:alert(2)) [entity](&#106;avascript:alert(3))
![pixel](data:image/png;base64,AAAA) [mail](mailto:desk@example.org) [rel](/other)
![src=](/a) [y](javascript:alert(4)) ![ href=x](/b) [z](vbscript:x)

> quoted

- one
- two
_MD_

our $Config = <<'_EOC_';
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_views off;
        news_body_format markdown;
        news_template $TEST_NGINX_HTML_DIR/body.html;
        news_article news:article:$1;
    }

    location ~ ^/text/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_views off;
        news_template $TEST_NGINX_HTML_DIR/body.html;
        news_article news:article:$1;
    }

    location ~ ^/html/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_views off;
        news_body_format html;
        news_template $TEST_NGINX_HTML_DIR/body.html;
        news_article news:article:$1;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: markdown: emphasis, links, code, quotes and lists
--- user_files
>>> body.html
{{{body_html}}}
--- config eval: $::Config
--- request
GET /news/styled
--- response_body_like eval
qr{<h2>Tides</h2>\n
<p>Some\ <em>emphasis</em>,\ a\ <a\ href="https://example\.org/a\?b=1&amp;c=2">link</a>\ and\ <code>code</code>\.</p>.*
<blockquote>\n<p>quoted</p>\n</blockquote>\n
<ul>\n<li>one</li>\n<li>two</li>\n</ul>}sx



=== TEST 2: markdown: raw HTML is shown as text, never as markup
--- user_files
>>> body.html
{{{body_html}}}
--- config eval: $::Config
--- request
GET /news/styled
--- response_body_like: &lt;div onclick=&quot;x\(\)&quot;&gt;raw &lt;b&gt;html&lt;/b&gt;&lt;/div&gt; &lt;script&gt;alert\(1\)&lt;/script&gt;



=== TEST 3: markdown: only http(s), mailto and relative URLs survive, past attribute-like text
--- user_files
>>> body.html
{{{body_html}}}
--- config eval: $::Config
--- request
GET /news/styled
--- response_body_filters eval
sub { CORE::join "\n", $_[0] =~ /\s(?:href|src)="([^"]*)"/g }
--- response_body chomp
https://example.org/a?b=1&amp;c=2
#
#
#
#
mailto:desk@example.org
/other
/a
#
/b
#



=== TEST 4: the page keeps one h1 with a markdown body
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_REDIS_PORT;
        news_views off;
        news_body_format markdown;
        news_article news:article:$1;
    }
--- request
GET /news/styled
--- response_body_filters eval
sub { scalar(() = $_[0] =~ /<h1[ >]/g) }
--- response_body chomp
1



=== TEST 5: text (the default) escapes everything and makes paragraphs
--- user_files
>>> body.html
{{{body_html}}}
--- config eval: $::Config
--- request
GET /text/styled
--- response_body_like eval
qr{\A<p>\#\ Tides</p>\n<p>Some\ \*emphasis\*.*</p>\n<p>&lt;div\ onclick=&quot;x\(\)&quot;&gt;}sx



=== TEST 6: html is passed through as the editors wrote it
--- user_files
>>> body.html
{{{body_html}}}
--- config eval: $::Config
--- request
GET /html/styled
--- response_body_like: <div onclick="x\(\)">raw <b>html</b></div> <script>alert\(1\)</script>



=== TEST 7: control bytes are dropped in every format (Markdown's references too), make no paragraph, tab and line ends kept; no javascript: made of them
--- init
NewsTest::article('controls', title => 'C',
    body => "\x02 \x03\n\nA\x00B\x01*em\x1b*\x7f.\tTab\r\x04\n\n[x](java\x01script:alert(1)) <i>\x1f</i> &#27;!");
--- user_files
>>> body.html
{{{body_html}}}
--- config eval: $::Config
--- request eval
["GET /news/controls", "GET /text/controls", "GET /html/controls"]
--- response_body eval
["<p>AB<em>em</em>.\tTab</p>\n<p><a href=\"#\">x</a> &lt;i&gt;&lt;/i&gt; !</p>\n\n",
 "<p>AB*em*.\tTab</p>\n<p>[x](javascript:alert(1)) &lt;i&gt;&lt;/i&gt; &amp;#27;!</p>\n\n",
 " \n\nAB*em*.\tTab\r\n\n[x](javascript:alert(1)) <i></i> &#27;!\n"]
