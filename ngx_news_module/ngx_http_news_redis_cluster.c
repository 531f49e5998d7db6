
/*
 * Copyright (C) 2025-2026 ngx_news_module authors
 *
 * Redis Cluster routing.  Each worker learns the slot map from any node
 * it can reach (the seeds first) with CLUSTER SLOTS, and keeps one
 * pipelined connection per node it sends to.  A command (or the
 * commands of one transaction, whose keys share a slot) goes to the
 * primary of its slot; a reply MOVED sends it to the node named there
 * and the map is learnt again, ASK sends it once with ASKING first.  A
 * node lost, a slot nobody serves and a MOVED make the map learnt
 * again, at most every NGX_HTTP_NEWS_REDIS_CLUSTER_REFRESH ms; until a
 * map is known, requests wait for it within their own deadlines.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <hiredis/hiredis.h>

#include "ngx_http_news_redis_cluster.h"


#define NGX_HTTP_NEWS_REDIS_CLUSTER_REFRESH    100
/* a command is sent to at most this many other nodes */
#define NGX_HTTP_NEWS_REDIS_CLUSTER_REDIRECTS  5
/* nodes a worker will know: addresses come from Redis */
#define NGX_HTTP_NEWS_REDIS_CLUSTER_NODES      1024


typedef struct {
    ngx_sockaddr_t                   sockaddr;
    socklen_t                        socklen;
    ngx_str_t                        name;
    u_char                           name_data[NGX_SOCKADDR_STRLEN];
    ngx_http_news_redis_conn_t      *conn;
    unsigned                         serving:1;  /* in the last map */
} ngx_http_news_redis_node_t;


struct ngx_http_news_redis_cluster_s {
    ngx_array_t                      seeds;      /* of ngx_addr_t, named */

    /* this worker's */
    ngx_http_news_redis_server_t    *server;
    ngx_log_t                       *log;
    ngx_http_news_redis_node_t     **nodes;
    ngx_uint_t                       nnodes;
    uint16_t                        *slots;      /* node + 1, 0: none */
    uint16_t                        *learning;   /* the map being read */
    ngx_queue_t                      waiting;    /* for the first map */
    ngx_event_t                      refresh;
    ngx_msec_t                       asked;      /* the last CLUSTER SLOTS */
    ngx_uint_t                       next;       /* the node to ask next */
    ngx_uint_t                       tries;      /* nodes asked in a row */
    unsigned                         mapped:1;
    unsigned                         asking:1;   /* CLUSTER SLOTS out */
    unsigned                         exiting:1;
};


static ngx_http_news_redis_node_t *ngx_http_news_redis_cluster_node(
    ngx_http_news_redis_cluster_t *cluster, struct sockaddr *sockaddr,
    socklen_t socklen);
static ngx_int_t ngx_http_news_redis_cluster_index(
    ngx_http_news_redis_cluster_t *cluster, ngx_str_t *host, in_port_t port);
static ngx_http_news_redis_conn_t *ngx_http_news_redis_cluster_conn(
    ngx_http_news_redis_cluster_t *cluster, ngx_uint_t n);
static ngx_int_t ngx_http_news_redis_cluster_route(
    ngx_http_news_redis_cluster_t *cluster,
    ngx_http_news_redis_pending_t *pending);
static ngx_int_t ngx_http_news_redis_cluster_command_slot(
    ngx_http_news_redis_pending_t *pending);
static void ngx_http_news_redis_cluster_learn(
    ngx_http_news_redis_cluster_t *cluster);
static void ngx_http_news_redis_cluster_ask(
    ngx_http_news_redis_cluster_t *cluster);
static void ngx_http_news_redis_cluster_slots_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason);
static ngx_int_t ngx_http_news_redis_cluster_range(void *data,
    ngx_uint_t first, ngx_uint_t last, ngx_str_t *host, in_port_t port);
static void ngx_http_news_redis_cluster_release(
    ngx_http_news_redis_cluster_t *cluster,
    ngx_http_news_redis_result_e result, ngx_str_t *reason);
static ngx_int_t ngx_http_news_redis_cluster_resend(void *data,
    ngx_http_news_redis_pending_t *pending);
static void ngx_http_news_redis_cluster_refresh_handler(ngx_event_t *ev);
static ngx_int_t ngx_http_news_redis_cluster_redirected(void *data,
    ngx_http_news_redis_conn_t *conn, ngx_http_news_redis_pending_t *pending,
    ngx_http_news_redis_reply_t *error);
static void ngx_http_news_redis_cluster_down(void *data,
    ngx_http_news_redis_conn_t *conn);
static ngx_int_t ngx_http_news_redis_cluster_number(u_char *p, size_t len);


ngx_http_news_redis_cluster_t *
ngx_http_news_redis_cluster_create(ngx_conf_t *cf)
{
    ngx_http_news_redis_cluster_t  *cluster;

    cluster = ngx_pcalloc(cf->pool, sizeof(ngx_http_news_redis_cluster_t));
    if (cluster == NULL) {
        return NULL;
    }

    if (ngx_array_init(&cluster->seeds, cf->pool, 4, sizeof(ngx_addr_t))
        != NGX_OK)
    {
        return NULL;
    }

    return cluster;
}


/* every address a seed's name resolves to is a node to ask */

ngx_int_t
ngx_http_news_redis_cluster_seed(ngx_http_news_redis_cluster_t *cluster,
    ngx_str_t *name, ngx_addr_t *addrs, ngx_uint_t naddrs)
{
    ngx_uint_t   i;
    ngx_addr_t  *seed;

    for (i = 0; i < naddrs; i++) {
        seed = ngx_array_push(&cluster->seeds);
        if (seed == NULL) {
            return NGX_ERROR;
        }

        *seed = addrs[i];
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_news_redis_cluster_init(ngx_http_news_redis_cluster_t *cluster,
    ngx_http_news_redis_server_t *server, ngx_log_t *log)
{
    ngx_uint_t   i;
    ngx_addr_t  *seed;

    cluster->server = server;
    cluster->log = log;
    cluster->exiting = 0;
    ngx_queue_init(&cluster->waiting);

    cluster->nodes = ngx_alloc(NGX_HTTP_NEWS_REDIS_CLUSTER_NODES
                               * sizeof(ngx_http_news_redis_node_t *), log);
    cluster->slots = ngx_calloc(NGX_HTTP_NEWS_REDIS_SLOTS * sizeof(uint16_t),
                                log);
    cluster->learning = ngx_alloc(NGX_HTTP_NEWS_REDIS_SLOTS
                                  * sizeof(uint16_t), log);

    if (cluster->nodes == NULL || cluster->slots == NULL
        || cluster->learning == NULL)
    {
        return NGX_ERROR;
    }

    cluster->refresh.handler = ngx_http_news_redis_cluster_refresh_handler;
    cluster->refresh.data = cluster;
    cluster->refresh.log = log;
    cluster->refresh.cancelable = 1;

    seed = cluster->seeds.elts;

    for (i = 0; i < cluster->seeds.nelts; i++) {
        if (ngx_http_news_redis_cluster_node(cluster, seed[i].sockaddr,
                                             seed[i].socklen)
            == NULL)
        {
            return NGX_ERROR;
        }
    }

    /* the map before the first request, so it finds its node known */

    ngx_http_news_redis_cluster_learn(cluster);

    return NGX_OK;
}


ngx_uint_t
ngx_http_news_redis_cluster_opened(ngx_http_news_redis_cluster_t *cluster)
{
    return cluster->slots != NULL;
}


void
ngx_http_news_redis_cluster_exit(ngx_http_news_redis_cluster_t *cluster)
{
    ngx_str_t   reason = ngx_string("worker exiting");
    ngx_uint_t  i;

    if (cluster->slots == NULL) {
        return;
    }

    /* first, so that nothing a handler does below routes anew */

    cluster->exiting = 1;
    cluster->mapped = 0;

    if (cluster->refresh.timer_set) {
        ngx_del_timer(&cluster->refresh);
    }

    ngx_http_news_redis_cluster_release(cluster,
                                        NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                        &reason);

    for (i = 0; i < cluster->nnodes; i++) {
        if (cluster->nodes[i]->conn != NULL) {
            ngx_http_news_redis_conn_destroy(cluster->nodes[i]->conn);
            cluster->nodes[i]->conn = NULL;
        }

        ngx_free(cluster->nodes[i]);
    }

    ngx_free(cluster->nodes);
    ngx_free(cluster->slots);
    ngx_free(cluster->learning);

    cluster->nodes = NULL;
    cluster->nnodes = 0;
    cluster->slots = NULL;
    cluster->learning = NULL;
    cluster->mapped = 0;
    cluster->asking = 0;
}


/* the node at this address, known from now on if it was not */

static ngx_http_news_redis_node_t *
ngx_http_news_redis_cluster_node(ngx_http_news_redis_cluster_t *cluster,
    struct sockaddr *sockaddr, socklen_t socklen)
{
    ngx_uint_t                   i;
    ngx_http_news_redis_node_t  *node;

    for (i = 0; i < cluster->nnodes; i++) {
        node = cluster->nodes[i];

        if (ngx_cmp_sockaddr(&node->sockaddr.sockaddr, node->socklen,
                             sockaddr, socklen, 1)
            == NGX_OK)
        {
            return node;
        }
    }

    if (cluster->nnodes == NGX_HTTP_NEWS_REDIS_CLUSTER_NODES
        || socklen > sizeof(ngx_sockaddr_t))
    {
        ngx_log_error(NGX_LOG_ERR, cluster->log, 0,
                      "news redis cluster: too many nodes");
        return NULL;
    }

    node = ngx_calloc(sizeof(ngx_http_news_redis_node_t), cluster->log);
    if (node == NULL) {
        return NULL;
    }

    ngx_memcpy(&node->sockaddr, sockaddr, socklen);
    node->socklen = socklen;
    node->name.data = node->name_data;
    node->name.len = ngx_sock_ntop(sockaddr, socklen, node->name_data,
                                   NGX_SOCKADDR_STRLEN, 1);

    cluster->nodes[cluster->nnodes++] = node;

    return node;
}


/*
 * A node named by Redis: by IP address, as Redis Cluster announces them
 * unless told otherwise; a host name would need DNS in the worker.
 */

static ngx_int_t
ngx_http_news_redis_cluster_index(ngx_http_news_redis_cluster_t *cluster,
    ngx_str_t *host, in_port_t port)
{
    in_addr_t                    inaddr;
    socklen_t                    socklen;
    ngx_uint_t                   i;
    ngx_sockaddr_t               sa;
    ngx_http_news_redis_node_t  *node;

    ngx_memzero(&sa, sizeof(ngx_sockaddr_t));

    inaddr = ngx_inet_addr(host->data, host->len);

    if (inaddr != INADDR_NONE) {
        sa.sockaddr_in.sin_family = AF_INET;
        sa.sockaddr_in.sin_addr.s_addr = inaddr;
        socklen = sizeof(struct sockaddr_in);

#if (NGX_HAVE_INET6)
    } else if (ngx_inet6_addr(host->data, host->len,
                              sa.sockaddr_in6.sin6_addr.s6_addr)
               == NGX_OK)
    {
        sa.sockaddr_in6.sin6_family = AF_INET6;
        socklen = sizeof(struct sockaddr_in6);
#endif

    } else {
        ngx_log_error(NGX_LOG_ERR, cluster->log, 0,
                      "news redis cluster names a node \"%V\" that is not "
                      "an IP address", host);
        return NGX_ERROR;
    }

    ngx_inet_set_port(&sa.sockaddr, port);

    node = ngx_http_news_redis_cluster_node(cluster, &sa.sockaddr, socklen);
    if (node == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; cluster->nodes[i] != node; i++) { /* void */ }

    return i;
}


static ngx_http_news_redis_conn_t *
ngx_http_news_redis_cluster_conn(ngx_http_news_redis_cluster_t *cluster,
    ngx_uint_t n)
{
    ngx_http_news_redis_node_t   *node;
    ngx_http_news_redis_hooks_t   hooks;

    node = cluster->nodes[n];

    if (node->conn == NULL) {
        hooks.redirect = ngx_http_news_redis_cluster_redirected;
        hooks.push = NULL;
        hooks.down = ngx_http_news_redis_cluster_down;
        hooks.data = cluster;

        node->conn = ngx_http_news_redis_conn_open(cluster->server,
                                                   &node->sockaddr.sockaddr,
                                                   node->socklen, &node->name,
                                                   &hooks, cluster->log);

    } else {
        /* a node that had left, named again */
        ngx_http_news_redis_conn_wake(node->conn);
    }

    return node->conn;
}


/*
 * NGX_OK: sent, or waiting for the first map; NGX_DECLINED: the slot's
 * node cannot be used now (503 at once; the map is learnt again).
 */

ngx_int_t
ngx_http_news_redis_cluster_send(ngx_http_news_redis_cluster_t *cluster,
    ngx_http_news_redis_pending_t *pending)
{
    if (cluster->exiting) {
        return NGX_DECLINED;
    }

    if (!cluster->mapped) {
        ngx_http_news_redis_cluster_learn(cluster);

        if (!cluster->asking) {
            /* nobody could tell the map: until the next try, 503 */
            return NGX_DECLINED;
        }

        ngx_queue_insert_tail(&cluster->waiting, &pending->queue);
        return NGX_OK;
    }

    return ngx_http_news_redis_cluster_route(cluster, pending);
}


static ngx_int_t
ngx_http_news_redis_cluster_route(ngx_http_news_redis_cluster_t *cluster,
    ngx_http_news_redis_pending_t *pending)
{
    ngx_int_t                    slot, rc;
    ngx_uint_t                   n;
    ngx_http_news_redis_conn_t  *conn;

    slot = ngx_http_news_redis_cluster_command_slot(pending);

    if (slot == NGX_ERROR) {
        ngx_log_error(NGX_LOG_ERR, cluster->log, 0,
                      "news redis cluster: the keys of one step are in "
                      "different hash slots");
        return NGX_ERROR;
    }

    /* no key: any node will do */

    n = (slot == NGX_DECLINED) ? cluster->slots[0] : cluster->slots[slot];

    if (n == 0) {
        ngx_http_news_redis_cluster_learn(cluster);
        return NGX_DECLINED;
    }

    conn = ngx_http_news_redis_cluster_conn(cluster, n - 1);
    if (conn == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_news_redis_conn_send(conn, pending);

    if (rc == NGX_DECLINED) {
        /* its node is down: a replica may be taking over */
        ngx_http_news_redis_cluster_learn(cluster);
    }

    return rc;
}


/*
 * The slot of the keys of the commands: a script's declared keys, or
 * the first argument of a plain command (HGETALL, ZINCRBY, EXPIRE ...);
 * NGX_DECLINED for none, NGX_ERROR for keys in different slots.
 */

static ngx_int_t
ngx_http_news_redis_cluster_command_slot(
    ngx_http_news_redis_pending_t *pending)
{
    ngx_str_t                      *key;
    ngx_int_t                       slot, s;
    ngx_uint_t                      i, k, nkeys;
    ngx_http_news_redis_command_t  *c;

    slot = NGX_DECLINED;

    for (i = 0; i < pending->ncommands; i++) {
        c = &pending->commands[i];

        if (c->script != NULL) {
            key = c->argv;
            nkeys = ngx_min(c->nkeys, c->argc);

        } else {
            key = &c->argv[1];
            nkeys = (c->argc > 1);
        }

        for (k = 0; k < nkeys; k++) {
            s = ngx_http_news_redis_cluster_slot(key[k].data, key[k].len);

            if (slot != NGX_DECLINED && s != slot) {
                return NGX_ERROR;
            }

            slot = s;
        }
    }

    return slot;
}


/* the map is learnt again, at once or after the pause, not twice */

static void
ngx_http_news_redis_cluster_learn(ngx_http_news_redis_cluster_t *cluster)
{
    ngx_msec_t  since;

    if (cluster->asking || cluster->refresh.timer_set || cluster->exiting
        || ngx_exiting || ngx_terminate || ngx_quit)
    {
        return;
    }

    since = ngx_current_msec - cluster->asked;

    if (cluster->mapped && since < NGX_HTTP_NEWS_REDIS_CLUSTER_REFRESH) {
        ngx_add_timer(&cluster->refresh,
                      NGX_HTTP_NEWS_REDIS_CLUSTER_REFRESH - since);
        return;
    }

    cluster->tries = 0;

    ngx_http_news_redis_cluster_ask(cluster);
}


/* CLUSTER SLOTS to the next node that can take it, in turn */

static void
ngx_http_news_redis_cluster_ask(ngx_http_news_redis_cluster_t *cluster)
{
    ngx_str_t                       reason, argv[2];
    ngx_uint_t                      n;
    ngx_http_news_redis_conn_t     *conn;
    ngx_http_news_redis_command_t   command;
    ngx_http_news_redis_pending_t  *pending;

    ngx_str_set(&argv[0], "CLUSTER");
    ngx_str_set(&argv[1], "SLOTS");

    command.script = NULL;
    command.nkeys = 0;
    command.argc = 2;
    command.argv = argv;

    while (cluster->tries < cluster->nnodes) {
        n = cluster->next++ % cluster->nnodes;
        cluster->tries++;

        conn = ngx_http_news_redis_cluster_conn(cluster, n);
        if (conn == NULL) {
            continue;
        }

        pending = ngx_http_news_redis_pending_create(&command, 1,
                      ngx_http_news_redis_cluster_slots_handler, cluster,
                      cluster->log);
        if (pending == NULL) {
            break;
        }

        if (ngx_http_news_redis_conn_send(conn, pending) == NGX_OK) {
            cluster->asking = 1;
            cluster->asked = ngx_current_msec;
            return;
        }

        ngx_http_news_redis_pending_free(pending);
    }

    /* nobody to ask now: what waits is told so, and the map asked later */

    cluster->asking = 0;
    cluster->asked = ngx_current_msec;

    ngx_str_set(&reason, "no Redis Cluster node can be reached");
    ngx_http_news_redis_cluster_release(cluster,
                                        NGX_HTTP_NEWS_REDIS_UNAVAILABLE,
                                        &reason);

    if (!cluster->exiting && !cluster->refresh.timer_set) {
        ngx_add_timer(&cluster->refresh, NGX_HTTP_NEWS_REDIS_CLUSTER_REFRESH);
    }
}


static void
ngx_http_news_redis_cluster_slots_handler(void *data,
    ngx_http_news_redis_result_e result, ngx_http_news_redis_reply_t *reply,
    ngx_str_t *reason)
{
    ngx_http_news_redis_cluster_t *cluster = data;

    u_char      serving[NGX_HTTP_NEWS_REDIS_CLUSTER_NODES];
    ngx_uint_t  i, n, covered, primaries, level;

    cluster->asking = 0;

    if (cluster->exiting) {
        return;
    }

    if (result != NGX_HTTP_NEWS_REDIS_REPLY) {
        ngx_log_error(NGX_LOG_INFO, cluster->log, 0,
                      "news redis cluster: no slot map: %V", reason);
        ngx_http_news_redis_cluster_ask(cluster);
        return;
    }

    ngx_memzero(cluster->learning,
                NGX_HTTP_NEWS_REDIS_SLOTS * sizeof(uint16_t));

    if (ngx_http_news_redis_cluster_ranges(reply,
                                           ngx_http_news_redis_cluster_range,
                                           cluster)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, cluster->log, 0,
                      "news redis cluster: a slot map that cannot be read");
        ngx_http_news_redis_cluster_ask(cluster);
        return;
    }

    covered = 0;
    primaries = 0;
    ngx_memzero(serving, sizeof(serving));

    for (i = 0; i < NGX_HTTP_NEWS_REDIS_SLOTS; i++) {
        n = cluster->learning[i];

        if (n == 0) {
            continue;
        }

        covered++;

        if (!serving[n - 1]) {
            serving[n - 1] = 1;
            primaries++;
        }
    }

    if (covered == 0) {
        /* a node that is not (yet) in a cluster knows no slots */
        ngx_log_error(NGX_LOG_INFO, cluster->log, 0,
                      "news redis cluster: a node knows no slots");
        ngx_http_news_redis_cluster_ask(cluster);
        return;
    }

    /* the first map of a worker is routine; a changed one is news */

    if (!cluster->mapped) {
        level = NGX_LOG_INFO;

    } else if (ngx_memcmp(cluster->slots, cluster->learning,
                          NGX_HTTP_NEWS_REDIS_SLOTS * sizeof(uint16_t))
               != 0)
    {
        level = NGX_LOG_NOTICE;

    } else {
        level = NGX_LOG_DEBUG;
    }

    ngx_memcpy(cluster->slots, cluster->learning,
               NGX_HTTP_NEWS_REDIS_SLOTS * sizeof(uint16_t));
    cluster->mapped = 1;

    for (i = 0; i < cluster->nnodes; i++) {
        cluster->nodes[i]->serving = serving[i];
    }

    ngx_log_error(level, cluster->log, 0,
                  "news redis cluster: %ui of %d slots served by %ui nodes",
                  covered, NGX_HTTP_NEWS_REDIS_SLOTS, primaries);

    /* what waited for the map goes now */

    ngx_http_news_redis_cluster_release(cluster, NGX_HTTP_NEWS_REDIS_REPLY,
                                        NULL);
}


static ngx_int_t
ngx_http_news_redis_cluster_range(void *data, ngx_uint_t first,
    ngx_uint_t last, ngx_str_t *host, in_port_t port)
{
    ngx_http_news_redis_cluster_t *cluster = data;

    ngx_int_t   n;
    ngx_uint_t  slot;

    n = ngx_http_news_redis_cluster_index(cluster, host, port);
    if (n == NGX_ERROR) {
        /* its slots stay unserved; the others are good */
        return NGX_OK;
    }

    for (slot = first; slot <= last; slot++) {
        cluster->learning[slot] = (uint16_t) (n + 1);
    }

    /* primaries are connected at once, so that their first view is fast */

    return ngx_http_news_redis_cluster_conn(cluster, n) ? NGX_OK : NGX_ERROR;
}


/*
 * Requests that waited for the map: routed now (result REPLY), or told
 * that there is none.
 */

static void
ngx_http_news_redis_cluster_release(ngx_http_news_redis_cluster_t *cluster,
    ngx_http_news_redis_result_e result, ngx_str_t *reason)
{
    ngx_str_t  why = ngx_string("the slot's Redis Cluster node cannot be "
                                "used");

    if (result == NGX_HTTP_NEWS_REDIS_REPLY) {
        ngx_http_news_redis_release(&cluster->waiting,
                                    ngx_http_news_redis_cluster_resend,
                                    cluster, result, &why);
        return;
    }

    ngx_http_news_redis_release(&cluster->waiting, NULL, NULL, result, reason);
}


static ngx_int_t
ngx_http_news_redis_cluster_resend(void *data,
    ngx_http_news_redis_pending_t *pending)
{
    return ngx_http_news_redis_cluster_route(data, pending);
}


static void
ngx_http_news_redis_cluster_refresh_handler(ngx_event_t *ev)
{
    ngx_http_news_redis_cluster_learn(ev->data);
}


/*
 * MOVED: the slot is served elsewhere for good; the command goes there,
 * and the whole map is learnt again (a failover or a resharding moves
 * more than one slot).  ASK: only this command, with ASKING, while the
 * slot migrates.
 */

static ngx_int_t
ngx_http_news_redis_cluster_redirected(void *data,
    ngx_http_news_redis_conn_t *conn, ngx_http_news_redis_pending_t *pending,
    ngx_http_news_redis_reply_t *error)
{
    ngx_http_news_redis_cluster_t *cluster = data;

    ngx_int_t                        n;
    ngx_http_news_redis_conn_t      *next;
    ngx_http_news_redis_redirect_t   redirect;

    if (cluster->exiting) {
        return NGX_DECLINED;
    }

    if (ngx_http_news_redis_cluster_redirect(error, &redirect) != NGX_OK) {

        /*
         * A node that serves no slot (it left the Cluster, or lost its
         * slots) or a slot in the middle of a move: the map may be old.
         * The request is answered 503 as it is.
         */

        if (ngx_http_news_redis_reply_is_error(error, "CLUSTERDOWN")
            || ngx_http_news_redis_reply_is_error(error, "TRYAGAIN"))
        {
            ngx_http_news_redis_cluster_learn(cluster);
        }

        return NGX_DECLINED;
    }

    if (pending->redirects == NGX_HTTP_NEWS_REDIS_CLUSTER_REDIRECTS) {
        return NGX_DECLINED;
    }

    n = ngx_http_news_redis_cluster_index(cluster, &redirect.host,
                                          redirect.port);
    if (n == NGX_ERROR) {
        return NGX_DECLINED;
    }

    ngx_log_debug4(NGX_LOG_DEBUG_EVENT, cluster->log, 0,
                   "news redis cluster: %s slot %ui to %V:%d",
                   redirect.ask ? "ASK" : "MOVED", redirect.slot,
                   &redirect.host, (int) redirect.port);

    if (!redirect.ask) {
        cluster->slots[redirect.slot] = (uint16_t) (n + 1);
        ngx_http_news_redis_cluster_learn(cluster);
    }

    next = ngx_http_news_redis_cluster_conn(cluster, n);
    if (next == NULL) {
        return NGX_DECLINED;
    }

    pending->redirects++;
    pending->asking = redirect.ask;

    if (ngx_http_news_redis_conn_send(next, pending) != NGX_OK) {
        pending->asking = 0;
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* a node lost: a replica may be taking over its slots */

static void
ngx_http_news_redis_cluster_down(void *data, ngx_http_news_redis_conn_t *conn)
{
    ngx_http_news_redis_cluster_t *cluster = data;

    ngx_uint_t  i;
    ngx_msec_t  since;

    if (cluster->exiting) {
        return;
    }

    /*
     * A node that serves no slot of the map (it left, or is a seed known
     * only by its address) is not tried again until it is named again:
     * nothing is lost while it is down.
     */

    for (i = 0; i < cluster->nnodes; i++) {
        if (cluster->nodes[i]->conn == conn) {
            if (cluster->mapped && !cluster->nodes[i]->serving) {
                ngx_http_news_redis_conn_rest(conn);
                return;
            }

            break;
        }
    }

    /*
     * Later, not now: a connection may fail while it is being opened
     * for the very CLUSTER SLOTS that would be sent.
     */

    if (cluster->asking || cluster->refresh.timer_set
        || ngx_exiting || ngx_terminate || ngx_quit)
    {
        return;
    }

    since = ngx_current_msec - cluster->asked;

    ngx_add_timer(&cluster->refresh,
                  since < NGX_HTTP_NEWS_REDIS_CLUSTER_REFRESH
                  ? NGX_HTTP_NEWS_REDIS_CLUSTER_REFRESH - since : 1);
}


/* CRC16-CCITT (XMODEM) of the key or its hash tag, as Redis Cluster */

ngx_uint_t
ngx_http_news_redis_cluster_slot(u_char *key, size_t len)
{
    u_char      *open, *close;
    uint16_t     crc;
    ngx_uint_t   i, bit;

    open = ngx_strlchr(key, key + len, '{');

    if (open != NULL) {
        close = ngx_strlchr(open + 1, key + len, '}');

        /* "{}" is no tag: the whole key counts */

        if (close != NULL && close > open + 1) {
            key = open + 1;
            len = close - key;
        }
    }

    crc = 0;

    for (i = 0; i < len; i++) {
        crc ^= (uint16_t) key[i] << 8;

        for (bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000) ? (uint16_t) ((crc << 1) ^ 0x1021)
                                 : (uint16_t) (crc << 1);
        }
    }

    return crc & (NGX_HTTP_NEWS_REDIS_SLOTS - 1);
}


/* whether a key has a hash tag: keys made from it may share its slot */

ngx_uint_t
ngx_http_news_redis_cluster_tagged(u_char *key, size_t len)
{
    u_char  *open, *close;

    open = ngx_strlchr(key, key + len, '{');

    if (open == NULL) {
        return 0;
    }

    close = ngx_strlchr(open + 1, key + len, '}');

    return close != NULL && close > open + 1;
}


/*
 * A key in the hash slot of key: "{<key>}<suffix>" (the braces make it
 * hash as key does), or "<key><suffix>" for a key with a hash tag of its
 * own, which then hashes both.  In the pool.
 */

ngx_int_t
ngx_http_news_redis_cluster_beside(ngx_str_t *key, ngx_str_t *suffix,
    ngx_pool_t *pool, ngx_str_t *out)
{
    u_char      *p;
    ngx_uint_t   tag;

    tag = !ngx_http_news_redis_cluster_tagged(key->data, key->len);

    p = ngx_pnalloc(pool, key->len + suffix->len + 2);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;

    if (tag) {
        *p++ = '{';
    }

    p = ngx_cpymem(p, key->data, key->len);

    if (tag) {
        *p++ = '}';
    }

    p = ngx_cpymem(p, suffix->data, suffix->len);

    out->len = p - out->data;

    return NGX_OK;
}


/*
 * "MOVED 3999 127.0.0.1:6381" or "ASK ...": NGX_OK and the parts;
 * NGX_DECLINED for any other reply, or one that cannot be read.  The
 * port is after the last colon, so an IPv6 address keeps its own.
 */

ngx_int_t
ngx_http_news_redis_cluster_redirect(ngx_http_news_redis_reply_t *error,
    ngx_http_news_redis_redirect_t *redirect)
{
    u_char     *p, *last, *slot, *colon;
    ngx_int_t   n, port;

    if (error->type != REDIS_REPLY_ERROR || error->str == NULL) {
        return NGX_DECLINED;
    }

    p = (u_char *) error->str;
    last = p + error->len;

    if (error->len > sizeof("MOVED ") - 1
        && ngx_strncmp(p, "MOVED ", sizeof("MOVED ") - 1) == 0)
    {
        redirect->ask = 0;
        p += sizeof("MOVED ") - 1;

    } else if (error->len > sizeof("ASK ") - 1
               && ngx_strncmp(p, "ASK ", sizeof("ASK ") - 1) == 0)
    {
        redirect->ask = 1;
        p += sizeof("ASK ") - 1;

    } else {
        return NGX_DECLINED;
    }

    slot = p;
    p = ngx_strlchr(p, last, ' ');

    if (p == NULL) {
        return NGX_DECLINED;
    }

    n = ngx_http_news_redis_cluster_number(slot, p - slot);

    if (n == NGX_ERROR || n >= NGX_HTTP_NEWS_REDIS_SLOTS) {
        return NGX_DECLINED;
    }

    p++;

    for (colon = last - 1; colon > p && *colon != ':'; colon--) {
        /* void */
    }

    if (colon <= p) {
        return NGX_DECLINED;
    }

    port = ngx_http_news_redis_cluster_number(colon + 1, last - colon - 1);

    if (port == NGX_ERROR || port == 0 || port > 65535) {
        return NGX_DECLINED;
    }

    redirect->slot = n;
    redirect->host.data = p;
    redirect->host.len = colon - p;
    redirect->port = (in_port_t) port;

    return NGX_OK;
}


/*
 * CLUSTER SLOTS: an array of [first, last, [host, port, id, ...],
 * replicas ...].  Each range goes to the handler with its primary; a
 * range without a usable host ("" or "?": Redis does not know it) is
 * left out.  NGX_ERROR for a reply not of this shape.
 */

ngx_int_t
ngx_http_news_redis_cluster_ranges(ngx_http_news_redis_reply_t *reply,
    ngx_http_news_redis_range_pt handler, void *data)
{
    size_t        i;
    ngx_str_t     host;
    redisReply   *range, *primary;

    if (reply->type != REDIS_REPLY_ARRAY) {
        return NGX_ERROR;
    }

    for (i = 0; i < reply->elements; i++) {
        range = reply->element[i];

        if (range->type != REDIS_REPLY_ARRAY || range->elements < 3
            || range->element[0]->type != REDIS_REPLY_INTEGER
            || range->element[1]->type != REDIS_REPLY_INTEGER
            || range->element[2]->type != REDIS_REPLY_ARRAY)
        {
            return NGX_ERROR;
        }

        if (range->element[0]->integer < 0
            || range->element[1]->integer < range->element[0]->integer
            || range->element[1]->integer >= NGX_HTTP_NEWS_REDIS_SLOTS)
        {
            return NGX_ERROR;
        }

        primary = range->element[2];

        if (primary->elements < 2
            || primary->element[0]->type != REDIS_REPLY_STRING
            || primary->element[1]->type != REDIS_REPLY_INTEGER
            || primary->element[1]->integer <= 0
            || primary->element[1]->integer > 65535)
        {
            return NGX_ERROR;
        }

        host.data = (u_char *) primary->element[0]->str;
        host.len = primary->element[0]->len;

        if (host.len == 0 || (host.len == 1 && host.data[0] == '?')) {
            continue;
        }

        if (handler(data, (ngx_uint_t) range->element[0]->integer,
                    (ngx_uint_t) range->element[1]->integer, &host,
                    (in_port_t) primary->element[1]->integer)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* a decimal number of at most 5 digits, as Redis writes slots and ports */

static ngx_int_t
ngx_http_news_redis_cluster_number(u_char *p, size_t len)
{
    if (len == 0 || len > 5) {
        return NGX_ERROR;
    }

    return ngx_atoi(p, len);
}
