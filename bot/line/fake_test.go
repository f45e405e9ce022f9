package line

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// clock is a test clock that only moves when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// replyTokenTTL is how long the fake honours a reply token.
const replyTokenTTL = time.Minute

// fakeLINE is a Messaging API server that speaks LINE's wire format and
// checks every request against the published API description and LINE's
// documented limits. A request the real platform would refuse gets LINE's
// 400 answer and is recorded as a violation, which fails the test unless
// the test expects it.
type fakeLINE struct {
	t     testing.TB
	spec  *openAPI
	token string
	clock *clock

	mu         sync.Mutex
	tokens     map[string]*replyToken
	keys       map[string]bool // retry keys accepted
	blocked    map[string]bool
	profiles   map[string]string // user → language, "" for none shared
	limit      int64             // monthly target, -1 for none
	used       int64
	rateLimit  int  // the next pushes to answer 429
	monthly    bool // pushes are over the monthly limit
	fail       int  // answer every request with this status
	leak       bool // error answers echo the Authorization header
	replies    []delivery
	pushes     []delivery
	requests   []string // "METHOD path"
	violations []string
	expect     bool // violations are expected
	changed    chan struct{}
}

type replyToken struct {
	chat   string
	issued time.Time
	used   bool
}

// delivery is one accepted reply or push.
type delivery struct {
	chat     string
	key      string
	messages []map[string]any
}

func newFakeLINE(t testing.TB, token string, c *clock) (*fakeLINE, *httptest.Server) {
	f := &fakeLINE{
		t: t, spec: loadSpec(t, "line-messaging-api.yml"), token: token, clock: c,
		tokens: map[string]*replyToken{}, keys: map[string]bool{}, blocked: map[string]bool{},
		profiles: map[string]string{}, limit: 200, changed: make(chan struct{}),
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.expect {
			for _, v := range f.violations {
				t.Errorf("LINE would refuse a request: %s", v)
			}
		}
	})
	return f, srv
}

// issue returns a fresh reply token for an event in chat.
func (f *fakeLINE) issue(chat string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[tok] = &replyToken{chat: chat, issued: f.clock.now()}
	return tok
}

// wait blocks until cond holds, checked after every request.
func (f *fakeLINE) wait(t testing.TB, what string, cond func(f *fakeLINE) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		f.mu.Lock()
		ok, ch := cond(f), f.changed
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (f *fakeLINE) snapshot() (replies, pushes []delivery, requests []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]delivery(nil), f.replies...), append([]delivery(nil), f.pushes...), append([]string(nil), f.requests...)
}

func (f *fakeLINE) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer func() {
		close(f.changed)
		f.changed = make(chan struct{})
		f.mu.Unlock()
	}()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)

	if r.Header.Get("Authorization") != "Bearer "+f.token {
		f.answer(w, r, http.StatusUnauthorized, "Authentication failed. Confirm that the access token in the authorization header is valid.")
		return
	}
	tmpl, op, ok := f.spec.operation(r.Method, r.URL.Path)
	if !ok {
		f.violation("%s %s is not in the Messaging API", r.Method, r.URL.Path)
		f.answer(w, r, http.StatusNotFound, "Not found")
		return
	}
	if f.fail != 0 {
		f.answer(w, r, f.fail, "Internal server error")
		return
	}
	if sc := requestSchema(op); sc != nil {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			f.violation("%s: Content-Type %q", tmpl, ct)
		}
		problems := f.spec.checkJSON(sc, body)
		problems = append(problems, limits(body)...)
		if len(problems) > 0 {
			for _, p := range problems {
				f.violation("%s: %s", tmpl, p)
			}
			f.answer(w, r, http.StatusBadRequest, fmt.Sprintf("The request body has %d error(s)", len(problems)))
			return
		}
	}
	switch tmpl {
	case "/v2/bot/message/reply":
		f.reply(w, r, body)
	case "/v2/bot/message/push":
		f.push(w, r, body)
	case "/v2/bot/message/quota":
		if f.limit < 0 {
			writeJSON(w, http.StatusOK, map[string]any{"type": "none"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"type": "limited", "value": f.limit})
	case "/v2/bot/message/quota/consumption":
		writeJSON(w, http.StatusOK, map[string]any{"totalUsage": f.used})
	case "/v2/bot/profile/{userId}":
		user := strings.TrimPrefix(r.URL.Path, "/v2/bot/profile/")
		lang, ok := f.profiles[user]
		if !ok {
			f.answer(w, r, http.StatusNotFound, "Not found")
			return
		}
		p := map[string]any{"displayName": "LINE user", "userId": user}
		if lang != "" {
			p["language"] = lang
		}
		writeJSON(w, http.StatusOK, p)
	default:
		f.violation("%s %s: the fake does not serve it; the adapter should not call it", r.Method, tmpl)
		f.answer(w, r, http.StatusNotFound, "Not found")
	}
}

func (f *fakeLINE) reply(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		ReplyToken string           `json:"replyToken"`
		Messages   []map[string]any `json:"messages"`
	}
	_ = json.Unmarshal(body, &req)
	tok, ok := f.tokens[req.ReplyToken]
	if !ok || tok.used || f.clock.now().Sub(tok.issued) > replyTokenTTL {
		f.answer(w, r, http.StatusBadRequest, "Invalid reply token")
		return
	}
	tok.used = true
	f.replies = append(f.replies, delivery{chat: tok.chat, messages: req.Messages})
	writeJSON(w, http.StatusOK, map[string]any{"sentMessages": sent(len(req.Messages))})
}

func (f *fakeLINE) push(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		To       string           `json:"to"`
		Messages []map[string]any `json:"messages"`
	}
	_ = json.Unmarshal(body, &req)
	key, hasKey := r.Header["X-Line-Retry-Key"]
	if hasKey && !uuidRE.MatchString(key[0]) {
		f.violation("push: X-Line-Retry-Key %q is not a UUID", key[0])
		f.answer(w, r, http.StatusBadRequest, "The value for the 'X-Line-Retry-Key' header is invalid")
		return
	}
	k := ""
	if hasKey {
		k = strings.ToLower(key[0])
	}
	switch {
	case k != "" && f.keys[k]:
		w.Header().Set("X-Line-Accepted-Request-Id", "55a2a3c8-7c5b-4c1a-9a38-3b1f6b4c1f10")
		f.answer(w, r, http.StatusConflict, "The retry key is already accepted")
		return
	case f.rateLimit > 0:
		f.rateLimit--
		f.answer(w, r, http.StatusTooManyRequests, "Too many requests")
		return
	case f.monthly || (f.limit >= 0 && f.used >= f.limit):
		f.answer(w, r, http.StatusTooManyRequests, "You have reached your monthly limit.")
		return
	case f.blocked[req.To]:
		f.answer(w, r, http.StatusForbidden, "The user has blocked the account or is not a friend")
		return
	}
	if k != "" {
		f.keys[k] = true
	}
	f.used++
	f.pushes = append(f.pushes, delivery{chat: req.To, key: k, messages: req.Messages})
	writeJSON(w, http.StatusOK, map[string]any{"sentMessages": sent(len(req.Messages))})
}

func (f *fakeLINE) violation(format string, args ...any) {
	f.violations = append(f.violations, fmt.Sprintf(format, args...))
}

// answer writes LINE's error body. With leak set it echoes the bearer
// token, as a careless proxy might, to prove the adapter hides it.
func (f *fakeLINE) answer(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if f.leak {
		msg += " (" + r.Header.Get("Authorization") + ")"
	}
	writeJSON(w, status, map[string]any{"message": msg})
}

func sent(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"id": fmt.Sprint(461230966842064897 + i)}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// limits checks LINE's documented limits that the API description does not
// state: text ≤ 5,000 characters, altText ≤ 400, action labels ≤ 20,
// displayText ≤ 300, quick reply items of type "action" with a label,
// Flex text and button shapes, bubble ≤ 30 KB and carousel ≤ 12 bubbles
// and 50 KB. Lengths count UTF-16 units, as LINE does.
func limits(body []byte) []string {
	var req struct {
		Messages []map[string]any `json:"messages"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil // reported by the schema check
	}
	var errs []string
	bad := func(at, format string, args ...any) {
		errs = append(errs, at+": "+fmt.Sprintf(format, args...))
	}
	u16 := func(v any) int { s, _ := v.(string); return len(utf16.Encode([]rune(s))) }
	var action func(at string, a map[string]any, needLabel bool)
	action = func(at string, a map[string]any, needLabel bool) {
		if a == nil {
			bad(at, "no action")
			return
		}
		if n := u16(a["label"]); n > 20 || (needLabel && n == 0) {
			bad(at+".label", "%d characters, want 1 to 20", n)
		}
		if n := u16(a["displayText"]); n > 300 {
			bad(at+".displayText", "%d characters, at most 300", n)
		}
	}
	var component func(at string, c map[string]any, depth int)
	component = func(at string, c map[string]any, depth int) {
		if depth > 10 {
			bad(at, "boxes nested too deep")
		}
		switch c["type"] {
		case "box":
			for i, x := range items(c["contents"]) {
				component(fmt.Sprintf("%s.contents[%d]", at, i), mapOf(x), depth+1)
			}
		case "text":
			if u16(c["text"]) == 0 && len(items(c["contents"])) == 0 {
				bad(at, "a text component needs text")
			}
		case "button":
			action(at+".action", mapOf(c["action"]), true)
		}
	}
	bubble := func(at string, b map[string]any) {
		if raw, _ := json.Marshal(b); len(raw) > 30<<10 {
			bad(at, "bubble is %d bytes, at most 30 KB", len(raw))
		}
		for _, part := range []string{"header", "hero", "body", "footer"} {
			if p := mapOf(b[part]); p != nil {
				component(at+"."+part, p, 0)
			}
		}
	}
	for i, m := range req.Messages {
		at := fmt.Sprintf("$.messages[%d]", i)
		switch m["type"] {
		case "text":
			if n := u16(m["text"]); n == 0 || n > 5000 {
				bad(at+".text", "%d characters, want 1 to 5000", n)
			}
		case "flex":
			if n := u16(m["altText"]); n == 0 || n > 400 {
				bad(at+".altText", "%d characters, want 1 to 400", n)
			}
			c := mapOf(m["contents"])
			switch c["type"] {
			case "bubble":
				bubble(at+".contents", c)
			case "carousel":
				bs := items(c["contents"])
				if len(bs) == 0 || len(bs) > 12 {
					bad(at+".contents", "%d bubbles, want 1 to 12", len(bs))
				}
				if raw, _ := json.Marshal(c); len(raw) > 50<<10 {
					bad(at+".contents", "carousel is %d bytes, at most 50 KB", len(raw))
				}
				for j, b := range bs {
					bubble(fmt.Sprintf("%s.contents.contents[%d]", at, j), mapOf(b))
				}
			}
		}
		if qr := mapOf(m["quickReply"]); qr != nil {
			for j, it := range items(qr["items"]) {
				item := mapOf(it)
				if item["type"] != "action" {
					bad(fmt.Sprintf("%s.quickReply.items[%d].type", at, j), "%v, want action", item["type"])
				}
				action(fmt.Sprintf("%s.quickReply.items[%d].action", at, j), mapOf(item["action"]), true)
			}
		}
	}
	return errs
}
