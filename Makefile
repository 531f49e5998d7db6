# ngx_news_module: `make` builds build/ngx_http_news_module.so against
# Debian's stock nginx (nginx-dev); `make test` and `make demo` install
# what is missing first; `make install` puts the module where Debian's
# nginx loads it from.  See README.md and docs/deployment.md.

SHELL         := /bin/bash
NGINX_SRC     ?= /usr/share/nginx/src
NGINX         ?= /usr/sbin/nginx
BUILD         := $(CURDIR)/build
NGX_BUILD     := $(BUILD)/nginx
MODULE        := $(BUILD)/ngx_http_news_module.so
SOURCES       := $(wildcard ngx_news_module/*.[ch])
TEMPLATE_H    := ngx_news_module/ngx_http_news_default_template.h
LIST_TEMPLATE_H := ngx_news_module/ngx_http_news_list_template.h
# the dynamic module's exports (config passes it to the linker)
VERSION_MAP   := ngx_news_module/ngx_http_news_module.map
# the module's version, kept in VERSION alone: config reads it into the
# build, tools/build-deb into the package
NEWS_VERSION  := $(shell cat VERSION)

# the stock package's flags, plus our warnings as errors
CC_OPT        := -g -O2 -fstack-protector-strong -Wformat \
                 -Werror=format-security -fPIC -D_FORTIFY_SOURCE=2 \
                 -Wall -Wextra -Werror
LD_OPT        := -Wl,-z,relro -Wl,-z,now -fPIC

# make install: the module in nginx's modules path (from `nginx -V`) and
# a load_module snippet in modules-available, enabled with a link in
# modules-enabled, as Debian's libnginx-mod-* packages do.  DESTDIR
# stages it; NEWS_ENABLE=no leaves the link out (for a package, whose
# postinst makes it).  tools/check-install (make test) takes the same.
DESTDIR       ?=
INSTALL       ?= install
NGINX_MODULES_PATH ?= $(shell $(NGINX) -V 2>&1 \
                          | sed -n 's/.*--modules-path=\([^ ]*\).*/\1/p')
NGINX_MODULES_AVAILABLE ?= /usr/share/nginx/modules-available
NGINX_MODULES_ENABLED   ?= /etc/nginx/modules-enabled
NGINX_CONF_DIR          ?= /etc/nginx
NEWS_ENABLE   ?= yes
NEWS_CONF     := mod-http-news.conf
NEWS_LINK     := 50-$(NEWS_CONF)
SNIPPET       := $(BUILD)/$(NEWS_CONF)

DEB_BUILD     := gcc make pkg-config nginx nginx-dev libhiredis-dev \
                 libjansson-dev libmd4c-dev libmd4c-html0-dev
DEB_TEST      := redis-server redis-tools curl libtest-base-perl \
                 libtext-diff-perl libtest-longstring-perl libwww-perl \
                 libipc-run-perl liburi-perl liblist-moreutils-perl \
                 libxml-libxml-perl

.PHONY: all build deps deps-build deps-test deps-nchan test test-valgrind \
        test-topology demo clean bench fuzz install uninstall

all: build

build: $(MODULE)

$(MODULE): $(NGX_BUILD)/Makefile $(SOURCES) $(TEMPLATE_H) $(LIST_TEMPLATE_H) \
           $(VERSION_MAP) \
           config VERSION
	@echo "building ngx_http_news_module $(NEWS_VERSION)"
	@# nginx's Makefile does not know the version script: relink
	test $(VERSION_MAP) -ot $(NGX_BUILD)/objs/$(notdir $@) \
	    || rm -f $(NGX_BUILD)/objs/$(notdir $@)
	$(MAKE) -C $(NGX_BUILD) -f objs/Makefile modules
	@# a new inode: an nginx running the old module keeps its mapping
	cp $(NGX_BUILD)/objs/ngx_http_news_module.so $@.tmp
	mv -f $@.tmp $@

# configure a private copy of the headers nginx-dev ships, with the
# stock binary's flags (--with-compat and the rest) for ABI compatibility;
# again when VERSION changes, which config puts into ngx_auto_config.h
$(NGX_BUILD)/Makefile: config VERSION
	rm -rf $(NGX_BUILD)
	mkdir -p $(BUILD)
	cp -r $(NGINX_SRC) $(NGX_BUILD)
	cd $(NGX_BUILD) && source ./conf_flags && ./configure \
	    "$${NGX_CONF_FLAGS[@]}" --with-cc-opt='$(CC_OPT)' \
	    --with-ld-opt='$(LD_OPT)' --add-dynamic-module=$(CURDIR) \
	    > $(BUILD)/configure.log 2>&1 \
	    || { tail -30 $(BUILD)/configure.log; exit 1; }
	touch $@

# relative to nginx's prefix, like Debian's own snippets: its prefix,
# /usr/share/nginx, has modules/ linked to /usr/lib/nginx/modules
$(SNIPPET): Makefile
	mkdir -p $(BUILD)
	echo 'load_module modules/$(notdir $(MODULE));' > $@

# the default page is templates/article.html, compiled into the module
$(TEMPLATE_H): templates/article.html tools/embed-template
	tools/embed-template templates/article.html $@

# and the default list page is templates/list.html
$(LIST_TEMPLATE_H): templates/list.html tools/embed-template
	tools/embed-template templates/list.html $@ \
	    ngx_http_news_list_template_text

# Neither touches a running nginx (docs/deployment.md: a reload loads a
# module newly enabled, but keeps one already loaded).  The module is
# replaced by a rename: a running nginx keeps its mapping of the old
# file, and nothing ever finds the new one missing or half written.
install: build $(SNIPPET)
	@test -n "$(NGINX_MODULES_PATH)" || { echo "make install: no" \
	    "--modules-path in '$(NGINX) -V'; set NGINX_MODULES_PATH" >&2; \
	    exit 1; }
	test -d '$(DESTDIR)$(NGINX_MODULES_PATH)' \
	    || $(INSTALL) -d '$(DESTDIR)$(NGINX_MODULES_PATH)'
	$(INSTALL) -m 644 $(MODULE) \
	    '$(DESTDIR)$(NGINX_MODULES_PATH)/$(notdir $(MODULE)).tmp'
	mv -f '$(DESTDIR)$(NGINX_MODULES_PATH)/$(notdir $(MODULE)).tmp' \
	    '$(DESTDIR)$(NGINX_MODULES_PATH)/$(notdir $(MODULE))'
	test -d '$(DESTDIR)$(NGINX_MODULES_AVAILABLE)' \
	    || $(INSTALL) -d '$(DESTDIR)$(NGINX_MODULES_AVAILABLE)'
	$(INSTALL) -m 644 $(SNIPPET) \
	    '$(DESTDIR)$(NGINX_MODULES_AVAILABLE)/'
ifeq ($(NEWS_ENABLE),yes)
	test -d '$(DESTDIR)$(NGINX_MODULES_ENABLED)' \
	    || $(INSTALL) -d '$(DESTDIR)$(NGINX_MODULES_ENABLED)'
	ln -sfn '$(NGINX_MODULES_AVAILABLE)/$(NEWS_CONF)' \
	    '$(DESTDIR)$(NGINX_MODULES_ENABLED)/$(NEWS_LINK)'
endif

# a news_* directive at the start of a line or after { or ;
NEWS_DIRECTIVE := (^|[{;])[[:space:]]*news_[a-z_]+([[:space:]]|;|$$)

# the link first: nginx never finds a snippet without its module.  A
# configuration that still has news_* directives no longer loads, and
# `nginx -s reload/quit` parse it too: warn (not fail, the operator may
# be on the way to removing them), naming the files.  grep, not nginx
# -T, which fails on exactly such a configuration.
uninstall:
	@test -n "$(NGINX_MODULES_PATH)" || { echo "make uninstall: no" \
	    "--modules-path in '$(NGINX) -V'; set NGINX_MODULES_PATH" >&2; \
	    exit 1; }
	rm -f '$(DESTDIR)$(NGINX_MODULES_ENABLED)/$(NEWS_LINK)'
	rm -f '$(DESTDIR)$(NGINX_MODULES_AVAILABLE)/$(NEWS_CONF)'
	rm -f '$(DESTDIR)$(NGINX_MODULES_PATH)/$(notdir $(MODULE))'
	@files=$$(grep -rlsE '$(NEWS_DIRECTIVE)' \
	              '$(DESTDIR)$(NGINX_CONF_DIR)'); \
	if [ -n "$$files" ]; then \
	    { echo "make uninstall: warning: still using news_* directives:"; \
	      sed 's/^/    /' <<< "$$files"; \
	      echo "  nginx -t fails on them (unknown directive), and so do" \
	           "nginx -s"; \
	      echo "  reload and -s quit; stop a running nginx by its pid" \
	           "instead:"; \
	      echo "  kill -QUIT \$$(cat /run/nginx.pid)   (docs/deployment.md," \
	           "Operator notes)"; } >&2; \
	fi

deps: deps-build deps-test

deps-build:
	@tools/install-packages $(DEB_BUILD)

deps-test:
	@tools/install-packages $(DEB_TEST)

# Debian's nchan, which carries a hiredis of its own, for
# tools/check-nchan.  Installing it also enables it for the system's
# nginx (/etc/nginx/modules-enabled); the check loads it by path in a
# private nginx.  Where it cannot be installed, the check says so and
# skips.
deps-nchan:
	@tools/install-packages libnginx-mod-nchan \
	    || echo "deps-nchan: libnginx-mod-nchan cannot be installed;" \
	        "tools/check-nchan will skip" >&2

# the module's exported and imported symbols (docs/deployment.md,
# "Beside other modules"), the suites, make install and uninstall into
# a temporary DESTDIR, then the module beside nchan in one nginx
test: deps deps-nchan build
	tools/check-tree
	tools/check-symbols
	t/run-tests
	tools/check-install
	tools/check-nchan

# the suites of t/topology/: real Redis topologies on loopback that the
# tests start themselves (a Redis Cluster of three primaries and three
# replicas, t/inc/NewsCluster.pm), slots migrated and primaries killed
# under load.  Minutes, so not in `make test`; .ci/run runs it after.
# check-harness first: the cluster harness alone, without nginx, so that
# a failure says whose it is.
test-topology: deps build
	t/topology/check-harness
	t/run-tests t/topology/*.t

# the whole suite under memcheck; valgrind.suppress (where upstream
# Test::Nginx looks for it too) lists nginx's own reports
test-valgrind: deps build
	@tools/install-packages valgrind
	TEST_NGINX_USE_VALGRIND=1 TEST_NGINX_TIMEOUT=10 t/run-tests

demo: deps build
	demo/run

clean:
	rm -rf $(BUILD) t/servroot

# the module against nginx serving the same page as a static file and
# against the same job in Lua (Debian's lua module and lua-resty-redis;
# lua-nginx-redis pulls nginx-extras, whose modules bench/run's own
# nginx.conf does not load), see docs/performance.md; options:
# make bench BENCH_ARGS="--full --long"
bench: deps build
	@tools/install-packages wrk libnginx-mod-http-lua lua-nginx-redis
	bench/run $(BENCH_ARGS)

# libFuzzer targets (fuzz/, docs/operations.md "Fuzzing"), 60 s each by
# default; the long run: make fuzz FUZZ_SECONDS=600
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run

# make deb: build/deb/libnginx-mod-http-news_$(cat VERSION)_amd64.deb
# and its -dbgsym package, built by dpkg-buildpackage and debhelper from
# packaging/debian/, then checked with lintian; make test-package
# installs it into a fresh Debian 12 root (debootstrap, cached under
# build/package-test/) with Debian's nginx and redis-server, serves an
# article, removes and purges it (as root).  See
# docs/deployment.md, "Debian package".
DEB_PACKAGE      := debhelper dpkg-dev lintian
DEB_PACKAGE_TEST := debootstrap curl iproute2

.PHONY: deb test-package

deb:
	@tools/install-packages $(DEB_BUILD) $(DEB_PACKAGE)
	tools/build-deb

test-package: deb
	@tools/install-packages $(DEB_PACKAGE_TEST)
	tools/check-package

# the module built into and loaded by the nginx of other Debian releases
# (tools/build-matrix, README "Supported nginx versions"): for each of
# MATRIX_SUITES, upstream nginx from Debian's source package, built with
# the module static and dynamic under build/matrix/, and the whole suite
# against each; the first row is the stock nginx, as in `make test`.
# More options: make matrix MATRIX_ARGS="--kinds dynamic --no-stock"
MATRIX_SUITES ?= trixie sid
.PHONY: matrix
matrix: deps build
	tools/build-matrix --suites '$(MATRIX_SUITES)' $(MATRIX_ARGS)
