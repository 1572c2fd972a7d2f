package deid

// Tokens is a read-only view of the rules' tokenization of one note, given
// to a TokenSpanAppender so that it need not split the note again. It is
// valid only during the call it is passed to.
type Tokens struct {
	toks  []token
	ascii bool
}

// Token kinds a Tokens view reports.
const (
	TokenWord  = kWord  // letters, and inner apostrophes ("O'Brien")
	TokenNum   = kNum   // digits only
	TokenAlnum = kAlnum // letters and digits
	TokenPunct = kPunct // one other character
)

// Len is the number of tokens.
func (t *Tokens) Len() int { return len(t.toks) }

// ASCII reports that the note has no byte of 0x80 or more.
func (t *Tokens) ASCII() bool { return t.ascii }

// At returns token i: its byte offsets, its kind (TokenWord...) and whether
// a line break ('\n') lies before it (the first token: always). Only white
// space lies between two tokens; a word can be longer than any other
// detector's limit.
func (t *Tokens) At(i int) (s, e int, kind uint8, nl bool) {
	k := &t.toks[i]
	return k.s, k.e, k.kind, k.nl
}

// TokenSpanAppender is a SpanAppender that can read the rules' tokens of
// the note instead of splitting it again: AppendSpansTokens must append
// exactly the spans AppendSpans appends. The engine calls it when the
// rules run before it on the same note.
type TokenSpanAppender interface {
	SpanAppender
	AppendSpansTokens(dst []Span, text string, toks *Tokens) []Span
}

// tokens is the view of the scan's tokens (kept in the scan: no
// allocation per note).
func (sc *scan) tokens() *Tokens {
	sc.view = Tokens{toks: sc.toks, ascii: sc.ascii}
	return &sc.view
}

// WithTokens tokenizes text as the rules do and calls f with the tokens
// (tests of a TokenSpanAppender hold it to its own tokenizer with this).
func (r *Rules) WithTokens(text string, f func(*Tokens)) {
	sc := r.pool.Get().(*scan)
	defer r.pool.Put(sc)
	sc.reset(text, r.vocab)
	f(sc.tokens())
}
