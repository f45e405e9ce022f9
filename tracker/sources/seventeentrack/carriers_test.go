package seventeentrack

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/todoku/todoku/tracker"
)

const sharedCarriers = "../../../../shared/testdata/carriers/"

// carrierTSV reads 17TRACK's carrier list: key, country, name, alias, URL.
func carrierTSV(t *testing.T) map[int][]string {
	t.Helper()
	f, err := os.Open(sharedCarriers + "17track-carrier-keys.tsv")
	if err != nil {
		t.Fatalf("open the carrier list: %v", err)
	}
	defer f.Close()
	out := make(map[int][]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		key, err := strconv.Atoi(cols[0])
		if err != nil || len(cols) < 4 {
			continue
		}
		out[key] = cols
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 1000 {
		t.Fatalf("the carrier list has only %d rows", len(out))
	}
	return out
}

func TestCarrierKeysMatchTheCarrierList(t *testing.T) {
	rows := carrierTSV(t)
	// What the list calls each key Todoku uses (name, or alias for carriers
	// listed under a Chinese name).
	want := map[string]string{
		tracker.CarrierCainiao:      "cainiao",
		tracker.CarrierChinaPost:    "China Post",
		tracker.CarrierJapanPost:    "Japan Post",
		tracker.CarrierYamato:       "Yamato",
		tracker.CarrierSagawa:       "Sagawa",
		tracker.CarrierThailandPost: "Thailand Post",
		tracker.CarrierYanwen:       "yanwen",
		tracker.CarrierYunExpress:   "yunexpress",
		tracker.Carrier4PX:          "fpx",
		tracker.CarrierJTExpress:    "JTEXPRESSCN",
		tracker.CarrierSFExpress:    "sfexpress",
		tracker.CarrierUPS:          "UPS",
		tracker.CarrierUSPS:         "USPS",
		tracker.CarrierFedEx:        "Fedex",
		tracker.CarrierDHLExpress:   "DHL",
		tracker.CarrierKerry:        "KERRYEXPRESSTH",
		tracker.CarrierFlash:        "Flash Express",
		tracker.CarrierJTThailand:   "J&T Express (TH)",
	}
	if len(want) != len(carrierKeys) {
		t.Errorf("the test covers %d carriers, the table has %d", len(want), len(carrierKeys))
	}
	for id, key := range carrierKeys {
		row, ok := rows[key]
		if !ok {
			t.Errorf("%s: key %d is not in the carrier list", id, key)
			continue
		}
		if name, alias := row[2], row[3]; name != want[id] && alias != want[id] {
			t.Errorf("%s: key %d is %q (%q) in the carrier list, want %q", id, key, name, alias, want[id])
		}
	}
	if row := rows[chinaEMS]; len(row) < 3 || row[2] != "China EMS" {
		t.Errorf("key %d is %v in the carrier list, want China EMS", chinaEMS, row)
	}
}

func TestKeyFor(t *testing.T) {
	tests := []struct {
		number string
		want   int
	}{
		{"LP00123456789012", 190271},         // Cainiao
		{s10("RR", "12345678", "JP"), 10021}, // Japan Post
		{s10("EE", "12345678", "TH"), 20041}, // Thailand Post
		{s10("RB", "00401060", "CN"), 0},     // China Post or Cainiao: let 17TRACK detect
		{jp12("12345678901"), 0},             // Japan Post, Yamato or Sagawa
		{"1Z999AA10123456784", 100002},       // UPS
		{"SBXJP0001", 0},
		{"HELLO", 0},
	}
	for _, tt := range tests {
		if got := keyFor(tt.number); got != tt.want {
			t.Errorf("keyFor(%q) = %d, want %d", tt.number, got, tt.want)
		}
	}
}

func TestServes(t *testing.T) {
	s := newTestSource(t, "http://127.0.0.1:1")
	bad := s10("RR", "12345678", "JP")
	bad = bad[:10] + string('0'+(bad[10]-'0'+1)%10) + bad[11:]
	tests := []struct {
		number string
		want   bool
	}{
		{"LP00123456789012", true},
		{s10("RR", "12345678", "JP"), true},
		{s10("RB", "00401060", "CN"), true},
		{jp12("12345678901"), true},
		{bad, false},                 // check digit fails: likely a typo
		{"SBXJP0001", false},         // the sandbox's own
		{"lp00123456789012", false},  // not canonical
		{"LP00123456789012 ", false}, // not canonical
		{"1Z999AA10123456784", true}, // UPS: 17TRACK serves every carrier
		{"HELLO12345", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := s.Serves(tt.number); got != tt.want {
			t.Errorf("Serves(%q) = %v, want %v", tt.number, got, tt.want)
		}
	}
}

// s10 completes a UPU S10 number with its check digit.
func s10(service, serial, country string) string {
	weights := []int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i, w := range weights {
		sum += int(serial[i]-'0') * w
	}
	c := 11 - sum%11
	switch c {
	case 10:
		c = 0
	case 11:
		c = 5
	}
	return service + serial + strconv.Itoa(c) + country
}

// jp12 completes an 11-digit Japanese number with its mod-7 check digit.
func jp12(first11 string) string {
	n, _ := strconv.ParseInt(first11, 10, 64)
	return first11 + strconv.Itoa(int(n%7))
}
