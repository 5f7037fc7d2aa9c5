# xeno — one Makefile for every program, test and guest.
#
# Layout convention (no edits needed when adding files):
#   <prog>/main.c + <prog>/**/*.c      -> build/bin/<binary>
#   everything but main.c of a program -> build/obj/<prog>.a (unit tests link it)
#   lib/*.c                            -> build/obj/lib.a (shared by all programs)
#   tests/unit/test_<area>_*.c         -> build/tests/test_<area>_* linked with
#                                         build/obj/<area>.a, lib.a and cmocka
#   tests/guests/<name>.c              -> build/guests/<name> (freestanding PV kernel)
#   tests/fuzz/fuzz_<area>_*.c         -> build/fuzz/... (clang libFuzzer, make fuzz)
#
# `make SAN=1` builds the same into build-san/ with ASan+UBSan.

# The first rule below is generated; name the real default.
.DEFAULT_GOAL := all

CC      ?= gcc
SAN     ?= 0
ifeq ($(SAN),1)
B       := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B       := build
SANFLAGS :=
endif

CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -Iinclude -Ilib \
           -MMD -MP $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SANFLAGS) -Wl,--as-needed
LDLIBS  := -lpthread -luring -lseccomp -lz -llzma -lzstd -lbz2 -llzo2 -llz4

PROGS   := monitor xenstored xl
BIN_monitor   := xeno-monitor
BIN_xenstored := xenstored
BIN_xl        := xl

srcs_of  = $(shell find $(1) -name '*.c' 2>/dev/null | sort)
LIB_SRCS := $(call srcs_of,lib)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)

define prog_rules
$(1)_SRCS := $$(filter-out $(1)/main.c,$$(call srcs_of,$(1)))
$(1)_OBJS := $$($(1)_SRCS:%.c=$(B)/obj/%.o)
$(B)/obj/$(1).a: $$($(1)_OBJS)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
$(B)/bin/$(BIN_$(1)): $(B)/obj/$(1)/main.o $(B)/obj/$(1).a $(B)/obj/lib.a
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rules,$(p))))

# An empty archive is fine for a program that has no files besides main.c yet.
$(B)/obj/lib.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

BINS := $(foreach p,$(PROGS),$(if $(wildcard $(p)/main.c),$(B)/bin/$(BIN_$(p))))

# ---- unit tests ----------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
area_of   = $(word 2,$(subst _, ,$(notdir $(1))))
.SECONDEXPANSION:
$(B)/tests/test_%: $(B)/obj/tests/unit/test_%.o $$(if $$(filter lib,$$(call area_of,$$@)),,$(B)/obj/$$(call area_of,$$@).a) $(B)/obj/lib.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(LDLIBS)

# ---- freestanding PV test guests -----------------------------------------
GUEST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -Iinclude -Itests/guests/lib \
                -ffreestanding -fno-pic -fno-pie -fno-stack-protector -mno-red-zone \
                -mno-sse -mno-mmx -mno-avx -fno-asynchronous-unwind-tables -fcf-protection=none \
                -mcmodel=kernel -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,tests/guests/lib/guest.ld -Wl,--build-id=none \
                 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
GUEST_LIB_SRCS := $(wildcard tests/guests/lib/*.c tests/guests/lib/*.S)
GUEST_LIB_OBJS := $(patsubst %,build/guests/obj/%.o,$(GUEST_LIB_SRCS))
GUEST_SRCS := $(wildcard tests/guests/*.c)
GUESTS := $(GUEST_SRCS:tests/guests/%.c=build/guests/%)

build/guests/obj/%.c.o: %.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<
build/guests/obj/%.S.o: %.S
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -c -o $@ $<
build/guests/%: build/guests/obj/tests/guests/%.c.o $(GUEST_LIB_OBJS) tests/guests/lib/guest.ld
	$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^) -lgcc

# ---- fuzzers (clang + libFuzzer) -----------------------------------------
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -Ilib -fsanitize=fuzzer,address,undefined
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(filter-out %/main.c,$(call srcs_of,$(call area_of,$@))) \
	    $(LIB_SRCS) $(LDLIBS)

# ---- bench ----------------------------------------------------------------
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)
$(B)/bench/%: bench/%.c $(B)/obj/lib.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)

.PHONY: all guests unit fuzz bench check clean san
all: $(BINS) $(UNIT_BINS) $(GUESTS) $(BENCH_BINS)
guests: $(GUESTS)
unit: $(UNIT_BINS)
fuzz: $(FUZZ_BINS)
bench: $(BENCH_BINS)
san:
	$(MAKE) SAN=1 $(BINS:build/%=build-san/%) $(UNIT_BINS:build/%=build-san/%)

# The whole suite: normal build, sanitizer build, then every test.
check: all
	$(MAKE) SAN=1 san-all
	tests/run.sh

.PHONY: san-all
san-all: $(BINS) $(UNIT_BINS)

clean:
	rm -rf build build-san

-include $(shell find build build-san -name '*.d' 2>/dev/null)
