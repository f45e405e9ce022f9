package web

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
)

const testChat = "chat-0001_abc"

// recorder is a Handler that remembers the updates it got.
type recorder struct {
	mu      sync.Mutex
	updates []bot.Update
	reply   []bot.Message
}

func (r *recorder) handle(_ context.Context, u bot.Update) []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, u)
	return r.reply
}

func (r *recorder) got() []bot.Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Update(nil), r.updates...)
}

func newServer(t *testing.T, h Handler, tune func(*Web)) (*Web, *httptest.Server) {
	t.Helper()
	w := New(h, nil)
	if tune != nil {
		tune(w)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	t.Cleanup(w.Close) // runs first: ends streams so srv.Close does not wait
	return w, srv
}

func noReply(context.Context, bot.Update) []bot.Message { return nil }

func get(t *testing.T, url string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestPage(t *testing.T) {
	_, srv := newServer(t, noReply, nil)

	resp, body := get(t, srv.URL+"/", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / status = %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET / Content-Type = %q, want text/html; charset=utf-8", ct)
	}
	for _, want := range []string{
		`<script src="static/app.js" defer></script>`,
		`<link rel="stylesheet" href="static/app.css">`,
		`<title>Todoku 届く</title>`,
		`Paste a tracking number — try SBXJP0001`,
		`data-lang="ja"`, `data-lang="en"`, `data-lang="th"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("Content-Security-Policy = %q, want default-src 'self'", csp)
	}
	if strings.Contains(body, "http://") && !strings.Contains(body, "http://www.w3.org/2000/svg") ||
		strings.Contains(body, "https://") {
		t.Errorf("page loads something from another origin")
	}

	// The ETag lets browsers revalidate.
	resp, _ = get(t, srv.URL+"/", http.Header{"If-None-Match": {resp.Header.Get("ETag")}})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET / with its ETag: status = %d, want 304", resp.StatusCode)
	}
}

func TestAssets(t *testing.T) {
	_, srv := newServer(t, noReply, nil)
	tests := []struct {
		path     string
		status   int
		ctPrefix string
		contains string
	}{
		{"/static/app.js", 200, "text/javascript", "new EventSource("},
		{"/static/app.css", 200, "text/css", "prefers-color-scheme: dark"},
		{"/static/index.html", 404, "", ""}, // only at /
		{"/static/", 404, "", ""},
		{"/static/nope.js", 404, "", ""},
		{"/static/../web.go", 404, "", ""},
		{"/nope", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := get(t, srv.URL+tt.path, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctPrefix) {
				t.Errorf("Content-Type = %q, want %s…", ct, tt.ctPrefix)
			}
			if !strings.Contains(body, tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
		})
	}
}

// The page must never parse user or bot text as HTML.
func TestScriptNeverParsesHTML(t *testing.T) {
	js, err := assets.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(string(js), bad) {
			t.Errorf("app.js uses %s", bad)
		}
	}
}

func post(t *testing.T, url, contentType string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestMessagesRoundTrip(t *testing.T) {
	reply := []bot.Message{
		{Text: "Tracking SBXJP0001.\nI will tell you when it moves."},
		{
			Card: &bot.Card{
				Number: "SBXJP0001", Label: "phone case", Carrier: "Japan Post",
				Stage: "in_transit", StageName: "In transit", StageHelp: "On its way.",
				Step: 3, Steps: 6, Event: "Departed", EventTime: "Nov 25 14:05",
				Location: "Shenzhen", Note: "simulation",
			},
			Buttons: []bot.Button{{Label: "Stop", Data: "stop:SBXJP0001"}},
		},
	}
	tests := []struct {
		name string
		body string
		want bot.Update
	}{
		{
			name: "text",
			body: `{"chat":"` + testChat + `","text":"SBXJP0001","lang":"ja-JP"}`,
			want: bot.Update{Chat: store.ChatKey{Platform: "web", ID: testChat}, Lang: "ja-JP", Text: "SBXJP0001"},
		},
		{
			name: "button",
			body: `{"chat":"` + testChat + `","button":"stop:SBXJP0001","lang":"th"}`,
			want: bot.Update{Chat: store.ChatKey{Platform: "web", ID: testChat}, Lang: "th", Button: "stop:SBXJP0001"},
		},
		{
			name: "language command without a browser language",
			body: `{"chat":"` + testChat + `","text":"/lang en"}`,
			want: bot.Update{Chat: store.ChatKey{Platform: "web", ID: testChat}, Text: "/lang en"},
		},
		{
			name: "malformed browser language is dropped",
			body: `{"chat":"` + testChat + `","text":"hi","lang":"ja\"><b>"}`,
			want: bot.Update{Chat: store.ChatKey{Platform: "web", ID: testChat}, Text: "hi"},
		},
		{
			name: "newlines and multibyte text are kept",
			body: `{"chat":"` + testChat + `","text":"荷物は\nどこ？"}`,
			want: bot.Update{Chat: store.ChatKey{Platform: "web", ID: testChat}, Text: "荷物は\nどこ？"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: reply}
			_, srv := newServer(t, rec.handle, nil)
			resp, body := post(t, srv.URL+"/api/messages", "application/json", strings.NewReader(tt.body))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			got := rec.got()
			if len(got) != 1 || !reflect.DeepEqual(got[0], tt.want) {
				t.Fatalf("handler got %+v, want one %+v", got, tt.want)
			}
			var env struct {
				Messages []bot.Message `json:"messages"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatalf("answer %s: %v", body, err)
			}
			if !reflect.DeepEqual(env.Messages, reply) {
				t.Errorf("messages = %+v, want %+v", env.Messages, reply)
			}
		})
	}
}

func TestMessagesNoReplyIsEmptyList(t *testing.T) {
	_, srv := newServer(t, noReply, nil)
	resp, body := post(t, srv.URL+"/api/messages", "application/json",
		strings.NewReader(`{"chat":"`+testChat+`","text":"hello"}`))
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != `{"messages":[]}` {
		t.Errorf("got %d %s, want 200 {\"messages\":[]}", resp.StatusCode, body)
	}
}

// hideLength makes the client send a body without Content-Length.
type hideLength struct{ io.Reader }

func TestMessagesValidation(t *testing.T) {
	msg := func(chat, text string) string {
		b, _ := json.Marshal(map[string]string{"chat": chat, "text": text})
		return string(b)
	}
	huge := msg(testChat, strings.Repeat("a", MaxBodyBytes))
	tests := []struct {
		name        string
		method      string
		contentType string
		body        io.Reader
		status      int
		code        string
	}{
		{"GET", http.MethodGet, "", nil, 405, "method_not_allowed"},
		{"PUT", http.MethodPut, "application/json", strings.NewReader(msg(testChat, "hi")), 405, "method_not_allowed"},
		{"short chat id", "POST", "application/json", strings.NewReader(msg("abc1234", "hi")), 400, "bad_chat"},
		{"long chat id", "POST", "application/json", strings.NewReader(msg(strings.Repeat("a", 65), "hi")), 400, "bad_chat"},
		{"chat id with a slash", "POST", "application/json", strings.NewReader(msg("abcd/efgh", "hi")), 400, "bad_chat"},
		{"chat id with a colon", "POST", "application/json", strings.NewReader(msg("web:abcdefgh", "hi")), 400, "bad_chat"},
		{"missing chat id", "POST", "application/json", strings.NewReader(`{"text":"hi"}`), 400, "bad_chat"},
		{"text/plain", "POST", "text/plain", strings.NewReader(msg(testChat, "hi")), 400, "not_json"},
		{"form", "POST", "application/x-www-form-urlencoded", strings.NewReader("chat=x&text=y"), 400, "not_json"},
		{"no content type", "POST", "", strings.NewReader(msg(testChat, "hi")), 400, "not_json"},
		{"malformed JSON", "POST", "application/json", strings.NewReader(`{"chat":`), 400, "bad_json"},
		{"JSON array", "POST", "application/json", strings.NewReader(`[1,2]`), 400, "bad_json"},
		{"trailing data", "POST", "application/json", strings.NewReader(msg(testChat, "hi") + `{}`), 400, "bad_json"},
		{"oversize body", "POST", "application/json", strings.NewReader(huge), 413, "too_large"},
		{"oversize body without length", "POST", "application/json", hideLength{strings.NewReader(huge)}, 413, "too_large"},
		{"text too long", "POST", "application/json", strings.NewReader(msg(testChat, strings.Repeat("届", MaxTextRunes+1))), 400, "text_too_long"},
		{"empty", "POST", "application/json", strings.NewReader(msg(testChat, "")), 400, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			_, srv := newServer(t, rec.handle, nil)
			req, err := http.NewRequest(tt.method, srv.URL+"/api/messages", tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e apiError
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
				t.Fatalf("error body is not JSON: %v", err)
			}
			if resp.StatusCode != tt.status || e.Error != tt.code {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, e.Error, tt.status, tt.code)
			}
			if tt.status == 405 && resp.Header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q, want POST", resp.Header.Get("Allow"))
			}
			if n := len(rec.got()); n != 0 {
				t.Errorf("handler called %d times for a rejected request", n)
			}
		})
	}
}

func TestMessagesLongestTextIsAccepted(t *testing.T) {
	rec := &recorder{}
	_, srv := newServer(t, rec.handle, nil)
	text := strings.Repeat("届", MaxTextRunes) // 12 KiB of UTF-8, under the body cap
	b, _ := json.Marshal(map[string]string{"chat": testChat, "text": text})
	resp, body := post(t, srv.URL+"/api/messages", "application/json", strings.NewReader(string(b)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200; %s", resp.StatusCode, body)
	}
	if got := rec.got(); len(got) != 1 || got[0].Text != text {
		t.Errorf("handler did not get the text")
	}
}

func TestMessagesCrossOriginRefused(t *testing.T) {
	rec := &recorder{}
	_, srv := newServer(t, rec.handle, nil)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/messages",
		strings.NewReader(`{"chat":"`+testChat+`","text":"hi"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || len(rec.got()) != 0 {
		t.Errorf("cross-site POST: status %d, handler calls %d; want 403 and none", resp.StatusCode, len(rec.got()))
	}
}

func TestMessagesHandlerPanic(t *testing.T) {
	_, srv := newServer(t, func(context.Context, bot.Update) []bot.Message { panic("boom") }, nil)
	resp, body := post(t, srv.URL+"/api/messages", "application/json",
		strings.NewReader(`{"chat":"`+testChat+`","text":"hi"}`))
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), `"internal"`) {
		t.Errorf("got %d %s, want 500 internal", resp.StatusCode, body)
	}
}

// stream is one open /api/events connection.
type stream struct {
	resp   *http.Response
	r      *bufio.Reader
	cancel context.CancelFunc
}

type sse struct {
	id      uint64
	data    string
	comment string
}

// open connects to the chat's event stream and waits until the server
// has registered it. last, if set, goes in the Last-Event-ID header.
func open(t *testing.T, srv *httptest.Server, query, last string) *stream {
	t.Helper()
	s, status := tryOpen(t, srv, query, last)
	if status != http.StatusOK {
		t.Fatalf("GET /api/events?%s: status %d, want 200", query, status)
	}
	return s
}

func tryOpen(t *testing.T, srv *httptest.Server, query, last string) (*stream, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/events?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, resp.StatusCode
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q, want text/event-stream", ct)
	}
	s := &stream{resp: resp, r: bufio.NewReader(resp.Body), cancel: cancel}
	t.Cleanup(s.close)
	// The server writes its prelude after registering the stream.
	if e, err := s.read(); err != nil || e.comment != "connected" {
		t.Fatalf("stream prelude: %+v, %v", e, err)
	}
	return s, resp.StatusCode
}

func (s *stream) close() {
	s.cancel()
	s.resp.Body.Close()
}

// read returns the next event or comment.
func (s *stream) read() (sse, error) {
	var e sse
	var data []string
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return e, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if data != nil || e.comment != "" {
				e.data = strings.Join(data, "\n")
				return e, nil
			}
		case strings.HasPrefix(line, ":"):
			e.comment = strings.TrimSpace(line[1:])
		case strings.HasPrefix(line, "id: "):
			n, err := strconv.ParseUint(line[4:], 10, 64)
			if err != nil {
				return e, fmt.Errorf("bad id line %q", line)
			}
			e.id = n
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[6:])
		case strings.HasPrefix(line, "retry: "):
		default:
			return e, fmt.Errorf("unexpected line %q", line)
		}
	}
}

// next returns the next event, skipping comments, and decodes its texts.
func (s *stream) next(t *testing.T) (uint64, []string) {
	t.Helper()
	for {
		e, err := s.read()
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		if e.comment != "" {
			continue
		}
		var env struct {
			Messages []bot.Message `json:"messages"`
		}
		if err := json.Unmarshal([]byte(e.data), &env); err != nil {
			t.Fatalf("event data %q: %v", e.data, err)
		}
		var texts []string
		for _, m := range env.Messages {
			texts = append(texts, m.Text)
		}
		return e.id, texts
	}
}

// expectEnd reads until the stream ends; it fails on an event.
func (s *stream) expectEnd(t *testing.T) {
	t.Helper()
	for {
		e, err := s.read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("stream did not end cleanly: %v", err)
		}
		if e.comment == "" {
			t.Fatalf("got event %+v, want the stream to end", e)
		}
	}
}

func push(t *testing.T, w *Web, chat, key string, texts ...string) {
	t.Helper()
	var msgs []bot.Message
	for _, s := range texts {
		msgs = append(msgs, bot.Message{Text: s})
	}
	if err := w.Send(context.Background(), chat, msgs, key); err != nil {
		t.Fatalf("Send(%q): %v", texts, err)
	}
}

func TestEventsLiveAndReplay(t *testing.T) {
	w, srv := newServer(t, noReply, nil)
	s := open(t, srv, "chat="+testChat, "")

	push(t, w, testChat, "k1", "first")
	push(t, w, testChat, "k2", "second", "second b")
	id1, texts1 := s.next(t)
	id2, texts2 := s.next(t)
	if !reflect.DeepEqual(texts1, []string{"first"}) || !reflect.DeepEqual(texts2, []string{"second", "second b"}) {
		t.Fatalf("events = %q, %q; want [first], [second second b]", texts1, texts2)
	}
	if id1 == 0 || id2 <= id1 {
		t.Fatalf("ids = %d, %d; want increasing", id1, id2)
	}
	s.close()

	// A reconnect with Last-Event-ID gets only what came after it,
	// then new pushes live.
	s = open(t, srv, "chat="+testChat, strconv.FormatUint(id1, 10))
	if id, texts := s.next(t); id != id2 || texts[0] != "second" {
		t.Fatalf("replay after %d = %d %q, want %d [second …]", id1, id, texts, id2)
	}
	push(t, w, testChat, "k3", "third")
	if id, texts := s.next(t); id <= id2 || texts[0] != "third" {
		t.Fatalf("live after replay = %d %q, want > %d [third]", id, texts, id2)
	}

	// The page's first connection passes the id as ?last=.
	s2 := open(t, srv, "chat="+testChat+"&last="+strconv.FormatUint(id2, 10), "")
	if _, texts := s2.next(t); texts[0] != "third" {
		t.Fatalf("replay after ?last=%d = %q, want [third]", id2, texts)
	}
	// The header wins over the parameter (the browser's own reconnect).
	s3 := open(t, srv, "chat="+testChat+"&last=1", strconv.FormatUint(id1, 10))
	if id, _ := s3.next(t); id != id2 {
		t.Fatalf("replay with header %d and ?last=1 started at %d, want %d", id1, id, id2)
	}

	// Another chat sees none of it.
	other := open(t, srv, "chat=other-chat-1", "")
	push(t, w, "other-chat-1", "", "for other")
	if _, texts := other.next(t); texts[0] != "for other" {
		t.Fatalf("other chat got %q, want [for other]", texts)
	}
}

func TestEventsUnknownLastIDReplaysAll(t *testing.T) {
	w, srv := newServer(t, noReply, nil)
	push(t, w, testChat, "", "kept")
	// An id this chat never had (from before a restart) must not hide the
	// kept pushes.
	w.mu.Lock()
	unknown := w.seq + 1000
	w.mu.Unlock()
	s := open(t, srv, "chat="+testChat, strconv.FormatUint(unknown, 10))
	if _, texts := s.next(t); texts[0] != "kept" {
		t.Fatalf("got %q, want [kept]", texts)
	}
}

func TestSendDeduplicatesByKey(t *testing.T) {
	w, srv := newServer(t, noReply, func(w *Web) { w.keySize = 2 })
	s := open(t, srv, "chat="+testChat, "")

	push(t, w, testChat, "a", "a")
	push(t, w, testChat, "a", "a again") // retry: dropped
	push(t, w, testChat, "", "no key 1")
	push(t, w, testChat, "", "no key 2") // empty keys never collide
	push(t, w, testChat, "b", "b")
	push(t, w, testChat, "c", "c")       // forgets "a": the key set is bounded
	push(t, w, testChat, "c", "c again") // dropped
	push(t, w, testChat, "a", "a late")  // shown: "a" was forgotten
	push(t, w, "other-chat-1", "b", "b elsewhere")

	var got []string
	for range 6 {
		_, texts := s.next(t)
		got = append(got, texts...)
	}
	want := []string{"a", "no key 1", "no key 2", "b", "c", "a late"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
	w.mu.Lock()
	n := len(w.chats[testChat].Value.(*chat).keys)
	w.mu.Unlock()
	if n > 2 {
		t.Errorf("chat remembers %d keys, want at most 2", n)
	}
	s2 := open(t, srv, "chat=other-chat-1", "")
	if _, texts := s2.next(t); texts[0] != "b elsewhere" {
		t.Errorf("keys leaked across chats: got %q", texts)
	}
}

func TestRingBufferKeepsTheNewest(t *testing.T) {
	w, srv := newServer(t, noReply, func(w *Web) { w.bufferSize = 5 })
	for i := range 8 {
		push(t, w, testChat, "", strconv.Itoa(i))
	}
	s := open(t, srv, "chat="+testChat, "")
	var got []string
	for range 5 {
		_, texts := s.next(t)
		got = append(got, texts...)
	}
	if want := []string{"3", "4", "5", "6", "7"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("replay = %q, want %q", got, want)
	}
	w.mu.Lock()
	n := len(w.chats[testChat].Value.(*chat).events)
	w.mu.Unlock()
	if n != 5 {
		t.Errorf("buffer holds %d events, want 5", n)
	}
}

func TestSendErrors(t *testing.T) {
	w, srv := newServer(t, noReply, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Send(ctx, testChat, []bot.Message{{Text: "late"}}, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled context = %v, want context.Canceled", err)
	}
	if err := w.Send(context.Background(), "no", []bot.Message{{Text: "x"}}, ""); !bot.IsPermanent(err) {
		t.Errorf("Send to a malformed chat id = %v, want a permanent error", err)
	}
	if err := w.Send(context.Background(), testChat, nil, "empty"); err != nil {
		t.Errorf("Send of nothing = %v, want nil", err)
	}
	// Neither the cancelled push nor its key was kept.
	push(t, w, testChat, "k", "retried")
	s := open(t, srv, "chat="+testChat, "")
	if _, texts := s.next(t); !reflect.DeepEqual(texts, []string{"retried"}) {
		t.Fatalf("first event = %q, want [retried]", texts)
	}
	if w.Name() != "web" {
		t.Errorf("Name() = %q, want web", w.Name())
	}
	var _ bot.Platform = w
}

func TestEventsValidation(t *testing.T) {
	_, srv := newServer(t, noReply, nil)
	for _, q := range []string{"", "chat=short", "chat=" + strings.Repeat("x", 65), "chat=bad%20chat%20id"} {
		resp, _ := get(t, srv.URL+"/api/events?"+q, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /api/events?%s: status %d, want 400", q, resp.StatusCode)
		}
	}
	resp, _ := post(t, srv.URL+"/api/events?chat="+testChat, "application/json", strings.NewReader("{}"))
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/events: status %d, want 405", resp.StatusCode)
	}
}

func TestStreamsPerChatAreCapped(t *testing.T) {
	w, srv := newServer(t, noReply, func(w *Web) { w.maxStreams = 2 })
	a := open(t, srv, "chat="+testChat, "")
	open(t, srv, "chat="+testChat, "")
	if _, status := tryOpen(t, srv, "chat="+testChat, ""); status != http.StatusTooManyRequests {
		t.Fatalf("third stream: status %d, want 429", status)
	}
	open(t, srv, "chat=other-chat-1", "") // the cap is per chat

	a.close()
	waitFor(t, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.chats[testChat].Value.(*chat).streams == 1
	})
	open(t, srv, "chat="+testChat, "")
}

func TestChatsAreEvictedLeastRecentlyUsed(t *testing.T) {
	w, srv := newServer(t, noReply, func(w *Web) { w.maxChats = 3 })
	s := open(t, srv, "chat=chat-aaaa", "")
	push(t, w, "chat-bbbb", "", "b")
	push(t, w, "chat-cccc", "", "c")
	push(t, w, "chat-bbbb", "", "b2") // b is now more recent than c
	push(t, w, "chat-dddd", "", "d")  // evicts a
	push(t, w, "chat-eeee", "", "e")  // evicts c

	s.expectEnd(t) // the evicted chat's stream ends; its page reconnects
	w.mu.Lock()
	var kept []string
	for el := w.lru.Front(); el != nil; el = el.Next() {
		kept = append(kept, el.Value.(*chat).id)
	}
	n := len(w.chats)
	w.mu.Unlock()
	if want := []string{"chat-eeee", "chat-dddd", "chat-bbbb"}; !reflect.DeepEqual(kept, want) || n != 3 {
		t.Fatalf("kept %q (%d in map), want %q", kept, n, want)
	}
	b := open(t, srv, "chat=chat-bbbb", "")
	if _, texts := b.next(t); texts[0] != "b" {
		t.Fatalf("kept chat lost its pushes: %q", texts)
	}
}

func TestHeartbeat(t *testing.T) {
	_, srv := newServer(t, noReply, func(w *Web) { w.heartbeat = 10 * time.Millisecond })
	s := open(t, srv, "chat="+testChat, "")
	for range 2 {
		e, err := s.read()
		if err != nil || e.comment != "ping" {
			t.Fatalf("got %+v, %v; want a ping comment", e, err)
		}
	}
}

func TestCloseEndsStreams(t *testing.T) {
	w, srv := newServer(t, noReply, nil)
	a := open(t, srv, "chat="+testChat, "")
	b := open(t, srv, "chat=other-chat-1", "")
	w.Close()
	a.expectEnd(t)
	b.expectEnd(t)
	w.Close() // twice is fine

	if _, status := tryOpen(t, srv, "chat="+testChat, ""); status != http.StatusServiceUnavailable {
		t.Errorf("stream after Close: status %d, want 503", status)
	}
	// Pushes after Close are still accepted.
	push(t, w, testChat, "", "after close")
	waitFor(t, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for el := w.lru.Front(); el != nil; el = el.Next() {
			if el.Value.(*chat).streams != 0 {
				return false
			}
		}
		return true
	})
}

func TestClientLeavingReleasesStream(t *testing.T) {
	w, srv := newServer(t, noReply, nil)
	for range 10 { // more than maxStreams: each one must be released
		s := open(t, srv, "chat="+testChat, "")
		s.close()
		waitFor(t, func() bool {
			w.mu.Lock()
			defer w.mu.Unlock()
			return w.chats[testChat].Value.(*chat).streams == 0
		})
	}
}

// TestConcurrentSendsAndStreams is meant for -race: many senders and
// streams on a few chats; every stream sees every push of its chat once,
// in order.
func TestConcurrentSendsAndStreams(t *testing.T) {
	w, srv := newServer(t, noReply, nil)
	chats := []string{"race-chat-0", "race-chat-1", "race-chat-2"}
	const senders, perSender = 6, 30 // each sender pushes perSender to every chat

	type result struct {
		chat string
		n    int
		err  error
	}
	results := make(chan result, len(chats)*2)
	var readers sync.WaitGroup
	for _, c := range chats {
		for range 2 {
			s := open(t, srv, "chat="+c, "")
			readers.Go(func() {
				var last uint64
				seen := map[string]bool{}
				for len(seen) < senders*perSender {
					e, err := s.read()
					if err != nil {
						results <- result{c, len(seen), err}
						return
					}
					if e.comment != "" {
						continue
					}
					if e.id <= last {
						results <- result{c, len(seen), fmt.Errorf("id %d after %d", e.id, last)}
						return
					}
					last = e.id
					var env envelope
					if err := json.Unmarshal([]byte(e.data), &env); err != nil {
						results <- result{c, len(seen), err}
						return
					}
					text := env.Messages[0].Text
					if !strings.HasPrefix(text, c+"/") || seen[text] {
						results <- result{c, len(seen), fmt.Errorf("unexpected %q", text)}
						return
					}
					seen[text] = true
				}
				results <- result{c, len(seen), nil}
			})
		}
	}

	// Streams that come and go meanwhile.
	var churn sync.WaitGroup
	stop := make(chan struct{})
	for i := range 3 {
		churn.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				churnOnce(t, srv, chats[i])
			}
		})
	}

	var sends sync.WaitGroup
	for g := range senders {
		sends.Go(func() {
			for i := range perSender {
				for _, c := range chats {
					text := fmt.Sprintf("%s/%d/%d", c, g, i)
					// Every push is sent twice with its key: shown once.
					for range 2 {
						if err := w.Send(context.Background(), c, []bot.Message{{Text: text}}, text); err != nil {
							t.Errorf("Send: %v", err)
						}
					}
				}
			}
		})
	}
	sends.Wait()
	readers.Wait()
	close(stop)
	churn.Wait()
	close(results)
	for r := range results {
		if r.err != nil || r.n != senders*perSender {
			t.Errorf("stream of %s saw %d pushes (err %v), want %d", r.chat, r.n, r.err, senders*perSender)
		}
	}
}

// churnOnce opens a stream, reads what comes for a moment, and leaves. It
// may run outside the test goroutine, so it does not stop the test.
func churnOnce(t *testing.T, srv *httptest.Server, chat string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/events?chat="+chat, nil)
	if err != nil {
		t.Error(err)
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return // timed out before the answer
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("churn stream: status %d", resp.StatusCode)
	}
	_, _ = io.Copy(io.Discard, resp.Body) // until the timeout
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestUIStringsComeFromTheCatalog(t *testing.T) {
	srv := httptest.NewServer(New(func(context.Context, bot.Update) []bot.Message { return nil }, nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/ui")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Langs() {
		p := i18n.For(lang)
		for name, key := range uiKeys {
			if !i18n.Has(key) {
				t.Errorf("page string %s: catalog has no key %s", name, key)
			}
			if got[lang][name] != p.T(key) || got[lang][name] == "" {
				t.Errorf("%s %s = %q, want %q", lang, name, got[lang][name], p.T(key))
			}
		}
		prog := got[lang]["progress"]
		if !strings.Contains(prog, "{0}") || !strings.Contains(prog, "{1}") || strings.Contains(prog, "%!") {
			t.Errorf("%s progress = %q, want both placeholders", lang, prog)
		}
	}
	// Every string the page asks for is served.
	js, err := fs.ReadFile(assets, "static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\bt\("([A-Za-z]+)"`).FindAllSubmatch(js, -1) {
		if _, ok := got[i18n.English][string(m[1])]; !ok {
			t.Errorf("app.js uses t(%q), which /api/ui does not serve", m[1])
		}
	}
}
