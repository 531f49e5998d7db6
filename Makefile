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
NEWS_ENABLE   ?= yes
NEWS_CONF     := mod-http-news.conf
NEWS_LINK     := 50-$(NEWS_CONF)
SNIPPET       := $(BUILD)/$(NEWS_CONF)

DEB_BUILD     := gcc make pkg-config nginx nginx-dev libhiredis-dev \
                 libjansson-dev libmd4c-dev libmd4c-html0-dev
DEB_TEST      := redis-server redis-tools curl libtest-base-perl \
                 libtext-diff-perl libtest-longstring-perl libwww-perl \
                 libipc-run-perl liburi-perl liblist-moreutils-perl

.PHONY: all build deps deps-build deps-test test test-valgrind demo clean \
        bench fuzz install uninstall

all: build

build: $(MODULE)

$(MODULE): $(NGX_BUILD)/Makefile $(SOURCES) $(TEMPLATE_H) config
	$(MAKE) -C $(NGX_BUILD) -f objs/Makefile modules
	@# a new inode: an nginx running the old module keeps its mapping
	cp $(NGX_BUILD)/objs/ngx_http_news_module.so $@.tmp
	mv -f $@.tmp $@

# configure a private copy of the headers nginx-dev ships, with the
# stock binary's flags (--with-compat and the rest) for ABI compatibility
$(NGX_BUILD)/Makefile: config
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

# the link first: nginx never finds a snippet without its module
uninstall:
	@test -n "$(NGINX_MODULES_PATH)" || { echo "make uninstall: no" \
	    "--modules-path in '$(NGINX) -V'; set NGINX_MODULES_PATH" >&2; \
	    exit 1; }
	rm -f '$(DESTDIR)$(NGINX_MODULES_ENABLED)/$(NEWS_LINK)'
	rm -f '$(DESTDIR)$(NGINX_MODULES_AVAILABLE)/$(NEWS_CONF)'
	rm -f '$(DESTDIR)$(NGINX_MODULES_PATH)/$(notdir $(MODULE))'

deps: deps-build deps-test

deps-build:
	@tools/install-packages $(DEB_BUILD)

deps-test:
	@tools/install-packages $(DEB_TEST)

# the suites, then make install and uninstall into a temporary DESTDIR
test: deps build
	t/run-tests
	tools/check-install

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
