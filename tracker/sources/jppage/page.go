package jppage

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/japanese"

	"github.com/todoku/todoku/tracker"
)

// Read decodes body to UTF-8 and parses it. The charset comes from a byte
// order mark, the Content-Type header (contentType, may be empty) or the
// page's own <meta> declaration; an undeclared page is UTF-8 when it is valid
// UTF-8 and Shift_JIS otherwise.
func Read(body []byte, contentType string) (*html.Node, error) {
	text, err := Decode(body, contentType)
	if err != nil {
		return nil, err
	}
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("jppage: unable to parse the page: %w", err)
	}
	return root, nil
}

// Decode returns body as UTF-8 text; see Read for how the charset is chosen.
func Decode(body []byte, contentType string) (string, error) {
	head := body[:min(len(body), 4096)]
	enc, name, _ := charset.DetermineEncoding(head, contentType)
	if name == "windows-1252" {
		// charset falls back to windows-1252 when nothing is declared
		// and the head is not UTF-8; no Japanese carrier serves it.
		if utf8.Valid(body) {
			return string(body), nil
		}
		enc = japanese.ShiftJIS
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return "", fmt.Errorf("jppage: unable to decode the page as %s: %w", name, err)
	}
	return string(out), nil
}

// Complete reports whether body looks like a whole page: the carriers'
// pages always end with </html>, which a truncated answer lacks.
func Complete(body []byte) bool {
	tail := body[max(0, len(body)-2048):]
	return bytes.Contains(bytes.ToLower(tail), []byte("</html"))
}

// Matcher selects element nodes.
type Matcher func(*html.Node) bool

// Tag matches elements with the given tag name.
func Tag(a atom.Atom) Matcher {
	return func(n *html.Node) bool { return n.DataAtom == a }
}

// Class matches elements carrying the class name.
func Class(name string) Matcher {
	return func(n *html.Node) bool { return HasClass(n, name) }
}

// ID matches the element with the given id.
func ID(id string) Matcher {
	return func(n *html.Node) bool { return Attr(n, "id") == id }
}

// Table matches a <table> whose summary attribute is summary, as Japan Post
// names its tables.
func Table(summary string) Matcher {
	return func(n *html.Node) bool { return n.DataAtom == atom.Table && Attr(n, "summary") == summary }
}

// All matches elements every matcher accepts.
func All(ms ...Matcher) Matcher {
	return func(n *html.Node) bool {
		for _, m := range ms {
			if !m(n) {
				return false
			}
		}
		return true
	}
}

// Find returns the elements under n (n excluded) that m accepts, in
// document order.
func Find(n *html.Node, m Matcher) []*html.Node {
	var out []*html.Node
	if n == nil {
		return nil
	}
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && m(d) {
			out = append(out, d)
		}
	}
	return out
}

// First returns the first element under n that m accepts, or nil.
func First(n *html.Node, m Matcher) *html.Node {
	if n == nil {
		return nil
	}
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && m(d) {
			return d
		}
	}
	return nil
}

// Children returns the element children of n that m accepts.
func Children(n *html.Node, m Matcher) []*html.Node {
	var out []*html.Node
	if n == nil {
		return nil
	}
	for c := range n.ChildNodes() {
		if c.Type == html.ElementNode && m(c) {
			out = append(out, c)
		}
	}
	return out
}

// Rows returns the rows of a table, looking through thead, tbody and
// tfoot but not into nested tables.
func Rows(table *html.Node) []*html.Node {
	var out []*html.Node
	for c := range table.ChildNodes() {
		switch c.DataAtom {
		case atom.Tr:
			out = append(out, c)
		case atom.Thead, atom.Tbody, atom.Tfoot:
			out = append(out, Children(c, Tag(atom.Tr))...)
		}
	}
	return out
}

// Cells returns the td cells of a row.
func Cells(tr *html.Node) []*html.Node { return Children(tr, Tag(atom.Td)) }

// Heads returns the th cells of a row.
func Heads(tr *html.Node) []*html.Node { return Children(tr, Tag(atom.Th)) }

// HasClass reports whether n's class attribute lists name.
func HasClass(n *html.Node, name string) bool {
	for _, c := range strings.Fields(Attr(n, "class")) {
		if c == name {
			return true
		}
	}
	return false
}

// Attr returns the value of n's attribute key, or "".
func Attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// Text returns the text under n with Clean applied; scripts and styles are
// skipped, <br> counts as a space.
func Text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
			return
		case n.DataAtom == atom.Script || n.DataAtom == atom.Style:
			return
		case n.DataAtom == atom.Br:
			b.WriteByte(' ')
			return
		}
		for c := range n.ChildNodes() {
			walk(c)
		}
	}
	walk(n)
	return Clean(b.String())
}

// Clean collapses every run of white space, including the ideographic space
// (U+3000) and no-break spaces, into one ASCII space and trims the ends.
func Clean(s string) string {
	return strings.Join(strings.FieldsFunc(s, isSpace), " ")
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\v', '\u00a0', '\u3000', '\u200b', '\ufeff':
		return true
	}
	return false
}

// Maintenance reports whether a page's text says the service is down for
// maintenance. Check it only when the expected tables are missing: normal
// pages may link to maintenance notices.
func Maintenance(text string) bool {
	for _, w := range []string{"メンテナンス中", "メンテナンスのため", "メンテナンスを実施", "ただいまメンテナンス", "サービスを停止", "ご利用いただけません", "ご利用頂くことはできません", "アクセスが集中"} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// Challenge reports whether the page is a bot check rather than an answer.
func Challenge(root *html.Node, text string) bool {
	title := strings.ToLower(Text(First(root, Tag(atom.Title))))
	for _, w := range []string{"captcha", "just a moment", "access denied", "verify you are human"} {
		if strings.Contains(title, w) {
			return true
		}
	}
	if First(root, Class("g-recaptcha")) != nil || First(root, Class("h-captcha")) != nil {
		return true
	}
	return strings.Contains(text, "画像認証") || strings.Contains(text, "ロボットではありません")
}

// Fail builds the FetchError a parser returns for an answer it cannot use.
func Fail(source, kind, format string, args ...any) *tracker.FetchError {
	return &tracker.FetchError{Source: source, Kind: kind, Err: fmt.Errorf(format, args...)}
}

// Unusable classifies a page that lacks the tables a parser expects: a
// maintenance notice is "unavailable", anything else (a bot check, a
// changed layout) is "bad_response". It never returns nil.
func Unusable(source string, root *html.Node) *tracker.FetchError {
	text := Text(root)
	switch {
	case Maintenance(text):
		return Fail(source, tracker.ErrKindUnavailable, "%s: the site is down for maintenance", source)
	case Challenge(root, text):
		return Fail(source, tracker.ErrKindBadResponse, "%s: got a bot check instead of the tracking page", source)
	}
	return Fail(source, tracker.ErrKindBadResponse, "%s: the tracking page no longer has the expected layout", source)
}

// ErrTruncated is wrapped by parsers' errors for answers cut short.
var ErrTruncated = errors.New("the page is truncated")
