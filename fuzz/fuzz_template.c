
/*
 * Copyright (C) ngx_news_module authors
 *
 * (a) The template compiler: the input is template text.  What compiles
 * is rendered against two fixed articles (every field set; almost none)
 * in each body format.  Checks: no memory error or leak, rendering never
 * fails, and the measuring pass agrees with the writing pass.
 */


#include "fuzz_common.h"

#include "ngx_http_news_template.h"
#include "ngx_http_news_body.h"


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_int_t                  rc;
    ngx_str_t                  source, text, out;
    ngx_uint_t                 k, format;
    ngx_pool_t                *pool, *temp_pool, *rpool;
    ngx_conf_t                 cf;
    ngx_http_news_page_t       page;
    ngx_http_news_article_t    articles[2];
    ngx_http_news_template_t  *tpl;

    pool = fuzz_pool();
    temp_pool = fuzz_pool();

    /* no conf_file: ngx_conf_log_error() only logs */

    ngx_memzero(&cf, sizeof(ngx_conf_t));
    cf.pool = pool;
    cf.temp_pool = temp_pool;
    cf.log = fuzz_log;
    cf.cycle = fuzz_cycle;

    ngx_str_set(&source, "fuzz.html");
    text.data = (u_char *) data;
    text.len = size;

    tpl = ngx_http_news_template_compile(&cf, &source, &text);

    /* nginx drops the temporary pool once the configuration is read */

    ngx_destroy_pool(temp_pool);

    if (tpl != NULL) {
        fuzz_article_full(&articles[0]);
        fuzz_article_sparse(&articles[1]);

        for (k = 0; k < 2; k++) {
            for (format = NGX_HTTP_NEWS_BODY_FORMAT_TEXT;
                 format <= NGX_HTTP_NEWS_BODY_FORMAT_HTML;
                 format++)
            {
                fuzz_page(&page, &articles[k], format);
                rpool = fuzz_pool();

                rc = ngx_http_news_template_render(tpl, &page, rpool, &out);
                if (rc != NGX_OK) {
                    fuzz_fail("render failed: article %lu, format %lu",
                              (unsigned long) k, (unsigned long) format);
                }

                fuzz_check_exact(&out, "rendered page");

                ngx_destroy_pool(rpool);
            }
        }
    }

    ngx_destroy_pool(pool);

    return 0;
}
