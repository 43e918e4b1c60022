package feeds

import (
	"strings"
	"time"
)

// dateLayouts are the date forms feeds use, tried in order; the parsed
// time keeps the zone the feed wrote (gofeed's parsed times are UTC, which
// moves an item published at 00:30 in Amsterdam to the day before).
var dateLayouts = []string{
	time.RFC3339Nano,
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05 MST",
	"Monday, 02-Jan-06 15:04:05 MST",
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05", // no zone: UTC, as time.Parse reads it
	"2006-01-02",
}

// zoneOffsets are the abbreviations feeds write, in seconds east of UTC;
// time.Parse gives an unknown abbreviation offset 0.
var zoneOffsets = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 3600, "BST": 3600,
	"CET": 3600, "CEST": 7200, "MET": 3600, "MEST": 7200, "EET": 7200, "EEST": 10800,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
}

// parseFeedDate parses s in its own time zone; ok is false when no layout
// fits.
func parseFeedDate(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if name, off := t.Zone(); strings.Contains(layout, "MST") {
			if want, ok := zoneOffsets[strings.ToUpper(name)]; ok && want != off {
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.FixedZone(name, want))
			}
		}
		return t, true
	}
	return time.Time{}, false
}
