package store_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// BenchmarkPeekRelated is a peek of an album's 10 loaded songs through its
// HasManyRef beside one PeekRecord of a song in the same store: the target
// is within 15x. The to-one case reads an album's artist in stores of 1k,
// 100k and 1M albums, where the cost must stay flat.
func BenchmarkPeekRelated(b *testing.B) {
	s := newBenchStore(b)
	var doc strings.Builder
	doc.WriteString(`{"data":{"type":"album","id":"1","relationships":{"songs":{"data":[`)
	for i := 1; i <= 10; i++ {
		if i > 1 {
			doc.WriteByte(',')
		}
		doc.WriteString(`{"type":"song","id":"` + strconv.Itoa(i) + `"}`)
	}
	doc.WriteString(`]}}},"included":[`)
	for i := 1; i <= 10; i++ {
		if i > 1 {
			doc.WriteByte(',')
		}
		doc.WriteString(`{"type":"song","id":"` + strconv.Itoa(i) + `","attributes":{"title":"Song","duration":200}}`)
	}
	doc.WriteString(`]}`)
	d, err := jsonapi.Decode([]byte(doc.String()))
	require.NoError(b, err)
	_, err = s.Push(d)
	require.NoError(b, err)
	songs, err := store.HasMany[fixture.Song](store.GetReference[fixture.Album](s, "1"), "songs")
	require.NoError(b, err)
	require.Len(b, songs.Peek(), 10)

	b.Run("hasMany/10", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(songs.Peek()) != 10 {
				b.Fatal("members")
			}
		}
	})
	b.Run("hasMany/10/AppendPeek", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]fixture.Song, 0, 10)
		for b.Loop() {
			if buf = songs.AppendPeek(buf[:0]); len(buf) != 10 {
				b.Fatal("members")
			}
		}
	})
	b.Run("PeekRecord/1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := store.PeekRecord[fixture.Song](s, "7"); !ok {
				b.Fatal("song")
			}
		}
	})
	for _, n := range scaleSizes {
		b.Run("belongsTo/albums="+sizeName(n), func(b *testing.B) {
			s := scaleStore(b, n)
			ids := make([]string, scaleBatch)
			refs := make([]store.BelongsToRef[fixture.Artist], scaleBatch)
			for i := range refs {
				ids[i] = strconv.Itoa(1 + i*(n/scaleBatch))
				refs[i], err = store.BelongsTo[fixture.Artist](store.GetReference[fixture.Album](s, ids[i]), "artist")
				require.NoError(b, err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, ok := refs[i%scaleBatch].Peek(); !ok {
					b.Fatal("artist")
				}
				i++
			}
		})
	}
}
