package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI is a Bot API server for tests. It speaks the documented wire
// format, checks every request against the shared spec (a request the real
// API would refuse fails the test), enforces the documented flood limits on
// its clock, and fails on demand: 429 with retry_after, 403 for blocked
// chats, a proxy's HTML 502 page, a cut connection.
type fakeAPI struct {
	t     testing.TB
	spec  *apiSpec
	token string
	srv   *httptest.Server
	now   func() time.Time
	// slack loosens the flood limits for tests on the real clock, where a
	// request arrives a little after the limiter let it go.
	slack  time.Duration
	limits Limits
	// light keeps no record of calls (only of sent messages), for
	// benchmarks that send many.
	light bool
	hold  time.Duration // longest wait of a long poll

	mu          sync.Mutex
	violations  []string
	calls       []apiCall
	updates     []json.RawMessage // not yet confirmed, by increasing update_id
	nextUpdate  int
	nextMessage int
	nextQuery   int
	queries     map[string]bool // callback query IDs handed out
	changed     chan struct{}   // closed and replaced when an update is queued
	sent        []sentMessage
	answers     []answerCallbackParams
	commands    map[string][]botCommand // by language_code, "" for the default
	webhook     []setWebhookParams
	chatTypes   map[int64]string
	blocked     map[int64]string          // chat → 403 description
	failures    map[string][]cannedAnswer // method → answers to give next
	always      map[string]cannedAnswer   // method → answer to give every time
	refuseHTML  int                       // HTML messages to refuse with "can't parse entities"
	// sendHook, when set, may answer the n-th sendMessage (from 0)
	// instead of the fake.
	sendHook  func(n int) (cannedAnswer, bool)
	sendCalls int
	floods    int            // 429s the flood limits caused
	floodsBy  map[string]int // of them, by the limit broken first: global, chat, group
}

type apiCall struct {
	method string
	params map[string]json.RawMessage
	at     time.Time
}

type sentMessage struct {
	chat      int64
	id        int
	html      string // the text as sent
	text      string // the text as the user sees it
	parseMode string
	keyboard  [][]inlineButton
	replyTo   int
	at        time.Time
}

// cannedAnswer is a failure the fake gives instead of serving a call.
type cannedAnswer struct {
	status      int
	contentType string
	body        string
	cut         bool // close the connection without an answer
}

func apiFailure(code int, description string, retryAfter int) cannedAnswer {
	body := map[string]any{"ok": false, "error_code": code, "description": description}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	b, _ := json.Marshal(body)
	return cannedAnswer{status: code, contentType: "application/json", body: string(b)}
}

// badGateway is what a proxy in front of the API answers when the API is
// down: an HTML page, not a Bot API answer.
var badGateway = cannedAnswer{status: http.StatusBadGateway, contentType: "text/html",
	body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"}

const (
	blockedByUser = "Forbidden: bot was blocked by the user"
	kickedOut     = "Forbidden: bot was kicked from the supergroup chat"
)

func newFakeAPI(t testing.TB, token string, now func() time.Time) *fakeAPI {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	f := &fakeAPI{
		t: t, spec: loadSpec(t), token: token, now: now, limits: DefaultLimits(),
		hold: 100 * time.Millisecond, nextUpdate: 500000, nextMessage: 1,
		queries: map[string]bool{}, changed: make(chan struct{}),
		commands: map[string][]botCommand{}, chatTypes: map[int64]string{}, blocked: map[int64]string{},
		failures: map[string][]cannedAnswer{}, always: map[string]cannedAnswer{}, floodsBy: map[string]int{},
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(func() {
		f.srv.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, v := range f.violations {
			t.Errorf("fake Bot API: %s", v)
		}
	})
	return f
}

func (f *fakeAPI) URL() string { return f.srv.URL }

func (f *fakeAPI) violate(format string, args ...any) {
	f.violations = append(f.violations, fmt.Sprintf(format, args...))
}

func writeAnswer(w http.ResponseWriter, a cannedAnswer) {
	if a.cut {
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("fake Bot API: cannot hijack")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func writeResult(w http.ResponseWriter, result any) {
	b, err := json.Marshal(map[string]any{"ok": true, "result": result})
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := f.now() // flood limits count requests as they arrive
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+f.token+"/")
	if !ok {
		writeAnswer(w, apiFailure(http.StatusUnauthorized, "Unauthorized", 0))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	f.mu.Lock()
	if _, known := f.spec.Methods[method]; !known {
		f.violate("%s: no such method", method)
		f.mu.Unlock()
		writeAnswer(w, apiFailure(http.StatusNotFound, "Not Found", 0))
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		f.violate("%s: sent as %s %s, want a POST of JSON", method, r.Method, r.Header.Get("Content-Type"))
	}
	var params map[string]json.RawMessage
	if err := json.Unmarshal(body, &params); err != nil {
		f.violate("%s: body is not a JSON object: %v", method, err)
		f.mu.Unlock()
		writeAnswer(w, apiFailure(http.StatusBadRequest, "Bad Request: invalid JSON", 0))
		return
	}
	if errs := f.spec.checkRequest(method, params); len(errs) > 0 {
		f.violate("%s: request breaks the spec: %q", method, errs)
		f.mu.Unlock()
		writeAnswer(w, apiFailure(http.StatusBadRequest, "Bad Request: "+errs[0], 0))
		return
	}
	if !f.light {
		f.calls = append(f.calls, apiCall{method: method, params: params, at: arrived})
	}
	if a, ok := f.always[method]; ok {
		f.mu.Unlock()
		writeAnswer(w, a)
		return
	}
	if q := f.failures[method]; len(q) > 0 {
		f.failures[method] = q[1:]
		f.mu.Unlock()
		writeAnswer(w, q[0])
		return
	}
	switch method {
	case "getUpdates":
		f.mu.Unlock()
		f.getUpdates(w, r, params)
		return
	case "sendMessage":
		a, result := f.sendMessage(params, arrived)
		f.mu.Unlock()
		if result != nil {
			writeResult(w, result)
		} else {
			writeAnswer(w, a)
		}
		return
	case "answerCallbackQuery":
		var a answerCallbackParams
		mustDecode(params, &a)
		if !f.queries[a.CallbackQueryID] {
			f.mu.Unlock()
			writeAnswer(w, apiFailure(400, "Bad Request: query is too old and response timeout expired or query ID is invalid", 0))
			return
		}
		delete(f.queries, a.CallbackQueryID)
		f.answers = append(f.answers, a)
	case "setMyCommands":
		var p setMyCommandsParams
		mustDecode(params, &p)
		f.commands[p.LanguageCode] = p.Commands
	case "setWebhook":
		var p setWebhookParams
		mustDecode(params, &p)
		f.webhook = append(f.webhook, p)
	case "deleteWebhook":
	default:
		f.violate("%s: the fake does not serve it", method)
	}
	f.mu.Unlock()
	writeResult(w, true)
}

func mustDecode(params map[string]json.RawMessage, v any) {
	b, _ := json.Marshal(params)
	if err := json.Unmarshal(b, v); err != nil {
		panic(err)
	}
}

func intParam(params map[string]json.RawMessage, name string) int64 {
	raw := strings.Trim(string(params[name]), `"`)
	n, _ := strconv.ParseInt(raw, 10, 64)
	return n
}

func (f *fakeAPI) getUpdates(w http.ResponseWriter, r *http.Request, params map[string]json.RawMessage) {
	offset := int(intParam(params, "offset"))
	limit := int(intParam(params, "limit"))
	if limit == 0 {
		limit = 100
	}
	timeout := time.Duration(intParam(params, "timeout")) * time.Second
	deadline := time.NewTimer(min(timeout, f.hold))
	defer deadline.Stop()
	for {
		f.mu.Lock()
		// Calling with an offset confirms every update before it.
		for len(f.updates) > 0 && updateID(f.updates[0]) < offset {
			f.updates = f.updates[1:]
		}
		batch := f.updates[:min(limit, len(f.updates))]
		changed := f.changed
		f.mu.Unlock()
		if len(batch) > 0 || timeout == 0 {
			writeResult(w, batch)
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			timeout = 0
		case <-r.Context().Done():
			return
		}
	}
}

func updateID(raw json.RawMessage) int {
	var u struct {
		ID int `json:"update_id"`
	}
	json.Unmarshal(raw, &u)
	return u.ID
}

// sendMessage serves sendMessage with f.mu held: the answer to give, or the
// sent Message as the result.
func (f *fakeAPI) sendMessage(params map[string]json.RawMessage, now time.Time) (cannedAnswer, map[string]any) {
	var p sendMessageParams
	mustDecode(params, &p)
	n := f.sendCalls
	f.sendCalls++
	if f.sendHook != nil {
		if a, ok := f.sendHook(n); ok {
			return a, nil
		}
	}
	if desc, ok := f.blocked[p.ChatID]; ok {
		return apiFailure(http.StatusForbidden, desc, 0), nil
	}
	text := p.Text
	if p.ParseMode == "HTML" {
		if f.refuseHTML > 0 {
			f.refuseHTML--
			return apiFailure(400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0", 0), nil
		}
		text, _ = parseHTML(p.Text) // the spec check has vetted it
	}
	if wait := f.floodWait(p.ChatID, now); wait > 0 {
		f.floods++
		secs := int(math.Ceil(wait.Seconds()))
		return apiFailure(http.StatusTooManyRequests, fmt.Sprintf("Too Many Requests: retry after %d", secs), secs), nil
	}
	m := sentMessage{chat: p.ChatID, id: f.nextMessage, html: p.Text, text: text, parseMode: p.ParseMode, at: now}
	f.nextMessage++
	if p.ReplyMarkup != nil {
		m.keyboard = p.ReplyMarkup.Rows
	}
	if p.ReplyParameters != nil {
		m.replyTo = p.ReplyParameters.MessageID
	}
	f.sent = append(f.sent, m)
	typ := f.chatType(p.ChatID)
	result := map[string]any{
		"message_id": m.id, "date": now.Unix(), "text": text,
		"chat": map[string]any{"id": p.ChatID, "type": typ},
		"from": map[string]any{"id": 123456789, "is_bot": true, "first_name": "Todoku", "username": "todoku_bot"},
	}
	if p.ReplyMarkup != nil {
		result["reply_markup"] = p.ReplyMarkup
	}
	if !f.light {
		b, _ := json.Marshal(result)
		if errs := f.spec.checkType("result", "Message", b); len(errs) > 0 {
			f.violate("the fake's own sendMessage result breaks the spec: %q", errs)
		}
	}
	return cannedAnswer{}, result
}

// floodWait applies the limits to one more message to chat arriving at
// now, and returns how long the sender should have waited; 0 lets it
// through. Each limit is a sliding window over the arrival times of the
// messages let through (those answered 429 do not count): the message is
// refused when N were let through in the Per before it, overall (30 a
// second), to the chat (1 a second) or to the group (20 a minute).
// Telegram documents these limits as approximate ("about 30 messages per
// second") and tolerates short bursts; a strict sliding window on
// arrival is the harshest reading of them, so a sender that never gets a
// 429 here stays within them at the API's door, whatever the bursts
// Telegram would forgive. Messages are kept in the order they were
// served, which may differ from their arrival by the time a request
// waits for the fake's lock; the scan looks that much further back.
func (f *fakeAPI) floodWait(chat int64, now time.Time) time.Duration {
	const disorder = 5 * time.Millisecond
	var wait time.Duration
	check := func(w Window, match func(sentMessage) bool) {
		n := 0
		for i := len(f.sent) - 1; i >= 0; i-- {
			s := f.sent[i]
			if now.Sub(s.at) >= w.Per-f.slack+disorder {
				break
			}
			if now.Sub(s.at) < w.Per-f.slack && match(s) {
				n++
				if n == w.N {
					wait = max(wait, w.Per-now.Sub(s.at))
					return
				}
			}
		}
	}
	check(f.limits.Global, func(sentMessage) bool { return true })
	if wait > 0 {
		f.floodsBy["global"]++
		return wait
	}
	check(f.limits.Chat, func(s sentMessage) bool { return s.chat == chat })
	if wait > 0 {
		f.floodsBy["chat"]++
		return wait
	}
	if chat < 0 {
		check(f.limits.Group, func(s sentMessage) bool { return s.chat == chat })
		if wait > 0 {
			f.floodsBy["group"]++
		}
	}
	return wait
}

func (f *fakeAPI) chatType(id int64) string {
	if typ, ok := f.chatTypes[id]; ok {
		return typ
	}
	if id < 0 {
		return "supergroup"
	}
	return "private"
}

// Test people and chats.
type person struct {
	id   int64
	lang string
	name string
}

type chatRef struct {
	id    int64
	typ   string
	title string
}

func privateChat(p person) chatRef { return chatRef{id: p.id, typ: "private"} }

func (f *fakeAPI) chatJSON(c chatRef) map[string]any {
	f.chatTypes[c.id] = c.typ
	m := map[string]any{"id": c.id, "type": c.typ}
	if c.title != "" {
		m["title"] = c.title
	}
	return m
}

func userJSON(p person) map[string]any {
	m := map[string]any{"id": p.id, "is_bot": false, "first_name": p.name}
	if p.lang != "" {
		m["language_code"] = p.lang
	}
	return m
}

// messageUpdate builds the update of p writing text in chat, with the
// bot_command entity Telegram adds to commands.
func (f *fakeAPI) messageUpdate(c chatRef, p person, text string) json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextUpdate++
	msg := map[string]any{
		"message_id": f.nextMessage, "date": f.now().Unix(),
		"chat": f.chatJSON(c), "from": userJSON(p), "text": text,
	}
	f.nextMessage++
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		msg["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": units(cmd)}}
	}
	return f.checked(map[string]any{"update_id": f.nextUpdate, "message": msg})
}

// pressUpdate builds the update of p pressing the button with data under
// the bot's message msgID in chat.
func (f *fakeAPI) pressUpdate(c chatRef, p person, msgID int, data string) json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextUpdate++
	f.nextQuery++
	id := fmt.Sprintf("%d%06d", p.id, f.nextQuery)
	f.queries[id] = true
	msg := map[string]any{
		"message_id": msgID, "date": f.now().Unix(), "chat": f.chatJSON(c), "text": "…",
		"from": map[string]any{"id": 123456789, "is_bot": true, "first_name": "Todoku"},
	}
	return f.checked(map[string]any{"update_id": f.nextUpdate, "callback_query": map[string]any{
		"id": id, "from": userJSON(p), "message": msg, "chat_instance": "-77" + strconv.FormatInt(c.id, 10), "data": data,
	}})
}

// checked encodes an update the fake made up and checks it against the
// spec too, so that tests feed the adapter what Telegram would.
func (f *fakeAPI) checked(u map[string]any) json.RawMessage {
	b, err := json.Marshal(u)
	if err != nil {
		panic(err)
	}
	if errs := f.spec.checkType("update", "Update", b); len(errs) > 0 {
		f.violate("a test update breaks the spec: %q", errs)
	}
	return b
}

// queue makes updates available to getUpdates.
func (f *fakeAPI) queue(updates ...json.RawMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, updates...)
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeAPI) fail(method string, answers ...cannedAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[method] = append(f.failures[method], answers...)
}

func (f *fakeAPI) failAlways(method string, a cannedAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.always[method] = a
}

func (f *fakeAPI) block(chat int64, description string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blocked[chat] = description
}

func (f *fakeAPI) sentTo(chat int64) []sentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []sentMessage
	for _, s := range f.sent {
		if s.chat == chat {
			out = append(out, s)
		}
	}
	return out
}

func (f *fakeAPI) callsOf(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeAPI) answered() []answerCallbackParams {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]answerCallbackParams(nil), f.answers...)
}

func (f *fakeAPI) floodCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.floods
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// postWebhook delivers an update the way Telegram calls a webhook.
func postWebhook(t testing.TB, h http.Handler, secret string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
