package jsonapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Operations documents, from the JSON:API Atomic Operations extension
// (https://jsonapi.org/ext/atomic/): {"atomic:operations": [...]}, each
// operation an "op" ("add", "update" or "remove"), a "ref" naming a resource
// or one of its relationships (or, for add and update, none: the resource in
// "data" names itself), "data" and "meta". larder's stream source reads them;
// an "index" in an operation's meta places added relationship members.

// An Operation is one operation of an operations document.
type Operation struct {
	Op string
	// Ref names the target; nil when Data is the resource itself.
	Ref *OperationRef
	// Shape and Data are the operation's data, as a document's primary data:
	// a resource (Shape One), null, or an array of resources or resource
	// identifiers (Shape Many); Shape Absent without "data".
	Shape Shape
	Data  []Resource
	Meta  Meta
}

// An OperationRef names a resource, or one of its relationships when
// Relationship is set.
type OperationRef struct {
	Type, ID, LID, Relationship string
}

// DecodeOperations decodes an operations document. Errors are *DecodeError
// values with the JSON pointer at fault.
func DecodeOperations(data []byte) ([]Operation, error) {
	var doc struct {
		Ops *[]struct {
			Op   string           `json:"op"`
			Ref  *json.RawMessage `json:"ref"`
			Href *string          `json:"href"`
			Data json.RawMessage  `json:"data"`
			Meta json.RawMessage  `json:"meta"`
		} `json:"atomic:operations"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, &DecodeError{Err: ErrSyntax, Detail: err.Error()}
	}
	if doc.Ops == nil {
		return nil, &DecodeError{Pointer: "/atomic:operations", Err: ErrInvalid, Detail: "missing"}
	}
	out := make([]Operation, len(*doc.Ops))
	for i, raw := range *doc.Ops {
		at := "/atomic:operations/" + strconv.Itoa(i)
		op := &out[i]
		op.Op = raw.Op
		switch raw.Op {
		case "add", "update", "remove":
		default:
			return nil, &DecodeError{Pointer: at + "/op", Err: ErrInvalid, Detail: fmt.Sprintf("unknown op %q", raw.Op)}
		}
		if raw.Href != nil {
			return nil, &DecodeError{Pointer: at + "/href", Err: ErrInvalid, Detail: "href targets are not supported: use ref"}
		}
		if raw.Ref != nil {
			var ref struct {
				Type         string `json:"type"`
				ID           string `json:"id"`
				LID          string `json:"lid"`
				Relationship string `json:"relationship"`
			}
			if err := json.Unmarshal(*raw.Ref, &ref); err != nil || ref.Type == "" || ref.ID == "" && ref.LID == "" {
				return nil, &DecodeError{Pointer: at + "/ref", Err: ErrInvalid, Detail: "a ref needs a type and an id or lid"}
			}
			op.Ref = &OperationRef{Type: ref.Type, ID: ref.ID, LID: ref.LID, Relationship: ref.Relationship}
		}
		if raw.Data != nil {
			var b bytes.Buffer
			b.WriteString(`{"data":`)
			b.Write(raw.Data)
			b.WriteByte('}')
			d, err := Decode(b.Bytes())
			if err != nil {
				if de, ok := err.(*DecodeError); ok {
					de.Pointer = at + de.Pointer
					de.Offset = 0
					return nil, de
				}
				return nil, err
			}
			op.Shape, op.Data = d.Shape, d.Data
		}
		if raw.Meta != nil {
			if err := json.Unmarshal(raw.Meta, &op.Meta); err != nil || op.Meta == nil {
				return nil, &DecodeError{Pointer: at + "/meta", Err: ErrInvalid, Detail: "meta must be an object"}
			}
		}
		switch {
		case op.Ref == nil && (raw.Op == "remove" || op.Shape != One):
			return nil, &DecodeError{Pointer: at, Err: ErrInvalid, Detail: raw.Op + " without a ref needs a resource in data"}
		case op.Ref != nil && op.Ref.Relationship != "" && op.Shape == Absent:
			return nil, &DecodeError{Pointer: at + "/data", Err: ErrInvalid, Detail: "a relationship operation needs data"}
		case op.Ref != nil && op.Ref.Relationship != "" && raw.Op != "update" && op.Shape != Many:
			return nil, &DecodeError{Pointer: at + "/data", Err: ErrInvalid, Detail: raw.Op + " of relationship members needs an array"}
		case op.Ref != nil && op.Ref.Relationship == "" && raw.Op != "remove" && op.Shape != One:
			return nil, &DecodeError{Pointer: at + "/data", Err: ErrInvalid, Detail: raw.Op + " needs a resource in data"}
		}
	}
	return out, nil
}

// EncodeOperations returns an operations document holding ops, deterministic
// as Encode is. Each operation needs an op of "add", "update" or "remove",
// and a Ref or a resource in Data, as DecodeOperations requires; what
// EncodeOperations writes, DecodeOperations reads back equal.
func EncodeOperations(ops []Operation) ([]byte, error) {
	e := encoder{buf: make([]byte, 0, 256)}
	e.raw(`{"atomic:operations":[`)
	for i := range ops {
		e.comma(i == 0)
		if err := e.operation(&ops[i]); err != nil {
			return nil, at2(err, "/atomic:operations/"+itoa(i))
		}
	}
	e.raw("]}")
	return e.buf, nil
}

func (e *encoder) operation(op *Operation) error {
	switch op.Op {
	case "add", "update", "remove":
	default:
		return &EncodeError{Pointer: "/op", Err: fmt.Errorf("%w: op %q", ErrInvalid, op.Op)}
	}
	if op.Ref == nil && op.Shape != One {
		return &EncodeError{Pointer: "/data", Err: fmt.Errorf("%w: %s without a ref needs a resource", ErrInvalid, op.Op)}
	}
	e.raw(`{"op":`)
	e.str(op.Op)
	if r := op.Ref; r != nil {
		if r.Type == "" || r.ID == "" && r.LID == "" {
			return &EncodeError{Pointer: "/ref", Err: fmt.Errorf("%w: a ref needs a type and an id or lid", ErrInvalid)}
		}
		e.raw(`,"ref":{"type":`)
		e.str(r.Type)
		if r.ID != "" {
			e.raw(`,"id":`)
			e.str(r.ID)
		}
		if r.LID != "" {
			e.raw(`,"lid":`)
			e.str(r.LID)
		}
		if r.Relationship != "" {
			e.raw(`,"relationship":`)
			e.str(r.Relationship)
		}
		e.raw("}")
	}
	switch op.Shape {
	case One:
		if len(op.Data) != 1 {
			return &EncodeError{Pointer: "/data", Err: fmt.Errorf("%w: shape one with %d resources", ErrInvalid, len(op.Data))}
		}
		e.raw(`,"data":`)
		if err := e.resource(&op.Data[0]); err != nil {
			return at2(err, "/data")
		}
	case Null:
		e.raw(`,"data":null`)
	case Many:
		e.raw(`,"data":`)
		if err := e.resources(op.Data); err != nil {
			return at2(err, "/data")
		}
	}
	if op.Meta != nil {
		e.raw(`,"meta":`)
		if err := e.meta(op.Meta); err != nil {
			return at2(err, "/meta")
		}
	}
	e.raw("}")
	return nil
}
