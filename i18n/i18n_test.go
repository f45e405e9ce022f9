package i18n_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zone files

	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/tracker"
)

// carriers are the carrier IDs the bot shows by name.
// carriers are every carrier detection can name, and "unknown".
var carriers = append(tracker.Carriers(), "unknown")

func TestLangs(t *testing.T) {
	if got, want := i18n.Langs(), []string{"ja", "en", "th"}; !slices.Equal(got, want) {
		t.Fatalf("Langs() = %q, want %q", got, want)
	}
	for _, l := range i18n.Langs() {
		if !i18n.Supported(l) {
			t.Errorf("Supported(%q) = false", l)
		}
	}
	for _, l := range []string{"", "ja-JP", "zh", "EN", "fr"} {
		if i18n.Supported(l) {
			t.Errorf("Supported(%q) = true", l)
		}
	}
}

func TestCatalogComplete(t *testing.T) {
	keys := i18n.Keys()
	if len(keys) == 0 {
		t.Fatal("Keys() is empty")
	}
	if !slices.IsSorted(keys) {
		t.Error("Keys() is not sorted")
	}
	for _, lang := range i18n.Langs() {
		have := i18n.LangKeys(lang)
		slices.Sort(have)
		for _, k := range keys {
			if _, found := slices.BinarySearch(have, k); !found {
				t.Errorf("%s: missing %q", lang, k)
			}
		}
		for _, k := range have {
			if !i18n.Has(k) {
				t.Errorf("%s: %q is not in the source (English) catalog", lang, k)
			}
		}
		for _, k := range keys {
			formats, plural, ok := i18n.Formats(lang, k)
			if !ok {
				continue
			}
			for _, f := range formats {
				if strings.TrimSpace(f) == "" {
					t.Errorf("%s: %q has an empty translation", lang, k)
				}
				if strings.Contains(f, "${") {
					t.Errorf("%s: %q contains ${, which the catalog would treat as a variable", lang, k)
				}
			}
			if plural && !slices.Contains(i18n.PluralSelectors(lang, k), "other") {
				t.Errorf("%s: plural %q has no \"other\" form", lang, k)
			}
		}
	}
}

// verbRE matches one fmt verb; %% is matched so that it can be skipped.
var verbRE = regexp.MustCompile(`%(?:%|(\[\d+\])?[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[a-zA-Z])`)

func verbs(format string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(format, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// messageVerbs returns the verbs of a key's message in lang: those of the
// plain message, or of the plural "other" form, after checking that every
// other form uses only verbs of the "other" form.
func messageVerbs(t *testing.T, lang, key string) []string {
	t.Helper()
	formats, plural, _ := i18n.Formats(lang, key)
	if !plural {
		return verbs(formats[0])
	}
	sels := i18n.PluralSelectors(lang, key)
	other := verbs(formats[slices.Index(sels, "other")])
	for i, f := range formats {
		for _, v := range verbs(f) {
			if !slices.Contains(other, v) {
				t.Errorf("%s: %q form %q uses %s, which its \"other\" form does not", lang, key, sels[i], v)
			}
		}
	}
	return other
}

func TestFormatVerbs(t *testing.T) {
	indexed := regexp.MustCompile(`^%\[\d+\]`)
	for _, key := range i18n.Keys() {
		want := messageVerbs(t, i18n.English, key)
		for _, v := range want {
			if !indexed.MatchString(v) {
				t.Errorf("en: %q uses %s; use indexed verbs (%%[1]s) so translations can reorder", key, v)
			}
		}
		for _, lang := range i18n.Langs() {
			if _, _, ok := i18n.Formats(lang, key); !ok {
				continue // reported by TestCatalogComplete
			}
			if got := messageVerbs(t, lang, key); !slices.Equal(got, want) {
				t.Errorf("%s: %q has verbs %q, English has %q", lang, key, got, want)
			}
		}
	}
}

// sampleArgs builds arguments that fit the English verbs of key.
func sampleArgs(t *testing.T, key string, n int) []any {
	var args []any
	for _, v := range messageVerbs(t, i18n.English, key) {
		i, _ := strconv.Atoi(v[strings.Index(v, "[")+1 : strings.Index(v, "]")])
		for len(args) < i {
			args = append(args, nil)
		}
		if strings.HasSuffix(v, "d") {
			args[i-1] = n
		} else {
			args[i-1] = "X" + strconv.Itoa(i)
		}
	}
	return args
}

func TestRenderEveryMessage(t *testing.T) {
	for _, lang := range i18n.Langs() {
		p := i18n.For(lang)
		for _, key := range i18n.Keys() {
			for _, n := range []int{1, 3} {
				got := p.T(key, sampleArgs(t, key, n)...)
				if got == "" || got == key || strings.Contains(got, "%!") {
					t.Errorf("%s: T(%q) with n=%d = %q", lang, key, n, got)
				}
			}
		}
	}
}

func TestPlural(t *testing.T) {
	tests := []struct {
		lang, key string
		n         int
		want      string
	}{
		{"en", "list.header", 1, "You follow one parcel:"},
		{"en", "list.header", 3, "You follow 3 parcels:"},
		{"en", "list.header", 0, "You follow 0 parcels:"},
		{"ja", "list.header", 1, "追跡中の荷物（1件）："},
		{"ja", "list.header", 3, "追跡中の荷物（3件）："},
		{"th", "list.header", 1, "พัสดุที่ติดตามอยู่ 1 ชิ้น:"},
		{"th", "list.header", 3, "พัสดุที่ติดตามอยู่ 3 ชิ้น:"},
		{"en", "track.too_many", 1, "I took the first number; please send the rest in another message."},
		{"en", "track.too_many", 20, "I took the first 20 numbers; please send the rest in another message."},
		{"ja", "track.too_many", 20, "最初の20件を受け付けました。残りは別のメッセージで送ってください。"},
	}
	for _, tt := range tests {
		if got := i18n.For(tt.lang).T(tt.key, tt.n); got != tt.want {
			t.Errorf("%s: T(%q, %d) = %q, want %q", tt.lang, tt.key, tt.n, got, tt.want)
		}
	}
	// English must really have two forms, even though ja and th have one.
	if sels := i18n.PluralSelectors("en", "list.header"); !slices.Equal(sels, []string{"one", "other"}) {
		t.Errorf("en list.header selectors = %q, want one, other", sels)
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "track.subscribed", []any{"LP00123456789012", "Cainiao"}, "Now following LP00123456789012 (Cainiao)."},
		{"ja", "track.subscribed", []any{"RB123456785CN", "中国郵政"}, "RB123456785CN（中国郵政）の追跡を始めました。"},
		{"en", "list.item", []any{2, "phone case", "Delivered"}, "2. phone case — Delivered"},
		{"en", "lang.set", nil, "I will speak English from now on."},
		{"ja", "lang.set", nil, "これからは日本語でお話しします。"},
		{"th", "stage.out_for_delivery.name", nil, "กำลังนำจ่าย"},
		{"en", "push.stage", []any{"SBXJP0001", "Out for delivery"}, "📦 SBXJP0001 is now: Out for delivery"},
	}
	for _, tt := range tests {
		if got := i18n.For(tt.lang).T(tt.key, tt.args...); got != tt.want {
			t.Errorf("%s: T(%q) = %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
	for _, l := range []string{"ja", "th"} {
		if got, en := i18n.For(l).T("help.text"), i18n.For("en").T("help.text"); got == en {
			t.Errorf("%s help.text is the English text", l)
		}
	}
	for _, want := range []string{"/list", "/stop", "/lang", "SBXJP0001"} {
		for _, l := range i18n.Langs() {
			if got := i18n.For(l).T("help.text"); !strings.Contains(got, want) {
				t.Errorf("%s help.text does not mention %s", l, want)
			}
		}
	}
	missing := "no.such.key"
	if got := i18n.For("ja").T(missing); got != missing {
		t.Errorf("T(missing) = %q, want the key itself", got)
	}
}

func TestHas(t *testing.T) {
	if !i18n.Has("welcome") {
		t.Error(`Has("welcome") = false`)
	}
	for _, k := range []string{"", "no.such.key", "stage.unknown.name"} {
		if i18n.Has(k) {
			t.Errorf("Has(%q) = true", k)
		}
	}
}

func TestStageKeys(t *testing.T) {
	stages := tracker.Stages()
	if len(stages) != 19 {
		t.Errorf("tracker.Stages() has %d stages; this test expects 19", len(stages))
	}
	ids := map[string]bool{}
	for _, s := range stages {
		ids[s.String()] = true
		for _, k := range []string{"stage." + s.String() + ".name", "stage." + s.String() + ".help"} {
			if !i18n.Has(k) {
				t.Errorf("missing %q", k)
			}
		}
		if h := i18n.For("en").T("stage." + s.String() + ".help"); strings.Contains(h, "\n") {
			t.Errorf("stage %s help is not one line", s)
		}
	}
	for _, k := range i18n.Keys() {
		rest, ok := strings.CutPrefix(k, "stage.")
		if !ok {
			continue
		}
		id, field, _ := strings.Cut(rest, ".")
		if !ids[id] || (field != "name" && field != "help") {
			t.Errorf("%q does not belong to a stage", k)
		}
	}
}

func TestCarrierKeys(t *testing.T) {
	for _, c := range carriers {
		if !i18n.Has("carrier." + c) {
			t.Errorf("missing carrier.%s", c)
		}
	}
	for _, k := range i18n.Keys() {
		if c, ok := strings.CutPrefix(k, "carrier."); ok && !slices.Contains(carriers, c) {
			t.Errorf("%q is not a known carrier; add it to this test", k)
		}
	}
}

// moduleRoot walks up from the working directory to the folder of go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// usedKeys returns the literal keys passed to X.T("key", ...) and
// i18n.Has("key") in every Go file of the module, with their positions.
func usedKeys(t *testing.T, root string) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	used := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("parse: %w", err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			isT := sel.Sel.Name == "T"
			x, _ := sel.X.(*ast.Ident)
			isHas := sel.Sel.Name == "Has" && x != nil && x.Name == "i18n"
			if !isT && !isHas {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			pos := fset.Position(lit.Pos())
			rel, _ := filepath.Rel(root, pos.Filename)
			used[key] = append(used[key], fmt.Sprintf("%s:%d", rel, pos.Line))
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatalf("walking the module: %v", err)
	}
	return used
}

func TestKeysUsedInCodeExist(t *testing.T) {
	used := usedKeys(t, moduleRoot(t))
	if len(used) == 0 {
		t.Fatal("found no T(\"key\") call in the module; the walker is broken")
	}
	if _, ok := used["list.header"]; !ok {
		t.Error("the walker missed this file's T(\"list.header\") calls")
	}
	for key, where := range used {
		if !i18n.Has(key) {
			t.Errorf("key %q used at %s is in no catalog", key, strings.Join(where, ", "))
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct{ hint, want string }{
		{"ja", "ja"},
		{"ja-JP", "ja"},
		{"ja_JP", "ja"},
		{"JA-jp", "ja"},
		{"th", "th"},
		{"th-TH", "th"},
		{"en", "en"},
		{"en-US", "en"},
		{"en-GB", "en"},
		{"", "en"},
		{"zh", "en"},
		{"zh-Hans-CN", "en"},
		{"fr-FR", "en"},
		{"not a tag!", "en"},
		{"th-TH,th;q=0.9,en;q=0.8", "th"},
		{"fr,ja;q=0.5", "ja"},
	}
	for _, tt := range tests {
		if got := i18n.Match(tt.hint); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.hint, got, tt.want)
		}
	}
}

func TestFor(t *testing.T) {
	tests := []struct{ lang, want string }{
		{"ja", "ja"}, {"en", "en"}, {"th", "th"},
		{"", "en"}, {"de", "en"}, {"ja-JP", "ja"}, {"th-TH", "th"},
	}
	for _, tt := range tests {
		if got := i18n.For(tt.lang).Lang(); got != tt.want {
			t.Errorf("For(%q).Lang() = %q, want %q", tt.lang, got, tt.want)
		}
	}
	if got := i18n.For("xx").T("lang.set"); got != "I will speak English from now on." {
		t.Errorf("For(unknown) speaks %q", got)
	}
}

func TestDefaultZone(t *testing.T) {
	tests := []struct{ lang, want string }{
		{"ja", "Asia/Tokyo"}, {"th", "Asia/Bangkok"}, {"en", "UTC"}, {"", "UTC"},
	}
	for _, tt := range tests {
		got := i18n.DefaultZone(tt.lang)
		if got != tt.want {
			t.Errorf("DefaultZone(%q) = %q, want %q", tt.lang, got, tt.want)
		}
		if _, err := time.LoadLocation(got); err != nil {
			t.Errorf("DefaultZone(%q) = %q does not load: %v", tt.lang, got, err)
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestTime(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")
	bangkok := mustZone(t, "Asia/Bangkok")
	utc := time.UTC
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	now := at("2026-11-20T10:00:00Z")
	newYearsEve := at("2026-12-31T20:00:00Z") // already 2027 in Tokyo and Bangkok

	tests := []struct {
		name   string
		lang   string
		t, now time.Time
		loc    *time.Location
		want   string
	}{
		{"ja this year", "ja", at("2026-11-25T05:05:00Z"), now, tokyo, "11月25日(水) 14:05"},
		{"ja other year", "ja", at("2025-11-25T05:05:00Z"), now, tokyo, "2025年11月25日(火) 14:05"},
		{"ja next year", "ja", at("2027-02-03T00:00:00Z"), now, tokyo, "2027年2月3日(水) 09:00"},
		{"ja zone moves the day", "ja", at("2026-11-25T20:00:00Z"), now, tokyo, "11月26日(木) 05:00"},
		{"ja year in the chat's zone", "ja", at("2027-01-01T01:00:00Z"), newYearsEve, tokyo, "1月1日(金) 10:00"},
		{"en this year", "en", at("2026-11-25T14:05:00Z"), now, utc, "Wed 25 Nov 14:05"},
		{"en in Tokyo", "en", at("2026-11-25T05:05:00Z"), now, tokyo, "Wed 25 Nov 14:05"},
		{"en other year", "en", at("2025-11-25T05:05:00Z"), now, utc, "Tue 25 Nov 2025 05:05"},
		{"en year in the chat's zone", "en", at("2027-01-01T01:00:00Z"), newYearsEve, utc, "Fri 1 Jan 2027 01:00"},
		{"en single-digit day", "en", at("2026-03-05T09:30:00Z"), now, utc, "Thu 5 Mar 09:30"},
		{"th Buddhist era", "th", at("2026-11-25T07:05:00Z"), now, bangkok, "พ. 25 พ.ย. 2569 14:05"},
		{"th year always shown", "th", at("2026-01-01T02:00:00Z"), at("2026-01-01T03:00:00Z"), bangkok, "พฤ. 1 ม.ค. 2569 09:00"},
		{"th other year", "th", at("2025-12-31T10:00:00Z"), now, bangkok, "พ. 31 ธ.ค. 2568 17:00"},
		{"th zone moves the year", "th", at("2025-12-31T17:30:00Z"), now, bangkok, "พฤ. 1 ม.ค. 2569 00:30"},
		{"th in Tokyo", "th", at("2026-11-25T05:05:00Z"), now, tokyo, "พ. 25 พ.ย. 2569 14:05"},
		{"nil zone is the language's", "ja", at("2026-11-25T05:05:00Z"), now, nil, "11月25日(水) 14:05"},
		{"nil zone in English is UTC", "en", at("2026-11-25T05:05:00Z"), now, nil, "Wed 25 Nov 05:05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := i18n.For(tt.lang).Time(tt.t, tt.now, tt.loc); got != tt.want {
				t.Errorf("Time(%s) = %q, want %q", tt.t.Format(time.RFC3339), got, tt.want)
			}
		})
	}
}

func TestTimeWeekdaysAndMonths(t *testing.T) {
	sunday := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	ja := []string{"日", "月", "火", "水", "木", "金", "土"}
	th := []string{"อา.", "จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส."}
	for i := range 7 {
		d := sunday.AddDate(0, 0, i)
		if got, want := i18n.For("ja").Time(d, d, time.UTC), fmt.Sprintf("11月%d日(%s) 12:00", d.Day(), ja[i]); got != want {
			t.Errorf("ja %s: %q, want %q", d.Weekday(), got, want)
		}
		if got, want := i18n.For("th").Time(d, d, time.UTC), fmt.Sprintf("%s %d พ.ย. 2569 12:00", th[i], d.Day()); got != want {
			t.Errorf("th %s: %q, want %q", d.Weekday(), got, want)
		}
	}
	months := []string{"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."}
	for i, m := range months {
		d := time.Date(2027, time.Month(i+1), 10, 8, 0, 0, 0, time.UTC)
		got := i18n.For("th").Time(d, d, time.UTC)
		if want := fmt.Sprintf(" 10 %s 2570 08:00", m); !strings.HasSuffix(got, want) {
			t.Errorf("th %s: %q, want suffix %q", d.Month(), got, want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			p := i18n.For(i18n.Langs()[i%3])
			for n := range 200 {
				if p.T("list.header", n) == "" || p.Time(time.Now(), time.Now(), nil) == "" {
					t.Error("empty output")
					return
				}
			}
		})
	}
	wg.Wait()
}
