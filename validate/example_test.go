package validate_test

import (
	"errors"
	"fmt"

	"github.com/strata-go/strata/validate"
)

type Config struct {
	Listen string `config:"listen" validate:"required,hostname_port"`
	DB     struct {
		DSN      string `config:"dsn" validate:"required,url"`
		MaxConns int    `config:"max_conns" validate:"min=1,max=500"`
	} `config:"db"`
	Mode string `validate:"oneof=dev prod"`
}

// Validate checks what tags cannot express. Its errors are reported with
// the tag failures.
func (c *Config) Validate() error {
	if c.Mode == "prod" && c.DB.MaxConns < 10 {
		return &validate.FieldError{Key: "db.max_conns", Message: "must be at least 10 in prod"}
	}
	return nil
}

func ExampleValidator_Struct() {
	v := validate.New(validate.Options{
		IsSecret: func(key string) bool { return key == "db.dsn" },
	})
	cfg := &Config{Listen: "localhost", Mode: "prod"}
	cfg.DB.DSN = "not a url: hunter2"
	err := v.Struct(cfg)

	var errs validate.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Printf("%s [%s] %s\n", e.Key, e.Rule, e.Message)
		}
	}
	// Output:
	// db.dsn [url] must be a URL (secret value redacted)
	// db.max_conns [min] must be at least 1, got 0
	// db.max_conns [Validate] must be at least 10 in prod
	// listen [hostname_port] must be host:port, got "localhost"
}
