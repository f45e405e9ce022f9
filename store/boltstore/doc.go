// Package boltstore implements store.Store on an embedded bbolt file, for
// single-process use without any server. Every call is one bbolt transaction;
// the file is locked, so a second process fails at once with store.ErrLocked.
package boltstore
