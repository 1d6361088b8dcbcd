package origin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ErrOther reports a URL on another origin than the policy's that it does not
// allow.
var ErrOther = errors.New("link to another origin")

// MaxRedirects is how many redirects a Policy's client follows, as
// net/http's default policy.
const MaxRedirects = 10

// A Policy is one origin and the other hosts a program allowed. Its zero
// value allows relative URLs only.
type Policy struct {
	base  *url.URL // nil: no origin, only relative URLs are ours
	allow []string // lower-cased hosts, with or without a port
}

// New returns the policy of base's origin ("https://api.example.com", or any
// URL on it) and the allowed hosts ("cdn.example.com",
// "api.example.com:8443"). A base that is not an absolute URL has no origin.
func New(base string, allow []string) Policy {
	p := Policy{}
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		p.base = u
	}
	for _, a := range allow {
		p.allow = append(p.allow, strings.ToLower(a))
	}
	return p
}

// Same reports whether u is on the policy's origin: the same scheme, host
// and port (a default port made explicit). Without an origin, only relative
// URLs are.
func (p Policy) Same(u *url.URL) bool {
	if p.base == nil {
		return !u.IsAbs()
	}
	return strings.EqualFold(u.Scheme, p.base.Scheme) && hostPort(u) == hostPort(p.base)
}

// Check returns nil for a URL on the origin or on an allowed host (over http
// or https), and an error wrapping ErrOther for any other.
func (p Policy) Check(u *url.URL) error {
	if p.Same(u) {
		return nil
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		h, name := strings.ToLower(u.Host), strings.ToLower(u.Hostname())
		if slices.ContainsFunc(p.allow, func(a string) bool { return a == h || a == name }) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s", ErrOther, u.Redacted())
}

// Client returns a copy of base (http.DefaultClient if nil) whose redirects
// go only where Check allows, and which strips header's keys from a redirect
// that leaves the origin: the program's credentials go to its origin alone.
// base's own CheckRedirect, if any, runs after that; without one, at most
// MaxRedirects are followed.
func (p Policy) Client(base *http.Client, header http.Header) *http.Client {
	if base == nil {
		base = http.DefaultClient
	}
	cl := *base
	next := base.CheckRedirect
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := p.Check(req.URL); err != nil {
			return err
		}
		if !p.Same(req.URL) {
			for k := range header {
				req.Header.Del(k)
			}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= MaxRedirects {
			return fmt.Errorf("stopped after %d redirects", MaxRedirects)
		}
		return nil
	}
	return &cl
}

// hostPort returns u's host with its scheme's default port made explicit.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return strings.ToLower(u.Host)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return strings.ToLower(u.Hostname()) + ":443"
	case "http":
		return strings.ToLower(u.Hostname()) + ":80"
	}
	return strings.ToLower(u.Host)
}
