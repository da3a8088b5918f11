package decoder_test

import (
	"fmt"
	"reflect"
	"time"

	"github.com/strata-go/strata/decoder"
)

func ExampleDecoder_Decode() {
	type Config struct {
		Listen  string        `config:"listen" default:":8080"`
		Timeout time.Duration `config:"timeout" default:"5s"`
		DB      struct {
			DSN      string `config:"dsn" secret:"true"`
			MaxConns int    `config:"max_conns" default:"10"`
		} `config:"db"`
		Features map[string]bool `config:"features"`
	}
	dec, err := decoder.New(reflect.TypeFor[Config](), decoder.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(dec.Keys())

	// Everything from Consul or the environment is a string.
	var cfg Config
	unused, err := dec.Decode(map[string]any{
		"timeout":  "250ms",
		"db":       map[string]any{"max_conns": "20", "max_con": "5"},
		"features": map[string]any{"beta": "true"},
	}, &cfg)
	fmt.Println(cfg.Timeout, cfg.DB.MaxConns, cfg.Features["beta"], unused, err)

	_, err = dec.Decode(map[string]any{"db": map[string]any{"max_conns": "ten", "dsn": map[string]any{}}}, &cfg)
	fmt.Println(err)
	// Output:
	// [db.dsn db.max_conns features listen timeout]
	// 250ms 20 true [db.max_con] <nil>
	// db.dsn: expected a string, got map; db.max_conns: "ten" is not an int
}
