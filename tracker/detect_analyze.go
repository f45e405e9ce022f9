package tracker

import (
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// NotTracking IDs say why a text holds no tracking number. They are stable:
// the bot uses them as translation keys.
//
//	order_number  an AliExpress order number (16 digits starting with 3 or
//	              8, or 15 such digits that are no valid FedEx number); the
//	              tracking number is on the order page
//	url           a link without any tracking number in it
//	phone         a phone number (Japanese or Thai, or +81 / +66)
//	postal_code   a postal code (〒123-4567, 123-4567, or five digits named as
//	              a postcode)
//	date          a date (2024-11-25, 25/11/2024, 11月25日, 20241125)
//	price         an amount of money (¥1,280, 1280円, ฿350, 350 บาท, $12.99)
const (
	NotTrackingOrderNumber = "order_number"
	NotTrackingURL         = "url"
	NotTrackingPhone       = "phone"
	NotTrackingPostalCode  = "postal_code"
	NotTrackingDate        = "date"
	NotTrackingPrice       = "price"
)

// Analysis is what a text holds, for the bot to answer in one of three
// ways: follow Candidates; point out Typos ("this looks like a typo of a
// jp-12 number"); or, when both are empty, explain NotTracking.
type Analysis struct {
	// Candidates are every reading of every number worth following (its
	// best reading's check digit holds, or its format has none), grouped
	// by number in order of appearance, best first within a number.
	Candidates []Candidate `json:"candidates"`
	// Typos holds, for each number whose best reading fails its check
	// digit, that reading: its Format is the nearest format to name.
	Typos []Candidate `json:"typos"`
	// NotTracking is a NotTracking ID when Candidates and Typos are both
	// empty and the text has the shape of something else, else "".
	NotTracking string `json:"not_tracking"`
}

// Numbers returns the best candidate of each number in Candidates, in order
// of appearance: the numbers to follow.
func (a Analysis) Numbers() []Candidate {
	var out []Candidate
	for i, c := range a.Candidates {
		if i == 0 || a.Candidates[i-1].Number != c.Number {
			out = append(out, c)
		}
	}
	return out
}

// Analyze reads text as DetectFor does, then splits the numbers into those
// to follow and likely typos, and says what the text is when it holds
// neither.
func Analyze(text string, hint Hint) Analysis {
	a := Analysis{Candidates: []Candidate{}, Typos: []Candidate{}}
	cands := DetectFor(text, hint)
	var orders []string // 15-digit order numbers, which read as FedEx typos
	for i := 0; i < len(cands); {
		j := i + 1
		for j < len(cands) && cands[j].Number == cands[i].Number {
			j++
		}
		best := cands[i]
		switch {
		case best.CheckDigit != CheckInvalid:
			a.Candidates = append(a.Candidates, cands[i:j]...)
		case isOrderNumber15(best.Number):
			orders = append(orders, best.Number)
		default:
			a.Typos = append(a.Typos, best)
		}
		i = j
	}
	if len(a.Candidates) == 0 && len(a.Typos) == 0 {
		if len(orders) > 0 {
			a.NotTracking = NotTrackingOrderNumber
		} else {
			a.NotTracking = notTracking(text)
		}
	}
	return a
}

// isOrderNumber15 reports whether n has the shape of an older 15-digit
// AliExpress order number. Callers only ask for numbers with no valid
// reading, so a valid FedEx Ground number is never one.
func isOrderNumber15(n string) bool {
	return len(n) == 15 && (n[0] == '3' || n[0] == '8') && isDigits(n)
}

var (
	reOrder         = regexp.MustCompile(`(?:^|[^0-9A-Za-z])[38][0-9]{3}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}(?:$|[^0-9A-Za-z])`)
	reURL           = regexp.MustCompile(`(?i)(?:https?://|www\.)[^\s]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|jp|th|cn|hk|io|co|me|ly)(?:/[^\s]*)?\b`)
	rePhone         = regexp.MustCompile(`(?:^|[^0-9A-Za-z+])(?:0[0-9]{1,4}[ -]?[0-9]{1,4}[ -]?[0-9]{3,4}|\(0[0-9]{1,4}\)[ -]?[0-9]{1,4}[ -]?[0-9]{3,4})(?:$|[^0-9A-Za-z])|\+(?:81|66)[ -]?\(?[0-9]{1,4}\)?[ -]?[0-9]{1,4}[ -]?[0-9]{3,4}`)
	rePostalJP      = regexp.MustCompile(`〒 ?[0-9]{3}-?[0-9]{4}|(?:^|[^0-9A-Za-z-])[0-9]{3}-[0-9]{4}(?:$|[^0-9A-Za-z-])`)
	rePostalTH      = regexp.MustCompile(`(?:^|[^0-9A-Za-z])[1-9][0-9]{4}(?:$|[^0-9A-Za-z])`)
	rePostalKeyword = regexp.MustCompile(`(?i)รหัสไปรษณีย์|郵便番号|zip|post ?code|postal`)
	reDate          = regexp.MustCompile(`\b(?:19|20|25)[0-9]{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12][0-9]|3[01])\b|\b(?:0?[1-9]|[12][0-9]|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20|25)?[0-9]{2}\b|[0-9]{1,4}年 ?[0-9]{1,2}月|[0-9]{1,2}月 ?[0-9]{1,2}日|(?:^|[^0-9A-Za-z])(?:19|20|25)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?:$|[^0-9A-Za-z])`)
	rePrice         = regexp.MustCompile(`(?i)(?:[¥$€£฿]|us\$|jpy|thb|usd|rmb|cny)\s?[0-9][0-9,]*(?:\.[0-9]+)?|[0-9][0-9,]*(?:\.[0-9]+)?\s?(?:円|บาท|元|yen|baht|usd|jpy|thb)`)
)

// notTracking classifies a text in which no tracking number was found. The
// order of the tests is the order of preference when a text has several
// shapes.
func notTracking(text string) string {
	if strings.TrimSpace(text) == "" {
		return ""
	}
	t := norm.NFKC.String(text)
	t = strings.Map(func(r rune) rune {
		switch {
		case isIgnorable(r):
			return -1
		case isDash(r):
			return '-'
		}
		return r
	}, t)
	switch {
	case reOrder.MatchString(t):
		return NotTrackingOrderNumber
	case reURL.MatchString(t):
		return NotTrackingURL
	case rePhone.MatchString(t):
		return NotTrackingPhone
	case rePostalJP.MatchString(t),
		rePostalTH.MatchString(t) && (isOnlyDigits(t) || rePostalKeyword.MatchString(t)):
		return NotTrackingPostalCode
	case reDate.MatchString(t):
		return NotTrackingDate
	case rePrice.MatchString(t):
		return NotTrackingPrice
	}
	return ""
}

// isOnlyDigits reports whether t holds nothing but digits and spaces.
func isOnlyDigits(t string) bool {
	t = strings.TrimSpace(t)
	return t != "" && strings.Trim(t, "0123456789 ") == ""
}
