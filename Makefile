# Makefile - build, install and test the suite.
#
#   make                      build everything for the home in conf-qmail
#   make QMAIL=/dir           build for another home, in a build directory of its own
#   make setup check          (root) create users, install, verify owners and modes
#   make MINI=1 setup check   (root) the same for a mini-qmail: client programs only,
#                             qmail-queue is qmail-qmqpc (INSTALL: mini-qmail)
#   make test                 unit tests (plain and sanitized), man lint, system tests
#   make run                  (root) build, install, configure, start under svscan
#                             (SVDIR LOGDIR SMTPPORT SMTPADDR TCPRULES SENDMAIL: see INSTALL)
#   make fuzz FUZZTIME=60     each fuzz target for FUZZTIME seconds (README: Fuzzing)
#   make STATIC_PROGS=        link every program dynamically (INSTALL, section 3)
#
# Nothing here needs editing when a module, program, test or man page is added:
#   src/lib/*.c   -> lib.a        the safe library, no mail knowledge
#   src/mail/*.c  -> mail.a       mail knowledge shared by programs
#   src/P/*.c     -> bin/P        one directory per program
#   src/tools/T.c -> bin/T        one file per small tool
#   src/tools/qmailctl.sh -> bin/qmailctl  (QMAILHOME filled in)
#   tests/unit/M.c -> tests/M     one unit-test binary per library module
#   tests/fuzz/F.c -> FZ/F        one fuzz target per parser (driver.c is AFL++'s main)

QMAIL := $(shell sed -n 1p conf-qmail)
CC_CMD := $(shell sed -n 1p conf-cc)
LD_CMD := $(shell sed -n 1p conf-ld)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

ifneq ($(words $(QMAIL)),1)
$(error QMAIL must be one absolute path without spaces)
endif
ifneq ($(patsubst /%,/,$(QMAIL)),/)
$(error QMAIL must be an absolute path)
endif

# The programs started once per message or connection are linked static-pie: an
# exec without the dynamic loader costs less CPU (INSTALL, section 3: static
# programs). Only programs that never use NSS (getpwnam, getgrnam, getaddrinfo ...)
# may be here: --fatal-warnings turns glibc's "Using 'getpwnam' in statically
# linked applications" into a link error. Sanitizer builds (SAN=1) stay dynamic:
# STATIC is the list in effect. `make STATIC_PROGS=` links every program dynamically.
STATIC_PROGS := qmail-inject qmail-local qmail-qmqpc qmail-qmqpd qmail-qmtpd qmail-remote \
	qmail-smtpd sendmail
STATIC_LD := -static-pie -Wl,--fatal-warnings

# The static programs are built against musl when its headers and library are
# installed (Debian: musl-dev), else against glibc's libc.a: glibc's start-up
# probes the processor (cpuid) at every exec, which costs about 0.3 CPU ms more
# per start on a virtual machine (INSTALL, section 3). musl's objects, made with the
# same flags but musl's headers, go to $(B)/mobj; a program is linked static-pie
# with musl's self-relocating start file. `make STATIC_LIBC=glibc` keeps glibc.
MUSL_TRIPLET := $(subst -gnu,-musl,$(shell $(firstword $(CC_CMD)) -dumpmachine 2>/dev/null))
MUSL_LIB := /usr/lib/$(MUSL_TRIPLET)
MUSL_INC := /usr/include/$(MUSL_TRIPLET)
STATIC_LIBC := $(if $(and $(wildcard $(MUSL_LIB)/rcrt1.o),$(wildcard $(MUSL_INC)/stdio.h)),musl,glibc)
# With musl, qmail-queue (run once per message) is static too: its only lookup is
# the getpwuid call that chooses the wording of its Received line, which musl
# answers from /etc/passwd (and nscd) without NSS modules.
STATIC_MUSL := qmail-queue
STATIC := $(if $(filter 1,$(SAN)),,$(STATIC_PROGS) \
	$(if $(and $(STATIC_PROGS),$(filter musl,$(STATIC_LIBC))),$(STATIC_MUSL)))
ifeq ($(STATIC_LIBC),musl)
ccfile = $(shell $(firstword $(CC_CMD)) -print-file-name=$(1))
MUSL_CC := $(CC_CMD) -nostdinc -isystem $(MUSL_INC) -isystem $(call ccfile,include)
MUSL_LD_HEAD := -static-pie -nostdlib -nostartfiles -Wl,--fatal-warnings $(MUSL_LIB)/rcrt1.o \
	$(MUSL_LIB)/crti.o $(call ccfile,crtbeginS.o)
MUSL_LD_TAIL := -L$(MUSL_LIB) -lc $(shell $(firstword $(CC_CMD)) -print-libgcc-file-name) \
	$(call ccfile,crtendS.o) $(MUSL_LIB)/crtn.o
endif

ifeq ($(SAN),1)
B := build/san$(subst /,_,$(QMAIL))
CC_CMD += $(SAN_FLAGS)
LD_CMD += $(SAN_FLAGS)
else
B := build/$(subst /,_,$(QMAIL))
endif

INC := -Isrc/lib -Isrc/mail -I$(B)/auto -Itests

LIB_SRC := $(wildcard src/lib/*.c)
MAIL_SRC := $(wildcard src/mail/*.c)
PROG_DIRS := $(filter-out lib mail tools,$(notdir $(patsubst %/,%,$(wildcard src/*/))))
TOOLS := $(basename $(notdir $(wildcard src/tools/*.c)))
UNITS := $(basename $(notdir $(wildcard tests/unit/*.c)))

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
mobj = $(patsubst %.c,$(B)/mobj/%.o,$(1))

LIB_A := $(B)/lib.a
MAIL_A := $(B)/mail.a
AUTO_O := $(B)/obj/auto.o
BINS := $(addprefix $(B)/bin/,$(PROG_DIRS) $(TOOLS) qmailctl)
UNIT_BINS := $(addprefix $(B)/tests/,$(UNITS))

.SECONDARY:
.PHONY: all units setup install package check test run clean format format-check
.PHONY: fuzz fuzz-build fuzz-afl FORCE
all: $(BINS)

# auto.c: the compiled-in home and account names (conf-qmail, conf-users).
$(B)/auto/auto.c: conf-users conf-qmail src/mail/auto.sh
	@mkdir -p $(@D)
	sh src/mail/auto.sh '$(QMAIL)' conf-users > $@.tmp && mv $@.tmp $@

$(AUTO_O): $(B)/auto/auto.c
	@mkdir -p $(@D)
	$(CC_CMD) $(INC) -c -o $@ $<

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC_CMD) $(INC) -MMD -MP -c -o $@ $<

$(LIB_A): $(call obj,$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

$(MAIL_A): $(call obj,$(MAIL_SRC)) $(AUTO_O)
	@rm -f $@
	ar rcs $@ $^

# the same for the static programs built against musl
$(B)/mobj/auto.o: $(B)/auto/auto.c
	@mkdir -p $(@D)
	$(MUSL_CC) $(INC) -c -o $@ $<
$(B)/mobj/%.o: %.c
	@mkdir -p $(@D)
	$(MUSL_CC) $(INC) -MMD -MP -c -o $@ $<
$(B)/mlib.a: $(call mobj,$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^
$(B)/mmail.a: $(call mobj,$(MAIL_SRC)) $(B)/mobj/auto.o
	@rm -f $@
	ar rcs $@ $^

# A program may run another's code in-process instead of exec'ing it: USES_P lists the
# programs whose objects (all but their main.c) are linked into P as well.
USES_qmail-lspawn := qmail-getpw qmail-local
uses = $(filter-out %/main.c,$(foreach u,$(USES_$(1)),$(wildcard src/$(u)/*.c)))

# musl P: P is static and built against musl; its objects, libraries and link words
musl = $(and $(filter $(1),$(STATIC)),$(filter musl,$(STATIC_LIBC)))
pobj = $(if $(call musl,$(1)),$(call mobj,$(2)),$(call obj,$(2)))
plibs = $(if $(call musl,$(1)),$(B)/mmail.a $(B)/mlib.a,$(MAIL_A) $(LIB_A))
plink = $(if $(call musl,$(1)),$(MUSL_LD_HEAD),$(if $(filter $(1),$(STATIC)),$(STATIC_LD)))
define prog_rule
$(B)/bin/$(1): $(call pobj,$(1),$(wildcard src/$(1)/*.c) $(call uses,$(1))) $(call plibs,$(1)) $(B)/static-progs
	@mkdir -p $$(@D)
	$(LD_CMD) $(call plink,$(1)) -o $$@ $$(filter-out $(B)/static-progs,$$^) $(if $(call musl,$(1)),$(MUSL_LD_TAIL))
endef
$(foreach p,$(PROG_DIRS),$(eval $(call prog_rule,$(p))))

# $(B)/static-progs: the list in effect, rewritten only when it changes, so that a
# program relinks when it joins or leaves the list. It first names a missing static
# C library (libc.a, Debian's libc6-dev) instead of leaving the links to fail with
# "cannot find -lc".
FORCE:
$(B)/static-progs: FORCE
	@mkdir -p $(@D)
	@if [ -n '$(STATIC)' ] && [ '$(STATIC_LIBC)' = glibc ] && [ ! -f "$$($(firstword $(LD_CMD)) -print-file-name=libc.a)" ]; then \
	  echo 'make: no libc.a: $(STATIC) are linked -static-pie and need the static C library (Debian: libc6-dev), or make STATIC_PROGS= to link them dynamically' >&2; \
	  exit 1; fi
	@echo '$(STATIC) $(STATIC_LIBC)' | cmp -s - $@ || echo '$(STATIC) $(STATIC_LIBC)' > $@

$(B)/bin/%: $(B)/obj/src/tools/%.o $(MAIL_A) $(LIB_A)
	@mkdir -p $(@D)
	$(LD_CMD) -o $@ $^

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(B)/obj/tests/harness.o $(MAIL_A) $(LIB_A)
	@mkdir -p $(@D)
	$(LD_CMD) -o $@ $^

$(B)/bin/qmailctl: src/tools/qmailctl.sh
	@mkdir -p $(@D)
	sed 's|@QMAILHOME@|$(QMAIL)|g' src/tools/qmailctl.sh > $@.tmp && chmod 755 $@.tmp && mv $@.tmp $@

units: $(UNIT_BINS) $(BINS)

# Installation. The hierarchy (paths, owners, modes) is one table, src/mail/hier.c;
# instpackage copies (honouring DESTDIR), instchown sets owners and modes,
# instcheck verifies and names every mismatch. MINI=1 uses the mini-qmail table
# (hier_mini): no queue, no daemons, and of the accounts only the queue group.
ifeq ($(MINI),1)
INSTFLAG := -m
MKUSERS = g=$$(sed -n 9p conf-users); getent group "$$g" > /dev/null || groupadd -r "$$g"
else
INSTFLAG :=
MKUSERS = sh src/tools/mkusers.sh conf-users '$(QMAIL)'
endif
setup: all
	@if [ -z "$(DESTDIR)" ]; then $(MKUSERS); fi
	$(B)/bin/instpackage $(INSTFLAG) '$(B)' '$(DESTDIR)'
	$(B)/bin/instchown $(INSTFLAG) '$(DESTDIR)'
install: setup
package: all
	$(B)/bin/instpackage $(INSTFLAG) '$(B)' '$(DESTDIR)'
check: all
	$(B)/bin/instcheck $(INSTFLAG) '$(DESTDIR)'

run:
	sh src/tools/run.sh '$(QMAIL)' '$(B)'

test: all units
	$(MAKE) --no-print-directory SAN=1 units
	sh tests/run '$(B)' 'build/san$(subst /,_,$(QMAIL))'

# Fuzzing: the targets and the library are built with clang's libFuzzer, ASan and
# UBSan into FZ; `make fuzz` runs each for FUZZTIME seconds on a copy of its corpus
# in FZ (crashes are written there too, never into tests/fuzz). fuzz-afl builds the
# same targets with afl-clang-fast and driver.c into FZ/afl.
FUZZ_CC := clang
FUZZ_CFLAGS := -std=c11 -g -O1 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -Wall -Wextra -Wformat=2 \
	-Wshadow -Wstrict-prototypes -Werror -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
AFL_CC := afl-clang-fast
FZ := build/fuzz$(subst /,_,$(QMAIL))
FUZZTIME := 60
FUZZ_NAMES := $(filter-out driver,$(basename $(notdir $(wildcard tests/fuzz/*.c))))
FUZZ_OBJ = $(patsubst %.c,$(1)/obj/%.o,$(LIB_SRC) $(MAIL_SRC)) $(1)/obj/auto.o

$(FZ)/auto/auto.c: conf-users conf-qmail src/mail/auto.sh
	@mkdir -p $(@D)
	sh src/mail/auto.sh '$(QMAIL)' conf-users > $@.tmp && mv $@.tmp $@
$(FZ)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -Isrc/lib -Isrc/mail -MMD -MP -c -o $@ $<
$(FZ)/obj/auto.o: $(FZ)/auto/auto.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -Isrc/mail -c -o $@ $<
$(FZ)/lib.a: $(call FUZZ_OBJ,$(FZ))
	@rm -f $@
	ar rcs $@ $^
$(FZ)/afl/lib.a: $(call FUZZ_OBJ,$(FZ)/afl)
	@rm -f $@
	ar rcs $@ $^
$(FZ)/%: $(FZ)/obj/tests/fuzz/%.o $(FZ)/lib.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^
$(FZ)/afl/obj/%.o: %.c
	@mkdir -p $(@D)
	$(AFL_CC) $(FUZZ_CFLAGS) -Isrc/lib -Isrc/mail -MMD -MP -c -o $@ $<
$(FZ)/afl/obj/auto.o: $(FZ)/auto/auto.c
	@mkdir -p $(@D)
	$(AFL_CC) $(FUZZ_CFLAGS) -Isrc/mail -c -o $@ $<
$(FZ)/afl/%: $(FZ)/afl/obj/tests/fuzz/%.o $(FZ)/afl/obj/tests/fuzz/driver.o $(FZ)/afl/lib.a
	$(AFL_CC) $(FUZZ_CFLAGS) -o $@ $^

fuzz-build: $(addprefix $(FZ)/,$(FUZZ_NAMES))
fuzz: fuzz-build
	sh tests/fuzz/run.sh '$(FZ)' '$(FUZZTIME)' $(FUZZ_NAMES)
fuzz-afl:
	@command -v $(AFL_CC) > /dev/null || { echo "fuzz-afl: $(AFL_CC) not found (AFL++)"; exit 1; }
	$(MAKE) --no-print-directory $(addprefix $(FZ)/afl/,$(FUZZ_NAMES))

format:
	clang-format -i $(wildcard src/*/*.c src/*/*.h tests/*.c tests/*.h tests/unit/*.c)
format-check:
	clang-format --dry-run --Werror $(wildcard src/*/*.c src/*/*.h tests/*.c tests/*.h tests/unit/*.c)

clean:
	rm -rf build

-include $(shell find $(B)/obj $(B)/mobj $(FZ)/obj $(FZ)/afl/obj -name '*.d' 2>/dev/null)
