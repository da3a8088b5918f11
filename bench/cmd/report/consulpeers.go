package main

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/knadh/koanf/providers/confmap"
	kconsul "github.com/knadh/koanf/providers/consul/v2"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/viper"
	_ "github.com/spf13/viper/remote" // viper's Consul support, as its README says

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/bench"
	"github.com/strata-go/strata/provider/consul"
)

// The Consul-backed contenders shared by workloads 3, 5 and 6. Each one
// watches its own prefix (or, for viper, its own key holding a JSON
// document), reports every new db.max_conns value it observes, with the
// time it observed it, and keeps the latest one.

type observation struct {
	val string
	at  time.Time
}

type observer struct {
	ch   chan observation
	last atomic.Value // string
}

func newObserver(initial string) *observer {
	o := &observer{ch: make(chan observation, 1024)}
	o.last.Store(initial)
	return o
}

// saw records a value the application can now read.
func (o *observer) saw(val string) {
	at := time.Now()
	if o.last.Swap(val) == val {
		return
	}
	select {
	case o.ch <- observation{val, at}:
	default: // the driver is not waiting; it checks last instead
	}
}

func (o *observer) value() string { return o.last.Load().(string) }

// await returns when val has been observed, or false after timeout.
func (o *observer) await(val string, timeout time.Duration) (time.Time, bool) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case ob := <-o.ch:
			if ob.val == val {
				return ob.at, true
			}
		case <-t.C:
			return time.Time{}, false
		}
	}
}

// drain forgets observations nobody waited for.
func (o *observer) drain() {
	for {
		select {
		case <-o.ch:
		default:
			return
		}
	}
}

// rawWatch is the floor: a bare consul/api blocking query loop on the
// prefix (KV().List with WaitIndex), with index reset and a 1 s retry.
func rawWatch(ctx context.Context, c *api.Client, prefix string, wait time.Duration) *observer {
	o := newObserver("")
	key := prefix + "db/max_conns"
	go func() {
		var idx uint64
		for ctx.Err() == nil {
			pairs, meta, err := c.KV().List(prefix, (&api.QueryOptions{WaitIndex: idx, WaitTime: wait}).WithContext(ctx))
			if err != nil {
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
				continue
			}
			if meta.LastIndex < idx {
				idx = 0
				continue
			}
			idx = meta.LastIndex
			for _, p := range pairs {
				if p.Key == key {
					o.saw(string(p.Value))
				}
			}
		}
	}()
	return o
}

// strataWatch loads the prefix with strata and observes from OnChange.
func strataWatch(ctx context.Context, c *api.Config, prefix string, wait time.Duration) (*observer, *strata.Config[bench.Config], error) {
	cfg, err := strata.Load[bench.Config](ctx, consul.New(consul.Options{Prefix: prefix, Config: c, Wait: wait}))
	if err != nil {
		return nil, nil, err
	}
	o := newObserver(strconv.Itoa(cfg.Get().DB.MaxConns))
	cfg.OnChange(func(_, n *bench.Config) { o.saw(strconv.Itoa(n.DB.MaxConns)) })
	return o, cfg, nil
}

// koanfWatch follows koanf's consul example: Load the prefix, then Watch
// and, in the callback, load a fresh copy (koanf's README: "Throw away the
// old config and load a fresh copy"), published through an atomic pointer
// so that readers never race with the reload. The keys are the full Consul
// keys, split on "/". The watch cannot be stopped: koanf keeps no handle on
// the consul/api watch plan it starts.
func koanfWatch(addr, prefix string) (*observer, *atomic.Pointer[koanf.Koanf], error) {
	prov, err := kconsul.Provider(kconsul.Config{Key: prefix, Recurse: true, Cfg: &api.Config{Address: addr}})
	if err != nil {
		return nil, nil, err
	}
	k := koanf.New("/")
	if err := k.Load(prov, nil); err != nil {
		return nil, nil, err
	}
	var cur atomic.Pointer[koanf.Koanf]
	cur.Store(k)
	key := prefix + "db/max_conns"
	o := newObserver(k.String(key))
	err = prov.Watch(func(_ any, err error) {
		if err != nil {
			return
		}
		fresh := koanf.New("/")
		if fresh.Load(prov, nil) != nil {
			return
		}
		cur.Store(fresh)
		o.saw(fresh.String(key))
	})
	return o, &cur, err
}

// viperRemote reads key (a JSON document) the way viper's README shows.
func viperRemote(addr, key string) (*viper.Viper, error) {
	v := viper.New()
	if err := v.AddRemoteProvider("consul", addr, key); err != nil {
		return nil, err
	}
	v.SetConfigType("json")
	if err := v.ReadRemoteConfig(); err != nil {
		return nil, err
	}
	return v, nil
}

// viperPoll is viper's documented watch: a goroutine that sleeps, calls
// WatchRemoteConfig (a plain GET of the key) and reads the new values. The
// viper instance is used by that goroutine only: viper is not safe for
// reads concurrent with the reload.
func viperPoll(ctx context.Context, addr, key string, every time.Duration) (*observer, error) {
	v, err := viperRemote(addr, key)
	if err != nil {
		return nil, err
	}
	o := newObserver(v.GetString("db.max_conns"))
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(every):
			}
			if v.WatchRemoteConfig() != nil {
				continue
			}
			o.saw(v.GetString("db.max_conns"))
		}
	}()
	return o, nil
}

// viperChannel starts viper's other watch, WatchRemoteConfigOnChannel:
// crypt runs a blocking query on the key and viper decodes each answer into
// the live config from its own goroutine, with no lock, no notification
// and no way to stop it. It can be counted, not safely read.
func viperChannel(addr, key string) error {
	v, err := viperRemote(addr, key)
	if err != nil {
		return err
	}
	return v.WatchRemoteConfigOnChannel()
}

func trimSlash(prefix string) string { return strings.TrimSuffix(prefix, "/") }

// koanfTyped loads the prefix through koanf's consul provider into a fresh
// instance and unmarshals it. The provider returns the full Consul keys
// flat ("bench/w4/db/max_conns" is one key; koanf's Load does not split
// it), so Unmarshal into a nested struct finds nothing; the keys are split
// on "/" by passing the provider's map through confmap.Provider first.
func koanfTyped(prov *kconsul.Consul, prefix string) (*bench.Config, error) {
	m, err := prov.Read()
	if err != nil {
		return nil, err
	}
	k := koanf.New("/")
	if err := k.Load(confmap.Provider(m, "/"), nil); err != nil {
		return nil, err
	}
	var c bench.Config
	if err := k.Unmarshal(trimSlash(prefix), &c); err != nil {
		return nil, err
	}
	return &c, nil
}
