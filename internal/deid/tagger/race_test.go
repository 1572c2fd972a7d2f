//go:build race

package tagger

// raceEnabled: sync.Pool drops items at random under the race detector.
const raceEnabled = true
