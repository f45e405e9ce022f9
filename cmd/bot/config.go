package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variables. Secrets also accept NAME_FILE, the path of a file
// holding the value.
const (
	envHTTPAddr     = "TODOKU_HTTP_ADDR"
	envRedisURL     = "TODOKU_REDIS_URL"
	envRedisPrefix  = "TODOKU_REDIS_PREFIX"
	envDBPath       = "TODOKU_DB"
	envSandbox      = "TODOKU_SANDBOX"
	envSandboxSpeed = "TODOKU_SANDBOX_SPEED"
	envLogLevel     = "TODOKU_LOG_LEVEL"
	envSources      = "TODOKU_SOURCES"
	envOutboxLease  = "TODOKU_OUTBOX_LEASE"
	envPollLease    = "TODOKU_TELEGRAM_POLL_LEASE"

	envTelegramToken   = "TODOKU_TELEGRAM_TOKEN"
	envTelegramAPI     = "TODOKU_TELEGRAM_API_URL"
	envTelegramWebhook = "TODOKU_TELEGRAM_WEBHOOK_URL"
	envTelegramSecret  = "TODOKU_TELEGRAM_WEBHOOK_SECRET"
	envLineSecret      = "TODOKU_LINE_CHANNEL_SECRET"
	envLineToken       = "TODOKU_LINE_CHANNEL_TOKEN"
	envLineAPI         = "TODOKU_LINE_API_URL"
)

// config is the effective configuration.
type config struct {
	HTTPAddr     string
	RedisURL     string // secret: may carry a password
	RedisPrefix  string // key prefix, so deployments can share one Redis
	DBPath       string
	Sandbox      bool
	SandboxSpeed float64
	LogLevel     slog.Level
	Sources      []sourceConfig // carrier sources, in the order they are asked
	// OutboxLease is how long a notification claimed by a replica that
	// died waits before another replica sends it; 0: the dispatcher's
	// default.
	OutboxLease time.Duration
	// PollLease is how long the Telegram long-poll lease lasts unless its
	// replica renews it; a replica that dies is replaced about this fast.
	PollLease time.Duration

	TelegramToken   string // secret; Telegram is off without it
	TelegramAPI     string
	TelegramWebhook string // public URL of /telegram/webhook; empty: long polling
	TelegramSecret  string // secret
	LineSecret      string // secret; LINE is off without it and the token
	LineToken       string // secret
	LineAPI         string
}

// loadConfig reads the environment through getenv. Defaults make a
// zero-setup bot: embedded store in the working directory, sandbox on,
// playground on :8080.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		HTTPAddr:     ":8080",
		DBPath:       "todoku.db",
		Sandbox:      true,
		SandboxSpeed: 8640, // one simulated day every 10 seconds
		PollLease:    defaultPollLease,
	}
	if v := getenv(envHTTPAddr); v != "" {
		c.HTTPAddr = v
	}
	c.RedisPrefix = getenv(envRedisPrefix)
	if v := getenv(envDBPath); v != "" {
		c.DBPath = v
	}
	var err error
	if c.RedisURL, err = secret(getenv, envRedisURL); err != nil {
		return c, err
	}
	if v := getenv(envSandbox); v != "" {
		if c.Sandbox, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("%s: want true or false, got %q", envSandbox, v)
		}
	}
	if v := getenv(envSandboxSpeed); v != "" {
		if c.SandboxSpeed, err = strconv.ParseFloat(v, 64); err != nil || c.SandboxSpeed <= 0 {
			return c, fmt.Errorf("%s: want a positive number, got %q", envSandboxSpeed, v)
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{envOutboxLease, &c.OutboxLease}, {envPollLease, &c.PollLease}} {
		if v := getenv(d.name); v != "" {
			if *d.dst, err = time.ParseDuration(v); err != nil || *d.dst < 100*time.Millisecond {
				return c, fmt.Errorf("%s: want a duration of at least 100ms (e.g. 30s), got %q", d.name, v)
			}
		}
	}
	if c.Sources, err = loadSources(getenv); err != nil {
		return c, err
	}
	for _, sec := range []struct {
		name string
		dst  *string
	}{
		{envTelegramToken, &c.TelegramToken}, {envTelegramSecret, &c.TelegramSecret},
		{envLineSecret, &c.LineSecret}, {envLineToken, &c.LineToken},
	} {
		if *sec.dst, err = secret(getenv, sec.name); err != nil {
			return c, err
		}
	}
	c.TelegramAPI, c.TelegramWebhook, c.LineAPI = getenv(envTelegramAPI), getenv(envTelegramWebhook), getenv(envLineAPI)
	if (c.LineSecret == "") != (c.LineToken == "") {
		return c, fmt.Errorf("LINE needs both %s and %s", envLineSecret, envLineToken)
	}
	if v := getenv(envLogLevel); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return c, fmt.Errorf("%s: want debug, info, warn or error, got %q", envLogLevel, v)
		}
	}
	return c, nil
}

// secret reads NAME, or the file named by NAME_FILE.
func secret(getenv func(string) string, name string) (string, error) {
	if v := getenv(name); v != "" {
		return v, nil
	}
	path := getenv(name + "_FILE")
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: unable to read the file: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// redacted lists the effective configuration for `bot config`, secrets
// shown only as set or unset.
func (c config) redacted() [][2]string {
	hide := func(v string) string {
		if v == "" {
			return "(unset)"
		}
		return "(set)"
	}
	out := [][2]string{
		{envHTTPAddr, c.HTTPAddr},
		{envRedisURL, hide(c.RedisURL)},
		{envRedisPrefix, c.RedisPrefix},
		{envDBPath, c.DBPath},
		{envSandbox, strconv.FormatBool(c.Sandbox)},
		{envSandboxSpeed, strconv.FormatFloat(c.SandboxSpeed, 'g', -1, 64)},
		{envLogLevel, c.LogLevel.String()},
		{envOutboxLease, c.OutboxLease.String()},
		{envPollLease, c.PollLease.String()},
		{envTelegramToken, hide(c.TelegramToken)},
		{envTelegramAPI, c.TelegramAPI},
		{envTelegramWebhook, c.TelegramWebhook},
		{envTelegramSecret, hide(c.TelegramSecret)},
		{envLineSecret, hide(c.LineSecret)},
		{envLineToken, hide(c.LineToken)},
		{envLineAPI, c.LineAPI},
	}
	var names []string
	for _, s := range c.Sources {
		names = append(names, s.Name)
		spec, _ := specFor(s.Name)
		out = append(out, [2]string{spec.env + "_URL", s.BaseURL})
		if spec.keyEnv != "" {
			out = append(out, [2]string{spec.keyEnv, hide(s.Key)})
		}
	}
	out = append(out, [2]string{envSources, strings.Join(names, ",")})
	return out
}
