package provider

// Delta is a provider's account of where a snapshot differs from an
// earlier snapshot of the same layer, so that strata compares only those
// places instead of walking the whole tree on every change. It is an
// optimization only: a snapshot without a Delta, or whose Base is not the
// content strata last applied (a change it skipped, a restart), is
// compared in full, with the same result.
//
// A Delta is trusted: a difference outside every path goes unseen until a
// snapshot without a Delta, so a provider sets one only when it knows the
// difference exactly, as a provider that applies edits to its previous
// tree does. provider/providertest checks every Delta a watcher emits.
//
// Like the snapshot carrying it, a Delta is immutable once emitted.
type Delta struct {
	// Base is the Data of the earlier snapshot, compared by identity (the
	// same map, not an equal one).
	Base map[string]any

	// Paths lists, as key segments from the root of Data, every place
	// where a value was added, changed or removed since Base: any key
	// that differs lies at or below one of them. A path may name a key
	// that no longer exists or never did; an empty path is the whole
	// tree.
	Paths [][]string
}
