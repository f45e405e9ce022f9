package japanpost

import (
	"slices"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/jppage"
)

// The page's tables are named by their summary attribute.
const (
	summaryDetail  = "配達状況詳細" // number, service, delivery date
	summaryHistory = "履歴情報"   // the scans
	summaryResult  = "照会結果"   // the answer to a search that found nothing
)

// Column headings of the history table. Each scan takes two rows: date,
// status, details and prefecture span both; the office is above its postal
// code.
var historyHeads = []string{"状態発生日", "配送履歴", "詳細", "取扱局", "県名等"}

// Parse reads a Japan Post tracking page (UTF-8 or Shift_JIS, declared in
// the page) and returns the number it is about. Dates come with their year;
// since (when Todoku began following the number; zero means now) places any
// printed without one. A page saying the number is unknown is a Result
// with the not_found error kind; its Number is empty when the page does not
// repeat it. A maintenance page is an "unavailable" *tracker.FetchError;
// a truncated page, a bot check or a page without the expected tables is
// "bad_response".
func Parse(body []byte, since time.Time) ([]tracker.Result, error) {
	return parse(body, "", since)
}

func parse(body []byte, contentType string, since time.Time) ([]tracker.Result, error) {
	if !jppage.Complete(body) {
		return nil, jppage.Fail(Name, tracker.ErrKindBadResponse, "japanpost: %w", jppage.ErrTruncated)
	}
	root, err := jppage.Read(body, contentType)
	if err != nil {
		return nil, jppage.Fail(Name, tracker.ErrKindBadResponse, "japanpost: %w", err)
	}
	detail := jppage.First(root, jppage.Table(summaryDetail))
	history := jppage.First(root, jppage.Table(summaryHistory))
	if detail != nil && history != nil {
		r, err := parseDetail(detail, history, since)
		if err != nil {
			return nil, err
		}
		return []tracker.Result{r}, nil
	}
	if result := jppage.First(root, jppage.Table(summaryResult)); result != nil && detail == nil && history == nil {
		if r, ok := notFound(result); ok {
			return []tracker.Result{r}, nil
		}
	}
	return nil, jppage.Unusable(Name, root)
}

// notFound reads the answer to a search for an unknown or malformed
// number: one row with the number and a red message.
func notFound(table *html.Node) (tracker.Result, bool) {
	for _, tr := range jppage.Rows(table) {
		tds := jppage.Cells(tr)
		if len(tds) != 2 {
			continue
		}
		msg := jppage.Text(tds[1])
		if strings.Contains(msg, "見つかりません") || strings.Contains(msg, "入力桁数に誤り") || strings.Contains(msg, "お問い合わせ番号をご確認") {
			return tracker.Result{
				Number:  tracker.Canonical(jppage.Text(tds[0])),
				Source:  Name,
				Carrier: tracker.CarrierJapanPost,
				Error:   tracker.ErrKindNotFound,
			}, true
		}
	}
	return tracker.Result{}, false
}

func parseDetail(detail, history *html.Node, since time.Time) (tracker.Result, error) {
	info := headed(detail)
	number := tracker.Canonical(info["お問い合わせ番号"])
	if number == "" {
		return tracker.Result{}, jppage.Fail(Name, tracker.ErrKindBadResponse, "japanpost: the detail table has no number")
	}
	r := tracker.Result{Number: number, Source: Name, Carrier: tracker.CarrierJapanPost}
	if d := info["お届け予定日"]; d != "" {
		if t, _, ok := jppage.Date(d, since, nil); ok {
			r.ETA = t
		}
	}

	rows := jppage.Rows(history)
	if len(rows) < 2 || !headsMatch(rows[0]) {
		return tracker.Result{}, jppage.Fail(Name, tracker.ErrKindBadResponse, "japanpost: the history table has other columns")
	}
	for i := 1; i < len(rows); i++ {
		tds := jppage.Cells(rows[i])
		switch {
		case len(tds) == 0 || len(tds) == 1:
			continue // the heading's second row, or the postal code under an office
		case len(tds) < len(historyHeads):
			return tracker.Result{}, jppage.Fail(Name, tracker.ErrKindBadResponse, "japanpost: a history row has %d cells", len(tds))
		}
		e, err := event(tds, since)
		if err != nil {
			return tracker.Result{}, err
		}
		r.Events = append(r.Events, e)
	}
	if len(r.Events) == 0 {
		r.Error = tracker.ErrKindNotFound
	}
	return r, nil
}

func event(tds []*html.Node, since time.Time) (tracker.Event, error) {
	var (
		when   = jppage.Text(tds[0])
		status = jppage.Text(tds[1])
		more   = jppage.Text(tds[2])
		office = jppage.Text(tds[3])
		region = jppage.Text(tds[4])
	)
	if status == "" {
		return tracker.Event{}, jppage.Fail(Name, tracker.ErrKindBadResponse, "japanpost: a history row has no status")
	}
	zone, abroad := zoneOf(region)
	t, _, ok := jppage.Date(when, since, zone)
	if !ok {
		return tracker.Event{}, jppage.Fail(Name, tracker.ErrKindBadResponse, "japanpost: unreadable date %q", when)
	}
	text := status
	if more != "" {
		text += " " + more
	}
	return tracker.Event{
		Time:     t,
		Location: strings.TrimSpace(region + " " + office),
		Text:     text,
		Code:     status,
		Stage:    stageAt(status, abroad),
		Source:   Name,
	}, nil
}

// headed maps the headings of a table laid out as one heading row over one
// value row to the values.
func headed(table *html.Node) map[string]string {
	out := make(map[string]string)
	var heads []string
	for _, tr := range jppage.Rows(table) {
		if ths := jppage.Heads(tr); len(ths) > 0 && heads == nil {
			for _, th := range ths {
				heads = append(heads, jppage.Text(th))
			}
			continue
		}
		tds := jppage.Cells(tr)
		if len(tds) == 0 || heads == nil {
			continue
		}
		for i, td := range tds {
			if i < len(heads) {
				out[heads[i]] = jppage.Text(td)
			}
		}
		break
	}
	return out
}

func headsMatch(tr *html.Node) bool {
	var got []string
	for _, th := range jppage.Heads(tr) {
		got = append(got, jppage.Text(th))
	}
	for _, h := range historyHeads {
		if !slices.Contains(got, h) {
			return false
		}
	}
	return true
}

// Scans abroad are printed in local time, with the country in the
// prefecture column. The zones of the origins AliExpress parcels come
// from; any other country is read as Japan time.
var zones = map[string]*time.Location{
	"中華人民共和国": time.FixedZone("CST", 8*60*60),
	"中国":      time.FixedZone("CST", 8*60*60),
	"香港":      time.FixedZone("HKT", 8*60*60),
	"台湾":      time.FixedZone("CST", 8*60*60),
	"シンガポール":  time.FixedZone("SGT", 8*60*60),
	"タイ":      time.FixedZone("ICT", 7*60*60),
	"大韓民国":    jppage.JST,
	"韓国":      jppage.JST,
}

// zoneOf returns the zone a scan's time is in and whether it happened
// abroad: the prefecture column holds a Japanese prefecture at home and a
// country name abroad.
func zoneOf(region string) (*time.Location, bool) {
	if region == "" || region == "日本" || strings.EqualFold(region, "JAPAN") {
		return jppage.JST, false
	}
	if strings.HasSuffix(region, "都") || strings.HasSuffix(region, "道") || strings.HasSuffix(region, "府") || strings.HasSuffix(region, "県") {
		return jppage.JST, false
	}
	if z, ok := zones[region]; ok {
		return z, true
	}
	return jppage.JST, true
}
