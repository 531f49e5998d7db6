package NewsCluster;

# A real Redis Cluster on loopback for t/topology/: six redis-servers
# (three primaries, a replica each) made a cluster by `redis-cli
# --cluster create`, as an operator would, and the moves a cluster goes
# through in production: a slot migrated by hand (IMPORTING, MIGRATING,
# MIGRATE, SETSLOT NODE) and a primary killed and replaced by its
# replica.  The tests' own commands follow MOVED and ASK as `redis-cli
# -c` does.  Everything started here is stopped by pid at exit.

use strict;
use warnings;

use File::Path qw(remove_tree);
use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes qw(sleep time);

use NewsTest;

my (@clusters, $owner);

# start_cluster(primaries => 3, replicas => 1, node_timeout => 1000):
# the cluster once every node says cluster_state:ok and all agree on
# who serves which slots.  Returns { nodes => [node, ...], dir }; a node
# is { port, bus, dir, pid, id }.  The node timeout is short so that a
# killed primary is replaced within seconds.
sub start_cluster {
    my (%o) = @_;
    my $primaries = $o{primaries} // 3;
    my $replicas = $o{replicas} // 1;
    my $n = $primaries * (1 + $replicas);
    my $t0 = time;
    $owner //= $$;

    my $self = { nodes => [], started => $t0,
                 dir => tempdir('news-cluster-XXXXXX', TMPDIR => 1) };
    push @clusters, $self;

    # the bus port is given: the default, port + 10000, may be past
    # 65535 for a port from the ephemeral range
    my %taken;
    my $port = sub {
        my $p;
        do { $p = NewsTest::free_port() } while $taken{$p}++;
        return $p;
    };
    for my $i (1 .. $n) {
        my $node = { port => $port->(), bus => $port->(),
                     dir => "$self->{dir}/node$i" };
        mkdir $node->{dir} or die "$node->{dir}: $!";
        $node->{opts} = [
            '--port', $node->{port}, '--bind', '127.0.0.1',
            '--cluster-enabled', 'yes', '--cluster-port', $node->{bus},
            '--cluster-config-file', "$node->{dir}/nodes.conf",
            '--cluster-node-timeout', $o{node_timeout} // 1000,
            '--appendonly', 'no', '--save', '', '--dir', $node->{dir},
            '--repl-diskless-sync-delay', 0,
            '--logfile', "$node->{dir}/redis.log" ];
        _spawn($node);
        push @{ $self->{nodes} }, $node;
    }
    _watch($self);
    _wait_ping($_) for @{ $self->{nodes} };

    # the first $primaries addresses become the primaries
    my $out = "$self->{dir}/create.log";
    system('redis-cli --cluster create '
           . join(' ', map { "127.0.0.1:$_->{port}" } @{ $self->{nodes} })
           . " --cluster-replicas $replicas --cluster-yes >$out 2>&1") == 0
        or die "redis-cli --cluster create failed:\n" . _slurp($out);

    for my $node (@{ $self->{nodes} }) {
        $node->{id} = node_call($node, 'CLUSTER', 'MYID');
    }
    wait_stable($self, 30) or die "the cluster did not settle in 30 s:\n"
                                  . describe($self);
    $self->{setup_secs} = time - $t0;
    return $self;
}

sub _spawn {
    my ($node) = @_;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>>', "$node->{dir}/stdout.log";
        open STDERR, '>&', \*STDOUT;
        { exec 'redis-server', @{ $node->{opts} } };
        POSIX::_exit(127);    # no END blocks in the child
    }
    $node->{pid} = $pid;
}

# A watchdog: when the test process dies without its END block (killed,
# or by SIGPIPE when its output is cut short), the nodes would run on.
# It SIGKILLs them (those still redis-servers on their ports: a pid may
# have been reused) and removes the directory once its parent is gone.
sub _watch {
    my ($self) = @_;
    my $parent = $$;
    my @nodes = map { [ $_->{pid}, $_->{port} ] } @{ $self->{nodes} };
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        sleep 0.2 while getppid() == $parent;
        for my $n (@nodes) {
            my ($node_pid, $port) = @$n;
            open my $fh, '<', "/proc/$node_pid/cmdline" or next;
            # "redis-server 127.0.0.1:<port> [cluster]", the title it sets
            my $cmd = do { local $/; <$fh> } // '';
            kill 'KILL', $node_pid
                if $cmd =~ /redis-server/
                   && $cmd =~ /[:\0]\Q$port\E(?:[\s\0]|$)/;
        }
        remove_tree($self->{dir});
        POSIX::_exit(0);
    }
    $self->{watch} = $pid;
}

sub _wait_ping {
    my ($node) = @_;
    for (1 .. 500) {
        my $r = eval { node_call($node, 'PING') };
        return if defined $r && $r eq 'PONG';
        sleep 0.01;
    }
    die "redis-server on port $node->{port} did not start:\n"
        . _slurp("$node->{dir}/redis.log");
}

sub _slurp {
    my ($file) = @_;
    open my $fh, '<', $file or return '';
    local $/;
    return <$fh>;
}

# ---------------------------------------------------------------------
# Replies: NewsTest::_redis_call gives errors and nested arrays as plain
# text; here an error is a NewsCluster::Error (a blessed string), an
# array an array ref and nil undef, so MOVED and ASK cannot be mistaken
# for a value.

sub _read_reply {
    my ($s) = @_;
    my $line = <$s>;
    die "redis closed the connection\n" unless defined $line;
    $line =~ s/\r\n\z//;
    my ($type, $rest) = (substr($line, 0, 1), substr($line, 1));
    return $rest if $type eq '+' || $type eq ':';
    return bless \$rest, 'NewsCluster::Error' if $type eq '-';
    if ($type eq '$') {
        return undef if $rest < 0;
        my $buf = '';
        while (length $buf < $rest + 2) {
            read($s, $buf, $rest + 2 - length $buf, length $buf)
                or die "redis closed the connection\n";
        }
        return substr($buf, 0, $rest);
    }
    if ($type eq '*') {
        return undef if $rest < 0;
        return [ map { _read_reply($s) } 1 .. $rest ];
    }
    die "unexpected reply from redis: $line\n";
}

sub _send {
    my ($s, @args) = @_;
    my $cmd = '*' . @args . "\r\n";
    $cmd .= '$' . length($_) . "\r\n$_\r\n" for @args;
    print $s $cmd;
}

sub is_error {
    my ($r) = @_;
    return ref $r eq 'NewsCluster::Error';
}

sub error_text {
    my ($r) = @_;
    return is_error($r) ? ${$r} : undef;
}

# raw_call($node, @cmd): one command on that node, no redirection; the
# reply as above (an error is returned, not thrown).  Dies when the
# node cannot be reached.
sub raw_call {
    my ($node, @cmd) = @_;
    my $s = NewsTest::_redis_connect($node->{port});
    _send($s, @cmd);
    return _read_reply($s);
}

# node_call($node, @cmd): the same, an error reply dies
sub node_call {
    my ($node, @cmd) = @_;
    my $r = raw_call($node, @cmd);
    die "port $node->{port}: @cmd[0, 1]: ${$r}\n" if is_error($r);
    return $r;
}

# ---------------------------------------------------------------------
# Slots

# CRC16/XMODEM (polynomial 0x1021, initial value 0), as the Redis
# Cluster specification defines the key hash
my @crc_table = map {
    my $crc = $_ << 8;
    for (1 .. 8) {
        $crc = $crc & 0x8000 ? (($crc << 1) ^ 0x1021) & 0xffff
                             : ($crc << 1) & 0xffff;
    }
    $crc;
} 0 .. 255;

sub crc16 {
    my ($data) = @_;
    my $crc = 0;
    for my $byte (unpack 'C*', $data) {
        $crc = (($crc << 8) & 0xffff) ^ $crc_table[(($crc >> 8) ^ $byte)
                                                   & 0xff];
    }
    return $crc;
}

# slot_of($key): the key's hash slot.  Only the part between the first
# '{' and the first '}' after it is hashed, when that part is not empty
# (a hash tag).
sub slot_of {
    my ($key) = @_;
    my $open = index $key, '{';
    if ($open >= 0) {
        my $close = index $key, '}', $open + 1;
        if ($close > $open + 1) {
            $key = substr $key, $open + 1, $close - $open - 1;
        }
    }
    return crc16($key) % 16384;
}

# ---------------------------------------------------------------------
# The cluster as its nodes see it

sub live_nodes {
    my ($self) = @_;
    return grep { $_->{pid} } @{ $self->{nodes} };
}

sub node_by_port {
    my ($self, $port) = @_;
    my ($node) = grep { $_->{port} == $port } @{ $self->{nodes} };
    return $node;
}

sub node_by_id {
    my ($self, $id) = @_;
    my ($node) = grep { ($_->{id} // '') eq $id } @{ $self->{nodes} };
    return $node;
}

# _view($node): what CLUSTER NODES says on that node: { id => { port,
# flags, master, ranges => [[from, to], ...] } }; slots being migrated
# ("[slot->-id]") are left out of the ranges.
sub _view {
    my ($node) = @_;
    my %v;
    for my $line (split /\n/, node_call($node, 'CLUSTER', 'NODES')) {
        my ($id, $addr, $flags, $master, undef, undef, undef, $link,
            @slots) = split ' ', $line;
        my ($port) = $addr =~ /:(\d+)@/;
        my @ranges = map { /^(\d+)(?:-(\d+))?$/ ? [$1, $2 // $1] : () }
                     @slots;
        $v{$id} = { port => $port, flags => $flags, master => $master,
                    link => $link, ranges => \@ranges };
    }
    return \%v;
}

# the slot map as one node sees it, as text ("0-5460 <id>, ...", in
# slot order): the same text on every node when they agree
sub _map_text {
    my ($view) = @_;
    my @r;
    for my $id (keys %$view) {
        next if $view->{$id}{flags} =~ /fail(?!\?)/;
        push @r, map { [@$_, $id] } @{ $view->{$id}{ranges} };
    }
    return join ', ', map { "$_->[0]-$_->[1] $_->[2]" }
                      sort { $a->[0] <=> $b->[0] } @r;
}

sub _covered {
    my ($text) = @_;
    my $n = 0;
    $n += $2 - $1 + 1 while $text =~ /(\d+)-(\d+)/g;
    return $n;
}

# stable($self): every live node says cluster_state:ok, sees every live
# node, the same replicas and the same slot map covering all 16384
# slots, and every replica
# has its primary's data (a replica that never synced never takes over:
# its data is too old); true or false
sub stable {
    my ($self) = @_;
    my $text;
    my @live = live_nodes($self);
    for my $node (@live) {
        my ($info, $view) = eval {
            (node_call($node, 'CLUSTER', 'INFO'), _view($node))
        } or return 0;
        return 0 unless $info =~ /^cluster_state:ok\r?$/m;
        my $role = eval { node_call($node, 'ROLE') } or return 0;
        return 0 if $role->[0] eq 'slave' && $role->[3] ne 'connected';
        for my $other (@live) {
            my $o = $view->{ $other->{id} } or return 0;
            return 0 if $o->{flags} =~ /fail/ || $o->{link} ne 'connected';
        }
        # and who replicates whom: a node learns of a replica by gossip,
        # after the replica itself knows
        my $t = _map_text($view) . '; ' . join ', ', map {
            my $o = $view->{ $_->{id} };
            $o->{flags} =~ /slave/ ? "$o->{master} <- $_->{id}" : ();
        } sort { $a->{port} <=> $b->{port} } @live;
        return 0 if defined $text && $t ne $text;
        $text = $t;
    }
    return _covered($text) == 16384;
}

# wait_stable($self, $secs): true once stable() within $secs
sub wait_stable {
    my ($self, $secs) = @_;
    my $end = time + $secs;
    while (time < $end) {
        return 1 if stable($self);
        sleep 0.05;
    }
    return stable($self);
}

# slot_map($self): [[from, to, node], ...] as the first live node sees
# it, in slot order
sub slot_map {
    my ($self) = @_;
    my ($ask) = live_nodes($self);
    my $view = _view($ask);
    my @map;
    for my $id (keys %$view) {
        next if $view->{$id}{flags} =~ /fail(?!\?)/;
        my $node = node_by_id($self, $id) or next;
        push @map, map { [@$_, $node] } @{ $view->{$id}{ranges} };
    }
    return [ sort { $a->[0] <=> $b->[0] } @map ];
}

# node_for_slot($self, $slot, $map): the node serving it now, or in
# $map (from slot_map) when given
sub node_for_slot {
    my ($self, $slot, $map) = @_;
    for my $r (@{ $map // slot_map($self) }) {
        return $r->[2] if $slot >= $r->[0] && $slot <= $r->[1];
    }
    return undef;
}

sub node_for_key {
    my ($self, $key, $map) = @_;
    return node_for_slot($self, slot_of($key), $map);
}

# primaries($self): the live nodes that serve slots, in slot order
sub primaries {
    my ($self) = @_;
    my (%seen, @p);
    for my $r (@{ slot_map($self) }) {
        push @p, $r->[2] unless $seen{ $r->[2]{id} }++;
    }
    return @p;
}

# replicas_of($self, $primary): the live nodes replicating it
sub replicas_of {
    my ($self, $primary) = @_;
    my ($ask) = grep { $_ != $primary } live_nodes($self);
    my $view = _view($ask);
    return grep { my $v = $view->{ $_->{id} };
                  $v && $v->{master} eq $primary->{id} }
           live_nodes($self);
}

# describe($self): each node's port, pid, role and CLUSTER INFO state, for
# a test's diagnostics
sub describe {
    my ($self) = @_;
    my $text = '';
    for my $node (@{ $self->{nodes} }) {
        my $state = !$node->{pid} ? 'stopped' : eval {
            my ($s) = node_call($node, 'CLUSTER', 'INFO')
                      =~ /^cluster_state:(\w+)/m;
            my ($role) = node_call($node, 'ROLE')->[0];
            "$role, cluster_state:$s";
        } // "no answer: $@";
        $state =~ s/\n//g;
        $text .= sprintf "  127.0.0.1:%d %s pid %s: %s\n", $node->{port},
                         substr($node->{id} // '?', 0, 8),
                         $node->{pid} // '-', $state;
    }
    return $text . '  map: ' . eval { _map_text(_view((live_nodes($self))[0])) }
           . "\n";
}

# ---------------------------------------------------------------------
# The tests' own commands

# cluster_call($self, @cmd): @cmd on the node serving its key ($cmd[1]),
# following MOVED (to the node named) and ASK (ASKING, then the command
# on the node named) as `redis-cli -c` does; a cluster that is down or a
# key being migrated (CLUSTERDOWN, TRYAGAIN) is tried again for up to
# 10 s.  Returns the reply (nil as undef, an array as an array ref);
# dies on any other error.
sub cluster_call {
    my ($self, @cmd) = @_;
    my $node = node_for_key($self, $cmd[1])
               // (primaries($self))[0];
    my ($asking, $end) = (0, time + 10);
    for (my $hops = 0; ; $hops++) {
        die "cluster_call @cmd[0, 1]: more than 16 redirections\n"
            if $hops > 16;
        my $r = eval {
            my $s = NewsTest::_redis_connect($node->{port});
            _send($s, 'ASKING') if $asking;
            _read_reply($s) if $asking;
            _send($s, @cmd);
            _read_reply($s);
        };
        if (!defined $r && $@) {
            die "cluster_call @cmd[0, 1]: port $node->{port}: $@"
                if time > $end;
            sleep 0.1;
            $node = node_for_key($self, $cmd[1]) // $node;
            next;
        }
        return $r unless is_error($r);
        my $e = ${$r};
        if ($e =~ /^(MOVED|ASK) \d+ [\d.]+:(\d+)$/) {
            $asking = $1 eq 'ASK';
            $node = node_by_port($self, $2)
                or die "cluster_call: redirected to unknown port $2\n";
            push @{ $self->{redirects} }, $e;
            next;
        }
        if ($e =~ /^(TRYAGAIN|CLUSTERDOWN)/ && time < $end) {
            sleep 0.1;
            $asking = 0;
            $node = node_for_key($self, $cmd[1]) // $node;
            next;
        }
        die "cluster_call @cmd[0, 1]: port $node->{port}: $e\n";
    }
}

# each_primary($self, @cmd): the command on every primary; their replies
sub each_primary {
    my ($self, @cmd) = @_;
    return map { node_call($_, @cmd) } primaries($self);
}

# dbsize($self): the keys of the whole cluster (the primaries' DBSIZE)
sub dbsize {
    my ($self) = @_;
    my $n = 0;
    $n += $_ for each_primary($self, 'DBSIZE');
    return $n;
}

# flush($self): every primary emptied (replicas follow)
sub flush {
    my ($self) = @_;
    each_primary($self, 'FLUSHALL');
}

# keys_in_slot($self, $slot): for each live primary, how many keys of
# that slot it holds: { port => count }
sub keys_in_slot {
    my ($self, $slot) = @_;
    return { map { $_->{port} => node_call($_, 'CLUSTER',
                                           'COUNTKEYSINSLOT', $slot) }
             primaries($self) };
}

# redirects_sent($node): how many MOVED and ASK replies the node has
# given since it started (or since CONFIG RESETSTAT), from INFO
# errorstats: { MOVED => n, ASK => n }
sub redirects_sent {
    my ($node) = @_;
    my $info = node_call($node, 'INFO', 'errorstats');
    return { map { $_ => $info =~ /^errorstat_$_:count=(\d+)/m ? $1 : 0 }
             qw(MOVED ASK) };
}

# ---------------------------------------------------------------------
# Moves

# migrate_slot($self, $slot, $from, $to, pause => secs, batch => n,
# on_step => sub { my ($step) = @_; ... }): the slot moved from primary
# $from to primary $to the way redis-cli --cluster reshard does it:
#   importing  CLUSTER SETSLOT slot IMPORTING <from> on $to
#   migrating  CLUSTER SETSLOT slot MIGRATING <to> on $from: keys still
#              on $from are served there, others get ASK
#   keys       CLUSTER GETKEYSINSLOT + MIGRATE ... KEYS in batches: every
#              key moved is now ASK from $from (the ASK window)
#   node       CLUSTER SETSLOT slot NODE <to> on $to, $from, then the
#              other primaries: MOVED from then on
# With pause, it sleeps that long after each step, so that requests
# meet every state.  Returns the number of keys moved.
sub migrate_slot {
    my ($self, $slot, $from, $to, %o) = @_;
    my $pause = $o{pause} // 0;
    my $batch = $o{batch} // 100;
    my $step = sub {
        my ($name) = @_;
        push @{ $self->{steps} }, sprintf '%.3f %s', time, $name;
        $o{on_step}->($name) if $o{on_step};
        sleep $pause if $pause;
    };

    node_call($to, 'CLUSTER', 'SETSLOT', $slot, 'IMPORTING', $from->{id});
    $step->('importing');
    node_call($from, 'CLUSTER', 'SETSLOT', $slot, 'MIGRATING', $to->{id});
    $step->('migrating');

    my $moved = 0;
    while (1) {
        my $keys = node_call($from, 'CLUSTER', 'GETKEYSINSLOT', $slot,
                             $batch);
        last unless @$keys;
        node_call($from, 'MIGRATE', '127.0.0.1', $to->{port}, '', 0,
                  5000, 'KEYS', @$keys);
        $moved += @$keys;
        $step->('keys');
    }

    # the target first: once $from says NODE, clients go to $to, which
    # must then answer for the slot without ASKING
    node_call($to, 'CLUSTER', 'SETSLOT', $slot, 'NODE', $to->{id});
    node_call($from, 'CLUSTER', 'SETSLOT', $slot, 'NODE', $to->{id});
    for my $p (grep { $_ != $to && $_ != $from } primaries($self)) {
        node_call($p, 'CLUSTER', 'SETSLOT', $slot, 'NODE', $to->{id});
    }
    $step->('node');
    return $moved;
}

# kill_primary($self, $node): SIGKILL, no goodbye to clients or replicas;
# the time it happened is kept for wait_failover
sub kill_primary {
    my ($self, $node) = @_;
    $node->{replicas} = [ replicas_of($self, $node) ];
    $node->{slots} = [ grep { $_->[2] == $node } @{ slot_map($self) } ];
    stop_node($node, 'KILL');
    $node->{killed} = time;
}

# wait_failover($self, $dead, $secs): waits until one of the dead
# primary's replicas serves its slots and the cluster is stable again.
# Returns the new primary, or undef after $secs; the seconds it took from
# the kill are in $self->{failover_secs}.
sub wait_failover {
    my ($self, $dead, $secs) = @_;
    my $end = time + ($secs // 30);
    while (time < $end) {
        if (stable($self)) {
            my $slot = $dead->{slots}[0][0];
            my $new = node_for_slot($self, $slot);
            if ($new && grep { $_ == $new } @{ $dead->{replicas} }) {
                $self->{failover_secs} = time - $dead->{killed};
                return $new;
            }
        }
        sleep 0.05;
    }
    return undef;
}

# ---------------------------------------------------------------------
# The end

sub stop_node {
    my ($node, $signal) = @_;
    my $pid = delete $node->{pid} or return;
    kill $signal // 'TERM', $pid;
    my $end = time + 5;
    while (waitpid($pid, POSIX::WNOHANG()) == 0) {
        if (time > $end) {
            kill 'KILL', $pid;
            waitpid $pid, 0;
            last;
        }
        sleep 0.01;
    }
}

sub stop_cluster {
    my ($self) = @_;
    if (my $watch = delete $self->{watch}) {
        kill 'KILL', $watch;
        waitpid $watch, 0;
    }
    stop_node($_) for @{ $self->{nodes} };
    remove_tree($self->{dir}) if $self->{dir} && !$ENV{NEWS_CLUSTER_KEEP};
}

END {
    # only the process that started them (not a forked load child, nor
    # a child that forks to run nginx)
    if (defined $owner && $$ == $owner) {
        local $?;    # waitpid must not become the test's exit status
        stop_cluster($_) for @clusters;
    }
}

1;
