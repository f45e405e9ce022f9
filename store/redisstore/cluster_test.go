package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/internal/redistest"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/storetest"
	"github.com/todoku/todoku/tracker"
)

// TestCluster runs against one three-master Redis Cluster: the whole store
// contract, every form of url, SCAN and the prefix rule.
func TestCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	t.Run("Conformance", func(t *testing.T) { testClusterConformance(t, cl) })
	t.Run("URLs", func(t *testing.T) { testClusterURLs(t, cl) })
	t.Run("Scan", func(t *testing.T) { testClusterScan(t, cl) })
	t.Run("Prefix", func(t *testing.T) { testClusterPrefix(t, cl) })
}

// testClusterConformance runs the store contract. Each test gets its own
// hash tag, so the tests land on every master in turn.
func testClusterConformance(t *testing.T, cl *redistest.Cluster) {
	url := cl.URL()
	storetest.Run(t, func(t *testing.T) func() store.Store {
		prefix := "{todoku-test-" + randomHex(t) + "}:"
		t.Cleanup(func() { deleteKeys(t, cl.Client(), prefix) })
		return func() store.Store {
			s, err := Open(context.Background(), url, WithPrefix(prefix))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		}
	})
}

// testClusterURLs opens the store through every form of url and checks the
// kind of client, the default prefix, and that a full cycle writes its keys
// in one hash slot on one master.
func testClusterURLs(t *testing.T, cl *redistest.Cluster) {
	standalone := redistest.Start(t, redistest.Options{})
	addrs := cl.Addrs()
	tests := []struct {
		name       string
		url        string
		cluster    bool
		wantPrefix string
	}{
		{"cluster url", cl.URL(), true, defaultClusterPrefix},
		{"list of nodes", "redis://" + addrs[0] + "/0, redis://" + addrs[1] + ",redis://" + addrs[2], true, defaultClusterPrefix},
		{"one cluster node", "redis://" + addrs[1] + "/0", true, defaultClusterPrefix},
		{"standalone", standalone.URL(), false, defaultPrefix},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := Open(ctx, tt.url)
			if err != nil {
				t.Fatalf("Open(%s): %v", tt.url, err)
			}
			t.Cleanup(func() { _ = s.Close() })
			if _, isCluster := s.rdb.(*redis.ClusterClient); isCluster != tt.cluster {
				t.Fatalf("client is %T; cluster client wanted: %v", s.rdb, tt.cluster)
			}
			if s.keys.prefix != tt.wantPrefix {
				t.Errorf("default prefix = %q, want %q", s.keys.prefix, tt.wantPrefix)
			}
			cycle(t, s)
			if !tt.cluster {
				return
			}
			c := cl.Client()
			t.Cleanup(func() { deleteKeys(t, c, tt.wantPrefix) })
			perMaster := keysPerMaster(t, c, tt.wantPrefix)
			if len(perMaster) != 1 {
				t.Fatalf("keys on %d masters, want 1: %v", len(perMaster), perMaster)
			}
			var keys []string
			for _, ks := range perMaster {
				keys = ks
			}
			if len(keys) < 8 {
				t.Fatalf("a full cycle wrote %d keys %v; want at least 8", len(keys), keys)
			}
			slot := map[int64]bool{}
			for _, k := range keys {
				n, err := c.ClusterKeySlot(ctx, k).Result()
				if err != nil {
					t.Fatalf("CLUSTER KEYSLOT %s: %v", k, err)
				}
				slot[n] = true
			}
			if len(slot) != 1 {
				t.Errorf("keys %v are in %d slots, want 1", keys, len(slot))
			}
		})
	}
}

// testClusterScan checks that the store's SCAN runs on the master of its
// slot: sent through the cluster client it would reach a random node.
func testClusterScan(t *testing.T, cl *redistest.Cluster) {
	ctx := context.Background()
	prefix := "{scan-" + randomHex(t) + "}:"
	s, err := Open(ctx, cl.URL(), WithPrefix(prefix))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	t.Cleanup(func() { deleteKeys(t, cl.Client(), prefix) })
	want := []string{s.keys.pace("a"), s.keys.pace("b"), s.keys.pace("c")}
	for _, k := range want {
		if err := s.rdb.Set(ctx, k, "1", 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", k, err)
		}
	}
	for i := range 6 {
		var got []string
		iter := s.scan(ctx, s.keys.pace("*"), 100)
		for iter.Next(ctx) {
			got = append(got, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Fatalf("scan %d: %v", i, err)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("scan %d found %v, want %v", i, got, want)
		}
	}
}

// testClusterPrefix checks that a prefix without a hash tag is refused.
func testClusterPrefix(t *testing.T, cl *redistest.Cluster) {
	ctx := context.Background()
	for _, prefix := range []string{"todoku:", "{}todoku:", "todoku{:"} {
		s, err := Open(ctx, cl.URL(), WithPrefix(prefix))
		if err == nil {
			_ = s.Close()
			t.Errorf("Open with prefix %q on a cluster succeeded, want an error", prefix)
			continue
		}
		if !strings.HasPrefix(err.Error(), "redisstore: ") || !strings.Contains(err.Error(), "hash tag") {
			t.Errorf("Open with prefix %q: error %q does not explain the hash tag", prefix, err)
		}
	}
	prefix := "app{t-" + randomHex(t) + "}:"
	s, err := Open(ctx, cl.URL(), WithPrefix(prefix))
	if err != nil {
		t.Fatalf("Open with prefix %q: %v", prefix, err)
	}
	t.Cleanup(func() { deleteKeys(t, cl.Client(), prefix) })
	_ = s.Close()
}

func TestHashTag(t *testing.T) {
	tests := []struct{ prefix, want string }{
		{"todoku:", ""},
		{"{todoku}:", "todoku"},
		{"app{t1}:", "t1"},
		{"{}x{y}:", ""}, // Redis hashes the whole key when the first {} is empty
		{"{a}{b}:", "a"},
		{"x{:", ""},
		{"x}{y}:", "y"},
	}
	for _, tt := range tests {
		if got := hashTag(tt.prefix); got != tt.want {
			t.Errorf("hashTag(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

func TestJoinNodes(t *testing.T) {
	tests := []struct {
		name, url string
		want      string // "" when an error is wanted
		cluster   bool
	}{
		{"one url", "redis://h1:6379/0", "redis://h1:6379/0", false},
		{"cluster url", "redis://h1:1?addr=h2:2", "redis://h1:1?addr=h2:2", true},
		{"list", "redis://u:p@h1:1/0?dial_timeout=3,redis://h2:2, redis://u:p@h3:3/0",
			"redis://u:p@h1:1/0?addr=h2%3A2&addr=h3%3A3&dial_timeout=3", true},
		{"list with tls", "rediss://h1:1,rediss://h2:2", "rediss://h1:1?addr=h2%3A2", true},
		{"mixed schemes", "rediss://h1:1,redis://h2:2", "", false},
		{"other password", "redis://u:p@h1:1,redis://u:q@h2:2", "", false},
		{"options on a later node", "redis://h1:1,redis://h2:2?dial_timeout=3", "", false},
		{"database other than 0", "redis://h1:1,redis://h2:2/3", "", false},
		{"empty node", "redis://h1:1,", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cluster, err := joinNodes(tt.url)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("joinNodes(%q) = %q, want an error", tt.url, got)
				}
				if strings.Contains(err.Error(), ":p@") || strings.Contains(err.Error(), ":q@") {
					t.Errorf("error %q shows a password", err)
				}
				return
			}
			if err != nil || got != tt.want || cluster != tt.cluster {
				t.Fatalf("joinNodes(%q) = %q, %v, %v; want %q, %v", tt.url, got, cluster, err, tt.want, tt.cluster)
			}
		})
	}
	if _, err := clusterOptions("redis://h1:1/2?addr=h2:2"); err == nil {
		t.Error("a cluster url with database 2 was accepted")
	}
}

// cycle runs subscribe, claim, commit with a stage change, the outbox and
// a delivered record, touching most kinds of key.
func cycle(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, time.November, 25, 5, 0, 0, 0, time.UTC)
	chat := store.ChatKey{Platform: "telegram", ID: "42"}
	if err := s.SaveChat(ctx, store.Chat{Key: chat, Lang: "ja"}); err != nil {
		t.Fatalf("SaveChat: %v", err)
	}
	sub := store.Subscription{Chat: chat, Number: "LP1", CreatedAt: now}
	if _, _, _, err := s.Subscribe(ctx, sub, tracker.Shipment{Number: "LP1", Stage: tracker.StageNotFound}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	claims, err := s.ClaimDue(ctx, now, 10, time.Minute)
	if err != nil || len(claims) != 1 {
		t.Fatalf("ClaimDue = %v, %v; want one claim", claims, err)
	}
	snap := tracker.Shipment{Number: "LP1", Stage: tracker.StageDelivered}
	if err := s.Commit(ctx, claims[0], snap, tracker.Change{From: tracker.StageNotFound, To: tracker.StageDelivered}, time.Time{}, now); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := s.RecordDelivered(ctx, snap); err != nil { // MULTI
		t.Fatalf("RecordDelivered: %v", err)
	}
	ns, err := s.ClaimOutbox(ctx, "d1", 10, time.Minute) // XAUTOCLAIM, XREADGROUP
	if err != nil || len(ns) != 1 {
		t.Fatalf("ClaimOutbox = %v, %v; want one", ns, err)
	}
	st, err := s.Stats(ctx, now.Add(time.Minute)) // pipeline
	if err != nil || st.Outbox != 1 {
		t.Fatalf("Stats = %+v, %v; want one outbox entry", st, err)
	}
	if err := s.Ack(ctx, ns[0], true); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	if err := s.SetReminder(ctx, "r", chat, "LP1", now.Add(time.Hour)); err != nil {
		t.Fatalf("SetReminder: %v", err)
	}
	if _, err := s.Pace(ctx, "telegram:chat:42", time.Second, now); err != nil {
		t.Fatalf("Pace: %v", err)
	}
	if _, err := s.FirstSeen(ctx, "evt", time.Hour); err != nil {
		t.Fatalf("FirstSeen: %v", err)
	}
	if err := s.Link(ctx, "ALIAS", "LP1"); err != nil {
		t.Fatalf("Link: %v", err)
	}
}

// keysPerMaster lists the keys under prefix on each master that holds any.
func keysPerMaster(t *testing.T, c *redis.ClusterClient, prefix string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	out := map[string][]string{}
	err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		keys, err := m.Keys(ctx, globPrefix(prefix)+"*").Result()
		if err != nil || len(keys) == 0 {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		out[m.Options().Addr] = keys
		return nil
	})
	if err != nil {
		t.Fatalf("KEYS on every master: %v", err)
	}
	return out
}

// deleteKeys deletes the keys under prefix on every master.
func deleteKeys(t *testing.T, c *redis.ClusterClient, prefix string) {
	for addr, keys := range keysPerMaster(t, c, prefix) {
		for _, k := range keys {
			if err := c.Del(context.Background(), k).Err(); err != nil {
				t.Errorf("DEL %s on %s: %v", k, addr, err)
			}
		}
	}
}

// globPrefix quotes the braces' neighbours that KEYS patterns treat as
// syntax; hash tags use only { and }, which are literal.
func globPrefix(prefix string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`, `\`, `\\`)
	return r.Replace(prefix)
}

func randomHex(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}
