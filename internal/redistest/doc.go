// Package redistest starts real redis-server processes on loopback ports for
// tests: a standalone server that can be shut down, killed and restarted on
// the same port and data directory, and a small Redis Cluster. Every process
// is stopped when the test ends.
package redistest
