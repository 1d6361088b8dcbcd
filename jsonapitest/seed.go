package jsonapitest

import (
	"encoding/json"
	"fmt"

	"github.com/larder-go/larder/jsonapi"
)

// Seed returns the server's starting data: the seed stories' two albums (Fewer
// Moving Parts by David Bazan, 10 songs; Calgary by Bon Iver, 2 songs), a third
// album, their artists and songs, and a pending payment. Member names are
// dasherized.
func Seed() []jsonapi.Resource {
	var out []jsonapi.Resource
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	one := func(typ, id string) *jsonapi.Relationship {
		return &jsonapi.Relationship{Shape: jsonapi.One, Data: []jsonapi.Identifier{{Type: typ, ID: id}}}
	}
	many := func(typ string, ids ...string) *jsonapi.Relationship {
		r := &jsonapi.Relationship{Shape: jsonapi.Many, Data: []jsonapi.Identifier{}}
		for _, id := range ids {
			r.Data = append(r.Data, jsonapi.Identifier{Type: typ, ID: id})
		}
		return r
	}
	type album struct {
		id, title, artist, released string
		rating                      float64
		songs                       []string
	}
	albums := []album{
		{"1", "Fewer Moving Parts", "1", "2006-09-26T00:00:00Z", 4.5,
			[]string{"Selling Advertising", "Fewer Moving Parts", "Backwoods Nation", "Cold Beer and Cigarettes", "Transcontinental",
				"Selling Advertising (demo)", "Fewer Moving Parts (demo)", "Backwoods Nation (demo)", "Cold Beer and Cigarettes (demo)", "Transcontinental (demo)"}},
		{"2", "Calgary b/w I Can't Make You Love Me/Nick Of Time", "2", "2011-09-19T00:00:00Z", 4.0,
			[]string{"Calgary", "I Can't Make You Love Me/Nick Of Time"}},
		{"3", "Curse Your Branches", "1", "2009-09-01T00:00:00Z", 4.2,
			[]string{"Hard to Be"}},
	}
	artists := map[string]string{"1": "David Bazan", "2": "Bon Iver"}
	artistAlbums := map[string][]string{}
	song := 0
	for _, a := range albums {
		var ids []string
		for _, title := range a.songs {
			song++
			id := fmt.Sprint(song)
			ids = append(ids, id)
			out = append(out, jsonapi.Resource{Type: "song", ID: id,
				Attributes:    map[string]json.RawMessage{"title": raw(title), "duration": raw(180 + song*7)},
				Relationships: map[string]*jsonapi.Relationship{"album": one("album", a.id)}})
		}
		artistAlbums[a.artist] = append(artistAlbums[a.artist], a.id)
		out = append(out, jsonapi.Resource{Type: "album", ID: a.id,
			Attributes: map[string]json.RawMessage{"title": raw(a.title), "artist-name": raw(artists[a.artist]),
				"song-count": raw(len(a.songs)), "released-at": raw(a.released), "rating": raw(a.rating)},
			Relationships: map[string]*jsonapi.Relationship{"artist": one("artist", a.artist), "songs": many("song", ids...)},
			Links:         jsonapi.Links{"self": {Href: "/albums/" + a.id}}})
	}
	for _, id := range []string{"1", "2"} {
		out = append(out, jsonapi.Resource{Type: "artist", ID: id,
			Attributes:    map[string]json.RawMessage{"name": raw(artists[id])},
			Relationships: map[string]*jsonapi.Relationship{"albums": many("album", artistAlbums[id]...)}})
	}
	out = append(out, jsonapi.Resource{Type: "payment", ID: "1",
		Attributes: map[string]json.RawMessage{"amount": raw(1299), "status": raw("pending")}})
	return out
}
