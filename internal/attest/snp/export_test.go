package snp

import "encoding/binary"

// Policy returns the guest policy of a raw report (no verification).
func Policy(raw []byte) uint64 { return binary.LittleEndian.Uint64(raw[0x08:0x10]) }
