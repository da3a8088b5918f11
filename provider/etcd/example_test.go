package etcd_test

import (
	"fmt"

	"github.com/strata-go/strata/provider/etcd"
)

// A layer is named after its prefix or key; the name appears in errors and
// Status and never carries the password.
func ExampleNew() {
	tree := etcd.New(etcd.Options{Prefix: "services/orders", Username: "orders", Password: "s3cret"})
	doc := etcd.New(etcd.Options{Key: "services/orders/config.yaml"})
	fmt.Println(tree.Name())
	fmt.Println(doc.Name())
	// Output:
	// etcd services/orders/
	// etcd services/orders/config.yaml
}
