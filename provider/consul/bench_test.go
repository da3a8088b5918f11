package consul

import (
	"fmt"
	"testing"

	"github.com/hashicorp/consul/api"
)

// BenchmarkTreeDecode measures turning a List answer into a snapshot's
// nested map and sharing it with the previous one (which also compares
// them), the per-change cost of a tree layer without the network.
func BenchmarkTreeDecode(b *testing.B) {
	for _, n := range []int{10, 1000} {
		kvs := make(api.KVPairs, n)
		for i := range kvs {
			kvs[i] = &api.KVPair{
				Key:   fmt.Sprintf("services/orders/group%02d/sub%02d/key%04d", i%10, i%7, i),
				Value: []byte(fmt.Sprintf("value-%d", i)),
			}
		}
		prev, _, err := buildTree("services/orders/", kvs)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				data, _, err := buildTreeFrom("services/orders/", kvPairs(kvs))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = shareTree(prev, data)
			}
		})
	}
}
