package NewsTest;

# Helpers for the news module's Test::Nginx suites: talk to Redis, run
# private redis-servers for tests that stop or reconfigure one, and send
# many HTTP requests at once.  Kept apart from t/lib, which holds only the
# offline Test::Nginx runner, so upstream Test::Nginx sees the same files.

use strict;
use warnings;

use IO::Socket::INET;
use IO::Select;
use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes qw(sleep time);

$ENV{TEST_NGINX_REDIS_PORT} ||= 6379;

my @started;

# redis('HSET', $key, field => $value, ...): one command on the suite's
# Redis, arguments binary-safe and of any size; the reply as redis-cli
# --raw would print it (array elements one per line, nil as '').
sub redis {
    return redis_at($ENV{TEST_NGINX_REDIS_PORT}, @_);
}

# redis_on($server, ...): the same on a private server from start_redis,
# with its password, and in database $server->{db} if that is set.
sub redis_on {
    my ($server, @args) = @_;
    my $s = _redis_connect($server->{port});
    _redis_call($s, 'AUTH', $server->{password})
        if defined $server->{password};
    _redis_call($s, 'SELECT', $server->{db}) if $server->{db};
    return _redis_call($s, @args);
}

sub redis_at {
    my ($port, @args) = @_;
    return _redis_call(_redis_connect($port), @args);
}

sub _redis_connect {
    my ($port) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                  Timeout => 10)
        or die "connect to redis on $port: $!";
    return $s;
}

sub _redis_call {
    my ($s, @args) = @_;
    my $cmd = '*' . @args . "\r\n";
    $cmd .= '$' . length($_) . "\r\n$_\r\n" for @args;
    print $s $cmd;
    return _redis_reply($s);
}

sub _redis_reply {
    my ($s) = @_;
    my $line = <$s>;
    die "redis closed the connection" unless defined $line;
    $line =~ s/\r\n\z//;
    my ($type, $rest) = (substr($line, 0, 1), substr($line, 1));
    return $rest if $type eq '+' || $type eq ':' || $type eq '-';
    if ($type eq '$') {
        return '' if $rest < 0;
        my $buf = '';
        read($s, $buf, $rest + 2 - length $buf, length $buf)
            while length $buf < $rest + 2;
        return substr($buf, 0, $rest);
    }
    if ($type eq '*') {
        return '' if $rest < 0;
        return join "\n", map { _redis_reply($s) } 1 .. $rest;
    }
    die "unexpected reply from redis: $line";
}

# article($slug, field => value, ...): a fresh hash news:article:$slug
sub article {
    my ($slug, %fields) = @_;
    my $key = "news:article:$slug";
    redis('DEL', $key);
    redis('HSET', $key, %fields) if %fields;
    return $key;
}

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1)
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# A private redis-server on loopback, no persistence; extra arguments are
# passed as config options, e.g. start_redis('--requirepass', 's3cret').
sub start_redis {
    my (@opts) = @_;
    my $dir = tempdir('news-redis-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $port = free_port();
    # options may be flags without a value: no hash of them
    my ($password) = map { $opts[$_ + 1] }
                     grep { $opts[$_] eq '--requirepass' } 0 .. $#opts;
    my $self = { port => $port, dir => $dir, sock => "$dir/redis.sock",
                 opts => [@opts], password => $password };
    _spawn($self);
    push @started, $self;
    return $self;
}

# _spawn($self, @extra): redis-server with the server's options and
# @extra, then wait until it answers PING with one of @ok.
sub _spawn {
    my ($self, @extra) = @_;
    my $ok = $self->{ready} || qr/^(\+PONG|-NOAUTH)/;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>>', "$self->{dir}/redis.log";
        open STDERR, '>&', \*STDOUT;
        { exec 'redis-server', '--port', $self->{port},
             '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
             '--dir', $self->{dir}, '--unixsocket', $self->{sock},
             '--unixsocketperm', '700', @{ $self->{opts} }, @extra };
        POSIX::_exit(127);    # no END blocks in the child
    }
    $self->{pid} = $pid;
    for (1 .. 250) {
        return $self if _ping($self->{port}, $ok);
        sleep 0.02;
    }
    die "redis-server on port $self->{port} did not start";
}

sub _ping {
    my ($port, $ok) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                  Timeout => 1) or return 0;
    print $s "PING\r\n";
    my $line = <$s>;
    return defined $line && $line =~ $ok;
}

# SIGKILL: Redis gets no chance to say goodbye to its clients.
sub kill_redis {
    my ($self) = @_;
    return unless $self->{pid};
    kill 'KILL', $self->{pid};
    waitpid $self->{pid}, 0;
    delete $self->{pid};
    unlink $self->{sock} if $self->{sock};
}

# The same port and socket again, as an operator's restart would.
sub restart_redis {
    my ($self) = @_;
    kill_redis($self);
    _spawn($self);
}

END {
    local $?;    # waitpid must not become the test's exit status
    kill_redis($_) for @started;
}

# A stand-in Redis that is slow to set a connection up: it records every
# byte it receives and answers the first command, after $hold seconds,
# with $error; then it drops the connection.  Shows what nginx sends while
# a connection is still being set up.  Returns { port, log }.
sub start_slow_setup_redis {
    my ($hold, $error) = @_;
    my $dir = tempdir('news-fake-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $listen = IO::Socket::INET->new(Listen => 16, ReuseAddr => 1,
                                       LocalAddr => '127.0.0.1',
                                       LocalPort => 0)
        or die "fake redis: $!";
    my $self = { port => $listen->sockport, log => "$dir/received" };

    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open my $log, '>>', $self->{log} or POSIX::_exit(1);
        $log->autoflush(1);
        while (my $c = $listen->accept) {
            my $sel = IO::Select->new($c);
            my $end = time + $hold;
            while ((my $left = $end - time) > 0) {
                next unless $sel->can_read($left);
                sysread($c, my $buf, 65536) or last;
                print $log $buf;
            }
            syswrite $c, "-$error\r\n";
            $end = time + 0.1;
            while ((my $left = $end - time) > 0) {
                next unless $sel->can_read($left);
                sysread($c, my $buf, 65536) or last;
                print $log $buf;
            }
            close $c;
        }
        POSIX::_exit(0);
    }
    close $listen;
    $self->{pid} = $pid;
    push @started, $self;
    return $self;
}

# http_get($path, %headers): one request on its own connection; returns
# (status, { lowercased header => value }, body).
sub http_get {
    my ($path, %headers) = @_;
    my $s = _send_request('GET', $path, %headers);
    return _read_response($s);
}

# http_request($method, $path, %headers): like http_get, any method
sub http_request {
    my ($method, $path, %headers) = @_;
    my $s = _send_request($method, $path, %headers);
    return _read_response($s);
}

# access_lines($name, $n): the lines of logs/$name once it has $n or
# more (nginx writes a request's line after its response is sent), or
# whatever it has after 2 s
sub access_lines {
    my ($name, $n) = @_;
    my $file = ($ENV{TEST_NGINX_SERVER_ROOT} || 't/servroot') . "/logs/$name";
    my @lines;
    for (1 .. 200) {
        if (open my $fh, '<', $file) {
            @lines = <$fh>;
            chomp @lines;
            last if @lines >= $n;
        }
        sleep 0.01;
    }
    return @lines;
}

# Many GETs in flight at once: every request is written before any
# response is read.  Returns a list of [status, headers, body].
sub concurrent_get {
    my ($path, $n) = @_;
    my @socks = map { _send_request('GET', $path) } 1 .. $n;
    return map { [ _read_response($_) ] } @socks;
}

sub _send_request {
    my ($method, $path, %headers) = @_;
    my $port = $ENV{TEST_NGINX_CLIENT_PORT} || $ENV{TEST_NGINX_SERVER_PORT}
               || $ENV{TEST_NGINX_PORT} || 1984;
    my $s;

    # upstream runs --- init without waiting for nginx to listen (under
    # valgrind that takes a while), so keep trying for a bounded time
    for my $try (1 .. 600) {
        $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                   Timeout => 10)
            and last;
        sleep 0.05;
    }
    die "connect to nginx on $port: $!" unless $s;
    my $req = "$method $path HTTP/1.1\r\nHost: localhost\r\n"
              . "Connection: close\r\n";
    $req .= "$_: $headers{$_}\r\n" for sort keys %headers;
    print $s "$req\r\n";
    return $s;
}

sub _read_response {
    my ($s) = @_;
    local $/;
    my $raw = <$s>;
    close $s;
    return (0, {}, '') unless defined $raw && length $raw;
    my ($head, $body) = split /\r\n\r\n/, $raw, 2;
    my ($status_line, @lines) = split /\r\n/, $head;
    my ($status) = $status_line =~ m{^HTTP/1\.\d (\d{3})};
    my %h = map { my ($k, $v) = split /:\s*/, $_, 2; (lc $k => $v) } @lines;
    return ($status, \%h, defined $body ? $body : '');
}

# nginx_t($http): runs `nginx -t` on a configuration whose http block is
# $http, with the modules of TEST_NGINX_LOAD_MODULES; returns nginx's exit
# status and what it printed.  Configuration errors are tested this way
# because a stock Debian nginx prints them only to stderr, which neither
# Test::Nginx's --- must_die nor its --- error_log can see.
sub nginx_t {
    my ($http) = @_;
    my $dir = tempdir('news-conf-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    mkdir "$dir/logs";
    my $modules = join '', map { "load_module $_;\n" }
                  split ' ', $ENV{TEST_NGINX_LOAD_MODULES} || '';
    open my $fh, '>', "$dir/nginx.conf" or die "$dir/nginx.conf: $!";
    print $fh "${modules}error_log logs/error.log;\npid logs/nginx.pid;\n"
              . "events {}\nhttp {\n$http\n}\n";
    close $fh;

    my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
    my $out = `$nginx -t -p $dir/ -c $dir/nginx.conf 2>&1`;
    return ($? >> 8, $out);
}

# scrape($path): the samples of a Prometheus text page (default
# /metrics) as { 'name{labels}' => value }; dies on a line that is
# neither a comment nor a sample.
sub scrape {
    my ($path) = @_;
    my ($status, $h, $body) = http_get($path // '/metrics');
    die "scrape of " . ($path // '/metrics') . ": status $status\n"
        unless $status == 200;
    my %m;
    for my $line (split /\n/, $body) {
        next if $line =~ /^#/;
        $line =~ /^([a-z_]+(?:\{[^}]*\})?) (-?[0-9.]+)$/
            or die "not a sample: \"$line\"\n";
        $m{$1} = $2;
    }
    return \%m;
}

# wait_metric($sample, $value, $secs): scrapes until the sample shows the
# value; returns the last scrape if it did within $secs, else undef.
sub wait_metric {
    my ($sample, $value, $secs) = @_;
    my $end = time + ($secs // 5);
    while (1) {
        my $m = scrape();
        return $m if defined $m->{$sample} && $m->{$sample} == $value;
        return undef if time > $end;
        sleep 0.02;
    }
}

# The count a page shows, from its "N View(s)" label.
sub shown_views {
    my ($body) = @_;
    return $body =~ m{<span class="views">(\d+) Views?</span>} ? $1 : undef;
}

1;

# ---------------------------------------------------------------------------
# Helpers of t/faults.t and t/hostile.t: timed and held requests, a load
# generator, the error log, nginx's processes, a private nginx, a Redis
# that loads slowly, a transparent TCP proxy and Redis' MONITOR.

# timed_get($path, %headers): http_get and the seconds it took
sub timed_get {
    my ($path, %headers) = @_;
    my $t0 = time;
    my @r = http_get($path, %headers);
    return (@r, time - $t0);
}

# HTTP to any port (a private nginx); the same request as http_get.
sub open_get_at {
    my ($port, $path, %headers) = @_;
    local $ENV{TEST_NGINX_CLIENT_PORT} = $port;
    return _send_request('GET', $path, %headers);
}

sub http_get_at {
    my ($port, $path, %headers) = @_;
    return _read_response(open_get_at($port, $path, %headers));
}

# open_gets($path, $n): $n GETs written, none read yet: requests held in
# flight.  read_responses(@socks) reads them: a list of [status, h, body].
sub open_gets {
    my ($path, $n, $port) = @_;
    return map { defined $port ? open_get_at($port, $path)
                               : _send_request('GET', $path) } 1 .. $n;
}

sub read_responses {
    return map { [ _read_response($_) ] } @_;
}

# The error log of the Test::Nginx nginx: log_mark() is its size now;
# log_since($mark) the lines written after it.
sub error_log_path {
    return ($ENV{TEST_NGINX_SERVER_ROOT} || 't/servroot') . '/logs/error.log';
}

sub log_mark {
    my ($file) = @_;
    return -s ($file // error_log_path()) || 0;
}

sub log_since {
    my ($mark, $file) = @_;
    open my $fh, '<', $file // error_log_path() or return ();
    seek $fh, $mark || 0, 0;
    my @lines = <$fh>;
    return @lines;
}

# nginx's processes, from /proc: the master of a pid file, its live
# (not zombie) children, and whether a pid is still running.
sub master_pid {
    my ($root) = @_;
    $root //= $ENV{TEST_NGINX_SERVER_ROOT} || 't/servroot';
    open my $fh, '<', "$root/logs/nginx.pid" or return undef;
    my $pid = <$fh>;
    return defined $pid && $pid =~ /(\d+)/ ? $1 : undef;
}

sub _proc_stat {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/stat" or return;
    my $stat = do { local $/; <$fh> } // '';
    return $stat =~ /^\d+ \(.*\) (\S) (\d+)/s ? ($1, $2) : ();
}

sub pid_alive {
    my ($pid) = @_;
    my ($state) = _proc_stat($pid);
    return defined $state && $state ne 'Z' && $state ne 'X';
}

sub child_pids {
    my ($ppid) = @_;
    return () unless $ppid;
    opendir my $dh, '/proc' or return ();
    my @kids;
    for my $pid (grep { /^\d+$/ } readdir $dh) {
        my ($state, $parent) = _proc_stat($pid);
        push @kids, $pid if defined $parent && $parent == $ppid
                            && $state ne 'Z' && $state ne 'X';
    }
    @kids = sort { $a <=> $b } @kids;
    return @kids;
}

sub worker_pids {
    return child_pids(master_pid(@_));
}

# wait_gone($secs, @pids): waits until none of @pids runs; returns the
# ones still running when $secs have passed.
sub wait_gone {
    my ($secs, @pids) = @_;
    my $end = time + $secs;
    while (grep { pid_alive($_) } @pids) {
        last if time > $end;
        sleep 0.01;
    }
    return grep { pid_alive($_) } @pids;
}

# start_load($path, seconds => 2, concurrency => 10): a child process keeps
# `concurrency` GETs of $path in flight, each on its own connection, for
# `seconds`, then waits (at most 10 s more) for the last answers.
# finish_load($load) returns one { start, end, latency, status, views }
# per request; status 0 for a connection that failed or closed without
# an answer, -1 for one still unanswered at the end (a hang).  With
# expect => qr/.../, each also has match: 1 if the response matched it
# (the right page), else 0.
sub start_load {
    my ($path, %o) = @_;
    my $secs = $o{seconds} // 2;
    my $conc = $o{concurrency} // 10;
    my $port = $o{port} || $ENV{TEST_NGINX_CLIENT_PORT}
               || $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT}
               || 1984;
    my $dir = tempdir('news-load-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $self = { file => "$dir/results", started => time };

    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my $req = "GET $path HTTP/1.1\r\nHost: localhost\r\n"
                  . "Connection: close\r\n\r\n";
        my $end = time + $secs;
        my $hard = $end + 10;
        my $sel = IO::Select->new;
        my (%live, @done);

        my $record = sub {
            my ($r, $status) = @_;
            my ($code) = $r->{buf} =~ m{\AHTTP/1\.\d (\d{3})};
            $status //= $code // 0;
            my $views = shown_views($r->{buf}) // '';
            my $line = sprintf "%.6f %.6f %d %s", $r->{t0}, time,
                               $status, $views;
            $line .= $r->{buf} =~ $o{expect} ? ' 1' : ' 0'
                if $o{expect};
            push @done, "$line\n";
        };

        while (time < $hard) {
            while (time < $end && $sel->count < $conc) {
                my $t0 = time;
                my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                              Timeout => 2);
                if (!$s) {
                    $record->({ t0 => $t0, buf => '' }, 0);
                    sleep 0.01;
                    next;
                }
                $s->autoflush(1);
                print $s $req;
                $s->blocking(0);
                $live{fileno $s} = { s => $s, t0 => $t0, buf => '' };
                $sel->add($s);
            }
            last if time >= $end && !$sel->count;
            for my $s ($sel->can_read(0.02)) {
                my $r = $live{fileno $s};
                my $n = sysread $s, my $chunk, 65536;
                next if !defined $n && ($!{EAGAIN} || $!{EINTR});
                if ($n) {
                    $r->{buf} .= $chunk;
                    next;
                }
                $record->($r);
                $sel->remove($s);
                delete $live{fileno $s};
                close $s;
            }
        }
        $record->($_, -1) for values %live;
        if (open my $out, '>', $self->{file}) {
            print $out @done;
            close $out;
        }
        POSIX::_exit(0);
    }
    $self->{pid} = $pid;
    return $self;
}

sub finish_load {
    my ($self) = @_;
    local $_;    # the caller's, e.g. map { finish_load($a[$_]) } 0 .. 2
    waitpid $self->{pid}, 0;
    open my $fh, '<', $self->{file} or die "load results: $!";
    my @r;
    while (<$fh>) {
        chomp;
        my ($t0, $t1, $status, $views, $match) = split / /;
        push @r, { start => $t0, end => $t1, latency => $t1 - $t0,
                   status => $status, views => $views, match => $match };
    }
    return @r;
}

# A private nginx with a master and one worker, on a free loopback port,
# for tests that stop it (QUIT): start_nginx($server) puts $server into
# the server {} block.  Returns { port, dir, error_log, conf }.
my @nginxes;

sub start_nginx {
    my ($server, %o) = @_;
    my $dir = tempdir('news-nginx-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    mkdir "$dir/logs";
    my $port = free_port();
    my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
    my $v = `$nginx -V 2>&1`;
    my $modules = join '', map { "load_module $_;\n" }
                  split ' ', $ENV{TEST_NGINX_LOAD_MODULES} || '';
    my $temp = join '', map { "    ${_}_temp_path $dir/${_}_temp;\n" }
               grep { $v !~ /--without-http_${_}_module/ }
               qw(client_body proxy fastcgi uwsgi scgi);
    my $user = $> == 0 ? "user root;\n" : '';
    my $conf = "$modules${user}worker_processes 1;\nmaster_process on;\n"
        . "daemon on;\nerror_log $dir/logs/error.log "
        . ($o{log_level} || 'info') . ";\npid $dir/logs/nginx.pid;\n"
        . "events {\n    worker_connections 1024;\n}\n"
        . "http {\n    access_log $dir/logs/access.log;\n$temp"
        . "    server {\n        listen 127.0.0.1:$port;\n$server\n    }\n}\n";
    open my $fh, '>', "$dir/nginx.conf" or die "$dir/nginx.conf: $!";
    print $fh $conf;
    close $fh;

    my $self = { port => $port, dir => $dir, conf => $conf,
                 error_log => "$dir/logs/error.log" };
    my $out = `$nginx -p $dir/ -c $dir/nginx.conf 2>&1`;
    die "private nginx did not start: $out" if $?;
    push @nginxes, $self;
    for (1 .. 500) {
        $self->{pid} = master_pid($dir);
        if ($self->{pid} && child_pids($self->{pid})) {
            my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                          Timeout => 1);
            return $self if $s;
        }
        sleep 0.01;
    }
    die "private nginx on port $port is not listening";
}

sub stop_nginx {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    return unless pid_alive($pid);
    my @workers = child_pids($pid);
    kill 'TERM', $pid;
    my @left = wait_gone(5, $pid, @workers);
    kill 'KILL', @left if @left;
}

END {
    local $?;
    stop_nginx($_) for @nginxes;
}

# fill_redis($server, $n): $n small string keys, pipelined, on a private
# server; makes its RDB big enough to load slowly.
sub fill_redis {
    my ($server, $n) = @_;
    my $s = _redis_connect($server->{port});
    _redis_call($s, 'AUTH', $server->{password})
        if defined $server->{password};
    my $batch = '';
    for my $i (1 .. $n) {
        $batch .= "*3\r\n\$3\r\nSET\r\n\$" . length("filler:$i")
                  . "\r\nfiller:$i\r\n\$1\r\nx\r\n";
    }
    print $s $batch;
    _redis_reply($s) for 1 .. $n;
}

# restart_redis_loading($server, $usec): SIGKILL, then the same server
# again, loading its RDB (SAVE it first) with a pause of $usec per key
# (Redis' hidden key-load-delay setting) and serving clients meanwhile,
# which get -LOADING.  Returns once it answers, with LOADING or PONG.
sub restart_redis_loading {
    my ($self, $usec) = @_;
    kill_redis($self);
    local $self->{ready} = qr/^(\+PONG|-LOADING)/;
    return _spawn($self, '--key-load-delay', $usec,
                  '--loading-process-events-interval-bytes', 1024);
}


# redis_loading($server): true while it answers -LOADING
sub redis_loading {
    my ($self) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$self->{port}",
                                  Timeout => 1) or return 0;
    print $s "PING\r\n";
    my $line = <$s>;
    return defined $line && $line =~ /^-LOADING/;
}

# start_proxy($backend_port): a transparent TCP proxy on loopback.  When
# the backend closes a connection (a Redis restart), the client side stays
# open and the next bytes from the client go to a new backend connection:
# nginx keeps its Redis connection across a restart of Redis, as behind a
# TCP load balancer.  Returns { port, pid }.
sub start_proxy {
    my ($backend) = @_;
    my $listen = IO::Socket::INET->new(Listen => 16, ReuseAddr => 1,
                                       LocalAddr => '127.0.0.1',
                                       LocalPort => 0)
        or die "proxy: $!";
    my $self = { port => $listen->sockport, backend => $backend };

    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my $sel = IO::Select->new($listen);
        my (%peer, %is_client);
        my $drop = sub {
            for my $fh (@_) {
                next unless $fh;
                $sel->remove($fh);
                delete $peer{$fh};
                delete $is_client{$fh};
                close $fh;
            }
        };
        my $put = sub {
            my ($fh, $data) = @_;
            while (length $data) {
                my $n = syswrite $fh, $data;
                return 0 unless $n;
                substr($data, 0, $n) = '';
            }
            return 1;
        };
        for (;;) {
            for my $fh ($sel->can_read(1)) {
                if ($fh == $listen) {
                    my $c = $listen->accept or next;
                    $sel->add($c);
                    $is_client{$c} = 1;
                    $peer{$c} = undef;
                    next;
                }
                my $n = sysread $fh, my $buf, 65536;
                if ($is_client{$fh}) {
                    if (!$n) {
                        $drop->($peer{$fh}, $fh);
                        next;
                    }
                    my $b = $peer{$fh};
                    for (1 .. 100) {
                        last if $b;
                        $b = IO::Socket::INET->new(
                            PeerAddr => "127.0.0.1:$backend", Timeout => 1)
                            or sleep 0.02;
                    }
                    if (!$b) {
                        $drop->($fh);
                        next;
                    }
                    if (!$peer{$fh}) {
                        $peer{$fh} = $b;
                        $peer{$b} = $fh;
                        $sel->add($b);
                    }
                    $put->($b, $buf) or $drop->($b, $fh);
                    next;
                }
                my $c = $peer{$fh};
                if (!$n) {
                    # the backend went away: the client stays
                    $peer{$c} = undef if $c;
                    $sel->remove($fh);
                    delete $peer{$fh};
                    close $fh;
                    next;
                }
                $put->($c, $buf) or $drop->($c, $fh);
            }
        }
    }
    close $listen;
    $self->{pid} = $pid;
    push @started, $self;
    return $self;
}

# start_switch_proxy($backend_port): a TCP proxy on loopback whose mode
# switch_proxy($proxy, $mode) sets: 'up' forwards both ways; 'down'
# closes every connection and accepts none (Redis gone, as nginx sees
# it); 'lose-flush' forwards, but the first reply to a command naming a
# ':flushed:' key (a news_stale batch) is thrown away and that
# connection closed: Redis ran it, nginx never hears of it.  Then the
# mode is 'up' again.  Returns { port, pid, ctl }.
sub start_switch_proxy {
    my ($backend) = @_;
    my $dir = tempdir('news-switch-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $listen = IO::Socket::INET->new(Listen => 16, ReuseAddr => 1,
                                       LocalAddr => '127.0.0.1',
                                       LocalPort => 0)
        or die "proxy: $!";
    my $self = { port => $listen->sockport, ctl => "$dir/mode" };
    switch_proxy($self, 'up');

    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my $sel = IO::Select->new($listen);
        my (%peer, %is_client, %lose);
        my $mode = sub {
            open my $fh, '<', $self->{ctl} or return 'up';
            my $m = <$fh> // 'up';
            chomp $m;
            return $m;
        };
        my $drop = sub {
            for my $fh (@_) {
                next unless $fh;
                $sel->remove($fh);
                delete $peer{$fh};
                delete $is_client{$fh};
                delete $lose{$fh};
                close $fh;
            }
        };
        my $acked = '';
        for (;;) {
            my $m = $mode->();
            if ($m eq 'down') {
                $drop->(grep { $is_client{$_} } $sel->handles);
                $drop->(grep { $_ != $listen } $sel->handles);
            }
            if ($m ne $acked) {
                # switch_proxy() waits for this: the mode is in force
                _write_file("$self->{ctl}.ack", "$m\n");
                $acked = $m;
            }
            for my $fh ($sel->can_read(0.05)) {
                if ($fh == $listen) {
                    my $c = $listen->accept or next;
                    if ($mode->() eq 'down') {
                        close $c;
                        next;
                    }
                    my $b = IO::Socket::INET->new(
                        PeerAddr => "127.0.0.1:$backend", Timeout => 1);
                    if (!$b) {
                        close $c;
                        next;
                    }
                    $sel->add($c, $b);
                    $is_client{$c} = 1;
                    $peer{$c} = $b;
                    $peer{$b} = $c;
                    next;
                }
                my $other = $peer{$fh} or next;
                my $n = sysread $fh, my $buf, 65536;
                if (!$n) {
                    $drop->($fh, $other);
                    next;
                }
                if ($is_client{$fh}) {
                    $lose{$fh} = 1
                        if $mode->() eq 'lose-flush' && $buf =~ /:flushed:/;
                    syswrite $other, $buf;
                    next;
                }
                if ($lose{$other}) {
                    # the batch ran in Redis; its reply goes nowhere
                    switch_proxy($self, 'up');
                    $drop->($other, $fh);
                    next;
                }
                syswrite $other, $buf;
            }
        }
    }
    close $listen;
    $self->{pid} = $pid;
    push @started, $self;
    return $self;
}

sub switch_proxy {
    my ($self, $mode) = @_;
    _write_file($self->{ctl}, "$mode\n");
    return unless $self->{pid};
    for (1 .. 500) {
        open my $fh, '<', "$self->{ctl}.ack" or next;
        my $m = <$fh> // '';
        return if $m eq "$mode\n";
    } continue {
        sleep 0.02;
    }
    die "switch proxy: mode $mode not taken in 10 s";
}

# the whole file at once: readers never see half of it
sub _write_file {
    my ($path, $text) = @_;
    open my $fh, '>', "$path.new" or die "$path: $!";
    print $fh $text;
    close $fh;
    rename "$path.new", $path or die "$path: $!";
}

# client_list($server): CLIENT LIST of a private server, one hash ref of
# its fields per client, the asking connection left out.
sub client_list {
    my ($server) = @_;
    return map { { map { split /=/, $_, 2 } split ' ' } }
           grep { !/\bcmd=client\|list\b|\bcmd=client\b/ }
           split /\n/, redis_on($server, 'CLIENT', 'LIST');
}

# wait_views_queued($server, $n, $key, $secs): with the server paused
# for writes (CLIENT PAUSE ms WRITE), waits until one connection has the
# commands of $n counted views of $key at Redis (each MULTI, EVALSHA,
# HGETALL, EXEC): the first EVALSHA blocked, the rest in its query
# buffer.  True if so within $secs: the commands are in flight.
sub wait_views_queued {
    my ($server, $n, $key, $secs) = @_;
    my $len = 0;
    for my $cmd (['MULTI'], ['EVALSHA', 'x' x 40, '1', $key],
                 ['HGETALL', $key], ['EXEC']) {
        $len += 1 + length(scalar @$cmd) + 2;
        $len += 1 + length(length $_) + 2 + length($_) + 2 for @$cmd;
    }
    my $end = time + $secs;
    while (time < $end) {
        for my $c (client_list($server)) {
            return 1 if ($c->{cmd} // '') eq 'evalsha'
                        && ($c->{flags} // '') =~ /b/
                        && ($c->{qbuf} // 0) >= ($n - 1) * $len;
        }
        sleep 0.02;
    }
    return 0;
}

# MONITOR on a Redis: monitor_start($port) returns the watching socket;
# monitor_commands($sock, $secs) the commands that clients sent within
# $secs (not those a script ran), each an array ref of its arguments,
# unquoted as Redis quotes them.
sub monitor_start {
    my ($port) = @_;
    my $s = _redis_connect($port);
    print $s "MONITOR\r\n";
    my $ok = <$s>;
    die "MONITOR: $ok" unless defined $ok && $ok =~ /^\+OK/;
    return $s;
}

sub monitor_commands {
    my ($s, $secs) = @_;
    my $sel = IO::Select->new($s);
    my $buf = '';
    my $end = time + $secs;
    while ((my $left = $end - time) > 0) {
        next unless $sel->can_read($left);
        sysread($s, $buf, 65536, length $buf) or last;
    }
    my @cmds;
    for my $line (split /\r\n/, $buf) {
        next unless $line =~ /^\+\d+\.\d+ \[([^\]]*)\] (.*)$/s;
        my ($who, $args) = ($1, $2);
        next if $who =~ /\blua\b/;
        my @a;
        while ($args =~ /\G"((?:[^"\\]|\\.)*)" ?/gcs) {
            my $v = $1;
            $v =~ s{\\x([0-9a-fA-F]{2})|\\(.)}{
                defined $1 ? chr hex $1
                : { n => "\n", r => "\r", t => "\t", a => "\a",
                    b => "\b" }->{$2} // $2}gse;
            push @a, $v;
        }
        push @cmds, \@a;
    }
    return @cmds;
}

1;
