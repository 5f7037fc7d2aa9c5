/*
 * A small vsnprintf: %s %c %d %i %u %x %X %p %%, l/ll/z, '0' and '#' flags,
 * width, and a precision for %s.
 */
#include <stdarg.h>

#include "guest.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_number(struct out *o, uint64_t v, unsigned int base, bool neg, bool upper,
		       unsigned int width, char pad, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0) + strlen(prefix);
	if (pad == ' ')
		for (; width > len; width--)
			put(o, ' ');
	if (neg)
		put(o, '-');
	while (*prefix)
		put(o, *prefix++);
	for (; width > len; width--)
		put(o, '0');
	while (n)
		put(o, tmp[--n]);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		unsigned int width = 0, longs = 0, precision = ~0U;
		bool alt = false;
		char pad = ' ';
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				pad = '0';
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		if (*fmt == '.') {
			precision = 0;
			for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				precision = precision * 10 + (unsigned int)(*fmt - '0');
		}
		while (*fmt == 'l' || *fmt == 'z')
			longs++, fmt++;

		switch (*fmt) {
		case 'd':
		case 'i':
			s = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			put_number(&o, u, 10, s < 0, false, width, pad, "");
			break;
		case 'u':
			u = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_number(&o, u, 10, false, false, width, pad, "");
			break;
		case 'x':
		case 'X':
			u = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_number(&o, u, 16, false, *fmt == 'X', width, pad, alt && u ? "0x" : "");
			break;
		case 'p':
			u = (uint64_t)va_arg(ap, void *);
			put_number(&o, u, 16, false, false, width, pad, "0x");
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			size_t n;

			if (!str)
				str = "(null)";
			n = strnlen(str, precision);
			for (; width > n; width--)
				put(&o, ' ');
			while (n--)
				put(&o, *str++);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default: /* unknown conversion: print it as it is */
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}
