package handlers

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
)

// maxLabelRunes bounds a parcel's name; longer names are cut.
const maxLabelRunes = 40

// name gives a parcel a name: /name <which> <label>. A parcel alone in the
// list needs no <which>: /name phone case. An empty label clears the name.
func (h *Handlers) name(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	which, label, _ := strings.Cut(strings.TrimSpace(c.Args), " ")
	if which == "" {
		return []bot.Message{{Text: c.P.T("name.usage"), Buttons: menu(c)}}, nil
	}
	sub, err := h.pick(ctx, c, which)
	if err != nil {
		// "/name phone case" with a single parcel: all of it is the label.
		if only, err2 := h.pick(ctx, c, ""); err2 == nil {
			sub, label = only, strings.TrimSpace(c.Args)
		} else {
			_, out, err := h.pickOrExplain(ctx, c, which)
			return out, err
		}
	}
	label = cleanLabel(label)
	sub, err = h.Store.UpdateSubscription(ctx, c.Chat.Key, sub.Number, store.SubscriptionChange{Label: &label})
	if err != nil {
		return nil, fmt.Errorf("handlers: unable to name %s: %w", sub.Number, err)
	}
	text := c.P.T("name.done", sub.Number, label)
	if label == "" {
		text = c.P.T("name.cleared", sub.Number)
	}
	return []bot.Message{{Text: text, Buttons: menu(c)}}, nil
}

// cleanLabel keeps a name printable and short.
func cleanLabel(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	for utf8.RuneCountInString(s) > maxLabelRunes {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// rename asks for a parcel's new name; the user's next message is it.
func (h *Handlers) rename(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	sub, out, err := h.pickOrExplain(ctx, c, c.Args)
	if out != nil || err != nil {
		return out, err
	}
	c.Chat.Awaiting = "name " + sub.Number
	if err := h.Store.SaveChat(ctx, c.Chat); err != nil {
		return nil, fmt.Errorf("handlers: unable to wait for a name: %w", err)
	}
	return []bot.Message{{Text: c.P.T("rename.prompt", title(sub))}}, nil
}
