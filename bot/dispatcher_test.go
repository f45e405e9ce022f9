package bot_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/tracker"
)

// fakePlatform records pushes and fails on demand.
type fakePlatform struct {
	mu   sync.Mutex
	sent []sent
	fail func(chatID string) error
}

type sent struct {
	chat string
	msgs []bot.Message
	key  string
}

func (f *fakePlatform) Name() string { return "fake" }

func (f *fakePlatform) Send(_ context.Context, chatID string, msgs []bot.Message, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		if err := f.fail(chatID); err != nil {
			return err
		}
	}
	f.sent = append(f.sent, sent{chatID, msgs, key})
	return nil
}

func (f *fakePlatform) stages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.sent {
		out = append(out, s.chat+":"+s.msgs[0].Card.Stage)
	}
	return out
}

// wall is a settable wall clock for the embedded store's outbox leases.
type wall struct {
	mu sync.Mutex
	t  time.Time
}

func (w *wall) Now() time.Time      { w.mu.Lock(); defer w.mu.Unlock(); return w.t }
func (w *wall) Add(d time.Duration) { w.mu.Lock(); defer w.mu.Unlock(); w.t = w.t.Add(d) }

type fixture struct {
	st   *boltstore.Store
	wall *wall
	now  time.Time
	p    *fakePlatform
	d    *bot.Dispatcher
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	w := &wall{t: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"), boltstore.WithClock(w.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, wall: w, now: w.t, p: &fakePlatform{}}
	f.d = bot.NewDispatcher(bot.DispatcherConfig{Store: st, Platforms: []bot.Platform{f.p}, Lease: time.Minute, Now: w.Now})
	return f
}

// follow creates the chat and its subscription to number.
func (f *fixture) follow(t *testing.T, chatID, number, level string) store.ChatKey {
	t.Helper()
	ctx := context.Background()
	k := store.ChatKey{Platform: "fake", ID: chatID}
	if err := f.st.SaveChat(ctx, store.Chat{Key: k, Lang: i18n.Japanese, TimeZone: "Asia/Tokyo", Level: level}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := f.st.Subscribe(ctx, store.Subscription{Chat: k, Number: number, CreatedAt: f.now}, tracker.Shipment{Number: number, Since: f.now}); err != nil {
		t.Fatal(err)
	}
	return k
}

// move commits a stage change of number, which writes one notification per
// subscriber.
func (f *fixture) move(t *testing.T, number string, to tracker.Stage) {
	t.Helper()
	ev := tracker.Event{Time: f.now.Add(time.Hour), Text: "moved to " + to.String(), Stage: to, Source: "test"}
	f.check(t, number, tracker.Result{Number: number, Events: []tracker.Event{ev}}, nil)
}

// check commits a check of number an hour on that got res, after edit (if
// set) changed the stored shipment.
func (f *fixture) check(t *testing.T, number string, res tracker.Result, edit func(*tracker.Shipment)) {
	t.Helper()
	ctx := context.Background()
	f.now = f.now.Add(time.Hour)
	old, err := f.st.Shipment(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&old)
	}
	c, err := f.st.ClaimNumber(ctx, number, f.now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	snap, change := tracker.Apply(old, res, f.now)
	if err := f.st.Commit(ctx, c, snap, change, f.now.Add(time.Hour), f.now); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) drain(t *testing.T) int {
	t.Helper()
	n, err := f.d.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDispatcherDeliversOnceAndAcks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.follow(t, "a", "LP00123456789012", store.LevelStages)
	f.follow(t, "b", "LP00123456789012", store.LevelStages)
	f.move(t, "LP00123456789012", tracker.StageDepartedOrigin)

	if n := f.drain(t); n != 2 {
		t.Fatalf("claimed %d notifications, want 2", n)
	}
	if got, want := f.p.stages(), []string{"a:departed_origin", "b:departed_origin"}; !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("sent %v, want %v", got, want)
	}
	m := f.p.sent[0].msgs[0]
	p := i18n.For(i18n.Japanese)
	if m.Text != p.T("push.stage", "LP00123456789012", p.T("stage.departed_origin.name")) {
		t.Errorf("push text %q is not the Japanese stage header", m.Text)
	}
	if f.p.sent[0].key == "" || f.p.sent[0].key == f.p.sent[1].key {
		t.Errorf("idempotency keys %q and %q must be set and differ per chat", f.p.sent[0].key, f.p.sent[1].key)
	}
	sub, err := f.st.Subscription(ctx, a, "LP00123456789012")
	if err != nil || sub.LastStage != tracker.StageDepartedOrigin {
		t.Errorf("LastStage = %v (err %v), want departed_origin", sub.LastStage, err)
	}
	f.wall.Add(time.Hour) // long past any lease: nothing may come back
	if n := f.drain(t); n != 0 || len(f.p.sent) != 2 {
		t.Errorf("after ack: claimed %d, sent %d in all; want nothing more", n, len(f.p.sent))
	}
}

func TestDispatcherRetriesTransientFailuresInOrder(t *testing.T) {
	f := newFixture(t)
	f.follow(t, "a", "LP00123456789012", store.LevelStages)
	f.move(t, "LP00123456789012", tracker.StageDepartedOrigin)
	f.move(t, "LP00123456789012", tracker.StageInTransit)

	f.p.fail = func(string) error { return &bot.SendError{Err: errors.New("502 bad gateway")} }
	f.drain(t)
	if len(f.p.sent) != 0 {
		t.Fatalf("sent %v during an outage", f.p.stages())
	}
	f.p.fail = nil
	if n := f.drain(t); n != 0 {
		t.Errorf("claimed %d notifications still under lease", n)
	}
	f.wall.Add(2 * time.Minute)
	f.drain(t)
	if got, want := f.p.stages(), []string{"a:departed_origin", "a:in_transit"}; !slices.Equal(got, want) {
		t.Errorf("after the outage sent %v, want %v", got, want)
	}
}

func TestDispatcherDrops(t *testing.T) {
	ctx := context.Background()
	t.Run("unsubscribed", func(t *testing.T) {
		f := newFixture(t)
		a := f.follow(t, "a", "LP00123456789012", store.LevelStages)
		f.move(t, "LP00123456789012", tracker.StageInTransit)
		if err := f.st.Unsubscribe(ctx, a, "LP00123456789012"); err != nil {
			t.Fatal(err)
		}
		f.drain(t)
		if len(f.p.sent) != 0 {
			t.Errorf("pushed %v to a chat that stopped following", f.p.stages())
		}
	})
	t.Run("key level skips minor stages", func(t *testing.T) {
		f := newFixture(t)
		f.follow(t, "a", "LP00123456789012", store.LevelKey)
		f.move(t, "LP00123456789012", tracker.StageInTransit)
		f.move(t, "LP00123456789012", tracker.StageOutForDelivery)
		f.drain(t)
		if got, want := f.p.stages(), []string{"a:out_for_delivery"}; !slices.Equal(got, want) {
			t.Errorf("sent %v, want %v", got, want)
		}
	})
	t.Run("blocked for good", func(t *testing.T) {
		f := newFixture(t)
		a := f.follow(t, "a", "LP00123456789012", store.LevelStages)
		f.move(t, "LP00123456789012", tracker.StageInTransit)
		f.p.fail = func(string) error { return &bot.SendError{Permanent: true, Err: errors.New("403 blocked by the user")} }
		f.drain(t)
		c, err := f.st.Chat(ctx, a)
		if err != nil || !c.Blocked {
			t.Errorf("chat after a permanent refusal = %+v (err %v), want blocked", c, err)
		}
		f.p.fail = nil
		f.wall.Add(time.Hour)
		f.move(t, "LP00123456789012", tracker.StageOutForDelivery)
		f.drain(t)
		if len(f.p.sent) != 0 {
			t.Errorf("pushed %v to a blocked chat", f.p.stages())
		}
	})
}

func TestWanted(t *testing.T) {
	for _, s := range tracker.Stages() {
		if !bot.Wanted(store.LevelStages, s) || !bot.Wanted(store.LevelAll, s) {
			t.Errorf("stage %v not wanted at stages/all level", s)
		}
	}
	for s, want := range map[tracker.Stage]bool{
		tracker.StageInTransit:         false,
		tracker.StagePickedUp:          false,
		tracker.StageImportCustoms:     true,
		tracker.StageHandedToLastMile:  true,
		tracker.StageOutForDelivery:    true,
		tracker.StageAttemptedDelivery: true,
		tracker.StageDelivered:         true,
		tracker.StageLost:              true,
	} {
		if got := bot.Wanted(store.LevelKey, s); got != want {
			t.Errorf("Wanted(key, %v) = %v, want %v", s, got, want)
		}
	}
}

func TestHandoverPushNamesTheDomesticNumber(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.follow(t, "a", "LP00123456789012", store.LevelStages)
	f.now = f.now.Add(time.Hour)
	old, _ := f.st.Shipment(ctx, "LP00123456789012")
	c, err := f.st.ClaimNumber(ctx, "LP00123456789012", f.now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ev := tracker.Event{Time: f.now, Text: "Handed over to Japan Post", Stage: tracker.StageHandedToLastMile}
	snap, change := tracker.Apply(old, tracker.Result{Number: "LP00123456789012", Events: []tracker.Event{ev}, Linked: []string{"123456789013"}, LastMile: "japan-post"}, f.now)
	if err := f.st.Commit(ctx, c, snap, change, f.now.Add(time.Hour), f.now); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	p := i18n.For(i18n.Japanese)
	want := p.T("push.handover", "LP00123456789012", p.T("carrier.japan-post"), "1234-5678-9013")
	if len(f.p.sent) != 1 || f.p.sent[0].msgs[0].Text != want {
		t.Fatalf("pushed %+v, want %q", f.p.sent, want)
	}
	if note := f.p.sent[0].msgs[0].Card.Note; !strings.Contains(note, "1234-5678-9013") {
		t.Errorf("card note %q does not show the domestic number", note)
	}
}

// lowQuota is a fake platform whose monthly quota runs low.
type lowQuota struct{ *fakePlatform }

func (lowQuota) LowOnQuota(context.Context) bool { return true }

func TestLowQuotaKeepsOnlyKeyStagesAndSaysSoOnce(t *testing.T) {
	f := newFixture(t)
	lq := lowQuota{f.p}
	f.d = bot.NewDispatcher(bot.DispatcherConfig{Store: f.st, Platforms: []bot.Platform{lq}, Lease: time.Minute, Now: f.wall.Now})
	f.follow(t, "a", "LP00123456789012", store.LevelStages)
	f.move(t, "LP00123456789012", tracker.StageInTransit)
	f.move(t, "LP00123456789012", tracker.StageOutForDelivery)
	f.move(t, "LP00123456789012", tracker.StageDelivered)
	f.drain(t)
	if got, want := f.p.stages(), []string{"a:out_for_delivery", "a:delivered"}; !slices.Equal(got, want) {
		t.Errorf("sent %v, want %v", got, want)
	}
	notice := i18n.For(i18n.Japanese).T("notify.quota_low")
	var told int
	for _, s := range f.p.sent {
		for _, m := range s.msgs {
			if m.Text == notice {
				told++
			}
		}
	}
	if told != 1 {
		t.Errorf("told about the quota %d times, want once", told)
	}
}

func TestProtectionReminder(t *testing.T) {
	ctx := context.Background()
	for _, delivered := range []bool{false, true} {
		f := newFixture(t)
		k := f.follow(t, "a", "LP00123456789012", store.LevelStages)
		end := f.now.Add(10 * 24 * time.Hour)
		if _, err := f.st.UpdateSubscription(ctx, k, "LP00123456789012", store.SubscriptionChange{Protection: &end}); err != nil {
			t.Fatal(err)
		}
		if err := f.st.SetReminder(ctx, store.KindProtection, k, "LP00123456789012", end.Add(-3*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if delivered {
			f.move(t, "LP00123456789012", tracker.StageDelivered)
			f.drain(t)
			f.p.sent = nil
		}
		if n, err := f.st.QueueDueReminders(ctx, end.Add(-3*24*time.Hour), 10); err != nil || n != 1 {
			t.Fatalf("queued %d reminders (err %v)", n, err)
		}
		f.drain(t)
		p := i18n.For(i18n.Japanese)
		want := p.T("advice.protection_reminder", "LP00123456789012", p.Date(end, f.wall.Now(), time.FixedZone("JST", 9*3600)))
		switch {
		case delivered && len(f.p.sent) != 0:
			t.Errorf("a delivered parcel got a protection reminder: %+v", f.p.sent)
		case !delivered && (len(f.p.sent) != 1 || f.p.sent[0].msgs[0].Text != want):
			t.Errorf("reminder %+v, want %q", f.p.sent, want)
		}
		sub, _ := f.st.Subscription(ctx, k, "LP00123456789012")
		if !delivered && sub.LastStage != tracker.StageUnknown {
			t.Errorf("a reminder changed LastStage to %v", sub.LastStage)
		}
	}
}

func TestFoldIntoReply(t *testing.T) {
	ctx := context.Background()
	for _, sent := range []bool{true, false} {
		f := newFixture(t)
		a := f.follow(t, "a", "LP00123456789012", store.LevelStages)
		f.follow(t, "b", "LP00123456789012", store.LevelStages)
		f.move(t, "LP00123456789012", tracker.StageInTransit)

		msgs, done := f.d.Fold(ctx, a, 3)
		if len(msgs) != 1 || msgs[0].Card == nil || msgs[0].Card.Stage != "in_transit" {
			t.Fatalf("folded %+v", msgs)
		}
		if got := f.p.stages(); !slices.Equal(got, []string{"b:in_transit"}) {
			t.Errorf("while folding for a, pushed %v; want only b's", got)
		}
		done(sent)
		f.wall.Add(2 * time.Minute) // past the lease
		f.drain(t)
		want := []string{"b:in_transit"}
		if !sent {
			want = append(want, "a:in_transit") // the reply failed: pushed instead
		}
		if got := f.p.stages(); !slices.Equal(got, want) {
			t.Errorf("reply sent %v: pushed %v, want %v", sent, got, want)
		}
		if sub, _ := f.st.Subscription(ctx, a, "LP00123456789012"); sub.LastStage != tracker.StageInTransit {
			t.Errorf("reply sent %v: LastStage %v", sent, sub.LastStage)
		}
	}
}
