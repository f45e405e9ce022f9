package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	tele "gopkg.in/telebot.v3"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
)

// allowedUpdates are the update kinds the bot asks Telegram for.
var allowedUpdates = []string{"message", "callback_query"}

// intake is the state of one Run: the workers' queues, and what tells
// producers (the poller, webhook calls) that it ends.
type intake struct {
	queues   []chan tele.Update
	done     chan struct{} // closed when Run stops taking updates
	drain    chan struct{} // closed when no producer can add any more
	inflight sync.WaitGroup
}

// ErrRunning is returned by Run while another Run of the same adapter runs.
var ErrRunning = errors.New("telegram: already running")

// Run receives updates until ctx is done: by long polling, or, with a
// webhook URL, by registering the webhook and handing WebhookHandler's
// updates to the bot. Failed polls back off exponentially. On return every
// accepted update has been handled (or its handling cut after a grace
// period). Run returns nil when ctx ends it; it may run again afterwards.
func (t *Telegram) Run(ctx context.Context) error {
	in, err := t.open()
	if err != nil {
		return err
	}
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var wg sync.WaitGroup
	for _, q := range in.queues {
		wg.Go(func() { t.work(work, in, q) })
	}

	if t.webhookURL != "" {
		t.registerWebhook(ctx)
		<-ctx.Done()
	} else {
		t.poll(ctx)
	}

	t.close(in)
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	grace := time.NewTimer(t.drainTimeout)
	defer grace.Stop()
	select {
	case <-stopped:
	case <-grace.C:
		t.log.Warn("Updates still being handled at shutdown were cut short.")
		cancelWork()
		<-stopped
	}
	return nil
}

func (t *Telegram) open() (*intake, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.in != nil {
		return nil, ErrRunning
	}
	in := &intake{done: make(chan struct{}), drain: make(chan struct{})}
	for range t.workers {
		in.queues = append(in.queues, make(chan tele.Update, t.queue))
	}
	t.in = in
	return in, nil
}

// close stops intake: new updates are refused, producers blocked on a
// full queue give up, and then the workers drain their queues.
func (t *Telegram) close(in *intake) {
	t.mu.Lock()
	t.in = nil
	t.mu.Unlock()
	close(in.done)
	in.inflight.Wait()
	close(in.drain)
}

// enqueue hands u to the worker of its chat, so that one chat's updates are
// handled in order. It reports false when Run is not taking updates.
func (t *Telegram) enqueue(ctx context.Context, u tele.Update) bool {
	t.mu.Lock()
	in := t.in
	if in == nil {
		t.mu.Unlock()
		return false
	}
	in.inflight.Add(1)
	t.mu.Unlock()
	defer in.inflight.Done()
	q := in.queues[shard(u, len(in.queues))]
	select {
	case q <- u:
		return true
	case <-in.done:
		return false
	case <-ctx.Done():
		return false
	}
}

func shard(u tele.Update, n int) int {
	id := int64(u.ID)
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		id = u.Message.Chat.ID
	case u.Callback != nil && u.Callback.Message != nil && u.Callback.Message.Chat != nil:
		id = u.Callback.Message.Chat.ID
	}
	return int(uint64(id) % uint64(n))
}

func (t *Telegram) work(ctx context.Context, in *intake, q chan tele.Update) {
	for {
		select {
		case u := <-q:
			t.process(ctx, u)
		case <-in.drain:
			for {
				select {
				case u := <-q:
					t.process(ctx, u)
				default:
					return
				}
			}
		}
	}
}

// getUpdatesParams is the body of getUpdates.
type getUpdatesParams struct {
	Offset         int      `json:"offset,omitempty"`
	Limit          int      `json:"limit"`
	Timeout        int      `json:"timeout"`
	AllowedUpdates []string `json:"allowed_updates"`
}

// poll long-polls until ctx is done. Unlike telebot's LongPoller it waits
// after a failure, longer each time, and paces polls that come back empty
// at once, so a broken network or server never makes it spin.
func (t *Telegram) poll(ctx context.Context) {
	// A webhook left from webhook mode makes getUpdates fail with 409.
	if !t.retry(ctx, "deleteWebhook", struct{}{}) {
		return
	}
	offset, failures := 0, 0
	for ctx.Err() == nil {
		started := t.clock.Now()
		var batch []json.RawMessage
		pctx, cancel := context.WithTimeout(ctx, t.pollTimeout+15*time.Second)
		err := t.api.call(pctx, "getUpdates", getUpdatesParams{
			Offset: offset, Limit: 100, Timeout: int(t.pollTimeout / time.Second), AllowedUpdates: allowedUpdates,
		}, &batch)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			wait := t.backoff(failures, err)
			t.log.Warn("Polling Telegram failed; retrying later.", slog.Int("failures", failures),
				slog.Duration("wait", wait), slog.Any("error", err))
			if t.clock.Sleep(ctx, wait) != nil {
				return
			}
			continue
		}
		failures = 0
		for _, raw := range batch {
			u, id, err := decodeUpdate(raw)
			if id >= offset {
				offset = id + 1
			}
			if err != nil {
				t.log.Warn("Skipped an update that could not be decoded.", slog.Int("update_id", id), slog.Any("error", err))
				continue
			}
			if !t.enqueue(ctx, u) {
				return
			}
		}
		if len(batch) == 0 {
			if took := t.clock.Now().Sub(started); took < t.minEmptyPoll {
				if t.clock.Sleep(ctx, t.minEmptyPoll-took) != nil {
					return
				}
			}
		}
	}
}

// backoff is the wait after the n-th failure in a row: exponential with
// jitter between backoffMin and backoffMax, and never shorter than a
// retry_after the API asked for.
func (t *Telegram) backoff(n int, err error) time.Duration {
	d := t.backoffMin
	for i := 1; i < n && d < t.backoffMax; i++ {
		d *= 2
	}
	d = min(d, t.backoffMax)
	d = d/2 + rand.N(d/2+1)
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > d {
		d = e.RetryAfter
	}
	return d
}

// retry calls method until it succeeds or ctx is done, backing off
// between attempts. It reports whether the call succeeded.
func (t *Telegram) retry(ctx context.Context, method string, params any) bool {
	for failures := 1; ; failures++ {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := t.api.call(cctx, method, params, nil)
		cancel()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		wait := t.backoff(failures, err)
		t.log.Warn("A Telegram call failed; retrying later.", slog.String("method", method),
			slog.Duration("wait", wait), slog.Any("error", err))
		if t.clock.Sleep(ctx, wait) != nil {
			return false
		}
	}
}

// setWebhookParams is the body of setWebhook.
type setWebhookParams struct {
	URL            string   `json:"url"`
	SecretToken    string   `json:"secret_token"`
	AllowedUpdates []string `json:"allowed_updates"`
	MaxConnections int      `json:"max_connections,omitempty"`
}

func (t *Telegram) registerWebhook(ctx context.Context) {
	if t.retry(ctx, "setWebhook", setWebhookParams{URL: t.webhookURL, SecretToken: t.secret, AllowedUpdates: allowedUpdates}) {
		t.log.Info("Telegram webhook registered.", slog.String("url", t.api.redact.Replace(t.webhookURL)))
	}
}

// decodeUpdate decodes one update. The ID comes back even when the rest
// does not decode, so that the update can be skipped rather than block
// the queue.
func decodeUpdate(raw []byte) (tele.Update, int, error) {
	var head struct {
		ID int `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return tele.Update{}, 0, fmt.Errorf("telegram: malformed update: %w", err)
	}
	var u tele.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return tele.Update{}, head.ID, fmt.Errorf("telegram: undecodable update %d: %w", head.ID, err)
	}
	return u, head.ID, nil
}

// answerCallbackParams is the body of answerCallbackQuery.
type answerCallbackParams struct {
	CallbackQueryID string `json:"callback_query_id"`
	Text            string `json:"text,omitempty"`
}

// process handles one update: drops redeliveries, answers button presses,
// asks the bot and sends its replies.
func (t *Telegram) process(ctx context.Context, u tele.Update) {
	ctx, cancel := context.WithTimeout(ctx, t.updateTimeout)
	defer cancel()
	first, err := t.firstSeen(ctx, "telegram:"+t.botID+":"+fmt.Sprint(u.ID))
	if err != nil {
		t.log.Warn("Could not check whether an update is new; handling it.", slog.Int("update_id", u.ID), slog.Any("error", err))
	} else if !first {
		t.log.Debug("Dropped a redelivered update.", slog.Int("update_id", u.ID))
		return
	}
	bu, replyTo, ok := t.convert(ctx, u)
	if !ok {
		return
	}
	msgs := t.handle(ctx, bu)
	var reply *replyParameters
	if bu.Group && replyTo != 0 {
		reply = &replyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
	}
	id := bu.Chat.ID
	chatID, _ := strconv.ParseInt(id, 10, 64)
	for _, p := range t.render(msgs) {
		if err := t.sendPart(ctx, chatID, p, reply); err != nil {
			t.log.Warn("Could not send a reply.", slog.String("chat", id), slog.Any("error", err))
			return
		}
		reply = nil
	}
}

// convert turns a Telegram update into the bot's, answering a button
// press on the way. It reports false for updates the bot does not handle,
// and returns the message to reply to in groups.
func (t *Telegram) convert(ctx context.Context, u tele.Update) (bot.Update, int, bool) {
	switch {
	case u.Message != nil:
		m := u.Message
		text := m.Text
		if text == "" {
			text = m.Caption // a photo or file with the number written under it
		}
		file := m.Document != nil || m.Photo != nil
		if m.Chat == nil || m.Chat.Type == tele.ChatChannel || (text == "" && (!file || isGroup(m.Chat))) {
			return bot.Update{}, 0, false
		}
		// A file without words in a private chat is answered like any
		// message without a number: with what the bot can read.
		bu := bot.Update{Chat: chatKey(m.Chat), Group: isGroup(m.Chat), Text: text}
		switch {
		case m.SenderChat != nil && m.SenderChat.ID == m.Chat.ID:
			bu.User = idString(m.Chat.ID) // an anonymous group admin
		case m.Sender == nil || m.Sender.IsBot:
			return bot.Update{}, 0, false
		default:
			bu.User, bu.Lang = idString(m.Sender.ID), m.Sender.LanguageCode
		}
		return bu, m.ID, true

	case u.Callback != nil:
		cb := u.Callback
		data, known := t.buttonData(cb.Data)
		lang := ""
		if cb.Sender != nil {
			lang = cb.Sender.LanguageCode
		}
		answer := answerCallbackParams{CallbackQueryID: cb.ID}
		if !known {
			answer.Text = i18n.For(i18n.Match(lang)).T("telegram.button_gone")
		}
		if err := t.api.call(ctx, "answerCallbackQuery", answer, nil); err != nil {
			t.log.Warn("Could not answer a button press.", slog.Any("error", err))
		}
		m := cb.Message
		if !known || cb.Sender == nil || m == nil || m.Chat == nil || m.Chat.Type == tele.ChatChannel {
			return bot.Update{}, 0, false
		}
		return bot.Update{Chat: chatKey(m.Chat), User: idString(cb.Sender.ID), Group: isGroup(m.Chat),
			Lang: lang, Button: data}, 0, true
	}
	return bot.Update{}, 0, false
}

func chatKey(c *tele.Chat) store.ChatKey {
	return store.ChatKey{Platform: Platform, ID: idString(c.ID)}
}

func isGroup(c *tele.Chat) bool {
	return c.Type == tele.ChatGroup || c.Type == tele.ChatSuperGroup
}
