package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// t0 is the virtual "now" most tests start from. It has no sub-millisecond
// part: backends may keep schedule times at millisecond precision.
var t0 = time.Date(2025, time.November, 25, 5, 0, 0, 0, time.UTC)

// lease is the poll lease used in virtual time.
const lease = 5 * time.Minute

// longLease is an outbox lease no test outlives.
const longLease = time.Hour

// shortLease is a real outbox lease that tests wait out by polling.
const shortLease = 50 * time.Millisecond

// waitFor bounds every poll for something that happens on the wall clock.
const waitFor = 5 * time.Second

// Run runs the conformance suite. newBackend creates a fresh, isolated
// namespace and returns an opener; every call of the opener opens a new
// handle on the same data, so the suite can close and reopen the store. The
// opener fails the test itself when it cannot open.
func Run(t *testing.T, newBackend func(t *testing.T) (open func() store.Store)) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h *harness)
	}{
		{"Chat", testChat},
		{"SubscribeNew", testSubscribeNew},
		{"SubscribeKeepsStoredShipment", testSubscribeKeepsStoredShipment},
		{"SubscribeExistingSubscription", testSubscribeExistingSubscription},
		{"SubscribeDoesNotMoveSchedule", testSubscribeDoesNotMoveSchedule},
		{"SubscribeDoesNotMoveLease", testSubscribeDoesNotMoveLease},
		{"SubscribeFinalNotScheduled", testSubscribeFinalNotScheduled},
		{"Unsubscribe", testUnsubscribe},
		{"Subscriptions", testSubscriptions},
		{"Subscribers", testSubscribers},
		{"NotFound", testNotFound},
		{"ClaimDueOrderAndMax", testClaimDueOrderAndMax},
		{"ClaimDueLeaseExpires", testClaimDueLeaseExpires},
		{"ClaimNumber", testClaimNumber},
		{"ClaimNumberHoldsAgainstClaimDue", testClaimNumberHoldsAgainstClaimDue},
		{"ConcurrentClaims", testConcurrentClaims},
		{"CommitStageChange", testCommitStageChange},
		{"CommitSameStage", testCommitSameStage},
		{"CommitZeroNext", testCommitZeroNext},
		{"CommitNoSubscribers", testCommitNoSubscribers},
		{"CommitTwice", testCommitTwice},
		{"OutboxOrderAndMax", testOutboxOrderAndMax},
		{"OutboxLeaseExpires", testOutboxLeaseExpires},
		{"OutboxSurvivesCrash", testOutboxSurvivesCrash},
		{"ReleaseOutbox", testReleaseOutbox},
		{"RenewOutbox", testRenewOutbox},
		{"AckLastStage", testAckLastStage},
		{"AckAfterUnsubscribe", testAckAfterUnsubscribe},
		{"FirstSeen", testFirstSeen},
		{"FirstSeenExpires", testFirstSeenExpires},
		{"LinkResolve", testLinkResolve},
		{"UpdateSubscription", testUpdateSubscription},
		{"Reminders", testReminders},
		{"Delivered", testDelivered},
		{"Pace", testPace},
		{"Stats", testStats},
		{"Reopen", testReopen},
		{"ContextCanceled", testContextCanceled},
		{"Forget", testForget},
		{"ForgetRacesSubscribe", testForgetRacesSubscribe},
		{"Lease", testLease},
		{"LeaseExpires", testLeaseExpires},
		{"LeaseRenew", testLeaseRenew},
		{"LeaseConcurrent", testLeaseConcurrent},
		{"Shipments", testShipments},
		{"CommitMany", testCommitMany},
		{"SubscribeMany", testSubscribeMany},
		{"FirstSeenMany", testFirstSeenMany},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &harness{t: t, open: newBackend(t)}
			h.s = h.open()
			t.Cleanup(func() {
				if h.s != nil {
					if err := h.s.Close(); err != nil {
						t.Errorf("Close: %v", err)
					}
				}
			})
			tc.fn(t, h)
		})
	}
}

// harness holds the store under test and small helpers that fail the test
// on unexpected errors.
type harness struct {
	t    *testing.T
	open func() store.Store
	s    store.Store
}

// reopen closes the store and opens it again on the same data.
func (h *harness) reopen() {
	h.t.Helper()
	h.close()
	h.s = h.open()
}

// close closes the store without acknowledging anything.
func (h *harness) close() {
	h.t.Helper()
	if err := h.s.Close(); err != nil {
		h.t.Fatalf("Close: %v", err)
	}
	h.s = nil
}

func chatKey(id string) store.ChatKey { return store.ChatKey{Platform: "telegram", ID: id} }

func stub(number string, stage tracker.Stage) tracker.Shipment {
	return tracker.Shipment{Number: number, Stage: stage, Since: t0}
}

func event(at time.Time, stage tracker.Stage, text string) tracker.Event {
	return tracker.Event{Time: at, Location: "Shenzhen", Text: text, Code: "C" + stage.String(), Stage: stage, Source: "sandbox"}
}

func (h *harness) subscribe(chat store.ChatKey, number string, createdAt time.Time, stage tracker.Stage) store.Subscription {
	h.t.Helper()
	sub, _, created, err := h.s.Subscribe(context.Background(), store.Subscription{Chat: chat, Number: number, CreatedAt: createdAt}, stub(number, stage))
	if err != nil {
		h.t.Fatalf("Subscribe(%s, %s): %v", chat, number, err)
	}
	if !created {
		h.t.Fatalf("Subscribe(%s, %s): created = false, want true", chat, number)
	}
	return sub
}

func (h *harness) claimDue(now time.Time, max int) []store.Claim {
	h.t.Helper()
	claims, err := h.s.ClaimDue(context.Background(), now, max, lease)
	if err != nil {
		h.t.Fatalf("ClaimDue(%s, %d): %v", now.Format(time.RFC3339), max, err)
	}
	return claims
}

// dueNumbers claims what is due at now and returns the numbers in order.
func (h *harness) dueNumbers(now time.Time) []string {
	h.t.Helper()
	return numbers(h.claimDue(now, 100))
}

// claimOne claims the single number due at now.
func (h *harness) claimOne(now time.Time, number string) store.Claim {
	h.t.Helper()
	claims := h.claimDue(now, 100)
	if got := numbers(claims); !slices.Equal(got, []string{number}) {
		h.t.Fatalf("ClaimDue(%s) = %v, want [%s]", now.Format(time.RFC3339), got, number)
	}
	return claims[0]
}

func (h *harness) commit(c store.Claim, snap tracker.Shipment, change tracker.Change, next, now time.Time) {
	h.t.Helper()
	if err := h.s.Commit(context.Background(), c, snap, change, next, now); err != nil {
		h.t.Fatalf("Commit(%s): %v", c.Number, err)
	}
}

// advance claims number (due at now) and commits a move to stage, with one
// new event, rescheduled at next. It returns the committed snapshot.
func (h *harness) advance(number string, from, to tracker.Stage, now, next time.Time) tracker.Shipment {
	h.t.Helper()
	c, err := h.s.ClaimNumber(context.Background(), number, now, lease)
	if err != nil {
		h.t.Fatalf("ClaimNumber(%s): %v", number, err)
	}
	ev := event(now.Add(-time.Minute), to, "moved to "+to.String())
	snap := tracker.Shipment{Number: number, Stage: to, Events: []tracker.Event{ev}, Since: t0, CheckedAt: now}
	h.commit(c, snap, tracker.Change{NewEvents: []tracker.Event{ev}, From: from, To: to}, next, now)
	return snap
}

func (h *harness) claimOutbox(consumer string, max int, lease time.Duration) []store.Notification {
	h.t.Helper()
	ns, err := h.s.ClaimOutbox(context.Background(), consumer, max, lease)
	if err != nil {
		h.t.Fatalf("ClaimOutbox(%s, %d): %v", consumer, max, err)
	}
	return ns
}

// pollOutbox claims until something comes back or waitFor passes.
func (h *harness) pollOutbox(consumer string, max int, lease time.Duration) []store.Notification {
	h.t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		if ns := h.claimOutbox(consumer, max, lease); len(ns) > 0 {
			return ns
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("ClaimOutbox(%s): nothing came back within %s", consumer, waitFor)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *harness) ack(n store.Notification, delivered bool) {
	h.t.Helper()
	if err := h.s.Ack(context.Background(), n, delivered); err != nil {
		h.t.Fatalf("Ack(%s): %v", n.ID, err)
	}
}

func (h *harness) subscription(chat store.ChatKey, number string) store.Subscription {
	h.t.Helper()
	sub, err := h.s.Subscription(context.Background(), chat, number)
	if err != nil {
		h.t.Fatalf("Subscription(%s, %s): %v", chat, number, err)
	}
	return sub
}

func (h *harness) shipment(number string) tracker.Shipment {
	h.t.Helper()
	sh, err := h.s.Shipment(context.Background(), number)
	if err != nil {
		h.t.Fatalf("Shipment(%s): %v", number, err)
	}
	return sh
}

func numbers(claims []store.Claim) []string {
	out := make([]string, 0, len(claims))
	for _, c := range claims {
		out = append(out, c.Number)
	}
	return out
}

// withoutIDs drops the store-assigned IDs so notifications compare by value.
func withoutIDs(ns []store.Notification) []store.Notification {
	out := make([]store.Notification, len(ns))
	for i, n := range ns {
		n.ID = ""
		out[i] = n
	}
	return out
}

func ids(ns []store.Notification) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

func mustEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func testChat(t *testing.T, h *harness) {
	ctx := context.Background()
	key := store.ChatKey{Platform: "line", ID: "U4af4980629"}
	if _, err := h.s.Chat(ctx, key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Chat(missing) error = %v, want ErrNotFound", err)
	}
	c := store.Chat{Key: key, Lang: "ja", TimeZone: "Asia/Tokyo", Level: store.LevelStages, CreatedAt: t0}
	if err := h.s.SaveChat(ctx, c); err != nil {
		t.Fatalf("SaveChat: %v", err)
	}
	got, err := h.s.Chat(ctx, key)
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	mustEqual(t, "Chat", got, c)

	c.Lang, c.Level, c.Blocked = "th", store.LevelKey, true
	if err := h.s.SaveChat(ctx, c); err != nil {
		t.Fatalf("SaveChat (replace): %v", err)
	}
	got, err = h.s.Chat(ctx, key)
	if err != nil {
		t.Fatalf("Chat after replace: %v", err)
	}
	mustEqual(t, "Chat after replace", got, c)

	other := store.ChatKey{Platform: "telegram", ID: "U4af4980629"}
	if _, err := h.s.Chat(ctx, other); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Chat(same id, other platform) error = %v, want ErrNotFound", err)
	}
}

func testSubscribeNew(t *testing.T, h *harness) {
	ctx := context.Background()
	chat := chatKey("100")
	in := store.Subscription{Chat: chat, Number: "LP00123456789012", Label: "イヤホン <earbuds> & case", CreatedAt: t0, LastStage: tracker.StageDelivered}
	st := tracker.Shipment{Number: in.Number, Stage: tracker.StageNotFound, Since: t0}
	sub, sh, created, err := h.s.Subscribe(ctx, in, st)
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if !created {
		t.Fatal("Subscribe: created = false, want true")
	}
	want := in
	want.LastStage = tracker.StageNotFound
	mustEqual(t, "returned subscription", sub, want)
	mustEqual(t, "returned shipment", sh, st)
	mustEqual(t, "Subscription", h.subscription(chat, in.Number), want)
	mustEqual(t, "Shipment", h.shipment(in.Number), st)

	subs, err := h.s.Subscribers(ctx, in.Number)
	if err != nil {
		t.Fatalf("Subscribers: %v", err)
	}
	mustEqual(t, "Subscribers", subs, []store.ChatKey{chat})

	// Scheduled due at CreatedAt, not before.
	mustEqual(t, "due one second before CreatedAt", h.dueNumbers(t0.Add(-time.Second)), []string{})
	mustEqual(t, "due at CreatedAt", h.dueNumbers(t0), []string{in.Number})
}

func testSubscribeKeepsStoredShipment(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000001"
	h.subscribe(chatKey("1"), number, t0, tracker.StageNotFound)
	stored := h.advance(number, tracker.StageNotFound, tracker.StageInTransit, t0, t0.Add(time.Hour))

	in := store.Subscription{Chat: chatKey("2"), Number: number, CreatedAt: t0.Add(time.Minute)}
	sub, sh, created, err := h.s.Subscribe(ctx, in, stub(number, tracker.StageNotFound))
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if !created {
		t.Fatal("Subscribe: created = false, want true")
	}
	mustEqual(t, "returned shipment", sh, stored)
	mustEqual(t, "stored shipment", h.shipment(number), stored)
	if sub.LastStage != tracker.StageInTransit {
		t.Fatalf("LastStage = %s, want %s", sub.LastStage, tracker.StageInTransit)
	}
	mustEqual(t, "Subscription", h.subscription(chatKey("2"), number), sub)
}

func testSubscribeExistingSubscription(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000002"
	first := store.Subscription{Chat: chatKey("1"), Number: number, Label: "phone case", CreatedAt: t0}
	orig, _, _, err := h.s.Subscribe(ctx, first, stub(number, tracker.StageInfoReceived))
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	again := store.Subscription{Chat: chatKey("1"), Number: number, Label: "renamed", Muted: true, CreatedAt: t0.Add(time.Hour)}
	sub, sh, created, err := h.s.Subscribe(ctx, again, stub(number, tracker.StageDelivered))
	if err != nil {
		t.Fatalf("Subscribe again: %v", err)
	}
	if created {
		t.Fatal("Subscribe again: created = true, want false")
	}
	mustEqual(t, "returned subscription", sub, orig)
	mustEqual(t, "stored subscription", h.subscription(chatKey("1"), number), orig)
	mustEqual(t, "returned shipment", sh, stub(number, tracker.StageInfoReceived))
	mustEqual(t, "stored shipment", h.shipment(number), stub(number, tracker.StageInfoReceived))
	subs, err := h.s.Subscriptions(ctx, chatKey("1"))
	if err != nil {
		t.Fatalf("Subscriptions: %v", err)
	}
	mustEqual(t, "Subscriptions", subs, []store.Subscription{orig})
}

func testSubscribeDoesNotMoveSchedule(t *testing.T, h *harness) {
	const number = "LP00000000000003"
	h.subscribe(chatKey("1"), number, t0, tracker.StageNotFound)
	h.advance(number, tracker.StageNotFound, tracker.StageInfoReceived, t0, t0.Add(2*time.Hour))

	// A newcomer subscribing earlier than the next check must not pull it in.
	h.subscribe(chatKey("2"), number, t0.Add(time.Hour), tracker.StageNotFound)
	mustEqual(t, "due after newcomer", h.dueNumbers(t0.Add(time.Hour)), []string{})
	mustEqual(t, "due at next check", h.dueNumbers(t0.Add(2*time.Hour)), []string{number})
}

func testSubscribeDoesNotMoveLease(t *testing.T, h *harness) {
	const number = "LP00000000000004"
	h.subscribe(chatKey("1"), number, t0, tracker.StageNotFound)
	c := h.claimOne(t0, number)

	// Subscribing while the number is leased neither reschedules it nor
	// breaks the poller's claim.
	h.subscribe(chatKey("2"), number, t0.Add(time.Second), tracker.StageNotFound)
	mustEqual(t, "due during lease", h.dueNumbers(t0.Add(time.Second)), []string{})
	mustEqual(t, "due just before lease end", h.dueNumbers(t0.Add(lease-time.Second)), []string{})
	h.commit(c, stub(number, tracker.StageNotFound), tracker.Change{From: tracker.StageNotFound, To: tracker.StageNotFound}, t0.Add(time.Hour), t0.Add(time.Second))
	mustEqual(t, "due at next", h.dueNumbers(t0.Add(time.Hour)), []string{number})

	// Same with a number leased by ClaimNumber while not scheduled at all.
	const other = "LP00000000000005"
	c2, err := h.s.ClaimNumber(context.Background(), other, t0, lease)
	if err != nil {
		t.Fatalf("ClaimNumber: %v", err)
	}
	h.subscribe(chatKey("1"), other, t0.Add(time.Second), tracker.StageNotFound)
	mustEqual(t, "due while ClaimNumber lease holds", h.dueNumbers(t0.Add(lease-time.Second)), []string{})
	h.commit(c2, stub(other, tracker.StageNotFound), tracker.Change{From: tracker.StageNotFound, To: tracker.StageNotFound}, t0.Add(2*time.Hour), t0.Add(time.Second))
	// number is due again since its lease from the check at t0+1h ran out.
	mustEqual(t, "due at next after ClaimNumber", h.dueNumbers(t0.Add(2*time.Hour)), []string{number, other})
}

func testSubscribeFinalNotScheduled(t *testing.T, h *harness) {
	far := t0.Add(365 * 24 * time.Hour)
	for _, stage := range tracker.Stages() {
		if !stage.Final() {
			continue
		}
		number := "LPFINAL" + stage.String()
		h.subscribe(chatKey("1"), number, t0, stage)
		mustEqual(t, "due for stub "+stage.String(), h.dueNumbers(far), []string{})
	}

	// A shipment delivered while followed is not re-scheduled by a newcomer.
	const number = "LP00000000000006"
	h.subscribe(chatKey("1"), number, t0, tracker.StageOutForDelivery)
	c := h.claimOne(t0, number)
	snap := stub(number, tracker.StageDelivered)
	h.commit(c, snap, tracker.Change{From: tracker.StageOutForDelivery, To: tracker.StageDelivered}, time.Time{}, t0)
	sub := h.subscribe(chatKey("2"), number, t0.Add(time.Minute), tracker.StageNotFound)
	if sub.LastStage != tracker.StageDelivered {
		t.Fatalf("LastStage = %s, want delivered", sub.LastStage)
	}
	mustEqual(t, "due after subscribing to delivered", h.dueNumbers(far), []string{})
}

func testUnsubscribe(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000007"
	if err := h.s.Unsubscribe(ctx, chatKey("1"), number); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Unsubscribe(missing) error = %v, want ErrNotFound", err)
	}
	h.subscribe(chatKey("1"), number, t0, tracker.StageNotFound)
	h.subscribe(chatKey("2"), number, t0, tracker.StageNotFound)

	if err := h.s.Unsubscribe(ctx, chatKey("1"), number); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	if _, err := h.s.Subscription(ctx, chatKey("1"), number); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Subscription after Unsubscribe error = %v, want ErrNotFound", err)
	}
	if err := h.s.Unsubscribe(ctx, chatKey("1"), number); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Unsubscribe twice error = %v, want ErrNotFound", err)
	}
	subs, err := h.s.Subscribers(ctx, number)
	if err != nil {
		t.Fatalf("Subscribers: %v", err)
	}
	mustEqual(t, "Subscribers after one left", subs, []store.ChatKey{chatKey("2")})
	// Still followed, so still scheduled.
	c := h.claimOne(t0, number)
	h.commit(c, stub(number, tracker.StageNotFound), tracker.Change{From: tracker.StageNotFound, To: tracker.StageNotFound}, t0.Add(time.Hour), t0)

	if err := h.s.Unsubscribe(ctx, chatKey("2"), number); err != nil {
		t.Fatalf("Unsubscribe last: %v", err)
	}
	subs, err = h.s.Subscribers(ctx, number)
	if err != nil {
		t.Fatalf("Subscribers: %v", err)
	}
	if len(subs) != 0 {
		t.Fatalf("Subscribers after last left = %v, want none", subs)
	}
	mustEqual(t, "due after last left", h.dueNumbers(t0.Add(24*time.Hour)), []string{})
	list, err := h.s.Subscriptions(ctx, chatKey("2"))
	if err != nil {
		t.Fatalf("Subscriptions: %v", err)
	}
	if len(list) != 0 {
		t.Fatalf("Subscriptions after Unsubscribe = %v, want none", list)
	}
}

func testSubscriptions(t *testing.T, h *harness) {
	ctx := context.Background()
	chat := chatKey("1")
	list, err := h.s.Subscriptions(ctx, chat)
	if err != nil {
		t.Fatalf("Subscriptions(empty): %v", err)
	}
	if len(list) != 0 {
		t.Fatalf("Subscriptions(empty) = %v, want none", list)
	}
	// Ties on CreatedAt are inserted out of order on purpose.
	h.subscribe(chat, "Z", t0.Add(2*time.Minute), tracker.StageNotFound)
	for _, n := range []string{"M", "X", "K", "A", "Q", "C"} {
		h.subscribe(chat, n, t0.Add(time.Minute), tracker.StageNotFound)
	}
	h.subscribe(chat, "B", t0.Add(3*time.Minute), tracker.StageNotFound)
	h.subscribe(chat, "0", t0.Add(4*time.Minute), tracker.StageNotFound)
	h.subscribe(chatKey("2"), "E", t0, tracker.StageNotFound)
	h.subscribe(store.ChatKey{Platform: "line", ID: "1"}, "F", t0, tracker.StageNotFound)

	list, err = h.s.Subscriptions(ctx, chat)
	if err != nil {
		t.Fatalf("Subscriptions: %v", err)
	}
	var got []string
	for _, s := range list {
		if s.Chat != chat {
			t.Fatalf("Subscriptions(%s) returned a subscription of %s", chat, s.Chat)
		}
		got = append(got, s.Number)
	}
	mustEqual(t, "Subscriptions order", got, []string{"A", "C", "K", "M", "Q", "X", "Z", "B", "0"})
	mustEqual(t, "first subscription", list[0], store.Subscription{Chat: chat, Number: "A", CreatedAt: t0.Add(time.Minute), LastStage: tracker.StageNotFound})
}

func testSubscribers(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000008"
	subs, err := h.s.Subscribers(ctx, number)
	if err != nil {
		t.Fatalf("Subscribers(none): %v", err)
	}
	if len(subs) != 0 {
		t.Fatalf("Subscribers(none) = %v, want none", subs)
	}
	keys := []store.ChatKey{
		{Platform: "telegram", ID: "2"},
		{Platform: "line", ID: "U9"},
		{Platform: "telegram", ID: "10"},
		{Platform: "console", ID: "local"},
	}
	for i, k := range keys {
		h.subscribe(k, number, t0.Add(time.Duration(i)*time.Second), tracker.StageNotFound)
	}
	h.subscribe(chatKey("3"), "other", t0, tracker.StageNotFound)
	subs, err = h.s.Subscribers(ctx, number)
	if err != nil {
		t.Fatalf("Subscribers: %v", err)
	}
	mustEqual(t, "Subscribers", subs, []store.ChatKey{
		{Platform: "console", ID: "local"},
		{Platform: "line", ID: "U9"},
		{Platform: "telegram", ID: "10"},
		{Platform: "telegram", ID: "2"},
	})
}

func testNotFound(t *testing.T, h *harness) {
	ctx := context.Background()
	if _, err := h.s.Shipment(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Shipment error = %v, want ErrNotFound", err)
	}
	if _, err := h.s.Subscription(ctx, chatKey("1"), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Subscription error = %v, want ErrNotFound", err)
	}
	if _, err := h.s.Chat(ctx, chatKey("1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Chat error = %v, want ErrNotFound", err)
	}
	if err := h.s.Unsubscribe(ctx, chatKey("1"), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Unsubscribe error = %v, want ErrNotFound", err)
	}
}

func testClaimDueOrderAndMax(t *testing.T, h *harness) {
	h.subscribe(chatKey("1"), "N3", t0.Add(3*time.Second), tracker.StageNotFound)
	h.subscribe(chatKey("1"), "N1", t0.Add(1*time.Second), tracker.StageNotFound)
	h.subscribe(chatKey("1"), "N10", t0.Add(10*time.Second), tracker.StageNotFound)
	h.subscribe(chatKey("1"), "N2", t0.Add(2*time.Second), tracker.StageNotFound)

	if got := h.claimDue(t0.Add(5*time.Second), 0); len(got) != 0 {
		t.Fatalf("ClaimDue(max 0) = %v, want none", numbers(got))
	}
	first := h.claimDue(t0.Add(5*time.Second), 2)
	mustEqual(t, "first batch", numbers(first), []string{"N1", "N2"})
	if first[0].Token == "" || first[0].Token == first[1].Token {
		t.Fatalf("tokens = %q, %q; want distinct and non-empty", first[0].Token, first[1].Token)
	}
	mustEqual(t, "second batch", h.dueNumbers(t0.Add(5*time.Second)), []string{"N3"})
	mustEqual(t, "third batch", h.dueNumbers(t0.Add(5*time.Second)), []string{})
	mustEqual(t, "due exactly at now", h.dueNumbers(t0.Add(10*time.Second)), []string{"N10"})
}

func testClaimDueLeaseExpires(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000009"
	h.subscribe(chatKey("1"), number, t0, tracker.StageInfoReceived)
	c1 := h.claimOne(t0, number)
	mustEqual(t, "due during lease", h.dueNumbers(t0.Add(lease-time.Second)), []string{})
	if _, err := h.s.ClaimNumber(ctx, number, t0.Add(lease-time.Second), lease); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("ClaimNumber during lease error = %v, want ErrLeased", err)
	}

	later := t0.Add(lease + time.Second)
	c2 := h.claimOne(later, number)
	if c2.Token == c1.Token {
		t.Fatalf("second claim reused token %q", c1.Token)
	}

	ev := event(t0, tracker.StagePickedUp, "picked up")
	snap := tracker.Shipment{Number: number, Stage: tracker.StagePickedUp, Events: []tracker.Event{ev}, Since: t0, CheckedAt: t0}
	change := tracker.Change{NewEvents: []tracker.Event{ev}, From: tracker.StageInfoReceived, To: tracker.StagePickedUp}
	lostNext := later.Add(time.Second)
	err := h.s.Commit(ctx, c1, snap, change, lostNext, t0.Add(time.Minute))
	if !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("Commit of lost claim error = %v, want ErrLeaseLost", err)
	}
	mustEqual(t, "shipment after lost commit", h.shipment(number), stub(number, tracker.StageInfoReceived))
	if ns := h.claimOutbox("d", 10, longLease); len(ns) != 0 {
		t.Fatalf("outbox after lost commit = %+v, want empty", ns)
	}
	// The lost commit did not reschedule either: the number stays leased by c2.
	mustEqual(t, "due after lost commit", h.dueNumbers(lostNext), []string{})
	if _, err := h.s.ClaimNumber(ctx, number, lostNext, lease); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("ClaimNumber after lost commit error = %v, want ErrLeased (c2 still holds it)", err)
	}

	h.commit(c2, snap, change, later.Add(time.Hour), later)
	mustEqual(t, "shipment after commit", h.shipment(number), snap)
	if ns := h.claimOutbox("d", 10, longLease); len(ns) != 1 {
		t.Fatalf("outbox after commit has %d entries, want 1", len(ns))
	}
}

func testClaimNumber(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000010"
	c1, err := h.s.ClaimNumber(ctx, number, t0, lease)
	if err != nil {
		t.Fatalf("ClaimNumber (unscheduled): %v", err)
	}
	if c1.Number != number || c1.Token == "" {
		t.Fatalf("ClaimNumber = %+v, want number %s and a token", c1, number)
	}
	if _, err := h.s.ClaimNumber(ctx, number, t0.Add(lease-time.Second), lease); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("ClaimNumber while leased error = %v, want ErrLeased", err)
	}
	c2, err := h.s.ClaimNumber(ctx, number, t0.Add(lease+time.Second), lease)
	if err != nil {
		t.Fatalf("ClaimNumber after lease: %v", err)
	}
	if c2.Token == c1.Token {
		t.Fatalf("ClaimNumber reused token %q", c1.Token)
	}
	err = h.s.Commit(ctx, c1, stub(number, tracker.StageInTransit), tracker.Change{From: tracker.StageUnknown, To: tracker.StageInTransit}, time.Time{}, t0.Add(time.Minute))
	if !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("Commit of lost claim error = %v, want ErrLeaseLost", err)
	}
	if _, err := h.s.Shipment(ctx, number); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Shipment after lost commit error = %v, want ErrNotFound", err)
	}
	h.commit(c2, stub(number, tracker.StageInTransit), tracker.Change{From: tracker.StageUnknown, To: tracker.StageInTransit}, time.Time{}, t0.Add(lease+time.Second))
	mustEqual(t, "shipment", h.shipment(number), stub(number, tracker.StageInTransit))

	// Commit released the claim: the number can be claimed again at once.
	if _, err := h.s.ClaimNumber(ctx, number, t0.Add(lease+2*time.Second), lease); err != nil {
		t.Fatalf("ClaimNumber after commit: %v", err)
	}
}

func testClaimNumberHoldsAgainstClaimDue(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000011"
	h.subscribe(chatKey("1"), number, t0.Add(time.Minute), tracker.StageNotFound)
	c, err := h.s.ClaimNumber(ctx, number, t0, lease)
	if err != nil {
		t.Fatalf("ClaimNumber: %v", err)
	}
	mustEqual(t, "due while ClaimNumber lease holds", h.dueNumbers(t0.Add(lease-time.Second)), []string{})
	c2 := h.claimOne(t0.Add(lease+time.Second), number)
	if c2.Token == c.Token {
		t.Fatalf("ClaimDue reused token %q", c.Token)
	}
	err = h.s.Commit(ctx, c, stub(number, tracker.StageNotFound), tracker.Change{From: tracker.StageNotFound, To: tracker.StageNotFound}, t0.Add(time.Hour), t0.Add(lease+2*time.Second))
	if !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("Commit of claim taken over by ClaimDue error = %v, want ErrLeaseLost", err)
	}
}

func testConcurrentClaims(t *testing.T, h *harness) {
	const n = 60
	var all []string
	for i := range n {
		number := fmt.Sprintf("LPC%03d", i)
		all = append(all, number)
		h.subscribe(chatKey("1"), number, t0.Add(time.Duration(i)*time.Millisecond), tracker.StageNotFound)
	}
	now := t0.Add(time.Minute)

	var (
		mu      sync.Mutex
		claimed = map[string][]string{} // number -> tokens
		wg      sync.WaitGroup
		errs    = make(chan error, 64)
	)
	record := func(c store.Claim) {
		mu.Lock()
		defer mu.Unlock()
		claimed[c.Number] = append(claimed[c.Number], c.Token)
	}
	for range 6 {
		wg.Go(func() {
			for {
				cs, err := h.s.ClaimDue(context.Background(), now, 3, lease)
				if err != nil {
					errs <- err
					return
				}
				if len(cs) == 0 {
					return
				}
				for _, c := range cs {
					record(c)
				}
			}
		})
	}
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 2 {
				c, err := h.s.ClaimNumber(context.Background(), all[i], now, lease)
				if errors.Is(err, store.ErrLeased) {
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				record(c)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent claim: %v", err)
	}
	for _, number := range all {
		if got := claimed[number]; len(got) != 1 {
			t.Errorf("%s claimed %d times (%v), want exactly once", number, len(got), got)
		}
	}
	if len(claimed) != n {
		t.Errorf("claimed %d distinct numbers, want %d", len(claimed), n)
	}
}

func testCommitStageChange(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000012"
	a, b := chatKey("a"), store.ChatKey{Platform: "line", ID: "Ub"}
	h.subscribe(a, number, t0, tracker.StageInfoReceived)
	h.subscribe(b, number, t0, tracker.StageInfoReceived)
	h.subscribe(a, "unrelated", t0.Add(10*time.Hour), tracker.StageInfoReceived)

	c := h.claimOne(t0, number)
	old := event(t0.Add(-2*time.Hour), tracker.StageInfoReceived, "order information received")
	fresh := event(t0.Add(-time.Minute), tracker.StageInTransit, "in transit")
	now := t0.Add(30 * time.Second)
	snap := tracker.Shipment{
		Number: number, Carrier: "Cainiao", Source: "sandbox",
		Events: []tracker.Event{old, fresh}, Stage: tracker.StageInTransit,
		Linked: []string{"JP123"}, ETA: t0.Add(72 * time.Hour), Since: t0, CheckedAt: now,
	}
	change := tracker.Change{NewEvents: []tracker.Event{fresh}, From: tracker.StageInfoReceived, To: tracker.StageInTransit}
	next := t0.Add(2 * time.Hour)
	h.commit(c, snap, change, next, now)

	mustEqual(t, "shipment", h.shipment(number), snap)
	ns := h.claimOutbox("d", 10, longLease)
	if len(ns) != 2 {
		t.Fatalf("outbox has %d entries, want 2: %+v", len(ns), ns)
	}
	if ns[0].ID == "" || ns[1].ID == "" || ns[0].ID == ns[1].ID {
		t.Fatalf("notification IDs = %q; want distinct and non-empty", ids(ns))
	}
	slices.SortFunc(ns, func(x, y store.Notification) int { return strings.Compare(x.Chat.String(), y.Chat.String()) })
	want := []store.Notification{
		{Chat: b, Number: number, From: tracker.StageInfoReceived, To: tracker.StageInTransit, Event: fresh, At: now},
		{Chat: a, Number: number, From: tracker.StageInfoReceived, To: tracker.StageInTransit, Event: fresh, At: now},
	}
	mustEqual(t, "notifications", withoutIDs(ns), want)
	if again := h.claimOutbox("d", 10, longLease); len(again) != 0 {
		t.Fatalf("leased notifications handed out again: %+v", again)
	}

	// The claim is released and the number rescheduled at next.
	if _, err := h.s.ClaimNumber(ctx, number, now.Add(time.Second), lease); err != nil {
		t.Fatalf("ClaimNumber after commit: %v", err)
	}
	mustEqual(t, "due before next", h.dueNumbers(next.Add(-time.Second)), []string{})
	mustEqual(t, "due at next", h.dueNumbers(next), []string{number})
}

func testCommitSameStage(t *testing.T, h *harness) {
	const number = "LP00000000000013"
	h.subscribe(chatKey("1"), number, t0, tracker.StageInTransit)
	c := h.claimOne(t0, number)
	ev := event(t0, tracker.StageInTransit, "arrived at transit hub")
	snap := tracker.Shipment{Number: number, Stage: tracker.StageInTransit, Events: []tracker.Event{ev}, Since: t0, CheckedAt: t0}
	h.commit(c, snap, tracker.Change{NewEvents: []tracker.Event{ev}, From: tracker.StageInTransit, To: tracker.StageInTransit}, t0.Add(time.Hour), t0)
	mustEqual(t, "shipment", h.shipment(number), snap)
	if ns := h.claimOutbox("d", 10, longLease); len(ns) != 0 {
		t.Fatalf("outbox after same-stage commit = %+v, want empty", ns)
	}
	mustEqual(t, "due before next", h.dueNumbers(t0.Add(time.Hour-time.Second)), []string{})
	mustEqual(t, "due at next", h.dueNumbers(t0.Add(time.Hour)), []string{number})
}

func testCommitZeroNext(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000014"
	h.subscribe(chatKey("1"), number, t0, tracker.StageOutForDelivery)
	c := h.claimOne(t0, number)
	h.commit(c, stub(number, tracker.StageDelivered), tracker.Change{From: tracker.StageOutForDelivery, To: tracker.StageDelivered}, time.Time{}, t0)
	mustEqual(t, "due after zero next", h.dueNumbers(t0.Add(365*24*time.Hour)), []string{})
	// Off the schedule but still claimable for an explicit check.
	if _, err := h.s.ClaimNumber(ctx, number, t0.Add(time.Second), lease); err != nil {
		t.Fatalf("ClaimNumber: %v", err)
	}
}

func testCommitNoSubscribers(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000015"
	c, err := h.s.ClaimNumber(ctx, number, t0, lease)
	if err != nil {
		t.Fatalf("ClaimNumber: %v", err)
	}
	snap := stub(number, tracker.StagePickedUp)
	h.commit(c, snap, tracker.Change{From: tracker.StageUnknown, To: tracker.StagePickedUp}, t0.Add(time.Hour), t0)
	mustEqual(t, "shipment", h.shipment(number), snap)
	if ns := h.claimOutbox("d", 10, longLease); len(ns) != 0 {
		t.Fatalf("outbox without subscribers = %+v, want empty", ns)
	}
	mustEqual(t, "due without subscribers", h.dueNumbers(t0.Add(2*time.Hour)), []string{})

	// The last subscriber leaving during a lease: Commit does not put the
	// number back on the schedule.
	const other = "LP00000000000016"
	h.subscribe(chatKey("1"), other, t0, tracker.StageNotFound)
	c = h.claimOne(t0, other)
	if err := h.s.Unsubscribe(ctx, chatKey("1"), other); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	h.commit(c, stub(other, tracker.StageInTransit), tracker.Change{From: tracker.StageNotFound, To: tracker.StageInTransit}, t0.Add(time.Hour), t0.Add(time.Second))
	mustEqual(t, "due after last subscriber left", h.dueNumbers(t0.Add(2*time.Hour)), []string{})
	if ns := h.claimOutbox("d", 10, longLease); len(ns) != 0 {
		t.Fatalf("outbox after last subscriber left = %+v, want empty", ns)
	}
}

func testCommitTwice(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000017"
	h.subscribe(chatKey("1"), number, t0, tracker.StageNotFound)
	c := h.claimOne(t0, number)
	first := stub(number, tracker.StageInfoReceived)
	h.commit(c, first, tracker.Change{From: tracker.StageNotFound, To: tracker.StageInfoReceived}, t0.Add(time.Hour), t0)
	err := h.s.Commit(ctx, c, stub(number, tracker.StageInTransit), tracker.Change{From: tracker.StageInfoReceived, To: tracker.StageInTransit}, t0.Add(2*time.Hour), t0)
	if !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("second Commit error = %v, want ErrLeaseLost", err)
	}
	mustEqual(t, "shipment", h.shipment(number), first)
	if ns := h.claimOutbox("d", 10, longLease); len(ns) != 1 {
		t.Fatalf("outbox has %d entries, want 1", len(ns))
	}
	mustEqual(t, "due at first next", h.dueNumbers(t0.Add(time.Hour)), []string{number})
}

func testOutboxOrderAndMax(t *testing.T, h *harness) {
	chat := chatKey("1")
	for _, n := range []string{"N1", "N2", "N3"} {
		h.subscribe(chat, n, t0, tracker.StageNotFound)
	}
	if ns := h.claimOutbox("d", 10, longLease); len(ns) != 0 {
		t.Fatalf("outbox before any change = %+v, want empty", ns)
	}
	var want []store.Notification
	for i, n := range []string{"N2", "N3", "N1"} {
		now := t0.Add(time.Duration(i) * time.Minute)
		snap := h.advance(n, tracker.StageNotFound, tracker.StagePickedUp, now, now.Add(time.Hour))
		want = append(want, store.Notification{Chat: chat, Number: n, From: tracker.StageNotFound, To: tracker.StagePickedUp, Event: snap.Events[0], At: now})
	}
	if ns := h.claimOutbox("d", 0, longLease); len(ns) != 0 {
		t.Fatalf("ClaimOutbox(max 0) = %+v, want empty", ns)
	}
	first := h.claimOutbox("d", 2, longLease)
	mustEqual(t, "first batch", withoutIDs(first), want[:2])
	second := h.claimOutbox("e", 2, longLease)
	mustEqual(t, "second batch", withoutIDs(second), want[2:])
	if ns := h.claimOutbox("f", 2, longLease); len(ns) != 0 {
		t.Fatalf("third batch = %+v, want empty", ns)
	}
	seen := map[string]bool{}
	for _, id := range ids(append(first, second...)) {
		if id == "" || seen[id] {
			t.Fatalf("notification IDs %q are not distinct and non-empty", ids(append(first, second...)))
		}
		seen[id] = true
	}
}

func testOutboxLeaseExpires(t *testing.T, h *harness) {
	chat := chatKey("1")
	h.subscribe(chat, "N1", t0, tracker.StageNotFound)
	h.subscribe(chat, "N2", t0, tracker.StageNotFound)
	h.advance("N1", tracker.StageNotFound, tracker.StageInfoReceived, t0, t0.Add(time.Hour))
	h.advance("N2", tracker.StageNotFound, tracker.StageInfoReceived, t0.Add(time.Second), t0.Add(time.Hour))

	ns := h.claimOutbox("a", 10, shortLease)
	if len(ns) != 2 {
		t.Fatalf("outbox has %d entries, want 2", len(ns))
	}
	h.ack(ns[0], true)
	back := h.pollOutbox("b", 10, shortLease)
	mustEqual(t, "notifications back after lease", back, ns[1:])

	h.ack(back[0], false)
	time.Sleep(4 * shortLease)
	if ns := h.claimOutbox("c", 10, shortLease); len(ns) != 0 {
		t.Fatalf("acknowledged notifications came back: %+v", ns)
	}
}

func testOutboxSurvivesCrash(t *testing.T, h *harness) {
	chat := chatKey("1")
	h.subscribe(chat, "N1", t0, tracker.StageNotFound)
	h.advance("N1", tracker.StageNotFound, tracker.StageInTransit, t0, t0.Add(time.Hour))
	ns := h.claimOutbox("a", 10, shortLease)
	if len(ns) != 1 {
		t.Fatalf("outbox has %d entries, want 1", len(ns))
	}

	// The dispatcher dies before it acknowledges.
	h.reopen()
	back := h.pollOutbox("b", 10, shortLease)
	mustEqual(t, "notification after restart", back, ns)
	h.ack(back[0], true)
	if got := h.subscription(chat, "N1").LastStage; got != tracker.StageInTransit {
		t.Fatalf("LastStage = %s, want %s", got, tracker.StageInTransit)
	}
	time.Sleep(4 * shortLease)
	if ns := h.claimOutbox("c", 10, shortLease); len(ns) != 0 {
		t.Fatalf("acknowledged notification came back: %+v", ns)
	}
}

func testAckLastStage(t *testing.T, h *harness) {
	const number = "LP00000000000018"
	a, b := chatKey("a"), chatKey("b")
	in := store.Subscription{Chat: a, Number: number, Label: "ランプ / lamp \"desk\"", Muted: true, CreatedAt: t0}
	subA, _, _, err := h.s.Subscribe(context.Background(), in, stub(number, tracker.StageNotFound))
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	subB := h.subscribe(b, number, t0, tracker.StageNotFound)
	h.advance(number, tracker.StageNotFound, tracker.StageInTransit, t0, t0.Add(time.Hour))

	ns := h.claimOutbox("d", 10, longLease)
	if len(ns) != 2 {
		t.Fatalf("outbox has %d entries, want 2", len(ns))
	}
	for _, n := range ns {
		h.ack(n, n.Chat == a)
	}
	subA.LastStage = tracker.StageInTransit
	mustEqual(t, "subscription acked as delivered", h.subscription(a, number), subA)
	mustEqual(t, "subscription acked as dropped", h.subscription(b, number), subB)

	// Acknowledging again is harmless.
	for _, n := range ns {
		h.ack(n, true)
	}
	subB.LastStage = tracker.StageInTransit
	mustEqual(t, "subscription after second ack", h.subscription(b, number), subB)
}

func testAckAfterUnsubscribe(t *testing.T, h *harness) {
	ctx := context.Background()
	const number = "LP00000000000019"
	chat := chatKey("1")
	h.subscribe(chat, number, t0, tracker.StageNotFound)
	h.advance(number, tracker.StageNotFound, tracker.StageInTransit, t0, t0.Add(time.Hour))
	ns := h.claimOutbox("d", 10, longLease)
	if len(ns) != 1 {
		t.Fatalf("outbox has %d entries, want 1", len(ns))
	}
	if err := h.s.Unsubscribe(ctx, chat, number); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	h.ack(ns[0], true)
	if _, err := h.s.Subscription(ctx, chat, number); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Subscription after Ack error = %v, want ErrNotFound (Ack must not recreate it)", err)
	}
	if list, err := h.s.Subscriptions(ctx, chat); err != nil || len(list) != 0 {
		t.Fatalf("Subscriptions after Ack = %+v, %v; want none", list, err)
	}
}

func testFirstSeen(t *testing.T, h *harness) {
	ctx := context.Background()
	steps := []struct {
		key  string
		want bool
	}{
		{"01HX-line-event", true},
		{"01HX-line-event", false},
		{"telegram:812345", true},
		{"01HX-line-event", false},
		{"telegram:812345", false},
	}
	for i, s := range steps {
		got, err := h.s.FirstSeen(ctx, s.key, time.Hour)
		if err != nil {
			t.Fatalf("step %d: FirstSeen(%s): %v", i, s.key, err)
		}
		if got != s.want {
			t.Fatalf("step %d: FirstSeen(%s) = %v, want %v", i, s.key, got, s.want)
		}
	}
}

func testFirstSeenExpires(t *testing.T, h *harness) {
	ctx := context.Background()
	const ttl = 300 * time.Millisecond
	start := time.Now()
	if ok, err := h.s.FirstSeen(ctx, "evt", ttl); err != nil || !ok {
		t.Fatalf("FirstSeen = %v, %v; want true", ok, err)
	}
	ok, err := h.s.FirstSeen(ctx, "evt", ttl)
	if err != nil {
		t.Fatalf("FirstSeen again: %v", err)
	}
	if ok && time.Since(start) < ttl {
		t.Fatal("FirstSeen again = true within ttl, want false")
	}
	deadline := time.Now().Add(waitFor)
	for {
		ok, err := h.s.FirstSeen(ctx, "evt", ttl)
		if err != nil {
			t.Fatalf("FirstSeen after ttl: %v", err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("FirstSeen still false %s after a %s ttl", waitFor, ttl)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if elapsed := time.Since(start); elapsed < ttl {
		t.Fatalf("key forgotten after %s, before its %s ttl", elapsed, ttl)
	}
}

func testReopen(t *testing.T, h *harness) {
	ctx := context.Background()
	chat := store.Chat{Key: chatKey("1"), Lang: "en", TimeZone: "Asia/Bangkok", Level: store.LevelAll, CreatedAt: t0}
	if err := h.s.SaveChat(ctx, chat); err != nil {
		t.Fatalf("SaveChat: %v", err)
	}
	subA := h.subscribe(chat.Key, "A", t0, tracker.StageNotFound)
	subB := h.subscribe(chat.Key, "B", t0.Add(time.Second), tracker.StageNotFound)
	snap := h.advance("A", tracker.StageNotFound, tracker.StageInfoReceived, t0, t0.Add(time.Hour))
	leased, err := h.s.ClaimNumber(ctx, "B", t0, lease)
	if err != nil {
		t.Fatalf("ClaimNumber: %v", err)
	}
	if ok, err := h.s.FirstSeen(ctx, "evt", time.Hour); err != nil || !ok {
		t.Fatalf("FirstSeen = %v, %v; want true", ok, err)
	}

	h.reopen()

	got, err := h.s.Chat(ctx, chat.Key)
	if err != nil {
		t.Fatalf("Chat after reopen: %v", err)
	}
	mustEqual(t, "chat after reopen", got, chat)
	list, err := h.s.Subscriptions(ctx, chat.Key)
	if err != nil {
		t.Fatalf("Subscriptions after reopen: %v", err)
	}
	mustEqual(t, "subscriptions after reopen", list, []store.Subscription{subA, subB})
	subs, err := h.s.Subscribers(ctx, "A")
	if err != nil {
		t.Fatalf("Subscribers after reopen: %v", err)
	}
	mustEqual(t, "subscribers after reopen", subs, []store.ChatKey{chat.Key})
	mustEqual(t, "shipment after reopen", h.shipment("A"), snap)
	if ok, err := h.s.FirstSeen(ctx, "evt", time.Hour); err != nil || ok {
		t.Fatalf("FirstSeen after reopen = %v, %v; want false", ok, err)
	}
	if _, err := h.s.ClaimNumber(ctx, "B", t0.Add(time.Minute), lease); !errors.Is(err, store.ErrLeased) {
		t.Fatalf("ClaimNumber of leased number after reopen error = %v, want ErrLeased", err)
	}
	h.commit(leased, stub("B", tracker.StageNotFound), tracker.Change{From: tracker.StageNotFound, To: tracker.StageNotFound}, t0.Add(2*time.Hour), t0.Add(time.Minute))
	mustEqual(t, "due after reopen", h.dueNumbers(t0.Add(2*time.Hour)), []string{"A", "B"})
	ns := h.claimOutbox("d", 10, longLease)
	mustEqual(t, "outbox after reopen", withoutIDs(ns), []store.Notification{
		{Chat: chat.Key, Number: "A", From: tracker.StageNotFound, To: tracker.StageInfoReceived, Event: snap.Events[0], At: t0},
	})
}

func testContextCanceled(t *testing.T, h *harness) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	chat := chatKey("1")
	calls := []struct {
		name string
		call func() error
	}{
		{"SaveChat", func() error { return h.s.SaveChat(ctx, store.Chat{Key: chat, Lang: "en"}) }},
		{"Chat", func() error { _, err := h.s.Chat(ctx, chat); return err }},
		{"Subscribe", func() error {
			_, _, _, err := h.s.Subscribe(ctx, store.Subscription{Chat: chat, Number: "N", CreatedAt: t0}, stub("N", tracker.StageNotFound))
			return err
		}},
		{"Unsubscribe", func() error { return h.s.Unsubscribe(ctx, chat, "N") }},
		{"Subscription", func() error { _, err := h.s.Subscription(ctx, chat, "N"); return err }},
		{"Subscriptions", func() error { _, err := h.s.Subscriptions(ctx, chat); return err }},
		{"Subscribers", func() error { _, err := h.s.Subscribers(ctx, "N"); return err }},
		{"Shipment", func() error { _, err := h.s.Shipment(ctx, "N"); return err }},
		{"ClaimDue", func() error { _, err := h.s.ClaimDue(ctx, t0, 10, lease); return err }},
		{"ClaimNumber", func() error { _, err := h.s.ClaimNumber(ctx, "N", t0, lease); return err }},
		{"Commit", func() error {
			return h.s.Commit(ctx, store.Claim{Number: "N", Token: "x"}, stub("N", tracker.StageNotFound), tracker.Change{}, t0, t0)
		}},
		{"ClaimOutbox", func() error { _, err := h.s.ClaimOutbox(ctx, "d", 10, lease); return err }},
		{"Ack", func() error { return h.s.Ack(ctx, store.Notification{ID: "1", Chat: chat, Number: "N"}, true) }},
		{"FirstSeen", func() error { _, err := h.s.FirstSeen(ctx, "evt", time.Hour); return err }},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with canceled context: error = %v, want context.Canceled", c.name, err)
		}
	}
	// Nothing was written.
	if _, err := h.s.Chat(context.Background(), chat); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Chat after canceled SaveChat error = %v, want ErrNotFound", err)
	}
	if _, err := h.s.Subscription(context.Background(), chat, "N"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Subscription after canceled Subscribe error = %v, want ErrNotFound", err)
	}
}

// BenchmarkClaimCommit measures one poll cycle: claim a number, commit an
// unchanged snapshot and reschedule it. Backends call it from their own
// benchmarks with a fresh store.
func BenchmarkClaimCommit(b *testing.B, s store.Store) {
	ctx := context.Background()
	const n = 256
	chat := chatKey("bench")
	for i := range n {
		number := fmt.Sprintf("LPBENCH%04d", i)
		sub := store.Subscription{Chat: chat, Number: number, CreatedAt: t0}
		if _, _, _, err := s.Subscribe(ctx, sub, stub(number, tracker.StageInTransit)); err != nil {
			b.Fatalf("Subscribe: %v", err)
		}
	}
	change := tracker.Change{From: tracker.StageInTransit, To: tracker.StageInTransit}
	i := 0
	for b.Loop() {
		number := fmt.Sprintf("LPBENCH%04d", i%n)
		now := t0.Add(time.Duration(i) * time.Second)
		c, err := s.ClaimNumber(ctx, number, now, lease)
		if err != nil {
			b.Fatalf("ClaimNumber: %v", err)
		}
		if err := s.Commit(ctx, c, stub(number, tracker.StageInTransit), change, now.Add(time.Hour), now); err != nil {
			b.Fatalf("Commit: %v", err)
		}
		i++
	}
}

func testLinkResolve(t *testing.T, h *harness) {
	ctx := context.Background()
	resolve := func(n, want string) {
		t.Helper()
		got, err := h.s.Resolve(ctx, n)
		if err != nil || got != want {
			t.Errorf("Resolve(%s) = %q, %v; want %q", n, got, err, want)
		}
	}
	resolve("LP00123456789012", "LP00123456789012")
	if err := h.s.Link(ctx, "123456789013", "LP00123456789012"); err != nil {
		t.Fatalf("Link: %v", err)
	}
	if err := h.s.Link(ctx, "123456789013", "LP00123456789012"); err != nil {
		t.Fatalf("Link again: %v", err)
	}
	if err := h.s.Link(ctx, "123456789013", "RB004010604CN"); err != nil {
		t.Fatalf("Link to another: %v", err)
	}
	if err := h.s.Link(ctx, "RB004010604CN", "RB004010604CN"); err != nil {
		t.Fatalf("Link to itself: %v", err)
	}
	resolve("123456789013", "LP00123456789012") // the first link wins
	resolve("RB004010604CN", "RB004010604CN")
	h.reopen()
	resolve("123456789013", "LP00123456789012")
}

func testUpdateSubscription(t *testing.T, h *harness) {
	ctx := context.Background()
	chat := chatKey("1")
	sub := h.subscribe(chat, "A", t0, tracker.StageNotFound)
	label, yes, no := "phone case 📱", true, false
	got, err := h.s.UpdateSubscription(ctx, chat, "A", store.SubscriptionChange{Label: &label, Muted: &yes})
	if err != nil {
		t.Fatalf("UpdateSubscription: %v", err)
	}
	want := sub
	want.Label, want.Muted = label, true
	mustEqual(t, "after label and mute", got, want)
	// Only the fields set change; the rest, LastStage included, stay.
	h.advance("A", tracker.StageNotFound, tracker.StageInTransit, t0, t0.Add(time.Hour))
	ns := h.claimOutbox("c", 10, longLease)
	if err := h.s.Ack(ctx, ns[0], true); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	got, err = h.s.UpdateSubscription(ctx, chat, "A", store.SubscriptionChange{Muted: &no, Archived: &yes})
	if err != nil {
		t.Fatalf("UpdateSubscription: %v", err)
	}
	want.Muted, want.Archived, want.LastStage = false, true, tracker.StageInTransit
	mustEqual(t, "after unmute and archive", got, want)
	h.reopen()
	stored, err := h.s.Subscription(ctx, chat, "A")
	if err != nil {
		t.Fatalf("Subscription: %v", err)
	}
	mustEqual(t, "stored", stored, want)
	empty := ""
	if got, err = h.s.UpdateSubscription(ctx, chat, "A", store.SubscriptionChange{Label: &empty}); err != nil || got.Label != "" {
		t.Errorf("clearing the label: %+v, %v", got, err)
	}
	end := time.Date(2026, 12, 20, 0, 0, 0, 0, time.FixedZone("JST", 9*3600))
	got, err = h.s.UpdateSubscription(ctx, chat, "A", store.SubscriptionChange{Protection: &end})
	if err != nil || !got.Protection.Equal(end) || got.Label != "" || !got.Archived {
		t.Errorf("setting protection: %+v, %v", got, err)
	}
	h.reopen()
	if stored, err := h.s.Subscription(ctx, chat, "A"); err != nil || !stored.Protection.Equal(end) {
		t.Errorf("stored protection %v (err %v)", stored.Protection, err)
	}
	var never time.Time
	if got, err = h.s.UpdateSubscription(ctx, chat, "A", store.SubscriptionChange{Protection: &never}); err != nil || !got.Protection.IsZero() {
		t.Errorf("forgetting protection: %+v, %v", got, err)
	}
	if _, err := h.s.UpdateSubscription(ctx, chat, "B", store.SubscriptionChange{Muted: &yes}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateSubscription of a missing subscription = %v, want ErrNotFound", err)
	}
}

func testReminders(t *testing.T, h *harness) {
	ctx := context.Background()
	a, b := chatKey("1"), chatKey("2")
	day := 24 * time.Hour
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(h.s.SetReminder(ctx, store.KindProtection, a, "A", t0.Add(3*day)))
	must(h.s.SetReminder(ctx, store.KindProtection, a, "A", t0.Add(2*day))) // replaces
	must(h.s.SetReminder(ctx, store.KindProtection, b, "A", t0.Add(5*day)))
	must(h.s.SetReminder(ctx, store.KindProtection, b, "B", t0.Add(day)))
	must(h.s.SetReminder(ctx, store.KindProtection, b, "B", time.Time{})) // cancels
	queue := func(now time.Time, max, want int) {
		t.Helper()
		n, err := h.s.QueueDueReminders(ctx, now, max)
		if err != nil || n != want {
			t.Fatalf("QueueDueReminders(%v, %d) = %d, %v; want %d", now.Sub(t0), max, n, err, want)
		}
	}
	queue(t0.Add(day), 10, 0)
	h.reopen() // reminders are stored
	queue(t0.Add(2*day), 10, 1)
	queue(t0.Add(2*day), 10, 0) // moved once only
	ns := h.claimOutbox("c", 10, longLease)
	if len(ns) != 1 {
		t.Fatalf("outbox holds %d notifications, want 1", len(ns))
	}
	got := ns[0]
	if got.Kind != store.KindProtection || got.Chat != a || got.Number != "A" || !got.At.Equal(t0.Add(2*day)) {
		t.Errorf("queued reminder %+v", got)
	}
	must(h.s.Ack(ctx, got, true))
	// Setting it again after it fired schedules a new one.
	must(h.s.SetReminder(ctx, store.KindProtection, a, "A", t0.Add(4*day)))
	queue(t0.Add(10*day), 1, 1)
	queue(t0.Add(10*day), 10, 1)
	if ns := h.claimOutbox("c", 10, longLease); len(ns) != 2 || ns[0].IdempotencyKey() == ns[1].IdempotencyKey() {
		t.Errorf("second round queued %+v", ns)
	}
}

func testDelivered(t *testing.T, h *harness) {
	ctx := context.Background()
	if got, err := h.s.Delivered(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("Delivered on an empty store = %v, %v", got, err)
	}
	for i := range 3 {
		sh := stub(fmt.Sprintf("N%d", i), tracker.StageDelivered)
		sh.Carrier = "cainiao"
		sh.Events = []tracker.Event{event(t0.Add(time.Duration(i)*time.Hour), tracker.StageDelivered, "a long text the timeline drops")}
		if err := h.s.RecordDelivered(ctx, sh); err != nil {
			t.Fatalf("RecordDelivered: %v", err)
		}
	}
	h.reopen()
	got, err := h.s.Delivered(ctx, 2)
	if err != nil || len(got) != 2 || got[0].Number != "N2" || got[1].Number != "N1" {
		t.Fatalf("Delivered(2) = %+v, %v; want N2, N1", got, err)
	}
	mustEqual(t, "timeline events", got[0].Events, []tracker.Event{{Time: t0.Add(2 * time.Hour), Stage: tracker.StageDelivered}})
	if got[0].Carrier != "cainiao" {
		t.Errorf("timeline %+v", got[0])
	}
}

func testPace(t *testing.T, h *harness) {
	ctx := context.Background()
	pace := func(key string, now time.Time, want time.Duration) {
		t.Helper()
		got, err := h.s.Pace(ctx, key, time.Second, now)
		if err != nil || got != want {
			t.Errorf("Pace(%s, +%v) = %v, %v; want %v", key, now.Sub(t0), got, err, want)
		}
	}
	pace("chat:1", t0, 0)
	pace("chat:1", t0, time.Second)
	pace("chat:1", t0.Add(500*time.Millisecond), 1500*time.Millisecond)
	pace("chat:2", t0, 0) // keys are independent
	pace("chat:1", t0.Add(10*time.Second), 0)

	// Concurrent callers get distinct slots, one interval apart.
	var mu sync.Mutex
	var waits []time.Duration
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			w, err := h.s.Pace(ctx, "burst", time.Second, t0)
			if err != nil {
				t.Errorf("Pace: %v", err)
			}
			mu.Lock()
			waits = append(waits, w)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(waits)
	for i, w := range waits {
		if w != time.Duration(i)*time.Second {
			t.Fatalf("concurrent waits %v; want 0s, 1s, 2s, ...", waits)
		}
	}
}

func testStats(t *testing.T, h *harness) {
	ctx := context.Background()
	stats := func(now time.Time) store.Stats {
		t.Helper()
		st, err := h.s.Stats(ctx, now)
		if err != nil {
			t.Fatalf("Stats(%s): %v", now.Format(time.RFC3339), err)
		}
		return st
	}
	mustEqual(t, "stats of an empty store", stats(t0), store.Stats{})

	one, two := chatKey("1"), chatKey("2")
	h.subscribe(one, "A", t0, tracker.StageNotFound)
	h.subscribe(two, "A", t0, tracker.StageNotFound)
	h.subscribe(one, "B", t0.Add(time.Hour), tracker.StageNotFound)
	h.subscribe(one, "C", t0.Add(2*time.Hour), tracker.StageNotFound)
	h.subscribe(one, "D", t0, tracker.StageDelivered) // final: never scheduled
	mustEqual(t, "stats before anything is due", stats(t0.Add(-time.Minute)), store.Stats{Scheduled: 3})
	mustEqual(t, "stats with A due", stats(t0.Add(30*time.Minute)), store.Stats{Scheduled: 3, Due: 1})
	mustEqual(t, "stats with all due", stats(t0.Add(2*time.Hour)), store.Stats{Scheduled: 3, Due: 3})

	// A leased number stays scheduled but is not due until its lease ends.
	c := h.claimOne(t0.Add(30*time.Minute), "A")
	mustEqual(t, "stats with A leased", stats(t0.Add(30*time.Minute)), store.Stats{Scheduled: 3})
	mustEqual(t, "stats after A's lease", stats(t0.Add(30*time.Minute+lease)), store.Stats{Scheduled: 3, Due: 1})

	// A stage change writes one notification per subscriber, aged from its At.
	ev := event(t0.Add(20*time.Minute), tracker.StageInfoReceived, "info")
	snap := tracker.Shipment{Number: "A", Stage: tracker.StageInfoReceived, Events: []tracker.Event{ev}, Since: t0}
	h.commit(c, snap, tracker.Change{NewEvents: []tracker.Event{ev}, From: tracker.StageNotFound, To: tracker.StageInfoReceived},
		t0.Add(3*time.Hour), t0.Add(30*time.Minute))
	mustEqual(t, "stats with two notifications", stats(t0.Add(time.Hour)),
		store.Stats{Scheduled: 3, Due: 1, Outbox: 2, OldestOutbox: 30 * time.Minute})

	// Claimed but unacknowledged notifications still count; acknowledged ones do not.
	ns := h.claimOutbox("d", 10, longLease)
	if len(ns) != 2 {
		t.Fatalf("ClaimOutbox = %d notifications, want 2", len(ns))
	}
	mustEqual(t, "outbox after claiming", stats(t0.Add(time.Hour)).Outbox, int64(2))
	h.ack(ns[0], true)
	mustEqual(t, "outbox after one ack", stats(t0.Add(time.Hour)).Outbox, int64(1))
	h.ack(ns[1], false)
	mustEqual(t, "stats after both acks", stats(t0.Add(time.Hour)), store.Stats{Scheduled: 3, Due: 1})

	// A commit without a next check takes the number off the schedule.
	c = h.claimOne(t0.Add(time.Hour), "B")
	h.commit(c, stub("B", tracker.StageNotFound), tracker.Change{From: tracker.StageNotFound, To: tracker.StageNotFound}, time.Time{}, t0.Add(time.Hour))
	mustEqual(t, "stats after B left the schedule", stats(t0.Add(2*time.Hour)), store.Stats{Scheduled: 2, Due: 1})
}
