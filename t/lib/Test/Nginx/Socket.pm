package Test::Nginx::Socket;

# A small, self-written, compatible SUBSET of Test::Nginx::Socket from
# openresty/test-nginx, written for this project so that our t/*.t files
# (which must also pass unchanged under upstream Test::Nginx) can run where
# upstream is not installed.  It is not a copy of upstream: it only mirrors
# the meaning of the parts listed below.  Upstream is the reference; see
# t/../TESTING.md.  Anything not listed is NOT supported.
#
# Functions exported (plus everything Test::Base exports: plan, blocks, is,
# ok, like, unlike, is_deeply, cmp_ok, diag, pass, fail, skip, ...):
#   run_tests repeat_each no_shuffle no_long_string log_level workers
#   master_on master_off worker_connections no_root_location timeout
#   check_accum_error_log html_dir server_root server_port env_to_nginx
#   add_block_preprocessor add_cleanup_handler bail_out is_str
#
# Sections:
#   config http_config main_config post_main_config server_name user_files
#   init (Perl code, run in package Test::Nginx::Util as upstream does:
#   Test::More functions must be called as main::is, Test::More::is, ...)
#   must_die log_level
#   request (string or eval ARRAY of strings) raw_request (string or ARRAY)
#   pipelined_requests more_headers timeout abort shutdown wait
#   raw_request_middle_delay
#   error_code error_code_like response_headers response_headers_like
#   response_body response_body_like response_body_unlike
#   response_body_filters error_log no_error_log
#   (and Test::Base's ONLY / SKIP / LAST)
#
# Environment variables:
#   TEST_NGINX_BINARY (nginx)       TEST_NGINX_SERVROOT (t/servroot)
#   TEST_NGINX_SERVER_PORT, TEST_NGINX_PORT (1984), TEST_NGINX_CLIENT_PORT
#   TEST_NGINX_LOAD_MODULES         TEST_NGINX_LOG_LEVEL (debug)
#   TEST_NGINX_TIMEOUT (3)          TEST_NGINX_SLEEP (0.015)
#   TEST_NGINX_MASTER_PROCESS (off) TEST_NGINX_WORKER_USER
#   TEST_NGINX_NO_SHUFFLE           TEST_NGINX_NO_CLEAN
#   TEST_NGINX_USE_VALGRIND         (output goes to <servroot>/logs/valgrind.log;
#                                    any valgrind error there fails a test)
#   Exported to %ENV: TEST_NGINX_SERVER_ROOT, TEST_NGINX_SERVER_PORT.
#   $TEST_NGINX_XXX in config, http_config, main_config, post_main_config
#   and user_files is replaced by $ENV{TEST_NGINX_XXX}; an unset one bails
#   out, as upstream does.
#
# Known differences from upstream: load_module lines go first in nginx.conf;
# temp paths (client_body_temp_path, ...) are set inside the server root;
# the stderr of a failed start is checked too by --- must_die + --- error_log
# (Debian's nginx logs config errors to stderr only); a start failure or an
# --- init error fails the block instead of bailing out; a request given
# as packets ([[...]]) is not supported.

use strict;
use warnings;

# -base (not -Base: no source filter) makes this package a Test::Base
# subclass, so `use Test::Nginx::Socket` exports Test::Base's functions too.
use Test::Base -base;

use POSIX qw(WNOHANG);
use Errno qw(EAGAIN EWOULDBLOCK EINTR);
use Time::HiRes ();
use IO::Socket::INET ();
use IO::Select ();
use File::Path qw(make_path remove_tree);
use File::Spec ();
use List::Util qw(shuffle);
use Scalar::Util qw(looks_like_number);

our @EXPORT = qw(
    run_tests repeat_each no_shuffle no_long_string log_level workers
    master_on master_off worker_connections no_root_location timeout
    check_accum_error_log html_dir server_root server_port env_to_nginx
    add_block_preprocessor add_cleanup_handler bail_out is_str
);

our $NginxBinary = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $ServerPort  = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
our $LogLevel    = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $Timeout     = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $Sleep       = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $Master      = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $Valgrind    = $ENV{TEST_NGINX_USE_VALGRIND};
our $NoShuffle   = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our ($RepeatEach, $Workers, $WorkerConnections) = (1, 1, 64);
our ($NoLongString, $NoRootLocation, $AccumErrLog);
our (@EnvToNginx, @Preprocessors, @CleanupHandlers);

our $ServRoot = File::Spec->rel2abs($ENV{TEST_NGINX_SERVROOT} || 't/servroot');
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;
my ($LogDir, $HtmlDir, $ConfDir) = map { "$ServRoot/$_" } qw(logs html conf);
my $ErrLog      = "$LogDir/error.log";
my $PidFile     = "$LogDir/nginx.pid";
my $StderrFile  = "$LogDir/nginx.stderr";
my $ValgrindLog = "$LogDir/valgrind.log";

my $NginxPid;        # nginx (master) we started, if running
my $ChildPid;        # set when nginx is our own child (valgrind mode)
my $NginxOwner;      # block that started it, for valgrind reports
my $ErrLogPos = 0;   # error.log offset already seen by the checks
my $PrevConfig;      # a block without --- config reuses the running nginx
my $NginxV;          # output of `nginx -V`

# What upstream's Test::Nginx::Util package offers to --- init code.
{
    package Test::Nginx::Util;
    Time::HiRes->import('sleep');
    no strict 'refs';
    *{$_} = \&{"Test::Nginx::Socket::$_"}
        for qw(html_dir server_root server_port bail_out is_str repeat_each
               timeout workers log_level);
    if (eval { require Test::LongString; 1 }) {
        *{$_} = \&{"Test::LongString::$_"}
            for qw(is_string is_string_nows like_string unlike_string
                   contains_string lacks_string);
    }
}

# ---- configuration functions (called before run_tests) --------------------

sub repeat_each (@)  { $RepeatEach = shift if @_; $RepeatEach }
sub workers (@)      { $Workers = shift if @_; $Workers }
sub worker_connections (@) { $WorkerConnections = shift if @_; $WorkerConnections }
sub log_level (@)    { $LogLevel = shift if @_; $LogLevel }
sub timeout (@)      { $Timeout = shift if @_; $Timeout }
sub server_port (@)  { $ServerPort = shift if @_; $ServerPort }
sub master_on ()     { $Master = 'on' }
sub master_off ()    { $Master = 'off' }
sub no_shuffle ()    { $NoShuffle = 1 }
sub no_long_string () { $NoLongString = 1 }
sub no_root_location () { $NoRootLocation = 1 }
sub check_accum_error_log () { $AccumErrLog = 1 }
sub html_dir ()      { $HtmlDir }
sub server_root ()   { $ServRoot }
sub env_to_nginx (@) { push @EnvToNginx, @_ }
sub add_block_preprocessor (&) { unshift @Preprocessors, shift }
sub add_cleanup_handler ($) { unshift @CleanupHandlers, shift }

sub client_port { $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort }

sub bail_out (@) {
    cleanup();
    Test::More::BAIL_OUT(join '', @_);
}

# String comparison as upstream: a qr// expectation means "like";
# Test::LongString gives readable diagnostics unless no_long_string().
sub is_str (@) {
    my ($got, $expected, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return Test::More::like($got, $expected, $desc) if ref $expected eq 'Regexp';
    return Test::More::is($got, $expected, $desc)
        if $NoLongString || !eval { require Test::LongString; 1 };
    return Test::LongString::is_string($got, $expected, $desc);
}

# "50ms", "2s" or a plain number of seconds.
sub parse_time {
    my $t = shift;
    return $t unless defined $t && $t =~ /^\s*([\d.]+)\s*(ms|s)?\s*$/;
    return ($2 // '') eq 'ms' ? $1 / 1000 : $1;
}

# ---- the main loop ---------------------------------------------------------

sub run_tests () {
    $ENV{TEST_NGINX_SERVER_PORT} //= $ServerPort;
    $NginxV = `$NginxBinary -V 2>&1`;
    bail_out("Cannot run \"$NginxBinary -V\" (set TEST_NGINX_BINARY): $NginxV")
        if $? != 0;

    my @blocks = blocks();
    @blocks = shuffle(@blocks) unless $NoShuffle;   # upstream shuffles too
    for my $block (@blocks) {
        $_->($block) for @Preprocessors;
        $block->set_value(name => "$0 " . $block->name);
        run_block($block);
    }
    cleanup();
}

sub run_block {
    my $block = shift;
    my $name = $block->name;
    local $LogLevel = $block->log_level || $LogLevel;
    my $config = $block->config;

    return run_must_die($block, expand_env($config // '', $name))
        if defined $block->must_die;

    if (defined $config) {
        $config = expand_env($config, $name);
        stop_nginx();
        setup_server_root();
        write_user_files($block);
        write_config($block, $config);
        $PrevConfig = $config;
        start_nginx($block) or return;
    } elsif (!defined $PrevConfig) {
        bail_out("$name - No '--- config' section specified and could not "
                 . "get previous one.");
    }

    if (my $init = $block->init) {
        # Upstream evaluates this in package Test::Nginx::Util, where
        # Test::More's functions are not visible: mirror that, so an init
        # that works here also works there.
        unless (eval "package Test::Nginx::Util;\n#line 1 \"$name --- init\"\n$init\n;1") {
            my $err = $@;
            $err .= "(upstream runs --- init in package Test::Nginx::Util: "
                    . "call main::$1 or Test::More::$1 instead)\n"
                if $err =~ /Undefined subroutine &Test::Nginx::Util::(\w+)/;
            Test::More::fail("$name - init failed: $err");
            return;
        }
    }

    $ErrLogPos = 0;
    for my $i (0 .. $RepeatEach - 1) {
        write_user_files($block) if $i > 0;
        run_requests($block, $i);
    }
}

# nginx must fail to start; runs the start RepeatEach times like upstream.
sub run_must_die {
    my ($block, $config) = @_;
    my $name = $block->name;
    my $expect = $block->must_die;
    local $Valgrind;    # ignored here, as upstream does

    stop_nginx();
    setup_server_root();
    write_user_files($block);
    write_config($block, $config);
    undef $PrevConfig;
    $ErrLogPos = 0;

    for my $i (0 .. $RepeatEach - 1) {
        my $status = run_nginx_cmd();
        my $stderr = slurp($StderrFile) // '';
        if ($status == -1) {
            Test::More::fail("$name - failed to execute the nginx command line");
        } elsif ($status & 128) {
            Test::More::fail("$name - nginx core dumped");
        } elsif (looks_like_number($expect)) {
            Test::More::is($status >> 8, $expect,
                           "$name - die with the expected exit code");
        } else {
            Test::More::isnt($status, 0, "$name - die as expected");
        }
        check_error_log($block, $i, [split /^/m, $stderr]);
        if ($status == 0) {
            warn "WARNING: $name - nginx must die but it does not; killing it\n";
            wait_for_nginx(0);
            stop_nginx();
        }
    }
}

# ---- server root, config, starting and stopping nginx -----------------------

sub setup_server_root {
    # Remove only what this runner creates below the server root.
    remove_tree($ConfDir, $HtmlDir, $LogDir, glob("$ServRoot/*_temp"),
                glob("$ServRoot/*_cache"));
    make_path($ServRoot, $ConfDir, $HtmlDir, $LogDir);
    -d $_ or bail_out("Failed to create directory $_") for $ConfDir, $HtmlDir, $LogDir;
    spew("$HtmlDir/index.html",
         '<html><head><title>It works!</title></head><body>It works!</body></html>');
}

sub expand_env {
    my ($text, $name) = @_;
    return $text unless defined $text;
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        $ENV{$1} // bail_out("$name - No environment $1 defined.\n")
    }ge;
    return $text;
}

# Upstream format: ">>> name [touch -t date]" lines, each followed by the
# file body; or (eval) an ARRAY of [name, body, date].
sub write_user_files {
    my $block = shift;
    my $name = $block->name;
    my $files = $block->user_files or return;
    my @list;
    if (ref $files eq 'ARRAY') {
        @list = map { [@$_] } @$files;
    } elsif (!ref $files) {
        for my $line (split /^/m, $files) {
            if ($line =~ />>> (\S+)(?:\s+(.+))?/) {
                push @list, [$1, '', $2];
            } elsif (@list) {
                $list[-1][1] .= $line;
            }
        }
    } else {
        bail_out("$name - wrong value type for --- user_files: " . ref $files);
    }
    for my $f (@list) {
        my ($fname, $body, $date) = @$f;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        make_path($1) if $path =~ m{(.*)/} && !-d $1;
        spew($path, expand_env($body // '', $name));
        if ($date) {
            local $ENV{TZ} = 'GMT';
            system('touch', '-t', $date, $path) == 0
                or bail_out("$name - failed to run touch -t $date $path");
        }
    }
}

sub write_config {
    my ($block, $config) = @_;
    my $name = $block->name;
    my ($main, $post, $http) = map { expand_env($block->$_ // '', $name) }
        qw(main_config post_main_config http_config);
    my $daemon = $Valgrind ? 'off' : 'on';
    my $server_name = $block->server_name // 'localhost';

    my $conf = join '', map { "load_module $_;\n" }
        grep { length } split /\s+/, $ENV{TEST_NGINX_LOAD_MODULES} // '';
    $conf .= <<"_EOC_";
worker_processes  $Workers;
daemon $daemon;
master_process $Master;
error_log $ErrLog $LogLevel;
pid       $PidFile;
_EOC_
    for my $v (qw(MOCKEAGAIN_VERBOSE MOCKEAGAIN MOCKEAGAIN_WRITE_TIMEOUT_PATTERN
                  LD_PRELOAD LD_LIBRARY_PATH ASAN_OPTIONS), @EnvToNginx) {
        $conf .= $v =~ /\s/ ? "env '$v';\n" : "env $v;\n";
    }

    # Keep nginx's temp files inside the server root (Debian's nginx would
    # use /var/lib/nginx), unless the test sets them or nginx lacks the module.
    my $temp = '';
    for my $t (qw(client_body proxy fastcgi uwsgi scgi)) {
        next if $http =~ /\b${t}_temp_path\b/
             || $NginxV =~ /--without-http_${t}_module/;
        $temp .= "    ${t}_temp_path $ServRoot/${t}_temp;\n";
    }

    my $root_loc = $NoRootLocation ? '' : <<"_EOC_";
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_
    $conf .= <<"_EOC_";

$main

http {
    access_log $LogDir/access.log;
    default_type text/plain;
    keepalive_timeout  68;
$temp
$http

    server {
        listen          $ServerPort;
        server_name     '$server_name';

        client_max_body_size 30M;

        # Begin test case config...
$config
        # End test case config.

$root_loc    }
}

$post

events {
    accept_mutex off;
    worker_connections  $WorkerConnections;
}
_EOC_
    if (my $user = $ENV{TEST_NGINX_WORKER_USER}) {
        $conf .= "user $user;\n";
    } elsif ($> == 0) {
        $conf .= "user root;\n";
    }
    spew("$ConfDir/nginx.conf", $conf);
}

sub nginx_cmd {
    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', 'conf/nginx.conf');
    return @cmd unless $Valgrind;
    my @opts = $Valgrind =~ /^\d+$/
        ? qw(--tool=memcheck --leak-check=full --show-possibly-lost=no)
        : split ' ', $Valgrind;
    my @supp = map { "--suppressions=$_" }
        grep { -f } qw(valgrind.suppress t/valgrind.suppress);
    return ('valgrind', '--num-callers=100', '-q', "--log-file=$ValgrindLog",
            @opts, '--gen-suppressions=all', @supp, @cmd);
}

# Runs nginx with stdout to /dev/null and stderr to $StderrFile.  Returns
# the pid when $background, else waits and returns the exit status.
sub run_nginx_cmd {
    my $background = shift;
    my @cmd = nginx_cmd();
    my $pid = fork;
    return -1 unless defined $pid;
    if ($pid == 0) {
        setpgrp(0, 0) if $background;
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', $StderrFile;
        exec { $cmd[0] } @cmd or print STDERR "exec $cmd[0] failed: $!\n";
        POSIX::_exit(127);
    }
    return $pid if $background;
    waitpid($pid, 0);
    return $? == (127 << 8) && (slurp($StderrFile) // '') =~ /^exec .* failed/ ? -1 : $?;
}

sub start_nginx {
    my $block = shift;
    my $name = $block->name;
    my $deadline = Time::HiRes::time() + 5;
    while (1) {
        if ($Valgrind) {
            $ChildPid = run_nginx_cmd(1);
            return 1 if wait_for_nginx(1, $block);
        } else {
            my $status = run_nginx_cmd();
            return 1 if $status == 0 && wait_for_nginx(0, $block);
        }
        my $err = slurp($StderrFile) // '';
        # The port may still be held by a previous nginx for a moment.
        if ($err =~ /Address already in use/ && Time::HiRes::time() < $deadline) {
            Time::HiRes::sleep(0.1);
            next;
        }
        stop_nginx();
        Test::More::fail("$name - failed to start nginx: $err");
        return 0;
    }
}

# Waits for the pid file and the listening socket, without connecting
# (a probe connection would show up in error.log).
sub wait_for_nginx {
    my ($child, $block) = @_;
    my $deadline = Time::HiRes::time() + ($Valgrind ? 60 : 5);
    while (Time::HiRes::time() < $deadline) {
        return 0 if $child && waitpid($ChildPid, WNOHANG) == $ChildPid;
        my $pid = slurp($PidFile);
        if ($pid && $pid =~ /(\d+)/ && port_listening($ServerPort)) {
            $NginxPid = $1;
            $NginxOwner = $block;
            if (my $err = slurp($StderrFile)) {
                warn $err if !$Valgrind;    # e.g. "nginx: [warn] ..."
            }
            return 1;
        }
        Time::HiRes::sleep(0.01);
    }
    return 0;
}

sub port_listening {
    my $port = sprintf '%04X', shift;
    my $seen_proc;
    for my $f ('/proc/net/tcp', '/proc/net/tcp6') {
        open my $fh, '<', $f or next;
        $seen_proc = 1;
        while (<$fh>) {
            return 1 if /^\s*\d+:\s+[0-9A-F]+:$port\s+[0-9A-F]+:[0-9A-F]+\s+0A\b/;
        }
    }
    return !$seen_proc;    # cannot tell without /proc: assume yes
}

sub alive {
    my $pid = shift;
    waitpid($pid, WNOHANG) if defined $ChildPid && $pid == $ChildPid;
    return 0 unless kill 0, $pid;
    # a daemon's zombie may linger when pid 1 does not reap it
    my $stat = slurp("/proc/$pid/stat") // '';
    return $stat !~ /^\d+ \(.*\) Z/s;
}

sub wait_gone {
    my ($pid, $secs) = @_;
    my $deadline = Time::HiRes::time() + $secs;
    while (alive($pid)) {
        return 0 if Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.02);
    }
    return 1;
}

sub stop_nginx {
    my $pid = $NginxPid // $ChildPid;
    if (!defined $pid && (slurp($PidFile) // '') =~ /(\d+)/) {
        # an nginx whose start we gave up on, or one left by an interrupted
        # run in this server root
        my $p = $1;
        $pid = $p if (slurp("/proc/$p/cmdline") // '') =~ /nginx|valgrind/;
    }
    if (defined $pid && alive($pid)) {
        kill 'QUIT', $pid;
        unless (wait_gone($pid, $Valgrind ? 30 : $Timeout)) {
            warn "WARNING: nginx $pid did not quit; killing it\n";
            kill 'TERM', $pid;
            unless (wait_gone($pid, 2)) {
                kill 'KILL', (defined $ChildPid && $pid == $ChildPid ? -$pid : $pid);
                wait_gone($pid, 2);
            }
        }
    }
    waitpid($ChildPid, 0) if defined $ChildPid;
    check_valgrind() if $Valgrind && $NginxOwner;
    undef $_ for $NginxPid, $ChildPid, $NginxOwner;
    unlink $PidFile;
}

# Valgrind -q prints only problems; any "==PID== <text>" line that is not a
# warning or an indented stack frame is reported as a failure of the block
# that started this nginx.
sub check_valgrind {
    my $log = slurp($ValgrindLog) // return;
    my @errs = grep { /^==\d+== (?!Warning:)\S/ } split /^/m, $log;
    return unless @errs;
    my @lines = split /^/m, $log;
    splice @lines, 200 if @lines > 200;
    Test::More::fail($NginxOwner->name . " - valgrind reported errors");
    Test::More::diag(join '', @lines);
}

sub cleanup {
    $_->() for @CleanupHandlers;
    @CleanupHandlers = ();
}

END {
    local $?;
    cleanup();
    stop_nginx() if $Valgrind || !$ENV{TEST_NGINX_NO_CLEAN};
}

# ---- building and sending requests ----------------------------------------

sub parse_more_headers {
    my $in = shift;
    my ($out, $chunked) = ('', 0);
    for my $h (split /\n+/, $in) {
        next if $h =~ /^\s*(?:#|$)/;
        my ($k, $v) = split /:\s*/, $h, 2;
        $v //= '';
        $chunked = 1 if lc $k eq 'transfer-encoding' && $v eq 'chunked';
        $out .= "$k: $v\r\n";
    }
    return ($out, $chunked);
}

# "METHOD [URI [VERSION]]" on the first line, the body after it.  Host and
# Connection are added unless given in more_headers; a body gets a
# Content-Length (and is trimmed, as upstream does) unless it is chunked
# or more_headers already has one.
sub build_request {
    my ($name, $req, $more, $conn) = @_;
    my ($hdrs, $chunked) = parse_more_headers($more);
    my ($first, $body) = ($req // '') =~ /\A([^\n]*\n?)(.*)\z/s;
    bail_out("$name - Request line should be non-empty") unless length $first;
    $first =~ /^\s*(\S+) *(?:(\S+) *)?(?:(\S+) *)?\s*$/
        or bail_out("$name - Request line is not valid. Should be "
                    . "'meth [url [version]]' but got \"$first\".");
    my ($meth, $uri, $ver) = ($1, $2 // '/', $3 // 'HTTP/1.1');
    my $len = '';
    if (!$chunked && $body ne '' && $hdrs !~ /(?:^|\n)Content-Length:/) {
        $body =~ s/^\s+|\s+$//g;
        $len = 'Content-Length: ' . length($body) . "\r\n";
    }
    my $auto = '';
    $auto .= "Host: localhost\r\n" unless $hdrs =~ /(?:^|\n)Host:/msi;
    $auto .= "Connection: $conn\r\n" unless $hdrs =~ /(?:^|\n)Connection/msi;
    return "$meth $uri $ver\r\n$auto$hdrs$len\r\n$body";
}

# Returns one entry per connection: an ARRAY of byte strings written in turn.
sub get_requests {
    my $block = shift;
    my $name = $block->name;
    my $raw = $block->raw_request;
    return ([ref $raw eq 'ARRAY' ? @$raw : $raw]) if defined $raw;

    my $more = $block->more_headers || '';
    my $more_for = sub {
        my $i = shift;
        return $more unless ref $more eq 'ARRAY';
        return $more->[$i] // bail_out("--- more_headers lacks data for the ${i}th request");
    };

    if (my $reqs = $block->pipelined_requests) {
        bail_out("$name - invalid entries in --- pipelined_requests")
            unless ref $reqs eq 'ARRAY';
        return ([join '', map {
            build_request($name, $reqs->[$_], $more_for->($_),
                          $_ == $#$reqs ? 'close' : 'keep-alive')
        } 0 .. $#$reqs]);
    }

    my $req = $block->request;
    if (!ref $req) {
        1 while defined $req && $req =~ s/^\s*\#[^\n]+\s+|^\s+//gs;  # comments
        return ([build_request($name, $req, $more_for->(0), 'close')]);
    }
    bail_out("$name - invalid --- request: MUST be string or array of requests")
        unless ref $req eq 'ARRAY';
    return map {
        bail_out("$name - requests split into packets are not supported by "
                 . "this runner") if ref $req->[$_];
        [build_request($name, $req->[$_], $more_for->($_), 'close')]
    } 0 .. $#$req;
}

# Writes the pieces and reads until the server closes the connection; the
# timeout applies between two I/O events, as upstream.
sub send_request {
    my ($pieces, $timeout, $block) = @_;
    my $name = $block->name;
    my $delay = parse_time($block->raw_request_middle_delay);
    local $SIG{PIPE} = 'IGNORE';

    my $sock;
    my $deadline = Time::HiRes::time() + ($Valgrind ? 30 : 5);
    until ($sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                         PeerPort => client_port(),
                                         Proto => 'tcp', Timeout => $timeout)) {
        if (Time::HiRes::time() > $deadline) {
            Test::More::fail("$name - Can't connect to 127.0.0.1:" . client_port() . ": $!");
            return undef;
        }
        Time::HiRes::sleep(0.05);
    }
    $sock->blocking(0);

    my @todo = @$pieces;
    my ($buf, $off, $resp) = (shift(@todo) // '', 0, '');
    my $rsel = IO::Select->new($sock);
    my $wsel = IO::Select->new($sock);
    while (1) {
        $! = 0;
        my ($r, $w) = IO::Select->select($rsel, $wsel->count ? $wsel : undef,
                                         undef, $timeout);
        if (!$r && !$w) {
            next if $! == EINTR;
            Test::More::fail("ERROR: client socket timed out - $name\n")
                unless defined $block->abort;
            last;
        }
        if ($w && @$w) {
            my $n = syswrite($sock, $buf, length($buf) - $off, $off);
            if (!defined $n) {
                $wsel->remove($sock) unless $! == EAGAIN || $! == EWOULDBLOCK;
            } elsif (($off += $n) >= length $buf) {
                if (@todo) {
                    ($buf, $off) = (shift @todo, 0);
                    Time::HiRes::sleep($delay) if $delay;
                } else {
                    $wsel->remove($sock);
                    if (defined(my $how = $block->shutdown)) {
                        shutdown($sock, $how =~ /^\s*$/ ? 1 : $how);
                    }
                }
            }
        }
        if ($r && @$r) {
            my $n = sysread($sock, my $chunk, 65536);
            if (!defined $n) {
                next if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
                warn "WARNING: $name - HTTP response read failure: $!\n";
                last;
            }
            last if $n == 0;
            $resp .= $chunk;
        }
    }
    close $sock;
    return $resp;
}

# ---- responses ---------------------------------------------------------------

# Parses one response off the front of $raw (same rules as HTTP::Response
# ->parse, used by upstream).  Returns ($res, $leftover); $res is undef on
# malformed chunked data.
sub parse_response {
    my ($name, $raw, $head_req) = @_;
    my %res = (raw_headers => $raw =~ /(.*?\r\n)\r\n/s ? $1 : '', headers => []);
    my ($status, $rest) = $raw =~ /\A(.*?)\n(.*)\z/s ? ($1, $2) : ($raw, '');
    $status =~ s/\r\z//;
    my $code = (split ' ', $status, 3)[1];
    $res{code} = defined $code && $code =~ /^\d+$/ ? $code : undef;
    my $h = $res{headers};
    while (1) {
        if ($rest =~ s/^([^\s:]+)[ \t]*: ?(.*)\n?//) {
            push @$h, [$1, $2];
        } elsif (@$h && $rest =~ s/^([ \t].*)\n?//) {
            $h->[-1][1] .= "\n$1";
        } else {
            $rest =~ s/^\r?\n//;
            last;
        }
        $h->[-1][1] =~ s/\r\z//;
    }
    $res{body} = $rest;
    return (\%res) if $res{code} && ($res{code} == 304 || $res{code} == 101);

    my $te = resp_header(\%res, 'Transfer-Encoding');
    my $len = resp_header(\%res, 'Content-Length');
    my $left;
    if (defined $te && $te eq 'chunked') {
        # "SIZE CRLF DATA CRLF" ... "0 CRLF CRLF"; no extensions or trailers
        my $body = '';
        while ($rest !~ /\G0[ \t]*\r\n\r\n/gc) {
            my $pos = $rest =~ /\G[ \t]*([0-9A-Fa-f]+)[ \t]*\r\n/gc ? pos $rest : undef;
            my $size = defined $pos ? hex $1 : 0;
            if (!defined $pos || length($rest) - $pos < $size + 2
                || substr($rest, $pos + $size, 2) ne "\r\n")
            {
                Test::More::fail("$name - invalid chunked body received: "
                                 . fmt_str(substr $rest, $pos // pos($rest) // 0));
                return;
            }
            $body .= substr $rest, $pos, $size;
            pos($rest) = $pos + $size + 2;
        }
        $left = $1 if $rest =~ /\G(.+)/gcs;
        $res{body} = $body;
    } elsif (defined $len && $len =~ /^\d+$/) {
        if (length $rest < $len) {
            warn "WARNING: $name - response body truncated: $len expected, "
                 . "but got " . length($rest) . "\n" unless $head_req;
        } elsif (length $rest > $len) {
            $res{body} = substr $rest, 0, $len;
            $left = substr $rest, $len;
        }
    }
    return (\%res, $left);
}

# Case-insensitive; repeated headers are joined with ", " (HTTP::Headers).
sub resp_header {
    my ($res, $key) = @_;
    return undef unless $res;
    (my $k = lc $key) =~ tr/_/-/;
    my @v = map { $_->[1] } grep { lc $_->[0] eq $k } @{ $res->{headers} };
    return @v ? join(', ', @v) : undef;
}

sub run_requests {
    my ($block, $rep) = @_;
    my $name = $block->name;
    my @conns = get_requests($block);
    my $timeout = parse_time($block->timeout) // $Timeout;
    my $pipelined = $block->pipelined_requests ? @{ $block->pipelined_requests } : 0;
    my $need_array = $pipelined ? 1 : @conns > 1;
    my $idx = 0;

    for my $c (0 .. $#conns) {
        my $head = join('', @{ $conns[$c] }) =~ /^\s*HEAD\s+/;
        my $raw = send_request($conns[$c], $timeout, $block) // '';
        my $n = $pipelined || 1;
        while ($n-- > 0) {
            my ($res, $left) = parse_response($name, $raw, $head);
            if (!$pipelined && defined $left && length $left) {
                (my $l = $left) =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/eg;
                warn "WARNING: $name - unexpected extra bytes after last chunk in response: \"$l\"\n";
            }
            $raw = $left // '';
            check_response($block, $res, $idx, $rep, $need_array);
            if ($n > 0 || $c < $#conns) {
                Time::HiRes::sleep($block->wait) if $block->wait;
                check_error_log($block, $rep);
            }
            $idx++;
        }
    }
    Time::HiRes::sleep($block->wait) if $block->wait;
    check_error_log($block, $rep);
}

# Expected values of a multi-request block must be arrays indexed by request.
sub indexed {
    my ($name, $val, $idx, $need_array) = @_;
    if (ref $val eq 'ARRAY') {
        return $val->[$idx] if $need_array || $idx == 0;
        bail_out("$name - SHOULD NOT HAPPEN: idx != 0 and don't need array.");
    }
    bail_out("$name - You asked for many requests, the expected results "
             . "should be arrays as well.") if $need_array;
    return $val;
}

sub subst_port {
    my $s = shift;
    return $s if !defined $s || ref $s;
    my $cp = client_port();
    $s =~ s/\$ServerPortForClient\b/$cp/g;
    $s =~ s/\$ServerPort\b/$ServerPort/g;
    return $s;
}

sub check_response {
    my ($block, $res, $idx, $rep, $need_array) = @_;
    my $name = $block->name;
    my $code = ($res && $res->{code}) || '';

    # status code: always checked, 200 by default
    if (defined(my $like = $block->error_code_like)) {
        my $pat = indexed($name, $like, $idx, $need_array);
        Test::More::like($code, qr/$pat/sm, "$name - status code ok");
    } elsif (defined(my $ec = $block->error_code)) {
        Test::More::is($code, indexed($name, $ec, $idx, $need_array),
                       "$name - status code ok");
    } else {
        Test::More::is($code, 200, "$name - status code ok");
    }

    # headers: "Name: value" exact, "!Name" absent; _like only without it
    if (defined(my $hs = $block->response_headers)) {
        for my $h (expected_headers(indexed($name, $hs, $idx, $need_array))) {
            my ($k, $v) = @$h;
            if (!defined $v) {
                Test::More::unlike($res ? $res->{raw_headers} : '', qr/^\s*\Q$k\E\s*:/ms,
                                   "$name - header $k not present in the raw headers");
                next;
            }
            Test::More::is(resp_header($res, $k) // '', subst_port($v),
                           "$name - header $k ok");
        }
    } elsif (defined(my $hl = $block->response_headers_like)) {
        for my $h (expected_headers(indexed($name, $hl, $idx, $need_array))) {
            my ($k, $v) = ($h->[0], $h->[1] // '');
            Test::More::like(resp_header($res, $k) // '', qr/^$v$/,
                             "$name - header $k like ok");
        }
    }

    my $body = $res ? $res->{body} : undef;
    $body = filter_body($block, $body, $idx) if defined $body;

    if (defined(my $rb = $block->response_body)) {
        my $exp = subst_port(indexed($name, $rb, $idx, $need_array));
        if (ref $exp) {
            Test::More::like($body, $exp,
                "$name - response_body - like (repeated req $rep, req $idx)");
        } else {
            is_str($body, $exp,
                "$name - response_body - response is expected (repeated req $rep, req $idx)");
        }
    } elsif (defined $block->response_body_like || defined $block->response_body_unlike) {
        # only _like is checked when both are given, as upstream
        my $type = defined $block->response_body_like ? 'like' : 'unlike';
        my $pat = subst_port(indexed($name, $block->${\"response_body_$type"},
                                     $idx, $need_array)) // '';
        my $summary = $body // '';
        $summary =~ s/^\s+|\s+$//g;
        $summary =~ s/\n/ /g;
        $summary =~ s/\s{2,}/ /g;
        my $cmp = $type eq 'like' ? \&Test::More::like : \&Test::More::unlike;
        $cmp->($body, qr/$pat/s,
               "$name - response_body_$type - response is expected ($summary)");
    }
}

# Lines of --- response_headers(_like): later duplicates win, order kept.
sub expected_headers {
    my $s = shift // '';
    my (@order, %val);
    for my $line (split /\n/, $s) {
        $line =~ s/^\s+|\s+$//g;
        next if $line eq '';
        my ($k, $v) = $line =~ s/^!\s*// ? ($line, undef) : split /\s*:\s*/, $line, 2;
        push @order, $k unless exists $val{$k};
        $val{$k} = $v;
    }
    return map { [$_, $val{$_}] } @order;
}

# --- response_body_filters: names (md5_hex sha1_hex uc lc ucfirst lcfirst
# length) or code refs, a list of them, or one list per request.
sub filter_body {
    my ($block, $body, $idx) = @_;
    my $name = $block->name;
    my $filters = $block->response_body_filters // return $body;
    if (!ref $filters) {
        $filters =~ s/^\s+|\s+$//g;
        $filters = [split /\s+/, $filters];
    }
    $filters = [$filters] unless ref $filters eq 'ARRAY';
    if (ref $filters->[0] eq 'ARRAY') {
        $filters = $filters->[$idx] // bail_out("$name - the ---response_body_filters "
            . "two-dimensional array unmatch the specified request($idx)");
    }
    my %builtin = (
        md5_hex  => sub { require Digest::MD5; Digest::MD5::md5_hex($_[0]) },
        sha1_hex => sub { require Digest::SHA; Digest::SHA::sha1_hex($_[0]) },
        uc => sub { uc $_[0] }, lc => sub { lc $_[0] },
        ucfirst => sub { ucfirst $_[0] }, lcfirst => sub { lcfirst $_[0] },
        length => sub { length $_[0] },
    );
    for my $f (@$filters) {
        my $code = ref $f eq 'CODE' ? $f : $builtin{$f // ''}
            or bail_out("$name - unknown filter, \"$f\", specified in the "
                        . "--- response_body_filters section");
        $body = $code->($body);
    }
    return $body;
}

# ---- error.log checks ---------------------------------------------------------

# New lines of error.log since the previous check (all of them with
# check_accum_error_log()), plus $extra (nginx's stderr for must_die).
sub error_log_lines {
    my $extra = shift;
    Time::HiRes::sleep($Sleep * 3);   # let log-phase output reach the file
    my @lines;
    if (open my $fh, '<', $ErrLog) {
        seek $fh, $ErrLogPos, 0 if !$AccumErrLog && $ErrLogPos > 0;
        @lines = <$fh>;
        $ErrLogPos = tell $fh unless $AccumErrLog;
        close $fh;
    }
    push @lines, @{ $extra || [] };
    return \@lines;
}

sub value_contains {
    my ($v, $s) = @_;
    return grep { value_contains($_, $s) } @$v if ref $v eq 'ARRAY';
    return index("$v", $s) >= 0;
}

sub pattern_list {
    my $p = shift;
    if (!ref $p) { chomp $p; return [split /\n+/, $p] }
    return ref $p eq 'Regexp' ? [$p] : [@$p];
}

sub log_match {
    my ($line, $pat) = @_;
    return (ref $pat && $line =~ $pat) || $line =~ /\Q$pat\E/;
}

sub fmt_str {
    my $s = shift;
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

# Strings match as substrings of a line, qr// as regexes; each --- error_log
# pattern passes once, each --- no_error_log hit fails (as upstream).
sub check_error_log {
    my ($block, $rep, $extra) = @_;
    my $name = $block->name;
    my $lines = error_log_lines($extra);
    my %mentioned;

    if (defined(my $pats = $block->error_log)) {
        $mentioned{$_} ||= value_contains($pats, "[$_") for qw(alert crit emerg);
        $pats = pattern_list($pats);
        for my $line (@$lines) {
            for my $p (@$pats) {
                next unless defined $p && log_match($line, $p);
                Test::More::pass("$name - pattern \"$p\" matches a line in error.log (req $rep)");
                undef $p;
            }
        }
        Test::More::fail("$name - pattern \"$_\" should match a line in error.log (req $rep)")
            for grep { defined } @$pats;
    }

    if (defined(my $pats = $block->no_error_log)) {
        $mentioned{$_} ||= value_contains($pats, "[$_") for qw(alert crit emerg);
        $pats = pattern_list($pats);
        my %found;
        for my $line (@$lines) {
            for my $p (@$pats) {
                next unless log_match($line, $p);
                $found{$p} = 1;
                Test::More::fail("$name - pattern \"" . fmt_str($p) . "\" should not match "
                    . "any line in error.log but matches line \"" . fmt_str($line)
                    . "\" (req $rep)");
            }
        }
        Test::More::pass("$name - pattern \"" . fmt_str($_) . "\" does not match a line "
                         . "in error.log (req $rep)")
            for grep { !$found{$_} } @$pats;
    }

    for my $line (@$lines) {
        for my $lvl (qw(alert crit emerg)) {
            warn "WARNING: $name - " . fmt_str($line) . "\n"
                if !$mentioned{$lvl} && $line =~ /\[$lvl\]/;
        }
        if ($line =~ /\bAssertion .*?failed\b/) {
            chomp(my $l = $line);
            Test::More::fail("$name - $l\n");
        }
    }
}

# ---- small file helpers ---------------------------------------------------------

sub slurp {
    my $file = shift;
    open my $fh, '<', $file or return undef;
    binmode $fh;
    local $/;
    my $data = <$fh>;
    return $data;
}

sub spew {
    my ($file, $data) = @_;
    open my $fh, '>', $file or bail_out("Can't open $file for writing: $!");
    binmode $fh;
    print $fh $data;
    close $fh or bail_out("Can't write $file: $!");
}

1;
