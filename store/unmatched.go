package store

import (
	"context"
	"log/slog"
	"sync"

	"github.com/larder-go/larder/model"
)

// maxUnmatched bounds how many distinct unmatched members a store remembers,
// so a hostile server that sends endless new member names costs bounded
// memory; past it, one more line says that further ones go unlogged.
const maxUnmatched = 1024

// unmatchedLog remembers which (type, member) pairs were logged.
type unmatchedLog struct {
	mu   sync.Mutex
	seen map[unmatchedKey]struct{} // guarded by mu
	full bool                      // guarded by mu
}

type unmatchedKey struct {
	model      *model.Model
	kind, name string
}

// unmatched logs, at debug level and once per type and name, a payload member
// that matches no attribute or relationship of the model: the store ignores
// it, as Ember Data does, but never in silence.
func (s *Cache) unmatched(m *model.Model, kind, name string) {
	l := s.opts.logger
	if !l.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	u := &s.unmatchedLog
	u.mu.Lock()
	defer u.mu.Unlock()
	k := unmatchedKey{m, kind, name}
	if _, ok := u.seen[k]; ok || u.full {
		return
	}
	if len(u.seen) >= maxUnmatched {
		u.full = true
		l.Debug("store: too many unmatched payload members; logging no more")
		return
	}
	if u.seen == nil {
		u.seen = map[unmatchedKey]struct{}{}
	}
	u.seen[k] = struct{}{}
	l.Debug("store: payload member matches no "+kind+" of the model; ignored", "type", m.Name, "member", name)
}
