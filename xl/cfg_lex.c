/*
 * The xl.cfg lexer, and the error lines both halves of the parser print.
 *
 * Tokens (Xen's lexer, longest match first):
 *   [a-z][._0-9a-z]*  IDENT        [0-9][0-9a-fx]*  NUMBER
 *   '...' or "..."    STRING (backslash escapes; no newline inside)
 *   , [ ] = ; +=      themselves   newline, or # comment with its newline
 *   blanks            skipped
 * Anything else is a lexical error that swallows the rest of the word; one
 * of + - . ( ) : there suggests the file is Xen's old Python format.
 */
#include "cfg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cfg_report_error(struct cfg_ctx *ctx, int line, const char *msg)
{
	const char *text = ctx->text;
	size_t len = ctx->text_len;
	const char *newline = "";
	bool quote;

	if (line <= ctx->lexerr_line)
		return;
	if (ctx->text_eof) {
		/* At the end of the input Xen quotes what an unfinished lexical
		 * error had collected, even nothing. */
		quote = true;
	} else {
		if (len > 0 && text[len - 1] == '\n') {
			len--;
			line--;
			if (!len)
				newline = "<newline>";
		}
		while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
			len--;
		quote = len > 0;
	}
	fprintf(ctx->cfg->report, "%s:%d: config parsing error near %s%.*s%s%s: %s\n",
		ctx->cfg->source, line, quote ? "`" : "", (int)len, text, quote ? "'" : "", newline,
		msg);
	if (!ctx->err)
		ctx->err = EINVAL;
}

void cfg_lexical_error(struct cfg_ctx *ctx, const char *msg)
{
	cfg_report_error(ctx, ctx->line, msg);
	ctx->lexerr_line = ctx->line;
}

static void set_match(struct cfg_ctx *ctx, size_t start)
{
	ctx->text = ctx->buf + start;
	ctx->text_len = ctx->pos - start;
	ctx->text_eof = false;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static bool is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
}

static bool is_number_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == 'x';
}

/* Octal-looking escapes, as Xen's xl treats them: after the first digit,
 * up to three more characters are read as a decimal number, of which at
 * least two must be used; the escape then produces no character at all. */
static int skip_digit_escape(struct cfg_ctx *ctx, const char **pp, const char *token_end)
{
	char num[4] = "";
	size_t avail = (size_t)(token_end - *pp);
	char *ep;

	strncpy(num, *pp, avail < 3 ? avail : 3);
	num[3] = '\0';
	(void)strtoul(num, &ep, 10);
	if (ep <= num + 1) {
		cfg_lexical_error(ctx, "invalid digit after backslash octalnumerical character "
				       "escape in quoted string");
		return -1;
	}
	*pp += ep - num;
	return 0;
}

/* The value of a quoted string token (quotes included in s..s+len). */
static char *dequote(struct cfg_ctx *ctx, const char *s, size_t len)
{
	const char *p = s + 1, *end = s + len - 1;
	char *out = malloc(len - 1);
	char *q = out;

	if (!out) {
		ctx->err = ENOMEM;
		return NULL;
	}
	while (p < end) {
		char c = *p++;

		if (c != '\\') {
			*q++ = c;
			continue;
		}
		c = *p++; /* the lexer guarantees a character after '\' */
		switch (c) {
		case '"':
		case '\'':
		case '\\':
			*q++ = c;
			break;
		case 'a':
			*q++ = '\a';
			break;
		case 'b':
			*q++ = '\b';
			break;
		case 'f':
			*q++ = '\f';
			break;
		case 'n':
			*q++ = '\n';
			break;
		case 'r':
			*q++ = '\r';
			break;
		case 't':
			*q++ = '\t';
			break;
		case 'v':
			*q++ = '\v';
			break;
		case 'x':
			/* Xen's xl rejects every \x escape. */
			cfg_lexical_error(ctx,
					  "invalid digit after backslash hexnumerical character "
					  "escape in quoted string");
			ctx->err = EINVAL;
			goto out;
		default:
			if (c >= '0' && c <= '7') {
				if (skip_digit_escape(ctx, &p, s + len) < 0) {
					ctx->err = EINVAL;
					goto out;
				}
				break;
			}
			/* (sic: Xen's message) */
			cfg_lexical_error(ctx, "invalid character after backlash in quoted string");
			ctx->err = EINVAL;
			goto out;
		}
	}
out:
	*q = '\0';
	return out;
}

/* End (one past the closing quote) of a string starting at ctx->pos, or 0
 * if none: a newline, or a backslash before a newline, ends the attempt. */
static size_t string_end(const struct cfg_ctx *ctx)
{
	char quote = ctx->buf[ctx->pos];

	for (size_t i = ctx->pos + 1; i < ctx->len; i++) {
		char c = ctx->buf[i];

		if (c == quote)
			return i + 1;
		if (c == '\n')
			return 0;
		if (c == '\\') {
			if (i + 1 >= ctx->len || ctx->buf[i + 1] == '\n')
				return 0;
			i++;
		}
	}
	return 0;
}

static char *dup_match(struct cfg_ctx *ctx)
{
	char *s;

	if (ctx->err)
		return NULL;
	s = strndup(ctx->text, ctx->text_len);
	if (!s)
		ctx->err = ENOMEM;
	return s;
}

static enum cfg_tok token(struct cfg_ctx *ctx, size_t start, size_t end, enum cfg_tok tok)
{
	ctx->pos = end;
	set_match(ctx, start);
	ctx->tok_line = ctx->line;
	return tok;
}

static enum cfg_tok newline(struct cfg_ctx *ctx, size_t start, size_t end)
{
	ctx->pos = end;
	set_match(ctx, start);
	ctx->tok_line = ctx->line; /* the line the newline ends */
	ctx->line++;
	return TOK_NEWLINE;
}

/*
 * A character no token starts with, at ctx->pos. The report covers it and
 * the rest of its word; a newline right after it still counts as one.
 * Returns TOK_NEWLINE in that case, TOK_END if the character ends the
 * input (then it is not reported, as in Xen, but it is the text a syntax
 * error at the end quotes), else TOK_NR: no token, carry on.
 */
static enum cfg_tok bad_char(struct cfg_ctx *ctx, bool python)
{
	size_t start = ctx->pos;

	if (python)
		ctx->likely_python = true;
	ctx->pos++;
	if (ctx->pos >= ctx->len) {
		set_match(ctx, start);
		ctx->text_eof = true;
		return TOK_END;
	}
	if (ctx->buf[ctx->pos] == '\n') {
		ctx->pos++;
		ctx->line++;
		set_match(ctx, start);
		cfg_lexical_error(ctx, "lexical error");
		ctx->tok_line = ctx->line;
		return TOK_NEWLINE;
	}
	if (is_blank(ctx->buf[ctx->pos])) {
		ctx->pos++;
	} else {
		while (ctx->pos < ctx->len && !is_blank(ctx->buf[ctx->pos]) &&
		       ctx->buf[ctx->pos] != '\n')
			ctx->pos++;
	}
	set_match(ctx, start);
	cfg_lexical_error(ctx, "lexical error");
	return TOK_NR;
}

enum cfg_tok cfg_lex(struct cfg_ctx *ctx)
{
	for (;;) {
		size_t start = ctx->pos, end;
		enum cfg_tok tok;
		const char *nl;
		char c;

		ctx->tok_str = NULL;
		if (start >= ctx->len) {
			ctx->text = "";
			ctx->text_len = 0;
			ctx->text_eof = true;
			return TOK_END;
		}
		c = ctx->buf[start];
		if (c >= 'a' && c <= 'z') {
			for (end = start + 1; end < ctx->len && is_ident_char(ctx->buf[end]); end++)
				;
			tok = token(ctx, start, end, TOK_IDENT);
			ctx->tok_str = dup_match(ctx);
			return tok;
		}
		if (c >= '0' && c <= '9') {
			for (end = start + 1; end < ctx->len && is_number_char(ctx->buf[end]);
			     end++)
				;
			tok = token(ctx, start, end, TOK_NUMBER);
			ctx->tok_str = dup_match(ctx);
			return tok;
		}
		switch (c) {
		case ' ':
		case '\t':
			ctx->pos++;
			continue;
		case ',':
			return token(ctx, start, start + 1, TOK_COMMA);
		case '[':
			return token(ctx, start, start + 1, TOK_LBRACK);
		case ']':
			return token(ctx, start, start + 1, TOK_RBRACK);
		case '=':
			return token(ctx, start, start + 1, TOK_EQ);
		case ';':
			return token(ctx, start, start + 1, TOK_SEMI);
		case '\n':
			return newline(ctx, start, start + 1);
		case '+':
			if (start + 1 < ctx->len && ctx->buf[start + 1] == '=')
				return token(ctx, start, start + 2, TOK_ADD);
			tok = bad_char(ctx, true);
			break;
		case '-':
		case '.':
		case '(':
		case ')':
		case ':':
			tok = bad_char(ctx, true);
			break;
		case '#':
			nl = memchr(ctx->buf + start, '\n', ctx->len - start);
			if (nl)
				return newline(ctx, start, (size_t)(nl - ctx->buf) + 1);
			tok = bad_char(ctx, false);
			break;
		case '"':
		case '\'':
			end = string_end(ctx);
			if (end) {
				tok = token(ctx, start, end, TOK_STRING);
				if (!ctx->err)
					ctx->tok_str = dequote(ctx, ctx->text, ctx->text_len);
				return tok;
			}
			tok = bad_char(ctx, false);
			break;
		default:
			tok = bad_char(ctx, false);
			break;
		}
		if (tok != TOK_NR)
			return tok;
	}
}
