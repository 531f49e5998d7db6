
/*
 * Copyright (C) ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_template.h"
#include "ngx_http_news_escape.h"
#include "ngx_http_news_body.h"
#include "ngx_http_news_json.h"


#define NGX_HTTP_NEWS_ISO_DATE  "%Y-%m-%dT%H:%M:%SZ"


/* hash fields come first, with the same numbers as in the article */

typedef enum {
    NGX_HTTP_NEWS_VIEWS = NGX_HTTP_NEWS_NFIELDS,
    NGX_HTTP_NEWS_VIEWS_LABEL,
    NGX_HTTP_NEWS_PUBLISHED,
    NGX_HTTP_NEWS_PUBLISHED_ISO,
    NGX_HTTP_NEWS_UPDATED_ISO,
    NGX_HTTP_NEWS_URL,
    NGX_HTTP_NEWS_URL_ENCODED,
    NGX_HTTP_NEWS_BODY_HTML,
    NGX_HTTP_NEWS_SITE_NAME,
    NGX_HTTP_NEWS_JSONLD,
    NGX_HTTP_NEWS_SHARE_X,
    NGX_HTTP_NEWS_SHARE_FACEBOOK,
    NGX_HTTP_NEWS_SHARE_WHATSAPP,
    NGX_HTTP_NEWS_SHARE_LINKEDIN,
    NGX_HTTP_NEWS_READING_MINUTES,
    NGX_HTTP_NEWS_BEACON_URL,
    NGX_HTTP_NEWS_TITLE_ENCODED,        /* for share links; not a name */
    NGX_HTTP_NEWS_DOT,                  /* {{.}}: a section's item */
    NGX_HTTP_NEWS_NVALUES
} ngx_http_news_value_e;


typedef enum {
    NGX_HTTP_NEWS_OP_TEXT = 0,
    NGX_HTTP_NEWS_OP_ESCAPED,           /* {{name}} */
    NGX_HTTP_NEWS_OP_RAW,               /* {{{name}}} */
    NGX_HTTP_NEWS_OP_SECTION,           /* {{#name}} ... {{/name}} */
    NGX_HTTP_NEWS_OP_INVERTED           /* {{^name}} ... {{/name}} */
} ngx_http_news_op_e;


typedef struct {
    ngx_http_news_op_e        type;
    ngx_uint_t                value;
    ngx_str_t                 text;     /* TEXT; a section's name */
    ngx_uint_t                end;      /* a section: the op after it */
    ngx_uint_t                line;
} ngx_http_news_op_t;


struct ngx_http_news_template_s {
    ngx_array_t               ops;      /* ngx_http_news_op_t */
};


/* a page being rendered: values are computed once, when first used */
typedef struct {
    ngx_http_news_page_t     *page;
    ngx_pool_t               *pool;
    ngx_str_t                 value[NGX_HTTP_NEWS_NVALUES];
    uint64_t                  done;
    ngx_array_t               tags;
    ngx_uint_t                tags_done;
    ngx_str_t                *dot;      /* the current section's item */
    ngx_uint_t                failed;
} ngx_http_news_render_t;


static ngx_int_t ngx_http_news_template_tag(ngx_conf_t *cf,
    ngx_str_t *source, ngx_http_news_template_t *tpl, ngx_array_t *open,
    ngx_str_t *tag, ngx_uint_t raw, ngx_uint_t line);
static ngx_int_t ngx_http_news_template_name(ngx_str_t *name);
static u_char *ngx_http_news_template_walk(ngx_http_news_render_t *rd,
    ngx_http_news_op_t *op, ngx_uint_t from, ngx_uint_t to, u_char *dst,
    size_t *size);
static u_char *ngx_http_news_template_section(ngx_http_news_render_t *rd,
    ngx_http_news_op_t *op, ngx_uint_t i, u_char *dst, size_t *size);
static ngx_array_t *ngx_http_news_tags(ngx_http_news_render_t *rd);
static ngx_str_t *ngx_http_news_value(ngx_http_news_render_t *rd,
    ngx_uint_t id);
static ngx_int_t ngx_http_news_value_compute(ngx_http_news_render_t *rd,
    ngx_uint_t id, ngx_str_t *v);
static ngx_int_t ngx_http_news_value_uri(ngx_http_news_render_t *rd,
    ngx_str_t *src, ngx_str_t *v);
static ngx_int_t ngx_http_news_value_share(ngx_http_news_render_t *rd,
    const char *format, ngx_uint_t first, ngx_uint_t second, ngx_str_t *v);


static ngx_str_t  ngx_http_news_value_names[] = {
    ngx_string("views"),
    ngx_string("views_label"),
    ngx_string("published"),
    ngx_string("published_iso"),
    ngx_string("updated_iso"),
    ngx_string("url"),
    ngx_string("url_encoded"),
    ngx_string("body_html"),
    ngx_string("site_name"),
    ngx_string("jsonld"),
    ngx_string("share_x"),
    ngx_string("share_facebook"),
    ngx_string("share_whatsapp"),
    ngx_string("share_linkedin"),
    ngx_string("reading_minutes"),
    ngx_string("beacon_url"),
    ngx_null_string
};


ngx_http_news_template_t *
ngx_http_news_template_load(ngx_conf_t *cf, ngx_str_t *path)
{
    ssize_t          n;
    ngx_str_t        name, text;
    ngx_file_t       file;
    ngx_file_info_t  fi;

    name = *path;

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NULL;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));

    file.name = name;
    file.log = cf->log;

    file.fd = ngx_open_file(name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%s\" failed", name.data);
        return NULL;
    }

    n = NGX_ERROR;

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%s\" failed", name.data);
        goto close;
    }

    text.len = (size_t) ngx_file_size(&fi);

    text.data = ngx_pnalloc(cf->pool, text.len + 1);
    if (text.data == NULL) {
        goto close;
    }

    n = ngx_read_file(&file, text.data, text.len, 0);

    if (n != NGX_ERROR && (size_t) n != text.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%s\" changed while being read", name.data);
        n = NGX_ERROR;
    }

close:

    if (ngx_close_file(file.fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%s\" failed", name.data);
    }

    if (n == NGX_ERROR) {
        return NULL;
    }

    /* compiled ops point into the text, which lives as long as they do */

    return ngx_http_news_template_compile(cf, &name, &text);
}


ngx_http_news_template_t *
ngx_http_news_template_compile(ngx_conf_t *cf, ngx_str_t *source,
    ngx_str_t *text)
{
    u_char                    *p, *last, *tag, *close;
    ngx_str_t                  inner;
    ngx_uint_t                 line, raw, *section;
    ngx_array_t                open;
    ngx_http_news_op_t        *op;
    ngx_http_news_template_t  *tpl;

    tpl = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_template_t));
    if (tpl == NULL) {
        return NULL;
    }

    if (ngx_array_init(&tpl->ops, cf->pool, 64, sizeof(ngx_http_news_op_t))
        != NGX_OK
        || ngx_array_init(&open, cf->temp_pool, 8, sizeof(ngx_uint_t))
           != NGX_OK)
    {
        return NULL;
    }

    p = text->data;
    last = p + text->len;
    line = 1;

    while (p < last) {
        /* braces have no case: this is the length-bounded search 1.22 has */

        tag = ngx_strlcasestrn(p, last, (u_char *) "{{", 2 - 1);

        if (tag == NULL) {
            tag = last;
        }

        if (tag > p) {
            op = ngx_array_push(&tpl->ops);
            if (op == NULL) {
                return NULL;
            }

            ngx_memzero(op, sizeof(ngx_http_news_op_t));
            op->type = NGX_HTTP_NEWS_OP_TEXT;
            op->text.data = p;
            op->text.len = tag - p;

            for ( /* void */ ; p < tag; p++) {
                line += (*p == '\n');
            }
        }

        if (tag == last) {
            break;
        }

        raw = (last - tag > 2 && tag[2] == '{');
        p = tag + 2 + raw;

        close = ngx_strlcasestrn(p, last, (u_char *) (raw ? "}}}" : "}}"),
                                 (raw ? 3 : 2) - 1);
        if (close == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%V:%ui: unterminated tag", source, line);
            return NULL;
        }

        inner.data = p;
        inner.len = close - p;

        if (ngx_http_news_template_tag(cf, source, tpl, &open, &inner, raw,
                                       line)
            != NGX_OK)
        {
            return NULL;
        }

        for (p = tag; p < close; p++) {
            line += (*p == '\n');
        }

        p = close + 2 + raw;
    }

    if (open.nelts) {
        section = open.elts;
        op = tpl->ops.elts;
        op = &op[section[open.nelts - 1]];

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%V:%ui: section \"%V\" is not closed",
                           source, op->line, &op->text);
        return NULL;
    }

    return tpl;
}


static ngx_int_t
ngx_http_news_template_tag(ngx_conf_t *cf, ngx_str_t *source,
    ngx_http_news_template_t *tpl, ngx_array_t *open, ngx_str_t *tag,
    ngx_uint_t raw, ngx_uint_t line)
{
    u_char               sigil;
    ngx_int_t            id;
    ngx_str_t            name;
    ngx_uint_t          *section, i;
    ngx_http_news_op_t  *op, *ops;

    name = *tag;

    while (name.len && name.data[0] == ' ') {
        name.data++;
        name.len--;
    }

    while (name.len && name.data[name.len - 1] == ' ') {
        name.len--;
    }

    sigil = (!raw && name.len) ? name.data[0] : '\0';

    if (sigil == '!') {
        return NGX_OK;
    }

    if (sigil == '#' || sigil == '^' || sigil == '/') {
        name.data++;
        name.len--;

        while (name.len && name.data[0] == ' ') {
            name.data++;
            name.len--;
        }
    }

    if (name.len == 1 && name.data[0] == '.') {

        if (sigil == '#' || sigil == '^' || sigil == '/'
            || open->nelts == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%V:%ui: \"{{%V}}\" is allowed only as a "
                               "value inside a section", source, line, tag);
            return NGX_ERROR;
        }

        id = NGX_HTTP_NEWS_DOT;

    } else {
        id = ngx_http_news_template_name(&name);
    }

    if (id == NGX_ERROR) {
        for (i = 0; i < name.len; i++) {
            if (name.data[i] != '_'
                && (name.data[i] < 'a' || name.data[i] > 'z')
                && (name.data[i] < '0' || name.data[i] > '9'))
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "%V:%ui: invalid tag \"{{%V}}\"",
                                   source, line, tag);
                return NGX_ERROR;
            }
        }

        if (name.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%V:%ui: invalid tag \"{{%V}}\"",
                               source, line, tag);
            return NGX_ERROR;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%V:%ui: unknown name \"%V\"", source, line,
                           &name);
        return NGX_ERROR;
    }

    if (sigil == '/') {
        ops = tpl->ops.elts;

        if (open->nelts == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%V:%ui: \"{{/%V}}\" closes no section",
                               source, line, &name);
            return NGX_ERROR;
        }

        section = open->elts;
        op = &ops[section[open->nelts - 1]];

        if ((ngx_uint_t) id != op->value) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%V:%ui: \"{{/%V}}\" closes section \"%V\" "
                               "opened on line %ui",
                               source, line, &name, &op->text, op->line);
            return NGX_ERROR;
        }

        op->end = tpl->ops.nelts;
        open->nelts--;

        return NGX_OK;
    }

    /*
     * A list inside the same list would render its body once per pair,
     * triple, ... of tags: N^depth times, N coming from Redis.
     */

    if (sigil == '#' && id == NGX_HTTP_NEWS_TAGS) {
        ops = tpl->ops.elts;
        section = open->elts;

        for (i = 0; i < open->nelts; i++) {
            if (ops[section[i]].type == NGX_HTTP_NEWS_OP_SECTION
                && ops[section[i]].value == NGX_HTTP_NEWS_TAGS)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "%V:%ui: \"{{#tags}}\" inside the "
                                   "\"{{#tags}}\" opened on line %ui",
                                   source, line, ops[section[i]].line);
                return NGX_ERROR;
            }
        }
    }

    op = ngx_array_push(&tpl->ops);
    if (op == NULL) {
        return NGX_ERROR;
    }

    op->value = id;
    op->text = name;
    op->end = 0;
    op->line = line;

    switch (sigil) {

    case '#':
        op->type = NGX_HTTP_NEWS_OP_SECTION;
        break;

    case '^':
        op->type = NGX_HTTP_NEWS_OP_INVERTED;
        break;

    default:
        op->type = raw ? NGX_HTTP_NEWS_OP_RAW : NGX_HTTP_NEWS_OP_ESCAPED;
        return NGX_OK;
    }

    section = ngx_array_push(open);
    if (section == NULL) {
        return NGX_ERROR;
    }

    *section = tpl->ops.nelts - 1;

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_template_name(ngx_str_t *name)
{
    ngx_int_t  i;

    /* computed names first: "views" is the counter, not the raw field */

    for (i = 0; ngx_http_news_value_names[i].len; i++) {
        if (ngx_http_news_value_names[i].len == name->len
            && ngx_strncmp(ngx_http_news_value_names[i].data, name->data,
                           name->len)
               == 0)
        {
            return NGX_HTTP_NEWS_NFIELDS + i;
        }
    }

    return ngx_http_news_article_field(name);
}


ngx_int_t
ngx_http_news_template_render(ngx_http_news_template_t *tpl,
    ngx_http_news_page_t *page, ngx_pool_t *pool, ngx_str_t *out)
{
    size_t                  size;
    ngx_http_news_render_t  rd;

    ngx_memzero(&rd, sizeof(ngx_http_news_render_t));
    rd.page = page;
    rd.pool = pool;

    /* measure, then write into one buffer of exactly that size */

    size = 0;
    (void) ngx_http_news_template_walk(&rd, tpl->ops.elts, 0, tpl->ops.nelts,
                                       NULL, &size);
    if (rd.failed) {
        return NGX_ERROR;
    }

    out->data = ngx_pnalloc(pool, size);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    out->len = ngx_http_news_template_walk(&rd, tpl->ops.elts, 0,
                                           tpl->ops.nelts, out->data, NULL)
               - out->data;

    return NGX_OK;
}


/*
 * One walker for both passes: with dst NULL it adds the output's length
 * to *size, otherwise it writes and returns the end of what it wrote.
 */

static u_char *
ngx_http_news_template_walk(ngx_http_news_render_t *rd,
    ngx_http_news_op_t *op, ngx_uint_t from, ngx_uint_t to, u_char *dst,
    size_t *size)
{
    ngx_str_t   *v;
    ngx_uint_t   i;

    for (i = from; i < to; i++) {

        switch (op[i].type) {

        case NGX_HTTP_NEWS_OP_SECTION:
        case NGX_HTTP_NEWS_OP_INVERTED:
            dst = ngx_http_news_template_section(rd, op, i, dst, size);
            i = op[i].end - 1;
            continue;

        case NGX_HTTP_NEWS_OP_TEXT:
            v = &op[i].text;
            break;

        default:
            v = ngx_http_news_value(rd, op[i].value);
            break;
        }

        if (v == NULL) {
            return dst;
        }

        if (op[i].type == NGX_HTTP_NEWS_OP_ESCAPED) {
            if (dst != NULL) {
                dst = ngx_http_news_escape_html(dst, v->data, v->len);

            } else {
                *size += ngx_http_news_escape_html_len(v->data, v->len);
            }

        } else if (dst != NULL) {
            /* an absent field has no data to copy from */
            dst = v->len ? ngx_cpymem(dst, v->data, v->len) : dst;

        } else {
            *size += v->len;
        }
    }

    return dst;
}


/*
 * {{#name}} shows its body once if the value is not empty, with {{.}}
 * the value; over a list (tags) once per item, {{.}} the item.
 * {{^name}} shows it once if the value or list is empty.
 */

static u_char *
ngx_http_news_template_section(ngx_http_news_render_t *rd,
    ngx_http_news_op_t *op, ngx_uint_t i, u_char *dst, size_t *size)
{
    ngx_str_t    *v, *dot, *item;
    ngx_uint_t    n, k, inverted;
    ngx_array_t  *list;

    inverted = (op[i].type == NGX_HTTP_NEWS_OP_INVERTED);

    if (op[i].value == NGX_HTTP_NEWS_TAGS) {
        list = ngx_http_news_tags(rd);
        if (list == NULL) {
            return dst;
        }

        item = list->elts;
        n = list->nelts;

    } else {
        v = ngx_http_news_value(rd, op[i].value);
        if (v == NULL) {
            return dst;
        }

        item = v;
        n = (v->len != 0);
    }

    if (inverted) {
        return n ? dst : ngx_http_news_template_walk(rd, op, i + 1,
                                                     op[i].end, dst, size);
    }

    dot = rd->dot;

    for (k = 0; k < n; k++) {
        rd->dot = &item[k];
        dst = ngx_http_news_template_walk(rd, op, i + 1, op[i].end, dst,
                                          size);
    }

    rd->dot = dot;

    return dst;
}


static ngx_array_t *
ngx_http_news_tags(ngx_http_news_render_t *rd)
{
    if (!rd->tags_done) {
        if (ngx_http_news_article_tags(
                &rd->page->article->field[NGX_HTTP_NEWS_TAGS], rd->pool,
                &rd->tags)
            != NGX_OK)
        {
            rd->failed = 1;
            return NULL;
        }

        rd->tags_done = 1;
    }

    return &rd->tags;
}


static ngx_str_t *
ngx_http_news_value(ngx_http_news_render_t *rd, ngx_uint_t id)
{
    ngx_str_t  *v;

    if (id < NGX_HTTP_NEWS_NFIELDS) {
        return &rd->page->article->field[id];
    }

    if (id == NGX_HTTP_NEWS_DOT) {
        /* {{.}} in an inverted section at the top has no item: empty */
        return rd->dot != NULL ? rd->dot : &rd->value[NGX_HTTP_NEWS_DOT];
    }

    v = &rd->value[id];

    if (rd->done & ((uint64_t) 1 << id)) {
        return v;
    }

    if (ngx_http_news_value_compute(rd, id, v) != NGX_OK) {
        rd->failed = 1;
        return NULL;
    }

    rd->done |= (uint64_t) 1 << id;

    return v;
}


static ngx_int_t
ngx_http_news_value_compute(ngx_http_news_render_t *rd, ngx_uint_t id,
    ngx_str_t *v)
{
    u_char                   *p;
    ngx_http_news_page_t     *page;
    ngx_http_news_article_t  *a;

    page = rd->page;
    a = page->article;

    switch (id) {

    case NGX_HTTP_NEWS_VIEWS:
    case NGX_HTTP_NEWS_VIEWS_LABEL:
        v->data = ngx_pnalloc(rd->pool, NGX_INT64_LEN + sizeof(" Views"));
        if (v->data == NULL) {
            return NGX_ERROR;
        }

        if (id == NGX_HTTP_NEWS_VIEWS) {
            p = ngx_sprintf(v->data, "%L", a->views);

        } else {
            p = ngx_sprintf(v->data, "%L %s", a->views,
                            a->views == 1 ? "View" : "Views");
        }

        v->len = p - v->data;
        return NGX_OK;

    case NGX_HTTP_NEWS_PUBLISHED:
        return ngx_http_news_article_date(
                   &a->field[NGX_HTTP_NEWS_PUBLISHED_AT], page->date_format,
                   rd->pool, v);

    case NGX_HTTP_NEWS_PUBLISHED_ISO:
        return ngx_http_news_article_date(
                   &a->field[NGX_HTTP_NEWS_PUBLISHED_AT],
                   NGX_HTTP_NEWS_ISO_DATE, rd->pool, v);

    case NGX_HTTP_NEWS_UPDATED_ISO:
        return ngx_http_news_article_date(
                   &a->field[NGX_HTTP_NEWS_UPDATED_AT],
                   NGX_HTTP_NEWS_ISO_DATE, rd->pool, v);

    case NGX_HTTP_NEWS_URL:
        *v = page->url;
        return NGX_OK;

    case NGX_HTTP_NEWS_URL_ENCODED:
        return ngx_http_news_value_uri(rd, &page->url, v);

    case NGX_HTTP_NEWS_TITLE_ENCODED:
        return ngx_http_news_value_uri(rd, &a->field[NGX_HTTP_NEWS_TITLE], v);

    case NGX_HTTP_NEWS_BODY_HTML:
        return ngx_http_news_body_html(&a->field[NGX_HTTP_NEWS_BODY],
                                       page->body_format, rd->pool, v);

    case NGX_HTTP_NEWS_SITE_NAME:
        *v = page->site_name;
        return NGX_OK;

    case NGX_HTTP_NEWS_BEACON_URL:
        *v = page->beacon_url;
        return NGX_OK;

    case NGX_HTTP_NEWS_JSONLD:
        return ngx_http_news_json_ld(page, rd->pool, v);

    /* plain links, so sharing loads no third-party script */

    case NGX_HTTP_NEWS_SHARE_X:
        return ngx_http_news_value_share(rd,
                   "https://twitter.com/intent/tweet?url=%V&text=%V",
                   NGX_HTTP_NEWS_URL_ENCODED, NGX_HTTP_NEWS_TITLE_ENCODED, v);

    case NGX_HTTP_NEWS_SHARE_FACEBOOK:
        return ngx_http_news_value_share(rd,
                   "https://www.facebook.com/sharer/sharer.php?u=%V",
                   NGX_HTTP_NEWS_URL_ENCODED, NGX_HTTP_NEWS_URL_ENCODED, v);

    case NGX_HTTP_NEWS_SHARE_WHATSAPP:
        return ngx_http_news_value_share(rd,
                   "https://wa.me/?text=%V%%20%V",
                   NGX_HTTP_NEWS_TITLE_ENCODED, NGX_HTTP_NEWS_URL_ENCODED, v);

    case NGX_HTTP_NEWS_SHARE_LINKEDIN:
        return ngx_http_news_value_share(rd,
                   "https://www.linkedin.com/sharing/share-offsite/?url=%V",
                   NGX_HTTP_NEWS_URL_ENCODED, NGX_HTTP_NEWS_URL_ENCODED, v);

    case NGX_HTTP_NEWS_READING_MINUTES:
        v->data = ngx_pnalloc(rd->pool, NGX_INT_T_LEN);
        if (v->data == NULL) {
            return NGX_ERROR;
        }

        v->len = ngx_sprintf(v->data, "%ui",
                     ngx_http_news_body_reading_minutes(
                         &a->field[NGX_HTTP_NEWS_BODY]))
                 - v->data;
        return NGX_OK;
    }

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_news_value_uri(ngx_http_news_render_t *rd, ngx_str_t *src,
    ngx_str_t *v)
{
    v->len = src->len + 2 * ngx_escape_uri(NULL, src->data, src->len,
                                           NGX_ESCAPE_URI_COMPONENT);

    v->data = ngx_pnalloc(rd->pool, v->len);
    if (v->data == NULL) {
        return NGX_ERROR;
    }

    ngx_escape_uri(v->data, src->data, src->len, NGX_ESCAPE_URI_COMPONENT);

    return NGX_OK;
}


/* a format with one %V ignores the second value */

static ngx_int_t
ngx_http_news_value_share(ngx_http_news_render_t *rd, const char *format,
    ngx_uint_t first, ngx_uint_t second, ngx_str_t *v)
{
    ngx_str_t  *a, *b;

    a = ngx_http_news_value(rd, first);
    b = ngx_http_news_value(rd, second);

    if (a == NULL || b == NULL) {
        return NGX_ERROR;
    }

    v->data = ngx_pnalloc(rd->pool, ngx_strlen(format) + a->len + b->len);
    if (v->data == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(v->data, format, a, b) - v->data;

    return NGX_OK;
}
