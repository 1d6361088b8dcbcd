package adapters

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/larder-go/larder/internal/origin"
)

// ErrOtherOrigin reports a link or redirect to an origin other than the
// adapter's Host that Config.AllowHosts does not allow. A server's answers are
// untrusted input: a link it returns must not send the program's requests, or
// its credentials, elsewhere.
var ErrOtherOrigin = origin.ErrOther

// policy returns the origin policy of Host and AllowHosts.
func (c *Config) policy() origin.Policy { return origin.New(c.Host, c.AllowHosts) }

// httpClient returns Client (or http.DefaultClient) with a redirect policy
// that refuses other origins than the allowed ones and strips Header from any
// redirect that leaves Host's origin. The program's own CheckRedirect, if any,
// runs after that check.
func (c *Config) httpClient() *http.Client { return c.policy().Client(c.Client, c.Header) }

// sameOrigin reports whether u is on Host's scheme, host and port.
func (c *Config) sameOrigin(u *url.URL) bool { return c.policy().Same(u) }

// allowed checks a target URL against the adapter's origin and AllowHosts.
func (c *Config) allowed(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("adapters: bad URL %q: %w", target, err)
	}
	if err := c.policy().Check(u); err != nil {
		return fmt.Errorf("adapters: %w", err)
	}
	return nil
}
