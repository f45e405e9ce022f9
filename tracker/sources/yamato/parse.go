package yamato

import (
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/jppage"
)

// Class names of the page's parts. Each number asked for gets one invoice
// block, titled "N件目：1234-5678-9012", with the current state, a summary
// (service, expected delivery) and the scans as an ordered list.
const (
	classBlock   = "parts-tracking-invoice-block"
	classTitle   = "tracking-invoice-block-title"
	classState   = "tracking-invoice-block-state-title"
	classSummary = "tracking-invoice-block-summary"
	classDetail  = "tracking-invoice-block-detail"
)

// unknownStates are the block states for a number Yamato does not know.
var unknownStates = []string{"伝票番号誤り", "伝票番号未登録", "お問い合わせ番号が見つかりません"}

// Parse reads a Yamato tracking page and returns one Result per invoice
// block. Yamato prints dates without a year; since (when Todoku began
// following the numbers; zero means now) places them. A block saying the
// number is unknown (伝票番号誤り, 伝票番号未登録) is a Result with the
// not_found error kind. A maintenance page is an "unavailable"
// *tracker.FetchError; a truncated page, a bot check or a page without the
// expected blocks is "bad_response".
func Parse(body []byte, since time.Time) ([]tracker.Result, error) {
	return parse(body, "", func(string) time.Time { return since })
}

func parse(body []byte, contentType string, sinceFor func(number string) time.Time) ([]tracker.Result, error) {
	if !jppage.Complete(body) {
		return nil, jppage.Fail(Name, tracker.ErrKindBadResponse, "yamato: %w", jppage.ErrTruncated)
	}
	root, err := jppage.Read(body, contentType)
	if err != nil {
		return nil, jppage.Fail(Name, tracker.ErrKindBadResponse, "yamato: %w", err)
	}
	blocks := jppage.Find(root, jppage.Class(classBlock))
	if len(blocks) == 0 {
		return nil, jppage.Unusable(Name, root)
	}
	out := make([]tracker.Result, 0, len(blocks))
	for _, b := range blocks {
		r, err := parseBlock(b, sinceFor)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseBlock(b *html.Node, sinceFor func(string) time.Time) (tracker.Result, error) {
	number := blockNumber(jppage.Text(jppage.First(b, jppage.Class(classTitle))))
	if number == "" {
		return tracker.Result{}, jppage.Fail(Name, tracker.ErrKindBadResponse, "yamato: an invoice block has no number")
	}
	since := sinceFor(number)
	r := tracker.Result{Number: number, Source: Name, Carrier: tracker.CarrierYamato}
	state := jppage.Text(jppage.First(b, jppage.Class(classState)))
	unknown := false
	for _, w := range unknownStates {
		unknown = unknown || strings.Contains(state, w)
	}

	var items []*html.Node
	if ol := jppage.First(jppage.First(b, jppage.Class(classDetail)), jppage.Tag(atom.Ol)); ol != nil {
		items = jppage.Children(ol, jppage.Tag(atom.Li))
	}
	switch {
	case unknown && len(items) == 0:
		r.Error = tracker.ErrKindNotFound
		return r, nil
	case unknown:
		return tracker.Result{}, jppage.Fail(Name, tracker.ErrKindBadResponse, "yamato: a block says the number is unknown but lists scans")
	case len(items) == 0:
		return tracker.Result{}, jppage.Fail(Name, tracker.ErrKindBadResponse, "yamato: an invoice block has no scans")
	}
	for _, li := range items {
		status := jppage.Text(jppage.First(li, jppage.Class("item")))
		when := jppage.Text(jppage.First(li, jppage.Class("date")))
		if status == "" || when == "" {
			return tracker.Result{}, jppage.Fail(Name, tracker.ErrKindBadResponse, "yamato: a scan has no status or date")
		}
		t, _, ok := jppage.Date(when, since, nil)
		if !ok {
			return tracker.Result{}, jppage.Fail(Name, tracker.ErrKindBadResponse, "yamato: unreadable date %q", when)
		}
		r.Events = append(r.Events, tracker.Event{
			Time:     t,
			Location: jppage.Text(jppage.First(li, jppage.Class("name"))),
			Text:     status,
			Code:     status,
			Stage:    Stage(status),
			Source:   Name,
		})
	}
	r.ETA = eta(summary(b)["お届け予定日時"], since)
	return r, nil
}

var titleRE = regexp.MustCompile(`([0-9][0-9 -]{9,}[0-9])\s*$`)

// blockNumber reads the number from a block title "1件目：6230-2386-6161".
func blockNumber(title string) string {
	m := titleRE.FindStringSubmatch(norm.NFKC.String(title))
	if m == nil {
		return ""
	}
	return tracker.Canonical(m[1])
}

// summary maps the labels of a block's summary list ("商品名：") to their
// values.
func summary(b *html.Node) map[string]string {
	out := make(map[string]string)
	for _, li := range jppage.Find(jppage.First(b, jppage.Class(classSummary)), jppage.Tag(atom.Li)) {
		k := strings.TrimRight(jppage.Text(jppage.First(li, jppage.Class("item"))), "：: ")
		if k != "" {
			out[k] = jppage.Text(jppage.First(li, jppage.Class("data")))
		}
	}
	return out
}

var windowRE = regexp.MustCompile(`(\d{1,2}):(\d{2})\s*$`)

// eta reads the expected delivery "01/02 14:00-16:00" as the end of the
// window, "01/02 午前中" as noon, and a date alone as its midnight; "-" or
// nothing is no ETA.
func eta(s string, since time.Time) time.Time {
	s = jppage.Clean(norm.NFKC.String(s))
	t, _, ok := jppage.Date(s, since, nil)
	if !ok {
		return time.Time{}
	}
	if strings.Contains(s, "午前中") {
		return t.Add(12 * time.Hour)
	}
	if m := windowRE.FindStringSubmatch(s); m != nil && strings.Contains(s, "-") {
		if end, _, ok := jppage.Date(t.Format("2006/01/02 ")+m[1]+":"+m[2], since, nil); ok {
			return end
		}
	}
	return t
}
