// Package seventeentrack is the 17TRACK API v2.2 source, the universal
// fallback used when an API key is configured. Numbers are registered with
// 17TRACK once, then read with gettrackinfo; 17TRACK can also push changes to
// the webhook handler. Parse turns a gettrackinfo answer or a webhook body
// into results, and Stage maps 17TRACK's statuses onto Todoku's stages.
package seventeentrack
