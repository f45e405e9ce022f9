package jppage

import (
	"regexp"
	"strconv"
	"time"

	"golang.org/x/text/unicode/norm"
)

// JST is Japan Standard Time. Japan has no daylight saving time, so a fixed
// zone is exact and needs no time zone database.
var JST = time.FixedZone("JST", 9*60*60)

// Lookback is how long before the reference time a date printed without a
// year may fall. Pages show a few weeks of history; a parcel followed late
// can have scans from before Todoku began following it, and a wider margin
// keeps those in the right year. The year after the reference time takes
// the rest: a yearless date resolves into [ref-Lookback, ref-Lookback+1y).
const Lookback = 60 * 24 * time.Hour

// dateRE reads the date forms the carriers print, after NFKC: 2026/12/30,
// 2026年12月30日, 12/30, 12月30日, each optionally followed by a weekday in
// parentheses and a time 18:05 or 18時05分.
var dateRE = regexp.MustCompile(`^(?:(\d{4})\s*[/年.-]\s*)?(\d{1,2})\s*[/月.-]\s*(\d{1,2})\s*日?\s*(?:\([^)]{1,3}\))?\s*(?:(\d{1,2})\s*[:時]\s*(\d{1,2})\s*分?)?`)

// Date reads a date and time printed by a carrier in loc (JST when nil).
// A date without a year takes the year that puts it in the window around
// ref (see Lookback). hasTime reports whether a time of day was printed;
// without one the date is at midnight. ok is false when s is not a date or
// names a day that does not exist.
func Date(s string, ref time.Time, loc *time.Location) (t time.Time, hasTime, ok bool) {
	if loc == nil {
		loc = JST
	}
	m := dateRE.FindStringSubmatch(Clean(norm.NFKC.String(s)))
	if m == nil {
		return time.Time{}, false, false
	}
	month, day := atoi(m[2]), atoi(m[3])
	hour, minute := 0, 0
	if m[4] != "" {
		hour, minute, hasTime = atoi(m[4]), atoi(m[5]), true
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 {
		return time.Time{}, false, false
	}
	if m[1] != "" {
		t = time.Date(atoi(m[1]), time.Month(month), day, hour, minute, 0, 0, loc)
		if t.Day() != day {
			return time.Time{}, false, false
		}
		return t, hasTime, true
	}
	t, ok = Resolve(time.Month(month), day, hour, minute, ref, loc)
	if !ok {
		return time.Time{}, false, false
	}
	return t, hasTime, true
}

// Resolve places a month, day and time printed without a year: it returns
// the first such moment in loc that is not before ref minus Lookback, so a
// page read on 2026-12-28 puts 12/30 in 2026 and 01/02 in 2027. ok is false
// for a day that does not exist within a year of the window (Feb 30, or
// Feb 29 far from a leap year). A zero ref means now.
func Resolve(month time.Month, day, hour, minute int, ref time.Time, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = JST
	}
	if ref.IsZero() {
		ref = time.Now()
	}
	from := ref.Add(-Lookback)
	until := from.AddDate(1, 0, 0)
	for y := from.In(loc).Year(); y <= until.In(loc).Year(); y++ {
		t := time.Date(y, month, day, hour, minute, 0, 0, loc)
		if t.Day() != day || t.Month() != month {
			continue // no such day in that year
		}
		if !t.Before(from) && t.Before(until) {
			return t, true
		}
	}
	return time.Time{}, false
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
