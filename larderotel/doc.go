// Package larderotel connects a store to OpenTelemetry: Middleware wraps
// each request the store sends in a span, and RegisterMetrics exports the
// store's Stats as metrics. It is a package of its own so that the store
// does not depend on OpenTelemetry; a program that does not import it does
// not link it.
//
//	s, err := store.New(adapter, serializer,
//		store.WithModels(models...),
//		store.WithMiddleware(larderotel.Middleware(otel.GetTracerProvider())))
//	reg, err := larderotel.RegisterMetrics(s, otel.GetMeterProvider())
//	defer reg.Unregister()
//
// Spans are children of the span in the request's context: the caller's for
// a find that sent its own request, the first caller's for a request finds
// shared, and none for a coalesced findMany or a background reload, which no
// one caller owns.
package larderotel
