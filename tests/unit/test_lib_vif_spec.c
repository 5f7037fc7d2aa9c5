/*
 * lib/vif_spec: Xen's vif syntax (tokens, MACs, rates), libxl's defaults,
 * and the canonical form xl hands the monitor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vif_spec.h"

static char msgs[1024];

/* Parse an item with messages captured in msgs. */
static enum vif_parse_result parse(struct vif_spec *v, const char *item)
{
	FILE *f = fmemopen(msgs, sizeof(msgs), "w");
	enum vif_parse_result r;

	assert_non_null(f);
	memset(msgs, 0, sizeof(msgs));
	r = vif_spec_parse_item(v, item, "test.cfg", f);
	fclose(f);
	return r;
}

static void test_item_keys(void **state)
{
	struct vif_spec v;

	(void)state;
	vif_spec_init(&v);
	assert_int_equal(parse(&v, "mac=00:16:3E:0a:0b:0c, bridge=br0,vifname=web0,"
				   "ip=10.0.0.2 10.0.0.3,script=my-script,mtu=9000,devid=3"),
			 VIF_PARSE_OK);
	assert_true(v.mac_set);
	assert_memory_equal(v.mac, ((uint8_t[]){0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c}), 6);
	assert_string_equal(v.bridge, "br0");
	assert_string_equal(v.vifname, "web0");
	assert_string_equal(v.ip, "10.0.0.2 10.0.0.3");
	assert_string_equal(v.script, "my-script");
	assert_int_equal(v.mtu, 9000);
	assert_int_equal(v.devid, 3);
	assert_string_equal(msgs, "");
}

static void test_item_last_wins_and_warnings(void **state)
{
	struct vif_spec v;

	(void)state;
	vif_spec_init(&v);
	assert_int_equal(parse(&v, "bridge=a,bogus=1,bridge=b"), VIF_PARSE_IGNORED);
	assert_string_equal(v.bridge, "b");
	assert_string_equal(msgs, "unrecognized argument `bogus=1'\n");

	vif_spec_init(&v);
	assert_int_equal(parse(&v, "mac=00:16:3e:zz:00:01"), VIF_PARSE_IGNORED);
	assert_false(v.mac_set);
	assert_string_equal(msgs, "Invalid parameter `mac'.\n");

	vif_spec_init(&v);
	assert_int_equal(parse(&v, "type=ioemu"), VIF_PARSE_OK);
	assert_true(v.type_ioemu);
	assert_int_equal(parse(&v, "type=e1000"), VIF_PARSE_IGNORED);
	assert_string_equal(msgs, "Invalid parameter `type'.\n");

	vif_spec_init(&v);
	assert_int_equal(parse(&v, "vifname=waytoolongname0123"), VIF_PARSE_IGNORED);
	assert_string_equal(v.vifname, "");
}

static void test_rates(void **state)
{
	struct vif_spec v;

	(void)state;
	vif_spec_init(&v);
	/* 10 Mbit/s = 1.25 MB/s, in 50 ms slices */
	assert_int_equal(parse(&v, "rate=10Mb/s"), VIF_PARSE_OK);
	assert_int_equal(v.rate_interval_usecs, 50000);
	assert_int_equal(v.rate_bytes_per_interval, 62500);
	assert_int_equal(parse(&v, "rate=1GB/s@20ms"), VIF_PARSE_OK);
	assert_int_equal(v.rate_interval_usecs, 20000);
	assert_int_equal(v.rate_bytes_per_interval, 20000000);
	assert_int_equal(parse(&v, "rate=100KB/s@500us"), VIF_PARSE_OK);
	assert_int_equal(v.rate_interval_usecs, 500);
	assert_int_equal(v.rate_bytes_per_interval, 50);
	assert_int_equal(parse(&v, "rate=8b/s@2"), VIF_PARSE_OK);
	assert_int_equal(v.rate_interval_usecs, 2000000);
	assert_int_equal(v.rate_bytes_per_interval, 2);

	assert_int_equal(parse(&v, "rate=10Mb"), VIF_PARSE_FATAL);
	assert_string_equal(msgs, "test.cfg: config parsing error in vif: invalid rate in `10Mb'\n");
	assert_int_equal(parse(&v, "rate=0Mb/s"), VIF_PARSE_FATAL);
	assert_string_equal(msgs, "test.cfg: config parsing error in vif: rate overflow in `0Mb/s'\n");
	assert_int_equal(parse(&v, "rate=@50ms"), VIF_PARSE_FATAL);
	assert_string_equal(msgs,
			    "test.cfg: config parsing error in vif: no rate specified in `@50ms'\n");
	assert_int_equal(parse(&v, "rate=1MB/s@5h"), VIF_PARSE_FATAL);
	assert_string_equal(msgs, "test.cfg: config parsing error in vif: invalid replenishment "
				  "interval in `5h'\n");
	assert_int_equal(parse(&v, "rate=1MB/s@5000s"), VIF_PARSE_FATAL);
	assert_string_equal(msgs, "test.cfg: config parsing error in vif: replenishment interval "
				  "overflow in `5000s'\n");
}

static void test_defaults(void **state)
{
	struct vif_spec a, b;

	(void)state;
	vif_spec_init(&a);
	vif_spec_set_defaults(&a);
	assert_true(a.mac_set);
	assert_int_equal(a.mac[0], 0x00);
	assert_int_equal(a.mac[1], 0x16);
	assert_int_equal(a.mac[2], 0x3e);
	assert_int_equal(a.mac[3] & 0x80, 0);
	assert_string_equal(a.bridge, "xenbr0");
	assert_string_equal(a.script, "vif-bridge");
	assert_int_equal(a.mtu, 1500);
	assert_int_equal(a.devid, -1);

	/* a given MAC is kept; random ones differ (23 random bits: a clash
	 * in 8 tries is ~4e-6 likely) */
	vif_spec_init(&b);
	assert_int_equal(parse(&b, "mac=aa:bb:cc:dd:ee:ff"), VIF_PARSE_OK);
	vif_spec_set_defaults(&b);
	assert_memory_equal(b.mac, ((uint8_t[]){0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}), 6);
	int same = 0;
	for (int i = 0; i < 8; i++) {
		vif_spec_init(&b);
		vif_spec_set_defaults(&b);
		same += !memcmp(a.mac, b.mac, 6);
	}
	assert_true(same < 8);
}

static void test_canonical_round_trip(void **state)
{
	struct vif_spec v, w;
	char buf[1024], err[256];

	(void)state;
	vif_spec_init(&v);
	assert_int_equal(parse(&v, "mac=00:16:3e:01:02:03,bridge=br0.10,vifname=web0,"
				   "ip=10.0.0.2,script=/etc/xen/scripts/vif-bridge,rate=10Mb/s"),
			 VIF_PARSE_OK);
	v.devid = 2;
	v.queues = 2;
	vif_spec_set_defaults(&v);
	assert_int_equal(vif_spec_format(&v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "devid=2,mac=00:16:3e:01:02:03,bridge=br0.10,"
				 "script=/etc/xen/scripts/vif-bridge,vifname=web0,ip=10.0.0.2,"
				 "rate_bytes=62500,rate_usecs=50000,mtu=1500,queues=2");
	assert_int_equal(vif_spec_parse_canonical(&w, buf, err, sizeof(err)), 0);
	assert_memory_equal(&v, &w, sizeof(v));
	assert_int_equal(vif_spec_format(&v, buf, 20), -ENOSPC);
}

static void test_canonical_strict(void **state)
{
	static const char *const bad[] = {
		"devid=0",					/* no mac */
		"mac=00:16:3e:01:02:03",			/* no devid */
		"devid=0,mac=00:16:3e:01:02:03,colour=red",	/* unknown key */
		"devid=70000,mac=00:16:3e:01:02:03",
		"devid=-1,mac=00:16:3e:01:02:03",
		"devid=0,mac=00:16:3e:01:02",
		"devid=0,mac=00:16:3e:01:02:03,script=relative",
		"devid=0,mac=00:16:3e:01:02:03,vifname=../x",
		"devid=0,mac=00:16:3e:01:02:03,vifname=a23456789012345x",
		"devid=0,mac=00:16:3e:01:02:03,mtu=20",
		"devid=0,mac=00:16:3e:01:02:03,queues=0",
		"devid=0,mac=00:16:3e:01:02:03,queues=9",
		"devid=0,mac=00:16:3e:01:02:03,rate_bytes=10",	/* without rate_usecs */
		"devid=0,mac=00:16:3e:01:02:03,bridge=a/b",
	};
	struct vif_spec v;
	char err[256], ifname[VIF_IFNAME_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (vif_spec_parse_canonical(&v, bad[i], err, sizeof(err)) != -EINVAL)
			fail_msg("accepted `%s'", bad[i]);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(vif_spec_parse_canonical(&v, "devid=7,mac=00:16:3e:01:02:03", err,
						  sizeof(err)),
			 0);
	assert_string_equal(v.bridge, "xenbr0");
	vif_spec_ifname(&v, 12, ifname);
	assert_string_equal(ifname, "vif12.7");
	strcpy(v.vifname, "web0");
	vif_spec_ifname(&v, 12, ifname);
	assert_string_equal(ifname, "web0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item_keys),
		cmocka_unit_test(test_item_last_wins_and_warnings),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_canonical_round_trip),
		cmocka_unit_test(test_canonical_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
