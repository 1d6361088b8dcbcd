// Package jsonapitest provides an in-memory JSON:API backend for tests,
// benchmarks and demos, shaped like net/http/httptest: [NewServer] starts it on
// loopback, seeded with albums, artists and songs, or empty with [Empty] for a
// program's own types.
//
// It serves, for any type it holds, GET of a collection (with filter, page and
// include) and of one resource (with include), POST, PATCH and DELETE, custom
// actions (POST /{type}/{id}/{action}), and JSON:API error documents for 404,
// 409 and 422. Resource member names are stored as they are sent; the seed uses
// dasherized names, as JSON:API backends do.
//
// # Your own types
//
// A type may be put under its singular or plural name, in any common spelling
// ("blog-post", "blogPosts", "BlogPost"): the server files it under the singular
// dasherized form, serves it at the plural path (/blog-posts), and answers with
// the type name as it was put.
//
//	srv := jsonapitest.NewServer(jsonapitest.Empty(), jsonapitest.WithValidator(func(r *jsonapi.Resource) []jsonapi.ErrorObject {
//		if _, ok := r.Attributes["name"]; !ok {
//			return []jsonapi.ErrorObject{{Status: "422", Title: "name is required",
//				Source: &jsonapi.ErrorSource{Pointer: "/data/attributes/name"}}}
//		}
//		return nil
//	}))
//	defer srv.Close()
//	srv.Put(jsonapi.Resource{Type: "widgets", ID: "1", Attributes: map[string]json.RawMessage{"name": []byte(`"w"`)}})
//
// A validator runs on every POST and PATCH; the error objects it returns are
// the 422 response. Without one, the seeded server requires a non-blank
// "title" and an empty server accepts everything.
//
// # Filtering and paging
//
// GET /{type}?filter[id]=1,2 selects by id; filter[member]=value by a string
// attribute or a to-one relationship's id. page[size]=n with page[number]=k
// (from 1) returns one page, with "first", "last", "self" and, where they
// exist, "prev" and "next" links that keep the rest of the query, and meta
// "total" counting every match.
package jsonapitest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
)

// A Server is an in-memory JSON:API backend on loopback. It is safe for
// concurrent use.
type Server struct {
	*httptest.Server

	mu        sync.Mutex
	resources map[string]map[string]*jsonapi.Resource // type -> id -> resource
	order     map[string][]string                     // type -> ids in creation order
	nextID    int
	latency   time.Duration
	failures  []failure
	counts    map[string]int // "METHOD /path" -> requests
	actions   map[string]Action
	validate  func(r *jsonapi.Resource) []jsonapi.ErrorObject
	noContent bool // PATCH answers 204
	requests  atomic.Int64
	stream    stream // server-sent events of the changes; see EventsPath
}

// An Action is a custom endpoint on one resource: it may change the resource and
// returns an error object to fail with 422.
type Action func(r *jsonapi.Resource) *jsonapi.ErrorObject

type failure struct {
	status int
	body   string
}

// An Option configures a Server.
type Option func(*config)

type config struct {
	empty    bool
	validate func(r *jsonapi.Resource) []jsonapi.ErrorObject
}

// Empty starts the server with no resources and no actions: for a program's
// own types.
func Empty() Option { return func(c *config) { c.empty = true } }

// WithValidator sets the function that checks each POST and PATCH; the error
// objects it returns are the 422 response.
func WithValidator(f func(r *jsonapi.Resource) []jsonapi.ErrorObject) Option {
	return func(c *config) { c.validate = f }
}

// NewServer starts a server seeded with [Seed], or as the options say.
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewUnstartedServer returns a server that is not yet listening; call Start or
// StartTLS, as with httptest.NewUnstartedServer.
func NewUnstartedServer(opts ...Option) *Server {
	var c config
	for _, o := range opts {
		o(&c)
	}
	s := &Server{
		resources: map[string]map[string]*jsonapi.Resource{},
		order:     map[string][]string{},
		counts:    map[string]int{},
		actions:   map[string]Action{},
		validate:  c.validate,
	}
	s.Server = httptest.NewUnstartedServer(s)
	if c.empty {
		return s
	}
	if s.validate == nil {
		s.validate = requireTitle
	}
	for _, r := range Seed() {
		s.Put(r)
	}
	s.actions["process-payment"] = func(r *jsonapi.Resource) *jsonapi.ErrorObject {
		if string(r.Attributes["status"]) == `"processed"` {
			return &jsonapi.ErrorObject{Status: "422", Title: "Invalid", Detail: "payment already processed", Source: &jsonapi.ErrorSource{Pointer: "/data/attributes/status"}}
		}
		r.Attributes["status"] = json.RawMessage(`"processed"`)
		return nil
	}
	return s
}

// check runs the validator, if any.
func (s *Server) check(r *jsonapi.Resource) []jsonapi.ErrorObject {
	s.mu.Lock()
	f := s.validate
	s.mu.Unlock()
	if f == nil {
		return nil
	}
	return f(r)
}

// requireTitle is the default validation: a "title" attribute must not be empty.
func requireTitle(r *jsonapi.Resource) []jsonapi.ErrorObject {
	if v, ok := r.Attributes["title"]; ok && (string(v) == `""` || string(v) == "null") {
		return []jsonapi.ErrorObject{{Status: "422", Title: "Invalid Attribute", Detail: "title must not be blank",
			Source: &jsonapi.ErrorSource{Pointer: "/data/attributes/title"}}}
	}
	return nil
}

// Put stores a resource, replacing one with the same type and id.
func (s *Server) Put(r jsonapi.Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putLocked(&r)
}

func (s *Server) putLocked(r *jsonapi.Resource) {
	typ := canonical(r.Type)
	if s.resources[typ] == nil {
		s.resources[typ] = map[string]*jsonapi.Resource{}
	}
	if _, ok := s.resources[typ][r.ID]; !ok {
		s.order[typ] = append(s.order[typ], r.ID)
	}
	s.resources[typ][r.ID] = r
}

// canonical is the name a type is filed under: singular and dasherized, so
// "albums", "Album" and "album" are one type.
func canonical(typ string) string { return model.TypeName(typ) }

// SetValidator replaces the function that checks each POST and PATCH (nil
// accepts everything).
func (s *Server) SetValidator(f func(r *jsonapi.Resource) []jsonapi.ErrorObject) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.validate = f
}

// SetUpdateNoContent makes a successful PATCH answer 204 No Content (on) or
// 200 with the updated resource (off, the default), as JSON:API allows both.
func (s *Server) SetUpdateNoContent(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noContent = on
}

// Get returns a copy of a stored resource.
func (s *Server) Get(typ, id string) (jsonapi.Resource, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.resources[canonical(typ)][id]
	if !ok {
		return jsonapi.Resource{}, false
	}
	return *r, true
}

// Remove deletes a stored resource.
func (s *Server) Remove(typ, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(canonical(typ), id)
}

func (s *Server) removeLocked(typ, id string) {
	delete(s.resources[typ], id)
	s.order[typ] = slices.DeleteFunc(s.order[typ], func(x string) bool { return x == id })
	s.unlinkLocked(typ, id)
}

// unlinkLocked takes the resource out of every relationship that names it, as
// a server's foreign keys would: a to-one becomes null, a to-many loses it.
// A resource it changes gets new relationship values, so copies handed out
// before keep theirs.
func (s *Server) unlinkLocked(typ, id string) {
	gone := func(y jsonapi.Identifier) bool { return y.ID == id && canonical(y.Type) == typ }
	for _, byID := range s.resources {
		for _, r := range byID {
			var rels map[string]*jsonapi.Relationship
			for name, rel := range r.Relationships {
				if rel == nil || !slices.ContainsFunc(rel.Data, gone) {
					continue
				}
				if rels == nil {
					rels = maps.Clone(r.Relationships)
				}
				next := *rel
				next.Data = slices.DeleteFunc(slices.Clone(rel.Data), gone)
				if next.Shape == jsonapi.One && len(next.Data) == 0 {
					next.Shape = jsonapi.Null
				}
				rels[name] = &next
			}
			if rels != nil {
				r.Relationships = rels
			}
		}
	}
}

// SetLatency delays every response by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// FailNext makes the next request answer with status and body, whatever it asks.
func (s *Server) FailNext(status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{status, body})
}

// SetAction registers a custom action, served at POST /{type}/{id}/{name}.
func (s *Server) SetAction(name string, a Action) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actions[name] = a
}

// Requests returns the number of requests served.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Count returns the number of requests for a method and path ("GET /albums/1").
func (s *Server) Count(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method+" "+path]
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	s.counts[req.Method+" "+req.URL.Path]++
	latency := s.latency
	var fail *failure
	if len(s.failures) > 0 {
		fail = &s.failures[0]
		s.failures = s.failures[1:]
	}
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-req.Context().Done():
			return
		}
	}
	if fail != nil {
		w.WriteHeader(fail.status)
		io.WriteString(w, fail.body)
		return
	}
	if req.URL.Path == EventsPath && req.Method == http.MethodGet {
		s.serveEvents(w, req)
		return
	}
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	if len(parts) == 0 || parts[0] == "" || len(parts) > 3 {
		writeError(w, http.StatusNotFound, "Not Found", "no route "+req.URL.Path, "")
		return
	}
	typ := canonical(parts[0])
	switch {
	case len(parts) == 1 && req.Method == http.MethodGet:
		s.list(w, req, typ)
	case len(parts) == 1 && req.Method == http.MethodPost:
		s.create(w, req, typ)
	case len(parts) == 2 && req.Method == http.MethodGet:
		s.show(w, req, typ, parts[1])
	case len(parts) == 2 && req.Method == http.MethodPatch:
		s.update(w, req, typ, parts[1])
	case len(parts) == 2 && req.Method == http.MethodDelete:
		s.remove(w, typ, parts[1])
	case len(parts) == 3 && req.Method == http.MethodPost:
		s.action(w, typ, parts[1], parts[2])
	case len(parts) == 3 && req.Method == http.MethodGet:
		s.related(w, req, typ, parts[1], parts[2])
	default:
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed", req.Method+" "+req.URL.Path, "")
	}
}

func (s *Server) list(w http.ResponseWriter, req *http.Request, typ string) {
	q := req.URL.Query()
	s.mu.Lock()
	var out []jsonapi.Resource
	for _, id := range s.order[typ] {
		r := s.resources[typ][id]
		if matches(r, q) {
			out = append(out, *r)
		}
	}
	doc := &jsonapi.Document{Shape: jsonapi.Many, Data: []jsonapi.Resource{}}
	total := len(out)
	if size, err := strconv.Atoi(q.Get("page[size]")); err == nil && size > 0 {
		number, _ := strconv.Atoi(q.Get("page[number]"))
		number = max(number, 1)
		last := max((total+size-1)/size, 1)
		lo, hi := min((number-1)*size, total), min(number*size, total)
		out = out[lo:hi]
		link := func(n int) *jsonapi.Link {
			// The same query (filters, include) on another page, encoded as a
			// valid URI reference: brackets escaped, spaces as %20.
			pq := maps.Clone(q)
			pq.Set("page[number]", strconv.Itoa(n))
			pq.Set("page[size]", strconv.Itoa(size))
			return &jsonapi.Link{Href: req.URL.Path + "?" + strings.ReplaceAll(pq.Encode(), "+", "%20")}
		}
		doc.Links = jsonapi.Links{"first": link(1), "last": link(last), "self": link(number)}
		if number < last {
			doc.Links["next"] = link(number + 1)
		}
		if number > 1 {
			doc.Links["prev"] = link(number - 1)
		}
	}
	doc.Data = append(doc.Data, out...)
	doc.Meta = jsonapi.Meta{"total": json.RawMessage(strconv.Itoa(total))}
	s.includeLocked(doc, q.Get("include"))
	s.mu.Unlock()
	writeDoc(w, http.StatusOK, doc)
}

// matches applies filter[id]=1,2 and filter[member]=value (a string attribute,
// or a to-one relationship's id).
func matches(r *jsonapi.Resource, q map[string][]string) bool {
	for k, vs := range q {
		if !strings.HasPrefix(k, "filter[") || !strings.HasSuffix(k, "]") || len(vs) == 0 {
			continue
		}
		field := k[len("filter[") : len(k)-1]
		want := strings.Split(vs[0], ",")
		var have string
		switch {
		case field == "id":
			have = r.ID
		case r.Attributes[field] != nil:
			if err := json.Unmarshal(r.Attributes[field], &have); err != nil {
				have = string(r.Attributes[field])
			}
		case r.Relationships[field] != nil && len(r.Relationships[field].Data) == 1:
			have = r.Relationships[field].Data[0].ID
		default:
			return false
		}
		if !slices.Contains(want, have) {
			return false
		}
	}
	return true
}

// includeLocked adds the resources named by include paths ("artist",
// "songs.album") to doc.Included, each once.
func (s *Server) includeLocked(doc *jsonapi.Document, include string) {
	if include == "" {
		return
	}
	seen := map[[2]string]bool{}
	for _, r := range doc.Data {
		seen[[2]string{r.Type, r.ID}] = true
	}
	for _, path := range strings.Split(include, ",") {
		from := doc.Data
		for _, rel := range strings.Split(path, ".") {
			var next []jsonapi.Resource
			for _, r := range from {
				link := r.Relationships[rel]
				if link == nil {
					continue
				}
				for _, id := range link.Data {
					target, ok := s.resources[canonical(id.Type)][id.ID]
					if !ok {
						continue
					}
					next = append(next, *target)
					if k := [2]string{id.Type, id.ID}; !seen[k] {
						seen[k] = true
						doc.Included = append(doc.Included, *target)
					}
				}
			}
			from = next
		}
	}
}

func (s *Server) show(w http.ResponseWriter, req *http.Request, typ, id string) {
	s.mu.Lock()
	r, ok := s.resources[typ][id]
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", fmt.Sprintf("no %s with id %s", typ, id), "")
		return
	}
	doc := &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{*r}}
	s.includeLocked(doc, req.URL.Query().Get("include"))
	s.mu.Unlock()
	writeDoc(w, http.StatusOK, doc)
}

// related serves a relationship's related link, /albums/1/artist or
// /artists/1/albums: the resources its linkage names, or, for a relationship
// the resource does not hold, the resources of the type the name says whose
// own relationships name the resource (the inverse, computed).
func (s *Server) related(w http.ResponseWriter, req *http.Request, typ, id, name string) {
	s.mu.Lock()
	r, ok := s.resources[typ][id]
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", fmt.Sprintf("no %s with id %s", typ, id), "")
		return
	}
	doc := &jsonapi.Document{Shape: jsonapi.Many, Data: []jsonapi.Resource{}}
	if rel := r.Relationships[name]; rel != nil && rel.Shape != jsonapi.Absent {
		doc.Shape = rel.Shape
		if rel.Shape == jsonapi.One {
			doc.Shape = jsonapi.Null
		}
		for _, m := range rel.Data {
			if target, ok := s.resources[canonical(m.Type)][m.ID]; ok {
				doc.Data = append(doc.Data, *target)
				if rel.Shape == jsonapi.One {
					doc.Shape = jsonapi.One
				}
			}
		}
	} else {
		other := canonical(name)
		for _, oid := range s.order[other] {
			o := s.resources[other][oid]
			for _, rel := range o.Relationships {
				if rel != nil && slices.ContainsFunc(rel.Data, func(m jsonapi.Identifier) bool { return canonical(m.Type) == typ && m.ID == id }) {
					doc.Data = append(doc.Data, *o)
					break
				}
			}
		}
	}
	s.includeLocked(doc, req.URL.Query().Get("include"))
	s.mu.Unlock()
	writeDoc(w, http.StatusOK, doc)
}

// withLinks returns r with a related link on each relationship it holds
// ("/albums/1/artist"), which the server answers; the stored resource is
// not changed.
func withLinks(r jsonapi.Resource) jsonapi.Resource {
	if len(r.Relationships) == 0 || r.ID == "" {
		return r
	}
	rels := make(map[string]*jsonapi.Relationship, len(r.Relationships))
	for name, rel := range r.Relationships {
		c := *rel
		if c.Links.Href("related") == "" {
			c.Links = maps.Clone(c.Links)
			if c.Links == nil {
				c.Links = jsonapi.Links{}
			}
			c.Links["related"] = &jsonapi.Link{Href: "/" + model.Pluralize(r.Type) + "/" + url.PathEscape(r.ID) + "/" + name}
		}
		rels[name] = &c
	}
	r.Relationships = rels
	return r
}

// readOne reads a request document holding one resource.
func readOne(w http.ResponseWriter, req *http.Request, typ string) (*jsonapi.Resource, bool) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", err.Error(), "")
		return nil, false
	}
	doc, err := jsonapi.Decode(body)
	if err != nil || doc.Shape != jsonapi.One {
		detail := "want one resource"
		if err != nil {
			detail = err.Error()
		}
		writeError(w, http.StatusBadRequest, "Bad Request", detail, "")
		return nil, false
	}
	r := doc.Data[0]
	if canonical(r.Type) != typ {
		writeError(w, http.StatusConflict, "Conflict", fmt.Sprintf("type %q does not match the endpoint's %q", r.Type, typ), "/data/type")
		return nil, false
	}
	return &r, true
}

func (s *Server) create(w http.ResponseWriter, req *http.Request, typ string) {
	r, ok := readOne(w, req, typ)
	if !ok {
		return
	}
	if errs := s.check(r); len(errs) > 0 {
		writeDoc(w, http.StatusUnprocessableEntity, &jsonapi.Document{Errors: errs})
		return
	}
	s.mu.Lock()
	if r.ID != "" {
		if _, exists := s.resources[typ][r.ID]; exists {
			s.mu.Unlock()
			writeError(w, http.StatusConflict, "Conflict", fmt.Sprintf("%s %s already exists", typ, r.ID), "/data/id")
			return
		}
	} else {
		s.nextID++
		r.ID = fmt.Sprintf("new-%d", s.nextID)
	}
	if r.Attributes == nil {
		r.Attributes = map[string]json.RawMessage{}
	}
	stored := *r
	stored.LID = ""
	s.putLocked(&stored)
	s.emitOpLocked(map[string]any{"op": "add", "data": resourceJSON(&stored)})
	s.mu.Unlock()
	w.Header().Set("Location", req.URL.Path+"/"+r.ID)
	writeDoc(w, http.StatusCreated, &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{*r}}) // lid echoed
}

func (s *Server) update(w http.ResponseWriter, req *http.Request, typ, id string) {
	r, ok := readOne(w, req, typ)
	if !ok {
		return
	}
	if r.ID != id {
		writeError(w, http.StatusConflict, "Conflict", fmt.Sprintf("id %q does not match the endpoint's %q", r.ID, id), "/data/id")
		return
	}
	if errs := s.check(r); len(errs) > 0 {
		writeDoc(w, http.StatusUnprocessableEntity, &jsonapi.Document{Errors: errs})
		return
	}
	s.mu.Lock()
	cur, exists := s.resources[typ][id]
	if !exists {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", fmt.Sprintf("no %s with id %s", typ, id), "")
		return
	}
	next := withOwnAttributes(cur)
	maps.Copy(next.Attributes, r.Attributes)
	if len(r.Relationships) > 0 {
		next.Relationships = maps.Clone(cur.Relationships)
		if next.Relationships == nil {
			next.Relationships = map[string]*jsonapi.Relationship{}
		}
		maps.Copy(next.Relationships, r.Relationships)
	}
	s.putLocked(&next)
	s.emitOpLocked(map[string]any{"op": "update", "data": resourceJSON(&next)})
	noContent := s.noContent
	s.mu.Unlock()
	if noContent {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeDoc(w, http.StatusOK, &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{next}})
}

func (s *Server) remove(w http.ResponseWriter, typ, id string) {
	s.mu.Lock()
	if _, ok := s.resources[typ][id]; !ok {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", fmt.Sprintf("no %s with id %s", typ, id), "")
		return
	}
	s.removeLocked(typ, id)
	s.emitOpLocked(map[string]any{"op": "remove", "ref": map[string]string{"type": typ, "id": id}})
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) action(w http.ResponseWriter, typ, id, name string) {
	s.mu.Lock()
	act, ok := s.actions[name]
	cur, exists := s.resources[typ][id]
	if !ok || !exists {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", fmt.Sprintf("no action %s on %s %s", name, typ, id), "")
		return
	}
	next := withOwnAttributes(cur)
	if e := act(&next); e != nil {
		s.mu.Unlock()
		writeDoc(w, http.StatusUnprocessableEntity, &jsonapi.Document{Errors: []jsonapi.ErrorObject{*e}})
		return
	}
	s.putLocked(&next)
	s.mu.Unlock()
	writeDoc(w, http.StatusOK, &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{next}})
}

// withOwnAttributes copies a resource with an attribute map of its own, so the
// copy can change without touching the stored resource.
func withOwnAttributes(cur *jsonapi.Resource) jsonapi.Resource {
	next := *cur
	next.Attributes = maps.Clone(cur.Attributes)
	if next.Attributes == nil {
		next.Attributes = map[string]json.RawMessage{}
	}
	return next
}

func writeDoc(w http.ResponseWriter, status int, doc *jsonapi.Document) {
	if doc != nil {
		d := *doc
		d.Data = slices.Clone(doc.Data)
		d.Included = slices.Clone(doc.Included)
		for i := range d.Data {
			d.Data[i] = withLinks(d.Data[i])
		}
		for i := range d.Included {
			d.Included[i] = withLinks(d.Included[i])
		}
		doc = &d
	}
	b, err := jsonapi.Encode(doc)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Internal Server Error", err.Error(), "")
		return
	}
	w.Header().Set("Content-Type", jsonapi.MediaType)
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, title, detail, pointer string) {
	e := jsonapi.ErrorObject{Status: strconv.Itoa(status), Title: title, Detail: detail}
	if pointer != "" {
		e.Source = &jsonapi.ErrorSource{Pointer: pointer}
	}
	b, _ := jsonapi.Encode(&jsonapi.Document{Errors: []jsonapi.ErrorObject{e}})
	w.Header().Set("Content-Type", jsonapi.MediaType)
	w.WriteHeader(status)
	w.Write(b)
}
