package memory_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/memory"
)

// Example drives a layer as an application's test would: change it, break
// it, and see what a watcher (strata, in a real test) is told.
func Example() {
	l := memory.New("consul", map[string]any{"db": map[string]any{"max_conns": "10"}})
	first, _ := l.Load(context.Background())

	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan provider.Event, 10)
	done := make(chan error, 1)
	go func() { done <- l.Watch(ctx, first, func(e provider.Event) { events <- e }) }()

	l.Set("db.max_conns", "20")
	fmt.Println((<-events).Snapshot.Data)

	l.Fail(errors.New("connection refused"))
	fmt.Println((<-events).Err)

	l.Recover() // noticed by the watcher's own retry, as a real server's return is
	fmt.Println(<-events == provider.Event{})

	cancel()
	fmt.Println(<-done)
	// Output:
	// map[db:map[max_conns:20]]
	// consul: connection refused
	// true
	// context canceled
}
