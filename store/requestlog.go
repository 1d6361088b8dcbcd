package store

import (
	"context"
	"log/slog"
	"time"
)

// logRequest writes the debug record of one request: its operation, type,
// id (or the number of ids of a findMany), status (0 when no response came),
// duration, whether the store coalesced finds into it, and its error. It
// logs with the context the request ran under, so a handler that reads trace
// ids from the context finds the caller's.
func (s *Cache) logRequest(ctx context.Context, req *Request, status int, d time.Duration, err error) {
	l := s.opts.logger
	if !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := requestAttrs(9, req.Op, req.Type, req.ID)
	if req.ID == "" && len(req.IDs) > 0 {
		attrs = append(attrs, slog.Int("ids", len(req.IDs)))
	}
	if req.Relationship != "" {
		attrs = append(attrs, slog.String("relationship", req.Relationship))
	}
	attrs = append(attrs, slog.Int("status", status), slog.Duration("duration", d))
	if req.coalesced {
		attrs = append(attrs, slog.Bool("coalesced", true))
	}
	if err != nil {
		attrs = append(attrs, slog.Any("err", err))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "store: request", attrs...)
}

// logShared writes the debug record of a find that joined a request another
// find had started, with how long it waited.
func (s *Cache) logShared(ctx context.Context, op Op, typ, id string, d time.Duration, err error) {
	l := s.opts.logger
	if !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := requestAttrs(6, op, typ, id)
	attrs = append(attrs, slog.Bool("shared", true), slog.Duration("duration", d))
	if err != nil {
		attrs = append(attrs, slog.Any("err", err))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "store: request shared", attrs...)
}

// requestAttrs starts a request record's attributes, with room for n: the
// operation, the type and the id when there is one.
func requestAttrs(n int, op Op, typ, id string) []slog.Attr {
	attrs := make([]slog.Attr, 0, n)
	attrs = append(attrs, slog.String("op", op.String()), slog.String("type", typ))
	if id != "" {
		attrs = append(attrs, slog.String("id", id))
	}
	return attrs
}
