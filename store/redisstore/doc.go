// Package redisstore implements store.Store on Redis, so any number of bot
// replicas can share one schedule and one outbox. Every multi-key step is a
// Lua script, the outbox is a stream read through a consumer group, and all
// key names live in keys.go.
package redisstore
