package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
)

func TestRenderCard(t *testing.T) {
	tg := mustNew(t, testToken)
	card := &bot.Card{
		Number: "LP00123456789012", Label: "スマホ<ケース>", Carrier: "Cainiao & JP",
		Stage: "out_for_delivery", StageName: "配達中", StageHelp: "今日お届け予定です。",
		Step: 5, Steps: 6, Event: "Out for delivery", EventTime: "11月25日(水) 14:05", Location: "東京",
		Note: "シミュレーションです\n",
	}
	parts := tg.render([]bot.Message{{Text: "📦 更新 <1>", Card: card, Buttons: []bot.Button{{Label: "一覧", Data: "list"}}}})
	if len(parts) != 1 {
		t.Fatalf("%d parts", len(parts))
	}
	want := strings.Join([]string{
		"📦 更新 &lt;1&gt;",
		"",
		"📦 <b>スマホ&lt;ケース&gt;</b> · <code>LP00123456789012</code> (Cainiao &amp; JP)",
		"▰▰▰▰▰▱ <b>配達中</b>",
		"<i>今日お届け予定です。</i>",
		"🕒 11月25日(水) 14:05 Out for delivery — 東京",
		"※ シミュレーションです",
	}, "\n")
	if parts[0].html != want {
		t.Errorf("html:\n%s\nwant:\n%s", parts[0].html, want)
	}
	plain, err := parseHTML(parts[0].html)
	if err != nil || plain != parts[0].plain {
		t.Errorf("the plain form %q is not what the HTML shows (%q, %v)", parts[0].plain, plain, err)
	}
	if kb := parts[0].keyboard; kb == nil || len(kb.Rows) != 1 || kb.Rows[0][0] != (inlineButton{Text: "一覧", CallbackData: "list"}) {
		t.Errorf("keyboard = %+v", parts[0].keyboard)
	}
}

func TestRenderEdges(t *testing.T) {
	tg := mustNew(t, testToken)
	// Buttons alone join the message before them.
	parts := tg.render([]bot.Message{{Text: "a"}, {Buttons: []bot.Button{{Label: "x", Data: "x"}}}})
	if len(parts) != 1 || parts[0].keyboard == nil {
		t.Errorf("buttons alone: %+v", parts)
	}
	// ... or stand on their own with a neutral text.
	parts = tg.render([]bot.Message{{Buttons: []bot.Button{{Data: "list"}}}})
	if len(parts) != 1 || parts[0].html != buttonsOnly || parts[0].keyboard.Rows[0][0].Text != "list" {
		t.Errorf("buttons only: %+v", parts)
	}
	// Blank text sends nothing.
	if parts := tg.render([]bot.Message{{Text: " \n\n "}}); len(parts) != 0 {
		t.Errorf("blank text: %+v", parts)
	}
	// Rows fit the labels.
	var many []bot.Button
	for _, l := range []string{"一覧", "使い方", "停止", "名前"} {
		many = append(many, bot.Button{Label: l, Data: l})
	}
	if kb := tg.keyboard(many); len(kb.Rows) != 2 || len(kb.Rows[0]) != 3 {
		t.Errorf("short labels: %d rows", len(kb.Rows))
	}
	many[0].Label = strings.Repeat("長", 21)
	if kb := tg.keyboard(many); len(kb.Rows) != 4 {
		t.Errorf("a long label: %d rows, want one button a row", len(kb.Rows))
	}
}

func TestPack(t *testing.T) {
	lines := []line{{"a", "a"}, {"", ""}, {"bb", "bb"}, {"ccc", "ccc"}, {"", ""}, {"dddd", "dddd"}}
	got := pack(lines, 6)
	var texts []string
	for _, p := range got {
		texts = append(texts, p.plain)
	}
	// "a\n\nbb" is 5 units; "ccc" would make 9; a part never starts or ends blank.
	if want := []string{"a\n\nbb", "ccc", "dddd"}; strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("pack = %q, want %q", texts, want)
	}
	if got := cut("ab😀cd", 3); strings.Join(got, "|") != "ab|😀c|d" {
		t.Errorf("cut = %q: a surrogate pair must not be split", got)
	}
}

func TestCallbackData(t *testing.T) {
	tg := mustNew(t, testToken)
	for _, data := range []string{"list", strings.Repeat("x", 64)} {
		if got := tg.callbackData(data); got != data {
			t.Errorf("callbackData(%q) = %q, want it unchanged", data, got)
		}
	}
	for _, data := range []string{strings.Repeat("x", 65), "", "~list", "name 1 " + strings.Repeat("長", 20)} {
		tok := tg.callbackData(data)
		if !strings.HasPrefix(tok, tokenPrefix) || len(tok) > maxCallbackData || tok == data {
			t.Errorf("callbackData(%q) = %q, want a short token", data, tok)
		}
		if back, ok := tg.buttonData(tok); !ok || back != data {
			t.Errorf("buttonData(%q) = %q, %v, want %q", tok, back, ok, data)
		}
		if again := tg.callbackData(data); again != tok {
			t.Errorf("the token for %q changed", data)
		}
	}
	if _, ok := tg.buttonData("~unknown"); ok {
		t.Error("an unknown token resolved")
	}
	small := newFIFO[string](2)
	small.put("a", "1")
	small.put("b", "2")
	small.put("c", "3")
	if _, ok := small.get("a"); ok || small.add("b", "x") || !small.add("a", "1") {
		t.Error("the bounded map does not forget its oldest entry first")
	}
}

func TestLimiter(t *testing.T) {
	c := newFakeClock()
	start := c.Now()
	l := newMemLimiter(exactLimits(), c)
	ctx := context.Background()
	at := func(chat string, group bool) time.Duration {
		t.Helper()
		if err := l.Wait(ctx, chat, group); err != nil {
			t.Fatal(err)
		}
		return c.Now().Sub(start)
	}
	// One a second in a chat.
	for i, want := range []time.Duration{0, time.Second, 2 * time.Second} {
		if got := at("1", false); got != want {
			t.Errorf("private send %d at %v, want %v", i, got, want)
		}
	}
	// Other chats are not held up by it, but share 30 a second, evenly
	// spaced rather than in a burst.
	c = newFakeClock()
	start = c.Now()
	l = newMemLimiter(exactLimits(), c)
	spacing := exactLimits().Global.spacing(0)
	for i := range 31 {
		got := at(string(rune('a'+i)), false)
		if want := time.Duration(i) * spacing; got != want {
			t.Errorf("chat %d at %v, want %v", i, got, want)
		}
	}
	// 20 a minute in a group, one every 3 s.
	first := at("-100", true)
	for i := range 21 {
		got := first
		if i > 0 {
			got = at("-100", true)
		}
		got -= first
		if want := time.Duration(i) * 3 * time.Second; got != want {
			t.Errorf("group send %d at %v, want %v", i, got, want)
		}
	}
	// A sender that wakes late is not crowded by the senders after it:
	// the guard keeps every window on the times messages really went.
	g := newGuard(exactLimits())
	t0 := c.Now()
	if _, ok := g.admit("late", false, func() time.Time { return t0.Add(50 * time.Millisecond) }); !ok {
		t.Fatal("the first send was refused")
	}
	for i := 2; i <= 30; i++ {
		if _, ok := g.admit(fmt.Sprint(i), false, func() time.Time { return t0.Add(time.Duration(i) * spacing) }); !ok {
			t.Fatalf("send %d on its slot was refused", i)
		}
	}
	next, ok := g.admit("31", false, func() time.Time { return t0.Add(31 * spacing) })
	if want := t0.Add(50*time.Millisecond + time.Second); ok || !next.Equal(want) {
		t.Errorf("the 31st send within a second of the late one: admitted %v, next %v, want %v", ok, next.Sub(t0), want.Sub(t0))
	}
	// A cancelled wait says so.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.Wait(cctx, "-100", true); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait(cancelled) = %v", err)
	}
	// Idle chats are forgotten.
	for i := range 2 * sweepAfter {
		l.Wait(ctx, "x"+string(rune(i)), false)
		c.Sleep(ctx, time.Second)
	}
	if n := len(l.guard.chats); n > sweepAfter+100 {
		t.Errorf("%d chats kept", n)
	}
}
