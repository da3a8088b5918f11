package consultest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// certLifetime stays clear of Consul's "certificate will expire soon"
// warning (28 days), which would clutter Agent.Log.
const certLifetime = 365 * 24 * time.Hour

// tlsFiles are the PEM files of one agent's throwaway PKI.
type tlsFiles struct {
	CA, ServerCert, ServerKey, ClientCert, ClientKey string
}

// writeTLS creates a CA, a server certificate for the datacenter (SANs
// localhost, server.<dc>.consul, 127.0.0.1; usable for both server and
// client auth because servers dial each other) and a client certificate, and
// writes them as PEM files into dir.
func writeTLS(dir, datacenter string) (tlsFiles, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tlsFiles{}, err
	}
	caTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "consultest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, caCert, err := sign(caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return tlsFiles{}, err
	}

	leaf := func(cn string, usage []x509.ExtKeyUsage, dns []string, ips []net.IP) ([]byte, *ecdsa.PrivateKey, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl := &x509.Certificate{
			Subject:     pkix.Name{CommonName: cn},
			NotBefore:   now.Add(-time.Hour),
			NotAfter:    now.Add(certLifetime),
			KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage: usage,
			DNSNames:    dns,
			IPAddresses: ips,
		}
		der, _, err := sign(tmpl, caCert, &key.PublicKey, caKey)
		return der, key, err
	}
	both := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	serverName := "server." + datacenter + ".consul"
	srvDER, srvKey, err := leaf(serverName, both,
		[]string{serverName, "localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return tlsFiles{}, err
	}
	cliDER, cliKey, err := leaf("client."+datacenter+".consul",
		[]x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, []string{"client." + datacenter + ".consul", "localhost"}, nil)
	if err != nil {
		return tlsFiles{}, err
	}

	f := tlsFiles{
		CA:         filepath.Join(dir, "ca.pem"),
		ServerCert: filepath.Join(dir, "server.pem"),
		ServerKey:  filepath.Join(dir, "server-key.pem"),
		ClientCert: filepath.Join(dir, "client.pem"),
		ClientKey:  filepath.Join(dir, "client-key.pem"),
	}
	for _, w := range []struct {
		path string
		der  []byte
		key  *ecdsa.PrivateKey
	}{
		{f.CA, caDER, nil},
		{f.ServerCert, srvDER, nil},
		{f.ServerKey, nil, srvKey},
		{f.ClientCert, cliDER, nil},
		{f.ClientKey, nil, cliKey},
	} {
		if err := writePEM(w.path, w.der, w.key); err != nil {
			return tlsFiles{}, err
		}
	}
	return f, nil
}

func sign(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, priv *ecdsa.PrivateKey) ([]byte, *x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
	if err != nil {
		return nil, nil, fmt.Errorf("consultest: create certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	return der, cert, err
}

// writePEM writes a certificate (der) or a private key (key) to path.
func writePEM(path string, der []byte, key *ecdsa.PrivateKey) error {
	block := &pem.Block{Type: "CERTIFICATE", Bytes: der}
	if key != nil {
		b, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return err
		}
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: b}
	}
	return os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}
