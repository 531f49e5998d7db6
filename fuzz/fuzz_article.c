
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * (d) The article model and what shows it, with no Redis in between:
 * the input is an article's fields, "name\0value\0name\0value..." (any
 * names, known or not, repeated or not; any bytes but NUL in values),
 * made with ngx_http_news_article_create/add/done.  What is made is
 * shown as the handler shows it (fuzz_show()): the default page in each
 * body format, the JSON and the JSON-LD, each with a few counts and its
 * own.  Checks: no memory error or leak; a reason for every rejection;
 * the model holds copies of what it was given, each field its last
 * value, the count as Redis reads it, trimmed tags; pages fill their
 * buffer exactly, have their one cut, send the text with the count's
 * digits in it and link to no script URL (bar editors' HTML bodies); the
 * JSON is valid with the count as "views"; the JSON-LD is valid and
 * cannot end its <script> element.
 */


#include "fuzz_common.h"


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    (void) fuzz_default_template();

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_str_t                 reason;
    ngx_pool_t               *pool;
    ngx_http_news_article_t  *a;

    pool = fuzz_pool();

    /* a draft is never shown (the store declines it) */

    if (fuzz_article(pool, (u_char *) data, size, &a, &reason) == NGX_OK) {
        fuzz_check_article(a);

        if (!a->draft) {
            fuzz_show(a, a->views, FUZZ_ALL_FORMATS);
        }
    }

    ngx_destroy_pool(pool);

    return 0;
}
