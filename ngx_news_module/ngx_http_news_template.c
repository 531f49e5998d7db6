
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_news_template.h"
#include "ngx_http_news_escape.h"


/*
 * Sections inside sections, at the most: rendering recurses once per
 * level, so the depth is bounded where the template is compiled.
 */
#define NGX_HTTP_NEWS_TEMPLATE_DEPTH  32


typedef enum {
    NGX_HTTP_NEWS_OP_TEXT = 0,
    NGX_HTTP_NEWS_OP_ESCAPED,           /* {{name}} */
    NGX_HTTP_NEWS_OP_RAW,               /* {{{name}}} */
    NGX_HTTP_NEWS_OP_SECTION,           /* {{#name}} ... {{/name}} */
    NGX_HTTP_NEWS_OP_INVERTED,          /* {{^name}} ... {{/name}} */
    NGX_HTTP_NEWS_OP_JSON               /* {{name|json}} */
} ngx_http_news_op_e;


typedef struct {
    ngx_http_news_op_e               type;
    ngx_http_news_template_name_t   *name;
    ngx_str_t                        text;  /* TEXT; a section's name */
    ngx_uint_t                       end;   /* a section: the op after it */
    ngx_uint_t                       line;
} ngx_http_news_op_t;


struct ngx_http_news_template_s {
    ngx_array_t                      ops;   /* ngx_http_news_op_t */
    ngx_http_news_template_name_t   *names;

    /* the names not given, hash fields, by id: name_t pointers */
    ngx_array_t                      fields;
};


/* the item of the section being rendered, for {{.}} */
typedef struct {
    ngx_str_t                       *value;
    ngx_uint_t                       slot;  /* or a slot, not 0 */
} ngx_http_news_dot_t;


typedef struct {
    ngx_http_news_template_value_pt  value;
    ngx_http_news_template_records_pt  records;
    void                            *data;
    ngx_http_news_dot_t              dot;
    u_char                          *start;
    ngx_http_news_cut_t             *cuts;
    ngx_uint_t                       ncuts;
    ngx_uint_t                       failed;
} ngx_http_news_walk_t;


static ngx_int_t ngx_http_news_template_tag(ngx_conf_t *cf,
    ngx_str_t *source, ngx_http_news_template_t *tpl, ngx_array_t *open,
    ngx_str_t *tag, ngx_uint_t raw, ngx_uint_t line);
static ngx_http_news_template_name_t *ngx_http_news_template_name(
    ngx_http_news_template_name_t *names, ngx_str_t *name);
static ngx_http_news_template_name_t *ngx_http_news_template_add_field(
    ngx_conf_t *cf, ngx_str_t *source, ngx_uint_t line,
    ngx_http_news_template_t *tpl, ngx_str_t *name);
static u_char *ngx_http_news_template_walk(ngx_http_news_walk_t *w,
    ngx_http_news_op_t *op, ngx_uint_t from, ngx_uint_t to, u_char *dst,
    size_t *size);
static u_char *ngx_http_news_template_section(ngx_http_news_walk_t *w,
    ngx_http_news_op_t *op, ngx_uint_t i, u_char *dst, size_t *size);
static u_char *ngx_http_news_template_records(ngx_http_news_walk_t *w,
    ngx_http_news_op_t *op, ngx_uint_t i, u_char *dst, size_t *size);
static u_char *ngx_http_news_template_slot(ngx_http_news_walk_t *w,
    ngx_uint_t slot, u_char *dst);


/* {{.}}: not in the names of any page */
static ngx_http_news_template_name_t  ngx_http_news_template_dot = {
    ngx_string("."), 0, 0, 0
};


ngx_http_news_template_t *
ngx_http_news_template_load(ngx_conf_t *cf, ngx_str_t *path,
    ngx_http_news_template_name_t *names)
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

    if (!ngx_is_file(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%s\" is not a regular file", name.data);
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

    return ngx_http_news_template_compile(cf, &name, &text, names);
}


ngx_http_news_template_t *
ngx_http_news_template_compile(ngx_conf_t *cf, ngx_str_t *source,
    ngx_str_t *text, ngx_http_news_template_name_t *names)
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

    tpl->names = names;

    if (ngx_array_init(&tpl->ops, cf->pool, 64, sizeof(ngx_http_news_op_t))
        != NGX_OK
        || ngx_array_init(&tpl->fields, cf->pool, 4,
                          sizeof(ngx_http_news_template_name_t *))
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
    u_char                          sigil, *bar;
    ngx_str_t                       name, filter;
    ngx_uint_t                     *section, i, json;
    ngx_http_news_op_t             *op, *ops;
    ngx_http_news_template_name_t  *n;

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

    /* {{name|json}}: the value as the inside of a JSON string */

    json = 0;
    bar = ngx_strlchr(name.data, name.data + name.len, '|');

    if (bar != NULL) {
        filter.data = bar + 1;
        filter.len = name.data + name.len - filter.data;
        name.len = bar - name.data;

        while (name.len && name.data[name.len - 1] == ' ') {
            name.len--;
        }

        while (filter.len && filter.data[0] == ' ') {
            filter.data++;
            filter.len--;
        }

        if (filter.len != 4 || ngx_strncmp(filter.data, "json", 4) != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%V:%ui: invalid tag \"{{%V}}\": the one "
                               "filter is \"|json\"", source, line, tag);
            return NGX_ERROR;
        }

        if (raw || sigil == '#' || sigil == '^' || sigil == '/') {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%V:%ui: invalid tag \"{{%V}}\": \"|json\" "
                               "is allowed only in \"{{name|json}}\"",
                               source, line, tag);
            return NGX_ERROR;
        }

        json = 1;
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

        n = &ngx_http_news_template_dot;

    } else {
        n = ngx_http_news_template_name(tpl->names, &name);
    }

    if (n == NULL) {
        for (i = 0; i < name.len; i++) {
            if (name.data[i] != '_' && name.data[i] != '-'
                && (name.data[i] < 'a' || name.data[i] > 'z')
                && (name.data[i] < 'A' || name.data[i] > 'Z')
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

        n = ngx_http_news_template_add_field(cf, source, line, tpl, &name);
        if (n == NULL) {
            return NGX_ERROR;
        }
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

        if (n != op->name) {
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
     * triple, ... of items: N^depth times, N coming from Redis.
     */

    if (sigil == '#' && n->list) {
        ops = tpl->ops.elts;
        section = open->elts;

        for (i = 0; i < open->nelts; i++) {
            if (ops[section[i]].type == NGX_HTTP_NEWS_OP_SECTION
                && ops[section[i]].name == n)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "%V:%ui: \"{{#%V}}\" inside the "
                                   "\"{{#%V}}\" opened on line %ui",
                                   source, line, &n->name, &n->name,
                                   ops[section[i]].line);
                return NGX_ERROR;
            }
        }
    }

    op = ngx_array_push(&tpl->ops);
    if (op == NULL) {
        return NGX_ERROR;
    }

    op->name = n;
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
        op->type = json ? NGX_HTTP_NEWS_OP_JSON
                        : (raw ? NGX_HTTP_NEWS_OP_RAW
                               : NGX_HTTP_NEWS_OP_ESCAPED);
        return NGX_OK;
    }

    if (open->nelts == NGX_HTTP_NEWS_TEMPLATE_DEPTH) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%V:%ui: sections nested deeper than %d",
                           source, line, NGX_HTTP_NEWS_TEMPLATE_DEPTH);
        return NGX_ERROR;
    }

    section = ngx_array_push(open);
    if (section == NULL) {
        return NGX_ERROR;
    }

    *section = tpl->ops.nelts - 1;

    return NGX_OK;
}


static ngx_http_news_template_name_t *
ngx_http_news_template_name(ngx_http_news_template_name_t *names,
    ngx_str_t *name)
{
    ngx_http_news_template_name_t  *n;

    for (n = names; n->name.len; n++) {
        if (n->name.len == name->len
            && ngx_strncmp(n->name.data, name->data, name->len) == 0)
        {
            return n;
        }
    }

    return NULL;
}


/*
 * A name the caller did not give is a field of the hash: the same name
 * is the same reference (a section's end must find its start), and a
 * name met for the first time is logged, so that a typo can be found.
 */

static ngx_http_news_template_name_t *
ngx_http_news_template_add_field(ngx_conf_t *cf, ngx_str_t *source,
    ngx_uint_t line, ngx_http_news_template_t *tpl, ngx_str_t *name)
{
    ngx_uint_t                      i;
    ngx_http_news_template_name_t  *n, **fields;

    fields = tpl->fields.elts;

    for (i = 0; i < tpl->fields.nelts; i++) {
        if (fields[i]->name.len == name->len
            && ngx_strncmp(fields[i]->name.data, name->data, name->len) == 0)
        {
            return fields[i];
        }
    }

    ngx_conf_log_error(NGX_LOG_INFO, cf, 0,
                       "%V:%ui: \"%V\" is not a name of the page: the hash "
                       "field of that name", source, line, name);

    n = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_template_name_t));
    fields = ngx_array_push(&tpl->fields);

    if (n == NULL || fields == NULL) {
        return NULL;
    }

    n->name = *name;
    n->id = NGX_HTTP_NEWS_TEMPLATE_FIELD + tpl->fields.nelts - 1;
    *fields = n;

    return n;
}


/* the name of a hash field the template uses, by its id */

ngx_str_t *
ngx_http_news_template_field(ngx_http_news_template_t *tpl, ngx_uint_t id)
{
    ngx_http_news_template_name_t  **fields;

    if (id < NGX_HTTP_NEWS_TEMPLATE_FIELD
        || id - NGX_HTTP_NEWS_TEMPLATE_FIELD >= tpl->fields.nelts)
    {
        return NULL;
    }

    fields = tpl->fields.elts;

    return &fields[id - NGX_HTTP_NEWS_TEMPLATE_FIELD]->name;
}


ngx_int_t
ngx_http_news_template_render(ngx_http_news_template_t *tpl,
    ngx_http_news_template_value_pt value, void *data, ngx_pool_t *pool,
    ngx_http_news_rendered_t *out)
{
    return ngx_http_news_template_render_records(tpl, value, NULL, data,
                                                 pool, out);
}


ngx_int_t
ngx_http_news_template_render_records(ngx_http_news_template_t *tpl,
    ngx_http_news_template_value_pt value,
    ngx_http_news_template_records_pt records, void *data, ngx_pool_t *pool,
    ngx_http_news_rendered_t *out)
{
    size_t                size;
    ngx_http_news_walk_t  w;

    ngx_memzero(&w, sizeof(ngx_http_news_walk_t));
    w.value = value;
    w.records = records;
    w.data = data;

    /* measure, then write into one buffer of exactly that size */

    size = 0;
    (void) ngx_http_news_template_walk(&w, tpl->ops.elts, 0, tpl->ops.nelts,
                                       NULL, &size);
    if (w.failed) {
        return NGX_ERROR;
    }

    out->text.data = ngx_pnalloc(pool, size);
    out->cuts = ngx_palloc(pool, w.ncuts * sizeof(ngx_http_news_cut_t) + 1);

    if (out->text.data == NULL || out->cuts == NULL) {
        return NGX_ERROR;
    }

    w.start = out->text.data;
    w.cuts = out->cuts;
    w.ncuts = 0;

    out->text.len = ngx_http_news_template_walk(&w, tpl->ops.elts, 0,
                                                tpl->ops.nelts,
                                                out->text.data, NULL)
                    - out->text.data;
    out->ncuts = w.ncuts;

    return w.failed ? NGX_ERROR : NGX_OK;
}


/*
 * One walker for both passes: with dst NULL it adds the output's length
 * to *size (and counts the slots), otherwise it writes, notes where each
 * slot goes, and returns the end of what it wrote.
 */

static u_char *
ngx_http_news_template_walk(ngx_http_news_walk_t *w, ngx_http_news_op_t *op,
    ngx_uint_t from, ngx_uint_t to, u_char *dst, size_t *size)
{
    ngx_str_t                      *v;
    ngx_uint_t                      i, n;
    ngx_http_news_template_name_t  *name;

    for (i = from; i < to; i++) {

        name = op[i].name;

        switch (op[i].type) {

        case NGX_HTTP_NEWS_OP_SECTION:
        case NGX_HTTP_NEWS_OP_INVERTED:
            dst = ngx_http_news_template_section(w, op, i, dst, size);
            i = op[i].end - 1;
            continue;

        case NGX_HTTP_NEWS_OP_TEXT:
            v = &op[i].text;
            break;

        default:

            if (name == &ngx_http_news_template_dot) {
                if (w->dot.slot) {
                    dst = ngx_http_news_template_slot(w, w->dot.slot, dst);
                    continue;
                }

                v = w->dot.value;
                break;
            }

            if (name->slot) {
                dst = ngx_http_news_template_slot(w, name->id, dst);
                continue;
            }

            if (w->value(w->data, name->id, 0, &v, &n) != NGX_OK) {
                w->failed = 1;
                return dst;
            }

            break;
        }

        if (v == NULL || v->len == 0) {
            /* an absent field has no data to copy from */
            continue;
        }

        if (op[i].type == NGX_HTTP_NEWS_OP_ESCAPED) {
            if (dst != NULL) {
                dst = ngx_http_news_escape_html(dst, v->data, v->len);

            } else {
                *size += ngx_http_news_escape_html_len(v->data, v->len);
            }

        } else if (op[i].type == NGX_HTTP_NEWS_OP_JSON) {
            if (dst != NULL) {
                dst = ngx_http_news_escape_json(dst, v->data, v->len);

            } else {
                *size += ngx_http_news_escape_json_len(v->data, v->len);
            }

        } else if (dst != NULL) {
            dst = ngx_cpymem(dst, v->data, v->len);

        } else {
            *size += v->len;
        }
    }

    return dst;
}


/* a slot's value is left out of the text: its place is noted instead */

static u_char *
ngx_http_news_template_slot(ngx_http_news_walk_t *w, ngx_uint_t slot,
    u_char *dst)
{
    if (dst == NULL) {
        w->ncuts++;
        return NULL;
    }

    w->cuts[w->ncuts].offset = dst - w->start;
    w->cuts[w->ncuts].slot = slot;
    w->ncuts++;

    return dst;
}


/*
 * {{#name}} shows its body once if the value is not empty, with {{.}}
 * the value; over a list once per item, {{.}} the item.  {{^name}}
 * shows it once if the value or list is empty.  A slot is never empty.
 */

static u_char *
ngx_http_news_template_section(ngx_http_news_walk_t *w,
    ngx_http_news_op_t *op, ngx_uint_t i, u_char *dst, size_t *size)
{
    ngx_str_t                      *items;
    ngx_uint_t                      n, k;
    ngx_http_news_dot_t             dot;
    ngx_http_news_template_name_t  *name;

    name = op[i].name;
    dot = w->dot;

    if (name->list == NGX_HTTP_NEWS_TEMPLATE_RECORDS) {
        return ngx_http_news_template_records(w, op, i, dst, size);
    }

    if (name->slot) {
        items = NULL;
        n = 1;

    } else if (w->value(w->data, name->id, name->list, &items, &n)
               != NGX_OK)
    {
        w->failed = 1;
        return dst;
    }

    if (!name->list && !name->slot) {
        n = (items != NULL && items->len != 0);
    }

    if (op[i].type == NGX_HTTP_NEWS_OP_INVERTED) {
        return n ? dst : ngx_http_news_template_walk(w, op, i + 1, op[i].end,
                                                     dst, size);
    }

    for (k = 0; k < n; k++) {
        w->dot.value = name->slot ? NULL : &items[k];
        w->dot.slot = name->slot ? name->id : 0;

        dst = ngx_http_news_template_walk(w, op, i + 1, op[i].end, dst, size);
    }

    w->dot = dot;

    return dst;
}


/*
 * {{#articles}} over records shows its body once per record, the names
 * inside resolved by the value function with the record as its data;
 * {{^articles}} once if there is none.
 */

static u_char *
ngx_http_news_template_records(ngx_http_news_walk_t *w,
    ngx_http_news_op_t *op, ngx_uint_t i, u_char *dst, size_t *size)
{
    void        *data, **records;
    ngx_uint_t   n, k;

    if (w->records == NULL
        || w->records(w->data, op[i].name->id, &records, &n) != NGX_OK)
    {
        w->failed = 1;
        return dst;
    }

    if (op[i].type == NGX_HTTP_NEWS_OP_INVERTED) {
        return n ? dst : ngx_http_news_template_walk(w, op, i + 1, op[i].end,
                                                     dst, size);
    }

    data = w->data;

    for (k = 0; k < n && !w->failed; k++) {
        w->data = records[k];
        dst = ngx_http_news_template_walk(w, op, i + 1, op[i].end, dst, size);
    }

    w->data = data;

    return dst;
}
