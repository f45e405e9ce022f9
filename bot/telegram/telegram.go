package telegram

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/todoku/todoku/bot"
)

// Platform is the platform ID of Telegram chats in store.ChatKey.
const Platform = "telegram"

const (
	// DefaultAPIURL is the public Bot API server.
	DefaultAPIURL = "https://api.telegram.org"
	// SecretHeader carries the webhook secret in Telegram's webhook calls.
	SecretHeader = "X-Telegram-Bot-Api-Secret-Token"
	// MaxWebhookBody bounds the body of one webhook call.
	MaxWebhookBody = 1 << 20
)

// Handler answers one update with the replies to send; it is the bot
// core's router.
type Handler func(ctx context.Context, u bot.Update) []bot.Message

// Options configure the adapter. Token is required.
type Options struct {
	// Token is the bot token from @BotFather. It is a secret: it appears in
	// no log line and no error.
	Token string
	// APIURL is the Bot API server, DefaultAPIURL when empty; a
	// self-hosted Bot API server or a test fake changes it.
	APIURL string
	// WebhookURL is the public HTTPS address of WebhookHandler. When set,
	// Run registers it instead of long polling.
	WebhookURL string
	// WebhookSecret is what Telegram sends in SecretHeader; when empty it
	// is derived from the token, so every replica agrees on it.
	WebhookSecret string
	// HTTP makes the API calls; nil means a client without a global
	// timeout (every call carries its own deadline).
	HTTP *http.Client
	// Logger receives the adapter's logs; nil discards them.
	Logger *slog.Logger
	// Limiter paces sends; nil means an in-process limiter with
	// DefaultLimits. Replicas that share a bot need one limiter they
	// share (Limits.Shared). A limiter that is also an Answerer is told
	// how long each send took.
	Limiter Limiter
	// FirstSeen records an update's key and reports whether it is new
	// (the store's FirstSeen with a TTL of a day or so); redelivered
	// updates are dropped. Nil means an in-memory record of recent updates.
	FirstSeen func(ctx context.Context, key string) (bool, error)
}

// Telegram is the Telegram adapter. It implements bot.Platform.
type Telegram struct {
	api        *client
	handle     Handler
	log        *slog.Logger
	limiter    Limiter
	firstSeen  func(ctx context.Context, key string) (bool, error)
	botID      string
	webhookURL string
	secretSum  [sha256.Size]byte // of the webhook secret, for constant-time checks
	secret     string

	clock clock
	// Tunables; tests shrink them.
	workers       int           // update workers; one chat always goes to the same one
	queue         int           // updates waiting per worker
	pollTimeout   time.Duration // long-poll wait
	minEmptyPoll  time.Duration // an empty poll answered faster than this is paced
	backoffMin    time.Duration // first wait after a failed poll
	backoffMax    time.Duration
	maxRetryWait  time.Duration // longest retry_after waited out within Send
	sendAttempts  int
	updateTimeout time.Duration // bounds the handling of one update
	drainTimeout  time.Duration // bounds the handling of accepted updates on stop

	floods atomic.Int64 // 429 answers to sends

	tokens    *fifo[string] // callback token → button data
	delivered *fifo[int]    // push key → parts already delivered

	mu sync.Mutex
	in *intake // non-nil while Run runs
}

var (
	tokenRE  = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{1,200}$`)
	secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// New returns the adapter. It makes no call to Telegram.
func New(o Options, h Handler) (*Telegram, error) {
	if h == nil {
		return nil, errors.New("telegram: nil handler")
	}
	if !tokenRE.MatchString(o.Token) {
		// The message must not echo the token, not even a malformed one.
		return nil, errors.New("telegram: the bot token is malformed; it looks like 123456789:ABC-DEF1234ghIkl")
	}
	hide := func(s string) string { return strings.ReplaceAll(s, o.Token, "<token>") }
	api := cmp.Or(o.APIURL, DefaultAPIURL)
	if u, err := url.Parse(api); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("telegram: the API URL %q is not an http(s) URL", hide(api))
	}
	if o.WebhookURL != "" {
		if u, err := url.Parse(o.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("telegram: the webhook URL %q is not an https URL", hide(o.WebhookURL))
		}
	}
	secret := o.WebhookSecret
	if secret == "" {
		mac := hmac.New(sha256.New, []byte(o.Token))
		mac.Write([]byte("todoku telegram webhook secret"))
		secret = hex.EncodeToString(mac.Sum(nil))
	} else if !secretRE.MatchString(secret) {
		return nil, errors.New("telegram: the webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	t := &Telegram{
		api:           newClient(api, o.Token, o.HTTP),
		handle:        h,
		log:           logger.With(slog.String("component", "telegram")),
		limiter:       o.Limiter,
		firstSeen:     o.FirstSeen,
		botID:         strings.SplitN(o.Token, ":", 2)[0],
		webhookURL:    o.WebhookURL,
		secret:        secret,
		secretSum:     sha256.Sum256([]byte(secret)),
		clock:         realClock{},
		workers:       8,
		queue:         64,
		pollTimeout:   25 * time.Second,
		minEmptyPoll:  500 * time.Millisecond,
		backoffMin:    time.Second,
		backoffMax:    time.Minute,
		maxRetryWait:  30 * time.Second,
		sendAttempts:  4,
		updateTimeout: 2 * time.Minute,
		drainTimeout:  10 * time.Second,
		tokens:        newFIFO[string](10000),
		delivered:     newFIFO[int](10000),
	}
	if t.limiter == nil {
		t.limiter = NewLimiter()
	}
	if t.firstSeen == nil {
		seen := newFIFO[struct{}](100000)
		t.firstSeen = func(_ context.Context, key string) (bool, error) {
			return seen.add(key, struct{}{}), nil
		}
	}
	return t, nil
}

// Name is the platform ID, "telegram".
func (t *Telegram) Name() string { return Platform }

// clock is the time source; tests use one they control.
type clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done, whichever comes first.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// fifo is a bounded map that forgets its oldest entries first.
type fifo[V any] struct {
	mu   sync.Mutex
	m    map[string]V
	ring []string
	next int
}

func newFIFO[V any](size int) *fifo[V] {
	return &fifo[V]{m: make(map[string]V, size), ring: make([]string, 0, size)}
}

// add stores v under key unless key is present, and reports whether it
// was absent.
func (f *fifo[V]) add(key string, v V) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.m[key]; ok {
		return false
	}
	f.insertLocked(key, v)
	return true
}

// put stores v under key.
func (f *fifo[V]) put(key string, v V) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.m[key]; ok {
		f.m[key] = v
		return
	}
	f.insertLocked(key, v)
}

func (f *fifo[V]) insertLocked(key string, v V) {
	if len(f.ring) < cap(f.ring) {
		f.ring = append(f.ring, key)
	} else {
		delete(f.m, f.ring[f.next])
		f.ring[f.next] = key
		f.next = (f.next + 1) % len(f.ring)
	}
	f.m[key] = v
}

func (f *fifo[V]) get(key string) (V, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[key]
	return v, ok
}
