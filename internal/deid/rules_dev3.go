package deid

// Rules for the shapes the third batch of hand-written development notes
// (testdata/realstyle/dev3.txt) showed the other passes leaving: written
// dates in any letter case (scanDateWords, rules_dates.go).

// scanDev3 runs these rules; run calls it once the other passes are done.
func (sc *scan) scanDev3() {
	sc.scanDateWords()
}
