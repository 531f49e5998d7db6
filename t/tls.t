# TLS to Redis (news_redis_ssl*): pages over TLS with the certificate and
# name verified, a wrong CA or name refused with a clear log line and a
# 503, a client certificate, the session reused on a reconnect, and
# nginx -t on incomplete settings.  Certificates are made here by
# openssl; Redis listens for TLS on its own port.

use lib 't/inc';
use Test::Nginx::Socket 'no_plan';
use NewsTest;
use File::Temp qw(tempdir);

no_shuffle();
no_long_string();

my $pki = tempdir('news-tls-XXXXXX', TMPDIR => 1, CLEANUP => 1);

sub openssl {
    system('openssl', @_) == 0 or die "openssl @_: $?";
}

# a CA, Redis' certificate for localhost and 127.0.0.1, a client's, and
# another CA that signed none of them
{
    local *STDERR;
    open STDERR, '>', '/dev/null';
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
            '-subj', '/CN=News Test CA', '-keyout', "$pki/ca.key",
            '-out', "$pki/ca.crt");
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
            '-subj', '/CN=Other CA', '-keyout', "$pki/other.key",
            '-out', "$pki/other.crt");
    for my $who ('redis', 'client') {
        openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj',
                $who eq 'redis' ? '/CN=localhost' : '/CN=nginx',
                '-keyout', "$pki/$who.key", '-out', "$pki/$who.csr");
        open my $ext, '>', "$pki/$who.ext" or die $!;
        print $ext $who eq 'redis'
                   ? "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                   : "extendedKeyUsage=clientAuth\n";
        close $ext;
        openssl('x509', '-req', '-in', "$pki/$who.csr", '-CA', "$pki/ca.crt",
                '-CAkey', "$pki/ca.key", '-CAcreateserial', '-days', '2',
                '-extfile', "$pki/$who.ext", '-out', "$pki/$who.crt");
    }
}

my @tls = ('--tls-cert-file', "$pki/redis.crt",
           '--tls-key-file', "$pki/redis.key",
           '--tls-ca-cert-file', "$pki/ca.crt");

# the plain port is for this test's own commands; nginx uses the TLS one
our $Tls = NewsTest::start_redis('--tls-port', my $tls_port =
                                     NewsTest::free_port(),
                                 @tls, '--tls-auth-clients', 'no');
our $Mutual = NewsTest::start_redis('--tls-port', my $mutual_port =
                                        NewsTest::free_port(),
                                    @tls, '--tls-auth-clients', 'yes');

$ENV{TEST_NGINX_TLS_PORT} = $tls_port;
$ENV{TEST_NGINX_MUTUAL_PORT} = $mutual_port;
$ENV{TEST_NGINX_PKI} = $pki;

NewsTest::redis_on($_, 'HSET', 'news:article:secure', 'title', 'Secure',
                   'views', '0')
    for $Tls, $Mutual;

run_tests();

__DATA__

=== TEST 1: pages over TLS, Redis' certificate and name verified
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_TLS_PORT;
        news_redis_ssl on;
        news_redis_ssl_verify on;
        news_redis_ssl_name localhost;
        news_redis_ssl_trusted_certificate $TEST_NGINX_PKI/ca.crt;
        news_article news:article:$1;
    }
--- request eval
["GET /news/secure", "GET /news/secure"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{<h1>Secure</h1>.*>1 View<}s, qr{>2 Views<}]
--- no_error_log
[error]



=== TEST 2: the session is reused when the connection is made again
--- init
my ($status) = NewsTest::http_get('/news/secure');
Test::More::is($status, 200, 'a first connection, a full handshake');
NewsTest::redis_on($::Tls, 'CLIENT', 'KILL', 'TYPE', 'normal');
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_TLS_PORT;
        news_redis_ssl on;
        news_article news:article:$1;
    }
--- request
GET /news/secure
--- error_code: 200
--- response_body_like: >4 Views<
--- error_log
SSL reused session



=== TEST 3: a certificate of another CA: 503, and why in the log
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_TLS_PORT;
        news_redis_ssl on;
        news_redis_ssl_verify on;
        news_redis_ssl_trusted_certificate $TEST_NGINX_PKI/other.crt;
        news_article news:article:$1;
    }
--- request
GET /news/secure
--- error_code: 503
--- response_headers
Retry-After: 1
--- error_log eval
qr{news redis connection failed: Redis' TLS certificate verify error: \(\d+:[^)]+\)}



=== TEST 4: a certificate for another name: 503, and why in the log
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_TLS_PORT;
        news_redis_ssl on;
        news_redis_ssl_verify on;
        news_redis_ssl_name redis.example.org;
        news_redis_ssl_trusted_certificate $TEST_NGINX_PKI/ca.crt;
        news_article news:article:$1;
    }
--- request
GET /news/secure
--- error_code: 503
--- error_log
news redis connection failed: Redis' TLS certificate does not match "redis.example.org"



=== TEST 5: plain TCP to the TLS port is no Redis: 503
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_TLS_PORT;
        news_redis_timeout 300ms;
        news_article news:article:$1;
    }
--- request
GET /news/secure
--- error_code_like: ^50[34]$



=== TEST 6: a Redis that wants a client certificate: refused without one
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_MUTUAL_PORT;
        news_redis_ssl on;
        news_article news:article:$1;
    }
--- request
GET /news/secure
--- error_code: 503



=== TEST 7: ... and served with one
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_pass 127.0.0.1:$TEST_NGINX_MUTUAL_PORT;
        news_redis_ssl on;
        news_redis_ssl_certificate $TEST_NGINX_PKI/client.crt;
        news_redis_ssl_certificate_key $TEST_NGINX_PKI/client.key;
        news_redis_ssl_verify on;
        news_redis_ssl_trusted_certificate $TEST_NGINX_PKI/ca.crt;
        news_article news:article:$1;
    }
--- request
GET /news/secure
--- error_code: 200
--- response_body_like: >1 View<
--- no_error_log
[error]



=== TEST 8: verifying needs a trusted certificate: nginx -t says so
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_ssl on;
        news_redis_ssl_verify on;
        news_article news:article:$1;
    }
--- must_die
--- error_log
no "news_redis_ssl_trusted_certificate" for "news_redis_ssl_verify"



=== TEST 9: a client certificate needs its key: nginx -t says so
--- config
    location ~ ^/news/([a-z0-9-]+)$ {
        news_redis_ssl on;
        news_redis_ssl_certificate $TEST_NGINX_PKI/client.crt;
        news_article news:article:$1;
    }
--- must_die
--- error_log eval
qr{no "news_redis_ssl_certificate_key" for "news_redis_ssl_certificate" "\S+/client\.crt"}
