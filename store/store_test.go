package store

import (
	"regexp"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

func TestIdempotencyKey(t *testing.T) {
	ev := tracker.Event{Time: time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC), Text: "Departed", Code: "DEP", Stage: tracker.StageDepartedOrigin}
	n := Notification{ID: "1-0", Chat: ChatKey{Platform: "line", ID: "U123"}, Number: "LP00123456789012", To: tracker.StageDepartedOrigin, Event: ev}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	k := n.IdempotencyKey()
	if !uuid.MatchString(k) {
		t.Fatalf("key %q is not a version 5 UUID", k)
	}
	again := n
	again.ID, again.At = "2-0", time.Now() // a redelivery of the same change
	if again.IdempotencyKey() != k {
		t.Error("the same notification got another key on redelivery")
	}
	for name, m := range map[string]func(*Notification){
		"chat":   func(n *Notification) { n.Chat.ID = "U124" },
		"number": func(n *Notification) { n.Number = "LP00123456789013" },
		"stage":  func(n *Notification) { n.To = tracker.StageInTransit },
		"event":  func(n *Notification) { n.Event.Time = n.Event.Time.Add(time.Minute) },
	} {
		other := n
		m(&other)
		if other.IdempotencyKey() == k {
			t.Errorf("a different %s gives the same key", name)
		}
	}
}

func TestChatKey(t *testing.T) {
	k, err := ParseChatKey("telegram:-100123:x")
	if err != nil || k != (ChatKey{Platform: "telegram", ID: "-100123:x"}) || k.String() != "telegram:-100123:x" {
		t.Errorf("ParseChatKey = %+v, %v", k, err)
	}
	for _, bad := range []string{"", "telegram", ":1", "web:"} {
		if _, err := ParseChatKey(bad); err == nil {
			t.Errorf("ParseChatKey(%q) accepted", bad)
		}
	}
}
