package adapters

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/larder-go/larder/jsonapi"
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
	// MaxURLLength bounds the URL of a coalesced findMany: ids that would pass
	// it go in another request (Ember's maxURLLength). 0 means 2048.
	MaxURLLength int
	// URLs overrides the URL of each operation, after Ember's urlFor* hooks.
	URLs URLHooks
	// AllowHosts lists other hosts ("cdn.example.com", "api.example.com:8443")
	// whose links (related, self, paging) may be followed. Links to any other
	// origin than Host's are refused with ErrOtherOrigin, and redirects to one
	// are not followed. Header is never sent to another origin, allowed or
	// not.
	AllowHosts []string
	// Invalid decides which failed responses are validation errors
	// (store.ErrInvalid, with errors per attribute on the record), as Ember
	// Data's isInvalid; nil means 422 only. [InvalidIfPointed] also takes a
	// 400 whose errors point at members, as Django REST framework JSON:API
	// answers.
	Invalid func(status int, errs []jsonapi.ErrorObject) bool
	// NewID, when set, makes ids for new records on the client, as Ember
	// Data's generateIdForRecord; "" leaves the id to the server.
	NewID func(typ string) string
}

// IsInvalid implements store.InvalidChecker with Config.Invalid.
func (c *Config) IsInvalid(status int, errs []jsonapi.ErrorObject) bool {
	if c.Invalid == nil {
		return status == http.StatusUnprocessableEntity
	}
	return c.Invalid(status, errs)
}

// GenerateID implements store.IDGenerator with Config.NewID.
func (c *Config) GenerateID(typ string) string {
	if c.NewID == nil {
		return ""
	}
	return c.NewID(typ)
}

// InvalidIfPointed reports a 422, or a 400 with an error object whose
// source.pointer points at a member of the document's data (an attribute
// or a relationship: /data/attributes/title, /data/relationships/artist), as
// a validation error: the one-line setting for servers such as Django REST
// framework JSON:API. A 400 that points at the document as a whole (/data),
// at its type or id, or at a query parameter is not one.
func InvalidIfPointed(status int, errs []jsonapi.ErrorObject) bool {
	if status == http.StatusUnprocessableEntity {
		return true
	}
	if status != http.StatusBadRequest {
		return false
	}
	for _, e := range errs {
		if e.Source != nil && pointsAtMember(e.Source.Pointer) {
			return true
		}
	}
	return false
}

// pointsAtMember reports whether a JSON pointer names an attribute or a
// relationship of the primary resource (the leading slash may be missing).
func pointsAtMember(p string) bool {
	p = strings.TrimPrefix(p, "/")
	for _, section := range [...]string{"data/attributes/", "data/relationships/"} {
		if member, ok := strings.CutPrefix(p, section); ok && member != "" {
			return true
		}
	}
	return false
}

// style is what differs between JSON:API and REST.
type style struct {
	mediaType    string
	updateMethod string
	pathForType  func(string) string
	findMany     func(q url.Values, ids []string)
	separator    string // joins findMany ids in one value; an id holding it goes alone
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
	// One origin policy for the request: the adapter's Header goes to Host's
	// origin only, and redirects follow only where the policy allows,
	// dropping Header when they leave that origin.
	p := c.policy()
	if p.Same(hr.URL) {
		for k, vs := range c.Header {
			for _, v := range vs {
				hr.Header.Add(k, v)
			}
		}
	}
	hr.Header.Set("Accept", st.mediaType)
	if req.Body != nil {
		hr.Header.Set("Content-Type", st.mediaType)
	}
	resp, err := p.Client(c.Client, c.Header).Do(hr)
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
	separator:    ",",
}

// Do implements store.Adapter.
func (a *JSONAPI) Do(ctx context.Context, req *store.Request) (*store.Response, error) {
	return a.do(ctx, jsonapiStyle, req)
}

// CoalesceFindRequests implements store.BatchAdapter.
func (a *JSONAPI) CoalesceFindRequests(string) bool { return a.Coalesce }

// GroupFindMany implements store.FindManyGrouper: see [Config.MaxURLLength].
func (a *JSONAPI) GroupFindMany(typ string, ids []string) [][]string {
	return a.groupFindMany(jsonapiStyle, typ, ids)
}

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

// GroupFindMany implements store.FindManyGrouper: see [Config.MaxURLLength].
func (a *REST) GroupFindMany(typ string, ids []string) [][]string {
	return a.groupFindMany(restStyle, typ, ids)
}

var (
	_ store.InvalidChecker  = (*JSONAPI)(nil)
	_ store.InvalidChecker  = (*REST)(nil)
	_ store.IDGenerator     = (*JSONAPI)(nil)
	_ store.IDGenerator     = (*REST)(nil)
	_ store.BatchAdapter    = (*JSONAPI)(nil)
	_ store.BatchAdapter    = (*REST)(nil)
	_ store.FindManyGrouper = (*JSONAPI)(nil)
	_ store.FindManyGrouper = (*REST)(nil)
)
