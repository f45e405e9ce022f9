// Package metrics keeps the bot's Prometheus metrics: checks by source and
// result, source errors, sends by platform and result, the platforms' quota,
// and the store's due backlog and outbox, read from the store at scrape
// time. The poller and the dispatcher report through the small hooks their
// configs take; nothing here sits in their logic.
package metrics
