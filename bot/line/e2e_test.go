package line

import (
	"context"
	"encoding/json"
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

// TestEndToEnd runs the real router, handlers, poller and dispatcher on
// the embedded store behind the LINE adapter and the fake Messaging API: a
// Japanese user follows the bot, pastes a sandbox number, gets the card as
// a reply, receives the stage pushes, and stops the parcel with a button.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "todoku.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	var h *harness
	now := func() time.Time { return h.clock.now() }
	router := bot.NewRouter(st, now, nil)
	p := poller.New(poller.Config{Store: st, Sources: []tracker.Source{sandbox.New(sandbox.Options{Now: now})}, Now: now})
	(&handlers.Handlers{Store: st, Checker: p}).Register(router)
	h = newHarness(t, router.Handle, func(o *Options) {
		o.Seen = func(ctx context.Context, key string) (bool, error) { return st.FirstSeen(ctx, key, 24*time.Hour) }
	})
	const user = "U0e2e0000000000000000000000000001"
	h.fake.profiles[user] = "ja-JP"
	ja := i18n.For(i18n.Japanese)
	replies := func(n int) []delivery {
		t.Helper()
		h.fake.wait(t, "a reply", func(f *fakeLINE) bool { return len(f.replies) >= n })
		r, _, _ := h.fake.snapshot()
		return r
	}

	// Follow: a Japanese welcome, and the chat is Japanese from now on.
	h.post(h.followEvent(user))
	if got := texts(replies(1)[0].messages); !strings.Contains(got[0], ja.T("welcome")) {
		t.Errorf("welcome = %q", got)
	}
	chat, err := st.Chat(ctx, store.ChatKey{Platform: "line", ID: user})
	if err != nil || chat.Lang != i18n.Japanese {
		t.Fatalf("chat = %+v, %v", chat, err)
	}

	// Paste a number: the card comes back as a Flex reply.
	paste := h.textEvent(userSource(user), user, "追跡番号は SBXJP0001 です")
	h.post(paste)
	r := replies(2)[1]
	if r.messages[0]["type"] != "flex" || !strings.Contains(r.messages[0]["altText"].(string), "SBXJP0001") {
		t.Fatalf("answer to the paste = %v", texts(r.messages))
	}
	card, _ := json.Marshal(r.messages[0]["contents"])
	if !strings.Contains(string(card), ja.T("card.sandbox")) {
		t.Errorf("card lacks the sandbox note: %s", card)
	}

	// The same event redelivered changes nothing.
	again := map[string]any{}
	for k, v := range paste {
		again[k] = v
	}
	again["deliveryContext"] = map[string]any{"isRedelivery": true}
	h.post(again)

	// Days later the parcel moved: the dispatcher pushes through LINE.
	h.clock.advance(4 * 24 * time.Hour)
	if _, err := p.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	d := bot.NewDispatcher(bot.DispatcherConfig{Store: st, Platforms: []bot.Platform{h.line}, Now: now})
	if _, err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	_, pushes, _ := h.fake.snapshot()
	if len(pushes) == 0 {
		t.Fatal("no push after the parcel moved")
	}
	for _, p := range pushes {
		if p.chat != user || !isUUID(p.key) || p.messages[0]["type"] != "flex" {
			t.Errorf("push = %+v", p)
		}
	}
	if alt := pushes[0].messages[0]["altText"].(string); !strings.Contains(alt, "SBXJP0001") {
		t.Errorf("push altText = %q", alt)
	}

	// Name it with the card's button: the bot asks, the next message is
	// the name.
	h.post(h.postbackEvent(userSource(user), user, "rename SBXJP0001"))
	if got := texts(replies(3)[2].messages); !strings.Contains(strings.Join(got, "\n"), ja.T("rename.prompt", "SBXJP0001")) {
		t.Errorf("rename answer = %q", got)
	}
	h.post(h.textEvent(userSource(user), user, "スマホケース"))
	if got := texts(replies(4)[3].messages); !strings.Contains(strings.Join(got, "\n"), ja.T("name.done", "SBXJP0001", "スマホケース")) {
		t.Errorf("name answer = %q", got)
	}

	// Stop it with the card's button.
	h.post(h.postbackEvent(userSource(user), user, "stop SBXJP0001"))
	got := texts(replies(5)[4].messages)
	if !strings.Contains(strings.Join(got, "\n"), ja.T("stop.done", "SBXJP0001")) {
		t.Errorf("stop answer = %q", got)
	}
	h.drain()
	if r, _, _ := h.fake.snapshot(); len(r) != 5 {
		t.Errorf("%d replies, want 5 (the redelivery is not answered again)", len(r))
	}
	if subs, _ := st.Subscriptions(ctx, store.ChatKey{Platform: "line", ID: user}); len(subs) != 0 {
		t.Errorf("still following %d parcels", len(subs))
	}
}
