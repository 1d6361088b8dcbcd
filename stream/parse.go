package stream

import (
	"bytes"
	"errors"
	"io"
	"strconv"
)

// The event stream, read as the WHATWG HTML standard interprets
// text/event-stream (§9.2.6, "Interpreting an event stream"), to the letter:
//
//   - lines end in CRLF, LF or CR; a UTF-8 byte order mark at the start is
//     skipped;
//   - a line that starts with a colon is a comment; "field: value" drops
//     one space after the colon; a line without a colon is a field with an
//     empty value; fields other than event, data, id and retry are ignored;
//   - an id holding U+0000 is ignored; a retry that is not all ASCII digits
//     is ignored;
//   - a blank line dispatches: the source's last event id becomes the id
//     buffer's value whether or not anything is dispatched, and only a
//     block with data is an event (id: 7 alone moves the last id, retry:
//     5000 alone sets the reconnection time, and neither is an event);
//   - at the end of the stream an unfinished event is discarded, with its
//     id: the last id stays that of the last whole block.
//
// One rule is larder's: an event whose data is larger than the source's
// limit (WithMaxEventSize) is not kept in memory; it is read to its end and
// skipped, and its id is honoured, so a reconnection does not ask for it
// again.

// errTooLarge is the cause of an EventError for an event over the limit.
var errTooLarge = errors.New("event larger than the source's limit (WithMaxEventSize)")

// A block is what a blank line ends: an event, or (with no data) only an
// id or a retry.
type block struct {
	id       string // the last event id after the block (the id buffer)
	typ      string // the event type ("" when none was given)
	data     string // the data, its last newline removed; "" for no event
	event    bool   // the block had data: it is an event
	oversize int    // the data's size when it was over the limit, else 0
}

// A parser reads blocks from an event stream.
type parser struct {
	src    io.Reader
	buf    []byte // read from src; buf[r:w] is not consumed yet
	r, w   int
	lbuf   []byte // the line being read
	max    int
	skipLF bool // the last line ended in CR: an LF right after it is part of that end
	begun  bool // the start of the stream was read (and a BOM skipped)

	// The buffers of the standard's algorithm.
	data     []byte
	typ      string
	id       string
	hasData  bool
	oversize int // bytes of data seen once over max; 0 while under

	// retry is the last valid retry field, in milliseconds, or -1.
	retry int64
}

func newParser(r io.Reader, max int, lastID string) *parser {
	return &parser{src: r, buf: make([]byte, 4096), max: max, id: lastID, retry: -1}
}

// next returns the next block a blank line ends. At the end of the stream it
// returns io.EOF (or the read's error), and what was pending is dropped.
func (p *parser) next() (block, error) {
	for {
		line, err := p.line()
		if err != nil {
			p.data, p.typ, p.hasData, p.oversize = p.data[:0], "", false, 0
			return block{}, err
		}
		if line == nil {
			return p.dispatch(), nil
		}
		p.field(line)
	}
}

// dispatch ends a block, as the standard's "dispatch the event".
func (p *parser) dispatch() block {
	b := block{id: p.id, typ: p.typ}
	switch {
	case p.oversize > 0:
		b.event, b.oversize = true, p.oversize
	case p.hasData:
		b.event = true
		b.data = string(bytes.TrimSuffix(p.data, []byte{'\n'}))
	}
	p.data, p.typ, p.hasData, p.oversize = p.data[:0], "", false, 0
	return b
}

// field processes one non-blank line.
func (p *parser) field(line []byte) {
	if line[0] == ':' {
		return // a comment
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		value = bytes.TrimPrefix(value, []byte{' '})
	}
	switch string(name) {
	case "event":
		p.typ = string(value)
	case "data":
		p.hasData = true
		if p.oversize > 0 {
			p.oversize += len(value) + 1
			return
		}
		if len(p.data)+len(value)+1 > p.max {
			p.oversize = len(p.data) + len(value) + 1
			p.data = p.data[:0]
			return
		}
		p.data = append(append(p.data, value...), '\n')
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			p.id = string(value)
		}
	case "retry":
		if len(value) > 0 && allDigits(value) {
			if ms, err := strconv.ParseInt(string(value), 10, 64); err == nil {
				p.retry = ms
			}
		}
	}
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// line returns the next line without its end, nil for a blank line. A line
// longer than the limit is cut to it (and, if it is data, makes its event
// oversize): what follows is read and dropped, so no line holds more memory
// than the limit.
func (p *parser) line() ([]byte, error) {
	p.lbuf = p.lbuf[:0]
	over := false
	for {
		if p.r == p.w {
			if err := p.fill(); err != nil {
				return nil, err // the end of the stream, or a failed read: the line is unfinished
			}
			continue
		}
		if p.skipLF {
			p.skipLF = false
			if p.buf[p.r] == '\n' {
				p.r++
				continue
			}
		}
		rest := p.buf[p.r:p.w]
		i := bytes.IndexAny(rest, "\r\n")
		if i < 0 {
			p.lbuf, over = appendCapped(p.lbuf, rest, p.max, over)
			p.r = p.w
			continue
		}
		p.lbuf, over = appendCapped(p.lbuf, rest[:i], p.max, over)
		p.skipLF = rest[i] == '\r'
		p.r += i + 1
		return p.done(p.lbuf, over), nil
	}
}

// fill reads more of the stream into the buffer, skipping a byte order mark
// at its start (which may come a byte a read).
func (p *parser) fill() error {
	p.r, p.w = 0, 0
	for p.w == 0 || (!p.begun && p.w < len(bom) && bytes.HasPrefix(bom, p.buf[:p.w])) {
		n, err := p.src.Read(p.buf[p.w:])
		p.w += n
		if n == 0 && err != nil {
			if p.w > 0 {
				break // what came before the end
			}
			return err
		}
	}
	if !p.begun {
		p.begun = true
		if bytes.HasPrefix(p.buf[:p.w], bom) {
			p.r = len(bom)
		}
	}
	return nil
}

// bom is the UTF-8 byte order mark a stream may start with.
var bom = []byte("\xEF\xBB\xBF")

// done returns a finished line: nil when it is blank. A data line that was
// cut marks its event oversize, and is then nothing more to read.
func (p *parser) done(line []byte, over bool) []byte {
	if over && bytes.HasPrefix(line, []byte("data")) {
		p.hasData = true
		p.oversize = max(p.oversize, p.max+1)
		return []byte(":")
	}
	if len(line) == 0 {
		return nil
	}
	return line
}

// appendCapped appends b to out up to limit bytes, reporting whether any was
// dropped.
func appendCapped(out, b []byte, limit int, over bool) ([]byte, bool) {
	if room := limit - len(out); len(b) > room {
		return append(out, b[:max(room, 0)]...), true
	}
	return append(out, b...), over
}
