package redistest

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterTimeout bounds how long a new cluster may take to agree on its
// slots; it is ready in about two seconds (a master waits 2 s after start
// before it accepts writes).
const clusterTimeout = 20 * time.Second

// slots is the number of hash slots of a Redis Cluster.
const slots = 16384

// Cluster is a Redis Cluster of masters without replicas, each a
// redis-server on loopback ports.
type Cluster struct {
	Nodes []*Server
}

// StartCluster starts masters cluster nodes (at least one), splits the hash
// slots evenly between them, joins them, and waits until every node reports
// cluster_state:ok and knows every slot's owner. It needs Redis 7.0 or later
// (cluster-port, CLUSTER ADDSLOTSRANGE). The nodes stop when the test ends.
func StartCluster(tb testing.TB, masters int) *Cluster {
	tb.Helper()
	if masters < 1 {
		tb.Fatalf("redistest: a cluster of %d masters", masters)
	}
	c := &Cluster{}
	for range masters {
		// The cluster bus listens on its own free port.
		bus, err := freePorts(1)
		if err != nil {
			tb.Fatalf("redistest: %v", err)
		}
		c.Nodes = append(c.Nodes, Start(tb, Options{Args: []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf", // in the node's own directory
			"--cluster-port", strconv.Itoa(bus[0]),
			"--cluster-node-timeout", "5000",
		}}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	first := c.Nodes[0].Client()
	for i, n := range c.Nodes {
		lo, hi := i*slots/masters, (i+1)*slots/masters-1
		if err := n.Client().ClusterAddSlotsRange(ctx, lo, hi).Err(); err != nil {
			tb.Fatalf("redistest: CLUSTER ADDSLOTSRANGE %d %d on port %d: %v", lo, hi, n.Port(), err)
		}
		if i == 0 {
			continue
		}
		busPort, err := n.Client().ConfigGet(ctx, "cluster-port").Result()
		if err != nil {
			tb.Fatalf("redistest: CONFIG GET cluster-port on port %d: %v", n.Port(), err)
		}
		err = first.Do(ctx, "CLUSTER", "MEET", "127.0.0.1", n.Port(), busPort["cluster-port"]).Err()
		if err != nil {
			tb.Fatalf("redistest: CLUSTER MEET port %d: %v", n.Port(), err)
		}
	}
	if err := c.waitReady(ctx); err != nil {
		tb.Fatalf("redistest: cluster of %d masters not ready: %v", masters, err)
	}
	return c
}

// waitReady polls every node until each says cluster_state:ok, knows every
// node and maps every slot.
func (c *Cluster) waitReady(ctx context.Context) error {
	var last error
	for {
		if last = c.ready(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return last
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *Cluster) ready(ctx context.Context) error {
	for _, n := range c.Nodes {
		cl := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1})
		info, err := cl.ClusterInfo(ctx).Result()
		if err != nil {
			_ = cl.Close()
			return fmt.Errorf("CLUSTER INFO on port %d: %w", n.Port(), err)
		}
		ranges, err := cl.ClusterSlots(ctx).Result()
		_ = cl.Close()
		if err != nil {
			return fmt.Errorf("CLUSTER SLOTS on port %d: %w", n.Port(), err)
		}
		want := []string{"cluster_state:ok", "cluster_slots_assigned:" + strconv.Itoa(slots),
			"cluster_known_nodes:" + strconv.Itoa(len(c.Nodes))}
		for _, w := range want {
			if !strings.Contains(info, w+"\r\n") {
				return fmt.Errorf("port %d: no %q in CLUSTER INFO", n.Port(), w)
			}
		}
		if len(ranges) != len(c.Nodes) {
			return fmt.Errorf("port %d: CLUSTER SLOTS has %d ranges, want %d", n.Port(), len(ranges), len(c.Nodes))
		}
	}
	return nil
}

// Addrs returns "127.0.0.1:port" of every node.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr()
	}
	return out
}

// URL returns the cluster URL go-redis parses: the first node as the host
// and the others as addr parameters, "redis://a:1?addr=b:2&addr=c:3".
func (c *Cluster) URL() string {
	q := url.Values{}
	for _, a := range c.Addrs()[1:] {
		q.Add("addr", a)
	}
	u := url.URL{Scheme: "redis", Host: c.Nodes[0].Addr(), RawQuery: q.Encode()}
	return u.String()
}

// Client returns a cluster client of all nodes, closed when the test ends.
func (c *Cluster) Client() *redis.ClusterClient {
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	c.Nodes[0].tb.Cleanup(func() { _ = cl.Close() })
	return cl
}
