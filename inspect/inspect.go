package inspect

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/larder-go/larder/store"
)

// maxRecords bounds the records a dump shows per type, so one request cannot
// ask for a million.
const maxRecords = 1000

// Handler returns the debug view of s. It is safe for concurrent use.
func Handler(s *store.Cache) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { dump(w, r, s) })
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) { stats(w, r, s) })
	return mux
}

func dump(w http.ResponseWriter, r *http.Request, s *store.Cache) {
	q := r.URL.Query()
	opts := store.DumpOptions{Types: q["type"], ID: q.Get("id")}
	if v := q.Get("records"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			http.Error(w, "records must be a count", http.StatusBadRequest)
			return
		}
		opts.Records = min(n, maxRecords)
	}
	d, err := s.Dump(opts)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, store.ErrUnknownType) {
			status = http.StatusNotFound
		}
		http.Error(w, err.Error(), status)
		return
	}
	if wantsJSON(r) {
		writeJSON(w, d)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_ = d.WriteText(w)
}

func stats(w http.ResponseWriter, r *http.Request, s *store.Cache) {
	st := s.Stats()
	if typ := r.URL.Query().Get("type"); typ != "" {
		var err error
		if st, err = s.StatsFor(typ); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
	}
	if wantsJSON(r) {
		writeJSON(w, st)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_ = WriteStats(w, st)
}

func wantsJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "json"
	}
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(b, '\n'))
}
