package redistest_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/internal/redistest"
)

// TestServerRestart writes with the append-only file on, restarts the server
// gracefully and after a kill, and reads the data back on the same port.
func TestServerRestart(t *testing.T) {
	ctx := context.Background()
	s := redistest.Start(t, redistest.Options{Args: []string{"--appendonly", "yes", "--appendfsync", "always"}})
	c := s.Client()
	port := s.Port()
	if err := c.Set(ctx, "k", "v1", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	s.Shutdown()
	if s.Running() {
		t.Fatal("Running after Shutdown")
	}
	down := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1, DialerRetries: 1})
	defer down.Close()
	if err := down.Ping(ctx).Err(); err == nil {
		t.Fatal("PING answered while the server is down")
	}
	s.Restart()
	if got, err := c.Get(ctx, "k").Result(); err != nil || got != "v1" {
		t.Fatalf("GET after Shutdown and Restart = %q, %v; want v1", got, err)
	}
	if err := c.Set(ctx, "k", "v2", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	s.Kill() // appendfsync always: the write is on disk before the reply
	s.Restart()
	if got, err := c.Get(ctx, "k").Result(); err != nil || got != "v2" {
		t.Fatalf("GET after Kill and Restart = %q, %v; want v2", got, err)
	}
	if s.Port() != port {
		t.Fatalf("port changed from %d to %d", port, s.Port())
	}
}

// TestCluster starts a three-master cluster and checks that keys of every
// node are reachable through a cluster client.
func TestCluster(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	cl := redistest.StartCluster(t, 3)
	t.Logf("cluster of 3 masters ready in %s", time.Since(start).Round(time.Millisecond))
	c := cl.Client()
	owners := map[string]bool{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		if err := c.Set(ctx, k, k, 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", k, err)
		}
		m, err := c.MasterForKey(ctx, k)
		if err != nil {
			t.Fatalf("MasterForKey %s: %v", k, err)
		}
		owners[m.Options().Addr] = true
	}
	if len(owners) != 3 {
		t.Errorf("8 keys landed on %d masters, want all 3", len(owners))
	}
	n, err := c.DBSize(ctx).Result()
	if err != nil || n != 8 {
		t.Errorf("DBSIZE over the cluster = %d, %v; want 8", n, err)
	}
}
