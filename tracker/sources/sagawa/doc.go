// Package sagawa reads Sagawa Express's public tracking page
// (k2k.sagawa-exp.co.jp, お荷物問い合わせサービス), one number per request.
// The page is served as Windows-31J (Shift_JIS) and prints dates without a
// year, placed with the shipping date on the page or the query's Since.
// Parse is the pure half, shared with the bot's parse command.
package sagawa
