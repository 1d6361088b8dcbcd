package store

import (
	"context"
	"net/url"
	"strconv"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
)

// Op names the operation a Request asks an adapter for, after Ember Data's
// adapter methods.
type Op uint8

const (
	OpFindRecord Op = iota + 1
	OpFindAll
	OpFindMany
	OpQuery
	OpQueryRecord
	OpFindBelongsTo
	OpFindHasMany
	OpCreateRecord
	OpUpdateRecord
	OpDeleteRecord
	// OpCustom is a request to an endpoint of the program's choosing (Request.URL
	// and Request.Method), such as an action like "process-payment".
	OpCustom
)

var opNames = [...]string{"", "findRecord", "findAll", "findMany", "query", "queryRecord",
	"findBelongsTo", "findHasMany", "createRecord", "updateRecord", "deleteRecord", "custom"}

// String returns the Ember Data name of the operation, such as "findRecord".
func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// A Request is one operation for an adapter. The store builds it; an adapter
// must not modify it.
type Request struct {
	Op    Op
	Type  string       // the model's type name
	Model *model.Model // the model, for adapters and serializers that need its schema
	ID    string       // findRecord, updateRecord, deleteRecord
	IDs   []string     // findMany
	// Relationship and RelatedType name the relationship a findBelongsTo or
	// findHasMany loads and its members' type ("" for a polymorphic one);
	// Type and ID are then the record it belongs to, whose URL a relative
	// link resolves against.
	Relationship string
	RelatedType  string
	// Include lists relationship paths to side-load ("artist", "songs.writer").
	Include []string
	// Query holds query parameters: Query and QueryRecord's query, plus any the
	// caller adds.
	Query url.Values
	// AdapterOptions is passed through from the caller untouched.
	AdapterOptions map[string]any
	// URL is a link to follow (findBelongsTo, findHasMany, or a query's paging
	// link, which carries its own query) or a custom endpoint; Method is the
	// HTTP method for a custom request ("" means GET). A link comes from the
	// server and is untrusted: an adapter must not follow it to another origin
	// with the program's credentials.
	URL    string
	Method string
	// Body is the request body for writes and custom requests.
	Body []byte

	coalesced bool // a findMany the store sent for finds it gathered
}

// A Response is what a backend answered. Status is the HTTP status (or the
// equivalent); the store turns a non-2xx status into a typed error, using Body's
// JSON:API error objects when it has them.
type Response struct {
	Status int
	Header map[string][]string
	Body   []byte
}

// An Adapter performs one request against a backend. It must be safe for
// concurrent use by multiple goroutines, should not interpret the payload, and
// returns a non-nil error only when no response was obtained (a transport
// failure, a timeout, a cancelled context): a 404 is a Response with Status 404.
type Adapter interface {
	Do(ctx context.Context, req *Request) (*Response, error)
}

// AdapterFunc adapts a function to the Adapter interface.
type AdapterFunc func(ctx context.Context, req *Request) (*Response, error)

// Do calls f(ctx, req).
func (f AdapterFunc) Do(ctx context.Context, req *Request) (*Response, error) { return f(ctx, req) }

// A ReloadPolicy decides whether cached data is fresh enough, as Ember Data's
// adapter hooks shouldReloadRecord, shouldBackgroundReloadRecord,
// shouldReloadAll and shouldBackgroundReloadAll do. An adapter implements it to
// change the defaults: never reload a loaded record, always reload it in the
// background, reload all when the live array is empty, and always reload all in
// the background.
type ReloadPolicy interface {
	ShouldReloadRecord(typ, id string) bool
	ShouldBackgroundReloadRecord(typ, id string) bool
	ShouldReloadAll(typ string, cached int) bool
	ShouldBackgroundReloadAll(typ string, cached int) bool
}

// A BatchAdapter loads many records of one type in one round trip (Ember Data's
// findMany with coalesceFindRequests). When the store's adapter implements it,
// FindRecord calls for one type that overlap in time are coalesced into one
// OpFindMany request.
type BatchAdapter interface {
	Adapter
	// CoalesceFindRequests reports whether to coalesce finds of the type.
	CoalesceFindRequests(typ string) bool
}

// A FindManyGrouper splits the ids of a coalesced find into the findMany
// requests to send, as Ember Data's groupRecordsForFindMany: for example so no
// URL passes a length limit, or so an id holding the list separator is fetched
// alone. Every id must be in exactly one group; the store fetches alone any id
// a grouper leaves out.
type FindManyGrouper interface {
	GroupFindMany(typ string, ids []string) [][]string
}

// An IDGenerator makes ids for new records on the client, as Ember Data's
// generateIdForRecord.
type IDGenerator interface {
	GenerateID(typ string) string
}

// An InvalidChecker decides which failed responses are validation errors
// (ErrInvalid, with errors per attribute on the record), as Ember Data's
// adapter hook isInvalid. Without one, only 422 is. A backend such as Django
// REST framework JSON:API, which answers validation errors with 400 and
// source pointers, needs one.
type InvalidChecker interface {
	IsInvalid(status int, errs []jsonapi.ErrorObject) bool
}
