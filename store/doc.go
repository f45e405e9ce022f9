// Package store is Todoku's persistence contract: chats, subscriptions,
// shipment snapshots, the leased poll schedule, the outbox of notifications
// and webhook dedupe. Two backends implement it — redisstore (Redis, shared
// by any number of replicas) and boltstore (an embedded file, for zero-setup
// use) — and storetest holds the one conformance suite both must pass.
package store
