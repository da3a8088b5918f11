package main

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/env"
)

func TestRegisterExportsStatus(t *testing.T) {
	cfg, err := strata.Load[Config](context.Background(), env.New("APP_", env.Options{Environ: func() []string { return nil }}))
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	reg := prometheus.NewRegistry()
	register(reg, cfg)
	want := `
# HELP strata_changes_applied_total Config changes applied.
# TYPE strata_changes_applied_total counter
strata_changes_applied_total 0
# HELP strata_layers_unhealthy Layers whose latest read failed.
# TYPE strata_layers_unhealthy gauge
strata_layers_unhealthy 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "strata_changes_applied_total", "strata_layers_unhealthy"); err != nil {
		t.Fatal(err)
	}
}
