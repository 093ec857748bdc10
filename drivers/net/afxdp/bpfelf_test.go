package afxdp

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// This file writes BPF ELF objects for the xdp_prog= tests, as clang
// would for a C program with a legacy "maps" section: no clang needed.
//
// The object's sections:
//
//	[1] .strtab    names of sections and symbols
//	[2] <prog>     the program's instructions (SHF_EXECINSTR)
//	[3] .rel<prog> an R_BPF_64_64 relocation of the ld_imm64 that loads
//	               the map, naming the map's symbol
//	[4] maps       struct bpf_map_def {type, key_size, value_size,
//	               max_entries, map_flags}, five u32
//	[5] license    "GPL\0"
//	[6] .symtab    the null symbol, the map (GLOBAL OBJECT) and the
//	               program (GLOBAL FUNC)

// rBPF6464 is R_BPF_64_64, the relocation of a 64-bit immediate load
// (ld_imm64) with a map's address.
const rBPF6464 = 1

// bpfObject describes a BPF ELF object with one program and one map.
type bpfObject struct {
	section  string // the program's section: "xdp", "socket", ...
	prog     string // the program's symbol
	insns    asm.Instructions
	mapName  string
	mapType  ebpf.MapType
	mapMax   uint32
	license  string
	noReloc  bool // leave the ld_imm64 of the map unrelocated
	bigIndex bool // give the relocation a symbol index past the table
}

// udpOnlyInsns is an XDP program that differs observably from dpk's: it
// redirects IPv4 UDP frames to the socket of their queue in the map
// loaded by the ld_imm64 at instruction udpOnlyMapInsn, and passes every
// other frame (and frames the map has no socket for) to the kernel's
// stack. In C:
//
//	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
//	if (data + 34 > end) return XDP_PASS;
//	__u8 *p = data;
//	if (p[12] != 0x08 || p[13] != 0x00 || p[23] != IPPROTO_UDP) return XDP_PASS;
//	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
//
// With bounds false it leaves out the bounds check, which the verifier
// refuses.
func udpOnlyInsns(bounds bool) asm.Instructions {
	var check asm.Instructions
	if bounds {
		check = asm.Instructions{
			asm.Mov.Reg(asm.R4, asm.R2),
			asm.Add.Imm(asm.R4, 34),
			asm.JGT.Reg(asm.R4, asm.R3, "pass"),
		}
	}
	insns := asm.Instructions{
		asm.LoadMem(asm.R2, asm.R1, 0, asm.Word), // data
		asm.LoadMem(asm.R3, asm.R1, 4, asm.Word), // data_end
	}
	insns = append(insns, check...)
	return append(insns,
		asm.LoadMem(asm.R4, asm.R2, 12, asm.Byte), // EtherType, high byte
		asm.JNE.Imm(asm.R4, 0x08, "pass"),
		asm.LoadMem(asm.R4, asm.R2, 13, asm.Byte), // EtherType, low byte
		asm.JNE.Imm(asm.R4, 0x00, "pass"),
		asm.LoadMem(asm.R4, asm.R2, 23, asm.Byte), // IPv4 protocol
		asm.JNE.Imm(asm.R4, 17, "pass"),
		asm.LoadMem(asm.R2, asm.R1, xdpMdRxQueueIndex, asm.Word),
		asm.LoadMapPtr(asm.R1, 0), // relocated to the map
		asm.Mov.Imm(asm.R3, xdpPass),
		asm.FnRedirectMap.Call(),
		asm.Return(),
		asm.Mov.Imm(asm.R0, xdpPass).WithSymbol("pass"),
		asm.Return(),
	)
}

// validUDPOnly is the object the tests load: udpOnlyInsns in section
// "xdp" with an XSKMAP named xsks_map of 64 entries.
func validUDPOnly() bpfObject {
	return bpfObject{
		section: "xdp", prog: "xdp_udp_only", insns: udpOnlyInsns(true),
		mapName: xsksMapName, mapType: ebpf.XSKMap, mapMax: 64, license: "GPL",
	}
}

// bytes writes the object as an ELF64 relocatable file in the host's
// byte order.
func (o bpfObject) bytes(t testing.TB) []byte {
	t.Helper()
	bo := hostOrder()
	var code bytes.Buffer
	if err := o.insns.Marshal(&code, bo); err != nil {
		t.Fatalf("marshal %s: %v", o.prog, err)
	}
	// The byte offset of the (first) ld_imm64 of a map: what the
	// relocation names.
	mapLoad := -1
	off := 0
	for _, ins := range o.insns {
		if ins.IsLoadFromMap() && mapLoad < 0 {
			mapLoad = off
		}
		off += int(ins.Size())
	}

	var strtab bytes.Buffer
	strtab.WriteByte(0)
	str := func(s string) uint32 {
		n := uint32(strtab.Len())
		strtab.WriteString(s)
		strtab.WriteByte(0)
		return n
	}
	type section struct {
		hdr  elf.Section64
		data []byte
	}
	secs := make([]section, 7)
	const (
		iStrtab, iProg, iRel, iMaps, iLicense, iSymtab = 1, 2, 3, 4, 5, 6
	)
	mapDef := make([]byte, 20)
	for i, v := range []uint32{uint32(o.mapType), 4, 4, o.mapMax, 0} {
		bo.PutUint32(mapDef[4*i:], v)
	}
	secs[iProg] = section{elf.Section64{Name: str(o.section), Type: uint32(elf.SHT_PROGBITS),
		Flags: uint64(elf.SHF_ALLOC | elf.SHF_EXECINSTR), Addralign: 8}, code.Bytes()}
	secs[iMaps] = section{elf.Section64{Name: str("maps"), Type: uint32(elf.SHT_PROGBITS),
		Flags: uint64(elf.SHF_ALLOC | elf.SHF_WRITE), Addralign: 4}, mapDef}
	secs[iLicense] = section{elf.Section64{Name: str("license"), Type: uint32(elf.SHT_PROGBITS),
		Flags: uint64(elf.SHF_ALLOC | elf.SHF_WRITE), Addralign: 1}, append([]byte(o.license), 0)}

	// Symbols: 0 null, 1 the map, 2 the program.
	var symtab bytes.Buffer
	for _, s := range []elf.Sym64{
		{},
		{Name: str(o.mapName), Info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_OBJECT), Shndx: iMaps, Size: 20},
		{Name: str(o.prog), Info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_FUNC), Shndx: iProg, Size: uint64(code.Len())},
	} {
		binary.Write(&symtab, bo, s)
	}
	secs[iSymtab] = section{elf.Section64{Name: str(".symtab"), Type: uint32(elf.SHT_SYMTAB),
		Link: iStrtab, Info: 1, Addralign: 8, Entsize: 24}, symtab.Bytes()}

	var rel bytes.Buffer
	if mapLoad >= 0 && !o.noReloc {
		sym := uint32(1)
		if o.bigIndex {
			sym = 1000
		}
		binary.Write(&rel, bo, elf.Rel64{Off: uint64(mapLoad), Info: elf.R_INFO(sym, rBPF6464)})
	}
	secs[iRel] = section{elf.Section64{Name: str(".rel" + o.section), Type: uint32(elf.SHT_REL),
		Link: iSymtab, Info: iProg, Addralign: 8, Entsize: 16}, rel.Bytes()}
	secs[iStrtab].hdr = elf.Section64{Name: str(".strtab"), Type: uint32(elf.SHT_STRTAB), Addralign: 1}
	secs[iStrtab].data = strtab.Bytes() // complete: every name is in

	var out bytes.Buffer
	out.Write(make([]byte, 64)) // the ELF header, written last
	align := func(n int) {
		for out.Len()%n != 0 {
			out.WriteByte(0)
		}
	}
	for i := 1; i < len(secs); i++ {
		align(8)
		secs[i].hdr.Off = uint64(out.Len())
		secs[i].hdr.Size = uint64(len(secs[i].data))
		out.Write(secs[i].data)
	}
	align(8)
	shoff := out.Len()
	for _, s := range secs {
		binary.Write(&out, bo, s.hdr)
	}
	data := elf.ELFDATA2LSB
	if bo == binary.BigEndian {
		data = elf.ELFDATA2MSB
	}
	h := elf.Header64{
		Type: uint16(elf.ET_REL), Machine: uint16(elf.EM_BPF), Version: uint32(elf.EV_CURRENT),
		Shoff: uint64(shoff), Ehsize: 64, Shentsize: 64, Shnum: uint16(len(secs)), Shstrndx: iStrtab,
	}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h.Ident[elf.EI_DATA] = byte(data)
	h.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	var hb bytes.Buffer
	binary.Write(&hb, bo, h)
	b := out.Bytes()
	copy(b, hb.Bytes())
	return b
}

// hostOrder is the host's byte order, as binary.LittleEndian or
// binary.BigEndian (what the asm package marshals with).
func hostOrder() binary.ByteOrder {
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], 1)
	if b[0] == 1 {
		return binary.LittleEndian
	}
	return binary.BigEndian
}
