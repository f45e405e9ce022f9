package jppage

import (
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	jst := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, JST) }
	since := jst(2026, 12, 28, 9, 0)
	tests := []struct {
		in      string
		since   time.Time
		want    time.Time
		hasTime bool
		ok      bool
	}{
		// The year is resolved across New Year.
		{"12/30 18:05", since, jst(2026, 12, 30, 18, 5), true, true},
		{"01/02 09:12", since, jst(2027, 1, 2, 9, 12), true, true},
		{"12月30日 18:05", since, jst(2026, 12, 30, 18, 5), true, true},
		{"01月02日 09:12", since, jst(2027, 1, 2, 9, 12), true, true},
		// A scan from before Todoku began following stays in its year.
		{"12/01 10:00", since, jst(2026, 12, 1, 10, 0), true, true},
		{"11/01 10:00", since, jst(2026, 11, 1, 10, 0), true, true},
		{"10/01 10:00", since, jst(2027, 10, 1, 10, 0), true, true}, // more than Lookback before since
		// Explicit years win.
		{"2026/12/30 18:05", since, jst(2026, 12, 30, 18, 5), true, true},
		{"2025/01/02 00:00", since, jst(2025, 1, 2, 0, 0), true, true},
		{"2026年12月30日 18時05分", since, jst(2026, 12, 30, 18, 5), true, true},
		{"2026年12月30日", since, jst(2026, 12, 30, 0, 0), false, true},
		// Full-width digits, weekday, stray spaces.
		{"１２/３０　１８：０５", since, jst(2026, 12, 30, 18, 5), true, true},
		{"12月30日(水) 18:05", since, jst(2026, 12, 30, 18, 5), true, true},
		{" 12/30  8:05 ", since, jst(2026, 12, 30, 8, 5), true, true},
		{"01/03 14:00-16:00", since, jst(2027, 1, 3, 14, 0), true, true},
		// Feb 29 takes the next leap year within reach, or fails.
		{"02/29 10:00", jst(2027, 12, 28, 0, 0), jst(2028, 2, 29, 10, 0), true, true},
		{"02/29 10:00", since, time.Time{}, false, false},
		{"2027/02/29 10:00", since, time.Time{}, false, false},
		// Not dates.
		{"", since, time.Time{}, false, false},
		{"-", since, time.Time{}, false, false},
		{"13/01 10:00", since, time.Time{}, false, false},
		{"12/32", since, time.Time{}, false, false},
		{"12/30 24:00", since, time.Time{}, false, false},
		{"配達完了", since, time.Time{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, hasTime, ok := Date(tt.in, tt.since, nil)
			if ok != tt.ok || hasTime != tt.hasTime || !got.Equal(tt.want) {
				t.Errorf("Date(%q) = %v, %v, %v; want %v, %v, %v", tt.in, got, hasTime, ok, tt.want, tt.hasTime, tt.ok)
			}
		})
	}
}

func TestDateInZone(t *testing.T) {
	cst := time.FixedZone("CST", 8*60*60)
	got, _, ok := Date("2026/12/20 15:31", time.Time{}, cst)
	if !ok || got.UTC() != time.Date(2026, 12, 20, 7, 31, 0, 0, time.UTC) {
		t.Errorf("got %v, %v", got, ok)
	}
}

// TestResolveWindow checks every day of a year lands in the window around
// the reference time, whatever zone the reference is given in.
func TestResolveWindow(t *testing.T) {
	ref := time.Date(2026, 12, 27, 23, 30, 0, 0, time.UTC) // 2026-12-28 08:30 JST
	from := ref.Add(-Lookback)
	for d := time.Date(2025, 1, 1, 0, 0, 0, 0, JST); d.Year() == 2025; d = d.AddDate(0, 0, 1) {
		got, ok := Resolve(d.Month(), d.Day(), 12, 0, ref, JST)
		if d.Month() == time.February && d.Day() == 29 {
			continue
		}
		if !ok || got.Before(from) || !got.Before(from.AddDate(1, 0, 0)) || got.Month() != d.Month() || got.Day() != d.Day() {
			t.Fatalf("Resolve(%v %d) = %v, %v; want within [%v, +1y)", d.Month(), d.Day(), got, ok, from)
		}
	}
}
