package web

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
)

// Handler answers one update with the replies to show; it is the bot core's
// router.
type Handler func(ctx context.Context, u bot.Update) []bot.Message

// Platform is the platform ID of playground chats in store.ChatKey.
const Platform = "web"

// Limits of the playground.
const (
	// MaxBodyBytes bounds the body of one POST /api/messages.
	MaxBodyBytes = 16 << 10
	// MaxTextRunes bounds the text (and button data) of one message.
	MaxTextRunes = 4096

	minChatID  = 8
	maxChatID  = 64
	maxLangLen = 35

	defaultBuffer    = 200   // pushes kept per chat for replay
	defaultKeys      = 256   // idempotency keys remembered per chat
	defaultStreams   = 4     // event streams per chat
	defaultChats     = 10000 // chats kept in memory
	defaultHeartbeat = 20 * time.Second
	writeTimeout     = 10 * time.Second
	clientRetry      = 3 * time.Second
)

//go:embed static
var assets embed.FS

// Web serves the playground page and its API, and delivers pushes to the
// page. It implements bot.Platform. Call Close when the server shuts down
// (http.Server.RegisterOnShutdown) so open event streams end.
type Web struct {
	handle Handler
	log    *slog.Logger
	mux    *http.ServeMux
	etags  map[string]string // asset path → ETag

	// Limits; tests shrink them.
	bufferSize int
	keySize    int
	maxStreams int
	maxChats   int
	heartbeat  time.Duration

	mu     sync.Mutex
	chats  map[string]*list.Element // chat ID → element of lru holding *chat
	lru    *list.List               // front: most recently used
	seq    uint64                   // last event ID handed out
	closed bool
	done   chan struct{} // closed by Close
}

// event is one push, encoded once.
type event struct {
	id   uint64
	data []byte // {"messages":[...]}
}

// chat is the in-memory state of one playground chat. Guarded by Web.mu.
type chat struct {
	id      string
	events  []event // oldest first, ids increasing, at most bufferSize
	latest  uint64  // id of the newest event ever added, 0 if none
	keys    map[string]struct{}
	keyRing []string // keys in insertion order, at most keySize
	keyNext int      // oldest slot of keyRing once full
	streams int
	notify  chan struct{} // closed (and replaced) on every push
	gone    bool          // evicted: its streams end
}

// envelope is the JSON body of replies and pushes.
type envelope struct {
	Messages []bot.Message `json:"messages"`
}

// request is the JSON body of POST /api/messages.
type request struct {
	Chat   string `json:"chat"`
	Text   string `json:"text"`
	Button string `json:"button"`
	Lang   string `json:"lang"`
}

// apiError is the JSON body of a failed API call.
type apiError struct {
	Error   string `json:"error"`   // stable code, e.g. "text_too_long"
	Message string `json:"message"` // for developers, in English
}

// New returns the playground around h. A nil logger discards logs.
func New(h Handler, logger *slog.Logger) *Web {
	if h == nil {
		panic("web: nil handler")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	w := &Web{
		handle:     h,
		log:        logger.With(slog.String("component", "web")),
		etags:      assetETags(),
		bufferSize: defaultBuffer,
		keySize:    defaultKeys,
		maxStreams: defaultStreams,
		maxChats:   defaultChats,
		heartbeat:  defaultHeartbeat,
		chats:      make(map[string]*list.Element),
		lru:        list.New(),
		// Event IDs start from the clock so that a page reconnecting
		// after a restart still sees the new pushes as newer.
		seq:  uint64(time.Now().UnixMicro()),
		done: make(chan struct{}),
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		panic("web: embedded assets are missing: " + err.Error())
	}
	files := http.StripPrefix("/static/", http.FileServerFS(static))

	cop := http.NewCrossOriginProtection()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", w.servePage)
	mux.Handle("GET /static/", w.serveAsset(files))
	mux.Handle("/api/messages", cop.Handler(http.HandlerFunc(w.serveMessages)))
	mux.HandleFunc("/api/events", w.serveEvents)
	mux.HandleFunc("GET /api/ui", w.serveUI)
	w.mux = mux
	return w
}

// Name is the platform ID, "web".
func (w *Web) Name() string { return Platform }

// ServeHTTP serves GET / (the page), GET /static/… (its assets),
// POST /api/messages and GET /api/events (the push stream).
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	h := rw.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "+
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	w.mux.ServeHTTP(rw, r)
}

// Send shows msgs in the chat as one push. It always accepts unless ctx is
// done: pushes are kept in memory for the chat's page, which replays them
// when it connects. A push with the same non-empty key as a recent one is
// dropped, so a retried notification is shown once.
func (w *Web) Send(ctx context.Context, chatID string, msgs []bot.Message, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("web: unable to send: %w", err)
	}
	if !validChatID(chatID) {
		return &bot.SendError{Permanent: true, Err: fmt.Errorf("web: malformed chat id %q", chatID)}
	}
	if len(msgs) == 0 {
		return nil
	}
	data, err := json.Marshal(envelope{Messages: msgs})
	if err != nil {
		return &bot.SendError{Permanent: true, Err: fmt.Errorf("web: unable to encode messages: %w", err)}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.chatLocked(chatID)
	if c.seenKey(key, w.keySize) {
		return nil
	}
	w.seq++
	c.add(event{id: w.seq, data: data}, w.bufferSize)
	return nil
}

// Close ends every event stream and refuses new ones. Pushes are still
// accepted. Close may be called more than once.
func (w *Web) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		close(w.done)
	}
}

// chatLocked returns the chat, created if needed, and marks it recently
// used; beyond maxChats the least recently used chat is forgotten and its
// streams end (their pages reconnect). w.mu must be held.
func (w *Web) chatLocked(id string) *chat {
	if el, ok := w.chats[id]; ok {
		w.lru.MoveToFront(el)
		return el.Value.(*chat)
	}
	c := &chat{id: id, keys: make(map[string]struct{}), notify: make(chan struct{})}
	w.chats[id] = w.lru.PushFront(c)
	for w.lru.Len() > w.maxChats {
		old := w.lru.Remove(w.lru.Back()).(*chat)
		delete(w.chats, old.id)
		old.gone = true
		close(old.notify)
	}
	return c
}

// touchLocked marks c recently used if it is still kept. w.mu must be held.
func (w *Web) touchLocked(c *chat) {
	if el, ok := w.chats[c.id]; ok && el.Value == c {
		w.lru.MoveToFront(el)
	}
}

// seenKey reports whether key was seen recently, and remembers it if not.
// The empty key is never seen.
func (c *chat) seenKey(key string, limit int) bool {
	if key == "" {
		return false
	}
	if _, ok := c.keys[key]; ok {
		return true
	}
	if len(c.keyRing) < limit {
		c.keyRing = append(c.keyRing, key)
	} else {
		delete(c.keys, c.keyRing[c.keyNext])
		c.keyRing[c.keyNext] = key
		c.keyNext = (c.keyNext + 1) % limit
	}
	c.keys[key] = struct{}{}
	return false
}

// add appends e, drops the oldest events beyond limit, and wakes the
// chat's streams.
func (c *chat) add(e event, limit int) {
	if len(c.events) >= limit {
		n := copy(c.events, c.events[len(c.events)-limit+1:])
		clear(c.events[n:])
		c.events = c.events[:n]
	}
	c.events = append(c.events, e)
	c.latest = e.id
	close(c.notify)
	c.notify = make(chan struct{})
}

// after returns a copy of the events newer than id.
func (c *chat) after(id uint64) []event {
	i := sort.Search(len(c.events), func(i int) bool { return c.events[i].id > id })
	return slices.Clone(c.events[i:])
}

// servePage serves the chat page.
func (w *Web) servePage(rw http.ResponseWriter, r *http.Request) {
	w.serveFile(rw, r, "index.html")
}

// serveAsset serves the embedded assets with an ETag, so browsers
// revalidate instead of downloading them again.
func (w *Web) serveAsset(files http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		tag, ok := w.etags[name]
		if !ok {
			http.NotFound(rw, r) // also hides directory listings
			return
		}
		rw.Header().Set("ETag", tag)
		rw.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(rw, r)
	})
}

func (w *Web) serveFile(rw http.ResponseWriter, r *http.Request, name string) {
	b, err := fs.ReadFile(assets, path.Join("static", name))
	if err != nil {
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("ETag", w.etags[name])
	rw.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(rw, r, name, time.Time{}, bytes.NewReader(b))
}

// assetETags hashes every embedded asset.
func assetETags() map[string]string {
	tags := make(map[string]string)
	err := fs.WalkDir(assets, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		tags[strings.TrimPrefix(p, "static/")] = `"` + hex.EncodeToString(sum[:8]) + `"`
		return nil
	})
	if err != nil {
		panic("web: unable to read embedded assets: " + err.Error())
	}
	return tags
}

// serveMessages passes one message from the page to the bot and answers
// with the bot's replies.
func (w *Web) serveMessages(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		rw.Header().Set("Allow", http.MethodPost)
		writeError(rw, http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(rw, http.StatusBadRequest, "not_json", "the body must be application/json")
		return
	}
	if r.ContentLength > MaxBodyBytes {
		writeError(rw, http.StatusRequestEntityTooLarge, "too_large", "the body is too large")
		return
	}
	var req request
	if err := decodeJSON(http.MaxBytesReader(rw, r.Body, MaxBodyBytes), &req); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(rw, http.StatusRequestEntityTooLarge, "too_large", "the body is too large")
			return
		}
		writeError(rw, http.StatusBadRequest, "bad_json", "the body is not a valid JSON object")
		return
	}
	if !validChatID(req.Chat) {
		writeError(rw, http.StatusBadRequest, "bad_chat", "chat must be 8 to 64 characters of A-Z, a-z, 0-9, _ and -")
		return
	}
	if req.Text == "" && req.Button == "" {
		writeError(rw, http.StatusBadRequest, "empty", "send text or button")
		return
	}
	if utf8.RuneCountInString(req.Text) > MaxTextRunes || utf8.RuneCountInString(req.Button) > MaxTextRunes {
		writeError(rw, http.StatusBadRequest, "text_too_long",
			fmt.Sprintf("text is longer than %d characters", MaxTextRunes))
		return
	}
	u := bot.Update{
		Chat:   store.ChatKey{Platform: Platform, ID: req.Chat},
		Lang:   cleanLang(req.Lang),
		Text:   req.Text,
		Button: req.Button,
	}
	msgs, err := w.answer(r.Context(), u)
	if err != nil {
		writeError(rw, http.StatusInternalServerError, "internal", "the bot could not answer")
		return
	}
	if msgs == nil {
		msgs = []bot.Message{}
	}
	writeJSON(rw, http.StatusOK, envelope{Messages: msgs})
}

// answer calls the handler and turns a panic into an error.
func (w *Web) answer(ctx context.Context, u bot.Update) (msgs []bot.Message, err error) {
	defer func() {
		if p := recover(); p != nil {
			w.log.Error("The bot handler panicked on a playground message.",
				slog.String("chat", u.Chat.String()), slog.Any("panic", p))
			err = errors.New("web: handler panicked")
		}
	}()
	return w.handle(ctx, u), nil
}

// decodeJSON decodes exactly one JSON object from r.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("web: trailing data after the JSON object")
		}
		return err
	}
	return nil
}

// serveEvents streams the chat's pushes as server-sent events: first the
// kept ones newer than Last-Event-ID (or ?last=), then new ones as they
// come, with a comment line as heartbeat.
func (w *Web) serveEvents(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		rw.Header().Set("Allow", http.MethodGet)
		writeError(rw, http.StatusMethodNotAllowed, "method_not_allowed", "use GET")
		return
	}
	id := r.URL.Query().Get("chat")
	if !validChatID(id) {
		writeError(rw, http.StatusBadRequest, "bad_chat", "chat must be 8 to 64 characters of A-Z, a-z, 0-9, _ and -")
		return
	}
	last := lastEventID(r)

	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		writeError(rw, http.StatusServiceUnavailable, "closed", "the server is shutting down")
		return
	}
	c := w.chatLocked(id)
	if c.streams >= w.maxStreams {
		w.mu.Unlock()
		writeError(rw, http.StatusTooManyRequests, "too_many_streams", "too many open streams for this chat")
		return
	}
	c.streams++
	if last > c.latest {
		// The page saw IDs this chat never had here (the process
		// restarted or forgot the chat): everything kept is new to it.
		last = 0
	}
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		c.streams--
		w.mu.Unlock()
	}()

	rc := http.NewResponseController(rw)
	h := rw.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	rw.WriteHeader(http.StatusOK)
	if err := writeFlush(rw, rc, fmt.Appendf(nil, ": connected\nretry: %d\n\n", clientRetry.Milliseconds())); err != nil {
		return
	}

	heartbeat := time.NewTicker(w.heartbeat)
	defer heartbeat.Stop()
	var buf []byte
	for {
		w.mu.Lock()
		events, notify, gone := c.after(last), c.notify, c.gone
		w.mu.Unlock()

		buf = buf[:0]
		for _, e := range events {
			buf = fmt.Appendf(buf, "id: %d\ndata: %s\n\n", e.id, e.data)
			last = e.id
		}
		if len(buf) > 0 {
			if err := writeFlush(rw, rc, buf); err != nil {
				return
			}
		}
		if gone {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-w.done:
			return
		case <-notify:
		case <-heartbeat.C:
			w.mu.Lock()
			w.touchLocked(c)
			w.mu.Unlock()
			if err := writeFlush(rw, rc, []byte(": ping\n\n")); err != nil {
				return
			}
		}
	}
}

// writeFlush writes b and flushes it to the client, giving up on a client
// that does not read.
func writeFlush(rw http.ResponseWriter, rc *http.ResponseController, b []byte) error {
	_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout)) // unsupported by some writers
	if _, err := rw.Write(b); err != nil {
		return err
	}
	return rc.Flush()
}

// lastEventID reads the Last-Event-ID header, or the last query parameter
// that the page uses for its first connection. Anything unreadable is 0.
func lastEventID(r *http.Request) uint64 {
	s := r.Header.Get("Last-Event-ID")
	if s == "" {
		s = r.URL.Query().Get("last")
	}
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// validChatID reports whether id is 8 to 64 characters of [A-Za-z0-9_-].
func validChatID(id string) bool {
	if len(id) < minChatID || len(id) > maxChatID {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// cleanLang keeps a browser language tag such as "ja-JP", or returns "".
func cleanLang(s string) string {
	if s == "" || len(s) > maxLangLen {
		return ""
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return ""
		}
	}
	return s
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"internal","message":"unable to encode the answer"}`)
	}
	h := rw.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	_, _ = rw.Write(append(b, '\n'))
}

func writeError(rw http.ResponseWriter, status int, code, msg string) {
	writeJSON(rw, status, apiError{Error: code, Message: msg})
}

// uiKeys maps the page's string names to catalog keys; "progress" takes
// arguments and is rendered apart.
var uiKeys = map[string]string{
	"intro":       "web.intro",
	"placeholder": "web.placeholder",
	"send":        "web.send",
	"reset":       "web.reset",
	"push":        "web.push",
	"offline":     "web.offline",
	"failed":      "web.failed",
	"unreachable": "web.unreachable",
	"tooLong":     "web.too_long",
	"language":    "web.language",
	"message":     "web.message",
}

// uiStrings renders the page's own words in every language; "{0}" and
// "{1}" stand for the arguments the page fills in.
func uiStrings() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range i18n.Langs() {
		p := i18n.For(lang)
		m := map[string]string{}
		for name, key := range uiKeys {
			m[name] = p.T(key)
		}
		m["progress"] = p.T("web.progress", "{0}", "{1}")
		out[lang] = m
	}
	return out
}

// serveUI answers GET /api/ui with the page's words from the catalogs.
func (w *Web) serveUI(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Cache-Control", "no-cache")
	writeJSON(rw, http.StatusOK, uiStrings())
}
