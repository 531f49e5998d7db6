
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>
#include <sanitizer/allocator_interface.h>

#include "fuzz_common.h"

#include "ngx_http_news_page.h"
#include "ngx_http_news_body.h"
#include "ngx_http_news_json.h"
#include "ngx_http_news_escape.h"
#include "ngx_http_news_default_template.h"


static u_char *fuzz_record(u_char *p, u_char *last, ngx_str_t *s);
static ngx_uint_t fuzz_same(ngx_str_t *s, const char *name);


ngx_log_t    *fuzz_log;
ngx_cycle_t  *fuzz_cycle;

static ngx_open_file_t  fuzz_log_file;
static ngx_log_t        fuzz_log_s;
static ngx_cycle_t      fuzz_cycle_s;


/* name, value, ...: every field of a full article, and one unknown */

static u_char  fuzz_full[] =
    "title\0Harbour ferry returns <after> \"two\" years & more\0"
    "author\0Ana O'Neill\0"
    "published_at\0" "2025-11-04T09:30:00Z\0"
    "updated_at\0" "1762334400\0"
    "summary\0The ferry is back; tickets from \xe2\x82\xac" "2.\0"
    "body\0# The ferry\n\nFirst *paragraph* with a "
        "[link](https://example.org/a?b=1&c=2 \"t\").\n\n"
        "- one\n- two\n\n![pier](/img/pier.jpg)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "<script>alert(1)</script> [x](javascript:alert(1))\n\0"
    "image\0https://cdn.example.org/ferry.jpg\0"
    "image_alt\0The \"Riverside\" at the pier\0"
    "image_credit\0Photo: J. Smith <staff>\0"
    "category\0Local & Regional\0"
    "tags\0[\"harbour\", \"ferries\", \" local news \", \"<b>\"]\0"
    "status\0published\0"
    "views\0" "12345\0"
    "rev\0" "17\0"
    "desk\0Harbour </script> desk";

static u_char  fuzz_sparse[] =
    "title\0Short\0"
    "published_at\0not a date\0"
    "tags\0a, ,b ,\tc\t\0"
    "views\0" "1";


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


/* no conf_file: ngx_conf_log_error() only logs */

void
fuzz_conf(ngx_conf_t *cf, ngx_pool_t *pool, ngx_pool_t *temp_pool)
{
    ngx_memzero(cf, sizeof(ngx_conf_t));

    cf->pool = pool;
    cf->temp_pool = temp_pool;
    cf->log = fuzz_log;
    cf->cycle = fuzz_cycle;
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


/*
 * Counted first, as the store counts a hash's elements before it makes
 * the article with room for them; every value is then copied from the
 * input, which the article must not point into.
 */

ngx_int_t
fuzz_article(ngx_pool_t *pool, u_char *data, size_t size,
    ngx_http_news_article_t **a, ngx_str_t *reason)
{
    u_char                   *p, *last;
    ngx_int_t                 rc;
    ngx_str_t                 name, value;
    ngx_uint_t                n, i;
    ngx_http_news_pair_t     *pair;
    ngx_http_news_article_t  *article;

    last = data + size;

    for (n = 0, p = data; p < last; n++) {
        p = fuzz_record(p, last, &name);
        p = fuzz_record(p, last, &value);
    }

    article = ngx_http_news_article_create(pool, n);
    if (article == NULL) {
        fuzz_fail("ngx_http_news_article_create() failed");
    }

    for (p = data; p < last; /* void */) {
        p = fuzz_record(p, last, &name);
        p = fuzz_record(p, last, &value);

        if (ngx_http_news_article_add(article, pool, name.data, name.len,
                                      value.data, value.len)
            != NGX_OK)
        {
            fuzz_fail("ngx_http_news_article_add() failed");
        }
    }

    ngx_str_null(reason);

    rc = ngx_http_news_article_done(article, pool, reason);

    if (rc == NGX_ERROR && reason->len == 0) {
        fuzz_fail("article rejected without a reason");
    }

    if (rc != NGX_OK && rc != NGX_ERROR) {
        fuzz_fail("ngx_http_news_article_done() returned %ld", (long) rc);
    }

    if (article->npairs != n) {
        fuzz_fail("%lu fields given, the article has %lu", (unsigned long) n,
                  (unsigned long) article->npairs);
    }

    pair = article->pairs;

    for (i = 0, p = data; p < last; i++) {
        p = fuzz_record(p, last, &name);
        p = fuzz_record(p, last, &value);

        if (pair[i].name.len != name.len || pair[i].value.len != value.len
            || ngx_memcmp(pair[i].name.data, name.data, name.len) != 0
            || ngx_memcmp(pair[i].value.data, value.data, value.len) != 0)
        {
            fuzz_fail("field %lu is not the one given", (unsigned long) i);
        }

        if ((pair[i].name.data >= data && pair[i].name.data < last)
            || (pair[i].value.data >= data && pair[i].value.data < last))
        {
            fuzz_fail("field %lu points into its source, not a copy",
                      (unsigned long) i);
        }
    }

    *a = article;

    return rc;
}


static u_char *
fuzz_record(u_char *p, u_char *last, ngx_str_t *s)
{
    u_char  *end;

    end = (p < last) ? memchr(p, '\0', last - p) : NULL;

    if (end == NULL) {
        end = last;
    }

    s->data = p;
    s->len = end - p;

    return (end < last) ? end + 1 : last;
}


ngx_http_news_article_t *
fuzz_article_full(ngx_pool_t *pool)
{
    ngx_str_t                 reason;
    ngx_http_news_article_t  *a;

    if (fuzz_article(pool, fuzz_full, sizeof(fuzz_full) - 1, &a, &reason)
        != NGX_OK)
    {
        fuzz_fail("the full article: %.*s", (int) reason.len, reason.data);
    }

    return a;
}


ngx_http_news_article_t *
fuzz_article_sparse(ngx_pool_t *pool)
{
    ngx_str_t                 reason;
    ngx_http_news_article_t  *a;

    if (fuzz_article(pool, fuzz_sparse, sizeof(fuzz_sparse) - 1, &a,
                     &reason)
        != NGX_OK)
    {
        fuzz_fail("the sparse article: %.*s", (int) reason.len, reason.data);
    }

    return a;
}


/*
 * A field by name is the last value of that name (as HSET leaves one
 * only, a hash has no two), a draft is a draft and is read no further;
 * otherwise the count is the last "views", read as Redis reads it, and
 * tags are trimmed and not empty.
 */

void
fuzz_check_article(ngx_http_news_article_t *a)
{
    size_t                 size;
    int64_t                views;
    ngx_uint_t             i, id;
    ngx_str_t             *last, *tag;
    ngx_http_news_pair_t  *pair;

    size = sizeof(ngx_http_news_article_t);

    for (i = 0; i < a->npairs; i++) {
        size += a->pairs[i].name.len + a->pairs[i].value.len;
    }

    if (a->size < size) {
        fuzz_fail("the article holds %zu bytes, says %zu", size, a->size);
    }

    for (id = 0; id < NGX_HTTP_NEWS_NFIELDS; id++) {
        last = NULL;

        for (i = 0; i < a->npairs; i++) {
            pair = &a->pairs[i];

            if (pair->name.len == ngx_http_news_article_fields[id].len
                && ngx_memcmp(pair->name.data,
                              ngx_http_news_article_fields[id].data,
                              pair->name.len)
                   == 0)
            {
                last = &pair->value;
            }
        }

        if (last == NULL ? a->field[id].len != 0
                         : (a->field[id].data != last->data
                            || a->field[id].len != last->len))
        {
            fuzz_fail("field \"%s\" is not its last value",
                      (char *) ngx_http_news_article_fields[id].data);
        }
    }

    if (a->draft != fuzz_same(&a->field[NGX_HTTP_NEWS_STATUS], "draft")) {
        fuzz_fail("draft is %lu for status \"%.*s\"",
                  (unsigned long) a->draft,
                  (int) a->field[NGX_HTTP_NEWS_STATUS].len,
                  a->field[NGX_HTTP_NEWS_STATUS].data);
    }

    if (a->draft) {
        return;
    }

    views = 0;

    for (i = 0; i < a->npairs; i++) {
        pair = &a->pairs[i];

        if (fuzz_same(&pair->name, "views")
            && fuzz_parse_views(pair->value.data, pair->value.len, &views)
               != NGX_OK)
        {
            fuzz_fail("views \"%.*s\" taken for a count",
                      (int) pair->value.len, pair->value.data);
        }
    }

    if (a->views != views) {
        fuzz_fail("views read as %lld, not %lld", (long long) a->views,
                  (long long) views);
    }

    if (a->ntags && a->field[NGX_HTTP_NEWS_TAGS].len == 0) {
        fuzz_fail("%lu tags of no tags field", (unsigned long) a->ntags);
    }

    for (i = 0; i < a->ntags; i++) {
        tag = &a->tags[i];

        if (tag->len == 0
            || tag->data[0] == ' ' || tag->data[0] == '\t'
            || tag->data[tag->len - 1] == ' '
            || tag->data[tag->len - 1] == '\t')
        {
            fuzz_fail("tag %lu is empty or not trimmed: \"%.*s\"",
                      (unsigned long) i, (int) tag->len, tag->data);
        }
    }

    if ((a->published != (time_t) -1
         && a->field[NGX_HTTP_NEWS_PUBLISHED_AT].len == 0)
        || (a->updated != (time_t) -1
            && a->field[NGX_HTTP_NEWS_UPDATED_AT].len == 0))
    {
        fuzz_fail("a date of no date field");
    }
}


/*
 * A count as Redis' string2ll() reads it, made apart from the module's:
 * "-"? digits, no leading zero, no "-0", within 64 bits.
 */

ngx_int_t
fuzz_parse_views(u_char *p, size_t len, int64_t *views)
{
    char       buf[32], *end;
    long long  n;

    if (len == 0 || len > 20) {
        return NGX_ERROR;
    }

    ngx_memcpy(buf, p, len);
    buf[len] = '\0';

    if (buf[0] == '-' ? (len == 1 || buf[1] < '1' || buf[1] > '9')
                      : (buf[0] < '0' || buf[0] > '9'
                         || (buf[0] == '0' && len > 1)))
    {
        return NGX_ERROR;
    }

    errno = 0;
    n = strtoll(buf, &end, 10);

    if (errno != 0 || end != buf + len) {
        return NGX_ERROR;
    }

    *views = n;

    return NGX_OK;
}


static ngx_uint_t
fuzz_same(ngx_str_t *s, const char *name)
{
    return s->len == strlen(name) && ngx_memcmp(s->data, name, s->len) == 0;
}


void
fuzz_page(ngx_http_news_page_t *page, ngx_http_news_article_t *a,
    ngx_uint_t body_format)
{
    static ngx_http_news_publisher_t  publisher = {
        ngx_string("Courier \"Media\" <Group>"),
        ngx_string("/images/logo.png?a=1&b=<2>"),
        ngx_string("https://news.example.org/"),
        ngx_string("en-GB"),
        ngx_string("en_GB"),
        ngx_string("@courier")
    };

    ngx_memzero(page, sizeof(ngx_http_news_page_t));

    page->article = a;
    page->publisher = &publisher;
    ngx_str_set(&page->site_name, "The Riverside Courier");
    ngx_str_set(&page->url, "https://news.example.org/news/harbour-ferry");
    ngx_str_set(&page->beacon_url,
                "/beacon/harbour-ferry?from=\"page\"&x=<1>");
    page->date_format = "%a, %d %b %Y";
    page->body_format = body_format;
    page->log = fuzz_log;

    /* the list pages' links: category_url, author_url, tag_links */
    ngx_str_set(&page->section_url, "https://news.example.org/section/");
    ngx_str_set(&page->tag_url, "https://news.example.org/tag/");
    ngx_str_set(&page->author_url, "https://news.example.org/author/");
}


ngx_http_news_template_t *
fuzz_default_template(void)
{
    ngx_str_t                         source;
    ngx_conf_t                        cf;
    ngx_pool_t                       *temp_pool;
    static ngx_http_news_template_t  *tpl;

    if (tpl != NULL) {
        return tpl;
    }

    /* the pool lives as long as the process, as a configuration's would */

    temp_pool = fuzz_pool();
    fuzz_conf(&cf, fuzz_pool(), temp_pool);

    ngx_str_set(&source, "built-in template");

    tpl = ngx_http_news_page_template_compile(&cf, &source,
                                              &ngx_http_news_default_template);
    if (tpl == NULL) {
        fuzz_fail("the default template does not compile");
    }

    ngx_destroy_pool(temp_pool);

    return tpl;
}


void
fuzz_show(ngx_http_news_article_t *a, int64_t views, ngx_uint_t formats)
{
    ngx_str_t                 *image, out;
    ngx_uint_t                 format, i;
    ngx_pool_t                *pool;
    ngx_http_news_page_t       page;
    ngx_http_news_rendered_t   r;

    int64_t  counts[] = { 0, 1, -1, INT64_MAX, INT64_MIN, views };

    /* as ngx_http_news_fresh() does */

    image = &a->field[NGX_HTTP_NEWS_IMAGE];

    if (!ngx_http_news_safe_url(image->data, image->len)) {
        ngx_str_null(image);
    }

    pool = fuzz_pool();

    for (format = NGX_HTTP_NEWS_BODY_FORMAT_TEXT;
         format <= NGX_HTTP_NEWS_BODY_FORMAT_HTML;
         format++)
    {
        if (!(formats & (1 << format))) {
            continue;
        }

        fuzz_page(&page, a, format);

        if (ngx_http_news_page_render(fuzz_default_template(), &page, pool,
                                      &r)
            != NGX_OK)
        {
            fuzz_fail("the default page failed to render, format %lu",
                      (unsigned long) format);
        }

        fuzz_check_exact(&r.text, "default page");

        if (r.ncuts != 1 || r.cuts[0].slot != NGX_HTTP_NEWS_SLOT_VIEWS_LABEL) {
            fuzz_fail("default page: %lu cuts, not its one {{views_label}}",
                      (unsigned long) r.ncuts);
        }

        for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
            fuzz_fill(&r, counts[i], pool, &out, "default page");

            /* editors' HTML is trusted and passed through as it is */

            if (i == 0 && format != NGX_HTTP_NEWS_BODY_FORMAT_HTML) {
                fuzz_check_html_urls(&out, "default page");
            }
        }
    }

    fuzz_page(&page, a, NGX_HTTP_NEWS_BODY_FORMAT_TEXT);

    if (ngx_http_news_json_article(&page, pool, &r) != NGX_OK) {
        fuzz_fail("ngx_http_news_json_article() failed");
    }

    if (r.ncuts != 1 || r.cuts[0].slot != NGX_HTTP_NEWS_SLOT_VIEWS
        || r.cuts[0].offset + 1 != r.text.len)
    {
        fuzz_fail("the article's JSON: its one cut is not its last member");
    }

    for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        fuzz_fill(&r, counts[i], pool, &out, "the article's JSON");
        fuzz_check_json(&out, &counts[i], "the article's JSON");
    }

    if (ngx_http_news_json_ld(&page, pool, &out) != NGX_OK) {
        fuzz_fail("ngx_http_news_json_ld() failed");
    }

    fuzz_check_json(&out, NULL, "JSON-LD");
    fuzz_check_absent(&out, "</", "JSON-LD");
    fuzz_check_absent(&out, "<!--", "JSON-LD");

    ngx_destroy_pool(pool);
}


/* adjacent slots share an offset: in order is not strictly increasing */

void
fuzz_check_rendered(ngx_http_news_rendered_t *r, const char *what)
{
    ngx_uint_t  i;

    if (r->ncuts && r->cuts == NULL) {
        fuzz_fail("%s: %lu cuts and no array", what, (unsigned long) r->ncuts);
    }

    for (i = 0; i < r->ncuts; i++) {
        if (r->cuts[i].offset > r->text.len
            || (i > 0 && r->cuts[i].offset < r->cuts[i - 1].offset))
        {
            fuzz_fail("%s: cut %lu at %zu, after %zu, of %zu bytes", what,
                      (unsigned long) i, r->cuts[i].offset,
                      i > 0 ? r->cuts[i - 1].offset : 0, r->text.len);
        }

        if (r->cuts[i].slot != NGX_HTTP_NEWS_SLOT_VIEWS
            && r->cuts[i].slot != NGX_HTTP_NEWS_SLOT_VIEWS_LABEL)
        {
            fuzz_fail("%s: cut %lu of an unknown slot %d", what,
                      (unsigned long) i, (int) r->cuts[i].slot);
        }
    }
}


void
fuzz_fill(ngx_http_news_rendered_t *r, int64_t views, ngx_pool_t *pool,
    ngx_str_t *out, const char *what)
{
    u_char       *p, *want, slot[NGX_INT64_LEN + sizeof(" Views")];
    off_t         len;
    size_t        from, to, n, want_len, size;
    ngx_buf_t    *b;
    ngx_uint_t    i, links;
    ngx_chain_t  *chain, *cl;

    fuzz_check_rendered(r, what);

    if (ngx_http_news_page_output(r, views, pool, &chain, &len) != NGX_OK) {
        fuzz_fail("%s: ngx_http_news_page_output() failed", what);
    }

    /* the text with each slot's value put in at its cut, made here */

    want = ngx_pnalloc(pool, r->text.len + r->ncuts * sizeof(slot) + 1);
    if (want == NULL) {
        fuzz_fail("ngx_pnalloc() failed");
    }

    p = want;
    from = 0;

    for (i = 0; /* void */ ; i++) {
        to = (i < r->ncuts) ? r->cuts[i].offset : r->text.len;
        p = ngx_cpymem(p, r->text.data + from, to - from);
        from = to;

        if (i == r->ncuts) {
            break;
        }

        n = snprintf((char *) slot, sizeof(slot), "%lld", (long long) views);

        if (r->cuts[i].slot == NGX_HTTP_NEWS_SLOT_VIEWS_LABEL) {
            n += snprintf((char *) slot + n, sizeof(slot) - n, "%s",
                          views == 1 ? " View" : " Views");
        }

        p = ngx_cpymem(p, slot, n);
    }

    want_len = p - want;

    out->data = ngx_pnalloc(pool, want_len + 1);
    if (out->data == NULL) {
        fuzz_fail("ngx_pnalloc() failed");
    }

    out->len = 0;
    links = 0;

    for (cl = chain; cl != NULL; cl = cl->next) {

        if (++links > 2 * r->ncuts + 1) {
            fuzz_fail("%s: more than %lu buffers for %lu cuts", what,
                      (unsigned long) (2 * r->ncuts + 1),
                      (unsigned long) r->ncuts);
        }

        b = cl->buf;
        size = b->last - b->pos;

        if (b->last <= b->pos || !b->memory) {
            fuzz_fail("%s: buffer %lu is empty or not in memory", what,
                      (unsigned long) links);
        }

        if (b->last_in_chain != (cl->next == NULL)) {
            fuzz_fail("%s: last_in_chain %u on buffer %lu of the chain",
                      what, (unsigned) b->last_in_chain,
                      (unsigned long) links);
        }

        if (out->len + size > want_len) {
            fuzz_fail("%s: the chain is longer than %zu bytes", what,
                      want_len);
        }

        out->len = ngx_cpymem(out->data + out->len, b->pos, size)
                   - out->data;
    }

    if ((size_t) len != out->len || out->len != want_len
        || ngx_memcmp(out->data, want, want_len) != 0)
    {
        fuzz_fail("%s with %lld views: %zu bytes sent, %zu said, %zu due "
                  "(%zu of text and %lu cuts)", what, (long long) views,
                  out->len, (size_t) len, want_len, r->text.len,
                  (unsigned long) r->ncuts);
    }
}


/*
 * Valid JSON, as jansson reads it, except that jansson rejects the
 * "\u0000" in object keys that JSON allows: it reads "\u0001" instead.
 */

void
fuzz_check_json(ngx_str_t *json, int64_t *views, const char *what)
{
    u_char        *copy, *p, *last;
    json_t        *j, *v;
    json_error_t   err;

    copy = malloc(json->len + 1);
    if (copy == NULL) {
        fuzz_fail("malloc() failed");
    }

    ngx_memcpy(copy, json->data, json->len);
    last = copy + json->len;

    /* memchr(), not a strncmp() per byte that libFuzzer would trace */

    for (p = copy; last - p >= 6; p++) {
        p = memchr(p, '\\', last - p - 5);

        if (p == NULL) {
            break;
        }

        if (p[1] == '\\') {
            p++;
            continue;
        }

        if (p[1] == 'u' && p[2] == '0' && p[3] == '0' && p[4] == '0'
            && p[5] == '0')
        {
            p[5] = '1';
        }
    }

    j = json_loadb((const char *) copy, json->len, 0, &err);
    if (j == NULL) {
        fuzz_fail("%s is not valid JSON: %s at %d: %.*s", what, err.text,
                  err.position, (int) json->len, json->data);
    }

    if (views != NULL) {
        v = json_object_get(j, "views");

        if (!json_is_integer(v) || json_integer_value(v) != *views) {
            fuzz_fail("%s: \"views\" is not %lld: %.*s", what,
                      (long long) *views, (int) json->len, json->data);
        }
    }

    json_decref(j);
    free(copy);
}


/*
 * The JSON form of a value ({{name|json}}): nothing a <script> element
 * or an attribute could end at, no raw control, no U+2028/2029; in
 * quotes, a JSON string (NUL allowed) of the value with each byte that
 * does not start valid UTF-8 made U+FFFD.
 */

void
fuzz_check_json_string(ngx_str_t *inner, ngx_str_t *value, const char *what)
{
    u_char        *copy, *p, *last, *want;
    size_t         n;
    json_t        *j;
    json_error_t   err;

    last = inner->data + inner->len;

    for (p = inner->data; p < last; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '&'
            || *p == '"' || *p == '\''
            || (*p == 0xe2 && last - p > 2 && p[1] == 0x80
                && (p[2] == 0xa8 || p[2] == 0xa9)))
        {
            fuzz_fail("%s: byte 0x%02x left at offset %ld: %.*s", what, *p,
                      (long) (p - inner->data), (int) inner->len,
                      inner->data);
        }
    }

    copy = malloc(inner->len + 2);
    want = malloc(3 * value->len + 1);

    if (copy == NULL || want == NULL) {
        fuzz_fail("malloc() failed");
    }

    copy[0] = '"';
    ngx_memcpy(copy + 1, inner->data, inner->len);
    copy[inner->len + 1] = '"';

    j = json_loadb((const char *) copy, inner->len + 2,
                   JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

    if (j == NULL || !json_is_string(j)) {
        fuzz_fail("%s is not the inside of a JSON string: %s: %.*s", what,
                  err.text, (int) inner->len, inner->data);
    }

    n = ngx_http_news_json_fix_utf8(want, value->data, value->len);

    if (json_string_length(j) != n
        || ngx_memcmp(json_string_value(j), want, n) != 0)
    {
        fuzz_fail("%s does not read back as the value: %.*s", what,
                  (int) inner->len, inner->data);
    }

    json_decref(j);
    free(want);
    free(copy);
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
