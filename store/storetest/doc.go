// Package storetest is the conformance suite for store.Store. Every backend
// runs the same Run body against a fresh namespace, so the two backends agree
// on leases, schedule, outbox and dedupe semantics down to exact values.
package storetest
