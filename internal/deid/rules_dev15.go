package deid

// Rules of the fifteenth development round (issue 13; dev15, notes set in
// California's Central Valley, the Bay Area and northern Nevada).
//
// Heads of business names (orgRunAt, rules_dev3.go; "by" and "for",
// rules_dev11.go): the farm, food and freight trades of an agricultural
// valley name employers with everyday words ("WORKS AT GRANITE BAY
// CANNERY", "driver for Redwing Hauling", "job at Harvest Moon Packing"),
// and lodgings and shelters are often an "X House". Strong heads (winery,
// cannery, creamery, packers, freight, hauling) end a name after any word
// that says which one; weak heads (packing, dairy, canning),
// everyday words too, only after a word no list knows, a name or a town.
//
// A business and the street it is on (businessOnAt, rules_dev3.go) may
// follow "the" ("drawn at the Quikmart Lab on Ralston Ave"), and in a line
// all in capitals or all in lower case its words need no capital ("labs at
// quikmart lab on ralston ave"): the street found already is the evidence.
