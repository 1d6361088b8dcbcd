// Package origin decides which URLs a client bound to one origin may follow:
// its own (same scheme, host and port), and hosts the program allowed. A
// server's answers (links, redirects) are untrusted input, so the HTTP
// adapters and the stream source both follow only what a Policy allows, and
// send the program's headers only to the origin itself.
package origin
