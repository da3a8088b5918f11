// Package limits holds the bounds strata's packages share, so that what a
// parser accepts, what the decoder accepts and what every walk over a
// configuration tree accepts cannot drift apart.
package limits

// MaxDepth is how many levels of maps and lists a configuration may nest.
// Real configuration stays far below it; it bounds the work and the stack
// of every recursive walk over input (decoding, redaction, Explain, change
// lists), so hostile input deeper than this is refused with an error
// instead of costing time, memory or the stack.
const MaxDepth = 100
