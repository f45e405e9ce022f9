// Package bot is the platform-neutral core of the chat bot: the Update that
// every chat surface produces, the Message model every surface renders, the
// Platform interface adapters implement, the Router that hands updates to the
// handlers, and the Dispatcher that delivers outbox notifications.
package bot
