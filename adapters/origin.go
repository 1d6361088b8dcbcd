package adapters

import (
	"fmt"
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
