// Package file is a strata layer read from one YAML, JSON or TOML file and
// watched for changes with fsnotify.
//
// The file is parsed with koanf's parsers and delivered as a nested
// map[string]any. Watching follows the file's directory rather than the file
// itself, so in-place writes, editors that write a temporary file and rename
// it over the original, and Kubernetes ConfigMap volumes (which swap a
// "..data" symlink) are all seen.
package file

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/strata-go/strata/provider"
)

const (
	defaultDebounce = 100 * time.Millisecond
	defaultMaxSize  = 16 << 20

	// absentVersion is the Version of the empty snapshot an Optional
	// provider returns for a missing file. It differs from every content
	// hash, so the file appearing or disappearing is always a change.
	absentVersion = "absent"
)

// Options tunes a Provider. The zero value means: the file must exist, the
// format follows the extension, 100 ms debounce, 16 MiB size limit.
type Options struct {
	// Optional makes a missing or empty file an empty layer instead of an
	// error. Watch picks the file up when it appears.
	Optional bool

	// Format is "yaml", "json" or "toml". Empty means: from the extension
	// (.yaml, .yml, .json, .toml). Any other value, or an unknown extension,
	// makes Load fail with an error naming the path.
	Format string

	// Debounce is how long Watch waits after a filesystem event for more
	// events before it re-reads the file, so that a burst of writes is read
	// once. It is also the first delay between Watch's retries while the
	// file cannot be read. Zero or negative means 100 ms.
	Debounce time.Duration

	// MaxSize is the largest file Load accepts, in bytes. Zero or negative
	// means 16 MiB.
	MaxSize int64
}

// Provider is a layer read from one file. Create it with New.
//
// A Provider is immutable after New: Load is safe for concurrent use, also
// while Watch runs. Watch must be called at most once at a time per Provider
// value; it owns no goroutine once it has returned.
type Provider struct {
	path     string
	optional bool
	format   string
	debounce time.Duration
	maxSize  int64
}

// New returns a layer read from path, which is used as given (relative paths
// are resolved against the working directory at each read). The zero
// Options reads a required file whose format follows its extension.
func New(path string, o Options) *Provider {
	p := &Provider{
		path:     path,
		optional: o.Optional,
		format:   strings.ToLower(o.Format),
		debounce: o.Debounce,
		maxSize:  o.MaxSize,
	}
	if p.format == "" {
		p.format = formatOf(path)
	}
	if p.debounce <= 0 {
		p.debounce = defaultDebounce
	}
	if p.maxSize <= 0 {
		p.maxSize = defaultMaxSize
	}
	return p
}

// Compile-time checks: strata finds watching by type assertion, so a
// drifting signature would silently turn it off.
var (
	_ provider.Provider = (*Provider)(nil)
	_ provider.Watcher  = (*Provider)(nil)
)

// Name returns "file " followed by the path as given to New.
func (p *Provider) Name() string { return "file " + p.path }

// Load reads and parses the file. It returns:
//
//   - an error wrapping provider.ErrNotFound when the file does not exist,
//     or an empty snapshot with a nil error if Options.Optional is set;
//   - an error for anything that is not a regular file once symlinks are
//     followed (a directory, a named pipe, a device, a socket): a pipe
//     with no writer would otherwise block Load and Close regardless of
//     ctx, and a device such as /dev/zero never ends;
//   - an error for a file that is empty or only whitespace, because a
//     config file with nothing in it is far more often a truncated write
//     than an intent; with Options.Optional it is an empty layer. A file
//     holding only comments is an empty layer either way;
//   - an error naming the line, where the parser reports one, for malformed
//     content, and errors for files over MaxSize (16 MiB by default) and
//     unreadable files;
//   - a *provider.DepthError, naming the key path (or for TOML, which is
//     scanned before it is parsed, the line), for content nested deeper
//     than provider.MaxDepth.
//
// The snapshot's Version is "sha256:" and the first 12 hex digits of the
// file's hash; its Source is the path, and for YAML each leaf key's origin
// also carries the key's line. Timestamps and TOML dates become text.
//
// Every error is a *provider.Error for this layer and never quotes a value
// from the file. Load is safe for concurrent use.
func (p *Provider) Load(ctx context.Context) (provider.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return provider.Snapshot{}, p.wrap(err)
	}
	snap, err := p.read(ctx)
	return snap, p.wrap(err)
}

func (p *Provider) wrap(err error) error { return provider.WrapError(p.Name(), "", err) }

// read does Load's work without wrapping the error in the layer's name.
func (p *Provider) read(ctx context.Context) (provider.Snapshot, error) {
	if parserFor(p.format) == nil {
		return provider.Snapshot{}, errUnknownFormat(p.format, p.path)
	}
	src := provider.Origin{Kind: "file", Ref: p.path}
	readAt := time.Now()
	b, err := p.readBytes(ctx)
	if errors.Is(err, provider.ErrNotFound) && p.optional {
		return provider.Snapshot{
			Data:    map[string]any{},
			Version: absentVersion,
			Source:  src,
			ReadAt:  readAt,
		}, nil
	}
	if err != nil {
		return provider.Snapshot{}, err
	}
	var (
		data    = map[string]any{}
		origins map[string]provider.Origin
	)
	switch {
	case len(strings.TrimSpace(string(b))) > 0:
		data, origins, err = parse(p.format, p.path, b)
		if err != nil {
			return provider.Snapshot{}, err
		}
	case !p.optional:
		return provider.Snapshot{}, errors.New("file is empty (a truncated write?)")
	}
	sum := sha256.Sum256(b)
	return provider.Snapshot{
		Data:    data,
		Version: "sha256:" + hex.EncodeToString(sum[:])[:12],
		Origins: origins,
		Source:  src,
		ReadAt:  readAt,
	}, nil
}

// readBytes reads the whole file, refusing anything that is not a regular
// file (after following symlinks) and files over the size limit, and
// classifying a missing file as provider.ErrNotFound.
//
// A named pipe would block the open until a writer appears, ignoring ctx
// and holding up Close; a device such as /dev/zero never ends. So the path
// is stat'ed before it is opened, and opened with O_NONBLOCK (which makes
// opening a pipe return at once and changes nothing for a regular file) in
// case it was swapped in between; the open file is checked again.
func (p *Provider) readBytes(ctx context.Context) ([]byte, error) {
	info, err := os.Stat(p.path)
	if err != nil {
		return nil, classify(err)
	}
	if err := regular(info); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p.path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, classify(err)
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, classify(err)
	}
	if err := regular(info); err != nil {
		return nil, err
	}
	if info.Size() > p.maxSize {
		return nil, p.tooBig()
	}
	// The size may change between Stat and read (a file still being
	// written, or a /proc file whose size reads 0), so the read is limited
	// too.
	b, err := io.ReadAll(ctxReader{ctx, io.LimitReader(f, p.maxSize+1)})
	if err != nil {
		return nil, classify(err)
	}
	if int64(len(b)) > p.maxSize {
		return nil, p.tooBig()
	}
	return b, nil
}

// regular refuses anything but a regular file, saying what it is instead.
func regular(info fs.FileInfo) error {
	m := info.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return errors.New("is a directory, not a regular file")
	case m&fs.ModeNamedPipe != 0:
		return errors.New("is a named pipe, not a regular file")
	case m&fs.ModeDevice != 0:
		return errors.New("is a device, not a regular file")
	case m&fs.ModeSocket != 0:
		return errors.New("is a socket, not a regular file")
	}
	return fmt.Errorf("is not a regular file (mode %v)", m.Type())
}

// ctxReader stops a read between chunks once ctx is done, so that a slow
// filesystem cannot hold Load past its deadline by more than one chunk.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

func (p *Provider) tooBig() error {
	return fmt.Errorf("file is larger than %d bytes (Options.MaxSize)", p.maxSize)
}

// classify turns an os error into one that does not repeat the path (the
// layer name carries it) and marks a missing file with provider.ErrNotFound.
func classify(err error) error {
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%w: %w", provider.ErrNotFound, fs.ErrNotExist)
	}
	return fmt.Errorf("cannot read: %w", cause)
}

// formatOf guesses the format from the extension; "" when unknown.
func formatOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return "yaml"
	case ".json":
		return "json"
	case ".toml":
		return "toml"
	}
	return ""
}

func errUnknownFormat(format, path string) error {
	if format == "" {
		return fmt.Errorf("unknown format: extension %q is none of .yaml, .yml, .json, .toml; set Options.Format", filepath.Ext(path))
	}
	return fmt.Errorf("unknown format %q: Options.Format must be yaml, json or toml", format)
}
