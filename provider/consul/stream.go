package consul

import (
	"context"
	"io"
	"net/http"
	"strings"
)

// listSink receives the decoded answer of one List request: get puts it in
// the request's context, and streamTransport fills it.
type listSink struct {
	prefix string     // the layer's prefix
	hint   *builtTree // the tree delivered last, for decodeList; nil when none

	decoded bool     // the answer was decoded here (a 200)
	list    pairList // its pairs
	err     error    // the answer was not a List answer (invalid data)
}

type listSinkKey struct{}

// withListSink returns ctx carrying s.
func withListSink(ctx context.Context, s *listSink) context.Context {
	return context.WithValue(ctx, listSinkKey{}, s)
}

// streamTransport is the transport of the clients New builds. A request
// whose context carries a listSink (get's recursive List) has its 200
// answer decoded straight into the sink by decodeList, and consul/api is
// handed an empty array in its place. consul/api still builds the request
// (address, TLS, token, namespace, partition, datacenter, consistency,
// index and wait) and reads every X-Consul-* header; only the body skips
// its decoding into []*api.KVPair, which is most of the time a List takes
// on the client.
//
// Every other request, and any answer but a 200, passes through untouched.
// A caller-supplied Options.Client keeps its own transport, and so
// consul/api's decoding.
type streamTransport struct{ next http.RoundTripper }

// RoundTrip implements http.RoundTripper. It is safe for concurrent use,
// as its next transport is; each sink belongs to one request.
func (t *streamTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	sink, _ := req.Context().Value(listSinkKey{}).(*listSink)
	if err != nil || sink == nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body := &bodyReader{r: resp.Body}
	list, derr := decodeList(body, sink.prefix, sink.hint)
	// Drained so the connection is reused: an HTTP/1.1 body closed
	// before its end closes the connection. A List answer ends with its
	// array, so only a trailing newline, if anything, is left.
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10))
	_ = resp.Body.Close()
	if body.err != nil {
		// The connection or the context failed, not the data: an error of
		// the request, as consul/api would have returned it.
		return nil, body.err
	}
	sink.decoded, sink.list, sink.err = true, list, derr
	resp.Body = io.NopCloser(strings.NewReader("[]"))
	resp.ContentLength = 2
	return resp, nil
}

// bodyReader remembers the first error of its reader other than io.EOF.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}
