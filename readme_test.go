package strata_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeStubs declares what the README's snippets use without defining:
// the application's own things (a pool, a desired config, a backend).
const readmeStubs = `package snippet

import (
	"crypto/tls"
	"testing"

	"github.com/knadh/koanf/v2"

	"github.com/strata-go/strata/provider"
)

var (
	pool          interface{ Resize(int) }
	desired       map[string]any
	layers        []provider.Provider
	vaultProvider koanf.Provider
	tlsCfg        *tls.Config
	pw            string
	mylayer       struct{ New func(addr string) provider.Provider }
)

type myBackend struct{}

func (*myBackend) Addr() string      { return "" }
func (*myBackend) Set(k, v string)   {}
func (*myBackend) Delete(k string)   {}
func (*myBackend) Stop()             {}
func (*myBackend) Restart()          {}

func startMyBackend(t *testing.T, seed map[string]string) *myBackend { return &myBackend{} }
`

// readmeConfig is the quick start's type, for snippets that use Config
// without declaring it.
const readmeConfig = `
type Config struct {
	DB struct {
		MaxConns int ` + "`config:\"max_conns\"`" + `
	} ` + "`config:\"db\"`" + `
}
`

// readmeImports are the packages a snippet may name without importing.
var readmeImports = map[string]string{
	"strata": "github.com/strata-go/strata", "file": "github.com/strata-go/strata/provider/file",
	"env": "github.com/strata-go/strata/provider/env", "consul": "github.com/strata-go/strata/provider/consul",
	"koanflayer": "github.com/strata-go/strata/provider/koanflayer", "memory": "github.com/strata-go/strata/provider/memory",
	"providertest": "github.com/strata-go/strata/provider/providertest", "cli": "github.com/strata-go/strata/cli",
	"time": "time", "context": "context", "errors": "errors", "log": "log", "os": "os", "testing": "testing",
}

var (
	goBlock     = regexp.MustCompile("(?s)```go\n(.*?)```")
	importBlock = regexp.MustCompile(`(?s)import \((.*?)\)\n|import ("[^"]+")[^\n]*\n`)
	typeDecl    = regexp.MustCompile(`(?ms)^(type|func) .*?^}\n`)
	lineComment = regexp.MustCompile(`//[^\n]*`)
)

// TestReadmeSnippetsCompile builds every Go snippet of README.md against
// this module, so a renamed API cannot leave the README behind. Each
// snippet becomes a package: its imports and declarations at file scope,
// its statements in a function, with stubs for the application's own names.
func TestReadmeSnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	root, err := os.Getwd()
	require.NoError(t, err)
	gosum, err := os.ReadFile("go.sum")
	require.NoError(t, err)

	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("go.mod", "module readme\n\ngo 1.26\n\nrequire github.com/strata-go/strata v0.0.0\n\nreplace github.com/strata-go/strata => "+root+"\n")
	write("go.sum", string(gosum))

	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	require.GreaterOrEqual(t, len(blocks), 8, "the README's Go snippets must be found")
	built := 0
	for i, b := range blocks {
		src := b[1]
		if strings.Contains(src, "/provider/etcd") {
			continue // a module of its own, with its own dependencies
		}
		pkg, err := snippetPackage(src)
		require.NoErrorf(t, err, "README snippet %d:\n%s", i+1, src)
		write(fmt.Sprintf("s%02d/snippet.go", i+1), pkg)
		write(fmt.Sprintf("s%02d/stubs.go", i+1), readmeStubs)
		built++
	}
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	assert.NoErrorf(t, err, "README snippets do not compile (snippet sNN is the NNth ```go block):\n%s", out)
	assert.Positive(t, built)
}

// snippetPackage turns one README snippet into a compilable file.
func snippetPackage(src string) (string, error) {
	imports := map[string]bool{}
	for _, m := range importBlock.FindAllStringSubmatch(src, -1) {
		for _, line := range strings.Split(m[1]+"\n"+m[2], "\n") {
			if line = strings.TrimSpace(line); line != "" {
				imports[line] = true
			}
		}
	}
	src = importBlock.ReplaceAllString(src, "")
	decls := strings.Join(typeDecl.FindAllString(src, -1), "\n")
	body := typeDecl.ReplaceAllString(src, "")
	if !strings.Contains(decls, "type Config ") {
		decls += readmeConfig
	}
	code := lineComment.ReplaceAllString(decls+body, "")
	for name, path := range readmeImports {
		if regexp.MustCompile(`\b`+name+`\.`).MatchString(code) && !imports[`"`+path+`"`] {
			imports[`"`+path+`"`] = true
		}
	}
	imports[`"context"`] = true
	var b bytes.Buffer
	b.WriteString("package snippet\n\nimport (\n")
	for imp := range imports {
		b.WriteString("\t" + imp + "\n")
	}
	b.WriteString(")\n\n" + decls + "\n\nfunc snippet(ctx context.Context) error {\n" + body + "\n")
	used, err := definedNames(body)
	if err != nil {
		return "", err
	}
	for _, n := range used {
		b.WriteString("\t_ = " + n + "\n")
	}
	b.WriteString("\t_ = ctx\n\treturn nil\n}\n")
	return b.String(), nil
}

// definedNames lists the variables body's top-level statements declare, so
// the wrapper can use them: a snippet ends where the reader's code goes on.
func definedNames(body string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc f() {\n"+body+"\n}", 0)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range f.Decls[0].(*ast.FuncDecl).Body.List {
		if as, ok := st.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name != "_" && id.Name != "ctx" {
					out = append(out, id.Name)
				}
			}
		}
	}
	return out, nil
}
