package sagawa

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

// The page lists the number with its current state (span.state) in #list1,
// then, in dd#detail1, two tables of class table_okurijo_detail2: the
// parcel's details (送り状NO, 出荷日, ...) as heading/value rows, and the
// scans under the headings 荷物状況, 日時, 担当営業所.
const (
	idList      = "list1"
	idDetail    = "detail1"
	classTable  = "table_okurijo_detail2"
	classState  = "state"
	headStatus  = "荷物状況"
	headWhen    = "日時"
	headOffice  = "担当営業所"
	labelNumber = "送り状NO"
	labelShip   = "出荷日"
)

// unknownWords say the number is not (yet) registered.
var unknownWords = []string{"該当なし", "お荷物データが登録されておりません", "お問い合せ送り状NOをお確かめ", "お問い合わせのデータは登録されておりません"}

// Parse reads a Sagawa tracking page (Windows-31J or UTF-8, declared in the
// page) and returns the number it is about. Sagawa prints dates without a
// year: they are placed after the shipping date (出荷日) when the page shows
// one, else with since (when Todoku began following the number; zero means
// now). A page saying the number is unknown (該当なし) is a Result with the
// not_found error kind. A maintenance page is an "unavailable"
// *tracker.FetchError; a truncated page, a bot check or a page without the
// expected tables is "bad_response".
func Parse(body []byte, since time.Time) ([]tracker.Result, error) {
	return parse(body, "", since)
}

func parse(body []byte, contentType string, since time.Time) ([]tracker.Result, error) {
	if !jppage.Complete(body) {
		return nil, jppage.Fail(Name, tracker.ErrKindBadResponse, "sagawa: %w", jppage.ErrTruncated)
	}
	root, err := jppage.Read(body, contentType)
	if err != nil {
		return nil, jppage.Fail(Name, tracker.ErrKindBadResponse, "sagawa: %w", err)
	}
	list := jppage.First(root, jppage.ID(idList))
	state := jppage.Text(jppage.First(list, jppage.Class(classState)))
	var info, history *html.Node
	for _, t := range jppage.Find(jppage.First(root, jppage.ID(idDetail)), jppage.All(jppage.Tag(atom.Table), jppage.Class(classTable))) {
		switch heads := headings(t); {
		case strings.Contains(heads, headStatus) && strings.Contains(heads, headWhen):
			history = t
		case strings.Contains(heads, labelShip) || strings.Contains(heads, labelNumber):
			info = t
		}
	}

	if history == nil {
		if list != nil && unknown(state+" "+jppage.Text(list)) {
			return []tracker.Result{{
				Number:  numberIn(jppage.Text(list)),
				Source:  Name,
				Carrier: tracker.CarrierSagawa,
				Error:   tracker.ErrKindNotFound,
			}}, nil
		}
		return nil, jppage.Unusable(Name, root)
	}

	labels := pairs(info)
	r := tracker.Result{Source: Name, Carrier: tracker.CarrierSagawa}
	r.Number = numberIn(labels[labelNumber])
	if r.Number == "" {
		r.Number = numberIn(jppage.Text(list))
	}
	ref := since
	if t, _, ok := jppage.Date(labels[labelShip], since, nil); ok {
		ref = t // scans happen on or after the shipping date
	}
	for _, tr := range jppage.Rows(history) {
		tds := jppage.Cells(tr)
		if len(tds) == 0 {
			continue // the heading row
		}
		if len(tds) < 3 {
			return nil, jppage.Fail(Name, tracker.ErrKindBadResponse, "sagawa: a scan row has %d cells", len(tds))
		}
		status := strings.TrimLeft(jppage.Text(tds[0]), "↓↑⇒→ ")
		when := jppage.Text(tds[1])
		if status == "" {
			return nil, jppage.Fail(Name, tracker.ErrKindBadResponse, "sagawa: a scan row has no status")
		}
		t, _, ok := jppage.Date(when, ref, nil)
		if !ok {
			return nil, jppage.Fail(Name, tracker.ErrKindBadResponse, "sagawa: unreadable date %q", when)
		}
		r.Events = append(r.Events, tracker.Event{
			Time:     t,
			Location: jppage.Text(tds[2]),
			Text:     status,
			Code:     status,
			Stage:    Stage(status),
			Source:   Name,
		})
	}
	if len(r.Events) == 0 {
		r.Error = tracker.ErrKindNotFound
	}
	return []tracker.Result{r}, nil
}

func unknown(text string) bool {
	for _, w := range unknownWords {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// headings joins the th texts of a table.
func headings(table *html.Node) string {
	var b strings.Builder
	for _, th := range jppage.Find(table, jppage.Tag(atom.Th)) {
		b.WriteString(jppage.Text(th))
		b.WriteByte('|')
	}
	return b.String()
}

// pairs maps the heading of each heading/value row of table to its value;
// headings are matched by the labels they contain ("お問い合せ送り状NO"
// answers labelNumber).
func pairs(table *html.Node) map[string]string {
	out := make(map[string]string)
	if table == nil {
		return out
	}
	for _, tr := range jppage.Rows(table) {
		ths, tds := jppage.Heads(tr), jppage.Cells(tr)
		if len(ths) != 1 || len(tds) != 1 {
			continue
		}
		head := norm.NFKC.String(jppage.Text(ths[0]))
		for _, label := range []string{labelNumber, labelShip} {
			if strings.Contains(strings.ToUpper(head), label) {
				out[label] = jppage.Text(tds[0])
			}
		}
	}
	return out
}

var numberRE = regexp.MustCompile(`\d{4}-?\d{4}-?\d{4}|\d{10,12}`)

// numberIn finds the first tracking number printed in text.
func numberIn(text string) string {
	return tracker.Canonical(numberRE.FindString(norm.NFKC.String(text)))
}
