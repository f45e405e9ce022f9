package tracker

import "slices"

// A format is one shape of tracking number. Adding a shape means adding a
// row to formats; Detect needs no other change.
type format struct {
	id string
	// minLen and maxLen bound the canonical length, so Detect can stop
	// joining tokens early and skip rows cheaply.
	minLen, maxLen int
	// parse reports whether n, a canonical string of A-Z and 0-9, has the
	// shape and, if so, describes it. Number and Format are filled in by the
	// caller.
	parse func(n string) (Candidate, bool)
}

// formats is the table Detect matches against. Shapes may overlap: every
// matching row yields a candidate and the candidates are ranked by
// confidence.
var formats = []format{
	{id: FormatSandbox, minLen: 9, maxLen: 13, parse: parseSandbox},
	{id: FormatS10, minLen: 13, maxLen: 13, parse: parseS10},
	{id: FormatCainiaoLP, minLen: 16, maxLen: 16, parse: parseCainiaoLP},
	{id: FormatJP12, minLen: 12, maxLen: 12, parse: parseJP12},
}

// formatMaxLen is the longest canonical number any format accepts.
var formatMaxLen = func() int {
	m := 0
	for _, f := range formats {
		m = max(m, f.maxLen)
	}
	return m
}()

// classify returns every candidate for the canonical string n, best first,
// or nil when no format matches.
func classify(n string) []Candidate {
	var out []Candidate
	for _, f := range formats {
		if len(n) < f.minLen || len(n) > f.maxLen {
			continue
		}
		c, ok := f.parse(n)
		if !ok {
			continue
		}
		c.Number = n
		c.Format = f.id
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		switch {
		case a.Confidence > b.Confidence:
			return -1
		case a.Confidence < b.Confidence:
			return 1
		}
		return 0
	})
	return out
}

// parseSandbox: SBX, two letters, 4 to 8 digits (SBXJP0001). Sandbox numbers
// are reserved for the simulated source, so a match is certain.
func parseSandbox(n string) (Candidate, bool) {
	if len(n) < 9 || n[:3] != "SBX" || !isLetters(n[3:5]) || !isDigits(n[5:]) {
		return Candidate{}, false
	}
	c := Candidate{
		Carriers:   []string{CarrierSandbox},
		CheckDigit: CheckNone,
		Confidence: 1,
	}
	if cc := n[3:5]; isUPUCountry(cc) {
		c.Country = cc
	}
	return c, true
}

// parseS10: UPU S10, two letters (service), 8 serial digits, a check digit
// and the ISO code of the issuing country (RB004010604CN).
func parseS10(n string) (Candidate, bool) {
	if len(n) != 13 || !isLetters(n[:2]) || !isDigits(n[2:11]) || !isLetters(n[11:]) {
		return Candidate{}, false
	}
	c := Candidate{CheckDigit: CheckInvalid}
	if s10CheckDigit(n[2:10]) == n[10] {
		c.CheckDigit = CheckValid
	}
	cc := n[11:]
	known := isUPUCountry(cc)
	switch {
	case !known:
		// The shape without a postal operator behind it: consolidators
		// use it too. Keep it, but do not vouch for it.
		c.Carriers = []string{CarrierPostal}
	case cc == "CN":
		c.Carriers = []string{CarrierChinaPost, CarrierCainiao}
	case cc == "JP":
		c.Carriers = []string{CarrierJapanPost}
	case cc == "TH":
		c.Carriers = []string{CarrierThailandPost}
	default:
		c.Carriers = []string{CarrierPostal}
	}
	if known {
		c.Country = cc
	}
	switch {
	case known && c.CheckDigit == CheckValid:
		c.Confidence = 0.95
	case c.CheckDigit == CheckValid:
		c.Confidence = 0.4
	case known:
		c.Confidence = 0.2
	default:
		c.Confidence = 0.1
	}
	return c, true
}

// parseCainiaoLP: LP and 14 digits, a Cainiao logistics order number
// (AliExpress Standard and Economy). It has no check digit, but the prefix
// and length are distinctive.
func parseCainiaoLP(n string) (Candidate, bool) {
	if len(n) != 16 || n[:2] != "LP" || !isDigits(n[2:]) {
		return Candidate{}, false
	}
	return Candidate{
		Carriers:   []string{CarrierCainiao},
		CheckDigit: CheckNone,
		Confidence: 0.9,
	}, true
}

// parseJP12: 12 digits whose last digit is the first 11 modulo 7, used by
// Japan Post, Yamato and Sagawa alike. One random 12-digit string in seven
// passes the check, hence the modest confidence.
func parseJP12(n string) (Candidate, bool) {
	if len(n) != 12 || !isDigits(n) {
		return Candidate{}, false
	}
	c := Candidate{
		Carriers:   []string{CarrierJapanPost, CarrierYamato, CarrierSagawa},
		CheckDigit: CheckInvalid,
		Confidence: 0.15,
	}
	if mod7Valid(n) {
		c.CheckDigit = CheckValid
		c.Confidence = 0.7
	}
	return c, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
