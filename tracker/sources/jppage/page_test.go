package jppage

import (
	"strings"
	"testing"

	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/japanese"

	"github.com/todoku/todoku/tracker"
)

func sjis(t *testing.T, s string) []byte {
	t.Helper()
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	const text = "配達完了（宅配ボックス）"
	page := func(meta string) string {
		return "<html><head>" + meta + "<title>追跡</title></head><body><p>" + text + "</p></body></html>"
	}
	tests := []struct {
		name  string
		body  []byte
		ctype string
	}{
		{"utf-8 meta", []byte(page(`<meta charset="UTF-8">`)), ""},
		{"utf-8 undeclared", []byte(page("")), ""},
		{"utf-8 header", []byte(page("")), "text/html; charset=utf-8"},
		{"shift_jis meta", sjis(t, page(`<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">`)), ""},
		{"windows-31j meta", sjis(t, page(`<meta http-equiv="Content-Type" content="text/html; charset=Windows-31J">`)), ""},
		{"shift_jis header", sjis(t, page("")), "text/html; charset=Shift_JIS"},
		{"shift_jis undeclared", sjis(t, page("")), ""},
		{"entities", []byte(page(`<meta charset="Windows-31J">`)[:0] + "<html><body><p>&#37197;&#36948;&#23436;&#20102;&#65288;&#23429;&#37197;&#12508;&#12483;&#12463;&#12473;&#65289;</p></body></html>"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := Read(tt.body, tt.ctype)
			if err != nil {
				t.Fatal(err)
			}
			if got := Text(First(root, Tag(atom.P))); got != text {
				t.Errorf("text = %q, want %q", got, text)
			}
		})
	}
}

func TestText(t *testing.T) {
	root, err := Read([]byte("<div id=a> 東京　営業所<br>TEL&nbsp;03\n<script>var x='no';</script> <span>（本店）</span></div>"), "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Text(First(root, ID("a"))), "東京 営業所 TEL 03 （本店）"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestQueries(t *testing.T) {
	root, err := Read([]byte(`<table summary="履歴情報" class="tableType01 txt_c"><tbody>
<tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2<table><tr><td>nested</td></tr></table></td></tr></tbody></table>`), "")
	if err != nil {
		t.Fatal(err)
	}
	table := First(root, Table("履歴情報"))
	if table == nil || !HasClass(table, "txt_c") || HasClass(table, "txt") {
		t.Fatalf("table = %v", table)
	}
	rows := Rows(table)
	if len(rows) != 2 || len(Heads(rows[0])) != 2 || len(Cells(rows[1])) != 2 {
		t.Fatalf("rows = %d", len(rows))
	}
	if n := len(Find(table, Tag(atom.Td))); n != 3 {
		t.Errorf("Find td = %d, want 3", n)
	}
	if First(nil, Tag(atom.Td)) != nil || Find(nil, Tag(atom.Td)) != nil || Children(nil, Tag(atom.Td)) != nil || Text(nil) != "" {
		t.Error("nil nodes must give nothing")
	}
}

func TestComplete(t *testing.T) {
	full := "<html><body>" + strings.Repeat("x", 5000) + "</body></HTML>\n"
	if !Complete([]byte(full)) {
		t.Error("a whole page is incomplete")
	}
	if Complete([]byte(full[:len(full)/2])) {
		t.Error("a truncated page is complete")
	}
}

func TestUnusable(t *testing.T) {
	tests := []struct {
		page string
		kind string
	}{
		{"<html><body><p>ただいまメンテナンス中です</p></body></html>", tracker.ErrKindUnavailable},
		{"<html><head><title>Just a moment...</title></head><body></body></html>", tracker.ErrKindBadResponse},
		{`<html><body><div class="g-recaptcha"></div></body></html>`, tracker.ErrKindBadResponse},
		{"<html><body><p>新しいデザインになりました</p></body></html>", tracker.ErrKindBadResponse},
	}
	for _, tt := range tests {
		root, err := Read([]byte(tt.page), "")
		if err != nil {
			t.Fatal(err)
		}
		if got := Unusable("x", root); got.Kind != tt.kind || got.Source != "x" {
			t.Errorf("Unusable(%q) = %v, want kind %s", tt.page, got, tt.kind)
		}
	}
}
