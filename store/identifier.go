package store

import "github.com/larder-go/larder/jsonapi"

// An Identifier is a record's identity: its type name, its id (empty until the
// server assigns one to a new record) and its local id. LID is stable for the
// record's life; for a record first seen in a payload without one it is Ember's
// derived form "@lid:<type>-<id>".
type Identifier struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
	LID  string `json:"lid,omitempty"`
}

// String returns "type:id", or "type:lid" when there is no id.
func (i Identifier) String() string {
	if i.ID == "" {
		return i.Type + ":" + i.LID
	}
	return i.Type + ":" + i.ID
}

// Linkage returns the identifier as a JSON:API resource identifier, for
// setting a relationship to the record (relationship.BelongsTo.SetIdentifier).
// A record without an id yet is named by its lid.
func (i Identifier) Linkage() jsonapi.Identifier {
	if i.ID != "" {
		return jsonapi.Identifier{Type: i.Type, ID: i.ID}
	}
	return jsonapi.Identifier{Type: i.Type, LID: i.LID}
}
