package snp

import "encoding/binary"

// Policy returns the guest policy of a raw report (no verification).
func Policy(raw []byte) uint64 { return binary.LittleEndian.Uint64(raw[0x08:0x10]) }

// len is the number of cached chains.
func (c *chainCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
