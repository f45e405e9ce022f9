package seventeentrack

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

func sign(body []byte) string {
	s := Sign(body, testKey)
	return hex.EncodeToString(s[:])
}

// recorder is an ingest function that remembers what it got.
type recorder struct {
	got []tracker.Result
	err error
}

func (r *recorder) ingest(_ context.Context, res tracker.Result) error {
	r.got = append(r.got, res)
	return r.err
}

func TestWebhook(t *testing.T) {
	updated := readShared(t, "17track-v2.2-webhook-tracking-updated.json")
	stopped := []byte(`{"event":"TRACKING_STOPPED","data":{"number":"RR123456789CN","carrier":3011,"tag":null}}`)
	other := []byte(`{"event":"TRACKING_PAUSED","data":{"number":"RR123456789CN"}}`)
	notJSON := []byte(`not json`)
	big := bytes.Repeat([]byte(" "), MaxWebhookBody+1)
	tests := []struct {
		name    string
		method  string
		body    []byte
		sign    string
		ingestE error
		status  int
		ingests int
	}{
		{"good signature", http.MethodPost, updated, sign(updated), nil, http.StatusOK, 1},
		{"upper-case hex", http.MethodPost, updated, strings.ToUpper(sign(updated)), nil, http.StatusOK, 1},
		{"missing signature", http.MethodPost, updated, "", nil, http.StatusUnauthorized, 0},
		{"wrong signature", http.MethodPost, updated, sign(stopped), nil, http.StatusUnauthorized, 0},
		{"garbage signature", http.MethodPost, updated, "zz-not-hex", nil, http.StatusUnauthorized, 0},
		{"signed with another key", http.MethodPost, updated, func() string { s := Sign(updated, "other"); return hex.EncodeToString(s[:]) }(), nil, http.StatusUnauthorized, 0},
		{"body changed after signing", http.MethodPost, append(bytes.Clone(updated), ' '), sign(updated), nil, http.StatusUnauthorized, 0},
		{"unsigned garbage is refused before parsing", http.MethodPost, notJSON, "", nil, http.StatusUnauthorized, 0},
		{"signed garbage", http.MethodPost, notJSON, sign(notJSON), nil, http.StatusBadRequest, 0},
		{"stopped", http.MethodPost, stopped, sign(stopped), nil, http.StatusOK, 0},
		{"other event", http.MethodPost, other, sign(other), nil, http.StatusOK, 0},
		{"oversize body", http.MethodPost, big, sign(big), nil, http.StatusRequestEntityTooLarge, 0},
		{"GET", http.MethodGet, nil, "", nil, http.StatusMethodNotAllowed, 0},
		{"PUT", http.MethodPut, updated, sign(updated), nil, http.StatusMethodNotAllowed, 0},
		{"ingest fails: 17TRACK retries", http.MethodPost, updated, sign(updated), errors.New("number is busy"), http.StatusInternalServerError, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSource(t, "http://127.0.0.1:1")
			var logs logBuffer
			rec := &recorder{err: tt.ingestE}
			h := s.WebhookHandler(rec.ingest, logs.logger())
			req := httptest.NewRequest(tt.method, "/17track/webhook", bytes.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			if tt.sign != "" {
				req.Header.Set("sign", tt.sign)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d (%s)", w.Code, tt.status, w.Body)
			}
			if len(rec.got) != tt.ingests {
				t.Fatalf("ingest called %d times, want %d", len(rec.got), tt.ingests)
			}
			if tt.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != http.MethodPost {
				t.Errorf("Allow = %q", w.Header().Get("Allow"))
			}
			if strings.Contains(logs.String(), testKey) || strings.Contains(w.Body.String(), testKey) {
				t.Errorf("the key leaked:\n%s", logs.String())
			}
			if tt.ingests == 0 {
				return
			}
			want, err := Parse(updated, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rec.got, want) {
				t.Errorf("ingested %+v\nwant %+v", rec.got, want)
			}
			if r := rec.got[0]; r.Number != "1Z2617V10397725789" || tracker.StageOf(r.Events) != tracker.StageDelivered {
				t.Errorf("ingested %+v", r)
			}
			if !s.reg.has("1Z2617V10397725789") {
				t.Error("a pushed number is known to be registered")
			}
		})
	}
}

func TestWebhookOverHTTP(t *testing.T) {
	s := newTestSource(t, "http://127.0.0.1:1")
	rec := &recorder{}
	srv := httptest.NewServer(s.WebhookHandler(rec.ingest, nil))
	defer srv.Close()
	body := readShared(t, "17track-v2.2-webhook-tracking-updated.json")
	req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	req.Header.Set("Sign", sign(body)) // header names are case-insensitive
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(rec.got) != 1 {
		t.Errorf("status %d, %d ingested", resp.StatusCode, len(rec.got))
	}
}
