package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/todoku/todoku/tracker"
)

// parseCmd is `bot parse --source NAME [--since DATE] FILE...`.
func parseCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	source := fs.String("source", "", "source that produced the file: "+sourceNames())
	sinceArg := fs.String("since", "", "when tracking began (YYYY-MM-DD), for dates printed without a year; default today")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *source == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "bot: usage: bot parse --source NAME [--since YYYY-MM-DD] FILE...")
		return 2
	}
	since := time.Now()
	if *sinceArg != "" {
		t, err := time.Parse(time.DateOnly, *sinceArg)
		if err != nil {
			fmt.Fprintf(stderr, "bot: --since: want YYYY-MM-DD, got %q\n", *sinceArg)
			return 2
		}
		since = t
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, path := range fs.Args() {
		out, err := parseFile(*source, path, since)
		if err != nil {
			fmt.Fprintf(stderr, "bot: parse %s: %v\n", path, err)
			return 1
		}
		for _, p := range out {
			if err := enc.Encode(p); err != nil {
				fmt.Fprintf(stderr, "bot: %v\n", err)
				return 1
			}
		}
	}
	return 0
}

// checkCmd is `bot check [--json] NUMBER...`: it detects each number,
// fetches it once through the configured sources (following a handover)
// and prints its timeline. It keeps nothing: it works on a throwaway
// embedded store, whatever TODOKU_REDIS_URL says.
func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per number")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "bot: usage: bot check [--json] NUMBER...")
		return 2
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "bot: %v\n", err)
		return 2
	}
	dir, err := os.MkdirTemp("", "todoku-check-")
	if err != nil {
		fmt.Fprintf(stderr, "bot: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	cfg.RedisURL, cfg.DBPath = "", filepath.Join(dir, "check.db")
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: max(cfg.LogLevel, slog.LevelWarn)}))
	a, err := newApp(ctx, cfg, log, time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "bot: %v\n", err)
		return 1
	}
	defer a.close()

	code := 0
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, arg := range fs.Args() {
		cands := tracker.Detect(arg)
		if len(cands) == 0 {
			fmt.Fprintf(stderr, "bot: %q holds no tracking number\n", arg)
			code = 1
			continue
		}
		best := cands[0]
		stub := tracker.Shipment{Number: best.Number, Since: time.Now(), Sandbox: best.Format == tracker.FormatSandbox}
		if len(best.Carriers) > 0 {
			stub.Carrier = best.Carriers[0]
		}
		sh, err := a.poller.Check(ctx, stub)
		if err != nil {
			fmt.Fprintf(stderr, "bot: check %s: %v\n", best.Number, err)
			code = 1
			continue
		}
		if *asJSON {
			if err := enc.Encode(newParsed(sh, sh.Error)); err != nil {
				return 1
			}
			continue
		}
		printTimeline(stdout, sh, best)
	}
	return code
}

func printTimeline(w io.Writer, sh tracker.Shipment, c tracker.Candidate) {
	stage := sh.Stage
	if stage == tracker.StageUnknown {
		stage = tracker.StageNotFound
	}
	fmt.Fprintf(w, "%s  format %s, carrier %s, source %s\n", sh.Number, c.Format, sh.Carrier, sh.Source)
	fmt.Fprintf(w, "  stage: %s", stage)
	if sh.Error != "" {
		fmt.Fprintf(w, " (last fetch: %s)", sh.Error)
	}
	fmt.Fprintln(w)
	for _, l := range sh.Linked {
		fmt.Fprintf(w, "  last mile: %s %s\n", sh.LastMile, l)
	}
	if !sh.ETA.IsZero() {
		fmt.Fprintf(w, "  ETA: %s\n", sh.ETA.Format(time.DateOnly))
	}
	for _, e := range sh.Events {
		fmt.Fprintf(w, "  %s  %-20s %s", e.Time.Format("2006-01-02 15:04 MST"), e.Stage, e.Text)
		if e.Location != "" {
			fmt.Fprintf(w, " — %s", e.Location)
		}
		fmt.Fprintln(w)
	}
}
