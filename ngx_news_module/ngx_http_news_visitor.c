
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_sha1.h>

#include "ngx_http_news_visitor.h"
#include "ngx_http_news_redis_cluster.h"


/* the hex digits of the hash kept in a key: 128 bits */
#define NGX_HTTP_NEWS_VISITOR_HEX  32


/*
 * A secret of the configuration, from the kernel's random source: with
 * it, a stored hash cannot be matched against hashes of guessed
 * addresses.  It lives in memory only, so a reload starts anew.
 */

ngx_int_t
ngx_http_news_visitor_secret(ngx_log_t *log, u_char *secret)
{
    ssize_t   n;
    ngx_fd_t  fd;

    fd = ngx_open_file("/dev/urandom", NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_EMERG, log, ngx_errno,
                      ngx_open_file_n " \"/dev/urandom\" failed");
        return NGX_ERROR;
    }

    n = ngx_read_fd(fd, secret, NGX_HTTP_NEWS_SECRET_LEN);

    if (n != NGX_HTTP_NEWS_SECRET_LEN) {
        ngx_log_error(NGX_LOG_EMERG, log, ngx_errno,
                      "cannot read a secret from \"/dev/urandom\"");
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                      ngx_close_file_n " \"/dev/urandom\" failed");
    }

    return n == NGX_HTTP_NEWS_SECRET_LEN ? NGX_OK : NGX_ERROR;
}


/*
 * "<article key>:seen:<hash>", the hash being SHA-1 of the secret, the
 * UTC day and the visitor (news_views_visitor): the day is the salt that
 * rotates, so nothing links a visitor's hashes of two days.  With tag,
 * "{<article key>}:seen:<hash>" (ngx_http_news_redis_cluster_beside()):
 * in a Redis Cluster the braces make the mark hash as the article key
 * does, so both are in one slot (for a key with a hash tag of its own,
 * its tag does that, and tag is not asked).
 */

ngx_int_t
ngx_http_news_visitor_key(ngx_http_request_t *r, u_char *secret,
    ngx_http_complex_value_t *visitor, ngx_str_t *article, ngx_uint_t tag,
    ngx_str_t *key)
{
    u_char      *p;
    u_char       day[NGX_TIME_T_LEN], hash[20];
    u_char       suffix[sizeof(":seen:") - 1 + NGX_HTTP_NEWS_VISITOR_HEX];
    ngx_str_t    who, seen;
    ngx_sha1_t   sha1;

    if (ngx_http_complex_value(r, visitor, &who) != NGX_OK) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(day, "%T", ngx_time() / 86400);

    ngx_sha1_init(&sha1);
    ngx_sha1_update(&sha1, secret, NGX_HTTP_NEWS_SECRET_LEN);
    ngx_sha1_update(&sha1, day, p - day);
    ngx_sha1_update(&sha1, "\n", 1);
    ngx_sha1_update(&sha1, who.data, who.len);
    ngx_sha1_final(hash, &sha1);

    p = ngx_cpymem(suffix, ":seen:", sizeof(":seen:") - 1);
    ngx_hex_dump(p, hash, NGX_HTTP_NEWS_VISITOR_HEX / 2);

    seen.data = suffix;
    seen.len = sizeof(suffix);

    if (tag) {
        return ngx_http_news_redis_cluster_beside(article, &seen, r->pool,
                                                  key);
    }

    key->len = article->len + seen.len;

    key->data = ngx_pnalloc(r->pool, key->len);
    if (key->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(key->data, article->data, article->len);
    ngx_memcpy(p, seen.data, seen.len);

    return NGX_OK;
}
