package etcd

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// acquire returns the client for one Load or Watch and a func that releases
// it. A client the Provider built is shared by concurrent calls and closed
// by the last release, so none of its goroutines outlives the calls. A
// failure to build it (a wrong password is found here) is classified.
func (p *Provider) acquire(ctx context.Context) (*clientv3.Client, func(), error) {
	if p.opts.Client != nil {
		return p.opts.Client, func() {}, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client == nil {
		if err := ctx.Err(); err != nil {
			return nil, nil, p.failClass(ClassUnavailable, err)
		}
		// Building the client fetches the auth token, bounded by
		// DialTimeout and not by ctx (the client outlives this call when
		// shared), so a nearer deadline of ctx shortens it.
		dt := p.opts.DialTimeout
		if d, ok := ctx.Deadline(); ok {
			dt = max(min(dt, time.Until(d)), time.Millisecond)
		}
		c, err := clientv3.New(clientv3.Config{
			Endpoints:   p.opts.Endpoints,
			TLS:         p.opts.TLS,
			Username:    p.opts.Username,
			Password:    p.opts.Password,
			DialTimeout: dt,
			// The client logs every reconnection at Warn; strata reports
			// state changes itself, through Status and Options.Logger.
			Logger: zap.NewNop(),
		})
		if err != nil {
			return nil, nil, p.fail(err)
		}
		p.client = c
	}
	p.refs++
	c := p.client
	return c, func() { p.release(c) }, nil
}

func (p *Provider) release(c *clientv3.Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refs--
	if p.refs == 0 && p.client == c {
		_ = c.Close()
		p.client = nil
	}
}
