package deid

// The checked-in evaluation set; TestSynthSetIsReproducible checks it still
// matches the generator.
//go:generate sh -c "go run ../../cmd/deid synth --n 500 --seed 1 > testdata/synth-500.jsonl"
