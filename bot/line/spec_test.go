package line

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// specDir holds the platforms' published API descriptions, shared by the
// project and read in place.
const specDir = "../../../shared/specs"

// openAPI is a loaded OpenAPI 3 document and a checker of JSON values
// against its schemas: $ref, allOf, discriminator (mapping), type,
// required, properties (unknown properties are errors unless the schema
// allows additionalProperties), enum, minLength/maxLength, pattern,
// format uuid, minItems/maxItems. A null optional property counts as
// absent, as LINE's servers read it.
type openAPI struct {
	doc   map[string]any
	paths []pathOp
}

// pathOp is one path template and its operations by lower-case method.
type pathOp struct {
	template string
	re       *regexp.Regexp
	ops      map[string]map[string]any
}

var (
	specMu    sync.Mutex
	specCache = map[string]*openAPI{}
)

// loadSpec reads a spec from the shared folder once per test binary.
func loadSpec(t testing.TB, name string) *openAPI {
	t.Helper()
	specMu.Lock()
	defer specMu.Unlock()
	if s, ok := specCache[name]; ok {
		return s
	}
	path := filepath.Join(specDir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the LINE API description is missing (%v); it is read from %s", err, specDir)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	s := &openAPI{doc: doc}
	paths, _ := doc["paths"].(map[string]any)
	for tmpl, v := range paths {
		ops := map[string]map[string]any{}
		for m, op := range v.(map[string]any) {
			if o, ok := op.(map[string]any); ok && m != "parameters" {
				ops[m] = o
			}
		}
		expr := regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), `[^/]+`)
		s.paths = append(s.paths, pathOp{template: tmpl, re: regexp.MustCompile("^" + expr + "$"), ops: ops})
	}
	// Literal paths win over templates ("/v2/bot/message/quota" over
	// "/v2/bot/message/{messageId}/content").
	sort.Slice(s.paths, func(i, j int) bool {
		return strings.Count(s.paths[i].template, "{") < strings.Count(s.paths[j].template, "{")
	})
	specCache[name] = s
	return s
}

// operation finds the operation for method and path.
func (s *openAPI) operation(method, path string) (tmpl string, op map[string]any, ok bool) {
	for _, p := range s.paths {
		if p.re.MatchString(path) {
			op, ok := p.ops[strings.ToLower(method)]
			return p.template, op, ok
		}
	}
	return "", nil, false
}

// schema returns a component schema by name.
func (s *openAPI) schema(name string) map[string]any {
	return s.resolve(map[string]any{"$ref": "#/components/schemas/" + name})
}

// requestSchema returns the JSON body schema of an operation.
func requestSchema(op map[string]any) map[string]any {
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	for _, v := range content {
		sc, _ := v.(map[string]any)["schema"].(map[string]any)
		return sc
	}
	return nil
}

// resolve follows $ref chains.
func (s *openAPI) resolve(sc map[string]any) map[string]any {
	for i := 0; sc != nil && i < 32; i++ {
		ref, ok := sc["$ref"].(string)
		if !ok {
			return sc
		}
		var node any = s.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			node = node.(map[string]any)[part]
		}
		sc, _ = node.(map[string]any)
	}
	return sc
}

// checkJSON decodes body and checks it against sc, returning the problems.
func (s *openAPI) checkJSON(sc map[string]any, body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{"body is not JSON: " + err.Error()}
	}
	var errs []string
	s.value(sc, v, "$", &errs)
	return errs
}

// value checks v against sc, dispatching on a discriminator first.
func (s *openAPI) value(sc map[string]any, v any, at string, errs *[]string) {
	sc = s.resolve(sc)
	if sc == nil {
		return
	}
	if d, ok := sc["discriminator"].(map[string]any); ok {
		if obj, ok := v.(map[string]any); ok {
			prop, _ := d["propertyName"].(string)
			kind, _ := obj[prop].(string)
			mapping, _ := d["mapping"].(map[string]any)
			ref, known := mapping[kind].(string)
			if !known {
				*errs = append(*errs, fmt.Sprintf("%s.%s: %q is not one of the documented kinds", at, prop, kind))
				return
			}
			sc = s.resolve(map[string]any{"$ref": ref})
		}
	}
	s.constraints(sc, v, at, errs)
	if obj, ok := v.(map[string]any); ok && !s.open(sc) {
		allowed := map[string]bool{}
		s.props(sc, allowed)
		if len(allowed) > 0 {
			for k := range obj {
				if !allowed[k] {
					*errs = append(*errs, fmt.Sprintf("%s: property %q is not in the API description", at, k))
				}
			}
		}
	}
}

// constraints checks sc's own rules and those of its allOf members,
// without dispatching on their discriminators.
func (s *openAPI) constraints(sc map[string]any, v any, at string, errs *[]string) {
	sc = s.resolve(sc)
	if sc == nil {
		return
	}
	for _, sub := range items(sc["allOf"]) {
		s.constraints(sub.(map[string]any), v, at, errs)
	}
	bad := func(format string, args ...any) {
		*errs = append(*errs, at+": "+fmt.Sprintf(format, args...))
	}
	typ, _ := sc["type"].(string)
	if typ == "" && sc["properties"] != nil {
		typ = "object"
	}
	switch typ {
	case "object":
		if _, ok := v.(map[string]any); !ok {
			bad("want an object, got %s", kindOf(v))
			return
		}
	case "array":
		if _, ok := v.([]any); !ok {
			bad("want an array, got %s", kindOf(v))
			return
		}
	case "string":
		if _, ok := v.(string); !ok {
			bad("want a string, got %s", kindOf(v))
			return
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %s", kindOf(v))
			return
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			bad("want an integer, got %s", kindOf(v))
			return
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			bad("want a number, got %s", kindOf(v))
			return
		}
	}
	if enum := items(sc["enum"]); enum != nil {
		if !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
			bad("%v is not one of %v", v, enum)
		}
	}
	if str, ok := v.(string); ok {
		n := utf8.RuneCountInString(str)
		if max, ok := intOf(sc["maxLength"]); ok && n > max {
			bad("%d characters, at most %d allowed", n, max)
		}
		if min, ok := intOf(sc["minLength"]); ok && n < min {
			bad("%d characters, at least %d needed", n, min)
		}
		if p, ok := sc["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			bad("%q does not match %s", str, p)
		}
		if sc["format"] == "uuid" && !uuidRE.MatchString(str) {
			bad("%q is not a UUID", str)
		}
	}
	if arr, ok := v.([]any); ok {
		if max, ok := intOf(sc["maxItems"]); ok && len(arr) > max {
			bad("%d items, at most %d allowed", len(arr), max)
		}
		if min, ok := intOf(sc["minItems"]); ok && len(arr) < min {
			bad("%d items, at least %d needed", len(arr), min)
		}
		if items, ok := sc["items"].(map[string]any); ok {
			for i, e := range arr {
				s.value(items, e, fmt.Sprintf("%s[%d]", at, i), errs)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		for _, r := range items(sc["required"]) {
			if val, present := obj[r.(string)]; !present || val == nil {
				bad("required property %q is missing", r)
			}
		}
		props, _ := sc["properties"].(map[string]any)
		for k, ps := range props {
			if val, ok := obj[k]; ok && val != nil {
				s.value(ps.(map[string]any), val, at+"."+k, errs)
			}
		}
		if ap, ok := sc["additionalProperties"].(map[string]any); ok {
			for k, val := range obj {
				if _, declared := props[k]; !declared {
					s.value(ap, val, at+"."+k, errs)
				}
			}
		}
	}
}

// props collects the properties sc and its allOf members declare.
func (s *openAPI) props(sc map[string]any, into map[string]bool) {
	sc = s.resolve(sc)
	if sc == nil {
		return
	}
	for k := range mapOf(sc["properties"]) {
		into[k] = true
	}
	for _, sub := range items(sc["allOf"]) {
		s.props(sub.(map[string]any), into)
	}
}

// open reports whether sc or an allOf member allows undeclared properties.
func (s *openAPI) open(sc map[string]any) bool {
	sc = s.resolve(sc)
	if sc == nil {
		return true
	}
	if _, ok := sc["additionalProperties"]; ok {
		return true
	}
	for _, sub := range items(sc["allOf"]) {
		if s.open(sub.(map[string]any)) {
			return true
		}
	}
	return false
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func items(v any) []any {
	l, _ := v.([]any)
	return l
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func intOf(v any) (int, bool) {
	n, ok := v.(int)
	return n, ok
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// TestSpecChecker makes sure the checker itself catches what it should,
// so that a quiet fake means valid requests.
func TestSpecChecker(t *testing.T) {
	s := loadSpec(t, "line-messaging-api.yml")
	if abs, _ := filepath.Abs(specDir); !strings.HasSuffix(filepath.ToSlash(abs), "shared/specs") {
		t.Errorf("spec folder resolves to %s", abs)
	}
	for _, tc := range []struct{ method, path, want string }{
		{"POST", "/v2/bot/message/reply", "/v2/bot/message/reply"},
		{"POST", "/v2/bot/message/push", "/v2/bot/message/push"},
		{"GET", "/v2/bot/message/quota", "/v2/bot/message/quota"},
		{"GET", "/v2/bot/message/quota/consumption", "/v2/bot/message/quota/consumption"},
		{"GET", "/v2/bot/profile/U4af4980629", "/v2/bot/profile/{userId}"},
	} {
		tmpl, _, ok := s.operation(tc.method, tc.path)
		if !ok || tmpl != tc.want {
			t.Errorf("operation(%s %s) = %q, %v; want %q", tc.method, tc.path, tmpl, ok, tc.want)
		}
	}
	if _, _, ok := s.operation("DELETE", "/v2/bot/message/push"); ok {
		t.Error("DELETE push is found")
	}
	if _, _, ok := s.operation("POST", "/v2/bot/message/pushh"); ok {
		t.Error("a misspelt path is found")
	}
	push := s.schema("PushMessageRequest")
	text := func(s string) string { return `{"type":"text","text":` + strconvQuote(s) + `}` }
	for _, tc := range []struct {
		name, body string
		want       string // a fragment of the first problem, "" for none
	}{
		{"ok", `{"to":"U1","messages":[` + text("hi") + `]}`, ""},
		{"null optional", `{"to":"U1","messages":[` + text("hi") + `],"customAggregationUnits":null}`, ""},
		{"no to", `{"messages":[` + text("hi") + `]}`, `"to" is missing`},
		{"no messages", `{"to":"U1","messages":[]}`, "at least 1"},
		{"six messages", `{"to":"U1","messages":[` + strings.Repeat(text("a")+",", 5) + text("a") + `]}`, "at most 5"},
		{"unknown type", `{"to":"U1","messages":[{"type":"txt","text":"a"}]}`, "not one of the documented kinds"},
		{"no text", `{"to":"U1","messages":[{"type":"text"}]}`, `"text" is missing`},
		{"unknown field", `{"to":"U1","messages":[{"type":"text","text":"a","colour":"red"}]}`, `"colour" is not in`},
		{"bad enum", `{"to":"U1","messages":[{"type":"flex","altText":"a","contents":{"type":"bubble","size":"huge"}}]}`, "is not one of"},
		{"flex box without layout", `{"to":"U1","messages":[{"type":"flex","altText":"a","contents":{"type":"bubble","body":{"type":"box","contents":[]}}}]}`, `"layout" is missing`},
		{"long postback data", `{"to":"U1","messages":[{"type":"text","text":"a","quickReply":{"items":[{"type":"action","action":{"type":"postback","label":"x","data":"` + strings.Repeat("d", 301) + `"}}]}}]}`, "at most 300"},
		{"14 quick replies", `{"to":"U1","messages":[{"type":"text","text":"a","quickReply":{"items":[` + strings.TrimSuffix(strings.Repeat(`{"type":"action","action":{"type":"postback","label":"x","data":"d"}},`, 14), ",") + `]}}]}`, "at most 13"},
		{"wrong type", `{"to":1,"messages":[` + text("a") + `]}`, "want a string"},
	} {
		errs := s.checkJSON(push, []byte(tc.body))
		switch {
		case tc.want == "" && len(errs) > 0:
			t.Errorf("%s: unexpected problems %q", tc.name, errs)
		case tc.want != "" && !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tc.want) }):
			t.Errorf("%s: problems %q, want one with %q", tc.name, errs, tc.want)
		}
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
