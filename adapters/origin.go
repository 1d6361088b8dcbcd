package adapters

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ErrOtherOrigin reports a link or redirect to an origin other than the
// adapter's Host that Config.AllowHosts does not allow. A server's answers are
// untrusted input: a link it returns must not send the program's requests, or
// its credentials, elsewhere.
var ErrOtherOrigin = errors.New("adapters: link to another origin")

// httpClient returns Client (or http.DefaultClient) with a redirect policy
// that refuses other origins than the allowed ones and strips Header from any
// redirect that leaves Host's origin. The program's own CheckRedirect, if any,
// runs after that check.
func (c *Config) httpClient() *http.Client {
	base := c.Client
	if base == nil {
		base = http.DefaultClient
	}
	cl := *base
	next := base.CheckRedirect
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := c.allowedURL(req.URL); err != nil {
			return err
		}
		if !c.sameOrigin(req.URL) {
			for k := range c.Header {
				req.Header.Del(k)
			}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("adapters: stopped after 10 redirects")
		}
		return nil
	}
	return &cl
}

// sameOrigin reports whether u is on Host's scheme, host and port.
func (c *Config) sameOrigin(u *url.URL) bool {
	origin, err := url.Parse(c.Host)
	if err != nil || origin.Host == "" {
		return !u.IsAbs() // no Host: only relative URLs are ours
	}
	return strings.EqualFold(u.Scheme, origin.Scheme) && hostPort(u) == hostPort(origin)
}

// allowed checks a target URL against the adapter's origin and AllowHosts.
func (c *Config) allowed(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("adapters: bad URL %q: %w", target, err)
	}
	return c.allowedURL(u)
}

func (c *Config) allowedURL(u *url.URL) error {
	if c.sameOrigin(u) {
		return nil
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		h := strings.ToLower(u.Host)
		if slices.ContainsFunc(c.AllowHosts, func(a string) bool {
			a = strings.ToLower(a)
			return a == h || a == strings.ToLower(u.Hostname())
		}) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s", ErrOtherOrigin, u.Redacted())
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
