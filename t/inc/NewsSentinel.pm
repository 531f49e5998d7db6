package NewsSentinel;

# A Redis Sentinel topology on loopback for t/topology/sentinel.t: a
# primary, its replica and three sentinels (quorum 2), each on a free
# port, each stopped by its PID when the test ends.  Redis servers come
# from NewsTest::start_redis (which stops them); the sentinels are
# redis-server --sentinel with a generated configuration.

use strict;
use warnings;

use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes qw(sleep time);

use NewsTest;

my @sentinels;

# start_topology(name => 'mymaster'): { name, primary, replica,
# sentinels => [ { port, pid, conf, dir } x 3 ] }, once every sentinel
# knows the replica and the other sentinels (a failover can be asked).
sub start_topology {
    my (%o) = @_;
    my $name = $o{name} // 'mymaster';
    my $primary = NewsTest::start_redis();
    my $replica = NewsTest::start_redis('--replicaof',
                                        "127.0.0.1 $primary->{port}");
    my $self = { name => $name, primary => $primary, replica => $replica,
                 servers => [ $primary, $replica ], sentinels => [] };

    wait_for(sub { info($replica, 'replication')
                       =~ /master_link_status:up/ }, 10)
        or die "the replica did not sync with the primary\n";

    my $dir = tempdir('news-sentinel-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    for my $i (1 .. 3) {
        my $port = NewsTest::free_port();
        my $s = { port => $port, dir => "$dir/$i", conf => "$dir/$i/s.conf" };
        mkdir $s->{dir};
        open my $fh, '>', $s->{conf} or die "$s->{conf}: $!";
        print $fh "port $port\nbind 127.0.0.1\ndaemonize no\n"
                  . "dir $s->{dir}\n"
                  . "sentinel monitor $name 127.0.0.1 $primary->{port} 2\n"
                  . "sentinel down-after-milliseconds $name 1000\n"
                  . "sentinel failover-timeout $name 3000\n"
                  . "sentinel parallel-syncs $name 1\n";
        close $fh;
        start_sentinel($s);
        push @{ $self->{sentinels} }, $s;
    }

    # each sentinel has seen the replica and the two others
    for my $s (@{ $self->{sentinels} }) {
        wait_for(sub {
            my $m = sentinel_call($s, 'SENTINEL', 'MASTER', $name);
            $m =~ /\bnum-slaves\n1\n/ && $m =~ /\bnum-other-sentinels\n2\n/;
        }, 20) or die "sentinel on $s->{port} did not learn the topology\n";
    }
    return $self;
}

sub start_sentinel {
    my ($s) = @_;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>>', "$s->{dir}/sentinel.log";
        open STDERR, '>&', \*STDOUT;
        { exec 'redis-server', $s->{conf}, '--sentinel' };
        POSIX::_exit(127);    # no END blocks in the child
    }
    $s->{pid} = $pid;
    push @sentinels, $s unless grep { $_ == $s } @sentinels;
    wait_for(sub { (eval { sentinel_call($s, 'PING') } // '') eq 'PONG' }, 5)
        or die "sentinel on port $s->{port} did not start\n";

    # faster INFO and hello messages than the defaults (10 s, 2 s): the
    # replica and a demoted primary are seen within a second
    sentinel_call($s, 'SENTINEL', 'DEBUG', 'info-period', 250,
                  'publish-period', 250);
    return $s;
}

sub stop_sentinel {
    my ($s) = @_;
    my $pid = delete $s->{pid} or return;
    kill 'KILL', $pid;
    waitpid $pid, 0;
}

END {
    local $?;
    stop_sentinel($_) for @sentinels;
}

sub sentinel_call {
    my ($s, @cmd) = @_;
    return NewsTest::redis_at($s->{port}, @cmd);
}

# the primary the sentinels name: its port, as sentinel $i says
sub primary_port {
    my ($self, $i) = @_;
    my $s = $self->{sentinels}[$i // 0];
    my (undef, $port) = split /\n/, sentinel_call($s, 'SENTINEL',
                                   'get-master-addr-by-name', $self->{name});
    return $port;
}

# the port every sentinel names, once they agree (undef if they do not
# within $secs): the switch has reached them all
sub agreed_port {
    my ($self, $port, $secs) = @_;
    return wait_for(sub {
        !grep { primary_port($self, $_) != $port } 0 .. 2;
    }, $secs // 10);
}

# restart_as_replica($srv, $primary): a server started again as an
# operator should start a failed primary without persistence: as a
# replica of the new one (empty and a primary, it could be taken for
# the primary by a sentinel that has not learnt the switch yet, and the
# new primary made its replica, emptied), and never to be promoted
# (replica-priority 0) while it copies the primary: on a loaded machine
# the sentinels may fail over on their own, and an empty replica chosen
# would empty the primary too
sub restart_as_replica {
    my ($srv, $primary) = @_;
    my @opts = @{ $srv->{opts} };
    my @keep;
    while (@opts) {
        my $o = shift @opts;
        if ($o eq '--replicaof') {
            shift @opts;
            next;
        }
        push @keep, $o;
    }
    $srv->{opts} = [ @keep, '--replicaof', "127.0.0.1 $primary->{port}",
                     '--replica-priority', '0' ];
    NewsTest::restart_redis($srv);
}

# the server (a NewsTest server) on a port
sub server_on {
    my ($self, $port) = @_;
    my ($srv) = grep { $_->{port} == $port } @{ $self->{servers} };
    return $srv;
}

sub info {
    my ($srv, $section) = @_;
    return NewsTest::redis_at($srv->{port}, 'INFO', $section // 'all');
}

# "master" or "slave"
sub role {
    my ($srv) = @_;
    my ($role) = split /\n/, NewsTest::redis_at($srv->{port}, 'ROLE');
    return $role;
}

# SENTINEL FAILOVER, asked again while Sentinel has no replica it deems
# good yet; the time it was accepted
sub failover {
    my ($self) = @_;
    my $s = $self->{sentinels}[0];
    my $end = time + 10;
    while (time < $end) {
        my $r = sentinel_call($s, 'SENTINEL', 'FAILOVER', $self->{name});
        return time if $r eq 'OK';
        die "SENTINEL FAILOVER: $r\n" unless $r =~ /NOGOODSLAVE|INPROG/;
        sleep 0.1;
    }
    die "SENTINEL FAILOVER was not accepted in 10 s\n";
}

# wait_for(sub { ... }, $secs): true once the condition holds, false if
# it did not within $secs
sub wait_for {
    my ($cond, $secs) = @_;
    my $end = time + $secs;
    while (1) {
        return 1 if $cond->();
        return 0 if time > $end;
        sleep 0.05;
    }
}

1;
