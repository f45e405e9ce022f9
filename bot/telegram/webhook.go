package telegram

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
)

// WebhookHandler serves Telegram's webhook calls (POST /telegram/webhook).
// It checks the secret header in constant time, caps the body at
// MaxWebhookBody, decodes the update and queues it for the bot, answering
// before the bot handles it. Unless Run is running it refuses updates with
// a 503, so that Telegram delivers them again later. Telegram's
// redeliveries are dropped by update_id when a worker picks them up.
//
// telebot's own Webhook poller is not used: it panics when the bot stops,
// compares the secret in variable time, answers 200 to a wrong secret and
// reads bodies of any size.
func (t *Telegram) WebhookHandler() http.Handler {
	return http.HandlerFunc(t.serveWebhook)
}

func (t *Telegram) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// Comparing digests keeps the time independent of where, and whether
	// in length, the given secret differs.
	got := sha256.Sum256([]byte(r.Header.Get(SecretHeader)))
	if subtle.ConstantTimeCompare(got[:], t.secretSum[:]) != 1 {
		t.log.Warn("Refused a webhook call without the right secret.", slog.String("remote", r.RemoteAddr))
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if r.ContentLength > MaxWebhookBody {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "unable to read the body", http.StatusBadRequest)
		return
	}
	u, id, err := decodeUpdate(body)
	if err != nil {
		if id != 0 {
			// Refusing it would make Telegram send it again forever.
			t.log.Warn("Skipped an update that could not be decoded.", slog.Int("update_id", id), slog.Any("error", err))
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Error(w, "malformed update", http.StatusBadRequest)
		return
	}
	if !t.enqueue(r.Context(), u) {
		http.Error(w, "not running", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
