package telegram

import (
	"context"
	"testing"

	tele "gopkg.in/telebot.v3"
)

func TestFilesAndCaptions(t *testing.T) {
	tg := &Telegram{}
	private := &tele.Chat{ID: 42, Type: tele.ChatPrivate}
	group := &tele.Chat{ID: -100, Type: tele.ChatGroup}
	user := &tele.User{ID: 42, LanguageCode: "th"}
	tests := []struct {
		name string
		m    *tele.Message
		ok   bool
		text string
	}{
		{"photo with the number under it", &tele.Message{Chat: private, Sender: user, Photo: &tele.Photo{}, Caption: "LP00123456789012"}, true, "LP00123456789012"},
		{"file alone in a private chat", &tele.Message{Chat: private, Sender: user, Document: &tele.Document{}}, true, ""},
		{"file alone in a group", &tele.Message{Chat: group, Sender: user, Document: &tele.Document{}}, false, ""},
		{"service message", &tele.Message{Chat: private, Sender: user}, false, ""},
	}
	for _, tt := range tests {
		u, _, ok := tg.convert(context.Background(), tele.Update{Message: tt.m})
		if ok != tt.ok || (ok && u.Text != tt.text) {
			t.Errorf("%s: ok %v text %q; want %v %q", tt.name, ok, u.Text, tt.ok, tt.text)
		}
	}
}
