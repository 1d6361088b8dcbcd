// Package mailbox is the bounded queue behind a store subscription: writers
// put values without ever blocking or starting a goroutine, and readers take
// them in order, waiting on a context.
//
// When a reader falls behind by the box's bound, the box drops everything it
// holds for one notice, made from the last value dropped; values put after
// that follow the notice as usual. The notice tells the reader that it
// missed values and should read again what it watches, which is the only
// promise a writer that never waits can keep.
package mailbox
