package pcapng

import (
	"encoding/binary"
	"errors"
)

// WriterOption configures a writer.
type WriterOption func(*writerConfig)

type writerConfig struct {
	be         bool
	bufSize    int
	section    *Section
	interfaces []Interface
}

const defaultWriteBuf = 64 << 10

func newWriterConfig(opts []WriterOption) writerConfig {
	c := writerConfig{bufSize: defaultWriteBuf}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithByteOrder makes the writer use byte order o (binary.BigEndian or
// binary.LittleEndian; the default is little-endian, as most writers use).
func WithByteOrder(o binary.ByteOrder) WriterOption {
	return func(c *writerConfig) { c.be = o == binary.BigEndian }
}

// WithBufferSize sets the size of the writer's bufio buffer (64 KiB by
// default). Zero or less writes every packet straight through (two or three
// Write calls per packet).
func WithBufferSize(n int) WriterOption {
	return func(c *writerConfig) { c.bufSize = n }
}

// WithSection sets the pcapng Section Header Block's options (hardware, OS,
// application, comment). Only for NewPcapngWriter.
func WithSection(s Section) WriterOption {
	return func(c *writerConfig) { c.section = &s }
}

// WithInterface adds an interface, described by an Interface Description
// Block after the section header; the first is interface 0. Only for
// NewPcapngWriter.
func WithInterface(ifc Interface) WriterOption {
	return func(c *writerConfig) { c.interfaces = append(c.interfaces, ifc) }
}

var errPcapngOnly = errors.New("pcapng: WithSection and WithInterface are for pcapng writers only")
