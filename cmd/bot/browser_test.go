package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/sandbox"
)

// envTestChromium names the browser the browser tests drive; scripts/test
// sets it after installing the Debian package chromium.
const envTestChromium = "TODOKU_TEST_CHROMIUM"

// chromiumPath returns the browser to drive. Without one the test is
// skipped, except under CI where it fails: CI installs the browser.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(envTestChromium); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("%s=%s: %v", envTestChromium, p, err)
		}
		return found
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no chromium and %s is not set: under CI the browser tests must run (use scripts/test)", envTestChromium)
	}
	t.Skipf("no chromium found and %s is not set; install the Debian package chromium or run scripts/test", envTestChromium)
	return ""
}

// browser is a headless Chromium tab with a fresh profile. It remembers the
// errors the page reports (uncaught exceptions, console.error, failed
// loads) and saves a screenshot when the test fails.
type browser struct {
	t   *testing.T
	ctx context.Context // the tab; every action runs under it

	mu       sync.Mutex
	errors   []string
	warnings []string
}

func newBrowser(t *testing.T, path string) *browser {
	t.Helper()
	profile := t.TempDir()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// An English browser: the page's language must come from the
		// user's choice on the page, not from the browser.
		chromedp.Flag("lang", "en-US"),
		// The page is on loopback; nothing else may be dialled.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(profile),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
	})
	b := &browser{t: t, ctx: ctx}

	// Start the browser now, so that the console is watched from the
	// first page on.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			line := m.String()
			if m.URL != "" {
				line += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
			}
			b.mu.Lock()
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleException:
				b.errors = append(b.errors, line)
			case chromedp.ConsoleWarning:
				b.warnings = append(b.warnings, line)
			}
			b.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshot()
		}
	})
	return b
}

// screenshot saves the page as a PNG in the test's artifact directory (kept
// with go test -artifacts) and logs where.
func (b *browser) screenshot() {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("no screenshot: %v", err)
		return
	}
	path := filepath.Join(b.t.ArtifactDir(), "page.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("no screenshot: %v", err)
		return
	}
	b.t.Logf("screenshot of the page: %s", path)
}

// do runs actions, failing the test on an error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// pageErrors returns the errors and warnings the page reported so far.
func (b *browser) pageErrors() (errs, warnings []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.errors), slices.Clone(b.warnings)
}

// pressEnter presses Enter in the focused element as a keyboard does: the
// key's character is typed only when the page lets the keydown through.
// (chromedp.SendKeys sends the character as an event of its own, which a
// page cancelling the keydown cannot stop.)
var pressEnter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		ev := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if typ == input.DispatchKeyEventTypeKeyDown {
			ev.Text, ev.UnmodifiedText = "\r", "\r"
		}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
			return fmt.Errorf("pressing Enter: %w", err)
		}
	}
	return nil
})

// row is one line of the conversation as the page shows it.
type row struct {
	Class string     `json:"cls"`   // "row user", "row bot push", ...
	Meta  string     `json:"meta"`  // a push's mark and time
	Texts []string   `json:"texts"` // its bubbles
	Cards []pageCard `json:"cards"`
	Chips []string   `json:"chips"` // its buttons' labels
}

type pageCard struct {
	Number    string `json:"number"`
	Stage     string `json:"stage"` // data-stage
	StageName string `json:"stageName"`
	Note      string `json:"note"`
	Steps     int    `json:"steps"` // segments of the progress bar
	Done      int    `json:"done"`  // segments filled
}

func (r row) is(class string) bool { return slices.Contains(strings.Fields(r.Class), class) }

// conversationJS reads the conversation out of the page.
const conversationJS = `Array.from(document.querySelectorAll("#log .row:not(.typing)"), (r) => ({
  cls: r.className,
  meta: (r.querySelector(":scope > .meta") || {}).textContent || "",
  texts: Array.from(r.querySelectorAll(":scope > .bubble"), (b) => b.textContent),
  cards: Array.from(r.querySelectorAll(".card"), (c) => ({
    number: (c.querySelector(".card-number") || {}).textContent || "",
    stage: c.dataset.stage || "",
    stageName: (c.querySelector(".card-stage") || {}).textContent || "",
    note: (c.querySelector(".card-note") || {}).textContent || "",
    steps: c.querySelectorAll(".progress span").length,
    done: c.querySelectorAll(".progress span.done").length,
  })),
  chips: Array.from(r.querySelectorAll(".chip"), (c) => c.textContent),
}))`

// layoutJS lists what sticks out of the conversation or the page sideways.
const layoutJS = `(() => {
  const out = [];
  const log = document.getElementById("log").getBoundingClientRect();
  const root = document.scrollingElement;
  if (root.scrollWidth > window.innerWidth) out.push("page scrolls sideways: " + root.scrollWidth + " > " + window.innerWidth);
  for (const e of document.querySelectorAll("#log .row .bubble, #log .row .card, #log .row .chip")) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) out.push(e.className + " is empty: " + JSON.stringify(e.textContent.slice(0, 40)));
    if (r.left < log.left - 0.5 || r.right > log.right + 0.5) out.push(e.className + " sticks out (" + r.left + ".." + r.right + " of " + log.left + ".." + log.right + "): " + JSON.stringify(e.textContent.slice(0, 40)));
  }
  for (const e of document.querySelectorAll(".top, .composer, #log")) {
    if (e.scrollWidth > e.clientWidth + 1) out.push(e.className + " overflows sideways: " + e.scrollWidth + " > " + e.clientWidth);
  }
  const input = document.getElementById("input");
  if (input.value === "" && input.scrollHeight > input.clientHeight + 1) out.push("the empty input scrolls: its hint does not fit (" + input.scrollHeight + " > " + input.clientHeight + ")");
  return out;
})()`

// evaluate runs js in the page and returns its value.
func evaluate[T any](b *browser, what, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// find returns the first row ok accepts.
func find(rows []row, ok func(row) bool) (row, bool) {
	if i := slices.IndexFunc(rows, ok); i >= 0 {
		return rows[i], true
	}
	return row{}, false
}

// conversation returns the page's conversation.
func (b *browser) conversation() []row {
	b.t.Helper()
	return evaluate[[]row](b, "reading the conversation", conversationJS)
}

// waitFor polls the conversation until ok accepts it, and fails the test
// with the last conversation seen after timeout.
func (b *browser) waitFor(what string, timeout time.Duration, ok func([]row) bool) []row {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		rows := b.conversation()
		if ok(rows) {
			return rows
		}
		if time.Now().After(deadline) {
			dump, _ := json.MarshalIndent(rows, "", "  ")
			b.t.Fatalf("waited %v for %s; the page shows:\n%s", timeout, what, dump)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPlaygroundInBrowser drives the web playground in a real headless
// Chromium against the real HTTP server and a sandbox running fast: a user
// switches to Japanese, types a number, gets the card, watches the pushes of
// the whole journey arrive, and lists their parcels with a button. The page
// must report no error on the way and keep every card and button inside the
// phone-sized screen.
func TestPlaygroundInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	path := chromiumPath(t)

	const number = "SBXJP0001"
	steps := sandbox.Journey(number, time.Now())
	const journey = 8 * time.Second // the whole trip, in real time
	cfg := config{
		DBPath:       filepath.Join(t.TempDir(), "todoku.db"),
		Sandbox:      true,
		SandboxSpeed: float64(steps[len(steps)-1].Offset) / float64(journey),
	}
	url := serveApp(t, cfg, time.Now)
	b := newBrowser(t, path)
	p := i18n.For(i18n.Japanese)
	stageName := func(s string) string { return p.T("stage." + s + ".name") }
	start := time.Now()

	// Open the page on a phone-sized screen, as LINE and Telegram users
	// have, and switch it to Japanese.
	b.do("opening the playground",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("#langs button[data-lang=ja]")),
		chromedp.Click(chromedp.CSS("#langs button[data-lang=ja]")),
	)
	b.waitFor("the answer to 日本語", 15*time.Second, func(rows []row) bool {
		return slices.ContainsFunc(rows, func(r row) bool {
			return r.is("bot") && slices.Contains(r.Texts, p.T("lang.set"))
		})
	})
	ui := evaluate[string](b, "reading the page's language", `document.documentElement.lang + " " + document.getElementById("input").placeholder`)
	if want := "ja " + p.T("web.placeholder"); ui != want {
		t.Errorf("page language and placeholder = %q, want %q", ui, want)
	}

	// Type a number and press Enter.
	b.do("typing a number",
		chromedp.SendKeys(chromedp.CSS("#input"), "追跡番号 "+number),
		pressEnter,
	)
	isReply := func(r row) bool { return r.is("bot") && !r.is("push") && len(r.Cards) > 0 }
	rows := b.waitFor("the reply card", 15*time.Second, func(rows []row) bool {
		return slices.ContainsFunc(rows, isReply)
	})
	if !slices.ContainsFunc(rows, func(r row) bool { return r.is("user") && slices.Contains(r.Texts, "追跡番号 "+number) }) {
		t.Errorf("the typed message is not shown as the user's")
	}
	if left := evaluate[string](b, "reading the input", `document.getElementById("input").value`); left != "" {
		t.Errorf("the input holds %q after sending; want it empty", left)
	}
	reply, _ := find(rows, isReply)
	if want := p.T("track.subscribed", number, p.T("carrier.sandbox")); len(reply.Texts) == 0 || !strings.Contains(reply.Texts[0], want) {
		t.Errorf("reply text = %q, want it to contain %q", reply.Texts, want)
	}
	card := reply.Cards[0]
	// The card shows the first check, made within milliseconds of the
	// start: nothing yet, or the first scan when that check came late.
	if card.Number != number || (card.Stage != tracker.StageNotFound.String() && card.Stage != tracker.StageInfoReceived.String()) ||
		card.StageName != stageName(card.Stage) {
		t.Errorf("reply card = %+v; want %s at %s (%s)", card, number, tracker.StageNotFound, stageName(tracker.StageNotFound.String()))
	}
	if !strings.Contains(card.Note, p.T("card.sandbox")) {
		t.Errorf("reply card note %q does not say it is a simulation (%q)", card.Note, p.T("card.sandbox"))
	}
	if card.Steps == 0 {
		t.Errorf("reply card has no progress bar")
	}
	if len(reply.Chips) == 0 {
		t.Errorf("reply has no buttons")
	}

	// The journey plays out: pushes arrive until the parcel is delivered.
	delivered := tracker.StageDelivered.String()
	pushCards := func(rows []row) []pageCard {
		var cards []pageCard
		for _, r := range rows {
			if r.is("push") {
				cards = append(cards, r.Cards...)
			}
		}
		return cards
	}
	rows = b.waitFor("the pushes up to delivery", journey+30*time.Second, func(rows []row) bool {
		cards := pushCards(rows)
		return len(cards) >= 3 && cards[len(cards)-1].Stage == delivered
	})
	t.Logf("delivered after %v", time.Since(start).Round(100*time.Millisecond))

	// Every push names its stage in Japanese, follows the journey's order
	// and comes once.
	var order []string
	for _, s := range steps {
		if len(order) == 0 || order[len(order)-1] != s.Stage.String() {
			order = append(order, s.Stage.String())
		}
	}
	pushMeta := regexp.MustCompile(`^` + regexp.QuoteMeta(p.T("web.push")) + `[0-2][0-9]:[0-5][0-9]$`)
	last := -1
	for _, r := range rows {
		if !r.is("push") {
			continue
		}
		if len(r.Cards) != 1 || len(r.Texts) != 1 {
			t.Errorf("push = %+v; want one text and one card", r)
			continue
		}
		c := r.Cards[0]
		if want := p.T("push.stage", number, stageName(c.Stage)); r.Texts[0] != want || c.StageName != stageName(c.Stage) || c.Number != number {
			t.Errorf("push = %q with card %+v; want %q", r.Texts[0], c, want)
		}
		if !strings.Contains(c.Note, p.T("card.sandbox")) {
			t.Errorf("push card at %s does not say it is a simulation: %q", c.Stage, c.Note)
		}
		if !pushMeta.MatchString(r.Meta) {
			t.Errorf("push mark %q, want %q and a 24-hour time as Japanese write it", r.Meta, p.T("web.push"))
		}
		i := slices.Index(order, c.Stage)
		if i <= last {
			t.Errorf("push of %s comes out of order or twice; pushes: %v", c.Stage, pushCards(rows))
		}
		last = i
	}
	if got := pushCards(rows); got[len(got)-1].Done != got[len(got)-1].Steps {
		t.Errorf("delivered card fills %d of %d progress steps", got[len(got)-1].Done, got[len(got)-1].Steps)
	}

	// The list button of the last answer lists the parcel as delivered.
	listLabel := p.T("button.list")
	before := len(rows)
	b.do("pressing "+listLabel,
		chromedp.Click(chromedp.Search(fmt.Sprintf(`(//main[@id="log"]//button[contains(@class,"chip") and normalize-space()=%q])[last()]`, listLabel))),
	)
	wantItem := p.T("list.item", 1, number, stageName(delivered))
	isList := func(r row) bool {
		return r.is("bot") && !r.is("push") && len(r.Texts) > 0 && strings.Contains(r.Texts[0], wantItem)
	}
	rows = b.waitFor("the list", 15*time.Second, func(rows []row) bool {
		return slices.ContainsFunc(rows[min(before, len(rows)):], isList)
	})
	if !slices.ContainsFunc(rows[before:], func(r row) bool { return r.is("user") && slices.Contains(r.Texts, listLabel) }) {
		t.Errorf("pressing %s is not echoed as the user's message", listLabel)
	}
	list, _ := find(rows[before:], isList)
	if !strings.HasPrefix(list.Texts[0], p.T("list.header", 1)) {
		t.Errorf("list = %q, want it to start with %q", list.Texts[0], p.T("list.header", 1))
	}
	if want := p.T("button.stop_n", 1); !slices.Contains(list.Chips, want) {
		t.Errorf("list buttons = %q, want %q", list.Chips, want)
	}

	// Cards, buttons and the input fit the screen, down to the narrowest
	// phones.
	for _, width := range []int64{390, 320} {
		b.do(fmt.Sprintf("resizing the screen to %dpx", width), chromedp.EmulateViewport(width, 640))
		for _, p := range evaluate[[]string](b, "checking the layout", layoutJS) {
			t.Errorf("layout %dpx wide: %s", width, p)
		}
	}
	b.do("restoring the screen", chromedp.EmulateViewport(390, 844))

	// A reload shows the same conversation: nothing lost, no push twice.
	b.do("reloading the page", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#input")))
	b.waitFor("the conversation after a reload", 10*time.Second, func(got []row) bool { return len(got) >= len(rows) })
	time.Sleep(time.Second) // a replayed push would come right after the stream opens
	if got := b.conversation(); !reflect.DeepEqual(got, rows) {
		t.Errorf("after a reload the page shows %d rows, want the %d it showed before:\n got %+v\nwant %+v", len(got), len(rows), got, rows)
	}

	// A new chat starts in the page's language, not the browser's.
	b.do("starting a new chat",
		chromedp.Click(chromedp.CSS("#reset")),
		chromedp.SendKeys(chromedp.CSS("#input"), number),
		pressEnter,
	)
	rows = b.waitFor("the reply in the new chat", 15*time.Second, func(rows []row) bool {
		return slices.ContainsFunc(rows, func(r row) bool { return r.is("bot") && len(r.Cards) > 0 })
	})
	if r := rows[len(rows)-1]; len(rows) != 2 || len(r.Texts) == 0 || !strings.Contains(r.Texts[0], p.T("track.subscribed", number, p.T("carrier.sandbox"))) {
		t.Errorf("new chat shows %+v; want the number and a Japanese reply", rows)
	}

	// The page said nothing bad on the way.
	errs, warnings := b.pageErrors()
	for _, w := range warnings {
		t.Logf("page warning: %s", w)
	}
	for _, e := range errs {
		t.Errorf("page error: %s", e)
	}
}
