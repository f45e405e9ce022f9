package seventeentrack

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"golang.org/x/time/rate"

	"github.com/todoku/todoku/tracker"
)

// FuzzWebhook posts arbitrary bodies to the webhook. Unsigned, wrongly
// signed or signed with another key, a body is refused with 401 and never
// read. Signed, it is answered 200 or 400 (413 over the limit), and every
// result handed on names a canonical number and carries only known stages.
func FuzzWebhook(f *testing.F) {
	f.Add(readShared(f, "17track-v2.2-webhook-tracking-updated.json"))
	f.Add(readShared(f, "17track-v2.2-gettrackinfo.json"))
	f.Add([]byte(`{"event":"TRACKING_STOPPED","data":{"number":"RR123456789CN","carrier":3011,"tag":null}}`))
	f.Add([]byte(`{"event":"TRACKING_UPDATED","data":{"number":" rr-1234 5678 9cn ","track_info":{"latest_status":{"status":"Delivered"}}}}`))
	f.Add([]byte(`{"event":"TRACKING_UPDATED","data":{"number":"","track_info":{"tracking":{"providers":[{"events":[{"time_utc":"x","stage":"?"}]}]}}}}`))
	f.Add([]byte(`{"event":"TRACKING_UPDATED","data":null}`))
	f.Add([]byte(`{"event":1}`))
	f.Add([]byte(`not json`))
	s, err := New(Options{BaseURL: "http://127.0.0.1:1", Key: testKey, Rate: rate.Inf})
	if err != nil {
		f.Fatal(err)
	}
	stages := tracker.Stages()
	f.Fuzz(func(t *testing.T, body []byte) {
		var got []tracker.Result
		h := s.WebhookHandler(func(_ context.Context, r tracker.Result) error {
			got = append(got, r)
			return nil
		}, nil)
		post := func(sign string) int {
			req := httptest.NewRequest(http.MethodPost, "/17track/webhook", bytes.NewReader(body))
			if sign != "" {
				req.Header.Set(signHeader, sign)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Code
		}
		good := Sign(body, testKey)
		other := Sign(body, "another-key")
		flipped := good
		flipped[len(flipped)-1] ^= 0x80
		for _, sig := range []string{"", hex.EncodeToString(other[:]), hex.EncodeToString(flipped[:]), hex.EncodeToString(good[:16]), "zz"} {
			if code := post(sig); code != http.StatusUnauthorized && !(len(body) > MaxWebhookBody && code == http.StatusRequestEntityTooLarge) {
				t.Fatalf("signature %q answered %d, want 401", sig, code)
			}
		}
		if len(got) > 0 {
			t.Fatalf("an unsigned push reached ingest: %+v", got)
		}

		code := post(hex.EncodeToString(good[:]))
		switch {
		case len(body) > MaxWebhookBody:
			if code != http.StatusRequestEntityTooLarge {
				t.Fatalf("a %d-byte body answered %d", len(body), code)
			}
		case !json.Valid(body):
			if code != http.StatusBadRequest {
				t.Fatalf("a signed body that is not JSON answered %d", code)
			}
		case code != http.StatusOK && code != http.StatusBadRequest:
			t.Fatalf("a signed push answered %d", code)
		}
		for _, r := range got {
			if r.Number == "" || tracker.Canonical(r.Number) != r.Number {
				t.Fatalf("ingested number %q is not canonical", r.Number)
			}
			if r.Source != Name {
				t.Fatalf("ingested source %q", r.Source)
			}
			for _, e := range r.Events {
				if !slices.Contains(stages, e.Stage) || e.Stage == tracker.StageUnknown || e.Time.IsZero() {
					t.Fatalf("ingested event %+v", e)
				}
			}
		}
	})
}
