// Restoring the terminal on every way out. A signal handler (Ctrl-C, SIGTERM, SIGHUP, or a crash) ends curses
// mode first, then puts back the action that was there before (Swift's backtracer, or the default) and re-raises,
// so the process still ends the way it would have, but with the terminal usable again.
//
// The state is in this one file on purpose: a static inside a header's inline function is copied into every
// module that imports the header, and in an optimised build the copy the loop set was not the one endwin checked.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#define NCURSES_WIDECHAR 1
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ncursesw/curses.h>
#include "terminal_restore.h"

static volatile sig_atomic_t curses_active = 0;
static volatile sig_atomic_t handlers_installed = 0;
static struct sigaction saved_actions[65];

void cnc_restore_terminal(void) {
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
}

static void restore_and_reraise(int sig) {
    cnc_restore_terminal();
    if (sig > 0 && sig < 65) sigaction(sig, &saved_actions[sig], NULL);
    // Delivered again once this handler returns, now with the previous action.
    raise(sig);
}

static void atexit_restore(void) { cnc_restore_terminal(); }

void cnc_install_restore_handlers(void) {
    if (handlers_installed) return;
    handlers_installed = 1;
    atexit(atexit_restore);
    const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP };
    for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        int sig = signals[i];
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = restore_and_reraise;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;
        sigaction(sig, &action, &saved_actions[sig]);
    }
}

void cnc_set_curses_active(int active) { curses_active = active ? 1 : 0; }

int cnc_curses_active(void) { return curses_active ? 1 : 0; }
