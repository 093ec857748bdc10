package telemetry

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"dpk/eal"
)

// SocketName is the file name of the socket in the runtime directory
// (dpdk_telemetry.v2). When a live process serves that path already, the
// socket is SocketName + ":1", ":2", ..., as in DPDK; dpdk-telemetry.py
// reaches those with -i 1, -i 2, ...
const SocketName = "dpdk_telemetry.v2"

const logType = "lib.telemetry"

// maxSuffix is the last ":N" suffix tried, where DPDK's short counter wraps.
const maxSuffix = 32767

// stopWait bounds how long Cleanup waits for a handler that does not return.
const stopWait = 5 * time.Second

// server is the socket of one EAL lifetime.
type server struct {
	ln   *net.UnixListener
	path string
	dir  string // runtime directory created for the socket, removed at stop
	done chan struct{}
	wg   sync.WaitGroup // the accept goroutine and every connection's

	mu     sync.Mutex
	closed bool
	conns  map[*net.UnixConn]struct{}
}

var (
	srvMu sync.Mutex
	srv   *server
)

func init() {
	eal.RegisterHook(eal.Hook{Name: "telemetry", Init: start, Cleanup: stop})
}

// SocketPath returns the path of the socket being served, or "" when there
// is none (before eal.Init, after eal.Cleanup, with --no-telemetry, in a
// secondary process).
func SocketPath() string {
	srvMu.Lock()
	defer srvMu.Unlock()
	if srv == nil {
		return ""
	}
	return srv.path
}

// start opens the socket, from eal.Init. As in DPDK, a socket that cannot
// be opened fails Init (unless --no-telemetry is given).
func start() error {
	cfg := eal.Conf()
	if cfg == nil {
		return nil
	}
	if cfg.NoTelemetry {
		eal.Logf(eal.LogDebug, logType, "disabled by --no-telemetry")
		return nil
	}
	if !eal.IsPrimary() {
		eal.Logf(eal.LogDebug, logType, "secondary process: the primary serves telemetry")
		return nil
	}
	srvMu.Lock()
	defer srvMu.Unlock()
	if srv != nil {
		return nil
	}
	dir := eal.RunDir()
	created := ""
	if dir == "" {
		// --in-memory or --no-shconf: the EAL writes no runtime files, but
		// DPDK still creates the runtime directory for this socket.
		dir = eal.RuntimeDir(eal.FilePrefix())
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				eal.Logf(eal.LogWarning, logType, "no telemetry socket: %v", err)
				return nil
			}
			created = dir
		}
	}
	ln, path, err := listen(dir)
	if err != nil {
		if created != "" {
			os.Remove(created)
		}
		return fmt.Errorf("socket in %s: %w (--no-telemetry runs without it)", dir, err)
	}
	s := &server{ln: ln, path: path, dir: created, done: make(chan struct{}), conns: map[*net.UnixConn]struct{}{}}
	s.wg.Add(1)
	go s.acceptLoop()
	srv = s
	eal.Logf(eal.LogDebug, logType, "socket %s ready", path)
	return nil
}

// stop closes the socket, every connection and removes the socket file,
// from eal.Cleanup. It does nothing when start did not open a socket.
func stop() {
	srvMu.Lock()
	s := srv
	srv = nil
	srvMu.Unlock()
	if s == nil {
		return
	}
	s.mu.Lock()
	s.closed = true
	close(s.done)
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	waited := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(waited)
	}()
	select {
	case <-waited:
	case <-time.After(stopWait):
		eal.Logf(eal.LogErr, logType, "a command handler did not return within %v; leaving it behind", stopWait)
	}
	if err := os.Remove(s.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		eal.Logf(eal.LogWarning, logType, "remove %s: %v", s.path, err)
	}
	if s.dir != "" {
		os.Remove(s.dir) // only if empty
	}
}

var errInUse = errors.New("socket in use by a live process")

// listen binds SocketName in dir, or the first free ":N" variant of it.
func listen(dir string) (*net.UnixListener, string, error) {
	base := filepath.Join(dir, SocketName)
	path := base
	for suffix := 1; ; suffix++ {
		ln, err := listenAt(path)
		if err == nil {
			return ln, path, nil
		}
		if !errors.Is(err, errInUse) || suffix > maxSuffix {
			return nil, "", err
		}
		path = fmt.Sprintf("%s:%d", base, suffix)
	}
}

// listenAt binds a SOCK_SEQPACKET socket at path. A socket file left there
// by a process that is gone is removed; one that a live process answers on
// is errInUse (DPDK's create_socket).
func listenAt(path string) (*net.UnixListener, error) {
	addr := &net.UnixAddr{Name: path, Net: "unixpacket"}
	ln, err := net.ListenUnix("unixpacket", addr)
	if err == nil {
		return ln, nil
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return nil, err
	}
	d := net.Dialer{Timeout: time.Second}
	if c, derr := d.Dial("unixpacket", path); derr == nil {
		c.Close()
		return nil, fmt.Errorf("%s: %w", path, errInUse)
	}
	eal.Logf(eal.LogDebug, logType, "removing stale socket %s", path)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return net.ListenUnix("unixpacket", addr)
}

func (s *server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *server) acceptLoop() {
	defer s.wg.Done()
	var delay time.Duration
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			if s.isClosed() || errors.Is(err, net.ErrClosed) {
				return
			}
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
				errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) {
				// Out of descriptors or memory for a while: retry, backing off.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				eal.Logf(eal.LogWarning, logType, "accept: %v; retrying in %v", err, delay)
				select {
				case <-s.done:
					return
				case <-time.After(delay):
				}
				continue
			}
			eal.Logf(eal.LogErr, logType, "accept: %v; no more telemetry clients", err)
			return
		}
		delay = 0
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		if len(s.conns) >= MaxConnections {
			s.mu.Unlock()
			refuse(c)
			continue
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

// refusal is what a client over MaxConnections gets instead of the
// greeting, before the connection closes. DPDK closes without a word.
var refusal = fmt.Appendf(nil, `{"error":"too many telemetry clients: %d are connected, the most allowed"}`, MaxConnections)

func refuse(c *net.UnixConn) {
	eal.Logf(eal.LogInfo, logType, "client refused: %d clients connected", MaxConnections)
	c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	c.Write(refusal)
	c.Close()
}

// Greeting returns what the server sends a client when it connects:
// {"version":"<Version>","pid":<pid>,"max_output_len":16384}.
func Greeting() []byte {
	var d Data
	info("", "", &d)
	return appendData(nil, &d, MaxOutputLen, 0)
}

// serve answers one client: the greeting, then one reply per message,
// until the client goes or stop closes the connection.
func (s *server) serve(c *net.UnixConn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
		s.wg.Done()
	}()
	if _, err := c.Write(Greeting()); err != nil {
		eal.Logf(eal.LogDebug, logType, "greeting: %v", err)
		return
	}
	buf := make([]byte, MaxMsgLen)
	for {
		// One read is one message; the kernel drops what does not fit.
		n, err := c.Read(buf)
		if err != nil || n == 0 {
			return
		}
		if _, err := c.Write(Handle(buf[:n])); err != nil {
			return
		}
	}
}
