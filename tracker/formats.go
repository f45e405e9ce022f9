package tracker

// A format is one shape of tracking number. Adding a shape means adding a
// row to formats; Detect needs no other change.
type format struct {
	id string
	// minLen and maxLen bound the canonical length, so Detect can stop
	// joining tokens early and skip rows cheaply.
	minLen, maxLen int
	// parse reports whether n, a canonical string of A-Z and 0-9, has the
	// shape and, if so, describes it. Number and Format are filled in by the
	// caller. Carriers may be a shared table: classify copies it.
	parse func(n string) (Candidate, bool)
}

// formats is the table Detect matches against. Shapes may overlap: every
// matching row yields a candidate and the candidates are ranked by
// confidence. The formats and their sources are listed with the Format IDs
// in detect.go.
var formats = []format{
	{id: FormatSandbox, minLen: 9, maxLen: 13, parse: parseSandbox},
	{id: FormatS10, minLen: 13, maxLen: 13, parse: parseS10},
	{id: FormatYanwen, minLen: 13, maxLen: 13, parse: parseYanwen},
	{id: FormatCainiaoLP, minLen: 16, maxLen: 16, parse: parseCainiaoLP},
	{id: FormatYunExpress, minLen: 18, maxLen: 18, parse: parseYunExpress},
	{id: Format4PX, minLen: 13, maxLen: 21, parse: parse4PX},
	{id: FormatJTChina, minLen: 15, maxLen: 15, parse: parseJTChina},
	{id: FormatSF, minLen: 15, maxLen: 15, parse: parseSF},
	{id: FormatUPS, minLen: 18, maxLen: 18, parse: parseUPS},
	{id: FormatKerry, minLen: 13, maxLen: 14, parse: parseKerry},
	{id: FormatFlash, minLen: 14, maxLen: 14, parse: parseFlash},
	{id: FormatJP11, minLen: 11, maxLen: 11, parse: parseJP11},
	{id: FormatJP12, minLen: 12, maxLen: 12, parse: parseJP12},
	{id: FormatJP13, minLen: 13, maxLen: 13, parse: parseJP13},
	{id: FormatDHLExpress, minLen: 10, maxLen: 11, parse: parseDHLExpress},
	{id: FormatFedEx12, minLen: 12, maxLen: 12, parse: parseFedEx12},
	{id: FormatFedEx15, minLen: 15, maxLen: 15, parse: parseFedEx15},
	{id: FormatFedEx22, minLen: 22, maxLen: 22, parse: parseFedEx22},
	{id: FormatUSPS20, minLen: 20, maxLen: 20, parse: parseUSPS20},
	{id: FormatUSPS22, minLen: 22, maxLen: 22, parse: parseUSPS22},
	{id: FormatJTThailand, minLen: 12, maxLen: 12, parse: parseJTThailand},
	{id: FormatBestExpress, minLen: 14, maxLen: 14, parse: parseBestExpress},
}

// formatMaxLenBound bounds every format's maxLen, so bestRun can join groups
// in a fixed buffer; a test keeps the table within it.
const formatMaxLenBound = 32

// formatMinLen and formatMaxLen bound the canonical length of any number,
// and lenMask has bit n set when some format accepts length n.
var formatMinLen, formatMaxLen, lenMask = func() (int, int, uint64) {
	lo, hi, mask := formatMaxLenBound, 0, uint64(0)
	for _, f := range formats {
		lo, hi = min(lo, f.minLen), max(hi, f.maxLen)
		for n := f.minLen; n <= f.maxLen; n++ {
			mask |= 1 << n
		}
	}
	return lo, hi, mask
}()

// lengthUsed reports whether some format accepts numbers of length n.
func lengthUsed(n int) bool {
	return n >= 0 && n < 64 && lenMask&(1<<n) != 0
}

// classify returns every candidate for the canonical string n, best first,
// or nil when no format matches. It allocates the result and one backing
// array for all carrier lists, which callers may then change freely.
func classify(n string) []Candidate {
	var (
		buf [4]Candidate
		nc  int
	)
	found := buf[:0]
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
		nc += len(c.Carriers)
		found = append(found, c)
	}
	if len(found) == 0 {
		return nil
	}
	out := make([]Candidate, len(found))
	copy(out, found)
	carriers := make([]string, nc)
	for i := range out {
		m := copy(carriers, out[i].Carriers)
		out[i].Carriers = carriers[:m:m]
		carriers = carriers[m:]
	}
	sortCandidates(out)
	return out
}

// Carrier lists shared by the parsers; classify copies them.
var (
	carriersSandbox   = []string{CarrierSandbox}
	carriersChina     = []string{CarrierChinaPost, CarrierCainiao}
	carriersJapanPost = []string{CarrierJapanPost}
	carriersThailand  = []string{CarrierThailandPost}
	carriersPostal    = []string{CarrierPostal}
	carriersYanwen    = []string{CarrierYanwen}
	carriersCainiao   = []string{CarrierCainiao}
	carriersYun       = []string{CarrierYunExpress}
	carriers4PX       = []string{Carrier4PX}
	carriersJTChina   = []string{CarrierJTExpress}
	carriersSF        = []string{CarrierSFExpress}
	carriersUPS       = []string{CarrierUPS}
	carriersUSPS      = []string{CarrierUSPS}
	carriersUSPSFedEx = []string{CarrierUSPS, CarrierFedEx}
	carriersFedEx     = []string{CarrierFedEx}
	carriersDHL       = []string{CarrierDHLExpress}
	carriersJP12      = []string{CarrierJapanPost, CarrierYamato, CarrierSagawa}
	carriersKerry     = []string{CarrierKerry}
	carriersFlash     = []string{CarrierFlash}
	carriersJTTH      = []string{CarrierJTThailand}
	carriersBest      = []string{CarrierBestExpress}
)

// checked returns the outcome of a check digit test and the confidence that
// goes with it.
func checked(ok bool, valid, invalid float64) (CheckDigit, float64) {
	if ok {
		return CheckValid, valid
	}
	return CheckInvalid, invalid
}

// parseSandbox: SBX, two letters, 4 to 8 digits (SBXJP0001). Sandbox numbers
// are reserved for the simulated source, so a match is certain.
func parseSandbox(n string) (Candidate, bool) {
	if len(n) < 9 || n[:3] != "SBX" || !isLetters(n[3:5]) || !isDigits(n[5:]) {
		return Candidate{}, false
	}
	c := Candidate{
		Carriers:   carriersSandbox,
		CheckDigit: CheckNone,
		Confidence: 1,
	}
	if cc := n[3:5]; isUPUCountry(cc) {
		c.Country = cc
	}
	return c, true
}

// isS10Shape reports whether n is two letters, nine digits, two letters.
func isS10Shape(n string) bool {
	return len(n) == 13 && isLetters(n[:2]) && isDigits(n[2:11]) && isLetters(n[11:])
}

// isYanwenSuffix reports whether an S10-shaped number ends in one of the
// suffixes Yanwen uses instead of a country.
func isYanwenSuffix(s string) bool {
	return s == "YP" || s == "YW"
}

// parseS10: UPU S10, two letters (service), 8 serial digits, a check digit
// and the ISO code of the issuing country (RB004010604CN).
func parseS10(n string) (Candidate, bool) {
	if !isS10Shape(n) || isYanwenSuffix(n[11:]) {
		return Candidate{}, false
	}
	c := Candidate{CheckDigit: CheckInvalid, Service: s10Service(n[0], n[1])}
	if s10CheckDigit(n[2:10]) == n[10] {
		c.CheckDigit = CheckValid
	}
	cc := n[11:]
	known := isUPUCountry(cc)
	switch {
	case cc == "CN":
		c.Carriers = carriersChina
	case cc == "JP":
		c.Carriers = carriersJapanPost
	case cc == "TH":
		c.Carriers = carriersThailand
	default:
		// Other countries, and the shape without a postal operator behind
		// it, which consolidators use too: keep it, do not vouch for it.
		c.Carriers = carriersPostal
	}
	if known {
		c.Country = cc
	}
	switch {
	case known && c.CheckDigit == CheckValid && c.Service != "":
		c.Confidence = 0.95
	case known && c.CheckDigit == CheckValid:
		c.Confidence = 0.85 // a service indicator the UPU has not assigned
	case c.CheckDigit == CheckValid:
		c.Confidence = 0.4
	case known:
		c.Confidence = 0.2
	default:
		c.Confidence = 0.1
	}
	return c, true
}

// s10Service names the UPU service indicator a, b (the first two letters).
func s10Service(a, b byte) string {
	switch a {
	case 'E':
		return ServiceEMS
	case 'L':
		return ServiceTrackedLetter
	case 'M':
		return ServiceMBag
	case 'Q':
		if b <= 'M' {
			return ServiceBusinessReply
		}
	case 'R':
		return ServiceRegistered
	case 'U':
		return ServiceLetterMisc
	case 'V':
		return ServiceInsured
	case 'C':
		return ServiceParcel
	case 'H':
		return ServiceEcommerceParcel
	case 'B', 'D', 'N', 'P', 'Z':
		return ServiceDomestic
	case 'A':
		if b >= 'V' {
			return ServiceDomestic
		}
	case 'G':
		if b == 'A' || b == 'D' {
			return ServiceDomestic
		}
	}
	return ""
}

// parseYanwen: the S10 shape with Yanwen's suffix YP or YW instead of a
// country (UG336196744YP). Yanwen computes the S10 check digit.
func parseYanwen(n string) (Candidate, bool) {
	if !isS10Shape(n) || !isYanwenSuffix(n[11:]) {
		return Candidate{}, false
	}
	c := Candidate{Carriers: carriersYanwen, Service: s10Service(n[0], n[1])}
	c.CheckDigit, c.Confidence = checked(s10CheckDigit(n[2:10]) == n[10], 0.85, 0.2)
	return c, true
}

// prefixed reports whether n is prefix followed by exactly digits digits.
func prefixed(n, prefix string, digits int) bool {
	return len(n) == len(prefix)+digits && n[:len(prefix)] == prefix && isDigits(n[len(prefix):])
}

// noCheck is a candidate of a format without check digit.
func noCheck(carriers []string, confidence float64) (Candidate, bool) {
	return Candidate{Carriers: carriers, CheckDigit: CheckNone, Confidence: confidence}, true
}

// parseCainiaoLP: LP and 14 digits, a Cainiao logistics order number
// (AliExpress Standard and Economy). It has no check digit, but the prefix
// and length are distinctive.
func parseCainiaoLP(n string) (Candidate, bool) {
	if !prefixed(n, "LP", 14) {
		return Candidate{}, false
	}
	return noCheck(carriersCainiao, 0.9)
}

// parseYunExpress: YT and 16 digits.
func parseYunExpress(n string) (Candidate, bool) {
	if !prefixed(n, "YT", 16) {
		return Candidate{}, false
	}
	return noCheck(carriersYun, 0.9)
}

// parse4PX: 4PX, 10 to 16 digits, and optionally CN.
func parse4PX(n string) (Candidate, bool) {
	if len(n) < 13 || n[:3] != "4PX" {
		return Candidate{}, false
	}
	d := n[3:]
	if len(d) > 2 && d[len(d)-2:] == "CN" {
		d = d[:len(d)-2]
	}
	if len(d) < 10 || len(d) > 16 || !isDigits(d) {
		return Candidate{}, false
	}
	return noCheck(carriers4PX, 0.85)
}

// parseJTChina: JT and 13 digits.
func parseJTChina(n string) (Candidate, bool) {
	if !prefixed(n, "JT", 13) {
		return Candidate{}, false
	}
	return noCheck(carriersJTChina, 0.85)
}

// parseSF: SF and 13 digits.
func parseSF(n string) (Candidate, bool) {
	if !prefixed(n, "SF", 13) {
		return Candidate{}, false
	}
	return noCheck(carriersSF, 0.85)
}

// parseUPS: 1Z, 15 letters or digits, a check digit.
func parseUPS(n string) (Candidate, bool) {
	if len(n) != 18 || n[:2] != "1Z" || !isPlainASCIINumber(n[2:]) {
		return Candidate{}, false
	}
	c := Candidate{Carriers: carriersUPS}
	c.CheckDigit, c.Confidence = checked(upsValid(n), 0.95, 0.25)
	return c, true
}

// parseKerry: SHP and 10 digits, or KE, a letter and 11 digits.
func parseKerry(n string) (Candidate, bool) {
	switch {
	case prefixed(n, "SHP", 10):
		return noCheck(carriersKerry, 0.8)
	case len(n) == 14 && n[:2] == "KE" && isLetters(n[2:3]) && isDigits(n[3:]):
		return noCheck(carriersKerry, 0.6)
	}
	return Candidate{}, false
}

// parseFlash: TH, two digits and ten letters or digits.
func parseFlash(n string) (Candidate, bool) {
	if len(n) != 14 || n[:2] != "TH" || !isDigits(n[2:4]) || !isPlainASCIINumber(n[4:]) {
		return Candidate{}, false
	}
	return noCheck(carriersFlash, 0.55)
}

// parseJP11: 11 digits not starting with 0 (Japanese phone numbers do),
// whose last digit is the first 10 modulo 7.
func parseJP11(n string) (Candidate, bool) {
	if len(n) != 11 || n[0] == '0' || !isDigits(n) {
		return Candidate{}, false
	}
	c := Candidate{Carriers: carriersJapanPost}
	c.CheckDigit, c.Confidence = checked(mod7Valid(n), 0.6, 0.12)
	return c, true
}

// parseJP12: 12 digits whose last digit is the first 11 modulo 7, used by
// Japan Post, Yamato and Sagawa alike. One random 12-digit string in seven
// passes the check, hence the modest confidence.
func parseJP12(n string) (Candidate, bool) {
	if len(n) != 12 || !isDigits(n) {
		return Candidate{}, false
	}
	c := Candidate{Carriers: carriersJP12}
	c.CheckDigit, c.Confidence = checked(mod7Valid(n), 0.7, 0.15)
	return c, true
}

// parseJP13: 13 digits not starting with 0. No check digit rule is
// published for it, so it stays a weak reading.
func parseJP13(n string) (Candidate, bool) {
	if len(n) != 13 || n[0] == '0' || !isDigits(n) {
		return Candidate{}, false
	}
	return noCheck(carriersJapanPost, 0.2)
}

// parseDHLExpress: 10 or 11 digits not starting with 0, the last being the
// others modulo 7.
func parseDHLExpress(n string) (Candidate, bool) {
	if len(n) < 10 || len(n) > 11 || n[0] == '0' || !isDigits(n) {
		return Candidate{}, false
	}
	valid := 0.55
	if len(n) == 11 {
		valid = 0.45
	}
	c := Candidate{Carriers: carriersDHL}
	c.CheckDigit, c.Confidence = checked(mod7Valid(n), valid, 0.1)
	return c, true
}

// parseFedEx12: 12 digits, FedEx Express.
func parseFedEx12(n string) (Candidate, bool) {
	if len(n) != 12 || !isDigits(n) {
		return Candidate{}, false
	}
	c := Candidate{Carriers: carriersFedEx}
	c.CheckDigit, c.Confidence = checked(fedex12Valid(n), 0.6, 0.1)
	return c, true
}

// parseFedEx15: 15 digits, FedEx Ground, GS1 mod 10.
func parseFedEx15(n string) (Candidate, bool) {
	if len(n) != 15 || !isDigits(n) {
		return Candidate{}, false
	}
	c := Candidate{Carriers: carriersFedEx}
	c.CheckDigit, c.Confidence = checked(gs1CheckDigit("", n[:14]) == n[14], 0.7, 0.1)
	return c, true
}

// parseFedEx22: 96 and 20 digits, FedEx Ground 96; the check digit covers
// the 14 digits of shipper and package.
func parseFedEx22(n string) (Candidate, bool) {
	if len(n) != 22 || n[:2] != "96" || !isDigits(n) {
		return Candidate{}, false
	}
	c := Candidate{Carriers: carriersFedEx}
	c.CheckDigit, c.Confidence = checked(gs1CheckDigit("", n[7:21]) == n[21], 0.8, 0.2)
	return c, true
}

// parseUSPS20: 20 digits, GS1 mod 10, with or without the implied
// application identifier 91.
func parseUSPS20(n string) (Candidate, bool) {
	if len(n) != 20 || !isDigits(n) {
		return Candidate{}, false
	}
	ok := gs1CheckDigit("", n[:19]) == n[19] || gs1CheckDigit("91", n[:19]) == n[19]
	c := Candidate{Carriers: carriersUSPS}
	c.CheckDigit, c.Confidence = checked(ok, 0.75, 0.15)
	return c, true
}

// parseUSPS22: 9[1-5] and 20 digits, USPS IMpb; 92 is also used by FedEx
// SmartPost.
func parseUSPS22(n string) (Candidate, bool) {
	if len(n) != 22 || n[0] != '9' || n[1] < '1' || n[1] > '5' || !isDigits(n) {
		return Candidate{}, false
	}
	c := Candidate{Carriers: carriersUSPS}
	if n[1] == '2' {
		c.Carriers = carriersUSPSFedEx
	}
	c.CheckDigit, c.Confidence = checked(gs1CheckDigit("", n[:21]) == n[21], 0.85, 0.2)
	return c, true
}

// parseJTThailand: 12 digits starting with 82.
func parseJTThailand(n string) (Candidate, bool) {
	if len(n) != 12 || n[:2] != "82" || !isDigits(n) {
		return Candidate{}, false
	}
	return noCheck(carriersJTTH, 0.35)
}

// parseBestExpress: 60 and 12 digits.
func parseBestExpress(n string) (Candidate, bool) {
	if !prefixed(n, "60", 12) {
		return Candidate{}, false
	}
	return noCheck(carriersBest, 0.3)
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
