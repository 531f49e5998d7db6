
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
 * Names the page does not know are hash fields: the input's fields
 * named "x-..." (which no page name is) are shown, each in a template
 * of its own, by {{name|json}} and {{#name}}{{.|json}}{{/name}}, and
 * must read back as their values (fuzz_check_json_string()).
 */


#include "fuzz_common.h"

#include "ngx_http_news_page.h"
#include "ngx_http_news_body.h"


#define FUZZ_FIELD_PREFIX  "x-"


static void fuzz_render(ngx_http_news_template_t *tpl,
    ngx_http_news_article_t *a);
static void fuzz_fields(ngx_http_news_article_t *a);
static void fuzz_field(ngx_http_news_article_t *a, ngx_str_t *name);


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

    apool = fuzz_pool();

    if (tpl != NULL) {
        fuzz_render(tpl, fuzz_article_full(apool));
        fuzz_render(tpl, fuzz_article_sparse(apool));
    }

    /* a draft is never shown; an unreadable count, never made */

    if (nul != NULL
        && fuzz_article(apool, nul + 1, size - text.len - 1, &a, &reason)
           == NGX_OK
        && !a->draft)
    {
        fuzz_check_article(a);

        if (tpl != NULL) {
            fuzz_render(tpl, a);
        }

        fuzz_fields(a);
    }

    ngx_destroy_pool(apool);

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


static void
fuzz_fields(ngx_http_news_article_t *a)
{
    size_t       n, i;
    ngx_str_t   *name;
    ngx_uint_t   k;

    for (k = 0; k < a->npairs; k++) {
        name = &a->pairs[k].name;
        n = sizeof(FUZZ_FIELD_PREFIX) - 1;

        if (name->len <= n
            || ngx_strncmp(name->data, FUZZ_FIELD_PREFIX, n) != 0)
        {
            continue;
        }

        /* a name a tag can hold */

        for (i = n; i < name->len; i++) {
            if (!(name->data[i] == '_' || name->data[i] == '-'
                  || (name->data[i] >= 'a' && name->data[i] <= 'z')
                  || (name->data[i] >= 'A' && name->data[i] <= 'Z')
                  || (name->data[i] >= '0' && name->data[i] <= '9')))
            {
                break;
            }
        }

        if (i == name->len) {
            fuzz_field(a, name);
        }
    }
}


static void
fuzz_field(ngx_http_news_article_t *a, ngx_str_t *name)
{
    u_char                    *p, *nl;
    ngx_str_t                  source, text, line, *value, none;
    ngx_uint_t                 i, lines;
    ngx_conf_t                 cf;
    ngx_pool_t                *pool, *temp_pool;
    ngx_http_news_page_t       page;
    ngx_http_news_template_t  *tpl;
    ngx_http_news_rendered_t   r;

    pool = fuzz_pool();
    temp_pool = fuzz_pool();

    fuzz_conf(&cf, pool, temp_pool);

    /* "{{N|json}}\n{{#N}}{{.|json}}{{/N}}\n": no JSON form holds a LF */

    text.data = ngx_pnalloc(pool, 4 * name->len + 64);
    if (text.data == NULL) {
        fuzz_fail("no memory for a template");
    }

    p = ngx_sprintf(text.data, "{{%V|json}}\n{{#%V}}{{.|json}}{{/%V}}\n",
                    name, name, name);
    text.len = p - text.data;

    ngx_str_set(&source, "fuzz-field.html");

    tpl = ngx_http_news_page_template_compile(&cf, &source, &text);

    ngx_destroy_pool(temp_pool);

    if (tpl == NULL) {
        fuzz_fail("a template of field \"%.*s\" does not compile",
                  (int) name->len, name->data);
    }

    fuzz_page(&page, a, NGX_HTTP_NEWS_BODY_FORMAT_TEXT);

    if (ngx_http_news_page_render(tpl, &page, pool, &r) != NGX_OK) {
        fuzz_fail("a template of field \"%.*s\" failed to render",
                  (int) name->len, name->data);
    }

    fuzz_check_exact(&r.text, "a field's page");

    /* the last value of that name, as HSET leaves one */

    ngx_str_null(&none);
    value = &none;

    for (i = a->npairs; i > 0; i--) {
        if (a->pairs[i - 1].name.len == name->len
            && ngx_strncmp(a->pairs[i - 1].name.data, name->data, name->len)
               == 0)
        {
            value = &a->pairs[i - 1].value;
            break;
        }
    }

    p = r.text.data;
    lines = 0;

    while (p < r.text.data + r.text.len) {
        nl = memchr(p, '\n', r.text.data + r.text.len - p);
        if (nl == NULL) {
            fuzz_fail("a field's page: a line without its end");
        }

        line.data = p;
        line.len = nl - p;

        fuzz_check_json_string(&line, value, "a field's JSON form");

        lines++;
        p = nl + 1;
    }

    if (lines != 2) {
        fuzz_fail("a field's page has %lu lines, not 2",
                  (unsigned long) lines);
    }

    ngx_destroy_pool(pool);
}
