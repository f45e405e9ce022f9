// Package yamato reads Yamato Transport's public tracking form
// (toi.kuronekoyamato.co.jp, 荷物お問い合わせシステム), which answers up to
// ten numbers per request. Its dates have no year; the query's Since places
// them. Parse is the pure half, shared with the bot's parse command.
package yamato
