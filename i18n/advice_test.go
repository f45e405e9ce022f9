package i18n_test

import (
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/tracker"
)

// TestAdviceKeys checks that every verdict, step and reason of tracker has
// its message in every language, and that no advice message names an ID
// tracker does not know.
func TestAdviceKeys(t *testing.T) {
	verdicts := map[string]bool{}
	for _, v := range tracker.Verdicts() {
		verdicts[string(v)] = true
	}
	steps := map[string]bool{}
	for _, s := range tracker.Steps() {
		steps[string(s)] = true
	}
	reasons := map[string]bool{}
	for _, r := range tracker.Reasons() {
		reasons[r] = true
	}
	if len(verdicts) != 9 || len(steps) != 7 || len(reasons) < 30 {
		t.Fatalf("tracker lists %d verdicts, %d steps, %d reasons; this test expects 9, 7 and at least 30",
			len(verdicts), len(steps), len(reasons))
	}

	var want []string
	for _, group := range []struct {
		prefix string
		ids    map[string]bool
	}{{"advice.verdict.", verdicts}, {"advice.step.", steps}, {"advice.reason.", reasons}} {
		for id := range group.ids {
			want = append(want, group.prefix+id)
		}
	}
	for _, lang := range i18n.Langs() {
		for _, key := range want {
			if _, _, ok := i18n.Formats(lang, key); !ok {
				t.Errorf("%s: missing %q", lang, key)
			}
		}
	}

	for _, key := range i18n.Keys() {
		var ids map[string]bool
		rest, ok := strings.CutPrefix(key, "advice.verdict.")
		if ok {
			ids = verdicts
		} else if rest, ok = strings.CutPrefix(key, "advice.reason."); ok {
			ids = reasons
		} else if rest, ok = strings.CutPrefix(key, "advice.step."); ok {
			ids = steps
			rest, _, _ = strings.Cut(rest, ".") // a variant: advice.step.<id>.<case>
		} else {
			continue
		}
		if !ids[rest] {
			t.Errorf("%q names no ID that tracker knows", key)
		}
	}
}

// TestAdviceVerdictsAndReasonsTakeNoArguments: callers render a list of
// them in one loop, without arguments.
func TestAdviceVerdictsAndReasonsTakeNoArguments(t *testing.T) {
	for _, key := range i18n.Keys() {
		if !strings.HasPrefix(key, "advice.verdict.") && !strings.HasPrefix(key, "advice.reason.") {
			continue
		}
		for _, lang := range i18n.Langs() {
			formats, _, _ := i18n.Formats(lang, key)
			for _, f := range formats {
				if v := verbs(f); len(v) > 0 {
					t.Errorf("%s: %q takes arguments %q", lang, key, v)
				}
			}
		}
	}
}

func TestAdviceMessages(t *testing.T) {
	const url = "https://trackings.post.japanpost.jp/delivery/deli/"
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "advice.verdict.stalled", nil, "No movement for a while"},
		{"en", "advice.step.wait_until", []any{"Sun 20 Dec"}, "Give it until Sun 20 Dec."},
		{"en", "advice.step.check_domestic_number", []any{"123456789012", "Japan Post"}, "Follow the domestic number 123456789012 with Japan Post."},
		{"en", "advice.step.request_redelivery", []any{"Japan Post", "Sun 20 Dec", url}, "Request redelivery on Japan Post's page before Sun 20 Dec: " + url},
		{"ja", "advice.step.request_redelivery", []any{"日本郵便", "12月20日(日)", url}, "12月20日(日)までに日本郵便へ再配達を依頼してください。再配達の依頼はこちらから：" + url},
		{"ja", "advice.step.wait_until", []any{"12月20日(日)"}, "12月20日(日)まで様子を見ましょう。"},
		{"th", "advice.step.pick_up", []any{"อา. 20 ธ.ค. 2569"}, "ไปรับพัสดุก่อน อา. 20 ธ.ค. 2569"},
		{"en", "advice.eta", []any{"Tue 1 Dec", "Fri 4 Dec"}, "Expected between Tue 1 Dec and Fri 4 Dec."},
		{"ja", "advice.eta", []any{"12月1日(火)", "12月4日(金)"}, "お届けは12月1日(火)〜12月4日(金)の見込みです。"},
		{"en", "advice.protection_set", []any{"Thu 17 Dec", "phone case"}, "I will remind you on Thu 17 Dec if phone case has not arrived by then."},
		{"ja", "advice.protection_set", []any{"12月17日(木)", "スマホケース"}, "12月17日(木)になってもスマホケースが届いていなければ、その日にお知らせします。"},
	}
	for _, tt := range tests {
		if got := i18n.For(tt.lang).T(tt.key, tt.args...); got != tt.want {
			t.Errorf("%s: T(%q) = %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
}

// TestAdviceArgumentsShow renders every advice message that takes
// arguments and checks that each argument shows in every language.
func TestAdviceArgumentsShow(t *testing.T) {
	for _, key := range i18n.Keys() {
		if !strings.HasPrefix(key, "advice.") {
			continue
		}
		args := sampleArgs(t, key, 7)
		for _, lang := range i18n.Langs() {
			got := i18n.For(lang).T(key, args...)
			for _, a := range args {
				if s, ok := a.(string); ok && !strings.Contains(got, s) {
					t.Errorf("%s: T(%q) = %q does not show argument %q", lang, key, got, s)
				}
			}
		}
	}
}

func TestAdvicePeakSeasonsNameTheEvent(t *testing.T) {
	events := map[string]map[string]string{
		tracker.ReasonPeak1111:         {"en": "11.11", "ja": "11.11", "th": "11.11"},
		tracker.ReasonPeakBlackFriday:  {"en": "Black Friday", "ja": "ブラックフライデー", "th": "Black Friday"},
		tracker.ReasonPeakLunarNewYear: {"en": "Lunar New Year", "ja": "春節", "th": "ตรุษจีน"},
	}
	for id, names := range events {
		for lang, name := range names {
			if got := i18n.For(lang).T("advice.reason." + id); !strings.Contains(got, name) {
				t.Errorf("%s: reason %s = %q does not mention %q", lang, id, got, name)
			}
		}
	}
}

func TestAdviceThaiIsNeutral(t *testing.T) {
	for _, key := range i18n.Keys() {
		if !strings.HasPrefix(key, "advice.") && !strings.HasPrefix(key, "duration.") {
			continue
		}
		formats, _, _ := i18n.Formats(i18n.Thai, key)
		for _, f := range formats {
			for _, particle := range []string{"ครับ", "ค่ะ", "นะคะ"} {
				if strings.Contains(f, particle) {
					t.Errorf("th: %q uses the gendered particle %s", key, particle)
				}
			}
		}
	}
}

func TestDuration(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 0, "less than an hour"},
		{"en", -3 * time.Hour, "less than an hour"},
		{"en", 59 * time.Minute, "less than an hour"},
		{"en", time.Hour, "1 hour"},
		{"en", 89 * time.Minute, "1 hour"},
		{"en", 90 * time.Minute, "2 hours"},
		{"en", 23 * time.Hour, "23 hours"},
		{"en", 23*time.Hour + 29*time.Minute, "23 hours"},
		{"en", 23*time.Hour + 30*time.Minute, "1 day"},
		{"en", day, "1 day"},
		{"en", 35 * time.Hour, "1 day"},
		{"en", 36 * time.Hour, "2 days"},
		{"en", 2 * day, "2 days"},
		{"en", 10*day + 11*time.Hour, "10 days"},
		{"en", 21 * day, "21 days"},
		{"ja", 30 * time.Minute, "1時間未満"},
		{"ja", time.Hour, "1時間"},
		{"ja", 5 * time.Hour, "5時間"},
		{"ja", day, "1日"},
		{"ja", 4 * day, "4日"},
		{"th", 30 * time.Minute, "ไม่ถึง 1 ชั่วโมง"},
		{"th", time.Hour, "1 ชั่วโมง"},
		{"th", 5 * time.Hour, "5 ชั่วโมง"},
		{"th", day, "1 วัน"},
		{"th", 4 * day, "4 วัน"},
	}
	for _, tt := range tests {
		if got := i18n.For(tt.lang).Duration(tt.d); got != tt.want {
			t.Errorf("%s: Duration(%v) = %q, want %q", tt.lang, tt.d, got, tt.want)
		}
	}
	if got := i18n.For("en").Duration(time.Duration(1<<63 - 1)); !strings.HasSuffix(got, " days") {
		t.Errorf("Duration(max) = %q", got)
	}
}

func TestDurationInSentence(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct{ lang, want string }{
		{"en", "It has been at this stage for 3 days; usually 1 day to 4 days."},
		{"ja", "この段階に入って3日です。通常この段階は1日〜4日です。"},
		{"th", "อยู่ในขั้นตอนนี้มาแล้ว 3 วัน ปกติขั้นตอนนี้ใช้เวลา 1 วัน ถึง 4 วัน"},
	}
	for _, tt := range tests {
		p := i18n.For(tt.lang)
		if got := p.T("advice.in_stage", p.Duration(3*day), p.Duration(day), p.Duration(4*day)); got != tt.want {
			t.Errorf("%s: in_stage = %q, want %q", tt.lang, got, tt.want)
		}
	}
}

func TestDate(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")
	bangkok := mustZone(t, "Asia/Bangkok")
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	now := at("2026-11-25T05:00:00Z")
	newYearsEve := at("2026-12-31T20:00:00Z") // already 2027 in Tokyo and Bangkok

	tests := []struct {
		name   string
		lang   string
		t, now time.Time
		loc    *time.Location
		want   string
	}{
		{"ja this year", "ja", at("2026-12-20T03:00:00Z"), now, tokyo, "12月20日(日)"},
		{"ja next year", "ja", at("2027-01-03T03:00:00Z"), now, tokyo, "2027年1月3日(日)"},
		{"ja last year", "ja", at("2025-11-25T03:00:00Z"), now, tokyo, "2025年11月25日(火)"},
		{"ja zone moves the day", "ja", at("2026-12-19T16:00:00Z"), now, tokyo, "12月20日(日)"},
		{"ja year in the chat's zone", "ja", at("2027-01-02T00:00:00Z"), newYearsEve, tokyo, "1月2日(土)"},
		{"en this year", "en", at("2026-12-20T03:00:00Z"), now, time.UTC, "Sun 20 Dec"},
		{"en single-digit day", "en", at("2026-12-05T03:00:00Z"), now, time.UTC, "Sat 5 Dec"},
		{"en next year", "en", at("2027-01-03T03:00:00Z"), now, time.UTC, "Sun 3 Jan 2027"},
		{"en in Tokyo", "en", at("2026-12-19T16:00:00Z"), now, tokyo, "Sun 20 Dec"},
		{"en year in the chat's zone", "en", at("2027-01-02T00:00:00Z"), newYearsEve, time.UTC, "Sat 2 Jan 2027"},
		{"th Buddhist era", "th", at("2026-12-20T03:00:00Z"), now, bangkok, "อา. 20 ธ.ค. 2569"},
		{"th year always shown", "th", at("2026-11-26T03:00:00Z"), now, bangkok, "พฤ. 26 พ.ย. 2569"},
		{"th next year", "th", at("2027-01-03T03:00:00Z"), now, bangkok, "อา. 3 ม.ค. 2570"},
		{"th zone moves the year", "th", at("2025-12-31T17:30:00Z"), now, bangkok, "พฤ. 1 ม.ค. 2569"},
		{"nil zone is the language's", "ja", at("2026-12-19T16:00:00Z"), now, nil, "12月20日(日)"},
		{"nil zone in Thai is Bangkok", "th", at("2026-12-19T17:30:00Z"), now, nil, "อา. 20 ธ.ค. 2569"},
		{"nil zone in English is UTC", "en", at("2026-12-19T16:00:00Z"), now, nil, "Sat 19 Dec"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := i18n.For(tt.lang).Date(tt.t, tt.now, tt.loc); got != tt.want {
				t.Errorf("Date(%s) = %q, want %q", tt.t.Format(time.RFC3339), got, tt.want)
			}
		})
	}
}

// TestDateIsTimeWithoutTheClock: Date and Time agree on the day and the
// year rule in every language.
func TestDateIsTimeWithoutTheClock(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")
	now := time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC)
	for _, lang := range i18n.Langs() {
		p := i18n.For(lang)
		for i := range 400 {
			d := now.AddDate(0, 0, i-30).Add(time.Duration(i) * 37 * time.Minute)
			for _, loc := range []*time.Location{tokyo, time.UTC, nil} {
				date, full := p.Date(d, now, loc), p.Time(d, now, loc)
				clock, ok := strings.CutPrefix(full, date+" ")
				if !ok || len(clock) != len("15:04") {
					t.Fatalf("%s: Date = %q, Time = %q", lang, date, full)
				}
			}
		}
	}
}
