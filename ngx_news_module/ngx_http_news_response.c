
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_news_response.h"


ngx_int_t
ngx_http_news_add_header(ngx_http_request_t *r, char *name,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value = *value;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    return NGX_OK;
}


/*
 * The header, then the body, whose buffers are in memory and len bytes
 * long in all.  A body of no bytes is sent as the end of the response
 * alone: an empty buffer would be an "zero size buf" alert.  Content
 * types are static strings, "type; parameters".
 */

ngx_int_t
ngx_http_news_send(ngx_http_request_t *r, ngx_uint_t status,
    char *content_type, ngx_chain_t *body, off_t len)
{
    u_char       *semicolon;
    ngx_int_t     rc;
    ngx_chain_t  *cl;

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;

    if (content_type != NULL) {
        r->headers_out.content_type.data = (u_char *) content_type;
        r->headers_out.content_type.len = ngx_strlen(content_type);

        semicolon = (u_char *) ngx_strchr(content_type, ';');

        r->headers_out.content_type_len =
            (semicolon != NULL) ? (size_t) (semicolon - (u_char *) content_type)
                                : r->headers_out.content_type.len;
    }

    if (status == NGX_HTTP_NO_CONTENT) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK) {
        return rc;
    }

    if (len == 0 || body == NULL) {
        return ngx_http_send_special(r, NGX_HTTP_LAST);
    }

    if (r->header_only) {
        return rc;
    }

    for (cl = body; cl->next != NULL; cl = cl->next) {
        /* void */
    }

    cl->buf->last_buf = (r == r->main) ? 1 : 0;
    cl->buf->last_in_chain = 1;

    return ngx_http_output_filter(r, body);
}
