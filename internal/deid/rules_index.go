package deid

import "github.com/trustgate/trustgate/internal/deid/lexicon"

// Token indices per scanner. Most of the rules' walks look at a small part
// of the tokens (capitalised words, month and weekday names, numbers); the
// tokens' kind, case, flags and keyword bits are fixed once reset has run,
// so one pass at the start of run lists, for each walk, the tokens it can
// act on, and the walk visits those alone. A walk over a list behaves as
// the walk over every token did: the tokens left out are exactly those its
// first test skipped, and a jump past a span ("i = e") becomes "skip the
// listed tokens up to e".

// index fills the lists of run's walks (see above).
func (sc *scan) index() {
	sc.capIdx, sc.ageIdx = sc.capIdx[:0], sc.ageIdx[:0]
	sc.dateIdx, sc.addrIdx, sc.nameIdx, sc.numIdx = sc.dateIdx[:0], sc.addrIdx[:0], sc.nameIdx[:0], sc.numIdx[:0]
	sc.cueIdx, sc.dev3Idx, sc.dev11Idx = sc.cueIdx[:0], sc.dev3Idx[:0], sc.dev11Idx[:0]
	toks := sc.toks
	// upperLine (lineUpper): per line, its words and those in capitals
	if cap(sc.upperLineBuf) < len(toks) {
		sc.upperLineBuf = make([]bool, len(toks))
	}
	sc.upperLine = sc.upperLineBuf[:len(toks)]
	clear(sc.upperLine)
	line, words, upper := 0, 0, 0
	for i := range toks {
		t := &toks[i]
		if t.nl && i > 0 {
			if words >= 2 && upper == words {
				sc.setUpperLine(line, i)
			}
			line, words, upper = i, 0, 0
		}
		switch t.kind {
		case kWord:
			words++
			upper += int(b2u(t.upper))
			if t.cap {
				sc.capIdx = append(sc.capIdx, i)
				sc.nameIdx = append(sc.nameIdx, i)
			} else if t.kw&(setTitle|setCue1|setCue2) != 0 {
				sc.nameIdx = append(sc.nameIdx, i)
			}
			// the tests below want a keyword, an extra bit or a state
			// (most words have none)
			if t.kw|uint32(t.wid)|uint32(t.flags&lexicon.State) == 0 { // (a word with extra bits has a number)
				goto cue // one branch, not three (b2u)
			}
			if t.kw&(setDay|setMonth) != 0 || t.xbits()&xWeekdayAbbr != 0 { // weekdayShort
				sc.dateIdx = append(sc.dateIdx, i)
			}
			if t.xbits()&xPO != 0 || t.kw&setPlace != 0 && (t.cap || sc.lowCounty(i)) || t.flags&lexicon.State != 0 {
				sc.addrIdx = append(sc.addrIdx, i)
			}
			// scanDev3: a weekday, month or holiday, or a word of dev3Words
			if n := t.e - t.s; n >= 2 && (t.kw&(setDay|setMonth|setHoliday) != 0 || n <= 8 && t.xbits()&xDev3 != 0) {
				sc.dev3Idx = append(sc.dev3Idx, i)
			}
			if t.xbits()&xDev11 != 0 { // scanDev11 (rules_dev11.go)
				sc.dev11Idx = append(sc.dev11Idx, i)
			}
			// scanCues: a word at a line start or after a dash, before a
			// credential, or after a relation or a word of its switch
			// (with a colon between or not)
			if t.kw&setCred != 0 {
				// the words up to three tokens before a credential
				// (credNameAt), in order after those listed before them
				lo, c := max(i-3, 0), sc.cueIdx
				for len(c) > 0 && c[len(c)-1] >= lo {
					c = c[:len(c)-1]
				}
				for k := lo; k < i; k++ {
					if toks[k].kind == kWord {
						c = append(c, k)
					}
				}
				sc.cueIdx = c
			}
		cue:
			if t.nl || i > 0 && (toks[i-1].kw&setRelation != 0 || toks[i-1].xbits()&xCueWord != 0 ||
				toks[i-1].kind == kPunct && (toks[i-1].aux == '-' || toks[i-1].aux == ':' && i > 1 && toks[i-2].xbits()&xCueWord != 0)) {
				sc.cueIdx = append(sc.cueIdx, i)
			}
			// "ACCT-44658267", "SN-88213" (scanNumbers)
			if t.upper && t.e-t.s <= 5 && sc.punct(i+1, '-') && sc.joined(i+1) && sc.joined(i+2) && sc.numLen(i+2) >= 3 {
				sc.numIdx = append(sc.numIdx, i)
			}
		case kNum:
			sc.numIdx = append(sc.numIdx, i)
			if n := t.e - t.s; n >= 2 && n <= 3 && (sc.text[t.s] == '9' || sc.text[t.s] == '1' && n == 3) {
				sc.ageIdx = append(sc.ageIdx, i) // 90-199: scanNameAges checks the value
			}
			if t.e-t.s <= 6 {
				sc.addrIdx = append(sc.addrIdx, i)
			}
		case kAlnum:
			sc.numIdx = append(sc.numIdx, i) // letters and digits: ndig > 0
			if isDigit(sc.text[t.s]) && t.e-t.s <= 6 {
				sc.addrIdx = append(sc.addrIdx, i)
			}
		case kPunct:
			// "(634)…", "+44 …", "#12" (scanNumbers)
			if c := t.aux; (c == '(' || c == '+' || c == '#') && i+1 < len(toks) && sc.joined(i+1) && toks[i+1].kind == kNum {
				sc.numIdx = append(sc.numIdx, i)
			}
		}
	}
	if words >= 2 && upper == words {
		sc.setUpperLine(line, len(toks))
	}
	sc.capDone = true
}

// setUpperLine marks tokens s..e-1 as on a line in capitals.
func (sc *scan) setUpperLine(s, e int) {
	for k := s; k < e; k++ {
		sc.upperLine[k] = true
	}
}

// listNext returns the position in the list idx of the first token after
// token i, and that token (-1 past the end), starting from position ni: the
// step of a walk over idx in which the body may move i ("i = e" skips the
// listed tokens up to e; a move back revisits them, as "i++" would).
func listNext(idx []int, ni, i int) (int, int) {
	if ni < len(idx) && idx[ni] == i { // i has not moved: the next one
		if ni++; ni < len(idx) {
			return ni, idx[ni]
		}
		return ni, -1
	}
	for ni > 0 && ni <= len(idx) && idx[ni-1] > i {
		ni--
	}
	for ni < len(idx) && idx[ni] <= i {
		ni++
	}
	if ni == len(idx) {
		return ni, -1
	}
	return ni, idx[ni]
}
