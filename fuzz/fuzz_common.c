
/*
 * Copyright (C) ngx_news_module authors
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <sanitizer/allocator_interface.h>

#include "fuzz_common.h"


ngx_log_t    *fuzz_log;
ngx_cycle_t  *fuzz_cycle;

static ngx_open_file_t  fuzz_log_file;
static ngx_log_t        fuzz_log_s;
static ngx_cycle_t      fuzz_cycle_s;


void
fuzz_init(void)
{
    ngx_uint_t  n;
    static int  done;

    if (done) {
        return;
    }

    done = 1;

    /* what ngx_os_init() and main() would set, and no more */

    ngx_pagesize = getpagesize();
    for (n = ngx_pagesize; n >>= 1; ngx_pagesize_shift++) { /* void */ }
    ngx_cacheline_size = NGX_CPU_CACHE_LINE;
    ngx_use_stderr = 0;

    ngx_time_init();

    /* FUZZ_LOG=1 shows the module's log lines when reproducing */

    fuzz_log_file.fd = getenv("FUZZ_LOG") ? ngx_stderr
                                          : open("/dev/null", O_WRONLY);
    if (fuzz_log_file.fd == NGX_INVALID_FILE) {
        fuzz_fail("cannot open /dev/null");
    }

    ngx_str_set(&fuzz_log_file.name, "/dev/null");

    /* every level, so each ngx_log_error() formats its message */

    fuzz_log_s.file = &fuzz_log_file;
    fuzz_log_s.log_level = NGX_LOG_DEBUG;
    fuzz_log = &fuzz_log_s;

    fuzz_cycle_s.log = fuzz_log;
    fuzz_cycle_s.new_log.file = &fuzz_log_file;
    fuzz_cycle_s.new_log.log_level = NGX_LOG_DEBUG;
    fuzz_cycle = &fuzz_cycle_s;
    ngx_cycle = fuzz_cycle;
}


ngx_pool_t *
fuzz_pool(void)
{
    ngx_pool_t  *pool;

    pool = ngx_create_pool(1024, fuzz_log);
    if (pool == NULL) {
        fuzz_fail("ngx_create_pool() failed");
    }

    return pool;
}


void
fuzz_fail(const char *fmt, ...)
{
    va_list  args;

    fprintf(stderr, "\n==FUZZ CHECK FAILED== ");

    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);

    fprintf(stderr, "\n");
    fflush(stderr);

    abort();
}


#define fuzz_field(a, id, s)                                                 \
    (a)->field[id].data = (u_char *) s;                                      \
    (a)->field[id].len = sizeof(s) - 1


void
fuzz_article_full(ngx_http_news_article_t *a)
{
    ngx_memzero(a, sizeof(ngx_http_news_article_t));

    fuzz_field(a, NGX_HTTP_NEWS_TITLE,
               "Harbour ferry returns <after> \"two\" years & more");
    fuzz_field(a, NGX_HTTP_NEWS_AUTHOR, "Ana O'Neill");
    fuzz_field(a, NGX_HTTP_NEWS_PUBLISHED_AT, "2025-11-04T09:30:00Z");
    fuzz_field(a, NGX_HTTP_NEWS_UPDATED_AT, "1762334400");
    fuzz_field(a, NGX_HTTP_NEWS_SUMMARY,
               "The ferry is back; tickets from \xe2\x82\xac" "2.");
    fuzz_field(a, NGX_HTTP_NEWS_BODY,
               "# The ferry\n\nFirst *paragraph* with a "
               "[link](https://example.org/a?b=1&c=2 \"t\").\n\n"
               "- one\n- two\n\n![pier](/img/pier.jpg)\n\n"
               "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
               "<script>alert(1)</script> [x](javascript:alert(1))\n");
    fuzz_field(a, NGX_HTTP_NEWS_IMAGE, "https://cdn.example.org/ferry.jpg");
    fuzz_field(a, NGX_HTTP_NEWS_IMAGE_ALT, "The \"Riverside\" at the pier");
    fuzz_field(a, NGX_HTTP_NEWS_IMAGE_CREDIT, "Photo: J. Smith <staff>");
    fuzz_field(a, NGX_HTTP_NEWS_CATEGORY, "Local & Regional");
    fuzz_field(a, NGX_HTTP_NEWS_TAGS,
               "[\"harbour\", \"ferries\", \" local news \", \"<b>\"]");
    fuzz_field(a, NGX_HTTP_NEWS_STATUS, "published");

    a->views = 12345;
}


void
fuzz_article_sparse(ngx_http_news_article_t *a)
{
    ngx_memzero(a, sizeof(ngx_http_news_article_t));

    fuzz_field(a, NGX_HTTP_NEWS_TITLE, "Short");
    fuzz_field(a, NGX_HTTP_NEWS_PUBLISHED_AT, "not a date");
    fuzz_field(a, NGX_HTTP_NEWS_TAGS, "a, ,b ,\tc\t");

    a->views = 1;
}


void
fuzz_page(ngx_http_news_page_t *page, ngx_http_news_article_t *a,
    ngx_uint_t body_format)
{
    ngx_memzero(page, sizeof(ngx_http_news_page_t));

    page->article = a;
    ngx_str_set(&page->site_name, "The Riverside Courier");
    ngx_str_set(&page->url, "https://news.example.org/news/harbour-ferry");
    ngx_str_set(&page->beacon_url, "/beacon/harbour-ferry?from=\"page\"&x=<1>");
    page->date_format = "%a, %d %b %Y";
    page->body_format = body_format;
    page->log = fuzz_log;
}


/*
 * The module measures, allocates exactly that (one malloc() each, with
 * NGX_DEBUG_PALLOC), and writes: what it wrote must fill the buffer.
 */

void
fuzz_check_exact(ngx_str_t *out, const char *what)
{
    size_t  size;

    if (out->data == NULL || !__sanitizer_get_ownership(out->data)) {
        return;
    }

    size = __sanitizer_get_allocated_size(out->data);

    if (size != out->len && !(out->len == 0 && size <= 1)) {
        fuzz_fail("%s: measured %zu bytes, wrote %zu", what, size, out->len);
    }
}


/*
 * A browser's reading (WHATWG URL): leading C0 controls and spaces go,
 * tabs and newlines anywhere go, then a scheme is an ASCII letter
 * followed by letters, digits, "+", "-", "." up to a ":".  Without one
 * the URL is relative and harmless.
 */

ngx_uint_t
fuzz_url_has_bad_scheme(u_char *url, size_t len)
{
    u_char  *p, *last, c, scheme[8];
    size_t   n;

    p = url;
    last = url + len;

    while (p < last && *p <= 0x20) {
        p++;
    }

    for (n = 0; p < last; p++) {
        c = *p;

        if (c == '\t' || c == '\n' || c == '\r') {
            continue;
        }

        if (c == ':') {
            break;
        }

        if (c >= 'A' && c <= 'Z') {
            c |= 0x20;
        }

        if ((c >= 'a' && c <= 'z')
            || (n > 0 && ((c >= '0' && c <= '9')
                          || c == '+' || c == '-' || c == '.')))
        {
            if (n < sizeof(scheme)) {
                scheme[n] = c;
            }

            n++;
            continue;
        }

        return 0;
    }

    if (p == last || n == 0) {
        return 0;
    }

    if ((n == 4 && memcmp(scheme, "http", 4) == 0)
        || (n == 5 && memcmp(scheme, "https", 5) == 0)
        || (n == 6 && memcmp(scheme, "mailto", 6) == 0))
    {
        return 0;
    }

    return 1;
}


/*
 * An attribute value as a browser decodes it: numeric references (the
 * ";" is optional) and the named ones that could spell a scheme.
 * Non-ASCII results become 0x80, which cannot be part of a scheme.
 */

static size_t
fuzz_decode_attribute(u_char *dst, u_char *src, size_t len)
{
    u_char      *p, *last, *start;
    size_t       i;
    uint32_t     cp;
    ngx_uint_t   hex, digits;

    static struct {
        const char  *name;
        u_char       c;
    } named[] = {
        { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' },
        { "apos;", '\'' }, { "Tab;", '\t' }, { "NewLine;", '\n' },
        { "colon;", ':' }, { NULL, 0 }
    };

    start = dst;
    last = src + len;

    for (p = src; p < last; /* void */) {

        if (*p != '&') {
            *dst++ = *p++;
            continue;
        }

        if (last - p > 2 && p[1] == '#') {
            hex = (p[2] == 'x' || p[2] == 'X');
            cp = 0;
            digits = 0;

            for (i = 2 + hex; p + i < last; i++) {
                u_char  c = p[i];

                if (c >= '0' && c <= '9') {
                    cp = cp * (hex ? 16 : 10) + (c - '0');

                } else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
                    cp = cp * 16 + ((c | 0x20) - 'a' + 10);

                } else {
                    break;
                }

                if (cp > 0x10ffff) {
                    cp = 0x110000;
                }

                digits++;
            }

            if (digits) {
                *dst++ = (cp == 0 || cp >= 0x80) ? 0x80 : (u_char) cp;
                p += i;
                p += (p < last && *p == ';');
                continue;
            }
        }

        for (i = 0; named[i].name; i++) {
            size_t  n = strlen(named[i].name);

            if ((size_t) (last - p - 1) >= n
                && memcmp(p + 1, named[i].name, n) == 0)
            {
                break;
            }
        }

        if (named[i].name) {
            *dst++ = named[i].c;
            p += 1 + strlen(named[i].name);
            continue;
        }

        *dst++ = *p++;
    }

    return dst - start;
}


static ngx_uint_t
fuzz_is_space(u_char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}


static ngx_uint_t
fuzz_is_name(u_char *p, size_t len, const char *name)
{
    size_t  i;

    if (len != strlen(name)) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if ((p[i] | 0x20) != (u_char) name[i]) {
            return 0;
        }
    }

    return 1;
}


static void
fuzz_check_url(u_char *url, size_t len, const char *what)
{
    u_char  *buf;
    size_t   n;

    buf = malloc(len + 1);
    if (buf == NULL) {
        fuzz_fail("malloc() failed");
    }

    n = fuzz_decode_attribute(buf, url, len);

    if (fuzz_url_has_bad_scheme(buf, n)) {
        fuzz_fail("%s: a URL that can run script: \"%.*s\"", what,
                  (int) len, url);
    }

    free(buf);
}


/*
 * Tags as a browser tokenizes them: attribute names and values (double,
 * single or not quoted); end tags, comments and doctypes skipped, and
 * the raw text of <script> and <style> too, which holds no tags.
 */

void
fuzz_check_html_urls(ngx_str_t *html, const char *what)
{
    u_char      *p, *last, *name, *value, *tag, quote;
    size_t       name_len, value_len, tag_len;
    const char  *raw;

    p = html->data;
    last = p + html->len;

    while (p < last) {

        if (*p++ != '<') {
            continue;
        }

        if (p < last && (*p == '/' || *p == '!' || *p == '?')) {
            while (p < last && *p != '>') {
                p++;
            }

            continue;
        }

        tag = p;

        while (p < last && !fuzz_is_space(*p) && *p != '>' && *p != '/') {
            p++;
        }

        tag_len = p - tag;

        for ( ;; ) {
            while (p < last && (fuzz_is_space(*p) || *p == '/')) {
                p++;
            }

            if (p >= last) {
                return;
            }

            if (*p == '>') {
                p++;
                break;
            }

            name = p++;

            while (p < last && !fuzz_is_space(*p) && *p != '/' && *p != '>'
                   && *p != '=')
            {
                p++;
            }

            name_len = p - name;

            while (p < last && fuzz_is_space(*p)) {
                p++;
            }

            if (p >= last || *p != '=') {
                continue;
            }

            p++;

            while (p < last && fuzz_is_space(*p)) {
                p++;
            }

            if (p < last && (*p == '"' || *p == '\'')) {
                quote = *p++;
                value = p;

                while (p < last && *p != quote) {
                    p++;
                }

                value_len = p - value;
                p += (p < last);

            } else {
                value = p;

                while (p < last && !fuzz_is_space(*p) && *p != '>') {
                    p++;
                }

                value_len = p - value;
            }

            if (fuzz_is_name(name, name_len, "href")
                || fuzz_is_name(name, name_len, "src"))
            {
                fuzz_check_url(value, value_len, what);
            }
        }

        if (fuzz_is_name(tag, tag_len, "script")
            || fuzz_is_name(tag, tag_len, "style"))
        {
            raw = (tag_len == 6) ? "script" : "style";

            while (p < last
                   && !((size_t) (last - p) >= 2 + tag_len
                        && p[0] == '<' && p[1] == '/'
                        && fuzz_is_name(p + 2, tag_len, raw)))
            {
                p++;
            }
        }
    }
}


void
fuzz_check_absent(ngx_str_t *s, const char *needle, const char *what)
{
    size_t  i, j, n;

    n = strlen(needle);

    for (i = 0; i + n <= s->len; i++) {
        for (j = 0; j < n; j++) {
            u_char  c = s->data[i + j];

            if (c >= 'A' && c <= 'Z') {
                c |= 0x20;
            }

            if (c != (u_char) needle[j]) {
                break;
            }
        }

        if (j == n) {
            fuzz_fail("%s: \"%s\" at offset %zu", what, needle, i);
        }
    }
}
