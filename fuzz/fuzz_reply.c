
/*
 * Copyright (C) ngx_news_module authors
 *
 * (b) Redis replies to articles: the input is RESP, as Redis would send
 * it.  hiredis' reader (as the module uses it) turns it into replies;
 * each goes through ngx_http_news_article_from_reply(), read both as a
 * counted view's EXEC reply and as an HGETALL reply, and, when that
 * takes it, is shown as the handler would: the default page in each
 * body format, JSON, and JSON-LD.  Checks: no memory error or leak; a
 * reason for every rejection; pages render, fill their buffer exactly
 * and link to no script URL (bar editors' HTML bodies); the JSON is
 * valid and the JSON-LD cannot end its <script> element.
 */


#include "fuzz_common.h"

#include <jansson.h>

#include "ngx_http_news_template.h"
#include "ngx_http_news_body.h"
#include "ngx_http_news_escape.h"
#include "ngx_http_news_json.h"
#include "ngx_http_news_default_template.h"


/*
 * hiredis 0.14 callocs an array of the announced length before reading
 * its elements: "*2000000000" would be a 16 GB calloc() that fails (the
 * reader reports "Out of memory") where libFuzzer would stop at its
 * malloc limit.  Longer arrays fail here the same way.
 */
#define FUZZ_MAX_ARRAY  (1 << 20)


static ngx_http_news_template_t   *fuzz_template;
static redisReplyObjectFunctions   fuzz_reply_fns;
static void *(*fuzz_create_array)(const redisReadTask *task, int elements);


static void *
fuzz_create_array_bounded(const redisReadTask *task, int elements)
{
    if (elements > FUZZ_MAX_ARRAY) {
        return NULL;
    }

    return fuzz_create_array(task, elements);
}


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ngx_str_t     source;
    ngx_conf_t    cf;
    redisReader  *reader;

    fuzz_init();

    /* the default page, compiled once as at configuration time */

    ngx_memzero(&cf, sizeof(ngx_conf_t));
    cf.pool = fuzz_pool();
    cf.temp_pool = fuzz_pool();
    cf.log = fuzz_log;
    cf.cycle = fuzz_cycle;

    ngx_str_set(&source, "built-in template");

    fuzz_template = ngx_http_news_template_compile(&cf, &source,
                                             &ngx_http_news_default_template);
    if (fuzz_template == NULL) {
        fuzz_fail("the default template does not compile");
    }

    ngx_destroy_pool(cf.temp_pool);

    /* hiredis' own reply functions, with arrays bounded */

    reader = redisReaderCreate();
    if (reader == NULL) {
        fuzz_fail("redisReaderCreate() failed");
    }

    fuzz_reply_fns = *reader->fn;
    fuzz_create_array = fuzz_reply_fns.createArray;
    fuzz_reply_fns.createArray = fuzz_create_array_bounded;

    redisReaderFree(reader);

    return 0;
}


/*
 * Valid JSON, as jansson reads it, except that jansson rejects the
 * "\u0000" in object keys that JSON allows: it reads "\u0001" instead.
 */

static void
fuzz_check_json(ngx_str_t *json, const char *what)
{
    u_char        *copy, *p, *last;
    json_t        *j;
    json_error_t   err;

    copy = malloc(json->len + 1);
    if (copy == NULL) {
        fuzz_fail("malloc() failed");
    }

    ngx_memcpy(copy, json->data, json->len);
    last = copy + json->len;

    for (p = copy; last - p >= 6; p++) {
        if (ngx_strncmp(p, "\\u0000", 6) == 0) {
            p[5] = '1';
        }
    }

    j = json_loadb((const char *) copy, json->len, 0, &err);
    if (j == NULL) {
        fuzz_fail("%s is not valid JSON: %s at %d: %.*s", what, err.text,
                  err.position, (int) json->len, json->data);
    }

    json_decref(j);
    free(copy);
}


static void
fuzz_article(redisReply *reply, ngx_uint_t counted)
{
    ngx_int_t                 rc;
    ngx_str_t                 reason, out, *image;
    ngx_uint_t                format;
    ngx_pool_t               *pool;
    ngx_http_news_page_t      page;
    ngx_http_news_article_t   a;

    ngx_str_null(&reason);

    rc = ngx_http_news_article_from_reply(&a, reply, counted, &reason);

    if (rc != NGX_OK) {
        if (reason.len == 0) {
            fuzz_fail("reply rejected (%ld) without a reason", (long) rc);
        }

        return;
    }

    /* as ngx_http_news_send_page() does */

    image = &a.field[NGX_HTTP_NEWS_IMAGE];

    if (!ngx_http_news_safe_url(image->data, image->len)) {
        ngx_str_null(image);
    }

    pool = fuzz_pool();

    for (format = NGX_HTTP_NEWS_BODY_FORMAT_TEXT;
         format <= NGX_HTTP_NEWS_BODY_FORMAT_HTML;
         format++)
    {
        fuzz_page(&page, &a, format);

        if (ngx_http_news_template_render(fuzz_template, &page, pool, &out)
            != NGX_OK)
        {
            fuzz_fail("the default page failed to render, format %lu",
                      (unsigned long) format);
        }

        fuzz_check_exact(&out, "default page");

        /* editors' HTML is trusted and passed through as it is */

        if (format != NGX_HTTP_NEWS_BODY_FORMAT_HTML) {
            fuzz_check_html_urls(&out, "default page");
        }
    }

    fuzz_page(&page, &a, NGX_HTTP_NEWS_BODY_FORMAT_TEXT);

    if (ngx_http_news_json_article(&page, pool, &out) != NGX_OK) {
        fuzz_fail("ngx_http_news_json_article() failed");
    }

    fuzz_check_json(&out, "the article's JSON");

    if (ngx_http_news_json_ld(&page, pool, &out) != NGX_OK) {
        fuzz_fail("ngx_http_news_json_ld() failed");
    }

    fuzz_check_json(&out, "JSON-LD");
    fuzz_check_absent(&out, "</", "JSON-LD");
    fuzz_check_absent(&out, "<!--", "JSON-LD");

    ngx_destroy_pool(pool);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    void         *reply;
    redisReader  *reader;

    reader = redisReaderCreate();
    if (reader == NULL) {
        fuzz_fail("redisReaderCreate() failed");
    }

    reader->fn = &fuzz_reply_fns;

    if (redisReaderFeed(reader, (const char *) data, size) == REDIS_OK) {

        /* every complete reply, as pipelined replies come in */

        for ( ;; ) {
            reply = NULL;

            if (redisReaderGetReply(reader, &reply) != REDIS_OK
                || reply == NULL)
            {
                break;
            }

            fuzz_article(reply, 0);
            fuzz_article(reply, 1);
            freeReplyObject(reply);
        }
    }

    redisReaderFree(reader);

    return 0;
}
