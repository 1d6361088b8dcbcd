package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

func TestPreload(t *testing.T) {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	var out bytes.Buffer
	require.NoError(t, preload(&out, s))
	assert.Contains(t, out.String(), `album 1: "Fewer Moving Parts" by David Bazan, 10 songs (10 linked), released 2006-09-26`)
	assert.Contains(t, out.String(), `album 2: "Calgary b/w I Can't Make You Love Me/Nick Of Time" by Bon Iver, 2 songs (2 linked)`)
	assert.Equal(t, 2, store.PeekAll[fixture.Album](s).Len())
}
