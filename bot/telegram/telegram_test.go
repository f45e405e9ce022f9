package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/bot/handlers"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/sandbox"
)

var (
	hanako  = person{id: 1001, lang: "ja", name: "Hanako"}
	somchai = person{id: 1002, lang: "th", name: "Somchai"}
	family  = chatRef{id: -1001234567890, typ: "supergroup", title: "Family"}
)

func TestNewValidates(t *testing.T) {
	h := func(context.Context, bot.Update) []bot.Message { return nil }
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no token", Options{}, "malformed"},
		{"token without id", Options{Token: tokenHalf}, "malformed"},
		{"token with spaces", Options{Token: testToken + " "}, "malformed"},
		{"API URL", Options{Token: testToken, APIURL: "ftp://x"}, "not an http(s) URL"},
		{"webhook over http", Options{Token: testToken, WebhookURL: "http://bot.example/telegram/webhook"}, "not an https URL"},
		{"secret", Options{Token: testToken, WebhookSecret: "not allowed!"}, "webhook secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.o, h)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New() error = %v, want one with %q", err, tt.want)
			}
			assertNoToken(t, "the error", err.Error())
		})
	}
	if _, err := New(Options{Token: testToken}, nil); err == nil {
		t.Error("New with a nil handler did not fail")
	}
	tg, err := New(Options{Token: testToken}, h)
	if err != nil {
		t.Fatal(err)
	}
	if tg.Name() != "telegram" {
		t.Errorf("Name() = %q", tg.Name())
	}
	var _ bot.Platform = tg
	if !secretRE.MatchString(tg.secret) || strings.Contains(tg.secret, tokenHalf) {
		t.Errorf("derived webhook secret %q is not a valid secret_token, or shows the token", tg.secret)
	}
	tg2, _ := New(Options{Token: testToken}, h)
	tg3, _ := New(Options{Token: otherToken}, h)
	if tg2.secret != tg.secret || tg3.secret == tg.secret {
		t.Error("the derived secret is not a function of the token")
	}
}

// endToEnd wires the real router, handlers, embedded store and the sandbox
// carrier to the adapter.
type endToEnd struct {
	st *boltstore.Store
	r  *bot.Router
}

func newEndToEnd(t *testing.T) *endToEnd {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := poller.New(poller.Config{Store: st, Sources: []tracker.Source{sandbox.New(sandbox.Options{})}})
	r := bot.NewRouter(st, nil, nil)
	(&handlers.Handlers{Store: st, Checker: p, CheckTimeout: 5 * time.Second}).Register(r)
	return &endToEnd{st: st, r: r}
}

// move commits a stage change of number, which queues a notification for
// every chat that follows it.
func (e *endToEnd) move(t *testing.T, number string, to tracker.Stage) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	old, err := e.st.Shipment(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.st.ClaimNumber(ctx, number, now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ev := tracker.Event{Time: now, Text: "Out for delivery <Tokyo> & co", Location: "東京", Stage: to, Source: "test"}
	snap, change := tracker.Apply(old, tracker.Result{Number: number, Events: []tracker.Event{ev}}, now)
	if err := e.st.Commit(ctx, c, snap, change, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
}

func buttons(m sentMessage) map[string]string {
	out := map[string]string{}
	for _, row := range m.keyboard {
		for _, b := range row {
			out[b.CallbackData] = b.Text
		}
	}
	return out
}

// TestChatEndToEnd: a Japanese user pastes a number and gets the card with
// its keyboard, presses a button, and then receives a stage push in
// Japanese, all through the fake Bot API.
func TestChatEndToEnd(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	e := newEndToEnd(t)
	tg, _ := newBot(t, f.URL(), e.r.Handle, nil)
	run(t, tg)
	ja := i18n.For("ja")

	f.queue(f.messageUpdate(privateChat(hanako), hanako, "SBXJP0001"))
	waitFor(t, "the card", func() bool { return len(f.sentTo(hanako.id)) >= 1 })
	card := f.sentTo(hanako.id)[0]
	if card.parseMode != "HTML" || !strings.Contains(card.html, "<code>SBXJP0001</code>") {
		t.Errorf("card HTML = %q, want the number in <code>", card.html)
	}
	if !strings.Contains(card.text, "SBXJP0001") || !strings.Contains(card.text, "追跡を始めました") {
		t.Errorf("card text = %q, want the Japanese confirmation", card.text)
	}
	if !strings.ContainsAny(card.text, "▰▱") {
		t.Errorf("card text = %q, want a progress bar", card.text)
	}
	kb := buttons(card)
	if kb["list"] != ja.T("button.list") || kb["help"] != ja.T("button.help") {
		t.Errorf("keyboard = %v, want the Japanese list and help buttons", kb)
	}

	f.queue(f.pressUpdate(privateChat(hanako), hanako, card.id, "list"))
	waitFor(t, "the list", func() bool { return len(f.sentTo(hanako.id)) >= 2 })
	if a := f.answered(); len(a) != 1 || a[0].Text != "" {
		t.Errorf("callback answers = %+v, want one silent answer", a)
	}
	list := f.sentTo(hanako.id)[1]
	if !strings.Contains(list.text, ja.T("list.header", 1)) || !strings.Contains(list.text, "SBXJP0001") {
		t.Errorf("list = %q, want the Japanese list with the parcel", list.text)
	}

	e.move(t, "SBXJP0001", tracker.StageOutForDelivery)
	d := bot.NewDispatcher(bot.DispatcherConfig{Store: e.st, Platforms: []bot.Platform{tg}})
	if n, err := d.Drain(context.Background()); err != nil || n != 1 {
		t.Fatalf("Drain() = %d, %v, want 1 notification", n, err)
	}
	sent := f.sentTo(hanako.id)
	if len(sent) != 3 {
		t.Fatalf("%d messages, want the push as the third", len(sent))
	}
	push := sent[2]
	stage := ja.T("stage.out_for_delivery.name")
	if !strings.Contains(push.text, ja.T("push.stage", "SBXJP0001", stage)) {
		t.Errorf("push = %q, want the Japanese stage line", push.text)
	}
	if !strings.Contains(push.html, "<b>"+stage+"</b>") || !strings.Contains(push.text, "Out for delivery <Tokyo> & co — 東京") {
		t.Errorf("push HTML = %q, want the bold stage and the escaped event", push.html)
	}

	// Name it with the card's button (the bot asks, the next message is
	// the name), then stop it with the stop button.
	f.queue(f.pressUpdate(privateChat(hanako), hanako, card.id, "rename SBXJP0001"))
	waitFor(t, "the name question", func() bool { return len(f.sentTo(hanako.id)) >= 4 })
	if got := f.sentTo(hanako.id)[3].text; got != ja.T("rename.prompt", "SBXJP0001") {
		t.Errorf("rename answer = %q", got)
	}
	f.queue(f.messageUpdate(privateChat(hanako), hanako, "スマホケース <b>"))
	waitFor(t, "the name", func() bool { return len(f.sentTo(hanako.id)) >= 5 })
	if got := f.sentTo(hanako.id)[4].text; got != ja.T("name.done", "SBXJP0001", "スマホケース <b>") {
		t.Errorf("name answer = %q", got)
	}
	f.queue(f.pressUpdate(privateChat(hanako), hanako, card.id, "stop SBXJP0001"))
	waitFor(t, "the stop", func() bool { return len(f.sentTo(hanako.id)) >= 6 })
	if got := f.sentTo(hanako.id)[5].text; got != ja.T("stop.done", "SBXJP0001") {
		t.Errorf("stop answer = %q", got)
	}
}

func TestUpdatesBecomeBotUpdates(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	rec := &recorder{reply: echo}
	tg, _ := newBot(t, f.URL(), rec.handle, nil)
	run(t, tg)

	anonymous := f.messageUpdate(family, person{id: 1087968824, name: "Group"}, "/list")
	var u map[string]any
	json.Unmarshal(anonymous, &u)
	msg := u["message"].(map[string]any)
	msg["from"].(map[string]any)["is_bot"] = true
	msg["sender_chat"] = map[string]any{"id": family.id, "type": "supergroup", "title": "Family"}
	anonymous = f.checked(u)

	otherBot := f.messageUpdate(family, person{id: 5555, name: "Spam"}, "hello")
	json.Unmarshal(otherBot, &u)
	u["message"].(map[string]any)["from"].(map[string]any)["is_bot"] = true
	otherBot = f.checked(u)

	channel := f.messageUpdate(chatRef{id: -1009999, typ: "channel", title: "News"}, hanako, "post")
	json.Unmarshal(channel, &u)
	u["channel_post"] = u["message"]
	delete(u, "message")
	channel = f.checked(u)

	f.queue(
		f.messageUpdate(privateChat(hanako), hanako, "/start SBXJP0001"),
		f.messageUpdate(family, somchai, "/list@todoku_bot"),
		anonymous, otherBot, channel,
		f.messageUpdate(privateChat(hanako), person{id: hanako.id, name: "Hanako"}, "no language"),
	)
	waitFor(t, "four updates", func() bool { return len(rec.got()) >= 4 })
	time.Sleep(50 * time.Millisecond) // would any ignored update come late?
	want := []bot.Update{
		{Chat: store.ChatKey{Platform: "telegram", ID: "1001"}, User: "1001", Lang: "ja", Text: "/start SBXJP0001"},
		{Chat: store.ChatKey{Platform: "telegram", ID: "-1001234567890"}, User: "1002", Group: true, Lang: "th", Text: "/list@todoku_bot"},
		{Chat: store.ChatKey{Platform: "telegram", ID: "-1001234567890"}, User: "-1001234567890", Group: true, Text: "/list"},
		{Chat: store.ChatKey{Platform: "telegram", ID: "1001"}, User: "1001", Text: "no language"},
	}
	got := rec.got()
	slices.SortStableFunc(got, func(a, b bot.Update) int { return strings.Compare(a.Chat.ID, b.Chat.ID) })
	slices.SortStableFunc(want, func(a, b bot.Update) int { return strings.Compare(a.Chat.ID, b.Chat.ID) })
	if !slices.Equal(got, want) {
		t.Errorf("updates:\n got %+v\nwant %+v", got, want)
	}
	// Replies in a group answer the message they reply to.
	waitFor(t, "group replies", func() bool { return len(f.sentTo(family.id)) == 2 })
	for _, m := range f.sentTo(family.id) {
		if m.replyTo == 0 {
			t.Errorf("group reply %q does not reply to the user's message", m.text)
		}
	}
	if m := f.sentTo(hanako.id); len(m) == 0 || m[0].replyTo != 0 {
		t.Errorf("private replies %+v should not quote", m)
	}
}

func TestButtons(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	long := "name SBXJP0001 " + strings.Repeat("とても長い名前", 6) // 15 + 126 bytes
	rec := &recorder{reply: func(u bot.Update) []bot.Message {
		if u.Text == "" {
			return nil
		}
		return []bot.Message{{Text: "choose", Buttons: []bot.Button{
			{Label: "Rename", Data: long}, {Label: "Stop", Data: "stop SBXJP0001"}, {Label: "Tilde", Data: "~list"},
		}}}
	}}
	tg, _ := newBot(t, f.URL(), rec.handle, nil)
	run(t, tg)
	f.queue(f.messageUpdate(privateChat(somchai), somchai, "menu"))
	waitFor(t, "the keyboard", func() bool { return len(f.sentTo(somchai.id)) == 1 })
	m := f.sentTo(somchai.id)[0]
	var datas []string
	for _, row := range m.keyboard {
		for _, b := range row {
			datas = append(datas, b.CallbackData)
		}
	}
	if len(datas) != 3 || datas[1] != "stop SBXJP0001" || !strings.HasPrefix(datas[0], tokenPrefix) || !strings.HasPrefix(datas[2], tokenPrefix) {
		t.Fatalf("callback data = %q, want a token, the data itself, a token", datas)
	}
	for _, d := range []string{datas[0], datas[2], datas[1], tokenPrefix + "forgotten"} {
		f.queue(f.pressUpdate(privateChat(somchai), somchai, m.id, d))
	}
	waitFor(t, "four answers", func() bool { return len(f.answered()) == 4 })
	waitFor(t, "three presses", func() bool { return len(rec.got()) == 4 })
	time.Sleep(50 * time.Millisecond)
	var pressed []string
	for _, u := range rec.got()[1:] {
		pressed = append(pressed, u.Button)
		if u.Lang != "th" || u.User != "1002" || u.Chat.ID != "1002" {
			t.Errorf("press update %+v lacks the user's chat, id or language", u)
		}
	}
	if want := []string{long, "~list", "stop SBXJP0001"}; !slices.Equal(pressed, want) {
		t.Errorf("presses = %q, want %q", pressed, want)
	}
	a := f.answered()
	if a[3].Text != i18n.For("th").T("telegram.button_gone") {
		t.Errorf("unknown token answered %q, want the Thai expiry note", a[3].Text)
	}
}

func TestSetCommands(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	tg, _ := newBot(t, f.URL(), func(context.Context, bot.Update) []bot.Message { return nil }, nil)
	if err := tg.SetCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ja", "en", "th", ""} {
		cmds := f.commands[lang]
		p := i18n.For(cmpOrLang(lang))
		if len(cmds) != len(menu) {
			t.Errorf("%q: %d commands, want %d", lang, len(cmds), len(menu))
			continue
		}
		for i, c := range cmds {
			if c.Command != menu[i].command || c.Description != p.T(menu[i].key) {
				t.Errorf("%q: command %+v, want %s in that language", lang, c, menu[i].command)
			}
		}
	}
	if f.commands["ja"][0].Description == f.commands["en"][0].Description || f.commands["th"][0].Description == f.commands[""][0].Description {
		t.Error("the menus are not localized")
	}
	// Flood control on the way is waited out.
	c := onFakeClock(tg, f)
	f.fail("setMyCommands", apiFailure(429, "Too Many Requests: retry after 5", 5))
	if err := tg.SetCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := c.slept(); len(s) != 1 || s[0] < 5*time.Second {
		t.Errorf("slept %v, want retry_after", s)
	}
	f.failAlways("setMyCommands", apiFailure(401, "Unauthorized", 0))
	if err := tg.SetCommands(context.Background()); err == nil {
		t.Error("SetCommands with a refused token succeeded")
	}
}

func cmpOrLang(l string) string {
	if l == "" {
		return "en"
	}
	return l
}

func TestSend(t *testing.T) {
	msg := []bot.Message{{Text: "📦 LP00123456789012: 配達中", Buttons: []bot.Button{{Label: "一覧", Data: "list"}}}}
	tests := []struct {
		name       string
		chat       string
		answers    []cannedAnswer
		blocked    string
		permanent  bool
		ok         bool
		calls      int
		retryAfter time.Duration
		slept      time.Duration
	}{
		{name: "accepted", chat: "1001", ok: true, calls: 1},
		{name: "429 waited out", chat: "1001", answers: []cannedAnswer{apiFailure(429, "Too Many Requests: retry after 7", 7)}, ok: true, calls: 2, slept: 7 * time.Second},
		{name: "429 twice", chat: "1001", answers: []cannedAnswer{apiFailure(429, "Too Many Requests: retry after 2", 2), apiFailure(429, "Too Many Requests: retry after 3", 3)}, ok: true, calls: 3, slept: 5 * time.Second},
		{name: "429 too long to wait", chat: "1001", answers: []cannedAnswer{apiFailure(429, "Too Many Requests: retry after 3600", 3600)}, calls: 1, retryAfter: time.Hour},
		{name: "blocked", chat: "1001", blocked: blockedByUser, permanent: true, calls: 1},
		{name: "kicked from group", chat: "-1001234567890", blocked: kickedOut, permanent: true, calls: 1},
		{name: "chat not found", chat: "1001", answers: []cannedAnswer{apiFailure(400, "Bad Request: chat not found", 0)}, permanent: true, calls: 1},
		{name: "group migrated", chat: "-4001", answers: []cannedAnswer{{status: 400, contentType: "application/json",
			body: `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1004001}}`}}, permanent: true, calls: 1},
		{name: "server error", chat: "1001", answers: []cannedAnswer{apiFailure(500, "Internal Server Error", 0)}, calls: 1},
		{name: "proxy page is no success", chat: "1001", answers: []cannedAnswer{badGateway}, calls: 1},
		{name: "HTML page with 200 is no success", chat: "1001", answers: []cannedAnswer{{status: 200, contentType: "text/html", body: "<html>maintenance</html>"}}, calls: 1},
		{name: "connection cut", chat: "1001", answers: []cannedAnswer{{cut: true}}, calls: 1},
		{name: "malformed chat", chat: "@channel", permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, testToken, nil)
			tg, _ := newBot(t, f.URL(), func(context.Context, bot.Update) []bot.Message { return nil }, nil)
			c := onFakeClock(tg, f)
			f.fail("sendMessage", tt.answers...)
			if tt.blocked != "" {
				id, _ := strconv.ParseInt(tt.chat, 10, 64)
				f.block(id, tt.blocked)
			}
			err := tg.Send(context.Background(), tt.chat, msg, "")
			if tt.ok != (err == nil) {
				t.Fatalf("Send() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				assertNoToken(t, "the error", fmt.Sprintf("%v %+v", err, err))
				var se *bot.SendError
				if !errors.As(err, &se) {
					t.Fatalf("Send() = %T, want a *bot.SendError", err)
				}
				if se.Permanent != tt.permanent || se.RetryAfter != tt.retryAfter {
					t.Errorf("SendError = %+v, want permanent=%v retry_after=%v", se, tt.permanent, tt.retryAfter)
				}
			}
			if n := len(f.callsOf("sendMessage")); n != tt.calls {
				t.Errorf("%d sendMessage calls, want %d", n, tt.calls)
			}
			floods := 0
			for _, a := range tt.answers {
				if a.status == http.StatusTooManyRequests {
					floods++
				}
			}
			if got := tg.Floods(); got != int64(floods) {
				t.Errorf("Floods() = %d after %d 429 answers", got, floods)
			}
			var slept time.Duration
			for _, d := range c.slept() {
				slept += d
			}
			if slept < tt.slept || slept > tt.slept+time.Second {
				t.Errorf("slept %v, want about %v", slept, tt.slept)
			}
		})
	}
}

func TestSendErrorsMatchTelebot(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	tg, _ := newBot(t, f.URL(), func(context.Context, bot.Update) []bot.Message { return nil }, nil)
	f.block(1001, blockedByUser)
	err := tg.Send(context.Background(), "1001", []bot.Message{{Text: "hi"}}, "")
	if !errors.Is(err, tele.ErrBlockedByUser) || !bot.IsPermanent(err) {
		t.Errorf("Send() = %v, want tele.ErrBlockedByUser, permanent", err)
	}
}

func TestSendSplitsLongText(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	tg, _ := newBot(t, f.URL(), func(context.Context, bot.Update) []bot.Message { return nil }, nil)
	onFakeClock(tg, f)
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("%03d. <parcel> & %s", i, strings.Repeat("ก", 30)))
	}
	text := strings.Join(lines, "\n")
	oneLine := strings.Repeat("😀", 5000) // 10,000 UTF-16 units, no line break
	msgs := []bot.Message{
		{Text: text, Buttons: []bot.Button{{Label: "More", Data: "list 2"}}},
		{Text: oneLine},
	}
	if err := tg.Send(context.Background(), "1001", msgs, "k1"); err != nil {
		t.Fatal(err)
	}
	sent := f.sentTo(1001)
	var first, second []string
	var withKeyboard []int
	for i, m := range sent {
		if units(m.text) > maxText {
			t.Errorf("part %d has %d units", i, units(m.text))
		}
		if strings.Contains(m.text, "😀") {
			second = append(second, m.text)
		} else {
			first = append(first, m.text)
		}
		if m.keyboard != nil {
			withKeyboard = append(withKeyboard, i)
		}
	}
	if !slices.Equal(withKeyboard, []int{len(first) - 1}) {
		t.Errorf("parts %v have the keyboard, want only the last part of the first message", withKeyboard)
	}
	if len(first) < 4 || strings.Join(first, "\n") != text {
		t.Errorf("the long list came in %d parts that do not join back to the text", len(first))
	}
	for _, p := range first {
		if !strings.HasPrefix(p, "0") && !strings.HasPrefix(p, "1") && !strings.HasPrefix(p, "2") {
			t.Errorf("a part starts mid-line: %.20q", p)
		}
	}
	if len(second) != 3 || strings.Join(second, "") != oneLine {
		t.Errorf("the long line came in %d parts, want 3 that join back", len(second))
	}
	// The same key again: everything was delivered, nothing is repeated.
	if err := tg.Send(context.Background(), "1001", msgs, "k1"); err != nil || len(f.sentTo(1001)) != len(sent) {
		t.Errorf("a repeated push was sent again (err %v)", err)
	}
}

func TestSendRetrySendsOnlyTheRest(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	tg, _ := newBot(t, f.URL(), func(context.Context, bot.Update) []bot.Message { return nil }, nil)
	onFakeClock(tg, f)
	f.sendHook = func(n int) (cannedAnswer, bool) {
		return apiFailure(500, "Internal Server Error", 0), n == 1
	}
	msgs := []bot.Message{{Text: "one"}, {Text: "two"}, {Text: "three"}}
	if err := tg.Send(context.Background(), "1001", msgs, "push-7"); err == nil || bot.IsPermanent(err) {
		t.Fatalf("Send() = %v, want a transient error", err)
	}
	if err := tg.Send(context.Background(), "1001", msgs, "push-7"); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range f.sentTo(1001) {
		texts = append(texts, m.text)
	}
	if want := []string{"one", "two", "three"}; !slices.Equal(texts, want) {
		t.Errorf("sent %q, want %q", texts, want)
	}
}

func TestSendFallsBackToPlainText(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	tg, logs := newBot(t, f.URL(), func(context.Context, bot.Update) []bot.Message { return nil }, nil)
	onFakeClock(tg, f)
	f.refuseHTML = 1
	card := &bot.Card{Number: "LP00123456789012", StageName: "配達中", Steps: 6, Step: 5}
	if err := tg.Send(context.Background(), "1001", []bot.Message{{Text: "a < b", Card: card}}, ""); err != nil {
		t.Fatal(err)
	}
	m := f.sentTo(1001)
	if len(m) != 1 || m[0].parseMode != "" || !strings.Contains(m[0].text, "a < b") || !strings.Contains(m[0].text, "▰▰▰▰▰▱ 配達中") {
		t.Errorf("sent %+v, want the plain-text form", m)
	}
	if !strings.Contains(logs.String(), "plain text") {
		t.Error("the refused HTML was not logged")
	}
}

// TestTokenNeverLeaks provokes every kind of failure and looks for the
// token in errors and logs.
func TestTokenNeverLeaks(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so that the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	echoToken := apiFailure(400, "Bad Request: token "+testToken+" is odd", 0)

	tests := []struct {
		name    string
		url     func(f *fakeAPI) string
		answers []cannedAnswer
		token   string
	}{
		{name: "connection refused", url: func(*fakeAPI) string { return closedURL }},
		{name: "timeout", url: func(*fakeAPI) string { return slow.URL }},
		{name: "connection cut", answers: []cannedAnswer{{cut: true}}},
		{name: "proxy page", answers: []cannedAnswer{badGateway}},
		{name: "wrong token", token: otherToken},
		{name: "token echoed", answers: []cannedAnswer{echoToken}},
		{name: "flood", answers: []cannedAnswer{apiFailure(429, "Too Many Requests: retry after 9999", 9999)}},
		{name: "blocked", answers: []cannedAnswer{apiFailure(403, blockedByUser, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, testToken, nil)
			if tt.token != "" {
				f.token = tt.token
			}
			url := f.URL()
			if tt.url != nil {
				url = tt.url(f)
			}
			tg, logs := newBot(t, url, func(context.Context, bot.Update) []bot.Message { return nil }, nil)
			tg.sendAttempts = 1
			for _, m := range []string{"sendMessage", "setMyCommands", "getUpdates", "deleteWebhook"} {
				for range 3 {
					f.fail(m, tt.answers...)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			var errs []error
			errs = append(errs, tg.Send(ctx, "1001", []bot.Message{{Text: "hi"}}, ""))
			errs = append(errs, tg.SetCommands(ctx))
			errs = append(errs, tg.api.call(ctx, "getUpdates", getUpdatesParams{Limit: 1, AllowedUpdates: allowedUpdates}, nil))
			for i, err := range errs {
				if err == nil {
					t.Errorf("call %d succeeded", i)
					continue
				}
				for e := err; e != nil; e = errors.Unwrap(e) {
					assertNoToken(t, "an error", fmt.Sprintf("%v|%+v|%s", e, e, e.Error()))
				}
			}
			// Run's poller logs its failures.
			pctx, pcancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer pcancel()
			if err := tg.Run(pctx); err != nil {
				t.Errorf("Run() = %v", err)
			}
			if tt.name != "timeout" && !strings.Contains(logs.String(), "failed") {
				t.Errorf("no failure was logged:\n%s", logs.String())
			}
		})
	}
}

func TestTimeoutIsDeadlineExceeded(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	tg, _ := newBot(t, slow.URL, func(context.Context, bot.Update) []bot.Message { return nil }, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := tg.api.call(ctx, "getMe", struct{}{}, nil)
	var e *Error
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &e) || !e.Timeout() || retryable(err) != true {
		t.Errorf("error %v does not read as a retryable timeout", err)
	}
	assertNoToken(t, "the error", err.Error())
}

func TestWebhook(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	rec := &recorder{reply: echo}
	var seenCalls []string
	seen := map[string]bool{}
	tg, _ := newBot(t, f.URL(), rec.handle, func(o *Options) {
		o.WebhookURL = "https://bot.example.com/telegram/webhook"
		o.FirstSeen = func(_ context.Context, key string) (bool, error) {
			seenCalls = append(seenCalls, key) // workers are one per chat here
			if seen[key] {
				return false, nil
			}
			seen[key] = true
			return true, nil
		}
	})
	h := tg.WebhookHandler()
	upd := f.messageUpdate(privateChat(hanako), hanako, "SBXJP0001")

	if rec := postWebhook(t, h, tg.secret, upd); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("before Run: status %d, want 503 so Telegram retries", rec.Code)
	}
	stop := run(t, tg)
	waitFor(t, "setWebhook", func() bool { return len(f.callsOf("setWebhook")) == 1 })
	f.mu.Lock()
	wh := f.webhook[0]
	f.mu.Unlock()
	if wh.URL != "https://bot.example.com/telegram/webhook" || wh.SecretToken != tg.secret || !slices.Equal(wh.AllowedUpdates, allowedUpdates) {
		t.Errorf("setWebhook %+v", wh)
	}
	if n := len(f.callsOf("getUpdates")); n != 0 {
		t.Errorf("webhook mode polled %d times", n)
	}

	for range 2 { // Telegram redelivers when it missed the 200.
		if rec := postWebhook(t, h, tg.secret, upd); rec.Code != http.StatusOK {
			t.Fatalf("good secret: status %d", rec.Code)
		}
	}
	waitFor(t, "the reply", func() bool { return len(f.sentTo(hanako.id)) == 1 })

	other := f.messageUpdate(privateChat(hanako), hanako, "forged")
	wrongSame := strings.Repeat("x", len(tg.secret))
	big := append([]byte(`{"update_id":1,"message":{"text":"`), make([]byte, MaxWebhookBody)...)
	tests := []struct {
		name   string
		method string
		secret string
		body   []byte
		chunk  bool
		want   int
	}{
		{"missing secret", "POST", "", other, false, 401},
		{"wrong secret", "POST", "wrong", other, false, 401},
		{"wrong secret of the same length", "POST", wrongSame, other, false, 401},
		{"secret of another bot", "POST", mustNew(t, otherToken).secret, other, false, 401},
		{"oversize", "POST", tg.secret, big, false, 413},
		{"oversize without length", "POST", tg.secret, big, true, 413},
		{"not JSON", "POST", tg.secret, []byte("<html>"), false, 400},
		{"GET", "GET", tg.secret, nil, false, 405},
		{"undecodable but identified", "POST", tg.secret, []byte(`{"update_id":77,"message":{"chat":"nope"}}`), false, 200},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, "/telegram/webhook", strings.NewReader(string(tt.body)))
		if tt.chunk {
			req.ContentLength = -1
		}
		if tt.secret != "" {
			req.Header.Set(SecretHeader, tt.secret)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, w.Code, tt.want)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if got := rec.got(); len(got) != 1 || got[0].Text != "SBXJP0001" {
		t.Errorf("handled %+v, want the one good update once", got)
	}
	if len(f.sentTo(hanako.id)) != 1 {
		t.Error("a rejected call led to a reply")
	}
	stop()
	if len(seenCalls) != 2 || seenCalls[0] != seenCalls[1] || seenCalls[0] != "telegram:123456789:"+strconv.Itoa(updateID(upd)) {
		t.Errorf("FirstSeen keys %q", seenCalls)
	}
	if rec := postWebhook(t, h, tg.secret, other); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("after Run: status %d, want 503", rec.Code)
	}
	// Run again after a stop: the webhook is registered again, nothing panics.
	stop = run(t, tg)
	waitFor(t, "setWebhook again", func() bool { return len(f.callsOf("setWebhook")) == 2 })
	stop()
	stop()
}

func mustNew(t *testing.T, token string) *Telegram {
	tg, err := New(Options{Token: token}, func(context.Context, bot.Update) []bot.Message { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestWebhookFirstSeenFailureStillHandles(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	rec := &recorder{}
	tg, logs := newBot(t, f.URL(), rec.handle, func(o *Options) {
		o.WebhookURL = "https://bot.example.com/telegram/webhook"
		o.FirstSeen = func(context.Context, string) (bool, error) { return false, errors.New("store down") }
	})
	run(t, tg)
	waitFor(t, "setWebhook", func() bool { return len(f.callsOf("setWebhook")) == 1 })
	if w := postWebhook(t, tg.WebhookHandler(), tg.secret, f.messageUpdate(privateChat(hanako), hanako, "hi")); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	waitFor(t, "the update", func() bool { return len(rec.got()) == 1 })
	if !strings.Contains(logs.String(), "store down") {
		t.Error("the dedupe failure was not logged")
	}
}

// TestRunDrainsOnStop: updates accepted before the stop are handled before
// Run returns, in order per chat.
func TestRunDrainsOnStop(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	release := make(chan struct{})
	rec := &recorder{reply: func(u bot.Update) []bot.Message {
		<-release
		return nil
	}}
	tg, _ := newBot(t, f.URL(), rec.handle, func(o *Options) { o.WebhookURL = "https://bot.example.com/hook" })
	stop := run(t, tg)
	waitFor(t, "setWebhook", func() bool { return len(f.callsOf("setWebhook")) == 1 })
	h := tg.WebhookHandler()
	for _, text := range []string{"one", "two", "three"} {
		if w := postWebhook(t, h, tg.secret, f.messageUpdate(privateChat(hanako), hanako, text)); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	waitFor(t, "the first update", func() bool { return len(rec.got()) == 1 })
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	time.Sleep(20 * time.Millisecond)
	close(release)
	<-stopped
	var texts []string
	for _, u := range rec.got() {
		texts = append(texts, u.Text)
	}
	if want := []string{"one", "two", "three"}; !slices.Equal(texts, want) {
		t.Errorf("handled %q, want %q", texts, want)
	}
}

func TestRunStopsCleanly(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	f.hold = 5 * time.Second // a long poll that only ctx can cut short
	rec := &recorder{}
	tg, _ := newBot(t, f.URL(), rec.handle, nil)
	tg.pollTimeout = 30 * time.Second

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tg.Run(ctx); err != nil {
		t.Errorf("Run(done ctx) = %v", err)
	}
	for range 2 {
		stop := run(t, tg)
		waitFor(t, "a long poll", func() bool { return len(f.callsOf("getUpdates")) > 0 })
		if err := tg.Run(context.Background()); !errors.Is(err, ErrRunning) {
			t.Errorf("a second Run = %v, want ErrRunning", err)
		}
		start := time.Now()
		stop()
		stop()
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Run took %v to stop", d)
		}
		f.mu.Lock()
		f.calls = nil
		f.mu.Unlock()
	}
}

// TestPollingBacksOff: with the API failing, polls get further apart up to
// the cap instead of spinning. Time is a fake clock, so ten minutes pass at
// once.
func TestPollingBacksOff(t *testing.T) {
	for _, failure := range []cannedAnswer{badGateway, apiFailure(500, "Internal Server Error", 0), {cut: true}, apiFailure(409, "Conflict: terminated by other getUpdates request", 0)} {
		f := newFakeAPI(t, testToken, nil)
		f.failAlways("getUpdates", failure)
		tg, _ := newBot(t, f.URL(), func(context.Context, bot.Update) []bot.Message { return nil }, nil)
		tg.backoffMin, tg.backoffMax = time.Second, time.Minute
		c := newFakeClock()
		tg.clock = c
		ctx, cancel := context.WithCancel(context.Background())
		end := c.Now().Add(10 * time.Minute)
		c.onSleep = func(now time.Time) {
			if !now.Before(end) {
				cancel()
			}
		}
		done := make(chan error, 1)
		go func() { done <- tg.Run(ctx) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cancel()
			t.Fatal("the poller did not get through ten fake minutes: it is not sleeping between failures")
		}
		n := len(f.callsOf("getUpdates"))
		// 0.5-1, 1-2, ..., 16-32 s, then 30-60 s each: 6 + at most 19.
		if n < 10 || n > 26 {
			t.Errorf("%d: %d polls in ten minutes, want 10-26", failure.status, n)
		}
		s := c.slept()
		if len(s) < 8 || s[0] > time.Second || s[len(s)-1] < 30*time.Second || s[len(s)-1] > time.Minute {
			t.Errorf("%d: waits %v do not grow from 1 s to the 1 min cap", failure.status, s)
		}
	}
}

// TestPollingDoesNotSpin runs on the real clock: failing polls and empty
// answers that come back at once are both paced.
func TestPollingDoesNotSpin(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail bool
	}{{"failing", true}, {"empty at once", false}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, testToken, nil)
			f.hold = 0
			if tc.fail {
				f.failAlways("getUpdates", badGateway)
			}
			tg, _ := newBot(t, f.URL(), func(context.Context, bot.Update) []bot.Message { return nil }, nil)
			tg.backoffMin, tg.backoffMax, tg.minEmptyPoll = 20*time.Millisecond, 80*time.Millisecond, 50*time.Millisecond
			stop := run(t, tg)
			time.Sleep(500 * time.Millisecond)
			stop()
			if n := len(f.callsOf("getUpdates")); n < 3 || n > 25 {
				t.Errorf("%d polls in 500 ms, want 3-25", n)
			}
		})
	}
}

// TestPollingSkipsUndecodableUpdates: an update telebot's types cannot
// decode is skipped, and the offset moves past it.
func TestPollingSkipsUndecodableUpdates(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	rec := &recorder{}
	tg, _ := newBot(t, f.URL(), rec.handle, nil)
	run(t, tg)
	good := f.messageUpdate(privateChat(hanako), hanako, "after")
	f.queue(json.RawMessage(fmt.Sprintf(`{"update_id":%d,"message":{"message_id":"x"}}`, updateID(good)-1)), good)
	waitFor(t, "the good update", func() bool { return len(rec.got()) == 1 })
	waitFor(t, "the confirmation", func() bool {
		calls := f.callsOf("getUpdates")
		return intParam(calls[len(calls)-1].params, "offset") == int64(updateID(good)+1)
	})
}

// TestGroupBurst sends 1,000 notifications to one group: the limiter keeps
// to 20 a minute and one a second, the fake enforces the same limits on the
// same clock, and not one 429 is provoked. A burst to 300 private chats
// keeps to 30 a second.
func TestGroupBurst(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	tg, _ := newBot(t, f.URL(), func(context.Context, bot.Update) []bot.Message { return nil }, nil)
	c := onFakeClock(tg, f)
	start := c.Now()
	group := strconv.FormatInt(family.id, 10)
	for i := range 1000 {
		msg := []bot.Message{{Text: fmt.Sprintf("📦 Parcel %d is out for delivery", i)}}
		if err := tg.Send(context.Background(), group, msg, "n"+strconv.Itoa(i)); err != nil {
			t.Fatalf("notification %d: %v", i, err)
		}
	}
	if n := f.floodCount(); n != 0 {
		t.Errorf("%d sends hit flood control", n)
	}
	sent := f.sentTo(family.id)
	if len(sent) != 1000 {
		t.Fatalf("%d delivered, want 1000", len(sent))
	}
	for i := 20; i < len(sent); i++ {
		if gap := sent[i].at.Sub(sent[i-20].at); gap < time.Minute {
			t.Fatalf("21 messages within %v", gap)
		}
	}
	// Evenly spaced at 20 a minute: 999 gaps of 3 s.
	if took := c.Now().Sub(start); took != 999*3*time.Second {
		t.Errorf("the burst took %v, want 49m57s: no slower than the limits", took)
	}

	start = c.Now()
	for i := range 300 {
		if err := tg.Send(context.Background(), strconv.Itoa(2000+i), []bot.Message{{Text: "hi"}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.floodCount(); n != 0 {
		t.Errorf("%d sends hit flood control", n)
	}
	if took := c.Now().Sub(start); took < 9*time.Second || took > 10*time.Second+100*time.Millisecond {
		t.Errorf("300 chats took %v, want 9-10.1 s at 30 a second", took)
	}
}

// TestFakeEnforcesLimits makes sure the burst test would notice: without a
// limiter the fake answers 429.
func TestFakeEnforcesLimits(t *testing.T) {
	f := newFakeAPI(t, testToken, nil)
	tg, _ := newBot(t, f.URL(), func(context.Context, bot.Update) []bot.Message { return nil }, nil)
	c := onFakeClock(tg, f)
	tg.limiter = noLimit{}
	tg.sendAttempts = 1
	var se *bot.SendError
	tg.Send(context.Background(), "-100", []bot.Message{{Text: "1"}}, "")
	err := tg.Send(context.Background(), "-100", []bot.Message{{Text: "2"}}, "")
	if !errors.As(err, &se) || se.RetryAfter != time.Second || f.floodCount() != 1 {
		t.Fatalf("second message in a second: %v, want a 429 with retry_after 1", err)
	}
	for i := range 20 {
		c.Sleep(context.Background(), time.Second)
		if err := tg.Send(context.Background(), "-100", []bot.Message{{Text: strconv.Itoa(i)}}, ""); err != nil && i < 19 {
			t.Fatalf("message %d: %v", i+2, err)
		}
	}
	if f.floodCount() != 2 {
		t.Errorf("the 21st group message in a minute got through")
	}
}

type noLimit struct{}

func (noLimit) Wait(context.Context, string, bool) error { return nil }
