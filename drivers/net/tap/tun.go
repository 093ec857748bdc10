package tap

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"dpk/drivers/net/internal/vnet"

	"golang.org/x/sys/unix"
)

// Errors of the driver. Errors from the kernel are wrapped too, so that
// errors.Is(err, os.ErrPermission) holds for a missing CAP_NET_ADMIN.
var (
	// ErrRemoved means the kernel interface was deleted while the port
	// used it (its queues' file descriptors are detached).
	ErrRemoved = errors.New("tap interface removed")
)

const (
	tunDevice = "/dev/net/tun"
	// vnetHdrLen is sizeof(struct virtio_net_hdr), set with
	// TUNSETVNETHDRSZ: every frame read or written starts with one.
	vnetHdrLen = vnet.Size
	// tunFlags makes a multi-queue TAP interface without the packet
	// information prefix, with a virtio_net_hdr on every frame.
	tunFlags = unix.IFF_TAP | unix.IFF_NO_PI | unix.IFF_MULTI_QUEUE | unix.IFF_VNET_HDR

	// TUNSETOFFLOAD flags (linux/if_tun.h): what the reader of the queues
	// accepts from the kernel.
	tunFCsum   = 0x01 // partial checksums (VIRTIO_NET_HDR_F_NEEDS_CSUM)
	tunFTSO4   = 0x02 // TCP over IPv4 GSO frames
	tunFTSO6   = 0x04 // TCP over IPv6 GSO frames
	tunFTSOECN = 0x08 // GSO frames with ECN (CWR set)
)

// openQueue opens /dev/net/tun and attaches it, nonblocking, as one queue
// of the tap interface name, creating the interface when it does not exist
// (name may then be a pattern such as "dtap%d"). It returns the fd and the
// interface's name.
func openQueue(name string) (int, string, error) {
	fd, err := unix.Open(tunDevice, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		switch {
		case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENODEV), errors.Is(err, unix.ENXIO):
			return -1, "", fmt.Errorf("open %s: %w: the kernel has no TUN/TAP driver (modprobe tun) or /dev/net/tun is missing", tunDevice, err)
		case errors.Is(err, os.ErrPermission):
			return -1, "", fmt.Errorf("open %s: no permission (%w)", tunDevice, err)
		}
		return -1, "", fmt.Errorf("open %s: %w", tunDevice, err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return -1, "", err
	}
	ifr.SetUint16(tunFlags)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return -1, "", tunsetiffError(name, err)
	}
	got := ifr.Name()
	if err := unix.IoctlSetPointerInt(fd, unix.TUNSETVNETHDRSZ, vnetHdrLen); err != nil {
		unix.Close(fd)
		return -1, "", fmt.Errorf("%s: TUNSETVNETHDRSZ %d: %w", got, vnetHdrLen, err)
	}
	return fd, got, nil
}

// tunsetiffError explains a failed TUNSETIFF.
func tunsetiffError(name string, err error) error {
	switch {
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("iface=%s: no permission to create or attach a tap interface (%w): it needs CAP_NET_ADMIN: run as root or grant the capability (setcap cap_net_admin+ep)", name, err)
	case errors.Is(err, unix.EINVAL):
		return fmt.Errorf("iface=%s: %w: the name is taken by an interface that is not a multi-queue tap (or is not a valid interface name)", name, err)
	case errors.Is(err, unix.EBUSY):
		return fmt.Errorf("iface=%s: %w: the tap interface has all its queues in use", name, err)
	}
	return fmt.Errorf("iface=%s: TUNSETIFF: %w", name, err)
}

// setOffload tells the kernel which offloads the queues' reader handles.
func setOffload(fd int, flags int) error {
	if err := unix.IoctlSetInt(fd, unix.TUNSETOFFLOAD, flags); err != nil {
		return fmt.Errorf("TUNSETOFFLOAD %#x: %w", flags, err)
	}
	return nil
}

// setPersist makes the interface outlive its file descriptors, or not.
func setPersist(fd int, on bool) error {
	v := 0
	if on {
		v = 1
	}
	if err := unix.IoctlSetInt(fd, unix.TUNSETPERSIST, v); err != nil {
		return fmt.Errorf("TUNSETPERSIST %d: %w", v, err)
	}
	return nil
}

// ifaceName returns the current name of the interface fd is attached to,
// or ErrRemoved when it is attached to none any more.
func ifaceName(fd int) (string, error) {
	name, _, err := tunGetIff(fd)
	return name, err
}

// tunGetIff returns the name and tun flags (IFF_TAP, IFF_PERSIST, ...) of
// the interface fd is attached to (TUNGETIFF).
func tunGetIff(fd int) (string, uint16, error) {
	ifr, err := unix.NewIfreq("")
	if err != nil {
		return "", 0, err
	}
	if err := unix.IoctlIfreq(fd, unix.TUNGETIFF, ifr); err != nil {
		if errors.Is(err, unix.EBADFD) {
			return "", 0, ErrRemoved
		}
		return "", 0, fmt.Errorf("TUNGETIFF: %w", err)
	}
	return ifr.Name(), ifr.Uint16(), nil
}

// nsID identifies a network namespace (the device and inode of its nsfs
// file).
type nsID struct{ dev, ino uint64 }

// ctlSockets are sockets in the network namespace the interface lives in:
// the test moves it into another namespace after probe, and ioctls and
// rtnetlink requests only see the interfaces of their socket's namespace.
type ctlSockets struct {
	ns    nsID
	ioctl int // AF_UNIX datagram socket for SIOC[GS]IF* ioctls
	nl    int // NETLINK_ROUTE socket
	seq   uint32
}

func (c *ctlSockets) close() {
	if c.ioctl > 0 {
		unix.Close(c.ioctl)
	}
	if c.nl > 0 {
		unix.Close(c.nl)
	}
	*c = ctlSockets{}
}

// devNetns returns an fd of the network namespace the interface of fd
// lives in (TUNGETDEVNETNS, Linux 5.2), or -1 when the kernel cannot say
// (then the process's own namespace is meant).
func devNetns(fd int) (int, error) {
	r, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TUNGETDEVNETNS, 0)
	switch {
	case e == 0:
		return int(r), nil
	case e == unix.EBADFD:
		return -1, ErrRemoved
	}
	return -1, nil
}

func statNS(fd int, path string) (nsID, error) {
	var st unix.Stat_t
	var err error
	if fd >= 0 {
		err = unix.Fstat(fd, &st)
	} else {
		err = unix.Stat(path, &st)
	}
	return nsID{uint64(st.Dev), st.Ino}, err
}

// inNetns runs fn with the calling thread in the network namespace of
// nsfd (-1, or the process's own namespace: where it is). Sockets and tun
// fds opened by fn belong to that namespace. Entering another namespace
// takes a locked OS thread that goes back home afterwards, or is discarded
// when it cannot.
func inNetns(nsfd int, fn func() error) error {
	if nsfd < 0 {
		return fn()
	}
	self, err := statNS(-1, "/proc/self/ns/net")
	if err != nil {
		return err
	}
	if id, err := statNS(nsfd, ""); err != nil {
		return err
	} else if id == self {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // unlocked only once the thread is back home
		home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(home)
		if err := unix.Setns(nsfd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns: %w", err)
			return
		}
		err = fn()
		if unix.Setns(home, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

// openCtl opens the control sockets in the namespace of nsfd (-1: the
// process's own).
func openCtl(nsfd int) (ctlSockets, error) {
	var c ctlSockets
	var err error
	if nsfd >= 0 {
		c.ns, err = statNS(nsfd, "")
	} else {
		c.ns, err = statNS(-1, "/proc/self/ns/net")
	}
	if err != nil {
		return c, err
	}
	err = inNetns(nsfd, func() error {
		var err error
		if c.ioctl, err = unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0); err != nil {
			return fmt.Errorf("socket(AF_UNIX): %w", err)
		}
		if c.nl, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE); err != nil {
			unix.Close(c.ioctl)
			c.ioctl = 0
			return fmt.Errorf("socket(AF_NETLINK): %w", err)
		}
		tv := unix.Timeval{Sec: 1}
		unix.SetsockoptTimeval(c.nl, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
		return nil
	})
	return c, err
}

// attachQueue opens one more queue of the interface fd0 is a queue of, in
// the namespace the interface now lives in (TUNSETIFF finds interfaces by
// name in the namespace the tun fd was opened in: elsewhere it would
// create a new one), and checks that it joined that interface.
func attachQueue(fd0 int, name string) (int, error) {
	nsfd, err := devNetns(fd0)
	if err != nil {
		return -1, err
	}
	if nsfd >= 0 {
		defer unix.Close(nsfd)
	}
	fd := -1
	err = inNetns(nsfd, func() error {
		var err error
		fd, _, err = openQueue(name)
		return err
	})
	if err != nil {
		return -1, err
	}
	got, err := ifaceName(fd)
	same := err == nil && got == name
	if same && nsfd >= 0 {
		n2, err := devNetns(fd)
		if same = err == nil && n2 >= 0; same {
			a, _ := statNS(nsfd, "")
			b, _ := statNS(n2, "")
			same = a == b
			unix.Close(n2)
		}
	}
	if !same {
		unix.Close(fd)
		return -1, fmt.Errorf("%w: a new queue of %s did not join it (it moved or was replaced)", ErrRemoved, name)
	}
	return fd, nil
}

// flags returns the interface's flags (SIOCGIFFLAGS).
func (c *ctlSockets) flags(name string) (uint16, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, err
	}
	if err := unix.IoctlIfreq(c.ioctl, unix.SIOCGIFFLAGS, ifr); err != nil {
		return 0, fmt.Errorf("%s: SIOCGIFFLAGS: %w", name, err)
	}
	return ifr.Uint16(), nil
}

// setFlag sets or clears flag (IFF_UP, IFF_PROMISC, ...) on the interface.
func (c *ctlSockets) setFlag(name string, flag uint16, on bool) error {
	f, err := c.flags(name)
	if err != nil {
		return err
	}
	nf := f &^ flag
	if on {
		nf |= flag
	}
	if nf == f {
		return nil
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	ifr.SetUint16(nf)
	if err := unix.IoctlIfreq(c.ioctl, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("%s: SIOCSIFFLAGS %#x: %w", name, nf, err)
	}
	return nil
}

// setMTU sets the interface's MTU (SIOCSIFMTU).
func (c *ctlSockets) setMTU(name string, mtu uint32) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	ifr.SetUint32(mtu)
	if err := unix.IoctlIfreq(c.ioctl, unix.SIOCSIFMTU, ifr); err != nil {
		return fmt.Errorf("%s: SIOCSIFMTU %d: %w", name, mtu, err)
	}
	return nil
}

// validIfname checks an interface name as the kernel's dev_valid_name
// does; "%d" once is allowed (the kernel then picks the number).
func validIfname(name string) error {
	switch {
	case name == "":
		return errors.New("empty interface name")
	case len(name) > unix.IFNAMSIZ-1:
		return fmt.Errorf("interface names have at most %d bytes, %q has %d", unix.IFNAMSIZ-1, name, len(name))
	case name == "." || name == "..":
		return fmt.Errorf("%q is not an interface name", name)
	case strings.Count(name, "%") > 1 || strings.Contains(name, "%") && !strings.Contains(name, "%d"):
		return fmt.Errorf("%q: only one %%d may stand for the interface number", name)
	}
	for _, c := range []byte(name) {
		if c == '/' || c == ':' || c <= ' ' || c >= 0x7f {
			return fmt.Errorf("%q: interface names may not hold %q", name, c)
		}
	}
	return nil
}
