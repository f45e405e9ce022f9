package handlers_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/bot/handlers"
	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/sandbox"
)

// newHarnessWith is newHarness with the handlers' settings changed by set.
func newHarnessWith(t *testing.T, set func(h *handlers.Handlers)) *harness {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{st: st, now: time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC), chat: store.ChatKey{Platform: "test", ID: "42"}}
	now := func() time.Time { return h.now }
	h.p = poller.New(poller.Config{Store: st, Sources: []tracker.Source{sandbox.New(sandbox.Options{Now: now})}, Now: now})
	h.r = bot.NewRouter(st, now, nil)
	hs := &handlers.Handlers{Store: st, Checker: h.p}
	if set != nil {
		set(hs)
	}
	hs.Register(h.r)
	return h
}

// s10 returns a valid UPU S10 number (check digit computed) for serial.
func s10(prefix string, serial int, country string) string {
	digits := fmt.Sprintf("%08d", serial%100_000_000)
	weights := []int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return fmt.Sprintf("%s%s%d%s", prefix, digits, check, country)
}

// hostileInputs are messages no shopper would send: huge, binary, only
// emoji, control characters, direction overrides, markup.
func hostileInputs() map[string]string {
	rng := rand.New(rand.NewPCG(1, 2))
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(rng.UintN(256))
	}
	var numbers strings.Builder
	for i := 0; numbers.Len() < 100_000; i++ {
		fmt.Fprintf(&numbers, "%s %s ", s10("RB", i, "CN"), fmt.Sprintf("SBXJP%06d", i))
	}
	return map[string]string{
		"100 KB of text":           strings.Repeat("where is my parcel ", 100_000/19+1),
		"100 KB of one word":       strings.Repeat("a", 100_000),
		"100 KB of numbers":        numbers.String(),
		"100 KB of Japanese":       strings.Repeat("荷物はどこですか", 100_000/24+1),
		"random binary":            string(binary),
		"invalid UTF-8":            "\xff\xfe\xfd LP00123456789012 \xc3\x28 \xe2\x82",
		"lone surrogate bytes":     "\xed\xa0\x80\xed\xbf\xbf",
		"only emoji":               "📦📦📦🙏😭🚚✈️",
		"ZWJ sequences":            "👨‍👩‍👧‍👦👩🏽‍💻🏳️‍🌈🧑‍🤝‍🧑",
		"flags":                    "🇯🇵🇹🇭🇨🇳🇺🇸",
		"skin tones":               "👍🏻👍🏼👍🏽👍🏾👍🏿",
		"10,000 emoji":             strings.Repeat("😀", 10_000),
		"control characters":       "\x00\x01\x02\x07\x08\x1b[31mred\x1b[0m\x7f\u0085\u2028\u2029",
		"NUL in a number":          "LP001234\x0056789012",
		"RTL override":             "\u202eLP00123456789012\u202c \u2067where\u2069 \u200f",
		"zero width everywhere":    "L\u200bP\u200c0\u200d0\ufeff123456789012",
		"HTML":                     `<b>bold</b> </a> <a href="javascript:alert(1)">x</a> & &amp; <script>alert(1)</script>`,
		"Markdown":                 "*bold* _it_ `code` ```pre``` [link](http://x) ~~s~~ ||spoiler||",
		"label with markup":        "/name 1 <b>x</b></a>&`y`",
		"command with markup":      "/stop <i>1</i>&",
		"track with markup":        "/track <b>SBXJP0001</b>",
		"only spaces":              " \t\n\u3000\u00a0 ",
		"slash alone":              "/",
		"fullwidth slash":          "／",
		"unknown command 100 KB":   "/" + strings.Repeat("x", 100_000),
		"command args 100 KB":      "/name 1 " + strings.Repeat("長", 50_000),
		"why with 100 KB":          "/why " + strings.Repeat("9", 100_000),
		"show with a huge ordinal": "/show 99999999999999999999999999",
		"stop negative":            "/stop -1",
		"format verbs":             "%s %d %v %!x %[9]s %%",
		"template braces":          "{{.}} ${x} {0}",
	}
}

// checkReplies asserts what every answer must be: not empty, valid
// UTF-8, within the longest text a platform takes, and not an echo of a
// huge message.
func checkReplies(t *testing.T, name, input string, out []bot.Message) {
	t.Helper()
	if len(out) == 0 {
		t.Errorf("%s: no answer", name)
		return
	}
	total := 0
	for i, m := range out {
		if strings.TrimSpace(m.Text) == "" && m.Card == nil {
			t.Errorf("%s: answer %d is empty: %+v", name, i, m)
		}
		texts := []string{m.Text}
		if m.Card != nil {
			texts = append(texts, m.Card.Label, m.Card.Number, m.Card.StageName, m.Card.StageHelp, m.Card.Event, m.Card.Location, m.Card.ETA, m.Card.Note)
		}
		for _, b := range m.Buttons {
			texts = append(texts, b.Label, b.Data)
			if len(b.Data) > 1000 {
				t.Errorf("%s: button data of %d bytes", name, len(b.Data))
			}
		}
		for _, s := range texts {
			if !utf8.ValidString(s) {
				t.Errorf("%s: answer %d is not valid UTF-8: %q", name, i, s)
			}
			if strings.ContainsRune(s, 0) {
				t.Errorf("%s: answer %d carries a NUL: %q", name, i, s)
			}
			total += len(s)
		}
		if n := utf8.RuneCountInString(m.Text); n > 4096 {
			t.Errorf("%s: answer %d has %d characters, more than one Telegram message", name, i, n)
		}
	}
	if len(input) >= 50_000 && total > 20_000 {
		t.Errorf("%s: a %d-byte message got %d bytes back", name, len(input), total)
	}
}

// TestHostileMessages sends every hostile message through the real router
// and handlers on the embedded store, in every language, on a chat that
// already follows parcels (so ordinals and labels resolve).
func TestHostileMessages(t *testing.T) {
	for _, lang := range []string{"en", "ja", "th"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			h.chat = store.ChatKey{Platform: "test", ID: "hostile-" + lang}
			say := func(text string) []bot.Message {
				return h.r.Handle(context.Background(), bot.Update{Chat: h.chat, Lang: lang, Text: text})
			}
			say("SBXJP0001 LP00123456789012")
			say(`/name 2 <b>x</b> & "y"`)
			inputs := hostileInputs()
			for _, name := range slices.Sorted(maps.Keys(inputs)) {
				input := inputs[name]
				start := time.Now()
				out := say(input)
				checkReplies(t, name, input, out)
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("%s: took %s", name, d)
				}
			}
			// The chat still works, and holds only what it pasted (the
			// first MaxNumbers of the 100 KB of numbers at most).
			out := say("/list")
			if len(out) == 0 || !strings.Contains(out[0].Text, "LP00123456789012") {
				t.Errorf("/list after hostile input: %q", texts(out))
			}
			if n := len(h.numbers(t)); n > 2+3+3 {
				t.Errorf("the chat follows %d parcels after hostile input", n)
			}
		})
	}
}

// TestHostileButtons presses buttons with forged data (a Telegram
// callback or LINE postback can carry anything).
func TestHostileButtons(t *testing.T) {
	h := newHarness(t)
	h.say(t, "SBXJP0001")
	for name, data := range hostileInputs() {
		out := h.r.Handle(context.Background(), bot.Update{Chat: h.chat, Lang: "en", Button: data})
		checkReplies(t, "button "+name, data, out)
	}
	for _, data := range []string{"stop", "stop ", "forget maybe", "name", "mute 999", "show -1", "why \x00", "lang xx", "tz ../../etc/passwd"} {
		out := h.r.Handle(context.Background(), bot.Update{Chat: h.chat, Lang: "en", Button: data})
		checkReplies(t, "button "+data, data, out)
	}
	// Button data is no more trusted than typed text: it may do what
	// typing could, within the same limits.
	if n := len(h.numbers(t)); n > 100 {
		t.Errorf("forged buttons made the chat follow %d parcels", n)
	}
}

// TestNegativePositionIsNoPosition: "-1" canonicalises to "1", but it
// names no parcel.
func TestNegativePositionIsNoPosition(t *testing.T) {
	h := newHarness(t)
	h.say(t, "SBXJP0001 LP00123456789012")
	for _, in := range []string{"/stop -1", "/stop ー1", "/stop －1", "/mute -2"} {
		out := h.say(t, in)
		if len(h.numbers(t)) != 2 || len(out) != 1 || out[0].Card != nil || strings.Contains(out[0].Text, "LP00123456789012") {
			t.Errorf("%q answered %q and left %v", in, texts(out), h.numbers(t))
		}
	}
}
