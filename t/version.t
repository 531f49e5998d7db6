# The module's version, kept in the file VERSION alone: the notice nginx
# logs once per start and reload, and news_build_info in the metrics.
# Both must show exactly what VERSION holds.  A master and two workers:
# the notice is the master's, not each worker's.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;

master_on();
workers(2);
no_shuffle();
no_long_string();

# the suites run from the repository's top
open my $fh, '<', 'VERSION' or die "VERSION: $!";
our $Version = <$fh> // '';
close $fh;
chomp $Version;
die "VERSION is empty\n" unless length $Version;

# the dynamic module carries its hiredis; built into nginx, nginx's
our $BuiltIn = $ENV{TEST_NGINX_LOAD_MODULES} ? ' built in' : '';

our $Notice = qr/\[notice\] (\d+)#\d+: ngx_http_news_module \Q$Version\E/
              . qr/ \(hiredis \d+\.\d+\.\d+\Q$BuiltIn\E, /
              . qr/jansson \d+\.\d+(?:\.\d+)?, md4c\)$/;

# notices($mark): the notice lines logged after $mark
sub ::notices {
    my ($mark) = @_;
    return grep { $_ =~ $::Notice } NewsTest::log_since($mark);
}

run_tests();

__DATA__

=== TEST 1: news_build_info comes first and shows the version in VERSION
--- http_config
    news_metrics_zone news 64k;
--- config
    location = /metrics {
        news_metrics;
    }
--- request
GET /metrics
--- response_body_like eval
qr/\A# HELP news_build_info [^\n]+\n# TYPE news_build_info gauge\n/
. qr/news_build_info\{version="\Q$::Version\E"\} 1\n# HELP news_pages_total /
--- no_error_log
[error]



=== TEST 2: the version is logged at notice once at start, and once more by the master at a reload
--- log_level: notice
--- config
    location = /t {
        return 200 "ok\n";
    }
--- init
my @start = ::notices(0);
Test::More::is(scalar(@start), 1, 'one notice at start, none from the workers')
    or Test::More::diag(join '', NewsTest::log_since(0));
my $master = NewsTest::master_pid();
my %old = map { $_ => 1 } NewsTest::worker_pids();
my $mark = NewsTest::log_mark();
kill 'HUP', $master;
my (@reload, @new);
for (1 .. 750) {          # up to 15 s: a reload on a busy machine
    @reload = ::notices($mark);
    @new = grep { !$old{$_} } NewsTest::worker_pids();
    last if @reload && @new == 2;
    Time::HiRes::sleep(0.02);
}
Test::More::is(scalar(@new), 2, 'two new workers');
Test::More::is(scalar(@reload), 1, 'one notice at the reload, none from them');
Test::More::is(($reload[0] // '') =~ $::Notice ? $1 : undef, $master,
               'logged by the master');
--- request
GET /t
--- response_body
ok
--- no_error_log
[error]



=== TEST 3: nginx -t does not log it (Debian's nginx.service runs nginx -t before each start)
--- log_level: notice
--- config
    location = /t {
        return 200 "ok\n";
    }
--- init
my $root = $ENV{TEST_NGINX_SERVER_ROOT} || 't/servroot';
my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
Test::More::is(scalar(::notices(0)), 1, 'the notice of the start');
my $mark = NewsTest::log_mark();
my $out = `$nginx -t -p $root/ -c conf/nginx.conf 2>&1`;
Test::More::is($? >> 8, 0, 'nginx -t passes') or Test::More::diag($out);
Test::More::is(scalar(::notices($mark)), 0, 'no notice from nginx -t');
--- request
GET /t
--- response_body
ok
--- no_error_log
[error]
