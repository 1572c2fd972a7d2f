// Package interop holds integration tests of cocofy's output against the
// other components that consume it: the real trustee server (admin API,
// reference values) and the guest's data hub (unsealing, initdata digest).
// It has no exported code.
package interop
