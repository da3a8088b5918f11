package consultest

import (
	"fmt"
	"strconv"
	"strings"
)

// portSet is every listener an agent opens. -1 disables one.
type portSet struct {
	HTTP, HTTPS, SerfLAN, SerfWAN, Server int
}

// portsPerAgent is how many FreePorts an agent consumes: HTTP or HTTPS,
// serf LAN, serf WAN and server RPC.
const portsPerAgent = 4

// newPortSet assigns four free ports; the API port is HTTPS when tls is set,
// and plain HTTP is then disabled.
func newPortSet(free []int, tls bool) portSet {
	p := portSet{HTTP: free[0], HTTPS: -1, SerfLAN: free[1], SerfWAN: free[2], Server: free[3]}
	if tls {
		p.HTTP, p.HTTPS = -1, free[0]
	}
	return p
}

// nodeConfig is what varies between the agents the harness starts.
type nodeConfig struct {
	NodeName   string
	Datacenter string
	Dev        bool   // -dev: in memory, single server
	DataDir    string // non-dev only
	Expect     int    // bootstrap_expect, non-dev only
	Ports      portSet
	RetryJoin  []string // serf LAN addresses
	JoinWAN    []string // serf WAN addresses
	ACLToken   string   // initial management token; "" disables ACLs
	TLS        *tlsFiles
}

// hcl renders the agent configuration file. Every port is explicit so that
// agents never fall back to a default port another agent or test owns.
func (c nodeConfig) hcl() string {
	var b strings.Builder
	kv := func(k string, v any) {
		switch v := v.(type) {
		case string:
			fmt.Fprintf(&b, "%s = %s\n", k, strconv.Quote(v))
		case []string:
			q := make([]string, len(v))
			for i, s := range v {
				q[i] = strconv.Quote(s)
			}
			fmt.Fprintf(&b, "%s = [%s]\n", k, strings.Join(q, ", "))
		default:
			fmt.Fprintf(&b, "%s = %v\n", k, v)
		}
	}
	kv("node_name", c.NodeName)
	kv("datacenter", c.Datacenter)
	kv("bind_addr", "127.0.0.1")
	kv("client_addr", "127.0.0.1")
	kv("advertise_addr", "127.0.0.1")
	kv("advertise_addr_wan", "127.0.0.1")
	kv("log_level", "warn")
	kv("disable_update_check", true)
	kv("server", true)
	if !c.Dev {
		kv("data_dir", c.DataDir)
		kv("bootstrap_expect", c.Expect)
	}
	if len(c.RetryJoin) > 0 {
		kv("retry_join", c.RetryJoin)
		kv("retry_interval", "200ms")
	}
	if len(c.JoinWAN) > 0 {
		kv("retry_join_wan", c.JoinWAN)
		kv("retry_interval_wan", "200ms")
	}
	fmt.Fprintf(&b, "ports {\n  http = %d\n  https = %d\n  dns = -1\n  grpc = -1\n  grpc_tls = -1\n  serf_lan = %d\n  serf_wan = %d\n  server = %d\n}\n",
		c.Ports.HTTP, c.Ports.HTTPS, c.Ports.SerfLAN, c.Ports.SerfWAN, c.Ports.Server)
	// Fast elections and failure detection; nothing here needs service mesh.
	b.WriteString("performance {\n  raft_multiplier = 1\n}\nconnect {\n  enabled = false\n}\n")
	if c.ACLToken != "" {
		// The agent token keeps the agent's own catalog sync from logging
		// permission errors under default deny.
		fmt.Fprintf(&b, "acl {\n  enabled = true\n  default_policy = \"deny\"\n  down_policy = \"extend-cache\"\n  tokens {\n    initial_management = %s\n    agent = %s\n  }\n}\n",
			strconv.Quote(c.ACLToken), strconv.Quote(c.ACLToken))
	}
	if c.TLS != nil {
		fmt.Fprintf(&b, "tls {\n  defaults {\n    ca_file = %s\n    cert_file = %s\n    key_file = %s\n    verify_incoming = true\n    verify_outgoing = true\n  }\n  internal_rpc {\n    verify_server_hostname = true\n  }\n}\n",
			strconv.Quote(c.TLS.CA), strconv.Quote(c.TLS.ServerCert), strconv.Quote(c.TLS.ServerKey))
	}
	return b.String()
}
