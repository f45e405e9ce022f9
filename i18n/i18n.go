package i18n

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Supported languages, as stored in chat settings.
const (
	Japanese = "ja"
	English  = "en"
	Thai     = "th"
)

// langs lists the supported languages; the matcher falls back to the first.
var (
	langs   = []string{English, Japanese, Thai}
	tags    = []language.Tag{language.English, language.Japanese, language.Thai}
	matcher = language.NewMatcher(tags)
)

// Langs returns the supported languages in display order.
func Langs() []string { return []string{Japanese, English, Thai} }

// Supported reports whether lang is one of the supported language codes.
func Supported(lang string) bool { return slices.Contains(langs, lang) }

// Match returns the supported language that best fits hint, a BCP 47 tag
// ("ja-JP", "th") or an Accept-Language list ("th-TH,th;q=0.9,en;q=0.8").
// An empty or unsupported hint gives English.
func Match(hint string) string {
	hint = strings.TrimSpace(strings.ReplaceAll(hint, "_", "-"))
	if hint == "" {
		return English
	}
	wanted, _, err := language.ParseAcceptLanguage(hint)
	if err != nil || len(wanted) == 0 {
		return English
	}
	_, i, conf := matcher.Match(wanted...)
	if conf == language.No {
		return English
	}
	return langs[i]
}

// DefaultZone returns the IANA time zone to assume for a new chat in lang.
func DefaultZone(lang string) string {
	switch lang {
	case Japanese:
		return "Asia/Tokyo"
	case Thai:
		return "Asia/Bangkok"
	}
	return "UTC"
}

// Printer renders catalog messages and dates in one language. It is safe
// for concurrent use.
type Printer struct {
	lang string
	p    *message.Printer
}

// printers compiles the catalogs on first use, after every area file's
// init has registered its messages.
var printers = sync.OnceValue(func() map[string]*Printer {
	cat := build()
	m := make(map[string]*Printer, len(langs))
	for i, l := range langs {
		m[l] = &Printer{lang: l, p: message.NewPrinter(tags[i], message.Catalog(cat))}
	}
	return m
})

// For returns the printer for lang. A code that is not supported is matched
// as a language hint, so "ja-JP" gives Japanese and anything unknown English.
func For(lang string) *Printer {
	m := printers()
	if p, ok := m[lang]; ok {
		return p
	}
	return m[Match(lang)]
}

// Lang returns the printer's language code.
func (p *Printer) Lang() string { return p.lang }

// T formats the message stored under key with args, like fmt.Sprintf with the
// translated format string. A key missing from the catalog is formatted as
// is, so the omission is visible rather than silent.
func (p *Printer) T(key string, args ...any) string {
	return p.p.Sprintf(key, args...)
}

// Has reports whether key is in the catalog.
func Has(key string) bool {
	_, ok := catalogs[English][key]
	return ok
}

// Keys returns every catalog key, sorted.
func Keys() []string {
	keys := make([]string, 0, len(catalogs[English]))
	for k := range catalogs[English] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// text is one translated message: a format string, or, when forms is set,
// CLDR plural forms chosen by the integer in argument arg (1-based).
type text struct {
	msg   string
	arg   int
	forms []form
}

// form is one plural case: a CLDR selector ("one", "other", "=0") and its
// format string.
type form struct{ sel, msg string }

func s(msg string) text { return text{msg: msg} }

// plurals builds a plural message from selector, message pairs.
func plurals(arg int, pairs ...string) text {
	if len(pairs)%2 != 0 {
		panic("i18n: plural forms must come in selector, message pairs")
	}
	t := text{arg: arg}
	for i := 0; i < len(pairs); i += 2 {
		t.forms = append(t.forms, form{sel: pairs[i], msg: pairs[i+1]})
	}
	return t
}

// catalogs holds every message by language and key: the core messages of
// en.go, ja.go and th.go, and those of each feature area.
var catalogs = map[string]map[string]text{
	Japanese: ja,
	English:  en,
	Thai:     th,
}

// area adds a feature's messages (keys under one prefix, kept in a file of
// their own with all three languages) to the catalogs. Call it from an init
// function; a key defined twice is a programming error.
func area(msgs map[string]map[string]text) {
	for lang, m := range msgs {
		for k, t := range m {
			if _, dup := catalogs[lang][k]; dup {
				panic(fmt.Sprintf("i18n: %s message %q defined twice", lang, k))
			}
			catalogs[lang][k] = t
		}
	}
}

// build compiles the catalogs. A message that does not compile is a
// programming error caught by the tests, so it panics.
func build() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for i, l := range langs {
		for key, t := range catalogs[l] {
			var err error
			if t.forms == nil {
				err = b.SetString(tags[i], key, t.msg)
			} else {
				cases := make([]any, 0, 2*len(t.forms))
				for _, f := range t.forms {
					cases = append(cases, f.sel, f.msg)
				}
				err = b.Set(tags[i], key, plural.Selectf(t.arg, "%d", cases...))
			}
			if err != nil {
				panic(fmt.Sprintf("i18n: unable to add %s message %q: %v", l, key, err))
			}
		}
	}
	return b
}
