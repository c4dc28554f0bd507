#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H
// The wide-character API (cchar_t, setcchar, wget_wch) is only declared with this define;
// SwiftPM drops pkg-config's -D flags, so it must be set here.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ncursesw/curses.h>

// Swift 6 cannot use these C globals and macros directly: wrap each in an accessor.
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline int cnc_lines(void) { return LINES; }
static inline int cnc_cols(void) { return COLS; }
static inline FILE *cnc_stdin(void) { return stdin; }
static inline FILE *cnc_stdout(void) { return stdout; }
static inline int cnc_colors(void) { return COLORS; }
static inline int cnc_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t cnc_a_bold(void) { return A_BOLD; }
static inline attr_t cnc_a_reverse(void) { return A_REVERSE; }
static inline attr_t cnc_a_dim(void) { return A_DIM; }
static inline attr_t cnc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cnc_a_normal(void) { return A_NORMAL; }
static inline int cnc_color_pair(int n) { return COLOR_PAIR(n); }
static inline int cnc_ok(void) { return OK; }
static inline int cnc_err(void) { return ERR; }
static inline int cnc_key_code_yes(void) { return KEY_CODE_YES; }
static inline int cnc_ccharw_max(void) { return CCHARW_MAX; }
/// Where the terminal's cursor is, as ncurses believes after its last update (curscr's position).
static inline int cnc_physical_cursor_row(void) { return getcury(curscr); }
static inline int cnc_physical_cursor_column(void) { return getcurx(curscr); }

// Key codes wget_wch reports with KEY_CODE_YES.
static inline int cnc_key_resize(void) { return KEY_RESIZE; }
static inline int cnc_key_up(void) { return KEY_UP; }
static inline int cnc_key_down(void) { return KEY_DOWN; }
static inline int cnc_key_left(void) { return KEY_LEFT; }
static inline int cnc_key_right(void) { return KEY_RIGHT; }
static inline int cnc_key_home(void) { return KEY_HOME; }
static inline int cnc_key_end(void) { return KEY_END; }
static inline int cnc_key_npage(void) { return KEY_NPAGE; }
static inline int cnc_key_ppage(void) { return KEY_PPAGE; }
static inline int cnc_key_backspace(void) { return KEY_BACKSPACE; }
static inline int cnc_key_enter(void) { return KEY_ENTER; }
static inline int cnc_key_dc(void) { return KEY_DC; }
static inline int cnc_key_btab(void) { return KEY_BTAB; }
static inline int cnc_key_f(int n) { return KEY_F(n); }

// Colour numbers.
static inline short cnc_color_black(void) { return COLOR_BLACK; }
static inline short cnc_color_red(void) { return COLOR_RED; }
static inline short cnc_color_green(void) { return COLOR_GREEN; }
static inline short cnc_color_yellow(void) { return COLOR_YELLOW; }
static inline short cnc_color_blue(void) { return COLOR_BLUE; }
static inline short cnc_color_magenta(void) { return COLOR_MAGENTA; }
static inline short cnc_color_cyan(void) { return COLOR_CYAN; }
static inline short cnc_color_white(void) { return COLOR_WHITE; }

/// Sets the locale from the environment; falls back to C.UTF-8 when the result cannot encode UTF-8.
/// Returns 1 when the final locale is UTF-8, else 0.
static inline int cnc_setup_utf8_locale(void) {
    setlocale(LC_ALL, "");
    const char *codeset = nl_langinfo(CODESET);
    if (codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0)) return 1;
    if (setlocale(LC_ALL, "C.UTF-8") == NULL && setlocale(LC_ALL, "C.utf8") == NULL) return 0;
    codeset = nl_langinfo(CODESET);
    return codeset != NULL && strcmp(codeset, "UTF-8") == 0;
}

// Restoring the terminal on every way out (signals, atexit) lives in the CTerminalRestore target: its state
// must exist once per process, which a static in a header cannot promise (each importer gets its own copy).

/// The display width the C library gives a code point (-1 for non-printable).
static inline int cnc_wcwidth(unsigned int codepoint) { return wcwidth((wchar_t)codepoint); }

#endif
