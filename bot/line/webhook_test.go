package line

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
)

func sampleCard() *bot.Card {
	return &bot.Card{
		Number: "SBXJP0001", Carrier: "Todoku sandbox", Stage: "in_transit",
		StageName: "In transit", StageHelp: "The parcel is moving between hubs.",
		Step: 3, Steps: 6, Event: "Departed from sorting center", EventTime: "Nov 25, 14:05",
		Location: "Guangzhou", Note: "Simulation: this parcel does not exist.",
	}
}

func TestTextMessageIsAnsweredWithACard(t *testing.T) {
	rec := &recorder{reply: func(u bot.Update) []bot.Message {
		return []bot.Message{{
			Text: "Now following SBXJP0001 (Todoku sandbox).", Card: sampleCard(),
			Buttons: []bot.Button{{Label: "Details", Data: "show SBXJP0001"}, {Label: "Mute", Data: "mute SBXJP0001"},
				{Label: "Stop", Data: "stop SBXJP0001"}, {Label: "My parcels", Data: "list"}, {Label: "Help", Data: "help"}},
		}}
	}}
	h := newHarness(t, rec.handle, nil)
	h.fake.profiles["U1"] = "ja"
	if code := h.post(h.textEvent(userSource("U1"), "U1", "SBXJP0001")); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	h.fake.wait(t, "the reply", func(f *fakeLINE) bool { return len(f.replies) == 1 })
	replies, pushes, _ := h.fake.snapshot()
	if len(pushes) != 0 {
		t.Errorf("pushed %d times; the answer must be a (free) reply", len(pushes))
	}
	r := replies[0]
	if r.chat != "U1" || len(r.messages) != 1 {
		t.Fatalf("reply = %+v, want one message to U1", r)
	}
	m := r.messages[0]
	if m["type"] != "flex" {
		t.Fatalf("reply is %v, want flex", m["type"])
	}
	alt := m["altText"].(string)
	if !strings.Contains(alt, "Now following SBXJP0001") || !strings.Contains(alt, "SBXJP0001: In transit") {
		t.Errorf("altText = %q", alt)
	}
	raw, _ := json.Marshal(m["contents"])
	for _, want := range []string{`"type":"bubble"`, "In transit", "The parcel is moving between hubs.", "Departed from sorting center",
		"Nov 25, 14:05 · Guangzhou", "Simulation", `"data":"show SBXJP0001"`, `"height":"6px"`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("card lacks %s:\n%s", want, raw)
		}
	}
	if got := bytes.Count(raw, []byte(`"height":"6px"`)); got != 6 {
		t.Errorf("progress bar has %d segments, want 6", got)
	}
	if got := bytes.Count(raw, []byte(`"backgroundColor":"`+colorAccent+`"`)); got != 3 {
		t.Errorf("progress bar fills %d segments, want 3", got)
	}
	// Three buttons fit the card; the other two become quick replies.
	qr, _ := json.Marshal(m["quickReply"])
	if !bytes.Contains(qr, []byte(`"data":"list"`)) || !bytes.Contains(qr, []byte(`"data":"help"`)) {
		t.Errorf("quick replies = %s", qr)
	}
	u := rec.got()[0]
	if u.Chat.Platform != "line" || u.Chat.ID != "U1" || u.User != "U1" || u.Group || u.Text != "SBXJP0001" || u.Lang != "ja" {
		t.Errorf("update = %+v", u)
	}
}

func TestPostbackIsAButton(t *testing.T) {
	rec := &recorder{}
	h := newHarness(t, rec.handle, nil)
	h.post(h.postbackEvent(userSource("U2"), "U2", "stop SBXJP0001"))
	h.fake.wait(t, "the reply", func(f *fakeLINE) bool { return len(f.replies) == 1 })
	got := rec.got()
	if len(got) != 1 || got[0].Button != "stop SBXJP0001" || got[0].Text != "" {
		t.Fatalf("updates = %+v", got)
	}
}

func TestFollowIsWelcomedInTheProfileLanguage(t *testing.T) {
	for _, tc := range []struct{ lang, want string }{
		{"th", "th"}, {"ja", "ja"}, {"", "en"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			rec := &recorder{reply: func(u bot.Update) []bot.Message {
				return []bot.Message{{Text: i18n.For(i18n.Match(u.Lang)).T("welcome")}}
			}}
			h := newHarness(t, rec.handle, nil)
			h.fake.profiles["U3"] = tc.lang
			h.post(h.followEvent("U3"))
			h.fake.wait(t, "the welcome", func(f *fakeLINE) bool { return len(f.replies) == 1 })
			replies, _, _ := h.fake.snapshot()
			if got, want := texts(replies[0].messages), i18n.For(tc.want).T("welcome"); len(got) != 1 || got[0] != want {
				t.Errorf("welcome = %q, want %q", got, want)
			}
			if u := rec.got()[0]; u.Text != "/start" {
				t.Errorf("follow became %+v, want /start", u)
			}
		})
	}
}

func TestGroupSource(t *testing.T) {
	rec := &recorder{}
	h := newHarness(t, rec.handle, nil)
	src := groupSource("Cgroup1", "U4")
	h.post(
		h.textEvent(src, "Cgroup1", "lunch at noon?"), // chatter: not for the bot
		h.textEvent(src, "Cgroup1", "my parcel LP00123456789012"),
		h.textEvent(src, "Cgroup1", "/list"),
	)
	h.drain()
	got := rec.got()
	if len(got) != 2 {
		t.Fatalf("handled %d updates, want 2 (chatter ignored): %+v", len(got), got)
	}
	for _, u := range got {
		if !u.Group || u.Chat.ID != "Cgroup1" || u.User != "U4" {
			t.Errorf("update = %+v", u)
		}
	}
	if got[1].Text != "/list" {
		t.Errorf("second update = %q", got[1].Text)
	}
	replies, _, reqs := h.fake.snapshot()
	if len(replies) != 2 {
		t.Errorf("%d replies, want 2", len(replies))
	}
	for _, r := range reqs {
		if strings.Contains(r, "/profile/") {
			t.Errorf("read a profile for a group message: %s", r)
		}
	}
}

func TestSignatureIsCheckedBeforeAnything(t *testing.T) {
	rec := &recorder{}
	var seen atomic.Int32
	h := newHarness(t, rec.handle, func(o *Options) {
		o.Seen = func(context.Context, string) (bool, error) { seen.Add(1); return true, nil }
	})
	b := h.body(h.textEvent(userSource("U5"), "U5", "SBXJP0001"))
	for name, sig := range map[string]string{
		"missing":      "",
		"wrong secret": sign("not-the-secret", b),
		"not base64":   "%%%",
		"truncated":    sign(testSecret, b)[:20],
	} {
		if code := h.postRaw(b, sig); code != http.StatusUnauthorized {
			t.Errorf("%s signature: status %d, want 401", name, code)
		}
	}
	// A body changed after signing.
	if code := h.postRaw(bytes.Replace(b, []byte("SBXJP0001"), []byte("SBXJP0002"), 1), sign(testSecret, b)); code != http.StatusUnauthorized {
		t.Errorf("tampered body: status %d, want 401", code)
	}
	// Not JSON at all, unsigned: still 401, not 400.
	if code := h.postRaw([]byte("{nope"), ""); code != http.StatusUnauthorized {
		t.Errorf("unsigned garbage: status %d, want 401", code)
	}
	h.drain()
	if n := len(rec.got()); n != 0 {
		t.Errorf("handled %d updates from forged requests", n)
	}
	if _, _, reqs := h.fake.snapshot(); len(reqs) != 0 {
		t.Errorf("called LINE for forged requests: %q", reqs)
	}
	if n := seen.Load(); n != 0 {
		t.Errorf("checked %d forged events against the seen record", n)
	}
}

func TestOversizeBody(t *testing.T) {
	rec := &recorder{}
	h := newHarness(t, rec.handle, nil)
	big := h.textEvent(userSource("U6"), "U6", strings.Repeat("x", MaxBodyBytes))
	b := h.body(big)
	if code := h.postRaw(b, sign(testSecret, b)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", code)
	}
	// Without a Content-Length the cap still holds.
	req, _ := http.NewRequest(http.MethodPost, h.hook.URL, struct{ *bytes.Reader }{bytes.NewReader(b)})
	req.ContentLength = -1
	req.Header.Set("x-line-signature", sign(testSecret, b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: status %d, want 413", resp.StatusCode)
	}
	h.drain()
	if n := len(rec.got()); n != 0 {
		t.Errorf("handled %d updates from oversize requests", n)
	}
}

func TestMethodAndEmptyWebhook(t *testing.T) {
	h := newHarness(t, (&recorder{}).handle, nil)
	resp, err := http.Get(h.hook.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	// The console's "Verify" sends an empty event list.
	if code := h.post(); code != http.StatusOK {
		t.Errorf("empty events: %d, want 200", code)
	}
}

func TestRedeliveredEventIsHandledOnce(t *testing.T) {
	rec := &recorder{}
	h := newHarness(t, rec.handle, nil)
	ev := h.textEvent(userSource("U7"), "U7", "SBXJP0001")
	if code := h.post(ev); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	h.fake.wait(t, "the reply", func(f *fakeLINE) bool { return len(f.replies) == 1 })
	again := map[string]any{}
	for k, v := range ev {
		again[k] = v
	}
	again["deliveryContext"] = map[string]any{"isRedelivery": true}
	h.post(again)
	h.post(ev) // the very same body, twice
	h.drain()
	if n := len(rec.got()); n != 1 {
		t.Errorf("handled %d times, want once", n)
	}
	replies, pushes, _ := h.fake.snapshot()
	if len(replies) != 1 || len(pushes) != 0 {
		t.Errorf("%d replies and %d pushes, want one reply", len(replies), len(pushes))
	}
}

func TestSeenStoreIsUsed(t *testing.T) {
	var keys []string
	seen := map[string]bool{}
	var calls atomic.Int32
	var mu sync.Mutex // Seen is called for queued events side by side
	h := newHarness(t, (&recorder{}).handle, func(o *Options) {
		o.Workers = 1
		o.Seen = func(_ context.Context, key string) (bool, error) {
			mu.Lock()
			defer mu.Unlock()
			calls.Add(1)
			keys = append(keys, key)
			first := !seen[key]
			seen[key] = true
			return first, nil
		}
	})
	ev := h.textEvent(userSource("U8"), "U8", "hi")
	h.post(ev, ev)
	h.drain()
	if calls.Load() != 2 || keys[0] != "line:"+ev["webhookEventId"].(string) {
		t.Errorf("Seen got %q", keys)
	}
	if replies, _, _ := h.fake.snapshot(); len(replies) != 1 {
		t.Errorf("%d replies, want 1", len(replies))
	}
}

func TestExpiredReplyTokenFallsBackToPushOnce(t *testing.T) {
	var block chan struct{}
	var open func()
	rec := &recorder{reply: func(u bot.Update) []bot.Message {
		<-block // the answer takes longer than the token lives
		return []bot.Message{{Text: "late answer"}}
	}}
	h := newHarness(t, rec.handle, nil)
	block, open = gate(t)
	h.post(h.textEvent(userSource("U9"), "U9", "SBXJP0001"))
	eventually(t, "the handler", func() bool { return len(rec.got()) == 1 })
	h.clock.advance(2 * replyTokenTTL)
	open()
	h.drain()
	replies, pushes, _ := h.fake.snapshot()
	if len(replies) != 0 || len(pushes) != 1 {
		t.Fatalf("%d replies, %d pushes; want the answer pushed once", len(replies), len(pushes))
	}
	if got := texts(pushes[0].messages); got[0] != "late answer" || pushes[0].chat != "U9" {
		t.Errorf("push = %+v", pushes[0])
	}
}

func TestUsedReplyTokenIsRefusedByTheFake(t *testing.T) {
	h := newHarness(t, (&recorder{}).handle, nil)
	tok := h.fake.issue("U10")
	msgs := render([]bot.Message{{Text: "hi"}})
	if err := h.line.reply(context.Background(), tok, msgs); err != nil {
		t.Fatal(err)
	}
	err := h.line.reply(context.Background(), tok, msgs)
	if err == nil || !strings.Contains(err.Error(), "Invalid reply token") {
		t.Errorf("second use: %v", err)
	}
}

func TestUnsupportedMessages(t *testing.T) {
	rec := &recorder{}
	h := newHarness(t, rec.handle, nil)
	h.fake.profiles["U11"] = "ja"
	ev := h.base("message", h.eventID(), userSource("U11"))
	ev["replyToken"] = h.fake.issue("U11")
	ev["message"] = map[string]any{"type": "file", "id": "1", "fileName": "parcels.csv", "fileSize": 120}
	sticker := h.base("message", h.eventID(), groupSource("Cg", "U11"))
	sticker["replyToken"] = h.fake.issue("Cg")
	sticker["message"] = map[string]any{"type": "sticker", "id": "2", "packageId": "446", "stickerId": "1988", "stickerResourceType": "STATIC", "quoteToken": "q"}
	unknown := h.base("videoPlayComplete", h.eventID(), userSource("U11"))
	unknown["replyToken"] = h.fake.issue("U11")
	unknown["videoPlayComplete"] = map[string]any{"trackingId": "t"}
	h.post(ev, sticker, unknown)
	h.drain()
	if n := len(rec.got()); n != 0 {
		t.Errorf("handler saw %d updates", n)
	}
	replies, _, _ := h.fake.snapshot()
	if len(replies) != 1 || texts(replies[0].messages)[0] != i18n.For("ja").T("line.unsupported") {
		t.Errorf("replies = %+v", replies)
	}
}

func TestShutdownDrainsQueuedEvents(t *testing.T) {
	var release chan struct{}
	var open func()
	var started atomic.Int32
	rec := &recorder{reply: func(u bot.Update) []bot.Message {
		started.Add(1)
		<-release
		return []bot.Message{{Text: "done " + u.Text}}
	}}
	h := newHarness(t, rec.handle, func(o *Options) { o.Workers = 2 })
	release, open = gate(t)
	var evs []map[string]any
	for i := range 6 {
		user := "U2" + string(rune('a'+i))
		evs = append(evs, h.textEvent(userSource(user), user, "n"))
	}
	if code := h.post(evs...); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	eventually(t, "two busy workers", func() bool { return started.Load() == 2 })

	done := make(chan error, 1)
	go func() { done <- h.line.Shutdown(context.Background()) }()
	// Intake is closed while the workers drain.
	deadline := time.Now().Add(5 * time.Second)
	for h.line.accepting() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if code := h.post(h.textEvent(userSource("Ulate"), "Ulate", "n")); code != http.StatusServiceUnavailable {
		t.Errorf("webhook during shutdown: %d, want 503", code)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v before the work was done", err)
	case <-time.After(50 * time.Millisecond):
	}
	open()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if replies, _, _ := h.fake.snapshot(); len(replies) != 6 {
		t.Errorf("%d replies after shutdown, want all 6", len(replies))
	}
	if err := h.line.Shutdown(context.Background()); err != nil { // twice is fine
		t.Error(err)
	}
}

func TestShutdownDeadlineCancelsWork(t *testing.T) {
	h := newHarness(t, func(ctx context.Context, u bot.Update) []bot.Message {
		<-ctx.Done() // a handler stuck until cancelled
		return nil
	}, nil)
	h.post(h.textEvent(userSource("U12"), "U12", "n"))
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := h.line.Shutdown(ctx); err == nil {
		t.Error("Shutdown with a stuck handler returned nil")
	}
}

func TestFullQueueAsksForRedelivery(t *testing.T) {
	var release chan struct{}
	h := newHarness(t, func(ctx context.Context, u bot.Update) []bot.Message {
		<-release
		return nil
	}, func(o *Options) { o.Workers = 1; o.Queue = 1 })
	release, _ = gate(t)
	evs := []map[string]any{}
	for range 4 {
		evs = append(evs, h.textEvent(userSource("U13"), "U13", "n"))
	}
	if code := h.post(evs...); code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503 so LINE redelivers", code)
	}
}
