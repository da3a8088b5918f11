// Package limits holds the bounds strata's packages share, so that what a
// parser accepts, what the decoder accepts and what every walk over a
// configuration tree accepts cannot drift apart.
package limits

// MaxDepth is how many levels of maps and lists a configuration may nest.
// Real configuration stays far below it; it bounds the work and the stack
// of every recursive walk over input (decoding, redaction, Explain, change
// lists), so hostile input deeper than this is refused with an error
// instead of costing time, memory or the stack.
//
// It must equal provider.MaxDepth, the bound parsers apply (provider may
// import no other strata package, so it holds its own copy); a root test
// keeps the two equal once both exist.
const MaxDepth = 64
