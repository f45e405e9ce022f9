// Package console is a chat surface on standard input and output: each line
// typed is a message from one local chat, and the bot's replies and pushes
// are printed as plain text. It needs no account and no network.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
)

// ChatID is the one console chat's ID; it is fixed so that the console's
// subscriptions survive restarts.
const ChatID = "local"

// Handler answers an update (the bot's router).
type Handler func(ctx context.Context, u bot.Update) []bot.Message

// Console reads lines from in and writes replies and pushes to out.
type Console struct {
	mu   sync.Mutex
	out  io.Writer
	lang string
}

// New returns a console writing to out; lang is the language hint of the
// local user (e.g. from $LANG).
func New(out io.Writer, lang string) *Console { return &Console{out: out, lang: lang} }

// Name implements bot.Platform.
func (c *Console) Name() string { return "console" }

// Send implements bot.Platform: pushes are printed between prompts.
func (c *Console) Send(ctx context.Context, chatID string, msgs []bot.Message, _ string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.print("🔔 ", msgs)
	return nil
}

func (c *Console) print(prefix string, msgs []bot.Message) {
	if len(msgs) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	text := strings.TrimRight(bot.PlainText(msgs), "\n")
	fmt.Fprintf(c.out, "%s%s\n> ", prefix, strings.ReplaceAll(text, "\n", "\n   "))
}

// Run reads lines until in ends or ctx is done, handing each to h.
func (c *Console) Run(ctx context.Context, in io.Reader, h Handler) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
	}()
	c.mu.Lock()
	fmt.Fprint(c.out, "> ")
	c.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			return err
		case line := <-lines:
			if strings.TrimSpace(line) == "" {
				c.mu.Lock()
				fmt.Fprint(c.out, "> ")
				c.mu.Unlock()
				continue
			}
			msgs := h(ctx, bot.Update{Chat: store.ChatKey{Platform: c.Name(), ID: ChatID}, Lang: c.lang, Text: line})
			c.print("", msgs)
		}
	}
}
