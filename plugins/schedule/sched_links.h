/*
 * sched_links — which of a talk's links is its recording (issue 21).
 *
 * Schedules carry links of every kind beside a talk: chat rooms, feedback
 * forms, slides, the speaker's project, a recording of another talk. A
 * loader offers each candidate with what the format says about it, and
 * the talk keeps the best recording it was offered in t->recording:
 *   - SCHED_LINK_FIELD: a field that names the recording and nothing else
 *     (frab <recording><url>, <video_download_url>, JSON "video_url",
 *     "recording_url", "video_download_url", "youtube_url");
 *   - SCHED_LINK_LISTED: an entry of a list of links (frab/pentabarf
 *     <links><link href>title</link>, schedule.json "links": [{"url",
 *     "title", "type"}], an iCalendar ATTACH), a recording only when its
 *     title starts with "Video recording", "Recording" or "Video:" (as
 *     FOSDEM writes them; "The recording of the talk from Droidcon 2022"
 *     or "[Video] a demo" are about something else), when its type says
 *     "recording" or "video", or when its MIME type is video/...
 * Among equals, an .mp4 file wins (it plays in every browser), then the
 * first offered. Only http(s) links are kept (hw_url_is_http, after the
 * spaces inside a path are percent-encoded).
 */
#ifndef SCHED_LINKS_H
#define SCHED_LINKS_H

#include <jansson.h>

#include "sched_model.h"

enum sched_link_kind {
	SCHED_LINK_LISTED = 1,
	SCHED_LINK_FIELD = 2,
};

/* Offers url as t's recording. title, type and mime (each may be NULL)
 * describe a LISTED link; a FIELD is a recording by its name. Returns 0
 * (kept or not a recording) or SCHED_ERR_NOMEM. */
int sched_links_offer(struct sched_talk *t, enum sched_link_kind kind, const char *url,
		      const char *title, const char *type, const char *mime);

/* The JSON loaders' candidates on one event object ev (borrowed): the
 * FIELD keys "video_url", "recording_url", "video_download_url",
 * "youtube_url", "recording" (a URL, or an object with "url" or "link"),
 * then each {"url", "title", "type"} of "links". Returns 0 or
 * SCHED_ERR_NOMEM. */
int sched_links_json(struct sched_talk *t, const json_t *ev);


#endif
