
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * One persistent connection per worker and Redis server.  nginx owns the
 * socket (non-blocking connect to an address resolved at configuration
 * time or learnt from Redis, its events, its timers); hiredis encodes
 * commands and decodes replies.  Commands of all requests are pipelined
 * on the connection and their replies matched, in order, to a FIFO of
 * pending commands.  The commands of one request that go together are
 * wrapped in MULTI/EXEC: one round trip, one atomic step.
 *
 * A pending command outlives the request that sent it: cancelling only
 * detaches it, and its late reply is read and dropped.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>
#include <ngx_sha1.h>

#include <hiredis/hiredis.h>

#include "ngx_http_news_redis_conn.h"
#include "ngx_http_news_metrics.h"


/* the first retry is quick; the cap keeps a returning Redis in use <2s */
#define NGX_HTTP_NEWS_REDIS_BACKOFF_MIN   100
#define NGX_HTTP_NEWS_REDIS_BACKOFF_MAX   1000

#define NGX_HTTP_NEWS_REDIS_READ_SIZE     16384
/*
 * Of one command: a news_stale batch has 1 + 2 x 100, the publishing
 * API's lists step a list for each of 100 tags and 100 authors.
 */
#define NGX_HTTP_NEWS_REDIS_MAX_ARGS      1024


typedef enum {
    NGX_HTTP_NEWS_REDIS_CLOSED = 0,
    NGX_HTTP_NEWS_REDIS_CONNECTING,     /* TCP connect and setup commands */
    NGX_HTTP_NEWS_REDIS_READY,
    NGX_HTTP_NEWS_REDIS_BACKOFF         /* an attempt failed; retry later */
} ngx_http_news_redis_state_e;


struct ngx_http_news_redis_conn_s {
    ngx_http_news_redis_server_t    *server;
    ngx_http_news_redis_hooks_t      hooks;
    ngx_http_news_redis_state_e      state;
    ngx_sockaddr_t                   sockaddr;
    socklen_t                        socklen;
    ngx_str_t                        name;
    u_char                           name_data[NGX_SOCKADDR_STRLEN];
    ngx_peer_connection_t            peer;
    redisReader                     *reader;

    ngx_queue_t                      pending;    /* encoded, in reply order */
    ngx_queue_t                      waiting;    /* held during the setup */
    ngx_uint_t                       setup;      /* setup replies awaited */
    ngx_atomic_t                    *gauge;      /* of open connections */
    unsigned                         connected:1;
    unsigned                         attempted:1;
    unsigned                         eval:1;     /* EVALSHA is refused */

    u_char                          *out;        /* encoded, unsent bytes */
    size_t                           out_pos;
    size_t                           out_len;
    size_t                           out_size;

    ngx_event_t                      stall;      /* Redis silent too long */
    ngx_msec_t                       progress;   /* Redis' last byte */
    ngx_event_t                      retry;      /* backoff */
    ngx_msec_t                       backoff;
    ngx_log_t                        log;
    u_char                           reason[512];
};


static void ngx_http_news_redis_conn_address(ngx_http_news_redis_conn_t *conn,
    struct sockaddr *sockaddr, socklen_t socklen, ngx_str_t *name);
static void ngx_http_news_redis_connect(ngx_http_news_redis_conn_t *conn);
static ngx_int_t ngx_http_news_redis_conn_resend(void *data,
    ngx_http_news_redis_pending_t *pending);
static ngx_int_t ngx_http_news_redis_queue_setup(
    ngx_http_news_redis_conn_t *conn);
static ngx_int_t ngx_http_news_redis_queue_scripts(
    ngx_http_news_redis_conn_t *conn);
static ngx_int_t ngx_http_news_redis_send_setup(
    ngx_http_news_redis_conn_t *conn, ngx_uint_t argc, const char **argv,
    size_t *argvlen, ngx_http_news_redis_handler_pt handler);
static void ngx_http_news_redis_setup_handler(void *data,
    ngx_http_news_redis_result_e result, redisReply *reply,
    ngx_str_t *reason);
static void ngx_http_news_redis_role_handler(void *data,
    ngx_http_news_redis_result_e result, redisReply *reply,
    ngx_str_t *reason);
static void ngx_http_news_redis_script_handler(void *data,
    ngx_http_news_redis_result_e result, redisReply *reply,
    ngx_str_t *reason);
static void ngx_http_news_redis_setup_done(ngx_http_news_redis_conn_t *conn);
static void ngx_http_news_redis_ready(ngx_http_news_redis_conn_t *conn);
static ngx_int_t ngx_http_news_redis_send_commands(
    ngx_http_news_redis_conn_t *conn, ngx_http_news_redis_pending_t *pending);
static ngx_int_t ngx_http_news_redis_encode(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_command_t *command, ngx_uint_t retried);
static ngx_int_t ngx_http_news_redis_append(ngx_http_news_redis_conn_t *conn,
    ngx_uint_t argc, const char **argv, size_t *argvlen);
static void ngx_http_news_redis_queue(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_pending_t *pending);
static void ngx_http_news_redis_answer(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_pending_t *pending, redisReply *reply);
static ngx_uint_t ngx_http_news_redis_script_refused(
    ngx_http_news_redis_conn_t *conn, ngx_http_news_redis_pending_t *pending,
    redisReply *reply);
static redisReply *ngx_http_news_redis_error(redisReply *reply);
static ngx_uint_t ngx_http_news_redis_is_error(redisReply *reply,
    ngx_str_t *errors);
static void ngx_http_news_redis_arm_stall(ngx_http_news_redis_conn_t *conn);
static void ngx_http_news_redis_connected_handler(ngx_event_t *wev);
static void ngx_http_news_redis_tls_handshake(
    ngx_http_news_redis_conn_t *conn);
static void ngx_http_news_redis_tls_handshaked(ngx_connection_t *c);
static void ngx_http_news_redis_opened(ngx_http_news_redis_conn_t *conn);
static void ngx_http_news_redis_write_handler(ngx_event_t *wev);
static void ngx_http_news_redis_read_handler(ngx_event_t *rev);
static ngx_int_t ngx_http_news_redis_dispatch(ngx_http_news_redis_conn_t *conn,
    redisReply *reply);
static void ngx_http_news_redis_stall_handler(ngx_event_t *ev);
static void ngx_http_news_redis_retry_handler(ngx_event_t *ev);
static void ngx_http_news_redis_fail(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_result_e result, ngx_str_t *reason);
static void ngx_http_news_redis_close(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_result_e result, ngx_str_t *reason);
static void ngx_http_news_redis_fail_queue(ngx_queue_t *queue,
    ngx_http_news_redis_result_e result, ngx_str_t *reason);
static u_char *ngx_http_news_redis_log_error(ngx_log_t *log, u_char *buf,
    size_t len);


static u_char  ngx_http_news_redis_buffer[NGX_HTTP_NEWS_REDIS_READ_SIZE];


/* error replies that mean this Redis cannot serve us now, not a bad key */

static ngx_str_t  ngx_http_news_redis_unavailable_errors[] = {
    ngx_string("LOADING"),
    ngx_string("NOAUTH"),
    ngx_string("WRONGPASS"),
    ngx_string("MASTERDOWN"),
    ngx_string("BUSY"),
    ngx_string("CLUSTERDOWN"),        /* a Cluster without all its slots */
    ngx_string("TRYAGAIN"),           /* keys of one step half migrated */
    ngx_string("MOVED"),              /* redirections not followed: the */
    ngx_string("ASK"),                /* slot's node cannot be reached */
    ngx_null_string
};


/* what Redis says when it refuses a write it would read */

static ngx_str_t  ngx_http_news_redis_refused_errors[] = {
    ngx_string("OOM"),
    ngx_string("READONLY"),
    ngx_string("MISCONF"),
    ngx_string("NOREPLICAS"),
    ngx_null_string
};


ngx_http_news_redis_conn_t *
ngx_http_news_redis_conn_open(ngx_http_news_redis_server_t *server,
    struct sockaddr *sockaddr, socklen_t socklen, ngx_str_t *name,
    ngx_http_news_redis_hooks_t *hooks, ngx_log_t *log)
{
    ngx_http_news_redis_conn_t  *conn;

    conn = ngx_calloc(sizeof(ngx_http_news_redis_conn_t), log);
    if (conn == NULL) {
        return NULL;
    }

    conn->server = server;
    conn->backoff = NGX_HTTP_NEWS_REDIS_BACKOFF_MIN;
    ngx_queue_init(&conn->pending);
    ngx_queue_init(&conn->waiting);

    if (hooks != NULL) {
        conn->hooks = *hooks;
    }

    ngx_http_news_redis_conn_address(conn, sockaddr, socklen, name);

    conn->log = *log;
    conn->log.handler = ngx_http_news_redis_log_error;
    conn->log.data = conn;
    conn->log.action = NULL;

    conn->stall.handler = ngx_http_news_redis_stall_handler;
    conn->stall.data = conn;
    conn->stall.log = &conn->log;
    conn->stall.cancelable = 1;

    conn->retry.handler = ngx_http_news_redis_retry_handler;
    conn->retry.data = conn;
    conn->retry.log = &conn->log;
    conn->retry.cancelable = 1;

    /* connect before the first request, so it finds the connection up */

    ngx_http_news_redis_connect(conn);

    return conn;
}


/* a copy: addresses learnt from Redis live in a reply, freed soon */

static void
ngx_http_news_redis_conn_address(ngx_http_news_redis_conn_t *conn,
    struct sockaddr *sockaddr, socklen_t socklen, ngx_str_t *name)
{
    ngx_memcpy(&conn->sockaddr, sockaddr, socklen);
    conn->socklen = socklen;

    conn->name.len = ngx_min(name->len, sizeof(conn->name_data));
    conn->name.data = conn->name_data;
    ngx_memcpy(conn->name_data, name->data, conn->name.len);
}


/*
 * The server has moved (a new primary): what was sent to the old one is
 * failed as lost, what waits is failed as never sent, and the
 * connection is made again at once, to the new address.
 */

void
ngx_http_news_redis_conn_move(ngx_http_news_redis_conn_t *conn,
    struct sockaddr *sockaddr, socklen_t socklen, ngx_str_t *name)
{
    ngx_str_t    reason = ngx_string("Redis moved");
    ngx_queue_t  held;

    /*
     * What waited for the old server's setup was never sent: it goes to
     * the new one, after its setup, as a request arriving now would.
     */

    ngx_queue_init(&held);

    if (!ngx_queue_empty(&conn->waiting)) {
        ngx_queue_add(&held, &conn->waiting);
        ngx_queue_init(&conn->waiting);
    }

    ngx_http_news_redis_close(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE, &reason);

    if (conn->retry.timer_set) {
        ngx_del_timer(&conn->retry);
    }

    ngx_http_news_redis_conn_address(conn, sockaddr, socklen, name);

    conn->backoff = NGX_HTTP_NEWS_REDIS_BACKOFF_MIN;

    if (!(ngx_exiting || ngx_terminate || ngx_quit)) {
        ngx_http_news_redis_connect(conn);
    }

    ngx_http_news_redis_release(&held, ngx_http_news_redis_conn_resend, conn,
                                NGX_HTTP_NEWS_REDIS_UNAVAILABLE, &reason);
}


void
ngx_http_news_redis_conn_destroy(ngx_http_news_redis_conn_t *conn)
{
    ngx_str_t  reason = ngx_string("worker exiting");

    /* hooks are not told: whoever destroys it knows */

    conn->hooks.down = NULL;

    ngx_http_news_redis_close(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE, &reason);

    if (conn->retry.timer_set) {
        ngx_del_timer(&conn->retry);
    }

    ngx_free(conn->out);
    ngx_free(conn);
}


static ngx_int_t
ngx_http_news_redis_conn_resend(void *data,
    ngx_http_news_redis_pending_t *pending)
{
    return ngx_http_news_redis_conn_send(data, pending);
}


/*
 * Commands held back, never sent (for a setup, a slot map, a primary):
 * each sent on with resend, or, without one or when it is not taken,
 * answered with result (UNAVAILABLE when resend failed) and reason; a
 * command whose request gave up is freed, never sent, so never
 * counted.  The queue is emptied first: a handler may send again, and
 * be held anew.
 */

void
ngx_http_news_redis_release(ngx_queue_t *queue,
    ngx_http_news_redis_resend_pt resend, void *data,
    ngx_http_news_redis_result_e result, ngx_str_t *reason)
{
    ngx_queue_t                    *q, held;
    ngx_http_news_redis_pending_t  *pending;

    ngx_queue_init(&held);

    if (!ngx_queue_empty(queue)) {
        ngx_queue_add(&held, queue);
        ngx_queue_init(queue);
    }

    while (!ngx_queue_empty(&held)) {
        q = ngx_queue_head(&held);
        ngx_queue_remove(q);
        pending = ngx_queue_data(q, ngx_http_news_redis_pending_t, queue);

        if (pending->handler != NULL) {

            if (resend != NULL && resend(data, pending) == NGX_OK) {
                continue;
            }

            pending->handler(pending->data,
                             resend ? NGX_HTTP_NEWS_REDIS_UNAVAILABLE
                                    : result,
                             NULL, reason);
        }

        ngx_http_news_redis_pending_free(pending);
    }
}


/*
 * A connection not needed now stops trying while its server is down (a
 * node that left a Cluster); woken, it connects again.
 */

void
ngx_http_news_redis_conn_rest(ngx_http_news_redis_conn_t *conn)
{
    if (conn->state != NGX_HTTP_NEWS_REDIS_BACKOFF) {
        return;
    }

    if (conn->retry.timer_set) {
        ngx_del_timer(&conn->retry);
    }

    conn->state = NGX_HTTP_NEWS_REDIS_CLOSED;
}


void
ngx_http_news_redis_conn_wake(ngx_http_news_redis_conn_t *conn)
{
    if (conn->state != NGX_HTTP_NEWS_REDIS_CLOSED
        || ngx_exiting || ngx_terminate || ngx_quit)
    {
        return;
    }

    conn->backoff = NGX_HTTP_NEWS_REDIS_BACKOFF_MIN;

    ngx_http_news_redis_connect(conn);
}


/* a command sent now is sent, or held for a setup under way */

ngx_uint_t
ngx_http_news_redis_conn_usable(ngx_http_news_redis_conn_t *conn)
{
    return conn->state == NGX_HTTP_NEWS_REDIS_CONNECTING
           || conn->state == NGX_HTTP_NEWS_REDIS_READY;
}


ngx_str_t *
ngx_http_news_redis_conn_name(ngx_http_news_redis_conn_t *conn)
{
    return &conn->name;
}


/*
 * NGX_DECLINED: the connection is down (backing off), and the command
 * is not taken; the caller answers 503 at once.
 */

ngx_int_t
ngx_http_news_redis_conn_send(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_pending_t *pending)
{
    if (!ngx_http_news_redis_conn_usable(conn)) {
        return NGX_DECLINED;
    }

    if (conn->state == NGX_HTTP_NEWS_REDIS_CONNECTING) {

        /*
         * Held back until AUTH and SELECT have succeeded: pipelined
         * behind a rejected SELECT it would run in the wrong database.
         */

        ngx_queue_insert_tail(&conn->waiting, &pending->queue);

    } else if (ngx_http_news_redis_send_commands(conn, pending) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_EVENT, &conn->log, 0,
                   "news redis command %p %s", pending,
                   conn->state == NGX_HTTP_NEWS_REDIS_READY
                   ? "queued" : "held");

    return NGX_OK;
}


/*
 * The commands are copied into one allocation: a NOSCRIPT retry or a
 * redirection may need them after the request that sent them (and its
 * pool) is gone.
 */

ngx_http_news_redis_pending_t *
ngx_http_news_redis_pending_create(ngx_http_news_redis_command_t *commands,
    ngx_uint_t n, ngx_http_news_redis_handler_pt handler, void *data,
    ngx_log_t *log)
{
    u_char                         *p;
    size_t                          size;
    ngx_str_t                      *argv;
    ngx_uint_t                      i, j;
    ngx_http_news_redis_pending_t  *pending;
    ngx_http_news_redis_command_t  *copy;

    size = sizeof(ngx_http_news_redis_pending_t)
           + n * sizeof(ngx_http_news_redis_command_t);

    for (i = 0; i < n; i++) {
        if (commands[i].argc > NGX_HTTP_NEWS_REDIS_MAX_ARGS) {
            ngx_log_error(NGX_LOG_ALERT, log, 0,
                          "news redis: a command of %ui arguments, more "
                          "than %d", commands[i].argc,
                          NGX_HTTP_NEWS_REDIS_MAX_ARGS);
            return NULL;
        }

        size += commands[i].argc * sizeof(ngx_str_t);

        for (j = 0; j < commands[i].argc; j++) {
            size += commands[i].argv[j].len;
        }
    }

    pending = ngx_alloc(size, log);
    if (pending == NULL) {
        return NULL;
    }

    ngx_memzero(pending, sizeof(ngx_http_news_redis_pending_t));

    copy = (ngx_http_news_redis_command_t *) &pending[1];
    argv = (ngx_str_t *) &copy[n];

    for (i = 0; i < n; i++) {
        copy[i] = commands[i];
        copy[i].argv = argv;
        argv += commands[i].argc;
    }

    p = (u_char *) argv;

    for (i = 0; i < n; i++) {
        for (j = 0; j < commands[i].argc; j++) {
            copy[i].argv[j].len = commands[i].argv[j].len;
            copy[i].argv[j].data = p;
            p = ngx_cpymem(p, commands[i].argv[j].data,
                           commands[i].argv[j].len);
        }
    }

    pending->commands = copy;
    pending->ncommands = n;
    pending->handler = handler;
    pending->data = data;

    return pending;
}


void
ngx_http_news_redis_pending_free(ngx_http_news_redis_pending_t *pending)
{
    if (pending->refused != NULL) {
        freeReplyObject(pending->refused);
    }

    ngx_free(pending);
}


void
ngx_http_news_redis_cancel(ngx_http_news_redis_pending_t *pending)
{
    /* the command stays queued: its reply must still be read, in order */

    pending->handler = NULL;
    pending->data = NULL;
}


/* an error reply whose code (its first word) is the one given */

ngx_uint_t
ngx_http_news_redis_reply_is_error(redisReply *reply, const char *code)
{
    size_t  len;

    len = ngx_strlen(code);

    return reply->type == REDIS_REPLY_ERROR
           && reply->len >= len
           && ngx_strncmp(reply->str, code, len) == 0
           && (reply->len == len || reply->str[len] == ' ');
}


static ngx_uint_t
ngx_http_news_redis_is_error(redisReply *reply, ngx_str_t *errors)
{
    ngx_str_t  *e;

    for (e = errors; e->len; e++) {
        if (reply->len >= e->len
            && ngx_strncmp(reply->str, e->data, e->len) == 0
            && (reply->len == e->len || reply->str[e->len] == ' '))
        {
            return 1;
        }
    }

    return 0;
}


static void
ngx_http_news_redis_connect(ngx_http_news_redis_conn_t *conn)
{
    ngx_int_t                      rv;
    ngx_str_t                      reason;
    ngx_connection_t              *c;

    /* the first connection of a worker is not a reconnect */

    if (conn->attempted) {
        ngx_http_news_metrics_redis_reconnect();
    }

    conn->attempted = 1;

    /* a Redis that refused EVALSHA may have been set up anew */
    conn->eval = 0;

    conn->reader = redisReaderCreate();
    if (conn->reader == NULL) {
        ngx_str_set(&reason, "cannot create a reply reader");
        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
        return;
    }

    ngx_memzero(&conn->peer, sizeof(ngx_peer_connection_t));

    conn->peer.sockaddr = &conn->sockaddr.sockaddr;
    conn->peer.socklen = conn->socklen;
    conn->peer.name = &conn->name;
    conn->peer.get = ngx_event_get_peer;
    conn->peer.log = &conn->log;
    conn->peer.so_keepalive = 1;      /* notice a peer gone without a FIN */

    /* nginx's own lines about a Redis that stays down: info, as ours */

    conn->peer.log_error = (conn->backoff > NGX_HTTP_NEWS_REDIS_BACKOFF_MIN)
                         ? NGX_ERROR_INFO : NGX_ERROR_ERR;

    conn->state = NGX_HTTP_NEWS_REDIS_CONNECTING;
    conn->log.action = "connecting to Redis";

    /* setup commands go first, so requests may queue behind them */

    if (ngx_http_news_redis_queue_setup(conn) != NGX_OK) {
        ngx_str_set(&reason, "cannot queue the setup commands");
        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
        return;
    }

    rv = ngx_event_connect_peer(&conn->peer);

    if (rv == NGX_ERROR || rv == NGX_BUSY || rv == NGX_DECLINED) {
        conn->peer.connection = NULL;
        ngx_str_set(&reason, "cannot connect");
        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
        return;
    }

    c = conn->peer.connection;
    c->data = conn;
    c->pool = NULL;
    c->read->handler = ngx_http_news_redis_read_handler;
    c->write->handler = ngx_http_news_redis_write_handler;

    if (rv == NGX_AGAIN) {
        c->write->handler = ngx_http_news_redis_connected_handler;

        /*
         * A host that drops the SYN would hold the connection, and what
         * waits for its setup, for the kernel's two minutes of retries.
         */

        ngx_add_timer(c->write, conn->server->timeout);
        return;
    }

    ngx_http_news_redis_connected_handler(c->write);
}


static ngx_int_t
ngx_http_news_redis_queue_setup(ngx_http_news_redis_conn_t *conn)
{
    u_char                         *p;
    u_char                          db[NGX_INT_T_LEN];
    size_t                          argvlen[3];
    ngx_uint_t                      argc;
    const char                     *argv[3];
    ngx_http_news_redis_server_t   *server;

    server = conn->server;
    conn->setup = 0;

    /* sent once per connection, never per request */

    if (server->password.len) {
        argc = 0;
        argv[argc] = "AUTH";
        argvlen[argc++] = sizeof("AUTH") - 1;

        if (server->user.len) {
            /* an ACL user (Redis 6 and later) */
            argv[argc] = (const char *) server->user.data;
            argvlen[argc++] = server->user.len;
        }

        argv[argc] = (const char *) server->password.data;
        argvlen[argc++] = server->password.len;

        if (ngx_http_news_redis_send_setup(conn, argc, argv, argvlen,
                                           ngx_http_news_redis_setup_handler)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /*
     * Behind Sentinel, a server that is not the primary (a replica, or
     * a primary demoted since it was named) is never written to.
     */

    if (server->primary) {
        argv[0] = "ROLE";
        argvlen[0] = sizeof("ROLE") - 1;

        if (ngx_http_news_redis_send_setup(conn, 1, argv, argvlen,
                                           ngx_http_news_redis_role_handler)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (server->db) {
        p = ngx_sprintf(db, "%ui", server->db);

        argv[0] = "SELECT";
        argvlen[0] = sizeof("SELECT") - 1;
        argv[1] = (const char *) db;
        argvlen[1] = p - db;

        if (ngx_http_news_redis_send_setup(conn, 2, argv, argvlen,
                                           ngx_http_news_redis_setup_handler)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (server->primary) {
        /* the scripts once ROLE has said master: nothing else goes first */
        return NGX_OK;
    }

    return ngx_http_news_redis_queue_scripts(conn);
}


static ngx_int_t
ngx_http_news_redis_queue_scripts(ngx_http_news_redis_conn_t *conn)
{
    size_t                          argvlen[3];
    ngx_uint_t                      i;
    const char                     *argv[3];
    ngx_http_news_redis_script_t  **script;

    script = conn->server->scripts->elts;

    for (i = 0; i < conn->server->scripts->nelts; i++) {
        argv[0] = "SCRIPT";
        argvlen[0] = sizeof("SCRIPT") - 1;
        argv[1] = "LOAD";
        argvlen[1] = sizeof("LOAD") - 1;
        argv[2] = (const char *) script[i]->text.data;
        argvlen[2] = script[i]->text.len;

        if (ngx_http_news_redis_send_setup(conn, 3, argv, argvlen,
                                           ngx_http_news_redis_script_handler)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_news_redis_send_setup(ngx_http_news_redis_conn_t *conn,
    ngx_uint_t argc, const char **argv, size_t *argvlen,
    ngx_http_news_redis_handler_pt handler)
{
    ngx_http_news_redis_pending_t  *pending;

    pending = ngx_calloc(sizeof(ngx_http_news_redis_pending_t), &conn->log);
    if (pending == NULL) {
        return NGX_ERROR;
    }

    pending->handler = handler;
    pending->data = conn;
    pending->replies = 1;
    pending->setup = 1;

    if (ngx_http_news_redis_append(conn, argc, argv, argvlen) != NGX_OK) {
        ngx_free(pending);
        return NGX_ERROR;
    }

    ngx_http_news_redis_queue(conn, pending);
    conn->setup++;

    return NGX_OK;
}


static void
ngx_http_news_redis_setup_handler(void *data,
    ngx_http_news_redis_result_e result, redisReply *reply,
    ngx_str_t *reason)
{
    ngx_http_news_redis_conn_t *conn = data;

    u_char     *p;
    ngx_str_t   why;

    if (result != NGX_HTTP_NEWS_REDIS_REPLY) {
        /* the connection is being closed and has logged why */
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        p = ngx_snprintf(conn->reason, sizeof(conn->reason),
                         "Redis rejected the connection setup: %*s",
                         reply->len, reply->str);

        why.data = conn->reason;
        why.len = p - conn->reason;

        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE, &why);
        return;
    }

    ngx_http_news_redis_setup_done(conn);
}


/* ROLE: its first element is "master", "slave" or "sentinel" */

static void
ngx_http_news_redis_role_handler(void *data,
    ngx_http_news_redis_result_e result, redisReply *reply,
    ngx_str_t *reason)
{
    ngx_http_news_redis_conn_t *conn = data;

    u_char      *p;
    ngx_str_t    why;
    redisReply  *role;

    if (result != NGX_HTTP_NEWS_REDIS_REPLY
        || reply->type == REDIS_REPLY_ERROR)
    {
        /* closed, or ROLE refused (an ACL user needs +role) */
        ngx_http_news_redis_setup_handler(data, result, reply, reason);
        return;
    }

    role = (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0)
           ? reply->element[0] : NULL;

    if (role != NULL && role->type == REDIS_REPLY_STRING
        && role->len == sizeof("master") - 1
        && ngx_strncmp(role->str, "master", role->len) == 0)
    {
        if (ngx_http_news_redis_queue_scripts(conn) != NGX_OK) {
            ngx_str_set(&why, "cannot queue the setup commands");
            ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                     &why);
            return;
        }

        /* counted as the setup commands sent with the connect are */
        ngx_http_news_metrics_redis_commands(conn->server->scripts->nelts);

        ngx_http_news_redis_setup_done(conn);
        return;
    }

    if (role != NULL && role->type == REDIS_REPLY_STRING
        && role->len == sizeof("slave") - 1
        && ngx_strncmp(role->str, "slave", role->len) == 0)
    {
        ngx_str_set(&why, "Redis is a replica, not the primary");

    } else {
        p = ngx_snprintf(conn->reason, sizeof(conn->reason),
                         "Redis is not the primary (ROLE %*s)",
                         (role != NULL && role->type == REDIS_REPLY_STRING)
                         ? (size_t) ngx_min(role->len, 32) : 1,
                         (role != NULL && role->type == REDIS_REPLY_STRING)
                         ? role->str : "?");

        why.data = conn->reason;
        why.len = p - conn->reason;
    }

    ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE, &why);
}


/*
 * A Redis that refuses SCRIPT LOAD (renamed away, or denied by an ACL)
 * can still serve: views not to count need no script, and the others
 * send theirs whole with EVAL on this connection.  Any other error is
 * a failed setup, as for AUTH and SELECT.
 */

static void
ngx_http_news_redis_script_handler(void *data,
    ngx_http_news_redis_result_e result, redisReply *reply,
    ngx_str_t *reason)
{
    ngx_http_news_redis_conn_t *conn = data;

    if (result != NGX_HTTP_NEWS_REDIS_REPLY
        || reply->type != REDIS_REPLY_ERROR
        || !((reply->len >= sizeof("ERR unknown command") - 1
              && ngx_strncmp(reply->str, "ERR unknown command",
                             sizeof("ERR unknown command") - 1)
                 == 0)
             || (reply->len >= sizeof("NOPERM") - 1
                 && ngx_strncmp(reply->str, "NOPERM", sizeof("NOPERM") - 1)
                    == 0)))
    {
        /* loaded, or a Redis that cannot serve now (LOADING ...) */
        ngx_http_news_redis_setup_handler(data, result, reply, reason);
        return;
    }

    ngx_log_error(NGX_LOG_WARN, &conn->log, 0,
                  "news redis refused SCRIPT LOAD: \"%*s\", scripts "
                  "are sent with EVAL", reply->len, reply->str);

    conn->eval = 1;

    ngx_http_news_redis_setup_done(conn);
}


static void
ngx_http_news_redis_setup_done(ngx_http_news_redis_conn_t *conn)
{
    if (--conn->setup == 0) {
        ngx_http_news_redis_ready(conn);
    }
}


static void
ngx_http_news_redis_ready(ngx_http_news_redis_conn_t *conn)
{
    ngx_str_t                       reason;
    ngx_uint_t                      level;
    ngx_queue_t                    *q;
    ngx_http_news_redis_pending_t  *pending;

    conn->state = NGX_HTTP_NEWS_REDIS_READY;
    conn->log.action = NULL;

    level = (conn->backoff > NGX_HTTP_NEWS_REDIS_BACKOFF_MIN)
            ? NGX_LOG_NOTICE : NGX_LOG_INFO;

    ngx_log_error(level, &conn->log, 0, "news redis connection is ready");

    conn->backoff = NGX_HTTP_NEWS_REDIS_BACKOFF_MIN;

    /* what arrived during the setup goes now, in arrival order */

    while (!ngx_queue_empty(&conn->waiting)) {
        q = ngx_queue_head(&conn->waiting);
        ngx_queue_remove(q);
        pending = ngx_queue_data(q, ngx_http_news_redis_pending_t, queue);

        if (pending->handler == NULL) {
            /* its request gave up: never sent, so never counted */
            ngx_free(pending);
            continue;
        }

        if (ngx_http_news_redis_send_commands(conn, pending) != NGX_OK) {
            ngx_queue_insert_head(&conn->waiting, q);
            ngx_str_set(&reason, "cannot queue a command");
            ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                     &reason);
            return;
        }
    }
}


static ngx_int_t
ngx_http_news_redis_send_commands(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_pending_t *pending)
{
    size_t       unsent;
    size_t       len[1];
    ngx_uint_t   i, multi;
    const char  *argv[1];

    multi = (pending->ncommands > 1);
    unsent = conn->out_len - conn->out_pos;

    if (pending->asking) {

        /* a slot being migrated: once, for this command (or MULTI) */

        argv[0] = "ASKING";
        len[0] = sizeof("ASKING") - 1;

        if (ngx_http_news_redis_append(conn, 1, argv, len) != NGX_OK) {
            goto failed;
        }
    }

    if (multi) {
        argv[0] = "MULTI";
        len[0] = sizeof("MULTI") - 1;

        if (ngx_http_news_redis_append(conn, 1, argv, len) != NGX_OK) {
            goto failed;
        }
    }

    for (i = 0; i < pending->ncommands; i++) {
        if (ngx_http_news_redis_encode(conn, &pending->commands[i],
                                       pending->retried || conn->eval)
            != NGX_OK)
        {
            goto failed;
        }
    }

    if (multi) {
        argv[0] = "EXEC";
        len[0] = sizeof("EXEC") - 1;

        if (ngx_http_news_redis_append(conn, 1, argv, len) != NGX_OK) {
            goto failed;
        }
    }

    /* MULTI's +OK and a +QUEUED for each command come before EXEC's */

    pending->replies = (multi ? pending->ncommands + 2 : 1)
                       + pending->asking;
    pending->asked = pending->asking;
    pending->asking = 0;
    pending->sent = ngx_current_msec;

    /*
     * One count per request, not per command.  Requests only get here on
     * a connection that is up; the setup commands queued before it was
     * are counted when it comes up.
     */

    ngx_http_news_metrics_redis_commands(pending->replies);

    ngx_http_news_redis_queue(conn, pending);

    return NGX_OK;

failed:

    /* no half transaction is left to be sent */

    conn->out_len = conn->out_pos + unsent;

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_news_redis_encode(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_command_t *command, ngx_uint_t retried)
{
    u_char       *p;
    u_char        nkeys[NGX_INT_T_LEN];
    size_t        argvlen[NGX_HTTP_NEWS_REDIS_MAX_ARGS + 3];
    ngx_uint_t    i, argc;
    const char   *argv[NGX_HTTP_NEWS_REDIS_MAX_ARGS + 3];

    argc = 0;

    if (command->script != NULL) {

        /* EVALSHA normally; EVAL, which also caches, after a NOSCRIPT */

        if (retried) {
            argv[0] = "EVAL";
            argvlen[0] = sizeof("EVAL") - 1;
            argv[1] = (const char *) command->script->text.data;
            argvlen[1] = command->script->text.len;

        } else {
            argv[0] = "EVALSHA";
            argvlen[0] = sizeof("EVALSHA") - 1;
            argv[1] = (const char *) command->script->sha1;
            argvlen[1] = sizeof(command->script->sha1);
        }

        p = ngx_sprintf(nkeys, "%ui", command->nkeys);
        argv[2] = (const char *) nkeys;
        argvlen[2] = p - nkeys;

        argc = 3;
    }

    for (i = 0; i < command->argc; i++) {
        argv[argc] = (const char *) command->argv[i].data;
        argvlen[argc] = command->argv[i].len;
        argc++;
    }

    return ngx_http_news_redis_append(conn, argc, argv, argvlen);
}


static ngx_int_t
ngx_http_news_redis_append(ngx_http_news_redis_conn_t *conn, ngx_uint_t argc,
    const char **argv, size_t *argvlen)
{
    int      len;
    char    *buf;
    u_char  *out;
    size_t   size, used;

    /* binary-safe argv: no format string ever sees request data */

    len = redisFormatCommandArgv(&buf, argc, argv, argvlen);
    if (len < 0) {
        return NGX_ERROR;
    }

    used = conn->out_len - conn->out_pos;

    if (conn->out_len + len > conn->out_size) {
        size = ngx_max(2 * (used + len), 4096);

        out = ngx_alloc(size, &conn->log);
        if (out == NULL) {
            redisFreeCommand(buf);
            return NGX_ERROR;
        }

        if (used) {
            ngx_memcpy(out, conn->out + conn->out_pos, used);
        }

        ngx_free(conn->out);

        conn->out = out;
        conn->out_size = size;
        conn->out_pos = 0;
        conn->out_len = used;
    }

    ngx_memcpy(conn->out + conn->out_len, buf, len);
    conn->out_len += len;

    redisFreeCommand(buf);

    /* one write per event loop pass carries every command queued in it */

    if (conn->connected) {
        ngx_post_event(conn->peer.connection->write, &ngx_posted_events);
    }

    return NGX_OK;
}


static void
ngx_http_news_redis_queue(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_pending_t *pending)
{
    if (ngx_queue_empty(&conn->pending)) {
        /* Redis' silence counts from when there is something to wait for */
        conn->progress = ngx_current_msec;
    }

    ngx_queue_insert_tail(&conn->pending, &pending->queue);

    ngx_http_news_redis_arm_stall(conn);
}


/*
 * Each request keeps its own deadline (its own timer, in the caller):
 * a request that gives up is detached and the others on the connection
 * keep theirs.  The connection itself is given up only when Redis has
 * sent nothing for as long as the most patient of its requests may wait
 * (the longest news_redis_timeout of the target's locations) while it
 * has work; then no request on it can still be answered in time.
 */

static void
ngx_http_news_redis_arm_stall(ngx_http_news_redis_conn_t *conn)
{
    if (ngx_queue_empty(&conn->pending)) {
        if (conn->stall.timer_set) {
            ngx_del_timer(&conn->stall);
        }

        return;
    }

    /* progress re-arms it lazily: the handler checks the time of the last */

    if (!conn->stall.timer_set) {
        ngx_add_timer(&conn->stall, conn->server->timeout);
    }
}


static void
ngx_http_news_redis_connected_handler(ngx_event_t *wev)
{
    int                          err;
    socklen_t                    len;
    ngx_str_t                    reason;
    ngx_uint_t                   level;
    ngx_connection_t            *c;
    ngx_http_news_redis_conn_t  *conn;

    c = wev->data;
    conn = c->data;

    if (wev->timedout) {
        level = (conn->backoff > NGX_HTTP_NEWS_REDIS_BACKOFF_MIN)
                ? NGX_LOG_INFO : NGX_LOG_ERR;

        ngx_log_error(level, &conn->log, NGX_ETIMEDOUT, "connect() timed out");
        ngx_str_set(&reason, "cannot connect in time");
        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
        return;
    }

    if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    err = 0;
    len = sizeof(int);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len) == -1) {
        err = ngx_socket_errno;
    }

    if (err) {
        level = (conn->backoff > NGX_HTTP_NEWS_REDIS_BACKOFF_MIN)
                ? NGX_LOG_INFO : NGX_LOG_ERR;

        ngx_log_error(level, &conn->log, err, "connect() failed");
        ngx_str_set(&reason, "cannot connect");
        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
        return;
    }

    if (ngx_tcp_nodelay(c) != NGX_OK) {
        ngx_str_set(&reason, "cannot set TCP_NODELAY");
        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
        return;
    }

    if (conn->server->tls != NULL) {
        ngx_http_news_redis_tls_handshake(conn);
        return;
    }

    ngx_http_news_redis_opened(conn);
}


/* TLS first, with its own pool, over the connection just made */

static void
ngx_http_news_redis_tls_handshake(ngx_http_news_redis_conn_t *conn)
{
    ngx_int_t          rc;
    ngx_str_t          reason;
    ngx_connection_t  *c;

    c = conn->peer.connection;
    conn->log.action = "in the TLS handshake with Redis";

    c->pool = ngx_create_pool(1024, &conn->log);
    if (c->pool == NULL) {
        ngx_str_set(&reason, "cannot start TLS");
        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
        return;
    }

    rc = ngx_http_news_redis_tls_start(conn->server->tls, c,
                                       ngx_http_news_redis_tls_handshaked);

    if (rc == NGX_AGAIN) {
        if (!c->write->timer_set) {
            ngx_add_timer(c->write, conn->server->timeout);
        }

        return;
    }

    /* done, or failed: the check tells which */

    ngx_http_news_redis_tls_handshaked(c);
}


static void
ngx_http_news_redis_tls_handshaked(ngx_connection_t *c)
{
    ngx_str_t                    reason;
    ngx_http_news_redis_conn_t  *conn;

    conn = c->data;

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    if (ngx_http_news_redis_tls_check(conn->server->tls, c, conn->reason,
                                      sizeof(conn->reason), &reason)
        != NGX_OK)
    {
        if (c->write->timedout) {
            ngx_str_set(&reason, "the TLS handshake timed out");
        }

        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
        return;
    }

    c->read->handler = ngx_http_news_redis_read_handler;
    c->write->handler = ngx_http_news_redis_write_handler;

    ngx_http_news_redis_opened(conn);
}


/* connected (and TLS done): the setup commands, then the requests' */

static void
ngx_http_news_redis_opened(ngx_http_news_redis_conn_t *conn)
{
    ngx_connection_t  *c;

    c = conn->peer.connection;

    /*
     * The setup commands queued while connecting go out now; counted
     * first, so that a scrape that sees the connection sees them too.
     */

    ngx_http_news_metrics_redis_commands(conn->setup);

    conn->connected = 1;
    conn->gauge = ngx_http_news_metrics_connection_open();
    conn->log.action = "setting up the Redis connection";

    if (conn->setup == 0) {

        /* nothing to set up (a sentinel without a password): ready */

        ngx_http_news_redis_ready(conn);

        if (conn->peer.connection != c) {
            return;
        }
    }

    c->write->handler = ngx_http_news_redis_write_handler;
    ngx_http_news_redis_write_handler(c->write);
}


static void
ngx_http_news_redis_write_handler(ngx_event_t *wev)
{
    ssize_t                      n;
    ngx_str_t                    reason;
    ngx_connection_t            *c;
    ngx_http_news_redis_conn_t  *conn;

    c = wev->data;
    conn = c->data;

    while (conn->out_pos < conn->out_len) {
        n = c->send(c, conn->out + conn->out_pos,
                    conn->out_len - conn->out_pos);

        if (n == NGX_AGAIN) {
            if (ngx_handle_write_event(wev, 0) != NGX_OK) {
                break;
            }

            return;
        }

        if (n == NGX_ERROR) {
            break;
        }

        conn->out_pos += n;
    }

    if (conn->out_pos < conn->out_len) {
        ngx_str_set(&reason, "cannot send to Redis");
        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
        return;
    }

    conn->out_pos = 0;
    conn->out_len = 0;

    /* level-triggered event methods must stop reporting writability */

    if (ngx_handle_write_event(wev, 0) != NGX_OK) {
        ngx_str_set(&reason, "cannot wait to send to Redis");
        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
    }
}


static void
ngx_http_news_redis_read_handler(ngx_event_t *rev)
{
    ssize_t                      n;
    ngx_str_t                    reason;
    redisReply                  *reply;
    ngx_connection_t            *c;
    ngx_http_news_redis_conn_t  *conn;

    c = rev->data;
    conn = c->data;

    /* read until EAGAIN: replies of any size arrive whole on epoll's ET */

    for ( ;; ) {
        n = c->recv(c, ngx_http_news_redis_buffer,
                    NGX_HTTP_NEWS_REDIS_READ_SIZE);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n > 0) {
            conn->progress = ngx_current_msec;
        }

        if (n == 0 || n == NGX_ERROR) {
            if (n == 0) {
                ngx_str_set(&reason, "Redis closed the connection");

            } else if (!conn->connected) {
                /* a refused connect can be reported to the read handler */
                ngx_str_set(&reason, "cannot connect");

            } else {
                ngx_str_set(&reason, "cannot read from Redis");
            }

            ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                     &reason);
            return;
        }

        if (redisReaderFeed(conn->reader,
                            (const char *) ngx_http_news_redis_buffer, n)
            != REDIS_OK)
        {
            goto protocol_error;
        }

        for ( ;; ) {
            reply = NULL;

            if (redisReaderGetReply(conn->reader, (void **) &reply)
                != REDIS_OK)
            {
                goto protocol_error;
            }

            if (reply == NULL) {
                break;
            }

            if (ngx_http_news_redis_dispatch(conn, reply) != NGX_OK) {
                goto protocol_error;
            }

            if (conn->peer.connection != c) {
                /* a handler closed the connection */
                return;
            }
        }
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_str_set(&reason, "cannot wait for Redis");
        ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                 &reason);
    }

    return;

protocol_error:

    ngx_str_set(&reason, "Redis protocol error");
    ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_UNAVAILABLE, &reason);
}


static ngx_int_t
ngx_http_news_redis_dispatch(ngx_http_news_redis_conn_t *conn,
    redisReply *reply)
{
    redisReply                     *error;
    ngx_queue_t                    *q;
    ngx_http_news_redis_pending_t  *pending;

    if (ngx_queue_empty(&conn->pending)) {

        if (conn->hooks.push != NULL) {
            /* a subscription's message */
            conn->hooks.push(conn->hooks.data, conn, reply);
            freeReplyObject(reply);
            return NGX_OK;
        }

        ngx_log_error(NGX_LOG_ERR, &conn->log, 0,
                      "news redis sent a reply nobody asked for");
        freeReplyObject(reply);
        return NGX_ERROR;
    }

    q = ngx_queue_head(&conn->pending);
    pending = ngx_queue_data(q, ngx_http_news_redis_pending_t, queue);

    ngx_log_debug4(NGX_LOG_DEBUG_EVENT, &conn->log, 0,
                   "news redis reply %p type:%d left:%ui%s", pending,
                   reply->type, pending->replies - 1,
                   pending->handler != NULL ? "" : " dropped");

    if (--pending->replies) {

        /*
         * MULTI's or a queued command's.  When Redis refuses to queue a
         * command (LOADING, NOAUTH, OOM ...) EXEC only says that it
         * discarded the transaction: the refusal is what the handler
         * gets instead.
         */

        if (reply->type == REDIS_REPLY_ERROR && pending->refused == NULL) {
            pending->refused = reply;

        } else {
            freeReplyObject(reply);
        }

        return NGX_OK;
    }

    ngx_queue_remove(q);
    ngx_http_news_redis_arm_stall(conn);

    /* a request's round trip, whether or not the request still waits */

    if (!pending->setup) {
        ngx_http_news_metrics_latency(ngx_current_msec - pending->sent);
    }

    if (pending->refused != NULL && reply->type == REDIS_REPLY_ERROR) {
        freeReplyObject(reply);
        reply = pending->refused;
        pending->refused = NULL;
    }

    /*
     * A restarted Redis has lost its script cache, or EVALSHA is renamed
     * away: run the script with EVAL.
     */

    if (pending->handler != NULL && !pending->retried
        && ngx_http_news_redis_script_refused(conn, pending, reply))
    {
        pending->retried = 1;

        /* on a slot's importing node, the retry needs ASKING too */
        pending->asking = pending->asked;

        if (ngx_http_news_redis_send_commands(conn, pending) == NGX_OK) {
            ngx_http_news_metrics_redis_error(NGX_HTTP_NEWS_METRICS_NOSCRIPT);
            freeReplyObject(reply);
            return NGX_OK;
        }
    }

    /*
     * A Cluster's MOVED or ASK: the command is sent to its node.  A
     * write refused by a primary that Sentinel replaces: it is sent to
     * the new one.  A script inside EXEC is refused at its first write,
     * so such a refusal among EXEC's replies is one too (nothing was
     * written); other errors there are not, as EXEC ran the rest.
     */

    error = NULL;

    if (pending->handler != NULL && conn->hooks.redirect != NULL
        && !pending->setup)
    {
        error = ngx_http_news_redis_error(reply);

        if (error != NULL && error != reply
            && !ngx_http_news_redis_is_error(error,
                                         ngx_http_news_redis_refused_errors))
        {
            error = NULL;
        }
    }

    if (error != NULL
        && conn->hooks.redirect(conn->hooks.data, conn, pending, error)
           == NGX_OK)
    {
        freeReplyObject(reply);
        return NGX_OK;
    }

    if (pending->handler != NULL) {
        ngx_http_news_redis_answer(conn, pending, reply);
    }

    freeReplyObject(reply);
    ngx_http_news_redis_pending_free(pending);

    return NGX_OK;
}


/*
 * An error reply, or an error among EXEC's, is told as such, with its
 * text: the callers never look into a reply to find out.  A setup
 * command's handler reads its reply itself (a rejected setup is a failed
 * connection attempt, not an error reply of a request).
 */

static void
ngx_http_news_redis_answer(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_pending_t *pending, redisReply *reply)
{
    u_char                        *p;
    ngx_str_t                      reason;
    redisReply                    *error;
    ngx_http_news_redis_result_e   result;

    error = pending->setup ? NULL : ngx_http_news_redis_error(reply);

    if (error == NULL) {
        pending->handler(pending->data, NGX_HTTP_NEWS_REDIS_REPLY, reply,
                         NULL);
        return;
    }

    ngx_http_news_metrics_redis_error(NGX_HTTP_NEWS_METRICS_ERROR_REPLY);

    if (ngx_http_news_redis_is_error(error,
                                     ngx_http_news_redis_unavailable_errors))
    {
        result = NGX_HTTP_NEWS_REDIS_UNAVAILABLE;

    } else if (ngx_http_news_redis_is_error(error,
                                            ngx_http_news_redis_refused_errors))
    {
        result = NGX_HTTP_NEWS_REDIS_REFUSED;

    } else {
        result = NGX_HTTP_NEWS_REDIS_ERROR;
    }

    p = ngx_snprintf(conn->reason, sizeof(conn->reason),
                     "Redis replied \"%*s\"", error->len, error->str);

    reason.data = conn->reason;
    reason.len = p - conn->reason;

    pending->handler(pending->data, result, NULL, &reason);
}


/*
 * NOSCRIPT for a script of the command or of the transaction, or an
 * EVALSHA that Redis does not know (renamed away; inside a transaction
 * the refusal that Redis queued it with stands for EXEC's reply): each
 * logged with what Redis said.  Once EVALSHA is unknown, this connection
 * sends EVAL.
 */

static ngx_uint_t
ngx_http_news_redis_script_refused(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_pending_t *pending, redisReply *reply)
{
    ngx_uint_t   i;
    redisReply  *r;

    for (i = 0; i < pending->ncommands; i++) {

        if (pending->commands[i].script == NULL) {
            continue;
        }

        if (pending->ncommands == 1 || reply->type == REDIS_REPLY_ERROR) {
            r = reply;

        } else if (reply->type == REDIS_REPLY_ARRAY
                   && reply->elements == pending->ncommands)
        {
            r = reply->element[i];

        } else {
            return 0;
        }

        if (r->type != REDIS_REPLY_ERROR) {
            return 0;
        }

        if (r->len >= sizeof("NOSCRIPT") - 1
            && ngx_strncmp(r->str, "NOSCRIPT", sizeof("NOSCRIPT") - 1) == 0)
        {
            ngx_log_error(NGX_LOG_INFO, &conn->log, 0,
                          "news redis lost its script cache, sending EVAL");
            return 1;
        }

        if (r->len >= sizeof("ERR unknown command") - 1
            && ngx_strncmp(r->str, "ERR unknown command",
                           sizeof("ERR unknown command") - 1)
               == 0
            && ngx_strlcasestrn((u_char *) r->str, (u_char *) r->str + r->len,
                                (u_char *) "evalsha", sizeof("evalsha") - 2)
               != NULL)
        {
            ngx_log_error(NGX_LOG_WARN, &conn->log, 0,
                          "news redis refused EVALSHA: \"%*s\", sending EVAL",
                          r->len, r->str);
            conn->eval = 1;
            return 1;
        }

        return 0;
    }

    return 0;
}


/*
 * The reply if it is an error, or the first error in EXEC's replies;
 * other arrays (HGETALL's) hold no errors.
 */

static redisReply *
ngx_http_news_redis_error(redisReply *reply)
{
    size_t  i;

    if (reply->type == REDIS_REPLY_ERROR) {
        return reply;
    }

    if (reply->type == REDIS_REPLY_ARRAY) {
        for (i = 0; i < reply->elements; i++) {
            if (reply->element[i]->type == REDIS_REPLY_ERROR) {
                return reply->element[i];
            }
        }
    }

    return NULL;
}


static void
ngx_http_news_redis_stall_handler(ngx_event_t *ev)
{
    ngx_str_t                    reason;
    ngx_msec_t                   silent;
    ngx_http_news_redis_conn_t  *conn;

    conn = ev->data;

    silent = ngx_current_msec - conn->progress;

    if (silent < conn->server->timeout) {
        ngx_add_timer(&conn->stall, conn->server->timeout - silent);
        return;
    }

    ngx_str_set(&reason, "Redis did not answer in time");
    ngx_http_news_redis_fail(conn, NGX_HTTP_NEWS_REDIS_TIMEDOUT, &reason);
}


static void
ngx_http_news_redis_retry_handler(ngx_event_t *ev)
{
    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    ngx_http_news_redis_connect(ev->data);
}


static void
ngx_http_news_redis_fail(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_result_e result, ngx_str_t *reason)
{
    ngx_uint_t  worked, level;

    worked = (conn->state == NGX_HTTP_NEWS_REDIS_READY);

    /*
     * An error the first time in a row; while Redis stays down, info.
     * An idle connection that Redis closed (its "timeout") is no error.
     */

    if (worked && ngx_queue_empty(&conn->pending)) {
        level = NGX_LOG_INFO;

    } else if (conn->backoff == NGX_HTTP_NEWS_REDIS_BACKOFF_MIN) {
        level = NGX_LOG_ERR;

    } else {
        level = NGX_LOG_INFO;
    }

    ngx_log_error(level, &conn->log, 0, "news redis connection failed: %V",
                  reason);

    /* a working connection lost is no error of its own: see reconnects */

    if (result == NGX_HTTP_NEWS_REDIS_TIMEDOUT) {
        ngx_http_news_metrics_redis_error(NGX_HTTP_NEWS_METRICS_TIMEOUT);

    } else if (!worked) {
        ngx_http_news_metrics_redis_error(NGX_HTTP_NEWS_METRICS_CONNECT);
    }

    ngx_http_news_redis_close(conn, result, reason);

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    if (worked) {
        /* a connection that worked is opened again at once */
        ngx_http_news_redis_connect(conn);

    } else {
        /* during the backoff requests are answered 503 at once */

        conn->state = NGX_HTTP_NEWS_REDIS_BACKOFF;

        ngx_log_error(NGX_LOG_INFO, &conn->log, 0,
                      "news redis reconnecting in %Mms", conn->backoff);

        ngx_add_timer(&conn->retry, conn->backoff);

        conn->backoff = ngx_min(2 * conn->backoff,
                                NGX_HTTP_NEWS_REDIS_BACKOFF_MAX);
    }

    /* last: the hook may move the connection elsewhere */

    if (conn->hooks.down != NULL) {
        conn->hooks.down(conn->hooks.data, conn);
    }
}


static void
ngx_http_news_redis_close(ngx_http_news_redis_conn_t *conn,
    ngx_http_news_redis_result_e result, ngx_str_t *reason)
{
    ngx_pool_t        *pool;
    ngx_connection_t  *c;

    if (conn->peer.connection != NULL) {
        c = conn->peer.connection;
        pool = c->pool;

        ngx_http_news_redis_tls_close(c);
        ngx_close_connection(c);
        conn->peer.connection = NULL;

        if (pool != NULL) {
            ngx_destroy_pool(pool);
        }
    }

    if (conn->connected) {
        ngx_http_news_metrics_connection_close(conn->gauge);
        conn->gauge = NULL;
    }

    if (conn->reader != NULL) {
        redisReaderFree(conn->reader);
        conn->reader = NULL;
    }

    if (conn->stall.timer_set) {
        ngx_del_timer(&conn->stall);
    }

    conn->state = NGX_HTTP_NEWS_REDIS_CLOSED;
    conn->connected = 0;
    conn->out_pos = 0;
    conn->out_len = 0;
    conn->log.action = NULL;

    /*
     * Handlers run with the state closed, so they cannot queue anew.
     * What was sent may have run; what was held back has not.
     */

    ngx_http_news_redis_fail_queue(&conn->pending,
                                   result == NGX_HTTP_NEWS_REDIS_UNAVAILABLE
                                   ? NGX_HTTP_NEWS_REDIS_LOST : result,
                                   reason);
    ngx_http_news_redis_fail_queue(&conn->waiting, result, reason);
}


static void
ngx_http_news_redis_fail_queue(ngx_queue_t *queue,
    ngx_http_news_redis_result_e result, ngx_str_t *reason)
{
    ngx_queue_t                    *q;
    ngx_http_news_redis_pending_t  *pending;

    while (!ngx_queue_empty(queue)) {
        q = ngx_queue_head(queue);
        ngx_queue_remove(q);
        pending = ngx_queue_data(q, ngx_http_news_redis_pending_t, queue);

        if (pending->handler != NULL) {
            pending->handler(pending->data, result, NULL, reason);
        }

        ngx_http_news_redis_pending_free(pending);
    }
}


static u_char *
ngx_http_news_redis_log_error(ngx_log_t *log, u_char *buf, size_t len)
{
    u_char                      *p;
    ngx_http_news_redis_conn_t  *conn;

    p = buf;

    if (log->action != NULL) {
        p = ngx_snprintf(buf, len, " while %s", log->action);
        len -= p - buf;
        buf = p;
    }

    conn = log->data;

    return ngx_snprintf(buf, len, ", redis: %V", &conn->name);
}
