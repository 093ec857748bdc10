package pcapng

import (
	"bytes"
	"io"
	"strconv"
	"testing"
	"time"
)

func BenchmarkRead(b *testing.B) {
	for _, format := range []Format{FormatPcap, FormatPcapng} {
		for _, size := range []int{64, 1514} {
			b.Run(format.String()+"/"+strconv.Itoa(size), func(b *testing.B) {
				file := makeFile(b, format, 4096, size, false)
				br := bytes.NewReader(file)
				r, err := NewReader(br)
				if err != nil {
					b.Fatal(err)
				}
				dst := make([]byte, 2048)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					_, _, err := r.ReadPacketInto(dst)
					if err == io.EOF {
						b.StopTimer()
						br.Reset(file)
						r, err = NewReader(br)
						b.StartTimer()
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	for _, format := range []Format{FormatPcap, FormatPcapng} {
		for _, size := range []int{64, 1514} {
			b.Run(format.String()+"/"+strconv.Itoa(size), func(b *testing.B) {
				var w Writer
				var err error
				if format == FormatPcap {
					w, err = NewPcapWriter(io.Discard, LinkTypeEthernet, 0, true)
				} else {
					w, err = NewPcapngWriter(io.Discard, WithInterface(Interface{LinkType: LinkTypeEthernet, TSResol: ResolutionNano}))
				}
				if err != nil {
					b.Fatal(err)
				}
				data := make([]byte, size)
				ci := CaptureInfo{Timestamp: time.Unix(1700000000, 0)}
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					if err := w.WritePacket(ci, data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
