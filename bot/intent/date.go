package intent

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// findDate reads a protection end date from text: 2026-12-20, 20/12/2569
// (Buddhist era), 12月20日, 12/20, dec 20, 20 Dec, 20 ธ.ค., or "in 5 days"
// (あと5日, อีก 5 วัน). Slashed dates without a year are month/day in
// Japanese and English, day/month in Thai, unless only the other reading
// is a date. A date without a year is the nearest such date that is at
// most 60 days before now. It returns "" when there is none.
func findDate(text, lang string, now time.Time) string {
	t := strings.ToLower(normalizeBase(text))
	if sm := reISO.FindStringSubmatch(t); sm != nil {
		return ymd(atoi(sm[1]), atoi(sm[2]), atoi(sm[3]))
	}
	if sm := reDMY.FindStringSubmatch(t); sm != nil {
		a, b, y := atoi(sm[1]), atoi(sm[2]), atoi(sm[3])
		if y < 100 {
			y += 2000
			if lang == LangThai && y > 2100 {
				y -= 2000
			}
		}
		mo, d := a, b
		if lang == LangThai || a > 12 {
			mo, d = b, a
		}
		return ymd(y, mo, d)
	}
	if sm := reJaMD.FindStringSubmatch(t); sm != nil {
		return yearless(atoi(sm[1]), atoi(sm[2]), now)
	}
	if sm := reMD.FindStringSubmatch(t); sm != nil {
		a, b := atoi(sm[1]), atoi(sm[2])
		mo, d := a, b
		if (lang == LangThai && b <= 12) || a > 12 {
			mo, d = b, a
		}
		return yearless(mo, d, now)
	}
	if sm := reMonD.FindStringSubmatch(t); sm != nil {
		return yearless(monthIndex(sm[1]), atoi(sm[2]), now)
	}
	if sm := reDMon.FindStringSubmatch(t); sm != nil {
		return yearless(monthIndex(sm[2]), atoi(sm[1]), now)
	}
	if sm := reThaiDate.FindStringSubmatch(t); sm != nil {
		mo := thaiMonthIndex(sm[2])
		if sm[3] != "" {
			y := atoi(sm[3])
			if y > 2400 {
				y -= 543
			}
			return ymd(y, mo, atoi(sm[1]))
		}
		return yearless(mo, atoi(sm[1]), now)
	}
	if sm := reInDays.FindStringSubmatch(t); sm != nil {
		n := 0
		for _, g := range sm[1:] {
			if g != "" {
				n = atoi(g)
			}
		}
		if n > 0 && n < 400 {
			return now.AddDate(0, 0, n).Format(time.DateOnly)
		}
	}
	return ""
}

var (
	reISO      = regexp.MustCompile(`\b(20[0-9]{2}|25[0-9]{2})[-/.年](1[0-2]|0?[1-9])[-/.月](3[01]|[12][0-9]|0?[1-9])\b`)
	reDMY      = regexp.MustCompile(`\b([0-9]{1,2})[/.]([0-9]{1,2})[/.]([0-9]{4}|[0-9]{2})\b`)
	reJaMD     = regexp.MustCompile(`(1[0-2]|0?[1-9])月\s*(3[01]|[12][0-9]|0?[1-9])日?`)
	reMD       = regexp.MustCompile(`(?:^|[^0-9/])([0-9]{1,2})/([0-9]{1,2})(?:$|[^0-9/])`)
	months     = `(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?`
	reMonD     = regexp.MustCompile(`\b` + months + `\s+([0-9]{1,2})(?:st|nd|rd|th)?\b`)
	reDMon     = regexp.MustCompile(`\b([0-9]{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + months)
	reThaiDate = regexp.MustCompile(`([0-9]{1,2})\s*(ม\.?ค\.?|ก\.?พ\.?|มี\.?ค\.?|เม\.?ย\.?|พ\.?ค\.?|มิ\.?ย\.?|ก\.?ค\.?|ส\.?ค\.?|ก\.?ย\.?|ต\.?ค\.?|พ\.?ย\.?|ธ\.?ค\.?|มกรา|กุมภา|มีนา|เมษา|พฤษภา|มิถุนา|กรกฎา|สิงหา|กันยา|ตุลา|พฤศจิกา|ธันวา)[^0-9]*?([0-9]{4})?`)
	reInDays   = regexp.MustCompile(`\bin\s+([0-9]{1,3})\s+days?\b|あと\s*([0-9]{1,3})\s*日|อีก\s*([0-9]{1,3})\s*วัน`)
)

var thaiMonths = [][]string{
	{"มค", "มกรา"}, {"กพ", "กุมภา"}, {"มีค", "มีนา"}, {"เมย", "เมษา"}, {"พค", "พฤษภา"}, {"มิย", "มิถุนา"},
	{"กค", "กรกฎา"}, {"สค", "สิงหา"}, {"กย", "กันยา"}, {"ตค", "ตุลา"}, {"พย", "พฤศจิกา"}, {"ธค", "ธันวา"},
}

func thaiMonthIndex(s string) int {
	s = strings.ReplaceAll(s, ".", "")
	for i, names := range thaiMonths {
		for _, n := range names {
			if s == n {
				return i + 1
			}
		}
	}
	return 0
}

func monthIndex(s string) int {
	i := strings.Index("janfebmaraprmayjunjulaugsepoctnovdec", s[:3])
	if i < 0 {
		return 0
	}
	return i/3 + 1
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// ymd formats a date, or "" when it does not exist (February 30).
func ymd(y, m, d int) string {
	if y > 2400 {
		y -= 543 // Buddhist era
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return ""
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return ""
	}
	return t.Format(time.DateOnly)
}

// yearless resolves month/day against now: this year's, unless that is
// more than 60 days past (then next year's) or more than 305 days ahead
// (then last year's), so "1/5" said in December is next January.
func yearless(m, d int, now time.Time) string {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return ""
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	y := now.Year()
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		// February 29 of a year that has none: try the next leap year.
		for y2 := y + 1; y2 < y+4; y2++ {
			if t2 := time.Date(y2, time.Month(m), d, 0, 0, 0, 0, time.UTC); t2.Day() == d {
				return t2.Format(time.DateOnly)
			}
		}
		return ""
	}
	switch {
	case t.Before(today.AddDate(0, 0, -60)):
		t = t.AddDate(1, 0, 0)
	case t.After(today.AddDate(0, 0, 305)):
		t = t.AddDate(-1, 0, 0)
	}
	if t.Day() != d {
		return ""
	}
	return t.Format(time.DateOnly)
}
