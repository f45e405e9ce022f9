package line

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	ma "github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/tracker"
)

// valid checks rendered messages as the fake would check a push of them,
// and returns them as JSON objects.
func valid(t *testing.T, msgs []ma.MessageInterface) []map[string]any {
	t.Helper()
	body, err := json.Marshal(&ma.PushMessageRequest{To: "U1", Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	s := loadSpec(t, "line-messaging-api.yml")
	for _, p := range append(s.checkJSON(s.schema("PushMessageRequest"), body), limits(body)...) {
		t.Errorf("LINE would refuse: %s", p)
	}
	var req struct {
		Messages []map[string]any `json:"messages"`
	}
	_ = json.Unmarshal(body, &req)
	return req.Messages
}

func cardFor(lang string, n int, stage tracker.Stage) *bot.Card {
	p := i18n.For(lang)
	sh := tracker.Shipment{Number: fmt.Sprintf("SBXJP%04d", n), Carrier: "sandbox", Sandbox: true}
	ev := &tracker.Event{Text: "Arrived at the sorting centre of Shenzhen " + strings.Repeat("(detail) ", 10), Location: "Shenzhen"}
	return bot.NewCard(p, sh, stage, ev, "", ev.Time, nil, nil)
}

func TestRenderEveryStageInEveryLanguage(t *testing.T) {
	for _, lang := range i18n.Langs() {
		for _, st := range tracker.Stages() {
			c := cardFor(lang, 1, st)
			c.Label = "スマホケース 📱 phone case"
			out := valid(t, render([]bot.Message{{Text: "📦 " + c.Number + " — " + c.StageName, Card: c,
				Buttons: []bot.Button{{Label: i18n.For(lang).T("button.list"), Data: "list"}}}}))
			if len(out) != 1 || out[0]["type"] != "flex" {
				t.Fatalf("%s %s: %v", lang, st, out)
			}
		}
	}
}

func TestRenderManyCardsMakeACarousel(t *testing.T) {
	var msgs []bot.Message
	for i := range 10 {
		c := cardFor("ja", i, tracker.StageInTransit)
		msgs = append(msgs, bot.Message{Text: "追跡を始めました。", Card: c,
			Buttons: []bot.Button{{Label: "詳細", Data: "show " + c.Number}, {Label: "通知オフ", Data: "mute " + c.Number}, {Label: "停止", Data: "stop " + c.Number}}})
	}
	msgs[9].Buttons = append(msgs[9].Buttons, bot.Button{Label: "荷物一覧", Data: "list"}, bot.Button{Label: "ヘルプ", Data: "help"})
	out := valid(t, render(msgs))
	if len(out) != 1 {
		t.Fatalf("%d messages, want one carousel", len(out))
	}
	c := out[0]["contents"].(map[string]any)
	if c["type"] != "carousel" || len(c["contents"].([]any)) != 10 {
		t.Fatalf("contents = %v", c["type"])
	}
	qr, _ := json.Marshal(out[0]["quickReply"])
	if !strings.Contains(string(qr), `"data":"list"`) {
		t.Errorf("quick replies = %s", qr)
	}
	// More than a carousel holds: two carousels.
	for i := 10; i < 20; i++ {
		msgs = append(msgs, bot.Message{Card: cardFor("ja", i, tracker.StageDelivered)})
	}
	out = valid(t, render(msgs))
	if len(out) != 2 {
		t.Errorf("%d messages for 20 cards, want 2 carousels", len(out))
	}
}

func TestRenderMergesAndTrims(t *testing.T) {
	var msgs []bot.Message
	for i := range 8 {
		msgs = append(msgs, bot.Message{Text: fmt.Sprintf("line %d", i)})
	}
	out := valid(t, render(msgs))
	if len(out) > MaxMessages {
		t.Fatalf("%d messages", len(out))
	}
	all := strings.Join(texts(out), "\n")
	for i := range 8 {
		if !strings.Contains(all, fmt.Sprintf("line %d", i)) {
			t.Errorf("lost line %d: %q", i, all)
		}
	}
	// Texts and cards alternating cannot be merged: the rest points to /list.
	msgs = nil
	for i := range 7 {
		msgs = append(msgs, bot.Message{Text: strings.Repeat("長い文章。", 900)}, bot.Message{Card: cardFor("ja", i, tracker.StagePickedUp)})
	}
	out = valid(t, render(msgs))
	if len(out) != MaxMessages {
		t.Fatalf("%d messages, want %d", len(out), MaxMessages)
	}
	if got := texts(out)[MaxMessages-1]; got != i18n.For("ja").T("line.more") {
		t.Errorf("last message %q, want the pointer to /list in Japanese", got)
	}
}

func TestRenderLongTextAndButtons(t *testing.T) {
	long := strings.Repeat("🚚 配送中です。\n", 1200) // emoji count twice in UTF-16
	var bs []bot.Button
	for i := range 20 {
		bs = append(bs, bot.Button{Label: fmt.Sprintf("とても長いボタンのラベルその%d番目です", i), Data: fmt.Sprintf("stop %d", i)})
	}
	bs = append(bs, bot.Button{Label: "too much data", Data: strings.Repeat("d", 301)}, bot.Button{Label: "dup", Data: "stop 0"})
	out := valid(t, render([]bot.Message{{Text: long, Buttons: bs}}))
	total := 0
	for _, m := range out {
		n := len(utf16.Encode([]rune(m["text"].(string))))
		if n > MaxTextLen {
			t.Errorf("text of %d units", n)
		}
		total += strings.Count(m["text"].(string), "🚚")
	}
	if total != 1200 {
		t.Errorf("%d lines kept, want 1200", total)
	}
	qr := out[len(out)-1]["quickReply"].(map[string]any)["items"].([]any)
	if len(qr) != MaxQuickReplies {
		t.Errorf("%d quick replies, want %d", len(qr), MaxQuickReplies)
	}
	if _, ok := out[0]["quickReply"]; ok && len(out) > 1 {
		t.Error("quick replies on a message that is not the last")
	}
	// Buttons alone, or nothing: nothing to send.
	if got := render([]bot.Message{{Buttons: bs}}); len(got) != 0 {
		t.Errorf("buttons alone rendered %d messages", len(got))
	}
	if got := render(nil); len(got) != 0 {
		t.Errorf("nothing rendered %d messages", len(got))
	}
}

func TestAltTextIsClipped(t *testing.T) {
	c := cardFor("th", 1, tracker.StageOutForDelivery)
	out := valid(t, render([]bot.Message{{Text: strings.Repeat("ข้อความยาว ", 100), Card: c}}))
	alt := out[0]["altText"].(string)
	if n := len(utf16.Encode([]rune(alt))); n > MaxAltTextLen || !strings.HasSuffix(alt, "…") {
		t.Errorf("altText of %d units: %q", n, alt)
	}
}

func TestGuessLang(t *testing.T) {
	for _, lang := range i18n.Langs() {
		for _, st := range tracker.Stages() {
			c := cardFor(lang, 1, st)
			if got := guessLang([]bot.Message{{Card: c}}); got != lang {
				t.Errorf("%s card at %s read as %s", lang, st, got)
			}
		}
		p := i18n.For(lang)
		for _, key := range []string{"welcome", "help.text", "list.empty", "unknown.text"} {
			if got := guessLang([]bot.Message{{Text: p.T(key)}}); got != lang {
				t.Errorf("%s %s read as %s", lang, key, got)
			}
		}
	}
}

func TestSplitAndClip(t *testing.T) {
	if got := splitText("ab\ncd", 3); strings.Join(got, "|") != "ab|cd" {
		t.Errorf("split at newline: %q", got)
	}
	if got := splitText("abcdef", 4); strings.Join(got, "|") != "abcd|ef" {
		t.Errorf("hard split: %q", got)
	}
	if got := splitText("😀😀😀", 4); strings.Join(got, "|") != "😀😀|😀" {
		t.Errorf("split by UTF-16 units: %q", got)
	}
	if got := clip("abcdef", 4); got != "abc…" {
		t.Errorf("clip = %q", got)
	}
	if got := clip("abc", 4); got != "abc" {
		t.Errorf("clip short = %q", got)
	}
}
