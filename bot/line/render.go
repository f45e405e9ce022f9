package line

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	ma "github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
)

// LINE's documented limits on what one request may carry. Lengths are
// counted in UTF-16 code units, as LINE counts characters.
const (
	MaxMessages     = 5    // message objects per reply or push
	MaxTextLen      = 5000 // text of a text message
	MaxAltTextLen   = 400  // altText of a Flex Message
	MaxQuickReplies = 13   // quick reply buttons
	MaxLabelLen     = 20   // label of a quick reply or button action
	MaxDataBytes    = 300  // postback data
	MaxBubbles      = 12   // bubbles in a carousel
	MaxBubbleBytes  = 30 << 10
	MaxCarouselSize = 50 << 10

	footerButtons  = 3 // card buttons shown in the card; the rest become quick replies
	carouselBudget = 45 << 10
)

// Card colours, the playground's palette.
const (
	colorAccent = "#E4572E"
	colorGood   = "#2F8F46"
	colorWarn   = "#B7791F"
	colorBad    = "#C53030"
	colorTrack  = "#DDD6CB"
	colorMuted  = "#6B665E"
	colorNote   = "#6B4E00"
)

// tones colour a card by stage, as the playground does.
var tones = map[string]string{
	"delivered":          colorGood,
	"not_found":          colorWarn,
	"attempted_delivery": colorWarn,
	"awaiting_pickup":    colorWarn,
	"exception":          colorBad,
	"lost":               colorBad,
	"returning":          colorBad,
	"returned":           colorBad,
	"expired":            colorBad,
}

// item is one LINE message in the making: a text or a card bubble.
type item struct {
	text   string
	bubble *ma.FlexBubble
	alt    string // the bubble's alternative text
	size   int    // the bubble's JSON size
}

// render turns the bot's messages into at most MaxMessages LINE messages:
// cards become Flex bubbles (consecutive ones a carousel), texts text
// messages, buttons outside cards quick replies on the last message. When
// more would be needed, neighbouring texts are merged, and what still does
// not fit is replaced by a pointer to /list.
func render(msgs []bot.Message) []ma.MessageInterface {
	lm, _ := renderFit(msgs)
	return lm
}

// renderFit is render that also tells whether anything had to be left out.
func renderFit(msgs []bot.Message) (lm []ma.MessageInterface, trimmed bool) {
	p := i18n.For(guessLang(msgs))
	var items []item
	var quick []bot.Button
	for _, m := range msgs {
		switch {
		case m.Card != nil:
			shown := m.Buttons
			if len(shown) > footerButtons {
				shown, quick = shown[:footerButtons], append(quick, shown[footerButtons:]...)
			}
			b := bubble(p, m.Text, m.Card, shown)
			items = append(items, item{bubble: b, alt: cardAlt(p, m.Text, m.Card), size: jsonSize(b)})
		case strings.TrimSpace(m.Text) != "":
			for _, part := range splitText(m.Text, MaxTextLen) {
				items = append(items, item{text: part})
			}
			quick = append(quick, m.Buttons...)
		default:
			quick = append(quick, m.Buttons...)
		}
	}
	if len(items) == 0 && len(quick) > 0 {
		return nil, false // buttons alone cannot be shown on LINE
	}
	out := assemble(items)
	if len(out) > MaxMessages {
		out = mergeTexts(out)
	}
	if len(out) > MaxMessages {
		out = append(out[:MaxMessages-1], group{items: []item{{text: p.T("line.more")}}})
		trimmed = true
	}
	lm = make([]ma.MessageInterface, 0, len(out))
	for _, g := range out {
		lm = append(lm, g.message())
	}
	if qr := quickReply(quick); qr != nil && len(lm) > 0 {
		switch m := lm[len(lm)-1].(type) {
		case *ma.TextMessage:
			m.QuickReply = qr
		case *ma.FlexMessage:
			m.QuickReply = qr
		}
	}
	return lm, trimmed
}

// group is one LINE message: one text, or one or more bubbles.
type group struct{ items []item }

func (g group) isText() bool { return len(g.items) == 1 && g.items[0].bubble == nil }

func (g group) message() ma.MessageInterface {
	if g.isText() {
		return &ma.TextMessage{Text: g.items[0].text}
	}
	if len(g.items) == 1 {
		return &ma.FlexMessage{AltText: g.items[0].alt, Contents: g.items[0].bubble}
	}
	alts := make([]string, len(g.items))
	bubbles := make([]ma.FlexBubble, len(g.items))
	for i, it := range g.items {
		alts[i] = it.alt
		bubbles[i] = *it.bubble
	}
	return &ma.FlexMessage{
		AltText:  clip(strings.Join(alts, "\n"), MaxAltTextLen),
		Contents: &ma.FlexCarousel{Contents: bubbles},
	}
}

// assemble puts consecutive bubbles into carousels within LINE's bubble
// count and size limits; texts stay one message each.
func assemble(items []item) []group {
	var out []group
	size := 0
	for _, it := range items {
		if it.bubble != nil && len(out) > 0 {
			last := &out[len(out)-1]
			if !last.isText() && len(last.items) < MaxBubbles && size+it.size <= carouselBudget {
				last.items = append(last.items, it)
				size += it.size
				continue
			}
		}
		out = append(out, group{items: []item{it}})
		size = it.size
	}
	return out
}

// mergeTexts joins neighbouring texts, as long as they fit one message,
// until at most MaxMessages remain.
func mergeTexts(gs []group) []group {
	for i := 0; len(gs) > MaxMessages && i < len(gs)-1; {
		a, b := gs[i], gs[i+1]
		if a.isText() && b.isText() {
			joined := a.items[0].text + "\n\n" + b.items[0].text
			if utf16Len(joined) <= MaxTextLen {
				gs[i] = group{items: []item{{text: joined}}}
				gs = append(gs[:i+1], gs[i+2:]...)
				continue
			}
		}
		i++
	}
	return gs
}

// bubble renders a card: a header with the parcel's name, then the lead
// text, the stage progress bar, the stage and what it means, the newest
// event, the note, and the buttons as postback actions.
func bubble(p *i18n.Printer, lead string, c *bot.Card, buttons []bot.Button) *ma.FlexBubble {
	tone := colorAccent
	if t, ok := tones[c.Stage]; ok {
		tone = t
	}
	title, sub := bot.DisplayNumber(c.Number), c.Carrier
	if c.Label != "" {
		title = c.Label
		sub = joinNonEmpty(" · ", bot.DisplayNumber(c.Number), c.Carrier)
	}
	header := []ma.FlexComponentInterface{
		&ma.FlexText{Text: clipRunes(title, 100), Weight: ma.FlexTextWEIGHT_BOLD, Size: "md", Wrap: true},
	}
	if sub != "" {
		header = append(header, &ma.FlexText{Text: clipRunes(sub, 200), Size: "xs", Color: colorMuted, Wrap: true})
	}

	var body []ma.FlexComponentInterface
	if lead = strings.TrimSpace(lead); lead != "" {
		body = append(body, &ma.FlexText{Text: clipRunes(lead, 1000), Size: "sm", Wrap: true})
	}
	if bar := progress(c.Step, c.Steps, tone); bar != nil {
		body = append(body, bar)
	}
	body = append(body, &ma.FlexText{Text: clipRunes(nonEmpty(c.StageName, c.Stage), 100), Weight: ma.FlexTextWEIGHT_BOLD, Size: "lg", Color: tone, Wrap: true})
	if c.StageHelp != "" {
		body = append(body, &ma.FlexText{Text: clipRunes(c.StageHelp, 500), Size: "sm", Color: colorMuted, Wrap: true})
	}
	if c.Event != "" {
		ev := []ma.FlexComponentInterface{
			&ma.FlexText{Text: p.T("line.card.latest"), Size: "xxs", Color: colorMuted},
		}
		if when := joinNonEmpty(" · ", c.EventTime, c.Location); when != "" {
			ev = append(ev, &ma.FlexText{Text: clipRunes(when, 300), Size: "xs", Color: colorMuted, Wrap: true})
		}
		ev = append(ev, &ma.FlexText{Text: clipRunes(c.Event, 500), Size: "sm", Wrap: true})
		body = append(body,
			&ma.FlexSeparator{Margin: "md"},
			&ma.FlexBox{Layout: ma.FlexBoxLAYOUT_VERTICAL, Spacing: "xs", Margin: "md", Contents: ev})
	}
	if c.ETA != "" {
		body = append(body, &ma.FlexText{Text: clipRunes("🗓 "+c.ETA, 300), Size: "sm", Wrap: true, Margin: "md"})
	}
	if c.Note != "" {
		body = append(body, &ma.FlexText{Text: clipRunes(c.Note, 1000), Size: "xs", Color: colorNote, Wrap: true, Margin: "md"})
	}

	b := &ma.FlexBubble{
		Header: &ma.FlexBox{Layout: ma.FlexBoxLAYOUT_VERTICAL, Spacing: "xs", PaddingBottom: "none", Contents: header},
		Body:   &ma.FlexBox{Layout: ma.FlexBoxLAYOUT_VERTICAL, Spacing: "md", Contents: body},
	}
	var footer []ma.FlexComponentInterface
	for _, btn := range buttons {
		if a := postback(btn); a != nil {
			footer = append(footer, &ma.FlexButton{Action: a, Style: ma.FlexButtonSTYLE_LINK, Height: ma.FlexButtonHEIGHT_SM})
		}
	}
	if len(footer) > 0 {
		b.Footer = &ma.FlexBox{Layout: ma.FlexBoxLAYOUT_VERTICAL, Spacing: "none", Contents: footer}
	}
	return b
}

// progress draws steps segments, the first step of them filled.
func progress(step, steps int, tone string) *ma.FlexBox {
	if steps <= 0 {
		return nil
	}
	steps = min(steps, 10)
	step = max(0, min(step, steps))
	segs := make([]ma.FlexComponentInterface, steps)
	for i := range segs {
		color := colorTrack
		if i < step {
			color = tone
		}
		segs[i] = &ma.FlexBox{
			Layout: ma.FlexBoxLAYOUT_VERTICAL, Flex: 1, Height: "6px", CornerRadius: "3px",
			BackgroundColor: color, Contents: []ma.FlexComponentInterface{&ma.FlexFiller{Flex: 1}},
		}
	}
	return &ma.FlexBox{Layout: ma.FlexBoxLAYOUT_HORIZONTAL, Spacing: "xs", Margin: "sm", Contents: segs}
}

// cardAlt is what LINE shows where the card cannot be: the notification
// and the chat list.
func cardAlt(p *i18n.Printer, lead string, c *bot.Card) string {
	name := c.Label
	if name == "" {
		name = bot.DisplayNumber(c.Number)
	}
	alt := p.T("line.alt.card", name, nonEmpty(c.StageName, c.Stage))
	if lead = strings.TrimSpace(lead); lead != "" {
		alt = lead + "\n" + alt
	}
	return clip(alt, MaxAltTextLen)
}

// postback turns a button into a postback action whose data comes back
// as Update.Button; the label is shown as what the user said.
func postback(b bot.Button) *ma.PostbackAction {
	if b.Data == "" || len(b.Data) > MaxDataBytes || strings.TrimSpace(b.Label) == "" {
		return nil
	}
	label := clip(b.Label, MaxLabelLen)
	return &ma.PostbackAction{Label: label, Data: b.Data, DisplayText: clip(b.Label, MaxDataBytes)}
}

// quickReply turns buttons into at most MaxQuickReplies quick replies,
// the first of each data kept.
func quickReply(bs []bot.Button) *ma.QuickReply {
	var items []ma.QuickReplyItem
	seen := map[string]bool{}
	for _, b := range bs {
		if seen[b.Data] || len(items) == MaxQuickReplies {
			continue
		}
		if a := postback(b); a != nil {
			seen[b.Data] = true
			items = append(items, ma.QuickReplyItem{Type: "action", Action: a})
		}
	}
	if len(items) == 0 {
		return nil
	}
	return &ma.QuickReply{Items: items}
}

// guessLang tells the chat's language from the bot's own words in msgs
// (texts, stage names and help, button labels, never carrier text), all
// from the catalog in the chat's language: by the script most of the
// letters are in, a kana or kanji weighing as much as three Latin letters
// (English text may name the bot "届く").
func guessLang(msgs []bot.Message) string {
	var thai, ja, latin int
	count := func(s string) {
		for _, r := range s {
			switch {
			case unicode.Is(unicode.Thai, r):
				thai++
			case unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han):
				ja += 3
			case unicode.Is(unicode.Latin, r):
				latin++
			}
		}
	}
	for _, m := range msgs {
		count(m.Text)
		if c := m.Card; c != nil {
			count(c.StageName)
			count(c.StageHelp)
		}
		for _, b := range m.Buttons {
			count(b.Label)
		}
	}
	switch {
	case thai > ja && thai > latin:
		return i18n.Thai
	case ja > latin:
		return i18n.Japanese
	}
	return i18n.English
}

// splitText cuts s into pieces of at most n UTF-16 units, at line breaks
// where it can.
func splitText(s string, n int) []string {
	var out []string
	for utf16Len(s) > n {
		cut := prefixLen(s, n) // bytes of the longest prefix that fits
		if i := strings.LastIndexByte(s[:cut], '\n'); i > 0 {
			cut = i
		}
		if part := strings.TrimSpace(s[:cut]); part != "" {
			out = append(out, part)
		}
		s = strings.TrimLeft(s[cut:], "\n")
	}
	if s = strings.TrimSpace(s); s != "" {
		out = append(out, s)
	}
	return out
}

// clip shortens s to at most n UTF-16 units, ending in "…" when cut.
func clip(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	return strings.TrimSpace(s[:prefixLen(s, n-1)]) + "…"
}

// clipRunes shortens s to at most n runes, ending in "…" when cut.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return clip(s, n) // n runes take at least n UTF-16 units
}

// prefixLen returns the byte length of the longest prefix of s that is at
// most n UTF-16 units long.
func prefixLen(s string, n int) int {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return i
		}
	}
	return len(s)
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func jsonSize(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return MaxBubbleBytes
	}
	return len(b)
}

func nonEmpty(s, fallback string) string {
	if strings.TrimSpace(s) == "" {
		return fallback
	}
	return s
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}
