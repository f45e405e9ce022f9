package main

import (
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/cainiao"
	"github.com/todoku/todoku/tracker/sources/japanpost"
	"github.com/todoku/todoku/tracker/sources/sagawa"
	"github.com/todoku/todoku/tracker/sources/seventeentrack"
	"github.com/todoku/todoku/tracker/sources/thailandpost"
	"github.com/todoku/todoku/tracker/sources/yamato"
)

// sourceSpec is one carrier source the bot can use: how to configure it,
// open it, and parse a saved answer of it (bot parse).
type sourceSpec struct {
	name   string // source name, as in TODOKU_SOURCES, --source and /healthz
	env    string // prefix of its variables: _URL moves its base URL (proxies, mirrors, tests), _RATE sets requests per second
	keyEnv string // variable holding its secret; the source is off without it
	open   func(c sourceConfig, log *slog.Logger) (tracker.Source, error)
	parse  func(body []byte, since time.Time) ([]tracker.Result, error)
}

// sourceSpecs lists the sources in the order they are asked: keyless
// carriers' own services first, 17TRACK last as the universal fallback.
var sourceSpecs = []sourceSpec{
	{name: "cainiao", env: "TODOKU_CAINIAO", parse: cainiao.Parse,
		open: func(c sourceConfig, _ *slog.Logger) (tracker.Source, error) {
			return cainiao.New(cainiao.Options{BaseURL: c.BaseURL, Rate: c.Rate})
		}},
	{name: "japan-post", env: "TODOKU_JAPANPOST", parse: japanpost.Parse,
		open: func(c sourceConfig, _ *slog.Logger) (tracker.Source, error) {
			return japanpost.New(japanpost.Options{BaseURL: c.BaseURL, Rate: c.Rate})
		}},
	{name: "yamato", env: "TODOKU_YAMATO", parse: yamato.Parse,
		open: func(c sourceConfig, _ *slog.Logger) (tracker.Source, error) {
			return yamato.New(yamato.Options{BaseURL: c.BaseURL, Rate: c.Rate})
		}},
	{name: "sagawa", env: "TODOKU_SAGAWA", parse: sagawa.Parse,
		open: func(c sourceConfig, _ *slog.Logger) (tracker.Source, error) {
			return sagawa.New(sagawa.Options{BaseURL: c.BaseURL, Rate: c.Rate})
		}},
	{name: "thailand-post", env: "TODOKU_THAILANDPOST", keyEnv: "TODOKU_THAILANDPOST_TOKEN", parse: thailandpost.Parse,
		open: func(c sourceConfig, log *slog.Logger) (tracker.Source, error) {
			return thailandpost.New(thailandpost.Options{BaseURL: c.BaseURL, Token: c.Key, Rate: c.Rate, Logger: log})
		}},
	{name: "17track", env: "TODOKU_17TRACK", keyEnv: "TODOKU_17TRACK_KEY", parse: seventeentrack.Parse,
		open: func(c sourceConfig, log *slog.Logger) (tracker.Source, error) {
			return seventeentrack.New(seventeentrack.Options{BaseURL: c.BaseURL, Key: c.Key, Rate: c.Rate, Logger: log})
		}},
}

func specFor(name string) (sourceSpec, bool) {
	i := slices.IndexFunc(sourceSpecs, func(s sourceSpec) bool { return s.name == name })
	if i < 0 {
		return sourceSpec{}, false
	}
	return sourceSpecs[i], true
}

func sourceNames() string {
	var names []string
	for _, s := range sourceSpecs {
		names = append(names, s.name)
	}
	return strings.Join(names, ", ")
}

// sourceConfig is one enabled source's settings.
type sourceConfig struct {
	Name    string
	BaseURL string     // empty: the source's default
	Key     string     // secret
	Rate    rate.Limit // requests per second; 0: the source's default
}

// loadSources reads TODOKU_SOURCES (a comma-separated list, "none" for no
// carrier at all; default: every keyless source, plus each keyed source
// whose key is set) and each source's URL and key variables.
func loadSources(getenv func(string) string) ([]sourceConfig, error) {
	want := map[string]bool{}
	list := strings.TrimSpace(getenv(envSources))
	explicit := list != ""
	if explicit && list != "none" {
		for _, n := range strings.Split(list, ",") {
			n = strings.TrimSpace(n)
			if _, ok := specFor(n); !ok {
				return nil, fmt.Errorf("%s: unknown source %q (known: %s)", envSources, n, sourceNames())
			}
			want[n] = true
		}
	}
	var out []sourceConfig
	for _, s := range sourceSpecs {
		key := ""
		if s.keyEnv != "" {
			var err error
			if key, err = secret(getenv, s.keyEnv); err != nil {
				return nil, err
			}
		}
		on := want[s.name] || (!explicit && (s.keyEnv == "" || key != ""))
		if !on {
			continue
		}
		if s.keyEnv != "" && key == "" {
			return nil, fmt.Errorf("%s: source %s needs %s", envSources, s.name, s.keyEnv)
		}
		c := sourceConfig{Name: s.name, BaseURL: getenv(s.env + "_URL"), Key: key}
		if v := getenv(s.env + "_RATE"); v != "" {
			r, err := strconv.ParseFloat(v, 64)
			if err != nil || r <= 0 {
				return nil, fmt.Errorf("%s_RATE: want a positive number of requests per second, got %q", s.env, v)
			}
			c.Rate = rate.Limit(r)
		}
		out = append(out, c)
	}
	return out, nil
}

// openSources opens the configured sources in the order they are asked.
func openSources(cfgs []sourceConfig, log *slog.Logger) ([]tracker.Source, error) {
	var out []tracker.Source
	for _, c := range cfgs {
		spec, _ := specFor(c.Name)
		src, err := spec.open(c, log)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", c.Name, err)
		}
		out = append(out, src)
	}
	return out, nil
}

// parseFile is `bot parse --source NAME FILE`: it prints, one JSON object
// per number, the normalized events and stage of a saved answer.
func parseFile(name, path string, since time.Time) ([]parsed, error) {
	spec, ok := specFor(name)
	if !ok {
		return nil, fmt.Errorf("unknown source %q (known: %s)", name, sourceNames())
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	results, err := spec.parse(body, since)
	if err != nil {
		return nil, err
	}
	out := make([]parsed, 0, len(results))
	for _, r := range results {
		if r.Source == "" {
			r.Source = name
		}
		sh, _ := tracker.Apply(tracker.Shipment{Number: r.Number, Since: since}, r, since)
		out = append(out, newParsed(sh, r.Error))
	}
	return out, nil
}

// parsed is the JSON shape of a normalized shipment for programs.
type parsed struct {
	Number  string        `json:"number"`
	Carrier string        `json:"carrier,omitempty"`
	Stage   string        `json:"stage"`
	Error   string        `json:"error,omitempty"`
	Events  []parsedEvent `json:"events"`
	Linked  []string      `json:"linked"`
	ETA     *time.Time    `json:"eta"`
}

type parsedEvent struct {
	Time        time.Time `json:"time"`
	Location    string    `json:"location"`
	Description string    `json:"description"`
	Code        string    `json:"code"`
	Stage       string    `json:"stage"`
	Source      string    `json:"source,omitempty"`
}

func newParsed(sh tracker.Shipment, errKind string) parsed {
	p := parsed{Number: sh.Number, Carrier: sh.Carrier, Stage: sh.Stage.String(), Error: errKind,
		Events: []parsedEvent{}, Linked: sh.Linked}
	if sh.Stage == tracker.StageUnknown {
		p.Stage = tracker.StageNotFound.String()
	}
	if p.Linked == nil {
		p.Linked = []string{}
	}
	if !sh.ETA.IsZero() {
		eta := sh.ETA
		p.ETA = &eta
	}
	for _, e := range sh.Events {
		p.Events = append(p.Events, parsedEvent{Time: e.Time, Location: e.Location, Description: e.Text,
			Code: e.Code, Stage: e.Stage.String(), Source: e.Source})
	}
	return p
}
