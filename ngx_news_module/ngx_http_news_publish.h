
/*
 * Copyright (C) ngx_news_module authors
 *
 * The publishing API (news_publish): editors read, create, replace,
 * change and delete articles as JSON, each write one atomic step in
 * Redis that also keeps the article's list entries (latest, section,
 * tag, author); in a Redis Cluster, a step in the article's hash slot
 * and one in the lists'.  The location is not protected by the module: nginx's
 * own access control goes in front of it (docs/publishing.md).
 */


#ifndef _NGX_HTTP_NEWS_PUBLISH_H_INCLUDED_
#define _NGX_HTTP_NEWS_PUBLISH_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


char *ngx_http_news_publish(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_news_publish_handler(ngx_http_request_t *r);


/* news_key_prefix: checked where it is set */
extern ngx_conf_post_t  ngx_http_news_publish_prefix_post;


#endif /* _NGX_HTTP_NEWS_PUBLISH_H_INCLUDED_ */
