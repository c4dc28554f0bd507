#ifndef CTERMINALRESTORE_H
#define CTERMINALRESTORE_H
// The one place that knows whether curses mode is on, and the handlers that end it on every way out.
// Its state lives in terminal_restore.c, once per process.

/// Installs the restoring handlers for SIGINT, SIGTERM, SIGHUP, SIGQUIT and the crash signals, and an atexit
/// hook (idempotent); call before newterm so ncurses keeps ours instead of installing its own.
void cnc_install_restore_handlers(void);

/// Marks curses mode as on (1) or off (0), so the handlers know whether endwin is needed.
void cnc_set_curses_active(int active);

/// Ends curses mode if it is on (endwin, which puts back the terminal modes saved at newterm).
void cnc_restore_terminal(void);

/// Whether curses mode is marked on (1) or off (0); for tests.
int cnc_curses_active(void);

#endif
