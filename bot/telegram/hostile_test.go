package telegram

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
)

// hostileTexts are messages no shopper would send.
func hostileTexts() []string {
	var numbers strings.Builder
	for i := 0; numbers.Len() < 100_000; i++ {
		fmt.Fprintf(&numbers, "SBXJP%06d ", i)
	}
	return []string{
		strings.Repeat("where is my parcel ", 5300), strings.Repeat("荷物", 50_000), numbers.String(),
		"\xff\xfe\xfd LP00123456789012 \xc3\x28", "👨‍👩‍👧‍👦🏳️‍🌈🇯🇵👍🏽", strings.Repeat("😀", 10_000),
		"\x00\x1b[31m\u202eLP00123456789012\u202c", `<b>bold</b> </a> <a href="x">x</a> & &amp; <script>`,
		"*b* _i_ `code` ```pre``` [l](http://x)", "/name 1 <b>x</b></a>&`y`", "/show 1", "/list", "/why 1",
		"/track <b>SBXJP0002</b>", "/" + strings.Repeat("x", 100_000), "/name 1 " + strings.Repeat("長", 50_000),
	}
}

// TestHostileRepliesRender sends hostile messages through the real router
// and handlers, renders the answers as the adapter sends them, and checks
// every part: within Telegram's 4,096 units, HTML that shows exactly the
// plain text (injected markup escaped, never obeyed), buttons that fit.
func TestHostileRepliesRender(t *testing.T) {
	e := newEndToEnd(t)
	tg := fuzzBot(t, "")
	chat := store.ChatKey{Platform: Platform, ID: "812345"}
	for _, lang := range []string{"en", "ja", "th"} {
		e.r.Handle(context.Background(), bot.Update{Chat: chat, Lang: lang, Text: "/lang " + lang})
		e.r.Handle(context.Background(), bot.Update{Chat: chat, Lang: lang, Text: "SBXJP0001"})
		for i, text := range hostileTexts() {
			msgs := e.r.Handle(context.Background(), bot.Update{Chat: chat, Lang: lang, Text: text})
			parts := tg.render(msgs)
			if len(parts) == 0 {
				t.Errorf("%s #%d: nothing to send", lang, i)
			}
			total := 0
			for _, p := range parts {
				total += len(p.plain)
			}
			if len(text) > 50_000 && total > 20_000 {
				t.Errorf("%s #%d: a %d-byte message got %d bytes back", lang, i, len(text), total)
			}
			t.Run(fmt.Sprintf("%s#%d", lang, i), func(t *testing.T) { checkParts(t, parts) })
		}
	}
	// The label with markup is shown as typed.
	e.r.Handle(context.Background(), bot.Update{Chat: chat, Lang: "en", Text: "/name 1 <b>x</b></a>&`y`"})
	parts := tg.render(e.r.Handle(context.Background(), bot.Update{Chat: chat, Lang: "en", Text: "/show 1"}))
	html := ""
	for _, p := range parts {
		html += p.html
	}
	if !strings.Contains(html, "&lt;b&gt;x&lt;/b&gt;&lt;/a&gt;&amp;`y`") {
		t.Errorf("the label is not shown escaped: %s", html)
	}
}
