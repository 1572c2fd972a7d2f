package tlssidecar

import "crypto/tls"

// Certificate returns the certificate the sidecar serves now, with its
// private key (nil before the first material arrives). It is for
// in-process callers such as `trustgate up`'s tests, which scan state,
// stores and logs for the key; nothing exports it further.
func (s *Sidecar) Certificate() *tls.Certificate {
	if m := s.cur.Load(); m != nil {
		return m.cert
	}
	return nil
}
