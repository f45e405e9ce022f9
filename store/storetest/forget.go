package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// The forget tests use distinctive names, so that a raw scan of the
// backend can look for them in every key and value.
const (
	forgetID   = "7301955208"  // the chat that is forgotten
	keepID     = "7301955209"  // a chat that stays
	forgetSolo = "RFGTSOLOA01" // followed only by the forgotten chat: scheduled, aliased, notified
	forgetDone = "RFGTSOLOB02" // followed only by it, delivered, its timeline kept
	forgetHeld = "RFGTSOLOC03" // followed only by it, claimed by a poller while it is forgotten
	forgetLink = "RFGTALIAS04" // a last-mile alias of forgetSolo
	forgetBoth = "RFGTBOTH05"  // followed by both chats
	forgetKeep = "RFGTKEEP06"  // followed only by the chat that stays, delivered
)

// forgotten lists the strings that must appear nowhere after Forget.
var forgotten = []string{forgetID, forgetSolo, forgetDone, forgetHeld, forgetLink}

// kept lists strings that must still appear: a scan that finds none of
// them does not see the data at all.
var kept = []string{keepID, forgetBoth, forgetKeep}

// forgetFixture fills s with two chats that share a number, each with its
// own numbers, notifications (one of them handed out), reminders (one
// queued), timelines, rate-limit slots and a claim, and returns the claim
// on forgetHeld.
func forgetFixture(t *testing.T, s store.Store) store.Claim {
	t.Helper()
	ctx := context.Background()
	gone, stay := chatKey(forgetID), chatKey(keepID)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for _, c := range []store.Chat{{Key: gone, Lang: "ja", Awaiting: "forget"}, {Key: stay, Lang: "en"}} {
		must("SaveChat", s.SaveChat(ctx, c))
	}
	subscribe := func(chat store.ChatKey, number, label string, stage tracker.Stage) {
		t.Helper()
		_, _, _, err := s.Subscribe(ctx, store.Subscription{Chat: chat, Number: number, Label: label + " " + chat.ID, CreatedAt: t0}, stub(number, stage))
		must("Subscribe "+number, err)
	}
	subscribe(gone, forgetSolo, "case", tracker.StageInTransit)
	subscribe(gone, forgetDone, "lamp", tracker.StageDelivered)
	subscribe(gone, forgetHeld, "cable", tracker.StageInTransit)
	subscribe(gone, forgetBoth, "gift", tracker.StageInTransit)
	subscribe(stay, forgetBoth, "gift", tracker.StageInTransit)
	subscribe(stay, forgetKeep, "shoes", tracker.StageDelivered)
	must("Link", s.Link(ctx, forgetLink, forgetSolo))

	advance := func(number string) {
		t.Helper()
		c, err := s.ClaimNumber(ctx, number, t0, lease)
		must("ClaimNumber "+number, err)
		ev := event(t0.Add(-time.Minute), tracker.StageArrivedDestination, "arrived "+number)
		snap := tracker.Shipment{Number: number, Stage: tracker.StageArrivedDestination, Events: []tracker.Event{ev}, Since: t0, CheckedAt: t0}
		if number == forgetSolo {
			snap.Linked = []string{forgetLink}
		}
		ch := tracker.Change{NewEvents: []tracker.Event{ev}, From: tracker.StageInTransit, To: tracker.StageArrivedDestination}
		must("Commit "+number, s.Commit(ctx, c, snap, ch, t0.Add(time.Hour), t0))
	}
	advance(forgetBoth) // one notification per chat, the forgotten chat's first
	advance(forgetSolo)
	// The forgotten chat's first notification is handed out and not acked:
	// a dispatcher holds it while the chat is forgotten.
	held, err := s.ClaimOutbox(ctx, "d1", 1, shortLease)
	must("ClaimOutbox", err)
	if len(held) != 1 || held[0].Chat != gone {
		t.Fatalf("ClaimOutbox handed out %+v, want the forgotten chat's first notification", held)
	}

	for _, n := range []string{forgetDone, forgetKeep} {
		ev := event(t0.Add(-48*time.Hour), tracker.StageDelivered, "delivered "+n)
		must("RecordDelivered "+n, s.RecordDelivered(ctx, tracker.Shipment{Number: n, Stage: tracker.StageDelivered, Events: []tracker.Event{ev}, Since: t0.Add(-240 * time.Hour)}))
	}
	must("SetReminder", s.SetReminder(ctx, store.KindProtection, gone, forgetSolo, t0.Add(48*time.Hour)))
	must("SetReminder", s.SetReminder(ctx, store.KindProtection, gone, forgetBoth, t0.Add(time.Hour)))
	must("SetReminder", s.SetReminder(ctx, store.KindProtection, stay, forgetBoth, t0.Add(72*time.Hour)))
	if n, err := s.QueueDueReminders(ctx, t0.Add(2*time.Hour), 10); err != nil || n != 1 {
		t.Fatalf("QueueDueReminders = %d, %v; want 1", n, err)
	}
	for _, key := range []string{"telegram:chat:" + forgetID, "telegram:group:" + forgetID, "telegram:chat:" + keepID} {
		_, err := s.Pace(ctx, key, time.Minute, time.Now())
		must("Pace "+key, err)
	}
	c, err := s.ClaimNumber(ctx, forgetHeld, t0, lease)
	must("ClaimNumber", err)
	return c
}

// testForget: after Forget the chat is a stranger, the numbers only it
// followed are gone everywhere, and the other chat keeps everything.
func testForget(t *testing.T, h *harness) {
	ctx := context.Background()
	gone, stay := chatKey(forgetID), chatKey(keepID)
	claim := forgetFixture(t, h.s)
	if err := h.s.Forget(ctx, gone); err != nil {
		t.Fatalf("Forget: %v", err)
	}

	if _, err := h.s.Chat(ctx, gone); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Chat after Forget error = %v, want ErrNotFound", err)
	}
	if _, err := h.s.Chat(ctx, stay); err != nil {
		t.Errorf("the other chat is gone too: %v", err)
	}
	if subs, err := h.s.Subscriptions(ctx, gone); err != nil || len(subs) != 0 {
		t.Errorf("Subscriptions after Forget = %+v, %v; want none", subs, err)
	}
	for _, n := range []string{forgetSolo, forgetDone, forgetHeld, forgetBoth} {
		if _, err := h.s.Subscription(ctx, gone, n); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Subscription(%s) after Forget error = %v, want ErrNotFound", n, err)
		}
	}
	for _, n := range []string{forgetSolo, forgetDone, forgetHeld} {
		if _, err := h.s.Shipment(ctx, n); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Shipment(%s), followed by no one else, error = %v, want ErrNotFound", n, err)
		}
		if subs, err := h.s.Subscribers(ctx, n); err != nil || len(subs) != 0 {
			t.Errorf("Subscribers(%s) = %v, %v; want none", n, subs, err)
		}
	}
	if got, err := h.s.Subscribers(ctx, forgetBoth); err != nil || !slices.Equal(got, []store.ChatKey{stay}) {
		t.Errorf("Subscribers(%s) = %v, %v; want only %s", forgetBoth, got, err, stay)
	}
	if sh, err := h.s.Shipment(ctx, forgetBoth); err != nil || sh.Stage != tracker.StageArrivedDestination {
		t.Errorf("the shared shipment = %+v, %v; want it kept", sh, err)
	}
	if sub, err := h.s.Subscription(ctx, stay, forgetBoth); err != nil || sub.Label != "gift "+keepID {
		t.Errorf("the other chat's subscription = %+v, %v; want it kept with its label", sub, err)
	}
	if got, err := h.s.Resolve(ctx, forgetLink); err != nil || got != forgetLink {
		t.Errorf("Resolve(%s) = %q, %v; want the alias forgotten", forgetLink, got, err)
	}
	// The poller that held a claim finds it lost and writes nothing.
	snap := tracker.Shipment{Number: forgetHeld, Stage: tracker.StageDelivered, Since: t0}
	err := h.s.Commit(ctx, claim, snap, tracker.Change{From: tracker.StageInTransit, To: tracker.StageDelivered}, t0.Add(time.Hour), t0)
	if !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Commit of a forgotten number's claim error = %v, want ErrLeaseLost", err)
	}
	if _, err := h.s.Shipment(ctx, forgetHeld); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the lost commit stored %s again (error %v)", forgetHeld, err)
	}
	mustEqual(t, "due after Forget", h.dueNumbers(t0.Add(1000*time.Hour)), []string{forgetBoth})

	// Nothing is sent to the forgotten chat: not the notification a
	// dispatcher held (its lease runs out), not the queued reminder, not
	// a reminder that comes due later.
	time.Sleep(3 * shortLease)
	if n, err := h.s.QueueDueReminders(ctx, t0.Add(1000*time.Hour), 10); err != nil || n != 1 {
		t.Errorf("QueueDueReminders after Forget = %d, %v; want 1 (the other chat's)", n, err)
	}
	var got []string
	for _, n := range h.claimOutbox("d2", 100, longLease) {
		if n.Chat != stay {
			t.Errorf("outbox still holds %+v for the forgotten chat", n)
		}
		got = append(got, n.Kind+"/"+n.Number)
	}
	slices.Sort(got)
	mustEqual(t, "outbox after Forget", got, []string{"/" + forgetBoth, store.KindProtection + "/" + forgetBoth})

	delivered, err := h.s.Delivered(ctx, 100)
	if err != nil {
		t.Fatalf("Delivered: %v", err)
	}
	var timelines []string
	for _, sh := range delivered {
		timelines = append(timelines, sh.Number)
	}
	mustEqual(t, "timelines after Forget", timelines, []string{forgetKeep})

	if w, err := h.s.Pace(ctx, "telegram:chat:"+forgetID, time.Minute, time.Now()); err != nil || w != 0 {
		t.Errorf("Pace of the forgotten chat = %s, %v; want a fresh slot", w, err)
	}
	if w, err := h.s.Pace(ctx, "telegram:chat:"+keepID, time.Minute, time.Now()); err != nil || w <= 0 {
		t.Errorf("Pace of the other chat = %s, %v; want its slot kept", w, err)
	}

	// Forgetting again, or a chat never seen, is no error.
	for _, c := range []store.ChatKey{gone, chatKey("never-seen")} {
		if err := h.s.Forget(ctx, c); err != nil {
			t.Errorf("Forget(%s) again: %v", c, err)
		}
	}
	// The chat comes back as a stranger: a fresh subscription, a fresh
	// shipment, nothing of before.
	sub, sh, created, err := h.s.Subscribe(ctx, store.Subscription{Chat: gone, Number: forgetSolo, CreatedAt: t0.Add(time.Hour)}, stub(forgetSolo, tracker.StageNotFound))
	if err != nil || !created || sub.Label != "" || sh.Stage != tracker.StageNotFound || len(sh.Events) != 0 {
		t.Errorf("Subscribe after Forget = %+v, %+v, created %v, %v; want a fresh start", sub, sh, created, err)
	}
}

// testForgetRacesSubscribe forgets a chat while it keeps following new
// numbers: every subscription left afterwards is whole (listed, with the
// chat among the number's subscribers and the shipment stored).
func testForgetRacesSubscribe(t *testing.T, h *harness) {
	ctx := context.Background()
	chat := chatKey(forgetID)
	for i := range 20 {
		h.subscribe(chat, "RFGTRACE"+string(rune('A'+i)), t0, tracker.StageInTransit)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 20 {
			n := "RFGTLATE" + string(rune('A'+i))
			if _, _, _, err := h.s.Subscribe(ctx, store.Subscription{Chat: chat, Number: n, CreatedAt: t0}, stub(n, tracker.StageInTransit)); err != nil {
				t.Errorf("Subscribe %s: %v", n, err)
			}
		}
	})
	if err := h.s.Forget(ctx, chat); err != nil {
		t.Errorf("Forget: %v", err)
	}
	wg.Wait()
	subs, err := h.s.Subscriptions(ctx, chat)
	if err != nil {
		t.Fatalf("Subscriptions: %v", err)
	}
	for _, s := range subs {
		if strings.HasPrefix(s.Number, "RFGTRACE") {
			t.Errorf("%s, followed before Forget, survived it", s.Number)
		}
		who, err := h.s.Subscribers(ctx, s.Number)
		if err != nil || !slices.Contains(who, chat) {
			t.Errorf("Subscribers(%s) = %v, %v; want the chat among them", s.Number, who, err)
		}
		if _, err := h.s.Shipment(ctx, s.Number); err != nil {
			t.Errorf("Shipment(%s): %v", s.Number, err)
		}
	}
}

// ForgetLeavesNothing fills s, forgets one chat and then reads every raw
// key, field, member and value of the backend through dump (which may
// close s first). It fails when any of them still names the forgotten
// chat, or a number only that chat followed, and when the other chat's
// data cannot be found (a dump that sees nothing proves nothing).
func ForgetLeavesNothing(t *testing.T, s store.Store, dump func(t *testing.T) []string) {
	t.Helper()
	forgetFixture(t, s)
	before := dump(t)
	for _, want := range forgotten {
		if !slices.ContainsFunc(before, func(e string) bool { return strings.Contains(e, want) }) {
			t.Fatalf("before Forget the dump never names %q: it does not see the data", want)
		}
	}
	if err := s.Forget(context.Background(), chatKey(forgetID)); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	after := dump(t)
	for _, e := range after {
		for _, bad := range forgotten {
			if strings.Contains(e, bad) {
				t.Errorf("after Forget the store still holds %q in %q", bad, e)
			}
		}
	}
	for _, want := range kept {
		if !slices.ContainsFunc(after, func(e string) bool { return strings.Contains(e, want) }) {
			t.Errorf("after Forget %q is nowhere: the other chat lost its data (or the dump sees nothing)", want)
		}
	}
}
