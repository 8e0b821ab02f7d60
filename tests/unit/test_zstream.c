/*
 * zstream: fixtures are made here with zlib deflate + Z_SYNC_FLUSH, the way
 * Discord's server writes zlib-stream (one deflate context per socket).
 */
#include "testlib.h"
#include "zstream.h"

#include <zlib.h>

struct deflater {
	z_stream zs;
	unsigned char buf[1 << 20];
	size_t len;
};

static void deflater_init(struct deflater *d)
{
	memset(&d->zs, 0, sizeof(d->zs));
	deflateInit(&d->zs, Z_DEFAULT_COMPRESSION);
}

/* Compresses text into d->buf (one Discord message, ends with 00 00 ff ff). */
static void deflater_msg(struct deflater *d, const char *text, size_t len)
{
	d->zs.next_in = (Bytef *)text;
	d->zs.avail_in = (uInt)len;
	d->zs.next_out = d->buf;
	d->zs.avail_out = sizeof(d->buf);
	deflate(&d->zs, Z_SYNC_FLUSH);
	d->len = sizeof(d->buf) - d->zs.avail_out;
}

TEST(multiple_messages_one_stream)
{
	struct deflater *d = malloc(sizeof(*d));
	struct zstream *z = zstream_new(1 << 20, 1 << 20);
	const char *msgs[] = {"{\"op\":10,\"d\":{\"heartbeat_interval\":41250}}",
			      "{\"op\":11,\"d\":null}", "{\"op\":11,\"d\":null}",
			      "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{}}"};
	const char *out;
	size_t out_len;

	REQUIRE(d && z);
	deflater_init(d);
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		deflater_msg(d, msgs[i], strlen(msgs[i]));
		CHECK(d->len >= 4 && !memcmp(d->buf + d->len - 4, "\0\0\xff\xff", 4));
		CHECK_INTEQ(zstream_push(z, d->buf, d->len, 1, &out, &out_len), ZSTREAM_OK);
		CHECK_INTEQ(out_len, strlen(msgs[i]));
		CHECK_STREQ(out, msgs[i]);
	}
	deflateEnd(&d->zs);
	zstream_free(z);
	free(d);
}

/* The zlib header is checked by hand (the stream is inflated raw): a raw
 * deflate stream, a preset dictionary or wrong check bits are refused. */
TEST(zlib_header_checked)
{
	struct deflater *d = malloc(sizeof(*d));
	const char *msg = "{\"op\":11,\"d\":null}";
	unsigned char bad[sizeof(d->buf)];
	const char *out;
	size_t out_len;
	struct zstream *z;

	REQUIRE(d);
	deflater_init(d);
	deflater_msg(d, msg, strlen(msg));
	REQUIRE(d->len > 6 && d->len <= sizeof(bad));
	CHECK_INTEQ(d->buf[0], 0x78);
	for (int variant = 0; variant < 4; variant++) {
		size_t len = d->len;

		memcpy(bad, d->buf, len);
		if (variant == 0) { /* no header at all: raw deflate */
			memmove(bad, bad + 2, len - 2);
			len -= 2;
		} else if (variant == 1) {
			bad[1] ^= 1; /* the check bits no longer divide by 31 */
		} else if (variant == 2) {
			bad[0] = 0x79; /* CM 9 */
		} else {
			bad[1] = 0xbb; /* FDICT set (0x78bb is a multiple of 31) */
		}
		REQUIRE(z = zstream_new(1 << 20, 1 << 20));
		CHECK_INTEQ(zstream_push(z, bad, len, 1, &out, &out_len), ZSTREAM_ECORRUPT);
		zstream_free(z);
	}
	/* The untouched stream still inflates. */
	REQUIRE(z = zstream_new(1 << 20, 1 << 20));
	CHECK_INTEQ(zstream_push(z, d->buf, d->len, 1, &out, &out_len), ZSTREAM_OK);
	CHECK_STREQ(out, msg);
	zstream_free(z);
	deflateEnd(&d->zs);
	free(d);
}

/* After a big payload the buffers can be freed; the stream goes on. */
TEST(trim_after_big_payload)
{
	struct deflater *d = malloc(sizeof(*d));
	struct zstream *z = zstream_new(1 << 20, 1 << 20);
	size_t big_len = 300000;
	char *big = malloc(big_len + 1);
	const char *small = "{\"op\":11,\"d\":null}";
	const char *out;
	size_t out_len;

	REQUIRE(d && z && big);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)('a' + (i * 7919 % 26));
	big[big_len] = '\0';
	deflater_init(d);
	deflater_msg(d, small, strlen(small));
	CHECK_INTEQ(zstream_push(z, d->buf, d->len, 1, &out, &out_len), ZSTREAM_OK);
	CHECK_INTEQ(zstream_trim(z, 256 << 10), 0); /* nothing big yet */
	deflater_msg(d, big, big_len);
	CHECK_INTEQ(zstream_push(z, d->buf, d->len, 1, &out, &out_len), ZSTREAM_OK);
	CHECK_INTEQ(out_len, big_len);
	CHECK(out && !memcmp(out, big, big_len));
	CHECK_INTEQ(zstream_trim(z, 256 << 10), 1);
	CHECK_INTEQ(zstream_trim(z, 256 << 10), 0);
	/* The inflate context (its window refers back into the big payload) is kept. */
	deflater_msg(d, big, 1000);
	CHECK_INTEQ(zstream_push(z, d->buf, d->len, 1, &out, &out_len), ZSTREAM_OK);
	CHECK_INTEQ(out_len, 1000);
	CHECK(out && !memcmp(out, big, 1000));
	deflateEnd(&d->zs);
	zstream_free(z);
	free(big);
	free(d);
}

TEST(message_split_across_chunks)
{
	struct deflater *d = malloc(sizeof(*d));
	struct zstream *z = zstream_new(1 << 20, 1 << 20);
	char big[20000];
	const char *out;
	size_t out_len;

	REQUIRE(d && z);
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + (i * 7919 % 26));
	big[sizeof(big) - 1] = '\0';
	deflater_init(d);
	deflater_msg(d, big, strlen(big));
	REQUIRE(d->len > 10);
	/* First half as a complete websocket message: no suffix, no output. */
	CHECK_INTEQ(zstream_push(z, d->buf, d->len / 2, 1, &out, &out_len), ZSTREAM_OK);
	CHECK(out == NULL);
	/* The rest in two fragments of a second message. */
	CHECK_INTEQ(zstream_push(z, d->buf + d->len / 2, 3, 0, &out, &out_len), ZSTREAM_OK);
	CHECK(out == NULL);
	CHECK_INTEQ(zstream_push(z, d->buf + d->len / 2 + 3, d->len - d->len / 2 - 3, 1, &out,
				 &out_len),
		    ZSTREAM_OK);
	CHECK_INTEQ(out_len, strlen(big));
	CHECK(out && !strcmp(out, big));

	/* And the stream continues after it. */
	deflater_msg(d, "{\"op\":11}", 9);
	CHECK_INTEQ(zstream_push(z, d->buf, d->len, 1, &out, &out_len), ZSTREAM_OK);
	CHECK_STREQ(out, "{\"op\":11}");
	deflateEnd(&d->zs);
	zstream_free(z);
	free(d);
}

TEST(suffix_only_checked_at_message_end)
{
	struct deflater *d = malloc(sizeof(*d));
	struct zstream *z = zstream_new(1 << 20, 1 << 20);
	const char *out;
	size_t out_len;

	REQUIRE(d && z);
	deflater_init(d);
	deflater_msg(d, "{\"op\":1}", 8);
	/* Whole message but flagged as a non-final fragment: no output yet. */
	CHECK_INTEQ(zstream_push(z, d->buf, d->len, 0, &out, &out_len), ZSTREAM_OK);
	CHECK(out == NULL);
	CHECK_INTEQ(zstream_push(z, "", 0, 1, &out, &out_len), ZSTREAM_OK);
	CHECK_STREQ(out, "{\"op\":1}");
	deflateEnd(&d->zs);
	zstream_free(z);
	free(d);
}

TEST(corrupt_data)
{
	struct deflater *d = malloc(sizeof(*d));
	struct zstream *z = zstream_new(1 << 20, 1 << 20);
	const unsigned char junk[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0x00, 0x00, 0xff, 0xff};
	const char *out;
	size_t out_len;

	REQUIRE(d && z);
	CHECK_INTEQ(zstream_push(z, junk, sizeof(junk), 1, &out, &out_len), ZSTREAM_ECORRUPT);
	CHECK(out == NULL);
	/* A failed stream stays failed. */
	deflater_init(d);
	deflater_msg(d, "{}", 2);
	CHECK_INTEQ(zstream_push(z, d->buf, d->len, 1, &out, &out_len), ZSTREAM_EFAILED);
	zstream_free(z);

	/* Corruption in the middle of a good stream. */
	z = zstream_new(1 << 20, 1 << 20);
	REQUIRE(z);
	deflater_msg(d, "{\"op\":11}", 9); /* continues the old deflate stream */
	deflateEnd(&d->zs);
	deflater_init(d);
	deflater_msg(d, "{\"op\":10}", 9);
	CHECK_INTEQ(zstream_push(z, d->buf, d->len, 1, &out, &out_len), ZSTREAM_OK);
	CHECK_STREQ(out, "{\"op\":10}");
	deflater_msg(d, "{\"op\":11,\"d\":\"xxxxxxxxxxxxxxxxxxxx\"}", 36);
	for (size_t i = 0; i + 4 < d->len; i++)
		d->buf[i] ^= 0x5a;
	CHECK(zstream_push(z, d->buf, d->len, 1, &out, &out_len) < 0);
	CHECK(out == NULL);
	deflateEnd(&d->zs);
	zstream_free(z);
	free(d);
}

TEST(oversized_output)
{
	struct deflater *d = malloc(sizeof(*d));
	struct zstream *z = zstream_new(1 << 20, 64 * 1024);
	char *big = malloc(1 << 20);
	const char *out;
	size_t out_len;

	REQUIRE(d && z && big);
	memset(big, 'x', 1 << 20); /* 1 MiB of x deflates to ~1 KiB */
	deflater_init(d);
	deflater_msg(d, big, 1 << 20);
	CHECK(d->len < 8192);
	CHECK_INTEQ(zstream_push(z, d->buf, d->len, 1, &out, &out_len), ZSTREAM_EOUTPUT);
	CHECK(out == NULL);
	deflateEnd(&d->zs);
	zstream_free(z);

	/* Just under the cap is fine. */
	z = zstream_new(1 << 20, 64 * 1024);
	REQUIRE(z);
	deflater_init(d);
	deflater_msg(d, big, 64 * 1024 - 1);
	CHECK_INTEQ(zstream_push(z, d->buf, d->len, 1, &out, &out_len), ZSTREAM_OK);
	CHECK_INTEQ(out_len, 64 * 1024 - 1);
	deflateEnd(&d->zs);
	zstream_free(z);
	free(big);
	free(d);
}

TEST(oversized_input)
{
	struct zstream *z = zstream_new(1000, 1 << 20);
	char chunk[600] = {0};
	const char *out;
	size_t out_len;

	REQUIRE(z);
	CHECK_INTEQ(zstream_push(z, chunk, sizeof(chunk), 0, &out, &out_len), ZSTREAM_OK);
	CHECK_INTEQ(zstream_push(z, chunk, sizeof(chunk), 0, &out, &out_len), ZSTREAM_EINPUT);
	CHECK_INTEQ(zstream_push(z, chunk, 1, 1, &out, &out_len), ZSTREAM_EFAILED);
	CHECK(zstream_strerror(ZSTREAM_EINPUT)[0] != '\0');
	zstream_free(z);
}

int main(void)
{
	RUN(multiple_messages_one_stream);
	RUN(zlib_header_checked);
	RUN(trim_after_big_payload);
	RUN(message_split_across_chunks);
	RUN(suffix_only_checked_at_message_end);
	RUN(corrupt_data);
	RUN(oversized_output);
	RUN(oversized_input);
	return test_summary();
}
