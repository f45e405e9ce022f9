package japanpost

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/jppage"
	"github.com/todoku/todoku/tracker/sources/sourcetest"
)

// since is when the tests' numbers began to be followed.
var since = time.Date(2026, 12, 28, 9, 0, 0, 0, jppage.JST)

func page(t testing.TB, name string) []byte { return sourcetest.Page(t, name) }

func normalize(t *testing.T, rs []tracker.Result) []sourcetest.Golden {
	t.Helper()
	return sourcetest.Normalize(t, rs, Name, tracker.CarrierJapanPost)
}

func checkGolden(t *testing.T, name string, got []sourcetest.Golden) {
	t.Helper()
	sourcetest.CheckGolden(t, name, got)
}

func TestParseGolden(t *testing.T) {
	for _, name := range []string{"delivered", "international", "notfound"} {
		t.Run(name, func(t *testing.T) {
			rs, err := Parse(page(t, name+".html"), since)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, normalize(t, rs))
		})
	}
}

func TestParseLatestStage(t *testing.T) {
	for name, want := range map[string]tracker.Stage{
		"delivered.html":     tracker.StageDelivered,
		"international.html": tracker.StageAwaitingPickup,
	} {
		rs, err := Parse(page(t, name), since)
		if err != nil {
			t.Fatal(err)
		}
		if got := tracker.StageOf(tracker.MergeEvents(nil, rs[0].Events)); got != want {
			t.Errorf("%s: stage %v, want %v", name, got, want)
		}
	}
}

// TestParseYearless reads the page with its years removed: the dates then
// take their year from since, across New Year.
func TestParseYearless(t *testing.T) {
	body := regexp.MustCompile(`20(26|27)/(\d\d/\d\d \d\d:\d\d)`).ReplaceAll(page(t, "delivered.html"), []byte("$2"))
	rs, err := Parse(body, since)
	if err != nil {
		t.Fatal(err)
	}
	evs := rs[0].Events
	if len(evs) != 10 {
		t.Fatalf("%d events", len(evs))
	}
	for i, want := range map[int]time.Time{
		0: time.Date(2026, 12, 30, 16, 42, 0, 0, jppage.JST),
		9: time.Date(2027, 1, 2, 10, 18, 0, 0, jppage.JST),
	} {
		if !evs[i].Time.Equal(want) {
			t.Errorf("event %d at %v, want %v", i, evs[i].Time, want)
		}
	}
}

func TestParseShiftJIS(t *testing.T) {
	utf := page(t, "delivered.html")
	sj, err := japanese.ShiftJIS.NewEncoder().Bytes(bytes.Replace(utf, []byte("charset=UTF-8"), []byte("charset=Shift_JIS"), 1))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse(utf, since)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(sj, since)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(normalize(t, want))
	b, _ := json.Marshal(normalize(t, got))
	if !bytes.Equal(a, b) {
		t.Errorf("Shift_JIS page reads differently:\n%s\n%s", b, a)
	}
}

func TestParseFailures(t *testing.T) {
	delivered := string(page(t, "delivered.html"))
	tests := []struct {
		name string
		body string
		kind string
	}{
		{"maintenance", string(page(t, "maintenance.html")), tracker.ErrKindUnavailable},
		{"truncated", delivered[:len(delivered)/2], tracker.ErrKindBadResponse},
		{"empty", "", tracker.ErrKindBadResponse},
		{"history table renamed", strings.Replace(delivered, `summary="履歴情報"`, `summary="配送履歴"`, 1), tracker.ErrKindBadResponse},
		{"history column renamed", strings.Replace(delivered, ">配送履歴</th>", ">状態</th>", 1), tracker.ErrKindBadResponse},
		{"unreadable date", strings.Replace(delivered, "2027/01/02 10:18", "----/--/-- --:--", 1), tracker.ErrKindBadResponse},
		{"empty status", strings.Replace(delivered, `<td rowspan="2" class="w_150">お届け先にお届け済み</td>`, `<td rowspan="2" class="w_150"></td>`, 1), tracker.ErrKindBadResponse},
		{"missing cell", strings.Replace(delivered, `<td rowspan="2" class="w_105">東京都</td>`, ``, 1), tracker.ErrKindBadResponse},
		{"no number", strings.Replace(delivered, "4821-5376-9020", "", 1), tracker.ErrKindBadResponse},
		{"bot check", "<html><head><title>Just a moment...</title></head><body></body></html>", tracker.ErrKindBadResponse},
		{"other page", "<html><body><h1>郵便追跡サービス</h1><p>お問い合わせ番号を入力してください。</p></body></html>", tracker.ErrKindBadResponse},
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
		{"引受", tracker.StagePickedUp},
		{"集荷", tracker.StagePickedUp},
		{"国際交換局に到着", tracker.StageArrivedDestination},
		{"通関手続中", tracker.StageImportCustoms},
		{"税関検査のため税関へ提示", tracker.StageImportCustoms},
		{"税関検査中", tracker.StageImportCustoms},
		{"税関から受領", tracker.StageImportCustoms},
		{"国際交換局から発送", tracker.StageHandedToLastMile},
		{"到着", tracker.StageInTransit},
		{"通過", tracker.StageInTransit},
		{"中継", tracker.StageInTransit},
		{"発送", tracker.StageInTransit},
		{"転送", tracker.StageInTransit},
		{"郵便局に到着", tracker.StageInTransit},
		{"持ち出し中", tracker.StageOutForDelivery},
		{"配達中", tracker.StageOutForDelivery},
		{"配達に出発", tracker.StageOutForDelivery},
		{"お届け先にお届け済み", tracker.StageDelivered},
		{"お届け済み", tracker.StageDelivered},
		{"配達完了", tracker.StageDelivered},
		{"配達済み", tracker.StageDelivered},
		{"窓口でお渡し", tracker.StageDelivered},
		{"郵便受箱に配達", tracker.StageDelivered},
		{"宅配ボックスに配達", tracker.StageDelivered},
		{"ご不在のため持ち戻り", tracker.StageAttemptedDelivery},
		{"持戻", tracker.StageAttemptedDelivery},
		{"配達希望受付", tracker.StageAttemptedDelivery},
		{"保管", tracker.StageAwaitingPickup},
		{"保管中", tracker.StageAwaitingPickup},
		{"郵便局でお預かり", tracker.StageAwaitingPickup},
		{"お預かり", tracker.StageAwaitingPickup},
		{"コンビニエンスストアに到着", tracker.StageAwaitingPickup},
		{"差出人に返送", tracker.StageReturning},
		{"返送", tracker.StageReturning},
		{"差出人に返送済み", tracker.StageReturned},
		{"調査中", tracker.StageException},
		{"あて所に尋ねあたりません", tracker.StageException},
		{"新しい表示", tracker.StageInTransit},
	}
	for _, tt := range tests {
		if got := Stage(tt.status); got != tt.want {
			t.Errorf("Stage(%q) = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func TestStageAbroad(t *testing.T) {
	for status, want := range map[string]tracker.Stage{
		"引受":        tracker.StagePickedUp,
		"国際交換局に到着":  tracker.StageAtSortingCenter,
		"国際交換局から発送": tracker.StageDepartedOrigin,
		"通関手続中":     tracker.StageExportCustoms,
		"調査中":       tracker.StageException,
	} {
		if got := stageAt(status, true); got != want {
			t.Errorf("stageAt(%q, abroad) = %v, want %v", status, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"delivered.html", "international.html", "notfound.html", "maintenance.html"} {
		f.Add(page(f, name))
	}
	f.Add([]byte("<table summary=\"配達状況詳細\"><tr><td>1</td></tr></table><table summary=\"履歴情報\"><tr><th>状態発生日</th></tr><tr><td>x</td></tr></table></html>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := Parse(body, since)
		if err == nil && len(rs) != 1 {
			t.Fatalf("%d results without an error", len(rs))
		}
	})
}
