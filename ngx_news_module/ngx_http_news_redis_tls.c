
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ngx_http_news_redis_tls.h"


struct ngx_http_news_redis_tls_s {
#if (NGX_SSL)
    ngx_ssl_t                     ssl;
    ngx_ssl_session_t            *session;  /* this worker's last */
#endif
    ngx_str_t                     name;
    ngx_flag_t                    verify;
};


#if (NGX_SSL)
static ngx_int_t ngx_http_news_redis_tls_check_name(
    ngx_http_news_redis_tls_t *tls, ngx_connection_t *c);
static void ngx_http_news_redis_tls_save_session(ngx_connection_t *c);
#endif


void
ngx_http_news_redis_tls_conf_init(ngx_http_news_redis_tls_conf_t *conf)
{
    /*
     * set by ngx_pcalloc() with the location's configuration:
     *
     *     conf->name = { 0, NULL };
     *     conf->trusted_certificate = { 0, NULL };
     *     conf->certificate = { 0, NULL };
     *     conf->certificate_key = { 0, NULL };
     */

    conf->enable = NGX_CONF_UNSET;
    conf->verify = NGX_CONF_UNSET;
    conf->verify_depth = NGX_CONF_UNSET_UINT;
}


void
ngx_http_news_redis_tls_conf_merge(ngx_http_news_redis_tls_conf_t *conf,
    ngx_http_news_redis_tls_conf_t *prev)
{
    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_value(conf->verify, prev->verify, 0);
    ngx_conf_merge_uint_value(conf->verify_depth, prev->verify_depth, 1);
    ngx_conf_merge_str_value(conf->name, prev->name, "");
    ngx_conf_merge_str_value(conf->trusted_certificate,
                             prev->trusted_certificate, "");
    ngx_conf_merge_str_value(conf->certificate, prev->certificate, "");
    ngx_conf_merge_str_value(conf->certificate_key, prev->certificate_key,
                             "");
}


#define ngx_http_news_str_eq(a, b)                                           \
    ((a)->len == (b)->len && ngx_memcmp((a)->data, (b)->data, (a)->len) == 0)


/* locations with the same settings share a target, and its connection */

ngx_uint_t
ngx_http_news_redis_tls_conf_equal(ngx_http_news_redis_tls_conf_t *a,
    ngx_http_news_redis_tls_conf_t *b)
{
    if (!a->enable || !b->enable) {
        return a->enable == b->enable;
    }

    return a->verify == b->verify
           && a->verify_depth == b->verify_depth
           && ngx_http_news_str_eq(&a->name, &b->name)
           && ngx_http_news_str_eq(&a->trusted_certificate,
                                   &b->trusted_certificate)
           && ngx_http_news_str_eq(&a->certificate, &b->certificate)
           && ngx_http_news_str_eq(&a->certificate_key, &b->certificate_key);
}


/*
 * The context, made when the configuration is read, so that a missing
 * or bad file fails nginx -t at its directive's level.  host: the
 * address's host, the name sent and checked unless news_redis_ssl_name
 * gives another.
 */

ngx_http_news_redis_tls_t *
ngx_http_news_redis_tls_create(ngx_conf_t *cf,
    ngx_http_news_redis_tls_conf_t *conf, ngx_str_t *host)
{
#if (NGX_SSL)
    ngx_pool_cleanup_t         *cln;
    ngx_http_news_redis_tls_t  *tls;

    tls = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_redis_tls_t));
    if (tls == NULL) {
        return NULL;
    }

    tls->name = conf->name.len ? conf->name : *host;
    tls->verify = conf->verify;
    tls->ssl.log = cf->log;

    /* tls is the context's data: save_session finds it there */

    if (ngx_ssl_create(&tls->ssl, NGX_SSL_TLSv1_2|NGX_SSL_TLSv1_3, tls)
        != NGX_OK)
    {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(&tls->ssl);
        return NULL;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = &tls->ssl;

    if (conf->certificate.len) {

        if (conf->certificate_key.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "no \"news_redis_ssl_certificate_key\" for "
                               "\"news_redis_ssl_certificate\" \"%V\"",
                               &conf->certificate);
            return NULL;
        }

        if (ngx_ssl_certificate(cf, &tls->ssl, &conf->certificate,
                                &conf->certificate_key, NULL)
            != NGX_OK)
        {
            return NULL;
        }
    }

    if (conf->verify) {

        if (conf->trusted_certificate.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "no \"news_redis_ssl_trusted_certificate\" "
                               "for \"news_redis_ssl_verify\"");
            return NULL;
        }

        if (ngx_ssl_trusted_certificate(cf, &tls->ssl,
                                        &conf->trusted_certificate,
                                        conf->verify_depth)
            != NGX_OK)
        {
            return NULL;
        }
    }

    if (ngx_ssl_client_session_cache(cf, &tls->ssl, 1) != NGX_OK) {
        return NULL;
    }

    return tls;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"news_redis_ssl\" needs nginx built with OpenSSL");
    return NULL;

#endif
}


/*
 * NGX_AGAIN: handshaked is called when the handshake ends; anything
 * else: it ended, or could not start (tls_check says which).  The
 * connection needs a pool (ngx_ssl's allocations).
 */

ngx_int_t
ngx_http_news_redis_tls_start(ngx_http_news_redis_tls_t *tls,
    ngx_connection_t *c, ngx_connection_handler_pt handshaked)
{
#if (NGX_SSL)
    ngx_int_t  rc;

    if (ngx_ssl_create_connection(&tls->ssl, c, NGX_SSL_BUFFER|NGX_SSL_CLIENT)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

#ifdef SSL_CTRL_SET_TLSEXT_HOSTNAME

    /* SNI: a name, not an address */

    if (tls->name.len && ngx_inet_addr(tls->name.data, tls->name.len)
                         == INADDR_NONE)
    {
        u_char  host[NGX_MAXHOSTNAMELEN + 1];

        if (tls->name.len > NGX_MAXHOSTNAMELEN) {
            return NGX_ERROR;
        }

        ngx_cpystrn(host, tls->name.data, tls->name.len + 1);

        if (SSL_set_tlsext_host_name(c->ssl->connection, (char *) host) == 0)
        {
            ngx_ssl_error(NGX_LOG_ERR, c->log, 0,
                          "SSL_set_tlsext_host_name(\"%s\") failed", host);
            return NGX_ERROR;
        }
    }

#endif

    if (tls->session != NULL
        && ngx_ssl_set_session(c, tls->session) != NGX_OK)
    {
        return NGX_ERROR;
    }

    c->ssl->save_session = ngx_http_news_redis_tls_save_session;

    rc = ngx_ssl_handshake(c);

    if (rc == NGX_AGAIN) {
        c->ssl->handler = handshaked;
    }

    return rc;

#else

    return NGX_ERROR;

#endif
}


/*
 * After the handshake: the certificate and the name, with
 * news_redis_ssl_verify.  NGX_ERROR with the reason, made in buf.
 */

ngx_int_t
ngx_http_news_redis_tls_check(ngx_http_news_redis_tls_t *tls,
    ngx_connection_t *c, u_char *buf, size_t size, ngx_str_t *reason)
{
#if (NGX_SSL)
    long  rc;

    if (c->ssl == NULL || !c->ssl->handshaked) {
        ngx_str_set(reason, "the TLS handshake failed");
        return NGX_ERROR;
    }

    if (!tls->verify) {
        return NGX_OK;
    }

    rc = SSL_get_verify_result(c->ssl->connection);

    if (rc != X509_V_OK) {
        reason->data = buf;
        reason->len = ngx_snprintf(buf, size,
                                   "Redis' TLS certificate verify error: "
                                   "(%l:%s)", rc,
                                   X509_verify_cert_error_string(rc))
                      - buf;
        return NGX_ERROR;
    }

    if (ngx_http_news_redis_tls_check_name(tls, c) != NGX_OK) {
        reason->data = buf;
        reason->len = ngx_snprintf(buf, size,
                                   "Redis' TLS certificate does not match "
                                   "\"%V\"", &tls->name)
                      - buf;
        return NGX_ERROR;
    }

    return NGX_OK;

#else

    ngx_str_set(reason, "no TLS in this nginx");
    return NGX_ERROR;

#endif
}


/* before the socket is closed: no waiting for Redis' close_notify */

void
ngx_http_news_redis_tls_close(ngx_connection_t *c)
{
#if (NGX_SSL)
    if (c->ssl != NULL) {
        c->ssl->no_wait_shutdown = 1;
        c->ssl->no_send_shutdown = 1;
        (void) ngx_ssl_shutdown(c);
    }
#endif
}


void
ngx_http_news_redis_tls_exit(ngx_http_news_redis_tls_t *tls)
{
#if (NGX_SSL)
    if (tls != NULL && tls->session != NULL) {
        ngx_ssl_free_session(tls->session);
        tls->session = NULL;
    }
#endif
}


#if (NGX_SSL)

/*
 * Redis is often reached by address: an address is checked against the
 * certificate's IP addresses (nginx's own check knows host names only).
 */

static ngx_int_t
ngx_http_news_redis_tls_check_name(ngx_http_news_redis_tls_t *tls,
    ngx_connection_t *c)
{
    int        rc;
    X509      *cert;
    u_char     ip[NGX_SOCKADDR_STRLEN + 1];
    ngx_str_t  name;

    name = tls->name;

    if (name.len > 2 && name.data[0] == '[' && name.data[name.len - 1] == ']')
    {
        name.data++;
        name.len -= 2;
    }

    if (name.len == 0 || name.len > NGX_SOCKADDR_STRLEN
        || (ngx_inet_addr(name.data, name.len) == INADDR_NONE
#if (NGX_HAVE_INET6)
            && ngx_strlchr(name.data, name.data + name.len, ':') == NULL
#endif
           ))
    {
        return ngx_ssl_check_host(c, &tls->name);
    }

    cert = SSL_get_peer_certificate(c->ssl->connection);
    if (cert == NULL) {
        return NGX_ERROR;
    }

    ngx_cpystrn(ip, name.data, name.len + 1);

    rc = X509_check_ip_asc(cert, (char *) ip, 0);

    X509_free(cert);

    return (rc == 1) ? NGX_OK : NGX_ERROR;
}


/* the session to offer at the next connection (TLS 1.3: after it) */

static void
ngx_http_news_redis_tls_save_session(ngx_connection_t *c)
{
    ngx_ssl_session_t          *session;
    ngx_http_news_redis_tls_t  *tls;

    tls = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(c->ssl->connection),
                              ngx_ssl_server_conf_index);

    session = ngx_ssl_get_session(c);
    if (session == NULL) {
        return;
    }

    if (tls == NULL) {
        ngx_ssl_free_session(session);
        return;
    }

    if (tls->session != NULL) {
        ngx_ssl_free_session(tls->session);
    }

    tls->session = session;
}

#endif
