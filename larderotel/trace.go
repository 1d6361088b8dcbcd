package larderotel

import (
	"context"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/larder-go/larder/store"
)

// ScopeName is the instrumentation scope of larder's spans and metrics.
const ScopeName = "github.com/larder-go/larder/larderotel"

// Attribute keys of spans and metrics.
const (
	KeyOp        = attribute.Key("larder.op")
	KeyType      = attribute.Key("larder.type")
	KeyID        = attribute.Key("larder.id")
	KeyIDs       = attribute.Key("larder.ids")
	KeyRelation  = attribute.Key("larder.relationship")
	KeyStatus    = attribute.Key("http.response.status_code")
	KeyResult    = attribute.Key("larder.result")
	KeyCondition = attribute.Key("larder.error")
)

// Middleware returns a store.Middleware that wraps each request in a client
// span named "larder <op> <type>" ("larder findRecord album"), with the
// operation, type, id (or the number of ids), relationship and response
// status as attributes. A request that fails, or is answered with a status
// of 400 or more, ends its span with an error status.
func Middleware(tp trace.TracerProvider) store.Middleware {
	tracer := tp.Tracer(ScopeName)
	return func(next store.Adapter) store.Adapter {
		return traced{next: next, tracer: tracer}
	}
}

type traced struct {
	next   store.Adapter
	tracer trace.Tracer
}

// Unwrap returns the wrapped adapter, so the store finds its optional
// interfaces (BatchAdapter, ReloadPolicy) through the span.
func (t traced) Unwrap() store.Adapter { return t.next }

func (t traced) Do(ctx context.Context, req *store.Request) (*store.Response, error) {
	name := "larder " + req.Op.String()
	if req.Type != "" {
		name += " " + req.Type
	}
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs, KeyOp.String(req.Op.String()), KeyType.String(req.Type))
	switch {
	case req.ID != "":
		attrs = append(attrs, KeyID.String(req.ID))
	case len(req.IDs) > 0:
		attrs = append(attrs, KeyIDs.Int(len(req.IDs)))
	}
	if req.Relationship != "" {
		attrs = append(attrs, KeyRelation.String(req.Relationship))
	}
	ctx, span := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()
	resp, err := t.next.Do(ctx, req)
	switch {
	case err != nil:
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	case resp != nil:
		span.SetAttributes(KeyStatus.Int(resp.Status))
		if resp.Status >= 400 {
			span.SetStatus(codes.Error, "status "+strconv.Itoa(resp.Status))
		}
	}
	return resp, err
}
