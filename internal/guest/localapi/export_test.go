package localapi

// Reset starts the sequence again from Min.
func (b *Backoff) Reset() { b.cur = 0 }
