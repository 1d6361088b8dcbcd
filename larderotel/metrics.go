package larderotel

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/larder-go/larder/store"
)

// RegisterMetrics exports the Stats of each of s's types as asynchronous
// instruments of mp, read when the meter's reader collects:
//
//	larder.peeks, larder.finds       counters by larder.result (hit, miss)
//	larder.requests                  counter by larder.op
//	larder.errors                    counter by larder.error (notFound, ...)
//	larder.shared_finds, larder.coalesced_requests, larder.coalesced_finds,
//	larder.background_reloads, larder.records_pushed   counters
//	larder.records, larder.identifiers                 gauges
//
// Every point has larder.type. Unregister the returned registration before
// the store is dropped.
func RegisterMetrics(s *store.Cache, mp metric.MeterProvider) (metric.Registration, error) {
	m := mp.Meter(ScopeName)
	var ins instruments
	var err error
	counter := func(name, desc string) metric.Int64ObservableCounter {
		c, e := m.Int64ObservableCounter(name, metric.WithDescription(desc))
		if e != nil && err == nil {
			err = e
		}
		ins.all = append(ins.all, c)
		return c
	}
	gauge := func(name, desc string) metric.Int64ObservableGauge {
		g, e := m.Int64ObservableGauge(name, metric.WithDescription(desc))
		if e != nil && err == nil {
			err = e
		}
		ins.all = append(ins.all, g)
		return g
	}
	ins.peeks = counter("larder.peeks", "Peeks, by result.")
	ins.finds = counter("larder.finds", "Finds, by result: a hit was answered from the cache.")
	ins.requests = counter("larder.requests", "Requests sent to adapters, by operation.")
	ins.errors = counter("larder.errors", "Failed requests, by condition.")
	ins.shared = counter("larder.shared_finds", "Finds that joined a request in flight.")
	ins.coalesced = counter("larder.coalesced_requests", "findMany requests sent for coalesced finds.")
	ins.coalescedFinds = counter("larder.coalesced_finds", "Finds answered by coalesced requests.")
	ins.background = counter("larder.background_reloads", "Background reloads started.")
	ins.pushed = counter("larder.records_pushed", "Resources pushed into the cache.")
	ins.records = gauge("larder.records", "Loaded records held.")
	ins.identifiers = gauge("larder.identifiers", "Ids held, loaded or not.")
	if err != nil {
		return nil, err
	}
	return m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		for _, mod := range s.Registry().Models() {
			st, err := s.StatsFor(mod.Name)
			if err != nil {
				return err
			}
			ins.observe(o, mod.Name, st)
		}
		return nil
	}, ins.all...)
}

type instruments struct {
	all                                                               []metric.Observable
	peeks, finds, requests, errors, shared, coalesced, coalescedFinds metric.Int64ObservableCounter
	background, pushed                                                metric.Int64ObservableCounter
	records, identifiers                                              metric.Int64ObservableGauge
}

func (ins *instruments) observe(o metric.Observer, typ string, st store.Stats) {
	t := KeyType.String(typ)
	n := func(v uint64) int64 { return int64(min(v, 1<<63-1)) }
	with := func(kv ...attribute.KeyValue) metric.ObserveOption {
		return metric.WithAttributes(append(kv, t)...)
	}
	o.ObserveInt64(ins.peeks, n(st.Peeks.Hits), with(KeyResult.String("hit")))
	o.ObserveInt64(ins.peeks, n(st.Peeks.Misses), with(KeyResult.String("miss")))
	o.ObserveInt64(ins.finds, n(st.Finds.Hits), with(KeyResult.String("hit")))
	o.ObserveInt64(ins.finds, n(st.Finds.Misses), with(KeyResult.String("miss")))
	for op := store.OpFindRecord; op <= store.OpCustom; op++ {
		if v := st.Requests.Of(op); v > 0 {
			o.ObserveInt64(ins.requests, n(v), with(KeyOp.String(op.String())))
		}
	}
	for name, v := range st.Errors.All() {
		if v > 0 {
			o.ObserveInt64(ins.errors, n(v), with(KeyCondition.String(name)))
		}
	}
	o.ObserveInt64(ins.shared, n(st.Shared), with())
	o.ObserveInt64(ins.coalesced, n(st.Coalesced), with())
	o.ObserveInt64(ins.coalescedFinds, n(st.CoalescedFinds), with())
	o.ObserveInt64(ins.background, n(st.BackgroundReloads), with())
	o.ObserveInt64(ins.pushed, n(st.RecordsPushed), with())
	o.ObserveInt64(ins.records, int64(st.Records), with())
	o.ObserveInt64(ins.identifiers, int64(st.Identifiers), with())
}
