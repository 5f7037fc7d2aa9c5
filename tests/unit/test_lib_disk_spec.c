/*
 * Xen's disk specification syntax (lib/disk_spec.c): the equivalent forms
 * of xl-disk-configuration(5), libxl's vdev numbers, the refusals, and the
 * canonical form that round-trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "disk_spec.h"

static struct disk_spec parse_ok(const char *s)
{
	struct disk_spec d;
	char err[256] = "";

	if (disk_spec_parse(s, &d, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", s, err);
	return d;
}

static void parse_err(const char *s, const char *want)
{
	struct disk_spec d;
	char err[256] = "";

	assert_int_equal(disk_spec_parse(s, &d, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("'%s': error '%s' does not say '%s'", s, err, want);
}

static void equivalent_forms(void **state)
{
	static const char *const disk[] = {
		"/dev/vg/guest-volume,,hda",
		"/dev/vg/guest-volume,raw,hda,rw",
		"format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume",
		"raw:/dev/vg/guest-volume,hda,w",
	};
	static const char *const cd[] = {
		"/root/image.iso,,hdc,cdrom",
		"/root/image.iso,,hdc,,cdrom",
		"/root/image.iso,raw,hdc,devtype=cdrom",
		"format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso",
		"raw:/root/image.iso,hdc:cdrom,ro",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(disk) / sizeof(disk[0]); i++) {
		struct disk_spec d = parse_ok(disk[i]);
		assert_string_equal(d.target, "/dev/vg/guest-volume");
		assert_string_equal(d.vdev, "hda");
		assert_int_equal(d.devid, 3 << 8);
		assert_false(d.readonly);
		assert_false(d.cdrom);
	}
	for (size_t i = 0; i < sizeof(cd) / sizeof(cd[0]); i++) {
		struct disk_spec d = parse_ok(cd[i]);
		assert_string_equal(d.target, "/root/image.iso");
		assert_int_equal(d.devid, 22 << 8);
		assert_true(d.readonly);
		assert_true(d.cdrom);
	}
}

static void old_positional_and_targets_with_commas(void **state)
{
	struct disk_spec d;

	(void)state;
	d = parse_ok("file:/images/a.img,xvda,w");
	assert_string_equal(d.target, "/images/a.img");
	assert_int_equal(d.devid, 51712);
	assert_false(d.readonly);
	d = parse_ok("phy:/dev/sdb,xvdb,r");
	assert_true(d.readonly);
	assert_int_equal(d.devid, 51728);
	d = parse_ok("vdev=xvdc,no-discard,target=/x/a,b c.img");
	assert_string_equal(d.target, "/x/a,b c.img");
	assert_false(d.discard);
}

static void vdev_numbers(void **state)
{
	static const struct { const char *v; unsigned int id; } t[] = {
		{"xvda", 51712}, {"xvda1", 51713}, {"xvdb", 51728}, {"xvdp15", 51967},
		{"xvdq", (1u << 28) | (16 << 8)}, {"xvdaa", (1u << 28) | (26 << 8)},
		{"xvdq3", (1u << 28) | (16 << 8) | 3}, {"hda", 768}, {"hdb", 832},
		{"hdc", 5632}, {"hdd2", 5698}, {"sda", 2048}, {"sdb1", 2065}, {"d0p1", 51713},
		{"d20", (1u << 28) | (20 << 8)}, {"51712", 51712},
	};
	static const char *const bad[] = {"xvd", "xvdA", "xvda01", "xvda256", "hdu", "sdq",
					  "vda", "", "d", "d1p", "xvda-1"};
	unsigned int id;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(disk_vdev_to_devid(t[i].v, &id), 0);
		if (id != t[i].id)
			fail_msg("%s: %u, expected %u", t[i].v, id, t[i].id);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (disk_vdev_to_devid(bad[i], &id) == 0)
			fail_msg("'%s' accepted as %u", bad[i], id);
}

static void refusals_say_what(void **state)
{
	(void)state;
	parse_err("/a.img,qcow2,xvda", "format 'qcow2' is not supported");
	parse_err("qcow2:/a.img,xvda,w", "format 'qcow2' is not supported");
	parse_err("tap:qcow2:/a.img,xvda,w", "format 'qcow2' is not supported");
	parse_err("iscsi:iqn.x,xvda,w", "script prefix 'iscsi:'");
	parse_err("vdev=xvda,script=block-drbd,target=/a", "script=");
	parse_err("vdev=xvda,backendtype=tap,target=/a", "backendtype 'tap'");
	parse_err("vdev=xvda,backend=dd,target=/a", "backend 'dd'");
	parse_err("/a.img,raw,xvda,rw!", "shared writable");
	parse_err("/a.img,raw,xvda,rx", "invalid access 'rx'");
	parse_err("/a.img,raw", "no vdev");
	parse_err("/a.img,raw,vda", "invalid vdev 'vda'");
	parse_err("vdev=xvda", "no target");
	parse_err(",,hdc,cdrom", "empty cdrom");
	parse_err("/a,raw,xvda,rw,extra", "too many positional");
	parse_err("vdev=xvda,vdev=xvdb,target=/a", "vdev specified more than once");
	parse_err("vdev=xvda,colour=red,target=/a", "unknown disk parameter 'colour'");
	parse_err("/a,,xvda:floppy", "unknown device type suffix");
}

static void canonical_form_round_trips(void **state)
{
	struct disk_spec a, b;
	char buf[2048], err[128];

	(void)state;
	parse_err("target=/img/x.img,vdev=xvdb", "no vdev");	/* target= takes the rest */
	a = parse_ok("vdev=xvdb,access=ro,no-discard,target=/img/x,y.img");
	assert_true(disk_spec_format(&a, buf, sizeof(buf)) < (int)sizeof(buf));
	assert_string_equal(buf, "format=raw,vdev=xvdb,access=ro,devtype=disk,no-discard,"
				 "target=/img/x,y.img");
	assert_int_equal(disk_spec_parse(buf, &b, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equivalent_forms),
		cmocka_unit_test(old_positional_and_targets_with_commas),
		cmocka_unit_test(vdev_numbers),
		cmocka_unit_test(refusals_say_what),
		cmocka_unit_test(canonical_form_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
