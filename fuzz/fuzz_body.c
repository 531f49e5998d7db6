
/*
 * Copyright (C) ngx_news_module authors
 *
 * (c) The body and the other field readers.  The input's first byte
 * picks the body format (byte % 3: '0' text, '1' Markdown, '2' HTML);
 * the rest is the field.  It goes through ngx_http_news_body_html(),
 * HTML escaping, ngx_http_news_safe_url(), tags and dates.  Checks: no
 * memory error or leak; text paragraphs are escaped and fill their
 * buffer exactly; Markdown links and images cannot run script, raw HTML
 * stays text, and the page keeps its only <h1>; escaping writes what it
 * measured and leaves no markup; a URL the module calls safe has no
 * scheme a browser would run; tags are trimmed and not empty; dates in
 * ISO 8601 read back as themselves.
 */


#include "fuzz_common.h"

#include "ngx_http_news_body.h"
#include "ngx_http_news_escape.h"


#define FUZZ_ISO_DATE  "%Y-%m-%dT%H:%M:%SZ"


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}


/* text: nothing but "<p>", "</p>" and escaped text */

static void
fuzz_check_paragraphs(ngx_str_t *html)
{
    u_char  *p, *last;

    p = html->data;
    last = p + html->len;

    while (p < last) {
        if (last - p >= 3 && ngx_strncmp(p, "<p>", 3) == 0) {
            p += 3;
            continue;
        }

        if (last - p >= 5 && ngx_strncmp(p, "</p>\n", 5) == 0) {
            p += 5;
            continue;
        }

        if (*p == '<' || *p == '>' || *p == '"' || *p == '\'') {
            fuzz_fail("text body: unescaped '%c' at offset %ld", *p,
                      (long) (p - html->data));
        }

        p++;
    }
}


static void
fuzz_body(ngx_str_t *body, ngx_uint_t format, ngx_pool_t *pool)
{
    ngx_str_t  out;

    if (ngx_http_news_body_html(body, format, pool, &out) != NGX_OK) {
        fuzz_fail("ngx_http_news_body_html() failed, format %lu",
                  (unsigned long) format);
    }

    switch (format) {

    case NGX_HTTP_NEWS_BODY_FORMAT_TEXT:
        fuzz_check_exact(&out, "text body");
        fuzz_check_paragraphs(&out);
        break;

    case NGX_HTTP_NEWS_BODY_FORMAT_MARKDOWN:
        fuzz_check_html_urls(&out, "Markdown body");
        fuzz_check_absent(&out, "<h1", "Markdown body");
        fuzz_check_absent(&out, "<script", "Markdown body");
        fuzz_check_absent(&out, "<iframe", "Markdown body");
        fuzz_check_absent(&out, "<style", "Markdown body");
        break;

    default: /* NGX_HTTP_NEWS_BODY_FORMAT_HTML */
        if (out.data != body->data || out.len != body->len) {
            fuzz_fail("HTML body not passed through");
        }
    }

    (void) ngx_http_news_body_reading_minutes(body);
}


static void
fuzz_escape(ngx_str_t *s)
{
    u_char  *dst, *end, *p;
    size_t   len;

    len = ngx_http_news_escape_html_len(s->data, s->len);

    /* exactly the measured size, so ASan sees a byte too many */

    dst = malloc(len ? len : 1);
    if (dst == NULL) {
        fuzz_fail("malloc() failed");
    }

    end = ngx_http_news_escape_html(dst, s->data, s->len);

    if ((size_t) (end - dst) != len) {
        fuzz_fail("escape: measured %zu bytes, wrote %zu", len,
                  (size_t) (end - dst));
    }

    for (p = dst; p < end; p++) {
        if (*p == '<' || *p == '>' || *p == '"' || *p == '\'') {
            fuzz_fail("escape: '%c' left at offset %ld", *p,
                      (long) (p - dst));
        }
    }

    free(dst);
}


static void
fuzz_tags(ngx_str_t *s, ngx_pool_t *pool)
{
    ngx_str_t    *tag;
    ngx_uint_t    i;
    ngx_array_t   tags;

    if (ngx_http_news_article_tags(s, pool, &tags) != NGX_OK) {
        fuzz_fail("ngx_http_news_article_tags() failed");
    }

    tag = tags.elts;

    for (i = 0; i < tags.nelts; i++) {
        if (tag[i].len == 0
            || tag[i].data[0] == ' ' || tag[i].data[0] == '\t'
            || tag[i].data[tag[i].len - 1] == ' '
            || tag[i].data[tag[i].len - 1] == '\t')
        {
            fuzz_fail("tag %lu is empty or not trimmed: \"%.*s\"",
                      (unsigned long) i, (int) tag[i].len, tag[i].data);
        }
    }
}


static void
fuzz_dates(ngx_str_t *s, ngx_pool_t *pool)
{
    ngx_str_t  out, iso, again;

    if (ngx_http_news_article_date(s, "%a, %d %b %Y", pool, &out) != NGX_OK
        || ngx_http_news_article_date(s, FUZZ_ISO_DATE, pool, &iso)
           != NGX_OK)
    {
        fuzz_fail("ngx_http_news_article_date() failed");
    }

    /* a date shown in ISO 8601 is read back as the same time */

    if (iso.len == sizeof("2025-11-04T09:30:00Z") - 1) {
        if (ngx_http_news_article_date(&iso, FUZZ_ISO_DATE, pool, &again)
            != NGX_OK)
        {
            fuzz_fail("ngx_http_news_article_date() failed");
        }

        if (again.len != iso.len
            || ngx_strncmp(again.data, iso.data, iso.len) != 0)
        {
            fuzz_fail("date \"%.*s\" reads back as \"%.*s\"",
                      (int) iso.len, iso.data, (int) again.len, again.data);
        }
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char      *copy;
    ngx_str_t    body;
    ngx_uint_t   format;
    ngx_pool_t  *pool;

    if (size == 0) {
        return 0;
    }

    format = data[0] % 3;

    /*
     * Fields come from hiredis, which ends each string with a NUL that
     * is not part of it: reading that byte is harmless, reading past it
     * is not.
     */

    copy = malloc(size);
    if (copy == NULL) {
        fuzz_fail("malloc() failed");
    }

    ngx_memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';

    body.data = copy;
    body.len = size - 1;

    pool = fuzz_pool();

    fuzz_body(&body, format, pool);
    fuzz_escape(&body);

    if (ngx_http_news_safe_url(body.data, body.len)
        && fuzz_url_has_bad_scheme(body.data, body.len))
    {
        fuzz_fail("ngx_http_news_safe_url() allows \"%.*s\"",
                  (int) body.len, body.data);
    }

    fuzz_tags(&body, pool);
    fuzz_dates(&body, pool);

    ngx_destroy_pool(pool);
    free(copy);

    return 0;
}
