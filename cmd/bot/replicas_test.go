package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/redisstore"
	"github.com/todoku/todoku/tracker"
)

// The replica fault run's figures.
const (
	replicaCount  = 3
	notifications = 10_000
	// telegramEvery makes every n-th notification a Telegram one: Telegram
	// takes about 30 messages a second across every replica, so 304 of
	// them need at least ten seconds.
	telegramEvery = 33
	// replicaOutboxLease is the outbox lease of the replicas: a killed
	// replica's notifications are handed out again after it. It is short
	// for the test's sake, shorter than a Telegram send may wait for the
	// shared pace (claimed notifications wait up to half of it in a
	// replica's lanes, and the three replicas' workers can queue a second
	// or two of Telegram sends at 30 a second): such a send renews its
	// claim before it goes (bot.Confirm), or else another replica would
	// send it too. Production's lease is a minute.
	replicaOutboxLease = 2 * time.Second
	// gracefulOutboxLease is the lease in the graceful run: long enough
	// that no send outwaits its claim, so that any duplicate is the stop's.
	gracefulOutboxLease = 10 * time.Second
	replicaPollLease    = 2 * time.Second
	replicaRunLimit     = 90 * time.Second
)

// TestReplicasSurviveKill runs three bot processes on one Redis, with LINE
// and Telegram fakes in this process, writes 10,000 stage changes through
// the store (one subscribed chat each, mostly on LINE), and SIGKILLs a
// random replica every one to two seconds, restarting it, until every
// notification is delivered. Nothing may be lost, LINE (which honours
// X-Line-Retry-Key) must show nothing twice, and one replica at most may
// long-poll Telegram at a time; Telegram, which has no retry key, may show
// a notification twice, and those duplicates are counted and logged.
func TestReplicasSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bot and runs three processes")
	}
	runReplicas(t, false)
}

// TestReplicasStopGracefully is TestReplicasSurviveKill with SIGTERM
// instead of SIGKILL, as a rolling restart stops processes: a stopping
// replica finishes its sends under way and hands back what it claimed, so
// nothing is lost and nothing is sent twice, on LINE or on Telegram.
func TestReplicasStopGracefully(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bot and runs three processes")
	}
	runReplicas(t, true)
}

// gracefulStopWithin bounds a replica's graceful stop in the replica
// tests: its HTTP shutdown and its sends' grace period, 10 s each.
const gracefulStopWithin = 25 * time.Second

func runReplicas(t *testing.T, graceful bool) {
	stops := map[bool]string{false: "kills", true: "graceful stops"}[graceful]
	lease := map[bool]time.Duration{false: replicaOutboxLease, true: gracefulOutboxLease}[graceful]
	url := testRedisURL(t)
	prefix := testPrefix(t, url, "replicas")
	bin := buildBot(t)

	line := newLineDedupe(t)
	tg := newTelegramCounter(t)

	ctx := context.Background()
	st, err := redisstore.Open(ctx, url, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	env := append(withoutTodoku(os.Environ()),
		envHTTPAddr+"=127.0.0.1:0", envRedisURL+"="+url, envRedisPrefix+"="+prefix,
		envSources+"=none", envSandbox+"=false", envLogLevel+"=info",
		envTelegramToken+"=123456:TEST-token-for-the-fake", envTelegramAPI+"="+tg.URL,
		envLineSecret+"=line-channel-secret", envLineToken+"=line-channel-token", envLineAPI+"="+line.URL,
		envOutboxLease+"="+lease.String(), envPollLease+"="+replicaPollLease.String())
	logs := t.TempDir()
	var mu sync.Mutex // guards procs and starts
	procs := make([]*exec.Cmd, replicaCount)
	starts := 0
	startReplica := func(i int) {
		mu.Lock()
		defer mu.Unlock()
		starts++
		f, err := os.Create(filepath.Join(logs, fmt.Sprintf("replica-%d-start-%d.log", i, starts)))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, f, f
		if err := cmd.Start(); err != nil {
			t.Fatalf("start replica %d: %v", i, err)
		}
		f.Close() // the child holds its own descriptor
		procs[i] = cmd
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range procs {
			if p != nil && p.ProcessState == nil {
				_ = p.Process.Kill()
				_ = p.Wait()
			}
		}
	})
	now := time.Now().Truncate(time.Millisecond)
	if err := subscribeAll(ctx, st, notifications, now); err != nil {
		t.Fatalf("subscribing: %v", err)
	}
	t.Logf("subscribed %d chats in %s", notifications, time.Since(now).Round(time.Millisecond))
	for i := range replicaCount {
		startReplica(i)
	}

	began := time.Now()
	deadline := began.Add(replicaRunLimit)

	// Write the stage changes while the replicas deliver.
	written := make(chan error, 1)
	go func() {
		err := writeChanges(ctx, st, notifications, now)
		t.Logf("wrote %d stage changes in %s", notifications, time.Since(began).Round(time.Millisecond))
		written <- err
	}()

	// Kill a random replica every 1–2 s and start it again, until every
	// notification has arrived.
	kills := 0
	var delivered int
	progress := began
	for {
		delivered = line.chats() + tg.chats()
		if delivered >= notifications || time.Now().After(deadline) {
			break
		}
		if time.Since(progress) >= 10*time.Second {
			progress = time.Now()
			t.Logf("%s: %d of %d delivered (%d on Telegram), %d %s", progress.Sub(began).Round(time.Second), delivered, notifications, tg.chats(), kills, stops)
		}
		time.Sleep(time.Second + rand.N(time.Second))
		i := rand.N(replicaCount)
		mu.Lock()
		p := procs[i]
		mu.Unlock()
		if graceful {
			stopGracefully(t, i, p)
		} else {
			if err := p.Process.Kill(); err != nil {
				t.Fatalf("kill replica %d: %v", i, err)
			}
			_ = p.Wait()
		}
		kills++
		startReplica(i)
	}
	if err := <-written; err != nil {
		t.Fatalf("writing the stage changes: %v", err)
	}
	took := time.Since(began)
	// Let leases run out once more so late redeliveries (duplicates) show.
	time.Sleep(lease + time.Second)

	stats, err := st.Stats(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	lineChats, lineDup, lineRefused, wrong := line.result()
	tgChats, tgDup, tgSends := tg.result()
	lost := notifications - lineChats - tgChats
	t.Logf("replicas: %d, notifications: %d (%d LINE, %d Telegram), %s: %d, delivered all in %s",
		replicaCount, notifications, notifications-telegramShare(notifications), telegramShare(notifications), stops, kills, took.Round(time.Millisecond))
	t.Logf("lost: %d, outbox left: %d, LINE duplicates shown: %d, LINE retries answered 409: %d, Telegram duplicates: %d (of %d sends)",
		lost, stats.Outbox, lineDup, lineRefused, tgDup, tgSends)
	gap, most := tg.pollStats()
	t.Logf("Telegram long polling: longest gap between polls %s (poll lease %s), most replicas polling at once: %d",
		gap.Round(time.Millisecond), replicaPollLease, most)
	if lost != 0 || stats.Outbox != 0 {
		tailLogs(t, logs)
		t.Errorf("%d notifications lost, %d left in the outbox after %s", lost, stats.Outbox, took)
	}
	if lineDup != 0 || wrong != 0 {
		t.Errorf("LINE showed %d notifications twice and %d in the wrong chat", lineDup, wrong)
	}
	if graceful && (tgDup != 0 || lineRefused != 0) {
		t.Errorf("graceful stops repeated sends: %d Telegram duplicates, %d LINE retries", tgDup, lineRefused)
	}
	if most > 1 {
		t.Errorf("%d replicas long-polled Telegram at once", most)
	}
	if kills < 3 {
		t.Errorf("only %d %s during the run; the run proves little", kills, stops)
	}
}

// stopGracefully sends replica i SIGTERM and waits for it to exit, which
// it must do cleanly and in time.
func stopGracefully(t *testing.T, i int, p *exec.Cmd) {
	t.Helper()
	if err := p.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("stop replica %d: %v", i, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("replica %d stopped with %v", i, err)
		}
	case <-time.After(gracefulStopWithin):
		_ = p.Process.Kill()
		<-exited
		t.Errorf("replica %d did not stop within %s of SIGTERM", i, gracefulStopWithin)
	}
}

// telegramShare is how many of n notifications go to Telegram chats.
func telegramShare(n int) int { return (n + telegramEvery - 1) / telegramEvery }

// replicaChat is the chat and number of the i-th stage change.
func replicaChat(i int) (store.ChatKey, string) {
	number := fmt.Sprintf("LP%014d", i)
	if i%telegramEvery == 0 {
		return store.ChatKey{Platform: "telegram", ID: strconv.Itoa(700000 + i)}, number
	}
	return store.ChatKey{Platform: "line", ID: fmt.Sprintf("U%032x", i)}, number
}

// subscribeAll gives each of n chats one number to follow, due a day
// from now so the replicas' pollers leave them alone.
func subscribeAll(ctx context.Context, st store.Store, n int, now time.Time) error {
	jobs := make(chan int)
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := range jobs {
				chat, number := replicaChat(i)
				err := st.SaveChat(ctx, store.Chat{Key: chat, Lang: "en", TimeZone: "UTC", Level: store.LevelAll, CreatedAt: now})
				if err == nil {
					sub := store.Subscription{Chat: chat, Number: number, CreatedAt: now.Add(24 * time.Hour)}
					_, _, _, err = st.Subscribe(ctx, sub, tracker.Shipment{Number: number, Stage: tracker.StageInTransit, Since: now})
				}
				if err != nil {
					errs <- err
					for range jobs {
					}
					return
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return <-errs
}

// writeChanges moves every subscribed number from in transit to out for
// delivery the way the poller does: it claims due numbers (at a virtual
// now past their due time) and commits the changes in batches, each of
// which writes one outbox notification per subscriber.
func writeChanges(ctx context.Context, st store.Store, n int, now time.Time) error {
	at := now.Add(25 * time.Hour)
	for done := 0; done < n; {
		claims, err := st.ClaimDue(ctx, at, 100, time.Hour)
		if err != nil {
			return err
		}
		if len(claims) == 0 {
			return fmt.Errorf("only %d of %d numbers were due", done, n)
		}
		checks := make([]store.Check, len(claims))
		for i, c := range claims {
			ev := tracker.Event{Time: now.Add(-time.Minute), Location: "Tokyo", Text: "Out for delivery", Code: "OFD",
				Stage: tracker.StageOutForDelivery, Source: "test"}
			checks[i] = store.Check{Claim: c, Change: tracker.Change{NewEvents: []tracker.Event{ev}, From: tracker.StageInTransit, To: tracker.StageOutForDelivery},
				Snap: tracker.Shipment{Number: c.Number, Stage: tracker.StageOutForDelivery, Events: []tracker.Event{ev}, Since: now, CheckedAt: at}}
		}
		errs, err := st.CommitMany(ctx, checks, at)
		if err != nil {
			return err
		}
		for i, err := range errs {
			if err != nil {
				return fmt.Errorf("commit %s: %w", claims[i].Number, err)
			}
		}
		done += len(claims)
	}
	return nil
}

// buildBot builds the bot into a temporary directory. The replicas run
// without the race detector even under -race: it would slow them several
// times over, and the loops they run are race-tested in process.
func buildBot(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "bot")
	began := time.Now()
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built the bot in %s", time.Since(began).Round(time.Millisecond))
	return bin
}

// withoutTodoku drops TODOKU_* variables, so the replicas see only the
// test's configuration.
func withoutTodoku(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "TODOKU_") {
			out = append(out, kv)
		}
	}
	return out
}

// tailLogs logs the last lines of each replica's log.
func tailLogs(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		t.Logf("%s:\n%s", filepath.Base(f), strings.Join(lines[max(0, len(lines)-10):], "\n"))
	}
}

// lineDedupe is a Messaging API fake for pushes that behaves like LINE
// with X-Line-Retry-Key: a push whose key was accepted before is answered
// 409 and not shown again. It counts what each chat was shown.
type lineDedupe struct {
	*httptest.Server
	mu      sync.Mutex
	keys    map[string]bool
	shown   map[string]int // chat -> pushes shown
	refused int            // repeated keys answered 409
	wrong   int            // pushes that do not name the chat's number
	bad     []string       // requests LINE would refuse
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func newLineDedupe(t *testing.T) *lineDedupe {
	f := &lineDedupe{keys: map[string]bool{}, shown: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, b := range f.bad {
			if i == 5 {
				t.Errorf("... and %d more", len(f.bad)-5)
				break
			}
			t.Errorf("LINE would refuse: %s", b)
		}
	})
	return f
}

func (f *lineDedupe) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	if r.Header.Get("Authorization") != "Bearer line-channel-token" {
		reply(http.StatusUnauthorized, map[string]string{"message": "Authentication failed."})
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "GET /v2/bot/message/quota":
		reply(http.StatusOK, map[string]any{"type": "none"})
	case "GET /v2/bot/message/quota/consumption":
		reply(http.StatusOK, map[string]any{"totalUsage": 0})
	case "POST /v2/bot/message/push":
		var req struct {
			To       string            `json:"to"`
			Messages []json.RawMessage `json:"messages"`
		}
		key := r.Header.Get("X-Line-Retry-Key")
		if err := json.Unmarshal(body, &req); err != nil || req.To == "" || len(req.Messages) == 0 || len(req.Messages) > 5 || !uuidPattern.MatchString(key) {
			f.bad = append(f.bad, fmt.Sprintf("push to %q with key %q: %.200s", req.To, key, body))
			reply(http.StatusBadRequest, map[string]string{"message": "The request body has 1 error(s)"})
			return
		}
		if f.keys[key] {
			f.refused++
			w.Header().Set("X-Line-Accepted-Request-Id", "55a2a3c8-7c5b-4c1a-9a38-3b1f6b4c1f10")
			reply(http.StatusConflict, map[string]string{"message": "The retry key is already accepted"})
			return
		}
		f.keys[key] = true
		i, err := strconv.ParseInt(strings.TrimPrefix(req.To, "U"), 16, 64)
		if _, number := replicaChat(int(i)); err != nil || !strings.Contains(string(body), number) {
			f.wrong++
		}
		f.shown[req.To]++
		sent := make([]map[string]string, len(req.Messages))
		for i := range sent {
			sent[i] = map[string]string{"id": strconv.Itoa(461230966842064897 + i)}
		}
		reply(http.StatusOK, map[string]any{"sentMessages": sent})
	default:
		f.bad = append(f.bad, r.Method+" "+r.URL.Path+" is not served by the fake")
		reply(http.StatusNotFound, map[string]string{"message": "Not found"})
	}
}

func (f *lineDedupe) chats() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.shown)
}

// result: chats shown something, notifications shown more than once,
// repeated keys refused, and pushes that went to the wrong chat.
func (f *lineDedupe) result() (chats, dup, refused, wrong int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.shown {
		dup += n - 1
	}
	return len(f.shown), dup, f.refused, f.wrong
}

// telegramCounter is a Bot API fake: getUpdates comes back empty after a
// short long poll, sendMessage is accepted and counted per chat, anything
// else answers true. It notes how many getUpdates calls run at once and
// the longest time without one.
type telegramCounter struct {
	*httptest.Server
	mu        sync.Mutex
	shown     map[int64]map[string]int // chat -> text -> times shown
	sends     int
	polling   atomic.Int32
	most      int32
	lastPoll  time.Time
	longest   time.Duration
	messageID int
}

func newTelegramCounter(t *testing.T) *telegramCounter {
	f := &telegramCounter{shown: map[int64]map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *telegramCounter) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	switch method {
	case "getUpdates":
		_, _ = io.Copy(io.Discard, r.Body)
		n := f.polling.Add(1)
		defer f.polling.Add(-1)
		f.mu.Lock()
		f.most = max(f.most, n)
		if now := time.Now(); !f.lastPoll.IsZero() {
			f.longest = max(f.longest, now.Sub(f.lastPoll))
		}
		f.lastPoll = time.Now()
		f.mu.Unlock()
		select {
		case <-time.After(200 * time.Millisecond):
			_, _ = w.Write([]byte(`{"ok":true,"result":[]}`))
		case <-r.Context().Done():
		}
		f.mu.Lock()
		f.lastPoll = time.Now()
		f.mu.Unlock()
	case "sendMessage":
		var req struct {
			ChatID int64  `json:"chat_id"`
			Text   string `json:"text"`
		}
		if err := json.NewDecoder(bufio.NewReader(r.Body)).Decode(&req); err != nil || req.ChatID == 0 || req.Text == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}`))
			return
		}
		f.mu.Lock()
		if f.shown[req.ChatID] == nil {
			f.shown[req.ChatID] = map[string]int{}
		}
		f.shown[req.ChatID][req.Text]++
		f.sends++
		f.messageID++
		id := f.messageID
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private"},"text":"ok"}}`,
			id, time.Now().Unix(), req.ChatID)
	default:
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"ok":true,"result":true}`))
	}
}

func (f *telegramCounter) chats() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.shown)
}

// result: chats shown something, messages shown more than once (the
// same text in the same chat), sends.
func (f *telegramCounter) result() (chats, dup, sends int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, texts := range f.shown {
		for _, n := range texts {
			dup += n - 1
		}
	}
	return len(f.shown), dup, f.sends
}

// pollStats: the longest time no replica long-polled, and the most replicas
// that did at once.
func (f *telegramCounter) pollStats() (time.Duration, int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.longest, f.most
}
