package adapters

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/larder-go/larder/store"
)

// ErrUnroutableID reports an id that cannot be a URL path segment: "." and
// "..", which clients, proxies and servers resolve away, so that a find of
// ".." would fetch the collection's parent. The store gets it as the cause of
// an *store.AdapterError.
var ErrUnroutableID = errors.New("adapters: id cannot be a URL path segment")

// URLHooks override the URL of each operation, as Ember Data's adapter hooks
// urlForFindRecord, urlForFindAll, urlForFindMany, urlForQuery,
// urlForQueryRecord, urlForCreateRecord, urlForUpdateRecord and
// urlForDeleteRecord do. A hook returns a path ("/albums/1,3", resolved against
// Config.Host) or an absolute URL on an allowed origin; nil hooks keep the
// default. Query parameters (the query, include) are appended to what a hook
// returns; for FindMany, a hook replaces the default filter[id] (or ids[])
// parameter, so it must put the ids in its URL.
type URLHooks struct {
	FindRecord   func(typ, id string) string
	FindAll      func(typ string) string
	FindMany     func(typ string, ids []string) string
	Query        func(typ string, query url.Values) string
	QueryRecord  func(typ string, query url.Values) string
	CreateRecord func(typ string) string
	UpdateRecord func(typ, id string) string
	DeleteRecord func(typ, id string) string
	// FindBelongsTo and FindHasMany return the URL of the record a related
	// link belongs to (typ and id are the parent's), against which a relative
	// link resolves, as Ember Data's urlForFindBelongsTo and
	// urlForFindHasMany. A link starting with "/" resolves against the host,
	// without the namespace; an absolute link is followed as it is.
	FindBelongsTo func(typ, id string) string
	FindHasMany   func(typ, id string) string
}

// route returns the method and URL for a request, as Ember Data's buildURL.
func (c *Config) route(st *style, req *store.Request) (string, string, error) {
	pathFor := st.pathForType
	if c.PathForType != nil {
		pathFor = c.PathForType
	}
	switch req.Op {
	case store.OpFindRecord, store.OpUpdateRecord, store.OpDeleteRecord:
		if req.ID == "" {
			return "", "", fmt.Errorf("adapters: %v %s needs an id", req.Op, req.Type)
		}
	}
	if req.ID == "." || req.ID == ".." {
		return "", "", fmt.Errorf("%w: %v %s %q", ErrUnroutableID, req.Op, req.Type, req.ID)
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
	h := &c.URLs
	var method, target string
	switch req.Op {
	case store.OpFindRecord:
		method, target = http.MethodGet, one
		if h.FindRecord != nil {
			target = c.onHost(h.FindRecord(req.Type, req.ID))
		}
	case store.OpFindAll:
		method, target = http.MethodGet, collection
		if h.FindAll != nil {
			target = c.onHost(h.FindAll(req.Type))
		}
	case store.OpQuery, store.OpQueryRecord:
		method, target = http.MethodGet, collection
		hook := h.Query
		if req.Op == store.OpQueryRecord {
			hook = h.QueryRecord
		}
		switch {
		case req.URL != "":
			// A paging link: the server's own URL, query and all.
			t, err := c.follow(req.URL, collection)
			if err != nil {
				return "", "", err
			}
			target = t
		case hook != nil:
			target = c.onHost(hook(req.Type, req.Query))
		}
	case store.OpFindMany:
		method, target = http.MethodGet, collection
		if h.FindMany != nil {
			target = c.onHost(h.FindMany(req.Type, slices.Clone(req.IDs)))
		} else {
			st.findMany(q, req.IDs)
		}
	case store.OpCreateRecord:
		method, target = http.MethodPost, collection
		if h.CreateRecord != nil {
			target = c.onHost(h.CreateRecord(req.Type))
		}
	case store.OpUpdateRecord:
		method, target = st.updateMethod, one
		if h.UpdateRecord != nil {
			target = c.onHost(h.UpdateRecord(req.Type, req.ID))
		}
	case store.OpDeleteRecord:
		method, target = http.MethodDelete, one
		if h.DeleteRecord != nil {
			target = c.onHost(h.DeleteRecord(req.Type, req.ID))
		}
	case store.OpFindBelongsTo, store.OpFindHasMany, store.OpCustom:
		method = req.Method
		if method == "" {
			method = http.MethodGet
		}
		parent := one
		switch {
		case req.Op == store.OpFindBelongsTo && h.FindBelongsTo != nil:
			parent = c.onHost(h.FindBelongsTo(req.Type, req.ID))
		case req.Op == store.OpFindHasMany && h.FindHasMany != nil:
			parent = c.onHost(h.FindHasMany(req.Type, req.ID))
		}
		t, err := c.resolve(req.URL, strings.TrimSuffix(parent, "/"))
		if err != nil {
			return "", "", err
		}
		target = t
	default:
		return "", "", fmt.Errorf("adapters: unsupported operation %v", req.Op)
	}
	if err := c.allowed(target); err != nil {
		return "", "", err
	}
	if len(q) > 0 {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + encodeQuery(q)
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

// onHost puts a hook's path on the host; an absolute URL stays as it is.
func (c *Config) onHost(u string) string {
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
		return strings.TrimSuffix(c.Host, "/") + u
	}
	return u
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

// follow resolves a link the server sent (a paging link) against the URL of
// the collection it came from, as a browser resolves a relative reference.
func (c *Config) follow(link, base string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("adapters: bad URL %q: %w", base, err)
	}
	u, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("adapters: bad link %q: %w", link, err)
	}
	return b.ResolveReference(u).String(), nil
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// encodeQuery is url.Values.Encode (keys sorted, as Ember's sortQueryParams)
// with spaces as %20: servers such as Fortune.js read '+' as a plus sign.
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20") // Encode writes a literal '+' as %2B
}
