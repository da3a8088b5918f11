package strata_test

import (
	"fmt"

	"github.com/strata-go/strata"
)

func ExampleJSONSchema() {
	type Config struct {
		Listen string `config:"listen" default:":8080" validate:"required,hostname_port" doc:"address to serve on"`
		DB     struct {
			DSN      string `config:"dsn" validate:"required" secret:"true"`
			MaxConns int    `config:"max_conns" default:"10" validate:"min=1,max=500"`
		} `config:"db"`
	}
	schema, err := strata.JSONSchema[Config]()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(schema))
	// Output:
	// {
	//   "$schema": "https://json-schema.org/draft/2020-12/schema",
	//   "properties": {
	//     "db": {
	//       "properties": {
	//         "dsn": {
	//           "type": "string",
	//           "writeOnly": true
	//         },
	//         "max_conns": {
	//           "default": 10,
	//           "maximum": 500,
	//           "minimum": 1,
	//           "type": "integer"
	//         }
	//       },
	//       "required": [
	//         "dsn"
	//       ],
	//       "type": "object"
	//     },
	//     "listen": {
	//       "default": ":8080",
	//       "description": "address to serve on",
	//       "pattern": "^([A-Za-z0-9._-]*|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}$",
	//       "type": "string"
	//     }
	//   },
	//   "required": [
	//     "db"
	//   ],
	//   "title": "Config",
	//   "type": "object"
	// }
}
