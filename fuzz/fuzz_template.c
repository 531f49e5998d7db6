
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * (a) The template compiler: the input is template text, then, after a
 * NUL, the fields of an article (fuzz_article(): "name\0value\0...").
 * What compiles with the article page's names is rendered against the
 * input's article and two fixed ones (every field set; almost none), in
 * each body format, and made ready to send with a few counts.  Checks:
 * no memory error or leak, rendering never fails, the measuring pass
 * agrees with the writing pass, the cuts are in order and within the
 * text, and the chain sent is the text with each count put in its cuts.
 */


#include "fuzz_common.h"

#include "ngx_http_news_page.h"
#include "ngx_http_news_body.h"


static void fuzz_render(ngx_http_news_template_t *tpl,
    ngx_http_news_article_t *a);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                    *nul;
    ngx_str_t                  source, text, reason;
    ngx_pool_t                *pool, *temp_pool, *apool;
    ngx_conf_t                 cf;
    ngx_http_news_article_t   *a;
    ngx_http_news_template_t  *tpl;

    pool = fuzz_pool();
    temp_pool = fuzz_pool();

    fuzz_conf(&cf, pool, temp_pool);

    nul = memchr(data, '\0', size);

    ngx_str_set(&source, "fuzz.html");
    text.data = (u_char *) data;
    text.len = (nul != NULL) ? (size_t) (nul - data) : size;

    tpl = ngx_http_news_page_template_compile(&cf, &source, &text);

    /* nginx drops the temporary pool once the configuration is read */

    ngx_destroy_pool(temp_pool);

    if (tpl != NULL) {
        apool = fuzz_pool();

        fuzz_render(tpl, fuzz_article_full(apool));
        fuzz_render(tpl, fuzz_article_sparse(apool));

        /* a draft is never shown; an unreadable count, never made */

        if (nul != NULL
            && fuzz_article(apool, nul + 1, size - text.len - 1, &a, &reason)
               == NGX_OK
            && !a->draft)
        {
            fuzz_check_article(a);
            fuzz_render(tpl, a);
        }

        ngx_destroy_pool(apool);
    }

    ngx_destroy_pool(pool);

    return 0;
}


static void
fuzz_render(ngx_http_news_template_t *tpl, ngx_http_news_article_t *a)
{
    ngx_str_t                  out;
    ngx_uint_t                 format, i;
    ngx_pool_t                *pool;
    ngx_http_news_page_t       page;
    ngx_http_news_rendered_t   r;

    int64_t  counts[] = { 0, 1, -1, INT64_MAX, INT64_MIN, a->views };

    for (format = NGX_HTTP_NEWS_BODY_FORMAT_TEXT;
         format <= NGX_HTTP_NEWS_BODY_FORMAT_HTML;
         format++)
    {
        fuzz_page(&page, a, format);
        pool = fuzz_pool();

        if (ngx_http_news_page_render(tpl, &page, pool, &r) != NGX_OK) {
            fuzz_fail("render failed: format %lu", (unsigned long) format);
        }

        fuzz_check_exact(&r.text, "rendered page");

        for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
            fuzz_fill(&r, counts[i], pool, &out, "rendered page");
        }

        ngx_destroy_pool(pool);
    }
}
