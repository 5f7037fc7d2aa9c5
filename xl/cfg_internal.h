/*
 * Between the xl.cfg lexer (cfg_lex.c) and parser (cfg_parse.c).
 *
 * Diagnostics reproduce Xen's: where an error is reported, which line it
 * names, which errors are suppressed after another one. Those depend on
 * details of a flex scanner and a bison parser, which is why the lexer
 * keeps "the text of the last match" and "the line of the last token"
 * exactly as those tools would.
 */
#ifndef XL_CFG_INTERNAL_H
#define XL_CFG_INTERNAL_H

#include "cfg.h"

enum cfg_tok {
	TOK_END,
	TOK_IDENT,
	TOK_STRING,
	TOK_NUMBER,
	TOK_NEWLINE,
	TOK_ADD, /* += */
	TOK_EQ,
	TOK_SEMI,
	TOK_LBRACK,
	TOK_RBRACK,
	TOK_COMMA,
	TOK_NR
};

struct cfg_ctx {
	struct cfg *cfg;
	int err;	    /* first failure (positive errno), 0 if none */
	int lexerr_line;    /* errors on lines up to this one are not reported */
	bool likely_python; /* a character that suggests Python was seen */

	const char *buf;
	size_t len, pos;
	int line;	  /* 1 + newlines consumed so far */
	const char *text; /* the last match, for "near `...'" */
	size_t text_len;
	bool text_eof; /* the last match was the end of the input */
	int tok_line;  /* the line a token is reported at */
	char *tok_str; /* IDENT, NUMBER or STRING value (owned by the taker) */
};

void cfg_value_free(struct cfg_value *v);

/* Next token. Lexical errors are reported on the way and produce no token. */
enum cfg_tok cfg_lex(struct cfg_ctx *ctx);

/* Xen's error line at line, near the last match, and ctx->err = EINVAL. */
void cfg_report_error(struct cfg_ctx *ctx, int line, const char *msg);
/* A lexical error: reported at the current line, which then silences
 * further errors up to it. */
void cfg_lexical_error(struct cfg_ctx *ctx, const char *msg);

#endif /* XL_CFG_INTERNAL_H */
