package larderotel_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/larderotel"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// Each request the store sends is a span; here they go to an in-memory
// exporter instead of a collector.
func ExampleMiddleware() {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...),
		store.WithMiddleware(larderotel.Middleware(tp)))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	store.FindRecord[fixture.Album](context.Background(), s, "1", store.BackgroundReload(false))
	store.FindRecord[fixture.Album](context.Background(), s, "1", store.BackgroundReload(false)) // a hit: no request
	for _, span := range exp.GetSpans() {
		fmt.Println(span.Name, span.Attributes)
	}
	// Output:
	// larder findRecord album [{"larder.op":"findRecord"} {"larder.type":"album"} {"larder.id":"1"} {"http.response.status_code":200}]
}
