package pcapng

import "encoding/binary"

// pcapng block types.
const (
	blockSHB    = 0x0a0d0d0a // Section Header Block
	blockIDB    = 0x00000001 // Interface Description Block
	blockPB     = 0x00000002 // Packet Block (obsolete)
	blockSPB    = 0x00000003 // Simple Packet Block
	blockNRB    = 0x00000004 // Name Resolution Block
	blockISB    = 0x00000005 // Interface Statistics Block
	blockEPB    = 0x00000006 // Enhanced Packet Block
	blockCustom = 0x00000bad // Custom Block (copiable)
)

const byteOrderMagic = 0x1a2b3c4d

// Fixed block sizes, trailing length included.
const (
	minBlockLen = 12 // type, length, trailing length
	shbFixedLen = 28 // + BOM, version, section length
	idbFixedLen = 20 // + link type, reserved, snaplen
	epbFixedLen = 32 // + interface, timestamp, caplen, origlen
	pbFixedLen  = 32 // + interface, drops, timestamp, caplen, origlen
	spbFixedLen = 16 // + origlen
	isbFixedLen = 24 // + interface, timestamp
)

// Option codes.
const (
	optEndOfOpt = 0
	optComment  = 1

	shbHardware = 2
	shbOS       = 3
	shbUserAppl = 4

	ifName        = 2
	ifDescription = 3
	ifTSResol     = 9
	ifOS          = 12
	ifTSOffset    = 14

	epbFlags     = 2
	epbHash      = 3
	epbDropCount = 4
	epbPacketID  = 5
	epbQueue     = 6

	isbStartTime = 2
	isbEndTime   = 3
	isbIfRecv    = 4
	isbIfDrop    = 5
)

// maxInterfaces bounds the interfaces of one section a reader keeps, so
// that a stream of tiny IDBs cannot grow memory without bound.
const maxInterfaces = 1 << 16

func isPcapngMagic(b []byte) bool {
	return binary.LittleEndian.Uint32(b) == blockSHB
}

// pad4 rounds n up to a multiple of 4.
func pad4(n int) int { return (n + 3) &^ 3 }

// Option is a pcapng option kept raw: its code and value (without padding).
type Option struct {
	Code  uint16
	Value []byte
}

// Section describes a pcapng section, from its Section Header Block.
type Section struct {
	ByteOrder    binary.ByteOrder // the section's byte order (read only)
	VersionMajor uint16           // 1 (read only)
	VersionMinor uint16           // 0 (read only)
	Length       int64            // section length, -1 if not given (read only)
	Hardware     string           // shb_hardware
	OS           string           // shb_os
	UserAppl     string           // shb_userappl
	Comment      string           // first opt_comment
	Options      []Option         // other options, in file order
}

// Interface describes a capture interface: a pcapng Interface Description
// Block, or what a classic pcap file header says.
type Interface struct {
	LinkType    LinkType
	SnapLen     uint32     // 0: no limit
	Name        string     // if_name
	Description string     // if_description
	OS          string     // if_os
	Comment     string     // first opt_comment
	TSResol     Resolution // if_tsresol; see Resolution for the zero value
	TSOffset    int64      // if_tsoffset: seconds added to every timestamp
	Options     []Option   // other options (if_speed, if_filter, ...), in file order
}

// PacketOptions are the options of a pcapng Enhanced Packet Block. On read,
// the slices point into the reader's buffer and are valid until its next
// call.
type PacketOptions struct {
	Comment      []byte // first opt_comment, nil if none
	Flags        uint32 // epb_flags (direction, reception type, FCS length, errors)
	HasFlags     bool   // the block has epb_flags
	DropCount    uint64 // epb_dropcount
	HasDropCount bool   // the block has epb_dropcount
	Hash         []byte // epb_hash: algorithm byte then hash value, nil if none
	PacketID     uint64 // epb_packetid
	HasPacketID  bool   // the block has epb_packetid
	Queue        uint32 // epb_queue: the receive queue
	HasQueue     bool   // the block has epb_queue
}

// Direction values of PacketOptions.Flags (bits 0-1).
const (
	FlagsInbound  uint32 = 1
	FlagsOutbound uint32 = 2
)
