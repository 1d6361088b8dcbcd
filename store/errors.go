package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/larder-go/larder/jsonapi"
)

// Conditions store errors wrap; test for them with errors.Is.
var (
	// ErrUnknownType reports a type name no registered model has.
	ErrUnknownType = errors.New("unknown type")
	// ErrTypeMismatch reports a resource of another type than the call expects,
	// or an identifier a relationship cannot hold.
	ErrTypeMismatch = errors.New("type mismatch")
	// ErrMissingID reports a resource without an id where one is required.
	ErrMissingID = errors.New("missing id")
	// ErrShape reports linkage of the wrong cardinality, such as an array for a
	// belongsTo.
	ErrShape = errors.New("wrong relationship shape")
	// ErrClosed reports a call on a closed store.
	ErrClosed = errors.New("store closed")
	// ErrIDInUse reports a CreateRecord with the id of a record already
	// loaded: creating is not an upsert.
	ErrIDInUse = errors.New("id already in use")
	// ErrNotLoaded reports an edit, save or delete of a record that is not
	// loaded.
	ErrNotLoaded = errors.New("record not loaded")
	// ErrDeleted reports an edit of a record marked deleted.
	ErrDeleted = errors.New("record is deleted")
	// ErrSaving reports an unload of a record whose save is in flight.
	ErrSaving = errors.New("record is saving")
	// ErrIDChanged reports an edit that changes a record's id: the id of a
	// record is set once, by CreateRecord or by the server.
	ErrIDChanged = errors.New("id cannot change")
	// ErrNoRelationship reports a relationship name the model does not
	// declare, or one of the other kind (a hasMany asked for as a belongsTo).
	ErrNoRelationship = errors.New("no such relationship")
)

// A DocumentError reports a document the store cannot apply, with the JSON
// pointer of the member at fault ("/data/0/attributes/songCount"). The store
// checks a whole document before it applies any of it, so a DocumentError means
// nothing changed.
type DocumentError struct {
	Pointer string
	Err     error
}

func (e *DocumentError) Error() string {
	var b strings.Builder
	b.WriteString("store: ")
	if e.Pointer != "" {
		b.WriteString(e.Pointer)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error: a condition above, an *attr.DecodeError,
// or a *jsonapi.DecodeError.
func (e *DocumentError) Unwrap() error { return e.Err }

// Conditions of a failed request, after Ember Data's adapter errors. An
// *AdapterError wraps exactly one; test with errors.Is.
var (
	ErrNotFound     = errors.New("not found")     // 404, or a response without the requested record
	ErrInvalid      = errors.New("invalid")       // 422: Errors says which attributes
	ErrUnauthorized = errors.New("unauthorized")  // 401
	ErrForbidden    = errors.New("forbidden")     // 403
	ErrConflict     = errors.New("conflict")      // 409
	ErrServer       = errors.New("server error")  // 5xx
	ErrTimeout      = errors.New("timeout")       // the request timed out
	ErrAborted      = errors.New("aborted")       // the request was cancelled
	ErrAdapter      = errors.New("adapter error") // any other failure status or transport error
	ErrNoAdapter    = errors.New("no adapter")    // the store has no adapter for the type
	ErrNotSupported = errors.New("not supported") // the serializer lacks the capability
	ErrPlugin       = errors.New("plugin error")  // an adapter, serializer or hook answered wrongly: see PluginError
)

// A PluginError reports a plugin (an adapter, a serializer, a hook) that
// answered in a way the store cannot use: a nil response with a nil error, a
// nil document, a document of the wrong shape, or a panic, which the store
// recovers rather than let it end the process. It is the Cause of an
// *AdapterError whose Err is ErrPlugin, and matches ErrPlugin itself.
type PluginError struct {
	Plugin string // what misbehaved, with its Go type: "serializer *app.AlbumSerializer"
	Op     Op
	Type   string
	Err    error // what it did
}

func (e *PluginError) Error() string {
	return "store: " + e.Op.String() + " " + e.Type + ": " + e.Plugin + ": " + e.Err.Error()
}

// Unwrap returns what the plugin did.
func (e *PluginError) Unwrap() error { return e.Err }

// Is reports whether target is ErrPlugin.
func (e *PluginError) Is(target error) bool { return target == ErrPlugin }

// pluginError builds the *AdapterError for a plugin's wrong answer.
func pluginError(req *Request, plugin any, kind string, err error) *AdapterError {
	return &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Err: ErrPlugin,
		Cause: &PluginError{Plugin: fmt.Sprintf("%s %T", kind, plugin), Op: req.Op, Type: req.Type, Err: err}}
}

// recovered turns a recovered panic value into an error.
func recovered(v any) error {
	if err, ok := v.(error); ok {
		return fmt.Errorf("panic: %w", err)
	}
	return fmt.Errorf("panic: %v", v)
}

// An AdapterError reports a failed request: the backend's status and its JSON:API
// error objects (a body that is not JSON:API is wrapped into one error object,
// not lost). Err is the condition: ErrNotFound, ErrInvalid, ErrUnauthorized,
// ErrForbidden, ErrConflict, ErrServer, ErrTimeout, ErrAborted or ErrAdapter;
// Cause is the transport error, if any.
type AdapterError struct {
	Op     Op
	Type   string
	ID     string
	Status int
	Errors []jsonapi.ErrorObject
	Err    error
	Cause  error
}

func (e *AdapterError) Error() string {
	var b strings.Builder
	b.WriteString("store: ")
	b.WriteString(e.Op.String())
	if e.Type != "" {
		b.WriteString(" ")
		b.WriteString(e.Type)
		if e.ID != "" {
			b.WriteString(":")
			b.WriteString(e.ID)
		}
	}
	b.WriteString(": ")
	if e.Status != 0 {
		b.WriteString(strconv.Itoa(e.Status))
		b.WriteString(" ")
	}
	b.WriteString(e.Err.Error())
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	} else if len(e.Errors) > 0 {
		b.WriteString(": ")
		b.WriteString(e.Errors[0].Error())
	}
	return b.String()
}

// Unwrap returns the condition and the transport error.
func (e *AdapterError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// AttributeErrors maps the error objects to attributes exactly as Ember Data's
// errorsArrayToHash does: a source.pointer matching /data/attributes/<key> or
// /data/relationships/<key> (the leading slash optional) gives <key>, the whole
// rest of the pointer ("title", or "tags/0" for a nested one); any other pointer
// under /data ("/data", "/data/id", "data/type") gives "base". The message is the
// detail, else the title. Errors without a pointer, or with a pointer outside
// /data, are left out.
func (e *AdapterError) AttributeErrors() map[string][]string {
	out := map[string][]string{}
	for _, o := range e.Errors {
		if o.Source == nil || o.Source.Pointer == "" {
			continue
		}
		key, ok := pointerKey(o.Source.Pointer)
		if !ok {
			continue
		}
		msg := o.Detail
		if msg == "" {
			msg = o.Title
		}
		out[key] = append(out[key], msg)
	}
	return out
}

// pointerKey is Ember's pair of regular expressions,
// /^\/?data\/(attributes|relationships)\/(.*)/ and then /^\/?data/.
func pointerKey(p string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(p, "/"), "data")
	if !ok {
		return "", false
	}
	for _, section := range []string{"/attributes/", "/relationships/"} {
		if key, ok := strings.CutPrefix(rest, section); ok {
			return key, true
		}
	}
	return "base", true
}

// errorForStatus returns the condition for a failure status, as Ember Data's
// handleResponse maps them.
func errorForStatus(status int) error {
	switch {
	case status == 401:
		return ErrUnauthorized
	case status == 403:
		return ErrForbidden
	case status == 404:
		return ErrNotFound
	case status == 409:
		return ErrConflict
	case status == 422:
		return ErrInvalid
	case status >= 500:
		return ErrServer
	}
	return ErrAdapter
}

// success reports whether a status is a success: 2xx and 304.
func success(status int) bool { return status >= 200 && status < 300 || status == 304 }
