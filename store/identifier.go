package store

// An Identifier is a record's identity: its type name, its id (empty until the
// server assigns one to a new record) and its local id. LID is stable for the
// record's life; for a record first seen in a payload without one it is Ember's
// derived form "@lid:<type>-<id>".
type Identifier struct {
	Type string
	ID   string
	LID  string
}

// String returns "type:id", or "type:lid" when there is no id.
func (i Identifier) String() string {
	if i.ID == "" {
		return i.Type + ":" + i.LID
	}
	return i.Type + ":" + i.ID
}
