package deid

// scanCues runs, in one walk over the tokens, the rules that a position or a
// word before decides: "LAST,FIRST" headers at a line start or after a
// patient label (lastFirstAt), typist codes at a line start (typistCodeAt),
// initials after "by" (initialsAfterCue), wards after "to", "from" or "on"
// (wardAt) and towns before a state code (townStateAt). The word before is
// read once per token, so that the rules cost one switch, not a look-up each.
func (sc *scan) scanCues() {
	sc.scanSignature()
	toks := sc.toks
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != kWord {
			continue
		}
		if t.nl {
			if e := sc.lastFirstAt(i); e >= 0 {
				i = e
			} else if e := sc.typistCodeAt(i); e >= 0 {
				i = e
			}
			continue
		}
		p := i - 1
		if sc.punct(p, ':') && !toks[p].nl {
			p-- // "Pt: DELACROIX-MBEKI,SERAPHINE"
		}
		if p < 0 || toks[p].kind != kWord || toks[p].e-toks[p].s > 11 {
			continue
		}
		e := -1
		switch sc.lower(p) {
		case "patient", "pt", "name", "decedent":
			e = sc.lastFirstAt(i)
		case "to":
			if p == i-1 {
				if e = sc.wardAt(i, false); e < 0 {
					e = sc.townStateAt(i, true)
				}
			}
		case "from":
			if p == i-1 {
				if e = sc.wardAt(i, false); e < 0 {
					e = sc.townStateAt(i, false)
				}
			}
		case "on":
			if p == i-1 {
				e = sc.wardAt(i, true)
			}
		case "in", "near":
			if p == i-1 {
				e = sc.townStateAt(i, false)
			}
		case "by", "transcribed", "dictated":
			if p == i-1 {
				sc.initialsAfterCue(i)
			}
		}
		if e > i {
			i = e
		}
	}
}
