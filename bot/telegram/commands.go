package telegram

import (
	"cmp"
	"context"
	"fmt"

	"github.com/todoku/todoku/i18n"
)

// menu is the command menu: command and the catalog key of its description.
var menu = []struct{ command, key string }{
	{"list", "telegram.command.list"},
	{"stop", "telegram.command.stop"},
	{"lang", "telegram.command.lang"},
	{"help", "telegram.command.help"},
}

type botCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// setMyCommandsParams is the body of setMyCommands.
type setMyCommandsParams struct {
	Commands     []botCommand `json:"commands"`
	LanguageCode string       `json:"language_code,omitempty"`
}

// SetCommands sets the command menu in every supported language (by the
// user's language_code) and in English for everyone else.
func (t *Telegram) SetCommands(ctx context.Context) error {
	for _, lang := range append(i18n.Langs(), "") {
		p := i18n.For(cmp.Or(lang, i18n.English))
		params := setMyCommandsParams{LanguageCode: lang}
		for _, c := range menu {
			params.Commands = append(params.Commands, botCommand{Command: c.command, Description: p.T(c.key)})
		}
		if err := t.callRetrying(ctx, "setMyCommands", params); err != nil {
			return fmt.Errorf("telegram: unable to set the %s command menu: %w", cmp.Or(lang, "default"), err)
		}
	}
	return nil
}

// callRetrying calls method, retrying a few times on flood control and
// server errors.
func (t *Telegram) callRetrying(ctx context.Context, method string, params any) error {
	var err error
	for attempt := 1; attempt <= t.sendAttempts; attempt++ {
		if err = t.api.call(ctx, method, params, nil); err == nil || !retryable(err) || attempt == t.sendAttempts {
			return err
		}
		wait := t.backoff(attempt, err)
		if wait > t.maxRetryWait {
			return err
		}
		if serr := t.clock.Sleep(ctx, wait); serr != nil {
			return err
		}
	}
	return err
}
