package bot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// TestSourceDownNoticeOncePerChat: a chat whose parcels wait on a source
// that fails is told once, however many parcels wait on it; a parcel whose
// source answers again by the time the notice goes out tells nothing.
func TestSourceDownNoticeOncePerChat(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := f.follow(t, "a", "LP00123456789012", store.LevelKey)
	f.follow(t, "a", "LP00123456789026", store.LevelKey)
	b := f.follow(t, "b", "LP00123456789030", store.LevelKey)
	fail := func(number, kind string) { f.failSource(t, number, kind) }
	for _, n := range []string{"LP00123456789012", "LP00123456789026", "LP00123456789030"} {
		fail(n, tracker.ErrKindUnavailable)
	}
	fail("LP00123456789030", "") // b's source answers again
	for _, r := range []struct {
		chat   store.ChatKey
		number string
	}{{a, "LP00123456789012"}, {a, "LP00123456789026"}, {b, "LP00123456789030"}} {
		if err := f.st.SetReminder(ctx, store.KindSourceDown, r.chat, r.number, f.now); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.st.QueueDueReminders(ctx, f.now, 10); err != nil || n != 3 {
		t.Fatalf("queued %d notices (err %v), want 3", n, err)
	}
	f.drain(t)
	if len(f.p.sent) != 1 || f.p.sent[0].chat != "a" {
		t.Fatalf("sent %+v; want one notice, to chat a", f.p.sent)
	}
	p := i18n.For(i18n.Japanese)
	sh, _ := f.st.Shipment(ctx, "LP00123456789012")
	want := p.T("notify.source_down", "LP00123456789012", p.T("carrier.japan-post"), p.Time(sh.FailingSince, f.wall.Now(), time.FixedZone("JST", 9*3600)))
	if got := f.p.sent[0].msgs[0].Text; got != want {
		t.Errorf("notice %q, want %q", got, want)
	}
	if st, err := f.st.Stats(ctx, f.now); err != nil || st.Outbox != 0 {
		t.Errorf("outbox after the notices: %+v (err %v); want every notice acknowledged", st, err)
	}
}

// failSource commits a check of number, carried by Japan Post, an hour
// on whose source answered with the error kind ("" for an answer).
func (f *fixture) failSource(t *testing.T, number, kind string) {
	t.Helper()
	f.check(t, number, tracker.Result{Number: number, Error: kind}, func(sh *tracker.Shipment) { sh.Carrier = "japan-post" })
}

// TestSourceDownNoticeRetried: a notice whose send fails goes again, and
// the chat counts as told only once it went; a setting the chat changed
// meanwhile is kept.
func TestSourceDownNoticeRetried(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := f.follow(t, "a", "LP00123456789012", store.LevelKey)
	f.failSource(t, "LP00123456789012", tracker.ErrKindUnavailable)
	if err := f.st.SetReminder(ctx, store.KindSourceDown, a, "LP00123456789012", f.now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.QueueDueReminders(ctx, f.now, 10); err != nil {
		t.Fatal(err)
	}
	f.p.fail = func(string) error { return errors.New("platform unreachable") }
	f.drain(t)
	if len(f.p.sent) != 0 {
		t.Fatalf("sent %+v through a failing platform", f.p.sent)
	}
	if c, err := f.st.Chat(ctx, a); err != nil || len(c.SourceDown) != 0 {
		t.Fatalf("chat %+v (err %v) counts as told before the notice went", c, err)
	}
	c, _ := f.st.Chat(ctx, a)
	c.Lang = i18n.English // the user switches language before the retry
	if err := f.st.SaveChat(ctx, c); err != nil {
		t.Fatal(err)
	}
	f.p.fail = nil
	f.wall.Add(2 * time.Minute) // past the lease: the notice comes back
	f.drain(t)
	if len(f.p.sent) != 1 {
		t.Fatalf("sent %d notices after the retry, want 1", len(f.p.sent))
	}
	c, err := f.st.Chat(ctx, a)
	if err != nil || c.Lang != i18n.English || !c.SourceDown["japan-post"].Equal(f.wall.Now()) {
		t.Errorf("chat after the notice: %+v (err %v); want English kept and japan-post told at %v", c, err, f.wall.Now())
	}
}
