package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// serveApp runs the real HTTP server of a (playground, health, loops) on a
// free loopback port until the test ends, and returns the playground's URL.
// Warnings and errors of the app are logged to the test.
func serveApp(t *testing.T, cfg config, now func() time.Time) string {
	t.Helper()
	cfg.HTTPAddr = "127.0.0.1:0"
	catch := &urlCatcher{url: make(chan string, 1), next: slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, slog.New(catch), now)
	if err != nil {
		cancel()
		t.Fatalf("newApp: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.close()
	})
	select {
	case url := <-catch.url:
		return url
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("serve ended before it listened: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not log its playground URL within 10s")
	}
	return ""
}

// urlCatcher is a log handler that picks the playground URL out of the
// "Todoku is running." line and passes records at its level on to next.
type urlCatcher struct {
	url  chan string // buffered, receives the first URL only
	next slog.Handler
}

func (h *urlCatcher) Enabled(context.Context, slog.Level) bool { return true }

func (h *urlCatcher) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "Todoku is running." {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "playground" {
				select {
				case h.url <- a.Value.String():
				default:
				}
				return false
			}
			return true
		})
	}
	if h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

func (h *urlCatcher) WithAttrs(as []slog.Attr) slog.Handler {
	return &urlCatcher{url: h.url, next: h.next.WithAttrs(as)}
}

func (h *urlCatcher) WithGroup(name string) slog.Handler {
	return &urlCatcher{url: h.url, next: h.next.WithGroup(name)}
}

// testWriter writes each log line to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}
