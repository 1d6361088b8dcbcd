package stream

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// typeOrMessage is the event's type as the standard names it.
func typeOrMessage(t string) string {
	if t == "" {
		return "message"
	}
	return t
}

// blocks reads every block of a stream, in reads of whatever size r gives.
func blocks(r io.Reader, max int) []block {
	p := newParser(r, max, "")
	var out []block
	for {
		b, err := p.next()
		if err != nil {
			return out
		}
		out = append(out, b)
	}
}

// events is what blocks dispatches as <type>|<id>|<data>.
func events(bs []block) []string {
	var out []string
	for _, b := range bs {
		if b.event {
			out = append(out, typeOrMessage(b.typ)+"|"+b.id+"|"+strings.ReplaceAll(b.data, "\n", `\n`))
		}
	}
	return out
}

// The standard's own examples (testdata/whatwg-examples.txt, with its
// source), read whole, a byte at a time, and with CRLF and CR line ends.
func TestParserFollowsTheStandardsExamples(t *testing.T) {
	raw, err := os.ReadFile("testdata/whatwg-examples.txt")
	require.NoError(t, err)
	cases := strings.Split(string(raw), "--- stream\n")[1:]
	require.Len(t, cases, 4)
	for i, c := range cases {
		stream, want, ok := strings.Cut(c, "--- events\n")
		require.True(t, ok)
		wantEvents := strings.Split(strings.TrimRight(want, "\n"), "\n")
		for name, body := range map[string]string{
			"LF":   stream,
			"CRLF": strings.ReplaceAll(stream, "\n", "\r\n"),
			"CR":   strings.ReplaceAll(stream, "\n", "\r"),
			"BOM":  "\xEF\xBB\xBF" + stream,
		} {
			assert.Equal(t, wantEvents, events(blocks(strings.NewReader(body), 1<<20)), "case %d, %s", i+1, name)
			assert.Equal(t, wantEvents, events(blocks(iotest.OneByteReader(strings.NewReader(body)), 1<<20)), "case %d, %s, a byte a read", i+1, name)
		}
	}
}

func TestParserRules(t *testing.T) {
	t.Run("a block without data is no event, and moves the last id", func(t *testing.T) {
		bs := blocks(strings.NewReader("id: 7\n\nretry: 5000\n\ndata: x\n\n"), 64)
		require.Len(t, bs, 3)
		assert.False(t, bs[0].event)
		assert.Equal(t, "7", bs[0].id)
		assert.False(t, bs[1].event)
		assert.Equal(t, "7", bs[2].id, "the id buffer persists across blocks")
		assert.True(t, bs[2].event)
	})
	t.Run("retry", func(t *testing.T) {
		for body, want := range map[string]int64{"retry: 5000\n\n": 5000, "retry: 5s\n\n": -1, "retry: -1\n\n": -1, "retry:\n\n": -1, "retry: 12\nretry: x\n\n": 12} {
			p := newParser(strings.NewReader(body), 64, "")
			_, _ = p.next()
			assert.Equal(t, want, p.retry, body)
		}
	})
	t.Run("an id with NUL is ignored", func(t *testing.T) {
		bs := blocks(strings.NewReader("id: 1\n\nid: a\x00b\ndata: x\n\n"), 64)
		require.Len(t, bs, 2)
		assert.Equal(t, "1", bs[1].id)
	})
	t.Run("an event cut off by the end is discarded", func(t *testing.T) {
		bs := blocks(strings.NewReader("id: 1\ndata: a\n\nid: 2\ndata: cut"), 64)
		require.Len(t, bs, 1)
		assert.Equal(t, "1", bs[0].id, "the last id stays before it")
	})
	t.Run("an event over the limit is skipped whole, its id kept", func(t *testing.T) {
		big := strings.Repeat("x", 100)
		for name, body := range map[string]string{
			"one long line":    "id: 1\ndata: " + big + "\n\nid: 2\ndata: small\n\n",
			"many short lines": "id: 1\n" + strings.Repeat("data: 0123456789\n", 20) + "\nid: 2\ndata: small\n\n",
		} {
			bs := blocks(strings.NewReader(body), 32)
			require.Len(t, bs, 2, name)
			assert.True(t, bs[0].event, name)
			assert.Positive(t, bs[0].oversize, name)
			assert.Empty(t, bs[0].data, name)
			assert.Equal(t, "1", bs[0].id, name)
			assert.Equal(t, "small", bs[1].data, name)
			assert.Zero(t, bs[1].oversize, name)
		}
	})
	t.Run("fields", func(t *testing.T) {
		bs := blocks(strings.NewReader("event: operations\nfoo: bar\n: comment\ndata:no space\ndata:  two spaces\n\n"), 64)
		require.Len(t, bs, 1)
		assert.Equal(t, "operations", bs[0].typ)
		assert.Equal(t, "no space\n two spaces", bs[0].data)
	})
}

// Any bytes: the parser never panics, never keeps data over its limit, and
// reads the same blocks whatever the size of the reads.
func FuzzParser(f *testing.F) {
	raw, err := os.ReadFile("testdata/whatwg-examples.txt")
	if err == nil {
		for _, c := range strings.Split(string(raw), "--- stream\n")[1:] {
			s, _, _ := strings.Cut(c, "--- events\n")
			f.Add([]byte(s))
		}
	}
	f.Add([]byte("id: 1\r\ndata: a\r\rdata: b\r\n\r\n"))
	f.Add([]byte("\xEF\xBB\xBFretry: 10\nid\x00\n\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		whole := blocks(bytes.NewReader(body), 16)
		for _, b := range whole {
			assert.LessOrEqual(t, len(b.data), 16)
		}
		assert.Equal(t, whole, blocks(iotest.OneByteReader(bytes.NewReader(body)), 16), "a byte a read")
		assert.Equal(t, whole, blocks(iotest.HalfReader(bytes.NewReader(body)), 16), "half reads")
	})
}
