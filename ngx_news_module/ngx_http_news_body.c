
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <md4c-html.h>

#include "ngx_http_news_body.h"
#include "ngx_http_news_escape.h"


typedef struct {
    ngx_pool_t               *pool;
    u_char                   *data;
    size_t                    len;
    size_t                    size;
    ngx_uint_t                failed;
} ngx_http_news_body_buf_t;


static u_char *ngx_http_news_body_paragraphs(u_char *dst, ngx_str_t *body,
    size_t *size);
static ngx_int_t ngx_http_news_body_markdown(ngx_str_t *body,
    ngx_pool_t *pool, ngx_str_t *out);
static void ngx_http_news_body_markdown_output(const MD_CHAR *text,
    MD_SIZE size, void *data);
static void ngx_http_news_body_safe_urls(ngx_str_t *html);
static ngx_uint_t ngx_http_news_body_url_attribute(u_char *start,
    u_char *quote);


ngx_int_t
ngx_http_news_body_html(ngx_str_t *body, ngx_uint_t format, ngx_pool_t *pool,
    ngx_str_t *out)
{
    u_char  *p, *control;
    size_t   size;

    switch (format) {

    case NGX_HTTP_NEWS_BODY_FORMAT_HTML:

        /*
         * The editors' own HTML: trusted, as documented, but with no
         * control bytes, as every value shown; copied only if it has
         * some, as the body may be kept with the article.
         */

        control = ngx_http_news_escape_find_control(body->data, body->len);

        if (control == NULL) {
            *out = *body;
            return NGX_OK;
        }

        out->data = ngx_pnalloc(pool, body->len);
        if (out->data == NULL) {
            return NGX_ERROR;
        }

        size = control - body->data;
        p = ngx_cpymem(out->data, body->data, size);
        p = ngx_http_news_escape_strip_controls(p, control, body->len - size);

        out->len = p - out->data;
        return NGX_OK;

    case NGX_HTTP_NEWS_BODY_FORMAT_MARKDOWN:
        return ngx_http_news_body_markdown(body, pool, out);

    default: /* NGX_HTTP_NEWS_BODY_FORMAT_TEXT */
        size = 0;
        (void) ngx_http_news_body_paragraphs(NULL, body, &size);

        out->data = ngx_pnalloc(pool, size);
        if (out->data == NULL) {
            return NGX_ERROR;
        }

        out->len = ngx_http_news_body_paragraphs(out->data, body, NULL)
                   - out->data;
        return NGX_OK;
    }
}


/*
 * Plain text to paragraphs: lines holding only white space separate
 * them; each becomes an escaped <p>.  With dst NULL the length is added
 * to *size instead, for the measuring pass.
 */

static u_char *
ngx_http_news_body_paragraphs(u_char *dst, ngx_str_t *body, size_t *size)
{
    u_char  *p, *last, *eol, *start, *end, *q;

    if (body->len == 0) {
        return dst;
    }

    p = body->data;
    last = p + body->len;
    start = NULL;
    end = NULL;

    while (p <= last) {
        eol = (p < last) ? memchr(p, '\n', last - p) : NULL;

        if (eol == NULL) {
            eol = last;
        }

        /* bytes that escaping drops make no paragraph either */

        for (q = p; q < eol; q++) {
            if (*q != ' ' && *q != '\t' && *q != '\r'
                && !ngx_http_news_escape_dropped(*q))
            {
                break;
            }
        }

        if (q < eol) {
            /* a line of text: it starts or extends a paragraph */

            if (start == NULL) {
                start = q;
            }

            for (end = eol;
                 end > q && (end[-1] == ' ' || end[-1] == '\t'
                             || end[-1] == '\r'
                             || ngx_http_news_escape_dropped(end[-1]));
                 end--)
            {
                /* void */
            }
        }

        if ((q == eol || eol == last) && start != NULL) {
            if (dst != NULL) {
                dst = ngx_cpymem(dst, "<p>", 3);
                dst = ngx_http_news_escape_html(dst, start, end - start);
                dst = ngx_cpymem(dst, "</p>\n", 5);

            } else {
                *size += sizeof("<p></p>\n") - 1
                         + ngx_http_news_escape_html_len(start, end - start);
            }

            start = NULL;
        }

        p = eol + 1;
    }

    return dst;
}


static ngx_int_t
ngx_http_news_body_markdown(ngx_str_t *body, ngx_pool_t *pool,
    ngx_str_t *out)
{
    u_char                    *text, *last;
    ngx_http_news_body_buf_t   buf;

    /*
     * md4c 0.4.8 may read one byte past its input: give it a NUL there.
     * The copy leaves out the control bytes, which md4c would pass to
     * its output (or make U+FFFD of, a NUL).
     */

    text = ngx_pnalloc(pool, body->len + 1);
    if (text == NULL) {
        return NGX_ERROR;
    }

    last = ngx_http_news_escape_strip_controls(text, body->data, body->len);
    *last = '\0';

    buf.pool = pool;
    buf.len = 0;
    buf.size = body->len + body->len / 2 + 256;
    buf.failed = 0;

    buf.data = ngx_pnalloc(pool, buf.size);
    if (buf.data == NULL) {
        return NGX_ERROR;
    }

    /* MD_FLAG_NOHTML: raw HTML in the source is shown as text */

    if (md_html((const MD_CHAR *) text, (MD_SIZE) (last - text),
                ngx_http_news_body_markdown_output, &buf,
                MD_FLAG_NOHTML | MD_FLAG_STRIKETHROUGH | MD_FLAG_TABLES, 0)
        != 0
        || buf.failed)
    {
        return NGX_ERROR;
    }

    /* a character reference ("&#27;") may still make one */

    out->data = buf.data;
    out->len = ngx_http_news_escape_strip_controls(buf.data, buf.data,
                                                   buf.len)
               - buf.data;

    ngx_http_news_body_safe_urls(out);

    return NGX_OK;
}


static void
ngx_http_news_body_markdown_output(const MD_CHAR *text, MD_SIZE size,
    void *data)
{
    ngx_http_news_body_buf_t *buf = data;

    u_char  *p;
    size_t   need;

    if (buf->failed) {
        return;
    }

    need = buf->len + size;

    if (need > buf->size) {
        buf->size = ngx_max(2 * buf->size, need);

        p = ngx_pnalloc(buf->pool, buf->size);
        if (p == NULL) {
            buf->failed = 1;
            return;
        }

        ngx_memcpy(p, buf->data, buf->len);
        buf->data = p;
    }

    ngx_memcpy(buf->data + buf->len, text, size);
    buf->len += size;
}


/*
 * md4c keeps a link's URL as written, so "[x](javascript:...)" would run
 * script.  Every href and src value whose scheme is not allowed becomes
 * "#".  In md4c's output a "<" always starts a tag (text has it escaped)
 * and attribute values are double-quoted with quotes escaped inside, so
 * reading tags and quoted values is enough to find every URL; text that
 * merely looks like an attribute ("![src=](...)") is inside a value.
 */

static void
ngx_http_news_body_safe_urls(ngx_str_t *html)
{
    u_char      *p, *last, *dst, *value, *end;
    ngx_uint_t   in_tag;

    p = html->data;
    last = p + html->len;
    dst = p;
    in_tag = 0;

    while (p < last) {

        if (!in_tag || (*p != '"' && *p != '>')) {

            /* the page's headline is its only <h1>: "# x" becomes <h2> */

            if (!in_tag && last - p > 4 && ngx_strncmp(p, "<h1>", 4) == 0) {
                dst = ngx_cpymem(dst, "<h2", 3);
                p += 3;
                in_tag = 1;
                continue;
            }

            if (!in_tag && last - p > 5 && ngx_strncmp(p, "</h1>", 5) == 0)
            {
                dst = ngx_cpymem(dst, "</h2", 4);
                p += 4;
                in_tag = 1;
                continue;
            }

            in_tag = in_tag || (*p == '<');
            *dst++ = *p++;
            continue;
        }

        if (*p == '>') {
            in_tag = 0;
            *dst++ = *p++;
            continue;
        }

        /* an attribute value, from this quote to the next */

        value = p + 1;

        end = ngx_strlchr(value, last, '"');
        if (end == NULL) {
            end = last;
        }

        *dst++ = '"';

        if (ngx_http_news_body_url_attribute(html->data, dst - 1)
            && !ngx_http_news_safe_url(value, end - value))
        {
            *dst++ = '#';

        } else {
            dst = ngx_movemem(dst, value, end - value);
        }

        if (end < last) {
            *dst++ = '"';
        }

        p = end + 1;
    }

    html->len = dst - html->data;
}


/* whether the value quoted at "quote" is that of an href or src */

static ngx_uint_t
ngx_http_news_body_url_attribute(u_char *start, u_char *quote)
{
    if (quote - start >= 6 && ngx_strncmp(quote - 6, " href=", 6) == 0) {
        return 1;
    }

    return quote - start >= 5 && ngx_strncmp(quote - 5, " src=", 5) == 0;
}


ngx_uint_t
ngx_http_news_body_reading_minutes(ngx_str_t *body)
{
    u_char      *p, *last;
    ngx_uint_t   words, in_word, space;

    words = 0;
    in_word = 0;

    for (p = body->data, last = p + body->len; p < last; p++) {
        space = (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r');
        words += (!space && !in_word);
        in_word = !space;
    }

    /* at about 200 words a minute, rounded up */

    return (words + 199) / 200;
}
