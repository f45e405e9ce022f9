// Package jppage holds what the sources reading Japanese carriers' public
// tracking pages (Japan Post, Yamato, Sagawa) share: decoding a page served as
// UTF-8 or Shift_JIS and parsing it with golang.org/x/net/html, the few DOM
// queries their parsers need, text cleanup, dates printed without a year
// resolved in Japan time, and the status words common to all three carriers.
package jppage
