// Package line connects the bot to LINE through the Messaging API: a
// webhook that verifies, deduplicates and answers events with free reply
// messages, pushes with retry keys for notifications, Flex Message cards with
// a stage progress bar and quick replies, and a reading of the month's push
// quota so notifications can be thinned out before it runs out.
package line
