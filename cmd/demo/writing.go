package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// Post and User are the seed's write stories' models.
type Post struct {
	ID    string                       `id:""`
	Title string                       `attr:"title"`
	Body  string                       `attr:"body"`
	User  relationship.BelongsTo[User] `rel:"user,inverse=-"`
}

// User is the author a post may point at.
type User struct {
	ID   string `id:""`
	Name string `attr:"name"`
}

// showWrites is a middleware that prints every write request the store sends.
func showWrites(w io.Writer) store.Middleware {
	return func(next store.Adapter) store.Adapter {
		return store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
			resp, err := next.Do(ctx, req)
			switch req.Op {
			case store.OpCreateRecord, store.OpUpdateRecord, store.OpDeleteRecord:
				status := 0
				if resp != nil {
					status = resp.Status
				}
				fmt.Fprintf(w, "    -> %s %s %s -> %d\n", req.Op, req.Type, req.Body, status)
			}
			return resp, err
		})
	}
}

// writing is the seed's write stories: createRecord (alone, and with a user
// relationship to a peeked record), save (the server assigns the id), an edit
// that sends only the changed field, a 422 shown per attribute and fixed,
// deleteRecord and destroyRecord, and rollback.
func writing(ctx context.Context, w io.Writer, server string) error {
	fmt.Fprintln(w, "== writing")
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: server}}, &serializers.JSONAPI{},
		store.WithModels(Post{}, User{}), store.WithMiddleware(showWrites(w)))
	if err != nil {
		return err
	}
	defer s.Close()

	post, err := store.CreateRecord(s, Post{Title: "Rails is omakase"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  createRecord: %s, lid %s..., %d post in PeekAll\n", post.State().Name(), post.Identifier().LID[:8], store.PeekAll[Post](s).Len())
	if err := post.Save(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "  save: the server assigned id %s; %s\n", post.ID(), post.State().Name())

	doc, _ := jsonapi.Decode([]byte(`{"data":{"type":"user","id":"1","attributes":{"name":"dhh"}}}`))
	if _, err := s.Push(doc); err != nil {
		return err
	}
	user, _ := store.PeekRecord[User](s, "1")
	withUser := Post{Title: "Rails is omakase", Body: "..."}
	withUser.User.Set(user.ID)
	second, err := store.CreateRecord(s, withUser)
	if err != nil {
		return err
	}
	if err := second.Save(ctx); err != nil {
		return err
	}
	v, _ := second.Value()
	fmt.Fprintf(w, "  a post by the peeked user %q: id %s, user %s\n", user.Name, second.ID(), v.User)

	if err := post.Update(func(p *Post) { p.Title = "Rails is still omakase" }); err != nil {
		return err
	}
	fmt.Fprintf(w, "  edit: changed %v, dirty %v\n", post.ChangedAttributes(), post.HasDirtyAttributes())
	if err := post.Save(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "  save sent only the title; dirty %v\n", post.HasDirtyAttributes())

	if err := post.Update(func(p *Post) { p.Title = "" }); err != nil {
		return err
	}
	err = post.Save(ctx)
	if !errors.Is(err, store.ErrInvalid) {
		return fmt.Errorf("a blank title should be invalid, got %v", err)
	}
	fmt.Fprintf(w, "  422: %s, errors %v\n", post.State().Name(), post.Errors())
	if err := post.Update(func(p *Post) { p.Title = "Rails is omakase, again" }); err != nil {
		return err
	}
	fmt.Fprintf(w, "  a new title clears its error: valid %v\n", post.State().IsValid)
	if err := post.Save(ctx); err != nil {
		return err
	}
	p, _ := post.Value()
	fmt.Fprintf(w, "  saved: %q, %s\n", p.Title, post.State().Name())

	if err := post.Update(func(p *Post) { p.Body = "draft" }); err != nil {
		return err
	}
	if err := post.Rollback(); err != nil {
		return err
	}
	p, _ = post.Value()
	fmt.Fprintf(w, "  rollback: body %q, dirty %v\n", p.Body, post.HasDirtyAttributes())

	if err := s.DeleteRecord("post", post.ID()); err != nil {
		return err
	}
	fmt.Fprintf(w, "  deleteRecord: %s, still %d posts in PeekAll\n", post.State().Name(), store.PeekAll[Post](s).Len())
	if err := post.Save(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "  save: %s, %d post in PeekAll\n", post.State().Name(), store.PeekAll[Post](s).Len())
	if err := second.Destroy(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "  destroyRecord: loaded %v, %d posts in PeekAll\n", second.IsLoaded(), store.PeekAll[Post](s).Len())
	return nil
}
