package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// The linearizability check: goroutines push, edit (Update), save against a
// local test server, unload, peek and read references of two albums; the
// history of what each call saw is checked with porcupine against a
// sequential model of the store. A push of both albums is one commit, so a
// reader that saw one album's new value and then the other's old one fails
// the check.

// linRecord is one album in the model: its songCount as the server last
// gave it (remote), a local edit on top, and the value a save in flight
// sent.
type linRecord struct {
	loaded, edited, saving bool
	remote, local, sent    int
}

func (r linRecord) visible() int {
	if r.edited {
		return r.local
	}
	return r.remote
}

// linState is the model's state: albums "1" and "2".
type linState [2]linRecord

type linKind uint8

const (
	linPush linKind = iota
	linUpdate
	linPeek
	linRefRead
	linUnload
	linSave      // a save that sent nothing
	linSaveSent  // a save's request reaching the server: the value it sent
	linSaveSaved // its answer committed
)

var linKindNames = [...]string{"push", "update", "peek", "ref read", "unload", "save", "save sent", "save saved"}

type linInput struct {
	kind linKind
	ids  []int // push: the albums of the document, in one commit
	v    int   // push: the value
}

type linOutput struct {
	ok     bool  // peek, ref read, update: the record was loaded
	v      int   // peek, ref read: the value read; update: the value written
	saving bool  // unload: refused with ErrSaving
	err    error // save, save saved
}

var linModel = porcupine.Model{
	Init: func() any { return linState{} },
	Step: func(state, input, output any) (bool, any) {
		st, in, out := state.(linState), input.(linInput), output.(linOutput)
		switch in.kind {
		case linPush:
			for _, i := range in.ids {
				r := &st[i]
				if !r.loaded {
					*r = linRecord{loaded: true, remote: in.v}
					continue
				}
				r.remote = in.v
				if r.edited && r.local == r.remote {
					r.edited = false // the push caught up with the edit
				}
			}
			return true, st
		case linUpdate:
			r := &st[in.ids[0]]
			if !r.loaded {
				return !out.ok, st
			}
			if !out.ok || out.v != r.visible()+1 {
				return false, st
			}
			r.local, r.edited = out.v, out.v != r.remote
			return true, st
		case linPeek, linRefRead:
			r := st[in.ids[0]]
			if !r.loaded {
				return !out.ok, st
			}
			return out.ok && out.v == r.visible(), st
		case linUnload:
			if out.saving {
				return true, st // refused while a save is in flight: nothing changes
			}
			if st[in.ids[0]].saving {
				return false, st
			}
			st[in.ids[0]] = linRecord{}
			return true, st
		case linSave:
			// Nothing to send: not loaded, or clean.
			r := st[in.ids[0]]
			if !r.loaded {
				return errors.Is(out.err, store.ErrNotLoaded), st
			}
			return out.err == nil && !r.edited && !r.saving, st
		case linSaveSent:
			// The save sent the record's value as it was.
			r := &st[in.ids[0]]
			if !r.loaded || !r.edited || r.saving || out.v != r.visible() {
				return false, st
			}
			r.saving, r.sent = true, out.v
			return true, st
		case linSaveSaved:
			// The server took what was sent; an edit made since stays local.
			r := &st[in.ids[0]]
			if !r.saving || out.err != nil {
				return false, st
			}
			v := r.visible()
			r.saving, r.remote = false, r.sent
			r.local, r.edited = v, v != r.remote
			return true, st
		}
		return false, st
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(linInput), output.(linOutput)
		return fmt.Sprintf("%s %v %d -> ok=%v v=%d saving=%v err=%v", linKindNames[in.kind], in.ids, in.v, out.ok, out.v, out.saving, out.err)
	},
	DescribeState: func(state any) string { return fmt.Sprintf("%+v", state) },
}

// linHistory runs clients goroutines of ops calls each against a store and
// returns the history.
func linHistory(t *testing.T, s *store.Cache, now func() int64, clients, ops int) []porcupine.Operation {
	var (
		mu      sync.Mutex
		history []porcupine.Operation
		wg      sync.WaitGroup
		next    = 1000
	)
	ctx := context.Background()
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), uint64(time.Now().UnixNano())))
			for range ops {
				i := rng.IntN(2)
				id := fmt.Sprint(i + 1)
				ref := store.GetReference[fixture.Album](s, id)
				var in linInput
				var out linOutput
				call := now()
				switch k := rng.IntN(10); {
				case k < 2:
					mu.Lock()
					v := next
					next++
					mu.Unlock()
					in = linInput{kind: linPush, ids: []int{0, 1}, v: v}
					doc := fmt.Sprintf(`{"data":[{"type":"album","id":"1","attributes":{"songCount":%d}},{"type":"album","id":"2","attributes":{"songCount":%d}}]}`, v, v)
					if k == 1 {
						in.ids = []int{i}
						doc = fmt.Sprintf(`{"data":{"type":"album","id":"%s","attributes":{"songCount":%d}}}`, id, v)
					}
					call = now()
					if _, err := s.Push(decode(t, doc)); err != nil {
						t.Error(err)
						return
					}
				case k < 4:
					in = linInput{kind: linUpdate, ids: []int{i}}
					err := ref.Update(func(a *fixture.Album) {
						a.SongCount++
						out.v = a.SongCount
					})
					out.ok = err == nil
					if err != nil && !errors.Is(err, store.ErrNotLoaded) {
						t.Error(err)
						return
					}
				case k < 6:
					in = linInput{kind: linPeek, ids: []int{i}}
					a, ok := store.PeekRecord[fixture.Album](s, id)
					out = linOutput{ok: ok, v: a.SongCount}
				case k < 7:
					in = linInput{kind: linRefRead, ids: []int{i}}
					a, ok := ref.Value()
					out = linOutput{ok: ok, v: a.SongCount}
				case k < 8:
					in = linInput{kind: linUnload, ids: []int{i}}
					err := s.UnloadRecord("album", id)
					out.saving = errors.Is(err, store.ErrSaving)
					if err != nil && !out.saving {
						t.Error(err)
						return
					}
				default:
					p := &saveProbe{}
					err := ref.Save(context.WithValue(ctx, saveProbe{}, p))
					ret := now()
					mu.Lock()
					if p.sent {
						// Two operations: the request's arrival, the answer's commit.
						history = append(history,
							porcupine.Operation{ClientId: c, Input: linInput{kind: linSaveSent, ids: []int{i}}, Call: call, Output: linOutput{v: p.v}, Return: p.start},
							porcupine.Operation{ClientId: c, Input: linInput{kind: linSaveSaved, ids: []int{i}}, Call: p.end, Output: linOutput{err: err}, Return: ret})
					} else {
						history = append(history, porcupine.Operation{ClientId: c, Input: linInput{kind: linSave, ids: []int{i}}, Call: call, Output: linOutput{err: err}, Return: ret})
					}
					mu.Unlock()
					continue
				}
				ret := now()
				mu.Lock()
				history = append(history, porcupine.Operation{ClientId: c, Input: in, Call: call, Output: out, Return: ret})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return history
}

// clock returns a history's clock: nanoseconds since it was made.
func clock() func() int64 {
	start := time.Now()
	return func() int64 { return int64(time.Since(start)) }
}

// A saveProbe rides in a Save's context to the adapter, which notes when
// the request left (the store had committed the save's start) and what it
// sent, and when the answer came back (before the store commits it).
type saveProbe struct {
	sent       bool
	v          int
	start, end int64
}

// linStore is a store over a test server that accepts every PATCH, through
// an adapter that fills the save probes. now is the history's clock.
func linStore(t *testing.T, now func() int64) *store.Cache {
	b := newBackend(t, func(r recorded) (int, string) { return 204, "" })
	inner := &adapters.JSONAPI{Config: adapters.Config{Host: b.srv.URL}}
	a := store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
		p, _ := ctx.Value(saveProbe{}).(*saveProbe)
		if p == nil || req.Op != store.OpUpdateRecord {
			return inner.Do(ctx, req)
		}
		var body struct {
			Data struct {
				Attributes struct {
					SongCount int `json:"song-count"`
				} `json:"attributes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(req.Body, &body); err != nil {
			return nil, err
		}
		p.sent, p.v, p.start = true, body.Data.Attributes.SongCount, now()
		res, err := inner.Do(ctx, req)
		p.end = now()
		return res, err
	})
	s, err := store.New(a, &serializers.JSONAPI{}, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestLinearizable(t *testing.T) {
	clients, ops := 4, 150
	if testing.Short() {
		ops = 60
	}
	now := clock()
	s := linStore(t, now)
	history := linHistory(t, s, now, clients, ops)
	res, info := porcupine.CheckOperationsVerbose(linModel, history, 20*time.Second)
	if res != porcupine.Ok {
		t.Logf("history of %d operations: %v", len(history), res)
		for _, part := range info.PartialLinearizations() {
			t.Logf("longest linearizable prefix: %d operations", len(part[len(part)-1]))
		}
	}
	require.Equal(t, porcupine.Ok, res, "the history is linearizable")
}

// TestLinearizableCatchesATornCommit breaks the commit on purpose (one record
// is published after the commit's window) and checks that the same check
// finds a history that is not linearizable.
func TestLinearizableCatchesATornCommit(t *testing.T) {
	for attempt := range 300 {
		now := clock()
		s := linStore(t, now)
		store.SlowCommits(s, true)
		history := linHistory(t, s, now, 4, 80)
		if porcupine.CheckOperationsTimeout(linModel, history, 20*time.Second) == porcupine.Illegal {
			t.Logf("found on attempt %d", attempt+1)
			return
		}
	}
	t.Fatal("a torn commit was never caught")
}
