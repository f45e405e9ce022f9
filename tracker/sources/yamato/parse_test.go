package yamato

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/jppage"
	"github.com/todoku/todoku/tracker/sources/sourcetest"
)

// since is when the tests' numbers began to be followed: the page's dates
// run from 12/30 to 01/02 without a year.
var since = time.Date(2026, 12, 28, 9, 0, 0, 0, jppage.JST)

func page(t testing.TB, name string) []byte { return sourcetest.Page(t, name) }

func normalize(t *testing.T, rs []tracker.Result) []sourcetest.Golden {
	t.Helper()
	return sourcetest.Normalize(t, rs, Name, tracker.CarrierYamato)
}

func checkGolden(t *testing.T, name string, got []sourcetest.Golden) {
	t.Helper()
	sourcetest.CheckGolden(t, name, got)
}

func TestParseGolden(t *testing.T) {
	rs, err := Parse(page(t, "batch.html"), since)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "batch", normalize(t, rs))
}

func TestParseNewYear(t *testing.T) {
	rs, err := Parse(page(t, "batch.html"), since)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 {
		t.Fatalf("%d results, want 3", len(rs))
	}
	evs := rs[0].Events
	for i, want := range map[int]time.Time{
		0: time.Date(2026, 12, 30, 18, 5, 0, 0, jppage.JST),
		3: time.Date(2027, 1, 1, 6, 15, 0, 0, jppage.JST),
		6: time.Date(2027, 1, 2, 18, 42, 0, 0, jppage.JST),
	} {
		if !evs[i].Time.Equal(want) {
			t.Errorf("event %d at %v, want %v", i, evs[i].Time, want)
		}
	}
	for i, want := range []tracker.Stage{tracker.StageDelivered, tracker.StageAwaitingPickup, tracker.StageNotFound} {
		if got := tracker.StageOf(rs[i].Events); got != want {
			t.Errorf("%s: stage %v, want %v", rs[i].Number, got, want)
		}
	}
	if rs[2].Error != tracker.ErrKindNotFound {
		t.Errorf("%s: error %q, want not_found", rs[2].Number, rs[2].Error)
	}
}

// TestParseSince shows the same page read a year later: the year follows
// since.
func TestParseSince(t *testing.T) {
	rs, err := Parse(page(t, "batch.html"), since.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got := rs[0].Events[0].Time.Year(); got != 2027 {
		t.Errorf("year %d, want 2027", got)
	}
}

func TestParseFailures(t *testing.T) {
	batch := string(page(t, "batch.html"))
	tests := []struct {
		name string
		body string
		kind string
	}{
		{"maintenance", string(page(t, "maintenance.html")), tracker.ErrKindUnavailable},
		{"truncated", batch[:len(batch)/2], tracker.ErrKindBadResponse},
		{"empty", "", tracker.ErrKindBadResponse},
		{"blocks renamed", strings.ReplaceAll(batch, "parts-tracking-invoice-block", "parts-tracking-card"), tracker.ErrKindBadResponse},
		{"scan list renamed", strings.ReplaceAll(batch, "tracking-invoice-block-detail", "tracking-invoice-block-history"), tracker.ErrKindBadResponse},
		{"number missing", strings.Replace(batch, "1件目：5731-0229-1845", "1件目：", 1), tracker.ErrKindBadResponse},
		{"unreadable date", strings.Replace(batch, "12月30日 18:05", "本日", 1), tracker.ErrKindBadResponse},
		{"date missing", strings.Replace(batch, `<div class="date">12月30日 18:05</div>`, ``, 1), tracker.ErrKindBadResponse},
		{"unknown with scans", strings.Replace(batch, ">配達完了</h4>", ">伝票番号未登録</h4>", 1), tracker.ErrKindBadResponse},
		{"bot check", `<html><head><title>Captcha</title></head><body><div class="g-recaptcha"></div></body></html>`, tracker.ErrKindBadResponse},
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
		{"出荷指示", tracker.StageInfoReceived},
		{"荷物受付", tracker.StagePickedUp},
		{"集荷", tracker.StagePickedUp},
		{"海外荷物受付", tracker.StagePickedUp},
		{"海外発送", tracker.StageDepartedOrigin},
		{"国内到着", tracker.StageArrivedDestination},
		{"通関手続中", tracker.StageImportCustoms},
		{"発送", tracker.StageInTransit},
		{"発送済み", tracker.StageInTransit},
		{"輸送中", tracker.StageInTransit},
		{"作業店通過", tracker.StageInTransit},
		{"配達店到着", tracker.StageInTransit},
		{"配達予定", tracker.StageInTransit},
		{"配達日・時間帯指定（保管中）", tracker.StageInTransit},
		{"依頼受付（日・時間帯変更）", tracker.StageInTransit},
		{"委託先引渡", tracker.StageHandedToLastMile},
		{"配達中", tracker.StageOutForDelivery},
		{"持出中", tracker.StageOutForDelivery},
		{"配達完了", tracker.StageDelivered},
		{"配達完了（宅配ボックス）", tracker.StageDelivered},
		{"投函完了", tracker.StageDelivered},
		{"お客様引渡完了", tracker.StageDelivered},
		{"持戻（ご不在）", tracker.StageAttemptedDelivery},
		{"持戻(ご不在)", tracker.StageAttemptedDelivery},
		{"持戻（休業）", tracker.StageAttemptedDelivery},
		{"持戻（置き配不能）サイズオーバー", tracker.StageAttemptedDelivery},
		{"依頼受付（再配達）", tracker.StageAttemptedDelivery},
		{"持戻（住所不明）", tracker.StageException},
		{"ご来店予定（保管中）", tracker.StageAwaitingPickup},
		{"保管中（ご指定店）", tracker.StageAwaitingPickup},
		{"保管中", tracker.StageAwaitingPickup},
		{"調査中", tracker.StageException},
		{"調査中（転居先不明）", tracker.StageException},
		{"返品", tracker.StageReturning},
		{"返品完了", tracker.StageReturned},
		{"伝票番号誤り", tracker.StageNotFound},
		{"伝票番号未登録", tracker.StageNotFound},
		{"新しい表示", tracker.StageInTransit},
	}
	for _, tt := range tests {
		if got := Stage(tt.status); got != tt.want {
			t.Errorf("Stage(%q) = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func TestETA(t *testing.T) {
	for in, want := range map[string]time.Time{
		"01/03 14:00-16:00": time.Date(2027, 1, 3, 16, 0, 0, 0, jppage.JST),
		"01/02 午前中":         time.Date(2027, 1, 2, 12, 0, 0, 0, jppage.JST),
		"12/31":             time.Date(2026, 12, 31, 0, 0, 0, 0, jppage.JST),
		"-":                 {},
		"":                  {},
	} {
		if got := eta(in, since); !got.Equal(want) {
			t.Errorf("eta(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(page(f, "batch.html"))
	f.Add(page(f, "maintenance.html"))
	f.Add([]byte(`<div class="parts-tracking-invoice-block"><h3 class="tracking-invoice-block-title">1件目：1</h3><div class="tracking-invoice-block-detail"><ol><li><div class="item">x</div><div class="date">2/30</div></li></ol></div></div></html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := Parse(body, since)
		if err == nil {
			for _, r := range rs {
				if r.Number == "" {
					t.Fatal("a result without a number")
				}
			}
		}
	})
}
