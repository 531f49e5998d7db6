# ngx_news_module: `make` builds build/ngx_http_news_module.so against
# Debian's stock nginx (nginx-dev); `make test` and `make demo` install
# what is missing first.  See README.md.

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

DEB_BUILD     := gcc make pkg-config nginx nginx-dev libhiredis-dev \
                 libjansson-dev libmd4c-dev libmd4c-html0-dev
DEB_TEST      := redis-server redis-tools curl libtest-base-perl \
                 libtext-diff-perl libtest-longstring-perl libwww-perl \
                 libipc-run-perl liburi-perl liblist-moreutils-perl

.PHONY: all build deps deps-build deps-test test test-valgrind demo clean bench fuzz

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

# the default page is templates/article.html, compiled into the module
$(TEMPLATE_H): templates/article.html tools/embed-template
	tools/embed-template templates/article.html $@

deps: deps-build deps-test

deps-build:
	@tools/install-packages $(DEB_BUILD)

deps-test:
	@tools/install-packages $(DEB_TEST)

test: deps build
	t/run-tests

# the whole suite under memcheck; valgrind.suppress (where upstream
# Test::Nginx looks for it too) lists nginx's own reports
test-valgrind: deps build
	@tools/install-packages valgrind
	TEST_NGINX_USE_VALGRIND=1 TEST_NGINX_TIMEOUT=10 t/run-tests

demo: deps build
	demo/run

clean:
	rm -rf $(BUILD) t/servroot

# the module against nginx serving the same page as a static file, see
# docs/performance.md; options: make bench BENCH_ARGS="--full --long"
bench: deps build
	@tools/install-packages wrk
	bench/run $(BENCH_ARGS)

# libFuzzer targets (fuzz/, docs/operations.md "Fuzzing"), 60 s each by
# default; the long run: make fuzz FUZZ_SECONDS=600
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run
