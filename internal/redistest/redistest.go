package redistest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// startTimeout bounds how long a server may take to answer PING, loading
// its append-only file included.
const startTimeout = 10 * time.Second

// Binary returns the path of redis-server. Without one the test is skipped,
// or fails under CI=true, where every Redis test must run.
func Binary(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("redis-server")
	if err == nil {
		return path
	}
	const how = "redis-server is not installed (Debian: apt-get install redis-server; scripts/test installs it)"
	if os.Getenv("CI") == "true" {
		tb.Fatal(how)
	}
	tb.Skip(how)
	return ""
}

// Options configures Start.
type Options struct {
	// Dir is the data directory, kept across restarts; a fresh temporary
	// directory when empty.
	Dir string
	// Args are extra redis-server arguments appended to the defaults (no RDB
	// snapshots, no append-only file), e.g. "--appendonly", "yes".
	Args []string
}

// Server is a redis-server process on 127.0.0.1. Its methods fail the test
// on error and may be called from the test's goroutine only.
type Server struct {
	tb   testing.TB
	bin  string
	args []string // without the port
	port int
	dir  string

	mu   sync.Mutex
	proc *process // nil when stopped
}

// process is one run of redis-server.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// Start starts a redis-server on a free loopback port and stops it when the
// test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	bin := Binary(tb)
	dir := opts.Dir
	if dir == "" {
		dir = tb.TempDir()
	}
	args := []string{"--bind", "127.0.0.1", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log"),
		"--save", "", "--appendonly", "no", "--daemonize", "no"}
	s := &Server{tb: tb, bin: bin, args: append(args, opts.Args...), dir: dir}
	tb.Cleanup(s.stop)
	var err error
	for range 5 { // a port taken between the probe and the start: try another
		ports, perr := freePorts(1)
		if perr != nil {
			tb.Fatalf("redistest: %v", perr)
		}
		s.port = ports[0]
		if err = s.start(); err == nil {
			return s
		}
	}
	tb.Fatalf("redistest: %v", err)
	return nil
}

// Port returns the server's TCP port, the same across restarts.
func (s *Server) Port() int { return s.port }

// Addr returns "127.0.0.1:port".
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL returns "redis://127.0.0.1:port/0".
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Dir returns the data directory.
func (s *Server) Dir() string { return s.dir }

// Client returns a client of the server, closed when the test ends.
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	s.tb.Cleanup(func() { _ = c.Close() })
	return c
}

// Running reports whether the process is alive.
func (s *Server) Running() bool {
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	if p == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Shutdown stops the server with SHUTDOWN, which flushes and fsyncs the
// append-only file (and saves an RDB snapshot if one is configured), and
// waits for the process to exit.
func (s *Server) Shutdown() {
	s.tb.Helper()
	p := s.current()
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	_ = c.Shutdown(ctx).Err() // the connection closes under the reply
	select {
	case <-p.done:
	case <-ctx.Done():
		s.tb.Fatalf("redistest: redis-server on port %d did not exit after SHUTDOWN:\n%s", s.port, s.logTail())
	}
	s.clear(p)
}

// Kill stops the server with SIGKILL, as a crash would: writes not yet
// fsynced to the append-only file are lost.
func (s *Server) Kill() {
	s.tb.Helper()
	p := s.current()
	_ = p.cmd.Process.Kill()
	<-p.done
	s.clear(p)
}

// Restart starts the server again, stopped by Shutdown or Kill, on the same
// port and data directory, and waits until it has loaded its data.
func (s *Server) Restart() {
	s.tb.Helper()
	if s.Running() {
		s.tb.Fatalf("redistest: restart of redis-server on port %d while it runs", s.port)
	}
	if err := s.start(); err != nil {
		s.tb.Fatalf("redistest: %v", err)
	}
}

func (s *Server) current() *process {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		s.tb.Fatalf("redistest: redis-server on port %d is not running", s.port)
	}
	return s.proc
}

func (s *Server) clear(p *process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == p {
		s.proc = nil
	}
}

// start runs redis-server on s.port and waits until it answers PING.
func (s *Server) start() error {
	args := append([]string{"--port", strconv.Itoa(s.port)}, s.args...)
	cmd := exec.Command(s.bin, args...)
	var out bytes.Buffer // errors before the log file is open
	cmd.Stdout, cmd.Stderr = &out, &out
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("unable to start redis-server: %w", err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()

	deadline := time.Now().Add(startTimeout)
	for {
		err := ping(s.Addr())
		if err == nil {
			return nil
		}
		select {
		case <-p.done:
			s.clear(p)
			return fmt.Errorf("redis-server on port %d exited at start: %s\n%s", s.port, out.String(), s.logTail())
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-p.done
			s.clear(p)
			return fmt.Errorf("redis-server on port %d did not answer PING within %s: %v\n%s", s.port, startTimeout, err, s.logTail())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ping sends one PING on a fresh connection and wants +PONG; a server still
// loading its data answers -LOADING. It dials directly rather than through a
// client so that the many refused dials of a start are not logged.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// stop kills the process if it runs; it is the test's cleanup.
func (s *Server) stop() {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p != nil {
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// logTail returns the end of the server's log file.
func (s *Server) logTail() string {
	b, err := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	for len(ports) < n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("unable to find a free port: %w", err)
		}
		lns = append(lns, ln)
		addr, ok := ln.Addr().(*net.TCPAddr)
		if !ok {
			return nil, fmt.Errorf("unable to find a free port: listener address %v", ln.Addr())
		}
		ports = append(ports, addr.Port)
	}
	return ports, nil
}
