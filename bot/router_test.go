package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
)

// chatMap is an in-memory ChatStore.
type chatMap struct {
	mu    sync.Mutex
	chats map[store.ChatKey]store.Chat
	err   error
}

func (m *chatMap) Chat(_ context.Context, k store.ChatKey) (store.Chat, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return store.Chat{}, m.err
	}
	c, ok := m.chats[k]
	if !ok {
		return store.Chat{}, store.ErrNotFound
	}
	return c, nil
}

func (m *chatMap) SaveChat(_ context.Context, c store.Chat) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.chats == nil {
		m.chats = map[store.ChatKey]store.Chat{}
	}
	m.chats[c.Key] = c
	return nil
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in, name, args string
		ok             bool
	}{
		{"/list", "list", "", true},
		{"/LIST", "list", "", true},
		{"/stop 2", "stop", "2", true},
		{"/stop\t LP00123456789012 ", "stop", "LP00123456789012", true},
		{"/stop@TodokuBot 3", "stop", "3", true},
		{"／lang ja", "lang", "ja", true},
		{"/", "", "", false},
		{"list", "", "", false},
		{"LP00123456789012", "", "", false},
	}
	for _, tt := range tests {
		name, args, ok := parseCommand(tt.in)
		if name != tt.name || args != tt.args || ok != tt.ok {
			t.Errorf("parseCommand(%q) = %q, %q, %v; want %q, %q, %v", tt.in, name, args, ok, tt.name, tt.args, tt.ok)
		}
	}
}

func TestRouterRoutes(t *testing.T) {
	chats := &chatMap{}
	now := time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC)
	r := NewRouter(chats, func() time.Time { return now }, nil)
	var got []string
	record := func(tag string) HandlerFunc {
		return func(_ context.Context, c *Context) ([]Message, error) {
			got = append(got, tag+"|"+c.Command+"|"+c.Args+"|"+c.P.Lang())
			return []Message{{Text: tag}}, nil
		}
	}
	r.Command("list", record("list"))
	r.Command("stop", record("stop"))
	r.Text(record("text"))
	chat := store.ChatKey{Platform: "test", ID: "1"}

	r.Handle(context.Background(), Update{Chat: chat, Lang: "th-TH", Text: "/stop 2"})
	r.Handle(context.Background(), Update{Chat: chat, Lang: "ja", Button: "list"})
	r.Handle(context.Background(), Update{Chat: chat, Text: "  /nosuch thing "})
	r.Handle(context.Background(), Update{Chat: chat, Text: "LP00123456789012"})
	want := []string{
		"stop|stop|2|th",
		"list|list||th", // the chat keeps the language it was created with
		"text||/nosuch thing|th",
		"text||LP00123456789012|th",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("routed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c, err := chats.Chat(context.Background(), chat)
	if err != nil {
		t.Fatal(err)
	}
	if c.Lang != i18n.Thai || c.TimeZone != "Asia/Bangkok" || c.Level != store.LevelStages || !c.CreatedAt.Equal(now) {
		t.Errorf("new chat = %+v", c)
	}
}

func TestRouterTruncatesHugeText(t *testing.T) {
	r := NewRouter(&chatMap{}, nil, nil)
	var n int
	r.Text(func(_ context.Context, c *Context) ([]Message, error) {
		n = len([]rune(c.Args))
		return nil, nil
	})
	r.Handle(context.Background(), Update{Chat: store.ChatKey{Platform: "t", ID: "1"}, Text: strings.Repeat("荷", 100000)})
	if n != MaxTextRunes {
		t.Errorf("handler saw %d runes, want %d", n, MaxTextRunes)
	}
}

func TestRouterApologises(t *testing.T) {
	ctx := context.Background()
	chat := store.ChatKey{Platform: "test", ID: "1"}
	sorry := i18n.For(i18n.Japanese).T("error.internal")

	r := NewRouter(&chatMap{}, nil, nil)
	r.Command("boom", func(context.Context, *Context) ([]Message, error) { panic("kaboom") })
	r.Command("fail", func(context.Context, *Context) ([]Message, error) { return nil, errors.New("disk on fire") })
	for _, text := range []string{"/boom", "/fail"} {
		out := r.Handle(ctx, Update{Chat: chat, Lang: "ja-JP", Text: text})
		if len(out) != 1 || out[0].Text != sorry {
			t.Errorf("%s answered %+v, want the Japanese apology", text, out)
		}
		if strings.Contains(out[0].Text, "kaboom") || strings.Contains(out[0].Text, "disk") {
			t.Errorf("%s leaked an internal error to the user: %q", text, out[0].Text)
		}
	}

	broken := NewRouter(&chatMap{err: errors.New("store down")}, nil, nil)
	broken.Text(func(context.Context, *Context) ([]Message, error) {
		t.Error("handler ran without a chat")
		return nil, nil
	})
	out := broken.Handle(ctx, Update{Chat: chat, Lang: "en", Text: "hello"})
	if len(out) != 1 || out[0].Text != i18n.For(i18n.English).T("error.internal") {
		t.Errorf("store failure answered %+v", out)
	}
}

func TestRouterUnblocksAChatThatWritesAgain(t *testing.T) {
	chats := &chatMap{}
	k := store.ChatKey{Platform: "telegram", ID: "7"}
	if err := chats.SaveChat(context.Background(), store.Chat{Key: k, Lang: "en", Blocked: true}); err != nil {
		t.Fatal(err)
	}
	r := NewRouter(chats, nil, nil)
	r.Text(func(context.Context, *Context) ([]Message, error) { return nil, nil })
	r.Handle(context.Background(), Update{Chat: k, Text: "hi again"})
	if c, _ := chats.Chat(context.Background(), k); c.Blocked {
		t.Error("the chat is still blocked after its user wrote")
	}
}

func TestRouterDefaultLevelPerPlatform(t *testing.T) {
	chats := &chatMap{}
	r := NewRouter(chats, nil, nil)
	r.DefaultLevel("line", store.LevelKey)
	r.Text(func(context.Context, *Context) ([]Message, error) { return nil, nil })
	for platform, want := range map[string]string{"line": store.LevelKey, "telegram": store.LevelStages} {
		k := store.ChatKey{Platform: platform, ID: "1"}
		r.Handle(context.Background(), Update{Chat: k, Text: "hi"})
		if c, _ := chats.Chat(context.Background(), k); c.Level != want {
			t.Errorf("new %s chat at level %q, want %q", platform, c.Level, want)
		}
	}
}
