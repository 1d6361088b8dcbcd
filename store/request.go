package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
)

// fetch sends req through the type's adapter and returns the normalized
// document, never nil. Every failure is an *AdapterError or a *DocumentError;
// a plugin's wrong answer (or panic) is an *AdapterError wrapping ErrPlugin.
func (s *Cache) fetch(ctx context.Context, req *Request) (*jsonapi.Document, error) {
	c := &s.untyped
	var a Adapter
	if tc, err := s.typeCacheFor(req.Type); err == nil {
		a, c = tc.send, &tc.stats
	} else {
		a = s.sender(req.Type)
	}
	var err error
	switch {
	case s.closed.Load():
		err = &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Err: ErrClosed}
	case a == nil:
		err = &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Err: ErrNoAdapter}
	}
	if err != nil {
		c.failed(err)
		return nil, err
	}
	if req.Model == nil && req.Type != "" {
		req.Model, _ = s.reg.ByName(req.Type)
	}
	if int(req.Op) < len(c.requests) {
		c.requests[req.Op].Add(1)
	}
	start := time.Now()
	status, doc, err := s.exchange(ctx, a, req)
	if err != nil {
		c.failed(err)
	}
	s.logRequest(ctx, req, status, time.Since(start), err)
	return doc, err
}

// exchange sends req through a and reads the answer, returning the response's
// status (0 when there was none).
func (s *Cache) exchange(ctx context.Context, a Adapter, req *Request) (int, *jsonapi.Document, error) {
	resp, err := s.do(ctx, a, req)
	if err != nil {
		return 0, nil, err
	}
	if !success(resp.Status) {
		return resp.Status, nil, s.responseError(req, resp)
	}
	if len(resp.Body) == 0 || resp.Status == 204 {
		return resp.Status, &jsonapi.Document{}, nil
	}
	doc, err := s.normalizeResponse(req, resp.Body)
	return resp.Status, doc, err
}

// do calls the adapter, turning a panic or a nil response into a typed error.
func (s *Cache) do(ctx context.Context, a Adapter, req *Request) (resp *Response, err error) {
	defer func() {
		if v := recover(); v != nil {
			resp, err = nil, pluginError(req, a, "adapter", recovered(v))
		}
	}()
	resp, err = a.Do(ctx, req)
	if err != nil {
		return nil, transportError(ctx, req, err)
	}
	if resp == nil {
		return nil, pluginError(req, a, "adapter", errors.New("returned no response and no error"))
	}
	return resp, nil
}

// normalizeResponse runs the type's serializer, or decodes the body as a
// normalized JSON:API document when there is none. The document is never nil.
func (s *Cache) normalizeResponse(req *Request, body []byte) (doc *jsonapi.Document, err error) {
	typ := req.Type
	if req.RelatedType != "" {
		typ = req.RelatedType // a related link's answer holds the members, as in Ember Data
	}
	sz := s.SerializerFor(typ)
	if sz == nil {
		doc, err := jsonapi.Decode(body)
		if err != nil {
			return nil, &DocumentError{Err: err}
		}
		return doc, nil
	}
	defer func() {
		if v := recover(); v != nil {
			doc, err = nil, pluginError(req, sz, "serializer", recovered(v))
		}
	}()
	doc, err = sz.NormalizeResponse(s, req, body)
	if err != nil {
		var de *DocumentError
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, &DocumentError{Err: err}
	}
	if err := checkShape(doc); err != nil {
		return nil, pluginError(req, sz, "serializer", err)
	}
	return doc, nil
}

// checkShape checks what a serializer returned against what jsonapi.Decode
// guarantees: a document, and primary data that agrees with its shape.
func checkShape(doc *jsonapi.Document) error {
	if doc == nil {
		return errors.New("returned no document and no error")
	}
	n := len(doc.Data)
	switch {
	case doc.Shape == jsonapi.One && n != 1,
		(doc.Shape == jsonapi.Null || doc.Shape == jsonapi.Absent) && n != 0:
		return fmt.Errorf("returned a document of shape %s with %d resources", doc.Shape, n)
	}
	return nil
}

// responseError builds the error for a failure status. A body holding JSON:API
// error objects gives them; any other body becomes one error object, as Ember
// Data's normalizeErrorResponse does.
func (s *Cache) responseError(req *Request, resp *Response) error {
	e := &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Status: resp.Status, Err: errorForStatus(resp.Status)}
	if len(resp.Body) > 0 {
		if en, ok := s.SerializerFor(req.Type).(ErrorNormalizer); ok {
			e.Errors = s.normalizeErrorBody(en, req, resp)
		}
	}
	if len(resp.Body) > 0 && e.Errors == nil {
		if doc, err := jsonapi.Decode(resp.Body); err == nil && len(doc.Errors) > 0 {
			e.Errors = doc.Errors
		}
	}
	if e.Errors == nil {
		e.Errors = []jsonapi.ErrorObject{{
			Status: fmt.Sprint(resp.Status),
			Title:  "The backend responded with an error",
			Detail: truncate(string(resp.Body), 512),
		}}
	}
	if tc, err := s.typeCacheFor(req.Type); err == nil && tc.invalid != nil {
		if s.isInvalid(tc, req, resp.Status, e.Errors) {
			e.Err = ErrInvalid
		} else if e.Err == ErrInvalid {
			e.Err = ErrAdapter
		}
	}
	return e
}

// normalizeErrorBody asks the serializer's ErrorNormalizer, treating a panic
// as no answer and reporting it.
func (s *Cache) normalizeErrorBody(en ErrorNormalizer, req *Request, resp *Response) (errs []jsonapi.ErrorObject) {
	defer func() {
		if v := recover(); v != nil {
			errs = nil
			s.reportBackground(pluginError(req, en, "serializer", recovered(v)))
		}
	}()
	errs = en.NormalizeErrors(s, req, resp.Status, slices.Clone(resp.Body))
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// isInvalid asks the adapter's InvalidChecker, treating a panic as "no" and
// reporting it.
func (s *Cache) isInvalid(tc *typeCache, req *Request, status int, errs []jsonapi.ErrorObject) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			ok = status == 422
			s.reportBackground(pluginError(req, tc.invalid, "adapter", recovered(v)))
		}
	}()
	return tc.invalid.IsInvalid(status, slices.Clone(errs))
}

// transportError classifies an adapter's error: a deadline is ErrTimeout, a
// cancellation ErrAborted, anything else ErrAdapter.
func transportError(ctx context.Context, req *Request, err error) error {
	var ae *AdapterError
	if errors.As(err, &ae) {
		return err
	}
	cond := ErrAdapter
	var timeout interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &timeout) && timeout.Timeout():
		cond = ErrTimeout
	case errors.Is(err, context.Canceled), ctx.Err() != nil:
		cond = ErrAborted
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cond = ErrTimeout
		}
	}
	return &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Err: cond, Cause: err}
}

// Execute sends a request of the program's own through the adapter for
// req.Type, normalizes the response with that type's serializer, pushes it, and
// returns the normalized document. It is how a custom endpoint's answer (an
// action such as "process-payment") reaches the cache.
//
// Execute does not modify req: the store sends its own copy. A response with
// no content (a 204, or an empty body) gives a nil document and no error.
func (s *Cache) Execute(ctx context.Context, req *Request) (*jsonapi.Document, error) {
	r := *req
	if r.Op == 0 {
		r.Op = OpCustom
	}
	since := s.requestStarted() // see answers.go
	defer s.requestDone()
	doc, err := s.fetch(ctx, &r)
	if err != nil {
		return nil, err
	}
	if doc.Shape == jsonapi.Absent && doc.Errors == nil && doc.Meta == nil && doc.Included == nil {
		return nil, nil // no content (204, or an empty body): nothing to push or return
	}
	if _, err := s.pushAnswer(since, doc, nil); err != nil {
		return nil, err
	}
	return doc, nil
}

// PushPayload normalizes a raw payload with the serializer for typ (or the
// store's own when typ is empty) and pushes it, as Ember Data's pushPayload.
// Key mapping applies here, unlike Push. A serializer that cannot normalize
// whole payloads (the JSON serializer) gives ErrNotSupported.
func (s *Cache) PushPayload(typ string, raw []byte) error {
	return s.pushPayload(OriginProgram, typ, raw)
}

// pushPayload is PushPayload with an origin.
func (s *Cache) pushPayload(o Origin, typ string, raw []byte) error {
	var sz Serializer
	if typ != "" {
		if _, err := s.ModelFor(typ); err != nil {
			return err
		}
		sz = s.SerializerFor(typ)
	} else {
		sz = s.serializer
	}
	var doc *jsonapi.Document
	switch p := sz.(type) {
	case nil:
		_, err := s.pushDocument(o, raw, nil, nil)
		return err
	case PayloadNormalizer:
		d, err := normalizePayload(s, p, typ, raw)
		if err != nil {
			return err
		}
		doc = d
	default:
		return fmt.Errorf("store: push payload: %T: %w", sz, ErrNotSupported)
	}
	_, err := s.push(o, doc, nil)
	return err
}

// Normalize turns one raw resource hash of type typ into a normalized document
// ready for Push, with the type's serializer, as Ember Data's normalize.
func (s *Cache) Normalize(typ string, raw []byte) (*jsonapi.Document, error) {
	m, err := s.ModelFor(typ)
	if err != nil {
		return nil, err
	}
	switch n := s.SerializerFor(typ).(type) {
	case nil:
		d, err := jsonapi.Decode(append(append([]byte(`{"data":`), raw...), '}'))
		if err != nil {
			return nil, &DocumentError{Err: err}
		}
		if d.Shape != jsonapi.One {
			return nil, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: want one resource", ErrShape)}
		}
		return &jsonapi.Document{Shape: jsonapi.One, Data: d.Data}, nil
	case ResourceNormalizer:
		return normalizeResource(s, n, m, raw)
	default:
		return nil, fmt.Errorf("store: normalize: %T: %w", n, ErrNotSupported)
	}
}

// normalizePayload runs a serializer's NormalizePayload, turning a panic or a
// document it cannot have meant into a typed error.
func normalizePayload(s *Cache, p PayloadNormalizer, typ string, raw []byte) (*jsonapi.Document, error) {
	return guarded(&Request{Op: OpCustom, Type: typ}, p, func() (*jsonapi.Document, error) { return p.NormalizePayload(s, typ, raw) })
}

// normalizeResource runs a serializer's Normalize, likewise guarded.
func normalizeResource(s *Cache, n ResourceNormalizer, m *model.Model, raw []byte) (*jsonapi.Document, error) {
	return guarded(&Request{Op: OpCustom, Type: m.Name}, n, func() (*jsonapi.Document, error) { return n.Normalize(s, m, raw) })
}

// guarded calls a serializer, turning its panic or a document of the wrong
// shape into an *AdapterError wrapping ErrPlugin.
func guarded(req *Request, sz any, f func() (*jsonapi.Document, error)) (doc *jsonapi.Document, err error) {
	defer func() {
		if v := recover(); v != nil {
			doc, err = nil, pluginError(req, sz, "serializer", recovered(v))
		}
	}()
	if doc, err = f(); err != nil {
		return nil, err
	}
	if err := checkShape(doc); err != nil {
		return nil, pluginError(req, sz, "serializer", err)
	}
	return doc, nil
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut with
// "...".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
