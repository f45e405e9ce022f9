package line

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/todoku/todoku/bot"
)

// Platform is the platform ID of LINE chats in store.ChatKey.
const Platform = "line"

// Defaults and limits.
const (
	// MaxBodyBytes bounds the body of one webhook request.
	MaxBodyBytes = 1 << 20

	defaultAPIURL     = "https://api.line.me"
	defaultDataAPIURL = "https://api-data.line.me"
	defaultWorkers    = 8
	defaultQueue      = 64 // events waiting per worker
	defaultHTTPTime   = 20 * time.Second
	eventTimeout      = 50 * time.Second // a reply token is good for about a minute
	seenTTL           = 24 * time.Hour
	seenMemory        = 10000 // event IDs remembered without a store
	langMemory        = 10000 // profile languages remembered
	langTTL           = 24 * time.Hour
)

// Handler answers one update with the messages to show; it is the bot
// core's router.
type Handler func(ctx context.Context, u bot.Update) []bot.Message

// Options configure the adapter. ChannelSecret and ChannelToken are
// required; zero values of the others take defaults.
type Options struct {
	// ChannelSecret signs webhook requests. It never appears in a log
	// line or an error.
	ChannelSecret string
	// ChannelToken is the channel access token for API calls. It never
	// appears in a log line or an error.
	ChannelToken string
	// APIURL is the Messaging API base URL, default https://api.line.me.
	APIURL string
	// DataAPIURL is the content API base URL, default
	// https://api-data.line.me. It is reserved for downloading files users
	// send; nothing uses it yet.
	DataAPIURL string
	// HTTP is the client for API calls, default one with a 20 s timeout.
	HTTP   *http.Client
	Logger *slog.Logger
	// Seen records a webhook event ID and reports whether it was new,
	// like store.FirstSeen with a TTL; it is called for several queued
	// events side by side, so it must be safe for concurrent use and
	// atomic per key. Nil keeps the last IDs in memory, which is enough
	// for a single replica.
	Seen func(ctx context.Context, key string) (bool, error)
	// SeenMany, when set, records several event IDs at once, as Seen
	// does each (store.FirstSeenMany with a TTL): a worker checks the
	// events queued for it in one round trip instead of one each.
	SeenMany func(ctx context.Context, keys []string) ([]bool, error)
	Now      func() time.Time
	// Pending, when set, gives the notifications waiting for a chat so
	// they ride along with the free reply to the user's message instead of
	// costing pushes (the dispatcher's Fold). done(true) tells they were
	// sent, done(false) that they were not.
	Pending func(ctx context.Context, chatID string, max int) (msgs []bot.Message, done func(sent bool))

	// Workers is how many events are handled at once, default 8; each
	// worker queues up to Queue events, default 64. Events of one chat
	// always go to the same worker, so they are answered in order.
	Workers int
	Queue   int
	// QuotaEvery is how long a quota reading is trusted, default 5 min.
	QuotaEvery time.Duration
	// LowQuota is the share of the month's pushes left below which
	// LowOnQuota reports true, default 0.1.
	LowQuota float64
}

// LINE is the LINE adapter. It implements bot.Platform. Its webhook hands
// events to a fixed pool of workers; call Shutdown (or Close) when the
// server stops so queued events are answered before the process exits.
type LINE struct {
	opts   Options
	handle Handler
	log    *slog.Logger
	api    *messaging_api.MessagingApiAPI
	seen   func(ctx context.Context, key string) (bool, error)
	secret []byte
	redact *strings.Replacer

	langs *cache[string] // LINE user ID → language of the profile
	quota quotaCache

	// The worker pool. mu guards closed and sending on queues.
	mu      sync.RWMutex
	closed  bool
	queues  []chan job
	wg      sync.WaitGroup
	base    context.Context // cancelled when a shutdown gives up waiting
	cancel  context.CancelFunc
	drained chan struct{} // closed when every worker has returned
}

// New returns the adapter around h and starts its workers.
func New(o Options, h Handler) (*LINE, error) {
	if h == nil {
		return nil, errors.New("line: nil handler")
	}
	if o.ChannelSecret == "" {
		return nil, errors.New("line: the channel secret is missing")
	}
	if o.ChannelToken == "" {
		return nil, errors.New("line: the channel access token is missing")
	}
	if o.APIURL == "" {
		o.APIURL = defaultAPIURL
	}
	if o.DataAPIURL == "" {
		o.DataAPIURL = defaultDataAPIURL
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: defaultHTTPTime}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = defaultWorkers
	}
	if o.Queue <= 0 {
		o.Queue = defaultQueue
	}
	if o.QuotaEvery <= 0 {
		o.QuotaEvery = 5 * time.Minute
	}
	if o.LowQuota <= 0 || o.LowQuota >= 1 {
		o.LowQuota = 0.1
	}
	l := &LINE{
		opts:   o,
		handle: h,
		log:    o.Logger.With(slog.String("component", "line")),
		secret: []byte(o.ChannelSecret),
		redact: strings.NewReplacer(o.ChannelToken, "[redacted]", o.ChannelSecret, "[redacted]"),
		langs:  newCache[string](langMemory, langTTL, o.Now),
	}
	api, err := messaging_api.NewMessagingApiAPI(o.ChannelToken,
		messaging_api.WithHTTPClient(o.HTTP), messaging_api.WithEndpoint(o.APIURL))
	if err != nil {
		return nil, fmt.Errorf("line: invalid API URL: %w", l.scrub(err))
	}
	l.api = api
	l.seen = o.Seen
	if l.seen == nil {
		mem := newCache[struct{}](seenMemory, seenTTL, o.Now)
		l.seen = func(_ context.Context, key string) (bool, error) {
			return mem.add(key, struct{}{}), nil
		}
	}
	l.base, l.cancel = context.WithCancel(context.Background())
	l.drained = make(chan struct{})
	l.queues = make([]chan job, o.Workers)
	for i := range l.queues {
		l.queues[i] = make(chan job, o.Queue)
		l.wg.Add(1)
		go l.work(l.queues[i])
	}
	go func() {
		l.wg.Wait()
		close(l.drained)
	}()
	return l, nil
}

// Name is the platform ID, "line".
func (l *LINE) Name() string { return Platform }

// Shutdown stops taking webhook events (new requests get 503, so LINE
// redelivers them elsewhere or later) and waits until the queued and
// running events are handled. If ctx ends first, running API calls are
// cancelled and Shutdown returns ctx's error once the workers have
// returned. It may be called more than once.
func (l *LINE) Shutdown(ctx context.Context) error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		for _, q := range l.queues {
			close(q)
		}
	}
	l.mu.Unlock()
	select {
	case <-l.drained:
		return nil
	case <-ctx.Done():
		l.cancel()
		<-l.drained
		return fmt.Errorf("line: shutdown cut short: %w", ctx.Err())
	}
}

// Close is Shutdown without a deadline.
func (l *LINE) Close() error { return l.Shutdown(context.Background()) }

// job is one webhook event waiting for a worker.
type job struct {
	ev any // a webhook event value

	// The outcome of the seen check, when the worker made it ahead for a
	// batch of queued events.
	checked bool
	first   bool
	seenErr error
}

// seenBatch is how many queued events a worker checks against the seen
// record at once: in one SeenMany call, or else each check a round trip
// of its own made side by side.
const seenBatch = 32

// enqueue hands an event to the worker of its chat without waiting. It
// reports false when that worker's queue is full or the adapter is shut
// down.
func (l *LINE) enqueue(chat string, j job) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return false
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(chat))
	select {
	case l.queues[int(h.Sum32()%uint32(len(l.queues)))] <- j:
		return true
	default:
		return false
	}
}

// accepting reports whether the adapter still takes events.
func (l *LINE) accepting() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return !l.closed
}

// work handles the events of one queue until it is closed and empty. It
// takes what is queued, up to seenBatch events, checks them against the
// seen record side by side, and handles them in order.
func (l *LINE) work(q <-chan job) {
	defer l.wg.Done()
	batch := make([]job, 0, seenBatch)
	for j := range q {
		batch = append(batch[:0], j)
	more:
		for len(batch) < seenBatch {
			select {
			case j, ok := <-q:
				if !ok {
					break more
				}
				batch = append(batch, j)
			default:
				break more
			}
		}
		if len(batch) > 1 {
			l.checkSeen(batch)
		}
		for _, j := range batch {
			l.safeHandle(j)
		}
	}
}

// checkSeen records the events of batch as seen, side by side, and keeps
// each outcome in its job.
func (l *LINE) checkSeen(batch []job) {
	ctx, cancel := context.WithTimeout(l.base, eventTimeout)
	defer cancel()
	if l.opts.SeenMany != nil {
		l.checkSeenMany(ctx, batch)
		return
	}
	var wg sync.WaitGroup
	for i := range batch {
		m := eventMeta(batch[i].ev)
		if chat, _, _ := source(batch[i].ev); m.id == "" || chat == "" {
			continue
		}
		wg.Go(func() {
			batch[i].first, batch[i].seenErr = l.seen(ctx, "line:"+m.id)
			batch[i].checked = true
		})
	}
	wg.Wait()
}

// checkSeenMany records the events of batch as seen in one SeenMany
// call. When it fails, the events are left unchecked and each is checked
// on its own when handled.
func (l *LINE) checkSeenMany(ctx context.Context, batch []job) {
	keys := make([]string, 0, len(batch))
	idx := make([]int, 0, len(batch))
	for i := range batch {
		m := eventMeta(batch[i].ev)
		if chat, _, _ := source(batch[i].ev); m.id == "" || chat == "" {
			continue
		}
		keys = append(keys, "line:"+m.id)
		idx = append(idx, i)
	}
	if len(keys) == 0 {
		return
	}
	first, err := l.opts.SeenMany(ctx, keys)
	if err == nil && len(first) != len(keys) {
		err = fmt.Errorf("line: %d answers to %d seen checks", len(first), len(keys))
	}
	if err != nil {
		l.log.Warn("Could not check a batch of events against the seen record; checking them one by one.", slog.Any("error", l.scrub(err)))
		return
	}
	for k, i := range idx {
		batch[i].first, batch[i].checked = first[k], true
	}
}

// safeHandle handles one event, so a panic costs that event only.
func (l *LINE) safeHandle(j job) {
	defer func() {
		if v := recover(); v != nil {
			l.log.Error("Handling a LINE event panicked.", slog.Any("panic", v))
		}
	}()
	ctx, cancel := context.WithTimeout(l.base, eventTimeout)
	defer cancel()
	l.handleEvent(ctx, j)
}

// scrub returns err with the channel secret and token removed from its
// text.
func (l *LINE) scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := l.redact.Replace(msg)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Unwrap keeps only the context errors of the chain, whose text holds no
// secret, so that nothing unwrapped can print the original text.
func (e *redactedError) Unwrap() error {
	switch {
	case errors.Is(e.err, context.Canceled):
		return context.Canceled
	case errors.Is(e.err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	return nil
}
