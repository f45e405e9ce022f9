package intent

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func TestUnderstand(t *testing.T) {
	tests := []struct {
		text    string
		intent  Intent
		lang    string
		numbers []string
		ref     string
		label   string
	}{
		// A number inside another request keeps that request's intent.
		{"stop tracking LP00123456789012", Stop, "en", []string{"LP00123456789012"}, "", ""},
		{"LP00123456789012 はいつ届く?", ETA, "ja", []string{"LP00123456789012"}, "", ""},
		{"RX123456785TH ถึงไหนแล้ว", Where, "th", []string{"RX123456785TH"}, "", ""},
		{"lp-0012-3456-7890-12 の追跡を停止", Stop, "ja", []string{"LP00123456789012"}, "", ""},
		{"ＬＰ００１２３４５６７８９０１２", Track, "ja", []string{"LP00123456789012"}, "", ""},
		{"Hi! RB004010604CN", Track, "en", []string{"RB004010604CN"}, "", ""},
		// Rename: the number or reference, and the new label.
		{"call RB004010604CN phone case", Rename, "en", []string{"RB004010604CN"}, "", "phone case"},
		{"name the 2nd one shoes", Rename, "en", []string{}, "2", "shoes"},
		{"rename phone case to iPhone case", Rename, "en", []string{}, "phone case", "iPhone case"},
		{"/name 3 socks", Rename, "en", []string{}, "3", "socks"},
		{"RB004010604CN を「ケース」にして", Rename, "ja", []string{"RB004010604CN"}, "", "ケース"},
		{"2つ目の名前を靴に変更", Rename, "ja", []string{}, "2", "靴"},
		{"เปลี่ยนชื่ออันที่ 2 เป็น รองเท้า", Rename, "th", []string{}, "2", "รองเท้า"},
		{"ตั้งชื่อ RX123456785TH ว่า เคสมือถือ", Rename, "th", []string{"RX123456785TH"}, "", "เคสมือถือ"},
		// A name given with a number to follow.
		{"LP00123456789012 phone case", Track, "en", []string{"LP00123456789012"}, "", "phone case"},
		{"/track LP00123456789012 phone case", Track, "en", []string{"LP00123456789012"}, "", "phone case"},
		// Ordinals in every language.
		{"where's the 2nd one", Where, "en", []string{}, "2", ""},
		{"stop tracking the first one", Stop, "en", []string{}, "1", ""},
		{"remove the last one", Stop, "en", []string{}, "last", ""},
		{"/stop 2", Stop, "en", []string{}, "2", ""},
		{"二つ目がまだ来ない", Delay, "ja", []string{}, "2", ""},
		{"３番目のやついつ来る？", ETA, "ja", []string{}, "3", ""},
		{"最後のやつ消して", Stop, "ja", []string{}, "last", ""},
		{"อันที่สองอยู่ไหน", Where, "th", []string{}, "2", ""},
		{"อันที่ ๓ จะได้วันไหน", ETA, "th", []string{}, "3", ""},
		{"อันแรกถึงไหน", Where, "th", []string{}, "1", ""},
		{"ลบอันล่าสุด", Stop, "th", []string{}, "last", ""},
		// Labels as the user wrote them.
		{"where is the phone case?", Where, "en", []string{}, "phone case", ""},
		{"ケースいつ届くかな", ETA, "ja", []string{}, "ケース", ""},
		{"ｹｰｽどこ？", Where, "ja", []string{}, "ケース", ""},
		{"เคสมือถือยังไม่มาเลย", Delay, "th", []string{}, "เคสมือถือ", ""},
		// Typos, casual forms, emoji, repeated letters.
		{"wher is my pakage", Where, "en", []string{}, "", ""},
		{"whyyy is it sooo slow 😭", Delay, "en", []string{}, "", ""},
		{"まだぁ？", Delay, "ja", []string{}, "", ""},
		{"ช้ามากกกกก", Delay, "th", []string{}, "", ""},
		{"ดีจ้าาา", Greeting, "th", []string{}, "", ""},
		{"สวัสดีตอนเช้า", Greeting, "th", []string{}, "", ""},
		// Numbers that are no tracking number still read as an attempt.
		{"8123456789012345", Track, "en", []string{}, "", ""},
		{"", Unknown, "en", []string{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := Understand(tt.text, testNow)
			if r.Intent != tt.intent || r.Lang != tt.lang || !slices.Equal(r.Numbers, tt.numbers) || r.Ref != tt.ref || r.Label != tt.label {
				t.Errorf("Understand(%q) = %s %s %v ref %q label %q (%s), want %s %s %v ref %q label %q",
					tt.text, r.Intent, r.Lang, r.Numbers, r.Ref, r.Label, r.Why, tt.intent, tt.lang, tt.numbers, tt.ref, tt.label)
			}
		})
	}
}

func TestProtectionDate(t *testing.T) {
	dec := time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC)
	jan := time.Date(2027, 1, 3, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		text string
		now  time.Time
		want string
	}{
		{"保護期限 12/20", testNow, "2026-12-20"},
		{"/protect 2026-12-20", testNow, "2026-12-20"},
		{"保護期限を2026-12-20に設定", testNow, "2026-12-20"},
		{"保護期限は1月5日", dec, "2027-01-05"},  // across New Year, forwards
		{"保護期限 12/20", jan, "2026-12-20"}, // a recent past date stays in its year
		{"protection ends jan 5", dec, "2027-01-05"},
		{"buyer protection ends 5th January", dec, "2027-01-05"},
		{"my protection period ends 12/20", testNow, "2026-12-20"},
		{"คุ้มครองหมด 20/12", testNow, "2026-12-20"}, // Thai: day/month
		{"คุ้มครองหมด 5/1", dec, "2027-01-05"},
		{"คุ้มครองผู้ซื้อหมด 20 ธ.ค. 2569", testNow, "2026-12-20"}, // Buddhist era
		{"คุ้มครองหมดวันที่ 3 มกราคม", dec, "2027-01-03"},
		{"buyer protection expires in 5 days", testNow, "2026-11-25"},
		{"保護期限あと10日", testNow, "2026-11-30"},
		{"dispute deadline", testNow, ""},
		{"保護期限 2/30", testNow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := Understand(tt.text, tt.now)
			if r.Intent != Protection || r.Date != tt.want {
				t.Errorf("Understand(%q) = %s date %q (%s), want protection date %q", tt.text, r.Intent, r.Date, r.Why, tt.want)
			}
		})
	}
}

func TestCorrect(t *testing.T) {
	for in, want := range map[string]string{
		"wher": "where", "pakage": "package", "trak": "track", "trackng": "tracking", "hlep": "help",
		"lsit": "list", "arive": "arrive", "notifcations": "notifications",
		"shows": "shows", "shop": "shop", "helo": "hello", "case": "case",
	} {
		if got := correct(in); got != want {
			t.Errorf("correct(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPatternsCompile(t *testing.T) {
	seen := map[Intent]bool{}
	for _, p := range compiled() {
		if !slices.Contains(Intents(), p.intent) {
			t.Errorf("pattern %q: intent %q is not in the priority list", p.expr, p.intent)
		}
		if p.re.MatchString("") {
			t.Errorf("pattern %q matches the empty text", p.expr)
		}
		seen[p.intent] = true
	}
	for _, in := range Intents() {
		if in != Unknown && !seen[in] {
			t.Errorf("intent %s has no pattern", in)
		}
	}
}

func FuzzUnderstand(f *testing.F) {
	for _, s := range []string{
		"stop tracking LP00123456789012", "ケースいつ届く？", "ของถึงเมื่อไหร่", "/name 3 socks",
		"保護期限 12/20", "\u0e4d\u0e32", "ｹｰｽ", "\xff\xfe", "/", "「」に して", "#2 #", "rename  to ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Understand(s, testNow)
		switch r.Lang {
		case LangJapanese, LangEnglish, LangThai:
		default:
			t.Fatalf("Lang %q", r.Lang)
		}
		if !slices.Contains(Intents(), r.Intent) {
			t.Fatalf("Intent %q", r.Intent)
		}
		if r.Numbers == nil {
			t.Fatal("Numbers is nil")
		}
		if utf8.ValidString(s) && (!utf8.ValidString(r.Ref) || !utf8.ValidString(r.Label)) {
			t.Fatalf("invalid UTF-8 in ref %q or label %q", r.Ref, r.Label)
		}
		if r.Date != "" {
			if _, err := time.Parse(time.DateOnly, r.Date); err != nil {
				t.Fatalf("Date %q: %v", r.Date, err)
			}
		}
	})
}

func BenchmarkUnderstand(b *testing.B) {
	samples := loadSamples(b)
	texts := make([]string, len(samples))
	for i, s := range samples {
		texts[i] = s.msg
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Understand(texts[i%len(texts)], testNow)
	}
}

func TestLongInput(t *testing.T) {
	r := Understand(strings.Repeat("where is it ", 10000), testNow)
	if r.Intent != Where {
		t.Errorf("got %s", r.Intent)
	}
}
