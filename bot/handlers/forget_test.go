package handlers_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
)

func TestForgetAsksFirst(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.say(t, "SBXJP0001 LP00123456789012")
	h.say(t, "/name 1 phone case")

	out := h.say(t, "/forget")
	if len(out) != 1 || out[0].Text != en.T("forget.confirm", 2) {
		t.Fatalf("/forget answered %q", texts(out))
	}
	var data []string
	for _, b := range out[0].Buttons {
		data = append(data, b.Data)
	}
	if strings.Join(data, ",") != "forget yes,forget no" {
		t.Errorf("/forget buttons %v", data)
	}
	if got := h.say(t, "no"); len(got) != 1 || got[0].Text != en.T("forget.cancelled") {
		t.Errorf(`"no" answered %q`, texts(got))
	}
	if len(h.numbers(t)) != 2 {
		t.Fatalf(`after "no" the chat follows %v`, h.numbers(t))
	}
	// A next message that is no answer deletes nothing and is answered
	// as usual.
	h.say(t, "/forget")
	if got := h.say(t, "SBXJP0002"); len(got) == 0 || got[0].Card == nil || got[0].Card.Number != "SBXJP0002" {
		t.Errorf("a number after /forget answered %q", texts(got))
	}
	if len(h.numbers(t)) != 3 {
		t.Fatalf("after moving on the chat follows %v", h.numbers(t))
	}
	// A stale "yes" with no question pending is plain text, not consent.
	if got := h.say(t, "yes"); len(h.numbers(t)) != 3 {
		t.Fatalf(`a "yes" out of the blue (%q) deleted parcels`, texts(got))
	}

	h.say(t, "/forget")
	if got := h.say(t, "Yes!"); len(got) != 1 || got[0].Text != en.T("forget.done") {
		t.Fatalf(`"Yes!" answered %q`, texts(got))
	}
	if _, err := h.st.Chat(ctx, h.chat); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the chat is still stored: %v", err)
	}
	if n := h.numbers(t); len(n) != 0 {
		t.Errorf("the chat still follows %v", n)
	}
	for _, n := range []string{"SBXJP0001", "SBXJP0002", "LP00123456789012"} {
		if _, err := h.st.Shipment(ctx, n); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("shipment %s, followed by no one now, is still stored (%v)", n, err)
		}
	}
	// The next message is a stranger's: a fresh chat, nothing of before.
	if got := h.say(t, "/list"); len(got) != 1 || got[0].Text != en.T("list.empty") {
		t.Errorf("/list after forgetting answered %q", texts(got))
	}
}

func TestForgetInEveryLanguage(t *testing.T) {
	for _, tc := range []struct{ lang, yes string }{
		{"ja", "はい"}, {"th", "ใช่"}, {"en", "ok"}, {"ja", i18n.For("ja").T("forget.yes")}, {"th", i18n.For("th").T("forget.yes")},
	} {
		t.Run(tc.lang+" "+tc.yes, func(t *testing.T) {
			h := newHarness(t)
			say := func(text string) []bot.Message {
				return h.r.Handle(context.Background(), bot.Update{Chat: h.chat, Lang: tc.lang, Text: text})
			}
			say("SBXJP0001")
			p := i18n.For(tc.lang)
			if got := say("/forget"); len(got) != 1 || got[0].Text != p.T("forget.confirm", 1) {
				t.Fatalf("/forget answered %q", texts(got))
			}
			if got := say(tc.yes); len(got) != 1 || got[0].Text != p.T("forget.done") {
				t.Fatalf("%q answered %q", tc.yes, texts(got))
			}
			if len(h.numbers(t)) != 0 {
				t.Errorf("still follows %v", h.numbers(t))
			}
		})
	}
}

func TestForgetButtonKeepsOtherChats(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	me, other := h.chat, store.ChatKey{Platform: "test", ID: "43"}
	h.say(t, "SBXJP0001 SBXJP0002")
	h.chat = other
	h.say(t, "SBXJP0001")
	h.say(t, "/name 1 gift")
	h.chat = me
	if got := h.r.Handle(ctx, bot.Update{Chat: me, Button: "forget yes"}); len(got) != 1 || got[0].Text != en.T("forget.done") {
		t.Fatalf("the button answered %q", texts(got))
	}
	if subs, _ := h.st.Subscriptions(ctx, me); len(subs) != 0 {
		t.Errorf("still follows %v", subs)
	}
	sub, err := h.st.Subscription(ctx, other, "SBXJP0001")
	if err != nil || sub.Label != "gift" {
		t.Errorf("the other chat's parcel = %+v, %v", sub, err)
	}
	if _, err := h.st.Shipment(ctx, "SBXJP0001"); err != nil {
		t.Errorf("the shared shipment is gone: %v", err)
	}
	if _, err := h.st.Shipment(ctx, "SBXJP0002"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SBXJP0002, followed by no one now, is still stored (%v)", err)
	}
}

// TestForgetInPlainWords: asking in words asks for confirmation too.
func TestForgetInPlainWords(t *testing.T) {
	for _, tc := range []struct{ lang, ask string }{{"en", "please delete all my data"}, {"ja", "個人情報を削除してください"}, {"th", "ลบข้อมูลของฉันทั้งหมด"}} {
		h := newHarness(t)
		say := func(text string) []bot.Message {
			return h.r.Handle(context.Background(), bot.Update{Chat: h.chat, Lang: tc.lang, Text: text})
		}
		say("SBXJP0001")
		p := i18n.For(tc.lang)
		if got := say(tc.ask); len(got) != 1 || got[0].Text != p.T("forget.confirm", 1) {
			t.Errorf("%s %q answered %q", tc.lang, tc.ask, texts(got))
		}
		if len(h.numbers(t)) != 1 {
			t.Errorf("%s: asking deleted parcels", tc.lang)
		}
		say(p.T("forget.no"))
		if len(h.numbers(t)) != 1 {
			t.Errorf("%s: answering no deleted parcels", tc.lang)
		}
	}
}
