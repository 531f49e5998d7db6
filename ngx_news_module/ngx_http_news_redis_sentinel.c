
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Redis Sentinel.  Each worker asks the sentinels, in turn, for the
 * primary of the named master, and keeps one connection to it, set up
 * with ROLE so that a server that is not (or no longer) a primary is
 * refused.  It also keeps one connection to every sentinel subscribed
 * to +switch-master and +failover-state-send-slaveof-noone (a
 * subscribed connection can send little else; only the sentinel that
 * leads a failover tells its steps), and PINGed so that a sentinel
 * gone without a word is noticed.  From the moment a failover is
 * about to promote a replica until the switch is announced, requests
 * are held, not sent: what the old primary counted then would be lost
 * with the switch.  A switch moves the connection to the new primary
 * at once, and what was held goes there.  The sentinels are asked
 * again when the connection to the primary fails, when a subscription
 * is made (a switch may have been missed), and when the primary
 * refuses a write as a replica (READONLY) or for want of replicas
 * (NOREPLICAS, with min-replicas-to-write); such a write did nothing,
 * and is sent again to the primary the sentinels name.  Until a first
 * primary is known, requests wait for it within their own deadlines;
 * when no sentinel can tell, they are answered 503.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include <hiredis/hiredis.h>

#include "ngx_http_news_redis_sentinel.h"


/* the sentinels are asked at most this often */
#define NGX_HTTP_NEWS_REDIS_SENTINEL_REFRESH   100
/* with every sentinel out of reach, asked again after */
#define NGX_HTTP_NEWS_REDIS_SENTINEL_RETRY     500
/* lost subscriptions are made again after */
#define NGX_HTTP_NEWS_REDIS_SENTINEL_RESUBSCRIBE  500
/*
 * A subscribed connection is PINGed this often: a sentinel gone without
 * a FIN (a host down, a cut network) would else seem to listen for
 * hours; unanswered within news_redis_timeout, the connection fails.
 */
#define NGX_HTTP_NEWS_REDIS_SENTINEL_PING      5000
/* requests are held for a failover announced at most this long */
#define NGX_HTTP_NEWS_REDIS_SENTINEL_FAILOVER  3000
/*
 * For this long after a switch, a sentinel that still names the primary
 * before it has not learnt the switch yet: the next one is asked.
 */
#define NGX_HTTP_NEWS_REDIS_SENTINEL_STALE     10000
/*
 * A write refused by a primary being replaced is sent again at most this
 * often, a pause (REFRESH) apart: about as long as a failover takes to
 * be announced, and longer than the default news_redis_timeout.
 */
#define NGX_HTTP_NEWS_REDIS_SENTINEL_RESENDS   10


typedef struct {
    ngx_http_news_redis_sentinel_t  *sentinel;
    ngx_http_news_redis_conn_t      *ask;        /* questions */
    ngx_http_news_redis_conn_t      *sub;        /* subscribed */
    ngx_uint_t                       state;
    unsigned                         refused:1; /* SUBSCRIBE, logged */
    unsigned                         pinged:1;  /* a PING unanswered */
} ngx_http_news_redis_watcher_t;


enum {
    NGX_HTTP_NEWS_REDIS_SENTINEL_UNSUBSCRIBED = 0,
    NGX_HTTP_NEWS_REDIS_SENTINEL_SUBSCRIBING,
    NGX_HTTP_NEWS_REDIS_SENTINEL_SUBSCRIBED
};


struct ngx_http_news_redis_sentinel_s {
    ngx_str_t                        master;
    ngx_array_t                      sentinels;  /* of ngx_addr_t */
    ngx_http_news_redis_server_t     watch;      /* how sentinels are
                                                    reached */

    /* this worker's */
    ngx_http_news_redis_server_t    *server;     /* the primary's */
    ngx_log_t                       *log;
    ngx_http_news_redis_watcher_t   *watchers;   /* one per sentinel */
    ngx_http_news_redis_conn_t      *data;       /* to the primary */
    ngx_sockaddr_t                   primary;
    socklen_t                        socklen;
    ngx_sockaddr_t                   previous;   /* before the switch */
    socklen_t                        previous_len;
    ngx_msec_t                       switched;   /* when */
    ngx_queue_t                      waiting;    /* for a primary */
    ngx_event_t                      check;
    ngx_event_t                      resubscribe;
    ngx_event_t                      failover;   /* its end, at the latest */
    ngx_event_t                      ping;       /* subscriptions alive */
    ngx_msec_t                       asked;      /* the last question */
    ngx_uint_t                       next;       /* the sentinel to ask */
    ngx_uint_t                       tries;      /* sentinels asked */
    ngx_uint_t                       asking_to;  /* the one asked now */
    ngx_uint_t                       announced;  /* the failover, by */
    unsigned                         asking:1;
    unsigned                         answered:1; /* a sentinel, this round */
    unsigned                         known:1;    /* a primary was found */
    unsigned                         failing_over:1;
    unsigned                         lost:1;     /* none reachable, said */
    unsigned                         refused:1;  /* refused writes, said */
    unsigned                         demoted:1;  /* it said READONLY */
    unsigned                         moved:1;    /* previous is set */
    unsigned                         exiting:1;
};


static ngx_http_news_redis_conn_t *ngx_http_news_redis_sentinel_conn(
    ngx_http_news_redis_sentinel_t *sentinel, ngx_uint_t n);
static void ngx_http_news_redis_sentinel_check(
    ngx_http_news_redis_sentinel_t *sentinel);
static void ngx_http_news_redis_sentinel_ask(
    ngx_http_news_redis_sentinel_t *sentinel);
static void ngx_http_news_redis_sentinel_answer(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);
static void ngx_http_news_redis_sentinel_use(
    ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_primary_t *primary);
static void ngx_http_news_redis_sentinel_release(
    ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_result_e result, ngx_str_t *reason);
static ngx_int_t ngx_http_news_redis_sentinel_resend(void *data,
    ngx_http_news_redis_pending_t *pending);
static void ngx_http_news_redis_sentinel_check_handler(ngx_event_t *ev);
static void ngx_http_news_redis_sentinel_subscribe(
    ngx_http_news_redis_watcher_t *w);
static void ngx_http_news_redis_sentinel_subscribed(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);
static void ngx_http_news_redis_sentinel_resubscribe_handler(ngx_event_t *ev);
static void ngx_http_news_redis_sentinel_ping_handler(ngx_event_t *ev);
static void ngx_http_news_redis_sentinel_pong(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);
static void ngx_http_news_redis_sentinel_push(void *data,
    ngx_http_news_redis_conn_t *conn, ngx_http_news_redis_reply_t *reply);
static void ngx_http_news_redis_sentinel_hold(
    ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_conn_t *conn);
static void ngx_http_news_redis_sentinel_resume(
    ngx_http_news_redis_sentinel_t *sentinel);
static void ngx_http_news_redis_sentinel_failover_handler(ngx_event_t *ev);
static ngx_uint_t ngx_http_news_redis_sentinel_stale(
    ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_primary_t *primary);
static ngx_uint_t ngx_http_news_redis_sentinel_is_primary(
    ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_primary_t *primary);
static void ngx_http_news_redis_sentinel_sub_down(void *data,
    ngx_http_news_redis_conn_t *conn);
static ngx_int_t ngx_http_news_redis_sentinel_readonly(void *data,
    ngx_http_news_redis_conn_t *conn, ngx_http_news_redis_pending_t *pending,
    ngx_http_news_redis_reply_t *error);
static void ngx_http_news_redis_sentinel_data_down(void *data,
    ngx_http_news_redis_conn_t *conn);
static ngx_int_t ngx_http_news_redis_sentinel_sockaddr(
    ngx_http_news_redis_primary_t *primary, ngx_sockaddr_t *sa,
    socklen_t *socklen);
static ngx_int_t ngx_http_news_redis_sentinel_message(
    ngx_http_news_redis_reply_t *reply, const char *channel, ngx_str_t *text);
static ngx_int_t ngx_http_news_redis_sentinel_port(u_char *p, size_t len,
    in_port_t *port);


ngx_http_news_redis_sentinel_t *
ngx_http_news_redis_sentinel_create(ngx_conf_t *cf, ngx_str_t *master,
    ngx_str_t *user, ngx_str_t *password)
{
    ngx_http_news_redis_sentinel_t  *sentinel;

    sentinel = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_redis_sentinel_t));
    if (sentinel == NULL) {
        return NULL;
    }

    if (ngx_array_init(&sentinel->sentinels, cf->pool, 4, sizeof(ngx_addr_t))
        != NGX_OK)
    {
        return NULL;
    }

    sentinel->master = *master;

    /* sentinels: their own ACL user and password, no database, no TLS */

    sentinel->watch.user = *user;
    sentinel->watch.password = *password;

    sentinel->watch.scripts = ngx_array_create(cf->pool, 1, sizeof(void *));
    if (sentinel->watch.scripts == NULL) {
        return NULL;
    }

    return sentinel;
}


/* every address a sentinel's name resolves to is a sentinel to ask */

ngx_int_t
ngx_http_news_redis_sentinel_watch(ngx_http_news_redis_sentinel_t *sentinel,
    ngx_addr_t *addrs, ngx_uint_t naddrs)
{
    ngx_uint_t   i;
    ngx_addr_t  *addr;

    for (i = 0; i < naddrs; i++) {
        addr = ngx_array_push(&sentinel->sentinels);
        if (addr == NULL) {
            return NGX_ERROR;
        }

        *addr = addrs[i];
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_news_redis_sentinel_init(ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_server_t *server, ngx_log_t *log)
{
    ngx_uint_t                      i, n;
    ngx_addr_t                     *addr;
    ngx_http_news_redis_hooks_t     hooks;
    ngx_http_news_redis_watcher_t  *w;

    sentinel->server = server;
    sentinel->log = log;
    sentinel->exiting = 0;
    sentinel->asking = 0;
    sentinel->known = 0;
    sentinel->failing_over = 0;
    sentinel->lost = 0;
    sentinel->refused = 0;
    sentinel->demoted = 0;
    sentinel->moved = 0;
    sentinel->data = NULL;
    ngx_queue_init(&sentinel->waiting);

    /* a sentinel that does not answer is given up as a Redis would be */
    sentinel->watch.timeout = server->timeout;

    n = sentinel->sentinels.nelts;

    sentinel->watchers = ngx_calloc(n * sizeof(ngx_http_news_redis_watcher_t),
                                    log);
    if (sentinel->watchers == NULL) {
        return NGX_ERROR;
    }

    sentinel->check.handler = ngx_http_news_redis_sentinel_check_handler;
    sentinel->check.data = sentinel;
    sentinel->check.log = log;
    sentinel->check.cancelable = 1;

    sentinel->resubscribe.handler =
                              ngx_http_news_redis_sentinel_resubscribe_handler;
    sentinel->resubscribe.data = sentinel;
    sentinel->resubscribe.log = log;
    sentinel->resubscribe.cancelable = 1;

    sentinel->failover.handler = ngx_http_news_redis_sentinel_failover_handler;
    sentinel->failover.data = sentinel;
    sentinel->failover.log = log;
    sentinel->failover.cancelable = 1;

    sentinel->ping.handler = ngx_http_news_redis_sentinel_ping_handler;
    sentinel->ping.data = sentinel;
    sentinel->ping.log = log;
    sentinel->ping.cancelable = 1;

    /* workers do not all ask the same sentinel first */

    sentinel->next = ngx_pid % n;

    hooks.redirect = NULL;
    hooks.push = ngx_http_news_redis_sentinel_push;
    hooks.down = ngx_http_news_redis_sentinel_sub_down;
    hooks.data = sentinel;

    addr = sentinel->sentinels.elts;

    for (i = 0; i < n; i++) {
        w = &sentinel->watchers[i];
        w->sentinel = sentinel;

        w->sub = ngx_http_news_redis_conn_open(&sentinel->watch,
                                               addr[i].sockaddr,
                                               addr[i].socklen,
                                               &addr[i].name, &hooks, log);
        if (w->sub == NULL) {
            return NGX_ERROR;
        }

        ngx_http_news_redis_sentinel_subscribe(w);
    }

    ngx_add_timer(&sentinel->ping, NGX_HTTP_NEWS_REDIS_SENTINEL_PING);

    /* the primary before the first request, so it finds it known */

    ngx_http_news_redis_sentinel_check(sentinel);

    return NGX_OK;
}


ngx_uint_t
ngx_http_news_redis_sentinel_opened(ngx_http_news_redis_sentinel_t *sentinel)
{
    return sentinel->watchers != NULL;
}


void
ngx_http_news_redis_sentinel_exit(ngx_http_news_redis_sentinel_t *sentinel)
{
    ngx_str_t                       reason = ngx_string("worker exiting");
    ngx_uint_t                      i;
    ngx_http_news_redis_watcher_t  *w;

    if (sentinel->watchers == NULL) {
        return;
    }

    sentinel->exiting = 1;

    if (sentinel->check.timer_set) {
        ngx_del_timer(&sentinel->check);
    }

    if (sentinel->resubscribe.timer_set) {
        ngx_del_timer(&sentinel->resubscribe);
    }

    if (sentinel->failover.timer_set) {
        ngx_del_timer(&sentinel->failover);
    }

    if (sentinel->ping.timer_set) {
        ngx_del_timer(&sentinel->ping);
    }

    sentinel->failing_over = 0;

    ngx_http_news_redis_sentinel_release(sentinel,
                                         NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                         &reason);

    for (i = 0; i < sentinel->sentinels.nelts; i++) {
        w = &sentinel->watchers[i];

        if (w->ask != NULL) {
            ngx_http_news_redis_conn_destroy(w->ask);
        }

        if (w->sub != NULL) {
            ngx_http_news_redis_conn_destroy(w->sub);
        }
    }

    if (sentinel->data != NULL) {
        ngx_http_news_redis_conn_destroy(sentinel->data);
        sentinel->data = NULL;
    }

    ngx_free(sentinel->watchers);
    sentinel->watchers = NULL;
    sentinel->asking = 0;
    sentinel->known = 0;
}


/*
 * NGX_OK: sent, or waiting for the sentinels' answer or a failover's
 * end; NGX_DECLINED: no primary can be used now (503 at once; the
 * sentinels are asked again); NGX_ERROR: the primary's connection
 * could not take the command (ngx_http_news_redis_conn_send()).
 */

ngx_int_t
ngx_http_news_redis_sentinel_send(ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_pending_t *pending)
{
    ngx_int_t  rc;

    if (sentinel->failing_over) {
        ngx_queue_insert_tail(&sentinel->waiting, &pending->queue);
        return NGX_OK;
    }

    if (sentinel->data != NULL
        && ngx_http_news_redis_conn_usable(sentinel->data))
    {
        return ngx_http_news_redis_conn_send(sentinel->data, pending);
    }

    if (!sentinel->known) {
        ngx_http_news_redis_sentinel_check(sentinel);

        if (!sentinel->asking) {
            /* nobody could tell the primary: until the next try, 503 */
            return NGX_DECLINED;
        }

        ngx_queue_insert_tail(&sentinel->waiting, &pending->queue);
        return NGX_OK;
    }

    rc = ngx_http_news_redis_conn_send(sentinel->data, pending);

    if (rc == NGX_DECLINED) {
        /* the primary is down: the sentinels may be failing over */
        ngx_http_news_redis_sentinel_check(sentinel);
    }

    return rc;
}


static ngx_http_news_redis_conn_t *
ngx_http_news_redis_sentinel_conn(ngx_http_news_redis_sentinel_t *sentinel,
    ngx_uint_t n)
{
    ngx_addr_t                     *addr;
    ngx_http_news_redis_watcher_t  *w;

    w = &sentinel->watchers[n];

    if (w->ask == NULL) {
        addr = sentinel->sentinels.elts;

        w->ask = ngx_http_news_redis_conn_open(&sentinel->watch,
                                               addr[n].sockaddr,
                                               addr[n].socklen,
                                               &addr[n].name, NULL,
                                               sentinel->log);
    }

    return w->ask;
}


/* the sentinels are asked again, at once or after the pause, not twice */

static void
ngx_http_news_redis_sentinel_check(ngx_http_news_redis_sentinel_t *sentinel)
{
    ngx_msec_t  since;

    if (sentinel->asking || sentinel->check.timer_set || sentinel->exiting
        || ngx_exiting || ngx_terminate || ngx_quit)
    {
        return;
    }

    since = ngx_current_msec - sentinel->asked;

    if (sentinel->known && since < NGX_HTTP_NEWS_REDIS_SENTINEL_REFRESH) {
        ngx_add_timer(&sentinel->check,
                      NGX_HTTP_NEWS_REDIS_SENTINEL_REFRESH - since);
        return;
    }

    sentinel->tries = 0;
    sentinel->answered = 0;

    ngx_http_news_redis_sentinel_ask(sentinel);
}


/* SENTINEL get-master-addr-by-name to the next sentinel that can take it */

static void
ngx_http_news_redis_sentinel_ask(ngx_http_news_redis_sentinel_t *sentinel)
{
    ngx_str_t                       reason, argv[3];
    ngx_uint_t                      n, level;
    ngx_http_news_redis_conn_t     *conn;
    ngx_http_news_redis_command_t   command;
    ngx_http_news_redis_pending_t  *pending;

    ngx_str_set(&argv[0], "SENTINEL");
    ngx_str_set(&argv[1], "get-master-addr-by-name");
    argv[2] = sentinel->master;

    command.script = NULL;
    command.nkeys = 0;
    command.argc = 3;
    command.argv = argv;

    while (sentinel->tries < sentinel->sentinels.nelts) {
        n = sentinel->next++ % sentinel->sentinels.nelts;
        sentinel->tries++;

        conn = ngx_http_news_redis_sentinel_conn(sentinel, n);
        if (conn == NULL) {
            continue;
        }

        pending = ngx_http_news_redis_pending_create(&command, 1,
                      ngx_http_news_redis_sentinel_answer, sentinel,
                      sentinel->log);
        if (pending == NULL) {
            break;
        }

        if (ngx_http_news_redis_conn_send(conn, pending) == NGX_OK) {
            sentinel->asking = 1;
            sentinel->asking_to = n;
            sentinel->asked = ngx_current_msec;
            return;
        }

        ngx_http_news_redis_pending_free(pending);
    }

    /* nobody to ask now: what waits is told so, and they are asked later */

    sentinel->asking = 0;
    sentinel->asked = ngx_current_msec;

    level = sentinel->lost ? NGX_LOG_INFO : NGX_LOG_ERR;
    sentinel->lost = 1;

    ngx_log_error(level, sentinel->log, 0,
                  "news redis sentinel: no sentinel of \"%V\" %s%s",
                  &sentinel->master,
                  sentinel->answered ? "names a usable primary"
                                     : "can be reached",
                  sentinel->known ? "" : ", no primary is known");

    if (sentinel->answered) {
        ngx_str_set(&reason, "no Redis sentinel names a usable primary");

    } else {
        ngx_str_set(&reason, "no Redis sentinel can be reached");
    }
    ngx_http_news_redis_sentinel_release(sentinel,
                                         NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                         &reason);

    if (!sentinel->exiting && !sentinel->check.timer_set
        && !ngx_exiting && !ngx_terminate && !ngx_quit)
    {
        ngx_add_timer(&sentinel->check, NGX_HTTP_NEWS_REDIS_SENTINEL_RETRY);
    }
}


static void
ngx_http_news_redis_sentinel_answer(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason)
{
    ngx_http_news_redis_sentinel_t *sentinel = data;

    ngx_int_t                       rc;
    ngx_addr_t                     *addr;
    ngx_http_news_redis_primary_t   primary;

    sentinel->asking = 0;

    if (sentinel->exiting) {
        return;
    }

    addr = sentinel->sentinels.elts;
    addr = &addr[sentinel->asking_to];

    if (result != NGX_HTTP_NEWS_REDIS_REPLY) {
        ngx_log_error(NGX_LOG_INFO, sentinel->log, 0,
                      "news redis sentinel %V did not answer: %V",
                      &addr->name, reason);
        ngx_http_news_redis_sentinel_ask(sentinel);
        return;
    }

    sentinel->answered = 1;

    rc = ngx_http_news_redis_sentinel_address(reply, &primary);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_WARN, sentinel->log, 0,
                      "news redis sentinel %V knows no master \"%V\"",
                      &addr->name, &sentinel->master);
        ngx_http_news_redis_sentinel_ask(sentinel);
        return;
    }

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, sentinel->log, 0,
                      "news redis sentinel %V sent an address of \"%V\" "
                      "that cannot be read", &addr->name, &sentinel->master);
        ngx_http_news_redis_sentinel_ask(sentinel);
        return;
    }

    if (sentinel->lost) {
        ngx_log_error(NGX_LOG_NOTICE, sentinel->log, 0,
                      "news redis sentinel %V answers again", &addr->name);
        sentinel->lost = 0;
    }

    if (ngx_http_news_redis_sentinel_stale(sentinel, &primary)) {

        /* no news: the primary announced at the switch is kept */

        ngx_log_error(NGX_LOG_INFO, sentinel->log, 0,
                      "news redis sentinel %V still names %V:%d, the "
                      "primary of \"%V\" before the switch: not followed",
                      &addr->name, &primary.host, (int) primary.port,
                      &sentinel->master);

    } else {
        ngx_http_news_redis_sentinel_use(sentinel, &primary);
    }

    /* what waited for a primary goes now */

    ngx_http_news_redis_sentinel_release(sentinel, NGX_HTTP_NEWS_REDIS_REPLY,
                                         NULL);
}


/* the primary named: the connection goes there, if it is not there yet */

static void
ngx_http_news_redis_sentinel_use(ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_primary_t *primary)
{
    u_char                        name_data[NGX_SOCKADDR_STRLEN];
    ngx_str_t                     name;
    socklen_t                     socklen;
    ngx_sockaddr_t                sa;
    ngx_http_news_redis_hooks_t   hooks;

    if (ngx_http_news_redis_sentinel_sockaddr(primary, &sa, &socklen)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, sentinel->log, 0,
                      "news redis sentinel names a primary \"%V\" that is "
                      "not an IP address", &primary->host);
        return;
    }

    name.data = name_data;
    name.len = ngx_sock_ntop(&sa.sockaddr, socklen, name_data,
                             NGX_SOCKADDR_STRLEN, 1);

    if (sentinel->known
        && ngx_cmp_sockaddr(&sentinel->primary.sockaddr, sentinel->socklen,
                            &sa.sockaddr, socklen, 1)
           == NGX_OK)
    {
        if (sentinel->demoted && sentinel->data != NULL) {

            /*
             * The sentinels still name a server that answered READONLY
             * (they have not seen it demoted yet, or never will): it is
             * connected to again, and ROLE decides.
             */

            ngx_log_error(NGX_LOG_WARN, sentinel->log, 0,
                          "news redis sentinel: primary of \"%V\" is still "
                          "%V, which refuses writes as a replica: "
                          "connecting again", &sentinel->master, &name);

            ngx_http_news_redis_conn_move(sentinel->data, &sa.sockaddr,
                                          socklen, &name);
        }

        sentinel->demoted = 0;
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, sentinel->log, 0,
                  "news redis sentinel: primary of \"%V\" is %V",
                  &sentinel->master, &name);

    /*
     * The primary replaced, whether an answer or +switch-master said so
     * first: sentinels that still name it are not followed back for a
     * while (see stale()).
     */

    if (sentinel->known) {
        ngx_memcpy(&sentinel->previous, &sentinel->primary,
                   sentinel->socklen);
        sentinel->previous_len = sentinel->socklen;
        sentinel->switched = ngx_current_msec;
        sentinel->moved = 1;
    }

    ngx_memcpy(&sentinel->primary, &sa, socklen);
    sentinel->socklen = socklen;
    sentinel->known = 1;
    sentinel->refused = 0;
    sentinel->demoted = 0;

    if (sentinel->data != NULL) {
        ngx_http_news_redis_conn_move(sentinel->data, &sa.sockaddr, socklen,
                                      &name);
        return;
    }

    hooks.redirect = ngx_http_news_redis_sentinel_readonly;
    hooks.push = NULL;
    hooks.down = ngx_http_news_redis_sentinel_data_down;
    hooks.data = sentinel;

    sentinel->data = ngx_http_news_redis_conn_open(sentinel->server,
                                                   &sa.sockaddr, socklen,
                                                   &name, &hooks,
                                                   sentinel->log);
    if (sentinel->data == NULL) {
        sentinel->known = 0;
    }
}


/*
 * Requests that waited for a primary: sent now (result REPLY), or told
 * that there is none.
 */

static void
ngx_http_news_redis_sentinel_release(ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_result_e result, ngx_str_t *reason)
{
    ngx_str_t  why = ngx_string("the Redis primary cannot be used");

    if (result != NGX_HTTP_NEWS_REDIS_REPLY) {
        ngx_http_news_redis_release(&sentinel->waiting, NULL, NULL, result,
                                    reason);
        return;
    }

    if (sentinel->failing_over) {
        /* not to the old primary: they wait for the switch */
        return;
    }

    ngx_http_news_redis_release(&sentinel->waiting,
                                ngx_http_news_redis_sentinel_resend,
                                sentinel, result, &why);
}


static ngx_int_t
ngx_http_news_redis_sentinel_resend(void *data,
    ngx_http_news_redis_pending_t *pending)
{
    ngx_http_news_redis_sentinel_t *sentinel = data;

    if (sentinel->data == NULL) {
        return NGX_DECLINED;
    }

    return ngx_http_news_redis_conn_send(sentinel->data, pending);
}


static void
ngx_http_news_redis_sentinel_check_handler(ngx_event_t *ev)
{
    ngx_http_news_redis_sentinel_check(ev->data);
}


static void
ngx_http_news_redis_sentinel_subscribe(ngx_http_news_redis_watcher_t *w)
{
    ngx_str_t                       argv[3];
    ngx_http_news_redis_command_t   command;
    ngx_http_news_redis_pending_t  *pending;

    /* the second channel's confirmation comes as a message: ignored */

    ngx_str_set(&argv[0], "SUBSCRIBE");
    ngx_str_set(&argv[1], "+switch-master");
    ngx_str_set(&argv[2], "+failover-state-send-slaveof-noone");

    command.script = NULL;
    command.nkeys = 0;
    command.argc = 3;
    command.argv = argv;

    pending = ngx_http_news_redis_pending_create(&command, 1,
                  ngx_http_news_redis_sentinel_subscribed, w,
                  w->sentinel->log);
    if (pending == NULL) {
        return;
    }

    if (ngx_http_news_redis_conn_send(w->sub, pending) != NGX_OK) {
        /* its sentinel is down: tried again later */
        ngx_http_news_redis_pending_free(pending);
        ngx_http_news_redis_sentinel_sub_down(w->sentinel, w->sub);
        return;
    }

    w->state = NGX_HTTP_NEWS_REDIS_SENTINEL_SUBSCRIBING;
}


static void
ngx_http_news_redis_sentinel_subscribed(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason)
{
    ngx_http_news_redis_watcher_t *w = data;

    ngx_uint_t                       level;
    ngx_http_news_redis_sentinel_t  *sentinel;

    sentinel = w->sentinel;

    if (sentinel->exiting) {
        return;
    }

    if (result != NGX_HTTP_NEWS_REDIS_REPLY) {

        /*
         * A refusal (an ACL user without the channels, NOAUTH, not a
         * sentinel) leaves the connection up, and no down hook tries
         * again: the timer does, for a failed connection too.  Said
         * once, until it succeeds.
         */

        level = w->refused ? NGX_LOG_INFO : NGX_LOG_ERR;

        ngx_log_error(level, sentinel->log, 0,
                      "news redis sentinel %V: cannot watch \"%V\" "
                      "(SUBSCRIBE): %V, trying again",
                      ngx_http_news_redis_conn_name(w->sub),
                      &sentinel->master, reason);

        w->refused = 1;
        w->state = NGX_HTTP_NEWS_REDIS_SENTINEL_UNSUBSCRIBED;

        if (!sentinel->resubscribe.timer_set
            && !ngx_exiting && !ngx_terminate && !ngx_quit)
        {
            ngx_add_timer(&sentinel->resubscribe,
                          NGX_HTTP_NEWS_REDIS_SENTINEL_RESUBSCRIBE);
        }

        return;
    }

    w->refused = 0;
    w->state = NGX_HTTP_NEWS_REDIS_SENTINEL_SUBSCRIBED;

    ngx_log_error(NGX_LOG_INFO, sentinel->log, 0,
                  "news redis sentinel: watching \"%V\" on %V",
                  &sentinel->master, ngx_http_news_redis_conn_name(w->sub));

    /* a switch announced while nobody listened is asked for */

    if (sentinel->known) {
        ngx_http_news_redis_sentinel_check(sentinel);
    }
}


/* subscriptions lost are made again, on connections that are up again */

static void
ngx_http_news_redis_sentinel_resubscribe_handler(ngx_event_t *ev)
{
    ngx_uint_t                       i;
    ngx_http_news_redis_watcher_t   *w;
    ngx_http_news_redis_sentinel_t  *sentinel;

    sentinel = ev->data;

    if (sentinel->exiting || ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    /* not those whose SUBSCRIBE is still unanswered: never twice */

    for (i = 0; i < sentinel->sentinels.nelts; i++) {
        w = &sentinel->watchers[i];

        if (w->state == NGX_HTTP_NEWS_REDIS_SENTINEL_UNSUBSCRIBED) {
            ngx_http_news_redis_sentinel_subscribe(w);
        }
    }
}


/*
 * PING on every subscribed connection (allowed in subscribe mode): the
 * connection's stall timer fails one whose sentinel does not answer,
 * and its down hook subscribes again.
 */

static void
ngx_http_news_redis_sentinel_ping_handler(ngx_event_t *ev)
{
    ngx_str_t                        argv[1];
    ngx_uint_t                       i;
    ngx_http_news_redis_command_t    command;
    ngx_http_news_redis_pending_t   *pending;
    ngx_http_news_redis_watcher_t   *w;
    ngx_http_news_redis_sentinel_t  *sentinel;

    sentinel = ev->data;

    if (sentinel->exiting || ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    ngx_str_set(&argv[0], "PING");

    command.script = NULL;
    command.nkeys = 0;
    command.argc = 1;
    command.argv = argv;

    for (i = 0; i < sentinel->sentinels.nelts; i++) {
        w = &sentinel->watchers[i];

        if (w->state != NGX_HTTP_NEWS_REDIS_SENTINEL_SUBSCRIBED || w->pinged) {
            continue;
        }

        pending = ngx_http_news_redis_pending_create(&command, 1,
                      ngx_http_news_redis_sentinel_pong, w, sentinel->log);
        if (pending == NULL) {
            break;
        }

        if (ngx_http_news_redis_conn_send(w->sub, pending) != NGX_OK) {
            ngx_http_news_redis_pending_free(pending);
            continue;
        }

        w->pinged = 1;
    }

    ngx_add_timer(&sentinel->ping, NGX_HTTP_NEWS_REDIS_SENTINEL_PING);
}


/*
 * PING's reply, or what came before it: a message that arrives while a
 * PING waits is taken for its reply, so it is handled as one (the pong
 * then comes as a message, and is ignored).  A failure is the
 * connection's: its down hook subscribes again.
 */

static void
ngx_http_news_redis_sentinel_pong(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason)
{
    ngx_http_news_redis_watcher_t *w = data;

    w->pinged = 0;

    if (w->sentinel->exiting) {
        return;
    }

    if (result == NGX_HTTP_NEWS_REDIS_TIMEDOUT
        || result == NGX_HTTP_NEWS_REDIS_LOST)
    {
        ngx_log_error(NGX_LOG_INFO, w->sentinel->log, 0,
                      "news redis sentinel %V did not answer PING: %V, "
                      "subscribing again",
                      ngx_http_news_redis_conn_name(w->sub), reason);
        return;
    }

    if (result != NGX_HTTP_NEWS_REDIS_REPLY) {
        /* refused (an ACL user without +ping): an answer all the same */
        return;
    }

    ngx_http_news_redis_sentinel_push(w->sentinel, w->sub, reply);
}


/* a message on a subscribed connection */

static void
ngx_http_news_redis_sentinel_push(void *data, ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_reply_t *reply)
{
    ngx_http_news_redis_sentinel_t *sentinel = data;

    ngx_int_t                      rc;
    ngx_str_t                      master;
    ngx_http_news_redis_primary_t  primary;

    if (sentinel->exiting) {
        return;
    }

    rc = ngx_http_news_redis_sentinel_failing_over(reply, &master);

    if (rc == NGX_OK) {
        if (master.len == sentinel->master.len
            && ngx_strncmp(master.data, sentinel->master.data, master.len)
               == 0)
        {
            ngx_http_news_redis_sentinel_hold(sentinel, conn);
        }

        return;
    }

    rc = ngx_http_news_redis_sentinel_switch(reply, &primary);

    if (rc == NGX_DECLINED) {
        return;
    }

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, sentinel->log, 0,
                      "news redis sentinel %V announced a switch that "
                      "cannot be read", ngx_http_news_redis_conn_name(conn));

        /* the sentinels say it again when asked */
        ngx_http_news_redis_sentinel_check(sentinel);
        return;
    }

    if (primary.master.len != sentinel->master.len
        || ngx_strncmp(primary.master.data, sentinel->master.data,
                       primary.master.len)
           != 0)
    {
        /* another master that the same sentinels watch */
        return;
    }

    /* every sentinel announces it: the first one is news */

    if (!sentinel->failing_over
        && ngx_http_news_redis_sentinel_is_primary(sentinel, &primary))
    {
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, sentinel->log, 0,
                  "news redis sentinel: \"%V\" switched to %V:%d "
                  "(+switch-master from %V)", &sentinel->master,
                  &primary.host, (int) primary.port,
                  ngx_http_news_redis_conn_name(conn));

    ngx_http_news_redis_sentinel_use(sentinel, &primary);

    ngx_http_news_redis_sentinel_resume(sentinel);
}


/*
 * The leading sentinel is about to promote a replica: from now on the
 * old primary's writes would be lost with the switch.  Requests wait
 * for the switch (or give up at their deadlines).
 */

static void
ngx_http_news_redis_sentinel_hold(ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_conn_t *conn)
{
    ngx_uint_t  i;

    if (sentinel->failing_over) {
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, sentinel->log, 0,
                  "news redis sentinel: \"%V\" is failing over "
                  "(+failover-state-send-slaveof-noone from %V), requests "
                  "wait for the new primary", &sentinel->master,
                  ngx_http_news_redis_conn_name(conn));

    sentinel->failing_over = 1;

    for (i = 0; i < sentinel->sentinels.nelts; i++) {
        if (sentinel->watchers[i].sub == conn) {
            sentinel->announced = i;
        }
    }

    ngx_add_timer(&sentinel->failover, NGX_HTTP_NEWS_REDIS_SENTINEL_FAILOVER);
}


/* the failover is over: what was held goes to the primary now known */

static void
ngx_http_news_redis_sentinel_resume(ngx_http_news_redis_sentinel_t *sentinel)
{
    sentinel->failing_over = 0;

    if (sentinel->failover.timer_set) {
        ngx_del_timer(&sentinel->failover);
    }

    ngx_http_news_redis_sentinel_release(sentinel, NGX_HTTP_NEWS_REDIS_REPLY,
                                         NULL);
}


/*
 * No switch announced in time (a slow or aborted failover, or a missed
 * message).  What was held is answered 503, never sent: until the
 * switch every sentinel but the leader still names the old primary, and
 * what it counted now would be lost with the switch.  The sentinels are
 * asked, the one that announced the failover first: once the promoted
 * replica has taken the role, it names that one.
 */

static void
ngx_http_news_redis_sentinel_failover_handler(ngx_event_t *ev)
{
    ngx_str_t                        reason;
    ngx_http_news_redis_sentinel_t  *sentinel;

    sentinel = ev->data;

    ngx_log_error(NGX_LOG_WARN, sentinel->log, 0,
                  "news redis sentinel: no switch of \"%V\" announced "
                  "within %dms of its failover, held requests answered "
                  "503, asking the sentinels",
                  &sentinel->master, NGX_HTTP_NEWS_REDIS_SENTINEL_FAILOVER);

    sentinel->failing_over = 0;

    ngx_str_set(&reason, "Redis failover not finished in time");
    ngx_http_news_redis_sentinel_release(sentinel,
                                         NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                         &reason);

    if (sentinel->asking || sentinel->exiting
        || ngx_exiting || ngx_terminate || ngx_quit)
    {
        return;
    }

    if (sentinel->check.timer_set) {
        ngx_del_timer(&sentinel->check);
    }

    sentinel->next = sentinel->announced;
    sentinel->tries = 0;
    sentinel->answered = 0;
    ngx_http_news_redis_sentinel_ask(sentinel);
}


/*
 * A sentinel that names the primary left at a switch, soon after it:
 * it has not learnt the switch yet (the leader tells the others with
 * its hello messages).  Followed, it would send views back to a server
 * that is now a replica (ROLE would refuse it: 503s), or that came back
 * empty as a primary (404s, and counts written where they are lost).
 */

static ngx_uint_t
ngx_http_news_redis_sentinel_stale(ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_primary_t *primary)
{
    socklen_t       socklen;
    ngx_sockaddr_t  sa;

    return sentinel->moved
           && ngx_current_msec - sentinel->switched
              < NGX_HTTP_NEWS_REDIS_SENTINEL_STALE
           && ngx_http_news_redis_sentinel_sockaddr(primary, &sa, &socklen)
              == NGX_OK
           && ngx_cmp_sockaddr(&sentinel->previous.sockaddr,
                               sentinel->previous_len, &sa.sockaddr, socklen,
                               1)
              == NGX_OK;
}


static ngx_uint_t
ngx_http_news_redis_sentinel_is_primary(
    ngx_http_news_redis_sentinel_t *sentinel,
    ngx_http_news_redis_primary_t *primary)
{
    socklen_t       socklen;
    ngx_sockaddr_t  sa;

    return sentinel->known
           && ngx_http_news_redis_sentinel_sockaddr(primary, &sa, &socklen)
              == NGX_OK
           && ngx_cmp_sockaddr(&sentinel->primary.sockaddr, sentinel->socklen,
                               &sa.sockaddr, socklen, 1)
              == NGX_OK;
}


/* later, not now: the connection may fail while it is being opened */

static void
ngx_http_news_redis_sentinel_sub_down(void *data,
    ngx_http_news_redis_conn_t *conn)
{
    ngx_http_news_redis_sentinel_t *sentinel = data;

    ngx_uint_t  i;

    for (i = 0; i < sentinel->sentinels.nelts; i++) {
        if (sentinel->watchers[i].sub == conn) {
            sentinel->watchers[i].state =
                                     NGX_HTTP_NEWS_REDIS_SENTINEL_UNSUBSCRIBED;
        }
    }

    if (sentinel->exiting || sentinel->resubscribe.timer_set
        || ngx_exiting || ngx_terminate || ngx_quit)
    {
        return;
    }

    ngx_add_timer(&sentinel->resubscribe,
                  NGX_HTTP_NEWS_REDIS_SENTINEL_RESUBSCRIBE);
}


/*
 * READONLY: the primary was demoted while this worker was connected to
 * it.  NOREPLICAS: with min-replicas-to-write, the primary lost its
 * replica, as it does the moment Sentinel promotes that replica; what
 * it would have counted then would be lost with the switch.  Either
 * write did nothing (Redis refuses a write script before it runs, and a
 * transaction with a refused command), so it is held and sent to the
 * primary the sentinels name, until they name a new one or the request
 * gives up; after a few tries at the same primary it is answered as a
 * refused write.  A server that said READONLY and that the sentinels
 * still name is connected to again: ROLE refuses it (503s) until they
 * name another.
 */

static ngx_int_t
ngx_http_news_redis_sentinel_readonly(void *data,
    ngx_http_news_redis_conn_t *conn, ngx_http_news_redis_pending_t *pending,
    ngx_http_news_redis_reply_t *error)
{
    ngx_http_news_redis_sentinel_t *sentinel = data;

    /* exiting, the sentinels are not asked again: nothing would send it */

    if (sentinel->exiting || ngx_exiting || ngx_terminate || ngx_quit
        || pending->redirects >= NGX_HTTP_NEWS_REDIS_SENTINEL_RESENDS
        || !(ngx_http_news_redis_reply_is_error(error, "READONLY")
             || ngx_http_news_redis_reply_is_error(error, "NOREPLICAS")))
    {
        return NGX_DECLINED;
    }

    if (pending->redirects == 0 && !sentinel->refused) {
        ngx_log_error(NGX_LOG_WARN, sentinel->log, 0,
                      "news redis sentinel: %V refuses writes (\"%*s\"), "
                      "asking the sentinels for the primary of \"%V\"",
                      ngx_http_news_redis_conn_name(conn),
                      ngx_min(error->len, 64), error->str,
                      &sentinel->master);
        sentinel->refused = 1;
    }

    if (ngx_http_news_redis_reply_is_error(error, "READONLY")) {
        sentinel->demoted = 1;
    }

    pending->redirects++;

    ngx_queue_insert_tail(&sentinel->waiting, &pending->queue);

    /* known but stale: the next answer moves the connection */

    if (!sentinel->asking && !sentinel->check.timer_set) {
        ngx_add_timer(&sentinel->check, ngx_current_msec - sentinel->asked
                                        < NGX_HTTP_NEWS_REDIS_SENTINEL_REFRESH
                                        ? NGX_HTTP_NEWS_REDIS_SENTINEL_REFRESH
                                        : 1);
    }

    return NGX_OK;
}


/* the primary lost, or refused (ROLE): the sentinels may know another */

static void
ngx_http_news_redis_sentinel_data_down(void *data,
    ngx_http_news_redis_conn_t *conn)
{
    ngx_http_news_redis_sentinel_t *sentinel = data;

    ngx_msec_t  since;

    /* later, not now: the connection may fail while being opened */

    if (sentinel->asking || sentinel->check.timer_set || sentinel->exiting
        || ngx_exiting || ngx_terminate || ngx_quit)
    {
        return;
    }

    since = ngx_current_msec - sentinel->asked;

    ngx_add_timer(&sentinel->check,
                  since < NGX_HTTP_NEWS_REDIS_SENTINEL_REFRESH
                  ? NGX_HTTP_NEWS_REDIS_SENTINEL_REFRESH - since : 1);
}


/*
 * A primary named by Sentinel: by IP address, as Sentinel announces
 * them unless told otherwise; a host name would need DNS in the worker.
 */

static ngx_int_t
ngx_http_news_redis_sentinel_sockaddr(ngx_http_news_redis_primary_t *primary,
    ngx_sockaddr_t *sa, socklen_t *socklen)
{
    in_addr_t  inaddr;

    ngx_memzero(sa, sizeof(ngx_sockaddr_t));

    inaddr = ngx_inet_addr(primary->host.data, primary->host.len);

    if (inaddr != INADDR_NONE) {
        sa->sockaddr_in.sin_family = AF_INET;
        sa->sockaddr_in.sin_addr.s_addr = inaddr;
        *socklen = sizeof(struct sockaddr_in);

#if (NGX_HAVE_INET6)
    } else if (ngx_inet6_addr(primary->host.data, primary->host.len,
                              sa->sockaddr_in6.sin6_addr.s6_addr)
               == NGX_OK)
    {
        sa->sockaddr_in6.sin6_family = AF_INET6;
        *socklen = sizeof(struct sockaddr_in6);
#endif

    } else {
        return NGX_DECLINED;
    }

    ngx_inet_set_port(&sa->sockaddr, primary->port);

    return NGX_OK;
}


/*
 * SENTINEL get-master-addr-by-name: [ip, port]; nil when the sentinel
 * watches no master of that name.  NGX_OK and the address; NGX_DECLINED
 * for nil; NGX_ERROR for a reply not of this shape.
 */

ngx_int_t
ngx_http_news_redis_sentinel_address(ngx_http_news_redis_reply_t *reply,
    ngx_http_news_redis_primary_t *primary)
{
    redisReply  *host, *port;

    if (reply->type == REDIS_REPLY_NIL) {
        return NGX_DECLINED;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
        return NGX_ERROR;
    }

    host = reply->element[0];
    port = reply->element[1];

    if (host->type != REDIS_REPLY_STRING || host->len == 0
        || port->type != REDIS_REPLY_STRING)
    {
        return NGX_ERROR;
    }

    if (ngx_http_news_redis_sentinel_port((u_char *) port->str, port->len,
                                          &primary->port)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_str_null(&primary->master);
    primary->host.data = (u_char *) host->str;
    primary->host.len = host->len;

    return NGX_OK;
}


/*
 * A message of a subscription: [message, +switch-master, "<master>
 * <old-ip> <old-port> <new-ip> <new-port>"].  NGX_OK and the new
 * primary; NGX_DECLINED for any other message; NGX_ERROR for a switch
 * that cannot be read.
 */

ngx_int_t
ngx_http_news_redis_sentinel_switch(ngx_http_news_redis_reply_t *reply,
    ngx_http_news_redis_primary_t *primary)
{
    u_char      *p, *last, *word[5], *end[5];
    ngx_int_t    rc;
    ngx_str_t    text;
    ngx_uint_t   n;

    rc = ngx_http_news_redis_sentinel_message(reply, "+switch-master",
                                              &text);
    if (rc != NGX_OK) {
        return rc;
    }

    p = text.data;
    last = p + text.len;

    /* five words, one space apart */

    for (n = 0; n < 5; n++) {
        word[n] = p;

        while (p < last && *p != ' ') {
            p++;
        }

        end[n] = p;

        if (end[n] == word[n]) {
            return NGX_ERROR;
        }

        if (p < last) {
            p++;

            if (p == last) {
                return NGX_ERROR;
            }
        }
    }

    if (p != last || end[4] != last) {
        return NGX_ERROR;
    }

    if (ngx_http_news_redis_sentinel_port(word[4], end[4] - word[4],
                                          &primary->port)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    primary->master.data = word[0];
    primary->master.len = end[0] - word[0];
    primary->host.data = word[3];
    primary->host.len = end[3] - word[3];

    return NGX_OK;
}


/*
 * A message of a subscription: [message,
 * +failover-state-send-slaveof-noone, "slave <ip>:<port> <ip> <port> @
 * <master> <ip> <port>"].  NGX_OK and the master's name; NGX_DECLINED
 * for any other message; NGX_ERROR for one that cannot be read.
 */

ngx_int_t
ngx_http_news_redis_sentinel_failing_over(ngx_http_news_redis_reply_t *reply,
    ngx_str_t *master)
{
    u_char     *p, *last, *name;
    ngx_int_t   rc;
    ngx_str_t   text;

    static char  event[] = "+failover-state-send-slaveof-noone";

    rc = ngx_http_news_redis_sentinel_message(reply, event, &text);
    if (rc != NGX_OK) {
        return rc;
    }

    p = text.data;
    last = p + text.len;

    p = ngx_strlcasestrn(p, last, (u_char *) " @ ", sizeof(" @ ") - 2);

    if (p == NULL) {
        return NGX_ERROR;
    }

    name = p + sizeof(" @ ") - 1;

    for (p = name; p < last && *p != ' '; p++) { /* void */ }

    if (p == name) {
        return NGX_ERROR;
    }

    master->data = name;
    master->len = p - name;

    return NGX_OK;
}


/*
 * A subscription's message on the channel: NGX_OK and its text;
 * NGX_DECLINED for any other reply (another channel, a subscription's
 * own reply), NGX_ERROR for a message whose text is not a string.
 */

static ngx_int_t
ngx_http_news_redis_sentinel_message(ngx_http_news_redis_reply_t *reply,
    const char *channel, ngx_str_t *text)
{
    size_t       len;
    redisReply  *kind, *name, *data;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) {
        return NGX_DECLINED;
    }

    kind = reply->element[0];
    name = reply->element[1];
    data = reply->element[2];
    len = ngx_strlen(channel);

    if (kind->type != REDIS_REPLY_STRING
        || kind->len != sizeof("message") - 1
        || ngx_strncmp(kind->str, "message", kind->len) != 0
        || name->type != REDIS_REPLY_STRING
        || name->len != len
        || ngx_strncmp(name->str, channel, len) != 0)
    {
        return NGX_DECLINED;
    }

    if (data->type != REDIS_REPLY_STRING) {
        return NGX_ERROR;
    }

    text->data = (u_char *) data->str;
    text->len = data->len;

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_redis_sentinel_port(u_char *p, size_t len, in_port_t *port)
{
    ngx_int_t  n;

    if (len == 0 || len > 5) {
        return NGX_ERROR;
    }

    n = ngx_atoi(p, len);

    if (n == NGX_ERROR || n == 0 || n > 65535) {
        return NGX_ERROR;
    }

    *port = (in_port_t) n;

    return NGX_OK;
}
