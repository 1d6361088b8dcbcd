package store

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/larder-go/larder/jsonapi"
)

// fetch sends req through the type's adapter and returns the normalized
// document. Every failure is an *AdapterError or a *DocumentError.
func (s *Cache) fetch(ctx context.Context, req *Request) (*jsonapi.Document, error) {
	if s.closed.Load() {
		return nil, &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Err: ErrClosed}
	}
	a := s.AdapterFor(req.Type)
	if a == nil {
		return nil, &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Err: ErrNoAdapter}
	}
	if req.Model == nil && req.Type != "" {
		req.Model, _ = s.reg.ByName(req.Type)
	}
	resp, err := a.Do(ctx, req)
	if err != nil {
		return nil, transportError(ctx, req, err)
	}
	if resp == nil {
		return nil, &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Err: ErrAdapter, Cause: errors.New("adapter returned no response")}
	}
	if !success(resp.Status) {
		return nil, s.responseError(req, resp)
	}
	if len(resp.Body) == 0 || resp.Status == 204 {
		return &jsonapi.Document{}, nil
	}
	return s.normalizeResponse(req, resp.Body)
}

// normalizeResponse runs the type's serializer, or decodes the body as a
// normalized JSON:API document when there is none.
func (s *Cache) normalizeResponse(req *Request, body []byte) (*jsonapi.Document, error) {
	sz := s.SerializerFor(req.Type)
	if sz == nil {
		doc, err := jsonapi.Decode(body)
		if err != nil {
			return nil, &DocumentError{Err: err}
		}
		return doc, nil
	}
	doc, err := sz.NormalizeResponse(s, req, body)
	if err != nil {
		var de *DocumentError
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, &DocumentError{Err: err}
	}
	return doc, nil
}

// responseError builds the error for a failure status. A body holding JSON:API
// error objects gives them; any other body becomes one error object, as Ember
// Data's normalizeErrorResponse does.
func (s *Cache) responseError(req *Request, resp *Response) error {
	e := &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Status: resp.Status, Err: errorForStatus(resp.Status)}
	if len(resp.Body) > 0 {
		if doc, err := jsonapi.Decode(resp.Body); err == nil && len(doc.Errors) > 0 {
			e.Errors = doc.Errors
			return e
		}
	}
	detail := string(resp.Body)
	if len(detail) > 512 {
		detail = detail[:512] + "..."
	}
	e.Errors = []jsonapi.ErrorObject{{
		Status: fmt.Sprint(resp.Status),
		Title:  "The backend responded with an error",
		Detail: detail,
	}}
	return e
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
func (s *Cache) Execute(ctx context.Context, req *Request) (*jsonapi.Document, error) {
	if req.Op == 0 {
		req.Op = OpCustom
	}
	doc, err := s.fetch(ctx, req)
	if err != nil {
		return nil, err
	}
	if _, err := s.push(doc, nil); err != nil {
		return nil, err
	}
	return doc, nil
}

// PushPayload normalizes a raw payload with the serializer for typ (or the
// store's own when typ is empty) and pushes it, as Ember Data's pushPayload.
// Key mapping applies here, unlike Push. A serializer that cannot normalize
// whole payloads (the JSON serializer) gives ErrNotSupported.
func (s *Cache) PushPayload(typ string, raw []byte) error {
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
		d, err := jsonapi.Decode(raw)
		if err != nil {
			return &DocumentError{Err: err}
		}
		doc = d
	case PayloadNormalizer:
		d, err := p.NormalizePayload(s, typ, raw)
		if err != nil {
			return err
		}
		doc = d
	default:
		return fmt.Errorf("store: push payload: %T: %w", sz, ErrNotSupported)
	}
	_, err := s.push(doc, nil)
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
		return n.Normalize(s, m, raw)
	default:
		return nil, fmt.Errorf("store: normalize: %T: %w", n, ErrNotSupported)
	}
}
