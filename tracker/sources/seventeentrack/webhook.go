package seventeentrack

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/todoku/todoku/tracker"
)

// MaxWebhookBody is the largest webhook body read; larger ones get 413.
const MaxWebhookBody = 1 << 20

// signHeader carries the webhook signature: the hex SHA-256 of the raw body,
// a slash and the API key.
const signHeader = "sign"

// WebhookHandler receives 17TRACK's pushes (POST only). It checks the
// signature against the raw body before reading anything else and answers
// 401 to a missing or wrong one. A TRACKING_UPDATED push is parsed and each
// result handed to ingest; a TRACKING_STOPPED push is acknowledged. It
// answers 200 when done, or 500 when ingest failed so that 17TRACK sends the
// push again later.
func (s *Source) WebhookHandler(ingest func(ctx context.Context, r tracker.Result) error, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = s.log
	}
	log := logger.With(slog.String("component", "webhook"), slog.String("source", Name))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				log.Warn("Rejected a webhook body over the size limit.", slog.Int64("limit", tooBig.Limit))
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "unable to read the body", http.StatusBadRequest)
			return
		}
		if !s.validSign(body, r.Header.Get(signHeader)) {
			log.Warn("Rejected a webhook without a valid signature.",
				slog.Bool("signed", r.Header.Get(signHeader) != ""))
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		var env struct {
			Event string `json:"event"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			log.Warn("Received a signed webhook that is not JSON.", slog.Any("error", err))
			http.Error(w, "invalid JSON", http.StatusBadRequest)
			return
		}
		switch env.Event {
		case eventUpdated:
		case eventStopped:
			log.Debug("17TRACK stopped tracking a number.")
			w.WriteHeader(http.StatusOK)
			return
		default:
			log.Info("Ignored a webhook event Todoku does not handle.", slog.String("event", env.Event))
			w.WriteHeader(http.StatusOK)
			return
		}
		results, err := parse(body, time.Time{}, s.logUnknown)
		if err != nil {
			log.Warn("Could not read a TRACKING_UPDATED push.", slog.Any("error", err))
			http.Error(w, "unreadable push", http.StatusBadRequest)
			return
		}
		for _, res := range results {
			s.reg.add(res.Number, 0) // a pushed number is registered
			if err := ingest(r.Context(), res); err != nil {
				log.Error("Could not ingest a pushed update; 17TRACK will send it again.",
					slog.String("number", res.Number), slog.Any("error", err))
				http.Error(w, "ingest failed", http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// validSign checks a webhook signature in constant time.
func (s *Source) validSign(body []byte, sign string) bool {
	got, err := hex.DecodeString(strings.TrimSpace(sign))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	want := Sign(body, s.key)
	return subtle.ConstantTimeCompare(got, want[:]) == 1
}

// Sign is 17TRACK's webhook signature of body for key: SHA-256 over the raw
// body, "/" and the key. The header carries it in hex.
func Sign(body []byte, key string) [sha256.Size]byte {
	h := sha256.New()
	h.Write(body)
	h.Write([]byte("/"))
	h.Write([]byte(key))
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
