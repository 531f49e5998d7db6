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
    my %o = @opts;
    my $self = { port => $port, dir => $dir, sock => "$dir/redis.sock",
                 opts => [@opts], password => $o{'--requirepass'} };
    _spawn($self);
    push @started, $self;
    return $self;
}

sub _spawn {
    my ($self) = @_;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>>', "$self->{dir}/redis.log";
        open STDERR, '>&', \*STDOUT;
        { exec 'redis-server', '--port', $self->{port},
             '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
             '--dir', $self->{dir}, '--unixsocket', $self->{sock},
             '--unixsocketperm', '700', @{ $self->{opts} } };
        POSIX::_exit(127);    # no END blocks in the child
    }
    $self->{pid} = $pid;
    for (1 .. 100) {
        return $self if -S $self->{sock}
                        && _ping($self->{port}, $self->{opts});
        sleep 0.05;
    }
    die "redis-server on port $self->{port} did not start";
}

sub _ping {
    my ($port, $opts) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                  Timeout => 1) or return 0;
    print $s "PING\r\n";
    my $line = <$s>;
    return defined $line && $line =~ /^(\+PONG|-NOAUTH)/;
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

# The count a page shows, from its "N View(s)" label.
sub shown_views {
    my ($body) = @_;
    return $body =~ m{<span class="views">(\d+) Views?</span>} ? $1 : undef;
}

1;
