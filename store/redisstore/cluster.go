package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Redis Cluster
//
// Open's url names either a standalone server or a Redis Cluster:
//
//	redis://[user:password@]host:port/db        one server (rediss:// for TLS)
//	redis://host1:port?addr=host2:port&addr=... a cluster, seeded with every node given
//	redis://host1:port,redis://host2:port,...   the same, as a comma-separated list
//
// A single URL whose server reports cluster_enabled:1 is treated as a
// cluster seeded with that node. In a list, credentials, TLS and client
// options come from the first URL; the others give only host and port and
// must not disagree with it. A cluster has only database 0.
//
// On a cluster every Todoku key carries one hash tag, so all of them live in
// one hash slot and on one master: the default prefix is "{todoku}:", and a
// prefix without a hash tag is refused. This is not a choice of convenience.
// A commit writes the shipment's snapshot, reschedules it, releases its
// claim and appends to the outbox in one Lua script, and every script and
// MULTI must touch keys of a single slot; the schedule and the outbox are
// also global, read by every poller and dispatcher. A cluster therefore
// gives Todoku failover (a replica of that master takes over) and lets it
// share servers with other data, but it does not spread Todoku's own load
// across masters. Deployments that need more should run several Todoku
// installations with different prefixes (different hash tags), each in its
// own slot.

// Default key prefixes: on a cluster the prefix carries a hash tag.
const (
	defaultPrefix        = "todoku:"
	defaultClusterPrefix = "{todoku}:"
)

// dial makes a client for rawURL, a single URL, a cluster URL with addr
// parameters or a comma-separated list of node URLs, and reports whether it
// is a cluster client.
func dial(ctx context.Context, rawURL string) (redis.UniversalClient, bool, error) {
	fail := func(err error) (redis.UniversalClient, bool, error) {
		return nil, false, fmt.Errorf("redisstore: unable to parse url: %w", err)
	}
	clusterURL, isCluster, err := joinNodes(rawURL)
	if err != nil {
		return fail(err)
	}
	if isCluster {
		opts, err := clusterOptions(clusterURL)
		if err != nil {
			return fail(err)
		}
		return redis.NewClusterClient(opts), true, nil
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return fail(err)
	}
	rdb := redis.NewClient(opts)
	if !clusterEnabled(ctx, rdb) {
		return rdb, false, nil
	}
	_ = rdb.Close()
	copts, err := clusterOptions(rawURL)
	if err != nil {
		return fail(err)
	}
	return redis.NewClusterClient(copts), true, nil
}

// joinNodes turns a comma-separated list of node URLs into one cluster URL
// (the first URL with the others' host:port as addr parameters). It reports
// whether the url names a cluster: a list of two or more, or addr
// parameters.
func joinNodes(rawURL string) (string, bool, error) {
	parts := strings.Split(rawURL, ",")
	first, err := parseNode(parts[0])
	if err != nil {
		return "", false, err
	}
	q := first.Query()
	if len(parts) == 1 {
		return rawURL, q.Has("addr"), nil
	}
	for _, p := range parts[1:] {
		u, err := parseNode(p)
		if err != nil {
			return "", false, err
		}
		switch {
		case u.Host == "":
			return "", false, fmt.Errorf("a node URL has no host")
		case u.Scheme != first.Scheme:
			return "", false, fmt.Errorf("node %s has scheme %q, the first node %q", u.Host, u.Scheme, first.Scheme)
		case u.User != nil && u.User.String() != first.User.String():
			return "", false, fmt.Errorf("node %s has other credentials than the first node; give them once, on the first URL", u.Host)
		case u.RawQuery != "":
			return "", false, fmt.Errorf("node %s has options; give them once, on the first URL", u.Host)
		}
		if err := checkDB(u); err != nil {
			return "", false, err
		}
		q.Add("addr", u.Host)
	}
	first.RawQuery = q.Encode()
	return first.String(), true, nil
}

// parseNode parses one node URL. Its error leaves the URL out: it may
// carry a password.
func parseNode(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		return nil, fmt.Errorf("a node URL is not valid: %w", ue.Err)
	}
	return u, err
}

// clusterOptions parses a cluster URL, refusing a database other than 0
// (which ParseClusterURL would ignore).
func clusterOptions(rawURL string) (*redis.ClusterOptions, error) {
	u, err := parseNode(rawURL)
	if err != nil {
		return nil, err
	}
	if err := checkDB(u); err != nil {
		return nil, err
	}
	u.Path = ""
	return redis.ParseClusterURL(u.String())
}

func checkDB(u *url.URL) error {
	if db := strings.Trim(u.Path, "/"); db != "" && db != "0" {
		return fmt.Errorf("node %s: Redis Cluster has only database 0, not %q", u.Host, db)
	}
	return nil
}

// clusterEnabled reports whether the server of a standalone client is a
// cluster node. An error (an unreachable server, INFO disabled) counts as
// no: the schema check that follows reports any real problem.
func clusterEnabled(ctx context.Context, rdb *redis.Client) bool {
	info, err := rdb.Info(ctx, "cluster").Result()
	return err == nil && strings.Contains(info, "cluster_enabled:1")
}

// prefixFor returns the key prefix to use: the given one, or the default
// for the kind of server. On a cluster the prefix must carry a hash tag.
func prefixFor(prefix string, cluster bool) (string, error) {
	switch {
	case prefix == "" && cluster:
		return defaultClusterPrefix, nil
	case prefix == "":
		return defaultPrefix, nil
	case cluster && hashTag(prefix) == "":
		return "", fmt.Errorf("redisstore: unable to use key prefix %q on Redis Cluster: it needs a hash tag, "+
			"such as %q, so that every key is in one hash slot", prefix, "{"+strings.TrimSuffix(prefix, ":")+"}:")
	}
	return prefix, nil
}

// hashTag returns the hash tag a prefix gives every key that starts with it:
// by Redis's rule, the text between the first "{" and the next "}", when
// that text is not empty. It returns "" when the prefix has none.
func hashTag(prefix string) string {
	_, rest, ok := strings.Cut(prefix, "{")
	if !ok {
		return ""
	}
	tag, _, ok := strings.Cut(rest, "}")
	if !ok {
		return ""
	}
	return tag
}

// scan iterates over the keys matching match where the store's keys live:
// on a cluster, the master holding the prefix's hash slot (a SCAN sent
// through the cluster client would go to any node).
func (s *Store) scan(ctx context.Context, match string, count int64) *redis.ScanIterator {
	cc, ok := s.rdb.(*redis.ClusterClient)
	if !ok {
		return s.rdb.Scan(ctx, 0, match, count).Iterator()
	}
	node, err := cc.MasterForKey(ctx, s.keys.schema())
	if err != nil {
		return redis.NewScanCmdResult(nil, 0, fmt.Errorf("unable to find the node of %s: %w", s.keys.schema(), err)).Iterator()
	}
	return node.Scan(ctx, 0, match, count).Iterator()
}
