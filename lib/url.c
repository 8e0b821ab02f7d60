/*
 * The one check of an http(s) link (see <hallway/text.h>). The URL is not
 * parsed further: curl and Discord judge the rest, this only keeps out what
 * is never a link (no scheme, no host, white space, markup characters).
 */
#include <string.h>

#include <hallway/text.h>

int hw_url_is_http(const char *s)
{
	const char *host;
	if (!s)
		return 0;
	if (!strncmp(s, "https://", 8))
		host = s + 8;
	else if (!strncmp(s, "http://", 7))
		host = s + 7;
	else
		return 0;
	if (!*host || *host == '/' || *host == ':')
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7F || *p == '<' || *p == '>' || *p == '"')
			return 0;
	return 1;
}
