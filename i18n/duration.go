package i18n

import (
	"fmt"
	"time"
)

// Duration renders d as words in the printer's language, for sentences such
// as advice.in_stage:
//
//	ja  3日        5時間       1時間未満
//	en  3 days     5 hours     less than an hour
//	th  3 วัน       5 ชั่วโมง    ไม่ถึง 1 ชั่วโมง
//
// From an hour on, d is rounded to the nearest hour; from a day on (23.5
// hours, which would round to 24 hours), to the nearest day, so "24 hours"
// never shows. Less than an hour, or a negative d, is less_than_hour.
func (p *Printer) Duration(d time.Duration) string {
	if d < time.Hour {
		return p.T("duration.less_than_hour")
	}
	hours := int(d.Round(time.Hour) / time.Hour)
	if hours < 24 {
		return p.T("duration.hours", hours)
	}
	const day = 24 * time.Hour
	return p.T("duration.days", int(d.Round(day)/day))
}

// Date renders the day of t in loc and the printer's language, without the
// time of day:
//
//	ja  12月20日(日)     2027年1月3日(日)
//	en  Sun 20 Dec      Sun 3 Jan 2027
//	th  อา. 20 ธ.ค. 2569
//
// The year follows the rule of Time: Japanese and English show it only when
// it differs from the year of now in loc; Thai always shows it, in the
// Buddhist era. A nil loc means the language's default zone.
func (p *Printer) Date(t, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = defaultLocation(p.lang)
	}
	t, now = t.In(loc), now.In(loc)
	withYear := t.Year() != now.Year()
	switch p.lang {
	case Japanese:
		if withYear {
			return fmt.Sprintf("%d年%d月%d日(%s)", t.Year(), t.Month(), t.Day(), jaWeekdays[t.Weekday()])
		}
		return fmt.Sprintf("%d月%d日(%s)", t.Month(), t.Day(), jaWeekdays[t.Weekday()])
	case Thai:
		return fmt.Sprintf("%s %d %s %d", thWeekdays[t.Weekday()], t.Day(), thMonths[t.Month()-1], t.Year()+buddhistEra)
	}
	if withYear {
		return t.Format("Mon 2 Jan 2006")
	}
	return t.Format("Mon 2 Jan")
}
