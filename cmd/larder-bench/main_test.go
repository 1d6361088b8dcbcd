package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/benchkit"
	"github.com/larder-go/larder/jsonapitest"
)

func TestRunEmbedded(t *testing.T) {
	var out, errs bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-n", "20", "-rounds", "5"}, &out, &errs))
	assert.Contains(t, out.String(), "album: 20 ids")
	assert.Contains(t, out.String(), "hit ratio 71.43% (100 hits, 40 misses), 40 requests")
	assert.Contains(t, errs.String(), "find miss  100% (20/20)", "the progress line")
}

func TestRunAgainstAURL(t *testing.T) {
	srv := jsonapitest.NewServer() // the seed's artists are 1 and 2
	defer srv.Close()
	var out, errs bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-url", srv.URL, "-type", "artist", "-ids", "1,2", "-rounds", "3", "-json"}, &out, &errs))
	var r benchkit.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &r))
	assert.Equal(t, "artist", r.Type)
	assert.Equal(t, 2, r.IDs)
	require.Len(t, r.Results, 3)
	assert.Equal(t, 6, r.Results[1].Calls)
	assert.Positive(t, r.Results[2].P50)
}

func TestRunRefusesBadFlags(t *testing.T) {
	tests := [][]string{
		{"-type", "planet"},
		{"-ids", "5-1"},
		{"-ids", "a-b"},
		{"-ids", "1,,2"},
		{"-ids", "1-2000000"},
		{"-n", "0"},
		{"-no-such-flag"},
		{"-ids", "404", "-n", "3"},
	}
	for _, args := range tests {
		t.Run(args[0]+" "+args[len(args)-1], func(t *testing.T) {
			var out, errs bytes.Buffer
			assert.Error(t, run(context.Background(), args, &out, &errs))
			assert.Empty(t, out.String())
		})
	}
}

func TestParseIDs(t *testing.T) {
	ids, err := parseIDs("1-3, 7,x")
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2", "3", "7", "x"}, ids)
}
