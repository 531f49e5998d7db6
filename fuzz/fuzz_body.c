
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * (c) The body and the other field readers.  The input's first byte
 * picks the body format (byte % 3: '0' text, '1' Markdown, '2' HTML);
 * the rest is a value, which becomes every field of an article made
 * with ngx_http_news_article_create/add/done but its count and
 * revision: title, body, image, tags, dates...  The body goes through
 * ngx_http_news_body_html(); the value through HTML and JSON-string
 * escaping, ngx_http_news_safe_url() and ngx_http_news_parse_views();
 * and the article is shown in that body format (fuzz_show()).  Checks:
 * no memory error or leak; text paragraphs are escaped and fill their
 * buffer exactly; Markdown links and images cannot run script, raw HTML
 * stays text, and the page keeps its only <h1>; editors' HTML is passed
 * through but for its control bytes; no body holds one; escaping writes
 * what it measured and leaves no markup and no control byte; the JSON
 * form reads back as the value (fuzz_check_json_string()); a URL the
 * module calls safe has no scheme a browser would run; a count is read
 * as Redis reads it; tags are trimmed and not empty; a date shown in
 * ISO 8601 reads back as the same time; and every check of
 * fuzz_show().  The article's values end where they end, with no NUL
 * after them: ASan sees a read past one.
 */


#include "fuzz_common.h"

#include "ngx_http_news_body.h"
#include "ngx_http_news_escape.h"


#define FUZZ_ISO_DATE  "%Y-%m-%dT%H:%M:%SZ"


static ngx_http_news_article_t *fuzz_value_article(ngx_pool_t *pool,
    ngx_str_t *value);
static void fuzz_check_paragraphs(ngx_str_t *html);
static void fuzz_body(ngx_str_t *body, ngx_uint_t format, ngx_pool_t *pool);
static void fuzz_escape(ngx_str_t *s);
static void fuzz_escape_json(ngx_str_t *s);
static void fuzz_check_controls(ngx_str_t *html, const char *what);
static void fuzz_views(ngx_str_t *s);
static void fuzz_dates(ngx_http_news_article_t *a, ngx_pool_t *pool);


/* every field but "views" (not a count, it fails the article) */

static ngx_uint_t  fuzz_value_fields[] = {
    NGX_HTTP_NEWS_TITLE,
    NGX_HTTP_NEWS_AUTHOR,
    NGX_HTTP_NEWS_PUBLISHED_AT,
    NGX_HTTP_NEWS_UPDATED_AT,
    NGX_HTTP_NEWS_SUMMARY,
    NGX_HTTP_NEWS_BODY,
    NGX_HTTP_NEWS_IMAGE,
    NGX_HTTP_NEWS_IMAGE_ALT,
    NGX_HTTP_NEWS_IMAGE_CREDIT,
    NGX_HTTP_NEWS_CATEGORY,
    NGX_HTTP_NEWS_TAGS
};


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
    ngx_str_t                 value;
    ngx_uint_t                format;
    ngx_pool_t               *pool;
    ngx_http_news_article_t  *a;

    if (size == 0) {
        return 0;
    }

    format = data[0] % 3;

    value.data = (u_char *) data + 1;
    value.len = size - 1;

    pool = fuzz_pool();

    a = fuzz_value_article(pool, &value);

    fuzz_body(&a->field[NGX_HTTP_NEWS_BODY], format, pool);
    fuzz_escape(&a->field[NGX_HTTP_NEWS_TITLE]);
    fuzz_escape_json(&a->field[NGX_HTTP_NEWS_TITLE]);
    fuzz_views(&a->field[NGX_HTTP_NEWS_TITLE]);

    if (ngx_http_news_safe_url(a->field[NGX_HTTP_NEWS_IMAGE].data,
                               a->field[NGX_HTTP_NEWS_IMAGE].len)
        && fuzz_url_has_bad_scheme(a->field[NGX_HTTP_NEWS_IMAGE].data,
                                   a->field[NGX_HTTP_NEWS_IMAGE].len))
    {
        fuzz_fail("ngx_http_news_safe_url() allows \"%.*s\"",
                  (int) value.len, value.data);
    }

    fuzz_dates(a, pool);

    fuzz_show(a, a->views, 1 << format);

    ngx_destroy_pool(pool);

    return 0;
}


static ngx_http_news_article_t *
fuzz_value_article(ngx_pool_t *pool, ngx_str_t *value)
{
    ngx_str_t                *name, reason;
    ngx_uint_t                i, n;
    ngx_http_news_article_t  *a;

    n = sizeof(fuzz_value_fields) / sizeof(fuzz_value_fields[0]);

    a = ngx_http_news_article_create(pool, n + 1);
    if (a == NULL) {
        fuzz_fail("ngx_http_news_article_create() failed");
    }

    for (i = 0; i < n; i++) {
        name = &ngx_http_news_article_fields[fuzz_value_fields[i]];

        if (ngx_http_news_article_add(a, pool, name->data, name->len,
                                      value->data, value->len)
            != NGX_OK)
        {
            fuzz_fail("ngx_http_news_article_add() failed");
        }
    }

    if (ngx_http_news_article_add(a, pool, (u_char *) "rev", 3,
                                  (u_char *) "1", 1)
        != NGX_OK)
    {
        fuzz_fail("ngx_http_news_article_add() failed");
    }

    ngx_str_null(&reason);

    if (ngx_http_news_article_done(a, pool, &reason) != NGX_OK) {
        fuzz_fail("an article with no count rejected: %.*s",
                  (int) reason.len, reason.data);
    }

    fuzz_check_article(a);

    return a;
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
        if (ngx_http_news_escape_find_control(body->data, body->len) == NULL
            && (out.data != body->data || out.len != body->len))
        {
            fuzz_fail("HTML body not passed through");
        }
    }

    fuzz_check_controls(&out, "body");

    (void) ngx_http_news_body_reading_minutes(body);
}


static void
fuzz_escape(ngx_str_t *s)
{
    u_char     *dst, *end, *p;
    size_t      len;
    ngx_str_t   out;

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

    out.data = dst;
    out.len = end - dst;

    fuzz_check_controls(&out, "escape");

    free(dst);
}


static void
fuzz_escape_json(ngx_str_t *s)
{
    u_char     *dst, *end;
    size_t      len;
    ngx_str_t   out;

    len = ngx_http_news_escape_json_len(s->data, s->len);

    dst = malloc(len ? len : 1);
    if (dst == NULL) {
        fuzz_fail("malloc() failed");
    }

    end = ngx_http_news_escape_json(dst, s->data, s->len);

    if ((size_t) (end - dst) != len) {
        fuzz_fail("JSON escape: measured %zu bytes, wrote %zu", len,
                  (size_t) (end - dst));
    }

    out.data = dst;
    out.len = len;

    fuzz_check_json_string(&out, s, "JSON escape");

    free(dst);
}


/* HTML holds no C0 control but tab, LF and CR, and no DEL */

static void
fuzz_check_controls(ngx_str_t *html, const char *what)
{
    u_char  *p, *last;

    last = html->data + html->len;

    for (p = html->data; p < last; p++) {
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
            || *p == 0x7f)
        {
            fuzz_fail("%s: control byte 0x%02x at offset %ld", what, *p,
                      (long) (p - html->data));
        }
    }
}


/* the module's reader of counts agrees with Redis' */

static void
fuzz_views(ngx_str_t *s)
{
    int64_t    views, want;
    ngx_int_t  rc, want_rc;

    views = 0;
    want = 0;

    rc = ngx_http_news_parse_views(s->data, s->len, &views);
    want_rc = fuzz_parse_views(s->data, s->len, &want);

    if (rc != want_rc || (rc == NGX_OK && views != want)) {
        fuzz_fail("views \"%.*s\" read as %s%lld, Redis reads %s%lld",
                  (int) s->len, s->data, rc == NGX_OK ? "" : "no count ",
                  (long long) views, want_rc == NGX_OK ? "" : "no count ",
                  (long long) want);
    }
}


/*
 * A date shown in ISO 8601 is read back as the same time (a 31 February
 * is a 3 March, both ways); in the page's format it is shown at all.
 */

static void
fuzz_dates(ngx_http_news_article_t *a, ngx_pool_t *pool)
{
    ngx_str_t                 shown, iso, reason;
    ngx_http_news_article_t  *again;

    if (ngx_http_news_article_date(a->published, "%a, %d %b %Y", pool,
                                   &shown)
        != NGX_OK
        || ngx_http_news_article_date(a->published, FUZZ_ISO_DATE, pool,
                                      &iso)
           != NGX_OK)
    {
        fuzz_fail("ngx_http_news_article_date() failed");
    }

    if (iso.len != sizeof("2025-11-04T09:30:00Z") - 1) {
        return;
    }

    again = ngx_http_news_article_create(pool, 1);
    if (again == NULL) {
        fuzz_fail("ngx_http_news_article_create() failed");
    }

    if (ngx_http_news_article_add(again, pool, (u_char *) "published_at",
                                  sizeof("published_at") - 1, iso.data,
                                  iso.len)
        != NGX_OK
        || ngx_http_news_article_done(again, pool, &reason) != NGX_OK)
    {
        fuzz_fail("an article of one date rejected");
    }

    if (again->published != a->published) {
        fuzz_fail("date \"%.*s\" is %lld, reads back as %lld",
                  (int) a->field[NGX_HTTP_NEWS_PUBLISHED_AT].len,
                  a->field[NGX_HTTP_NEWS_PUBLISHED_AT].data,
                  (long long) a->published, (long long) again->published);
    }
}
