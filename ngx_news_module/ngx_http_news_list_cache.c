
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_list_cache.h"


/*
 * Slots by the key's hash, one page each: a new page takes its slot's
 * place.  At most this many pages, each at most
 * NGX_HTTP_NEWS_LIST_CACHE_MAX_BODY: 64 MB per worker at the very worst,
 * a few MB for the pages of a site (its home, sections, feeds).
 */
#define NGX_HTTP_NEWS_LIST_CACHE_SLOTS  128


typedef struct {
    ngx_str_t                   key;
    ngx_msec_t                  expires;
    ngx_http_news_list_kept_t   page;       /* key, body and ETag follow */
} ngx_http_news_list_slot_t;


static ngx_http_news_list_slot_t  *ngx_http_news_list_slots[
                                            NGX_HTTP_NEWS_LIST_CACHE_SLOTS];


/*
 * The kept page of key, if it has not expired: NGX_OK with the page,
 * whose memory stays valid until the next ngx_http_news_list_cache_put()
 * (the caller copies what it sends); NGX_DECLINED otherwise.
 */

ngx_int_t
ngx_http_news_list_cache_get(ngx_str_t *key, ngx_http_news_list_kept_t *page)
{
    ngx_http_news_list_slot_t  *s;

    s = ngx_http_news_list_slots[ngx_hash_key(key->data, key->len)
                                 % NGX_HTTP_NEWS_LIST_CACHE_SLOTS];

    if (s == NULL
        || s->key.len != key->len
        || ngx_memcmp(s->key.data, key->data, key->len) != 0
        || (ngx_msec_int_t) (s->expires - ngx_current_msec) <= 0)
    {
        return NGX_DECLINED;
    }

    *page = s->page;

    return NGX_OK;
}


void
ngx_http_news_list_cache_put(ngx_str_t *key, ngx_msec_t ttl,
    ngx_http_news_list_kept_t *page, ngx_log_t *log)
{
    u_char                      *p;
    ngx_uint_t                   i;
    ngx_http_news_list_slot_t   *s;

    if (page->body.len > NGX_HTTP_NEWS_LIST_CACHE_MAX_BODY) {
        return;
    }

    i = ngx_hash_key(key->data, key->len) % NGX_HTTP_NEWS_LIST_CACHE_SLOTS;

    if (ngx_http_news_list_slots[i] != NULL) {
        ngx_free(ngx_http_news_list_slots[i]);
        ngx_http_news_list_slots[i] = NULL;
    }

    /* when memory is short, the page is simply not kept */

    s = ngx_alloc(sizeof(ngx_http_news_list_slot_t) + key->len
                  + page->body.len + page->etag.len, log);
    if (s == NULL) {
        return;
    }

    p = (u_char *) &s[1];

    s->key.data = p;
    s->key.len = key->len;
    p = ngx_cpymem(p, key->data, key->len);

    s->page = *page;

    s->page.body.data = p;
    p = ngx_cpymem(p, page->body.data, page->body.len);

    s->page.etag.data = p;
    (void) ngx_cpymem(p, page->etag.data, page->etag.len);

    s->expires = ngx_current_msec + ttl;

    ngx_http_news_list_slots[i] = s;
}


void
ngx_http_news_list_cache_empty(void)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_NEWS_LIST_CACHE_SLOTS; i++) {
        if (ngx_http_news_list_slots[i] != NULL) {
            ngx_free(ngx_http_news_list_slots[i]);
            ngx_http_news_list_slots[i] = NULL;
        }
    }
}
