package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
)

// MaxTextRunes bounds what one message may carry into the handlers; longer
// text is cut there (tracking numbers in it past the cut are not seen).
const MaxTextRunes = 4096

// ChatStore is what the router needs of the store.
type ChatStore interface {
	Chat(ctx context.Context, key store.ChatKey) (store.Chat, error)
	SaveChat(ctx context.Context, c store.Chat) error
}

// Context is what a handler gets for one update.
type Context struct {
	Update  Update
	Chat    store.Chat
	P       *i18n.Printer
	Command string // the command without its slash, lower-case; empty for plain text
	Args    string // what follows the command, trimmed
	Now     time.Time
}

// Location is the chat's time zone, UTC when unknown.
func (c *Context) Location() *time.Location {
	return chatLocation(c.Chat)
}

// HandlerFunc answers one update.
type HandlerFunc func(ctx context.Context, c *Context) ([]Message, error)

// Router turns updates into handler calls: it loads (or creates) the chat,
// picks its language, parses commands and button data, recovers from panics
// and turns errors into a localized apology.
type Router struct {
	chats    ChatStore
	now      func() time.Time
	log      *slog.Logger
	commands map[string]HandlerFunc
	text     HandlerFunc
	levels   map[string]string // platform -> notification level of new chats
}

// NewRouter returns a router over chats. now may be nil (time.Now).
func NewRouter(chats ChatStore, now func() time.Time, log *slog.Logger) *Router {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Router{chats: chats, now: now, log: log.With("component", "router"), commands: map[string]HandlerFunc{}}
}

// Command routes "/name args" (and button data "name args") to h.
func (r *Router) Command(name string, h HandlerFunc) { r.commands[name] = h }

// DefaultLevel sets the notification level new chats of a platform start
// with (store.LevelStages otherwise).
func (r *Router) DefaultLevel(platform, level string) {
	if r.levels == nil {
		r.levels = map[string]string{}
	}
	r.levels[platform] = level
}

// Text routes every message that is not a known command to h.
func (r *Router) Text(h HandlerFunc) { r.text = h }

// Handle answers one update. It never returns an empty answer to a typed
// message: errors become an apology, unknown input becomes the text handler's
// business.
func (r *Router) Handle(ctx context.Context, u Update) (out []Message) {
	c := &Context{Update: u, Now: r.now(), P: i18n.For(i18n.Match(u.Lang))}
	defer func() {
		if v := recover(); v != nil {
			r.log.Error("Handler panicked.", slog.String("chat", u.Chat.String()),
				slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			out = []Message{{Text: c.P.T("error.internal")}}
		}
	}()
	chat, err := r.chat(ctx, u, c.Now)
	if err != nil {
		r.log.Error("Could not load the chat.", slog.String("chat", u.Chat.String()), slog.Any("error", err))
		return []Message{{Text: c.P.T("error.internal")}}
	}
	c.Chat = chat
	c.P = i18n.For(chat.Lang)

	input := u.Text
	if u.Button != "" {
		input = "/" + u.Button
	}
	input = truncate(strings.TrimSpace(input), MaxTextRunes)
	h := r.text
	if name, args, ok := parseCommand(input); ok {
		if ch, known := r.commands[name]; known {
			h, c.Command, c.Args = ch, name, args
		}
	}
	if h == nil {
		return nil
	}
	if c.Command == "" {
		c.Args = input
	}
	if chat.Awaiting != "" {
		// The user answers a question the bot asked (or moves on): a
		// plain message completes the waiting command.
		if c.Command == "" && u.Button == "" && input != "" {
			name, args, _ := strings.Cut(chat.Awaiting, " ")
			if ch, known := r.commands[name]; known {
				h, c.Command, c.Args = ch, name, strings.TrimSpace(args+" "+input)
			}
		}
		c.Chat.Awaiting = ""
		if err := r.chats.SaveChat(ctx, c.Chat); err != nil {
			r.log.Error("Could not clear the waiting command.", slog.String("chat", u.Chat.String()), slog.Any("error", err))
		}
	}
	msgs, err := h(ctx, c)
	if err != nil {
		r.log.Error("Handler failed.", slog.String("chat", u.Chat.String()),
			slog.String("command", c.Command), slog.Any("error", err))
		return append(msgs, Message{Text: c.P.T("error.internal")})
	}
	return msgs
}

// chat loads the chat's settings, creating them on first contact with the
// language the platform hints at and that language's usual time zone.
func (r *Router) chat(ctx context.Context, u Update, now time.Time) (store.Chat, error) {
	chat, err := r.chats.Chat(ctx, u.Chat)
	if err == nil {
		if chat.Blocked {
			// The user writes again: the platform delivers to them again.
			chat.Blocked = false
			if err := r.chats.SaveChat(ctx, chat); err != nil {
				return store.Chat{}, fmt.Errorf("bot: unable to unblock chat: %w", err)
			}
		}
		return chat, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Chat{}, fmt.Errorf("bot: unable to load chat: %w", err)
	}
	lang := i18n.Match(u.Lang)
	level := store.LevelStages
	if l, ok := r.levels[u.Chat.Platform]; ok {
		level = l
	}
	chat = store.Chat{Key: u.Chat, Lang: lang, TimeZone: i18n.DefaultZone(lang), Level: level, CreatedAt: now}
	if err := r.chats.SaveChat(ctx, chat); err != nil {
		return store.Chat{}, fmt.Errorf("bot: unable to save new chat: %w", err)
	}
	return chat, nil
}

// parseCommand splits "/name@bot args" into a lower-case name and args.
func parseCommand(s string) (name, args string, ok bool) {
	if !strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "／") {
		return "", "", false
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "/"), "／")
	name = s
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		name, args = s[:i], s[i:]
	}
	name, _, _ = strings.Cut(name, "@") // Telegram's /cmd@botname in groups
	if name == "" {
		return "", "", false
	}
	return strings.ToLower(name), strings.TrimSpace(args), true
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
