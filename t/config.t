# Configuration mistakes are caught by nginx -t (and so at start and on
# reload), with nginx-style messages.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;
use File::Temp ();

# broken_template($text): nginx -t of a location whose news_template is a
# file holding $text; returns what nginx printed, with the file's path
# replaced by "TPL" so messages can be compared.
sub broken_template {
    my ($text) = @_;
    my $dir = File::Temp::tempdir(CLEANUP => 1);
    open my $fh, '>', "$dir/page.html" or die "$dir/page.html: $!";
    print $fh $text;
    close $fh;
    my ($rc, $out) = NewsTest::nginx_t(<<"_EOC_");
    server {
        location /news/ {
            news_template $dir/page.html;
            news_article news:article:\$uri;
        }
    }
_EOC_
    $out =~ s{\Q$dir/page.html\E}{TPL}g;
    return ($rc, $out);
}

# the line of nginx_t's configuration file that holds the $n-th line of
# its http block: one load_module line per module comes first, and none
# when the module is compiled in (--add-module)
sub conf_line {
    my ($n) = @_;
    my @modules = split ' ', $ENV{TEST_NGINX_LOAD_MODULES} || '';
    return @modules + 4 + $n;
}

no_shuffle();

our $Config = <<'_EOC_';
    location = /t {
        return 200 "checked\n";
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: news_article twice in one location is a duplicate
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location /news/ {
            news_article news:article:a;
            news_article news:article:b;
        }
    }
_EOC_
my $line = main::conf_line(4);
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/\[emerg\] \d+#\d+: "news_article" directive is duplicate in \S+nginx.conf:$line\n/,
                 'message names the directive and line');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 2: news_article is allowed in locations only
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        news_article news:article:a;
    }
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/"news_article" directive is not allowed here/,
                 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 3: a malformed Redis address is rejected
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_pass 127.0.0.1:99999;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/invalid port in "127\.0\.0\.1:99999"/, 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 4: an unresolvable Redis host is rejected at configuration time
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location /news/ {
            news_redis_pass no-such-host.invalid:6379;
            news_article news:article:a;
        }
    }
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/host not found in news redis address "no-such-host\.invalid:6379"/,
                 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 5: news_redis_db must be a number
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_db first;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/"news_redis_db" directive invalid number/,
                 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 6: news_views takes on or off
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_views sometimes;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/invalid value "sometimes" in "news_views" directive, it must be "on" or "off"/,
                 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 7: news_redis_timeout must be a time
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_timeout soon;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/"news_redis_timeout" directive invalid value/,
                 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 8: a key with an unknown variable is rejected
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location /news/ {
            news_article news:article:$no_such_variable;
        }
    }
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/unknown "no_such_variable" variable/, 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 9: a repeated directive is a duplicate
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_pass 127.0.0.1:6379;
    news_redis_pass 127.0.0.1:6380;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/"news_redis_pass" directive is duplicate/,
                 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 10: every directive at its documented level passes nginx -t
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_pass 127.0.0.1:6379;
    news_redis_timeout 2s;
    news_views on;
    news_site_name "Config Times";
    news_cache_control "no-cache";
    news_base_url https://$host;
    news_date_format "%Y-%m-%d";
    news_format html;
    news_body_format markdown;
    server {
        news_redis_db 2;
        news_views_skip $arg_preview;
        location /news/ {
            news_redis_password secret;
            news_article news:article:$uri;
        }
        location /unix/ {
            news_redis_pass unix:/run/redis/redis.sock;
            news_article news:article:$uri;
        }
    }
_EOC_
Test::More::is($rc, 0, 'nginx -t succeeds') or Test::More::diag($out);
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 11: news_redis_timeout must be positive
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_timeout 0;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/"news_redis_timeout" directive must be greater than zero/,
                 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 12: a template with an unclosed section fails nginx -t at file:line
--- init
my ($rc, $out) = main::broken_template("<p>\n{{#author}}by {{author}}\n");
my $line = main::conf_line(3);
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/\[emerg\] .*TPL:2: section "author" is not closed in \S+nginx\.conf:$line\n/,
                 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 13: a mismatched section end is reported with both lines
--- init
my ($rc, $out) = main::broken_template("{{#author}}\n{{#title}}\n{{/author}}\n");
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/TPL:3: "\{\{\/author\}\}" closes section "title" opened on line 2/,
                 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 14: unknown tag syntax is an error; a name the page does not know is a hash field's
--- init
my ($rc, $out) = main::broken_template("{{headline}}\n{{#Sub-Head}}{{/Sub-Head}}{{headline}}");
Test::More::is($rc, 0, 'a hash field by name passes nginx -t') or Test::More::diag($out);
Test::More::is(join('|', $out =~ /\[info\] .*(TPL:\d+: "[^"]+" is not a name of the page: the hash field of that name)/g),
               'TPL:1: "headline" is not a name of the page: the hash field of that name|'
               . 'TPL:2: "Sub-Head" is not a name of the page: the hash field of that name',
               'each said once, at info, with its line, so a typo shows');
($rc, $out) = main::broken_template("{{head line}}");
Test::More::like($out, qr/TPL:1: invalid tag "\{\{head line\}\}"/,
                 'not a name');
($rc, $out) = main::broken_template("ok\n{{> partial}}");
Test::More::like($out, qr/TPL:2: invalid tag "\{\{> partial\}\}"/,
                 'unknown syntax');
($rc, $out) = main::broken_template("{{title");
Test::More::like($out, qr/TPL:1: unterminated tag/, 'unterminated');
($rc, $out) = main::broken_template("{{/title}}");
Test::More::like($out, qr/TPL:1: "\{\{\/title\}\}" closes no section/,
                 'stray end');
($rc, $out) = main::broken_template("{{#tags}}\n{{#title}}{{#tags}}x{{/tags}}{{/title}}\n{{/tags}}");
Test::More::like($out, qr/TPL:2: "\{\{#tags\}\}" inside the "\{\{#tags\}\}" opened on line 1/,
                 'tags in tags: N^depth renders');
($rc, $out) = main::broken_template("{{.}}");
Test::More::like($out, qr/TPL:1: "\{\{\.\}\}" is allowed only as a value inside a section/,
                 'dot outside a section');
($rc, $out) = main::broken_template("{{title|html}}");
Test::More::like($out, qr/TPL:1: invalid tag "\{\{title\|html\}\}": the one filter is "\|json"/,
                 'a filter other than json');
($rc, $out) = main::broken_template("\n{{#title|json}}x{{/title}}");
Test::More::like($out, qr/TPL:2: invalid tag "\{\{#title\|json\}\}": "\|json" is allowed only in "\{\{name\|json\}\}"/,
                 'json form of a section');
($rc, $out) = main::broken_template("{{{title|json}}}");
Test::More::like($out, qr/TPL:1: invalid tag "\{\{title\|json\}\}": "\|json" is allowed only in "\{\{name\|json\}\}"/,
                 'json form in three braces');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 15: an unreadable template file fails nginx -t
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_template /nonexistent/news/page.html;
_EOC_
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr{open\(\) "/nonexistent/news/page\.html" failed \(2: No such file or directory\)},
                 'message');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 16: news_format and news_body_format take their documented values
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_format xml;
_EOC_
my $line = main::conf_line(1);
Test::More::like($out, qr/\[emerg\] \d+#\d+: invalid value "xml" in \S+nginx\.conf:$line\n/,
                 'news_format');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_body_format rst;
_EOC_
Test::More::like($out, qr/\[emerg\] \d+#\d+: invalid value "rst" in \S+nginx\.conf:$line\n/,
                 'news_body_format');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 17: sections nested deeper than 32 fail nginx -t, at the line of the 33rd
--- init
my $deep = join '', map { "{{#title}}\n" } 1 .. 33;
$deep .= join '', map { "{{/title}}\n" } 1 .. 33;
my ($rc, $out) = main::broken_template($deep);
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/\[emerg\] \d+#\d+: TPL:33: sections nested deeper than 32 in \S+nginx\.conf:\d+\n/,
                 'message names the template line');
($rc, $out) = main::broken_template(substr($deep, 0, 32 * 11)
                                    . join '', map { "{{/title}}\n" } 1 .. 32);
Test::More::is($rc, 0, '32 levels are allowed') or Test::More::diag($out);
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 18: an empty article key fails nginx -t
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location /news/ {
            news_article "";
        }
    }
_EOC_
my $line = main::conf_line(3);
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/\[emerg\] \d+#\d+: empty article key in \S+nginx\.conf:$line\n/,
                 'message and line');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 19: a news_template that is a directory fails nginx -t at its line
--- init
my $dir = File::Temp::tempdir(CLEANUP => 1);
my ($rc, $out) = NewsTest::nginx_t(<<"_EOC_");
    server {
        location /news/ {
            news_template $dir;
            news_article news:article:\$uri;
        }
    }
_EOC_
my $line = main::conf_line(3);
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/\[emerg\] \d+#\d+: "\Q$dir\E" is not a regular file in \S+nginx\.conf:$line\n/,
                 'message and line');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 20: a news_views_unique window longer than a day fails nginx -t
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_views_unique 300000000y;
_EOC_
my $line = main::conf_line(1);
Test::More::isnt($rc, 0, 'nginx -t fails');
Test::More::like($out, qr/\[emerg\] \d+#\d+: window "300000000y" is longer than a day, the longest a visitor is recognised in \S+nginx\.conf:$line\n/,
                 'message and line');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_views_unique 1d;
_EOC_
Test::More::is($rc, 0, 'a day is allowed') or Test::More::diag($out);
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 21: news_redis_cluster: its seeds checked, one Redis or a Cluster per level
--- init
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_cluster;
_EOC_
Test::More::isnt($rc, 0, 'no seed: nginx -t fails');
Test::More::like($out, qr/invalid number of arguments in "news_redis_cluster" directive/,
                 'no seed: message');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_cluster 127.0.0.1:7001 127.0.0.1:99999;
_EOC_
Test::More::isnt($rc, 0, 'a bad seed: nginx -t fails');
Test::More::like($out, qr/invalid port in "127\.0\.0\.1:99999"/, 'a bad seed: message');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_cluster unix:/run/redis.sock;
_EOC_
Test::More::isnt($rc, 0, 'a unix socket: nginx -t fails');
Test::More::like($out, qr/a Redis Cluster node is reached over TCP, not "unix:\/run\/redis\.sock"/,
                 'a unix socket: message');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_pass 127.0.0.1:6379;
    news_redis_cluster 127.0.0.1:7001;
_EOC_
my $line = main::conf_line(2);
Test::More::isnt($rc, 0, 'both: nginx -t fails');
Test::More::like($out, qr/"news_redis_cluster" directive cannot be used with "news_redis_pass" in \S+nginx\.conf:$line\n/,
                 'both: message and line');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_cluster 127.0.0.1:7001;
    news_redis_cluster 127.0.0.1:7002;
_EOC_
Test::More::like($out, qr/"news_redis_cluster" directive is duplicate/, 'twice: duplicate');
($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    news_redis_cluster 127.0.0.1:7001 127.0.0.1:7002;
    server {
        location /news/ {
            news_article news:article:$uri;
            news_views_unique 1h;
        }
        location /local/ {
            news_redis_pass 127.0.0.1:6379;
            news_article news:article:$uri;
        }
    }
_EOC_
Test::More::is($rc, 0, 'a Cluster inherited, and one Redis in another location')
    or Test::More::diag($out);
--- config eval: $::Config
--- request
GET /t
--- response_body
checked



=== TEST 22: nginx -t refuses in a Cluster what one step per hash slot cannot do
--- init
my %refused = (
    "news_article news:article:\$uri;\n            news_redis_db 2;" => qr/"news_redis_db" cannot be used with "news_redis_cluster": a Redis Cluster has database 0 only/,
);
for my $d (sort keys %refused) {
    my ($rc, $out) = NewsTest::nginx_t(<<"_EOC_");
    server {
        location /news/ {
            news_redis_cluster 127.0.0.1:7001;
            $d
        }
    }
_EOC_
    Test::More::isnt($rc, 0, "$d: nginx -t fails");
    Test::More::like($out, $refused{$d}, "$d: message");
}
my ($rc, $out) = NewsTest::nginx_t(<<'_EOC_');
    server {
        location /news/ {
            news_redis_cluster 127.0.0.1:7001;
            news_article "{news}:article:$uri";
        }
        location /tagged/ {
            news_redis_cluster 127.0.0.1:7001;
            news_article "news:article:{$uri}";
        }
        location /api/ {
            news_redis_cluster 127.0.0.1:7001;
            news_publish $arg_slug;
        }
        location /latest {
            news_redis_cluster 127.0.0.1:7001;
            news_list latest;
        }
        location /stale/ {
            news_redis_cluster 127.0.0.1:7001;
            news_article news:article:$uri;
            news_stale on;
        }
    }
_EOC_
Test::More::is($rc, 0, 'a fixed hash tag is allowed, and news_publish, news_list, news_stale') or Test::More::diag($out);
my @warned = $out =~ /\[warn\] \d+#\d+: "news_article" "([^"]+)" has a fixed hash tag: in a Redis Cluster every article is in one hash slot, on one node/g;
Test::More::is("@warned", '{news}:article:$uri', 'the fixed tag is warned of, a tag of the slug is not');
--- config eval: $::Config
--- request
GET /t
--- response_body
checked
