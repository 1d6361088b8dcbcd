package store

import (
	"context"
	"log/slog"
	"sync"

	"github.com/larder-go/larder/jsonapi"
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
	if s.unmatchedLog.first(l, unmatchedKey{m, kind, name}) {
		l.Debug("store: payload member matches no "+kind+" of the model; ignored", "type", m.Name, "member", name)
	}
}

// first reports whether k is seen for the first time, remembering at most
// maxUnmatched keys (and logging once that it stopped).
func (u *unmatchedLog) first(l *slog.Logger, k unmatchedKey) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.seen[k]; ok || u.full {
		return false
	}
	if len(u.seen) >= maxUnmatched {
		u.full = true
		l.Debug("store: too many members logged; logging no more")
		return false
	}
	if u.seen == nil {
		u.seen = map[unmatchedKey]struct{}{}
	}
	u.seen[k] = struct{}{}
	return true
}

// unechoed warns, once per type and member, of a member a save sent
// non-null whose answer has it null or lacks it: the server may not know
// the member under the key it was sent with (a spelling it does not read),
// and then it kept nothing. An answer with no attributes at all (or no
// primary resource, as a 204) says nothing either way.
func (s *Cache) unechoed(m *model.Model, sent *jsonapi.Resource, doc *jsonapi.Document) {
	if sent == nil || doc == nil {
		return
	}
	ans := doc.One()
	if ans == nil || ans.Attributes == nil {
		return
	}
	for name, v := range sent.Attributes {
		if string(v) == "null" {
			continue
		}
		if got, ok := ans.Attributes[name]; ok && string(got) != "null" {
			continue
		}
		if s.unmatchedLog.first(s.opts.logger, unmatchedKey{m, "unechoed", name}) {
			s.opts.logger.Warn("store: a save sent a member the answer has null or lacks: the server may not know it under the key it was sent with",
				"type", m.Name, "member", name)
		}
	}
}
