package telegram

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/todoku/todoku/bot"
)

const (
	// maxText is the longest message text Telegram takes, in UTF-16 code
	// units after entity parsing.
	maxText = 4096
	// maxCallbackData is the longest callback_data Telegram takes, in bytes.
	maxCallbackData = 64
	// tokenPrefix starts callback data that stands for longer button data.
	tokenPrefix = "~"
	// buttonsOnly is the text of a message that has nothing but buttons.
	buttonsOnly = "👇"
)

// part is one Telegram message: HTML text, the same as plain text (sent
// instead if the API ever refuses the HTML), and an inline keyboard.
type part struct {
	html, plain string
	keyboard    *inlineKeyboard
}

type inlineKeyboard struct {
	Rows [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// line is one line of a message in both forms; its plain form is what the
// user sees, so its length is what counts against maxText.
type line struct{ html, plain string }

func (l *line) text(s string) {
	l.html += escape(s)
	l.plain += s
}

func (l *line) tag(name, s string) {
	l.html += "<" + name + ">" + escape(s) + "</" + name + ">"
	l.plain += s
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes s safe as text in Telegram's HTML: only <, > and & matter
// outside attributes.
func escape(s string) string { return escaper.Replace(s) }

// render turns messages into Telegram messages: each message's text and
// card as HTML, split on line boundaries under maxText, with its buttons
// as an inline keyboard on its last part.
func (t *Telegram) render(msgs []bot.Message) []part {
	var out []part
	for _, m := range msgs {
		lines := textLines(m.Text)
		if m.Card != nil {
			if len(lines) > 0 {
				lines = append(lines, line{})
			}
			lines = append(lines, cardLines(m.Card)...)
		}
		parts := pack(lines, maxText)
		kb := t.keyboard(m.Buttons)
		if kb != nil {
			if len(parts) == 0 && len(out) > 0 && out[len(out)-1].keyboard == nil {
				// Buttons alone join the message before them.
				out[len(out)-1].keyboard = kb
				continue
			}
			if len(parts) == 0 {
				parts = []part{{html: buttonsOnly, plain: buttonsOnly}}
			}
			parts[len(parts)-1].keyboard = kb
		}
		out = append(out, parts...)
	}
	return out
}

func textLines(s string) []line {
	s = strings.Trim(s, "\n")
	if strings.TrimSpace(s) == "" {
		return nil
	}
	raw := strings.Split(s, "\n")
	lines := make([]line, len(raw))
	for i, r := range raw {
		lines[i].text(r)
	}
	return lines
}

// cardLines renders a stage card:
//
//	📦 label · NUMBER (carrier)
//	▰▰▰▱▱▱ Stage name
//	what it means, what to do
//	🕒 time event — location
//	※ note
func cardLines(c *bot.Card) []line {
	var title line
	title.text("📦 ")
	if c.Label != "" {
		title.tag("b", c.Label)
		title.text(" · ")
	}
	title.tag("code", c.Number)
	if c.Carrier != "" {
		title.text(" (" + c.Carrier + ")")
	}
	out := []line{title}

	var stage line
	if c.Steps > 0 {
		step := min(max(c.Step, 0), c.Steps)
		stage.text(strings.Repeat("▰", step) + strings.Repeat("▱", c.Steps-step) + " ")
	}
	stage.tag("b", c.StageName)
	out = append(out, stage)
	if c.StageHelp != "" {
		var help line
		help.tag("i", c.StageHelp)
		out = append(out, help)
	}
	if c.Event != "" {
		var ev line
		ev.text("🕒 ")
		if c.EventTime != "" {
			ev.text(c.EventTime + " ")
		}
		ev.text(c.Event)
		if c.Location != "" {
			ev.text(" — " + c.Location)
		}
		out = append(out, ev)
	}
	if c.ETA != "" {
		var eta line
		eta.text("🗓 " + c.ETA)
		out = append(out, eta)
	}
	for _, n := range strings.Split(c.Note, "\n") {
		if strings.TrimSpace(n) != "" {
			var note line
			note.text("※ " + n)
			out = append(out, note)
		}
	}
	return out
}

// units is the length of s as Telegram counts it: UTF-16 code units.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// pack joins lines into parts of at most limit units each, breaking only
// between lines; a line longer than limit on its own is cut between
// characters and loses its formatting. Blank lines at a part's edges are
// dropped.
func pack(lines []line, limit int) []part {
	var out []part
	var cur []line
	size := 0
	flush := func() {
		for len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1].plain) == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			var h, p []string
			for _, l := range cur {
				h, p = append(h, l.html), append(p, l.plain)
			}
			out = append(out, part{html: strings.Join(h, "\n"), plain: strings.Join(p, "\n")})
		}
		cur, size = nil, 0
	}
	add := func(l line) {
		n := units(l.plain)
		if len(cur) > 0 && size+1+n > limit {
			flush()
		}
		if len(cur) == 0 && strings.TrimSpace(l.plain) == "" {
			return // no part starts with a blank line
		}
		if len(cur) > 0 {
			size++
		}
		cur = append(cur, l)
		size += n
	}
	for _, l := range lines {
		if units(l.plain) <= limit {
			add(l)
			continue
		}
		for _, piece := range cut(l.plain, limit) {
			add(line{html: escape(piece), plain: piece})
		}
	}
	flush()
	return out
}

// cut splits s into pieces of at most limit units, between characters.
func cut(s string, limit int) []string {
	var out []string
	for s != "" {
		n, i := 0, 0
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if n+utf16.RuneLen(r) > limit {
				break
			}
			n += utf16.RuneLen(r)
			i += size
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

// keyboard lays buttons out in rows: up to three short labels a row, two
// medium ones, or one long one.
func (t *Telegram) keyboard(buttons []bot.Button) *inlineKeyboard {
	if len(buttons) == 0 {
		return nil
	}
	longest := 0
	for _, b := range buttons {
		longest = max(longest, utf8.RuneCountInString(b.Label))
	}
	perRow := 3
	switch {
	case longest > 20:
		perRow = 1
	case longest > 10:
		perRow = 2
	}
	kb := &inlineKeyboard{}
	for i, b := range buttons {
		if i%perRow == 0 {
			kb.Rows = append(kb.Rows, nil)
		}
		label := b.Label
		if strings.TrimSpace(label) == "" {
			label = b.Data
		}
		if strings.TrimSpace(label) == "" {
			label = "·"
		}
		row := &kb.Rows[len(kb.Rows)-1]
		*row = append(*row, inlineButton{Text: label, CallbackData: t.callbackData(b.Data)})
	}
	return kb
}

// callbackData returns the callback_data for button data: the data itself
// when it fits in 64 bytes, else a short token remembered (in a bounded
// memory) to stand for it.
func (t *Telegram) callbackData(data string) string {
	if data != "" && len(data) <= maxCallbackData && utf8.ValidString(data) && !strings.HasPrefix(data, tokenPrefix) {
		return data
	}
	sum := sha256.Sum256([]byte(data))
	tok := tokenPrefix + base64.RawURLEncoding.EncodeToString(sum[:18])
	t.tokens.put(tok, data)
	return tok
}

// buttonData resolves callback_data back to the button's data; false means
// a token this process no longer (or never) knew, or no data at all.
func (t *Telegram) buttonData(cb string) (string, bool) {
	if cb == "" {
		return "", false // a game's button, or a forged press: none of ours
	}
	if !strings.HasPrefix(cb, tokenPrefix) {
		return cb, true
	}
	return t.tokens.get(cb)
}
