package boltstore

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/todoku/todoku/store/storetest"
)

// TestForgetLeavesNothing walks every bucket, nested ones included, and
// every key and value after Forget.
func TestForgetLeavesNothing(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "todoku.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	storetest.ForgetLeavesNothing(t, s, func(t *testing.T) []string {
		var out []string
		var walk func(path string, b *bolt.Bucket) error
		walk = func(path string, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if v == nil {
					if nested := b.Bucket(k); nested != nil {
						out = append(out, path+"/"+string(k)+"/")
						return walk(path+"/"+string(k), nested)
					}
				}
				out = append(out, path+"/"+string(k)+" = "+string(v))
				return nil
			})
		}
		err := s.db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				out = append(out, string(name)+"/")
				return walk(string(name), b)
			})
		})
		if err != nil {
			t.Fatalf("walk: %v", err)
		}
		// The rate-limit slots live in memory.
		s.paceMu.Lock()
		for k := range s.pace {
			out = append(out, "pace/"+k)
		}
		s.paceMu.Unlock()
		return out
	})
}
