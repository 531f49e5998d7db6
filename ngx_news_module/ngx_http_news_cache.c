
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * One cache per worker process: a red-black tree of keys and a queue
 * in order of use, as nginx's own caches keep them, but in the heap of
 * the process, since no other process could use what it holds.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_cache.h"


typedef struct {
    ngx_rbtree_t                  tree;
    ngx_rbtree_node_t             sentinel;
    ngx_queue_t                   queue;
    size_t                        size;
    size_t                        max;
    unsigned                      ready:1;
} ngx_http_news_cache_t;


static void ngx_http_news_cache_evict(size_t max);
static void ngx_http_news_cache_unlink(ngx_http_news_cache_entry_t *e);
static void ngx_http_news_cache_free(ngx_http_news_cache_entry_t *e);
static ngx_uint_t ngx_http_news_cache_same(ngx_str_t *a, ngx_str_t *b);


static ngx_http_news_cache_t  ngx_http_news_cache;


/* the bound of the running configuration; 0 turns the cache off */

void
ngx_http_news_cache_size(size_t max)
{
    ngx_http_news_cache_t  *cache;

    cache = &ngx_http_news_cache;

    if (!cache->ready) {
        ngx_rbtree_init(&cache->tree, &cache->sentinel,
                        ngx_str_rbtree_insert_value);
        ngx_queue_init(&cache->queue);
        cache->ready = 1;
    }

    if (max < cache->max) {
        ngx_http_news_cache_evict(max);
    }

    cache->max = max;
}


/* everything goes: the worker is exiting, and no request holds any */

void
ngx_http_news_cache_empty(void)
{
    if (ngx_http_news_cache.ready) {
        ngx_http_news_cache_evict(0);
    }
}


ngx_http_news_cache_entry_t *
ngx_http_news_cache_get(ngx_str_t *key)
{
    ngx_str_node_t               *n;
    ngx_http_news_cache_t        *cache;
    ngx_http_news_cache_entry_t  *e;

    cache = &ngx_http_news_cache;

    if (cache->max == 0) {
        return NULL;
    }

    n = ngx_str_rbtree_lookup(&cache->tree, key,
                              ngx_crc32_short(key->data, key->len));
    if (n == NULL) {
        return NULL;
    }

    e = (ngx_http_news_cache_entry_t *) n;

    ngx_queue_remove(&e->queue);
    ngx_queue_insert_head(&cache->queue, &e->queue);

    return e;
}


/*
 * Keeps an article, with the pool it is in, in place of what was kept
 * for its key.  NULL when it is not kept (the cache is off, it has no
 * revision, or it alone is larger than the cache): the pool is then
 * still the caller's.
 */

ngx_http_news_cache_entry_t *
ngx_http_news_cache_put(ngx_str_t *key, ngx_http_news_article_t *article,
    ngx_pool_t *pool)
{
    size_t                        size;
    ngx_http_news_cache_t        *cache;
    ngx_http_news_cache_entry_t  *e;

    cache = &ngx_http_news_cache;

    ngx_http_news_cache_remove(key);

    size = sizeof(ngx_http_news_cache_entry_t) + key->len + article->size;

    if (article->field[NGX_HTTP_NEWS_REV].len == 0 || size > cache->max) {
        return NULL;
    }

    e = ngx_alloc(sizeof(ngx_http_news_cache_entry_t) + key->len,
                  ngx_cycle->log);
    if (e == NULL) {
        return NULL;
    }

    ngx_memzero(e, sizeof(ngx_http_news_cache_entry_t));

    e->node.str.data = (u_char *) &e[1];
    e->node.str.len = key->len;
    ngx_memcpy(e->node.str.data, key->data, key->len);
    e->node.node.key = ngx_crc32_short(key->data, key->len);

    /*
     * The pool was made with the request's log, which goes with its
     * connection; the entry outlives both, and ngx_destroy_pool() logs.
     */

    pool->log = ngx_cycle->log;

    e->pool = pool;
    e->article = article;
    e->size = size;

    ngx_http_news_cache_evict(cache->max - size);

    ngx_rbtree_insert(&cache->tree, &e->node.node);
    ngx_queue_insert_head(&cache->queue, &e->queue);
    e->cached = 1;
    cache->size += size;

    return e;
}


void
ngx_http_news_cache_remove(ngx_str_t *key)
{
    ngx_str_node_t         *n;
    ngx_http_news_cache_t  *cache;

    cache = &ngx_http_news_cache;

    if (!cache->ready) {
        return;
    }

    n = ngx_str_rbtree_lookup(&cache->tree, key,
                              ngx_crc32_short(key->data, key->len));
    if (n != NULL) {
        ngx_http_news_cache_unlink((ngx_http_news_cache_entry_t *) n);
    }
}


void
ngx_http_news_cache_hold(ngx_http_news_cache_entry_t *e)
{
    e->refs++;
}


void
ngx_http_news_cache_release(ngx_http_news_cache_entry_t *e)
{
    if (--e->refs == 0 && !e->cached) {
        ngx_http_news_cache_free(e);
    }
}


/* the page kept, if it was rendered for the same variant */

ngx_http_news_rendered_t *
ngx_http_news_cache_page(ngx_http_news_cache_entry_t *e,
    ngx_http_news_cache_variant_t *v)
{
    if (e->page_memory == NULL
        || e->variant.generation != v->generation
        || e->variant.conf != v->conf
        || !ngx_http_news_cache_same(&e->variant.url, &v->url)
        || !ngx_http_news_cache_same(&e->variant.beacon_url, &v->beacon_url))
    {
        return NULL;
    }

    return &e->page;
}


/*
 * Keeps a copy of a page rendered in a request's pool, in place of the
 * one kept before; returns the copy, or NULL if it was not kept.  A page
 * being sent to another request still uses the old copy: it is freed
 * with its entry, never replaced while the entry is in use.
 */

ngx_http_news_rendered_t *
ngx_http_news_cache_set_page(ngx_http_news_cache_entry_t *e,
    ngx_http_news_cache_variant_t *v, ngx_http_news_rendered_t *page)
{
    u_char                 *p;
    size_t                  size, cuts, old;
    ngx_http_news_cache_t  *cache;

    cache = &ngx_http_news_cache;

    if (!e->cached || (e->page_memory != NULL && e->refs > 1)) {
        return NULL;
    }

    cuts = page->ncuts * sizeof(ngx_http_news_cut_t);
    size = cuts + page->text.len + v->url.len + v->beacon_url.len;

    old = 0;

    if (e->page_memory != NULL) {
        old = e->page.ncuts * sizeof(ngx_http_news_cut_t) + e->page.text.len
              + e->variant.url.len + e->variant.beacon_url.len;
    }

    if (e->size - old + size > cache->max) {
        return NULL;
    }

    p = ngx_alloc(size + 1, ngx_cycle->log);
    if (p == NULL) {
        return NULL;
    }

    if (e->page_memory != NULL) {
        ngx_free(e->page_memory);
    }

    e->page_memory = p;
    e->size += size - old;
    cache->size += size - old;

    /* the cuts first: they are the only part that needs alignment */

    e->page.cuts = (ngx_http_news_cut_t *) p;
    e->page.ncuts = page->ncuts;
    p = ngx_cpymem(p, page->cuts, cuts);

    e->page.text.data = p;
    e->page.text.len = page->text.len;
    p = ngx_cpymem(p, page->text.data, page->text.len);

    e->variant = *v;

    e->variant.url.data = p;
    p = ngx_cpymem(p, v->url.data, v->url.len);

    e->variant.beacon_url.data = p;
    ngx_memcpy(p, v->beacon_url.data, v->beacon_url.len);

    ngx_http_news_cache_evict(cache->max);

    return &e->page;
}


/* the least recently used go until the cache holds at most max bytes */

static void
ngx_http_news_cache_evict(size_t max)
{
    ngx_queue_t                  *q;
    ngx_http_news_cache_t        *cache;
    ngx_http_news_cache_entry_t  *e;

    cache = &ngx_http_news_cache;

    while (cache->size > max && !ngx_queue_empty(&cache->queue)) {
        q = ngx_queue_last(&cache->queue);
        e = ngx_queue_data(q, ngx_http_news_cache_entry_t, queue);
        ngx_http_news_cache_unlink(e);
    }
}


static void
ngx_http_news_cache_unlink(ngx_http_news_cache_entry_t *e)
{
    ngx_http_news_cache_t  *cache;

    cache = &ngx_http_news_cache;

    ngx_rbtree_delete(&cache->tree, &e->node.node);
    ngx_queue_remove(&e->queue);
    cache->size -= e->size;
    e->cached = 0;

    if (e->refs == 0) {
        ngx_http_news_cache_free(e);
    }
}


static void
ngx_http_news_cache_free(ngx_http_news_cache_entry_t *e)
{
    ngx_destroy_pool(e->pool);

    if (e->page_memory != NULL) {
        ngx_free(e->page_memory);
    }

    ngx_free(e);
}


static ngx_uint_t
ngx_http_news_cache_same(ngx_str_t *a, ngx_str_t *b)
{
    return a->len == b->len && ngx_memcmp(a->data, b->data, a->len) == 0;
}
