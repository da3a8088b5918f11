package consul

import (
	"bytes"

	"github.com/strata-go/strata/provider"
)

// A document watcher parses every answer whose index moved, but an index
// moves without the document changing: a PUT of the same bytes, and the
// read without an index rule 12 makes once per Wait. docMemo lets such an
// answer skip the parse and the comparison: it holds the bytes of the
// document behind the last delivered tree, and that tree.
type docMemo struct {
	raw  []byte
	data map[string]any
}

// reuseDocument marks r, before snapshotOf parses it, as holding the
// document last delivered when its bytes are those remembered: snapshotOf
// then takes the delivered tree instead of parsing (read.parsed).
func (w *watcher) reuseDocument(r *read) {
	if r.doc == nil || w.doc.data == nil || !sameMap(w.doc.data, w.em.Last().Data) {
		return
	}
	if bytes.Equal(w.doc.raw, r.doc.Value) {
		r.parsed = w.doc.data
	}
}

// shareDocument makes a document snapshot's tree share the delivered one's
// unchanged subtrees (shareTree) and records in w.same whether the content
// changed. A tree reused by reuseDocument is the delivered one: it is the
// same content, and shareTree must not run on it, since it writes into
// its second argument and a delivered tree is immutable.
func (w *watcher) shareDocument(snap *provider.Snapshot) {
	last := w.em.Last()
	if last.Data != nil && sameMap(last.Data, snap.Data) {
		w.same = true
		return
	}
	same, _ := shareTree(last.Data, snap.Data)
	if same && last.Data != nil {
		snap.Data = last.Data
	}
	w.same = same
}

// rememberDocument records, after the Emitter saw snap, the bytes behind
// the delivered tree: the last delivered tree is snap's when snap was
// delivered or held the same content (shareDocument made them one map).
// Anything else (no document, an error) forgets them.
func (w *watcher) rememberDocument(r *read, snap provider.Snapshot) {
	if r.doc == nil || snap.Data == nil || !sameMap(w.em.Last().Data, snap.Data) {
		w.doc = docMemo{}
		return
	}
	w.doc = docMemo{raw: r.doc.Value, data: snap.Data}
}
