package provider_test

import (
	"fmt"
	"os"
	"path/filepath"

	kyaml "github.com/knadh/koanf/parsers/yaml"

	"github.com/strata-go/strata/provider"
)

// A third party's layer reading a document from its backend parses it as
// strata's own layers do, with the parser of its choice.
func ExampleParseDocument() {
	key := "services/orders/config.yml"
	doc := []byte("db:\n  max_conns: 10\n  1: one\nsince: 2024-01-02\n")

	format, err := provider.DocumentFormat(key, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := provider.ParseDocument(format, doc, kyaml.Parser().Unmarshal)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(format, data)

	_, err = provider.ParseDocument(format, []byte("!s3cret"), kyaml.Parser().Unmarshal)
	fmt.Println(err)
	// Output:
	// yaml map[db:map[1:one max_conns:10] since:2024-01-02T00:00:00Z]
	// yaml: unmarshal errors:
	//   line 1: cannot unmarshal !tag value into map[string]interface {}
}

// A layer keeps its last good read so it can start while its backend is
// down; the file is replaced atomically and readable by its owner only.
func ExampleWriteCacheFile() {
	type cache struct {
		Prefix string            `json:"prefix"`
		Data   map[string]string `json:"data"`
	}
	dir, err := os.MkdirTemp("", "cache")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "layer.json")

	if err := provider.WriteCacheFile(name, cache{Prefix: "app/", Data: map[string]string{"app/port": "8080"}}); err != nil {
		fmt.Println(err)
		return
	}
	var c cache
	if err := provider.ReadCacheFile(name, &c); err != nil {
		fmt.Println(err)
		return
	}
	fi, _ := os.Stat(name)
	fmt.Println(c.Prefix, c.Data, fi.Mode().Perm())
	// Output: app/ map[app/port:8080] -rw-------
}
