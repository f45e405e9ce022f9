package handlers_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/bot/handlers"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/sandbox"
)

type harness struct {
	p    *poller.Poller
	st   *boltstore.Store
	r    *bot.Router
	now  time.Time
	chat store.ChatKey
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{st: st, now: time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC), chat: store.ChatKey{Platform: "test", ID: "42"}}
	now := func() time.Time { return h.now }
	p := poller.New(poller.Config{Store: st, Sources: []tracker.Source{sandbox.New(sandbox.Options{Now: now})}, Now: now})
	h.p = p
	h.r = bot.NewRouter(st, now, nil)
	(&handlers.Handlers{Store: st, Checker: p, MaxNumbers: 3}).Register(h.r)
	return h
}

// say sends text as the user, in English unless the chat chose otherwise.
func (h *harness) say(t *testing.T, text string) []bot.Message {
	t.Helper()
	return h.r.Handle(context.Background(), bot.Update{Chat: h.chat, Lang: "en-US", Text: text})
}

func (h *harness) numbers(t *testing.T) []string {
	t.Helper()
	subs, err := h.st.Subscriptions(context.Background(), h.chat)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range subs {
		out = append(out, s.Number)
	}
	return out
}

func texts(msgs []bot.Message) string {
	var b []string
	for _, m := range msgs {
		b = append(b, m.Text)
	}
	return strings.Join(b, "\n")
}

var en = i18n.For(i18n.English)

func TestTrackSeveralNumbers(t *testing.T) {
	h := newHarness(t)
	// One sandbox number a day into its journey, one Cainiao number with no
	// source configured, one S10 number with a wrong check digit.
	out := h.say(t, "sbxjp0001 and LP 0012 3456 7890 12, also RB004010605CN")
	if len(out) != 3 {
		t.Fatalf("answered %d messages, want 3: %q", len(out), texts(out))
	}
	if out[0].Card == nil || out[0].Card.Number != "SBXJP0001" || !strings.Contains(out[0].Text, en.T("track.subscribed", "SBXJP0001", en.T("carrier.sandbox"))) {
		t.Errorf("first answer: %q %+v", out[0].Text, out[0].Card)
	}
	if out[1].Card == nil || out[1].Card.Number != "LP00123456789012" ||
		!strings.Contains(out[1].Text, en.T("carrier.cainiao")) || !strings.Contains(out[1].Text, en.T("track.no_source")) {
		t.Errorf("second answer: %q %+v", out[1].Text, out[1].Card)
	}
	if out[2].Card != nil || out[2].Text != en.T("track.typo", "RB004010605CN", en.T("carrier.china-post")+" / "+en.T("carrier.cainiao")) {
		t.Errorf("typo answer: %q", out[2].Text)
	}
	if len(out[2].Buttons) == 0 {
		t.Error("the last answer carries no menu buttons")
	}
	if got := h.numbers(t); strings.Join(got, ",") != "LP00123456789012,SBXJP0001" && strings.Join(got, ",") != "SBXJP0001,LP00123456789012" {
		t.Errorf("subscribed to %v", got)
	}

	again := h.say(t, "ＳＢＸＪＰ０００１")
	if len(again) != 1 || again[0].Text != en.T("track.already", "SBXJP0001") || again[0].Card == nil {
		t.Errorf("pasting again answered %q", texts(again))
	}
}

func TestTrackShowsCurrentStage(t *testing.T) {
	h := newHarness(t)
	// Subscribe, then a second chat pastes it three days later: the answer
	// names the stage the sandbox journey has reached by then.
	h.say(t, "SBXJP0001")
	h.now = h.now.Add(3 * 24 * time.Hour)
	h.chat = store.ChatKey{Platform: "test", ID: "43"}
	out := h.say(t, "SBXJP0001")
	sh, err := h.st.Shipment(context.Background(), "SBXJP0001")
	if err != nil {
		t.Fatal(err)
	}
	if sh.Stage == tracker.StageNotFound || sh.Stage == tracker.StageUnknown {
		t.Fatalf("after three simulated days the parcel is still at %v", sh.Stage)
	}
	if out[0].Card.Stage != sh.Stage.String() || out[0].Card.StageName != en.T("stage."+sh.Stage.String()+".name") {
		t.Errorf("card %+v, want stage %v", out[0].Card, sh.Stage)
	}
	sub, err := h.st.Subscription(context.Background(), h.chat, "SBXJP0001")
	if err != nil || sub.LastStage != sh.Stage {
		t.Errorf("the new chat was told %v but LastStage = %v (err %v)", sh.Stage, sub.LastStage, err)
	}
}

func TestTrackLimitsNumbersPerMessage(t *testing.T) {
	h := newHarness(t)
	out := h.say(t, "SBXJP0001 SBXJP0002 SBXJP0003 SBXJP0004 SBXJP0005")
	if !strings.Contains(texts(out), en.T("track.too_many", 3)) {
		t.Errorf("no limit notice in %q", texts(out))
	}
	if n := len(h.numbers(t)); n != 3 {
		t.Errorf("followed %d numbers, want 3", n)
	}
}

func TestUnknownTextGetsHelp(t *testing.T) {
	h := newHarness(t)
	for _, text := range []string{"asdf qwerty", "😀", "<script>alert(1)</script>", "/nosuchcommand", strings.Repeat("x", 50000)} {
		out := h.say(t, text)
		if len(out) == 0 || !strings.Contains(out[0].Text, en.T("help.text")) {
			t.Errorf("%.20q answered %q, want help", text, texts(out))
		}
	}
	if n := len(h.numbers(t)); n != 0 {
		t.Errorf("garbage subscribed %d numbers", n)
	}
}

func TestListAndStop(t *testing.T) {
	h := newHarness(t)
	if out := h.say(t, "/list"); out[0].Text != en.T("list.empty") {
		t.Errorf("empty list: %q", out[0].Text)
	}
	h.say(t, "SBXJP0001")
	h.now = h.now.Add(time.Minute)
	h.say(t, "SBXTH0002")
	h.now = h.now.Add(time.Minute)
	h.say(t, "LP00123456789012")

	out := h.say(t, "/list")
	lines := strings.Split(out[0].Text, "\n")
	want := []string{
		en.T("list.header", 3),
		en.T("list.item", 1, "SBXJP0001", en.T("stage.not_found.name")),
		en.T("list.item", 2, "SBXTH0002", en.T("stage.not_found.name")),
		en.T("list.item", 3, "LP00123456789012", en.T("stage.not_found.name")),
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("/list:\n%s\nwant:\n%s", out[0].Text, strings.Join(want, "\n"))
	}
	if len(out[0].Buttons) != 3 || out[0].Buttons[1].Data != "stop SBXTH0002" {
		t.Errorf("/list buttons %+v", out[0].Buttons)
	}

	if out := h.say(t, "/stop 2"); out[0].Text != en.T("stop.done", "SBXTH0002") {
		t.Errorf("/stop 2: %q", out[0].Text)
	}
	if out := h.say(t, "/stop lp-0012-3456-7890-12"); out[0].Text != en.T("stop.done", "LP00123456789012") {
		t.Errorf("/stop by number: %q", out[0].Text)
	}
	if out := h.say(t, "/stop 7"); out[0].Text != en.T("stop.not_found", "7") {
		t.Errorf("/stop 7: %q", out[0].Text)
	}
	if out := h.say(t, "/stop"); out[0].Text != en.T("stop.usage") {
		t.Errorf("/stop: %q", out[0].Text)
	}
	if got := h.numbers(t); len(got) != 1 || got[0] != "SBXJP0001" {
		t.Errorf("left following %v", got)
	}
	// A button press routes like the command.
	out = h.r.Handle(context.Background(), bot.Update{Chat: h.chat, Button: "stop SBXJP0001"})
	if out[0].Text != en.T("stop.done", "SBXJP0001") || len(h.numbers(t)) != 0 {
		t.Errorf("stop button: %q, left %v", out[0].Text, h.numbers(t))
	}
}

func TestLanguage(t *testing.T) {
	h := newHarness(t)
	th := i18n.For(i18n.Thai)
	if out := h.say(t, "/lang th"); out[0].Text != th.T("lang.set") {
		t.Errorf("/lang th answered %q", out[0].Text)
	}
	c, err := h.st.Chat(context.Background(), h.chat)
	if err != nil || c.Lang != i18n.Thai {
		t.Fatalf("chat language %q (err %v)", c.Lang, err)
	}
	if out := h.say(t, "/list"); out[0].Text != th.T("list.empty") {
		t.Errorf("after /lang th, /list said %q", out[0].Text)
	}
	ja := i18n.For(i18n.Japanese)
	if out := h.say(t, "/lang 日本語"); out[0].Text != ja.T("lang.set") {
		t.Errorf("/lang 日本語 answered %q", out[0].Text)
	}
	out := h.say(t, "/lang klingon")
	if out[0].Text != ja.T("lang.usage") || len(out[0].Buttons) != 3 {
		t.Errorf("/lang klingon answered %+v", out[0])
	}
}

func TestPastingADomesticNumberFindsTheShipment(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.say(t, "LP00123456789012")
	if err := h.st.Link(ctx, "123456789013", "LP00123456789012"); err != nil {
		t.Fatal(err)
	}
	out := h.say(t, "国内の番号は 1234-5678-9013 です")
	if len(out) != 1 || !strings.HasPrefix(out[0].Text, en.T("track.already", "LP00123456789012")) {
		t.Errorf("pasting the domestic number answered %q", texts(out))
	}
	if got := h.numbers(t); len(got) != 1 || got[0] != "LP00123456789012" {
		t.Errorf("following %v", got)
	}
	if out := h.say(t, "/stop 123456789013"); out[0].Text != en.T("stop.done", "LP00123456789012") {
		t.Errorf("/stop by the domestic number: %q", out[0].Text)
	}
}

func TestAnswerSaysWhenASourceIsDown(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	down := tracker.Shipment{Number: "LP00123456789012", Carrier: tracker.CarrierCainiao, Since: h.now,
		Error: tracker.ErrKindUnavailable, FailingSince: h.now.Add(-3 * time.Hour)}
	other := store.ChatKey{Platform: "test", ID: "other"}
	if _, _, _, err := h.st.Subscribe(ctx, store.Subscription{Chat: other, Number: down.Number, CreatedAt: h.now}, down); err != nil {
		t.Fatal(err)
	}
	// The number is leased by "another poller", so the answer uses what is stored.
	if _, err := h.st.ClaimNumber(ctx, down.Number, h.now, time.Hour); err != nil {
		t.Fatal(err)
	}
	out := h.say(t, "LP00123456789012")
	want := en.T("track.source_down", en.T("carrier.cainiao"), en.Time(down.FailingSince, h.now, time.UTC))
	if len(out) != 1 || !strings.Contains(out[0].Text, want) {
		t.Errorf("answer %q does not contain %q", texts(out), want)
	}
}

func TestNotTrackingNumbersGetAClearAnswer(t *testing.T) {
	for _, id := range []string{tracker.NotTrackingOrderNumber, tracker.NotTrackingURL, tracker.NotTrackingPhone,
		tracker.NotTrackingPostalCode, tracker.NotTrackingDate, tracker.NotTrackingPrice} {
		if !i18n.Has("detect." + id) {
			t.Errorf("no catalog answer for non-tracking input %q", id)
		}
	}
	h := newHarness(t)
	out := h.say(t, "order 8123456789012345 has not arrived")
	if len(out) != 1 || !strings.HasPrefix(out[0].Text, en.T("detect.order_number")) {
		t.Errorf("an order number answered %q", texts(out))
	}
	if n := len(h.numbers(t)); n != 0 {
		t.Errorf("an order number was followed")
	}
}

func TestNameMuteShow(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.say(t, "SBXJP0001")
	h.now = h.now.Add(time.Minute)
	h.say(t, "LP00123456789012")

	if out := h.say(t, "/name 2 phone case 📱"); out[0].Text != en.T("name.done", "LP00123456789012", "phone case 📱") {
		t.Errorf("/name 2: %q", out[0].Text)
	}
	if out := h.say(t, "/name phone\u200b case"); out[0].Text != en.T("which.not_found", "phone\u200b") {
		// With two parcels, a name must say which one.
		t.Errorf("/name without which: %q", out[0].Text)
	}
	if out := h.say(t, "/mute phone case 📱"); out[0].Text != en.T("mute.done", "phone case 📱") {
		t.Errorf("/mute by name: %q", out[0].Text)
	}
	sub, err := h.st.Subscription(ctx, h.chat, "LP00123456789012")
	if err != nil || !sub.Muted || sub.Label != "phone case 📱" {
		t.Fatalf("subscription %+v (err %v)", sub, err)
	}
	out := h.say(t, "/list")
	if !strings.Contains(out[0].Text, en.T("list.item", 2, "phone case 📱 (LP00123456789012)", en.T("stage.not_found.name"))) {
		t.Errorf("/list does not show the name: %q", out[0].Text)
	}
	out = h.r.Handle(ctx, bot.Update{Chat: h.chat, Button: "unmute LP00123456789012"})
	if out[0].Text != en.T("unmute.done", "phone case 📱") {
		t.Errorf("unmute button: %q", out[0].Text)
	}

	// Three simulated days later the sandbox parcel has a history.
	h.now = h.now.Add(3 * 24 * time.Hour)
	if _, err := h.p.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	out = h.say(t, "/show 1")
	if len(out) != 2 || out[0].Card == nil || out[0].Card.Number != "SBXJP0001" {
		t.Fatalf("/show 1 answered %+v", out)
	}
	if !strings.HasPrefix(out[1].Text, en.T("show.header", "SBXJP0001")) || strings.Count(out[1].Text, "\n• ") < 2 {
		t.Errorf("/show history %q", out[1].Text)
	}
	var data []string
	for _, b := range out[0].Buttons {
		data = append(data, b.Data)
		if len(b.Data) > 64 {
			t.Errorf("button data %q is longer than Telegram's 64 bytes", b.Data)
		}
	}
	if strings.Join(data, ",") != "why SBXJP0001,show SBXJP0001,rename SBXJP0001,mute SBXJP0001,stop SBXJP0001" {
		t.Errorf("card buttons %v", data)
	}
	if out := h.say(t, "/show nothing-like-it"); out[0].Text != en.T("which.not_found", "nothing-like-it") {
		t.Errorf("/show unknown: %q", out[0].Text)
	}
	if out := h.say(t, "/mute"); out[0].Text != en.T("which.usage", "/mute") {
		t.Errorf("/mute without which: %q", out[0].Text)
	}
}

func TestTimeZone(t *testing.T) {
	h := newHarness(t)
	out := h.say(t, "/tz Asia/Bangkok")
	bkk, _ := time.LoadLocation("Asia/Bangkok")
	if out[0].Text != en.T("tz.set", "Asia/Bangkok", en.Time(h.now, h.now, bkk)) {
		t.Errorf("/tz answered %q", out[0].Text)
	}
	if c, _ := h.st.Chat(context.Background(), h.chat); c.TimeZone != "Asia/Bangkok" {
		t.Errorf("time zone %q", c.TimeZone)
	}
	for _, bad := range []string{"/tz", "/tz Mars/Olympus", "/tz Local"} {
		if out := h.say(t, bad); out[0].Text != en.T("tz.usage", "Asia/Bangkok") {
			t.Errorf("%q answered %q", bad, out[0].Text)
		}
	}
}

func TestRenameButtonAsksForTheName(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.say(t, "SBXJP0001")
	out := h.r.Handle(ctx, bot.Update{Chat: h.chat, Button: "rename SBXJP0001"})
	if out[0].Text != en.T("rename.prompt", "SBXJP0001") {
		t.Fatalf("rename button answered %q", out[0].Text)
	}
	if out := h.say(t, "スマホケース 📱"); out[0].Text != en.T("name.done", "SBXJP0001", "スマホケース 📱") {
		t.Errorf("the name answered %q", out[0].Text)
	}
	// Only the next message is the name.
	if out := h.say(t, "where is it"); strings.HasPrefix(out[0].Text, en.T("name.done", "SBXJP0001", "where is it")) {
		t.Errorf("a later message renamed the parcel: %q", out[0].Text)
	}
	h.r.Handle(ctx, bot.Update{Chat: h.chat, Button: "rename SBXJP0001"})
	h.say(t, "/list") // moving on cancels the question
	if out := h.say(t, "case"); strings.HasPrefix(out[0].Text, en.T("name.done", "SBXJP0001", "case")) {
		t.Errorf("the question outlived another command: %q", out[0].Text)
	}
	sub, _ := h.st.Subscription(ctx, h.chat, "SBXJP0001")
	if sub.Label != "スマホケース 📱" {
		t.Errorf("label %q", sub.Label)
	}
}
