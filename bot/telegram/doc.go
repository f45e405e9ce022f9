// Package telegram connects the bot to Telegram through the Bot API. It
// receives updates by long polling or through a webhook, turns them into
// bot.Updates, renders the bot's messages as HTML with inline keyboards, and
// delivers pushes within Telegram's rate limits. Updates are decoded with
// telebot's types; calls to the API go through a small client of this
// package so that every request carries a context and no error can leak the
// bot token.
package telegram
