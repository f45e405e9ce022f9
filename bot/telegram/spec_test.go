package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
)

// specPath is the Bot API description shared by the project's fakes, read
// in place and never copied.
const specPath = "../../../shared/specs/telegram-bot-api.json"

// apiSpec is the machine-readable Bot API: every method and type with its
// fields, their types, whether they are required, and their descriptions,
// where the documented limits live.
type apiSpec struct {
	Version string                `json:"version"`
	Methods map[string]specObject `json:"methods"`
	Types   map[string]specObject `json:"types"`
}

type specObject struct {
	Name        string      `json:"name"`
	Description []string    `json:"description"`
	Fields      []specField `json:"fields"`
	Subtypes    []string    `json:"subtypes"`
}

type specField struct {
	Name        string   `json:"name"`
	Types       []string `json:"types"`
	Required    bool     `json:"required"`
	Description string   `json:"description"`
}

var loadSpecOnce = sync.OnceValues(func() (*apiSpec, error) {
	data, err := os.ReadFile(specPath)
	if err != nil {
		return nil, err
	}
	var s apiSpec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	return &s, nil
})

func loadSpec(t testing.TB) *apiSpec {
	t.Helper()
	s, err := loadSpecOnce()
	if err != nil {
		t.Fatalf("reading the Bot API spec at %s: %v", specPath, err)
	}
	return s
}

// Patterns of the limits the descriptions state.
var (
	lengthRE     = regexp.MustCompile(`(\d+)-(\d+) (characters|bytes)`)
	rangeRE      = regexp.MustCompile(`Values between (\d+)-(\d+)`)
	atMostRE     = regexp.MustCompile(`At most (\d+) \w+ can be specified`)
	mustBeRE     = regexp.MustCompile(`must be ([a-z_]+)$`)
	exactlyOneRE = regexp.MustCompile(`Exactly one of the fields other than (.+?) must be used`)
	lowerCmdRE   = regexp.MustCompile(`^[a-z0-9_]+$`)
	secretCharRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	langCodeRE   = regexp.MustCompile(`^[a-z]{2}$`)
)

// checkRequest returns every way params break the spec of method: an
// unknown method, unknown or missing parameters, wrong JSON types, and the
// documented limits. Values must have their JSON types (a number for an
// Integer, an object for a JSON-serialized object), not strings holding
// them.
func (s *apiSpec) checkRequest(method string, params map[string]json.RawMessage) []string {
	m, ok := s.Methods[method]
	if !ok {
		return []string{fmt.Sprintf("%s: no such method", method)}
	}
	return s.checkFields(method, m.Fields, params)
}

func (s *apiSpec) checkFields(path string, fields []specField, obj map[string]json.RawMessage) []string {
	var errs []string
	known := map[string]bool{}
	for _, f := range fields {
		known[f.Name] = true
		raw, present := obj[f.Name]
		if !present || string(raw) == "null" {
			if f.Required {
				errs = append(errs, fmt.Sprintf("%s.%s: required but missing", path, f.Name))
			}
			continue
		}
		errs = append(errs, s.checkValue(path+"."+f.Name, f.Types, raw)...)
		errs = append(errs, checkLimits(path+"."+f.Name, f, raw, obj)...)
	}
	for name := range obj {
		if !known[name] {
			errs = append(errs, fmt.Sprintf("%s.%s: unknown field", path, name))
		}
	}
	slices.Sort(errs)
	return errs
}

// checkValue checks raw against one of types.
func (s *apiSpec) checkValue(path string, types []string, raw json.RawMessage) []string {
	var first []string
	for _, typ := range types {
		errs := s.checkType(path, typ, raw)
		if len(errs) == 0 {
			return nil
		}
		if first == nil {
			first = errs
		}
	}
	if len(types) > 1 {
		return append([]string{fmt.Sprintf("%s: matches none of %s", path, strings.Join(types, ", "))}, first...)
	}
	return first
}

func (s *apiSpec) checkType(path, typ string, raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	bad := func() []string { return []string{fmt.Sprintf("%s: %s is not a JSON %s", path, clip(raw), typ)} }
	if elem, ok := strings.CutPrefix(typ, "Array of "); ok {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil || raw[0] != '[' {
			return bad()
		}
		var errs []string
		for i, it := range items {
			errs = append(errs, s.checkType(fmt.Sprintf("%s[%d]", path, i), elem, it)...)
		}
		return errs
	}
	switch typ {
	case "Integer":
		if _, err := strconv.ParseInt(string(raw), 10, 64); err != nil {
			return bad()
		}
		return nil
	case "Float":
		if _, err := strconv.ParseFloat(string(raw), 64); err != nil || raw[0] == '"' {
			return bad()
		}
		return nil
	case "String":
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return bad()
		}
		return nil
	case "Boolean":
		if string(raw) != "true" && string(raw) != "false" {
			return bad()
		}
		return nil
	case "InputFile":
		return nil // uploads are not used
	}
	obj, ok := s.Types[typ]
	if !ok {
		return []string{fmt.Sprintf("%s: the spec has no type %s", path, typ)}
	}
	if len(obj.Subtypes) > 0 {
		return s.checkValue(path, obj.Subtypes, raw)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || raw[0] != '{' {
		return bad()
	}
	errs := s.checkFields(path, obj.Fields, fields)
	errs = append(errs, checkExactlyOne(path, obj, fields)...)
	return errs
}

// checkExactlyOne applies "Exactly one of the fields other than a, b, and
// c must be used" (InlineKeyboardButton).
func checkExactlyOne(path string, obj specObject, fields map[string]json.RawMessage) []string {
	m := exactlyOneRE.FindStringSubmatch(strings.Join(obj.Description, " "))
	if m == nil {
		return nil
	}
	except := map[string]bool{}
	for _, name := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' }) {
		if name != "and" {
			except[name] = true
		}
	}
	var used []string
	for _, f := range obj.Fields {
		if _, ok := fields[f.Name]; ok && !except[f.Name] {
			used = append(used, f.Name)
		}
	}
	if len(used) != 1 {
		return []string{fmt.Sprintf("%s: exactly one of the button type fields must be used, got %q", path, used)}
	}
	return nil
}

// checkLimits applies the limits a field's description states.
func checkLimits(path string, f specField, raw json.RawMessage, siblings map[string]json.RawMessage) []string {
	d := f.Description
	var errs []string
	var str string
	isString := json.Unmarshal(raw, &str) == nil
	if m := lengthRE.FindStringSubmatch(d); m != nil && isString {
		lo, _ := strconv.Atoi(m[1])
		hi, _ := strconv.Atoi(m[2])
		n := 0
		text := str
		if m[3] == "bytes" {
			n = len(text)
		} else {
			if strings.Contains(d, "after entities parsing") {
				var mode string
				_ = json.Unmarshal(siblings["parse_mode"], &mode)
				if mode == "HTML" {
					plain, err := parseHTML(str)
					if err != nil {
						return append(errs, fmt.Sprintf("%s: can't parse entities: %v", path, err))
					}
					text = plain
				}
				if lo > 0 && strings.TrimSpace(text) == "" {
					errs = append(errs, fmt.Sprintf("%s: empty after entity parsing", path))
				}
			}
			n = len(utf16.Encode([]rune(text)))
		}
		if n < lo || n > hi {
			errs = append(errs, fmt.Sprintf("%s: length %d %s is outside %d-%d", path, n, m[3], lo, hi))
		}
	}
	if m := rangeRE.FindStringSubmatch(d); m != nil {
		lo, _ := strconv.Atoi(m[1])
		hi, _ := strconv.Atoi(m[2])
		if v, err := strconv.Atoi(string(raw)); err == nil && (v < lo || v > hi) {
			errs = append(errs, fmt.Sprintf("%s: %d is outside %d-%d", path, v, lo, hi))
		}
	}
	if m := atMostRE.FindStringSubmatch(d); m != nil {
		hi, _ := strconv.Atoi(m[1])
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) == nil && len(items) > hi {
			errs = append(errs, fmt.Sprintf("%s: %d items, at most %d", path, len(items), hi))
		}
	}
	if m := mustBeRE.FindStringSubmatch(d); m != nil && f.Name == "type" && isString && str != m[1] {
		errs = append(errs, fmt.Sprintf("%s: %q, must be %s", path, str, m[1]))
	}
	switch {
	case strings.Contains(d, "Can contain only lowercase English letters, digits and underscores") && isString && !lowerCmdRE.MatchString(str):
		errs = append(errs, fmt.Sprintf("%s: %q has characters other than a-z, 0-9 and _", path, str))
	case strings.Contains(d, "Only characters A-Z, a-z, 0-9, _ and - are allowed") && isString && !secretCharRE.MatchString(str):
		errs = append(errs, fmt.Sprintf("%s: %q has characters other than A-Z, a-z, 0-9, _ and -", path, str))
	case strings.Contains(d, "two-letter ISO 639-1 language code") && isString && !langCodeRE.MatchString(str):
		errs = append(errs, fmt.Sprintf("%s: %q is not a two-letter language code", path, str))
	case f.Name == "parse_mode" && isString && !slices.Contains([]string{"HTML", "MarkdownV2", "Markdown"}, str):
		errs = append(errs, fmt.Sprintf("%s: unknown parse mode %q", path, str))
	}
	return errs
}

func clip(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "…"
	}
	return string(raw)
}

// htmlTags are the tags Telegram's HTML parse mode knows.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "tg-emoji": true, "code": true, "pre": true, "blockquote": true,
}

var entityRE = regexp.MustCompile(`^&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});`)

// parseHTML parses text the way Telegram's HTML parse mode does and returns
// what the user sees. Like Telegram it refuses unknown tags, unbalanced
// tags, and a bare < or & that is not part of a tag or an entity.
func parseHTML(s string) (string, error) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			closing := strings.HasPrefix(tag, "/")
			name := strings.TrimPrefix(tag, "/")
			if sp := strings.IndexByte(name, ' '); sp >= 0 {
				if closing {
					return "", fmt.Errorf("attributes in an end tag at byte offset %d", i)
				}
				name = name[:sp]
			}
			if !htmlTags[name] {
				return "", fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
			}
			if closing {
				if len(open) == 0 || open[len(open)-1] != name {
					return "", fmt.Errorf("unmatched end tag at byte offset %d, expected \"</%s>\"", i, lastOr(open))
				}
				open = open[:len(open)-1]
			} else {
				open = append(open, name)
			}
			i += end + 1
		case '>':
			return "", fmt.Errorf("unexpected > at byte offset %d", i)
		case '&':
			m := entityRE.FindString(s[i:])
			if m == "" {
				return "", fmt.Errorf("bare & at byte offset %d", i)
			}
			switch m {
			case "&lt;":
				out.WriteByte('<')
			case "&gt;":
				out.WriteByte('>')
			case "&amp;":
				out.WriteByte('&')
			case "&quot;":
				out.WriteByte('"')
			default:
				num := strings.TrimSuffix(strings.TrimPrefix(m, "&#"), ";")
				base := 10
				if strings.HasPrefix(num, "x") {
					num, base = num[1:], 16
				}
				r, err := strconv.ParseInt(num, base, 32)
				if err != nil {
					return "", err
				}
				out.WriteRune(rune(r))
			}
			i += len(m)
		default:
			out.WriteByte(s[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag %q", open[len(open)-1])
	}
	return out.String(), nil
}

func lastOr(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func TestSpecIsTheSharedOne(t *testing.T) {
	abs, err := filepath.Abs(specPath)
	if err != nil {
		t.Fatal(err)
	}
	if dir := filepath.Dir(abs); filepath.Base(dir) != "specs" || filepath.Base(filepath.Dir(dir)) != "shared" {
		t.Fatalf("the spec resolves to %s, not to shared/specs", abs)
	}
	s := loadSpec(t)
	if !strings.HasPrefix(s.Version, "Bot API ") {
		t.Errorf("version = %q", s.Version)
	}
	for _, m := range []string{"getUpdates", "sendMessage", "answerCallbackQuery", "setMyCommands", "setWebhook", "deleteWebhook"} {
		if _, ok := s.Methods[m]; !ok {
			t.Errorf("the spec has no %s", m)
		}
	}
}

// TestSpecChecker shows that the checker refuses what Telegram refuses, so
// that a passing adapter test means requests Telegram would take.
func TestSpecChecker(t *testing.T) {
	s := loadSpec(t)
	long := strings.Repeat("a", 4097)
	tests := []struct {
		name, method, body string
		want               string // substring of a violation; "" for none
	}{
		{"valid", "sendMessage", `{"chat_id":1,"text":"<b>hi</b> &amp; bye","parse_mode":"HTML",
			"reply_markup":{"inline_keyboard":[[{"text":"List","callback_data":"list"}]]}}`, ""},
		{"chat id as a string", "sendMessage", `{"chat_id":"-100123","text":"hi"}`, ""},
		{"unknown method", "sendMessages", `{}`, "no such method"},
		{"missing chat", "sendMessage", `{"text":"hi"}`, "chat_id: required"},
		{"integer as string", "getUpdates", `{"offset":"5"}`, "offset"},
		{"unknown field", "sendMessage", `{"chat_id":1,"text":"hi","colour":"red"}`, "colour: unknown field"},
		{"text too long", "sendMessage", `{"chat_id":1,"text":"` + long + `"}`, "length 4097"},
		{"text long in HTML but short to see", "sendMessage", `{"chat_id":1,"parse_mode":"HTML","text":"` +
			strings.Repeat("<b>a</b>", 1000) + `"}`, ""},
		{"empty after parsing", "sendMessage", `{"chat_id":1,"parse_mode":"HTML","text":"<b> </b>"}`, "empty"},
		{"bare ampersand", "sendMessage", `{"chat_id":1,"parse_mode":"HTML","text":"a & b"}`, "bare &"},
		{"unknown tag", "sendMessage", `{"chat_id":1,"parse_mode":"HTML","text":"<p>a</p>"}`, "unsupported start tag"},
		{"unbalanced", "sendMessage", `{"chat_id":1,"parse_mode":"HTML","text":"<b><i>a</b></i>"}`, "unmatched end tag"},
		{"callback data too long", "sendMessage", `{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"` +
			strings.Repeat("d", 65) + `"}]]}}`, "65 bytes"},
		{"keyboard as a string", "sendMessage", `{"chat_id":1,"text":"x","reply_markup":"{\"inline_keyboard\":[]}"}`, "matches none"},
		// telebot's InlineButton always sends switch_inline_query_current_chat
		// and an unknown "unique" field.
		{"telebot inline button", "sendMessage", `{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[
			{"unique":"u","text":"a","callback_data":"d","switch_inline_query_current_chat":""}]]}}`, "exactly one"},
		{"limit out of range", "getUpdates", `{"limit":101}`, "outside 1-100"},
		{"bad command", "setMyCommands", `{"commands":[{"command":"List","description":"x"}]}`, "a-z"},
		{"bad language", "setMyCommands", `{"commands":[{"command":"list","description":"x"}],"language_code":"jpn"}`, "two-letter"},
		{"bad scope", "setMyCommands", `{"commands":[{"command":"list","description":"x"}],"scope":{"type":"everyone"}}`, "matches none"},
		{"good scope", "setMyCommands", `{"commands":[{"command":"list","description":"x"}],"scope":{"type":"all_group_chats"}}`, ""},
		{"bad secret", "setWebhook", `{"url":"https://x.example/","secret_token":"a b"}`, "characters other than"},
		{"callback answer too long", "answerCallbackQuery", `{"callback_query_id":"1","text":"` + strings.Repeat("x", 201) + `"}`, "outside 0-200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var params map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.body), &params); err != nil {
				t.Fatal(err)
			}
			errs := s.checkRequest(tt.method, params)
			if tt.want == "" {
				if len(errs) > 0 {
					t.Errorf("violations %q, want none", errs)
				}
				return
			}
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tt.want) }) {
				t.Errorf("violations %q, want one with %q", errs, tt.want)
			}
		})
	}
}
