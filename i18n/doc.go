// Package i18n holds Todoku's message catalogs in Japanese, English and Thai,
// picks the best of those languages for a user's hint, and renders dates in a
// chat's time zone and language. Messages are looked up by stable keys
// grouped by area ("stage.delivered.name", "track.subscribed", ...) and are
// formatted with golang.org/x/text/message, plurals included.
package i18n
