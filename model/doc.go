// Package model reads larder models from struct tags: a [Schema] per Go type,
// built once and cached like encoding/json's field cache, and a [Registry] per
// store that maps type names to Go types. There is no global registry and no
// init-time registration.
//
// # Tag grammar
//
// A model is a struct. Its fields opt in with one of three tags:
//
//	type Album struct {
//		ID        string                          `id:""`                        // the id; type name "album" from the Go name
//		Title     string                          `attr:"title"`                 // attribute "title", decoded strictly as a string
//		SongCount int                             `attr:""`                      // attribute "songCount": the Go name, camelCased
//		Released  time.Time                       `attr:"releasedAt,date"`       // attribute decoded by the "date" transform
//		Price     Money                           `attr:"price,money"`           // a custom transform registered on the store
//		Notes     *string                         `attr:"notes"`                 // null gives nil
//		Cover     []byte                          `attr:"-"`                     // ignored
//		Artist    relationship.BelongsTo[Artist]  `rel:"artist,inverse=albums"`  // to-one, with its inverse named
//		Songs     relationship.HasMany[Song]      `rel:"songs"`                  // to-many; inverse found automatically
//		Owner     relationship.BelongsTo[Owner]   `rel:"owner,polymorphic"`      // Owner is an interface: any model implementing it
//		Label     relationship.BelongsTo[Label]   `rel:"label,inverse=-,sync"`   // no inverse; sync (must be in the cache)
//		Scratch   string                                                        // untagged: not part of the model
//	}
//
// The id field is the field tagged `id:"..."`, or else the exported field named
// ID; it is a string or an integer kind. The id tag's value, when not empty,
// overrides the type name: `id:"record-label"`. The default type name is the Go
// name dasherized: BlogPost -> "blog-post".
//
// An attr tag is "name[,transform]": an empty name means the Go field name in
// lower camel case (ArtistName -> "artistName"), the member name Ember Data's
// normalized documents use; "-" ignores the field. A transform is one of
// "string", "number", "boolean", "date" or a custom transform registered on the
// store; without one, the value is decoded strictly by the field's Go type (see
// package attr).
//
// A rel tag is "name[,inverse=NAME|inverse=-][,polymorphic][,async|sync]". The
// kind comes from the field's type: [relationship.BelongsTo] is belongsTo,
// [relationship.HasMany] is hasMany. Relationships are async by default, as in
// Ember Data 3.x. A relationship to an interface type must be polymorphic.
//
// Embedded structs without a tag are flattened, as in encoding/json. Member
// names must be unique across attributes and relationships, and "id", "type",
// "lid", "links" and "relationships" are reserved.
//
// # Inverses
//
// The registry resolves inverses as Ember Data 3.x does: an explicit inverse must
// exist on the target and point back; with none named, the target's relationships
// pointing back are the candidates, and zero means no inverse, one is the
// inverse, several are an error unless exactly one names this relationship.
//
// # Errors
//
// Every problem is a *[SchemaError] naming the Go type and field, wrapping one of
// [ErrBadTag], [ErrDuplicateName], [ErrNameConflict], [ErrUnknownTransform],
// [ErrUnregistered], [ErrInverse], [ErrNoID], [ErrDuplicateType] or [ErrNotStruct].
package model
