package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/tracker"
)

func TestAskInPlainWords(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.say(t, "SBXJP0001")
	h.now = h.now.Add(3 * 24 * time.Hour)
	if _, err := h.p.Tick(ctx); err != nil {
		t.Fatal(err)
	}

	// One parcel: "when will it arrive?" needs no number.
	for _, q := range []string{"when will it arrive?", "いつ届く？", "ของถึงเมื่อไหร่"} {
		out := h.say(t, q)
		if len(out) != 2 || out[0].Card == nil || out[0].Card.Number != "SBXJP0001" {
			t.Fatalf("%q answered %+v", q, out)
		}
		text := out[1].Text
		if !strings.HasPrefix(text, "【") || !strings.Contains(text, "👉 ") {
			t.Errorf("%q: advice %q has no verdict or next step", q, text)
		}
		var verdict bool
		for _, v := range tracker.Verdicts() {
			verdict = verdict || strings.Contains(text, en.T("advice.verdict."+string(v)))
		}
		if !verdict {
			t.Errorf("%q: advice %q names no verdict", q, text)
		}
		if strings.Contains(text, "advice.") || strings.Contains(text, "%!") {
			t.Errorf("%q: advice shows a raw key or verb: %q", q, text)
		}
	}

	// Two parcels and no hint which: ask back with a button per parcel.
	h.now = h.now.Add(time.Minute)
	h.say(t, "SBXTH0002")
	out := h.say(t, "why is it so late??")
	if len(out) != 1 || out[0].Text != en.T("ask.which") || len(out[0].Buttons) != 2 || out[0].Buttons[1].Data != "why SBXTH0002" {
		t.Errorf("ambiguous question answered %+v", out)
	}
	out = h.r.Handle(ctx, bot.Update{Chat: h.chat, Button: out[0].Buttons[0].Data})
	if len(out) != 2 || out[0].Card == nil || out[0].Card.Number != "SBXJP0001" {
		t.Errorf("the which-one button answered %+v", out)
	}

	// Protection: remembered, then part of the advice.
	out = h.say(t, "/protect 1 2026-12-20")
	if len(out) != 1 || !strings.Contains(out[0].Text, "SBXJP0001") || strings.Contains(out[0].Text, en.T("advice.protection_usage")) {
		t.Errorf("/protect answered %q", texts(out))
	}
	sub, _ := h.st.Subscription(ctx, h.chat, "SBXJP0001")
	if sub.Protection.IsZero() {
		t.Fatal("the protection end was not stored")
	}
	if n, err := h.st.QueueDueReminders(ctx, sub.Protection.Add(-72*time.Hour).Add(-time.Minute), 10); err != nil || n != 0 {
		t.Errorf("a reminder came due early (%d, %v)", n, err)
	}
	if n, err := h.st.QueueDueReminders(ctx, sub.Protection.Add(-72*time.Hour), 10); err != nil || n != 1 {
		t.Errorf("no reminder three days before protection ends (%d, %v)", n, err)
	}
	if out := h.say(t, "/protect sometime"); out[0].Text != en.T("advice.protection_usage") {
		t.Errorf("/protect without a date answered %q", out[0].Text)
	}

	// Requests that carry a number keep their intent.
	if out := h.say(t, "please stop tracking SBXTH0002"); out[0].Text != en.T("stop.done", "SBXTH0002") {
		t.Errorf("stop in words answered %q", out[0].Text)
	}
	if out := h.say(t, "lost my tracking number 😭"); !strings.Contains(out[0].Text, tracker.SellerAskNumber) {
		t.Errorf("lost number answered %q", out[0].Text)
	}
	if out := h.say(t, "thanks!!"); out[0].Text != en.T("ask.thanks") {
		t.Errorf("thanks answered %q", out[0].Text)
	}
}

func TestAdviceInEveryLanguage(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.say(t, "SBXJP0001")
	h.now = h.now.Add(40 * 24 * time.Hour) // long delivered
	if _, err := h.p.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Langs() {
		h.say(t, "/lang "+lang)
		out := h.say(t, "/why 1")
		p := i18n.For(lang)
		if len(out) != 2 || !strings.Contains(out[1].Text, p.T("advice.verdict.delivered")) {
			t.Errorf("%s: /why on a delivered parcel answered %q", lang, texts(out))
		}
	}
}
