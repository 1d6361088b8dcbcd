package store_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

// dumpStore holds records in several states: saved, locally edited, new,
// and named by a relationship but never loaded.
func dumpStore(t *testing.T) *store.Cache {
	s := storeOver(t, nil)
	require.NoError(t, s.PushDocument([]byte(`{
		"data":[
			{"type":"album","id":"1","attributes":{"title":"One","songCount":2,"releasedAt":"2020-01-02T00:00:00Z"},
			 "relationships":{"artist":{"data":{"type":"artist","id":"a"}},"songs":{"data":[{"type":"song","id":"1"},{"type":"song","id":"2"}]}}},
			{"type":"album","id":"2","attributes":{"title":"Two"},"relationships":{"artist":{"data":{"type":"artist","id":"a"}}}}],
		"included":[{"type":"artist","id":"a","attributes":{"name":"A"}}]}`)))
	two, ok := store.PeekRecord[fixture.Album](s, "2")
	require.True(t, ok)
	two.Title = "Two (edited)"
	require.NoError(t, store.SetRecord(s, two))
	_, err := store.CreateRecord(s, fixture.Album{Title: "Draft"})
	require.NoError(t, err)
	return s
}

func TestDumpGolden(t *testing.T) {
	s := dumpStore(t)
	d, err := s.Dump(store.DumpOptions{Records: 10})
	require.NoError(t, err)
	// The new record's lid is random: give it a fixed one for the file.
	for i := range d.Types {
		for j := range d.Types[i].Shown {
			if d.Types[i].Shown[j].ID == "" {
				d.Types[i].Shown[j].LID = "@lid:new"
			}
		}
	}
	var text bytes.Buffer
	require.NoError(t, d.WriteText(&text))
	golden(t, "dump.txt", text.Bytes())
	js, err := json.MarshalIndent(d, "", "  ")
	require.NoError(t, err)
	golden(t, "dump.json", append(js, '\n'))
}

func TestDumpOptions(t *testing.T) {
	s := dumpStore(t)
	t.Run("counts only", func(t *testing.T) {
		d, err := s.Dump(store.DumpOptions{Types: []string{"album"}})
		require.NoError(t, err)
		require.Len(t, d.Types, 1)
		assert.Equal(t, 3, d.Types[0].Records)
		assert.Equal(t, 2, d.Types[0].Identifiers)
		assert.Equal(t, map[string]int{"root.loaded.saved": 1, "root.loaded.updated.uncommitted": 1, "root.loaded.created.uncommitted": 1}, d.Types[0].States)
		assert.Empty(t, d.Types[0].Shown)
	})
	t.Run("one record", func(t *testing.T) {
		d, err := s.Dump(store.DumpOptions{Types: []string{"album"}, ID: "2"})
		require.NoError(t, err)
		require.Len(t, d.Types[0].Shown, 1)
		rd := d.Types[0].Shown[0]
		assert.Equal(t, "2", rd.ID)
		assert.JSONEq(t, `"Two"`, string(rd.Remote["title"]))
		assert.JSONEq(t, `"Two (edited)"`, string(rd.Local["title"]))
	})
	t.Run("a limit", func(t *testing.T) {
		d, err := s.Dump(store.DumpOptions{Types: []string{"album"}, Records: 1})
		require.NoError(t, err)
		require.Len(t, d.Types[0].Shown, 1)
		assert.Empty(t, d.Types[0].Shown[0].ID, "id order puts the new record (no id) first")
	})
	t.Run("bad options", func(t *testing.T) {
		_, err := s.Dump(store.DumpOptions{Types: []string{"nope"}})
		assert.ErrorIs(t, err, store.ErrUnknownType)
		_, err = s.Dump(store.DumpOptions{ID: "1"})
		assert.Error(t, err, "an id needs one type")
	})
	t.Run("the dump is the caller's", func(t *testing.T) {
		d, err := s.Dump(store.DumpOptions{Types: []string{"album"}, ID: "1"})
		require.NoError(t, err)
		d.Types[0].Shown[0].Relationships["songs"].Data[0].ID = "changed"
		again, err := s.Dump(store.DumpOptions{Types: []string{"album"}, ID: "1"})
		require.NoError(t, err)
		assert.Equal(t, "1", again.Types[0].Shown[0].Relationships["songs"].Data[0].ID)
	})
}
