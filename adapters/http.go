package adapters

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/store"
)

// DefaultMaxResponseBytes bounds a response body when Config.MaxResponseBytes is
// zero: 32 MiB.
const DefaultMaxResponseBytes = 32 << 20

// ErrResponseTooLarge reports a body over the adapter's limit.
var ErrResponseTooLarge = errors.New("adapters: response body too large")

// Config is what both HTTP adapters share. Its zero value works: nil fields mean
// defaults.
type Config struct {
	// Client sends the requests; nil means http.DefaultClient. Set its Timeout
	// (or pass a context deadline) to bound slow backends.
	Client *http.Client
	// Host is the scheme and authority, such as "https://api.example.com".
	Host string
	// Namespace is a path prefix, such as "api/v1".
	Namespace string
	// Header is added to every request.
	Header http.Header
	// MaxResponseBytes bounds a response body; 0 means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// PathForType maps a type name to its collection path; nil means the
	// adapter's default ("blog-post" -> "blog-posts" for JSON:API, "blogPosts"
	// for REST).
	PathForType func(typ string) string
	// Coalesce makes concurrent finds of one type one findMany request (Ember
	// Data's coalesceFindRequests, false by default).
	Coalesce bool
}

// style is what differs between JSON:API and REST.
type style struct {
	mediaType    string
	updateMethod string
	pathForType  func(string) string
	findMany     func(q url.Values, ids []string)
}

func (c *Config) do(ctx context.Context, st *style, req *store.Request) (*store.Response, error) {
	method, target, err := c.route(st, req)
	if err != nil {
		return nil, err
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("adapters: %w", err)
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	hr.Header.Set("Accept", st.mediaType)
	if req.Body != nil {
		hr.Header.Set("Content-Type", st.mediaType)
	}
	client := c.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	limit := c.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("adapters: reading %s %s: %w", method, target, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes from %s %s", ErrResponseTooLarge, limit, method, target)
	}
	return &store.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// route returns the method and URL for a request, as Ember Data's buildURL.
func (c *Config) route(st *style, req *store.Request) (string, string, error) {
	pathFor := st.pathForType
	if c.PathForType != nil {
		pathFor = c.PathForType
	}
	q := url.Values{}
	for k, vs := range req.Query {
		q[k] = slices.Clone(vs)
	}
	if len(req.Include) > 0 {
		q.Set("include", strings.Join(req.Include, ","))
	}
	collection := c.prefix() + "/" + escapePath(pathFor(req.Type))
	one := collection + "/" + url.PathEscape(req.ID)
	var method, target string
	switch req.Op {
	case store.OpFindRecord:
		method, target = http.MethodGet, one
	case store.OpFindAll, store.OpQuery, store.OpQueryRecord:
		method, target = http.MethodGet, collection
	case store.OpFindMany:
		method, target = http.MethodGet, collection
		st.findMany(q, req.IDs)
	case store.OpCreateRecord:
		method, target = http.MethodPost, collection
	case store.OpUpdateRecord:
		method, target = st.updateMethod, one
	case store.OpDeleteRecord:
		method, target = http.MethodDelete, one
	case store.OpFindBelongsTo, store.OpFindHasMany, store.OpCustom:
		method = req.Method
		if method == "" {
			method = http.MethodGet
		}
		t, err := c.resolve(req.URL, one)
		if err != nil {
			return "", "", err
		}
		target = t
	default:
		return "", "", fmt.Errorf("adapters: unsupported operation %v", req.Op)
	}
	if (req.Op == store.OpFindRecord || req.Op == store.OpUpdateRecord || req.Op == store.OpDeleteRecord) && req.ID == "" {
		return "", "", fmt.Errorf("adapters: %v %s needs an id", req.Op, req.Type)
	}
	if len(q) > 0 {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + q.Encode() // Encode sorts keys, as Ember's sortQueryParams
	}
	return method, target, nil
}

func (c *Config) prefix() string {
	p := strings.TrimSuffix(c.Host, "/")
	if ns := strings.Trim(c.Namespace, "/"); ns != "" {
		p += "/" + ns
	}
	return p
}

// resolve applies Ember Data's urlPrefix rules to a link: absolute links as they
// are; links starting with "/" on the host (without the namespace); relative
// links under the record's own URL.
func (c *Config) resolve(link, parent string) (string, error) {
	if link == "" {
		return "", errors.New("adapters: request has no URL")
	}
	u, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("adapters: bad link %q: %w", link, err)
	}
	switch {
	case u.IsAbs() || strings.HasPrefix(link, "//"):
		return link, nil
	case strings.HasPrefix(link, "/"):
		return strings.TrimSuffix(c.Host, "/") + link, nil
	}
	return parent + "/" + link, nil
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// JSONAPI is an adapter for JSON:API backends: paths are the dasherized plural
// of the type ("blog-post" -> "/blog-posts"), updates are PATCH, findMany is
// filter[id]=1,2, and the media type is application/vnd.api+json. It is safe for
// concurrent use.
type JSONAPI struct{ Config }

var jsonapiStyle = &style{
	mediaType:    "application/vnd.api+json",
	updateMethod: http.MethodPatch,
	pathForType:  func(t string) string { return model.Pluralize(model.Dasherize(t)) },
	findMany:     func(q url.Values, ids []string) { q.Set("filter[id]", strings.Join(ids, ",")) },
}

// Do implements store.Adapter.
func (a *JSONAPI) Do(ctx context.Context, req *store.Request) (*store.Response, error) {
	return a.do(ctx, jsonapiStyle, req)
}

// CoalesceFindRequests implements store.BatchAdapter.
func (a *JSONAPI) CoalesceFindRequests(string) bool { return a.Coalesce }

// REST is an adapter for Ember Data's REST convention: paths are the camelized
// plural of the type ("blog-post" -> "/blogPosts"), updates are PUT, findMany is
// ids[]=1&ids[]=2, and the media type is application/json. It is safe for
// concurrent use.
type REST struct{ Config }

var restStyle = &style{
	mediaType:    "application/json",
	updateMethod: http.MethodPut,
	pathForType:  func(t string) string { return model.Pluralize(model.Camelize(t)) },
	findMany: func(q url.Values, ids []string) {
		for _, id := range ids {
			q.Add("ids[]", id)
		}
	},
}

// Do implements store.Adapter.
func (a *REST) Do(ctx context.Context, req *store.Request) (*store.Response, error) {
	return a.do(ctx, restStyle, req)
}

// CoalesceFindRequests implements store.BatchAdapter.
func (a *REST) CoalesceFindRequests(string) bool { return a.Coalesce }

var (
	_ store.BatchAdapter = (*JSONAPI)(nil)
	_ store.BatchAdapter = (*REST)(nil)
)
