
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * (e) The worker's cache of articles and pages (ngx_http_news_cache.c),
 * small (news_cache_size from the input, at most 16 KB), driven by the
 * input as requests in flight drive it: the first byte is the cache's
 * size, then each byte an operation and the bytes after it its
 * arguments.  A request asks (gets and holds what is kept for its key,
 * as ngx_http_news_ask() does) and, any number of operations later, as
 * when Redis answers, responds: keeps the article Redis sent (of a
 * size, with or without a revision; also in place of the revision it
 * holds) or uses the one it holds, then sends the page kept for its
 * variant (location, URL) or renders one and keeps it.  Requests end in
 * any order, also before their answer; keys are removed (a draft, a
 * deleted article) and the size changed between any two steps.
 * Checks: no memory error (an entry, article or page freed while a
 * request uses it is a use after free), no leak (all the memory the run
 * took is given back once every request ended and the size went to 0),
 * a kept page is the page of its article's revision and its variant,
 * and what was just kept or removed is found or not.
 */


#include "fuzz_common.h"

#include <sanitizer/allocator_interface.h>

#include "ngx_http_news_cache.h"


#define FUZZ_REQUESTS  4
#define FUZZ_KEYS      4


typedef enum {
    FUZZ_IDLE = 0,
    FUZZ_ASKED,                 /* waiting for Redis */
    FUZZ_SENDING
} fuzz_state_e;


typedef struct {
    fuzz_state_e                     state;
    ngx_str_t                       *key;
    ngx_http_news_cache_variant_t    variant;
    ngx_http_news_cache_entry_t     *entry;     /* held */
    ngx_pool_t                      *pool;      /* its article's, not kept */
    ngx_http_news_article_t         *article;
    u_char                           rev[8];
    size_t                           rev_len;
    ngx_http_news_rendered_t        *page;      /* what it sends */
    ngx_http_news_rendered_t         fresh;     /* rendered by it */
} fuzz_request_t;


typedef struct {
    const uint8_t                   *p;
    const uint8_t                   *last;
} fuzz_input_t;


static ngx_uint_t fuzz_byte(fuzz_input_t *in);
static void fuzz_ask(fuzz_request_t *r, fuzz_input_t *in);
static void fuzz_respond(fuzz_request_t *r, fuzz_input_t *in);
static void fuzz_fetch(fuzz_request_t *r, fuzz_input_t *in);
static void fuzz_send(fuzz_request_t *r);
static void fuzz_end(fuzz_request_t *r);
static void fuzz_render_page(ngx_str_t *rev,
    ngx_http_news_cache_variant_t *v, ngx_http_news_rendered_t *page);
static void fuzz_check_request(fuzz_request_t *r);


static ngx_str_t  fuzz_keys[FUZZ_KEYS] = {
    ngx_string("article:a"),
    ngx_string("article:b"),
    ngx_string("article:c"),
    ngx_string("article:harbour-ferry-returns-after-two-years")
};

static ngx_str_t  fuzz_urls[] = {
    ngx_string("https://news.example.org/a"),
    ngx_string("https://news.example.org/b"),
    ngx_null_string
};

/* two locations' configurations: only their addresses count */
static u_char  fuzz_confs[2];


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t           before, after;
    ngx_uint_t       i, op;
    fuzz_input_t     in;
    fuzz_request_t   requests[FUZZ_REQUESTS], *r;

    before = __sanitizer_get_current_allocated_bytes();

    ngx_memzero(requests, sizeof(requests));

    in.p = data;
    in.last = data + size;

    ngx_http_news_cache_size(fuzz_byte(&in) * 64);

    while (in.p < in.last) {
        op = fuzz_byte(&in);

        switch (op % 6) {

        case 0:
            r = &requests[fuzz_byte(&in) % FUZZ_REQUESTS];

            if (r->state != FUZZ_IDLE) {
                fuzz_end(r);
            }

            fuzz_ask(r, &in);
            break;

        case 1:
            r = &requests[fuzz_byte(&in) % FUZZ_REQUESTS];

            if (r->state == FUZZ_ASKED) {
                fuzz_respond(r, &in);
            }

            break;

        case 2:
            r = &requests[fuzz_byte(&in) % FUZZ_REQUESTS];

            if (r->state != FUZZ_IDLE) {
                fuzz_end(r);
            }

            break;

        case 3:
            i = fuzz_byte(&in) % FUZZ_KEYS;
            ngx_http_news_cache_remove(&fuzz_keys[i]);

            if (ngx_http_news_cache_get(&fuzz_keys[i]) != NULL) {
                fuzz_fail("\"%s\" found after its removal",
                          (char *) fuzz_keys[i].data);
            }

            break;

        case 4:
            ngx_http_news_cache_size(fuzz_byte(&in) * 64);
            break;

        default:
            /* only the order of use moves */
            (void) ngx_http_news_cache_get(&fuzz_keys[fuzz_byte(&in)
                                                      % FUZZ_KEYS]);
            break;
        }

        for (i = 0; i < FUZZ_REQUESTS; i++) {
            if (requests[i].state != FUZZ_IDLE) {
                fuzz_check_request(&requests[i]);
            }
        }
    }

    for (i = 0; i < FUZZ_REQUESTS; i++) {
        if (requests[i].state != FUZZ_IDLE) {
            fuzz_end(&requests[i]);
        }
    }

    /* a configuration without the cache: nothing is kept */

    ngx_http_news_cache_size(0);

    after = __sanitizer_get_current_allocated_bytes();

    if (after != before) {
        fuzz_fail("%zu bytes before, %zu after every request ended and the "
                  "cache was emptied", before, after);
    }

    return 0;
}


static ngx_uint_t
fuzz_byte(fuzz_input_t *in)
{
    return (in->p < in->last) ? *in->p++ : 0;
}


/* as ngx_http_news_ask() */

static void
fuzz_ask(fuzz_request_t *r, fuzz_input_t *in)
{
    ngx_uint_t  b;

    ngx_memzero(r, sizeof(fuzz_request_t));

    r->state = FUZZ_ASKED;

    b = fuzz_byte(in);
    r->key = &fuzz_keys[b % FUZZ_KEYS];
    r->variant.url = fuzz_urls[(b / FUZZ_KEYS) % 3];
    r->variant.conf = &fuzz_confs[(b / FUZZ_KEYS / 3) % 2];
    r->variant.generation = (b / FUZZ_KEYS / 6) % 2;

    r->entry = ngx_http_news_cache_get(r->key);

    if (r->entry != NULL) {
        ngx_http_news_cache_hold(r->entry);
        r->article = r->entry->article;
        r->rev_len = r->article->field[NGX_HTTP_NEWS_REV].len;
        ngx_memcpy(r->rev, r->article->field[NGX_HTTP_NEWS_REV].data,
                   r->rev_len);
    }
}


/*
 * As ngx_http_news_respond(): the article came if none was held or
 * Redis has another revision; otherwise the one held is shown, even if
 * it was evicted or removed since it was asked for.
 */

static void
fuzz_respond(fuzz_request_t *r, fuzz_input_t *in)
{
    if (r->entry == NULL || (fuzz_byte(in) & 1)) {
        fuzz_fetch(r, in);
    }

    fuzz_send(r);

    r->state = FUZZ_SENDING;
}


/* as ngx_http_news_fresh() */

static void
fuzz_fetch(fuzz_request_t *r, fuzz_input_t *in)
{
    u_char                   *body;
    size_t                    len;
    ngx_str_t                 reason;
    ngx_uint_t                b;
    ngx_pool_t               *pool;
    ngx_http_news_article_t  *a;

    b = fuzz_byte(in);
    len = fuzz_byte(in) * 16;

    pool = fuzz_pool();

    a = ngx_http_news_article_create(pool, 2);
    body = ngx_pcalloc(pool, len + 1);

    /* a revision of one digit, or none: an article not to keep */

    r->rev_len = (b % 11) ? 1 : 0;
    r->rev[0] = '0' + b % 11 - 1;

    if (a == NULL || body == NULL
        || ngx_http_news_article_add(a, pool, (u_char *) "body", 4, body, len)
           != NGX_OK
        || ngx_http_news_article_add(a, pool, (u_char *) "rev", 3, r->rev,
                                     r->rev_len)
           != NGX_OK
        || ngx_http_news_article_done(a, pool, &reason) != NGX_OK)
    {
        fuzz_fail("cannot make an article");
    }

    if (r->entry != NULL) {
        ngx_http_news_cache_release(r->entry);
    }

    r->entry = ngx_http_news_cache_put(r->key, a, pool);
    r->article = a;

    if (r->entry == NULL) {
        r->pool = pool;
        return;
    }

    ngx_http_news_cache_hold(r->entry);

    if (r->entry->article != a || ngx_http_news_cache_get(r->key) != r->entry)
    {
        fuzz_fail("\"%s\" kept, not found", (char *) r->key->data);
    }
}


/* as ngx_http_news_render() */

static void
fuzz_send(fuzz_request_t *r)
{
    ngx_str_t                  rev;
    ngx_http_news_rendered_t  *kept;

    if (r->entry != NULL) {
        kept = ngx_http_news_cache_page(r->entry, &r->variant);

        if (kept != NULL) {
            r->page = kept;
            return;
        }
    }

    rev.data = r->rev;
    rev.len = r->rev_len;

    fuzz_render_page(&rev, &r->variant, &r->fresh);
    r->page = &r->fresh;

    if (r->entry != NULL) {
        kept = ngx_http_news_cache_set_page(r->entry, &r->variant,
                                            &r->fresh);
        if (kept != NULL) {
            r->page = kept;
        }
    }
}


/* as the request's cleanup: ngx_http_news_cleanup(), its pool's */

static void
fuzz_end(fuzz_request_t *r)
{
    fuzz_check_request(r);

    if (r->entry != NULL) {
        ngx_http_news_cache_release(r->entry);
    }

    if (r->pool != NULL) {
        ngx_destroy_pool(r->pool);
    }

    free(r->fresh.text.data);
    free(r->fresh.cuts);

    r->state = FUZZ_IDLE;
}


/*
 * A page made of the revision and the variant only, so that the page
 * kept for them can be told apart from any other: its size, its bytes
 * and its cuts.
 */

static void
fuzz_render_page(ngx_str_t *rev, ngx_http_news_cache_variant_t *v,
    ngx_http_news_rendered_t *page)
{
    uint32_t    seed;
    ngx_uint_t  i;

    seed = ngx_crc32_short(rev->data, rev->len)
           ^ ngx_crc32_short(v->url.data, v->url.len)
           ^ (uint32_t) ((u_char *) v->conf - fuzz_confs) * 0x9e3779b9
           ^ (uint32_t) v->generation * 0x85ebca6b;

    page->text.len = seed % 2048;
    page->ncuts = (seed >> 11) % 3;

    page->text.data = malloc(page->text.len + 1);
    page->cuts = malloc(page->ncuts * sizeof(ngx_http_news_cut_t) + 1);

    if (page->text.data == NULL || page->cuts == NULL) {
        fuzz_fail("malloc() failed");
    }

    ngx_memset(page->text.data, 'a' + (seed >> 13) % 26, page->text.len);

    for (i = 0; i < page->ncuts; i++) {
        page->cuts[i].offset = page->text.len * (i + 1) / (page->ncuts + 1);
        page->cuts[i].slot = (i % 2) ? NGX_HTTP_NEWS_SLOT_VIEWS_LABEL
                                     : NGX_HTTP_NEWS_SLOT_VIEWS;
    }
}


/* everything a request uses is still there, and what it should be */

static void
fuzz_check_request(fuzz_request_t *r)
{
    ngx_str_t                 rev, *have;
    ngx_uint_t                i, same;
    ngx_http_news_rendered_t  want;

    if (r->entry != NULL && r->entry->refs == 0) {
        fuzz_fail("\"%s\": an entry in use is not held",
                  (char *) r->key->data);
    }

    if (r->article == NULL) {
        return;
    }

    have = &r->article->field[NGX_HTTP_NEWS_REV];

    if (have->len != r->rev_len
        || ngx_memcmp(have->data, r->rev, r->rev_len) != 0)
    {
        fuzz_fail("\"%s\": the article's revision changed under a request",
                  (char *) r->key->data);
    }

    if (r->state != FUZZ_SENDING) {
        return;
    }

    rev.data = r->rev;
    rev.len = r->rev_len;

    fuzz_render_page(&rev, &r->variant, &want);

    same = (r->page->text.len == want.text.len
            && r->page->ncuts == want.ncuts
            && ngx_memcmp(r->page->text.data, want.text.data,
                          want.text.len)
               == 0);

    for (i = 0; same && i < want.ncuts; i++) {
        same = (r->page->cuts[i].offset == want.cuts[i].offset
                && r->page->cuts[i].slot == want.cuts[i].slot);
    }

    if (!same) {
        fuzz_fail("\"%s\": not the page of revision \"%.*s\" for \"%.*s\"",
                  (char *) r->key->data, (int) r->rev_len, r->rev,
                  (int) r->variant.url.len, r->variant.url.data);
    }

    free(want.text.data);
    free(want.cuts);
}
