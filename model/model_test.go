package model_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/attr"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
)

type Artist struct {
	ID     string                      `id:""`
	Name   string                      `attr:"name"`
	Albums relationship.HasMany[Album] `rel:"albums"`
}

type Timestamps struct {
	CreatedAt time.Time `attr:"createdAt"`
}

type Album struct {
	ID         string                         `id:""`
	Title      string                         `attr:"title"`
	SongCount  int                            `attr:""`
	ReleasedAt time.Time                      `attr:"releasedAt,date"`
	Tags       []string                       `attr:"tags"`
	Cover      []byte                         `attr:"-"`
	Scratch    string                         // untagged: not part of the model
	Artist     relationship.BelongsTo[Artist] `rel:"artist"`
	Timestamps
}

func TestSchema(t *testing.T) {
	s, err := model.SchemaOf[Album]()
	require.NoError(t, err)
	assert.Equal(t, "album", s.Name)
	assert.Equal(t, "ID", s.ID.GoName)
	names := []string{}
	for _, a := range s.Attributes {
		names = append(names, a.Name)
	}
	assert.Equal(t, []string{"title", "songCount", "releasedAt", "tags", "createdAt"}, names)
	a, ok := s.Attribute("releasedAt")
	require.True(t, ok)
	assert.Equal(t, "date", a.Transform)
	assert.Equal(t, "ReleasedAt", a.GoName)
	created, ok := s.Attribute("createdAt")
	require.True(t, ok)
	assert.Equal(t, []int{8, 0}, created.Index, "embedded structs are flattened")
	r, ok := s.Relationship("artist")
	require.True(t, ok)
	assert.Equal(t, relationship.KindBelongsTo, r.Kind)
	assert.Equal(t, reflect.TypeFor[Artist](), r.Target)
	assert.True(t, r.Async, "async by default, as Ember 3.x")
	_, ok = s.Attribute("artist")
	assert.False(t, ok)
	_, ok = s.Attribute("cover")
	assert.False(t, ok)
	assert.Equal(t, -1, s.AttributeIndex("Scratch"))
	assert.Equal(t, []int{3}, s.CloneAttributes(), "only tags holds references")

	again, err := model.TypeSchema(reflect.TypeFor[*Album]())
	require.NoError(t, err)
	assert.Same(t, s, again, "schemas are cached per type")
}

type BlogPost struct {
	ID int64 `id:""`
}

type Labelled struct {
	Key string `id:"record-label"`
}

type NamedID struct {
	ID uint
}

func TestTypeNames(t *testing.T) {
	s, err := model.SchemaOf[BlogPost]()
	require.NoError(t, err)
	assert.Equal(t, "blog-post", s.Name)
	assert.Equal(t, reflect.Int64, s.ID.Kind)
	s, err = model.SchemaOf[Labelled]()
	require.NoError(t, err)
	assert.Equal(t, "record-label", s.Name)
	assert.Equal(t, "Key", s.ID.GoName)
	s, err = model.SchemaOf[NamedID]()
	require.NoError(t, err)
	assert.Equal(t, "named-id", s.Name)
}

func TestSchemaErrors(t *testing.T) {
	tests := []struct {
		name  string
		typ   reflect.Type
		field string
		cond  error
	}{
		{"not a struct", reflect.TypeFor[int](), "", model.ErrNotStruct},
		{"no id", reflect.TypeFor[struct {
			Title string `attr:"title"`
		}](), "", model.ErrNoID},
		{"bad id kind", reflect.TypeFor[struct {
			ID float64 `id:"x"`
		}](), "ID", model.ErrBadTag},
		{"two ids", reflect.TypeFor[struct {
			A string `id:"x"`
			B string `id:"x"`
		}](), "B", model.ErrDuplicateName},
		{"duplicate attribute", reflect.TypeFor[struct {
			ID string `id:"x"`
			A  string `attr:"title"`
			B  string `attr:"title"`
		}](), "B", model.ErrDuplicateName},
		{"attribute and relationship", reflect.TypeFor[struct {
			ID string                         `id:"x"`
			A  string                         `attr:"artist"`
			B  relationship.BelongsTo[Artist] `rel:"artist"`
		}](), "B", model.ErrNameConflict},
		{"two transforms", reflect.TypeFor[struct {
			ID string `id:"x"`
			A  string `attr:"a,string,number"`
		}](), "A", model.ErrBadTag},
		{"rel tag on a string", reflect.TypeFor[struct {
			ID string `id:"x"`
			A  string `rel:"a"`
		}](), "A", model.ErrBadTag},
		{"attr tag on a relationship", reflect.TypeFor[struct {
			ID string                         `id:"x"`
			A  relationship.BelongsTo[Artist] `attr:"a"`
		}](), "A", model.ErrBadTag},
		{"unknown rel option", reflect.TypeFor[struct {
			ID string                         `id:"x"`
			A  relationship.BelongsTo[Artist] `rel:"a,eager"`
		}](), "A", model.ErrBadTag},
		{"interface target not polymorphic", reflect.TypeFor[struct {
			ID string                      `id:"x"`
			A  relationship.BelongsTo[any] `rel:"a"`
		}](), "A", model.ErrBadTag},
		{"reserved name", reflect.TypeFor[struct {
			ID string `id:"x"`
			A  string `attr:"type"`
		}](), "A", model.ErrBadTag},
		{"two tags", reflect.TypeFor[struct {
			ID string `id:"x" attr:"id"`
		}](), "ID", model.ErrBadTag},
		{"unexported tagged", reflect.TypeFor[struct {
			ID string `id:"x"`
			a  string `attr:"a"`
		}](), "a", model.ErrBadTag},
		{"anonymous without name", reflect.TypeFor[struct {
			ID string `id:""`
		}](), "ID", model.ErrBadTag},
		{"bad characters", reflect.TypeFor[struct {
			ID string `id:"a/b"`
		}](), "ID", model.ErrBadTag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := model.TypeSchema(tt.typ)
			var se *model.SchemaError
			require.True(t, errors.As(err, &se), "err = %v", err)
			assert.ErrorIs(t, err, tt.cond)
			assert.Equal(t, tt.field, se.Field)
			assert.Contains(t, err.Error(), "model: ")
		})
	}
}

type Song struct {
	ID     string                         `id:""`
	Writer relationship.BelongsTo[Artist] `rel:"writer,inverse=-"`
	Album  relationship.BelongsTo[Album2] `rel:"album"`
}

type Album2 struct {
	ID    string                     `id:"album2"`
	Songs relationship.HasMany[Song] `rel:"songs"`
	Bonus relationship.HasMany[Song] `rel:"bonus,inverse=-"`
}

type Person struct {
	ID       string                         `id:""`
	Friends  relationship.HasMany[Person]   `rel:"friends"`
	Parent   relationship.BelongsTo[Person] `rel:"parent,inverse=children"`
	Children relationship.HasMany[Person]   `rel:"children,inverse=parent"`
}

func registry(t *testing.T, types ...any) (*model.Registry, error) {
	t.Helper()
	var ts []reflect.Type
	for _, x := range types {
		ts = append(ts, reflect.TypeOf(x))
	}
	return model.NewRegistry(ts, nil)
}

func TestRegistryInverses(t *testing.T) {
	reg, err := registry(t, Artist{}, Album{}, Song{}, Album2{}, Person{})
	require.NoError(t, err)
	album, ok := reg.ByName("album")
	require.True(t, ok)
	artist, _ := reg.ByName("artist")
	// album.artist <-> artist.albums found automatically.
	info := album.Rels[album.RelationshipIndex("artist")]
	assert.Same(t, artist, info.InverseModel)
	assert.Equal(t, artist.RelationshipIndex("albums"), info.InverseIndex)

	song, _ := reg.ByName("song")
	a2, _ := reg.ByName("album2")
	assert.Equal(t, -1, song.Rels[song.RelationshipIndex("writer")].InverseIndex, "inverse=- means none")
	assert.Equal(t, a2.RelationshipIndex("songs"), song.Rels[song.RelationshipIndex("album")].InverseIndex,
		"bonus opts out with inverse=-, leaving one candidate")

	person, _ := reg.ByName("person")
	parent := person.Rels[person.RelationshipIndex("parent")]
	assert.Equal(t, person.RelationshipIndex("children"), parent.InverseIndex)
	assert.Equal(t, -1, person.Rels[person.RelationshipIndex("friends")].InverseIndex,
		"a reflexive relationship does not pair with itself")

	m, ok := reg.ByType(reflect.TypeFor[Album]())
	require.True(t, ok)
	assert.Same(t, album, m)
	_, ok = reg.ByType(reflect.TypeFor[int]())
	assert.False(t, ok)
	assert.Len(t, reg.Models(), 5)
}

type Ambiguous struct {
	ID   string                       `id:""`
	Lead relationship.BelongsTo[Band] `rel:"lead"`
	Bass relationship.BelongsTo[Band] `rel:"bass"`
}

type Band struct {
	ID      string                          `id:""`
	Members relationship.HasMany[Ambiguous] `rel:"members"`
}

type BadInverse struct {
	ID     string                         `id:""`
	Artist relationship.BelongsTo[Artist] `rel:"artist,inverse=nothing"`
}

type Commentable interface{ commentable() }

type Post struct {
	ID string `id:""`
}

func (Post) commentable() {}

type Comment struct {
	ID     string                              `id:""`
	Target relationship.BelongsTo[Commentable] `rel:"target,polymorphic"`
}

func TestRegistryErrors(t *testing.T) {
	_, err := registry(t, Band{}, Ambiguous{})
	assert.ErrorIs(t, err, model.ErrInverse, "two candidates and none named")
	_, err = registry(t, Artist{}, Album{}, BadInverse{})
	assert.ErrorIs(t, err, model.ErrInverse)
	_, err = registry(t, Album{})
	assert.ErrorIs(t, err, model.ErrUnregistered, "album.artist needs artist")
	_, err = registry(t, Comment{})
	assert.ErrorIs(t, err, model.ErrUnregistered, "nothing implements Commentable")
	_, err = model.NewRegistry([]reflect.Type{reflect.TypeFor[struct {
		ID string `id:"x"`
		A  string `attr:"a,money"`
	}]()}, nil)
	assert.ErrorIs(t, err, model.ErrUnknownTransform)
	_, err = registry(t, BlogPost{}, struct {
		ID string `id:"blog-post"`
	}{})
	assert.ErrorIs(t, err, model.ErrDuplicateType)
}

func TestRegistryPolymorphicAndCustomTransform(t *testing.T) {
	reg, err := registry(t, Comment{}, Post{})
	require.NoError(t, err)
	c, _ := reg.ByName("comment")
	info := c.Rels[0]
	assert.Nil(t, info.Target)
	_, ok := info.Accept("post")
	assert.True(t, ok)
	_, ok = info.Accept("comment")
	assert.False(t, ok)

	type Priced struct {
		ID    string `id:"priced"`
		Price int64  `attr:"price,cents"`
	}
	cents := attr.Func("cents", func(raw []byte) (int64, error) { return 1, nil }, nil)
	reg, err = model.NewRegistry([]reflect.Type{reflect.TypeFor[Priced]()}, map[string]attr.Transform{"cents": cents})
	require.NoError(t, err)
	m, _ := reg.ByName("priced")
	assert.Equal(t, "cents", m.Codecs[0].Transform())
}

func TestInflection(t *testing.T) {
	tests := []struct{ in, plural, singular, dash, camel, under string }{
		{"album", "albums", "album", "album", "album", "album"},
		{"blog-post", "blog-posts", "blog-post", "blog-post", "blogPost", "blog_post"},
		{"person", "people", "person", "person", "person", "person"},
		{"songCount", "songCounts", "songCount", "song-count", "songCount", "song_count"},
		{"category", "categories", "category", "category", "category", "category"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.plural, model.Pluralize(tt.in))
			assert.Equal(t, tt.singular, model.Singularize(tt.plural))
			assert.Equal(t, tt.dash, model.Dasherize(tt.in))
			assert.Equal(t, tt.camel, model.Camelize(tt.in))
			assert.Equal(t, tt.under, model.Underscore(tt.in))
		})
	}
	assert.Equal(t, "html-page", model.Dasherize("HTMLPage"))
	assert.Equal(t, "htmlBody", model.Camelize("HTMLBody"))
	assert.Equal(t, "songCount", model.Camelize("song_count"))
	assert.Equal(t, "songCount", model.Camelize("SongCount"))
}

func TestDeepCopy(t *testing.T) {
	type inner struct{ S []int }
	type outer struct {
		M map[string][]int
		P *inner
		I any
	}
	src := outer{M: map[string][]int{"a": {1}}, P: &inner{S: []int{2}}, I: []string{"x"}}
	dst := model.DeepCopy(reflect.ValueOf(src)).Interface().(outer)
	dst.M["a"][0] = 9
	dst.P.S[0] = 9
	dst.I.([]string)[0] = "y"
	assert.Equal(t, 1, src.M["a"][0])
	assert.Equal(t, 2, src.P.S[0])
	assert.Equal(t, "x", src.I.([]string)[0])
}

func TestTypeName(t *testing.T) {
	for key, want := range map[string]string{
		"albums": "album", "Albums": "album", "album": "album", "blog_posts": "blog-post",
		"BlogPosts": "blog-post", "blogPosts": "blog-post", "blog-post": "blog-post", "people": "person",
	} {
		assert.Equal(t, want, model.TypeName(key), key)
		assert.Equal(t, want, model.TypeName(key), "%s, memoized", key)
	}
}
