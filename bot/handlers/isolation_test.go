package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/bot/web"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// pushes is a platform that keeps what it is asked to push.
type pushes struct {
	mu   sync.Mutex
	sent map[string][]bot.Message
}

func (p *pushes) Name() string { return "test" }

func (p *pushes) Send(_ context.Context, chatID string, msgs []bot.Message, _ string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sent == nil {
		p.sent = map[string][]bot.Message{}
	}
	p.sent[chatID] = append(p.sent[chatID], msgs...)
	return nil
}

// everything is every word of msgs: texts, card fields, buttons.
func everything(msgs []bot.Message) string {
	raw, _ := json.Marshal(msgs)
	return string(raw)
}

// TestChatsAreIsolated: two chats follow the same number under their own
// names. Each sees only its own name, in every answer and push, and its
// ordinals and names reach only its own parcels.
func TestChatsAreIsolated(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	alice, bob := store.ChatKey{Platform: "test", ID: "alice"}, store.ChatKey{Platform: "test", ID: "bob"}
	as := func(who store.ChatKey, text string) []bot.Message {
		return h.r.Handle(ctx, bot.Update{Chat: who, Lang: "en", Text: text})
	}
	as(alice, "SBXJP0001 SBXJP0002")
	as(alice, "/name 1 alice-ring")
	h.now = h.now.Add(time.Minute)
	as(bob, "SBXJP0003")
	h.now = h.now.Add(time.Minute)
	as(bob, "SBXJP0001")
	as(bob, "/name 2 bob-watch")

	mine := map[store.ChatKey]string{alice: "alice-ring", bob: "bob-watch"}
	theirs := map[store.ChatKey]string{alice: "bob-watch", bob: "alice-ring"}
	for who, ordinal := range map[store.ChatKey]string{alice: "1", bob: "2"} {
		for _, cmd := range []string{"/list", "/show " + ordinal, "/why " + ordinal, "/show SBXJP0001", "/why " + mine[who],
			"where is the " + map[string]string{"1": "first", "2": "second"}[ordinal] + " one?", "SBXJP0001", "/rename " + ordinal} {
			out := everything(as(who, cmd))
			if !strings.Contains(out, mine[who]) {
				t.Errorf("%s %q: the answer lacks its own name %q: %s", who.ID, cmd, mine[who], out)
			}
			if strings.Contains(out, theirs[who]) {
				t.Errorf("%s %q: the answer shows the other chat's name %q: %s", who.ID, cmd, theirs[who], out)
			}
		}
	}

	// A name, an ordinal or a number of the other chat reaches nothing.
	for _, tc := range []struct {
		who  store.ChatKey
		text string
	}{
		{alice, "/show bob-watch"}, {alice, "/stop bob-watch"}, {alice, "/name bob-watch mine now"}, {alice, "/mute bob-watch"},
		{alice, "/stop 3"}, {alice, "/show SBXJP0003"}, {alice, "/stop SBXJP0003"}, {alice, "/protect SBXJP0003 2026-12-20"},
		{bob, "/why alice-ring"}, {bob, "/stop SBXJP0002"}, {bob, "/show 3"}, {bob, "/name SBXJP0002 mine"},
	} {
		// The words typed may be echoed ("bob-watch is not in your
		// list"); no parcel may be shown or changed.
		for _, m := range as(tc.who, tc.text) {
			if m.Card != nil {
				t.Errorf("%s %q reached a parcel: %s", tc.who.ID, tc.text, everything([]bot.Message{m}))
			}
		}
	}
	for who, want := range map[store.ChatKey][]string{alice: {"SBXJP0001", "SBXJP0002"}, bob: {"SBXJP0003", "SBXJP0001"}} {
		subs, err := h.st.Subscriptions(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range subs {
			got = append(got, s.Number)
			if s.Number == "SBXJP0001" && (s.Label != mine[who] || s.Muted || !s.Protection.IsZero()) {
				t.Errorf("%s's SBXJP0001 was changed: %+v", who.ID, s)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s follows %v, want %v", who.ID, got, want)
		}
	}

	// A stage change pushes each chat its own card, under its own name.
	old, err := h.st.Shipment(ctx, "SBXJP0001")
	if err != nil {
		t.Fatal(err)
	}
	now := h.now.Add(time.Hour)
	c, err := h.st.ClaimNumber(ctx, "SBXJP0001", now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ev := tracker.Event{Time: now, Text: "Arrived at the destination country", Stage: tracker.StageArrivedDestination, Source: "test"}
	snap, change := tracker.Apply(old, tracker.Result{Number: "SBXJP0001", Events: []tracker.Event{ev}}, now)
	if err := h.st.Commit(ctx, c, snap, change, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	p := &pushes{}
	d := bot.NewDispatcher(bot.DispatcherConfig{Store: h.st, Platforms: []bot.Platform{p}, Now: func() time.Time { return now }})
	if _, err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	for _, who := range []store.ChatKey{alice, bob} {
		out := everything(p.sent[who.ID])
		if len(p.sent[who.ID]) == 0 || !strings.Contains(out, mine[who]) || strings.Contains(out, theirs[who]) {
			t.Errorf("push to %s: %s", who.ID, out)
		}
	}
	if len(p.sent) != 2 {
		t.Errorf("pushed to %d chats, want 2", len(p.sent))
	}
}

// TestPlaygroundChatsAreIsolated: a playground session is its chat ID,
// which the page draws at random (128 bits); the server takes it only as
// a web chat, so it can name neither a Telegram or LINE chat nor, without
// its ID, another session.
func TestPlaygroundChatsAreIsolated(t *testing.T) {
	h := newHarness(t)
	w := web.New(h.r.Handle, nil)
	defer w.Close()
	srv := httptest.NewServer(w)
	defer srv.Close()
	post := func(chat, text string) (int, string) {
		body, _ := json.Marshal(map[string]string{"chat": chat, "text": text, "lang": "en"})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/messages", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", srv.URL)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		return res.StatusCode, b.String()
	}
	// A Telegram user of the same store follows a parcel under a name.
	h.r.Handle(context.Background(), bot.Update{Chat: store.ChatKey{Platform: "telegram", ID: "812345"}, Lang: "en", Text: "SBXJP0001"})
	h.r.Handle(context.Background(), bot.Update{Chat: store.ChatKey{Platform: "telegram", ID: "812345"}, Lang: "en", Text: "/name 1 tg-secret"})

	const session = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	if code, out := post(session, "SBXJP0001"); code != http.StatusOK || strings.Contains(out, "tg-secret") {
		t.Fatalf("the playground answered %d: %s", code, out)
	}
	post(session, "/name 1 web-secret")
	for _, chat := range []string{"telegram:812345", "812345", "../812345", "web:" + session, session[:7], strings.Repeat("a", 65)} {
		code, out := post(chat, "/list")
		if strings.Contains(out, "tg-secret") || strings.Contains(out, "web-secret") {
			t.Errorf("chat %q reached another chat: %d %s", chat, code, out)
		}
	}
	if _, out := post("0f1e2d3c4b5a69788796a5b4c3d2e1f1", "/list"); strings.Contains(out, "web-secret") {
		t.Errorf("a neighbouring session id reads the session: %s", out)
	}
	if _, out := post(session, "/list"); !strings.Contains(out, "web-secret") || strings.Contains(out, "tg-secret") {
		t.Errorf("the session's own /list: %s", out)
	}
}
