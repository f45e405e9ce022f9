package line

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	ma "github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/bot/handlers"
	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/sandbox"
)

// TestHostileRepliesRender sends hostile messages through the real router
// and handlers and renders the answers as LINE messages: at most five,
// texts within 5,000 characters, alt texts within 400, valid UTF-8 JSON.
func TestHostileRepliesRender(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := poller.New(poller.Config{Store: st, Sources: []tracker.Source{sandbox.New(sandbox.Options{})}})
	r := bot.NewRouter(st, nil, nil)
	(&handlers.Handlers{Store: st, Checker: p}).Register(r)
	chat := store.ChatKey{Platform: Platform, ID: "U0123456789abcdef0123456789abcdef"}

	var numbers strings.Builder
	for i := 0; numbers.Len() < 100_000; i++ {
		fmt.Fprintf(&numbers, "SBXJP%06d ", i)
	}
	texts := []string{
		strings.Repeat("where is my parcel ", 5300), strings.Repeat("荷物", 50_000), numbers.String(),
		"\xff\xfe\xfd LP00123456789012 \xc3\x28", "👨‍👩‍👧‍👦🏳️‍🌈🇯🇵👍🏽", strings.Repeat("😀", 10_000),
		"\x00\x1b[31m\u202eLP00123456789012\u202c", `<b>bold</b> </a> & &amp; <script>`,
		"/name 1 <b>x</b></a>&`y`", "/show 1", "/list", "/why 1", "/" + strings.Repeat("x", 100_000),
		"/name 1 " + strings.Repeat("長", 50_000), "/forget",
	}
	units := func(s string) int { return len(utf16.Encode([]rune(s))) }
	for _, lang := range []string{"ja", "en", "th"} {
		r.Handle(context.Background(), bot.Update{Chat: chat, Lang: lang, Text: "/lang " + lang})
		r.Handle(context.Background(), bot.Update{Chat: chat, Lang: lang, Text: "SBXJP0001"})
		for i, text := range texts {
			out := render(r.Handle(context.Background(), bot.Update{Chat: chat, Lang: lang, Text: text}))
			if len(out) == 0 || len(out) > MaxMessages {
				t.Errorf("%s #%d: %d LINE messages", lang, i, len(out))
			}
			raw, err := json.Marshal(out)
			if err != nil || !utf8.Valid(raw) {
				t.Errorf("%s #%d: the messages do not encode: %v", lang, i, err)
			}
			if len(text) > 50_000 && len(raw) > 60_000 {
				t.Errorf("%s #%d: a %d-byte message got %d bytes back", lang, i, len(text), len(raw))
			}
			for j, m := range out {
				switch m := m.(type) {
				case *ma.TextMessage:
					if n := units(m.Text); n > MaxTextLen || strings.TrimSpace(m.Text) == "" {
						t.Errorf("%s #%d: text %d has %d characters", lang, i, j, n)
					}
				case *ma.FlexMessage:
					if n := units(m.AltText); n > MaxAltTextLen || m.AltText == "" {
						t.Errorf("%s #%d: alt text %d has %d characters", lang, i, j, n)
					}
				default:
					t.Errorf("%s #%d: message %d is a %T", lang, i, j, m)
				}
			}
		}
	}
}
