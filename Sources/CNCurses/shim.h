// ncursesw for Swift: the wide-character API, and small inline accessors for what Swift
// cannot import (macros and globals). Called only from the TUI's ncurses backend, on the
// main actor.
#ifndef ATTACHE_CNCURSES_SHIM_H
#define ATTACHE_CNCURSES_SHIM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <langinfo.h>
#include <ncursesw/curses.h>

static inline WINDOW *attache_stdscr(void) { return stdscr; }
static inline int attache_lines(void) { return LINES; }
static inline int attache_cols(void) { return COLS; }
static inline int attache_colors(void) { return COLORS; }
static inline int attache_color_pairs(void) { return COLOR_PAIRS; }

static inline attr_t attache_a_normal(void) { return A_NORMAL; }
static inline attr_t attache_a_bold(void) { return A_BOLD; }
static inline attr_t attache_a_dim(void) { return A_DIM; }
static inline attr_t attache_a_reverse(void) { return A_REVERSE; }
static inline attr_t attache_a_underline(void) { return A_UNDERLINE; }
static inline attr_t attache_color_pair(int pair) { return COLOR_PAIR(pair); }

static inline void attache_getmaxyx(WINDOW *window, int *rows, int *columns) {
    int y, x;
    getmaxyx(window, y, x);
    *rows = y;
    *columns = x;
}

static inline int attache_key_resize(void) { return KEY_RESIZE; }
static inline int attache_key_up(void) { return KEY_UP; }
static inline int attache_key_down(void) { return KEY_DOWN; }
static inline int attache_key_left(void) { return KEY_LEFT; }
static inline int attache_key_right(void) { return KEY_RIGHT; }
static inline int attache_key_npage(void) { return KEY_NPAGE; }
static inline int attache_key_ppage(void) { return KEY_PPAGE; }
static inline int attache_key_home(void) { return KEY_HOME; }
static inline int attache_key_end(void) { return KEY_END; }
static inline int attache_key_enter(void) { return KEY_ENTER; }
static inline int attache_key_backspace(void) { return KEY_BACKSPACE; }
static inline int attache_key_btab(void) { return KEY_BTAB; }
static inline int attache_key_dc(void) { return KEY_DC; }
static inline int attache_key_code_yes(void) { return KEY_CODE_YES; }

static inline int attache_key_mouse(void) { return KEY_MOUSE; }

/// Asks the terminal for clicks and the wheel (no motion, no click delay: a click acts at once).
static inline void attache_enable_mouse(void) {
    mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
}

/// Reads the mouse event behind a KEY_MOUSE: 1 with the cell and what happened (0 a click,
/// 1 the wheel up, 2 the wheel down), 0 for anything else.
static inline int attache_get_mouse(int *x, int *y, int *kind) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *x = event.x;
    *y = event.y;
    if (event.bstate & BUTTON4_PRESSED) { *kind = 1; return 1; }
    if (event.bstate & BUTTON5_PRESSED) { *kind = 2; return 1; }
    if (event.bstate & BUTTON1_PRESSED) { *kind = 0; return 1; }
    return 0;
}

/// Draws a UTF-8 string at (row, column) with attributes; ncursesw decodes it per the locale.
static inline void attache_put(int row, int column, const char *utf8, attr_t attributes) {
    attrset(attributes);
    mvaddstr(row, column, utf8);
}

// term.h last: its capability macros (`lines`, `columns`, …) would rename what is above.
#include <ncursesw/term.h>

/// Whether the terminal TERM names can run a full screen, asked of terminfo before `initscr`
/// (which on failure prints "Error opening terminal" and exits the process): 0 when it can,
/// 1 when terminfo has no such terminal (or TERM is unset), 2 when it cannot move the cursor
/// (`dumb`, a printing terminal).
static inline int attache_check_terminal(void) {
    int status = 0;
    if (setupterm(NULL, 1, &status) != OK) return 1;
    const char *cup = tigetstr("cup");
    int usable = cup != NULL && cup != (char *)-1;
    del_curterm(cur_term);
    return usable ? 0 : 2;
}

/// Whether the terminal started has an alternate screen (`smcup`): without one (`linux`,
/// `vt100`) the last frame stays on the terminal after `endwin` unless it is cleared.
static inline int attache_has_alternate_screen(void) {
    const char *smcup = tigetstr("smcup");
    return smcup != NULL && smcup != (char *)-1 && smcup[0] != 0;
}

#endif
