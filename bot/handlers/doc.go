// Package handlers holds the bot's conversation features, one file each:
// following pasted numbers, listing, stopping, help and language. They are
// platform-neutral: they read a bot.Context and answer bot.Messages.
package handlers
