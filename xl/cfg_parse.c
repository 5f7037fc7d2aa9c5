/*
 * The xl.cfg parser: an LALR(1) automaton for Xen's grammar, run the way a
 * bison parser runs, so that errors are reported (and recovered from, or
 * not) exactly where Xen's xl does:
 *
 *   file       : stmts | stmts assignment
 *   stmts      : <empty> | stmts stmt
 *   stmt       : assignment endstmt | endstmt | error NEWLINE
 *   assignment : IDENT '=' value | IDENT "+=" value
 *   endstmt    : NEWLINE | ';'
 *   value      : atom | '[' nlok valuelist ']'
 *   atom       : STRING | NUMBER
 *   valuelist  : <empty> | values | values ',' nlok
 *   values     : value nlok | values ',' nlok value nlok
 *   nlok       : <empty> | nlok NEWLINE
 *
 * Error recovery is bison's: after an error, pop to the state that can
 * shift `error` (only "stmts ."), drop tokens up to a NEWLINE, and report
 * nothing more until three tokens have been shifted. An error after a
 * complete last assignment ("expecting $end") cannot recover: it ends the
 * parse.
 */
#include "cfg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum nonterminal {
	NT_FILE, NT_STMTS, NT_STMT, NT_ASSIGNMENT, NT_ENDSTMT,
	NT_VALUE, NT_ATOM, NT_VALUELIST, NT_VALUES, NT_NLOK,
};

enum rule {
	R_NONE,
	R_FILE,			/* file: stmts */
	R_FILE_LAST,		/* file: stmts assignment */
	R_STMTS_EMPTY,		/* stmts: */
	R_STMTS_MORE,		/* stmts: stmts stmt */
	R_STMT_ASSIGNMENT,	/* stmt: assignment endstmt */
	R_STMT_EMPTY,		/* stmt: endstmt */
	R_STMT_ERROR,		/* stmt: error NEWLINE */
	R_ASSIGN,		/* assignment: IDENT '=' value */
	R_APPEND,		/* assignment: IDENT "+=" value */
	R_END_NEWLINE,		/* endstmt: NEWLINE */
	R_END_SEMI,		/* endstmt: ';' */
	R_VALUE_ATOM,		/* value: atom */
	R_VALUE_LIST,		/* value: '[' nlok valuelist ']' */
	R_ATOM_STRING,		/* atom: STRING */
	R_ATOM_NUMBER,		/* atom: NUMBER */
	R_LIST_EMPTY,		/* valuelist: */
	R_LIST_VALUES,		/* valuelist: values */
	R_LIST_COMMA,		/* valuelist: values ',' nlok */
	R_VALUES_ONE,		/* values: value nlok */
	R_VALUES_MORE,		/* values: values ',' nlok value nlok */
	R_NLOK_EMPTY,		/* nlok: */
	R_NLOK_MORE,		/* nlok: nlok NEWLINE */
	R_NR
};

static const struct {
	enum nonterminal lhs;
	int len;
} rules[R_NR] = {
	[R_FILE] = {NT_FILE, 1},	 [R_FILE_LAST] = {NT_FILE, 2},
	[R_STMTS_EMPTY] = {NT_STMTS, 0}, [R_STMTS_MORE] = {NT_STMTS, 2},
	[R_STMT_ASSIGNMENT] = {NT_STMT, 2}, [R_STMT_EMPTY] = {NT_STMT, 1},
	[R_STMT_ERROR] = {NT_STMT, 2},	 [R_ASSIGN] = {NT_ASSIGNMENT, 3},
	[R_APPEND] = {NT_ASSIGNMENT, 3}, [R_END_NEWLINE] = {NT_ENDSTMT, 1},
	[R_END_SEMI] = {NT_ENDSTMT, 1},	 [R_VALUE_ATOM] = {NT_VALUE, 1},
	[R_VALUE_LIST] = {NT_VALUE, 4},	 [R_ATOM_STRING] = {NT_ATOM, 1},
	[R_ATOM_NUMBER] = {NT_ATOM, 1},	 [R_LIST_EMPTY] = {NT_VALUELIST, 0},
	[R_LIST_VALUES] = {NT_VALUELIST, 1}, [R_LIST_COMMA] = {NT_VALUELIST, 3},
	[R_VALUES_ONE] = {NT_VALUES, 2}, [R_VALUES_MORE] = {NT_VALUES, 5},
	[R_NLOK_EMPTY] = {NT_NLOK, 0},	 [R_NLOK_MORE] = {NT_NLOK, 2},
};

/*
 * The automaton. shift[tok] is the next state (0: none); reduce_end is an
 * explicit reduction on $end; dflt the reduction taken on any other
 * token, or without reading one when the state has no explicit action.
 */
#define S_ERROR_SHIFT 4		/* after shifting `error` */
#define S_ACCEPT 3

struct state {
	unsigned char shift[TOK_NR];
	enum rule reduce_end;
	enum rule dflt;
	bool shifts_error;
};

static const struct state states[] = {
	/* 0: $accept: . file $end */
	[0] = {.dflt = R_STMTS_EMPTY},
	/* 1: $accept: file . $end */
	[1] = {.shift = {[TOK_END] = 3}},
	/* 2: file: stmts . | stmts . assignment; stmts: stmts . stmt */
	[2] = {.shift = {[TOK_IDENT] = 5, [TOK_NEWLINE] = 6, [TOK_SEMI] = 7},
	       .reduce_end = R_FILE, .shifts_error = true},
	[S_ACCEPT] = {.dflt = R_NONE},
	/* 4: stmt: error . NEWLINE */
	[4] = {.shift = {[TOK_NEWLINE] = 11}},
	/* 5: assignment: IDENT . '=' value | IDENT . "+=" value */
	[5] = {.shift = {[TOK_ADD] = 12, [TOK_EQ] = 13}},
	[6] = {.dflt = R_END_NEWLINE},
	[7] = {.dflt = R_END_SEMI},
	[8] = {.dflt = R_STMTS_MORE},
	/* 9: file: stmts assignment . ; stmt: assignment . endstmt */
	[9] = {.shift = {[TOK_NEWLINE] = 6, [TOK_SEMI] = 7}, .dflt = R_FILE_LAST},
	[10] = {.dflt = R_STMT_EMPTY},
	[11] = {.dflt = R_STMT_ERROR},
	/* 12, 13: assignment: IDENT "+=" . value | IDENT '=' . value */
	[12] = {.shift = {[TOK_STRING] = 15, [TOK_NUMBER] = 16, [TOK_LBRACK] = 17}},
	[13] = {.shift = {[TOK_STRING] = 15, [TOK_NUMBER] = 16, [TOK_LBRACK] = 17}},
	[14] = {.dflt = R_STMT_ASSIGNMENT},
	[15] = {.dflt = R_ATOM_STRING},
	[16] = {.dflt = R_ATOM_NUMBER},
	[17] = {.dflt = R_NLOK_EMPTY},
	[18] = {.dflt = R_APPEND},
	[19] = {.dflt = R_VALUE_ATOM},
	[20] = {.dflt = R_ASSIGN},
	/* 21: value: '[' nlok . valuelist ']'; nlok: nlok . NEWLINE */
	[21] = {.shift = {[TOK_STRING] = 15, [TOK_NUMBER] = 16, [TOK_NEWLINE] = 22,
			  [TOK_LBRACK] = 17},
		.dflt = R_LIST_EMPTY},
	[22] = {.dflt = R_NLOK_MORE},
	[23] = {.dflt = R_NLOK_EMPTY},
	/* 24: value: '[' nlok valuelist . ']' */
	[24] = {.shift = {[TOK_RBRACK] = 27}},
	/* 25: valuelist: values . | values . ',' nlok; values: values . ',' ... */
	[25] = {.shift = {[TOK_COMMA] = 28}, .dflt = R_LIST_VALUES},
	/* 26: values: value nlok . ; nlok: nlok . NEWLINE */
	[26] = {.shift = {[TOK_NEWLINE] = 22}, .dflt = R_VALUES_ONE},
	[27] = {.dflt = R_VALUE_LIST},
	[28] = {.dflt = R_NLOK_EMPTY},
	/* 29: valuelist: values ',' nlok . ; values: values ',' nlok . value nlok */
	[29] = {.shift = {[TOK_STRING] = 15, [TOK_NUMBER] = 16, [TOK_NEWLINE] = 22,
			  [TOK_LBRACK] = 17},
		.dflt = R_LIST_COMMA},
	[30] = {.dflt = R_NLOK_EMPTY},
	/* 31: values: values ',' nlok value nlok . ; nlok: nlok . NEWLINE */
	[31] = {.shift = {[TOK_NEWLINE] = 22}, .dflt = R_VALUES_MORE},
};

static int goto_state(int from, enum nonterminal nt)
{
	switch (nt) {
	case NT_FILE: return 1;
	case NT_STMTS: return 2;
	case NT_STMT: return 8;
	case NT_ASSIGNMENT: return 9;
	case NT_ENDSTMT: return from == 9 ? 14 : 10;
	case NT_VALUE:
		return from == 12 ? 18 : from == 13 ? 20 : from == 21 ? 23 : 30;
	case NT_ATOM: return 19;
	case NT_VALUELIST: return 24;
	case NT_VALUES: return 25;
	case NT_NLOK:
		return from == 17 ? 21 : from == 23 ? 26 : from == 28 ? 29 : 31;
	}
	return -1;
}

static bool has_explicit_action(const struct state *s)
{
	if (s->reduce_end)
		return true;
	for (int t = 0; t < TOK_NR; t++)
		if (s->shift[t])
			return true;
	return false;
}

static const char *const token_names[TOK_NR] = {
	"$end", "IDENT", "STRING", "NUMBER", "NEWLINE", "+=", "'='", "';'", "'['", "']'", "','",
};

/* ---- values --------------------------------------------------------------- */

void cfg_value_free(struct cfg_value *v)
{
	if (!v)
		return;
	free(v->string);
	for (int i = 0; i < v->nitems; i++)
		cfg_value_free(v->items[i]);
	free(v->items);
	free(v);
}

static struct cfg_value *value_new(struct cfg_ctx *ctx, enum cfg_type type, int line)
{
	struct cfg_value *v = calloc(1, sizeof(*v));

	if (!v) {
		ctx->err = ENOMEM;
		return NULL;
	}
	v->type = type;
	v->line = line;
	return v;
}

static int list_append(struct cfg_value *list, struct cfg_value *item)
{
	if (list->nitems == list->capacity) {
		int cap = list->capacity ? list->capacity * 2 : 4;
		struct cfg_value **items;

		if (cap > 1 << 24)
			return -ERANGE;
		items = realloc(list->items, (size_t)cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		list->items = items;
		list->capacity = cap;
	}
	list->items[list->nitems++] = item;
	return 0;
}

static const struct cfg_setting *find(const struct cfg *cfg, const char *name)
{
	for (const struct cfg_setting *s = cfg->settings; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

/* `name += value`: value becomes the previous value followed by itself.
 * The previous list gives its items away (it stays, shadowed, empty). */
static int join(struct cfg_ctx *ctx, struct cfg_value *prev, struct cfg_value *v)
{
	if (prev->type != v->type) {
		cfg_lexical_error(ctx, "can't add [list] to \"string\" or vice versa");
		return EINVAL;
	}
	if (v->type == CFG_STRING) {
		size_t a = strlen(prev->string), b = strlen(v->string);
		char *s = malloc(a + b + 1);

		if (!s)
			return ENOMEM;
		memcpy(s, prev->string, a);
		memcpy(s + a, v->string, b + 1);
		free(v->string);
		v->string = s;
		return 0;
	}
	struct cfg_value joined = {.type = CFG_LIST};
	for (int i = 0; i < prev->nitems; i++)
		if (list_append(&joined, prev->items[i]))
			goto nomem;
	for (int i = 0; i < v->nitems; i++)
		if (list_append(&joined, v->items[i]))
			goto nomem;
	free(prev->items);
	free(v->items);
	prev->items = NULL;
	prev->nitems = prev->capacity = 0;
	v->items = joined.items;
	v->nitems = joined.nitems;
	v->capacity = joined.capacity;
	return 0;
nomem:
	free(joined.items);
	return ENOMEM;
}

static void store(struct cfg_ctx *ctx, char *name, bool append, struct cfg_value *v, int line)
{
	struct cfg_setting *s = NULL;
	const struct cfg_setting *prev;
	int rc;

	if (ctx->err)
		goto out;
	if (append && (prev = find(ctx->cfg, name))) {
		rc = join(ctx, prev->value, v);
		if (rc) {
			ctx->err = rc;
			goto out;
		}
	}
	s = malloc(sizeof(*s));
	if (!s) {
		ctx->err = ENOMEM;
		goto out;
	}
	s->name = name;
	s->value = v;
	s->append = append;
	s->line = line;
	s->next = ctx->cfg->settings;
	ctx->cfg->settings = s;
	return;
out:
	free(name);
	cfg_value_free(v);
}

/* ---- the parser -------------------------------------------------------- */

struct slot {
	int state;
	int line;
	char *str;		/* token or atom text */
	struct cfg_value *val;	/* value, valuelist, values */
};

/* bison's default stack limit */
#define STACK_MAX 10000

struct parser {
	struct cfg_ctx *ctx;
	struct slot *stack;
	int top, cap;
};

static void slot_free(struct slot *s)
{
	free(s->str);
	cfg_value_free(s->val);
	s->str = NULL;
	s->val = NULL;
}

static int push(struct parser *p, int state, int line, char *str, struct cfg_value *val)
{
	if (p->top + 1 >= p->cap) {
		int cap = p->cap ? p->cap * 2 : 64;
		struct slot *stack;

		if (cap > STACK_MAX)
			cap = STACK_MAX;
		if (p->top + 1 >= cap)
			goto exhausted;
		stack = realloc(p->stack, (size_t)cap * sizeof(*stack));
		if (!stack)
			goto exhausted;
		p->stack = stack;
		p->cap = cap;
	}
	p->top++;
	p->stack[p->top] = (struct slot){.state = state, .line = line, .str = str, .val = val};
	return 0;
exhausted:
	free(str);
	cfg_value_free(val);
	cfg_report_error(p->ctx, p->ctx->tok_line, "memory exhausted");
	return -1;
}

/* Run rule r's action on rhs[0 .. len-1] into *lhs (rhs already popped). */
static void reduce_action(struct cfg_ctx *ctx, enum rule r, struct slot *rhs, struct slot *lhs)
{
	struct cfg_value *v;

	switch (r) {
	case R_ATOM_STRING:
	case R_ATOM_NUMBER:
		lhs->str = rhs[0].str;
		rhs[0].str = NULL;
		break;
	case R_VALUE_ATOM:
		if (ctx->err)
			break;
		v = value_new(ctx, CFG_STRING, rhs[0].line);
		if (v) {
			v->string = rhs[0].str;
			rhs[0].str = NULL;
		}
		lhs->val = v;
		break;
	case R_VALUE_LIST:
		lhs->val = rhs[2].val;
		rhs[2].val = NULL;
		break;
	case R_LIST_EMPTY:
		if (!ctx->err)
			lhs->val = value_new(ctx, CFG_LIST, lhs->line);
		break;
	case R_LIST_VALUES:
	case R_LIST_COMMA:
		lhs->val = rhs[0].val;
		rhs[0].val = NULL;
		break;
	case R_VALUES_ONE:
		if (ctx->err)
			break;
		v = value_new(ctx, CFG_LIST, rhs[0].line);
		if (v && list_append(v, rhs[0].val)) {
			ctx->err = ENOMEM;
			cfg_value_free(v);
			break;
		}
		if (v)
			rhs[0].val = NULL;
		lhs->val = v;
		break;
	case R_VALUES_MORE:
		lhs->val = rhs[0].val;
		rhs[0].val = NULL;
		if (ctx->err || !lhs->val || !rhs[3].val)
			break;
		if (list_append(lhs->val, rhs[3].val))
			ctx->err = ENOMEM;
		else
			rhs[3].val = NULL;
		break;
	case R_ASSIGN:
	case R_APPEND:
		store(ctx, rhs[0].str, r == R_APPEND, rhs[2].val, rhs[2].line);
		rhs[0].str = NULL;
		rhs[2].val = NULL;
		break;
	default:
		break;
	}
}

/* Pop the rule's symbols, act, and go to the next state. */
static int reduce(struct parser *p, enum rule r)
{
	int len = rules[r].len;
	struct slot rhs[5];
	struct slot lhs = {0};

	memcpy(rhs, &p->stack[p->top - len + 1], (size_t)len * sizeof(rhs[0]));
	p->top -= len;
	/* A symbol is on the line of its first part (an empty one: any line,
	 * nothing reports it). */
	lhs.line = len ? rhs[0].line : p->stack[p->top].line;
	reduce_action(p->ctx, r, rhs, &lhs);
	for (int i = 0; i < len; i++)
		slot_free(&rhs[i]);
	return push(p, goto_state(p->stack[p->top].state, rules[r].lhs), lhs.line, lhs.str,
		    lhs.val);
}

/* bison's verbose message: the unexpected token and, if there are at most
 * four, the ones the state could take. */
static void syntax_error(struct cfg_ctx *ctx, const struct state *s, enum cfg_tok tok)
{
	const char *expected[TOK_NR];
	char msg[256];
	int n = 0;

	for (int t = 0; t < TOK_NR; t++)
		if (s->shift[t] || (t == TOK_END && s->reduce_end))
			expected[n++] = token_names[t];
	snprintf(msg, sizeof(msg), "syntax error, unexpected %s", token_names[tok]);
	if (n <= 4) {
		for (int i = 0; i < n; i++) {
			strcat(msg, i ? " or " : ", expecting ");
			strcat(msg, expected[i]);
		}
	}
	cfg_report_error(ctx, ctx->tok_line, msg);
}

/* The parse itself; returns when accepted or aborted (ctx->err says). */
static void run(struct parser *p)
{
	struct cfg_ctx *ctx = p->ctx;
	int errstatus = 0;
	bool have_la = false;
	enum cfg_tok la = TOK_END;
	char *la_str = NULL;

	if (push(p, 0, 1, NULL, NULL))
		return;
	for (;;) {
		int state = p->stack[p->top].state;
		const struct state *s = &states[state];
		enum rule r = s->dflt;

		if (state == S_ACCEPT)
			break;
		if (has_explicit_action(s)) {
			if (!have_la) {
				la = cfg_lex(ctx);
				la_str = ctx->tok_str;
				have_la = true;
			}
			if (s->shift[la]) {
				if (errstatus)
					errstatus--;
				if (push(p, s->shift[la], ctx->tok_line, la_str, NULL))
					return;
				la_str = NULL;
				have_la = false;
				continue;
			}
			if (la == TOK_END && s->reduce_end)
				r = s->reduce_end;
		}
		if (r) {
			if (reduce(p, r))
				goto out;
			continue;
		}

		/* A syntax error, with la as the lookahead. */
		if (!errstatus)
			syntax_error(ctx, s, la);
		if (errstatus == 3) {
			if (la == TOK_END)
				goto out;
			free(la_str);
			la_str = NULL;
			have_la = false;
		}
		errstatus = 3;
		while (!states[p->stack[p->top].state].shifts_error) {
			if (p->top == 0)
				goto out;
			slot_free(&p->stack[p->top]);
			p->top--;
		}
		if (push(p, S_ERROR_SHIFT, ctx->tok_line, NULL, NULL))
			goto out;
	}
out:
	free(la_str);
}

int cfg_parse(struct cfg *cfg, const char *data, size_t len)
{
	struct cfg_ctx ctx = {
		.cfg = cfg, .lexerr_line = -1, .buf = data, .len = len, .line = 1,
		.text = "", .tok_line = 1,
	};
	struct parser p = {.ctx = &ctx, .top = -1};

	run(&p);
	for (; p.top >= 0; p.top--)
		slot_free(&p.stack[p.top]);
	free(p.stack);

	if (ctx.err && ctx.likely_python)
		fputs("warning: Config file looks like it contains Python code.\n"
		      "warning:  Arbitrary Python is no longer supported.\n"
		      "warning:  See https://wiki.xen.org/wiki/PythonInXlConfig\n",
		      cfg->report);
	return -ctx.err;
}
