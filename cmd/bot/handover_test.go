package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
)

const (
	intlNumber     = "LP00123456789012"
	domesticNumber = "482153769020" // the number of the Japan Post page below
)

// fakeCainiao serves the recorded Japan-bound journey of the cainiao
// source's testdata up to the clock, shifted so that the handover to Japan
// Post falls just before the Japan Post page's first scan. The domestic
// number appears only once the handover scan has happened, as on the real
// service.
func fakeCainiao(t *testing.T, clk *clock) *httptest.Server {
	t.Helper()
	raw, err := os.ReadFile("../../tracker/sources/cainiao/testdata/japan-handover.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	module := doc["module"].([]any)[0].(map[string]any)
	const layout = "2006-01-02 15:04:05"
	handover := time.Date(2026, 12, 30, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)) // 10:00 in Japan, before 引受 at 16:42
	var shift time.Duration
	var scans []map[string]any
	for _, d := range module["detailList"].([]any) {
		scan := d.(map[string]any)
		if scan["actionCode"] == "GTMS_ACCEPT" {
			at, _ := time.ParseInLocation(layout, scan["timeStr"].(string), handover.Location())
			shift = handover.Sub(at)
		}
	}
	for _, d := range module["detailList"].([]any) {
		scan := d.(map[string]any)
		at, _ := time.ParseInLocation(layout, scan["timeStr"].(string), handover.Location())
		at = at.Add(shift)
		if at.After(handover) {
			continue // from here on Japan Post tells the story
		}
		scan["timeStr"] = at.Format(layout)
		scan["time"] = at.UnixMilli()
		scans = append(scans, scan)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/global/detail.json" || r.URL.Query().Get("mailNos") != intlNumber {
			t.Errorf("cainiao got %s", r.URL)
			http.NotFound(w, r)
			return
		}
		now := clk.Now()
		m := map[string]any{}
		for k, v := range module {
			m[k] = v
		}
		m["mailNo"] = intlNumber
		var list []any
		handedOver := false
		for _, s := range scans {
			at, _ := time.ParseInLocation(layout, s["timeStr"].(string), handover.Location())
			if !at.After(now) {
				list = append(list, s)
				handedOver = handedOver || s["actionCode"] == "GTMS_ACCEPT"
			}
		}
		m["detailList"] = list
		if handedOver {
			m["copyRealMailNo"] = domesticNumber
			m["realMailNo"] = "Latest Tracking Number:\t" + domesticNumber
		} else {
			delete(m, "copyRealMailNo")
			delete(m, "realMailNo")
			delete(m, "destCpInfo")
		}
		delete(m, "latestTrace")
		out := map[string]any{"success": true, "module": []any{m}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
}

// fakeJapanPost serves the japanpost source's recorded delivered page with
// only the scans that happened by the clock, and its not-found page before
// the first one.
func fakeJapanPost(t *testing.T, clk *clock) *httptest.Server {
	t.Helper()
	page, err := os.ReadFile("../../tracker/sources/japanpost/testdata/delivered.html")
	if err != nil {
		t.Fatal(err)
	}
	missing, err := os.ReadFile("../../tracker/sources/japanpost/testdata/notfound.html")
	if err != nil {
		t.Fatal(err)
	}
	notFound := strings.ReplaceAll(string(missing), "3987-0112-3461", "4821-5376-9020")
	row := regexp.MustCompile(`(?s)<tr>\s*<td rowspan="2" class="w_120">(\d{4}/\d\d/\d\d \d\d:\d\d)</td>.*?</tr>\s*<tr>.*?</tr>\s*`)
	jst := time.FixedZone("JST", 9*3600)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/services/srv/search/direct" || r.URL.Query().Get("reqCodeNo1") != domesticNumber {
			t.Errorf("japan post got %s", r.URL)
			http.NotFound(w, r)
			return
		}
		now := clk.Now()
		shown := 0
		body := row.ReplaceAllStringFunc(string(page), func(tr string) string {
			at, _ := time.ParseInLocation("2006/01/02 15:04", row.FindStringSubmatch(tr)[1], jst)
			if at.After(now) {
				return ""
			}
			shown++
			return tr
		})
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		if shown == 0 {
			body = notFound
		}
		_, _ = w.Write([]byte(body))
	}))
}

// TestHandoverEndToEnd follows a Cainiao parcel that Cainiao hands to Japan
// Post under a domestic number: the poller follows the domestic number on
// Japan Post's site, the chat hears of the handover once (with the domestic
// number) and then of every domestic stage, and pasting the domestic number
// finds the same parcel.
func TestHandoverEndToEnd(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	cn, jp := fakeCainiao(t, clk), fakeJapanPost(t, clk)
	defer cn.Close()
	defer jp.Close()
	cfg, err := loadConfig(env(map[string]string{
		envDBPath:              filepath.Join(t.TempDir(), "todoku.db"),
		envSources:             "cainiao,japan-post",
		"TODOKU_CAINIAO_URL":   cn.URL,
		"TODOKU_JAPANPOST_URL": jp.URL,
		// The fakes answer at once; the default politeness would make
		// this test wait minutes of real time.
		"TODOKU_CAINIAO_RATE":   "1000",
		"TODOKU_JAPANPOST_RATE": "1000",
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := newApp(ctx, cfg, slog.New(slog.DiscardHandler), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	rec := &recorder{}
	d := bot.NewDispatcher(bot.DispatcherConfig{Store: a.store, Platforms: []bot.Platform{rec}, Now: clk.Now})
	chat := store.ChatKey{Platform: rec.Name(), ID: "1"}
	p := i18n.For(i18n.Japanese)

	reply := a.router.Handle(ctx, bot.Update{Chat: chat, Lang: "ja", Text: "追跡番号 " + intlNumber})
	if len(reply) == 0 || reply[0].Card == nil || reply[0].Card.Number != intlNumber {
		t.Fatalf("reply %+v", reply)
	}
	// Poll every hour of virtual time for five weeks; the sources' rate
	// limits are real, so keep the hours cheap: most find nothing due.
	for clk.Now().Before(time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)) {
		clk.Set(clk.Now().Add(time.Hour))
		if _, err := a.poller.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	stages := rec.stages()
	t.Logf("pushed %v", stages)
	i := slices.Index(stages, "handed_to_last_mile")
	if i < 0 {
		t.Fatalf("no handover pushed; pushed %v", stages)
	}
	if n := strings.Count(strings.Join(stages, ","), "handed_to_last_mile"); n != 1 {
		t.Errorf("handover pushed %d times: %v", n, stages)
	}
	want := p.T("push.handover", intlNumber, p.T("carrier.japan-post"), "4821-5376-9020")
	if rec.pushes[i].Text != want {
		t.Errorf("handover push %q, want %q", rec.pushes[i].Text, want)
	}
	if got, want := stages[i+1:], []string{"out_for_delivery", "attempted_delivery", "out_for_delivery", "delivered"}; !slices.Equal(got, want) {
		t.Errorf("domestic stages pushed %v, want %v (all: %v)", got, want, stages)
	}
	if slices.Contains(stages[:i], "delivered") {
		t.Errorf("delivered before the handover: %v", stages)
	}
	sh, err := a.store.Shipment(ctx, intlNumber)
	if err != nil || sh.Stage.String() != "delivered" || !slices.Equal(sh.Linked, []string{domesticNumber}) {
		t.Errorf("shipment %+v (err %v)", sh, err)
	}
	again := a.router.Handle(ctx, bot.Update{Chat: chat, Text: "4821-5376-9020"})
	if len(again) != 1 || !strings.HasPrefix(again[0].Text, p.T("track.already", intlNumber)) {
		t.Errorf("pasting the domestic number answered %+v", again)
	}
}
