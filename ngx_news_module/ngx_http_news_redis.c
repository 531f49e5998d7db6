
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Redis targets.  A location names one Redis (news_redis_pass), a
 * Redis Cluster (news_redis_cluster) or the sentinels of a primary
 * (news_redis_sentinel); locations with the same settings
 * share a target, and so this worker's connections.  Addresses are
 * resolved when the configuration is read, which keeps DNS off the
 * workers.  A single Redis is one connection (redis_conn.c); a Cluster
 * is one per node, chosen by hash slot (redis_cluster.c); Sentinel is
 * one to the primary it names (redis_sentinel.c).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_sha1.h>

#include <hiredis/hiredis.h>

#include "ngx_http_news_redis.h"


static ngx_int_t ngx_http_news_redis_resolve(ngx_conf_t *cf,
    ngx_str_t *address, ngx_url_t *u);
static ngx_uint_t ngx_http_news_redis_conf_equal(ngx_http_news_redis_conf_t *a,
    ngx_http_news_redis_conf_t *b);
static ngx_uint_t ngx_http_news_redis_str_equal(ngx_str_t *a, ngx_str_t *b);
static ngx_int_t ngx_http_news_redis_open(ngx_http_news_redis_target_t *target,
    ngx_log_t *log);


/*
 * The hiredis this module was compiled with, for the start notice: the
 * dynamic module carries its own (config), so that is the one it uses.
 */

const char *
ngx_http_news_redis_library(void)
{
    return ngx_value(HIREDIS_MAJOR) "." ngx_value(HIREDIS_MINOR) "."
           ngx_value(HIREDIS_PATCH)
#if (NGX_HTTP_NEWS_HIREDIS_BUILT_IN)
           " built in"
#endif
           ;
}


void
ngx_http_news_redis_script_init(ngx_http_news_redis_script_t *script)
{
    u_char      hash[20];
    ngx_sha1_t  sha1;

    ngx_sha1_init(&sha1);
    ngx_sha1_update(&sha1, script->text.data, script->text.len);
    ngx_sha1_final(hash, &sha1);

    ngx_hex_dump(script->sha1, hash, sizeof(hash));
}


/* one more script that connections load when they are set up, once */

ngx_int_t
ngx_http_news_redis_script_use(ngx_array_t *scripts,
    ngx_http_news_redis_script_t *script)
{
    ngx_uint_t                      i;
    ngx_http_news_redis_script_t  **s;

    s = scripts->elts;

    for (i = 0; i < scripts->nelts; i++) {
        if (s[i] == script) {
            return NGX_OK;
        }
    }

    s = ngx_array_push(scripts);
    if (s == NULL) {
        return NGX_ERROR;
    }

    *s = script;

    return NGX_OK;
}


/* the syntax of an address, when its directive is read */

ngx_int_t
ngx_http_news_redis_check_address(ngx_conf_t *cf, ngx_str_t *address)
{
    ngx_url_t  u;

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = *address;
    u.default_port = 6379;
    u.no_resolve = 1;

    if (ngx_parse_url(cf->temp_pool, &u) != NGX_OK) {
        if (u.err) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%s in \"%V\"", u.err, &u.url);
        }

        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_http_news_redis_target_t *
ngx_http_news_redis_add(ngx_conf_t *cf, ngx_array_t *targets,
    ngx_http_news_redis_conf_t *conf, ngx_array_t *scripts)
{
    u_char                         *p;
    size_t                          len;
    ngx_url_t                       u;
    ngx_str_t                      *address;
    ngx_uint_t                      i;
    ngx_http_news_redis_target_t  **t, *target;

    t = targets->elts;

    for (i = 0; i < targets->nelts; i++) {
        if (ngx_http_news_redis_conf_equal(&t[i]->conf, conf)) {
            return t[i];
        }
    }

    target = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_redis_target_t));
    if (target == NULL) {
        return NULL;
    }

    target->conf = *conf;
    target->server.user = conf->user;
    target->server.password = conf->password;
    target->server.db = conf->db;
    target->server.scripts = scripts;

    address = conf->addresses->elts;

    /* its name in logs: the addresses as they were written */

    len = conf->addresses->nelts;

    for (i = 0; i < conf->addresses->nelts; i++) {
        len += address[i].len;
    }

    target->name.data = ngx_pnalloc(cf->pool, len);
    if (target->name.data == NULL) {
        return NULL;
    }

    p = target->name.data;

    for (i = 0; i < conf->addresses->nelts; i++) {
        if (i) {
            *p++ = ' ';
        }

        p = ngx_cpymem(p, address[i].data, address[i].len);
    }

    target->name.len = p - target->name.data;

    if (conf->kind == NGX_HTTP_NEWS_REDIS_CLUSTER) {
        target->cluster = ngx_http_news_redis_cluster_create(cf);
        if (target->cluster == NULL) {
            return NULL;
        }
    }

    if (conf->kind == NGX_HTTP_NEWS_REDIS_SENTINEL) {
        target->sentinel = ngx_http_news_redis_sentinel_create(cf,
                                                   &conf->master,
                                                   &conf->sentinel_user,
                                                   &conf->sentinel_password);
        if (target->sentinel == NULL) {
            return NULL;
        }

        /* a server that ROLE does not call the primary is refused */
        target->server.primary = 1;
    }

    for (i = 0; i < conf->addresses->nelts; i++) {
        if (ngx_http_news_redis_resolve(cf, &address[i], &u) != NGX_OK) {
            return NULL;
        }

        if (i == 0 && conf->tls.enable) {
            /* the name checked: news_redis_ssl_name, else the first host */
            target->server.tls = ngx_http_news_redis_tls_create(cf,
                                                                &conf->tls,
                                                                &u.host);
            if (target->server.tls == NULL) {
                return NULL;
            }
        }

        if (target->sentinel != NULL) {
            if (ngx_http_news_redis_sentinel_watch(target->sentinel, u.addrs,
                                                   u.naddrs)
                != NGX_OK)
            {
                return NULL;
            }

            continue;
        }

        if (target->cluster == NULL) {
            target->addr = &u.addrs[0];
            continue;
        }

        if (ngx_http_news_redis_cluster_seed(target->cluster, &address[i],
                                             u.addrs, u.naddrs)
            != NGX_OK)
        {
            return NULL;
        }
    }

    t = ngx_array_push(targets);
    if (t == NULL) {
        return NULL;
    }

    *t = target;

    return target;
}


/* resolving here, at configuration time, keeps DNS off the workers */

static ngx_int_t
ngx_http_news_redis_resolve(ngx_conf_t *cf, ngx_str_t *address, ngx_url_t *u)
{
    ngx_memzero(u, sizeof(ngx_url_t));

    u->url = *address;
    u->default_port = 6379;
    u->no_resolve = 0;

    if (ngx_parse_url(cf->pool, u) != NGX_OK) {
        if (u->err) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%s in news redis address \"%V\"",
                               u->err, &u->url);
        }

        return NGX_ERROR;
    }

    if (u->naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "no address for news redis \"%V\"", &u->url);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_http_news_redis_conf_equal(ngx_http_news_redis_conf_t *a,
    ngx_http_news_redis_conf_t *b)
{
    ngx_str_t   *x, *y;
    ngx_uint_t   i;

    if (a->kind != b->kind
        || a->addresses->nelts != b->addresses->nelts
        || !ngx_http_news_redis_str_equal(&a->user, &b->user)
        || !ngx_http_news_redis_str_equal(&a->password, &b->password)
        || a->db != b->db
        || !ngx_http_news_redis_tls_conf_equal(&a->tls, &b->tls)
        || !ngx_http_news_redis_str_equal(&a->master, &b->master)
        || !ngx_http_news_redis_str_equal(&a->sentinel_user,
                                          &b->sentinel_user)
        || !ngx_http_news_redis_str_equal(&a->sentinel_password,
                                          &b->sentinel_password))
    {
        return 0;
    }

    x = a->addresses->elts;
    y = b->addresses->elts;

    for (i = 0; i < a->addresses->nelts; i++) {
        if (!ngx_http_news_redis_str_equal(&x[i], &y[i])) {
            return 0;
        }
    }

    return 1;
}


static ngx_uint_t
ngx_http_news_redis_str_equal(ngx_str_t *a, ngx_str_t *b)
{
    return a->len == b->len && ngx_strncmp(a->data, b->data, a->len) == 0;
}


ngx_int_t
ngx_http_news_redis_init_process(ngx_array_t *targets, ngx_log_t *log)
{
    ngx_uint_t                      i;
    ngx_http_news_redis_target_t  **t;

    t = targets->elts;

    for (i = 0; i < targets->nelts; i++) {
        if (ngx_http_news_redis_open(t[i], log) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_redis_open(ngx_http_news_redis_target_t *target, ngx_log_t *log)
{
    ngx_str_t  *address;

    if (target->cluster != NULL) {
        return ngx_http_news_redis_cluster_init(target->cluster,
                                                &target->server, log);
    }

    if (target->sentinel != NULL) {
        return ngx_http_news_redis_sentinel_init(target->sentinel,
                                                 &target->server, log);
    }

    address = target->conf.addresses->elts;

    target->conn = ngx_http_news_redis_conn_open(&target->server,
                                                 target->addr->sockaddr,
                                                 target->addr->socklen,
                                                 &address[0], NULL, log);

    return target->conn ? NGX_OK : NGX_ERROR;
}


void
ngx_http_news_redis_exit_process(ngx_array_t *targets)
{
    ngx_uint_t                      i;
    ngx_http_news_redis_target_t  **t;

    t = targets->elts;

    for (i = 0; i < targets->nelts; i++) {

        if (t[i]->cluster != NULL) {
            ngx_http_news_redis_cluster_exit(t[i]->cluster);

        } else if (t[i]->sentinel != NULL) {
            ngx_http_news_redis_sentinel_exit(t[i]->sentinel);

        } else if (t[i]->conn != NULL) {
            ngx_http_news_redis_conn_destroy(t[i]->conn);
            t[i]->conn = NULL;
        }

        ngx_http_news_redis_tls_exit(t[i]->server.tls);
    }
}


/*
 * NGX_OK: sent (or held for a setup under way), and the handler will be
 * called; NGX_DECLINED: Redis cannot be used now (503 at once);
 * NGX_ERROR: nothing was sent.
 */

ngx_int_t
ngx_http_news_redis_send(ngx_http_news_redis_target_t *target,
    ngx_http_news_redis_command_t *commands, ngx_uint_t n,
    ngx_http_news_redis_handler_pt handler, void *data,
    ngx_http_news_redis_pending_t **pendingp)
{
    ngx_int_t                       rc;
    ngx_http_news_redis_pending_t  *pending;

    /*
     * Workers connect at start; a configuration reloaded without new
     * workers (master_process off) connects on its first request.
     */

    if ((target->cluster != NULL
         ? !ngx_http_news_redis_cluster_opened(target->cluster)
         : target->sentinel != NULL
         ? !ngx_http_news_redis_sentinel_opened(target->sentinel)
         : target->conn == NULL)
        && ngx_http_news_redis_open(target, ngx_cycle->log) != NGX_OK)
    {
        return NGX_ERROR;
    }

    pending = ngx_http_news_redis_pending_create(commands, n, handler, data,
                                                 ngx_cycle->log);
    if (pending == NULL) {
        return NGX_ERROR;
    }

    if (target->cluster != NULL) {
        rc = ngx_http_news_redis_cluster_send(target->cluster, pending);

    } else if (target->sentinel != NULL) {
        rc = ngx_http_news_redis_sentinel_send(target->sentinel, pending);

    } else {
        rc = ngx_http_news_redis_conn_send(target->conn, pending);
    }

    if (rc != NGX_OK) {
        ngx_http_news_redis_pending_free(pending);
        return rc;
    }

    *pendingp = pending;

    return NGX_OK;
}
