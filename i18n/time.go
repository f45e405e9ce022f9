package i18n

import (
	"fmt"
	"time"
)

var (
	jaWeekdays = [7]string{"日", "月", "火", "水", "木", "金", "土"}
	thWeekdays = [7]string{"อา.", "จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส."}
	thMonths   = [12]string{"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."}
)

// buddhistEra is added to a Gregorian year to get the Thai solar year.
const buddhistEra = 543

// Time renders t as a short date and time in loc and the printer's
// language:
//
//	ja  11月25日(水) 14:05      2025年11月25日(火) 14:05
//	en  Wed 25 Nov 14:05        Tue 25 Nov 2025 14:05
//	th  พ. 25 พ.ย. 2569 14:05
//
// Japanese and English show the year only when it differs from the year of
// now in loc; Thai always shows it, in the Buddhist era, as Thai readers
// expect. A nil loc means the language's default zone (DefaultZone), or UTC
// when that zone is not available.
func (p *Printer) Time(t, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = defaultLocation(p.lang)
	}
	t, now = t.In(loc), now.In(loc)
	withYear := t.Year() != now.Year()
	hm := t.Format("15:04")
	switch p.lang {
	case Japanese:
		if withYear {
			return fmt.Sprintf("%d年%d月%d日(%s) %s", t.Year(), t.Month(), t.Day(), jaWeekdays[t.Weekday()], hm)
		}
		return fmt.Sprintf("%d月%d日(%s) %s", t.Month(), t.Day(), jaWeekdays[t.Weekday()], hm)
	case Thai:
		return fmt.Sprintf("%s %d %s %d %s", thWeekdays[t.Weekday()], t.Day(), thMonths[t.Month()-1], t.Year()+buddhistEra, hm)
	}
	if withYear {
		return t.Format("Mon 2 Jan 2006 15:04")
	}
	return t.Format("Mon 2 Jan 15:04")
}

func defaultLocation(lang string) *time.Location {
	loc, err := time.LoadLocation(DefaultZone(lang))
	if err != nil {
		return time.UTC
	}
	return loc
}
