package i18n

// Formats returns the format strings stored for key in lang: one for a plain
// message, one per plural form otherwise, and ok false when lang lacks key.
func Formats(lang, key string) (formats []string, plural bool, ok bool) {
	t, ok := catalogs[lang][key]
	if !ok {
		return nil, false, false
	}
	if t.forms == nil {
		return []string{t.msg}, false, true
	}
	for _, f := range t.forms {
		formats = append(formats, f.msg)
	}
	return formats, true, true
}

// PluralSelectors returns the CLDR selectors of a plural message, in order.
func PluralSelectors(lang, key string) []string {
	var sels []string
	for _, f := range catalogs[lang][key].forms {
		sels = append(sels, f.sel)
	}
	return sels
}

// LangKeys returns the keys lang holds, unsorted.
func LangKeys(lang string) []string {
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	return keys
}
