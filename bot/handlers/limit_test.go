package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/bot/handlers"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
)

// TestTenThousandSubscriptions: one chat tries to follow 10,000 parcels,
// in one huge message and then 400 messages of 25. The limit
// holds, every answer past it says so in the chat's language, nothing
// panics, and it all takes seconds.
func TestTenThousandSubscriptions(t *testing.T) {
	const perMessage = 25
	h := newHarnessWith(t, func(hs *handlers.Handlers) { hs.MaxNumbers = perMessage })
	ctx := context.Background()
	say := func(lang, text string) []bot.Message {
		return h.r.Handle(ctx, bot.Update{Chat: h.chat, Lang: lang, Text: text})
	}
	start := time.Now()
	var huge strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&huge, "SBXJP%06d ", i)
	}
	out := say("en", huge.String())
	if len(h.numbers(t)) != perMessage {
		t.Fatalf("one huge message made the chat follow %d parcels, want the first %d", len(h.numbers(t)), perMessage)
	}
	checkReplies(t, "huge", huge.String(), out)

	const messages = 10_000 / perMessage
	attempts, refusals := 10_000, 0
	for m := range messages {
		var b strings.Builder
		for i := range perMessage {
			fmt.Fprintf(&b, "%s ", s10("RB", m*perMessage+i, "CN"))
		}
		out := say("en", b.String())
		checkReplies(t, fmt.Sprint("message ", m), b.String(), out)
		last := out[len(out)-1].Text
		if strings.Contains(last, en.T("limit.reached", handlers.DefaultMaxParcels, "")[:40]) {
			refusals++
		}
	}
	if n := len(h.numbers(t)); n != handlers.DefaultMaxParcels {
		t.Fatalf("after %d attempts the chat follows %d parcels, want %d", attempts, n, handlers.DefaultMaxParcels)
	}
	if want := messages - (handlers.DefaultMaxParcels-perMessage)/perMessage; refusals != want {
		t.Errorf("%d messages were told about the limit, want %d", refusals, want)
	}
	// The answer names the limit, what was not added and what to do, in
	// the chat's language.
	for _, lang := range []string{"ja", "th", "en"} {
		out := say(lang, "/lang "+lang)
		out = say(lang, "RB999999995CN "+s10("RB", 99_999_990, "CN"))
		got := out[len(out)-1].Text
		want := i18n.For(lang).T("limit.reached", handlers.DefaultMaxParcels, "RB999999995CN, "+s10("RB", 99_999_990, "CN"))
		if got != want {
			t.Errorf("%s: the answer at the limit is %q, want %q", lang, got, want)
		}
		if !strings.Contains(got, "100") || !strings.Contains(got, "/stop") {
			t.Errorf("%s: %q does not name the limit and how to make room", lang, got)
		}
	}
	// Stopping one makes room for one.
	say("en", "/stop 1")
	out = say("en", "RB999999995CN "+s10("RB", 99_999_990, "CN"))
	if n := len(h.numbers(t)); n != handlers.DefaultMaxParcels || len(out) != 2 || out[0].Card == nil {
		t.Errorf("after /stop 1 the chat follows %d parcels; answer %q", n, texts(out))
	}
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("10,000 attempts took %s", d)
	}
	t.Logf("10,000 attempts took %s", time.Since(start))
}

// TestLimitHoldsUnderABurst: many messages of one chat at once cannot
// together overshoot the limit.
func TestLimitHoldsUnderABurst(t *testing.T) {
	h := newHarnessWith(t, func(hs *handlers.Handlers) { hs.MaxNumbers = 10; hs.MaxParcels = 25 })
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for m := range 5 {
				var b strings.Builder
				for i := range 10 {
					fmt.Fprintf(&b, "SBXJP%02d%02d%02d ", g, m, i)
				}
				out := h.r.Handle(ctx, bot.Update{Chat: h.chat, Lang: "en", Text: b.String()})
				if len(out) == 0 {
					t.Errorf("no answer")
				}
			}
		})
	}
	wg.Wait()
	if n := len(h.numbers(t)); n != 25 {
		t.Errorf("a burst of 400 numbers made the chat follow %d parcels, want 25", n)
	}
	// Other chats are not limited by this one.
	h.chat = store.ChatKey{Platform: "test", ID: "other"}
	if out := h.say(t, "SBXJP0001"); len(out) != 1 || out[0].Card == nil {
		t.Errorf("another chat could not follow a parcel: %q", texts(out))
	}
}
