// Package japanpost reads Japan Post's public tracking page
// (trackings.post.japanpost.jp, 個別番号検索) for Yu-Pack, Yu-Packet and
// international mail arriving in Japan. The page answers one number per
// request with its whole history; Parse is the pure half, shared with the
// bot's parse command.
package japanpost
