package line

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// SignatureHeader carries the base64 HMAC-SHA256 of the body, keyed with
// the channel secret.
const SignatureHeader = "X-Line-Signature"

// WebhookHandler serves POST /line/webhook. It caps the body, verifies the
// signature before reading anything in it, queues the events for the
// workers and answers 200 at once; replies follow from the workers. It
// answers 401 for a missing or wrong signature, 413 for a body over
// MaxBodyBytes, and 503 when it cannot queue the events (shutting down, or
// too busy), so that LINE delivers them again.
func (l *LINE) WebhookHandler() http.Handler {
	return http.HandlerFunc(l.serveWebhook)
}

// envelope is the webhook body; events are decoded one by one so that one
// odd event does not cost the others.
type envelope struct {
	Destination string            `json:"destination"`
	Events      []json.RawMessage `json:"events"`
}

func (l *LINE) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > MaxBodyBytes {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "unable to read the request body", http.StatusBadRequest)
		return
	}
	if !l.validSignature(r.Header.Get(SignatureHeader), body) {
		l.log.Warn("Rejected a webhook request with a missing or wrong signature.",
			slog.String("remote_addr", r.RemoteAddr))
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		l.log.Warn("Rejected a signed webhook request that is not JSON.", slog.Any("error", err))
		http.Error(w, "malformed body", http.StatusBadRequest)
		return
	}
	if !l.accepting() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	missed := 0
	for _, raw := range env.Events {
		ev, err := decodeEvent(raw)
		if err != nil {
			l.log.Warn("Skipped a webhook event that could not be read.", slog.Any("error", err))
			continue
		}
		chat, _, _ := source(ev)
		if !l.enqueue(chat, job{ev: ev}) {
			missed++
		}
	}
	if missed > 0 {
		// LINE redelivers the request (when redelivery is on); the events
		// queued already are recognised by their webhookEventId.
		l.log.Warn("Webhook events could not be queued.", slog.Int("events", missed))
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// decodeEvent decodes one event of a webhook body as
// webhook.UnmarshalEvent does, with less work for the kinds the bot
// answers: their type is read into a struct rather than a map of every
// field, and the body, already checked as JSON, goes straight to the
// event's decoder. Anything else, or an event whose decoded type is not
// the one read (a "TYPE" key, say), goes through UnmarshalEvent.
func decodeEvent(raw json.RawMessage) (any, error) {
	var probe struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &probe) != nil {
		return webhook.UnmarshalEvent(raw)
	}
	decode, ok := eventDecoders[probe.Type]
	if !ok {
		return webhook.UnmarshalEvent(raw)
	}
	ev, typ, err := decode(raw)
	if err != nil || typ != probe.Type {
		return webhook.UnmarshalEvent(raw)
	}
	return ev, nil
}

// eventDecoders decode the kinds of event the bot answers, by type.
var eventDecoders = map[string]func(json.RawMessage) (any, string, error){
	"message":  decodeAs[webhook.MessageEvent],
	"postback": decodeAs[webhook.PostbackEvent],
	"follow":   decodeAs[webhook.FollowEvent],
	"join":     decodeAs[webhook.JoinEvent],
	"unfollow": decodeAs[webhook.UnfollowEvent],
	"leave":    decodeAs[webhook.LeaveEvent],
}

// decodeAs decodes raw as an event of type E with E's own decoder, and
// returns it with the type it names.
func decodeAs[E any, P interface {
	*E
	json.Unmarshaler
	webhook.EventInterface
}](raw json.RawMessage) (any, string, error) {
	var e E
	if err := P(&e).UnmarshalJSON(raw); err != nil {
		return nil, "", err
	}
	return e, P(&e).GetType(), nil
}

// validSignature checks the signature in constant time.
func (l *LINE) validSignature(sig string, body []byte) bool {
	if sig == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, l.secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// meta is what every event carries.
type meta struct {
	id         string
	redelivery bool
	replyToken string
}

func eventMeta(ev any) meta {
	switch e := ev.(type) {
	case webhook.MessageEvent:
		return meta{e.WebhookEventId, redelivered(e.DeliveryContext), e.ReplyToken}
	case webhook.PostbackEvent:
		return meta{e.WebhookEventId, redelivered(e.DeliveryContext), e.ReplyToken}
	case webhook.FollowEvent:
		return meta{e.WebhookEventId, redelivered(e.DeliveryContext), e.ReplyToken}
	case webhook.JoinEvent:
		return meta{e.WebhookEventId, redelivered(e.DeliveryContext), e.ReplyToken}
	case webhook.UnfollowEvent:
		return meta{id: e.WebhookEventId, redelivery: redelivered(e.DeliveryContext)}
	case webhook.LeaveEvent:
		return meta{id: e.WebhookEventId, redelivery: redelivered(e.DeliveryContext)}
	}
	return meta{}
}

func redelivered(d *webhook.DeliveryContext) bool { return d != nil && d.IsRedelivery }

// source returns the chat, the sender, and whether the chat is a group
// (or a multi-person chat).
func source(ev any) (chat, user string, group bool) {
	var src webhook.SourceInterface
	switch e := ev.(type) {
	case webhook.MessageEvent:
		src = e.Source
	case webhook.PostbackEvent:
		src = e.Source
	case webhook.FollowEvent:
		src = e.Source
	case webhook.JoinEvent:
		src = e.Source
	case webhook.UnfollowEvent:
		src = e.Source
	case webhook.LeaveEvent:
		src = e.Source
	}
	switch s := src.(type) {
	case webhook.UserSource:
		return s.UserId, s.UserId, false
	case webhook.GroupSource:
		return s.GroupId, s.UserId, true
	case webhook.RoomSource:
		return s.RoomId, s.UserId, true
	}
	return "", "", false
}

// handleEvent answers one event: it drops an event seen before, turns the
// event into an update for the handler and replies with the answer.
func (l *LINE) handleEvent(ctx context.Context, j job) {
	m := eventMeta(j.ev)
	chat, user, group := source(j.ev)
	if m.id == "" || chat == "" {
		l.log.Debug("Ignored a LINE event.", slog.String("type", eventType(j.ev)))
		return
	}
	log := l.log.With(slog.String("event_id", m.id), slog.String("type", eventType(j.ev)))
	first, err := j.first, j.seenErr
	if !j.checked {
		first, err = l.seen(ctx, "line:"+m.id)
	}
	if err != nil {
		// Better a rare duplicate answer than a lost one.
		log.Warn("Could not check whether the event was seen; handling it.", slog.Any("error", l.scrub(err)))
	} else if !first {
		log.Debug("Dropped a LINE event seen before.", slog.Bool("redelivery", m.redelivery))
		return
	}

	u := bot.Update{Chat: store.ChatKey{Platform: Platform, ID: chat}, User: user, Group: group}
	switch e := j.ev.(type) {
	case webhook.MessageEvent:
		switch c := e.Message.(type) {
		case webhook.TextMessageContent:
			text, ok := groupText(c, group)
			if !ok {
				return
			}
			u.Text = text
		default:
			if group {
				return // chatter in a group: not for the bot
			}
			u.Lang = l.profileLang(ctx, user)
			l.answer(ctx, log, m, u, []bot.Message{{Text: i18n.For(u.Lang).T("line.unsupported")}})
			return
		}
	case webhook.PostbackEvent:
		if e.Postback == nil || e.Postback.Data == "" {
			return
		}
		u.Button = e.Postback.Data
	case webhook.FollowEvent, webhook.JoinEvent:
		u.Text = "/start"
	case webhook.UnfollowEvent, webhook.LeaveEvent:
		// Pushes to this chat now fail and the dispatcher pauses it.
		log.Info("The bot was blocked or removed from a LINE chat.")
		return
	default:
		return
	}
	if !group {
		u.Lang = l.profileLang(ctx, user)
	}
	l.answer(ctx, log, m, u, l.handle(ctx, u))
}

// answer replies with msgs using the event's reply token. A reply token
// that LINE no longer takes (it expired while the event waited, or the
// event was redelivered) is replaced by a push whose retry key comes from
// the event, so a retried answer is still shown once.
func (l *LINE) answer(ctx context.Context, log *slog.Logger, m meta, u bot.Update, msgs []bot.Message) {
	out := render(msgs)
	if len(out) == 0 {
		return
	}
	if m.replyToken != "" {
		done := func(bool) {}
		if l.opts.Pending != nil && len(out) < MaxMessages {
			// Replies are free: fold in what waits for this chat, as far
			// as it fits in one reply without leaving anything out.
			if extra, d := l.opts.Pending(ctx, u.Chat.ID, MaxMessages-len(out)); len(extra) > 0 {
				if folded, trimmed := renderFit(append(slices.Clone(msgs), extra...)); !trimmed {
					out, done = folded, d
				} else {
					d(false)
				}
			} else {
				d(false)
			}
		}
		err := l.reply(ctx, m.replyToken, out)
		done(err == nil)
		if err == nil {
			return
		}
		if !errors.Is(err, errReplyToken) {
			log.Error("Could not reply on LINE.", slog.String("chat", u.Chat.String()), slog.Any("error", err))
			return
		}
		log.Info("The reply token was refused; pushing the answer instead.", slog.String("chat", u.Chat.String()))
	}
	if err := l.push(ctx, u.Chat.ID, out, nameUUID("todoku/line-answer\x00"+m.id)); err != nil {
		log.Error("Could not push the answer on LINE.", slog.String("chat", u.Chat.String()), slog.Any("error", err))
	}
}

// profileLang returns the language the user set in LINE, when they share
// it, remembered for a day; "" when unknown.
func (l *LINE) profileLang(ctx context.Context, user string) string {
	if user == "" {
		return ""
	}
	if lang, ok := l.langs.get(user); ok {
		return lang
	}
	lang, err := l.profile(ctx, user)
	if err != nil {
		l.log.Warn("Could not read the LINE profile.", slog.Any("error", err))
		if _, refused := errors.AsType[*apiError](err); !refused {
			return "" // a network failure: try again next time
		}
		lang = "" // LINE will not tell: do not ask again for a day
	}
	l.langs.put(user, lang)
	return lang
}

// groupText returns the text to hand to the bot. In a group only text
// meant for the bot counts: a command, a mention of the bot (removed from
// the text), or a tracking number.
func groupText(c webhook.TextMessageContent, group bool) (string, bool) {
	text := c.Text
	if !group {
		return text, true
	}
	if c.Mention != nil {
		self := false
		units := utf16.Encode([]rune(text))
		// Cut from the end so earlier indexes stay valid.
		for i := len(c.Mention.Mentionees) - 1; i >= 0; i-- {
			um, ok := c.Mention.Mentionees[i].(webhook.UserMentionee)
			if !ok || !um.IsSelf {
				continue
			}
			self = true
			start, end := int(um.Index), int(um.Index+um.Length)
			if start >= 0 && start <= end && end <= len(units) {
				units = append(units[:start:start], units[end:]...)
			}
		}
		if self {
			rest := strings.TrimSpace(string(utf16.Decode(units)))
			if rest == "" {
				rest = "/help" // just "@bot": say what it can do
			}
			return rest, true
		}
	}
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "/") || strings.HasPrefix(t, "／") {
		return text, true
	}
	if len(tracker.Detect(t)) > 0 {
		return text, true
	}
	return "", false
}

func eventType(ev any) string {
	if e, ok := ev.(webhook.EventInterface); ok {
		return e.GetType()
	}
	return "unknown"
}
