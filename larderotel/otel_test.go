package larderotel_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/larderotel"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newStore(t *testing.T, opts ...store.Option) *store.Cache {
	srv := jsonapitest.NewServer()
	t.Cleanup(srv.Close)
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, Client: srv.Client()}}, &serializers.JSONAPI{},
		append([]store.Option{store.WithModels(fixture.Models()...)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func attrs(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestRequestsAreSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	s := newStore(t, store.WithMiddleware(larderotel.Middleware(tp)))

	ctx, parent := tp.Tracer("test").Start(context.Background(), "handler")
	_, err := store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false))
	require.NoError(t, err)
	_, err = store.FindRecord[fixture.Album](ctx, s, "404")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false))
	require.NoError(t, err, "a hit sends nothing, so makes no span")
	parent.End()

	spans := exp.GetSpans()
	require.Len(t, spans, 3, "two requests and the parent")
	ok, missing := spans[0], spans[1]
	assert.Equal(t, "larder findRecord album", ok.Name)
	assert.Equal(t, parent.SpanContext().SpanID(), ok.Parent.SpanID(), "the caller's span is the parent")
	assert.Equal(t, map[attribute.Key]attribute.Value{
		larderotel.KeyOp: attribute.StringValue("findRecord"), larderotel.KeyType: attribute.StringValue("album"),
		larderotel.KeyID: attribute.StringValue("1"), larderotel.KeyStatus: attribute.IntValue(200),
	}, attrs(ok.Attributes))
	assert.Equal(t, codes.Unset, ok.Status.Code)
	assert.Equal(t, codes.Error, missing.Status.Code)
	assert.Equal(t, "status 404", missing.Status.Description)
	assert.Equal(t, attribute.IntValue(404), attrs(missing.Attributes)[larderotel.KeyStatus])
}

// A request finds share is one span, under the first caller's.
func TestSharedRequestIsOneSpan(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	s := newStore(t, store.WithMiddleware(larderotel.Middleware(tp)))
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "2", store.BackgroundReload(false))
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	n := 0
	for _, sp := range exp.GetSpans() {
		if sp.Name == "larder findRecord album" {
			n++
		}
	}
	st := s.Stats()
	assert.Equal(t, int(st.Requests.FindRecord), n, "one span per request sent")
	// Each find sent the request, joined it, or came late enough to find
	// the record loaded (a hit): on a loaded machine, a goroutine can start
	// after the request ended.
	assert.Equal(t, uint64(5), st.Shared+st.Requests.FindRecord+st.Finds.Hits)
}

// The adapter's optional interfaces are found through the middleware: a
// coalescing adapter still coalesces.
func TestMiddlewareKeepsCapabilities(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	srv := jsonapitest.NewServer()
	defer srv.Close()
	a := &adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, Client: srv.Client(), Coalesce: true}}
	s, err := store.New(a, &serializers.JSONAPI{}, store.WithModels(fixture.Models()...), store.WithMiddleware(larderotel.Middleware(tp)))
	require.NoError(t, err)
	defer s.Close()
	var wg sync.WaitGroup
	for _, id := range []string{"1", "2", "3"} {
		wg.Go(func() { _, _ = store.FindRecord[fixture.Album](context.Background(), s, id) })
	}
	wg.Wait()
	require.NoError(t, s.Close())
	names := map[string]int{}
	for _, sp := range exp.GetSpans() {
		names[sp.Name]++
	}
	assert.Equal(t, 1, names["larder findMany album"], "%v", names)
}

func TestStatsAreMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	s := newStore(t)
	reg, err := larderotel.RegisterMetrics(s, mp)
	require.NoError(t, err)
	defer reg.Unregister()

	ctx := context.Background()
	_, err = store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false))
	require.NoError(t, err)
	_, err = store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false))
	require.NoError(t, err)
	_, err = store.FindRecord[fixture.Album](ctx, s, "404")
	require.Error(t, err)
	store.PeekRecord[fixture.Album](s, "1")

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	got := map[string]int64{}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		var points []metricdata.DataPoint[int64]
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			points = d.DataPoints
			assert.True(t, d.IsMonotonic, m.Name)
		case metricdata.Gauge[int64]:
			points = d.DataPoints
		}
		for _, p := range points {
			typ, _ := p.Attributes.Value(larderotel.KeyType)
			if typ.AsString() != "album" {
				continue
			}
			key := m.Name
			for _, k := range []attribute.Key{larderotel.KeyResult, larderotel.KeyOp, larderotel.KeyCondition} {
				if v, ok := p.Attributes.Value(k); ok {
					key += "/" + v.AsString()
				}
			}
			got[key] = p.Value
		}
	}
	assert.Equal(t, map[string]int64{
		"larder.peeks/hit": 1, "larder.peeks/miss": 0,
		"larder.finds/hit": 1, "larder.finds/miss": 2,
		"larder.requests/findRecord": 2,
		"larder.errors/notFound":     1,
		"larder.shared_finds":        0, "larder.coalesced_requests": 0, "larder.coalesced_finds": 0,
		"larder.background_reloads": 0, "larder.records_pushed": 1,
		"larder.records": 1, "larder.identifiers": 1,
	}, got)
}
