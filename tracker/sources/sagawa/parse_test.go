package sagawa

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/jppage"
	"github.com/todoku/todoku/tracker/sources/sourcetest"
)

// since is when the tests' numbers began to be followed: the pages' dates
// run from 12/29 to 01/04 without a year.
var since = time.Date(2026, 12, 28, 9, 0, 0, 0, jppage.JST)

func page(t testing.TB, name string) []byte { return sourcetest.Page(t, name) }

// utf8Page returns a testdata page (served as Windows-31J, with its text
// as numeric character references) as plain UTF-8, for tests that edit it.
func utf8Page(t testing.TB, name string) string {
	t.Helper()
	b, err := japanese.ShiftJIS.NewDecoder().Bytes(page(t, name))
	if err != nil {
		t.Fatal(err)
	}
	s := regexp.MustCompile(`&#(\d+);`).ReplaceAllStringFunc(string(b), func(ref string) string {
		n, _ := strconv.Atoi(ref[2 : len(ref)-1])
		return string(rune(n))
	})
	return strings.Replace(s, "charset=Windows-31J", "charset=UTF-8", 1)
}

func normalize(t *testing.T, rs []tracker.Result) []sourcetest.Golden {
	t.Helper()
	return sourcetest.Normalize(t, rs, Name, tracker.CarrierSagawa)
}

func checkGolden(t *testing.T, name string, got []sourcetest.Golden) {
	t.Helper()
	sourcetest.CheckGolden(t, name, got)
}

func TestParseGolden(t *testing.T) {
	for _, name := range []string{"delivered", "pending", "notfound"} {
		t.Run(name, func(t *testing.T) {
			rs, err := Parse(page(t, name+".html"), since)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, normalize(t, rs))
		})
	}
}

func TestParseNewYear(t *testing.T) {
	tests := []struct {
		page  string
		since time.Time
		first time.Time
		last  time.Time
		stage tracker.Stage
	}{
		// The page shows 出荷日 2026年12月30日: it places the dates
		// whatever since says.
		{"delivered.html", since, time.Date(2026, 12, 30, 15, 10, 0, 0, jppage.JST), time.Date(2027, 1, 2, 14, 20, 0, 0, jppage.JST), tracker.StageDelivered},
		{"delivered.html", since.AddDate(0, 3, 0), time.Date(2026, 12, 30, 15, 10, 0, 0, jppage.JST), time.Date(2027, 1, 2, 14, 20, 0, 0, jppage.JST), tracker.StageDelivered},
		// No shipping date: since places them.
		{"pending.html", since, time.Date(2026, 12, 29, 17, 45, 0, 0, jppage.JST), time.Date(2027, 1, 4, 8, 0, 0, 0, jppage.JST), tracker.StageAwaitingPickup},
	}
	for _, tt := range tests {
		rs, err := Parse(page(t, tt.page), tt.since)
		if err != nil {
			t.Fatal(err)
		}
		evs := rs[0].Events
		if !evs[0].Time.Equal(tt.first) || !evs[len(evs)-1].Time.Equal(tt.last) {
			t.Errorf("%s since %v: %v .. %v, want %v .. %v", tt.page, tt.since, evs[0].Time, evs[len(evs)-1].Time, tt.first, tt.last)
		}
		if got := tracker.StageOf(evs); got != tt.stage {
			t.Errorf("%s: stage %v, want %v", tt.page, got, tt.stage)
		}
	}
}

// TestParseUTF8 reads the same page served as UTF-8 with plain text
// instead of character references.
func TestParseUTF8(t *testing.T) {
	want, err := Parse(page(t, "delivered.html"), since)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse([]byte(utf8Page(t, "delivered.html")), since)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(normalize(t, want))
	b, _ := json.Marshal(normalize(t, got))
	if !bytes.Equal(a, b) {
		t.Errorf("UTF-8 page reads differently:\n%s\n%s", b, a)
	}
}

func TestParseFailures(t *testing.T) {
	delivered := utf8Page(t, "delivered.html")
	raw := string(page(t, "delivered.html"))
	tests := []struct {
		name string
		body string
		kind string
	}{
		{"maintenance", string(page(t, "maintenance.html")), tracker.ErrKindUnavailable},
		{"truncated", raw[:len(raw)/2], tracker.ErrKindBadResponse},
		{"empty", "", tracker.ErrKindBadResponse},
		{"tables renamed", strings.ReplaceAll(delivered, "table_okurijo_detail2", "table_detail"), tracker.ErrKindBadResponse},
		{"detail moved", strings.Replace(delivered, `id="detail1"`, `id="detail"`, 1), tracker.ErrKindBadResponse},
		{"unreadable date", strings.Replace(delivered, "12/30 15:10", "30日", 1), tracker.ErrKindBadResponse},
		{"missing cell", strings.Replace(delivered, "<td>12/30 15:10</td>", "", 1), tracker.ErrKindBadResponse},
		{"empty status", strings.Replace(delivered, "<td>↓集荷</td>", "<td>↓</td>", 1), tracker.ErrKindBadResponse},
		{"bot check", "<html><head><title>Access Denied</title></head><body></body></html>", tracker.ErrKindBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Parse([]byte(tt.body), since)
			var fe *tracker.FetchError
			if !errors.As(err, &fe) || fe.Kind != tt.kind || fe.Source != Name {
				t.Fatalf("Parse = %v, %v; want a %s FetchError", rs, err, tt.kind)
			}
		})
	}
}

func TestStage(t *testing.T) {
	tests := []struct {
		status string
		want   tracker.Stage
	}{
		{"↓集荷", tracker.StagePickedUp},
		{"集荷", tracker.StagePickedUp},
		{"↓輸送中", tracker.StageInTransit},
		{"中継センター到着", tracker.StageInTransit},
		{"配達店到着", tracker.StageInTransit},
		{"↓配達中", tracker.StageOutForDelivery},
		{"⇒配達完了", tracker.StageDelivered},
		{"配達終了", tracker.StageDelivered},
		{"配達完了（宅配ボックス）", tracker.StageDelivered},
		{"↓持戻（ご不在）", tracker.StageAttemptedDelivery},
		{"持戻り", tracker.StageAttemptedDelivery},
		{"再配達受付", tracker.StageAttemptedDelivery},
		{"⇒保管中", tracker.StageAwaitingPickup},
		{"営業所受取", tracker.StageAwaitingPickup},
		{"調査中", tracker.StageException},
		{"返品", tracker.StageReturning},
		{"返品完了", tracker.StageReturned},
		{"該当なし", tracker.StageNotFound},
		{"新しい表示", tracker.StageInTransit},
	}
	for _, tt := range tests {
		if got := Stage(tt.status); got != tt.want {
			t.Errorf("Stage(%q) = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"delivered.html", "pending.html", "notfound.html", "maintenance.html"} {
		f.Add(page(f, name))
	}
	f.Add([]byte(`<dd id="detail1"><table class="table_okurijo_detail2"><tr><th>荷物状況</th><th>日時</th></tr><tr><td>x</td></tr></table></dd></html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := Parse(body, since)
		if err == nil && len(rs) != 1 {
			t.Fatalf("%d results without an error", len(rs))
		}
	})
}
