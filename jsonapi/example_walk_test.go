package jsonapi_test

import (
	"fmt"

	"github.com/larder-go/larder/jsonapi"
)

// titles is a Visitor that collects album titles without building a
// Document.
type titles struct{ out []string }

func (t *titles) Resource(included bool, index int, typ string) (jsonapi.ResourceVisitor, error) {
	return (*titleOf)(t), nil
}

type titleOf titles

func (t *titleOf) Attribute(name, value []byte) error {
	if string(name) == "title" {
		t.out = append(t.out, string(value)) // value aliases the input: copy it
	}
	return nil
}

func (t *titleOf) Relationship(name []byte, rel *jsonapi.Relationship) error { return nil }
func (t *titleOf) End(res *jsonapi.Resource) error                           { return nil }

func ExampleWalk() {
	var v titles
	shape, err := jsonapi.Walk([]byte(`{"data":[
		{"type":"albums","id":"1","attributes":{"title":"Blue"}},
		{"attributes":{"title":"Court and Spark"},"type":"albums","id":"2"}]}`), &v)
	fmt.Println(shape, err, v.out)
	// Output: many <nil> ["Blue" "Court and Spark"]
}
