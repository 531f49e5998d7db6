
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_news_module.h"
#include "ngx_http_news_url.h"


static ngx_int_t ngx_http_news_url_host(ngx_http_request_t *r,
    ngx_str_t *host);
static ngx_int_t ngx_http_news_url_slug(ngx_http_news_loc_conf_t *nlcf,
    ngx_str_t *key, ngx_str_t *slug);
static ngx_int_t ngx_http_news_url_join(ngx_pool_t *pool, ngx_str_t *base,
    ngx_str_t *path, ngx_str_t *tail, ngx_str_t *url);


/*
 * news_base_url, else the server's own name and port: the client's Host
 * is trusted last, as a name it gives can end up in caches and crawlers.
 */

ngx_int_t
ngx_http_news_url_base(ngx_http_request_t *r, ngx_str_t *base)
{
    u_char                    *p;
    ngx_str_t                  host;
    ngx_uint_t                 port, ssl;
    ngx_http_news_loc_conf_t  *nlcf;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    if (nlcf->base_url != NULL) {
        return ngx_http_complex_value(r, nlcf->base_url, base);
    }

    if (ngx_http_news_url_host(r, &host) != NGX_OK) {
        return NGX_ERROR;
    }

    ssl = 0;
#if (NGX_HTTP_SSL)
    ssl = (r->connection->ssl != NULL);
#endif

    port = ngx_inet_get_port(r->connection->local_sockaddr);

    if (port == (ssl ? 443 : 80)) {
        port = 0;
    }

    base->data = ngx_pnalloc(r->pool, sizeof("https://:65535") + host.len);
    if (base->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(base->data, "%s://%V", ssl ? "https" : "http", &host);

    if (port) {
        p = ngx_sprintf(p, ":%ui", port);
    }

    base->len = p - base->data;

    return NGX_OK;
}


/* the first server_name when it names one host, else Host, else the IP */

static ngx_int_t
ngx_http_news_url_host(ngx_http_request_t *r, ngx_str_t *host)
{
    u_char                    *p;
    size_t                     len;
    ngx_http_core_srv_conf_t  *cscf;
    u_char                     text[NGX_SOCKADDR_STRLEN];

    cscf = ngx_http_get_module_srv_conf(r, ngx_http_core_module);

    *host = cscf->server_name;

    if (host->len && host->data[0] != '*' && host->data[0] != '.'
        && host->data[0] != '~' && ngx_strlchr(host->data,
                                               host->data + host->len, '*')
                                   == NULL
        && !(host->len == 1 && host->data[0] == '_'))
    {
        return NGX_OK;
    }

    if (r->headers_in.server.len) {
        *host = r->headers_in.server;
        return NGX_OK;
    }

    /* HTTP/1.0 without Host: the address the request came to */

    if (ngx_connection_local_sockaddr(r->connection, NULL, 0) != NGX_OK) {
        return NGX_ERROR;
    }

    len = ngx_sock_ntop(r->connection->local_sockaddr,
                        r->connection->local_socklen, text,
                        NGX_SOCKADDR_STRLEN, 0);

    p = ngx_pnalloc(r->pool, len + 2);
    if (p == NULL) {
        return NGX_ERROR;
    }

    host->data = p;

    if (r->connection->local_sockaddr->sa_family == AF_INET6) {
        *p++ = '[';
        p = ngx_cpymem(p, text, len);
        *p++ = ']';

    } else {
        p = ngx_cpymem(p, text, len);
    }

    host->len = p - host->data;

    return NGX_OK;
}


/*
 * With news_article_url, an article's URL is the base, that path and its
 * slug (its key without "<news_key_prefix>article:"), wherever it is
 * shown; without, or for a key not of that form, the page's own path.
 */

ngx_int_t
ngx_http_news_url_article(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *url)
{
    ngx_str_t                  base, path, slug;
    ngx_http_news_loc_conf_t  *nlcf;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    if (ngx_http_news_url_base(r, &base) != NGX_OK) {
        return NGX_ERROR;
    }

    if (nlcf->article_url.len
        && ngx_http_news_url_slug(nlcf, key, &slug) == NGX_OK)
    {
        return ngx_http_news_url_join(r->pool, &base, &nlcf->article_url,
                                      &slug, url);
    }

    ngx_str_null(&path);

    return ngx_http_news_url_join(r->pool, &base, &path, &r->uri, url);
}


/*
 * An article of a list, whose page is not the one asked for: the path
 * is news_article_url, "/news/" without it; base is the list's.
 */

ngx_int_t
ngx_http_news_url_listed(ngx_http_request_t *r, ngx_str_t *base,
    ngx_str_t *key, ngx_str_t *url)
{
    ngx_str_t                  path, slug;
    ngx_http_news_loc_conf_t  *nlcf;

    nlcf = ngx_http_get_module_loc_conf(r, ngx_http_news_module);

    path = nlcf->article_url;

    if (path.len == 0) {
        ngx_str_set(&path, "/news/");
    }

    if (ngx_http_news_url_slug(nlcf, key, &slug) != NGX_OK) {
        slug = *key;
    }

    return ngx_http_news_url_join(r->pool, base, &path, &slug, url);
}


/* the slug of a key "<news_key_prefix>article:<slug>"; NGX_DECLINED */

static ngx_int_t
ngx_http_news_url_slug(ngx_http_news_loc_conf_t *nlcf, ngx_str_t *key,
    ngx_str_t *slug)
{
    size_t  skip;

    skip = nlcf->key_prefix.len + sizeof("article:") - 1;

    if (key->len <= skip
        || ngx_strncmp(key->data, nlcf->key_prefix.data,
                       nlcf->key_prefix.len) != 0
        || ngx_strncmp(key->data + nlcf->key_prefix.len, "article:",
                       sizeof("article:") - 1) != 0)
    {
        return NGX_DECLINED;
    }

    slug->data = key->data + skip;
    slug->len = key->len - skip;

    return NGX_OK;
}


/* base, path, and tail escaped again for use in a URL */

static ngx_int_t
ngx_http_news_url_join(ngx_pool_t *pool, ngx_str_t *base, ngx_str_t *path,
    ngx_str_t *tail, ngx_str_t *url)
{
    u_char  *p;

    url->data = ngx_pnalloc(pool, base->len + path->len + tail->len
                                  + 2 * ngx_escape_uri(NULL, tail->data,
                                                       tail->len,
                                                       NGX_ESCAPE_URI));
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(url->data, base->data, base->len);
    p = ngx_cpymem(p, path->data, path->len);
    p = (u_char *) ngx_escape_uri(p, tail->data, tail->len, NGX_ESCAPE_URI);

    url->len = p - url->data;

    return NGX_OK;
}


/*
 * A reference (an image's src, say) made absolute against the page's
 * URL, as a browser would, for readers that take only absolute URLs
 * (og:image, JSON-LD, feeds).  Dot segments are left as they are.
 */

ngx_int_t
ngx_http_news_url_resolve(ngx_str_t *page, ngx_str_t *ref, ngx_pool_t *pool,
    ngx_str_t *url)
{
    u_char      *p, *last, *scheme, *origin;
    ngx_uint_t   slash;

    if (ref->len == 0) {
        *url = *ref;
        return NGX_OK;
    }

    /* a scheme: letters, digits, "+", "-", "." before the first ":" */

    for (p = ref->data; p < ref->data + ref->len; p++) {

        if (*p == ':' && p != ref->data) {
            *url = *ref;
            return NGX_OK;
        }

        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '+' || *p == '-'
              || *p == '.'))
        {
            break;
        }
    }

    last = page->data + page->len;

    scheme = ngx_strlchr(page->data, last, ':');

    if (scheme == NULL || last - scheme < 3
        || scheme[1] != '/' || scheme[2] != '/')
    {
        *url = *ref;
        return NGX_OK;
    }

    origin = ngx_strlchr(scheme + 3, last, '/');
    if (origin == NULL) {
        origin = last;
    }

    slash = 0;

    if (ref->len > 1 && ref->data[0] == '/' && ref->data[1] == '/') {
        last = scheme + 1;                      /* "https:" */

    } else if (ref->data[0] == '/') {
        last = origin;                          /* "https://host" */

    } else if (origin == last) {
        slash = 1;                              /* "https://host" "/" */

    } else {
        while (last[-1] != '/') {               /* the page's directory */
            last--;
        }
    }

    url->data = ngx_pnalloc(pool, (last - page->data) + slash + ref->len);
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(url->data, page->data, last - page->data);

    if (slash) {
        *p++ = '/';
    }

    p = ngx_cpymem(p, ref->data, ref->len);
    url->len = p - url->data;

    return NGX_OK;
}
