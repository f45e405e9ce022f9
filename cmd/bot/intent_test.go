package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestIntentCmd(t *testing.T) {
	var out, errOut bytes.Buffer
	texts := []string{"stop tracking LP00123456789012", "ケースいつ届く？", "ของถึงเมื่อไหร่", "อันที่สองอยู่ไหน"}
	if code := intentCmd(append([]string{"--json"}, texts...), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want := []struct {
		intent, lang string
		numbers      []string
		ref          string
	}{
		{"stop", "en", []string{"LP00123456789012"}, ""},
		{"eta", "ja", []string{}, "ケース"},
		{"eta", "th", []string{}, ""},
		{"where", "th", []string{}, "2"},
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, line := range lines {
		var got struct {
			Input   string   `json:"input"`
			Intent  string   `json:"intent"`
			Lang    string   `json:"lang"`
			Numbers []string `json:"numbers"`
			Ref     *string  `json:"ref"`
			Why     string   `json:"why"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, line)
		}
		w := want[i]
		if got.Input != texts[i] || got.Intent != w.intent || got.Lang != w.lang || !slices.Equal(got.Numbers, w.numbers) ||
			got.Ref == nil || *got.Ref != w.ref || got.Why == "" {
			t.Errorf("line %d: %s\nwant intent %s lang %s numbers %v ref %q", i, line, w.intent, w.lang, w.numbers, w.ref)
		}
		if got.Numbers == nil {
			t.Errorf("line %d: numbers must be a list, not null: %s", i, line)
		}
	}
}

func TestIntentCmdUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := intentCmd([]string{"--json"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "TEXT") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
